"""Analytics' daily aggregates as a pure fold, and the figures charts derive from them (issue 15).

Each event the game folds adds to counters kept per day × agent × channel (``AgentDay``) and, for arrivals, per day
× hour × channel (``VolumeHour``). The live writer adds them in the events' own transaction and the rebuild folds the
whole log through these same functions, so a chart over any period reads a number of rows bounded by the period and
the floor, never by the length of the log.
"""
import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from services.domain.events import Channel, EventKind, GameEvent, Rating
from services.domain.floor_calendar import floor_day, floor_hour
from services.domain.i18n import N_
from services.domain.projection import Outcome

NO_AGENT = 0  # the arrivals nobody answered (abandoned) belong to the floor, not to an agent
NO_CHANNEL = ''  # an award whose event names no channel (a quest's reward, a merge)
# answered within the target: a reply's first-response time against its channel's target (the service level of
# contact centres, "80 % within 20 s" for calls); an abandoned arrival counts as answered late
SERVICE_LEVEL_TARGETS = {Channel.PHONE.value: timedelta(seconds=30), Channel.CHAT.value: timedelta(seconds=60),
                         Channel.SOCIAL.value: timedelta(hours=1), Channel.EMAIL.value: timedelta(hours=4)}
COUNTERS = ('points_quality', 'points_speed', 'points_productivity', 'answered', 'answered_in_target', 'abandoned',
            'resolved', 'resolved_in_sla', 'first_contact', 'handle_seconds', 'reopened', 'rated', 'rated_good')
CHANNELS = tuple(channel.value for channel in Channel)

AgentDay = tuple[date, int, str]  # day, agent (NO_AGENT), channel (NO_CHANNEL)
VolumeHour = tuple[date, int, str]  # day, hour (UTC), channel


@dataclass(frozen=True, kw_only=True, slots=True)
class RatedFact:
    """What an invalidated rating had counted, so its invalidation takes it back from the same day and channel."""
    day: date
    channel: str


@dataclass(kw_only=True, slots=True)
class AnalyticsTally:
    """Counters added by a stretch of events: per agent-day, and arrivals per hour."""
    days: defaultdict[AgentDay, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    volume: Counter[VolumeHour] = field(default_factory=Counter)

    def add(self, outcome: Outcome, *, rated: RatedFact | None = None) -> None:
        """Fold one event's outcome in; ``rated`` is the rating a RATING_INVALIDATED event names (see
        :func:`rated_fact`), without which the invalidation cannot be placed and takes back nothing."""
        event = outcome.event
        day, hour = floor_hour(event.occurred_at)
        data = event.data
        channel = str(data.get('channel') or outcome.channel or NO_CHANNEL)
        if event.kind == EventKind.RATING_INVALIDATED and rated is not None:
            channel = rated.channel
        for award in outcome.awards:
            self.days[(day, award.agent_id, channel)][f'points_{award.domain.value}'] += award.points
        agent = event.agent_id if event.agent_id is not None else NO_AGENT
        if event.kind == EventKind.CONVERSATION_CREATED:
            self.volume[(day, hour, channel)] += 1
        elif event.kind == EventKind.REPLIED and 'first_response_seconds' in data:
            counters = self.days[(day, agent, channel)]
            counters['answered'] += 1
            counters['answered_in_target'] += answered_in_target(channel, data['first_response_seconds'])
        elif event.kind == EventKind.ABANDONED:
            self.days[(day, NO_AGENT, channel)]['abandoned'] += 1
        elif event.kind == EventKind.RESOLVED and outcome.resolved is not None:
            counters = self.days[(day, agent, channel)]
            counters['resolved'] += 1
            counters['resolved_in_sla'] += event.occurred_at <= datetime.fromisoformat(data['sla_due_at'])
            counters['first_contact'] += data.get('inbound_count') == 1
            counters['handle_seconds'] += handle_seconds(event)
        elif event.kind == EventKind.REOPENED and outcome.resolved is not None:
            self.days[(day, outcome.resolved[0], channel)]['reopened'] += 1
        elif event.kind == EventKind.RATED and event.agent_id is not None:
            counters = self.days[(day, agent, channel)]
            counters['rated'] += 1
            counters['rated_good'] += data['rating'] == Rating.GOOD.value
        elif event.kind == EventKind.RATING_INVALIDATED and event.agent_id is not None and rated is not None:
            counters = self.days[(rated.day, agent, rated.channel)]
            counters['rated'] -= 1
            counters['rated_good'] -= data['rating'] == Rating.GOOD.value

    def add_all(self, outcomes: Iterable[Outcome], rated: Mapping[int, RatedFact]) -> None:
        for outcome in outcomes:
            event = outcome.event
            self.add(outcome, rated=rated.get(event.data.get('rated_event_id', 0))
                     if event.kind == EventKind.RATING_INVALIDATED else None)

    def rows(self) -> dict[AgentDay, dict[str, int]]:
        """The agent-days with any counter not zero, every counter named."""
        return {key: {name: counters[name] for name in COUNTERS} for key, counters in self.days.items()
                if any(counters.values())}

    def hours(self) -> dict[VolumeHour, int]:
        return {key: count for key, count in self.volume.items() if count}


def answered_in_target(channel: str, first_response_seconds: int) -> bool:
    target = SERVICE_LEVEL_TARGETS.get(channel)
    return target is not None and first_response_seconds <= target.total_seconds()


def handle_seconds(event: GameEvent) -> int:
    """A resolution's handling time: from the conversation's arrival to its resolution, in whole seconds."""
    return max(0, round((event.occurred_at - datetime.fromisoformat(event.data['created_at'])).total_seconds()))


def rated_fact(event: GameEvent) -> RatedFact:
    """The day and channel a RATED event counted in."""
    return RatedFact(day=floor_day(event.occurred_at), channel=str(event.data.get('channel') or NO_CHANNEL))


# --- the figures the charts show, from summed counters ---

class Chart(str, Enum):
    POINTS = 'points'  # points by domain per day
    CSAT = 'csat'  # good / all rated, per day
    VOLUME = 'volume'  # arrivals, hour × channel
    SERVICE = 'service'  # service level and SLA compliance per day
    FIRST_CONTACT = 'first_contact'  # first-contact resolution rate per day
    HANDLING = 'handling'  # average handling time per channel
    REOPEN = 'reopen'  # reopen rate per day
    SKILLS = 'skills'  # an agent's points by domain against their team's average


# shown through _(); the downloads name a chart by its value
CHART_TITLES = {Chart.POINTS: N_('Points by domain'), Chart.CSAT: N_('CSAT % (good / all rated)'),
                Chart.VOLUME: N_('Arrivals by hour (UTC) and channel'),
                Chart.SERVICE: N_('Service level and SLA compliance'),
                Chart.FIRST_CONTACT: N_('First-contact resolution rate'),
                Chart.HANDLING: N_('Handling time by channel'),
                Chart.REOPEN: N_('Reopen rate'), Chart.SKILLS: N_('Skill profile against the team')}
DOMAINS = ('quality', 'speed', 'productivity')


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, one decimal; None when there is nothing to divide (no data is not 0 %)."""
    return round(100 * part / whole, 1) if whole > 0 else None


def csat_percent(good: int, rated: int) -> float | None:
    return percent(good, rated)


@dataclass(frozen=True, kw_only=True, slots=True)
class Table:
    """A chart's data as a download has it: named columns and rows of plain values (ISO dates, numbers)."""
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    def records(self) -> list[dict[str, object]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def as_csv(self) -> bytes:
        """A header row, then one row per record; an empty cell where there was nothing to divide."""
        text = io.StringIO()
        writer = csv.writer(text, lineterminator='\r\n')
        writer.writerow(self.columns)
        writer.writerows(['' if value is None else value for value in row] for row in self.rows)
        return text.getvalue().encode()

    def as_json(self, **about: object) -> bytes:
        """``about`` (the chart, the period, whose figures) and the records, numbers as numbers, null for none."""
        return json.dumps({**about, 'rows': self.records()}, ensure_ascii=False, indent=1).encode()


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def daily_table(chart: Chart, sums: Mapping[date, Mapping[str, int]], first: date, last: date) -> Table:
    """A per-day chart's rows, every day of the period present (a day without data has empty rates)."""
    empty: Mapping[str, int] = {}
    rows = []
    for day in days_between(first, last):
        c = sums.get(day, empty)
        if chart == Chart.POINTS:
            rows.append((day.isoformat(), *(c.get(f'points_{domain}', 0) for domain in DOMAINS)))
        elif chart == Chart.CSAT:
            rows.append((day.isoformat(), c.get('rated_good', 0), c.get('rated', 0),
                         csat_percent(c.get('rated_good', 0), c.get('rated', 0))))
        elif chart == Chart.SERVICE:
            offered = c.get('answered', 0) + c.get('abandoned', 0)
            rows.append((day.isoformat(), c.get('answered_in_target', 0), offered,
                         percent(c.get('answered_in_target', 0), offered), c.get('resolved_in_sla', 0),
                         c.get('resolved', 0), percent(c.get('resolved_in_sla', 0), c.get('resolved', 0))))
        elif chart == Chart.FIRST_CONTACT:
            rows.append((day.isoformat(), c.get('first_contact', 0), c.get('resolved', 0),
                         percent(c.get('first_contact', 0), c.get('resolved', 0))))
        elif chart == Chart.REOPEN:
            rows.append((day.isoformat(), c.get('reopened', 0), c.get('resolved', 0),
                         percent(c.get('reopened', 0), c.get('resolved', 0))))
        else:
            raise ValueError(f'{chart} is not a per-day chart')
    return Table(columns=DAILY_COLUMNS[chart], rows=tuple(rows))


DAILY_COLUMNS = {
    Chart.POINTS: ('day', 'quality', 'speed', 'productivity'),
    Chart.CSAT: ('day', 'good', 'rated', 'csat_percent'),
    Chart.SERVICE: ('day', 'answered_in_target', 'offered', 'service_level_percent', 'resolved_in_sla', 'resolved',
                    'sla_compliance_percent'),
    Chart.FIRST_CONTACT: ('day', 'first_contact', 'resolved', 'first_contact_percent'),
    Chart.REOPEN: ('day', 'reopened', 'resolved', 'reopen_percent'),
}


def handling_table(sums: Mapping[str, Mapping[str, int]]) -> Table:
    """Average handling time per channel, in minutes (one decimal), with the resolutions it is the average of."""
    rows = []
    for channel in CHANNELS:
        c = sums.get(channel, {})
        resolved = c.get('resolved', 0)
        rows.append((channel, resolved, round(c.get('handle_seconds', 0) / resolved / 60, 1) if resolved else None))
    return Table(columns=('channel', 'resolved', 'average_minutes'), rows=tuple(rows))


def volume_table(hours: Mapping[tuple[int, str], int]) -> Table:
    """Arrivals per hour of the day (UTC) and channel, every cell present."""
    return Table(columns=('hour', 'channel', 'arrivals'),
                 rows=tuple((hour, channel, hours.get((hour, channel), 0)) for hour in range(24)
                            for channel in CHANNELS))


def skills_table(agent: Mapping[str, int] | None, team: Mapping[int, Mapping[str, int]]) -> Table:
    """The agent's points per domain (if one is chosen) against the average of the team's agents with any data."""
    rows = []
    for domain in DOMAINS:
        name = f'points_{domain}'
        average = round(sum(c.get(name, 0) for c in team.values()) / len(team), 1) if team else None
        rows.append((domain, agent.get(name, 0) if agent is not None else None, average))
    return Table(columns=('domain', 'agent', 'team_average'), rows=tuple(rows))
