"""Exports: rows per second and the memory an export holds, as the history grows (issue 14: "streamed so a year of
data does not load into memory").

Usage: ``.venv/bin/python bench/exports.py [--sizes 20000 80000] [--db-url URL]``. For each size, a fresh database
gets that many conversations (each resolved, with a ledger entry) written in bulk; then the conversations and the
ledger are exported as CSV and JSON through ``services/platform/exports.py`` exactly as the API streams them, the
chunks thrown away as a client would consume them. The Python heap's peak during the export (tracemalloc) is compared
with the same rows read at once, the way a non-streamed export would hold them.
"""
import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise import Tortoise  # noqa: E402

from models import Agent, Conversation, Customer, LedgerEntry, StoredEvent, Team  # noqa: E402
from services.platform.database import open_database  # noqa: E402
from services.platform.exports import ExportFormat, ExportKind, ExportQuery, export_stream  # noqa: E402

START = datetime(2025, 1, 1, tzinfo=UTC)
CHUNK = 5000


async def seed(rows: int) -> None:
    """``rows`` conversations over a year, each resolved and earning one ledger entry."""
    team = await Team.create(name='Aurora')
    agents = [await Agent.create(username=f'agent{n}', display_name=f'Agent {n}', password_hash='x', team=team)
              for n in range(20)]
    customer = await Customer.create(name='=Customer', email='c@example.com')
    step = timedelta(days=365) / rows
    for first in range(0, rows, CHUNK):
        ids = range(first + 1, min(rows, first + CHUNK) + 1)
        at = {n: START + step * n for n in ids}
        await Conversation.bulk_create([Conversation(
            id=n, customer_id=customer.id, channel='email', subject='Help', status='resolved', priority='normal',
            assignee_id=agents[n % len(agents)].id, created_at=at[n], first_response_at=at[n] + timedelta(minutes=5),
            resolved_at=at[n] + timedelta(minutes=30), sla_due_at=at[n] + timedelta(hours=8), rating='good')
            for n in ids])
        await StoredEvent.bulk_create([StoredEvent(id=n, key=f'resolved:{n}', kind='resolved', occurred_at=at[n],
                                                   agent_id=agents[n % len(agents)].id, conversation_id=n, data={})
                                       for n in ids])
        await LedgerEntry.bulk_create([LedgerEntry(event_id=n, agent_id=agents[n % len(agents)].id, points=10,
                                                   domain='speed', kind='fast_resolution',
                                                   reason=f'fast resolution of #{n}', occurred_at=at[n]) for n in ids])


async def measure(kind: ExportKind, form: ExportFormat, query: ExportQuery) -> tuple[float, int, int]:
    """Seconds and bytes produced streaming one export, then the heap's peak (bytes) in a second pass: tracing every
    allocation slows Python several times, so the time is taken untraced."""
    started = time.perf_counter()
    produced = 0
    async for chunk in export_stream(kind, form, query):
        produced += len(chunk)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    async for _ in export_stream(kind, form, query):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, produced, peak


async def held_at_once(kind: ExportKind, query: ExportQuery) -> int:
    """The heap's peak when the same rows are read in one query (what a non-streamed export starts with)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    if kind == ExportKind.CONVERSATIONS:
        rows = await Conversation.filter(created_at__gte=query.start, created_at__lt=query.end).values()
    else:
        rows = await LedgerEntry.filter(occurred_at__gte=query.start, occurred_at__lt=query.end).values()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del rows
    return peak


async def run(rows: int, db_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = db_url or f'sqlite://{folder}/exports.sqlite3'
        await open_database(url)
        try:
            started = time.perf_counter()
            await seed(rows)
            print(f'{rows:>7} conversations and ledger entries seeded in {time.perf_counter() - started:.1f} s',
                  flush=True)
            query = ExportQuery(first=date(2025, 1, 1), last=date(2025, 12, 31))
            for kind in ExportKind:
                at_once = await held_at_once(kind, query)
                for form in ExportFormat:
                    elapsed, produced, peak = await measure(kind, form, query)
                    print(f'  {kind.value:>13} {form.value:>4}: {rows / elapsed:9,.0f} rows/s, '
                          f'{produced / 1e6:6.1f} MB out, heap peak {peak / 1e6:5.1f} MB '
                          f'(the rows read at once: {at_once / 1e6:6.1f} MB)', flush=True)
        finally:
            if db_url is not None:  # a shared server's database: leave it empty for the next size
                for model in (LedgerEntry, StoredEvent, Conversation, Customer, Agent, Team):
                    await model.all().delete()
            await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[20_000, 80_000])
    parser.add_argument('--db-url', help='an empty database (default: a fresh SQLite file per size)')
    args = parser.parse_args()
    for rows in args.sizes:
        asyncio.run(run(rows, args.db_url))


if __name__ == '__main__':
    main()
