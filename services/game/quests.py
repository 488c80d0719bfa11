"""Quests live: leads' definitions stored and edited as ``QUESTS_CHANGED`` events, a :class:`QuestTracker` fed every
committed event in id order, and each completion recorded once as a ``QUEST_COMPLETED`` event (whose reward the game
projection folds into the ledger) and announced to the agents at once.

A completion is recorded a moment after the commit of the event that reached the target, in its own unit of work,
under the idempotency key ``quest:{key}:{agent|team}:{id}``: however often it is found again (a repeated event, an edit
fed again, a restart) it is recorded once. Start-up feeds the log of the quests still running (or over for less than
:data:`RECOVERY`) and records any completion the log is missing: a crash between the two commits loses nothing.
"""
import asyncio
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from nicegui import Event

from models import LedgerEntry, QuestRow, StoredEvent
from services.domain.badges import BadgeError, BadgeKind, metric_from_dict
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.i18n import N_, Translations, _
from services.domain.inbox import MAX_TAG_LENGTH
from services.domain.projection import Outcome
from services.domain.quests import (
    UNTIL_ENDED,
    Preset,
    QuestBar,
    QuestCompletion,
    QuestDefinition,
    QuestScope,
    QuestTracker,
    Repeat,
    completion_notice,
    logged_key,
    period,
    quest_bars,
    quest_from_dict,
    quest_metric,
)
from services.domain.scoring import CAP_KINDS, capped
from services.domain.text import MAX_BADGE_KEY, MAX_DESCRIPTION, MAX_TITLE, checked_text
from services.game.badges import BadgeService, stop_consumers, stored_events
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService
from services.platform.leases import Lease, Work
from services.platform.notices import Notice, Notices
from services.platform.tasks import start_task

log = logging.getLogger(__name__)
RECOVERY = timedelta(days=1)  # quests over for less than this before the last event are fed at start-up too
TICK_SECONDS = 2.0  # how often (real time) the service looks whether a quest started or ended on the injected clock
FIELDS = ('title', 'description', 'metric', 'aggregation', 'target', 'starts_at', 'ends_at', 'scope', 'reward_points',
          'reward_domain', 'reward_badge', 'repeat', 'translations')


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestDraft:
    """A lead's form: the metric from the same parts badges use, the usual filters, a period preset or custom days."""
    key: str = ''  # empty: a new quest
    title: str
    description: str = ''
    kind: str = EventKind.RESOLVED.value
    value: str = 'one'
    channel: str = ''
    rating: str = ''
    tag: str = ''
    priority: str = ''
    aggregation: str = 'count'
    target: int = 0
    preset: str = Preset.THIS_WEEK.value
    first_day: date | None = None
    last_day: date | None = None
    scope: str = QuestScope.INDIVIDUAL.value
    reward_points: int = 0
    reward_domain: str = 'productivity'
    reward_badge: str = ''
    repeat: str = Repeat.NONE.value  # daily or weekly: the period's start is the first round's, and it runs until ended
    translations: Translations = field(default_factory=dict)  # {language: {title, description}} (issue 16)


class QuestService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, notices: Notices,
                 badges: BadgeService, tick_seconds: float = TICK_SECONDS, lease: Lease | None = None) -> None:
        self.clock = clock
        # several processes (PostgreSQL): every one feeds its tracker every event, the lease's holder records what
        # they complete; the others keep each completion until its event arrives (then they announce it to their
        # tabs), so whichever takes the lease over records those its dead holder had not
        self.lease = lease or Lease(Work.QUESTS)
        self.lease.on_taken(self._taken_over)
        self._unrecorded: dict[str, QuestCompletion] = {}  # by key: found here, recorded by the holder
        self._missed: list[QuestCompletion] = []  # found missing from the log at start-up, until recorded
        self._logged: set[str] = set()  # keys of completions another process recorded before this one found them
        self.game = game
        self.directory = directory
        self.notices = notices
        self.badges = badges
        self.tick_seconds = tick_seconds
        self.tracker = QuestTracker()
        self._definitions: dict[str, QuestDefinition] = {}  # every quest as stored, the ended ones too
        self.changed: Event[set[int]] = Event()  # agents whose bars moved: their progress cards are built again
        self.completed: Event[QuestCompletion] = Event()  # after the completion's commit: the kiosk celebrates
        # what needs the database, in commit order: an edit (fed the log again, and every event after it until it is
        # done) and the completions to record; other events are fed at once, so the bars move with the commit
        self._queue: asyncio.Queue[list[GameEvent] | list[QuestCompletion]] = asyncio.Queue()
        self._waiting = 0  # batches queued and not yet done: later events wait behind them
        self._tasks: list[asyncio.Task] = []
        self._shown: tuple[frozenset[str], int] | None = None  # what the bars showed: running quests, clock hour
        self._capped: set[int] = set()  # committed events a cap took the points of, until they are fed

    # --- reading ---

    @property
    def definitions(self) -> list[QuestDefinition]:
        """Every quest, the latest first (for the leads' list)."""
        return sorted(self._definitions.values(), key=lambda quest: (quest.starts_at, quest.key), reverse=True)

    def definition(self, key: str) -> QuestDefinition | None:
        return self._definitions.get(key)

    def bars(self, agent_id: int) -> tuple[QuestBar, ...]:
        """The agent's progress bars: the quests running now they take part in."""
        now = self.clock.now()
        return quest_bars(self.tracker.board.progress_for(agent_id, now), now)

    def team_of(self) -> dict[int, int | None]:
        """Who plays team missions for which team: the floor's agents (leads watch)."""
        return {agent.id: agent.team_id for agent in self.directory.floor()}

    # --- life cycle ---

    async def record_missed(self) -> None:
        """Record the completions :meth:`load` found the log missing (a process died between an event's commit and
        its completion's)."""
        missed, self._missed = self._missed, []
        for completion in missed:
            log.warning('recording the missing completion %s', completion.key)
            await self._record(completion)

    async def load(self) -> None:
        """Read the definitions, feed the log of the quests still running, and find the completions it misses
        (:meth:`record_missed` records them, once the start-up lets writers in again)."""
        rows = await QuestRow.all()
        self._definitions = {row.key: definition_from_row(row) for row in rows}
        last = await StoredEvent.all().order_by('-id').first()
        cutoff = (last.occurred_at if last else self.clock.now()) - RECOVERY
        tracker = QuestTracker([quest for quest in self._definitions.values() if quest.ends_at > cutoff],
                               team_of=self.team_of())
        found: list[QuestCompletion] = []
        logged: list[GameEvent] = []
        tracker.count_from(cutoff)  # a recurring quest: from the round it was in then, not from its first round
        if last is not None and tracker.board.quests:
            for event in await quest_events(tracker.board.quests.values(), before_id=last.id + 1,
                                            completions=True, at=cutoff):
                if event.kind == EventKind.QUEST_COMPLETED:
                    logged.append(event)
                else:
                    found += tracker.apply(event)
            tracker.board.last_event_id = last.id
        elif last is not None:
            tracker.board.last_event_id = last.id
        for event in logged:
            tracker.mark_done(event.data['quest'], event.data['scope'], event.data['holder'], event.data.get('round'))
        self.tracker = tracker
        recorded = {logged_key(event.data) for event in logged}
        self._missed = [completion for completion in found if completion.key not in recorded]
        self._tasks = [start_task(self._consume(), name='quests'), start_task(self._tick(), name='quest periods')]

    async def settle(self) -> None:
        """Let the tracker catch up with every committed event (for tests; never inside a unit of work)."""
        await self._queue.join()

    async def stop(self) -> None:
        await stop_consumers(self._queue, self._tasks)
        self._tasks = []

    def on_committed(self, outcomes: list[Outcome]) -> None:
        events = [outcome.event for outcome in outcomes]
        self._capped.update(outcome.event.id for outcome in outcomes if capped(outcome.awards))
        if self._waiting or any(event.kind == EventKind.QUESTS_CHANGED for event in events) or not self._tasks:
            self._put(events)
            return
        completions, moved = self._feed(events)  # pure and quick: in the same turn as the game's own outcomes
        if completions:
            self._put(completions)
        if moved:
            self.changed.emit(moved)

    def _put(self, item: list[GameEvent] | list[QuestCompletion]) -> None:
        self._waiting += 1
        self._queue.put_nowait(item)

    def _feed(self, events: list[GameEvent]) -> tuple[list[QuestCompletion], set[int]]:
        moved: set[int] = set()
        completions: list[QuestCompletion] = []
        for event in events:
            if event.kind == EventKind.QUEST_COMPLETED:
                self._recorded(event.key)
            was_capped = event.id in self._capped
            self._capped.discard(event.id)
            if event.agent_id is not None and event.kind in self.tracker.board.kinds and not was_capped:
                completions += self.tracker.apply(event)
                moved.update(self._taking_part(event))
            else:
                self.tracker.apply(event, capped=was_capped)
        return completions, moved

    async def _consume(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                completions = [entry for entry in item if isinstance(entry, QuestCompletion)]
                moved: set[int] = set()
                for event in (entry for entry in item if isinstance(entry, GameEvent)):
                    if event.kind == EventKind.QUESTS_CHANGED:
                        fresh = self.tracker.to_feed(event)
                        earlier = await quest_events(fresh, before_id=event.id, at=event.occurred_at) if fresh else []
                        completions += self.tracker.redefine(event, earlier)
                        moved.update(self.team_of())
                    else:
                        found, touched = self._feed([event])
                        completions += found
                        moved |= touched
                for completion in completions:
                    await self._record(completion)
                if moved:
                    self.changed.emit(moved)
            except Exception:
                log.exception('updating the quests failed')
            finally:
                self._waiting -= 1
                self._queue.task_done()

    def _taking_part(self, event: GameEvent) -> set[int]:
        """Whose bars an event may move: its agent's, and their team's for a team mission."""
        assert event.agent_id is not None
        agents = {event.agent_id}
        team_id = self.tracker.team_of.get(event.agent_id)
        if team_id is not None and any(q.scope == QuestScope.TEAM for q in self.tracker.board.kinds[event.kind]):
            agents.update(agent_id for agent_id, team in self.tracker.team_of.items() if team == team_id)
        return agents

    async def _tick(self) -> None:
        """A quest starting or ending, and the hours left, change the bars without any event."""
        while True:
            await asyncio.sleep(self.tick_seconds)
            now = self.clock.now()
            shown = (frozenset(q.key for q in self.tracker.board.quests.values() if q.running(now)),
                     int(now.timestamp() // 3600))
            if shown != self._shown:
                if self._shown is not None:
                    self.changed.emit(set(self.team_of()))
                self._shown = shown

    async def _record(self, completion: QuestCompletion) -> None:
        """One ``QUEST_COMPLETED`` event; a repeated key is rolled back and changes nothing. Without the lease: kept
        until the holder's event arrives (announced then), or until this process takes the lease over."""
        if not self.lease.held:
            if completion.key in self._logged:
                self._logged.discard(completion.key)
                self._announce(completion)
            else:
                self._unrecorded[completion.key] = completion
            return
        async with self.game.unit_of_work() as work:
            await work.record(EventKind.QUEST_COMPLETED, data=completion.as_data(), key=completion.key)
            work.after_commit(lambda: self._announce(completion))

    def _recorded(self, key: str) -> None:
        """A ``QUEST_COMPLETED`` event was folded: one this process kept for the holder is announced here now."""
        completion = self._unrecorded.pop(key, None)
        if completion is not None:
            self._announce(completion)
        elif not self.lease.held:  # recorded by the holder before this process's tracker found it
            self._logged.add(key)

    async def _taken_over(self) -> None:
        """This process now records: the completions the holder before it had not recorded (their keys keep any it
        had from being recorded twice), in turn with the events queued before."""
        if self._unrecorded:
            self._put(list(self._unrecorded.values()))
            self._unrecorded.clear()

    def _announce(self, completion: QuestCompletion) -> None:
        words = completion_notice(completion)
        for agent_id in completion.agent_ids:
            self.notices.send(agent_id, Notice(words=words, kind='positive'))
        self.completed.emit(completion)

    # --- a lead's edits ---

    async def save(self, actor: AgentView, draft: QuestDraft) -> QuestDefinition:
        """Create or edit a quest from a lead's form; its bars are fed the log again from its start."""
        _check_lead(actor)
        draft = replace(draft, title=checked_text(draft.title, N_('Quest title'), MAX_TITLE, name=True,
                                                  empty=_('A quest needs a title.')),
                        description=checked_text(draft.description, N_('Quest description'), MAX_DESCRIPTION,
                                                 multiline=True),
                        tag=checked_text(draft.tag, N_('Tag'), MAX_TAG_LENGTH),
                        reward_badge=checked_text(draft.reward_badge, N_('Reward badge'), MAX_BADGE_KEY))
        now = self.clock.now()
        existing = self._definitions.get(draft.key) if draft.key else None
        if draft.key and existing is None:
            raise ActionError(_('This quest no longer exists.'))
        try:
            metric = quest_metric(draft.kind, channel=draft.channel.strip() or None,
                                  rating=draft.rating.strip() or None, tag=draft.tag.strip() or None,
                                  priority=draft.priority.strip() or None, value=draft.value)
            starts_at, ends_at = period(draft.preset, now, first_day=draft.first_day, last_day=draft.last_day)
            repeat = Repeat(draft.repeat) if draft.repeat in {r.value for r in Repeat} else None
            if repeat is None:
                raise ActionError(_('Repeat is one of {choices}.').format(choices=', '.join(r.value for r in Repeat)))
            if repeat != Repeat.NONE:  # the period's start is the first round's; it runs until a lead ends it
                ends_at = existing.ends_at if existing is not None else UNTIL_ENDED
                starts_at = existing.starts_at if existing is not None else starts_at
            quest = QuestDefinition(
                key=existing.key if existing else self._new_key(draft.title), title=draft.title.strip(),
                description=draft.description.strip(), metric=metric, target=draft.target, starts_at=starts_at,
                ends_at=ends_at, aggregation=draft.aggregation, scope=draft.scope, reward_points=draft.reward_points,
                reward_domain=draft.reward_domain,  # type: ignore[arg-type]  # checked when made
                reward_badge=draft.reward_badge.strip() or None, repeat=repeat, translations=draft.translations)
        except BadgeError as error:
            raise ActionError(str(error)) from None
        if len(quest.title) > 120 or len(quest.description) > 300:
            raise ActionError(_('The title has at most 120 characters, the description 300.'))
        if (refusal := self._refusal(existing, quest, now)) is not None:
            raise ActionError(refusal)
        await self._store(actor, quest)
        return quest

    async def end(self, actor: AgentView, key: str) -> None:
        """End a running quest now (what it gave stays), or drop one that has not started."""
        _check_lead(actor)
        quest = self._definitions.get(key)
        now = self.clock.now()
        if quest is None:
            raise ActionError(_('This quest no longer exists.'))
        if quest.ends_at <= now:
            raise ActionError(_('This quest is over already.'))
        if quest.starts_at >= now:
            await self._store(actor, None, drop=key)
        else:
            await self._store(actor, quest_from_dict({**quest.as_dict(), 'ends_at': now.isoformat()}))

    async def publish_draft(self, actor: AgentView, quests: Iterable[QuestDefinition]) -> int:
        """Put a what-if draft's quests in force from now on (:class:`services.game.whatif.RulesService`, in its
        batch), in one ``QUESTS_CHANGED`` event: each new or changed one as its own tab would save it, and each one the
        draft leaves out ended now (or dropped, before its start). Quests already over stay as they were. Returns how
        many quests changed (0: none, nothing recorded).

        :raises ActionError: naming the quest, for a change its own tab would refuse too; nothing changes.
        """
        _check_lead(actor)
        now = self.clock.now()
        wanted = {quest.key: quest for quest in quests}
        definitions = dict(self._definitions)
        dropped, stored = [], []
        for key, quest in self._definitions.items():
            if key in wanted or quest.ends_at <= now:
                continue
            if quest.starts_at >= now:
                dropped.append(key)
                del definitions[key]
            else:
                definitions[key] = quest_from_dict({**quest.as_dict(), 'ends_at': now.isoformat()})
                stored.append(definitions[key])
        for key, quest in wanted.items():
            existing = self._definitions.get(key)
            if existing == quest:
                continue
            if (refusal := self._refusal(existing, quest, now)) is not None:
                raise ActionError(_('Quest {title}: {refusal}').format(title=quest.title, refusal=refusal))
            definitions[key] = quest
            stored.append(quest)
        if not dropped and not stored:
            return 0
        async with self.game.unit_of_work() as work:
            if dropped:
                await QuestRow.filter(key__in=dropped).delete()
            for quest in stored:
                await QuestRow.update_or_create(key=quest.key, defaults=row_fields(quest))
            await work.record(EventKind.QUESTS_CHANGED, data={'quests': [q.as_dict() for q in definitions.values()],
                                                               'by': actor.id})
            work.after_commit(lambda: setattr(self, '_definitions', definitions))
        return len(dropped) + len(stored)

    def _refusal(self, existing: QuestDefinition | None, quest: QuestDefinition, now: datetime) -> str | None:
        """Why ``quest`` cannot replace ``existing`` (None: it is new) now, in a whole sentence, or None: the checks a
        quest's own form (:meth:`save`) and a what-if draft (:meth:`publish_draft`) share."""
        if existing is not None and existing.ends_at <= now:
            return _('This quest is over: its results stand. Create a new one instead.')
        if existing is not None and existing.repeat != quest.repeat:
            return _('A quest cannot change how it repeats: end it and create a new one.')
        if quest.reward_badge is not None and ((badge := self.badges.definition(quest.reward_badge)) is None or
                                               badge.kind != BadgeKind.AWARDED):
            return _("'{badge}' is not a badge given by quests: pick one of kind 'awarded' (create it in Badges & "
                     'levels)').format(badge=quest.reward_badge)
        if quest.ends_at <= now:
            return _('This period is over already: pick one that ends later.')
        return None

    async def _store(self, actor: AgentView, quest: QuestDefinition | None, *, drop: str = '') -> None:
        definitions = {key: q for key, q in self._definitions.items() if key != drop}
        if quest is not None:
            definitions[quest.key] = quest
        async with self.game.unit_of_work() as work:
            if drop:
                await QuestRow.filter(key=drop).delete()
            if quest is not None:
                await QuestRow.update_or_create(key=quest.key, defaults=row_fields(quest))
            await work.record(EventKind.QUESTS_CHANGED, data={'quests': [q.as_dict() for q in definitions.values()],
                                                               'by': actor.id})
            work.after_commit(lambda: setattr(self, '_definitions', definitions))

    def _new_key(self, title: str) -> str:
        base = re.sub(r'[^a-z0-9]+', '_', title.lower()).strip('_')[:30] or 'quest'
        key, number = base, 1
        while key in self._definitions:
            number += 1
            key = f'{base}_{number}'
        return key


async def quest_events(quests: Iterable[QuestDefinition], *, before_id: int, completions: bool = False,
                       at: datetime | None = None) -> list[GameEvent]:
    """The log's events the quests count (by their metrics' kinds, from their earliest start, or with ``at`` from
    what an edit or a start-up at that moment feeds again: a recurring quest's round then), before ``before_id``;
    with ``completions``, the ``QUEST_COMPLETED`` events of that time too. The events a cap took the points of are
    left out, as quests do not count them (their zero-point ledger entries, the receipts saying why, name them)."""
    quests = list(quests)
    if not quests:
        return []
    kinds = {quest.metric.kind.value for quest in quests} | \
        ({EventKind.QUEST_COMPLETED.value} if completions else set())
    since = min(quest.starts_at if at is None else quest.counted_from(at) for quest in quests)
    events = await stored_events(StoredEvent.filter(id__lt=before_id, occurred_at__gte=since, kind__in=sorted(kinds)))
    if not events:
        return events
    capped_ids = set(await LedgerEntry.filter(event_id__gte=events[0].id, event_id__lt=before_id,
                                              kind__in=sorted(kind.value for kind in CAP_KINDS))
                     .values_list('event_id', flat=True))
    return [event for event in events if event.id not in capped_ids]


def row_fields(quest: QuestDefinition) -> dict:
    data = quest.as_dict()
    return {name: quest.starts_at if name == 'starts_at' else quest.ends_at if name == 'ends_at' else data[name]
            for name in FIELDS}


def definition_from_row(row: QuestRow) -> QuestDefinition:
    return QuestDefinition(key=row.key, title=row.title, description=row.description,
                           metric=metric_from_dict(row.metric), aggregation=row.aggregation,  # type: ignore[arg-type]
                           target=row.target, starts_at=row.starts_at, ends_at=row.ends_at,
                           scope=row.scope, reward_points=row.reward_points,  # type: ignore[arg-type]
                           reward_domain=row.reward_domain, reward_badge=row.reward_badge,  # type: ignore[arg-type]
                           repeat=row.repeat, translations=row.translations)  # type: ignore[arg-type]


def stored_definitions(rows: Sequence[QuestRow]) -> list[QuestDefinition]:
    return sorted((definition_from_row(row) for row in rows), key=lambda quest: quest.key)


def _check_lead(actor: AgentView) -> None:
    if not actor.is_lead:
        raise ActionError(_('Only a team lead can edit quests.'))
