"""Reading the helpdesks' deliveries (issue 14): signatures over the raw bytes, payloads into facts, the traps."""
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.domain.connectors import chatwoot, freshdesk, zendesk
from services.domain.connectors.facts import FactKind, Status, Unreadable
from services.domain.connectors.signatures import (
    Refused,
    check_chatwoot,
    check_shared_secret,
    check_shared_secret_digest,
    check_zendesk,
    secret_digest,
)
from services.domain.events import Channel, Rating

FIXTURES = Path(__file__).parent.parent / 'fixtures' / 'webhooks'
SECRET = 'whsec_7Hq2vN4pLm9Xc3Rt'
NOW = datetime(2026, 11, 30, 10, 0, 5, tzinfo=UTC)


def chatwoot_payload(name: str) -> dict:
    return json.loads((FIXTURES / 'chatwoot' / f'{name}.json').read_text())


def rails_json(payload: dict) -> bytes:
    """The bytes Chatwoot sends: Rails' to_json escapes <, > and & (and keeps other characters as they are)."""
    return (json.dumps(payload, ensure_ascii=False, separators=(',', ':'))
            .replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026').encode())


def chatwoot_signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    return 'sha256=' + hmac.new(secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()


# signatures

def test_a_chatwoot_signature_is_checked_over_the_raw_bytes() -> None:
    body = rails_json(chatwoot_payload('message_created_reply'))
    assert b'\\u003cb\\u003e' in body  # the reply's <b> as Rails sends it
    timestamp = str(int(NOW.timestamp()))
    check_chatwoot(SECRET, body, signature=chatwoot_signature(body, timestamp), timestamp=timestamp, now=NOW)
    reserialised = json.dumps(json.loads(body)).encode()  # what a framework hands over after parsing: other bytes
    with pytest.raises(Refused, match='does not match'):
        check_chatwoot(SECRET, reserialised, signature=chatwoot_signature(body, timestamp), timestamp=timestamp,
                       now=NOW)


@pytest.mark.parametrize(('change', 'message'), [
    ({'secret': 'another secret'}, 'does not match'),
    ({'body': b'{"event":"message_created","id":2}'}, 'does not match'),
    ({'signature': None}, 'not signed'),
    ({'timestamp': None}, 'not signed'),
    ({'timestamp': 'yesterday'}, 'not a Unix time'),
    ({'now': NOW + timedelta(minutes=5, seconds=1)}, 'too old'),
    ({'now': NOW - timedelta(minutes=6)}, 'in the future'),
])
def test_a_tampered_or_stale_chatwoot_delivery_is_refused(change: dict, message: str) -> None:
    body = rails_json(chatwoot_payload('conversation_created'))
    timestamp = str(int(NOW.timestamp()))
    arguments = {'secret': SECRET, 'body': body, 'signature': chatwoot_signature(body, timestamp),
                 'timestamp': timestamp, 'now': NOW} | change
    with pytest.raises(Refused, match=message) as refused:
        check_chatwoot(arguments.pop('secret'), arguments.pop('body'), **arguments)
    assert refused.value.status == 401


def test_a_delivery_signed_five_minutes_ago_still_counts() -> None:
    body = b'{"event":"conversation_created"}'
    timestamp = str(int(NOW.timestamp()))
    check_chatwoot(SECRET, body, signature=chatwoot_signature(body, timestamp), timestamp=timestamp,
                   now=NOW + timedelta(minutes=5))


def zendesk_signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()).decode()


def test_a_zendesk_signature_is_base64_over_timestamp_and_body_with_no_separator() -> None:
    body = b'{"type":"zen:event-type:ticket.status_changed","detail":{"id":"35436"}}'
    timestamp = '2026-11-30T10:00:03Z'
    check_zendesk(SECRET, body, signature=zendesk_signature(body, timestamp), timestamp=timestamp, now=NOW)
    dotted = base64.b64encode(hmac.new(SECRET.encode(), f'{timestamp}.'.encode() + body, hashlib.sha256).digest())
    with pytest.raises(Refused, match='does not match'):  # Chatwoot's scheme (with a dot) is not Zendesk's
        check_zendesk(SECRET, body, signature=dotted.decode(), timestamp=timestamp, now=NOW)
    with pytest.raises(Refused, match='not base64'):
        check_zendesk(SECRET, body, signature='%%%', timestamp=timestamp, now=NOW)
    with pytest.raises(Refused, match='too old'):
        check_zendesk(SECRET, body, signature=zendesk_signature(body, '2026-11-30T09:50:00Z'),
                      timestamp='2026-11-30T09:50:00Z', now=NOW)


def test_freshdesk_sends_the_secret_by_basic_authentication_or_a_header() -> None:
    basic = 'Basic ' + base64.b64encode(f'freshdesk:{SECRET}'.encode()).decode()
    check_shared_secret(SECRET, authorization=basic, header=None)
    check_shared_secret(SECRET, authorization=None, header=SECRET)
    wrong = 'Basic ' + base64.b64encode(b'freshdesk:guess').decode()
    with pytest.raises(Refused, match='does not match'):
        check_shared_secret(SECRET, authorization=wrong, header=None)
    with pytest.raises(Refused, match='carries no secret'):
        check_shared_secret(SECRET, authorization='Bearer abc', header=None)
    with pytest.raises(Refused, match='not valid Basic'):
        check_shared_secret(SECRET, authorization='Basic ***', header=None)


# Chatwoot payloads

def test_a_new_chatwoot_conversation_is_opened_with_its_channel_customer_and_time() -> None:
    reading = chatwoot.read(chatwoot_payload('conversation_created'))
    opened, status, assigned = reading.facts
    assert (opened.kind, opened.ticket, opened.channel, opened.customer) == (FactKind.OPENED, '482', Channel.CHAT,
                                                                             'Ilze Bērziņa')
    assert opened.at == datetime(2026, 11, 30, 9, 58, 40, tzinfo=UTC)  # Chatwoot's own time, not the arrival's
    assert (status.kind, status.status) == (FactKind.STATUS, Status.OPEN)
    assert (assigned.kind, assigned.agent) == (FactKind.ASSIGNED, None)
    assert reading.ignored is None


def test_an_agents_reply_carries_the_agent_with_their_email_for_the_link() -> None:
    reading = chatwoot.read(chatwoot_payload('message_created_reply'))
    opened, reply = reading.facts
    assert opened.kind == FactKind.OPENED and opened.ticket == reply.ticket == '482'
    assert reply.kind == FactKind.REPLIED and reply.key == 'message:77131'
    assert (reply.agent.external_id, reply.agent.name, reply.agent.email) == ('14', 'Ana Ozola', 'ana.ozola@example.lv')
    assert reply.at == datetime(2026, 11, 30, 10, 0, 2, 871000, tzinfo=UTC)


def test_a_private_note_is_a_note_not_a_reply() -> None:
    note = chatwoot.read(chatwoot_payload('message_created_private_note')).facts[-1]
    assert note.kind == FactKind.NOTE and note.agent.external_id == '14'


def test_a_customers_message_is_theirs() -> None:
    wrote = chatwoot.read(chatwoot_payload('message_created_incoming')).facts[-1]
    assert wrote.kind == FactKind.CUSTOMER_WROTE and wrote.agent is None and wrote.length == 37


def test_a_resolution_sent_twice_reads_as_the_same_state() -> None:
    """One resolution arrives as conversation_status_changed (changed_attributes null) and conversation_updated."""
    first = chatwoot.read(chatwoot_payload('conversation_status_changed_resolved')).facts
    second = chatwoot.read(chatwoot_payload('conversation_updated_resolved')).facts
    assert first == second
    status = next(fact for fact in first if fact.kind == FactKind.STATUS)
    assert status.status == Status.RESOLVED and status.at == datetime(2026, 11, 30, 10, 5, 5, 642100, tzinfo=UTC)
    assigned = next(fact for fact in first if fact.kind == FactKind.ASSIGNED)
    assert assigned.agent.external_id == '14' and assigned.agent.email is None  # an assignee has no e-mail


def test_a_csat_answer_rates_the_assignee_and_the_same_answer_twice_has_one_key() -> None:
    payload = chatwoot_payload('message_updated_csat')
    rated = chatwoot.read(payload).facts[-1]
    assert (rated.kind, rated.rating, rated.score, rated.comment) == (FactKind.RATED, Rating.GOOD, 5,
                                                                      'Ļoti ātri, paldies!')
    assert rated.agent.external_id == '14'
    assert rated.at == datetime(2026, 11, 30, 10, 11, 0, 250000, tzinfo=UTC)  # answered, not when the survey was sent
    assert chatwoot.read(payload).facts[-1].key == rated.key
    payload['content_attributes']['submitted_values']['csat_survey_response']['rating'] = 2
    changed = chatwoot.read(payload).facts[-1]
    assert changed.key != rated.key and changed.rating == Rating.BAD  # a re-rating is a new fact that replaces


@pytest.mark.parametrize(('score', 'rating'), [(1, Rating.BAD), (2, Rating.BAD), (3, Rating.NEUTRAL),
                                               (4, Rating.GOOD), (5, Rating.GOOD)])
def test_chatwoots_five_faces_become_three_ratings(score: int, rating: Rating) -> None:
    assert chatwoot.rating(score) == rating


def test_an_event_deskquest_does_not_use_is_ignored_with_the_reason() -> None:
    reading = chatwoot.read(chatwoot_payload('contact_updated'))
    assert reading.facts == () and 'contact_updated' in reading.ignored


@pytest.mark.parametrize(('payload', 'message'), [
    ([], 'not a JSON object'),
    ({'id': 1}, 'no "event"'),
    ({'event': 'conversation_created'}, 'no "id"'),
    ({'event': 'conversation_created', 'id': 4, 'created_at': 'soon'}, 'not a time'),
    ({'event': 'conversation_created', 'id': {'x': 1}, 'created_at': 1}, 'not an id'),
    ({'event': 'conversation_created', 'id': 4, 'created_at': 1, 'status': 'archived'}, 'status is not one'),
    ({'event': 'message_created', 'id': 4}, 'no "conversation"'),
])
def test_a_payload_that_is_not_what_chatwoot_sends_is_unreadable_with_the_reason(payload: object,
                                                                                  message: str) -> None:
    with pytest.raises(Unreadable, match=message):
        chatwoot.read(payload)


def test_a_bad_csat_rating_is_unreadable() -> None:
    payload = chatwoot_payload('message_updated_csat')
    payload['content_attributes']['submitted_values']['csat_survey_response']['rating'] = 9
    with pytest.raises(Unreadable, match='from 1 to 5'):
        chatwoot.read(payload)


# Zendesk event subscriptions

def zendesk_payload(name: str) -> dict:
    return json.loads((FIXTURES / 'zendesk' / f'{name}.json').read_text())


def test_a_zendesk_public_comment_by_staff_is_a_reply_timed_by_the_event() -> None:
    opened, status, assigned, reply = zendesk.read(zendesk_payload('ticket_comment_added_reply')).facts
    assert (opened.ticket, opened.channel, opened.subject) == ('35436', Channel.EMAIL, 'Pasūtījums #A-1182')
    assert opened.at == datetime(2026, 11, 30, 9, 41, 12, tzinfo=UTC)
    assert (status.status, assigned.agent.external_id) == (Status.OPEN, '8447388090494')
    assert (reply.kind, reply.key, reply.agent.name) == (FactKind.REPLIED, 'comment:41200987331', 'Bruno Peeters')
    assert reply.at == datetime(2026, 11, 30, 10, 0, 1, 672717, tzinfo=UTC)  # nanoseconds cut to microseconds


def test_a_private_comment_is_a_note_and_a_requesters_comment_is_theirs() -> None:
    payload = zendesk_payload('ticket_comment_added_reply')
    payload['event']['comment']['is_public'] = False
    assert zendesk.read(payload).facts[-1].kind == FactKind.NOTE
    payload['event']['comment']['author']['is_staff'] = False
    assert zendesk.read(payload).facts[-1].kind == FactKind.CUSTOMER_WROTE


def test_a_solved_ticket_is_resolved_and_an_assignment_names_the_agent() -> None:
    status = zendesk.read(zendesk_payload('ticket_status_changed_solved')).facts[1]
    assert (status.kind, status.status) == (FactKind.STATUS, Status.RESOLVED)
    assigned = zendesk.read(zendesk_payload('ticket_agent_assignment_changed')).facts[2]
    assert assigned.kind == FactKind.ASSIGNED and assigned.agent.external_id == '8447388090494'
    assert assigned.agent.email is None  # Zendesk's events carry no e-mail: the lead links the agent


def test_a_zendesk_event_deskquest_does_not_use_is_ignored_and_a_trigger_body_is_unreadable() -> None:
    reading = zendesk.read(zendesk_payload('ticket_priority_changed'))
    assert reading.facts == () and 'ticket.priority_changed' in reading.ignored
    with pytest.raises(Unreadable, match='Zendesk event "type"'):
        zendesk.read({'ticket_id': '35436', 'status': 'solved'})
    payload = zendesk_payload('ticket_status_changed_solved')
    payload['detail']['status'] = 'ARCHIVED'
    with pytest.raises(Unreadable, match='status is not one Zendesk has'):
        zendesk.read(payload)


# Freshdesk: DeskQuest's own body with Freshdesk's placeholders

def freshdesk_payload(name: str, **changes: str) -> dict:
    return json.loads((FIXTURES / 'freshdesk' / f'{name}.json').read_text()) | changes


def test_a_freshdesk_status_change_reads_the_non_json_triggered_event() -> None:
    reading = freshdesk.read(freshdesk_payload('status_resolved'), received=NOW)
    assert reading.event == 'status' and reading.ignored is None
    opened, status, assigned = reading.facts
    assert (opened.kind, opened.ticket, opened.channel, opened.customer) == (FactKind.OPENED, '1207', Channel.EMAIL,
                                                                             'Jonas Petraitis')
    assert (status.kind, status.status, status.at) == (FactKind.STATUS, Status.RESOLVED, NOW)
    assert assigned.agent is not None and assigned.agent.email == 'ana@example.com'  # known by e-mail, lower case


@pytest.mark.parametrize(('value', 'expected'), [
    ('{status:{from:4,to:6}}', ('status', '4', '6')),
    ('{ticket_action:created}', ('ticket_action', None, 'created')),
    (' { responder_id : { from : 150006383528 , to : 150014937111 } } ', ('responder_id', '150006383528',
                                                                         '150014937111')),
])
def test_freshdesk_triggered_events_are_parsed(value: str, expected: tuple) -> None:
    assert freshdesk.triggered_event(value) == expected


@pytest.mark.parametrize(('changes', 'message'), [
    ({'triggered_event': '{{triggered_event}}'}, 'not Freshdesk'),
    ({'ticket_id': ''}, 'not a Freshdesk ticket number'),
    ({'deskquest': 'zendesk'}, 'not DeskQuest\'s Freshdesk body'),
])
def test_a_freshdesk_body_not_as_given_is_unreadable(changes: dict, message: str) -> None:
    with pytest.raises(Unreadable, match=message):
        freshdesk.read(freshdesk_payload('status_resolved', **changes), received=NOW)


def test_a_freshdesk_reply_is_the_ticket_agents_and_an_unknown_event_only_updates_the_state() -> None:
    reply = freshdesk.read(freshdesk_payload('status_resolved', triggered_event='{reply_sent:sent}'), received=NOW)
    assert reply.facts[-1].kind == FactKind.REPLIED and reply.facts[-1].agent.email == 'ana@example.com'
    other = freshdesk.read(freshdesk_payload('status_resolved', triggered_event='{priority:{from:1,to:4}}'),
                           received=NOW)
    assert other.ignored and [fact.kind for fact in other.facts] == [FactKind.OPENED, FactKind.STATUS,
                                                                     FactKind.ASSIGNED]


def test_a_freshdesk_secret_is_checked_against_its_stored_digest() -> None:
    digest = secret_digest(SECRET)
    check_shared_secret_digest(digest, authorization=None, header=SECRET)
    check_shared_secret_digest(digest, header=None,
                               authorization='Basic ' + base64.b64encode(f'deskquest:{SECRET}'.encode()).decode())
    with pytest.raises(Refused, match='does not match'):
        check_shared_secret_digest(digest, authorization=None, header='guess')


def test_a_zendesk_trigger_body_reads_the_tickets_state_and_rating() -> None:
    payload = json.loads((FIXTURES / 'zendesk' / 'trigger_solved_rated.json').read_text())
    reading = zendesk.read(payload)
    kinds = [fact.kind for fact in reading.facts]
    assert kinds == [FactKind.OPENED, FactKind.STATUS, FactKind.ASSIGNED, FactKind.RATED]
    opened, status, assigned, rated = reading.facts
    assert (opened.ticket, opened.subject, opened.at) == ('35501', 'Invoice shows the wrong VAT number',
                                                          datetime(2026, 11, 30, 9, 50, 2, tzinfo=UTC))
    assert status.status == Status.RESOLVED and assigned.agent.email == 'bruno.dubois@example.com'
    assert (rated.rating, rated.comment) == (Rating.GOOD, 'Quick & clear <thanks>')
    assert len(zendesk.read(payload | {'rating': 'Offered'}).facts) == 3  # asked, not answered: no rating
    with pytest.raises(Unreadable, match='not a Zendesk ticket number'):
        zendesk.read(payload | {'ticket_id': '{{ticket.id}}'})
