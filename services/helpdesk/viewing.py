"""Who has which conversation open right now (collision detection), and how long each agent viewed it.

Kept in memory: it is about the tabs of this process. When a view ends (the agent switches to another conversation,
closes it or closes the browser tab) one ``viewed`` event records the seconds on the injected clock.
"""
import asyncio
import itertools
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from nicegui import Event, background_tasks

from services.domain.events import EventKind
from services.platform.clock import Clock
from services.platform.directory import Directory
from services.platform.event_log import GameService

log = logging.getLogger(__name__)
MIN_VIEW_SECONDS = 1.0  # a glance while clicking through is not viewing
TYPING_SECONDS = 4.0  # real seconds "is typing" stays up after the last keystroke


@dataclass(frozen=True, kw_only=True, slots=True)
class Viewer:
    agent_id: int
    name: str
    typing: bool


@dataclass(kw_only=True, slots=True)
class _View:
    agent_id: int
    conversation_id: int
    since: datetime  # on the injected clock
    typing: asyncio.TimerHandle | None = None


class ViewingService:
    """Tracks views (one per browser tab showing a conversation) and announces who views what.

    :attr:`changed` carries the conversation and its viewers, computed once for all the tabs that show it.
    """

    def __init__(self, *, clock: Clock, game: GameService, directory: Directory) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.changed: Event[[int, list[Viewer]]] = Event()
        self._views: dict[int, _View] = {}
        self._by_conversation: dict[int, set[int]] = defaultdict(set)
        self._ids = itertools.count(1)

    def enter(self, agent_id: int, conversation_id: int) -> int:
        """An agent's tab starts showing a conversation; returns the view's id for :meth:`leave` and :meth:`typing`."""
        view_id = next(self._ids)
        self._views[view_id] = _View(agent_id=agent_id, conversation_id=conversation_id, since=self.clock.now())
        self._by_conversation[conversation_id].add(view_id)
        self._announce(conversation_id)
        return view_id

    async def leave(self, view_id: int) -> float:
        """The view ends; records a ``viewed`` event with its seconds (unless under a second). Returns the seconds."""
        view = self._views.pop(view_id, None)
        if view is None:
            return 0.0
        if view.typing is not None:
            view.typing.cancel()
        views = self._by_conversation[view.conversation_id]
        views.discard(view_id)
        if not views:
            del self._by_conversation[view.conversation_id]
        self._announce(view.conversation_id)
        seconds = (self.clock.now() - view.since).total_seconds()
        if seconds < MIN_VIEW_SECONDS:
            return seconds
        async with self.game.unit_of_work() as work:
            await work.record(EventKind.VIEWED, agent_id=view.agent_id, conversation_id=view.conversation_id,
                              data={'seconds': round(seconds)})
        return seconds

    def leave_soon(self, view_id: int) -> None:
        """:meth:`leave` from a place that cannot wait for the database (a closing tab, a click handler)."""
        background_tasks.create(self._leave_logged(view_id), name='record viewing time')

    def typing(self, view_id: int) -> None:
        """The agent typed in the reply box: the others see "is typing" for a few seconds."""
        view = self._views.get(view_id)
        if view is None:
            return
        started = view.typing is None
        if view.typing is not None:
            view.typing.cancel()
        view.typing = asyncio.get_running_loop().call_later(TYPING_SECONDS, self._stopped_typing, view_id)
        if started:
            self._announce(view.conversation_id)

    def viewers(self, conversation_id: int) -> list[Viewer]:
        """Everyone viewing the conversation, once per agent (typing if in any of their tabs), by name."""
        agents: dict[int, bool] = {}
        for view_id in self._by_conversation.get(conversation_id, ()):
            view = self._views[view_id]
            agents[view.agent_id] = agents.get(view.agent_id, False) or view.typing is not None
        viewers = []
        for agent_id, typing in agents.items():
            agent = self.directory.agent(agent_id)
            viewers.append(Viewer(agent_id=agent_id, name=agent.name if agent else 'another agent', typing=typing))
        return sorted(viewers, key=lambda viewer: viewer.name)

    def _stopped_typing(self, view_id: int) -> None:
        view = self._views.get(view_id)
        if view is not None:
            view.typing = None
            self._announce(view.conversation_id)

    def _announce(self, conversation_id: int) -> None:
        self.changed.emit(conversation_id, self.viewers(conversation_id))

    async def _leave_logged(self, view_id: int) -> None:
        try:
            await self.leave(view_id)
        except Exception:  # the tab is gone; a lost viewing time must not surface anywhere
            log.exception('could not record the viewing time of view %s', view_id)


def others(viewers: list[Viewer], agent_id: int) -> str:
    """What one agent is told about the others: 'Ben is also viewing', 'Ben is typing…', 'Ben and Ann are also …'."""
    typing = [viewer.name for viewer in viewers if viewer.agent_id != agent_id and viewer.typing]
    viewing = [viewer.name for viewer in viewers if viewer.agent_id != agent_id and not viewer.typing]
    parts = []
    if typing:
        parts.append(f'{_names(typing)} {"is" if len(typing) == 1 else "are"} typing…')
    if viewing:
        parts.append(f'{_names(viewing)} {"is" if len(viewing) == 1 else "are"} also viewing')
    return ' · '.join(parts)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ', '.join(names[:-1]) + f' and {names[-1]}'
