"""The demo's "while you were away" (issue 15): an agent with no DeskQuest tab open is played by the simulator, so
when they come back their screen says what it did as them, from the ledger since they left.

Where "since they left" is: the last event of the log when their last tab closed, or, for an agent who has not had
a tab open since the process started, the last event at start-up (the presence ends every stretch online when the app
stops, so after a start everyone is away). Event ids, not times: the demo's clock is accelerated, the sessions' is not.
"""
from dataclasses import dataclass

from models import LedgerEntry, StoredEvent
from services.domain.events import EventKind
from services.domain.i18n import _, ngettext
from services.platform.event_log import GameService


@dataclass(frozen=True, kw_only=True, slots=True)
class AwaySummary:
    points: int  # the ledger's sum for the agent since they left
    resolved: int  # conversations the simulator resolved as them

    @property
    def text(self) -> str:
        """Worded when read: in the language of the tab it is shown in."""
        points = f'{self.points:+d}'
        if not self.resolved:
            return _('While you were away, the simulator worked as you: {points} points.').format(points=points)
        return ngettext('While you were away, the simulator worked as you: {points} points, {count} conversation '
                        'resolved.',
                        'While you were away, the simulator worked as you: {points} points, {count} conversations '
                        'resolved.', self.resolved).format(points=points, count=self.resolved)


class AwayReport:
    def __init__(self, *, game: GameService, enabled: bool) -> None:
        """:param enabled: only in the demo, whose simulator plays absent agents (elsewhere nobody works as them)."""
        self.game = game
        self.enabled = enabled
        self._started_after = 0  # the last event at start-up
        self._left_after: dict[int, int] = {}  # agent -> the last event when their last tab closed

    def load(self) -> None:
        """Call once the event log is loaded: whoever comes back later was away since this point of the log."""
        self._started_after = self.game.last_event_id

    def left(self, agent_id: int) -> None:
        """The agent's last tab closed: the simulator works as them from here on."""
        if self.enabled:
            self._left_after[agent_id] = self.game.last_event_id

    async def returned(self, agent_id: int) -> AwaySummary | None:
        """The agent opened a tab with none open before: what the simulator did as them since they left (None when
        it did nothing, or outside the demo). Told once per return."""
        if not self.enabled:
            return None
        after = self._left_after.get(agent_id, self._started_after)
        self._left_after[agent_id] = self.game.last_event_id  # told once: a second call counts from here
        points = await LedgerEntry.filter(agent_id=agent_id, event_id__gt=after).values_list('points', flat=True)
        if not points:
            return None
        resolved = await StoredEvent.filter(kind=EventKind.RESOLVED.value, agent_id=agent_id, id__gt=after).count()
        return AwaySummary(points=sum(points), resolved=resolved)
