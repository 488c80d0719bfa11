"""Who is here and whether they take work: online, away, on a break, or offline (no tab open).

People are counted per tab (the simulator leaves the work of anyone with a tab open to them) and pick a status in the
header; simulated agents report theirs from the simulator. Every change of the status an agent shows is one
``PRESENCE_CHANGED`` event with the seconds spent in the previous status, so breaks and time online are sums over the
log. Changes are recorded one after another by the single writer, each comparing what the agent shows now with what
was last recorded, so a burst of tab openings and closings records only real changes, in order.

Several processes on PostgreSQL: each counts its own tabs and simulated agents, and folds the changes the others
record (:meth:`Presence.on_followed`), so an agent present on any process is present on all of them.
"""
import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from nicegui import Event

from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.i18n import N_, _
from services.domain.projection import Outcome
from services.platform.clock import Clock
from services.platform.directory import AgentView
from services.platform.event_log import GameService
from services.platform.tasks import start_task

log = logging.getLogger(__name__)
ONLINE, AWAY, ON_BREAK, OFFLINE = 'online', 'away', 'on_break', 'offline'
STATUSES = (ONLINE, AWAY, ON_BREAK, OFFLINE)
CHOSEN = (ONLINE, AWAY, ON_BREAK)  # what a person (or a simulated agent) can pick; offline is having no tab open
LABELS = {ONLINE: N_('Online'), AWAY: N_('Away'), ON_BREAK: N_('On a break'), OFFLINE: N_('Offline')}  # through _()
COLORS = {ONLINE: 'positive', AWAY: 'amber-7', ON_BREAK: 'deep-orange-5', OFFLINE: 'grey-5'}


@dataclass(frozen=True, kw_only=True, slots=True)
class PresenceView:
    agent_id: int
    status: str
    since: datetime | None


class Presence:
    def __init__(self, *, clock: Clock, game: GameService) -> None:
        self.clock = clock
        self.game = game
        self.changed: Event[PresenceView] = Event()  # an agent's shown status changed (after the commit)
        self._tabs: Counter[int] = Counter()
        self._chosen: dict[int, str] = {}  # a person's pick in the header, while they have a tab open
        self._simulated: dict[int, str] = {}  # simulated agents on shift: their status
        self._recorded: dict[int, PresenceView] = {}  # the last recorded status of each agent
        # PostgreSQL: agents whose last recorded status another process recorded (a tab or a simulated agent there)
        self._elsewhere: dict[int, str] = {}
        self._pending: set[asyncio.Task] = set()
        self._closing = False

    async def close(self) -> None:
        """The app stops: whoever is present is recorded offline, so every stretch online ends within the run (the
        next run starts with everybody offline, and reading the log back at start would cost a scan of it)."""
        await self.settle()
        self._closing = True
        for agent_id in [agent_id for agent_id, view in self._recorded.items()
                         if view.status != OFFLINE and agent_id not in self._elsewhere]:  # present here, not there
            await self._sync(agent_id)

    # --- tabs (people) ---

    def tab_opened(self, agent_id: int) -> None:
        self._tabs[agent_id] += 1
        if self._tabs[agent_id] == 1:
            self._sync_soon(agent_id)

    def tab_closed(self, agent_id: int) -> None:
        self._tabs[agent_id] -= 1
        if self._tabs[agent_id] <= 0:
            del self._tabs[agent_id]
            self._chosen.pop(agent_id, None)  # whoever comes back starts online
            self._sync_soon(agent_id)

    def is_online(self, agent_id: int) -> bool:
        """Whether the person has DeskQuest open (in any status): the simulator then leaves their work to them."""
        return self._tabs[agent_id] > 0 if agent_id in self._tabs else False

    def is_available(self, agent_id: int) -> bool:
        """Whether new conversations may be routed to this agent: present (a tab open, or a simulated agent on
        shift) and neither away nor on a break."""
        return self.status(agent_id) == ONLINE

    def status(self, agent_id: int) -> str:
        """The status the agent shows now."""
        if self._closing:
            return OFFLINE
        if self.is_online(agent_id):
            return self.chosen(agent_id)
        return self._simulated.get(agent_id) or self._elsewhere.get(agent_id, OFFLINE)

    def chosen(self, agent_id: int) -> str:
        """The status a person picked (online until they pick another): what their tabs show."""
        return self._chosen.get(agent_id, ONLINE)

    def view(self, agent_id: int) -> PresenceView:
        recorded = self._recorded.get(agent_id)
        return PresenceView(agent_id=agent_id, status=self.status(agent_id), since=recorded.since if recorded else None)

    # --- changes ---

    async def choose(self, actor: AgentView, status: str) -> None:
        """A person picks their status in the header (offline is closing the last tab)."""
        if status not in CHOSEN:
            raise ActionError(_('Unknown status {status}: one of {known}.').format(status=repr(status),
                                                                                  known=', '.join(CHOSEN)))
        self._chosen[actor.id] = status
        await self._sync(actor.id)

    async def report_simulated(self, agent_id: int, status: str) -> None:
        """The simulator reports one of its agents: online at shift start, on a break, offline at shift end."""
        if status not in STATUSES:
            raise ValueError(f'unknown status {status!r}')
        if self._simulated.get(agent_id, OFFLINE) == status:
            return
        if status == OFFLINE:
            self._simulated.pop(agent_id, None)
        else:
            self._simulated[agent_id] = status
        await self._sync(agent_id)

    async def settle(self) -> None:
        """Wait until the changes of tabs opened or closed so far are recorded."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    def _sync_soon(self, agent_id: int) -> None:
        try:
            task = start_task(self._sync(agent_id), name='presence')
        except RuntimeError:  # no event loop (a synchronous caller): nothing to record for
            return
        self._pending.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error('recording a presence change failed', exc_info=task.exception())

    async def _sync(self, agent_id: int) -> None:
        """Record the agent's status if it differs from the last one recorded, with the seconds spent in that one."""
        async with self.game.unit_of_work() as work:
            status = self.status(agent_id)
            previous = _last_in(work.events, agent_id) or \
                self._recorded.get(agent_id, PresenceView(agent_id=agent_id, status=OFFLINE, since=None))
            if status == previous.status:
                return
            now = self.clock.now()
            seconds = round((now - previous.since).total_seconds()) if previous.since else 0
            await work.record(EventKind.PRESENCE_CHANGED, agent_id=agent_id,
                              data={'status': status, 'previous': previous.status, 'seconds': max(0, seconds)})
            view = PresenceView(agent_id=agent_id, status=status, since=now)
            work.after_commit(lambda: self._store(view))

    def on_followed(self, outcomes: list[Outcome]) -> None:
        """Another process recorded status changes (PostgreSQL): an agent with no tab and no shift here shows what
        was recorded there, so routing, the monitor and the status dots of every process see them present."""
        for outcome in outcomes:
            event = outcome.event
            if event.kind != EventKind.PRESENCE_CHANGED or event.agent_id is None:
                continue
            status = event.data['status']
            if status == OFFLINE:
                self._elsewhere.pop(event.agent_id, None)
            else:
                self._elsewhere[event.agent_id] = status
            self._recorded[event.agent_id] = PresenceView(agent_id=event.agent_id, status=status,
                                                          since=event.occurred_at)
            if status == OFFLINE and self.status(event.agent_id) != OFFLINE:
                self._sync_soon(event.agent_id)  # they closed their last tab there but have one here: still present
            self.changed.emit(self.view(event.agent_id))

    def _store(self, view: PresenceView) -> None:
        self._recorded[view.agent_id] = view
        self._elsewhere.pop(view.agent_id, None)  # this process recorded it last: its tabs or shift decide
        self.changed.emit(view)


def _last_in(events: list[GameEvent], agent_id: int) -> PresenceView | None:
    """The agent's latest change recorded earlier in the same (batched) unit of work, not yet committed."""
    for event in reversed(events):
        if event.kind == EventKind.PRESENCE_CHANGED and event.agent_id == agent_id:
            return PresenceView(agent_id=agent_id, status=event.data['status'], since=event.occurred_at)
    return None


def time_in_statuses(events: list[tuple[str, str, int]]) -> dict[str, int]:
    """Seconds per status from ``(status, previous, seconds)`` of an agent's ``PRESENCE_CHANGED`` events: each event
    closes the previous status, so breaks and time online are sums over the log."""
    totals = dict.fromkeys(STATUSES, 0)
    for _status, previous, seconds in events:
        totals[previous] = totals.get(previous, 0) + seconds
    return totals
