"""Quests and team missions: filters, periods, shared team progress, completion once, validation."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.badges import Aggregation, BadgeBoard, BadgeDefinition, BadgeError, BadgeKind, Metric
from services.domain.events import EventKind, GameEvent
from services.domain.quests import (
    Preset,
    QuestBoard,
    QuestCompletion,
    QuestDefinition,
    QuestError,
    QuestScope,
    QuestTracker,
    completion_key,
    period,
    quest_bars,
    quest_from_dict,
    quest_metric,
    time_left,
)
from services.domain.receipts import describe, facts
from services.domain.scoring import Award, AwardKind, Domain, capped, quest_awards

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)
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
    assert board.feed(third) == [QuestCompletion(
        quest='social', title='Resolve 3 social tickets this week', scope=QuestScope.INDIVIDUAL, holder=1,
        agent_ids=(1,), team_id=None, event_id=third.id, conversation_id=1, by=1, at=third.occurred_at, value=3,
        target=3, points=50, domain=Domain.PRODUCTIVITY, badge=None)]
    assert QuestBoard([social_quest()]).feed_all(log.events)[0].key == 'quest:social:agent:1'
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
    assert board.feed(last) == [QuestCompletion(
        quest='wow', title='10 happy customers together', scope=QuestScope.TEAM, holder=10, agent_ids=(1, 2),
        team_id=10, event_id=last.id, conversation_id=1, by=1, at=last.occurred_at, value=3, target=3, points=20,
        domain=Domain.QUALITY, badge='team_spirit')]
    assert board.feed(last) == [] and completion_key('wow', QuestScope.TEAM, 10) == 'quest:wow:team:10'
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
    ({'aggregation': 'average'}, "A quest counts or sums, it cannot take the aggregation 'average'"),
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
    with pytest.raises(BadgeError, match="Events 'rated' have no field 'priority' to filter on"):
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


def edit(log: Log, *quests: QuestDefinition, at: timedelta = timedelta(hours=2)) -> GameEvent:
    return log.add(EventKind.QUESTS_CHANGED, 0, at=at, quests=[quest.as_dict() for quest in quests])


def test_an_edit_feeds_new_and_edited_quests_again_and_keeps_what_was_completed() -> None:
    log = Log()
    tracker = QuestTracker()
    first = edit(log, social_quest(target=2), at=timedelta(minutes=1))
    assert [q.key for q in tracker.to_feed(first)] == ['social']
    assert tracker.redefine(first, []) == []
    found = [c for event in [log.add(EventKind.RESOLVED, 1, channel='social') for _ in range(2)]
             + [log.add(EventKind.RESOLVED, 2, channel='social')] for c in tracker.apply(event)]
    assert [(c.holder, c.value) for c in found] == [(1, 2)]
    # a higher target does not complete agent 1 twice; a new quest counts what happened before it was made
    lowered = edit(log, social_quest(target=3), social_quest(key='any', target=1,
                                                             metric=quest_metric(EventKind.RESOLVED)))
    assert [q.key for q in tracker.to_feed(lowered)] == ['social', 'any']
    again = tracker.redefine(lowered, log.events)
    assert sorted((c.quest, c.holder) for c in again) == [('any', 1), ('any', 2)]
    assert tracker.board.progress('social', 1).completed and tracker.board.progress('social', 1).value == 2
    assert [c.holder for c in tracker.apply(log.add(EventKind.RESOLVED, 2, channel='social'))] == []  # 2 of 3
    # an unchanged quest keeps its counts without the log; a quest over at the edit's time is dropped
    ended = edit(log, social_quest(target=3), social_quest(key='any', target=1, ends_at=MONDAY + timedelta(hours=1),
                                                           metric=quest_metric(EventKind.RESOLVED)))
    assert tracker.to_feed(ended) == []
    assert tracker.redefine(ended, []) == []
    assert list(tracker.board.quests) == ['social'] and tracker.board.progress('social', 2).value == 2
    assert [c.holder for c in tracker.apply(log.add(EventKind.RESOLVED, 2, channel='social'))] == [2]


def test_a_completion_recorded_before_counts_as_done() -> None:
    log = Log()
    tracker = QuestTracker([social_quest(target=1)])
    tracker.mark_done('social', 'individual', 1)
    tracker.mark_done('social', 'team', 2)  # another scope: not this quest's holder
    assert tracker.apply(log.add(EventKind.RESOLVED, 1, channel='social')) == []
    assert [c.holder for c in tracker.apply(log.add(EventKind.RESOLVED, 2, channel='social'))] == [2]


@pytest.mark.parametrize(('preset', 'first', 'after'), [
    (Preset.TODAY, datetime(2026, 11, 18), datetime(2026, 11, 19)),
    (Preset.THIS_WEEK, datetime(2026, 11, 16), datetime(2026, 11, 23)),
    (Preset.THIS_MONTH, datetime(2026, 11, 1), datetime(2026, 12, 1)),
])
def test_periods_are_whole_utc_days(preset: Preset, first: datetime, after: datetime) -> None:
    now = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
    assert period(preset, now) == (first.replace(tzinfo=UTC), after.replace(tzinfo=UTC))


def test_custom_periods_include_their_last_day_and_are_checked() -> None:
    now = datetime(2026, 11, 18, tzinfo=UTC)
    assert period('custom', now, first_day=MONDAY.date(), last_day=MONDAY.date()) == (MONDAY,
                                                                                       MONDAY + timedelta(days=1))
    with pytest.raises(QuestError, match='first and last day'):
        period('custom', now)
    with pytest.raises(QuestError, match='The last day comes after the first'):
        period('custom', now, first_day=MONDAY.date(), last_day=MONDAY.date() - timedelta(days=1))
    with pytest.raises(BadgeError, match="Unknown period 'fortnight'"):
        period('fortnight', now)


def test_bars_say_what_is_left_and_what_it_brings() -> None:
    mission = social_quest(scope=QuestScope.TEAM, reward_badge='team_spirit', description='Together!')
    board = QuestBoard([mission, social_quest(key='solo', reward_points=0, reward_badge='x')], team_of={1: 10})
    board.feed(Log().add(EventKind.RESOLVED, 1, channel='social'))
    bars = quest_bars(board.progress_for(1, MONDAY + timedelta(days=5)), MONDAY + timedelta(days=5))
    assert [(b.title, b.value, b.target, b.team, b.done, b.time_left, b.reward) for b in bars] == [
        ('Resolve 3 social tickets this week', 1, 3, True, False, '2 days left', '+50 productivity and a badge'),
        ('Resolve 3 social tickets this week', 1, 3, False, False, '2 days left', 'a badge')]
    assert (time_left(timedelta(days=3, hours=5)), time_left(timedelta(minutes=90)),
            time_left(timedelta(seconds=20))) == ('3 days left', '1 h left', '1 min left')


def test_a_completion_event_rewards_every_agent_it_names() -> None:
    completion = QuestCompletion(quest='wow', title='Wow', scope=QuestScope.TEAM, holder=10, agent_ids=(1, 2),
                                 team_id=10, event_id=5, conversation_id=7, by=1, at=MONDAY, value=3, target=3,
                                 points=20, domain=Domain.QUALITY, badge=None)
    event = GameEvent(id=6, key=completion.key, kind=EventKind.QUEST_COMPLETED, occurred_at=MONDAY,
                      data=completion.as_data())
    awards = quest_awards(event)
    assert [(a.agent_id, a.points, a.domain, a.kind, a.reason) for a in awards] == [
        (agent_id, 20, Domain.QUALITY, AwardKind.QUEST, "quest 'Wow' completed") for agent_id in (1, 2)]
    assert quest_awards(replace(event, data={**event.data, 'points': 0})) == []


def test_a_quest_receipt_says_which_event_completed_it() -> None:
    data = {'title': 'Resolve 25 social tickets this week', 'value': 25, 'target': 25, 'conversation_id': 123,
            'event_id': 9, 'team_id': None}
    assert facts('quest', 'quest_completed', data, MONDAY) == [
        "Completed 'Resolve 25 social tickets this week': 25 of 25, the 25th was #123."]
    team = {**data, 'title': 'Write 1000 characters', 'value': 1042.0, 'target': 1000, 'team_id': 4,
            'conversation_id': None}
    assert facts('quest', 'quest_completed', team, MONDAY) == [
        "Completed 'Write 1000 characters', together as a team: 1042 of 1000, the last was event 9."]
    assert facts('quest', 'quest_completed', {**data, 'value': 22, 'target': 22}, MONDAY)[0].endswith(
        'the 22nd was #123.')
    assert describe('quest_completed', team, '') == "The team completed 'Write 1000 characters'"


def test_an_awarded_badge_is_held_for_good_by_the_agents_a_quest_names() -> None:
    awarded = BadgeDefinition(key='star', name='Star', description='A quest done', image='badges/star.svg',
                              kind=BadgeKind.AWARDED, metric=Metric(kind=EventKind.RESOLVED))
    assert awarded.metric is None  # nothing to measure: quests give it
    board = BadgeBoard([awarded])
    log = Log()
    completed = log.add(EventKind.QUEST_COMPLETED, 0, badge='star', agent_ids=[1, 2])
    changes = board.apply(replace(completed, agent_id=None))
    assert [(c.badge, c.agent_id, c.gained) for c in changes] == [('star', 1, True), ('star', 2, True)]
    assert board.advance(MONDAY + timedelta(days=30)) == []  # windows move on; the badge stays
    later = BadgeBoard([awarded])  # a board rebuilt from the last days takes the holders over
    later.current = dict(board.current)
    assert later.holders(MONDAY + timedelta(days=60))['star'] == frozenset({1, 2})


def test_work_a_cap_took_the_points_of_counts_for_no_quest() -> None:
    board = QuestBoard([social_quest(target=2)])
    log = Log()
    assert board.feed(log.add(EventKind.RESOLVED, 1, channel='social')) == []
    past_limit = log.add(EventKind.RESOLVED, 1, channel='social')
    assert board.feed(past_limit, capped=True) == []
    assert board.progress('social', 1).value == 1
    assert board.feed(past_limit) == []  # seen: fed again uncapped, it still counts nothing
    [completion] = board.feed(log.add(EventKind.RESOLVED, 1, channel='social'))
    assert completion.value == 2
    wellbeing = Award(agent_id=1, points=0, domain=Domain.PRODUCTIVITY, kind=AwardKind.WELLBEING, reason='past')
    low_value = replace(wellbeing, kind=AwardKind.LOW_VALUE_CAP)
    note = replace(wellbeing, points=3, kind=AwardKind.NOTE)
    assert capped([wellbeing]) and capped([low_value]) and not capped([note]) and not capped([])
