"""The demo's "while you were away" (issue 15): what the simulator did as an agent with no tab open, from the ledger
since their last tab closed (or since start-up), told once per return, and only in the demo."""
from datetime import timedelta

from models import LedgerEntry, StoredEvent
from services.container import Services
from services.game.away import AwayReport, AwaySummary
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator


async def test_the_simulator_works_as_an_absent_agent_and_they_are_told_once(
        services: Services, simulator: Simulator, clock: ManualClock, bruno: AgentView) -> None:
    services.presence.tab_opened(bruno.id)  # Bruno is here: the simulator leaves his work to him
    before = services.game.last_event_id
    await simulator.run_until(clock.now() + timedelta(hours=3))
    resolvers = await StoredEvent.filter(kind='resolved', id__gt=before).values_list('agent_id', flat=True)
    assert bruno.id not in resolvers
    agent_id = max(set(resolvers), key=resolvers.count)  # someone the simulator played (on shift this morning)
    points = sum(await LedgerEntry.filter(agent_id=agent_id, event_id__gt=before).values_list('points', flat=True))
    summary = await services.away.returned(agent_id)  # their first tab since start-up
    assert summary == AwaySummary(points=points, resolved=resolvers.count(agent_id))
    assert summary.text == f'While you were away, the simulator worked as you: {points:+d} points, ' \
                           f'{resolvers.count(agent_id)} conversation{"s" if resolvers.count(agent_id) > 1 else ""} ' \
                           'resolved.'
    assert await services.away.returned(agent_id) is None  # told once
    assert await services.away.returned(bruno.id) is None  # he was here: nothing done as him

    services.away.left(agent_id)  # their last tab closed
    left_at = services.game.last_event_id
    await simulator.run_until(clock.now() + timedelta(hours=2))
    expected = sum(await LedgerEntry.filter(agent_id=agent_id, event_id__gt=left_at).values_list('points', flat=True))
    later = await services.away.returned(agent_id)
    assert (later.points if later else 0) == expected  # only since they left, not since start-up


def test_the_wording_of_one_conversation_and_of_none() -> None:
    assert AwaySummary(points=295, resolved=1).text == \
        'While you were away, the simulator worked as you: +295 points, 1 conversation resolved.'
    assert AwaySummary(points=-10, resolved=0).text == 'While you were away, the simulator worked as you: -10 points.'


async def test_outside_the_demo_nobody_is_told(services: Services, simulator: Simulator, clock: ManualClock,
                                               ana: AgentView) -> None:
    production = AwayReport(game=services.game, enabled=False)
    production.load()
    await simulator.run_until(clock.now() + timedelta(hours=2))
    assert await production.returned(ana.id) is None
