"""The REST API v1 (issue 14) on a real database: tokens and their scopes, revocation, the rate limit, the cursors, the
reads, and POST /api/v1/events with its Idempotency-Key and its 422s."""
import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta, timezone

import httpx
import pytest
from fastapi import FastAPI

from models import ApiToken, Customer, StoredEvent
from services.container import Services, build
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.game.rebuild import differences, replay
from services.helpdesk.api_events import ExternalFact, FactType
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator
from tests.conftest import settings_for_test
from tests.integration.support import written
from ui.api import mount


@pytest.fixture
async def http(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The API mounted at /api as main.py mounts it, called in-process."""
    app = FastAPI()
    mount(app, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test') as client:
        yield client


async def token(services: Services, lead: AgentView, scope: str = 'read') -> str:
    return (await services.api_tokens.create(lead, name=f'{scope} script', scope=scope)).token


@pytest.fixture
async def worked(services: Services, simulator: Simulator, clock: ManualClock) -> Services:
    """The demo floor after two simulated hours of work: points, ledgers, boards and a long log."""
    await simulator.run_until(clock.now() + timedelta(hours=2))
    return services


def bearer(value: str) -> dict[str, str]:
    return {'Authorization': f'Bearer {value}'}


async def test_a_token_is_shown_once_stored_hashed_and_recorded_with_the_lead(services: Services,
                                                                              lead: AgentView) -> None:
    created = await services.api_tokens.create(lead, name='Nightly report', scope='read')
    assert created.token.startswith('dq_') and len(created.token) > 40
    row = await ApiToken.get(id=created.view.id)
    assert created.token not in (row.token_hash, row.prefix) and created.token.startswith(row.prefix)
    assert len(row.token_hash) == 64
    event = await StoredEvent.filter(kind=EventKind.API_TOKEN_CREATED.value).get()
    assert event.agent_id == lead.id and event.data['name'] == 'Nightly report' and created.token not in str(event.data)
    listed, = await services.api_tokens.tokens()
    assert (listed.name, listed.scope.value, listed.created_by, listed.active) == ('Nightly report', 'read',
                                                                                   lead.name, True)


async def test_only_a_lead_creates_or_revokes_and_bad_input_changes_nothing(services: Services, ana: AgentView,
                                                                            lead: AgentView) -> None:
    before = await written()
    for call, refusal in ((services.api_tokens.create(ana, name='Mine', scope='write'), 'Only a lead'),
                          (services.api_tokens.create(lead, name='  ', scope='read'), 'Give the token a name'),
                          (services.api_tokens.create(lead, name='X', scope='admin'), 'read or write'),
                          (services.api_tokens.create(lead, name='Bad\x00name', scope='read'), 'may not hold'),
                          (services.api_tokens.revoke(lead, 999), 'no API token #999')):
        with pytest.raises(ActionError, match=refusal):
            await call
    assert await written() == before and await ApiToken.all().count() == 0


async def test_the_api_wants_a_live_bearer_token_and_ignores_the_session_cookie(
        services: Services, http: httpx.AsyncClient, lead: AgentView) -> None:
    assert (await http.get('/api/v1/agents')).status_code == 401
    http.cookies.set('session', 'a logged-in browser')
    refused = await http.get('/api/v1/agents')
    assert refused.status_code == 401 and refused.headers['www-authenticate'] == 'Bearer'
    assert (await http.get('/api/v1/agents', headers=bearer('dq_made-up'))).status_code == 401
    assert (await http.get('/api/v1/agents', headers={'Authorization': 'Basic bGVhZDpkZW1v'})).status_code == 401
    value = await token(services, lead)
    assert (await http.get('/api/v1/agents', headers=bearer(value))).status_code == 200
    listed, = await services.api_tokens.tokens()
    assert listed.last_used_at == services.clock.now()
    await services.api_tokens.revoke(lead, listed.id)
    revoked = await http.get('/api/v1/agents', headers=bearer(value))
    assert revoked.status_code == 401 and 'revoked' in revoked.json()['detail']
    with pytest.raises(ActionError, match='already revoked'):
        await services.api_tokens.revoke(lead, listed.id)
    assert await StoredEvent.filter(kind=EventKind.API_TOKEN_REVOKED.value, agent_id=lead.id).count() == 1


async def test_a_read_token_cannot_post_and_a_write_token_can_read(services: Services, http: httpx.AsyncClient,
                                                                  lead: AgentView) -> None:
    read, write = await token(services, lead, 'read'), await token(services, lead, 'write')
    fact = {'type': 'conversation.created', 'source': 'acme', 'ticket': 'T-1', 'customer': {'name': 'Zoe'},
            'body': 'Hello'}
    refused = await http.post('/api/v1/events', json=fact, headers=bearer(read))
    assert refused.status_code == 403 and 'may only read' in refused.json()['detail']
    assert (await http.get('/api/v1/events', headers=bearer(write))).status_code == 200


async def test_over_the_rate_limit_the_api_answers_429_with_retry_after(services: Services, http: httpx.AsyncClient,
                                                                       lead: AgentView) -> None:
    services.api_tokens.limit = type(services.api_tokens.limit)(3)  # three a minute, for the test
    first, second = await token(services, lead), await token(services, lead)
    for _ in range(3):
        assert (await http.get('/api/v1/quests', headers=bearer(first))).status_code == 200
    limited = await http.get('/api/v1/quests', headers=bearer(first))
    assert limited.status_code == 429 and 1 <= int(limited.headers['retry-after']) <= 60
    assert 'Too many requests' in limited.json()['detail']
    assert (await http.get('/api/v1/quests', headers=bearer(second))).status_code == 200  # per token
    configured = build(settings_for_test(services.settings.db_url, api_requests_per_minute=7), clock=services.clock)
    assert configured.api_tokens.limit.amount == 7  # the setting reaches the limiter


async def test_agents_list_levels_points_by_domain_badges_and_identities(worked: Services, http: httpx.AsyncClient,
                                                                        lead: AgentView) -> None:
    headers = bearer(await token(worked, lead))
    agents = {agent['id']: agent for agent in (await http.get('/api/v1/agents', headers=headers)).json()}
    assert set(agents) == set(worked.directory.agents)
    metrics = max(worked.game.projection.agents.values(), key=lambda m: m.points)
    assert metrics.points > 0  # two hours of the demo floor's work scored
    busiest = worked.directory.agent(metrics.agent_id)
    assert busiest is not None
    assert agents[busiest.id] == {
        'id': busiest.id, 'username': busiest.username, 'name': busiest.name,
        'email': f'{busiest.username}@deskquest.example', 'role': 'agent',
        'team_id': busiest.team_id, 'team': busiest.team_name, 'level': metrics.level,
        'level_title': agents[busiest.id]['level_title'], 'points': metrics.points, 'resolved': metrics.resolved,
        'helpdesk_identities': [], 'badges': [d.key for d in worked.badges.held_by(busiest.id)
                                              if worked.badges.visible(d, busiest.id, None)],
        'points_by_domain': {'quality': metrics.quality, 'speed': metrics.speed, 'productivity': metrics.productivity}}
    one = await http.get(f'/api/v1/agents/{busiest.id}', headers=headers)
    assert one.json() == agents[busiest.id]
    assert (await http.get('/api/v1/agents/99999', headers=headers)).status_code == 404


async def test_the_event_log_and_a_ledger_are_cursors(worked: Services, http: httpx.AsyncClient,
                                                      lead: AgentView) -> None:
    headers = bearer(await token(worked, lead))
    total = await StoredEvent.all().count()
    seen: list[int] = []
    after = 0
    while True:
        page = (await http.get('/api/v1/events', params={'after': after, 'limit': 7}, headers=headers)).json()
        seen += [event['id'] for event in page['events']]
        after = page['next']
        if not page['more']:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == total
    tail = (await http.get('/api/v1/events', params={'after': after}, headers=headers)).json()
    assert tail == {'events': [], 'next': after, 'more': False}  # nothing new: follow the same cursor later
    assert (await http.get('/api/v1/events', params={'limit': 1001}, headers=headers)).status_code == 422

    busiest = max(worked.game.projection.agents.values(), key=lambda m: m.points).agent_id
    first = (await http.get(f'/api/v1/agents/{busiest}/ledger', params={'limit': 2}, headers=headers)).json()
    second = (await http.get(f'/api/v1/agents/{busiest}/ledger', params={'after': first['next'], 'limit': 2},
                             headers=headers)).json()
    entries = first['entries'] + second['entries']
    assert len(entries) == 4 and [e['id'] for e in entries] == sorted(e['id'] for e in entries)
    assert all(e['receipt'] == f"{e['points']:+d} {e['reason']}" for e in entries)
    why = (await http.get(f"/api/v1/agents/{busiest}/ledger/{entries[0]['id']}/receipt", headers=headers)).json()
    assert why['title'] == entries[0]['receipt'] and why['facts']
    assert [line for line in why['events'] if line['scored']][-1]['conversation_id'] == entries[0]['conversation_id']
    other = next(agent_id for agent_id in worked.directory.agents if agent_id != busiest)
    assert (await http.get(f"/api/v1/agents/{other}/ledger/{entries[0]['id']}/receipt", headers=headers)) \
        .status_code == 404  # an entry is read only under its own agent


async def test_leaderboards_by_period_and_scope(worked: Services, http: httpx.AsyncClient, lead: AgentView,
                                               ana: AgentView) -> None:
    headers = bearer(await token(worked, lead))
    snapshot = worked.leaderboard.snapshot()
    floor = (await http.get('/api/v1/leaderboards', params={'period': 'all'}, headers=headers)).json()
    assert [row['id'] for row in floor['rows']] == [row.agent_id for row in snapshot.agents['all']]
    teams = (await http.get('/api/v1/leaderboards', params={'period': 'week', 'scope': 'teams'},
                            headers=headers)).json()
    assert [row['id'] for row in teams['rows']] == [row.team_id for row in snapshot.teams['week']]
    team = (await http.get('/api/v1/leaderboards', params={'period': 'all', 'scope': 'team', 'team_id': ana.team_id},
                           headers=headers)).json()
    assert ana.id in [row['id'] for row in team['rows']] and {row['team'] for row in team['rows']} == {ana.team_name}
    missing = await http.get('/api/v1/leaderboards', params={'scope': 'team'}, headers=headers)
    assert missing.status_code == 422 and missing.json()['detail'][0]['loc'] == ['query', 'team_id']
    assert (await http.get('/api/v1/leaderboards', params={'period': 'year'}, headers=headers)).status_code == 422


async def test_a_ticket_from_another_helpdesk_scores_like_the_inbox(services: Services, http: httpx.AsyncClient,
                                                                   lead: AgentView, ana: AgentView,
                                                                   clock: ManualClock) -> None:
    headers = bearer(await token(services, lead, 'write'))

    async def post(fact: dict, key: str | None = None) -> httpx.Response:
        return await http.post('/api/v1/events', json={'source': 'acme-desk', 'ticket': 'T-42', **fact},
                               headers=headers | ({'Idempotency-Key': key} if key else {}))

    created = await post({'type': 'conversation.created', 'channel': 'chat', 'subject': 'Refund',
                          'customer': {'name': 'Zoe Example', 'email': 'zoe@example.com'}, 'body': 'Where is it?'})
    assert created.status_code == 200, created.text
    conversation_id = created.json()['conversation_id']
    again = await post({'type': 'conversation.created', 'channel': 'chat', 'subject': 'Refund',
                        'customer': {'name': 'Zoe Example', 'email': 'zoe@example.com'}, 'body': 'Where is it?'})
    assert again.json()['conversation_id'] == conversation_id  # the same ticket: one conversation
    replied = await post({'type': 'conversation.replied', 'agent': {'id': ana.id}, 'body': 'On its way!'}, 'r-1')
    assert replied.status_code == 200, replied.text
    clock.advance(timedelta(minutes=1))
    resolved = await post({'type': 'conversation.resolved', 'agent': {'email': 'ANA@deskquest.example'}}, 'res-1')
    assert resolved.status_code == 200, resolved.text
    rated = await post({'type': 'conversation.rated', 'rating': 'good', 'comment': 'Thanks'}, 'rate-1')
    assert rated.status_code == 200, rated.text
    assert services.game.projection.agents[ana.id].points > 0
    receipts = (await http.get(f'/api/v1/agents/{ana.id}/ledger', headers=headers)).json()['entries']
    assert receipts and {entry['conversation_id'] for entry in receipts} == {conversation_id}
    assert any(f'#{conversation_id}' in entry['receipt'] for entry in receipts)
    kinds = await StoredEvent.filter(conversation_id=conversation_id).order_by('id').values_list('kind', flat=True)
    assert kinds == ['conversation_created', 'assigned', 'replied', 'resolved', 'rated']

    before = await written()  # the same key and body again: the same answer, and nothing happens
    replay = await post({'type': 'conversation.rated', 'rating': 'good', 'comment': 'Thanks'}, 'rate-1')
    assert (replay.status_code, replay.json()) == (200, rated.json())
    assert replay.headers['idempotent-replayed'] == 'true'
    reused = await post({'type': 'conversation.rated', 'rating': 'bad'}, 'rate-1')
    assert reused.status_code == 422 and reused.json()['detail'][0]['loc'] == ['header', 'idempotency-key']
    twice = await post({'type': 'conversation.rated', 'rating': 'bad'}, 'rate-2')
    assert twice.status_code == 409 and 'already rated' in twice.json()['detail']
    assert await written() == before


async def test_bad_facts_get_422_naming_the_fields_and_change_nothing(services: Services, http: httpx.AsyncClient,
                                                                      lead: AgentView) -> None:
    headers = bearer(await token(services, lead, 'write'))
    before = await written()
    cases = [
        ({'type': 'conversation.replied', 'source': 'acme', 'ticket': 'nope', 'agent': {'id': 1}, 'body': 'Hi'},
         ['body', 'ticket']),
        ({'type': 'conversation.created', 'source': 'acme', 'ticket': 'T-1', 'body': 'Hi'},
         ['body', 'conversation.created', 'customer']),
        ({'type': 'conversation.created', 'source': 'acme', 'ticket': 'T 1', 'customer': {'name': 'Z'}, 'body': 'Hi'},
         ['body', 'conversation.created', 'ticket']),
        ({'type': 'conversation.exploded', 'source': 'acme', 'ticket': 'T-1'}, ['body']),
        ({'type': 'conversation.rated', 'source': 'acme', 'ticket': 'T-1', 'rating': 'superb'},
         ['body', 'conversation.rated', 'rating']),
    ]
    for fact, loc in cases:
        answer = await http.post('/api/v1/events', json=fact, headers=headers)
        assert answer.status_code == 422, (fact, answer.text)
        assert any(problem['loc'][:len(loc)] == loc for problem in answer.json()['detail']), (loc, answer.json())
    created = await http.post('/api/v1/events', headers=headers, json={
        'type': 'conversation.created', 'source': 'acme', 'ticket': 'T-9', 'customer': {'name': 'Zoe'}, 'body': 'Hi'})
    assert created.status_code == 200
    unknown_agent = await http.post('/api/v1/events', headers=headers, json={
        'type': 'conversation.replied', 'source': 'acme', 'ticket': 'T-9', 'agent': {'email': 'who@nowhere'},
        'body': 'Hi'})
    assert unknown_agent.status_code == 422 and unknown_agent.json()['detail'][0]['loc'] == ['body', 'agent']
    hostile = await http.post('/api/v1/events', headers=headers, json={
        'type': 'conversation.created', 'source': 'acme', 'ticket': 'T-10', 'customer': {'name': 'Zoe\u0000'},
        'body': 'Hi'})
    assert hostile.status_code == 422 and hostile.json()['detail'][0]['loc'] == ['body', 'customer']
    customers = await Customer.all().count()
    refused = await http.post('/api/v1/events', headers=headers, json={
        'type': 'conversation.created', 'source': 'acme', 'ticket': 'T-11', 'customer': {'name': 'New Person'},
        'body': 'Bell\u0007'})
    assert refused.status_code == 422 and refused.json()['detail'][0]['loc'] == ['body', 'body']
    assert 'may not hold' in refused.json()['detail'][0]['msg']
    assert await Customer.all().count() == customers
    assert (await written()).events == before.events + 1  # only the creation


async def test_a_customer_made_for_a_refused_ticket_is_undone_with_it(services: Services) -> None:
    """The API's schema lets no unknown priority through; called directly, the inbox refuses it in the same
    transaction as the new customer."""
    customers = await Customer.all().count()
    with pytest.raises(ActionError, match='Unknown priority'):
        await services.external_events.apply(ExternalFact(
            type=FactType.CREATED, source='acme', ticket='T-1', customer_name='Nobody Yet', body='Hi',
            priority='bogus'))
    assert await Customer.all().count() == customers


async def test_the_same_key_sent_twice_at_once_has_one_effect(services: Services, http: httpx.AsyncClient,
                                                              lead: AgentView, ana: AgentView) -> None:
    headers = bearer(await token(services, lead, 'write'))
    created = await http.post('/api/v1/events', headers=headers, json={
        'type': 'conversation.created', 'source': 'acme', 'ticket': 'T-7', 'customer': {'name': 'Zoe'}, 'body': 'Hi'})
    reply = {'type': 'conversation.replied', 'source': 'acme', 'ticket': 'T-7', 'agent': {'id': ana.id},
             'body': 'Hello Zoe'}
    first, second = await asyncio.gather(*(http.post('/api/v1/events', json=reply,
                                                     headers=headers | {'Idempotency-Key': 'reply-once'})
                                           for _ in range(2)))
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    conversation_id = created.json()['conversation_id']
    assert await StoredEvent.filter(conversation_id=conversation_id, kind=EventKind.REPLIED.value).count() == 1
    assert services.api_tokens._in_flight == {}  # nothing kept once both are answered


async def test_a_fact_is_timed_at_its_own_time_within_bounds_and_in_order(services: Services, http: httpx.AsyncClient,
                                                                          lead: AgentView, ana: AgentView,
                                                                          clock: ManualClock) -> None:
    headers = bearer(await token(services, lead, 'write'))

    async def post(fact: dict) -> httpx.Response:
        return await http.post('/api/v1/events', json={'source': 'acme-desk', 'ticket': 'T-77', **fact},
                               headers=headers)

    now = clock.now()
    created_at = now - timedelta(hours=3)
    created = await post({'type': 'conversation.created', 'customer': {'name': 'Zoe'}, 'body': 'Hi',
                          'at': created_at.isoformat()})
    assert created.status_code == 200, created.text
    conversation_id = created.json()['conversation_id']
    reply_at = (created_at + timedelta(minutes=4)).astimezone(timezone(timedelta(hours=2)))  # any time zone
    replied = await post({'type': 'conversation.replied', 'agent': {'id': ana.id}, 'body': 'On it',
                          'at': reply_at.isoformat()})
    assert replied.status_code == 200, replied.text
    before = await written()
    refusals = [
        ({'type': 'conversation.resolved', 'agent': {'id': ana.id}, 'at': (now + timedelta(hours=1)).isoformat()},
         'in the future'),
        ({'type': 'conversation.resolved', 'agent': {'id': ana.id}, 'at': (now - timedelta(days=8)).isoformat()},
         'more than 7 days ago'),
        ({'type': 'conversation.resolved', 'agent': {'id': ana.id}, 'at': created_at.isoformat()}, 'time order'),
        ({'type': 'conversation.resolved', 'agent': {'id': ana.id}, 'at': '2026-11-30T10:05:00'}, 'timezone'),
    ]
    for fact, why in refusals:
        answer = await post(fact)
        assert answer.status_code == 422, (fact, answer.text)
        problem = answer.json()['detail'][0]
        assert problem['loc'][-1] == 'at' and why in problem['msg'].lower(), problem
    assert await written() == before
    resolved_at = created_at + timedelta(minutes=30)
    resolved = await post({'type': 'conversation.resolved', 'agent': {'id': ana.id},
                           'at': resolved_at.isoformat()})
    assert resolved.status_code == 200, resolved.text
    skewed = await post({'type': 'conversation.rated', 'rating': 'good',
                         'at': (now + timedelta(seconds=30)).isoformat()})
    assert skewed.status_code == 200, skewed.text  # within the skew: timed now
    times = dict(await StoredEvent.filter(conversation_id=conversation_id).values_list('kind', 'occurred_at'))
    assert times['conversation_created'] == created_at and times['resolved'] == resolved_at
    assert times['replied'] == reply_at and times['assigned'] == reply_at and times['rated'] == now
    reply = await StoredEvent.get(conversation_id=conversation_id, kind='replied')
    assert reply.data['first_response_seconds'] == 240
    assert await differences(await replay()) == []
    schema = (await http.get('/api/v1/openapi.json')).json()['components']['schemas']
    assert schema['Resolved']['properties']['at']['anyOf'][0]['format'] == 'date-time'
