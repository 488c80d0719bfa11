"""The game projection: a deterministic fold of the event log into metrics, awards and levels."""
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.events import Channel, EventKind, GameEvent, Rating
from services.domain.levels import Level, level_after
from services.domain.projection import AgentMetrics, BoundedResolutions, GameProjection, LevelUp
from services.domain.scoring import FAIR_PLAY_OFF, AwardKind, Domain, ScoringPolicy

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
LEVELS = (Level(number=1, title='Novice', icon='spa'),  # a low table of our own: the presets' thresholds are tuning
          Level(number=2, title='Rookie', icon='egg', minimums={'points': 50}),
          Level(number=3, title='Apprentice', icon='menu_book', minimums={'points': 150, 'resolved': 10}))


class Log:
    """Builds a sequence of events with increasing ids and times, as the event log would hold them."""

    def __init__(self) -> None:
        self.events: list[GameEvent] = []

    def add(self, kind: EventKind, *, agent_id: int | None, conversation_id: int | None,
            data: dict[str, Any] | None = None, at: timedelta | None = None) -> GameEvent:
        event_id = len(self.events) + 1
        occurred_at = START + (at if at is not None else timedelta(minutes=event_id))
        event = GameEvent(id=event_id, key=f'{kind.value}:{event_id}', kind=kind, occurred_at=occurred_at,
                          agent_id=agent_id, conversation_id=conversation_id, data=data or {})
        self.events.append(event)
        return event

    def reply(self, agent_id: int, conversation_id: int, **kwargs: Any) -> GameEvent:
        return self.add(EventKind.REPLIED, agent_id=agent_id, conversation_id=conversation_id,
                        data={'length': 10, 'canned': None, 'channel': 'email'}, **kwargs)

    def resolve(self, agent_id: int, conversation_id: int, *, at: timedelta, channel: Channel = Channel.CHAT,
                sla: timedelta = timedelta(hours=8), inbound_count: int = 1) -> GameEvent:
        """Resolve a conversation created at START, ``at`` after it was created."""
        return self.add(EventKind.RESOLVED, agent_id=agent_id, conversation_id=conversation_id, at=at,
                        data={'channel': channel.value, 'created_at': START.isoformat(),
                              'sla_due_at': (START + sla).isoformat(), 'inbound_count': inbound_count})

    def rate(self, agent_id: int | None, conversation_id: int, rating: Rating, **kwargs: Any) -> GameEvent:
        return self.add(EventKind.RATED, agent_id=agent_id, conversation_id=conversation_id,
                        data={'rating': rating.value, 'comment': ''}, **kwargs)

    def reopen(self, agent_id: int | None, conversation_id: int, **kwargs: Any) -> GameEvent:
        return self.add(EventKind.REOPENED, agent_id=agent_id, conversation_id=conversation_id,
                        data={'reason': 'customer wrote again'}, **kwargs)


def test_resolve_rate_reopen_resolve_again() -> None:
    log = Log()
    log.reply(1, 5, at=timedelta(minutes=5))
    log.resolve(1, 5, at=timedelta(minutes=30))
    log.rate(1, 5, Rating.GOOD, at=timedelta(minutes=40))
    log.reopen(1, 5, at=timedelta(minutes=50))
    log.resolve(1, 5, at=timedelta(hours=2))
    projection = GameProjection(policy=FAIR_PLAY_OFF, levels=LEVELS)
    outcomes = projection.apply_all(log.events)

    assert [[(award.points, award.kind) for award in outcome.awards] for outcome in outcomes] == [
        [],
        [(10, AwardKind.FAST_RESOLUTION), (5, AwardKind.ON_TIME_RESOLUTION), (5, AwardKind.FIRST_CONTACT)],
        [(10, AwardKind.HAPPY_CUSTOMER)],
        [(-10, AwardKind.CLAWBACK), (-5, AwardKind.CLAWBACK), (-5, AwardKind.CLAWBACK)],
        [(5, AwardKind.ON_TIME_RESOLUTION), (5, AwardKind.FIRST_CONTACT)],  # two hours after creation: not fast
    ]
    assert [award.reason for award in outcomes[3].awards] == [
        'reopened #5: fast resolution of #5 taken back', 'reopened #5: on-time resolution of #5 taken back',
        'reopened #5: first-contact resolution of #5 taken back']
    assert projection.agents == {1: AgentMetrics(agent_id=1, points=20, quality=15, speed=0, productivity=5,
                                                 resolved=1, replies=1, chats=1, calls=0, positive_ratings=1,
                                                 negative_ratings=0, level=1, last_event_id=5)}
    assert all(outcome.touched_agents == {1} for outcome in outcomes)
    assert all(not outcome.level_ups for outcome in outcomes)


def test_a_second_reopen_without_resolution_takes_nothing() -> None:
    log = Log()
    log.resolve(1, 5, at=timedelta(minutes=30), channel=Channel.PHONE)
    log.reopen(1, 5)
    log.reopen(1, 5)
    log.reopen(2, 6)  # never resolved
    projection = GameProjection(policy=FAIR_PLAY_OFF, levels=LEVELS)
    outcomes = projection.apply_all(log.events)
    assert [len(outcome.awards) for outcome in outcomes] == [3, 3, 0, 0]
    assert outcomes[2].touched_agents == frozenset() and outcomes[3].touched_agents == frozenset()
    assert projection.agents[1].as_dict() == AgentMetrics(agent_id=1, last_event_id=2).as_dict()
    assert 2 not in projection.agents


def test_clawback_goes_to_the_resolver_whoever_reopens() -> None:
    log = Log()
    log.resolve(1, 5, at=timedelta(minutes=10), channel=Channel.PHONE)
    log.rate(1, 5, Rating.BAD)
    log.reopen(None, 5)
    projection = GameProjection(policy=FAIR_PLAY_OFF, levels=LEVELS)
    outcomes = projection.apply_all(log.events)
    assert {award.agent_id for award in outcomes[2].awards} == {1}
    metrics = projection.agents[1]
    assert (metrics.points, metrics.quality, metrics.resolved, metrics.calls, metrics.negative_ratings) == \
        (-10, -10, 0, 0, 1)


def test_events_that_score_nothing() -> None:
    log = Log()
    log.add(EventKind.CONVERSATION_CREATED, agent_id=None, conversation_id=1, data={'channel': 'email'})
    log.add(EventKind.ASSIGNED, agent_id=1, conversation_id=1, data={'channel': 'email'})
    log.add(EventKind.CUSTOMER_MESSAGE, agent_id=1, conversation_id=1, data={'length': 3})
    log.rate(None, 1, Rating.GOOD)  # nobody to credit
    log.rate(1, 1, Rating.NEUTRAL)
    projection = GameProjection(levels=LEVELS)
    outcomes = projection.apply_all(log.events)
    assert all(not outcome.awards for outcome in outcomes)
    assert [bool(outcome.touched_agents) for outcome in outcomes] == [False, False, False, False, True]
    assert projection.agents == {1: AgentMetrics(agent_id=1, last_event_id=5)}


def test_levels_rise_and_are_never_lost() -> None:
    log = Log()
    for conversation_id in range(1, 4):
        log.resolve(1, conversation_id, at=timedelta(minutes=conversation_id))  # +20 each
    for conversation_id in range(1, 4):
        log.reopen(1, conversation_id)
    projection = GameProjection(policy=FAIR_PLAY_OFF, levels=LEVELS)
    outcomes = projection.apply_all(log.events)
    assert [outcome.level_ups for outcome in outcomes] == [[], [], [LevelUp(agent_id=1, old=1, new=2)], [], [], []]
    assert (projection.agents[1].points, projection.agents[1].level) == (0, 2)


def test_custom_policy_and_levels() -> None:
    log = Log()
    log.resolve(1, 1, at=timedelta(minutes=1))
    log.rate(1, 1, Rating.GOOD)
    projection = GameProjection(policy=ScoringPolicy(fast_resolution=100, happy_customer=1), levels=LEVELS)
    outcomes = projection.apply_all(log.events)
    assert projection.agents[1].points == 111
    assert projection.agents[1].level == 2  # 111 points, but Apprentice needs 10 resolutions too
    assert outcomes[0].level_ups == [LevelUp(agent_id=1, old=1, new=2)]


# --- properties over random event sequences ---

AGENTS = st.integers(min_value=1, max_value=3)
CONVERSATIONS = st.integers(min_value=1, max_value=4)
OPERATIONS = st.one_of(
    st.tuples(st.just('reply'), AGENTS, CONVERSATIONS),
    st.tuples(st.just('resolve'), AGENTS, CONVERSATIONS, st.integers(0, 600), st.integers(0, 600),
              st.integers(0, 3), st.sampled_from(Channel)),
    st.tuples(st.just('reopen'), st.none() | AGENTS, CONVERSATIONS),
    st.tuples(st.just('rate'), st.none() | AGENTS, CONVERSATIONS, st.sampled_from(Rating)),
    st.tuples(st.just('message'), st.none() | AGENTS, CONVERSATIONS),
)


def build_events(operations: list[tuple]) -> list[GameEvent]:
    """Turn drawn operations into log lines: one minute apart, resolutions of conversations of any age."""
    events: list[GameEvent] = []
    for index, operation in enumerate(operations, start=1):
        occurred_at = START + timedelta(hours=12, minutes=index)
        kind, agent_id, conversation_id = operation[0], operation[1], operation[2]
        data: dict[str, Any]
        if kind == 'resolve':
            handle_minutes, sla_minutes, inbound_count, channel = operation[3:]
            created_at = occurred_at - timedelta(minutes=handle_minutes)
            data = {'channel': channel.value, 'created_at': created_at.isoformat(),
                    'sla_due_at': (created_at + timedelta(minutes=sla_minutes)).isoformat(),
                    'inbound_count': inbound_count}
            event_kind = EventKind.RESOLVED
        elif kind == 'rate':
            data, event_kind = {'rating': operation[3].value}, EventKind.RATED
        elif kind == 'reply':
            data, event_kind = {'length': 1}, EventKind.REPLIED
        elif kind == 'reopen':
            data, event_kind = {'reason': 'test'}, EventKind.REOPENED
        else:
            data, event_kind = {'length': 1}, EventKind.CUSTOMER_MESSAGE
        events.append(GameEvent(id=index, key=f'k{index}', kind=event_kind, occurred_at=occurred_at,
                                agent_id=agent_id, conversation_id=conversation_id, data=data))
    return events


@settings(max_examples=300, deadline=None, database=None)
@given(operations=st.lists(OPERATIONS, max_size=40), split=st.floats(min_value=0, max_value=1))
def test_folding_is_deterministic_and_points_add_up(operations: list[tuple], split: float) -> None:
    events = build_events(operations)
    at_once = GameProjection(levels=LEVELS)  # low enough that random histories climb levels too
    outcomes = at_once.apply_all(events)

    halves = GameProjection(levels=LEVELS)
    middle = round(split * len(events))
    assert halves.apply_all(events[:middle]) + halves.apply_all(events[middle:]) == outcomes
    assert halves.agents == at_once.agents
    assert GameProjection(levels=LEVELS).apply_all(events) == outcomes  # a fresh fold of the same log: the same

    awarded: dict[int, int] = defaultdict(int)
    by_domain: dict[tuple[int, Domain], int] = defaultdict(int)
    for outcome in outcomes:
        for award in outcome.awards:
            awarded[award.agent_id] += award.points
            by_domain[(award.agent_id, award.domain)] += award.points
            assert award.agent_id in outcome.touched_agents
        for level_up in outcome.level_ups:
            assert level_up.new > level_up.old
    for agent_id, metrics in at_once.agents.items():
        assert metrics.points == awarded[agent_id] == metrics.quality + metrics.speed + metrics.productivity
        for domain in Domain:
            assert getattr(metrics, domain.value) == by_domain[(agent_id, domain)]
        assert metrics.resolved >= 0 and metrics.chats >= 0 and metrics.calls >= 0
        assert metrics.chats + metrics.calls <= metrics.resolved
        assert metrics.level >= level_after(1, metrics.as_dict(), levels=LEVELS)  # kept even when points drop
    assert set(awarded) <= set(at_once.agents)


@settings(max_examples=200, deadline=None, database=None)
@given(operations=st.lists(OPERATIONS, max_size=40))
def test_reopening_every_resolution_leaves_only_rating_points(operations: list[tuple]) -> None:
    """In a well-formed log (resolve only open conversations, reopen only resolved ones), reopening everything
    still resolved takes back every resolution award and count, and keeps every rating."""
    resolved: set[int] = set()
    well_formed = []
    for operation in operations:
        kind, conversation_id = operation[0], operation[2]
        if kind == 'resolve' and conversation_id in resolved or kind == 'reopen' and conversation_id not in resolved:
            continue
        if kind == 'resolve':
            resolved.add(conversation_id)
        elif kind == 'reopen':
            resolved.discard(conversation_id)
        well_formed.append(operation)
    well_formed += [('reopen', None, conversation_id) for conversation_id in sorted(resolved)]
    projection = GameProjection(policy=FAIR_PLAY_OFF, levels=LEVELS)
    outcomes = projection.apply_all(build_events(well_formed))

    ratings: dict[int, int] = defaultdict(int)
    for outcome in outcomes:
        for award in outcome.awards:
            if award.kind in (AwardKind.HAPPY_CUSTOMER, AwardKind.UNHAPPY_CUSTOMER):
                ratings[award.agent_id] += award.points
    for agent_id, metrics in projection.agents.items():
        assert (metrics.resolved, metrics.chats, metrics.calls, metrics.speed, metrics.productivity) == (0, 0, 0, 0, 0)
        assert metrics.points == metrics.quality == ratings[agent_id]



def test_rollback_undoes_everything_since_begin() -> None:
    log = Log()
    projection = GameProjection()
    projection.apply(log.resolve(7, 1, at=timedelta(minutes=10)))
    before = {agent_id: metrics.as_dict() for agent_id, metrics in projection.agents.items()}
    resolutions_before = dict(projection.resolutions)
    projection.begin()
    projection.apply(log.resolve(7, 2, at=timedelta(minutes=20)))
    projection.apply(log.resolve(8, 3, at=timedelta(minutes=30)))
    projection.apply(log.add(EventKind.REOPENED, agent_id=7, conversation_id=1))
    assert projection.agents != before
    projection.rollback()
    assert {agent_id: metrics.as_dict() for agent_id, metrics in projection.agents.items()} == before
    assert dict(projection.resolutions) == resolutions_before


def test_bounded_resolutions_keep_the_most_recent() -> None:
    log = Log()
    resolutions = BoundedResolutions(2)
    projection = GameProjection(resolutions=resolutions)
    for conversation_id in (1, 2, 3):
        projection.apply(log.resolve(7, conversation_id, at=timedelta(minutes=10 * conversation_id)))
    assert list(resolutions) == [2, 3]
    assert projection.missing_resolution(log.add(EventKind.REOPENED, agent_id=7, conversation_id=1)) == 1
    assert projection.missing_resolution(log.add(EventKind.REOPENED, agent_id=7, conversation_id=3)) is None
