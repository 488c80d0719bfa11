"""Leases on once-only work (issue 17): when several processes share one PostgreSQL floor, exactly one of them runs
the sweep, routes, records quest completions, moves the badge board past midnight and drives the simulator.

A lease is a session-level PostgreSQL advisory lock (``pg_try_advisory_lock(LEASE_CLASS, work)``) held on a connection
of the process's own. PostgreSQL releases it when that connection ends, so a holder that dies (``kill -9``, a lost
machine) lets go at once, and a process that is not the holder tries again every :data:`RETRY_SECONDS`: another takes
over within that time (plus the time PostgreSQL needs to notice a dead peer's connection; a killed process's socket is
closed by its kernel at once). The holder checks its connection at the same pace: if it is lost, so are its leases.

On SQLite (one process) every lease is held from the start and nothing runs: no statement, no task. Reading
:attr:`Lease.held` is an attribute read, cheap enough for any hot path.
"""
import asyncio
import logging
from collections.abc import Awaitable, Callable
from enum import IntEnum
from functools import wraps
from typing import TypeVar

import asyncpg

from services.platform.event_log import asyncpg_dsn
from services.platform.tasks import start_task

log = logging.getLogger(__name__)
LEASE_CLASS = 0x4451  # 'DQ': the first key of DeskQuest's advisory locks, so they cannot clash with another program's
RETRY_SECONDS = 3.0  # how often a process not holding a lease tries to take it, and a holder checks its connection
T = TypeVar('T')


class Work(IntEnum):
    """The once-only work, each under its own lease (the second key of its advisory lock: never renumber)."""
    SWEEP = 1  # the scheduler's steps that write: time rules, SLA escalations, stranded releases, the boss's deadline
    ROUTING = 2  # routing passes: after a commit, and the sweep's
    QUESTS = 3  # recording quest completions
    BADGES = 4  # the badge board passing midnight without an event
    SIMULATOR = 5  # the in-app simulator's traffic


class Lease:
    """Whether this process holds one piece of once-only work; callbacks run when it takes the lease over."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.held = True  # single process (SQLite), until Leases.start says otherwise on PostgreSQL
        self._on_taken: list[Callable[[], Awaitable[object]]] = []

    def on_taken(self, callback: Callable[[], Awaitable[object]]) -> None:
        """Run ``callback`` each time this process takes the lease over from another (PostgreSQL only): the work left
        half-done by a holder that died is picked up there (it must be idempotent)."""
        self._on_taken.append(callback)

    def guard(self, step: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T | None]]:
        """``step`` run only while this process holds the lease (a scheduler step)."""
        @wraps(step)
        async def step_if_held() -> T | None:
            return await step() if self.held else None
        return step_if_held

    def __repr__(self) -> str:
        return f'Lease({self.work.name}, held={self.held})'


class Leases:
    """This process's leases: one :class:`Lease` per :class:`Work`, all held on one connection of its own."""

    def __init__(self, *, retry_seconds: float = RETRY_SECONDS) -> None:
        self.retry_seconds = retry_seconds
        self.leases = {work: Lease(work) for work in Work}
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task | None = None

    def lease(self, work: Work) -> Lease:
        return self.leases[work]

    @property
    def held(self) -> set[Work]:
        return {work for work, lease in self.leases.items() if lease.held}

    async def start(self, db_url: str) -> None:
        """On PostgreSQL: hold nothing, try every lease now and then every :attr:`retry_seconds`. On SQLite: nothing
        (one process holds every lease)."""
        if not db_url.startswith('postgres://') or self._task is not None:
            return
        for lease in self.leases.values():
            lease.held = False
        dsn = asyncpg_dsn(db_url)
        await self._round(dsn, taking_over=False)  # at once: a lone process holds its work when start-up returns
        self._task = start_task(self._keep(dsn), name='leases')

    async def stop(self) -> None:
        """Let every lease go (closing the connection releases its locks): another process takes the work over."""
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        await self._drop()

    async def _keep(self, dsn: str) -> None:
        while True:
            await asyncio.sleep(self.retry_seconds)
            await self._round(dsn)

    async def _round(self, dsn: str, *, taking_over: bool = True) -> None:
        """Check the connection (a lost one loses every lease) and try the leases not held; run the callbacks of those
        taken over (not at start-up: loading the services does what they would)."""
        taken: list[Lease] = []
        try:
            if self._connection is None or self._connection.is_closed():
                await self._drop()
                self._connection = await asyncio.wait_for(asyncpg.connect(dsn), self.retry_seconds)
            wanted = [int(work) for work, lease in self.leases.items() if not lease.held]
            rows = await self._connection.fetch(  # one statement: the liveness check when nothing is wanted
                'SELECT n, pg_try_advisory_lock($1, n) AS taken FROM unnest($2::int[]) AS n',
                LEASE_CLASS, wanted, timeout=self.retry_seconds)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            if self.held:
                log.warning('lost the connection holding the leases (%s): letting go of %s', error,
                            ', '.join(sorted(work.name for work in self.held)))
            await self._drop()
            return
        for row in rows:
            if row['taken']:
                lease = self.leases[Work(row['n'])]
                lease.held = True
                taken.append(lease)
        for lease in taken:
            log.info('this process now does the %s work', lease.work.name.lower())
            for callback in lease._on_taken if taking_over else ():
                try:
                    await callback()
                except Exception:
                    log.exception('taking over the %s work failed', lease.work.name.lower())

    async def _drop(self) -> None:
        for lease in self.leases.values():
            lease.held = False
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                await asyncio.wait_for(connection.close(), self.retry_seconds)
            except Exception:  # a dead connection: nothing to release on the server's side any more
                connection.terminate()
