"""Badges live: the badge board fed every event in id order inside the transaction that writes it, advanced at the
floor's midnight, its holders' history stored with the events, its definitions stored and edited by leads.

A lead's edit is a ``BADGES_CHANGED`` event carrying every definition: the board is then rebuilt from the last
:data:`KEPT_DAYS` days of the log, at the edit's place in the log, so a replay (``rebuild --check``) meets the edit at
the same point and writes the same history. :class:`BadgeTracker` is that pure part, shared by the live service and
the replay.
"""
import asyncio
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from nicegui import Event

from models import BadgeDefinitionRow, BadgeHolding, BadgeImage, StoredEvent, TeamBadgeSetting
from services.domain.badges import (
    DEFAULT_BADGES,
    FIRST_BADGES,
    KEPT_DAYS,
    BadgeBoard,
    BadgeDefinition,
    BadgeError,
    HolderChange,
    badge_from_dict,
    next_midnight,
)
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import day_start, floor_day
from services.domain.i18n import N_, _
from services.domain.projection import Outcome
from services.domain.text import MAX_BADGE_DESCRIPTION, MAX_BADGE_KEY, MAX_NAME, checked_text
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService, UnitOfWork
from services.platform.leases import Lease, Work
from services.platform.tasks import start_task

log = logging.getLogger(__name__)
BADGE_SEED = 0  # the live game's lucky draws (Quatrefoil): the same in a replay
TICK_SECONDS = 2.0  # how often (real time) the service looks whether the injected clock passed midnight
BUILT_IN_IMAGES = tuple(sorted(f'badges/{path.name}' for path in
                               (Path(__file__).resolve().parents[2] / 'assets' / 'badges').glob('*.svg')))
MAX_IMAGE_BYTES = 200 * 1024
# uploads are recognised by their first bytes, never by their name or the browser's word; SVG is refused (it can carry
# scripts), the built-in set covers vector images
IMAGE_SIGNATURES = ((b'\x89PNG\r\n\x1a\n', 'png', 'image/png'), (b'\xff\xd8\xff', 'jpg', 'image/jpeg'))
DEFINITION_FIELDS = ('name', 'description', 'image', 'metric', 'aggregation', 'window', 'direction',
                     'minimum_volume', 'teasing', 'kind', 'rarity', 'translations')

HistoryRow = tuple[str, int, datetime, datetime | None]  # badge key, agent id, gained at, lost at (None: still held)


class BadgeTracker:
    """A :class:`BadgeBoard` whose definitions can change at a point of the log (pure: the caller reads the log)."""

    def __init__(self, definitions: Sequence[BadgeDefinition] = FIRST_BADGES, *, seed: int = BADGE_SEED) -> None:
        self.seed = seed
        self.board = BadgeBoard(definitions, seed=seed)

    @property
    def definitions(self) -> tuple[BadgeDefinition, ...]:
        return self.board.definitions

    def apply(self, event: GameEvent) -> list[HolderChange]:
        """Feed an event other than ``BADGES_CHANGED`` (see :meth:`redefine`)."""
        return self.board.apply(event)

    def redefine(self, event: GameEvent, recent: Iterable[GameEvent]) -> list[HolderChange]:
        """Apply a ``BADGES_CHANGED`` event: a new board fed ``recent`` (:func:`recent_events` of the event), whose
        holders replace the old ones at the event's time."""
        old = self.board
        if event.id <= old.last_event_id:
            return []
        changes = old.advance(event.occurred_at)  # midnights passed before the edit, under the old definitions
        at = max(event.occurred_at, old.evaluated_at or event.occurred_at)
        board = BadgeBoard(badges_from_data(event.data), seed=self.seed)
        board.feed_all(recent)
        board.last_event_id = event.id
        keys = {definition.key for definition in board.definitions}
        board.current = {key: holders for key, holders in old.current.items() if key in keys}
        for key in sorted(set(old.current) - keys):  # a badge that no longer exists is lost by its holders
            changes += [HolderChange(badge=key, agent_id=agent_id, gained=False, at=at)
                        for agent_id in sorted(old.current[key])]
        changes += board.advance(at)  # every badge is due: settled at the edit's time
        self.board = board
        return changes


class HolderHistory:
    """Holder changes folded into stretches, as the ``badge_holding`` table stores them."""

    def __init__(self) -> None:
        self.open: dict[tuple[str, int], datetime] = {}
        self.closed: list[HistoryRow] = []

    def add(self, changes: Iterable[HolderChange]) -> None:
        for change in changes:
            if change.gained:
                self.open[change.badge, change.agent_id] = change.at
            elif (gained := self.open.pop((change.badge, change.agent_id), None)) is not None:
                self.closed.append((change.badge, change.agent_id, gained, change.at))

    def rows(self) -> list[HistoryRow]:
        return sorted(self.closed + [(key, agent_id, gained, None) for (key, agent_id), gained in self.open.items()],
                      key=_row_order)


def _row_order(row: HistoryRow) -> tuple:
    return row[0], row[1], row[2], row[3] is None, row[3] or row[2]


async def stop_consumers(queue: asyncio.Queue, tasks: list[asyncio.Task]) -> None:
    """Let ``tasks`` consume what ``queue`` still holds, then cancel them (a service's background work, on stop)."""
    if tasks:
        await queue.join()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def image_url(image: str) -> str:
    """Where a browser loads a badge's image: the built-in set is static, uploads come from the database."""
    return f'/badge-images/{image.removeprefix("uploaded/")}' if image.startswith('uploaded/') else f'/assets/{image}'


def sniff_image(content: bytes) -> tuple[str, str]:
    """The extension and content type of an uploaded image, or :class:`ActionError` saying what is accepted."""
    if len(content) > MAX_IMAGE_BYTES:
        raise ActionError(_('The image is too large ({size} KB, at most {limit} KB).').format(
            size=len(content) // 1024, limit=MAX_IMAGE_BYTES // 1024))
    for signature, extension, content_type in IMAGE_SIGNATURES:
        if content.startswith(signature):
            return extension, content_type
    raise ActionError(_('Only PNG and JPEG images can be uploaded (for a vector image, pick one of the built-in set).'))


def badges_from_data(data: Mapping[str, Any]) -> tuple[BadgeDefinition, ...]:
    return tuple(badge_from_dict(badge) for badge in data['badges'])


def definition_from_row(row: BadgeDefinitionRow) -> BadgeDefinition:
    return badge_from_dict({'key': row.key, **{name: getattr(row, name) for name in DEFINITION_FIELDS}})


async def recent_events(event: GameEvent) -> list[GameEvent]:
    """The events before ``event`` that a board rebuilt at its time needs: those of the last :data:`KEPT_DAYS` days."""
    since = day_start(floor_day(event.occurred_at) - timedelta(days=KEPT_DAYS))
    return await stored_events(StoredEvent.filter(id__lt=event.id, occurred_at__gte=since))


async def stored_events(query: Any) -> list[GameEvent]:
    """The events a query selects, in id order (as plain values: no model instances for days of events)."""
    rows = await query.order_by('id').values_list('id', 'key', 'kind', 'occurred_at', 'agent_id', 'conversation_id',
                                                  'data')
    return [GameEvent(id=event_id, key=key, kind=EventKind(kind), occurred_at=occurred_at, agent_id=agent_id,
                      conversation_id=conversation_id, data=data)
            for event_id, key, kind, occurred_at, agent_id, conversation_id, data in rows]


async def stored_history() -> list[HistoryRow]:
    rows = await BadgeHolding.all().values_list('badge_key', 'agent_id', 'gained_at', 'lost_at')
    return sorted(((key, agent_id, gained, lost) for key, agent_id, gained, lost in rows), key=_row_order)


async def write_history(rows: Iterable[HistoryRow]) -> None:
    await BadgeHolding.all().delete()
    await BadgeHolding.bulk_create([BadgeHolding(badge_key=key, agent_id=agent_id, gained_at=gained, lost_at=lost)
                                    for key, agent_id, gained, lost in rows], batch_size=500)


async def stored_tracker(definitions: Sequence[BadgeDefinition], *, before_id: int | None = None) -> BadgeTracker:
    """A tracker of ``definitions`` as the stored log and holders leave it (before event ``before_id``, when given:
    those of a unit of work still being written are fed afterwards): fed the last :data:`KEPT_DAYS` days of the log,
    holding what ``badge_holding`` says is held, evaluated as late as any stored event or change."""
    tracker = BadgeTracker(definitions)
    board = tracker.board
    events = StoredEvent.all() if before_id is None else StoredEvent.filter(id__lt=before_id)
    last = await events.order_by('-id').first()
    if last is None:
        return tracker
    # the board has moved as far as the latest event time, not the last event's: a late arrival is older
    newest = (await events.order_by('-occurred_at').first() or last).occurred_at
    since = day_start(floor_day(newest) - timedelta(days=KEPT_DAYS))
    board.feed_all(await stored_events(events.filter(occurred_at__gte=since)))
    board.last_event_id = last.id
    current: dict[str, set[int]] = {d.key: set() for d in board.definitions}
    latest = max(last.occurred_at, newest)
    for key, agent_id, gained in await BadgeHolding.filter(lost_at=None).values_list('badge_key', 'agent_id',
                                                                                       'gained_at'):
        if key in current:
            current[key].add(agent_id)
        latest = max(latest, gained)
    lost = await BadgeHolding.exclude(lost_at=None).order_by('-lost_at').first()
    board.current = {key: frozenset(agents) for key, agents in current.items()}
    board.evaluated_at = max(latest, lost.lost_at) if lost is not None and lost.lost_at else latest
    return tracker


async def store_changes(changes: Iterable[HolderChange]) -> None:
    """Append holder changes to the stored history, in order (a badge may be gained and lost in one batch)."""
    for change in changes:
        if change.gained:
            await BadgeHolding.create(badge_key=change.badge, agent_id=change.agent_id, gained_at=change.at)
        else:
            await BadgeHolding.filter(badge_key=change.badge, agent_id=change.agent_id, lost_at=None) \
                .update(lost_at=change.at)


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentBadges:
    """What one agent's tabs show: the badges held now, and those just gained (to announce)."""
    agent_id: int
    held: tuple[BadgeDefinition, ...]
    gained: tuple[BadgeDefinition, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class BadgeWon:
    """One badge an agent won, as the trophy page lists it (its id opens the receipt of that holding)."""
    id: int
    badge_key: str
    agent_id: int
    gained_at: datetime
    lost_at: datetime | None  # None: still held


@dataclass(frozen=True, kw_only=True, slots=True)
class UploadedImage:
    """A lead's uploaded badge image, with the content type it was checked to be."""
    content_type: str
    data: bytes


class BadgeService:
    """Feeds the tracker every unit of work's events inside its transaction (in id order, under the single writer) and
    stores the holder changes there too, so the stored history is never behind the log; after the commit, tells the
    holders' tabs and the public screens."""

    def __init__(self, *, clock: Clock, game: GameService, directory: Directory,
                 tick_seconds: float = TICK_SECONDS, lease: Lease | None = None) -> None:
        self.clock = clock
        self.lease = lease or Lease(Work.BADGES)  # several processes: only the holder moves the board to midnight
        self.tick_seconds = tick_seconds
        self.game = game
        self.directory = directory
        self.tracker = BadgeTracker()
        self._definitions = self.tracker.definitions  # the latest committed edit (the board follows once fed it)
        self._new_floor = False  # load() found no stored definitions: start_with_defaults() records today's
        self.show_teasing: set[int] = set()  # teams that opted in to showing teasing badges publicly
        self.uploaded: list[str] = []  # the names of the images leads uploaded
        self.changed: Event[dict[str, frozenset[int]]] = Event()  # the public holders, after any change
        self._agent_events: dict[int, Event[AgentBadges]] = {}
        self._stale = False  # a rolled-back transaction had moved the board: rebuilt from the database before use
        self._tasks: list[asyncio.Task] = []

    # --- reading ---

    @property
    def definitions(self) -> tuple[BadgeDefinition, ...]:
        return self._definitions

    def definition(self, key: str) -> BadgeDefinition | None:
        return next((d for d in self.definitions if d.key == key), None)

    def held_by(self, agent_id: int) -> tuple[BadgeDefinition, ...]:
        current = self.tracker.board.current
        return tuple(d for d in self.definitions if agent_id in current.get(d.key, ()))

    def visible(self, definition: BadgeDefinition, agent_id: int, viewer: AgentView | None) -> bool:
        """Teasing badges: only to their holder and leads, unless the holder's team opted in."""
        if not definition.teasing or (viewer is not None and (viewer.is_lead or viewer.id == agent_id)):
            return True
        agent = self.directory.agent(agent_id)
        return agent is not None and agent.team_id in self.show_teasing

    def public_holders(self) -> dict[str, frozenset[int]]:
        """Each badge's holders as public screens (kiosk, trophy page) show them."""
        current = self.tracker.board.current
        return {d.key: frozenset(a for a in current.get(d.key, ()) if self.visible(d, a, None))
                for d in self.definitions}

    async def latest_won(self, limit: int) -> list[BadgeWon]:
        """The ``limit`` badges won last, newest first, whether still held or lost since."""
        return [BadgeWon(id=holding.id, badge_key=holding.badge_key, agent_id=holding.agent_id,
                         gained_at=holding.gained_at, lost_at=holding.lost_at)
                for holding in await BadgeHolding.all().order_by('-gained_at', '-id').limit(limit)]

    async def uploaded_image(self, name: str) -> UploadedImage | None:
        """The uploaded image named ``name`` (``uploaded/...``, as :meth:`upload_image` returns it), or None."""
        image = await BadgeImage.get_or_none(name=name)
        return UploadedImage(content_type=image.content_type, data=bytes(image.data)) if image is not None else None

    def agent_changed(self, agent_id: int) -> Event[AgentBadges]:
        if agent_id not in self._agent_events:
            self._agent_events[agent_id] = Event()
        return self._agent_events[agent_id]

    # --- life cycle ---

    async def load(self) -> None:
        """Seed the definitions, rebuild the board from the last days of the log, take the holders as stored (they are
        written in the events' own transactions: always those of the last committed event)."""
        rows = await BadgeDefinitionRow.all().order_by('position', 'key')
        self._new_floor = not rows
        if not rows:  # the set the log starts with (a replay's); start_with_defaults() moves a new floor on
            for position, definition in enumerate(FIRST_BADGES):
                await BadgeDefinitionRow.create(position=position, **definition.as_dict())
            rows = await BadgeDefinitionRow.all().order_by('position', 'key')
        self.tracker = await stored_tracker([definition_from_row(row) for row in rows])
        self._definitions = self.tracker.definitions
        self._stale = False
        self.show_teasing = set(await TeamBadgeSetting.filter(show_teasing=True).values_list('team_id', flat=True))
        self.uploaded = list(await BadgeImage.all().order_by('uploaded_at').values_list('name', flat=True))
        self._tasks = [start_task(self._tick(), name='badge midnight')]

    async def start_with_defaults(self) -> None:
        """On a new floor, put :data:`DEFAULT_BADGES` in force as its first badge edit: a log starts with
        :data:`FIRST_BADGES`, so a replay meets the change at the same point (call once every projection is loaded)."""
        if not self._new_floor or self.definitions != FIRST_BADGES:
            return
        self._new_floor = False
        async with self.game.unit_of_work() as work:
            if self.definitions != FIRST_BADGES:  # another process's first edit, caught up as this unit began
                return
            for position, definition in enumerate(DEFAULT_BADGES):
                if definition != FIRST_BADGES[position]:
                    await BadgeDefinitionRow.filter(key=definition.key).update(
                        **{name: value for name, value in definition.as_dict().items() if name != 'key'})
            # one key for every process: two starting a new floor at once record it once (the second rolls back)
            await work.record(EventKind.BADGES_CHANGED, data={'badges': [d.as_dict() for d in DEFAULT_BADGES],
                                                               'by': None}, key='badges_changed:first-edit')
            work.after_commit(lambda: setattr(self, '_definitions', DEFAULT_BADGES))

    async def settle(self) -> None:
        """Move the board to the clock's time (for tests; never call it inside a unit of work). Events need no
        settling: their holder changes are stored with them."""
        await self._advance()

    async def _advance(self) -> None:
        """Move the board to the clock's time in a unit of work of its own: read while no other is in flight, so every
        event committed before is on the board and every later one is later (the board never passes a midnight before
        an event of the day before, which a replay could not know it had)."""
        try:
            async with self.game.unit_of_work() as work:
                await self._reload_if_stale()
                changes = self.tracker.board.advance(self.clock.now())
                if changes:
                    await store_changes(changes)
                    work.after_commit(lambda: self._publish(changes))
        except BaseException:
            self._stale = True
            raise

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def store(self, work: UnitOfWork) -> None:
        """Feed the unit's events to the board and write the holder changes they cause, in the events' transaction
        (:meth:`GameService.store_with_events`): a crash can never leave the history behind the log.

        In a process without the lease, the first unit after a midnight its board has not passed reads the board
        again first: the holder may have stored that midnight's lines already (they are not events, so no catch-up
        brings them), and passing it here again would store them twice."""
        evaluated = self.tracker.board.evaluated_at
        if not self.lease.held and evaluated is not None and work.events[0].occurred_at >= next_midnight(evaluated):
            log.info('the badge board is read again from the database: another process may have passed midnight')
            self.tracker = await stored_tracker(self._definitions, before_id=work.events[0].id)
            self._stale = False
        await self._reload_if_stale(before_id=work.events[0].id)
        changes = await self._feed(work.events)
        if changes:
            await store_changes(changes)
            work.after_commit(lambda: self._publish(changes))

    def discard(self) -> None:
        """The transaction was rolled back after the board took its events: rebuilt from the database before its next
        use (the next unit of work, or the next tick)."""
        self._stale = True

    async def follow(self, events: list[GameEvent], outcomes: list[Outcome]) -> None:
        """Feed the board another process's events (PostgreSQL): it stored their holder changes; here they are only
        shown."""
        await self._reload_if_stale(before_id=events[0].id)
        changes = await self._feed(events)
        self._definitions = self.tracker.definitions  # a lead's edit made there is in force here too
        if changes:
            self._publish(changes)

    async def _feed(self, events: list[GameEvent]) -> list[HolderChange]:
        changes: list[HolderChange] = []
        for event in events:
            if event.kind == EventKind.BADGES_CHANGED:
                changes += self.tracker.redefine(event, await recent_events(event))
            else:
                changes += self.tracker.apply(event)
        return changes

    async def _reload_if_stale(self, *, before_id: int | None = None) -> None:
        if self._stale:
            log.warning('the badge board is rebuilt from the database after a rolled-back transaction')
            self.tracker = await stored_tracker(self._definitions, before_id=before_id)
            self._stale = False

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            evaluated = self.tracker.board.evaluated_at
            if not self.lease.held:  # another process writes the midnight's lines (see store)
                continue
            if self._stale or evaluated is not None and self.clock.now() >= next_midnight(evaluated):
                try:
                    await self._advance()
                except Exception:
                    log.exception('moving the badge board to midnight failed')

    def _publish(self, changes: list[HolderChange]) -> None:
        gained: dict[int, list[str]] = {}
        for change in changes:
            keys = gained.setdefault(change.agent_id, [])
            if change.gained:
                keys.append(change.badge)
            elif change.badge in keys:
                keys.remove(change.badge)
        for agent_id, keys in gained.items():
            event = self._agent_events.get(agent_id)
            if event is not None:
                held = self.held_by(agent_id)
                event.emit(AgentBadges(agent_id=agent_id, held=held,
                                       gained=tuple(d for d in held if d.key in keys)))
        self.changed.emit(self.public_holders())

    # --- a lead's edits ---

    async def save(self, actor: AgentView, form: Mapping[str, Any]) -> BadgeDefinition:
        """Create or edit a badge from a lead's form (the :meth:`BadgeDefinition.as_dict` fields); the board is
        rebuilt from the last days of the log once the edit is committed."""
        _check_lead(actor)
        form = {**form, 'key': checked_text(form.get('key', ''), N_('Badge key'), MAX_BADGE_KEY),
                'name': checked_text(form.get('name', ''), N_('Badge name'), MAX_NAME, name=True),
                'description': checked_text(form.get('description', ''), N_('Badge description'), MAX_BADGE_DESCRIPTION,
                                            multiline=True)}
        try:
            definition = badge_from_dict(form)
        except (BadgeError, TypeError, KeyError) as error:
            raise ActionError(str(error)) from None
        for condition in definition.metric.where if definition.metric else ():
            for value in condition.values:
                checked_text(str(value), N_('Filter value'), MAX_NAME)
        if definition.image not in self.images():
            raise ActionError(_("Unknown image '{image}': pick a built-in or an uploaded one").format(
                image=definition.image))
        if not definition.key.replace('_', '').isalnum():
            raise ActionError(_('A badge key is made of letters, digits and underscores'))
        definitions = [definition if d.key == definition.key else d for d in self.definitions]
        if definition.key not in {d.key for d in definitions}:
            definitions.append(definition)
        async with self.game.unit_of_work() as work:
            position = next(i for i, d in enumerate(definitions) if d.key == definition.key)
            await BadgeDefinitionRow.update_or_create(key=definition.key, defaults={
                'position': position, **{name: value for name, value in definition.as_dict().items() if name != 'key'}})
            await work.record(EventKind.BADGES_CHANGED, data={'badges': [d.as_dict() for d in definitions],
                                                               'by': actor.id})
            work.after_commit(lambda: setattr(self, '_definitions', tuple(definitions)))
        return definition

    def images(self) -> list[str]:
        """The images a badge can have: the built-in set, then the uploaded ones."""
        return list(BUILT_IN_IMAGES) + self.uploaded

    async def upload_image(self, actor: AgentView, content: bytes) -> str:
        """Keep a lead's PNG or JPEG upload (checked by its content, at most 200 KB); return its image name."""
        _check_lead(actor)
        extension, content_type = sniff_image(content)
        name = f'uploaded/{hashlib.sha256(content).hexdigest()[:20]}.{extension}'
        if name in self.uploaded:
            return name
        async with self.game.unit_of_work() as work:
            await BadgeImage.get_or_create(name=name, defaults={
                'content_type': content_type, 'data': content, 'uploaded_by': actor.id,
                'uploaded_at': self.clock.now()})
            work.after_commit(lambda: self.uploaded.append(name) if name not in self.uploaded else None)
        return name

    async def set_team_teasing(self, actor: AgentView, team_id: int, show: bool) -> None:
        _check_lead(actor)
        if team_id not in self.directory.teams:
            raise ActionError(_('There is no such team.'))
        async with self.game.unit_of_work() as work:
            await TeamBadgeSetting.update_or_create(team_id=team_id, defaults={'show_teasing': show})
            work.after_commit(lambda: (self.show_teasing.add(team_id) if show else self.show_teasing.discard(team_id),
                                       self.changed.emit(self.public_holders())))


def _check_lead(actor: AgentView) -> None:
    if not actor.is_lead:
        raise ActionError(_('Only a team lead can edit badges.'))
