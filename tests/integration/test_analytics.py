"""Analytics' daily aggregates equal a recomputation from the log, live and after a rebuild; the reads' rules."""
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest

from models import AnalyticsDay, DailyPoints, StoredEvent
from services.container import Services
from services.domain.analytics import Chart
from services.domain.errors import ActionError
from services.game.analytics import DrillPoint, query_for, stored_analytics
from services.game.rebuild import differences, overwrite, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ManualClock().now().tzinfo)


async def recomputed() -> tuple[Counter, Counter, Counter, Counter]:
    """Straight from the log, without the fold: resolutions, ratings (less the invalidated), arrivals per hour."""
    resolved: Counter = Counter()
    rated: Counter = Counter()
    good: Counter = Counter()
    arrivals: Counter = Counter()
    events = await StoredEvent.all().order_by('id')
    by_id = {event.id: event for event in events}
    for event in events:
        day = _utc(event.occurred_at).date()
        if event.kind == 'resolved' and event.agent_id is not None:
            resolved[(day, event.agent_id, event.data['channel'])] += 1
        elif event.kind == 'rated':
            rated[(day, event.agent_id, event.data['channel'])] += 1
            good[(day, event.agent_id, event.data['channel'])] += event.data['rating'] == 'good'
        elif event.kind == 'rating_invalidated':
            original = by_id[event.data['rated_event_id']]
            key = (_utc(original.occurred_at).date(), event.agent_id, original.data['channel'])
            rated[key] -= 1
            good[key] -= event.data['rating'] == 'good'
        elif event.kind == 'conversation_created':
            arrivals[(day, _utc(event.occurred_at).hour, event.data['channel'])] += 1
    return +resolved, +rated, +good, +arrivals


async def test_aggregates_equal_the_log_live_and_after_a_rebuild(services: Services, simulator: Simulator,
                                                                  clock: ManualClock, lead: AgentView) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=18))  # past a midnight: two days
    kinds = Counter(await StoredEvent.all().values_list('kind', flat=True))
    assert kinds['resolved'] > 100 and kinds['rated'] > 50 and kinds['reopened'] > 0

    resolved, rated, good, arrivals = await recomputed()
    days, hours = await stored_analytics()
    assert {key: row['resolved'] for key, row in days.items() if row['resolved']} == resolved
    assert {key: row['rated'] for key, row in days.items() if row['rated']} == rated
    assert {key: row['rated_good'] for key, row in days.items() if row['rated_good']} == good
    assert hours == arrivals
    assert len({key[0] for key in hours}) >= 2
    points: Counter = Counter()
    for (day, agent_id, _), row in days.items():
        points[(agent_id, day)] += row['points_quality'] + row['points_speed'] + row['points_productivity']
    assert +points == +Counter({(agent_id, day): value for agent_id, day, value in
                                await DailyPoints.all().values_list('agent_id', 'day', 'points')})
    reopened = sum(row['reopened'] for row in days.values())
    assert 0 < reopened <= kinds['reopened']

    await services.badges.settle()
    assert await differences(await replay()) == []

    row = await AnalyticsDay.filter(resolved__gt=0).first()
    assert row is not None
    row.resolved += 3
    await row.save()
    lines = await differences(await replay())
    assert len(lines) == 1 and lines[0].startswith(f'analytics: {row.day} agent {row.agent_id} {row.channel}')
    await overwrite(await replay())
    await services.badges.settle()
    assert await differences(await replay()) == []
    assert await stored_analytics() == (days, hours)

    # the lead's report over the period is the same sums
    today = clock.now().date()
    report = await services.analytics.report(lead, query_for(7, today=today))
    resolved_by_day = defaultdict(int)
    for (day, _, _), count in resolved.items():
        resolved_by_day[day.isoformat()] += count
    assert {row[0]: row[2] for row in report.tables[Chart.FIRST_CONTACT].rows if row[2]} == resolved_by_day
    assert sum(row[2] for row in report.tables[Chart.VOLUME].rows) == sum(arrivals.values())
    busiest = max(report.tables[Chart.FIRST_CONTACT].rows, key=lambda row: row[2])
    drilled = await services.analytics.drill(lead, query_for(7, today=today),
                                             DrillPoint(chart=Chart.FIRST_CONTACT, day=datetime.fromisoformat(
                                                 busiest[0]).date()))
    assert len(drilled) == min(busiest[2], 200) and all(row.conversation_id for row in drilled)
    assert any(row.kind for row in drilled)  # the resolutions' receipts


async def test_an_agent_reads_only_their_own_figures_and_their_team_totals(
        services: Services, simulator: Simulator, clock: ManualClock, ana: AgentView, bruno: AgentView) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=3))
    today = clock.now().date()
    mine = await services.analytics.report(ana, query_for(7, today=today, agent_id=ana.id))
    assert Chart.VOLUME not in mine.tables and mine.subject == ana.name
    team = await services.analytics.report(ana, query_for(7, today=today, team_id=ana.team_id))
    assert team.tables[Chart.POINTS].rows
    for query in (query_for(7, today=today, agent_id=bruno.id), query_for(7, today=today),
                  query_for(7, today=today, team_id=(ana.team_id or 0) + 1)):
        with pytest.raises(ActionError, match='your own figures'):
            await services.analytics.report(ana, query)
    with pytest.raises(ActionError, match='your own'):
        await services.analytics.drill(ana, query_for(7, today=today, team_id=ana.team_id),
                                       DrillPoint(chart=Chart.CSAT, day=today))
    own = await services.analytics.drill(ana, query_for(7, today=today, agent_id=ana.id),
                                         DrillPoint(chart=Chart.POINTS, day=today, series='speed'))
    assert all(row.agent_id == ana.id for row in own)
    assert services.analytics.csat_week(ana.id) is None  # not followed: no card asked
    await services.analytics.follow_ratings(ana.id)
    assert services.analytics.csat_week(ana.id) == await stored_csat(ana.id, clock)
    await simulator.run_until(clock.now() + timedelta(hours=14))  # kept up after each commit, past midnight
    assert services.analytics.csat_week(ana.id) == await stored_csat(ana.id, clock) is not None


async def stored_csat(agent_id: int, clock: ManualClock) -> float | None:
    good, total = 0, 0
    for row in await AnalyticsDay.filter(agent_id=agent_id, day__gte=clock.now().date() - timedelta(days=6)):
        good, total = good + row.rated_good, total + row.rated
    return round(100 * good / total, 1) if total else None


def test_a_period_is_checked() -> None:
    today = datetime(2026, 3, 10).date()
    assert query_for(7, today=today).first == today - timedelta(days=6)
    assert query_for(None, today=today, first='2026-03-01', last='2026-03-02').last.day == 2
    for days, first, last, message in ((5, '', '', 'Choose a period'), (None, 'x', '2026-03-01', 'not a date'),
                                       (None, '2026-03-05', '2026-03-01', 'comes before'),
                                       (None, '2024-01-01', '2026-03-01', 'at most')):
        with pytest.raises(ActionError, match=message):
            query_for(days, today=today, first=first, last=last)
    with pytest.raises(ActionError, match='Unknown channel'):
        query_for(7, today=today, channel='fax')
