"""Vesting (issue 18): a resolution's points are pending while a reopen can take them back, then bank; and a removed tag
takes back what it earned without giving a tag, untag, tag loop more than the daily cap."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.domain.events import EventKind, GameEvent
from services.domain.projection import GameProjection
from services.domain.receipts import facts
from services.domain.scoring import (
    AwardKind,
    PolicyError,
    ScoringPolicy,
    banked,
    check_policy,
    pending_points,
    policy_as_dict,
)

CREATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
RESOLVED_AT = CREATED + timedelta(minutes=20)
AGENT = 7
TICKET = 123
WINDOW = ScoringPolicy(reopen_window=timedelta(hours=72))


def resolved(*, event_id: int = 1, ticket: int = TICKET, at: datetime = RESOLVED_AT) -> GameEvent:
    """A fast, on-time, first-contact resolution: 10 + 5 + 5 points by the defaults."""
    return GameEvent(id=event_id, key=f'resolved:{event_id}', kind=EventKind.RESOLVED, occurred_at=at,
                     agent_id=AGENT, conversation_id=ticket,
                     data={'channel': 'chat', 'created_at': (at - timedelta(minutes=20)).isoformat(),
                           'sla_due_at': (at + timedelta(hours=8)).isoformat(), 'inbound_count': 1})


def reopened(after: timedelta, *, event_id: int = 2, ticket: int = TICKET) -> GameEvent:
    return GameEvent(id=event_id, key=f'reopened:{event_id}', kind=EventKind.REOPENED,
                     occurred_at=RESOLVED_AT + after, agent_id=None, conversation_id=ticket,
                     data={'reason': 'customer wrote again'})


def tag_event(kind: EventKind, event_id: int, *, agent_id: int = AGENT, minutes: int = 0,
              tag: str = 'billing') -> GameEvent:
    return GameEvent(id=event_id, key=f'{kind.value}:{event_id}', kind=kind,
                     occurred_at=CREATED + timedelta(minutes=minutes), agent_id=agent_id, conversation_id=TICKET,
                     data={'tag': tag})


@pytest.mark.parametrize(('after', 'window', 'kept'), [
    (timedelta(hours=71, minutes=59), timedelta(hours=72), False),  # inside: taken back
    (timedelta(hours=72), timedelta(hours=72), True),  # the window passed: banked
    (timedelta(days=30), timedelta(0), False),  # no window: a reopen always takes back (an upgraded floor)
])
def test_a_reopen_takes_back_only_inside_the_window(after: timedelta, window: timedelta, kept: bool) -> None:
    policy = replace(WINDOW, reopen_window=window)
    assert banked(RESOLVED_AT, RESOLVED_AT + after, policy=policy) is kept
    projection = GameProjection(policy=policy)
    projection.apply(resolved())
    assert projection.agents[AGENT].points == 20
    reopen = projection.apply(reopened(after))
    metrics = projection.agents[AGENT]
    if kept:
        assert [(award.kind, award.points) for award in reopen.awards] == [(AwardKind.BANKED, 0)]
        assert reopen.awards[0].reason == \
            '#123: banked on 05 Nov 08:20 UTC; reopened after the 72 h window, nothing taken back'
        assert metrics.points == 20 and metrics.resolved == 1 and reopen.resolved is None
    else:
        assert {award.kind for award in reopen.awards} == {AwardKind.CLAWBACK, AwardKind.REOPEN_PENALTY}
        assert metrics.points == 20 - 20 - 15 and metrics.resolved == 0 and reopen.resolved == (AGENT, -1)
    assert projection.pending(AGENT, RESOLVED_AT + after) == 0  # reopened: nothing pending any more


def test_pending_points_bank_as_the_window_passes() -> None:
    projection = GameProjection(policy=WINDOW)
    projection.apply(resolved())
    projection.apply(resolved(event_id=2, ticket=124, at=RESOLVED_AT + timedelta(hours=48)))
    assert projection.pending(AGENT, RESOLVED_AT + timedelta(hours=50)) == 40
    assert projection.pending(AGENT, RESOLVED_AT + timedelta(hours=72)) == 20  # the first banked
    assert projection.pending(AGENT, RESOLVED_AT + timedelta(hours=120)) == 0
    assert projection.pending(AGENT + 1, RESOLVED_AT) == 0
    projection.apply(reopened(timedelta(hours=49), event_id=3, ticket=124))  # inside its window: taken back
    assert projection.pending(AGENT, RESOLVED_AT + timedelta(hours=50)) == 20
    no_window = replace(WINDOW, reopen_window=timedelta(0))
    assert pending_points([(RESOLVED_AT, 20)], now=RESOLVED_AT, policy=no_window) == 0


def test_a_resolution_rolled_back_is_no_longer_pending() -> None:
    projection = GameProjection(policy=WINDOW)
    projection.apply(resolved())
    projection.begin()
    projection.apply(resolved(event_id=2, ticket=124))
    projection.apply(reopened(timedelta(hours=1), event_id=3))
    assert projection.pending(AGENT, RESOLVED_AT + timedelta(hours=1)) == 20
    projection.rollback()
    assert projection.pending(AGENT, RESOLVED_AT + timedelta(hours=1)) == 20
    assert set(projection.vesting[AGENT]) == {TICKET}


def test_the_window_is_a_checked_scoring_value_with_a_receipt() -> None:
    values = policy_as_dict(WINDOW)
    assert values['reopen_window_hours'] == 72
    assert check_policy(values | {'reopen_window_hours': 0}).reopen_window == timedelta(0)
    with pytest.raises(PolicyError, match=r'Reopen window: a whole number of hours from 0 to 720'):
        check_policy(values | {'reopen_window_hours': 721})
    banked_fact = ' '.join(facts(AwardKind.BANKED.value, 'reopened', {'reason': 'customer wrote again'},
                                 RESOLVED_AT, policy=WINDOW))
    assert '72 h reopen window had passed' in banked_fact and 'takes nothing back' in banked_fact
    clawback_fact = ' '.join(facts(AwardKind.CLAWBACK.value, 'reopened', {'reason': 'x'}, RESOLVED_AT, policy=WINDOW))
    assert 'within the 72 h reopen window' in clawback_fact


def test_an_untag_takes_back_the_tags_points_from_its_tagger() -> None:
    projection = GameProjection(policy=ScoringPolicy(tag_points=3, low_value_daily_cap=20))
    projection.apply(tag_event(EventKind.TAGGED, 1))
    untag = projection.apply(tag_event(EventKind.UNTAGGED, 2, agent_id=AGENT + 1, minutes=5))  # a colleague removes
    assert [(award.agent_id, award.kind, award.points) for award in untag.awards] == [(AGENT, AwardKind.UNTAG, -3)]
    assert untag.awards[0].reason == 'tag “billing” removed from #123: its points taken back'
    assert projection.agents[AGENT].points == 0
    # removing it again, or a tag that earned nothing, takes nothing
    assert projection.apply(tag_event(EventKind.UNTAGGED, 3, minutes=6)).awards == []
    assert projection.apply(tag_event(EventKind.UNTAGGED, 4, minutes=7, tag='other')).awards == []
    unpriced = GameProjection()
    unpriced.apply(tag_event(EventKind.TAGGED, 1))
    assert unpriced.apply(tag_event(EventKind.UNTAGGED, 2)).awards == []


def test_a_tag_untag_loop_never_earns_more_than_one_tag_and_the_cap_holds() -> None:
    projection = GameProjection(policy=ScoringPolicy(tag_points=4, low_value_daily_cap=10))
    for number in range(0, 40, 2):
        projection.apply(tag_event(EventKind.TAGGED, number + 1, minutes=number))
        assert projection.agents[AGENT].points == 4  # one tag standing: its points, however often it was put on
        projection.apply(tag_event(EventKind.UNTAGGED, number + 2, minutes=number + 1))
        assert projection.agents[AGENT].points == 0
    # the loop did not use up the day's cap: real tags still earn, up to the cap and no further
    earned = [sum(award.points for award in projection.apply(
        tag_event(EventKind.TAGGED, 100 + number, minutes=100 + number, tag=f'tag{number}')).awards)
        for number in range(4)]
    assert earned == [4, 4, 2, 0] and projection.agents[AGENT].points == 10
    # a capped tag (it earned 2) removed gives 2 back; the zero-point one takes nothing
    assert [award.points for award in projection.apply(
        tag_event(EventKind.UNTAGGED, 200, minutes=200, tag='tag2')).awards] == [-2]
    assert projection.apply(tag_event(EventKind.UNTAGGED, 201, minutes=201, tag='tag3')).awards == []
    assert projection.earned_today(AGENT, CREATED.date()) == 8


def test_a_rolled_back_untag_keeps_the_tag_to_take_back() -> None:
    projection = GameProjection(policy=ScoringPolicy(tag_points=3))
    projection.apply(tag_event(EventKind.TAGGED, 1))
    projection.begin()
    projection.apply(tag_event(EventKind.UNTAGGED, 2, minutes=1))
    projection.rollback()
    assert projection.earned_today(AGENT, CREATED.date()) == 3
    assert [award.points for award in projection.apply(tag_event(EventKind.UNTAGGED, 3, minutes=2)).awards] == [-3]
