"""Several processes on one PostgreSQL log (issue 17): writers serialised by the event table's lock, followers that
never skip an event committed late, nor fold one twice.

Each ``GameService`` here keeps its own projection, ids and lock, as a process does; they share only the database
(Tortoise's pool gives each transaction its own PostgreSQL connection). ``test_shared_log_processes.py`` runs real
processes.
"""
import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from tortoise import Tortoise

from services.domain.events import EventKind, GameEvent
from services.domain.projection import Outcome
from services.platform import event_log
from services.platform.clock import ManualClock
from services.platform.database import open_database
from services.platform.event_log import GameService, UnitOfWork, asyncpg_dsn
from tests.conftest import START
from tests.integration.support import until

pytestmark = pytest.mark.parametrize('db_url', ['postgres'], indirect=True)


class HoldsTheTransaction:
    """A stored projection that stops its writer after the events are inserted, before the commit."""

    def __init__(self) -> None:
        self.inserted = asyncio.Event()
        self.release = asyncio.Event()

    async def store(self, work: UnitOfWork) -> None:
        self.inserted.set()
        await self.release.wait()

    def discard(self) -> None:
        pass

    async def follow(self, events: list[GameEvent], outcomes: list[Outcome]) -> None:
        pass


@pytest.fixture
async def games(db_url: str) -> AsyncIterator[list[GameService]]:
    """Three "processes" on one new database: writer A, writer B and a follower."""
    await open_database(db_url)
    games = [GameService(clock=ManualClock(START)) for _ in range(3)]
    for game in games:
        await game.load()
    try:
        yield games
    finally:
        for game in games:
            await game.stop_following()
        await Tortoise.close_connections()


async def record(game: GameService, key: str, agent_id: int = 1) -> None:
    async with game.unit_of_work() as work:
        await work.record(EventKind.RATED, agent_id=agent_id, conversation_id=1, key=key, data={'rating': 'good'})


async def waiting_for_the_log(db_url: str) -> int:
    """How many transactions wait for a lock on the event table."""
    connection = await asyncpg.connect(asyncpg_dsn(db_url))
    try:
        return await connection.fetchval("SELECT count(*) FROM pg_locks WHERE relation = 'event'::regclass "
                                         'AND NOT granted')
    finally:
        await connection.close()


async def test_a_writer_committing_late_is_never_skipped(games: list[GameService], db_url: str) -> None:
    writer_a, writer_b, follower = games
    holder = HoldsTheTransaction()
    writer_a.store_with_events(holder)
    a = asyncio.create_task(record(writer_a, 'a'))
    await until(holder.inserted.is_set, message='A inserted its event')  # and holds its transaction open
    b = asyncio.create_task(record(writer_b, 'b'))
    await until(lambda: waiting_for_the_log(db_url), message='B waits for the lock on the event table')
    assert await follower.catch_up() == []  # A's event is not committed, B's not even numbered
    assert not b.done()

    holder.release.set()
    await asyncio.gather(a, b)
    followed = await follower.catch_up()
    assert [(outcome.event.id, outcome.event.key) for outcome in followed] == [(1, 'a'), (2, 'b')]
    assert (writer_a.last_event_id, writer_b.last_event_id, follower.last_event_id) == (1, 2, 2)
    assert follower.projection.agents[1].positive_ratings == 2
    assert await follower.catch_up() == []  # folded once


async def test_a_writer_folds_what_others_committed_before_it_records(games: list[GameService]) -> None:
    writer_a, writer_b, _ = games
    heard: list[list[Outcome]] = []
    writer_b.followed.subscribe(heard.append)
    committed: list[list[Outcome]] = []
    writer_b.committed.subscribe(committed.append)
    await record(writer_a, 'a1')
    await record(writer_a, 'a2')
    await record(writer_b, 'b1')
    # B's own commit is told on committed, A's events (caught up in B's unit of work, before it) on followed only
    assert [[outcome.event.key for outcome in outcomes] for outcomes in heard] == [['a1', 'a2']]
    assert [[outcome.event.key for outcome in outcomes] for outcomes in committed] == [['b1']]
    assert writer_b.projection.agents[1].positive_ratings == 3
    assert writer_b.last_event_id == 3


async def test_a_long_run_is_followed_in_slices_each_told_once_in_order(games: list[GameService],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    writer, _, follower = games
    monkeypatch.setattr(event_log, 'FOLLOW_SLICE', 3)
    async with writer.batch() as work:
        for number in range(7):
            await work.record(EventKind.RATED, agent_id=1, conversation_id=1, key=f'a{number}', data={'rating': 'good'})
    heard: list[list[str]] = []
    follower.followed.subscribe(lambda outcomes: heard.append([outcome.event.key for outcome in outcomes]))
    followed = await follower.catch_up()
    assert heard == [['a0', 'a1', 'a2'], ['a3', 'a4', 'a5'], ['a6']]  # the loop is free between the slices
    assert [outcome.event.key for outcome in followed] == [f'a{number}' for number in range(7)]
    assert follower.projection.agents[1].positive_ratings == 7
    assert await follower.catch_up() == []


async def test_a_rolled_back_unit_keeps_what_it_caught_up(games: list[GameService]) -> None:
    writer_a, writer_b, _ = games
    await record(writer_a, 'a1')
    with pytest.raises(RuntimeError):
        async with writer_b.unit_of_work() as work:
            await work.record(EventKind.RATED, agent_id=1, conversation_id=1, key='b1', data={'rating': 'good'})
            raise RuntimeError('refused')
    assert writer_b.projection.agents[1].positive_ratings == 1  # a1 stays folded, b1 is undone
    assert writer_b.last_event_id == 1
    await record(writer_b, 'b2')
    assert writer_b.last_event_id == 2


async def test_a_follower_wakes_at_the_notification(games: list[GameService], db_url: str) -> None:
    writer, _, follower = games
    heard: list[list[Outcome]] = []
    follower.followed.subscribe(heard.append)
    await follower.follow(db_url, poll_seconds=600)  # no poll within the test: only the notification can wake it
    await until(lambda: listening(db_url), message='the follower listens')
    await record(writer, 'a1')
    await until(lambda: follower.last_event_id == 1, message=lambda: f'followed up to {follower.last_event_id}')
    assert [[outcome.event.key for outcome in outcomes] for outcomes in heard] == [['a1']]


async def test_a_lost_notification_is_repaired_by_the_poll(games: list[GameService], db_url: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    writer, _, follower = games
    monkeypatch.setattr(follower, '_notified', lambda *_: None)  # every notification is lost
    await follower.follow(db_url, poll_seconds=0.2)
    await record(writer, 'a1')
    await record(writer, 'a2')
    await until(lambda: follower.last_event_id == 2, message=lambda: f'followed up to {follower.last_event_id}')
    assert follower.projection.agents[1].positive_ratings == 2


async def listening(db_url: str) -> bool:
    """Whether a connection listens on the log's channel (the follower connects in its own task)."""
    connection = await asyncpg.connect(asyncpg_dsn(db_url))
    try:
        return bool(await connection.fetchval('SELECT count(*) FROM pg_stat_activity WHERE datname = '
                                              'current_database() AND query LIKE $1', 'LISTEN %'))
    finally:
        await connection.close()
