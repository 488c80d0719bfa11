"""Receipts in words: the rule behind an award with the numbers of its event, and one line per event."""
from datetime import datetime, timezone

from services.receipts import describe, facts
from services.scoring import ScoringPolicy

RESOLVED_AT = datetime(2026, 11, 2, 9, 42, tzinfo=timezone.utc)
RESOLUTION = {'channel': 'chat', 'created_at': '2026-11-02T09:00:00+00:00', 'sla_due_at': '2026-11-02T10:00:00+00:00',
              'inbound_count': 1}


def test_a_fast_resolution_says_how_long_it_took_and_the_limit() -> None:
    assert facts('fast_resolution', 'resolved', RESOLUTION, RESOLVED_AT) == [
        'Resolved 42 min after the customer wrote in; under 60 min counts as fast (+10 speed).']
    assert facts('fast_resolution', 'resolved', RESOLUTION, RESOLVED_AT, policy=ScoringPolicy(fast_resolution=7)) \
        == ['Resolved 42 min after the customer wrote in; under 60 min counts as fast (+7 speed).']


def test_on_time_and_late_resolutions_name_the_sla_due_time() -> None:
    assert facts('on_time_resolution', 'resolved', RESOLUTION, RESOLVED_AT) == [
        'Resolved at 02 Nov 09:42, before its SLA due time 02 Nov 10:00 (+5 productivity).']
    late = datetime(2026, 11, 2, 10, 5, tzinfo=timezone.utc)
    assert facts('late_resolution', 'resolved', RESOLUTION, late) == [
        'Resolved at 02 Nov 10:05, after its SLA due time 02 Nov 10:00 (-5 productivity).']


def test_ratings_clawbacks_and_disputes_are_explained() -> None:
    assert facts('happy_customer', 'rated', {'rating': 'good', 'comment': 'Thanks!'}, RESOLVED_AT) == [
        'The customer rated the resolution good and wrote: “Thanks!”.']
    assert 'reopened (customer wrote again)' in facts('clawback', 'reopened', {'reason': 'customer wrote again'},
                                                      RESOLVED_AT)[0]
    assert facts('dispute', 'rating_invalidated', {'reason': 'spam rating'}, RESOLVED_AT)[0].startswith(
        'A lead invalidated the rating: spam rating.')
    assert facts('first_contact', 'resolved', RESOLUTION, RESOLVED_AT) == [
        'Resolved after a single customer message: first-contact resolution (+5 quality).']


def test_each_event_is_one_line_of_the_story() -> None:
    assert describe('conversation_created', {'channel': 'phone'}, '') == 'The customer wrote in (phone)'
    assert describe('replied', {'length': 42, 'canned': 'hello'}, 'Ana Ozola') == \
        'Ana Ozola replied (42 characters, canned reply /hello)'
    assert describe('assigned', {'by': 'routing'}, 'Ana Ozola') == 'Assigned to Ana Ozola by routing'
    assert describe('resolved', {}, 'Ana Ozola') == 'Ana Ozola resolved it'
    assert describe('tagged', {'tag': 'vip'}, 'Ana Ozola') == 'Tagged (Ana Ozola)'
