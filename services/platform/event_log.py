"""The event log's single writer: appends events, keeps the stored projections in step, publishes after commit."""
import asyncio
import contextvars
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from nicegui import Event
from tortoise import Tortoise
from tortoise.fields.data import JSON_LOADS
from tortoise.functions import Min
from tortoise.transactions import in_transaction

from models import AgentScore, DailyPoints, LedgerEntry, LevelReached, StoredEvent
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import floor_day
from services.domain.level_history import ReachedLevel
from services.domain.projection import (
    AgentMetrics,
    BoundedMap,
    BoundedResolutions,
    GameProjection,
    Outcome,
    Resolution,
    TagAward,
    Vesting,
)
from services.domain.scoring import CLAWED_BACK_ON_REOPEN, MAX_REOPEN_WINDOW, Award, AwardKind, Domain
from services.platform.clock import Clock
from services.platform.level_history import level_rows, reached_levels
from services.platform.rows import insert_rows, select_column
from services.platform.tasks import start_task

log = logging.getLogger(__name__)
NOTIFY_CHANNEL = 'deskquest_events'  # PostgreSQL: a writer's commit tells the other processes the log's new last id
POLL_SECONDS = 1.5  # PostgreSQL: how often a process looks at the log without a notification (one may be lost)
FOLLOW_SLICE = 200  # other processes' events folded and published at a time between writes (see catch_up)
CHUNK = 500  # rows per statement: well under SQLite's limit on bound parameters
METRIC_FIELDS = [name for name in AgentMetrics.__dataclass_fields__ if name != 'agent_id']
# the columns the log's rows are written with, as tuples (services/platform/rows.py: no model instance per row)
EVENT_COLUMNS = ('id', 'key', 'kind', 'occurred_at', 'agent_id', 'conversation_id', 'data')
LEDGER_COLUMNS = ('event_id', 'agent_id', 'points', 'domain', 'kind', 'reason', 'occurred_at')


class AlreadyRecorded(Exception):
    """The event's idempotency key was seen before: the repeated action is rolled back whole and changes nothing."""

    def __init__(self, key: str) -> None:
        super().__init__(f'event {key} was already recorded')
        self.key = key


class StoredProjection(Protocol):
    """A projection written in the same transaction as the events that change it, so that no crash can leave it behind
    the log (the badge holders' history). Registered with :meth:`GameService.store_with_events`."""

    async def store(self, work: 'UnitOfWork') -> None:
        """Fold ``work.events`` and write what they change (called last, inside the transaction, before the commit)."""

    def discard(self) -> None:
        """The transaction :meth:`store` wrote in was rolled back: the in-memory state is ahead of the database."""

    async def follow(self, events: list[GameEvent], outcomes: list['Outcome']) -> None:
        """Fold events another process recorded (and stored: write nothing), as :meth:`store` folds this one's."""


class GameService:
    """Owns the event log and the game projection built from it.

    Every write goes through :meth:`unit_of_work`: one writer at a time (no lost updates), one database transaction
    for the helpdesk change, its events and the projections they cause, and :attr:`committed` fired only after commit.
    Events are folded as they are recorded and written in bulk when the unit of work ends, so a batch of many events
    (a webhook burst, the simulator) costs a handful of statements, not a handful per event.

    On PostgreSQL several processes share the log (see "Several processes on PostgreSQL" in docs/ARCHITECTURE.md):
    a unit of work locks the event table against the other writers and first folds what they committed (catching up),
    and :meth:`follow` folds their events between writes too; those outcomes go to :attr:`followed`, not to
    :attr:`committed`, whose listeners may record new events in response (once-only work, done where it was recorded).
    """

    def __init__(self, *, clock: Clock, resolution_cache_size: int = 20_000) -> None:
        self.clock = clock
        self.resolution_cache_size = resolution_cache_size
        self.projection = GameProjection(resolutions=BoundedResolutions(resolution_cache_size),
                                         tags=BoundedMap(resolution_cache_size))
        self.committed: Event[list[Outcome]] = Event()
        self.followed: Event[list[Outcome]] = Event()  # another process's committed events, folded here (PostgreSQL)
        self._lock = asyncio.Lock()
        self._shared = False  # the log is shared with other processes (PostgreSQL): lock, catch up, notify
        self._follower: asyncio.Task | None = None
        self._next_id = 1
        self._batch: contextvars.ContextVar[UnitOfWork | None] = contextvars.ContextVar('batch', default=None)
        self._stored: list[StoredProjection] = []
        self._refreshers: list[Callable[[list[GameEvent]], Awaitable[None]]] = []

    def refresh_with_followed(self, refresh: Callable[[list[GameEvent]], Awaitable[None]]) -> None:
        """Have ``refresh`` take what other processes' events changed from the database (the rows are the truth) into
        memory this process keeps (the inbox's open conversations). It is awaited as their events are folded, under
        the writer's lock and before :attr:`followed` is told: no change of this process can commit and publish between
        its read and its update, and the listeners of :attr:`followed` see memory already in step."""
        self._refreshers.append(refresh)

    def store_with_events(self, projection: StoredProjection) -> None:
        """Have ``projection`` fold and write every unit of work's events inside that unit's own transaction."""
        self._stored.append(projection)

    async def load(self) -> None:
        """Load the projection from its maintained aggregates: no replay of the log, whatever its length."""
        projection = GameProjection(policy=self.projection.policy, levels=self.projection.levels,
                                    resolutions=BoundedResolutions(self.resolution_cache_size),
                                    tags=BoundedMap(self.resolution_cache_size))
        self._shared = Tortoise.get_connection('default').capabilities.dialect == 'postgres'
        async with in_transaction() as connection:
            if self._shared:  # the aggregates and the last id of one moment: no other writer commits in between
                await connection.execute_query('LOCK TABLE event IN SHARE MODE')
            for row in await AgentScore.all().using_db(connection).values('agent_id', *METRIC_FIELDS):
                projection.agents[row['agent_id']] = AgentMetrics(**row)
            last_id = await StoredEvent.all().using_db(connection).order_by('-id').limit(1).values_list('id',
                                                                                                         flat=True)
        self._next_id = (last_id[0] if last_id else 0) + 1
        projection.vesting = await stored_vesting(since=self.clock.now() - MAX_REOPEN_WINDOW)
        self.projection = projection

    @asynccontextmanager
    async def writers_held(self, db_url: str) -> AsyncIterator[None]:
        """Hold every process's writers back while this process loads its memory (PostgreSQL; nothing on SQLite,
        whose file has this process as its only writer): a share lock on the event table, taken on a connection of
        its own (no load runs in its transaction), conflicts with the exclusive lock each unit of work takes, so no
        event commits between the game's load and the other services' (a board would count it at its load and again
        when followed). Never record an event inside: it would wait for this lock."""
        if Tortoise.get_connection('default').capabilities.dialect != 'postgres':
            yield
            return
        holder = await asyncpg.connect(asyncpg_dsn(db_url))
        try:
            async with holder.transaction():
                await holder.execute('LOCK TABLE event IN SHARE MODE')
                yield
        finally:
            await holder.close()

    @asynccontextmanager
    async def batch(self) -> AsyncIterator['UnitOfWork']:
        """One transaction for many changes: every :meth:`unit_of_work` opened inside it (in this task) becomes a
        savepoint of it, so a refused change is undone alone, and all are written and published together."""
        async with self.unit_of_work() as work:
            token = self._batch.set(work)
            try:
                yield work
            finally:
                self._batch.reset(token)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator['UnitOfWork']:
        """Serialise a change and its events into one transaction; publish the outcomes after it commits."""
        if (batch := self._batch.get()) is not None:
            async with batch.savepoint():
                yield batch
            return
        followed: list[Outcome] = []
        async with self._lock:
            work = UnitOfWork(self)
            first_id = self._next_id
            begun = False
            try:
                async with in_transaction() as connection:
                    if self._shared:  # on SQLite the file's single writer and this lock already serialise
                        await connection.execute_query('LOCK TABLE event IN EXCLUSIVE MODE')
                        await self._catch_up(followed)  # committed: kept even if this unit rolls back
                        first_id = self._next_id
                    self.projection.begin()
                    begun = True
                    yield work
                    await work.flush()
                    if self._shared and work.events:
                        await connection.execute_query('SELECT pg_notify($1, $2)',
                                                       [NOTIFY_CHANNEL, str(work.events[-1].id)])
            except AlreadyRecorded as duplicate:
                self._undo(first_id, work)
                log.info('%s: the repeated action changed nothing', duplicate)
                self._publish_followed(followed)
                return
            except BaseException:
                if begun:  # else nothing was recorded, and what was caught up is committed
                    self._undo(first_id, work)
                self._publish_followed(followed)
                raise
            self.projection.commit()
        self._publish_followed(followed)
        for callback in work.after_commit_callbacks:
            callback()
        if work.outcomes:
            self.committed.emit(work.outcomes)

    @property
    def last_event_id(self) -> int:
        """The id of the last event recorded (0 for an empty log), committed or in the unit of work in flight."""
        return self._next_id - 1

    async def follow(self, db_url: str, *, poll_seconds: float = POLL_SECONDS) -> None:
        """On PostgreSQL, keep folding the events other processes record: at each notification of a commit and at
        least every ``poll_seconds`` (a lost notification is repaired by the poll). Nothing to do on SQLite."""
        if self._shared and self._follower is None:
            self._follower = start_task(self._follow(db_url, poll_seconds), name='event log follower')

    async def stop_following(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)
            self._follower = None

    async def catch_up(self) -> list[Outcome]:
        """Fold (and publish on :attr:`followed`) what other processes committed since this one last looked.

        A long run of their events (a burst, a pause of this process) is taken ``FOLLOW_SLICE`` events at a time, each
        slice folded under the writer's lock and published after it, with the loop free for the tabs in between: the
        listeners hear every outcome once and in order (a unit of work of this process that takes the lock between
        two slices folds and publishes the rest first, as always before its own events)."""
        outcomes: list[Outcome] = []
        more = True
        while more:
            sliced: list[Outcome] = []
            try:
                async with self._lock:
                    more = await self._catch_up(sliced, limit=FOLLOW_SLICE)
            finally:  # what was folded is told, also when a later read failed
                self._publish_followed(sliced)
            outcomes += sliced
            if more:
                await asyncio.sleep(0)
        return outcomes

    async def _catch_up(self, outcomes: list[Outcome], *, limit: int | None = None) -> bool:
        """Fold every committed event after the last this process folded (at most ``limit``), as if recorded here
        (under the lock); whether ``limit`` stopped it before the end of the log.

        Writers hold an exclusive lock on the event table from before they take their ids until they commit, so ids
        are handed out in commit order: once an event is visible, every smaller id is committed and visible too, and
        reading ``id > the last folded`` never skips one that commits later. The stored projections are not written
        again: the recording process wrote them with the events. ``outcomes`` receives what was folded."""
        first = len(outcomes)
        async for event in iterate_events(after=self._next_id - 1, **({'batch_size': limit} if limit else {})):
            await read_back(self.projection, event)
            outcomes.append(self.projection.apply(event))
            self._next_id = event.id + 1
            if limit is not None and len(outcomes) - first >= limit:
                break
        folded = outcomes[first:]
        if folded:
            events = [outcome.event for outcome in folded]
            for projection in self._stored:
                await projection.follow(events, folded)
            for refresh in self._refreshers:
                try:
                    await refresh(events)
                except Exception:  # memory left behind until that row changes again; the log and the write go on
                    log.exception('refreshing memory after other processes\' events failed')
        return limit is not None and len(folded) >= limit

    def _publish_followed(self, outcomes: list[Outcome]) -> None:
        if outcomes:
            self.followed.emit(outcomes)

    async def _follow(self, db_url: str, poll_seconds: float) -> None:
        notified = asyncio.Event()
        listening: asyncpg.Connection | None = None  # a connection of its own: LISTEN lasts while it does
        try:
            while True:
                if listening is None or listening.is_closed():  # at start, and after the database dropped it
                    listening = await self._listen(db_url, notified)
                try:
                    await asyncio.wait_for(notified.wait(), poll_seconds)
                except TimeoutError:
                    pass
                notified.clear()
                try:
                    await self.catch_up()
                except Exception:  # the next notification or poll tries again from the same cursor
                    log.exception('following the event log failed')
        finally:
            if listening is not None:
                await listening.close()

    async def _listen(self, db_url: str, notified: asyncio.Event) -> asyncpg.Connection | None:
        try:
            connection = await asyncpg.connect(asyncpg_dsn(db_url))
            await connection.add_listener(NOTIFY_CHANNEL, lambda *args: self._notified(notified, args[-1]))
            return connection
        except (OSError, asyncpg.PostgresError) as error:  # the poll goes on; listening is tried again next round
            log.warning('cannot listen for the event log\'s notifications (%s): polling only', error)
            return None

    def _notified(self, notified: asyncio.Event, payload: str) -> None:
        """The payload only spares a look after this process's own commits: a wrong one is repaired by the poll."""
        if not payload.isdigit() or int(payload) > self.last_event_id:
            notified.set()

    def _undo(self, first_id: int, work: 'UnitOfWork') -> None:
        """The transaction was rolled back: forget what it folded, and the ids it took."""
        self.projection.rollback()
        self._next_id = first_id
        if work.stored:
            for projection in self._stored:
                projection.discard()


class UnitOfWork:
    def __init__(self, game: GameService) -> None:
        self.game = game
        self.events: list[GameEvent] = []
        self.outcomes: list[Outcome] = []
        self.levels_reached: list[ReachedLevel] = []  # taken when folded: the metrics of that moment
        self.after_commit_callbacks: list[Callable[[], None]] = []
        self.stored = False  # the stored projections were given the events (see GameService.store_with_events)
        self._keys: set[str] = set()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator['UnitOfWork']:
        """A change inside a batch: if it fails, the database, the projection and this unit forget it alone."""
        marks = len(self.events), len(self.outcomes), len(self.after_commit_callbacks), set(self._keys), \
            len(self.levels_reached)
        self.game.projection.begin()
        try:
            async with in_transaction():  # nested: a savepoint of the batch's transaction
                yield self
        except BaseException:
            self.game.projection.rollback()
            del self.events[marks[0]:], self.outcomes[marks[1]:], self.after_commit_callbacks[marks[2]:]
            del self.levels_reached[marks[4]:]
            self._keys = marks[3]
            raise
        self.game.projection.commit()

    def recorded(self, key: str) -> bool:
        """Whether this unit already recorded an event with ``key`` (it is in the database only once it ends)."""
        return key in self._keys

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed (never for a rolled-back or repeated action)."""
        self.after_commit_callbacks.append(callback)

    def moment(self, at: datetime | None = None) -> datetime:
        """When an event happened: now by the clock, or ``at`` (a connected helpdesk's own time, issue 14) but never
        later than now, so a helpdesk's fast clock cannot date points in the future."""
        now = self.game.clock.now()
        return now if at is None else min(at, now)

    async def record(self, kind: EventKind, *, agent_id: int | None = None, conversation_id: int | None = None,
                     data: Mapping[str, Any] | None = None, key: str | None = None,
                     at: datetime | None = None) -> GameEvent:
        """Append one event and fold it into the game (it is written when the unit of work ends); ``at``: when it
        happened, if not now (see :meth:`moment`).

        :raises AlreadyRecorded: when the key was seen before; the unit of work then rolls back the whole action.
        """
        key = key or f'{kind.value}:{uuid.uuid4().hex}'
        if key in self._keys:
            raise AlreadyRecorded(key)
        self._keys.add(key)
        event = GameEvent(id=self.game._next_id, key=key, kind=kind, occurred_at=self.moment(at),
                          agent_id=agent_id, conversation_id=conversation_id, data=dict(data or {}))
        self.game._next_id += 1
        projection = self.game.projection
        await read_back(projection, event)
        outcome = projection.apply(event)
        if outcome.level_ups:
            self.levels_reached += reached_levels(outcome, projection)
        self.events.append(event)
        self.outcomes.append(outcome)
        return event

    async def flush(self) -> None:
        """Write the recorded events and the projections they changed, in bulk."""
        if not self.events:
            return
        for keys in _chunks([event.key for event in self.events]):  # plain SQL: this runs at every commit
            seen = await select_column(StoredEvent, 'key', key=keys)
            if seen:
                raise AlreadyRecorded(seen[0])
        await insert_rows(StoredEvent, EVENT_COLUMNS, [
            (e.id, e.key, e.kind.value, e.occurred_at, e.agent_id, e.conversation_id, dict(e.data))
            for e in self.events])
        entries = [(outcome.event.id, award.agent_id, award.points, award.domain.value, award.kind.value, award.reason,
                    outcome.event.occurred_at) for outcome in self.outcomes for award in outcome.awards]
        if entries:
            await insert_rows(LedgerEntry, LEDGER_COLUMNS, entries)
        resolved = [(outcome.resolved[0], floor_day(outcome.event.occurred_at), outcome.resolved[1])
                    for outcome in self.outcomes if outcome.resolved is not None]
        if entries or resolved:
            await add_daily_points(((agent_id, floor_day(occurred_at), points)
                                    for _, agent_id, points, _, _, _, occurred_at in entries), resolved)
        if self.levels_reached:
            await LevelReached.bulk_create(level_rows(self.levels_reached), batch_size=CHUNK)
        touched = sorted({agent_id for outcome in self.outcomes for agent_id in outcome.touched_agents})
        if touched:
            metrics = self.game.projection.agents
            await AgentScore.bulk_create([AgentScore(**metrics[agent_id].as_dict()) for agent_id in touched],
                                         on_conflict=['agent_id'], update_fields=METRIC_FIELDS, batch_size=CHUNK)
        self.stored = True  # before they run: one failing halfway is told to discard too
        for projection in self.game._stored:  # last: after them, only the commit itself can fail
            await projection.store(self)


async def add_daily_points(points: Iterable[tuple[int, date, int]],
                           resolved: Iterable[tuple[int, date, int]] = ()) -> None:
    """Add ledger points, and resolutions (+1, or -1 for a reopen), to the maintained per-agent, per-day totals
    (under the single writer)."""
    added: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    for agent_id, day, value in points:
        added[(agent_id, day)][0] += value
    for agent_id, day, count in resolved:
        added[(agent_id, day)][1] += count
    if not added:
        return
    existing = {(row.agent_id, row.day): (row.points, row.resolved) for row in await DailyPoints.filter(
        agent_id__in={agent_id for agent_id, _ in added}, day__in={day for _, day in added})}
    await DailyPoints.bulk_create(
        [DailyPoints(agent_id=agent_id, day=day, points=existing.get((agent_id, day), (0, 0))[0] + value,
                     resolved=existing.get((agent_id, day), (0, 0))[1] + count)
         for (agent_id, day), (value, count) in added.items()],
        on_conflict=['agent_id', 'day'], update_fields=['points', 'resolved'], batch_size=CHUNK)


async def read_back(projection: GameProjection, event: GameEvent) -> None:
    """Put in the projection's memory what folding ``event`` needs and a bounded cache (or a restart) dropped."""
    if (conversation_id := projection.missing_resolution(event)) is not None:
        resolution = await stored_resolution(conversation_id)
        if resolution is not None:
            projection.resolutions[conversation_id] = resolution
    if (tag_key := projection.missing_tag(event)) is not None:
        tag_award = await stored_tag_award(*tag_key)
        if tag_award is not None:
            projection.tags[tag_key] = tag_award


async def stored_resolution(conversation_id: int) -> Resolution | None:
    """What the conversation's latest resolution earned, from the log and the ledger, if it is still resolved (with
    the assists its resolver confirmed or declined since)."""
    decisions: list[int] = []
    latest = None
    for event in await StoredEvent.filter(conversation_id=conversation_id, kind__in=[
            EventKind.RESOLVED.value, EventKind.REOPENED.value, EventKind.ASSIST_DECIDED.value]).order_by('-id'):
        if event.kind != EventKind.ASSIST_DECIDED.value:
            latest = event
            break
        decisions.append(event.id)
    if latest is None or latest.kind != EventKind.RESOLVED.value or latest.agent_id is None:
        return None
    entries = await LedgerEntry.filter(event_id__in=[latest.id, *decisions]).order_by('id')
    return Resolution(agent_id=latest.agent_id, channel=latest.data['channel'], resolved_at=_utc(latest.occurred_at),
                      awards=tuple(Award(agent_id=e.agent_id, points=e.points, domain=Domain(e.domain),
                                         kind=AwardKind(e.kind), reason=e.reason) for e in entries))


async def stored_tag_award(conversation_id: int, tag: str) -> TagAward | None:
    """What the tag standing on the conversation earned its tagger, from the log and the ledger (None: nothing, or
    it is not on the conversation)."""
    events = await StoredEvent.filter(conversation_id=conversation_id, kind__in=[
        EventKind.TAGGED.value, EventKind.UNTAGGED.value]).order_by('-id')  # a conversation's few tag events
    latest = next((event for event in events if event.data.get('tag') == tag), None)
    if latest is None or latest.kind != EventKind.TAGGED.value or latest.agent_id is None:
        return None
    points = sum(await LedgerEntry.filter(event_id=latest.id, agent_id=latest.agent_id, kind=AwardKind.TAG.value)
                 .values_list('points', flat=True))
    return TagAward(agent_id=latest.agent_id, points=points) if points else None


async def stored_vesting(*, since: datetime) -> dict[int, Vesting]:
    """Each agent's resolutions since ``since`` that no reopen or later resolution replaced, with the points a
    reopen would take back: what a replay's fold remembers of them (see ``GameProjection.vesting``): the resolver's,
    and each assister's share (with the resolver's decisions since)."""
    # by the index on the time, not a walk of the log from its start
    first = await StoredEvent.filter(kind=EventKind.RESOLVED.value, occurred_at__gte=since) \
        .annotate(first=Min('id')).values_list('first', flat=True)
    if not first or first[0] is None:
        return {}
    standing: dict[int, tuple[list[int], int, datetime]] = {}  # conversation -> (event ids, resolver, resolved at)
    for event_id, kind, agent_id, conversation_id, occurred_at in await StoredEvent.filter(
            id__gte=first[0], kind__in=[EventKind.RESOLVED.value, EventKind.REOPENED.value,
                                        EventKind.ASSIST_DECIDED.value]).order_by('id') \
            .values_list('id', 'kind', 'agent_id', 'conversation_id', 'occurred_at'):
        if kind == EventKind.REOPENED.value:
            standing.pop(conversation_id, None)
        elif kind == EventKind.ASSIST_DECIDED.value:
            if conversation_id in standing:
                standing[conversation_id][0].append(event_id)
        elif agent_id is not None and conversation_id is not None:
            standing.pop(conversation_id, None)  # re-inserted last, as the fold does
            standing[conversation_id] = ([event_id], agent_id, _utc(occurred_at))
    kept = {conversation_id: fact for conversation_id, fact in standing.items() if fact[2] >= since}
    owner = {event_id: conversation_id for conversation_id, (ids, _agent, _at) in kept.items() for event_id in ids}
    points: dict[int, dict[int, int]] = defaultdict(dict)  # conversation -> agent -> points a reopen takes back
    kinds = [kind.value for kind in CLAWED_BACK_ON_REOPEN]
    ids = list(owner)
    for start in range(0, len(ids), CHUNK):
        for event_id, agent_id, value in await LedgerEntry.filter(event_id__in=ids[start:start + CHUNK],
                                                                  kind__in=kinds) \
                .order_by('id').values_list('event_id', 'agent_id', 'points'):
            shares = points[owner[event_id]]
            shares[agent_id] = shares.get(agent_id, 0) + value
    vesting: dict[int, Vesting] = {}
    for conversation_id, (_ids, resolver, resolved_at) in kept.items():  # in the order the fold met them
        shares = points.get(conversation_id, {})
        vesting.setdefault(resolver, {})[conversation_id] = (resolved_at, shares.get(resolver, 0))
        for agent_id, value in shares.items():
            if agent_id != resolver and value:  # an assister's standing share
                vesting.setdefault(agent_id, {})[conversation_id] = (resolved_at, value)
    return vesting


def _utc(moment: datetime) -> datetime:
    """A stored time as the fold reads it (SQLite may hand back naive UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def iterate_events(batch_size: int = 10_000, *, after: int = 0) -> AsyncIterator[GameEvent]:
    """Yield the log in id order from the event after ``after`` (the whole log by default), a batch at a time.

    Plain SQL rows converted here are about three times faster than the ORM's conversions, which matters to a replay
    of millions of events; SQLite hands back text for times and JSON, PostgreSQL (asyncpg) typed values. JSON is read
    with the ORM's own decoder (orjson where installed, as the model's field reads it), kinds by a dict lookup.
    """
    connection = Tortoise.get_connection('default')
    sqlite = connection.capabilities.dialect == 'sqlite'
    query = ('SELECT id, key, kind, occurred_at, agent_id, conversation_id, data FROM event WHERE id > {} '
             'ORDER BY id LIMIT {}').format(*(('?', '?') if sqlite else ('$1', '$2')))
    kinds = {kind.value: kind for kind in EventKind}
    last_id = after
    while True:
        if sqlite:
            async with connection.acquire_connection() as raw:  # as execute_query does, with plain tuples for rows:
                cursor = await raw.execute(query, [last_id, batch_size])  # Tortoise's sqlite3.Row doubles the fetch
                cursor.row_factory = None
                rows = await cursor.fetchall()
                await cursor.close()
        else:
            _, rows = await connection.execute_query(query, [last_id, batch_size])
        for event_id, key, kind, occurred_at, agent_id, conversation_id, data in rows:
            if isinstance(occurred_at, str):
                occurred_at = datetime.fromisoformat(occurred_at)
            if occurred_at.tzinfo is None:
                occurred_at = occurred_at.replace(tzinfo=UTC)
            yield GameEvent(id=event_id, key=key, kind=kinds.get(kind) or EventKind(kind), occurred_at=occurred_at,
                            agent_id=agent_id, conversation_id=conversation_id,
                            data=JSON_LOADS(data) if isinstance(data, (str, bytes)) else data)
        if len(rows) < batch_size:  # the end of the log: no second statement to find nothing (once per catch-up)
            return
        last_id = rows[-1][0]


def asyncpg_dsn(db_url: str) -> str:
    """Tortoise's PostgreSQL URL as asyncpg reads it: its scheme, without Tortoise's own query options."""
    parts = urlsplit(db_url)
    return urlunsplit(('postgresql', parts.netloc, parts.path, '', ''))


def _chunks(items: list[str]) -> Iterable[list[str]]:
    return (items[start:start + CHUNK] for start in range(0, len(items), CHUNK))
