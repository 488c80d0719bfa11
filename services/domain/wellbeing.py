"""Wellbeing caps (issue 20): no points for work past a daily limit of hours, and a break suggested after a long streak.

"Hours worked" on a day are the time an agent spent online or away on that floor day (the boards' days), read from their
``PRESENCE_CHANGED`` events (each carries the seconds spent in the previous status); breaks and time offline are not
work. A stretch that spans midnight counts for each day its part. The cap is judged at the moment of the action: a
resolution made when the agent had worked more than the limit that day earns nothing, with one zero-point entry whose
reason says why (a resolution at the limit exactly still counts). Penalties are zeroed with the rest: past the limit,
the work is outside the game both ways.

A "streak" is an unbroken stretch online: going away, on a break or offline ends it. A streak longer than the lead's
setting gets one gentle suggestion to take a break (services/game/wellbeing.py tells the agent's tabs).

The settings are a ``WELLBEING_CHANGED`` event, so a replay folds them at the same point of the log as live. Both are
off until a lead sets them (a database from before them replays to the same points).
"""
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from services.domain import reasons
from services.domain.badges import Aggregation, BadgeDefinition, BadgeKind, Direction, Filter
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import day_bounds
from services.domain.i18n import N_, _
from services.domain.scoring import Award, AwardKind, Domain, ticket_name

WORKED = frozenset({'online', 'away'})  # what counts as hours worked; on_break and offline do not
BREAK = 'on_break'
STATUSES = ('online', 'away', BREAK, 'offline')  # services/helpdesk/presence.py's, in its order
STREAK = 'online'  # the status a streak is made of: away or a break ends it
MAX_DAILY_HOURS = 24
MAX_BREAK_MINUTES = 24 * 60


@dataclass(frozen=True, kw_only=True, slots=True)
class WellbeingPolicy:
    """The leads' wellbeing settings; 0 switches either off."""
    daily_hours: int = 0  # no points past this many hours worked in a day
    break_after_minutes: int = 0  # suggest a break after this long online without one

    def as_dict(self) -> dict[str, int]:
        return {'daily_hours': self.daily_hours, 'break_after_minutes': self.break_after_minutes}


def check_wellbeing(values: Mapping[str, Any]) -> WellbeingPolicy:
    """The policy a lead's form asks for, or an :class:`ActionError` naming each value out of range."""
    problems = []
    checked: dict[str, int] = {}
    for name, label, high, wording in (
            ('daily_hours', N_('Daily hours limit'), MAX_DAILY_HOURS,
             N_('{label}: a whole number of hours from 0 to {high} (0 switches it off).')),
            ('break_after_minutes', N_('Suggest a break after'), MAX_BREAK_MINUTES,
             N_('{label}: a whole number of minutes from 0 to {high} (0 switches it off).'))):
        value = values.get(name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is None or isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
            problems.append(_(wording).format(label=_(label), high=high))
        else:
            checked[name] = value
    if problems:
        raise ActionError(' '.join(problems))
    return WellbeingPolicy(**checked)


def cap_reason(policy: WellbeingPolicy, ticket: str) -> str:
    return reasons.WELLBEING_CAP.english(ticket=ticket, hours=policy.daily_hours)


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentPresence:
    """What the fold remembers of one agent: the status shown since when, and the seconds worked on ``day`` before
    ``since`` (the open stretch is added when asked)."""
    status: str = 'offline'
    since: datetime | None = None
    day: date | None = None
    worked: float = 0.0


class WellbeingTracker:
    """Folds presence and the settings and caps a resolution's awards; undone with the projection (begin/rollback)."""

    def __init__(self, policy: WellbeingPolicy | None = None) -> None:
        self.policy = policy or WellbeingPolicy()
        self.agents: dict[int, AgentPresence] = {}
        self._scopes: list[tuple[WellbeingPolicy, dict[int, AgentPresence | None]]] = []

    def copy(self) -> 'WellbeingTracker':
        """The same settings and presence, to be folded on separately (what-if's draft side)."""
        copied = WellbeingTracker(self.policy)
        copied.agents = dict(self.agents)  # the values are frozen
        return copied

    def begin(self) -> None:
        self._scopes.append((self.policy, {}))

    def commit(self) -> None:
        policy, saved = self._scopes.pop()
        if self._scopes:
            for agent_id, presence in saved.items():
                self._scopes[-1][1].setdefault(agent_id, presence)

    def rollback(self) -> None:
        self.policy, saved = self._scopes.pop()
        for agent_id, presence in saved.items():
            if presence is None:
                self.agents.pop(agent_id, None)
            else:
                self.agents[agent_id] = presence

    def apply(self, event: GameEvent) -> None:
        """Fold a presence change or a lead's edit of the settings; other events change nothing here."""
        if event.kind == EventKind.WELLBEING_CHANGED:
            self.policy = WellbeingPolicy(daily_hours=event.data['daily_hours'],
                                          break_after_minutes=event.data['break_after_minutes'])
        elif event.kind == EventKind.PRESENCE_CHANGED and event.agent_id is not None:
            self._presence(event)

    def worked_seconds(self, agent_id: int, at: datetime) -> float:
        """Seconds the agent worked (online or away) on ``at``'s floor day up to ``at``."""
        presence = self.agents.get(agent_id)
        if presence is None:
            return 0.0
        midnight, _, day = day_bounds(at)
        closed = presence.worked if presence.day == day else 0.0
        if presence.status in WORKED and presence.since is not None:
            closed += max(0.0, (at - max(presence.since, midnight)).total_seconds())
        return closed

    def streak_since(self, agent_id: int) -> datetime | None:
        """When the agent's current unbroken stretch online began (None: not online)."""
        presence = self.agents.get(agent_id)
        return presence.since if presence is not None and presence.status == STREAK else None

    def capped(self, event: GameEvent, awards: list[Award]) -> list[Award]:
        """A resolution's awards, or one zero-point entry saying why when it came past the agent's daily limit."""
        limit = self.policy.daily_hours
        if not limit or event.agent_id is None or \
                self.worked_seconds(event.agent_id, event.occurred_at) <= limit * 3600:
            return awards
        return [Award(agent_id=event.agent_id, points=0, domain=Domain.PRODUCTIVITY, kind=AwardKind.WELLBEING,
                      reason=cap_reason(self.policy, ticket_name(event))[:200])]

    def _presence(self, event: GameEvent) -> None:
        assert event.agent_id is not None
        agent_id, at = event.agent_id, event.occurred_at
        old = self.agents.get(agent_id)
        if self._scopes and agent_id not in self._scopes[-1][1]:
            self._scopes[-1][1][agent_id] = old
        old = old or AgentPresence()
        midnight, _, day = day_bounds(at)
        worked = old.worked if old.day == day else 0.0
        if event.data.get('previous') in WORKED:  # the stretch the event closes: its part on the event's day
            start = at - timedelta(seconds=event.data.get('seconds') or 0)
            worked += max(0.0, (at - max(start, midnight)).total_seconds())
        self.agents[agent_id] = replace(old, status=event.data['status'], since=at, day=day, worked=worked)


# --- breaks never cost a badge ---------------------------------------------------------------------------------------
# The boards rank points only, and a break earns or costs none, so only badges over presence can rank a break against
# someone: a badge for the most time at work that leaves breaks out (the default Worker: a break is time it does not
# count), or one for the least break time or the fewest breaks.

def break_cost(definition: BadgeDefinition) -> str | None:
    """Why taking a break can by itself make an agent lose this badge, or None when it cannot."""
    metric = definition.metric
    if definition.kind != BadgeKind.METRIC or metric is None or metric.kind != EventKind.PRESENCE_CHANGED:
        return None
    previous, status = _passing(definition, 'previous'), _passing(definition, 'status')
    if metric.value == 'seconds':
        if definition.direction == Direction.HIGHEST and previous & WORKED and BREAK not in previous:
            return 'it ranks time at work without the breaks: a break is time it does not count'
        if definition.direction == Direction.LOWEST and BREAK in previous:
            return 'it ranks the least break time: a break counts against the agent'
    elif definition.direction == Direction.LOWEST and (BREAK in status or BREAK in previous):
        return 'it ranks the fewest breaks: a break counts against the agent'
    return None


def break_neutral(definition: BadgeDefinition) -> BadgeDefinition | None:
    """The badge with breaks counted as time at work, so that a break changes nobody's figure (None: no such fix, a
    lead must change or delete it). Only a sum can be fixed so: a break would still split an average or a longest
    stretch."""
    if break_cost(definition) is None or definition.direction != Direction.HIGHEST or \
            definition.aggregation != Aggregation.SUM or definition.metric is None:
        return None
    counted = _passing(definition, 'previous') | {BREAK}
    where = tuple(f for f in definition.metric.where if f.field != 'previous') + \
        (Filter(field='previous', values=tuple(s for s in STATUSES if s in counted)),)
    return replace(definition, metric=replace(definition.metric, where=where),
                   description=f'{definition.description} (breaks count as time at work)'[:200])


def _passing(definition: BadgeDefinition, field: str) -> set[str]:
    """The statuses the metric's filters on ``field`` let through."""
    assert definition.metric is not None
    conditions = [condition for condition in definition.metric.where if condition.field == field]
    return {status for status in STATUSES if all(condition.matches({field: status}) for condition in conditions)}
