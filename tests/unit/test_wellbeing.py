"""Wellbeing caps (issue 20): hours worked from presence, the daily limit in the fold, the settings' checks."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.domain.badges import (
    DEFAULT_BADGES,
    FIRST_BADGES,
    Aggregation,
    BadgeBoard,
    BadgeDefinition,
    Direction,
)
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.projection import GameProjection
from services.domain.scoring import AwardKind
from services.domain.wellbeing import (
    WellbeingPolicy,
    WellbeingTracker,
    break_cost,
    break_neutral,
    check_wellbeing,
)
from services.domain.whatif import RuleSet, _switched

DAY = datetime(2026, 11, 2, tzinfo=UTC)  # midnight


class Log:
    def __init__(self) -> None:
        self.events: list[GameEvent] = []

    def add(self, kind: EventKind, at: datetime, agent_id: int | None = 1, conversation_id: int | None = None,
            **data: Any) -> GameEvent:
        event = GameEvent(id=len(self.events) + 1, key=f'{kind.value}:{len(self.events) + 1}', kind=kind,
                          occurred_at=at, agent_id=agent_id, conversation_id=conversation_id, data=data)
        self.events.append(event)
        return event

    def presence(self, at: datetime, status: str, previous: str, seconds: float, agent_id: int = 1) -> GameEvent:
        return self.add(EventKind.PRESENCE_CHANGED, at, agent_id, status=status, previous=previous, seconds=seconds)

    def limit(self, at: datetime, hours: int, break_after: int = 0) -> GameEvent:
        return self.add(EventKind.WELLBEING_CHANGED, at, None, daily_hours=hours, break_after_minutes=break_after,
                        by=9)

    def resolve(self, at: datetime, conversation_id: int, agent_id: int = 1) -> GameEvent:
        return self.add(EventKind.RESOLVED, at, agent_id, conversation_id, channel='email',
                        created_at=(at - timedelta(minutes=10)).isoformat(),
                        sla_due_at=(at + timedelta(hours=1)).isoformat(), inbound_count=1)


def points(outcome: Any) -> int:
    return sum(award.points for award in outcome.awards)


def test_the_resolution_that_crosses_the_limit_earns_nothing_and_says_why() -> None:
    log = Log()
    log.limit(DAY + timedelta(hours=7), 9)
    log.presence(DAY + timedelta(hours=8), 'online', 'offline', 0)
    at_limit = log.resolve(DAY + timedelta(hours=17), 1)  # exactly 9 h worked: not past it
    past = log.resolve(DAY + timedelta(hours=17, seconds=1), 2)
    projection = GameProjection()
    outcomes = {outcome.event.id: outcome for outcome in projection.apply_all(log.events)}
    assert points(outcomes[at_limit.id]) == 20  # fast, on time, first contact
    capped = outcomes[past.id]
    assert [(award.points, award.kind) for award in capped.awards] == [(0, AwardKind.WELLBEING)]
    assert capped.awards[0].reason == '#2: no points past your 9-hour day — take care'
    assert projection.agents[1].resolved == 2  # the work is recorded, only its points are not
    assert projection.agents[1].points == 20


def test_breaks_and_offline_are_not_hours_worked_but_away_is() -> None:
    log = Log()
    log.limit(DAY, 2)
    log.presence(DAY + timedelta(hours=1), 'online', 'offline', 3600)
    log.presence(DAY + timedelta(hours=2), 'on_break', 'online', 3600)  # 1 h online
    log.presence(DAY + timedelta(hours=5), 'away', 'on_break', 3 * 3600)  # a 3-hour break: not work
    before = log.resolve(DAY + timedelta(hours=5, minutes=59), 1)  # 1 h online + 59 min away
    after = log.resolve(DAY + timedelta(hours=6, minutes=1), 2)  # 2 h 01 min
    outcomes = {outcome.event.id: outcome for outcome in GameProjection().apply_all(log.events)}
    assert points(outcomes[before.id]) > 0
    assert points(outcomes[after.id]) == 0


def test_a_stretch_across_midnight_counts_for_each_day_its_part() -> None:
    tracker = WellbeingTracker()
    log = Log()
    tracker.apply(log.presence(DAY - timedelta(hours=3), 'online', 'offline', 0))  # online from 21:00
    assert tracker.worked_seconds(1, DAY - timedelta(hours=1)) == 2 * 3600
    assert tracker.worked_seconds(1, DAY + timedelta(hours=2)) == 2 * 3600  # only today's part, not 5 h
    tracker.apply(log.presence(DAY + timedelta(hours=3), 'offline', 'online', 6 * 3600))  # closed after midnight
    assert tracker.worked_seconds(1, DAY + timedelta(hours=4)) == 3 * 3600
    assert tracker.worked_seconds(1, DAY + timedelta(days=1, hours=1)) == 0  # a new day starts at zero


def test_a_day_past_the_limit_does_not_cap_the_next_morning() -> None:
    log = Log()
    log.limit(DAY - timedelta(days=1), 1)
    log.presence(DAY - timedelta(hours=4), 'online', 'offline', 0)  # 20:00, online through midnight
    late = log.resolve(DAY - timedelta(minutes=30), 1)  # 3 h 30 min that day
    morning = log.resolve(DAY + timedelta(minutes=30), 2)  # 30 min of the new day
    outcomes = {outcome.event.id: outcome for outcome in GameProjection().apply_all(log.events)}
    assert points(outcomes[late.id]) == 0
    assert points(outcomes[morning.id]) > 0


def test_off_by_default_and_switched_off_again() -> None:
    log = Log()
    log.presence(DAY, 'online', 'offline', 0)
    early = log.resolve(DAY + timedelta(hours=20), 1)  # no limit set: everything counts
    log.limit(DAY + timedelta(hours=20, minutes=1), 9)
    capped = log.resolve(DAY + timedelta(hours=20, minutes=2), 2)
    log.limit(DAY + timedelta(hours=20, minutes=3), 0)
    free = log.resolve(DAY + timedelta(hours=20, minutes=4), 3)
    outcomes = {outcome.event.id: outcome for outcome in GameProjection().apply_all(log.events)}
    assert points(outcomes[early.id]) > 0 and points(outcomes[capped.id]) == 0 and points(outcomes[free.id]) > 0


def test_a_reopen_of_a_capped_resolution_takes_nothing_back() -> None:
    log = Log()
    log.limit(DAY, 1)
    log.presence(DAY, 'online', 'offline', 0)
    log.resolve(DAY + timedelta(hours=2), 5)
    reopen = log.add(EventKind.REOPENED, DAY + timedelta(hours=3), 1, 5, reason='customer wrote again')
    projection = GameProjection()
    outcomes = {outcome.event.id: outcome for outcome in projection.apply_all(log.events)}
    assert outcomes[reopen.id].awards == [] and projection.agents[1].points == 0


def test_rollback_restores_the_presence_and_the_settings() -> None:
    log = Log()
    projection = GameProjection()
    projection.apply(log.presence(DAY, 'online', 'offline', 0))
    projection.begin()
    projection.apply(log.limit(DAY + timedelta(hours=1), 3))
    projection.apply(log.presence(DAY + timedelta(hours=2), 'on_break', 'online', 7200))
    projection.rollback()
    assert projection.wellbeing.policy == WellbeingPolicy()
    assert projection.wellbeing.streak_since(1) == DAY
    assert projection.wellbeing.worked_seconds(1, DAY + timedelta(hours=2)) == 7200


def test_a_streak_is_time_online_and_away_or_a_break_ends_it() -> None:
    tracker = WellbeingTracker()
    log = Log()
    tracker.apply(log.presence(DAY, 'online', 'offline', 0))
    assert tracker.streak_since(1) == DAY
    tracker.apply(log.presence(DAY + timedelta(hours=1), 'away', 'online', 3600))
    assert tracker.streak_since(1) is None
    tracker.apply(log.presence(DAY + timedelta(hours=2), 'online', 'away', 3600))
    assert tracker.streak_since(1) == DAY + timedelta(hours=2)
    assert tracker.streak_since(2) is None


@pytest.mark.parametrize('values', [{'daily_hours': -1, 'break_after_minutes': 0},
                                    {'daily_hours': 25, 'break_after_minutes': 0},
                                    {'daily_hours': 9, 'break_after_minutes': None},
                                    {'daily_hours': 8.5, 'break_after_minutes': 120},
                                    {'daily_hours': True, 'break_after_minutes': 120}])
def test_settings_out_of_range_are_refused_with_what_is_allowed(values: dict[str, Any]) -> None:
    with pytest.raises(ActionError, match='from 0 to'):
        check_wellbeing(values)


def test_settings_in_range() -> None:
    assert check_wellbeing({'daily_hours': 9.0, 'break_after_minutes': 120}) == \
        WellbeingPolicy(daily_hours=9, break_after_minutes=120)


# --- breaks never cost a badge ---------------------------------------------------------------------------------------

def worker_holders(definition: BadgeDefinition, breaks: bool) -> frozenset[int]:
    """Agent 1 is online 8 h 15 min; agent 2 works an 8 h 30 min shift, with or without a 30-minute break in it."""
    log = Log()
    log.presence(DAY + timedelta(hours=17), 'offline', 'online', 8.25 * 3600, agent_id=1)
    if breaks:
        log.presence(DAY + timedelta(hours=12), 'on_break', 'online', 4 * 3600, agent_id=2)
        log.presence(DAY + timedelta(hours=12, minutes=30), 'online', 'on_break', 1800, agent_id=2)
        log.presence(DAY + timedelta(hours=16, minutes=30), 'offline', 'online', 4 * 3600, agent_id=2)
    else:
        log.presence(DAY + timedelta(hours=16, minutes=30), 'offline', 'online', 8.5 * 3600, agent_id=2)
    board = BadgeBoard([definition])
    for event in log.events:
        board.feed(event)
    return board.evaluate(DAY + timedelta(hours=18))[definition.key].holders


def test_the_first_worker_badge_is_lost_by_taking_a_break_and_is_flagged() -> None:
    worker = next(d for d in FIRST_BADGES if d.key == 'worker')  # as older floors still have it
    assert worker_holders(worker, breaks=False) == {2}
    assert worker_holders(worker, breaks=True) == {1}  # the break alone cost agent 2 the badge
    assert 'a break is time it does not count' in (break_cost(worker) or '')


def test_the_default_worker_badge_counts_breaks_as_time_at_work() -> None:
    worker = next(d for d in DEFAULT_BADGES if d.key == 'worker')  # what a new floor starts with
    assert break_cost(worker) is None
    assert worker_holders(worker, breaks=False) == worker_holders(worker, breaks=True) == {2}
    assert [d.key for d in DEFAULT_BADGES] == [d.key for d in FIRST_BADGES]  # only Worker differs
    assert [d for d in DEFAULT_BADGES if d not in FIRST_BADGES] == [worker]
    assert not any(break_cost(d) for d in DEFAULT_BADGES)


def test_counting_breaks_as_time_at_work_makes_worker_break_neutral() -> None:
    worker = next(d for d in FIRST_BADGES if d.key == 'worker')
    fixed = break_neutral(worker)
    assert fixed is not None and break_cost(fixed) is None
    assert fixed.metric is not None and fixed.metric.where[-1].values == ('online', 'away', 'on_break')
    assert worker_holders(fixed, breaks=False) == worker_holders(fixed, breaks=True) == {2}
    assert fixed.description.endswith('(breaks count as time at work)')


def test_only_badges_that_rank_a_break_against_someone_are_flagged() -> None:
    flagged = {d.key for d in FIRST_BADGES if break_cost(d) is not None}
    assert flagged == {'worker'}  # Siesta and Coffee reward breaks; the others do not read presence
    siesta = next(d for d in DEFAULT_BADGES if d.key == 'siesta')
    coffee = next(d for d in DEFAULT_BADGES if d.key == 'coffee')
    least_rest = replace(siesta, key='least_rest', direction=Direction.LOWEST)
    fewest_breaks = replace(coffee, key='fewest_breaks', direction=Direction.LOWEST)
    assert 'least break time' in (break_cost(least_rest) or '') and break_neutral(least_rest) is None
    assert 'fewest breaks' in (break_cost(fewest_breaks) or '') and break_neutral(fewest_breaks) is None
    longest_stretch = replace(next(d for d in FIRST_BADGES if d.key == 'worker'), key='marathon',
                              aggregation=Aggregation.MAX)
    assert break_cost(longest_stretch) is not None and break_neutral(longest_stretch) is None  # a break splits it


def test_what_if_keeps_the_daily_limit_and_the_hours_worked() -> None:
    log = Log()
    log.limit(DAY, 1)
    log.presence(DAY, 'online', 'offline', 0)
    live = GameProjection()
    live.apply_all(log.events)
    switched = _switched(live, RuleSet())
    capped = switched.apply(log.resolve(DAY + timedelta(hours=2), 1))
    assert [award.kind for award in capped.awards] == [AwardKind.WELLBEING]
    assert live.wellbeing.worked_seconds(1, DAY + timedelta(hours=2)) == 7200  # the copy is folded on its own
