"""What-if (issue 18): the rules document and the replay of a period under a draft, both pure."""
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from main import describe_what_if
from services.domain.badges import DEFAULT_BADGES, BadgeDefinition, BadgeKind
from services.domain.business_hours import parse_calendar
from services.domain.events import EventKind, GameEvent
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.levels import DEFAULT_LEVELS, Level
from services.domain.projection import GameProjection
from services.domain.quests import QuestDefinition, quest_metric
from services.domain.scoring import ScoringPolicy, policy_as_dict
from services.domain.whatif import (
    PROGRESS_EVERY,
    Cancelled,
    FloorAgent,
    RulesError,
    RuleSet,
    rules_as_document,
    rules_from_document,
    what_if,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FLOOR = (FloorAgent(id=1, name='Ada', team_id=1), FloorAgent(id=2, name='Bob', team_id=1))


class Log:
    def __init__(self) -> None:
        self.events: list[GameEvent] = []

    def add(self, kind: EventKind, at: datetime, *, agent_id: int | None = None, conversation_id: int | None = None,
            data: dict[str, Any] | None = None) -> GameEvent:
        event = GameEvent(id=len(self.events) + 1, key=f'k{len(self.events) + 1}', kind=kind, occurred_at=at,
                          agent_id=agent_id, conversation_id=conversation_id, data=data or {})
        self.events.append(event)
        return event

    def resolve(self, agent_id: int, conversation_id: int, at: datetime, *, minutes: int = 30,
                inbound: int = 1) -> None:
        self.add(EventKind.RESOLVED, at, agent_id=agent_id, conversation_id=conversation_id,
                 data={'channel': 'chat', 'created_at': (at - timedelta(minutes=minutes)).isoformat(),
                       'sla_due_at': (at + timedelta(hours=8)).isoformat(), 'inbound_count': inbound})


def floor_log() -> Log:
    """Ada resolves fast, Bob slowly with first-contact resolutions; some of it 40 days ago, some last week."""
    log = Log()
    conversation = 0
    for days_ago in (40, 39, 5, 4, 3):
        at = NOW - timedelta(days=days_ago)
        for n in range(3):
            conversation += 1
            log.resolve(1, conversation, at + timedelta(minutes=n), minutes=20, inbound=2)
            conversation += 1
            log.resolve(2, conversation, at + timedelta(minutes=n + 5), minutes=120, inbound=1)
    log.add(EventKind.REOPENED, NOW - timedelta(days=2), agent_id=1, conversation_id=1,  # a resolution of before
            data={'reason': 'again'})
    return log


def test_the_live_rules_previewed_change_nothing_and_before_is_the_live_fold() -> None:
    log = floor_log()
    live = RuleSet()
    result = what_if(log.events, live=live, draft=live, floor=FLOOR, now=NOW, days=30)
    projection = GameProjection()
    projection.apply_all(log.events)
    for agent in result.agents:
        metrics = projection.agents[agent.id]
        assert agent.points_before == agent.points_after == metrics.points
        assert agent.points_by_domain_before == agent.points_by_domain_after == \
            {'quality': metrics.quality, 'speed': metrics.speed, 'productivity': metrics.productivity}
        assert agent.rank_before == agent.rank_after
    assert result.events == 19  # the three days of the period and the reopen
    assert not result.badges and not result.levels and not result.quests


def test_a_draft_rescores_the_period_only() -> None:
    log = floor_log()
    draft = RuleSet(policy=replace(ScoringPolicy(), fast_resolution=100))
    result = what_if(log.events, live=RuleSet(), draft=draft, floor=FLOOR, now=NOW, days=30)
    ada, bob = result.agents
    # nine fast resolutions in the period, each +90 more; the reopen takes back what the old rules gave (40 days ago)
    assert ada.points_by_domain_after['speed'] - ada.points_by_domain_before['speed'] == 9 * 90
    assert ada.points_after - ada.points_before == 9 * 90
    assert bob.points_after == bob.points_before  # never fast: unchanged
    assert ada.rank_after == {'all_time': 1, 'month': 1}
    assert result.most_affected() == [ada]
    document = result.as_dict()
    json.dumps(document)  # JSON-ready
    assert {'id', 'name', 'points_before', 'points_after', 'points_by_domain_before', 'points_by_domain_after',
            'rank_before', 'rank_after'} <= set(document['agents'][0])
    assert set(document['changes']) == {'badges', 'levels', 'quests'}


def test_a_draft_that_prices_notes_is_held_to_its_daily_cap_counting_the_day_already_earned() -> None:
    log = Log()
    live = RuleSet(policy=ScoringPolicy(note_points=4, low_value_daily_cap=10))
    period_starts = NOW - timedelta(days=4)
    for minute in range(3):  # just before the period, on its first day: 4 + 4 + 2 (the cap), as logged
        log.add(EventKind.NOTE_ADDED, period_starts - timedelta(hours=2, minutes=minute), agent_id=1,
                conversation_id=1)
    log.add(EventKind.NOTE_ADDED, period_starts + timedelta(hours=1), agent_id=1, conversation_id=1)  # live: capped
    for minute in range(6):  # later in the period: 4 + 4 + 2 live; the draft's 5 each, at most 12
        log.add(EventKind.NOTE_ADDED, NOW - timedelta(days=3, minutes=minute), agent_id=2, conversation_id=2)
    draft = RuleSet(policy=ScoringPolicy(note_points=5, low_value_daily_cap=12))
    result = what_if(log.events, live=live, draft=draft, floor=FLOOR, now=NOW, days=4, initial_policy=live.policy)
    ada, bob = result.agents
    assert (bob.points_before, bob.points_after) == (10, 12)
    # the day's 10 earned before the period count against the draft's cap: the note in the period earns 2, not 5
    assert (ada.points_before, ada.points_after) == (10, 12)


def test_edits_inside_the_period_are_replaced_by_the_draft() -> None:
    log = floor_log()
    edited = {**policy_as_dict(ScoringPolicy()), 'fast_resolution': 0}
    log.events.insert(18, GameEvent(id=0, key='edit', kind=EventKind.SCORING_CHANGED, occurred_at=NOW - timedelta(
        days=4, hours=1), data={'policy': edited}))
    log.events = [replace(event, id=position) for position, event in enumerate(log.events, 1)]
    result = what_if(log.events, live=RuleSet(), draft=RuleSet(), floor=FLOOR, now=NOW, days=30)
    ada = result.agents[0]
    assert ada.points_after - ada.points_before == 6 * 10  # the two days after the edit, scored by the draft's 10


def test_the_minimum_volume_of_the_draft_unranks() -> None:
    log = floor_log()
    log.resolve(2, 999, NOW - timedelta(hours=1))  # Bob: 10 resolutions this month, Ada 9 less a reopen of before
    draft = RuleSet(policy=replace(ScoringPolicy(), minimum_resolved=10))
    result = what_if(log.events, live=RuleSet(), draft=draft, floor=FLOOR, now=NOW, days=30)
    ada, bob = result.agents
    assert ada.rank_before['month'] is not None and ada.rank_after['month'] is None
    assert bob.rank_after['month'] == 1


def test_draft_levels_change_hands() -> None:
    log = floor_log()
    levels = (DEFAULT_LEVELS[0], Level(number=2, title='Easy', icon='egg', condition='resolved >= 5'))
    result = what_if(log.events, live=RuleSet(), draft=RuleSet(levels=levels), floor=FLOOR, now=NOW, days=30)
    # Bob (150 points) reaches level 2 by his resolutions; Ada was there already by her points
    assert result.levels == ({'agent_id': 2, 'name': 'Bob', 'before': 1, 'after': 2},)


def test_draft_incentive_and_quest() -> None:
    log = floor_log()
    double = Incentive(id=7, name='double chat', kind=IncentiveKind.MULTIPLIER, channel='chat',
                       starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30), multiplier=2.0)
    quest = QuestDefinition(key='five', title='Five resolutions', description='', target=5,
                            metric=quest_metric(EventKind.RESOLVED), starts_at=NOW - timedelta(days=10),
                            ends_at=NOW + timedelta(days=1), reward_points=50)
    draft = RuleSet(incentives=(double,), quests=(quest,))
    result = what_if(log.events, live=RuleSet(), draft=draft, floor=FLOOR, now=NOW, days=30)
    ada, bob = result.agents
    assert bob.points_after > bob.points_before and ada.points_after > ada.points_before
    assert {(change['quest'], change['title'], change['holder'], change['after']) for change in result.quests} == \
        {('five', 'Five resolutions', 1, True), ('five', 'Five resolutions', 2, True)}
    assert 'quest Five resolutions (individual 1): completed under the draft' in describe_what_if(result)


def test_progress_and_cancel() -> None:
    log = Log()
    for n in range(PROGRESS_EVERY + 5):
        log.add(EventKind.REPLIED, NOW - timedelta(days=1), agent_id=1, conversation_id=n, data={'length': 1})
    seen: list[int] = []
    what_if(log.events, live=RuleSet(), draft=RuleSet(), floor=FLOOR, now=NOW, days=7, progress=seen.append)
    assert seen == [PROGRESS_EVERY]

    def cancel(_: int) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        what_if(log.events, live=RuleSet(), draft=RuleSet(), floor=FLOOR, now=NOW, days=7, progress=cancel)


def test_the_document_round_trips() -> None:
    quest = QuestDefinition(key='q', title='Q', description='', target=3, metric=quest_metric(EventKind.RESOLVED),
                            starts_at=NOW, ends_at=NOW + timedelta(days=1), reward_points=5)
    incentive = Incentive(id=3, name='x', kind=IncentiveKind.BONUS, starts_on=date(2026, 11, 1),
                          ends_on=date(2026, 11, 2), bonus_points=5, beyond_per_hour=2)
    rules = RuleSet(policy=replace(ScoringPolicy(), happy_customer=12, minimum_resolved=3), quests=(quest,),
                    incentives=(incentive,))
    document = json.loads(json.dumps(rules_as_document(rules)))
    assert rules_from_document(document) == rules


@pytest.mark.parametrize(('change', 'message'), [
    (lambda d: d.pop('levels'), 'lacks: levels'),
    (lambda d: d.update(deskquest_rules=9), 'Not a DeskQuest rules document'),
    (lambda d: d['scoring'].update(fast_resolution=9999), 'scoring: Fast resolution'),
    (lambda d: d['levels'][1].update(condition='points >>= 3'), 'levels:'),
    (lambda d: d['levels'].pop(1), 'without gaps'),
    (lambda d: d['badges'][0].update(minimum_volume=0), 'badges #1: The minimum volume'),
    (lambda d: d['badges'].append(d['badges'][0]), 'badges: two have the same key'),
    (lambda d: d.update(quests=[{'key': 'x'}]), 'quests #1:'),
    (lambda d: d.update(incentives='no'), 'incentives: a list of objects'),
])
def test_a_bad_document_is_refused_in_one_line(change: Any, message: str) -> None:
    document = rules_as_document(RuleSet())
    change(document)
    with pytest.raises(RulesError, match=message) as refused:
        rules_from_document(document)
    assert '\n' not in str(refused.value)


def test_not_an_object_is_refused() -> None:
    with pytest.raises(RulesError, match='JSON object'):
        rules_from_document([1, 2])


def test_a_draft_quest_gives_its_awarded_badge() -> None:
    awarded = BadgeDefinition(key='finisher', name='Finisher', description='', image='badges/coffee.svg',
                              kind=BadgeKind.AWARDED)
    quest = QuestDefinition(key='three', title='Three', description='', target=3,
                            metric=quest_metric(EventKind.RESOLVED), starts_at=NOW - timedelta(days=4),
                            ends_at=NOW, reward_badge='finisher')
    live = RuleSet(badges=(*DEFAULT_BADGES, awarded))
    result = what_if(floor_log().events, live=live, draft=replace(live, quests=(quest,)), floor=FLOOR, now=NOW,
                     days=30)
    assert [(change['badge'], change['gained_by'], change['lost_by']) for change in result.badges] == \
        [('finisher', [1, 2], [])]


@settings(max_examples=40, deadline=None)
@example(steps=[('resolve', 1, 1, 1441)], days=1)  # a badge window reaching back past the period's start
@given(st.lists(st.tuples(st.sampled_from(['resolve', 'reopen', 'good', 'bad', 'reply']), st.integers(1, 2),
                          st.integers(1, 6), st.integers(0, 60 * 24 * 60)), max_size=60),
       st.integers(1, 90))
def test_the_live_rules_previewed_change_nothing_whatever_the_log(steps: list[tuple[str, int, int, int]],
                                                                  days: int) -> None:
    log = Log()
    for action, agent_id, conversation, minutes_ago in sorted(steps, key=lambda step: -step[3]):
        at = NOW - timedelta(minutes=minutes_ago)
        if action == 'resolve':
            log.resolve(agent_id, conversation, at, minutes=minutes_ago % 200)
        elif action == 'reopen':
            log.add(EventKind.REOPENED, at, agent_id=agent_id, conversation_id=conversation, data={'reason': 'x'})
        elif action == 'reply':
            log.add(EventKind.REPLIED, at, agent_id=agent_id, conversation_id=conversation, data={'length': 3})
        else:
            log.add(EventKind.RATED, at, agent_id=agent_id, conversation_id=conversation,
                    data={'rating': action, 'comment': ''})
    result = what_if(log.events, live=RuleSet(), draft=RuleSet(), floor=FLOOR, now=NOW, days=days)
    for agent in result.agents:
        assert (agent.points_after, agent.points_by_domain_after, agent.rank_after, agent.level_after) == \
            (agent.points_before, agent.points_by_domain_before, agent.rank_before, agent.level_before)
    assert not (result.badges or result.levels or result.quests)


def test_a_draft_of_working_hours_replays_the_period_in_them() -> None:
    # Ada resolves a conversation written in on Friday 16:50 on Monday 09:20 (a 1-hour SLA): late on the wall clock;
    # a draft giving team 1 office hours makes it fast and on time (30 min of working hours); the live log's own edit
    # of the hours, inside the period, gives way to the draft
    log = Log()
    log.add(EventKind.WORKING_HOURS_CHANGED, NOW - timedelta(days=20), agent_id=9,
            data={'team_id': 1, 'team': 'Aurora', 'calendar': None, 'by': 9})
    created, resolved = datetime(2026, 11, 20, 16, 50, tzinfo=UTC), datetime(2026, 11, 23, 9, 20, tzinfo=UTC)
    log.add(EventKind.RESOLVED, resolved, agent_id=1, conversation_id=1,
            data={'channel': 'email', 'created_at': created.isoformat(), 'inbound_count': 2, 'team_id': 1,
                  'sla_due_at': (created + timedelta(hours=1)).isoformat()})
    office = parse_calendar('Mon-Fri 09:00-17:00', zone='UTC')
    assert office is not None
    draft = RuleSet(working_hours={1: office})
    result = what_if(log.events, live=RuleSet(), draft=draft, floor=FLOOR, now=NOW, days=30)
    ada = next(agent for agent in result.agents if agent.id == 1)
    policy = ScoringPolicy()
    assert ada.points_before == policy.late_resolution
    assert ada.points_after == policy.fast_resolution + policy.on_time_resolution
    document = json.loads(json.dumps(rules_as_document(draft)))
    assert document['working_hours'] == [{'team_id': 1, 'zone': 'UTC', 'hours': 'Mon-Fri 09:00-17:00'}]
    assert rules_from_document(document) == draft
    assert rules_from_document(rules_as_document(RuleSet())).working_hours is None  # no part: the log's hours
    for rows, message in (([{'team_id': 1, 'zone': 'Mars/Olympus', 'hours': ''}], 'is not a time zone'),
                          ([{'team_id': 1, 'zone': 'UTC', 'hours': 'Mon 10:00-09:00'}], 'ends before it starts'),
                          ([{'team_id': 1, 'hours': ''}, {'team_id': 1, 'hours': ''}], 'once each')):
        with pytest.raises(RulesError, match=message):
            rules_from_document(rules_as_document(RuleSet()) | {'working_hours': rows})
