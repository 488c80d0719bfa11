"""The headless core: reproducible, served in order, true to its traffic model, telling stories the game scores."""
import math
import statistics
from collections import Counter, defaultdict
from datetime import timedelta
from functools import cache
from itertools import pairwise

import pytest

from services.domain.events import Channel, EventKind, GameEvent
from services.domain.projection import GameProjection
from simulation.core import Contact, RunConfig, RunResult, simulate
from simulation.report import play, queue_stats, report, summarize
from simulation.traffic import HANDLE_CV, HANDLE_FACTOR, HOURLY_PROFILE, LIVE, SCENARIOS


@cache
def week(scenario: str, *, seed: int = 1, agents: int = 20, rate: float = 36.0) -> RunResult:
    """A simulated week on a floor of ``agents`` with realistic patience, cached for the tests that read it."""
    return simulate(RunConfig(agents=agents, arrivals_per_hour=rate, mean_handle_seconds=420, patience_seconds=180,
                              hours=168, seed=seed, scenario=scenario))


@cache
def stories(scenario: str) -> tuple[GameEvent, ...]:
    return tuple(week(scenario).events())


def test_same_seed_same_run_other_seed_other_run() -> None:
    config = RunConfig(agents=6, arrivals_per_hour=40, mean_handle_seconds=400, patience_seconds=150, hours=24,
                       scenario='normal', seed=5)
    first, again = report(simulate(config)), report(simulate(config))
    assert first == again
    assert [(e.kind, e.occurred_at, e.agent_id, dict(e.data)) for e in simulate(config).events()] == \
        [(e.kind, e.occurred_at, e.agent_id, dict(e.data)) for e in simulate(config).events()]
    other = report(simulate(RunConfig(**{**_fields(config), 'seed': 6})))
    assert other['offered'] != first['offered'] or other['asa_seconds'] != first['asa_seconds']


def test_every_contact_is_answered_or_abandoned_and_only_live_channels_abandon() -> None:
    result = week('normal')
    assert result.contacts
    for contact in result.contacts:
        assert (contact.answered_at >= 0) != contact.abandoned
        if contact.abandoned:
            assert contact.channel in LIVE
    summary = summarize(result)
    assert summary.overall.offered == summary.overall.answered + summary.overall.abandoned
    assert summary.channels[Channel.EMAIL].abandoned == summary.channels[Channel.SOCIAL].abandoned == 0
    assert summary.channels[Channel.CHAT].abandoned > 0 and summary.channels[Channel.PHONE].abandoned > 0
    assert sum(stats.offered for stats in summary.channels.values()) == summary.overall.offered
    assert sum(stats.occupancy for stats in summary.channels.values()) == pytest.approx(summary.overall.occupancy)


def test_a_customer_hangs_up_exactly_when_patience_runs_out_and_never_after_an_answer() -> None:
    result = simulate(RunConfig(agents=4, arrivals_per_hour=60, mean_handle_seconds=300, patience_seconds=60,
                                channels=(Channel.PHONE, Channel.EMAIL), hours=200, seed=2))
    phone = [contact for contact in result.contacts if contact.channel == Channel.PHONE]
    abandoned = [contact for contact in phone if contact.abandoned]
    assert abandoned and len(abandoned) < len(phone)
    assert all(contact.answered_at <= contact.deadline for contact in phone if not contact.abandoned)
    assert all(contact.deadline == float('inf') for contact in result.contacts if contact.channel == Channel.EMAIL)
    # every caller brings an exponential patience with mean 60 s (CV 1), whether or not it is put to the test
    patience = [contact.deadline - contact.arrival for contact in phone]
    assert statistics.fmean(patience) == pytest.approx(60, rel=0.05)
    assert statistics.stdev(patience) / statistics.fmean(patience) == pytest.approx(1.0, abs=0.05)


def test_one_line_is_served_in_arrival_order() -> None:
    """In the steady scenario whoever arrived first is answered first, whatever the channel."""
    result = simulate(RunConfig(agents=5, arrivals_per_hour=90, mean_handle_seconds=190, hours=24, seed=3))
    answered = sorted((c for c in result.contacts if c.answered_at >= 0), key=lambda contact: contact.arrival)
    assert len({contact.channel for contact in answered}) == 4
    assert all(a.answered_at <= b.answered_at for a, b in pairwise(answered))
    assert sum(contact.wait > 0 for contact in answered) > 100  # a queue formed, so the order was put to the test


def test_live_channels_are_answered_before_email_and_social_on_a_realistic_day() -> None:
    summary = summarize(week('sales_day'))
    assert summary.channels[Channel.CHAT].asa_seconds < summary.channels[Channel.EMAIL].asa_seconds
    assert summary.channels[Channel.PHONE].asa_seconds < summary.channels[Channel.SOCIAL].asa_seconds


def test_work_goes_to_the_agent_idle_for_longest() -> None:
    """With a quiet floor everyone is idle when a contact arrives: they take turns."""
    result = simulate(RunConfig(agents=3, arrivals_per_hour=2, mean_handle_seconds=10, hours=50, seed=4))
    turns = [contact.agent for contact in result.contacts]
    assert len(turns) > 30
    assert turns == [(turns[0] + index) % 3 for index in range(len(turns))]


def test_arrivals_follow_the_time_of_day_profile() -> None:
    """Arrivals per hour of day over a week, against the profile: quiet nights, a morning peak."""
    by_hour = Counter(int(contact.arrival // 3600) % 24 for contact in week('normal').contacts)
    total = sum(by_hour.values())
    for hour in range(24):
        expected = total * HOURLY_PROFILE[hour] / sum(HOURLY_PROFILE)
        assert abs(by_hour[hour] - expected) < 4 * expected ** 0.5 + 1, hour  # Poisson counts: 4 standard deviations
    assert by_hour[9] > 10 * by_hour[3]


def test_steady_arrivals_are_poisson_and_handling_exponential() -> None:
    result = simulate(RunConfig(agents=30, arrivals_per_hour=600, mean_handle_seconds=150, hours=40, seed=6,
                                channels=(Channel.CHAT,)))
    arrivals = [contact.arrival for contact in result.contacts]
    gaps = [b - a for a, b in pairwise(arrivals)]
    assert statistics.fmean(gaps) == pytest.approx(6.0, rel=0.03)
    assert statistics.stdev(gaps) / statistics.fmean(gaps) == pytest.approx(1.0, abs=0.03)  # exponential: CV 1
    per_hour = Counter(int(arrival // 3600) for arrival in arrivals)
    counts = [per_hour[hour] for hour in range(40)]
    assert statistics.variance(counts) / statistics.fmean(counts) == pytest.approx(1.0, abs=0.5)  # Poisson dispersion
    handles = [contact.handle for contact in result.contacts]
    assert statistics.fmean(handles) == pytest.approx(150, rel=0.03)
    assert statistics.stdev(handles) / statistics.fmean(handles) == pytest.approx(1.0, abs=0.04)


def test_realistic_handling_times_are_lognormal_by_channel_and_style() -> None:
    """Each handling time divided by its own mean (the run's mean × the channel's × the style's factor) is lognormal
    with mean one and the channel's coefficient of variation: its logarithm is normal with standard deviation
    σ = √ln(1 + CV²) and mean -σ²/2. Tolerances: four standard errors of those estimates (σ/√n and σ/√(2n))."""
    result = week('normal')
    logs: dict[Channel, list[float]] = defaultdict(list)
    by_style: dict[str, list[float]] = defaultdict(list)
    for contact in result.contacts:
        if contact.answered_at >= 0:
            style = result.agents[contact.agent].style
            mean = 420 * HANDLE_FACTOR[contact.channel] * style.handle_factor
            logs[contact.channel].append(math.log(contact.handle / mean))
            by_style[style.name].append(contact.handle)
    for channel, values in logs.items():
        sigma, n = math.sqrt(math.log(1 + HANDLE_CV[channel] ** 2)), len(values)
        assert statistics.fmean(values) == pytest.approx(-sigma ** 2 / 2, abs=4 * sigma / math.sqrt(n)), channel
        assert statistics.stdev(values) == pytest.approx(sigma, abs=4 * sigma / math.sqrt(2 * n)), channel
    assert statistics.fmean(by_style['fast']) < statistics.fmean(by_style['steady']) < \
        statistics.fmean(by_style['careful'])


def test_scenarios_bend_the_traffic() -> None:
    def count(scenario: str, channel: Channel, hours: range) -> int:
        return sum(1 for c in week(scenario).contacts
                   if c.channel == channel and int(c.arrival // 3600) % 24 in hours)
    afternoon, storm = range(12, 18), range(10, 16)
    assert count('sales_day', Channel.CHAT, afternoon) / count('normal', Channel.CHAT, afternoon) == \
        pytest.approx(3.0, rel=0.1)
    assert count('sales_day', Channel.CHAT, range(0, 12)) / count('normal', Channel.CHAT, range(0, 12)) == \
        pytest.approx(1.0, rel=0.1)
    assert count('social_storm', Channel.SOCIAL, storm) / count('normal', Channel.SOCIAL, storm) == \
        pytest.approx(6.0, rel=0.1)
    normal, understaffed = summarize(week('normal')).overall, summarize(week('understaffed')).overall
    assert understaffed.offered == normal.offered  # the same customers, fewer agents
    assert understaffed.abandon_rate > 2 * normal.abandon_rate and understaffed.service_level < normal.service_level
    working = sum(agent.handled > 0 for agent in week('understaffed').agents)
    assert working == round(20 * SCENARIOS['understaffed'].attendance)


def test_agents_work_their_shifts_and_take_breaks_by_style() -> None:
    result = week('normal')
    for contact in result.contacts:
        if contact.answered_at >= 0:
            agent = result.agents[contact.agent]
            assert agent.shift.on_duty(int(contact.answered_at // 3600) % 24)
    breaks = defaultdict(list)
    for agent in result.agents:
        breaks[agent.style.name].append(agent.break_seconds)
        assert agent.available_seconds < 7 * 8 * 3600 + 3600  # 8 hours a day, and a contact to finish at the end
    assert min(breaks['break_lover']) > max(breaks['fast'])
    steady = week('steady')
    assert all(agent.breaks == 0 for agent in steady.agents)
    assert all(agent.available_seconds == pytest.approx(168 * 3600) for agent in steady.agents)


def test_stories_are_the_events_the_live_services_record() -> None:
    events = stories('normal')
    assert [event.id for event in events] == list(range(1, len(events) + 1))
    assert all(a.occurred_at <= b.occurred_at for a, b in pairwise(events))
    by_conversation: dict[int, list[GameEvent]] = defaultdict(list)
    for event in events:
        if event.conversation_id is not None:  # presence changes belong to no conversation
            by_conversation[event.conversation_id].append(event)
    contacts = week('normal').contacts
    assert set(by_conversation) == {contact.id for contact in contacts}
    for contact in contacts[:2000]:
        kinds = [event.kind for event in by_conversation[contact.id]]
        assert kinds[0] == EventKind.CONVERSATION_CREATED
        if contact.abandoned:
            assert kinds == [EventKind.CONVERSATION_CREATED, EventKind.ABANDONED]
            assert by_conversation[contact.id][1].agent_id is None
            continue
        assert kinds[1] == EventKind.ASSIGNED and kinds[2] == EventKind.REPLIED and EventKind.RESOLVED in kinds
        assert kinds.count(EventKind.RESOLVED) == 1 + kinds.count(EventKind.REOPENED)
        assert kinds.count(EventKind.RATED) <= 1
        resolved = next(event for event in by_conversation[contact.id] if event.kind == EventKind.RESOLVED)
        assert resolved.occurred_at == week('normal').config.start + timedelta(
            seconds=contact.answered_at + contact.handle)
        assert resolved.data['inbound_count'] == 1 + kinds[:kinds.index(EventKind.RESOLVED)].count(
            EventKind.CUSTOMER_MESSAGE)
    counts = Counter(event.kind for event in events)
    assert counts[EventKind.REOPENED] > 0 and counts[EventKind.RATED] > 0.6 * counts[EventKind.RESOLVED]


def test_the_game_scores_the_run_as_the_app_would() -> None:
    result = week('normal')
    played = play(result)
    projection = GameProjection()
    points = Counter()
    for event in stories('normal'):
        for award in projection.apply(event).awards:
            points[award.agent_id] += award.points
        if event.kind == EventKind.ABANDONED:
            assert projection.apply(event).awards == []  # a fold is idempotent for an event that earns nothing
    assert played.events == len(stories('normal'))
    for agent in played.agents:
        metrics = projection.agents[agent['id']]
        assert agent['points'] == metrics.points == points[agent['id']] == sum(agent['points_by_domain'].values())
        assert agent['level'] == metrics.level and agent['resolved'] == metrics.resolved
    board = played.leaderboard
    assert len(board) == 10 and [row['points'] for row in board] == sorted((row['points'] for row in board),
                                                                           reverse=True)
    assert board[0]['points'] == max(points.values())


def test_styles_make_the_leaderboard_different() -> None:
    """Fast agents resolve more, careful ones earn better ratings, and the points spread out."""
    agents = play(week('normal', agents=25, rate=45)).agents
    by_style: dict[str, list[dict]] = defaultdict(list)
    for agent in agents:
        by_style[agent['style']].append(agent)

    def mean(style: str, key: str) -> float:
        return statistics.fmean(agent[key] for agent in by_style[style])

    def happy(style: str) -> float:
        return statistics.fmean(a['positive_ratings'] / max(1, a['positive_ratings'] + a['negative_ratings'])
                                for a in by_style[style])
    assert mean('fast', 'resolved') > mean('careful', 'resolved')
    assert happy('careful') > happy('fast')
    points = [agent['points'] for agent in agents]
    assert len(set(points)) > 0.8 * len(points) and max(points) > 1.1 * min(points)


def test_report_has_the_contract_fields_overall_and_per_channel() -> None:
    config = RunConfig(agents=8, arrivals_per_hour=50, mean_handle_seconds=300, patience_seconds=120, hours=12,
                       channels=(Channel.CHAT, Channel.EMAIL), scenario='steady', sl_target_seconds=30)
    document = report(simulate(config))
    contract = {'offered', 'answered', 'abandoned', 'asa_seconds', 'service_level', 'abandon_rate', 'occupancy'}
    assert contract <= set(document)
    assert set(document['channels']) == {'chat', 'email'}
    assert all(contract <= set(stats) for stats in document['channels'].values())
    assert document['sl_target_seconds'] == 30
    assert {'agents', 'leaderboard'} <= set(document['game'])
    assert {'level', 'points_by_domain'} <= set(document['game']['agents'][0])


def test_service_level_counts_offered_contacts_and_asa_answered_ones() -> None:
    contacts = [Contact(id=1, channel=Channel.CHAT, arrival=0, deadline=100, answered_at=10, handle=60),
                Contact(id=2, channel=Channel.CHAT, arrival=0, deadline=100, answered_at=50, handle=60),
                Contact(id=3, channel=Channel.CHAT, arrival=0, deadline=30, abandoned=True),
                Contact(id=4, channel=Channel.CHAT, arrival=5, deadline=100, answered_at=5, handle=30)]
    stats = queue_stats(contacts, target=20, busy_seconds=150, available_seconds=300)
    assert (stats.offered, stats.answered, stats.abandoned) == (4, 3, 1)
    assert stats.service_level == 2 / 4  # answered within 20 s, of all offered (not of the 3 answered)
    assert stats.asa_seconds == pytest.approx(20.0)  # (10 + 50 + 0) / 3: hung-up waits do not count
    assert stats.abandon_rate == 0.25 and stats.delay_probability == 0.75 and stats.occupancy == 0.5
    assert stats.longest_wait_seconds == 50


def test_invalid_runs_are_refused() -> None:
    with pytest.raises(ValueError, match='at least one agent'):
        RunConfig(agents=0)
    with pytest.raises(ValueError, match='unknown scenario'):
        RunConfig(scenario='holiday')
    with pytest.raises(ValueError, match='positive'):
        RunConfig(arrivals_per_hour=0).traffic()


def _fields(config: RunConfig) -> dict:
    return {name: getattr(config, name) for name in RunConfig.__slots__}
