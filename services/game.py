"""The event log's single writer: appends events, keeps the stored projections in step, publishes after commit."""
import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from nicegui import Event
from tortoise.transactions import in_transaction

from models import AgentScore, LedgerEntry, StoredEvent
from services.clock import Clock
from services.events import EventKind, GameEvent
from services.projection import GameProjection, Outcome

log = logging.getLogger(__name__)


class AlreadyRecorded(Exception):
    """The event's idempotency key was seen before: the repeated action is rolled back whole and changes nothing."""

    def __init__(self, key: str) -> None:
        super().__init__(f'event {key} was already recorded')
        self.key = key


class GameService:
    """Owns the event log and the game projection built from it.

    Every write goes through :meth:`unit_of_work`: one writer at a time (no lost updates), one database transaction
    for the helpdesk change, its events and the projections they cause, and :attr:`committed` fired only after commit.
    """

    def __init__(self, *, clock: Clock) -> None:
        self.clock = clock
        self.projection = GameProjection()
        self.committed: Event[list[Outcome]] = Event()
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        """Rebuild the in-memory projection from the log (at start-up, or after a failed transaction)."""
        projection = GameProjection(policy=self.projection.policy, levels=self.projection.levels)
        async for event in iterate_events():
            projection.apply(event)
        self.projection = projection

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator['UnitOfWork']:
        """Serialise a change and its events into one transaction; publish the outcomes after it commits."""
        async with self._lock:
            work = UnitOfWork(self)
            try:
                async with in_transaction():
                    yield work
                    await work.store_projections()
            except AlreadyRecorded as duplicate:
                log.info('%s: the repeated action changed nothing', duplicate)
                if work.outcomes:
                    await self.load()
                return
            except BaseException:
                if work.outcomes:  # the projection already folded events that were rolled back
                    await self.load()
                raise
        for callback in work.after_commit_callbacks:
            callback()
        if work.outcomes:
            self.committed.emit(work.outcomes)


class UnitOfWork:
    def __init__(self, game: GameService) -> None:
        self.game = game
        self.outcomes: list[Outcome] = []
        self.after_commit_callbacks: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed (never for a rolled-back or repeated action)."""
        self.after_commit_callbacks.append(callback)

    async def record(self, kind: EventKind, *, agent_id: int | None = None, conversation_id: int | None = None,
                     data: Mapping[str, Any] | None = None, key: str | None = None) -> GameEvent:
        """Append one event and fold it into the game.

        :raises AlreadyRecorded: when the key was seen before; the unit of work then rolls back the whole action.
        """
        key = key or f'{kind.value}:{uuid.uuid4().hex}'
        if await StoredEvent.filter(key=key).exists():
            raise AlreadyRecorded(key)
        stored = await StoredEvent.create(key=key, kind=kind.value, occurred_at=self.game.clock.now(),
                                          agent_id=agent_id, conversation_id=conversation_id, data=dict(data or {}))
        outcome = self.game.projection.apply(to_game_event(stored))
        self.outcomes.append(outcome)
        return outcome.event

    async def store_projections(self) -> None:
        entries = [LedgerEntry(event_id=outcome.event.id, agent_id=award.agent_id, points=award.points,
                               domain=award.domain.value, reason=award.reason, occurred_at=outcome.event.occurred_at)
                   for outcome in self.outcomes for award in outcome.awards]
        if entries:
            await LedgerEntry.bulk_create(entries)
        touched = {agent_id for outcome in self.outcomes for agent_id in outcome.touched_agents}
        for agent_id in sorted(touched):
            metrics = self.game.projection.agents[agent_id].as_dict()
            metrics.pop('agent_id')
            await AgentScore.update_or_create(agent_id=agent_id, defaults=metrics)


def to_game_event(stored: StoredEvent) -> GameEvent:
    return GameEvent(id=stored.id, key=stored.key, kind=EventKind(stored.kind), occurred_at=stored.occurred_at,
                     agent_id=stored.agent_id, conversation_id=stored.conversation_id, data=stored.data)


async def iterate_events(batch_size: int = 5000) -> AsyncIterator[GameEvent]:
    """Yield the whole log in id order, a batch at a time."""
    last_id = 0
    while True:
        batch = await StoredEvent.filter(id__gt=last_id).order_by('id').limit(batch_size)
        if not batch:
            return
        for stored in batch:
            yield to_game_event(stored)
        last_id = batch[-1].id
