"""The cooperative queue boss (issue 20): the fold of a fight (start, hits, victory, defeat, the next fight), the rules
that start one, and the receipt's words."""
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from services.domain.boss import (
    BOSS_POINTS,
    COOLDOWN,
    DEFEAT,
    VICTORY,
    BossBook,
    check_start,
    checked_settings,
    expired,
    start_data,
    wakes,
)
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.projection import GameProjection
from services.domain.receipts import facts
from services.domain.scoring import AwardKind, Domain

AT = datetime(2026, 12, 7, 10, tzinfo=UTC)
_ids = count(1)


def event(kind: EventKind, minutes: float, *, agent: int | None = None, conversation: int | None = None,
          data: dict | None = None) -> GameEvent:
    event_id = next(_ids)
    return GameEvent(id=event_id, key=f'k{event_id}', kind=kind, occurred_at=AT + timedelta(minutes=minutes),
                     agent_id=agent, conversation_id=conversation, data=data or {})


def started(book: BossBook, minutes: float = 0, *, health: int = 3) -> GameEvent:
    data = start_data(book, waiting=health, now=AT + timedelta(minutes=minutes), reason='queue', by=None)
    return event(EventKind.BOSS_STARTED, minutes, data=data)


def resolved(minutes: float, agent: int, conversation: int) -> GameEvent:
    return event(EventKind.RESOLVED, minutes, agent=agent, conversation=conversation,
                 data={'channel': 'email', 'created_at': AT.isoformat(), 'sla_due_at': AT.isoformat(),
                       'inbound_count': 2})


def test_every_resolution_hits_the_boss_and_the_last_hit_rewards_everyone_who_took_part() -> None:
    book = BossBook()
    assert book.apply(started(book, health=3)) == []
    fight = book.running
    assert fight is not None and (fight.number, fight.health, fight.deadline) == (1, 3, AT + timedelta(minutes=60))
    assert book.apply(resolved(5, agent=1, conversation=11)) == []
    assert book.apply(resolved(6, agent=1, conversation=11)) == []  # the same conversation again: one hit
    assert book.apply(resolved(7, agent=2, conversation=12)) == []
    assert book.fight is not None and (book.fight.damage, book.fight.remaining) == (2, 1)
    awards = book.apply(resolved(8, agent=1, conversation=13))
    assert [(a.agent_id, a.points, a.domain, a.kind) for a in awards] == \
        [(1, BOSS_POINTS, Domain.PRODUCTIVITY, AwardKind.BOSS), (2, BOSS_POINTS, Domain.PRODUCTIVITY, AwardKind.BOSS)]
    assert awards[0].reason == 'beat the queue boss “The Backlog Hydra” with the floor: 2 of its 3 hits yours'
    assert book.running is None and book.fight is not None
    assert (book.fight.outcome, book.fight.ended_at) == (VICTORY, AT + timedelta(minutes=8))
    assert book.apply(resolved(9, agent=3, conversation=14)) == []  # after the victory, no more hits


def test_a_reopen_heals_the_boss_and_a_resolution_before_the_start_is_no_hit() -> None:
    book = BossBook()
    book.apply(started(book, 10, health=2))
    book.apply(resolved(5, agent=1, conversation=11))  # a late arrival dated before the fight
    book.apply(resolved(11, agent=1, conversation=12))
    book.apply(event(EventKind.REOPENED, 12, conversation=12))
    book.apply(event(EventKind.REOPENED, 12, conversation=99))  # not hit in this fight: nothing
    assert book.fight is not None and book.fight.damage == 0
    book.apply(resolved(13, agent=2, conversation=12))
    assert [a.agent_id for a in book.apply(resolved(14, agent=2, conversation=15))] == [2]


def test_the_deadline_loses_the_fight_without_a_penalty_by_the_sweeper_or_by_the_next_resolution() -> None:
    book = BossBook()
    book.apply(started(book, health=5))
    book.apply(resolved(10, agent=1, conversation=11))
    assert expired(book, now=AT + timedelta(minutes=59)) is None
    assert expired(book, now=AT + timedelta(minutes=60)) is book.running
    assert book.apply(event(EventKind.BOSS_ENDED, 61, data={'number': 1})) == []
    assert book.fight is not None and (book.fight.outcome, book.fight.ended_at) == (DEFEAT, AT + timedelta(minutes=60))

    second = BossBook()
    second.apply(started(second, health=1))
    assert second.apply(resolved(60, agent=1, conversation=11)) == []  # dated at the deadline: too late, no hit
    assert second.fight is not None and (second.fight.outcome, second.fight.damage) == (DEFEAT, 0)


def test_a_second_fight_after_the_first_is_numbered_named_and_fought_afresh() -> None:
    book = BossBook()
    book.apply(started(book, health=1))
    book.apply(resolved(1, agent=1, conversation=11))
    book.apply(started(book, 90, health=2))
    fight = book.running
    assert fight is not None and (fight.number, fight.name, fight.damage) == (2, 'The Ticket Kraken', 0)
    book.apply(resolved(91, agent=2, conversation=11))
    assert [a.agent_id for a in book.apply(resolved(92, agent=3, conversation=12))] == [2, 3]


def test_the_queue_wakes_a_boss_at_the_threshold_once_the_cooldown_is_over_and_a_lead_cannot_start_two() -> None:
    book = BossBook()
    assert not wakes(book, waiting=14, now=AT) and wakes(book, waiting=15, now=AT)
    with pytest.raises(ActionError, match='queue is empty'):
        check_start(book, waiting=0)
    book.apply(started(book, health=15))
    assert not wakes(book, waiting=40, now=AT)
    with pytest.raises(ActionError, match='already being fought'):
        check_start(book, waiting=3)
    book.apply(event(EventKind.BOSS_ENDED, 60, data={'number': 1}))
    assert not wakes(book, waiting=40, now=AT + timedelta(minutes=60) + COOLDOWN - timedelta(seconds=1))
    assert wakes(book, waiting=40, now=AT + timedelta(minutes=60) + COOLDOWN)
    book.apply(event(EventKind.BOSS_SETTINGS_CHANGED, 100, data={'automatic': False, 'threshold': 5, 'minutes': 30}))
    assert not wakes(book, waiting=40, now=AT + timedelta(hours=5))
    assert start_data(book, waiting=4, now=AT, reason='lead', by=9)['deadline'] == \
        (AT + timedelta(minutes=30)).isoformat()


def test_settings_out_of_range_are_refused_with_what_is_allowed() -> None:
    assert checked_settings(automatic=True, threshold=20, minutes=45).as_dict() == \
        {'automatic': True, 'threshold': 20, 'minutes': 45}
    for threshold, minutes, message in ((0, 60, 'threshold'), (True, 60, 'threshold'), ('15', 60, 'threshold'),
                                        (15, 2, 'minutes'), (15, 10_000, 'minutes')):
        with pytest.raises(ActionError, match=message):
            checked_settings(automatic=True, threshold=threshold, minutes=minutes)


def test_the_projection_folds_the_victory_into_points_that_a_reopen_of_the_last_hit_does_not_take_back() -> None:
    projection = GameProjection()
    projection.apply(started(projection.boss, health=1))
    outcome = projection.apply(resolved(5, agent=1, conversation=11))
    assert [(a.kind, a.points) for a in outcome.awards if a.kind == AwardKind.BOSS] == [(AwardKind.BOSS, BOSS_POINTS)]
    points = projection.agents[1].productivity
    reopened = projection.apply(event(EventKind.REOPENED, 6, conversation=11))
    assert AwardKind.BOSS not in {a.kind for a in reopened.awards}
    assert projection.agents[1].productivity == points - sum(
        a.points for a in outcome.awards if a.kind != AwardKind.BOSS and a.domain == Domain.PRODUCTIVITY)
    projection.begin()
    projection.apply(started(projection.boss, 90, health=2))
    projection.rollback()  # a rolled-back start leaves the won fight as it was
    assert projection.boss.fight is not None and projection.boss.fight.outcome == VICTORY
    assert 'everyone who resolved a conversation during the fight' in facts(AwardKind.BOSS.value, 'resolved', {}, AT)[0]
