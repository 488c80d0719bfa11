"""Helpers the integration tests share: looking people up, counting what was written, building a headless app."""
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base import executor

from models import AgentScore, Conversation, LedgerEntry, Message, StoredEvent
from services.platform.clock import ManualClock
from services.container import Services, build
from services.platform.directory import AgentView
from simulation.demo import start_demo
from simulation.simulator import Simulator
from tests.conftest import headless_simulator, settings_for_test

@dataclass(frozen=True, kw_only=True, slots=True)
class Written:
    """How many rows of each kind a database holds: an action that fails must leave these unchanged."""
    events: int
    ledger: int
    messages: int
    conversations: int
    scores: tuple[tuple, ...]


async def assert_scores_match_projection(services: Services) -> None:
    """The stored AgentScore rows hold exactly what the live projection holds."""
    stored = {score.agent_id: score for score in await AgentScore.all()}
    assert set(stored) == set(services.game.projection.agents)
    for agent_id, metrics in services.game.projection.agents.items():
        expected = metrics.as_dict()
        assert {name: getattr(stored[agent_id], name) for name in expected} == expected


async def written() -> Written:
    scores = await AgentScore.all().order_by('agent_id').values_list('agent_id', 'points', 'resolved', 'replies',
                                                                   'positive_ratings', 'last_event_id')
    return Written(events=await StoredEvent.all().count(), ledger=await LedgerEntry.all().count(),
                   messages=await Message.all().count(), conversations=await Conversation.all().count(),
                   scores=tuple(tuple(row) for row in scores))


def agent(services: Services, username: str) -> AgentView:
    return next(view for view in services.directory.agents.values() if view.username == username)


async def waiting_ids() -> list[int]:
    """The seeded conversations still waiting, oldest first."""
    return list(await Conversation.filter(status='new').order_by('id').values_list('id', flat=True))


async def ledger_of(agent_id: int) -> list[tuple[int, str, str]]:
    return [tuple(row) for row in
            await LedgerEntry.filter(agent_id=agent_id).order_by('id').values_list('points', 'domain', 'reason')]


async def start_headless(db_url: str, *, start: datetime, seed: int = 1) -> tuple[Services, Simulator]:
    """Build and start the services on a fresh database with a manual clock, as the ``services`` fixture does, and
    the simulator that drives them headless."""
    executor.EXECUTOR_CACHE.clear()  # Tortoise caches SQL per connection name, not per dialect
    clock = ManualClock(start)
    services = build(settings_for_test(db_url), clock=clock)
    await start_demo(services, quests=False)
    return services, headless_simulator(services, clock, seed=seed)
