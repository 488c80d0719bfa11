"""Badges: metric extraction from events, the fifteen defaults, windows, ties, minimum volume, the lucky draw, the
holders' history, validation, and the incremental board against a naive reference over random logs."""
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.badges import (
    DEFAULT_BADGES,
    FIRST_BADGES,
    KEPT_DAYS,
    Aggregate,
    Aggregation,
    BadgeBoard,
    BadgeDefinition,
    BadgeError,
    BadgeKind,
    Direction,
    Filter,
    FilterOperator,
    HolderChange,
    Metric,
    Standing,
    Window,
    badge_from_dict,
    holder_changes,
    lucky_draw,
    metric_from_dict,
    next_midnight,
    window_bounds,
    window_days,
)
from services.domain.events import EventKind, GameEvent

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # a Friday afternoon
YESTERDAY = NOW - timedelta(days=1)
BADGES = {badge.key: badge for badge in DEFAULT_BADGES}


class Log:
    def __init__(self) -> None:
        self.events: list[GameEvent] = []

    def add(self, kind: EventKind, agent_id: int | None, at: datetime = NOW, conversation_id: int | None = 1,
            **data: Any) -> GameEvent:
        event = GameEvent(id=len(self.events) + 1, key=f'k{len(self.events) + 1}', kind=kind, occurred_at=at,
                          agent_id=agent_id, conversation_id=conversation_id, data=data)
        self.events.append(event)
        return event

    def board(self, definitions=DEFAULT_BADGES, seed: int = 0) -> BadgeBoard:
        board = BadgeBoard(definitions, seed=seed)
        board.feed_all(sorted(self.events, key=lambda event: event.id))
        return board


def holders(log: Log, key: str, now: datetime = NOW) -> set[int]:
    return set(log.board().holders(now)[key])


def test_fifteen_defaults_as_liveagent_has_them() -> None:
    assert len(DEFAULT_BADGES) == 15 == len(BADGES)
    assert {badge.key for badge in DEFAULT_BADGES if badge.teasing} == {'siesta', 'coffee', 'rebel'}
    assert {badge.key for badge in DEFAULT_BADGES if badge.window == Window.PREVIOUS_DAY} == {
        'inspector', 'speedy_gonzales', 'novelist', 'express', 'chatty', 'talker'}
    assert {badge.key for badge in DEFAULT_BADGES if badge.direction == Direction.LOWEST} == {
        'speedy_gonzales', 'express'}
    assert BADGES['quatrefoil'].kind == BadgeKind.RANDOM and 0 < BADGES['quatrefoil'].rarity < 0.2
    assert all(badge.image for badge in DEFAULT_BADGES)


def test_traffic_controller_rebel_rewarded_cleaner_count_in_seven_days() -> None:
    log = Log()
    for agent_id, transfers in ((1, 3), (2, 2)):
        for _ in range(transfers):
            log.add(EventKind.TRANSFERRED, agent_id, to_agent_id=9, note_length=0, channel='chat', status='open')
    for agent_id, rating in ((1, 'bad'), (2, 'bad'), (2, 'bad'), (3, 'good'), (1, 'good'), (3, 'good')):
        log.add(EventKind.RATED, agent_id, rating=rating)
    for agent_id in (1, 2, 2):
        log.add(EventKind.RESOLVED, agent_id, channel='email')
    assert holders(log, 'traffic_controller') == {1}
    assert holders(log, 'rebel') == {2}
    assert holders(log, 'rewarded') == {3}
    assert holders(log, 'cleaner') == {2}


def test_presence_badges_siesta_coffee_worker() -> None:
    log = Log()
    log.add(EventKind.PRESENCE_CHANGED, 1, status='online', previous='on_break', seconds=5 * 3600)
    log.add(EventKind.PRESENCE_CHANGED, 2, status='on_break', previous='online', seconds=3 * 3600)
    log.add(EventKind.PRESENCE_CHANGED, 2, status='online', previous='on_break', seconds=600)
    log.add(EventKind.PRESENCE_CHANGED, 2, status='on_break', previous='online', seconds=600)
    log.add(EventKind.PRESENCE_CHANGED, 1, status='on_break', previous='away', seconds=7200)
    log.add(EventKind.PRESENCE_CHANGED, 3, status='online', previous='offline', seconds=20 * 3600)  # not online time
    assert holders(log, 'siesta') == {1}  # 5 h of break against 10 minutes
    assert holders(log, 'coffee') == {2}  # two breaks against one
    assert holders(log, 'worker') == {1}  # 7 h away or on a break against 3.3 h: breaks count, offline does not
    first_worker = next(badge for badge in FIRST_BADGES if badge.key == 'worker')
    assert set(log.board([first_worker]).holders(NOW)['worker']) == {2}  # the first: 3.2 h online, 2 h away


def test_viewing_badges_inspector_and_express_average_yesterday_with_a_minimum_volume() -> None:
    log = Log()
    for agent_id, seconds in ((1, (100, 200, 300)), (2, (10, 20, 30)), (3, (5, 5)), (4, (900, 900))):
        for value in seconds:
            log.add(EventKind.VIEWED, agent_id, at=YESTERDAY, seconds=value)
    log.add(EventKind.VIEWED, 2, at=NOW, seconds=1)  # today: not in the previous day's window
    assert holders(log, 'inspector') == {1}  # agent 4 viewed only twice: below the minimum volume of 3
    assert holders(log, 'express') == {2}  # agent 3 too
    results = log.board().evaluate(NOW)
    assert results['inspector'].best == 200 and dict(results['inspector'].values) == {1: 200, 2: 20}


def test_speedy_gonzales_is_the_fastest_average_first_reaction_to_chats() -> None:
    log = Log()
    for agent_id, seconds in ((1, (30, 40, 50)), (2, (20, 20, 90))):  # averages 40 and 43.3
        for value in seconds:
            log.add(EventKind.REPLIED, agent_id, at=YESTERDAY, channel='chat', length=50, first_response_seconds=value)
    for _ in range(3):
        log.add(EventKind.REPLIED, 3, at=YESTERDAY, channel='email', length=50, first_response_seconds=1)  # not chat
        log.add(EventKind.REPLIED, 3, at=YESTERDAY, channel='chat', length=50)  # not a first reply
    assert holders(log, 'speedy_gonzales') == {1}


def test_novelist_chatty_talker_take_yesterdays_longest() -> None:
    log = Log()
    log.add(EventKind.REPLIED, 1, at=YESTERDAY, channel='email', length=900)
    log.add(EventKind.REPLIED, 2, at=YESTERDAY, channel='chat', length=400)
    log.add(EventKind.REPLIED, 2, at=NOW, channel='chat', length=5000)  # today
    log.add(EventKind.RESOLVED, 1, at=YESTERDAY, channel='chat', duration_seconds=600)
    log.add(EventKind.RESOLVED, 2, at=YESTERDAY, channel='chat', duration_seconds=1200)
    log.add(EventKind.RESOLVED, 1, at=YESTERDAY, channel='phone', duration_seconds=1500)
    log.add(EventKind.RESOLVED, 3, at=YESTERDAY, channel='email')  # no duration: contributes nothing
    assert holders(log, 'novelist') == {1}
    assert holders(log, 'chatty') == {2}
    assert holders(log, 'talker') == {1}


def test_tagger_counts_each_conversation_once() -> None:
    log = Log()
    for tag in ('billing', 'refund', 'vip', 'urgent'):
        log.add(EventKind.TAGGED, 1, conversation_id=10, tag=tag)
    for conversation_id in (11, 12):
        log.add(EventKind.TAGGED, 2, conversation_id=conversation_id, tag='billing')
    assert holders(log, 'tagger') == {2}
    assert log.board().evaluate(NOW)['tagger'].values == {1: 1, 2: 2}


def test_ties_share_the_badge_and_nobody_below_the_minimum_volume() -> None:
    log = Log()
    log.add(EventKind.RESOLVED, 1, channel='email')
    log.add(EventKind.RESOLVED, 2, channel='chat')
    assert holders(log, 'cleaner') == {1, 2}
    assert holders(log, 'inspector') == set()  # nobody viewed anything
    strict = BadgeDefinition(key='cleaner', name='Cleaner', description='', image='x', minimum_volume=2,
                             metric=Metric(kind=EventKind.RESOLVED))
    assert log.board([strict]).holders(NOW) == {'cleaner': frozenset()}


def test_rolling_window_is_today_and_the_six_days_before() -> None:
    log = Log()
    log.add(EventKind.RESOLVED, 1, at=NOW - timedelta(days=7))  # Friday a week ago: outside
    log.add(EventKind.RESOLVED, 1, at=NOW - timedelta(days=7))
    log.add(EventKind.RESOLVED, 2, at=datetime(2026, 11, 14, 0, 0, tzinfo=UTC))  # Saturday 00:00: inside
    log.add(EventKind.RESOLVED, 3, at=NOW)
    log.add(EventKind.RESOLVED, 3, at=NOW - timedelta(days=6, hours=14))
    assert holders(log, 'cleaner') == {3}
    assert log.board().evaluate(NOW)['cleaner'].values == {2: 1, 3: 2}
    assert window_days(Window.ROLLING_7D, NOW) == tuple(date(2026, 11, day) for day in range(14, 21))
    assert window_days(Window.PREVIOUS_DAY, NOW) == (date(2026, 11, 19),)
    assert window_bounds(Window.PREVIOUS_DAY, NOW) == (datetime(2026, 11, 19, tzinfo=UTC),
                                                       datetime(2026, 11, 20, tzinfo=UTC))
    assert next_midnight(NOW) == datetime(2026, 11, 21, tzinfo=UTC)


def test_holders_move_at_midnight_without_events() -> None:
    log = Log()
    log.add(EventKind.REPLIED, 1, at=YESTERDAY, length=10)
    board = log.board()
    assert board.holders(NOW)['novelist'] == {1}
    assert board.holders(next_midnight(NOW))['novelist'] == frozenset()


def test_duplicates_and_passed_ids_are_ignored() -> None:
    log = Log()
    first = log.add(EventKind.RESOLVED, 1)
    second = log.add(EventKind.RESOLVED, 2)
    third = log.add(EventKind.RESOLVED, 2)
    board = BadgeBoard()
    for event in (first, second, first, second, third, third, second):
        board.feed(event)
    assert board.evaluate(NOW)['cleaner'].values == {1: 1, 2: 2}
    assert board.last_event_id == 3


def test_old_days_are_dropped() -> None:
    log = Log()
    for back in range(20, -1, -1):
        log.add(EventKind.RESOLVED, 1, at=NOW - timedelta(days=back))
    board = log.board()
    assert len(board.days) == KEPT_DAYS
    assert board.evaluate(NOW)['cleaner'].values == {1: 7}
    board.feed(GameEvent(id=100, key='late', kind=EventKind.RESOLVED, occurred_at=NOW - timedelta(days=30),
                         agent_id=1, data={}))  # a straggler from long ago
    assert len(board.days) == KEPT_DAYS


def test_quatrefoil_is_a_reproducible_rare_draw_among_active_agents() -> None:
    log = Log()
    for day in range(7):
        for agent_id in range(1, 41):
            log.add(EventKind.REPLIED, agent_id, at=NOW - timedelta(days=day), length=1)
    lucky = log.board(seed=7).holders(NOW)['quatrefoil']
    assert lucky == log.board(seed=7).holders(NOW)['quatrefoil']  # reproducible
    assert lucky != log.board(seed=8).holders(NOW)['quatrefoil']  # another seed, other luck
    assert 2 <= len(lucky) <= 25  # 280 agent-days at 5 %: about 13 lucky agents, rarely outside this range
    assert lucky == {agent_id for agent_id in range(1, 41)
                     if any(lucky_draw(7, (NOW - timedelta(days=day)).date(), agent_id) < 0.05 for day in range(7))}
    assert Log().board(seed=7).holders(NOW)['quatrefoil'] == frozenset()  # nobody active, nobody lucky
    everyone = BadgeDefinition(key='q', name='Q', description='', image='q', kind=BadgeKind.RANDOM, rarity=1.0)
    assert log.board([everyone]).holders(NOW)['q'] == frozenset(range(1, 41))


def test_lucky_draw_is_uniform_enough() -> None:
    draws = [lucky_draw(1, date(2026, 1, 1) + timedelta(days=day), agent_id) for day in range(50) for agent_id in
             range(40)]
    assert all(0 <= draw < 1 for draw in draws)
    assert 0.04 < sum(draw < 0.05 for draw in draws) / len(draws) < 0.06


def test_holder_changes_list_losses_and_gains() -> None:
    before = {'cleaner': frozenset({1, 2}), 'novelist': frozenset({3}), 'gone': frozenset({4})}
    after = {'cleaner': frozenset({2, 5}), 'novelist': frozenset({3}), 'new': frozenset({6})}
    assert holder_changes(before, after, at=NOW) == [
        HolderChange(badge='cleaner', agent_id=1, gained=False, at=NOW),
        HolderChange(badge='cleaner', agent_id=5, gained=True, at=NOW),
        HolderChange(badge='gone', agent_id=4, gained=False, at=NOW),
        HolderChange(badge='new', agent_id=6, gained=True, at=NOW),
    ]
    assert holder_changes(after, after, at=NOW) == []


def test_new_badges_from_the_same_parts() -> None:
    log = Log()
    log.add(EventKind.NOTE_ADDED, 1, length=500)
    log.add(EventKind.NOTE_ADDED, 2, length=200)
    log.add(EventKind.NOTE_ADDED, 2, length=200)
    log.add(EventKind.RESOLVED, 1, channel='social', tags=['vip'])
    log.add(EventKind.RESOLVED, 2, channel='social', tags=['billing'])
    scribe = badge_from_dict({'key': 'scribe', 'name': 'Scribe', 'description': 'Most note text in 7 days',
                              'image': 'badges/scribe.svg', 'aggregation': 'sum',
                              'metric': {'kind': 'note_added', 'value': 'length'}})
    vip = badge_from_dict({'key': 'vip', 'name': 'VIP care', 'description': '', 'image': 'x',
                           'metric': {'kind': 'resolved', 'where': [{'field': 'tags', 'operator': 'contains',
                                                                     'values': ['vip']}]}})
    assert log.board([scribe, vip]).holders(NOW) == {'scribe': {1}, 'vip': {1}}


@pytest.mark.parametrize(('metric', 'message'), [
    ({'kind': 'replyd'}, "Unknown event kind 'replyd' (known: conversation_created"),
    ({'kind': 'replied', 'value': 'lenght'},
     "Events 'replied' have no field 'lenght' to measure (known: length, channel"),
    ({'kind': 'replied', 'value': 'channel'}, "'channel' of the events 'replied' is not a number"),
    ({'kind': 'rated', 'where': [{'field': 'stars', 'values': [5]}]}, "Events 'rated' have no field 'stars' to filter"),
    ({'kind': 'rated', 'where': [{'field': 'rating', 'operator': 'like', 'values': ['b']}]}, "Unknown filter 'like'"),
    ({'kind': 'rated', 'where': [{'field': 'rating', 'operator': 'contains', 'values': ['b']}]},
     "'rating' of the events 'rated' is not a list"),
    ({'kind': 'rated', 'where': [{'field': 'rating'}]}, "The filter on 'rating' needs at least one value"),
    ({'kind': 'resolved', 'where': [{'field': 'inbound_count', 'values': ['one']}]},
     "'inbound_count' is a number, not 'one'"),
])
def test_invalid_metrics_are_refused_with_a_message(metric: dict[str, Any], message: str) -> None:
    with pytest.raises(BadgeError) as error:
        metric_from_dict(metric)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(('changes', 'message'), [
    ({'aggregation': 'median'}, "Unknown aggregation 'median' (known: count, sum, average, max, min)"),
    ({'window': 'month'}, "Unknown window 'month'"),
    ({'direction': 'up'}, "Unknown direction 'up'"),
    ({'aggregation': 'average'}, "Each event counts 1, so the aggregation 'average' means nothing"),
    ({'metric': {'kind': 'tagged', 'value': 'conversation'}, 'aggregation': 'max'},
     'Conversations can only be counted'),
    ({'metric': None}, "The badge 'Traffic controller' needs a metric"),
    ({'minimum_volume': 0}, 'The minimum volume is at least 1'),
    ({'name': ' '}, 'A badge needs a key and a name'),
    ({'kind': 'random', 'rarity': 0}, 'The chance of a random badge is between 0 and 1'),
])
def test_invalid_badges_are_refused_with_a_message(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(BadgeError) as error:
        badge_from_dict({**BADGES['traffic_controller'].as_dict(), **changes})
    assert str(error.value).startswith(message)


def test_a_board_refuses_two_badges_with_one_key() -> None:
    with pytest.raises(BadgeError, match="Two badges have the key 'cleaner'"):
        BadgeBoard([BADGES['cleaner'], BADGES['traffic_controller'], BADGES['cleaner']])


def test_definitions_round_trip_through_dicts() -> None:
    assert [badge_from_dict(badge.as_dict()) for badge in DEFAULT_BADGES] == list(DEFAULT_BADGES)
    assert Filter(field='rating', operator='is', values=['bad']) == Filter(field='rating', values=('bad',))
    from_form = metric_from_dict({'kind': 'resolved', 'where': [{'field': 'inbound_count', 'values': ['1', '2.5']}]})
    assert from_form.where[0].values == (1, 2.5)


# --- the board against a naive reference over random logs -----------------------------------------------------------

EXTRA_BADGES = (
    BadgeDefinition(key='busiest_phone', name='Phone sum', description='', image='x', aggregation=Aggregation.SUM,
                    minimum_volume=2, metric=Metric(kind=EventKind.RESOLVED, value='duration_seconds',
                                                    where=(Filter(field='channel', values=('phone',)),))),
    BadgeDefinition(key='shortest_reply', name='Terse', description='', image='x', aggregation=Aggregation.MIN,
                    direction=Direction.LOWEST, window=Window.ROLLING_7D,
                    metric=Metric(kind=EventKind.REPLIED, value='length')),
    BadgeDefinition(key='non_chat', name='Non chat', description='', image='x', aggregation=Aggregation.SUM,
                    metric=Metric(kind=EventKind.REPLIED, where=(Filter(field='channel', operator=FilterOperator.IS_NOT,
                                                                        values=('chat',)),))),
)
ALL = DEFAULT_BADGES + EXTRA_BADGES
START = datetime(2026, 11, 1, tzinfo=UTC)

datas = {
    EventKind.REPLIED: st.fixed_dictionaries({'channel': st.sampled_from(['chat', 'email']),
                                              'length': st.integers(0, 50)},
                                             optional={'first_response_seconds': st.integers(0, 30)}),
    EventKind.RESOLVED: st.fixed_dictionaries({'channel': st.sampled_from(['chat', 'phone', 'email'])},
                                              optional={'duration_seconds': st.integers(0, 50)}),
    EventKind.RATED: st.fixed_dictionaries({'rating': st.sampled_from(['good', 'neutral', 'bad'])}),
    EventKind.VIEWED: st.fixed_dictionaries({'seconds': st.integers(0, 9)}),
    EventKind.TAGGED: st.fixed_dictionaries({'tag': st.sampled_from(['a', 'b'])}),
    EventKind.TRANSFERRED: st.fixed_dictionaries({'to_agent_id': st.just(9)}),
    EventKind.PRESENCE_CHANGED: st.fixed_dictionaries({'status': st.sampled_from(['online', 'on_break', 'away']),
                                                       'previous': st.sampled_from(['online', 'on_break', 'offline']),
                                                       'seconds': st.integers(0, 100)}),
}
facts = st.tuples(st.sampled_from(list(datas)), st.sampled_from([1, 2, 3, None]), st.integers(0, 12 * 24),
                  st.integers(1, 4)).flatmap(
    lambda fact: datas[fact[0]].map(lambda data: (fact[0], fact[1], fact[2], fact[3], data)))


def reference(events: list[GameEvent], definition: BadgeDefinition, now: datetime, seed: int) -> frozenset[int]:
    days = set(window_days(definition.window, now))
    events = [event for event in events if event.occurred_at.date() in days and event.agent_id is not None]
    if definition.kind == BadgeKind.RANDOM:
        return frozenset(event.agent_id for event in events
                         if lucky_draw(seed, event.occurred_at.date(), event.agent_id) < definition.rarity)
    found: dict[int, list] = {}
    for event in events:
        value = definition.metric.fact(event)
        if value is not None:
            found.setdefault(event.agent_id, []).append(value)
    results = {}
    for agent_id, values in found.items():
        if len(values) < definition.minimum_volume:
            continue
        results[agent_id] = {
            Aggregation.COUNT: len(set(values)) if definition.metric.value == 'conversation' else len(values),
            Aggregation.SUM: sum(values), Aggregation.AVERAGE: sum(values) / len(values),
            Aggregation.MAX: max(values), Aggregation.MIN: min(values)}[definition.aggregation]
    if not results:
        return frozenset()
    best = (max if definition.direction == Direction.HIGHEST else min)(results.values())
    return frozenset(agent_id for agent_id, result in results.items() if result == best)


@settings(max_examples=150, deadline=None)
@given(st.lists(facts, max_size=80), st.lists(st.integers(0, 20), max_size=5), st.integers(0, 3 * 24),
       st.integers(0, 3))
def test_board_equals_a_naive_reference(raw: list, repeats: list[int], later: int, seed: int) -> None:
    raw.sort(key=lambda fact: fact[2])  # the log's ids follow time
    events = [GameEvent(id=index + 1, key=str(index), kind=kind, occurred_at=START + timedelta(hours=hour),
                        agent_id=agent_id, conversation_id=conversation_id, data=data)
              for index, (kind, agent_id, hour, conversation_id, data) in enumerate(raw)]
    board = BadgeBoard(ALL, seed=seed)
    for position, event in enumerate(events):
        board.feed(event)
        for index in repeats:  # events already fed arrive again: ignored
            if index <= position:
                board.feed(events[index])
    now = (events[-1].occurred_at if events else START) + timedelta(hours=later)
    assert board.holders(now) == {definition.key: reference(events, definition, now, seed) for definition in ALL}


def history_events(raw: list) -> list[GameEvent]:
    raw = sorted(raw, key=lambda fact: fact[2])
    return [GameEvent(id=index + 1, key=str(index), kind=kind, occurred_at=START + timedelta(hours=hour),
                      agent_id=agent_id, conversation_id=conversation_id, data=data)
            for index, (kind, agent_id, hour, conversation_id, data) in enumerate(raw)]


@settings(max_examples=60, deadline=None)
@given(st.lists(facts, min_size=1, max_size=50), st.integers(0, 3))
def test_applying_events_keeps_the_current_holders_and_their_history(raw: list, seed: int) -> None:
    events = history_events(raw)
    board = BadgeBoard(ALL, seed=seed)
    replayed: dict[str, set[int]] = {}
    last_at = None
    for position, event in enumerate(events):
        for change in board.apply(event) + board.apply(event):  # the second time: ignored
            assert last_at is None or change.at >= last_at  # the history runs forward
            assert change.at == event.occurred_at or change.at == next_midnight(change.at - timedelta(microseconds=1))
            last_at = change.at
            holders = replayed.setdefault(change.badge, set())
            assert (change.agent_id in holders) is not change.gained
            (holders.add if change.gained else holders.discard)(change.agent_id)
        expected = {d.key: reference(events[:position + 1], d, event.occurred_at, seed) for d in ALL}
        assert board.current == expected
        assert {key: frozenset(agents) for key, agents in replayed.items() if agents} == \
            {key: agents for key, agents in expected.items() if agents}


@settings(max_examples=60, deadline=None)
@given(st.lists(facts, min_size=1, max_size=50), st.lists(st.integers(0, 12 * 24 * 60), max_size=20))
def test_live_with_a_timer_and_a_rebuild_write_the_same_history(raw: list, ticks: list[int]) -> None:
    events = history_events(raw)
    live, rebuild = BadgeBoard(ALL), BadgeBoard(ALL)
    live_history, rebuild_history = [], []
    timer = sorted(START + timedelta(minutes=minute) for minute in ticks)
    for event in events:
        while timer and timer[0] <= event.occurred_at:  # the clock passes time between events, midnights included
            live_history += live.advance(timer.pop(0))
        live_history += live.apply(event)
        rebuild_history += rebuild.apply(event)
    end = events[-1].occurred_at + timedelta(days=8)
    live_history += live.advance(end)
    rebuild_history += rebuild.advance(end)
    assert live_history == rebuild_history
    assert live.current == rebuild.current == rebuild.holders(end)
    assert all(not agents for key, agents in live.current.items() )  # a quiet week later


# --- a badge's standing kept one agent at a time against ranking everyone again --------------------------------------

standing_definitions = st.sampled_from([
    BadgeDefinition(key='count', name='Count', description='', image='x', metric=Metric(kind=EventKind.VIEWED)),
    BadgeDefinition(key='tags', name='Tags', description='', image='x',
                    metric=Metric(kind=EventKind.TAGGED, value='conversation')),
    *(BadgeDefinition(key=f'{aggregation.value}_{direction.value}_{volume}', name='Seconds', description='',
                      image='x', aggregation=aggregation, direction=direction, minimum_volume=volume,
                      metric=Metric(kind=EventKind.VIEWED, value='seconds'))
      for aggregation in (Aggregation.SUM, Aggregation.AVERAGE, Aggregation.MAX, Aggregation.MIN)
      for direction in Direction for volume in (1, 3)),
])
# (agent, value): a value is a conversation id for the 'tags' badge; negative and fractional values let a sum or an
# average fall, so that holders leave and the best is searched again
standing_facts = st.lists(st.tuples(st.integers(1, 6), st.one_of(st.integers(-5, 5), st.sampled_from([0.5, -2.5]))),
                          max_size=60)


@given(standing_definitions, standing_facts, standing_facts)
def test_a_standing_updated_per_agent_equals_ranking_every_agent_again(
        definition: BadgeDefinition, before: list[tuple[int, float]], after: list[tuple[int, float]]) -> None:
    assert definition.metric is not None
    distinct = definition.metric.value == 'conversation'
    aggregates: dict[int, Aggregate] = {}

    def add(agent_id: int, value: float) -> Aggregate:
        aggregate = aggregates.setdefault(agent_id, Aggregate())
        aggregate.add(abs(int(value)) if distinct else value, distinct=distinct)
        return aggregate

    def ranked_again() -> tuple[frozenset[int], float | None]:
        values = {agent_id: aggregate.result(definition.aggregation, definition.metric)
                  for agent_id, aggregate in aggregates.items() if aggregate.count >= definition.minimum_volume}
        if not values:
            return frozenset(), None
        best = (max if definition.direction == Direction.HIGHEST else min)(values.values())
        return frozenset(agent_id for agent_id, value in values.items() if value == best), best

    for agent_id, value in before:  # the window's aggregates when the standing is made (a new day, or asked first)
        add(agent_id, value)
    standing = Standing(definition, aggregates)
    assert (frozenset(standing.holders), standing.best) == ranked_again()
    for agent_id, value in after:
        standing.update(agent_id, add(agent_id, value))
        holders, best = ranked_again()
        assert standing.holders == holders
        assert standing.best == best
    assert standing.result().values == {agent_id: aggregate.result(definition.aggregation, definition.metric)
                                        for agent_id, aggregate in aggregates.items()
                                        if aggregate.count >= definition.minimum_volume}


@settings(max_examples=60, deadline=None)
@given(st.lists(facts, min_size=1, max_size=40), st.integers(0, 3))
def test_holders_kept_event_by_event_equal_a_full_evaluation_even_with_late_events(raw: list, seed: int) -> None:
    # ids in log order, times not: a late arrival updates the standings of the windows that hold its day
    events = [GameEvent(id=index + 1, key=str(index), kind=kind, occurred_at=START + timedelta(hours=hour),
                        agent_id=agent_id, conversation_id=conversation_id, data=data)
              for index, (kind, agent_id, hour, conversation_id, data) in enumerate(raw)]
    board = BadgeBoard(ALL, seed=seed)
    for position, event in enumerate(events):
        board.apply(event)
        full = BadgeBoard(ALL, seed=seed)
        full.feed_all(events[:position + 1])
        assert board.evaluated_at is not None
        assert board.current == full.holders(board.evaluated_at)
