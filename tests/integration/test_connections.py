"""Connected helpdesks (issue 14): signed deliveries stored, checked and applied as the built-in inbox's events, on
SQLite and PostgreSQL."""
import asyncio
import base64
import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Agent, Conversation, Delivery, LedgerEntry, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.game.api_reads import helpdesk_identities
from services.game.rebuild import differences, replay
from services.helpdesk.connections import NewConnection
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.exports import ExportQuery, conversation_rows
from tests.integration.support import assert_scores_match_projection, run_main, written

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / 'tests' / 'fixtures' / 'webhooks'
AT = datetime(2026, 11, 30, 10, 12, tzinfo=UTC)  # just after the fixtures' conversation: their signatures are fresh
LIFE = ['conversation_created', 'message_created_incoming', 'message_created_reply',
        'conversation_status_changed_resolved', 'conversation_updated_resolved', 'message_updated_csat']


def rails_json(payload: dict) -> bytes:
    """Chatwoot's bytes: Rails escapes <, > and &."""
    return (json.dumps(payload, ensure_ascii=False, separators=(',', ':'))
            .replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026').encode())


def chatwoot_body(name: str) -> bytes:
    return rails_json(json.loads((FIXTURES / 'chatwoot' / f'{name}.json').read_text()))


def chatwoot_headers(body: bytes, secret: str, *, clock: ManualClock, delivery: str | None = None) -> dict[str, str]:
    timestamp = str(int(clock.now().timestamp()))
    signature = hmac.new(secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
    return {'X-Chatwoot-Signature': f'sha256={signature}', 'X-Chatwoot-Timestamp': timestamp,
            'X-Chatwoot-Delivery': delivery or hashlib.sha1(body).hexdigest(), 'Content-Type': 'application/json'}


async def post(services: Services, new: NewConnection, name: str, *, clock: ManualClock,
               delivery: str | None = None) -> tuple[int, str]:
    body = chatwoot_body(name)
    return await services.connections.receive(new.connection.url_path.rsplit('/', 1)[1],
                                              chatwoot_headers(body, new.secret, clock=clock, delivery=delivery), body)


@pytest.fixture
async def chatwoot(services: Services, lead: AgentView, clock: ManualClock) -> NewConnection:
    clock.set(AT)
    return await services.connections.create(lead, 'chatwoot', 'Support EU')


async def ledger() -> list[tuple[str, int, str, str]]:
    """The ledger of the helpdesk's conversations, by the agent's name (ids differ from run to run)."""
    names = dict(await Agent.all().values_list('id', 'display_name'))
    external = set(await Conversation.filter(connection_id__not_isnull=True).values_list('id', flat=True))
    if not external:
        return []
    events = set(await StoredEvent.filter(conversation_id__in=external).values_list('id', flat=True))
    return sorted((names[entry.agent_id], entry.points, entry.kind, entry.reason)
                  for entry in await LedgerEntry.filter(event_id__in=events))


async def test_a_chatwoot_conversations_whole_life_scores_its_assignee(services: Services, chatwoot: NewConnection,
                                                                      clock: ManualClock) -> None:
    for name in LIFE:
        status, message = await post(services, chatwoot, name, clock=clock)
        assert status == 200, message
    ana = await Agent.get(display_name='Ana Ozola', password_hash='!')  # made for Chatwoot's agent 14: no login yet
    assert await ledger() == sorted([
        ('Ana Ozola', 10, 'fast_resolution', 'fast resolution of Chatwoot #482'),
        ('Ana Ozola', 5, 'on_time_resolution', 'on-time resolution of Chatwoot #482'),
        ('Ana Ozola', 5, 'first_contact', 'first-contact resolution of Chatwoot #482'),
        ('Ana Ozola', 10, 'happy_customer', 'happy customer on Chatwoot #482'),
    ])
    resolved = await StoredEvent.get(kind='resolved', agent_id=ana.id)
    assert resolved.occurred_at == datetime.fromtimestamp(1796033105.6421, UTC)  # Chatwoot's time, not arrival
    reply = await StoredEvent.get(kind='replied', agent_id=ana.id)
    assert reply.data['first_response_seconds'] == 83  # 09:58:40 → 10:00:02.871
    statuses = dict(await Delivery.all().values_list('event', 'status'))
    assert statuses['conversation_updated'] == 'duplicate'  # the second resolution delivery changed nothing
    conversation = await Conversation.get(external_id='482')
    assert conversation.status == 'resolved' and conversation.id not in services.inbox.open_items
    await assert_scores_match_projection(services)
    assert await differences(await replay()) == []


async def test_a_delivery_linked_by_email_scores_the_existing_agent(services: Services, chatwoot: NewConnection,
                                                                    clock: ManualClock, ana: AgentView) -> None:
    await Agent.filter(id=ana.id).update(username='ana.ozola@example.lv')
    for name in LIFE:
        assert (await post(services, chatwoot, name, clock=clock))[0] == 200
    assert {row[0] for row in await ledger()} == {ana.name}


async def test_an_agents_account_email_links_them_and_the_api_and_exports_name_the_helpdesk(
        services: Services, chatwoot: NewConnection, clock: ManualClock, ana: AgentView) -> None:
    await Agent.filter(id=ana.id).update(email='Ana.Ozola@example.lv')
    for name in LIFE:
        assert (await post(services, chatwoot, name, clock=clock))[0] == 200
    assert {row[0] for row in await ledger()} == {ana.name}
    identities = (await helpdesk_identities([ana.id]))[ana.id]
    assert [(i.helpdesk, i.external_id, i.email) for i in identities] == [('chatwoot', '14', 'ana.ozola@example.lv')]
    query = ExportQuery(first=date(2026, 11, 1), last=date(2026, 12, 31))
    rows = [row async for batch in conversation_rows(query) for row in batch]
    assert [(row['helpdesk'], row['ticket'], row['agent']) for row in rows if row['helpdesk'] != 'DeskQuest'] == [
        ('Chatwoot', '482', ana.name)]


async def test_bad_deliveries_are_refused_and_change_nothing(services: Services, chatwoot: NewConnection,
                                                             clock: ManualClock) -> None:
    token = chatwoot.connection.url_path.rsplit('/', 1)[1]
    body = chatwoot_body('conversation_created')
    good = chatwoot_headers(body, chatwoot.secret, clock=clock)
    before = await written()
    tampered = body.replace(b'482', b'483')
    assert (await services.connections.receive(token, good, tampered))[0] == 401
    assert (await services.connections.receive(token, {}, body))[0] == 401  # unsigned: this connection is signed
    stale = chatwoot_headers(body, chatwoot.secret, clock=ManualClock(datetime(2026, 11, 30, 10, 6, tzinfo=UTC)))
    status, message = await services.connections.receive(token, stale, body)
    assert (status, 'too old' in message) == (401, True)
    broken = b'{"event": "conversation_created",'
    status, message = await services.connections.receive(token, chatwoot_headers(broken, chatwoot.secret, clock=clock),
                                                         broken)
    assert status == 400 and 'not JSON' in message
    huge = b'{"event":"x","pad":"' + b'a' * (1024 * 1024) + b'"}'
    assert (await services.connections.receive(token, chatwoot_headers(huge, chatwoot.secret, clock=clock), huge))[0] \
        == 413
    assert (await services.connections.receive('nope', good, body))[0] == 404
    assert await written() == before
    # kept with their reasons (the stale one is the tampered one's delivery id: one row)
    assert sorted(await Delivery.all().values_list('status', flat=True)) == ['failed'] * 4
    unknown = json.dumps({'event': 'webwidget_triggered', 'id': 1}).encode()
    status, message = await services.connections.receive(token, chatwoot_headers(unknown, chatwoot.secret,
                                                                                  clock=clock), unknown)
    assert status == 200 and message.startswith('ignored')
    assert await written() == before


async def test_replays_and_repeated_facts_change_nothing(services: Services, chatwoot: NewConnection,
                                                         clock: ManualClock) -> None:
    for name in LIFE:
        await post(services, chatwoot, name, clock=clock, delivery=f'd-{name}')
    before = await written()
    for name in LIFE:  # the same delivery ids again (Chatwoot's retries)
        status, message = await post(services, chatwoot, name, clock=clock, delivery=f'd-{name}')
        assert status == 200 and 'already received' in message
    for name in LIFE:  # the same facts in new deliveries
        assert (await post(services, chatwoot, name, clock=clock, delivery=f'again-{name}'))[0] == 200
    assert await written() == before


async def test_a_rating_before_the_resolution_waits_for_it(services: Services, chatwoot: NewConnection,
                                                           clock: ManualClock) -> None:
    await post(services, chatwoot, 'conversation_created', clock=clock)
    status, message = await post(services, chatwoot, 'message_updated_csat', clock=clock)
    assert status == 200 and message.startswith('waiting')
    await post(services, chatwoot, 'conversation_status_changed_resolved', clock=clock)
    assert await Delivery.get(event='message_updated').values_list('status', flat=True) == 'applied'
    assert ('Ana Ozola', 10, 'happy_customer', 'happy customer on Chatwoot #482') in await ledger()


async def test_a_new_rating_replaces_the_earlier_one_and_says_so(services: Services, chatwoot: NewConnection,
                                                                 clock: ManualClock) -> None:
    for name in LIFE:
        await post(services, chatwoot, name, clock=clock)
    payload = json.loads((FIXTURES / 'chatwoot' / 'message_updated_csat.json').read_text())
    payload['content_attributes']['submitted_values']['csat_survey_response'] = {'rating': 1, 'feedback_message': 'No'}
    payload['conversation']['updated_at'] += 60
    body = rails_json(payload)
    token = chatwoot.connection.url_path.rsplit('/', 1)[1]
    assert (await services.connections.receive(token, chatwoot_headers(body, chatwoot.secret, clock=clock), body))[0] \
        == 200
    entries = await ledger()
    assert ('Ana Ozola', -10, 'dispute', "replaced by the customer's new rating: happy customer on Chatwoot #482 "
                                         'taken back') in entries
    assert ('Ana Ozola', -10, 'unhappy_customer',
            'unhappy customer on Chatwoot #482 (re-rated: replaces the earlier good rating)') in entries
    assert await differences(await replay()) == []


async def test_a_failed_delivery_is_replayed_by_a_lead(services: Services, chatwoot: NewConnection, lead: AgentView,
                                                       ana: AgentView, clock: ManualClock) -> None:
    token = chatwoot.connection.url_path.rsplit('/', 1)[1]
    body = chatwoot_body('conversation_created')
    wrong = chatwoot_headers(body, 'an old secret from before', clock=clock)
    assert (await services.connections.receive(token, wrong, body))[0] == 401
    failed = await Delivery.get(status='failed')
    with pytest.raises(ActionError, match='lead'):
        await services.connections.replay(ana, failed.id)
    with pytest.raises(ActionError, match='lead'):
        await services.connections.set_secret(ana, chatwoot.connection.id, 'an old secret from before')
    await services.connections.set_secret(lead, chatwoot.connection.id, 'an old secret from before')
    clock.set(AT.replace(minute=30))  # long after: the signature is checked as of its arrival
    status, message = await services.connections.replay(lead, failed.id)
    assert status == 200, message
    assert await Conversation.exists(external_id='482')
    assert (await services.connections.deliveries(lead, chatwoot.connection.id))[0].status == 'applied'


async def test_a_freshdesk_delivery_carries_its_secret(services: Services, lead: AgentView, clock: ManualClock) -> None:
    clock.set(AT)
    new = await services.connections.create(lead, 'freshdesk', 'Freshdesk main')
    token = new.connection.url_path.rsplit('/', 1)[1]
    body = (FIXTURES / 'freshdesk' / 'status_resolved.json').read_bytes()
    assert (await services.connections.receive(token, {}, body))[0] == 401
    basic = 'Basic ' + base64.b64encode(f'freshdesk:{new.secret}'.encode()).decode()
    status, message = await services.connections.receive(token, {'Authorization': basic}, body)
    assert status == 200, message
    conversation = await Conversation.get(external_id='1207')
    assert conversation.status == 'resolved'
    assert await StoredEvent.exists(kind='resolved', conversation_id=conversation.id)
    assert (await Agent.get(id=conversation.assignee_id)).display_name == 'Ana Ozola'


async def test_the_stored_secret_is_not_readable_in_clear(services: Services, chatwoot: NewConnection) -> None:
    from models import Connection
    row = await Connection.get(id=chatwoot.connection.id)
    assert chatwoot.secret not in row.secret_encrypted and chatwoot.secret not in row.secret_hash


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(LIFE))
async def test_deliveries_in_any_order_give_the_same_ledger(services: Services, lead: AgentView, clock: ManualClock,
                                                            order: list[str]) -> None:
    """Each example is a new connection (its own conversation #482 and its own agent 14) in the same database."""
    clock.set(AT)
    new = await services.connections.create(lead, 'chatwoot', 'Any order')
    for name in order:
        status, message = await post(services, new, name, clock=clock, delivery=f'{new.connection.id}-{name}')
        assert status == 200, message
    conversation = await Conversation.get(connection_id=new.connection.id)
    events = await StoredEvent.filter(conversation_id=conversation.id).values_list('id', flat=True)
    entries = sorted(await LedgerEntry.filter(event_id__in=events).values_list('points', 'kind', 'reason'))
    assert entries == sorted([(10, 'fast_resolution', 'fast resolution of Chatwoot #482'),
                              (5, 'on_time_resolution', 'on-time resolution of Chatwoot #482'),
                              (5, 'first_contact', 'first-contact resolution of Chatwoot #482'),
                              (10, 'happy_customer', 'happy customer on Chatwoot #482')]), order
    assert (conversation.status, conversation.rating) == ('resolved', 'good')
    assert not await Delivery.filter(connection_id=new.connection.id, status__in=['waiting', 'failed']).exists()
    await assert_scores_match_projection(services)


async def test_rebuild_check_is_clean_after_ingestion(services: Services, chatwoot: NewConnection,
                                                      clock: ManualClock, db_url: str) -> None:
    for name in reversed(LIFE):
        assert (await post(services, chatwoot, name, clock=clock))[0] == 200
    await services.stop()
    run = await run_main('rebuild', '--check', '--db-url', db_url)
    assert run.code == 0, run.output
    assert 'OK: the stored projections match the event log' in run.stdout
    await services.start()  # the fixture stops them again


async def test_a_zendesk_solved_ticket_scores_its_assignee(services: Services, lead: AgentView,
                                                           clock: ManualClock) -> None:
    clock.set(AT)
    new = await services.connections.create(lead, 'zendesk', 'Zendesk EU', secret='dGhpcyBpcyBhIHNlY3JldA==')
    token = new.connection.url_path.rsplit('/', 1)[1]
    body = (FIXTURES / 'zendesk' / 'ticket_status_changed_solved.json').read_bytes()
    timestamp = clock.now().strftime('%Y-%m-%dT%H:%M:%SZ')
    signature = base64.b64encode(hmac.new(new.secret.encode(), timestamp.encode() + body, hashlib.sha256).digest())
    headers = {'X-Zendesk-Webhook-Signature': signature.decode(), 'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
               'X-Zendesk-Webhook-Invocation-Id': 'inv-1'}
    status, message = await services.connections.receive(token, headers, body)
    assert status == 200, message
    assert await ledger() == sorted([
        ('Zendesk agent 8447388090494', 10, 'fast_resolution', 'fast resolution of Zendesk #35436'),
        ('Zendesk agent 8447388090494', 5, 'on_time_resolution', 'on-time resolution of Zendesk #35436'),
        ('Zendesk agent 8447388090494', 5, 'first_contact', 'first-contact resolution of Zendesk #35436'),
        # fair play (issue 18): the ticket waited 23 minutes in Zendesk before it was assigned
        ('Zendesk agent 8447388090494', 16, 'aging_bounty',
         'aging bounty for Zendesk #35436: taken after waiting 23 min'),
    ])
    headers['X-Zendesk-Webhook-Signature'] = base64.b64encode(b'0' * 32).decode()
    headers['X-Zendesk-Webhook-Invocation-Id'] = 'inv-2'
    assert (await services.connections.receive(token, headers, body))[0] == 401


async def test_concurrent_deliveries_share_a_commit_and_give_the_same_ledger(services: Services,
                                                                             chatwoot: NewConnection,
                                                                             clock: ManualClock) -> None:
    """Every delivery of the conversation's life, twice, all at once: the group commit applies each fact once."""
    assert services.connections.group_commit
    answers = await asyncio.gather(*(post(services, chatwoot, name, clock=clock, delivery=f'{copy}-{name}')
                                     for copy in ('a', 'b') for name in reversed(LIFE)))
    assert all(status == 200 for status, _ in answers), answers
    assert await ledger() == sorted([
        ('Ana Ozola', 10, 'fast_resolution', 'fast resolution of Chatwoot #482'),
        ('Ana Ozola', 5, 'on_time_resolution', 'on-time resolution of Chatwoot #482'),
        ('Ana Ozola', 5, 'first_contact', 'first-contact resolution of Chatwoot #482'),
        ('Ana Ozola', 10, 'happy_customer', 'happy customer on Chatwoot #482'),
    ])
    assert not await Delivery.filter(status__in=['waiting', 'failed', 'received']).exists()
    assert await Delivery.filter(status='duplicate').count() >= len(LIFE)  # every second copy at least
    await assert_scores_match_projection(services)
    assert await differences(await replay()) == []


async def test_an_old_chatwoot_is_accepted_unsigned_only_when_the_lead_chose_it(services: Services, lead: AgentView,
                                                                               clock: ManualClock) -> None:
    clock.set(AT)
    old = await services.connections.create(lead, 'chatwoot', 'Old Chatwoot', signed=False)
    assert not old.connection.signed
    token = old.connection.url_path.rsplit('/', 1)[1]
    status, message = await services.connections.receive(token, {}, chatwoot_body('conversation_created'))
    assert (status, message) == (200, 'applied')
    forged = chatwoot_headers(chatwoot_body('message_created_reply'), 'not the secret', clock=clock)
    assert (await services.connections.receive(token, forged, chatwoot_body('message_created_reply')))[0] == 401
    with pytest.raises(ActionError, match='Only old Chatwoot'):
        await services.connections.create(lead, 'zendesk', 'Unsigned Zendesk', signed=False)
    await services.connections.deactivate(lead, old.connection.id)
    assert (await services.connections.receive(token, {}, chatwoot_body('conversation_created')))[0] == 404


async def test_a_lead_merges_an_agent_a_helpdesk_named_into_an_existing_one(services: Services, chatwoot: NewConnection,
                                                                           lead: AgentView, ana: AgentView,
                                                                           clock: ManualClock) -> None:
    for name in LIFE:
        await post(services, chatwoot, name, clock=clock)
    made = await Agent.get(display_name='Ana Ozola', password_hash='!')
    before = services.game.projection.agents[ana.id].points if ana.id in services.game.projection.agents else 0
    with pytest.raises(ActionError, match='lead'):
        await services.connections.merge(ana, made.id, ana.id)
    with pytest.raises(ActionError, match='another active agent'):
        await services.connections.merge(lead, made.id, made.id)
    await services.connections.merge(lead, made.id, ana.id)
    assert services.game.projection.agents[ana.id].points == before + 30
    assert services.game.projection.agents[made.id].points == 0
    assert services.game.projection.agents[ana.id].positive_ratings >= 1
    entries = await LedgerEntry.filter(kind='merge').order_by('id').values_list('agent_id', 'points', 'reason')
    assert sorted(entries) == sorted([(made.id, -10, 'merged into Ana Ozola'), (ana.id, 10, 'merged from Ana Ozola'),
                                      (made.id, -5, 'merged into Ana Ozola'), (ana.id, 5, 'merged from Ana Ozola'),
                                      (made.id, -15, 'merged into Ana Ozola'), (ana.id, 15, 'merged from Ana Ozola')])
    assert made.id not in services.directory.agents and not (await Agent.get(id=made.id)).active
    with pytest.raises(ActionError, match='no login yet'):
        await services.connections.merge(lead, made.id, ana.id)  # once
    # the helpdesk's agent 14 is ana from now on: a new rating scores her
    payload = json.loads((FIXTURES / 'chatwoot' / 'message_updated_csat.json').read_text())
    payload['content_attributes']['submitted_values']['csat_survey_response'] = {'rating': 1, 'feedback_message': ''}
    payload['conversation']['updated_at'] += 60
    body = rails_json(payload)
    token = chatwoot.connection.url_path.rsplit('/', 1)[1]
    assert (await services.connections.receive(token, chatwoot_headers(body, chatwoot.secret, clock=clock), body))[0] \
        == 200
    assert await LedgerEntry.filter(agent_id=ana.id, kind='unhappy_customer').exists()
    reply = json.loads((FIXTURES / 'chatwoot' / 'message_created_reply.json').read_text())  # a new reply by agent 14:
    reply['id'] += 1000  # hers, though DeskQuest knew agent 14 as the made-up agent before the merge
    body = rails_json(reply)
    assert (await services.connections.receive(token, chatwoot_headers(body, chatwoot.secret, clock=clock), body))[0] \
        == 200
    assert await StoredEvent.filter(kind='replied', key__contains=str(reply['id'])).values_list('agent_id', flat=True) \
        == [ana.id]
    await assert_scores_match_projection(services)
    assert await differences(await replay()) == []


async def test_a_zendesk_trigger_delivery_resolves_and_rates(services: Services, lead: AgentView,
                                                             clock: ManualClock) -> None:
    clock.set(AT)
    new = await services.connections.create(lead, 'zendesk', 'Zendesk triggers', secret='dGhpcyBpcyBhIHNlY3JldA==')
    body = (FIXTURES / 'zendesk' / 'trigger_solved_rated.json').read_bytes()
    timestamp = clock.now().strftime('%Y-%m-%dT%H:%M:%SZ')
    signature = base64.b64encode(hmac.new(new.secret.encode(), timestamp.encode() + body, hashlib.sha256).digest())
    status, message = await services.connections.receive(
        new.connection.url_path.rsplit('/', 1)[1],
        {'X-Zendesk-Webhook-Signature': signature.decode(), 'X-Zendesk-Webhook-Signature-Timestamp': timestamp}, body)
    assert (status, message) == (200, 'applied')
    assert ('Bruno Dubois', 10, 'happy_customer', 'happy customer on Zendesk #35501') in await ledger()


async def test_a_delivery_that_fails_in_a_group_is_kept_as_failed_and_the_others_commit(
        services: Services, chatwoot: NewConnection, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    original = services.connections._apply

    async def failing(work, connection, reading, group=None):
        if any(fact.kind.value == 'replied' for fact in reading.facts):
            raise RuntimeError('a bug met by this delivery only')
        return await original(work, connection, reading, group)
    monkeypatch.setattr(services.connections, '_apply', failing)
    answers = await asyncio.gather(*(post(services, chatwoot, name, clock=clock) for name in
                                     ('conversation_created', 'message_created_reply', 'message_created_incoming')))
    assert [status for status, _ in answers] == [200, 500, 200], answers
    assert 'could not apply it (RuntimeError)' in answers[1][1]
    assert sorted(await Delivery.all().values_list('status', flat=True)) == ['applied', 'applied', 'failed']
    assert await StoredEvent.filter(kind='customer_message').count() == 1
    assert not await StoredEvent.filter(kind='replied').exists()
    await assert_scores_match_projection(services)


def freshdesk_body(event: str, *, status: str = 'Open') -> bytes:
    payload = json.loads((FIXTURES / 'freshdesk' / 'status_resolved.json').read_text())
    payload['status'], payload['triggered_event'] = status, event
    return json.dumps(payload).encode()


async def test_a_retried_freshdesk_reply_counts_once_within_the_window(services: Services, lead: AgentView,
                                                                         clock: ManualClock) -> None:
    """Freshdesk sends no delivery id and no time: the same body again for the ticket within the window is a retry."""
    from datetime import timedelta

    from services.helpdesk.connections import FRESHDESK_RETRY_WINDOW
    clock.set(AT)
    new = await services.connections.create(lead, 'freshdesk', 'Freshdesk retries')
    token = new.connection.url_path.rsplit('/', 1)[1]
    headers = {'X-DeskQuest-Secret': new.secret}
    assert (await services.connections.receive(token, headers, freshdesk_body('{ticket_action:created}')))[0] == 200
    reply = freshdesk_body('{reply_sent:sent}')
    clock.advance(timedelta(minutes=2))
    assert (await services.connections.receive(token, headers, reply))[0] == 200
    conversation = await Conversation.get(connection_id=new.connection.id)
    assert await StoredEvent.filter(kind='replied', conversation_id=conversation.id).count() == 1
    clock.advance(timedelta(minutes=5))  # Freshdesk's first retry, had our answer not reached it
    status, message = await services.connections.receive(token, headers, reply)
    assert (status, 'retry' in message) == (200, True), message
    assert await StoredEvent.filter(kind='replied', conversation_id=conversation.id).count() == 1
    assert await Delivery.filter(connection_id=new.connection.id).count() == 2  # the retry changed nothing
    clock.advance(FRESHDESK_RETRY_WINDOW)  # long after: the same body is a new reply
    assert (await services.connections.receive(token, headers, reply))[0] == 200
    assert await StoredEvent.filter(kind='replied', conversation_id=conversation.id).count() == 2
    await assert_scores_match_projection(services)


async def test_a_made_up_agent_is_merged_into_the_agent_a_later_email_names(
        services: Services, chatwoot: NewConnection, clock: ManualClock, ana: AgentView) -> None:
    """Chatwoot's assignee carries no e-mail: Ana is made up for agent 14 and earns a resolution; the reply's sender
    then carries the e-mail of an existing agent, so the made-up one is merged into her, points and all."""
    from models import HelpdeskIdentity
    await Agent.filter(id=ana.id).update(email='Ana.Ozola@example.lv')
    before = services.game.projection.agents[ana.id].points if ana.id in services.game.projection.agents else 0
    for name in ('conversation_created', 'message_created_incoming', 'conversation_status_changed_resolved'):
        assert (await post(services, chatwoot, name, clock=clock))[0] == 200
    made = await Agent.get(display_name='Ana Ozola', password_hash='!')
    assert services.game.projection.agents[made.id].points == 20
    for name in ('message_created_reply', 'message_updated_csat'):
        assert (await post(services, chatwoot, name, clock=clock))[0] == 200
    merged = await StoredEvent.get(kind='agent_merged')
    assert (merged.agent_id, merged.data['from_agent_id'], merged.data['by']) == (ana.id, made.id, None)
    identity = await HelpdeskIdentity.get(connection_id=chatwoot.connection.id, external_id='14')
    assert (identity.agent_id, identity.email, identity.created_agent) == (ana.id, 'ana.ozola@example.lv', False)
    assert not (await Agent.get(id=made.id)).active and made.id not in services.directory.agents
    assert services.game.projection.agents[made.id].points == 0
    assert services.game.projection.agents[ana.id].points == before + 30  # 20 moved, then the happy customer's 10
    assert await LedgerEntry.filter(agent_id=ana.id, kind='happy_customer').exists()
    await assert_scores_match_projection(services)
    assert await differences(await replay()) == []


async def test_an_email_matching_nobody_is_recorded_on_the_identity(services: Services, chatwoot: NewConnection,
                                                                    clock: ManualClock) -> None:
    from models import HelpdeskIdentity
    for name in ('conversation_created', 'message_created_incoming', 'message_created_reply'):
        assert (await post(services, chatwoot, name, clock=clock))[0] == 200
    identity = await HelpdeskIdentity.get(connection_id=chatwoot.connection.id, external_id='14')
    made = await Agent.get(id=identity.agent_id)
    assert (made.password_hash, made.active, identity.email) == ('!', True, 'ana.ozola@example.lv')
    assert not await StoredEvent.exists(kind='agent_merged')


@pytest.fixture
def group_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every group commit that read its deliveries together (a group that failed is run again alone)."""
    from services.helpdesk import connections
    sizes: list[int] = []
    original = connections._Group.read

    async def read(jobs):
        sizes.append(len(jobs))
        return await original(jobs)
    monkeypatch.setattr(connections._Group, 'read', staticmethod(read))
    return sizes


async def test_one_group_with_a_repeated_id_a_retry_and_the_same_fact_twice_counts_each_once(
        services: Services, chatwoot: NewConnection, clock: ManualClock, group_sizes: list[int]) -> None:
    """In one group commit: a delivery already committed sent again, one id twice, one fact in two deliveries."""
    assert await post(services, chatwoot, 'conversation_created', clock=clock, delivery='created') == (200, 'applied')
    sends = [('conversation_created', 'created'), ('message_created_incoming', 'in'),
             ('message_created_incoming', 'in'), ('conversation_status_changed_resolved', 'status'),
             ('conversation_updated_resolved', 'updated'), ('message_created_reply', 'reply')]
    answers = await asyncio.gather(*(post(services, chatwoot, name, clock=clock, delivery=delivery)
                                     for name, delivery in sends))
    assert group_sizes[1:] == [len(sends)], group_sizes  # all of them in one group
    assert answers[0] == (200, 'Delivery created was already received (applied).')
    assert sorted(answers[1:3]) == [(200, 'Delivery in was already received (applied).'), (200, 'applied')]
    assert all(status == 200 for status, _ in answers), answers
    statuses = dict(await Delivery.all().values_list('delivery_id', 'status'))
    assert statuses == {'created': 'applied', 'in': 'applied', 'status': 'applied', 'updated': 'duplicate',
                        'reply': 'applied'}
    assert await StoredEvent.filter(kind='customer_message').count() == 1
    assert await StoredEvent.filter(kind='resolved').count() == 1
    assert await Conversation.filter(connection_id=chatwoot.connection.id).count() == 1
    await assert_scores_match_projection(services)
    assert await differences(await replay()) == []


async def test_a_freshdesk_retry_in_the_same_group_counts_once(services: Services, lead: AgentView,
                                                                clock: ManualClock, group_sizes: list[int]) -> None:
    """Freshdesk's byte-identical retry arriving in the same group commit as the delivery it repeats."""
    clock.set(AT)
    new = await services.connections.create(lead, 'freshdesk', 'Freshdesk group')
    token = new.connection.url_path.rsplit('/', 1)[1]
    headers = {'X-DeskQuest-Secret': new.secret}
    assert (await services.connections.receive(token, headers, freshdesk_body('{ticket_action:created}')))[0] == 200
    reply = freshdesk_body('{reply_sent:sent}')
    answers = await asyncio.gather(*(services.connections.receive(token, headers, reply) for _ in range(2)))
    assert group_sizes[1:] == [2], group_sizes
    assert answers[0] == (200, 'applied') and answers[1][1].startswith('A retry of delivery'), answers
    assert await StoredEvent.filter(kind='replied').count() == 1
    assert await Delivery.filter(connection_id=new.connection.id).count() == 2
    await assert_scores_match_projection(services)
