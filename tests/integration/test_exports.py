"""Exports (issue 14) on a real database: one row per conversation or ledger entry, CSV with a BOM and formula-looking
cells neutralised, JSON arrays, filtered by period and team, and read a batch at a time."""
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI

from models import Customer, LedgerEntry
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Channel, Rating
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.exports import (
    CONVERSATION_COLUMNS,
    LEDGER_COLUMNS,
    ExportFormat,
    ExportKind,
    ExportQuery,
    export_stream,
    neutralised,
)
from tests.conftest import START
from ui.api import mount

DAY = START.date()


async def worked_conversation(services: Services, agent: AgentView, clock: ManualClock, *, customer: str,
                              rating: Rating | None = Rating.GOOD) -> int:
    """A conversation created, answered, resolved (and rated) by ``agent``; returns its id."""
    who = await Customer.create(name=customer, email='')
    conversation_id = await services.inbox.create_conversation(customer_id=who.id, channel=Channel.EMAIL,
                                                               subject='Help', body='Hello')
    clock.advance(timedelta(minutes=2))
    await services.inbox.reply(agent, conversation_id, 'Here you are')
    clock.advance(timedelta(minutes=3))
    await services.inbox.resolve(agent, conversation_id)
    if rating is not None:
        await services.inbox.rate(conversation_id, rating)
    return conversation_id


async def text_of(kind: ExportKind, form: ExportFormat, query: ExportQuery, **options: int) -> str:
    return ''.join([chunk async for chunk in export_stream(kind, form, query, **options)])


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith('\ufeff'), 'Excel needs the BOM to read UTF-8'
    return list(csv.DictReader(io.StringIO(text.removeprefix('\ufeff'))))


async def test_one_row_per_conversation_with_its_times_sla_csat_and_points(services: Services, clock: ManualClock,
                                                                         ana: AgentView) -> None:
    conversation_id = await worked_conversation(services, ana, clock, customer='Zoe Example')
    rows = csv_rows(await text_of(ExportKind.CONVERSATIONS, ExportFormat.CSV, ExportQuery(first=DAY, last=DAY)))
    assert list(rows[0]) == list(CONVERSATION_COLUMNS)
    row, = [row for row in rows if row['ticket'] == str(conversation_id)]
    points = sum(await LedgerEntry.filter(event__conversation_id=conversation_id).values_list('points', flat=True))
    assert points > 0
    assert row == {'ticket': str(conversation_id), 'helpdesk': 'DeskQuest', 'channel': 'email',
                   'customer': 'Zoe Example', 'agent': ana.name, 'team': ana.team_name,
                   'created': START.isoformat(), 'first_response': (START + timedelta(minutes=2)).isoformat(),
                   'resolved': (START + timedelta(minutes=5)).isoformat(), 'resolution_seconds': '300',
                   'sla_met': 'True', 'csat': 'good', 'points_earned': str(points)}
    document = json.loads(await text_of(ExportKind.CONVERSATIONS, ExportFormat.JSON,
                                        ExportQuery(first=DAY, last=DAY)))
    mine, = [item for item in document if item['ticket'] == conversation_id]
    assert mine['points_earned'] == points and mine['sla_met'] is True and mine['resolution_seconds'] == 300


async def test_cells_a_spreadsheet_would_run_are_neutralised(services: Services, clock: ManualClock,
                                                            ana: AgentView) -> None:
    hostile = ['=HYPERLINK("http://evil","x")', '+1+2', '-2+3', '@SUM(A1)', '\tTab', '\rCarriage']
    for name in hostile:
        await worked_conversation(services, ana, clock, customer=name, rating=None)
    rows = csv_rows(await text_of(ExportKind.CONVERSATIONS, ExportFormat.CSV, ExportQuery(first=DAY, last=DAY)))
    customers = {row['customer'] for row in rows}
    assert {"'" + name for name in hostile} <= customers
    assert not any(customer.startswith(('=', '+', '-', '@', '\t', '\r')) for customer in customers)
    assert neutralised(-5) == -5 and neutralised(None) == ''  # numbers stay numbers: a clawback is -5, not text
    document = json.loads(await text_of(ExportKind.CONVERSATIONS, ExportFormat.JSON,
                                        ExportQuery(first=DAY, last=DAY)))
    assert set(hostile) <= {item['customer'] for item in document}  # JSON is data: it keeps them as written


async def test_the_period_and_the_team_filter_the_rows(services: Services, clock: ManualClock, ana: AgentView,
                                                      lead: AgentView) -> None:
    other = next(agent for agent in services.directory.floor() if agent.team_id != ana.team_id)
    first = await worked_conversation(services, ana, clock, customer='Ana Customer')
    second = await worked_conversation(services, other, clock, customer='Other Customer')
    clock.advance(timedelta(days=1))
    third = await worked_conversation(services, ana, clock, customer='Tomorrow Customer')

    def tickets(text: str) -> set[int]:
        return {int(row['ticket']) for row in csv_rows(text)}

    today = ExportQuery(first=DAY, last=DAY)
    assert tickets(await text_of(ExportKind.CONVERSATIONS, ExportFormat.CSV, today)) >= {first, second}
    assert third not in tickets(await text_of(ExportKind.CONVERSATIONS, ExportFormat.CSV, today))
    both = ExportQuery(first=DAY, last=DAY + timedelta(days=1), team_id=ana.team_id)
    assert tickets(await text_of(ExportKind.CONVERSATIONS, ExportFormat.CSV, both)) == {first, third}

    ledger = csv_rows(await text_of(ExportKind.LEDGER, ExportFormat.CSV, both))
    assert list(ledger[0]) == list(LEDGER_COLUMNS)
    assert {row['agent'] for row in ledger} == {ana.name} and {int(row['ticket']) for row in ledger} == {first, third}
    stored = await LedgerEntry.filter(agent_id=ana.id).count()
    assert len(ledger) == stored
    with pytest.raises(ActionError, match='ends before it starts'):
        ExportQuery(first=DAY, last=DAY - timedelta(days=1))
    assert lead  # leads are not on a team: the team filter never lists them


async def test_an_export_is_read_a_batch_at_a_time(services: Services, clock: ManualClock, ana: AgentView) -> None:
    """Rows created while an export is being read still appear: it had not read everything at the start."""
    for n in range(5):
        await worked_conversation(services, ana, clock, customer=f'Customer {n}', rating=None)
    query = ExportQuery(first=DAY, last=DAY)
    chunks = export_stream(ExportKind.CONVERSATIONS, ExportFormat.CSV, query, batch_size=2)
    header = await anext(chunks)
    first_batch = await anext(chunks)
    assert header.startswith('\ufeffticket,') and first_batch.count('\r\n') == 2
    late = await worked_conversation(services, ana, clock, customer='Late Customer', rating=None)
    rest = [chunk async for chunk in chunks]
    assert all(chunk.count('\r\n') <= 2 for chunk in rest)  # at most a batch per chunk
    assert f'{late},DeskQuest' in ''.join(rest)

    pieces = [chunk async for chunk in export_stream(ExportKind.LEDGER, ExportFormat.JSON, query, batch_size=3)]
    assert len(pieces) > 3 and len(json.loads(''.join(pieces))) == await LedgerEntry.all().count()
    empty = ExportQuery(first=date(2020, 1, 1), last=date(2020, 1, 1))
    assert await text_of(ExportKind.LEDGER, ExportFormat.JSON, empty) == '[]\n'


@pytest.fixture
async def http(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    mount(app, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test') as client:
        yield client


async def test_the_api_streams_exports_as_downloads(services: Services, clock: ManualClock, ana: AgentView,
                                                   lead: AgentView, http: httpx.AsyncClient) -> None:
    conversation_id = await worked_conversation(services, ana, clock, customer='@Zoe')
    headers = {'Authorization': f'Bearer {(await services.api_tokens.create(lead, name="x", scope="read")).token}'}
    params = {'from': DAY.isoformat(), 'to': DAY.isoformat(), 'team_id': ana.team_id}
    answer = await http.get('/api/v1/exports/conversations.csv', params=params, headers=headers)
    assert answer.status_code == 200 and answer.headers['content-type'] == 'text/csv; charset=utf-8'
    assert 'attachment; filename="deskquest-conversations-2026-11-02-2026-11-02-team' in \
        answer.headers['content-disposition']
    assert {row['ticket']: row['customer'] for row in csv_rows(answer.text)}[str(conversation_id)] == "'@Zoe"
    ledger = await http.get('/api/v1/exports/ledger.json', params=params, headers=headers)
    assert ledger.headers['content-type'] == 'application/json' and ledger.json()
    unknown = await http.get('/api/v1/exports/ledger.json', params=params | {'team_id': 999}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()['detail'][0]['loc'] == ['query', 'team_id']
    backwards = await http.get('/api/v1/exports/ledger.csv', headers=headers,
                               params={'from': DAY.isoformat(), 'to': (DAY - timedelta(days=1)).isoformat()})
    assert backwards.status_code == 422 and 'ends before it starts' in backwards.json()['detail'][0]['msg']
    assert (await http.get('/api/v1/exports/ledger.csv', params=params)).status_code == 401
