"""The leases on once-only work (services/platform/leases.py) on the real PostgreSQL: one holder of each piece of
work among several processes' leases, taken over when the holder lets go or loses its connection."""
import asyncio
import time
from collections.abc import Callable

import asyncpg
import pytest

from services.platform.event_log import asyncpg_dsn
from services.platform.leases import LEASE_CLASS, Leases, Work

RETRY = 0.2
ALL = set(Work)


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f'not within {within} s'
        await asyncio.sleep(0.02)


async def advisory_holders(db_url: str) -> dict[int, int]:
    """The backend holding each of DeskQuest's advisory locks, by work number, as PostgreSQL sees them."""
    connection = await asyncpg.connect(asyncpg_dsn(db_url))
    try:
        rows = await connection.fetch("SELECT objid, pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 "
                                      'AND granted AND database = (SELECT oid FROM pg_database '
                                      'WHERE datname = current_database())', LEASE_CLASS)
        return {row['objid']: row['pid'] for row in rows}
    finally:
        await connection.close()


@pytest.mark.parametrize('db_url', ['postgres'], indirect=True)
async def test_one_process_holds_each_lease_and_another_takes_over_when_it_lets_go(db_url: str) -> None:
    first, second = Leases(retry_seconds=RETRY), Leases(retry_seconds=RETRY)
    taken_over: list[Work] = []

    async def take_over() -> None:
        taken_over.append(Work.QUESTS)

    first.lease(Work.QUESTS).on_taken(take_over)
    second.lease(Work.QUESTS).on_taken(take_over)
    try:
        await first.start(db_url)
        await second.start(db_url)
        assert first.held == ALL and second.held == set()  # the first started took every lease at start-up
        assert not taken_over  # holding from the start is no takeover: loading the services did that work
        holders = await advisory_holders(db_url)
        assert set(holders) == {int(work) for work in Work} and len(set(holders.values())) == 1
        await asyncio.sleep(3 * RETRY)
        assert first.held == ALL and second.held == set()  # trying again does not take a held lease

        await first.stop()
        assert first.held == set()
        await until(lambda: second.held == ALL, within=10 * RETRY)
        assert taken_over == [Work.QUESTS]  # the work's callback ran once, in the process that took it over
        assert set((await advisory_holders(db_url)).values()) != set(holders.values())
    finally:
        await first.stop()
        await second.stop()


@pytest.mark.parametrize('db_url', ['postgres'], indirect=True)
async def test_a_holder_that_loses_its_connection_loses_its_leases(db_url: str) -> None:
    first, second = Leases(retry_seconds=RETRY), Leases(retry_seconds=RETRY)
    try:
        await first.start(db_url)
        await second.start(db_url)
        admin = await asyncpg.connect(asyncpg_dsn(db_url))
        try:  # the holder's connection ends under it (a network cut, a restarted pooler): PostgreSQL frees its locks
            pid = set((await advisory_holders(db_url)).values()).pop()
            assert await admin.fetchval('SELECT pg_terminate_backend($1)', pid)
        finally:
            await admin.close()
        # the first notices at its next round and lets go; whichever tries first then takes each lease, never both
        deadline = time.monotonic() + 20 * RETRY
        while True:
            holders = await advisory_holders(db_url)
            if set(holders) == {int(work) for work in Work} and first.held | second.held == ALL \
                    and not first.held & second.held:
                break
            assert time.monotonic() < deadline, f'not taken again: {holders}, {first.held}, {second.held}'
            await asyncio.sleep(0.02)
        assert pid not in holders.values()
        # each process believes it holds exactly the work PostgreSQL says its connection holds
        for leases in (first, second):
            assert leases._connection is not None
            own = leases._connection.get_server_pid()
            assert {Work(n) for n, holder in holders.items() if holder == own} == leases.held
    finally:
        await first.stop()
        await second.stop()
