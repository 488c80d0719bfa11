"""Recurring quests (issue 15): a daily or weekly quest is a new round each period from its start, each round
counted and rewarded on its own, its history kept; an edit or a start-up feeds it from its current round only."""
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.events import EventKind, GameEvent
from services.domain.quests import (
    UNTIL_ENDED,
    QuestBoard,
    QuestDefinition,
    QuestError,
    QuestScope,
    QuestTracker,
    Repeat,
    completion_key,
    logged_key,
    quest_bars,
    quest_from_dict,
)
from tests.unit.test_quests import MONDAY, Log, edit, social_quest


def daily(**changes: object) -> QuestDefinition:
    return social_quest(**{'key': 'daily', 'title': 'Two social a day', 'target': 2, 'repeat': Repeat.DAILY,
                           'ends_at': UNTIL_ENDED, **changes})


def test_a_daily_quest_is_a_new_round_each_day_each_rewarded_once() -> None:
    quest = daily()
    assert [quest.round_at(MONDAY + timedelta(hours=h)) for h in (0, 23, 24, 49)] == [0, 0, 1, 2]
    assert quest.round_at(MONDAY - timedelta(seconds=1)) is None
    assert quest.round_span(2) == (MONDAY + timedelta(days=2), MONDAY + timedelta(days=3))
    board, log = QuestBoard([quest]), Log()
    found = board.feed_all([log.add(EventKind.RESOLVED, 1, channel='social', at=timedelta(hours=h))
                            for h in (1, 2, 3, 25, 49, 50)])
    # day 1: two (a third adds nothing); day 2: one, not enough (the first day's count does not carry over); day 3: two
    assert [(c.round, c.value, c.key) for c in found] == [(0, 2, 'quest:daily:agent:1:round:0'),
                                                          (2, 2, 'quest:daily:agent:1:round:2')]
    assert logged_key(found[1].as_data()) == found[1].key
    progress = board.progress('daily', 1, MONDAY + timedelta(days=1, hours=5))
    assert (progress.round, progress.value, progress.completed) == (1, 1, False)  # yesterday's rounds stand apart
    assert board.progress('daily', 1, MONDAY + timedelta(days=3)).value == 0  # a new day starts at nothing


def test_a_weekly_quest_and_a_team_mission_repeat_on_their_own() -> None:
    mission = social_quest(key='team', target=3, scope=QuestScope.TEAM, repeat=Repeat.WEEKLY,
                           ends_at=MONDAY + timedelta(days=15))  # ended by a lead in the middle of its third week
    assert mission.round_span(2) == (MONDAY + timedelta(days=14), MONDAY + timedelta(days=15))
    board, log = QuestBoard([mission], team_of={1: 10, 2: 10}), Log()
    events = [log.add(EventKind.RESOLVED, agent, channel='social', at=timedelta(days=day))
              for agent, day in ((1, 0), (2, 1), (1, 6), (2, 7), (1, 8), (2, 13), (1, 14), (2, 14), (1, 14.5))]
    assert [(c.round, c.holder, c.agent_ids) for c in board.feed_all(events)] == [
        (0, 10, (1, 2)), (1, 10, (1, 2)), (2, 10, (1, 2))]
    assert board.feed(log.add(EventKind.RESOLVED, 1, channel='social', at=timedelta(days=15))) == []  # over


def test_a_quest_that_does_not_repeat_keeps_its_key() -> None:
    found = QuestBoard([social_quest(target=1)]).feed(Log().add(EventKind.RESOLVED, 1, channel='social'))
    assert (found[0].round, found[0].key) == (None, 'quest:social:agent:1')  # as logged before rounds existed
    assert completion_key('social', QuestScope.INDIVIDUAL, 1) == 'quest:social:agent:1'
    assert social_quest().counted_from(MONDAY + timedelta(days=3)) == MONDAY


def test_an_edit_of_a_recurring_quest_counts_from_its_current_round_only() -> None:
    log, tracker = Log(), QuestTracker()
    first = edit(log, daily(), at=timedelta(minutes=1))
    tracker.redefine(first, [])
    for hours in (1, 2, 25):  # day 1 completed; day 2 one of two
        tracker.apply(log.add(EventKind.RESOLVED, 1, channel='social', at=timedelta(hours=hours)))
    lowered = edit(log, daily(target=1), at=timedelta(days=1, hours=2))
    again = tracker.redefine(lowered, log.events)
    # the lower target completes today's round at once; yesterday's stands (completed once, not again)
    assert [(c.round, c.value) for c in again] == [(1, 1)]
    assert tracker.board.progress('daily', 1, MONDAY + timedelta(days=1, hours=3)).completed


def test_a_recurring_quest_is_read_back_and_refused_when_invalid() -> None:
    quest = daily()
    assert quest_from_dict(quest.as_dict()) == quest
    legacy = {key: value for key, value in social_quest().as_dict().items() if key != 'repeat'}
    assert quest_from_dict(legacy).repeat == Repeat.NONE  # definitions logged before rounds existed
    with pytest.raises(QuestError, match='repeat'):
        social_quest(repeat='hourly')


def test_a_recurring_quests_bar_shows_the_rounds_end() -> None:
    board = QuestBoard([daily()])
    now = MONDAY + timedelta(days=4, hours=20)
    bar, = quest_bars(board.progress_for(1, now), now)
    assert (bar.ends_at, bar.time_left, bar.repeat) == (MONDAY + timedelta(days=5), '4 h left', 'daily')


@given(st.lists(st.tuples(st.integers(1, 3), st.integers(0, 24 * 20)), max_size=60),
       st.sampled_from([Repeat.DAILY, Repeat.WEEKLY]), st.integers(1, 4))
def test_rounds_complete_exactly_when_a_rounds_count_reaches_the_target(
        resolutions: list[tuple[int, int]], repeat: Repeat, target: int) -> None:
    """Against a direct count: each (agent, round) with at least ``target`` resolutions is completed once, by the
    event that reached it, whatever the order the hours come in; feeding in two halves finds the same."""
    quest = daily(repeat=repeat, target=target)
    length = 24 if repeat == Repeat.DAILY else 24 * 7
    events = [GameEvent(id=index + 1, key=str(index), kind=EventKind.RESOLVED, agent_id=agent, conversation_id=index,
                        occurred_at=MONDAY + timedelta(hours=hour), data={'channel': 'social'})
              for index, (agent, hour) in enumerate(resolutions)]
    counts: dict[tuple[int, int], list[int]] = {}
    for event in events:
        counts.setdefault((event.agent_id or 0, (event.occurred_at - MONDAY) // timedelta(hours=length)), []) \
            .append(event.id)
    expected = sorted((agent, number, ids[target - 1]) for (agent, number), ids in counts.items() if len(ids) >= target)
    found = QuestBoard([quest]).feed_all(events)
    assert sorted((c.holder, c.round, c.event_id) for c in found) == expected
    assert len({c.key for c in found}) == len(found)  # one key per round and agent
    halves = QuestBoard([quest])
    assert halves.feed_all(events[:len(events) // 2]) + halves.feed_all(events[len(events) // 2:]) == found

