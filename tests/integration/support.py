"""Helpers the integration tests share: looking people up, counting what was written, building a headless app, and
waiting for a condition instead of sleeping a fixed time."""
import asyncio
import inspect
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tortoise.backends.base import executor

from models import AgentScore, Conversation, LedgerEntry, Message, StoredEvent
from services.container import Services, build
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.demo import start_demo
from simulation.simulator import Simulator, simulator_for
from tests.conftest import settings_for_test

ROOT = Path(__file__).resolve().parents[2]
POLL_SECONDS = 0.02  # short next to any timeout, long enough to let the awaited tasks run

Condition = Callable[[], bool | Awaitable[bool]]
FailureText = str | Callable[[], str]  # what was awaited; a callable is asked only on failure


async def until(condition: Condition, *, timeout: float = 5.0, message: FailureText) -> None:
    """Wait until ``condition`` (sync or async) holds, polling briefly; a fixed sleep is too short on a loaded machine
    and too long on an idle one.

    :param message: what was awaited, for the failure; a callable is asked only then (to tell what it found instead)
    :raises AssertionError: when it still does not hold after ``timeout`` seconds
    """
    deadline = time.monotonic() + timeout
    while not await _holds(condition):
        if time.monotonic() > deadline:
            raise AssertionError(f'{_text(message)} (still not after {timeout:g} s)')
        await asyncio.sleep(POLL_SECONDS)


async def stays(condition: Condition, *, for_seconds: float = 0.5, message: FailureText) -> None:
    """Check that ``condition`` holds throughout ``for_seconds``: a negative assertion checked once, right after an
    action, passes before the update it is about could arrive.

    :raises AssertionError: as soon as it does not hold
    """
    started = time.monotonic()
    while True:
        if not await _holds(condition):
            raise AssertionError(f'{_text(message)} (no longer after {time.monotonic() - started:.2f} s)')
        if time.monotonic() - started >= for_seconds:
            return
        await asyncio.sleep(POLL_SECONDS)


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
    return services, simulator_for(services, clock=clock, seed=seed)


async def _holds(condition: Condition) -> bool:
    result = condition()
    return bool(await result if inspect.isawaitable(result) else result)


def _text(message: FailureText) -> str:
    return message if isinstance(message, str) else message()


@dataclass(frozen=True)
class CommandRun:
    """What ``python main.py ...`` did: its exit code and what it printed."""
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


async def run_main(*args: str, env: Mapping[str, str] | None = None, stdin: str | None = None,
                   timeout: float = 60) -> CommandRun:
    """Run ``python main.py ARGS`` as a person would, in the test's environment (plus ``env``) without the user
    simulation flag pytest's NiceGUI plugin sets; a command that hangs is killed and fails the test."""
    environment = {name: value for name, value in os.environ.items() if name != 'NICEGUI_USER_SIMULATION'}
    process = await asyncio.create_subprocess_exec(
        sys.executable, 'main.py', *args, cwd=ROOT, env=environment | dict(env or {}),
        stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(None if stdin is None else stdin.encode()), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f'python main.py {" ".join(args)} still running after {timeout:g} s') from None
    assert process.returncode is not None
    return CommandRun(process.returncode, out.decode(), err.decode())
