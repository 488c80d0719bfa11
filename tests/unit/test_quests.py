"""Quests and team missions: filters, periods, shared team progress, completion once, validation."""
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.badges import Aggregation, BadgeError, Metric
from services.events import EventKind, GameEvent
from services.quests import (QuestBoard, QuestCompletion, QuestDefinition, QuestError, QuestScope, quest_from_dict,
                             quest_metric)
from services.scoring import Domain

MONDAY = datetime(2026, 11, 16, tzinfo=timezone.utc)
WEEK = {'starts_at': MONDAY, 'ends_at': MONDAY + timedelta(days=7)}


def social_quest(**changes: Any) -> QuestDefinition:
    fields = {'key': 'social', 'title': 'Resolve 3 social tickets this week', 'target': 3, 'reward_points': 50,
              'metric': quest_metric(EventKind.RESOLVED, channel='social'), **WEEK, **changes}
    return QuestDefinition(**fields)


class Log:
    def __init__(self) -> None:
        self.events: list[GameEvent] = []

    def add(self, kind: EventKind, agent_id: int, at: timedelta = timedelta(hours=1), conversation_id: int = 1,
            **data: Any) -> GameEvent:
        event = GameEvent(id=len(self.events) + 1, key=str(len(self.events) + 1), kind=kind, occurred_at=MONDAY + at,
                          agent_id=agent_id, conversation_id=conversation_id, data=data)
        self.events.append(event)
        return event


def test_an_individual_quest_completes_once_per_agent() -> None:
    board = QuestBoard([social_quest()])
    log = Log()
    assert board.feed(log.add(EventKind.RESOLVED, 1, channel='social')) == []
    assert board.feed(log.add(EventKind.RESOLVED, 1, channel='email')) == []  # another channel
    assert board.feed(log.add(EventKind.RESOLVED, 1, at=timedelta(days=8), channel='social')) == []  # after the week
    assert board.feed(log.add(EventKind.RESOLVED, 1, at=-timedelta(hours=1), channel='social')) == []  # before it
    assert board.feed(log.add(EventKind.RESOLVED, 2, channel='social')) == []
    assert board.feed(log.add(EventKind.RESOLVED, 1, channel='social')) == []
    third = log.add(EventKind.RESOLVED, 1, at=timedelta(hours=5), channel='social')
    assert board.feed(third) == [QuestCompletion(quest='social', agent_ids=(1,), team_id=None, event_id=third.id,
                                                 at=third.occurred_at, points=50, domain=Domain.PRODUCTIVITY,
                                                 badge=None)]
    assert board.feed(third) == []  # the same event again
    assert board.feed(log.add(EventKind.RESOLVED, 1, channel='social')) == []  # completed already
    progress = board.progress('social', 1)
    assert (progress.value, progress.share, progress.completed) == (4, 1.0, True)
    progress = board.progress('social', 2)
    assert (progress.value, progress.share, progress.completed) == (1, pytest.approx(1 / 3), False)
    assert board.progress('social', 99).value == 0


def test_a_team_mission_shares_progress_and_rewards_the_whole_team() -> None:
    team_of = {1: 10, 2: 10, 3: 11, 4: None}
    mission = QuestDefinition(key='wow', title='10 happy customers together', scope=QuestScope.TEAM, target=3,
                              metric=quest_metric(EventKind.RATED, rating='good'), reward_points=20,
                              reward_domain=Domain.QUALITY, reward_badge='team_spirit', **WEEK)
    board = QuestBoard([mission], team_of=team_of)
    log = Log()
    completions = board.feed_all([log.add(EventKind.RATED, agent_id, rating=rating) for agent_id, rating in
                                  ((1, 'good'), (3, 'good'), (4, 'good'), (2, 'bad'), (2, 'good'))])
    assert completions == []
    assert board.progress('wow', 2).value == 2 and board.progress('wow', 2).team_id == 10
    assert board.progress('wow', 3).value == 1
    assert board.progress('wow', 4).value == 0  # no team: no part in team missions
    last = log.add(EventKind.RATED, 1, rating='good')
    assert board.feed(last) == [QuestCompletion(quest='wow', agent_ids=(1, 2), team_id=10, event_id=last.id,
                                                at=last.occurred_at, points=20, domain=Domain.QUALITY,
                                                badge='team_spirit')]
    assert board.progress('wow', 1).completed and not board.progress('wow', 3).completed
    assert [p.quest.key for p in board.progress_for(1, MONDAY + timedelta(days=1))] == ['wow']
    assert board.progress_for(4, MONDAY + timedelta(days=1)) == []
    assert board.progress_for(1, MONDAY + timedelta(days=7)) == []  # over


def test_tag_priority_sum_and_distinct_conversations() -> None:
    quests = [
        social_quest(key='vip', target=2, metric=quest_metric(EventKind.RESOLVED, tag='vip', priority='high')),
        social_quest(key='tagging', target=2, metric=quest_metric(EventKind.TAGGED, tag='refund')),
        social_quest(key='writer', target=100, aggregation=Aggregation.SUM,
                     metric=Metric(kind=EventKind.REPLIED, value='length')),
        social_quest(key='many', target=2, metric=Metric(kind=EventKind.REPLIED, value='conversation')),
    ]
    board = QuestBoard(quests)
    log = Log()
    board.feed_all([log.add(EventKind.RESOLVED, 1, priority='high', tags=['vip', 'billing']),
                    log.add(EventKind.RESOLVED, 1, priority='low', tags=['vip']),
                    log.add(EventKind.RESOLVED, 1, priority='high', tags=['billing']),
                    log.add(EventKind.TAGGED, 1, tag='refund'), log.add(EventKind.TAGGED, 1, tag='vip'),
                    log.add(EventKind.REPLIED, 1, conversation_id=7, length=60),
                    log.add(EventKind.REPLIED, 1, conversation_id=7, length=30)])
    assert {key: board.progress(key, 1).value for key in board.quests} == {'vip': 1, 'tagging': 1, 'writer': 90,
                                                                           'many': 1}
    completed = board.feed_all([log.add(EventKind.RESOLVED, 1, priority='high', tags=['vip']),
                                log.add(EventKind.TAGGED, 1, tag='refund'),
                                log.add(EventKind.REPLIED, 1, conversation_id=8, length=10)])
    assert [completion.quest for completion in completed] == ['vip', 'tagging', 'writer', 'many']


@pytest.mark.parametrize(('changes', 'message'), [
    ({'target': 0}, 'The target is at least 1'),
    ({'ends_at': MONDAY}, 'The quest must end after it starts'),
    ({'starts_at': datetime(2026, 11, 16)}, 'The period needs times with a time zone'),
    ({'reward_points': 0}, 'A quest needs a reward: points, a badge or both'),
    ({'reward_points': -5}, 'A reward cannot take points away'),
    ({'aggregation': 'average'}, 'A quest counts or sums, it cannot take the average'),
    ({'aggregation': 'mean'}, "Unknown aggregation 'mean' (known: count, sum, average, max, min)"),
    ({'scope': 'floor'}, "Unknown scope 'floor' (known: individual, team)"),
    ({'reward_domain': 'luck'}, "Unknown reward domain 'luck' (known: quality, speed, productivity)"),
    ({'title': ''}, 'A quest needs a key and a title'),
])
def test_invalid_quests_are_refused_with_a_message(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(QuestError) as error:
        social_quest(**changes)
    assert str(error.value).startswith(message)


def test_filters_the_event_does_not_carry_are_refused() -> None:
    with pytest.raises(BadgeError, match="Rated events have no field 'priority' to filter on"):
        quest_metric(EventKind.RATED, priority='high')
    with pytest.raises(BadgeError, match="Unknown event kind 'solved'"):
        quest_metric('solved')


def test_a_board_refuses_two_quests_with_one_key() -> None:
    with pytest.raises(QuestError, match='Two quests have the same key'):
        QuestBoard([social_quest(), social_quest(title='Again')])


def test_quests_round_trip_through_dicts() -> None:
    quest = social_quest(scope=QuestScope.TEAM, reward_badge='x', metric=quest_metric('resolved', tag='vip'))
    assert quest_from_dict(quest.as_dict()) == quest


@given(st.lists(st.tuples(st.integers(1, 3), st.sampled_from(['social', 'email'])), max_size=30),
       st.integers(1, 5), st.integers(0, 30))
def test_completion_is_the_target_th_matching_event_and_only_once(raw: list, target: int, split: int) -> None:
    log = Log()
    events = [log.add(EventKind.RESOLVED, agent_id, channel=channel) for agent_id, channel in raw]
    quest = social_quest(target=target)
    at_once = QuestBoard([quest]).feed_all(events)
    halves = QuestBoard([quest])
    in_halves = halves.feed_all(events[:split]) + halves.feed_all(events[:split + 3]) + halves.feed_all(events)
    assert in_halves == at_once  # replays of passed events change nothing
    expected = []
    for agent_id in (1, 2, 3):
        matching = [e for e in events if e.agent_id == agent_id and e.data['channel'] == 'social']
        if len(matching) >= target:
            expected.append((matching[target - 1].id, agent_id))
    assert sorted((c.event_id, c.agent_ids[0]) for c in at_once) == sorted(expected)
