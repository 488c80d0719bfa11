"""The editable scoring policy: what a lead may enter (and the refusal otherwise), and how the projection folds an
edit so that later events score by it while earlier points stay."""
from datetime import UTC, datetime, timedelta

import pytest

from services.domain.events import EventKind, GameEvent
from services.domain.projection import GameProjection
from services.domain.scoring import (
    POLICY_FIELDS,
    AwardKind,
    PolicyError,
    ScoringPolicy,
    check_policy,
    policy_as_dict,
    policy_from_dict,
)

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
DEFAULTS = policy_as_dict(ScoringPolicy())


def test_the_defaults_are_freshdesks() -> None:
    assert DEFAULTS == {'fast_limit_minutes': 60, 'fast_resolution': 10, 'on_time_resolution': 5,
                        'late_resolution': -5, 'first_contact': 5, 'happy_customer': 10, 'unhappy_customer': -10,
                        'minimum_resolved': 0, 'queue_jump': -50, 'aging_bounty': 8, 'aging_limit_minutes': 10,
                        'bad_rating_cancel_percent': 100, 'reopen_penalty_percent': 100,  # fair play (issue 18)
                        'note_points': 0, 'tag_points': 0, 'low_value_daily_cap': 20, 'reopen_window_hours': 72,
                            'assist_percent': 20}
    assert [spec.name for spec in POLICY_FIELDS] == list(DEFAULTS)  # the form shows every value, in this order
    assert policy_from_dict(DEFAULTS) == ScoringPolicy()


def test_a_lead_entry_becomes_a_policy() -> None:
    entered = DEFAULTS | {'fast_limit_minutes': 30.0, 'fast_resolution': '20', 'late_resolution': -8,
                          'happy_customer': 0, 'minimum_resolved': 5}  # number inputs send floats; 0 switches off
    policy = check_policy(entered)
    assert policy == ScoringPolicy(fast_limit=timedelta(minutes=30), fast_resolution=20, late_resolution=-8,
                                   happy_customer=0, minimum_resolved=5)
    assert policy_from_dict(policy_as_dict(policy)) == policy


@pytest.mark.parametrize(('name', 'value', 'message'), [
    ('fast_limit_minutes', 0, 'Fast resolution limit: a whole number of minutes from 1 to 10080 (a week).'),
    ('fast_limit_minutes', 20000, 'Fast resolution limit: a whole number of minutes from 1 to 10080'),
    ('fast_resolution', -3, 'Fast resolution: a whole number of points from 0 to 500 (0 switches it off).'),
    ('fast_resolution', 501, 'Fast resolution: a whole number of points from 0 to 500'),
    ('happy_customer', 2.5, 'Happy customer: a whole number of points from 0 to 500'),
    ('first_contact', None, 'First-contact resolution: a whole number of points'),
    ('first_contact', 'lots', 'First-contact resolution: a whole number of points'),
    ('on_time_resolution', True, 'On-time resolution: a whole number of points'),
    ('late_resolution', 5, ('Late resolution: a whole number of points from -500 to 0 (it is a penalty; 0 switches '
                            'it off).')),
    ('unhappy_customer', -501, 'Unhappy customer: a whole number of points from -500 to 0'),
    ('minimum_resolved', -1, 'Minimum volume to rank: a whole number from 0 to 1000 (0 ranks everyone).'),
])
def test_out_of_range_values_are_refused_with_what_is_allowed(name: str, value: object, message: str) -> None:
    with pytest.raises(PolicyError) as refused:
        check_policy(DEFAULTS | {name: value})
    assert str(refused.value).startswith(message)


def test_every_bad_value_is_named_at_once() -> None:
    with pytest.raises(PolicyError) as refused:
        check_policy(DEFAULTS | {'fast_resolution': 1000, 'unhappy_customer': 10})
    assert 'Fast resolution:' in str(refused.value) and 'Unhappy customer:' in str(refused.value)


def resolution(event_id: int, at: timedelta) -> GameEvent:
    """Agent 1 resolves a conversation 20 minutes after it was created, on time, after one customer message."""
    occurred_at = START + at
    return GameEvent(id=event_id, key=f'resolved:{event_id}', kind=EventKind.RESOLVED, occurred_at=occurred_at,
                     agent_id=1, conversation_id=event_id,
                     data={'channel': 'email', 'created_at': (occurred_at - timedelta(minutes=20)).isoformat(),
                           'sla_due_at': (occurred_at + timedelta(hours=4)).isoformat(), 'inbound_count': 1})


def test_an_edit_applies_from_its_place_in_the_log_on() -> None:
    projection = GameProjection()
    before = projection.apply(resolution(1, timedelta(minutes=30)))
    edit = policy_as_dict(ScoringPolicy(fast_resolution=25, fast_limit=timedelta(minutes=15), first_contact=0))
    changed = projection.apply(GameEvent(id=2, key='scoring:2', kind=EventKind.SCORING_CHANGED,
                                         occurred_at=START + timedelta(hours=1), data={'policy': edit, 'by': 9}))
    after = projection.apply(resolution(3, timedelta(hours=2)))
    assert [(award.kind, award.points) for award in before.awards] == [
        (AwardKind.FAST_RESOLUTION, 10), (AwardKind.ON_TIME_RESOLUTION, 5), (AwardKind.FIRST_CONTACT, 5)]
    assert changed.awards == [] and changed.touched_agents == frozenset()  # nothing given earlier is recomputed
    # 20 minutes is no longer fast (under 15), and first contact is switched off
    assert [(award.kind, award.points) for award in after.awards] == [(AwardKind.ON_TIME_RESOLUTION, 5)]
    assert projection.agents[1].points == 20 + 5
    assert projection.policy == policy_from_dict(edit)


def test_resolutions_and_reopens_are_counted_for_their_agent() -> None:
    projection = GameProjection(policy=ScoringPolicy(fast_resolution=0, on_time_resolution=0, first_contact=0))
    resolved = projection.apply(resolution(1, timedelta(minutes=30)))
    reopened = projection.apply(GameEvent(id=2, key='reopened:2', kind=EventKind.REOPENED,
                                          occurred_at=START + timedelta(hours=1), agent_id=None, conversation_id=1,
                                          data={'reason': 'customer wrote again'}))
    again = projection.apply(GameEvent(id=3, key='reopened:3', kind=EventKind.REOPENED,
                                       occurred_at=START + timedelta(hours=2), conversation_id=1, data={}))
    assert resolved.awards == []  # counted even when every value is switched off
    assert (resolved.resolved, reopened.resolved, again.resolved) == ((1, 1), (1, -1), None)


@pytest.mark.parametrize('typed', ['²', '--5', '5' * 100_000, '\x005', '٣\x00'])
def test_a_scoring_value_that_is_no_whole_number_is_refused_with_the_fields_rule_not_a_traceback(typed: str) -> None:
    values = DEFAULTS | {'fast_resolution': typed}
    with pytest.raises(PolicyError, match=r'^Fast resolution: '):
        check_policy(values)


def test_a_scoring_value_in_any_scripts_digits_is_read() -> None:
    assert check_policy(DEFAULTS | {'fast_resolution': ' ٣ '}).fast_resolution == 3
