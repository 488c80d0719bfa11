"""The lead's live monitor, pure: today's figures per channel and per agent folded from the log's events, the waiting
queue's figures, service level, CSAT and the arrivals trend (services/helpdesk/monitor.py feeds and publishes them).

Today is the UTC day of the injected clock, like the leaderboards' days. Service level follows the simulator's report
(simulation/report.py): the contacts answered within their first-response target over those that stopped waiting
today (answered or abandoned).
"""
from collections import Counter, deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from services.domain.events import Channel, EventKind, GameEvent
from services.domain.floor_calendar import floor_day
from services.domain.inbox import TIMED_CHANNELS, InboxItem

CHANNELS = tuple(channel.value for channel in Channel)
TREND_HOURS = 8  # the arrivals trend covers the last hours, the current one included
RECENT = 12  # escalations and returns to the queue listed
Key = TypeVar('Key', bound=Hashable)
SPARK = '▁▂▃▄▅▆▇█'
FOLDED = frozenset({EventKind.CONVERSATION_CREATED, EventKind.REPLIED, EventKind.ABANDONED, EventKind.RATED,
                    EventKind.RATING_INVALIDATED, EventKind.RESOLVED, EventKind.ESCALATED, EventKind.RELEASED})


def service_level(within: int, answered: int, abandoned: int) -> int | None:
    """Percent of the contacts that stopped waiting (answered or abandoned) answered within target; None: none."""
    return percent(within, answered + abandoned)


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percent, None when there is nothing to count."""
    return round(100 * part / whole) if whole > 0 else None


def average(total: float, count: int) -> int | None:
    """The mean in whole units, None when nothing was counted."""
    return round(total / count) if count > 0 else None


def sparkline(values: Iterable[int]) -> str:
    """A row of block characters as tall as each value against the largest (all lowest when all are zero)."""
    values = list(values)
    top = max(values, default=0)
    return ''.join(SPARK[0] if top == 0 else SPARK[round(value * (len(SPARK) - 1) / top)] for value in values)


@dataclass(slots=True)
class Tally:
    """What one channel or one agent did today."""
    answered: int = 0  # first responses
    within: int = 0  # first responses within their target
    abandoned: int = 0
    rated: int = 0
    good: int = 0
    handled: int = 0  # resolutions
    timed: int = 0  # chat and phone resolutions with their handling time
    handle_seconds: int = 0

    @property
    def csat(self) -> int | None:
        return percent(self.good, self.rated)

    @property
    def service_level(self) -> int | None:
        return service_level(self.within, self.answered, self.abandoned)

    @property
    def average_handle_seconds(self) -> int | None:
        return average(self.handle_seconds, self.timed)


def answered_in_time(event: GameEvent) -> bool:
    """Whether a first response came by its target (the due time the reply recorded; none recorded: not counted as
    within, e.g. a connected helpdesk's reply)."""
    due = event.data.get('first_response_due_at')
    return due is not None and event.occurred_at <= datetime.fromisoformat(due)


class DayFold:
    """Today's tallies per channel and per agent, the arrivals of the last hours and the newest escalations and
    returns to the queue, folded from the log's events in order."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.channels: dict[str, Tally] = {channel: Tally() for channel in CHANNELS}
        self.agents: dict[int, Tally] = {}
        self.arrivals: Counter[tuple[str, datetime]] = Counter()  # (channel, hour) -> conversations created
        self.recent: deque[GameEvent] = deque(maxlen=RECENT)  # escalations and returns to the queue, newest last

    def apply(self, event: GameEvent) -> None:
        if event.kind not in FOLDED:
            return
        if event.kind == EventKind.CONVERSATION_CREATED:  # the trend spans midnight
            self.arrivals[event.data.get('channel', ''), hour_of(event.occurred_at)] += 1
        day = floor_day(event.occurred_at)
        if day < self.day:
            return
        if day > self.day:
            self.new_day(day)
        channel = self.channels.get(event.data.get('channel', ''))
        agent = self._agent(event.agent_id) if event.agent_id is not None else None
        if event.kind == EventKind.REPLIED and 'first_response_seconds' in event.data:
            within = answered_in_time(event)
            for tally in (channel, agent):
                if tally is not None:
                    tally.answered += 1
                    tally.within += within
        elif event.kind == EventKind.ABANDONED and channel is not None:
            channel.abandoned += 1
        elif event.kind == EventKind.RATED:
            for tally in (channel, agent):
                if tally is not None:
                    tally.rated += 1
                    tally.good += event.data.get('rating') == 'good'
        elif event.kind == EventKind.RATING_INVALIDATED and agent is not None:  # a lead upheld a dispute
            agent.rated -= 1
            agent.good -= event.data.get('rating') == 'good'
        elif event.kind == EventKind.RESOLVED and agent is not None:
            agent.handled += 1
            if event.data.get('channel') in TIMED_CHANNELS and event.data.get('duration_seconds'):
                agent.timed += 1
                agent.handle_seconds += event.data['duration_seconds']
        elif event.kind in (EventKind.ESCALATED, EventKind.RELEASED):
            self.recent.append(event)

    def new_day(self, day: date) -> None:
        """Midnight: today's tallies start again (the arrivals trend keeps its hours)."""
        self.day = day
        self.channels = {channel: Tally() for channel in CHANNELS}
        self.agents = {}

    def trend(self, channel: str, now: datetime) -> tuple[int, ...]:
        """Conversations created on ``channel`` per hour, the last :data:`TREND_HOURS` hours, oldest first."""
        current = hour_of(now)
        return tuple(self.arrivals[channel, current - timedelta(hours=back)] for back in range(TREND_HOURS - 1, -1, -1))

    def forget_before(self, now: datetime) -> None:
        """Drop the arrivals older than the trend shows."""
        oldest = hour_of(now) - timedelta(hours=TREND_HOURS - 1)
        for key in [key for key in self.arrivals if key[1] < oldest]:
            del self.arrivals[key]

    def agent(self, agent_id: int) -> Tally:
        return self.agents.get(agent_id) or Tally()

    def _agent(self, agent_id: int) -> Tally:
        tally = self.agents.get(agent_id)
        if tally is None:
            tally = self.agents[agent_id] = Tally()
        return tally


def row_changes(before: Mapping[Key, Any], after: Mapping[Key, Any]) -> tuple[list[Key], list[Key]]:
    """What a table shown live must send: the keys of the rows new or different in ``after`` (in its order), and the
    keys of the rows gone from it."""
    return [key for key, row in after.items() if before.get(key) != row], [key for key in before if key not in after]


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def waiting(items: Iterable[InboxItem]) -> list[InboxItem]:
    """The conversations waiting in the queue for an agent: new and unassigned."""
    return [item for item in items if item.assignee_id is None and item.status == 'new']


@dataclass(frozen=True, kw_only=True, slots=True)
class ChannelRow:
    channel: str
    waiting: int
    longest_wait_seconds: int
    average_wait_seconds: int | None
    answered: int
    abandoned: int
    service_level: int | None  # percent
    csat: int | None  # percent good of those rated today
    trend: tuple[int, ...]  # arrivals per hour, oldest first


def channel_rows(fold: DayFold, items: Iterable[InboxItem], now: datetime) -> tuple[ChannelRow, ...]:
    """One row per channel: the queue now and today's figures."""
    waits: dict[str, list[float]] = {channel: [] for channel in CHANNELS}
    for item in waiting(items):
        since = item.waiting_since or item.created_at
        waits[item.channel.value].append(max(0.0, (now - since).total_seconds()))
    rows = []
    for channel in CHANNELS:
        tally = fold.channels[channel]
        rows.append(ChannelRow(
            channel=channel, waiting=len(waits[channel]), longest_wait_seconds=round(max(waits[channel], default=0)),
            average_wait_seconds=average(sum(waits[channel]), len(waits[channel])), answered=tally.answered,
            abandoned=tally.abandoned, service_level=tally.service_level, csat=tally.csat,
            trend=fold.trend(channel, now)))
    return tuple(rows)
