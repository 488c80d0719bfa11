"""Exports a lead downloads (issue 14): one row per conversation or per ledger entry, for a period and a team, as CSV
(UTF-8 with a BOM, so Excel opens it; cells neutralised against formula injection) or as a JSON array.

Rows are read a batch at a time by id (keyset pagination) and written out as they come, so a year of data is never
held in memory: the API and the download route hand these generators to a streaming response."""
import csv
import io
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Sum

from models import Agent, Conversation, LedgerEntry, StoredEvent, Team
from services.domain.connectors.facts import HELPDESK_NAMES
from services.domain.errors import ActionError
from services.domain.i18n import _

BATCH = 500
BOM = '\ufeff'
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')  # what a spreadsheet may read as a formula (OWASP CSV injection)
NATIVE_HELPDESK = 'DeskQuest'
MAX_DAYS = 3660  # ten years: a bound that keeps a typo in a year from asking for millennia


class ExportKind(str, Enum):
    CONVERSATIONS = 'conversations'
    LEDGER = 'ledger'


class ExportFormat(str, Enum):
    CSV = 'csv'
    JSON = 'json'


CONVERSATION_COLUMNS = ('ticket', 'helpdesk', 'channel', 'customer', 'agent', 'team', 'created', 'first_response',
                        'resolved', 'resolution_seconds', 'sla_met', 'csat', 'points_earned')
LEDGER_COLUMNS = ('entry', 'occurred', 'agent_id', 'agent', 'team', 'points', 'domain', 'kind', 'reason', 'event_id',
                  'ticket')
COLUMNS = {ExportKind.CONVERSATIONS: CONVERSATION_COLUMNS, ExportKind.LEDGER: LEDGER_COLUMNS}
MEDIA_TYPES = {ExportFormat.CSV: 'text/csv; charset=utf-8', ExportFormat.JSON: 'application/json'}


@dataclass(frozen=True, kw_only=True, slots=True)
class ExportQuery:
    """The days ``first`` to ``last`` (both included, UTC) and, optionally, one team."""
    first: date
    last: date
    team_id: int | None = None

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ActionError(_('The period ends before it starts: pick the first day, then the last.'))
        if (self.last - self.first).days > MAX_DAYS:
            raise ActionError(_('The period is too long: at most {max_days} days.').format(max_days=MAX_DAYS))

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=UTC)

    def filename(self, kind: ExportKind, form: ExportFormat) -> str:
        team = f'-team{self.team_id}' if self.team_id is not None else ''
        return f'deskquest-{kind.value}-{self.first.isoformat()}-{self.last.isoformat()}{team}.{form.value}'


async def check_team(team_id: int | None) -> None:
    if team_id is not None and not await Team.exists(id=team_id):
        raise ActionError(_('There is no team #{team_id}.').format(team_id=team_id))


def export_stream(kind: ExportKind, form: ExportFormat, query: ExportQuery, *,
                  batch_size: int = BATCH) -> AsyncIterator[str]:
    """The whole export as text chunks, one per batch of rows."""
    rows = conversation_rows(query, batch_size=batch_size) if kind == ExportKind.CONVERSATIONS \
        else ledger_rows(query, batch_size=batch_size)
    return csv_chunks(rows, COLUMNS[kind]) if form == ExportFormat.CSV else json_chunks(rows)


async def conversation_rows(query: ExportQuery, *, batch_size: int = BATCH) -> AsyncIterator[list[dict[str, Any]]]:
    """Batches of conversations created in the period (assigned to an agent of the team, when one is given)."""
    names, teams = await _people()
    last_id = 0
    while True:
        filters: dict[str, Any] = {'id__gt': last_id, 'created_at__gte': query.start, 'created_at__lt': query.end}
        if query.team_id is not None:
            filters['assignee__team_id'] = query.team_id
        batch = await Conversation.filter(**filters).order_by('id').limit(batch_size).values(
            'id', 'channel', 'customer__name', 'assignee_id', 'created_at', 'first_response_at', 'resolved_at',
            'sla_due_at', 'rating')
        if not batch:
            return
        ids = [row['id'] for row in batch]
        points = await points_earned(ids)
        tickets = await helpdesk_tickets(ids)
        yield [_conversation(row, names, teams, points.get(row['id'], 0), tickets.get(row['id'])) for row in batch]
        last_id = ids[-1]


async def ledger_rows(query: ExportQuery, *, batch_size: int = BATCH) -> AsyncIterator[list[dict[str, Any]]]:
    """Batches of ledger entries of the period in time order (of the team's agents, when one is given).

    The cursor is (time, id), read along the ledger's time index: by id alone the database would pick that index for
    the period and sort the whole period again for every batch."""
    names, teams = await _people()
    members = [agent_id for agent_id, (_, team_id) in teams.items() if team_id == query.team_id]
    last_at, last_id = query.start, 0
    while True:
        rows = LedgerEntry.filter(occurred_at__gte=last_at, occurred_at__lt=query.end) \
            .filter(Q(occurred_at__gt=last_at) | Q(id__gt=last_id))
        if query.team_id is not None:
            rows = rows.filter(agent_id__in=members or [0])
        batch = await rows.order_by('occurred_at', 'id').limit(batch_size).values(
            'id', 'occurred_at', 'agent_id', 'points', 'domain', 'kind', 'reason', 'event_id',
            'event__conversation_id')
        if not batch:
            return
        yield [{'entry': row['id'], 'occurred': _time(row['occurred_at']), 'agent_id': row['agent_id'],
                'agent': names.get(row['agent_id'], ''), 'team': teams.get(row['agent_id'], ('', None))[0],
                'points': row['points'], 'domain': row['domain'], 'kind': row['kind'], 'reason': row['reason'],
                'event_id': row['event_id'], 'ticket': row['event__conversation_id']} for row in batch]
        last_at, last_id = batch[-1]['occurred_at'], batch[-1]['id']


async def points_earned(conversation_ids: list[int]) -> dict[int, int]:
    """The ledger's points per conversation, through the log's conversation index and the ledger's event index (a
    join from the ledger would walk the whole ledger for every batch)."""
    conversation_of = dict(await StoredEvent.filter(conversation_id__in=conversation_ids)
                           .values_list('id', 'conversation_id'))
    points: dict[int, int] = defaultdict(int)
    events = list(conversation_of)
    for start in range(0, len(events), BATCH):
        for event_id, total in await LedgerEntry.filter(event_id__in=events[start:start + BATCH]) \
                .annotate(total=Sum('points')).group_by('event_id').values_list('event_id', 'total'):
            points[conversation_of[event_id]] += int(total or 0)
    return points


async def helpdesk_tickets(conversation_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The helpdesk and its own ticket id of each of these conversations that came from a connected helpdesk."""
    rows = await Conversation.filter(id__in=conversation_ids, connection_id__not_isnull=True) \
        .values_list('id', 'connection__kind', 'external_id')
    return {conversation_id: (HELPDESK_NAMES.get(kind, kind), external_id or '')
            for conversation_id, kind, external_id in rows}


async def csv_chunks(batches: AsyncIterator[list[dict[str, Any]]], columns: Iterable[str]) -> AsyncIterator[str]:
    columns = tuple(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\r\n')
    writer.writerow(columns)
    yield BOM + _take(buffer)
    async for batch in batches:
        writer.writerows([[neutralised(row[column]) for column in columns] for row in batch])
        yield _take(buffer)


async def json_chunks(batches: AsyncIterator[list[dict[str, Any]]]) -> AsyncIterator[str]:
    """A JSON array written a batch at a time."""
    first = True
    yield '['
    async for batch in batches:
        text = ',\n'.join(json.dumps(row, ensure_ascii=False) for row in batch)
        yield ('\n' if first else ',\n') + text
        first = False
    yield '\n]\n' if not first else ']\n'


def neutralised(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ''
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _conversation(row: Mapping[str, Any], names: dict[int, str], teams: dict[int, tuple[str, int | None]],
                  points: int, helpdesk_ticket: tuple[str, str] | None) -> dict[str, Any]:
    """One export row; a connected helpdesk's conversation is named by that helpdesk and its own ticket id."""
    created, resolved = row['created_at'], row['resolved_at']
    agent_id = row['assignee_id']
    helpdesk, ticket = helpdesk_ticket or (NATIVE_HELPDESK, row['id'])
    return {'ticket': ticket, 'helpdesk': helpdesk, 'channel': row['channel'], 'customer': row['customer__name'],
            'agent': names.get(agent_id, '') if agent_id else '',
            'team': teams.get(agent_id, ('', None))[0] if agent_id else '',
            'created': _time(created), 'first_response': _time(row['first_response_at']), 'resolved': _time(resolved),
            'resolution_seconds': round((resolved - created).total_seconds()) if resolved else None,
            'sla_met': (resolved <= row['sla_due_at']) if resolved else None, 'csat': row['rating'],
            'points_earned': points}


async def _people() -> tuple[dict[int, str], dict[int, tuple[str, int | None]]]:
    """Every account's name and team (inactive ones too: their old work is exported): a small table, read once."""
    team_names = dict(await Team.all().values_list('id', 'name'))
    names: dict[int, str] = {}
    teams: dict[int, tuple[str, int | None]] = {}
    for agent_id, name, team_id in await Agent.all().values_list('id', 'display_name', 'team_id'):
        names[agent_id] = name
        teams[agent_id] = (team_names.get(team_id, '') if team_id else '', team_id)
    return names, teams


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
