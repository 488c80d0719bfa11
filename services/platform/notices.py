"""Short messages for one agent's open tabs (a redemption decided, a rating invalidated), sent after the commit.

A notice keeps what happened (a :class:`Phrase`) rather than a sentence: it is worded when a tab shows it, in that
tab's language, so the agent reads it in theirs whoever caused it (issue 16)."""
from dataclasses import dataclass

from nicegui import Event

from services.domain.i18n import Phrase


@dataclass(frozen=True, kw_only=True, slots=True)
class Notice:
    words: Phrase
    kind: str = 'info'  # how ui.notify shows it: positive | negative | warning | info

    @property
    def text(self) -> str:
        """The notice in the language in force: the tab's, inside the handler that shows it."""
        return self.words.text()


class Notices:
    """One event per agent, so a message wakes only that agent's tabs, not every tab on the floor."""

    def __init__(self) -> None:
        self._events: dict[int, Event[Notice]] = {}

    def for_agent(self, agent_id: int) -> Event[Notice]:
        if agent_id not in self._events:
            self._events[agent_id] = Event()
        return self._events[agent_id]

    def send(self, agent_id: int, notice: Notice) -> None:
        if (event := self._events.get(agent_id)) is not None:
            event.emit(notice)
