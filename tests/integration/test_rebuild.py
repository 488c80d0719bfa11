"""Rebuilding every projection from the event log gives exactly the live state, and tampering is found."""
from collections import Counter
from datetime import timedelta

import pytest

from models import AgentScore, DailyPoints, LedgerEntry, StoredEvent
from services.container import Services
from services.domain.leaderboard import Period
from services.game.rebuild import differences, overwrite, replay
from services.platform.clock import ManualClock
from services.platform.database import sqlite_path
from simulation.simulator import Simulator
from tests.integration.support import run_main


async def test_replay_after_ten_simulated_hours(services: Services, simulator: Simulator, clock: ManualClock) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=10))
    assert clock.now() == simulator.status().sim_time
    kinds = Counter(await StoredEvent.all().values_list('kind', flat=True))
    assert kinds['resolved'] > 100 and kinds['rated'] > 50 and kinds['reopened'] > 0  # a rich enough history
    assert await LedgerEntry.filter(reason__contains='taken back').exists()

    await services.badges.settle()  # the holders of what was committed are stored
    rebuilt = await replay()
    assert rebuilt.events == sum(kinds.values())
    assert await differences(rebuilt) == []
    assert rebuilt.metrics == services.game.projection.agents
    today = clock.now().date()
    assert len(rebuilt.metrics) >= 6  # much of the floor got work
    for agent_id, metrics in rebuilt.metrics.items():
        assert services.leaderboard.tally.total(agent_id, Period.ALL, today) == \
            rebuilt.tally.total(agent_id, Period.ALL, today) == metrics.points
    live = {agent_id: metrics.as_dict() for agent_id, metrics in services.game.projection.agents.items()}
    await services.game.load()  # what a restart loads
    assert {agent_id: metrics.as_dict() for agent_id, metrics in services.game.projection.agents.items()} == live

    top = max(rebuilt.metrics.values(), key=lambda metrics: metrics.points)
    await AgentScore.filter(agent_id=top.agent_id).update(points=top.points + 7)
    entry = await LedgerEntry.filter(points__gt=0).order_by('id').first()
    assert entry is not None
    await entry.delete()
    daily = await DailyPoints.get(agent_id=entry.agent_id, day=entry.occurred_at.date())
    daily.points -= entry.points  # the maintained daily total is a projection of its own, checked on its own
    await daily.save()
    agent_total = rebuilt.tally.total(entry.agent_id, Period.ALL, today)
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == [
        f'agent {top.agent_id}: stored points={top.points + 7}, rebuilt points={top.points}',
        f'ledger: rebuilt entry missing from store: event {entry.event_id} agent {entry.agent_id} '
        f'{entry.points:+d} {entry.reason}',
        f'leaderboard: agent {entry.agent_id} daily points differ (stored {agent_total - entry.points}, '
        f'rebuilt {agent_total})',
    ]

    await AgentScore.filter(agent_id=top.agent_id).delete()
    await LedgerEntry.create(event_id=entry.event_id, agent_id=entry.agent_id, points=99, domain='speed',
                             kind='fast_resolution', reason='a gift', occurred_at=entry.occurred_at)
    await services.badges.settle()  # the holders of what was committed are stored
    lines = await differences(await replay())
    assert f'agent {top.agent_id}: stored points=0, rebuilt points={top.points}' in lines
    assert f'ledger: stored entry not in rebuild: event {entry.event_id} agent {entry.agent_id} +99 a gift' in lines

    await overwrite(await replay())
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == []
    assert (await AgentScore.get(agent_id=top.agent_id)).points == top.points
    assert await LedgerEntry.all().count() == sum((await replay()).ledger.values())


async def run_cli(*args: str) -> tuple[int, str]:
    """Run ``python main.py rebuild ...`` as a person would, and return its exit code and output."""
    run = await run_main('rebuild', *args)
    return run.code, run.output


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_rebuild_command(services: Services, simulator: Simulator, clock: ManualClock, db_url: str) -> None:
    assert sqlite_path(db_url) is not None
    await simulator.run_until(clock.now() + timedelta(hours=1))
    events = await StoredEvent.all().count()
    agents = await AgentScore.all().count()

    code, output = await run_cli('--check', '--db-url', db_url)
    assert code == 0, output
    assert f'replayed {events} events for {agents} agents' in output
    assert 'OK: the stored projections match the event log' in output

    score = await AgentScore.all().order_by('-points').first()
    assert score is not None
    await AgentScore.filter(agent_id=score.agent_id).update(resolved=score.resolved + 1)
    code, output = await run_cli('--check', '--db-url', db_url)
    assert code == 1, output
    assert f'agent {score.agent_id}: stored resolved={score.resolved + 1}, rebuilt resolved={score.resolved}' in output
    assert 'FAILED: 1 difference(s) between the stored projections and the event log' in output
    assert (await AgentScore.get(agent_id=score.agent_id)).resolved == score.resolved + 1  # a check writes nothing

    code, output = await run_cli('--db-url', db_url)
    assert code == 0, output
    assert 'rewrote the projections (1 difference(s) repaired)' in output
    assert (await AgentScore.get(agent_id=score.agent_id)).resolved == score.resolved
    code, output = await run_cli('--check', '--db-url', db_url)
    assert code == 0 and 'OK' in output, output
