"""Analytics (issue 15): the daily aggregates written with the events, the charts' reads and their drill-down.

Leads read the whole floor, a team or an agent; an agent reads their own figures or their team's aggregate, and
drills down into their own only. The rules are checked here, whatever a page shows.
"""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.functions import Sum

from models import AnalyticsDay, AnalyticsVolume, Conversation, LedgerEntry, StoredEvent
from services.domain.analytics import (
    CHANNELS,
    COUNTERS,
    DAILY_COLUMNS,
    DOMAINS,
    AgentDay,
    AnalyticsTally,
    Chart,
    RatedFact,
    Table,
    VolumeHour,
    csat_percent,
    daily_table,
    handling_table,
    rated_fact,
    skills_table,
    volume_table,
)
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import day_start, floor_day, hour_start
from services.domain.i18n import N_, _
from services.domain.projection import Outcome
from services.domain.reasons import reason_text
from services.domain.wording import duration
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import CHUNK, GameService, UnitOfWork

PERIOD_DAYS = (7, 30, 90)
CSAT_DAYS = 7  # the progress card's CSAT: the agent's own, over the last week
MAX_PERIOD_DAYS = 366
DRILL_LIMIT = 200  # rows a drill-down lists, newest first
DAILY_CHARTS = tuple(DAILY_COLUMNS)


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalyticsQuery:
    first: date
    last: date
    team_id: int | None = None
    agent_id: int | None = None
    channel: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalyticsReport:
    query: AnalyticsQuery
    tables: dict[Chart, Table]
    subject: str  # whose figures: 'the floor', a team's name, an agent's


@dataclass(frozen=True, kw_only=True, slots=True)
class DrillPoint:
    """What was clicked: a day of a per-day chart (``series`` a domain, or 'service' / 'sla'), a channel of the
    handling chart, or an hour × channel cell of the heatmap."""
    chart: Chart
    day: date | None = None
    series: str | None = None
    channel: str | None = None
    hour: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DrillRow:
    at: datetime
    conversation_id: int | None
    agent_id: int | None
    agent: str
    text: str
    points: int | None = None
    event_id: int = 0  # with the agent and the kind, the receipt services/game/receipts.py explains
    kind: str = ''  # '' when the event earned the agent no entry (nothing to explain)


def query_for(days: int | None, *, today: date, first: str = '', last: str = '', team_id: int | None = None,
              agent_id: int | None = None, channel: str | None = None) -> AnalyticsQuery:
    """A period of the last ``days`` days, or from ``first`` to ``last`` (ISO dates), checked."""
    if days is not None:
        if days not in PERIOD_DAYS:
            raise ActionError(_('Choose a period of {days} days, or dates.').format(
                days=', '.join(map(str, PERIOD_DAYS))))
        start, end = today - timedelta(days=days - 1), today
    else:
        start = _day(first, _('The first day is not a date (YYYY-MM-DD).'))
        end = _day(last, _('The last day is not a date (YYYY-MM-DD).'))
    if end < start:
        raise ActionError(_('The last day comes before the first.'))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ActionError(_('A period is at most {days} days.').format(days=MAX_PERIOD_DAYS))
    if channel is not None and channel not in CHANNELS:
        raise ActionError(_('Unknown channel {channel}.').format(channel=repr(channel)))
    return AnalyticsQuery(first=start, last=end, team_id=team_id, agent_id=agent_id, channel=channel)


def _day(text: str, refusal: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ActionError(refusal) from None


class AnalyticsService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        # good and all ratings per day of the agents whose progress card asked (their CSAT of the last days, kept
        # up to date after each commit instead of read at every card update)
        self._ratings: dict[int, defaultdict[date, list[int]]] = {}

    # --- written with the events (GameService.store_with_events) ---

    async def store(self, work: UnitOfWork) -> None:
        """Add the unit's events to the daily aggregates, in its transaction."""
        tally = AnalyticsTally()
        tally.add_all(work.outcomes, await rated_facts(work.events))
        await add_analytics(tally)
        if rated := self._rated(tally):
            work.after_commit(lambda: self._count_ratings(rated))

    async def follow(self, events: list[GameEvent], outcomes: list[Outcome]) -> None:
        """Another process's events (PostgreSQL): it wrote their aggregates; here only the cards' ratings count."""
        if self._ratings:
            tally = AnalyticsTally()
            tally.add_all(outcomes, await rated_facts(events))
            self._count_ratings(self._rated(tally))

    def _rated(self, tally: AnalyticsTally) -> list[tuple[int, date, int, int]]:
        return [(agent_id, day, counters['rated_good'], counters['rated'])
                for (day, agent_id, _channel), counters in tally.rows().items()
                if agent_id in self._ratings and counters['rated']]

    def _count_ratings(self, rated: list[tuple[int, date, int, int]]) -> None:
        for agent_id, day, good, count in rated:
            if (days := self._ratings.get(agent_id)) is not None:
                days[day][0] += good
                days[day][1] += count

    def discard(self) -> None:
        """Nothing is kept in memory: the rolled-back rows are gone with their transaction."""

    # --- reads ---

    def check(self, viewer: AgentView, query: AnalyticsQuery, *, drill: bool = False) -> None:
        """An agent reads their own figures or their team's aggregate, and drills into their own only."""
        if viewer.is_lead:
            if query.agent_id is not None and self.directory.agent(query.agent_id) is None:
                raise ActionError(_('That agent is not on the floor.'))
            if query.team_id is not None and query.team_id not in self.directory.teams:
                raise ActionError(_('That team does not exist.'))
            return
        if query.agent_id == viewer.id and query.team_id in (None, viewer.team_id):
            return
        if query.agent_id is None and query.team_id is not None and query.team_id == viewer.team_id and not drill:
            return
        raise ActionError(_('You can see your own figures and your team\'s totals only.') if not drill else
                          _('You can open your own conversations and entries only.'))

    def _agents(self, query: AnalyticsQuery) -> list[int] | None:
        """The agents whose rows count (None: the whole floor, with what belongs to no agent)."""
        if query.agent_id is not None:
            return [query.agent_id]
        if query.team_id is not None:
            return [agent.id for agent in self.directory.agents.values() if agent.team_id == query.team_id]
        return None

    def _team_of(self, query: AnalyticsQuery) -> list[int] | None:
        """The agents a skill profile is compared with: the chosen team, else the agent's, else the floor's."""
        team_id = query.team_id
        if team_id is None and query.agent_id is not None and (agent := self.directory.agent(query.agent_id)):
            team_id = agent.team_id
        if team_id is None:
            return [agent.id for agent in self.directory.floor()]
        return [agent.id for agent in self.directory.agents.values() if agent.team_id == team_id]

    def _subject(self, query: AnalyticsQuery) -> str:
        if query.agent_id is not None and (agent := self.directory.agent(query.agent_id)) is not None:
            return agent.name
        if query.team_id is not None:
            return self.directory.teams.get(query.team_id, 'the team')
        return 'the floor'

    async def report(self, viewer: AgentView, query: AnalyticsQuery) -> AnalyticsReport:
        """Every chart's table for the query, from the daily aggregates (a few grouped reads of the period's rows)."""
        self.check(viewer, query)
        agents = self._agents(query)
        by_day = {_as_date(row['day']): row for row in await _sums(_rows(query, agents), 'day')}
        by_channel = {row['channel']: row for row in await _sums(_rows(query, agents), 'channel')}
        tables = {chart: daily_table(chart, by_day, query.first, query.last) for chart in DAILY_CHARTS}
        tables[Chart.HANDLING] = handling_table(by_channel)
        team = {row['agent_id']: row for row in await _sums(_rows(query, self._team_of(query)), 'agent_id')
                if row['agent_id'] and any(row[f'points_{domain}'] for domain in DOMAINS)}
        tables[Chart.SKILLS] = skills_table(team.get(query.agent_id, {}) if query.agent_id is not None else None,
                                            team)
        if viewer.is_lead:  # the floor's arrivals: for the people who staff it
            volume = AnalyticsVolume.filter(day__gte=query.first, day__lte=query.last)
            if query.channel is not None:
                volume = volume.filter(channel=query.channel)
            hours = await volume.annotate(arrivals=Sum('created')).group_by('hour', 'channel') \
                .values('hour', 'channel', 'arrivals')
            tables[Chart.VOLUME] = volume_table({(row['hour'], row['channel']): int(row['arrivals'] or 0)
                                                 for row in hours})
        return AnalyticsReport(query=query, tables=tables, subject=self._subject(query))

    async def follow_ratings(self, agent_id: int) -> None:
        """Keep ``agent_id``'s ratings per day in memory from now on (for :meth:`csat_week`), read once from the
        aggregates (under the writer's lock, so no commit falls between the read and the following)."""
        if agent_id in self._ratings:
            return
        async with self.game.unit_of_work():  # every day: the personal bests' best CSAT week reads them too
            self._ratings[agent_id] = await ratings_per_day(agent_id)

    def ratings_by_day(self, agent_id: int) -> Mapping[date, list[int]]:
        """The followed agent's [good, all] ratings per day (empty when not followed, see :meth:`follow_ratings`)."""
        return self._ratings.get(agent_id, {})

    def csat_week(self, agent_id: int) -> float | None:
        """The agent's CSAT % over the last ``CSAT_DAYS`` days (today included), None without ratings or when not
        followed (see :meth:`follow_ratings`)."""
        days = self._ratings.get(agent_id)
        if days is None:
            return None
        since = floor_day(self.clock.now()) - timedelta(days=CSAT_DAYS - 1)
        good = sum(counts[0] for day, counts in days.items() if day >= since)
        return csat_percent(good, sum(counts[1] for day, counts in days.items() if day >= since))

    async def drill(self, viewer: AgentView, query: AnalyticsQuery, point: DrillPoint) -> list[DrillRow]:
        """The ledger entries or conversations behind a bar or a cell, newest first (at most ``DRILL_LIMIT``)."""
        self.check(viewer, query, drill=True)
        agents = self._agents(query)
        if point.chart == Chart.VOLUME:
            if not viewer.is_lead:
                raise ActionError(_('The floor\'s arrivals are for leads.'))
            return await self._arrivals(query, point)
        if point.chart == Chart.HANDLING:
            if point.channel not in CHANNELS or (query.channel is not None and query.channel != point.channel):
                raise ActionError(_('Choose a channel of the chart.'))
            return await self._events(EventKind.RESOLVED, _start(query.first), _start(query.last + timedelta(1)),
                                      agents, point.channel, _handling_text)
        if point.chart == Chart.SKILLS:  # the entries of that domain over the period: the agent's, else the team's
            if point.series not in DOMAINS:
                raise ActionError(_('Choose a domain of the chart.'))
            return await self._entries(_start(query.first), _start(query.last + timedelta(days=1)),
                                       agents if agents is not None else self._team_of(query), query.channel,
                                       point.series)
        if point.day is None or not query.first <= point.day <= query.last:
            raise ActionError(_('Choose a day of the period.'))
        start, end = _start(point.day), _start(point.day + timedelta(days=1))
        if point.chart == Chart.POINTS:
            if point.series not in DOMAINS:
                raise ActionError(_('Choose a domain of the chart.'))
            return await self._entries(start, end, agents, query.channel, point.series)
        if point.chart == Chart.CSAT:
            return await self._events(EventKind.RATED, start, end, agents, query.channel,
                                      _rating_text)
        if point.chart == Chart.SERVICE and point.series == 'service':
            rows = await self._events(EventKind.REPLIED, start, end, agents, query.channel, _answer_text,
                                      lambda event: 'first_response_seconds' in event.data)
            if agents is None:
                rows += await self._events(EventKind.ABANDONED, start, end, None, query.channel, _abandoned_text)
            return sorted(rows, key=lambda row: row.at, reverse=True)[:DRILL_LIMIT]
        if point.chart in (Chart.SERVICE, Chart.FIRST_CONTACT):
            return await self._events(EventKind.RESOLVED, start, end, agents, query.channel, _resolution_text)
        if point.chart == Chart.REOPEN:
            return await self._reopens(start, end, agents, query.channel)
        raise ActionError(_('Nothing to list for this chart.'))

    async def _entries(self, start: datetime, end: datetime, agents: list[int] | None, channel: str | None,
                       domain: str) -> list[DrillRow]:
        entries = LedgerEntry.filter(occurred_at__gte=start, occurred_at__lt=end, domain=domain)
        if agents is not None:
            entries = entries.filter(agent_id__in=agents)
        rows = await entries.order_by('-id').limit(DRILL_LIMIT * 5).values(
            'event_id', 'agent_id', 'points', 'kind', 'reason', 'occurred_at')
        events = {event_id: (conversation_id, data) for event_id, conversation_id, data in await StoredEvent.filter(
            id__in={row['event_id'] for row in rows}).values_list('id', 'conversation_id', 'data')}
        found = []
        for row in rows:
            conversation_id, data = events.get(row['event_id'], (None, {}))
            if channel is not None and data.get('channel') != channel:
                continue
            found.append(DrillRow(at=_utc(row['occurred_at']), conversation_id=conversation_id,
                                  agent_id=row['agent_id'], agent=self._name(row['agent_id']),
                                  text=reason_text(row['reason'], row['kind']),  # the reader's words
                                  points=row['points'], event_id=row['event_id'], kind=row['kind']))
        return found[:DRILL_LIMIT]

    async def _events(self, kind: EventKind, start: datetime, end: datetime, agents: list[int] | None,
                      channel: str | None, text: Any, keep: Any = None) -> list[DrillRow]:
        events = StoredEvent.filter(kind=kind.value, occurred_at__gte=start, occurred_at__lt=end)
        if agents is not None:
            events = events.filter(agent_id__in=agents)
        found = [event for event in await events.order_by('-id').limit(DRILL_LIMIT * 5)
                 if (channel is None or event.data.get('channel') == channel) and (keep is None or keep(event))]
        return await self._rows(found[:DRILL_LIMIT], text)

    async def _reopens(self, start: datetime, end: datetime, agents: list[int] | None,
                       channel: str | None) -> list[DrillRow]:
        """Reopens count on the agent who had resolved the conversation: found from its resolution before it."""
        reopens = await StoredEvent.filter(kind=EventKind.REOPENED.value, occurred_at__gte=start, occurred_at__lt=end) \
            .order_by('-id').limit(DRILL_LIMIT * 5)
        resolutions: dict[int, list[StoredEvent]] = defaultdict(list)
        for resolution in await StoredEvent.filter(kind=EventKind.RESOLVED.value, conversation_id__in={
                event.conversation_id for event in reopens}).order_by('id'):
            resolutions[resolution.conversation_id].append(resolution)
        found = []
        for reopen in reopens:
            before = [r for r in resolutions.get(reopen.conversation_id or 0, []) if r.id < reopen.id]
            if not before:
                continue
            resolver = before[-1]
            if (agents is None or resolver.agent_id in agents) and \
                    (channel is None or resolver.data.get('channel') == channel):
                found.append((reopen, resolver.agent_id))
        rows = await self._rows([event for event, _agent in found][:DRILL_LIMIT], lambda event: _('reopened'),
                                resolver={event.id: agent for event, agent in found})
        return rows

    async def _arrivals(self, query: AnalyticsQuery, point: DrillPoint) -> list[DrillRow]:
        if point.hour is None or not 0 <= point.hour < 24 or point.channel not in CHANNELS:
            raise ActionError(_('Choose a cell of the heatmap.'))
        found: list[DrillRow] = []
        day = query.last
        while len(found) < DRILL_LIMIT and day >= query.first:  # day by day from the newest: one day's per read
            for row in await Conversation.filter(channel=point.channel,
                                                 created_at__gte=hour_start(day, point.hour),
                                                 created_at__lt=hour_start(day, point.hour + 1)) \
                    .order_by('-created_at').values('id', 'created_at', 'subject', 'assignee_id'):
                found.append(DrillRow(at=_utc(row['created_at']), conversation_id=row['id'],
                                      agent_id=row['assignee_id'], agent=self._name(row['assignee_id']),
                                      text=_('arrived by {channel}: {subject}').format(channel=point.channel,
                                                                                       subject=row['subject'])))
            day -= timedelta(days=1)
        return found[:DRILL_LIMIT]

    async def _rows(self, events: list[StoredEvent], text: Any,
                    resolver: Mapping[int, int | None] | None = None) -> list[DrillRow]:
        """Drill-down rows for events, each with the receipt of the agent's entry for it, if it earned one."""
        entries: dict[tuple[int, int], tuple[str, int]] = {}
        for event_id, agent_id, kind, points in await LedgerEntry.filter(
                event_id__in=[event.id for event in events]).order_by('id').values_list(
                'event_id', 'agent_id', 'kind', 'points'):
            kind_first, total = entries.get((event_id, agent_id), (kind, 0))
            entries[(event_id, agent_id)] = (kind_first, total + points)
        rows = []
        for event in events:
            agent_id = resolver.get(event.id) if resolver is not None else event.agent_id
            kind, points = entries.get((event.id, agent_id or 0), ('', None))
            rows.append(DrillRow(at=_utc(event.occurred_at), conversation_id=event.conversation_id,
                                 agent_id=agent_id, agent=self._name(agent_id), text=text(event), points=points,
                                 event_id=event.id, kind=kind))
        return rows

    def _name(self, agent_id: int | None) -> str:
        agent = self.directory.agent(agent_id) if agent_id else None
        return agent.name if agent else ''


def _rows(query: AnalyticsQuery, agents: list[int] | None) -> Any:
    rows = AnalyticsDay.filter(day__gte=query.first, day__lte=query.last)
    if agents is not None:
        rows = rows.filter(agent_id__in=agents)
    if query.channel is not None:
        rows = rows.filter(channel=query.channel)
    return rows


async def _sums(rows: Any, by: str) -> list[dict[str, Any]]:
    """The counters summed by the database, grouped ``by`` a column; names as the columns', values ints."""
    grouped = await rows.annotate(**{f'sum_{name}': Sum(name) for name in COUNTERS}).group_by(by) \
        .values(by, *(f'sum_{name}' for name in COUNTERS))
    return [{by: row[by], **{name: int(row[f'sum_{name}'] or 0) for name in COUNTERS}} for row in grouped]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)  # SQLite's grouped rows: text


def _start(day: date) -> datetime:
    return day_start(day)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _resolution_text(event: StoredEvent) -> str:
    due = datetime.fromisoformat(event.data['sla_due_at'])
    within, first = event.occurred_at <= due, event.data.get('inbound_count') == 1
    if within:
        text = _('resolved within its SLA, first contact ({channel})') if first else \
            _('resolved within its SLA ({channel})')
    else:
        text = _('resolved after its SLA, first contact ({channel})') if first else \
            _('resolved after its SLA ({channel})')
    return text.format(channel=event.data.get('channel', ''))


def _handling_text(event: StoredEvent) -> str:
    handled = event.occurred_at - datetime.fromisoformat(event.data['created_at'])
    return _('resolved after {time}').format(time=duration(handled.total_seconds()))


def _rating_text(event: StoredEvent) -> str:
    rating = event.data['rating']
    return _(RATING_TEXTS[rating]) if rating in RATING_TEXTS else rating


# the drill-down's words for a rating, one phrase each (an adjective agrees with its noun), shown through _()
RATING_TEXTS = {'good': N_('good rating'), 'neutral': N_('neutral rating'), 'bad': N_('bad rating')}


def _answer_text(event: StoredEvent) -> str:
    return _('first answer after {time}').format(time=duration(event.data['first_response_seconds']))


def _abandoned_text(event: StoredEvent) -> str:
    return _('abandoned after {time}').format(time=duration(event.data.get('waited_seconds', 0)))


async def ratings_per_day(agent_id: int, *, until: date | None = None) -> defaultdict[date, list[int]]:
    """An agent's [good, all] ratings per day, from the daily aggregates (every channel summed)."""
    rows = AnalyticsDay.filter(agent_id=agent_id, rated__gt=0)
    if until is not None:
        rows = rows.filter(day__lte=until)
    days: defaultdict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, good, rated in await rows.values_list('day', 'rated_good', 'rated'):
        days[_as_date(day)][0] += good
        days[_as_date(day)][1] += rated
    return days


async def rated_facts(events: Iterable[GameEvent]) -> dict[int, RatedFact]:
    """The ratings the unit's invalidations name: from the unit itself, else from the log (one read by id)."""
    events = list(events)
    wanted = {event.data['rated_event_id'] for event in events if event.kind == EventKind.RATING_INVALIDATED}
    if not wanted:
        return {}
    facts = {event.id: rated_fact(event) for event in events if event.id in wanted}
    missing = wanted - set(facts)
    for stored in await StoredEvent.filter(id__in=missing):
        facts[stored.id] = rated_fact(GameEvent(id=stored.id, key=stored.key, kind=EventKind(stored.kind),
                                                occurred_at=_utc(stored.occurred_at), agent_id=stored.agent_id,
                                                conversation_id=stored.conversation_id, data=stored.data))
    return facts


async def add_analytics(tally: AnalyticsTally) -> None:
    """Add a tally to the stored aggregates (under the single writer)."""
    if days := tally.rows():
        existing = {(row.day, row.agent_id, row.channel): row for row in await AnalyticsDay.filter(
            day__in={key[0] for key in days}, agent_id__in={key[1] for key in days},
            channel__in={key[2] for key in days})}
        await AnalyticsDay.bulk_create([_summed(key, counters, existing.get(key)) for key, counters in days.items()],
                                       on_conflict=['day', 'agent_id', 'channel'], update_fields=list(COUNTERS),
                                       batch_size=CHUNK)
    if hours := tally.hours():
        stored: dict[VolumeHour, int] = {(row.day, row.hour, row.channel): row.created for row in
                                         await AnalyticsVolume.filter(day__in={key[0] for key in hours})}
        await AnalyticsVolume.bulk_create(
            [AnalyticsVolume(day=day, hour=hour, channel=channel, created=stored.get((day, hour, channel), 0) + count)
             for (day, hour, channel), count in hours.items()],
            on_conflict=['day', 'hour', 'channel'], update_fields=['created'], batch_size=CHUNK)


def _summed(key: AgentDay, counters: Mapping[str, int], row: AnalyticsDay | None) -> AnalyticsDay:
    day, agent_id, channel = key
    return AnalyticsDay(day=day, agent_id=agent_id, channel=channel,
                        **{name: (getattr(row, name) if row is not None else 0) + counters[name] for name in COUNTERS})


async def stored_analytics() -> tuple[dict[AgentDay, dict[str, int]], dict[VolumeHour, int]]:
    """The stored aggregates, rows of zeros left out (as a fold leaves them): what ``rebuild --check`` compares."""
    days = {}
    for row in await AnalyticsDay.all().values('day', 'agent_id', 'channel', *COUNTERS):
        counters = {name: row[name] for name in COUNTERS}
        if any(counters.values()):
            days[(row['day'], row['agent_id'], row['channel'])] = counters
    hours = {(day, hour, channel): created for day, hour, channel, created in
             await AnalyticsVolume.all().values_list('day', 'hour', 'channel', 'created') if created}
    return days, hours


async def overwrite_analytics(tally: AnalyticsTally) -> None:
    """Replace the stored aggregates with a rebuilt tally (inside the rebuild's transaction)."""
    await AnalyticsDay.all().delete()
    await AnalyticsVolume.all().delete()
    await add_analytics(tally)


def analytics_differences(stored: tuple[dict[AgentDay, dict[str, int]], dict[VolumeHour, int]],
                          tally: AnalyticsTally) -> list[str]:
    lines = []
    days, hours = stored
    rebuilt_days, rebuilt_hours = tally.rows(), tally.hours()
    for key in sorted(set(days) | set(rebuilt_days), key=str):
        if days.get(key) != rebuilt_days.get(key):
            lines.append(f'analytics: {key[0]} agent {key[1]} {key[2] or "no channel"}: stored {days.get(key)}, '
                         f'rebuilt {rebuilt_days.get(key)}')
    for key in sorted(set(hours) | set(rebuilt_hours), key=str):
        if hours.get(key) != rebuilt_hours.get(key):
            lines.append(f'analytics: arrivals {key[0]} {key[1]}h {key[2]}: stored {hours.get(key)}, '
                         f'rebuilt {rebuilt_hours.get(key)}')
    return lines
