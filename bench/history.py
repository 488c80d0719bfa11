"""Shared by the database benchmarks: a service layer on a fresh database, and a realistic stream of game events."""
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# the code under test: this checkout, or a baseline exported from git (bench/ingest.py --baseline)
sys.path.insert(0, os.environ.get('DESKQUEST_BENCH_CODE') or str(Path(__file__).resolve().parents[1]))

from _checkout import start_services  # noqa: E402
from _support import create_postgres_database, drop_postgres_database  # noqa: E402

from models import Agent, Team  # noqa: E402
from services.container import Services  # noqa: E402

try:  # the layout since services/ was split into layers, then the flat one of older baselines
    from services.domain.events import EventKind, Rating
    from services.platform.clock import ManualClock
except ModuleNotFoundError:
    from services.clock import ManualClock  # type: ignore[no-redef]
    from services.events import EventKind, Rating  # type: ignore[no-redef]

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
AGENTS = 50


@dataclass(frozen=True, kw_only=True, slots=True)
class NewEvent:
    kind: EventKind
    agent_id: int
    conversation_id: int | None
    data: dict


async def fresh_services(server_url: str | None = None) -> tuple[Services, ManualClock]:
    """The real service layer (game, leaderboard, progress, inbox) on an empty database, simulator off.

    :param server_url: None for a fresh SQLite file, or a PostgreSQL URL in which a fresh database is created
    """
    if server_url is None:
        db_url = f'sqlite://{tempfile.mkdtemp(prefix="deskquest-bench-")}/bench.sqlite3'
    else:
        db_url = await create_postgres_database(server_url)
    clock = ManualClock(START)
    services = await start_services(db_url, demo=False, clock=clock)
    await seed_floor(services)
    return services, clock


async def seed_floor(services: Services) -> None:
    """Five teams of ten agents (ids 1..50), so rankings rank a real floor."""
    teams = [await Team.create(name=f'Team {number}') for number in range(1, 6)]
    for number in range(1, AGENTS + 1):
        await Agent.create(id=number, username=f'agent{number}', display_name=f'Agent {number}', password_hash='-',
                           team=teams[(number - 1) % len(teams)])
    await services.directory.load()


TAGS = ('billing', 'shipping', 'refund', 'bug', 'feature-request', 'account', 'vip')
STATUSES = ('online', 'away', 'on_break')


def event_stream(seed: int = 1) -> Iterator[NewEvent]:
    """Conversations on 50 agents, with what every default badge counts: the agent has the conversation open (viewed),
    replies (the first one with its response time), sometimes tags it or transfers it, resolves it (fast or slow, on
    time or late, with its duration), is rated, a few reopens; between conversations agents change presence (online,
    away, on break) with the seconds spent in the previous status."""
    rng = random.Random(seed)
    conversation_id = 0
    emitted = 0  # events so far: ingest() puts them 10 s apart, so a conversation's age can be realistic
    presence = {agent_id: 'online' for agent_id in range(1, AGENTS + 1)}
    while True:
        conversation_id += 1
        agent_id = rng.randint(1, AGENTS)
        channel = rng.choice(['email', 'chat', 'phone', 'social'])
        # created 10 min to 4 h before it is handled: some fast resolutions, some late ones
        created = START + timedelta(seconds=10 * emitted - 60 * rng.choice([10, 30, 90, 240]))
        story: list[NewEvent] = []

        def add(kind: EventKind, data: dict, *, agent: int = agent_id, conversation: int | None = conversation_id,
                into: list[NewEvent] = story) -> None:
            into.append(NewEvent(kind=kind, agent_id=agent, conversation_id=conversation, data=data))

        add(EventKind.VIEWED, {'seconds': rng.randint(5, 900)})
        add(EventKind.REPLIED, {'length': rng.randint(40, 600), 'canned': None, 'channel': channel,
                                'first_response_seconds': rng.randint(5, 600)})
        if rng.random() < 0.4:
            add(EventKind.REPLIED, {'length': rng.randint(40, 600), 'canned': None, 'channel': channel})
        if rng.random() < 0.4:
            add(EventKind.TAGGED, {'tag': rng.choice(TAGS)})
        if rng.random() < 0.05:
            add(EventKind.TRANSFERRED, {'note_length': rng.randint(0, 200), 'channel': channel, 'status': 'open',
                                        'to_agent_id': rng.randint(1, AGENTS)})
        add(EventKind.RESOLVED, {'channel': channel, 'created_at': created.isoformat(),
                                 'sla_due_at': (created + timedelta(hours=rng.choice([1, 8, 24]))).isoformat(),
                                 'inbound_count': rng.choice([1, 1, 2]), 'priority': 'normal',
                                 'duration_seconds': rng.randint(30, 3600)})
        if rng.random() < 0.7:
            add(EventKind.RATED, {'rating': rng.choice([Rating.GOOD, Rating.GOOD, Rating.NEUTRAL, Rating.BAD]).value,
                                  'comment': '', 'channel': channel})
        if rng.random() < 0.03:
            add(EventKind.REOPENED, {'reason': 'customer wrote again'})
        if rng.random() < 0.2:
            mover = rng.randint(1, AGENTS)
            status = rng.choice([s for s in STATUSES if s != presence[mover]])
            add(EventKind.PRESENCE_CHANGED, {'status': status, 'previous': presence[mover],
                                             'seconds': rng.randint(60, 7200)}, agent=mover, conversation=None)
            presence[mover] = status
        emitted += len(story)
        yield from story


async def ingest(services: Services, clock: ManualClock, events: Iterator[NewEvent], count: int, *,
                 batch: int, step: timedelta = timedelta(seconds=10)) -> None:
    """Record ``count`` events through the game's single writer, ``batch`` events per unit of work (transaction).

    Events are ``step`` apart in simulated time: 10 s makes 100k events about twelve days of a 50-agent floor.
    """
    done = 0
    while done < count:
        async with services.game.unit_of_work() as work:
            for _ in range(min(batch, count - done)):
                event = next(events)
                clock.advance(step)
                await work.record(event.kind, agent_id=event.agent_id, conversation_id=event.conversation_id,
                                  data=event.data)
                done += 1
    await services.badges.settle()  # the badge holders of these events are stored a moment after their commits


async def stop(services: Services, server_url: str | None) -> None:
    """Stop the services and drop the PostgreSQL database the benchmark created."""
    await services.stop()
    if server_url is not None:
        await drop_postgres_database(services.settings.db_url)


async def median_seconds(action: Callable[[], Awaitable[object]], *, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        await action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)
