"""Analytics' chart reads versus the length of the history: a 90-day report at 10k, 1M and 10M events.

Usage: ``.venv/bin/python bench/analytics.py`` (10k, 1M and 10M events in one run, some two minutes) or
``--sizes 10000 100000`` for others; ``--fold`` folds every event of every size instead (exact, but about 15 s per
100k events: 1M takes some three minutes, 10M half an hour).

Each size gets a fresh SQLite database with a floor of 50 agents in 5 teams. The history is bench/history.py's
event stream at a fixed pace of a small floor (10k events fill the 90 days before today, so the baseline's window is
as full as the larger histories'; a larger history reaches further back in time, as a floor's log does). The last 10k
events (the chart's 90 days) are seeded fast rather than through the writer's transactions: folded in memory by the
game's projection and the same analytics fold the live writer and the rebuild run (services/domain/analytics.py),
then the log and the aggregates written in bulk. The older history (a larger size) is the aggregate rows that fold
made for those 90 days, copied by SQLite itself into each 90 days further back (10k events a block): the rows a fold of
the same stream would write there, without writing the older events themselves, which no chart reads. What is timed
is what the page reads: the lead's report of the whole floor over the last 90 days (every chart: three grouped reads
of the daily aggregates and one of the hourly arrivals), and a team's. The figure that matters is the ratio against
the 10k baseline: the read depends on the window, not on the log.
"""
import argparse
import asyncio
import json
import statistics
import time
from datetime import date, timedelta
from itertools import islice

from history import START, ManualClock, event_stream, fresh_services, start_services, stop
from tortoise.transactions import in_transaction

from models import AnalyticsDay
from services.domain.analytics import COUNTERS, AnalyticsTally
from services.domain.events import GameEvent
from services.domain.projection import GameProjection
from services.game.analytics import add_analytics, query_for
from services.platform.directory import AgentView

BASELINE = 10_000
WINDOW_DAYS = 90
STEP = timedelta(days=WINDOW_DAYS) / BASELINE  # the floor's pace: the baseline history fills the chart's window
LEAD = AgentView(id=10_000, username='bench-lead', name='Bench Lead', role='lead', team_id=None, team_name='',
                 style='', is_demo=False)
CHUNK = 20_000


async def seed(size: int, *, fold_all: bool) -> tuple[float, date]:
    """Make the aggregates of ``size`` events ending now (see the module's docstring); return the seconds it took and
    the day the history ends."""
    started = time.perf_counter()
    folded = size if fold_all else min(size, BASELINE)
    await fold(folded)
    if folded < size:
        await copy_back(-(-size // BASELINE) - 1)  # whole blocks of 10k events: 1M is the window and 99 more
    return time.perf_counter() - started, START.date()


async def fold(size: int) -> None:
    """Fold and write ``size`` events of the stream, the last at START."""
    first = START - STEP * size  # the history ends at START: the chart's "today"
    projection, tally = GameProjection(), AnalyticsTally()  # the stream has no invalidated ratings to place
    insert = 'INSERT INTO event (id, key, kind, occurred_at, agent_id, conversation_id, data) VALUES (?,?,?,?,?,?,?)'
    stream = event_stream()
    written = 0
    async with in_transaction() as connection:
        while written < size:
            rows = []
            for new in islice(stream, min(CHUNK, size - written)):
                written += 1
                event = GameEvent(id=written, key=f'bench:{written}', kind=new.kind, occurred_at=first + STEP * written,
                                  agent_id=new.agent_id, conversation_id=new.conversation_id, data=new.data)
                tally.add(projection.apply(event))
                rows.append((event.id, event.key, event.kind.value, event.occurred_at.isoformat(sep=' '),
                             event.agent_id, event.conversation_id, json.dumps(event.data)))
            await connection.execute_many(insert, rows)
        await add_analytics(tally)


async def copy_back(blocks: int) -> None:
    """Copy the folded window's aggregate rows into each of the ``blocks`` windows before it, in SQLite (a recursive
    count of the blocks joined with the window's rows: no row passes through Python)."""
    window = (START.date() - timedelta(days=WINDOW_DAYS - 1)).isoformat()  # the folded 90 days end on START's day
    blocks_cte = ('WITH RECURSIVE block(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM block WHERE k < ?) ')
    shifted = f"date(day, '-' || (k * {WINDOW_DAYS}) || ' days')"
    async with in_transaction() as connection:
        for table in ('analytics_day', 'analytics_volume'):  # the stream's first, partial day: a copy lands on it
            await connection.execute_query(f'DELETE FROM {table} WHERE day < ?', [window])
        columns = ', '.join(('agent_id', 'channel', *COUNTERS))
        await connection.execute_query(
            f'INSERT INTO analytics_day (day, {columns}) {blocks_cte}SELECT {shifted}, {columns} '
            f'FROM analytics_day, block WHERE day >= ?', [blocks, window])
        await connection.execute_query(
            f'INSERT INTO analytics_volume (day, hour, channel, created) {blocks_cte}'
            f'SELECT {shifted}, hour, channel, created FROM analytics_volume, block WHERE day >= ?', [blocks, window])


async def build(size: int, *, fold_all: bool) -> str:
    """A fresh database with the aggregates of ``size`` events; returns its URL."""
    services, _clock = await fresh_services()
    seconds, today = await seed(size, fold_all=fold_all)
    print(f'{size:>12,} events\' aggregates made in {seconds:.1f} s', flush=True)
    rows = await AnalyticsDay.filter(day__gte=query_for(WINDOW_DAYS, today=today).first).count()
    print(f'{"":>12} {await AnalyticsDay.all().count():,} aggregate rows, {rows:,} in the 90-day window', flush=True)
    db_url = services.settings.db_url
    await stop(services, None)
    return db_url


async def time_reads(db_url: str, repeat: int) -> dict[str, list[float]]:
    """``repeat`` timings of each report, on the database at ``db_url`` (opened for them, closed after)."""
    services = await start_services(db_url, demo=False, clock=ManualClock(START))
    today = START.date()
    floor = query_for(WINDOW_DAYS, today=today)
    team = query_for(WINDOW_DAYS, today=today, team_id=next(iter(services.directory.teams)))
    reports = {'90-day floor report': floor, '90-day team report': team}
    for query in reports.values():  # warm: the first read pays for the statement cache and the pages' first load
        await services.analytics.report(LEAD, query)
    timings = {}
    for name, query in reports.items():
        timings[name] = []
        for _ in range(repeat):
            started = time.perf_counter()
            await services.analytics.report(LEAD, query)
            timings[name].append(time.perf_counter() - started)
    await stop(services, None)
    return timings


async def measure(sizes: list[int], repeat: int, rounds: int, *, fold_all: bool) -> dict[int, dict[str, float]]:
    """Median seconds of each report per size. The sizes take turns, ``rounds`` times, so a busy spell of a shared
    machine falls on all of them rather than on one."""
    urls = {size: await build(size, fold_all=fold_all) for size in sizes}
    timings: dict[int, dict[str, list[float]]] = {size: {} for size in sizes}
    for _round in range(rounds):
        for size in sizes:
            for name, values in (await time_reads(urls[size], max(1, repeat // rounds))).items():
                timings[size].setdefault(name, []).extend(values)
    return {size: {name: statistics.median(values) for name, values in figures.items()}
            for size, figures in timings.items()}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', type=int, nargs='+', default=[BASELINE, 1_000_000, 10_000_000],
                        help='history lengths in events; the first is the baseline (default: 10k, 1M and 10M)')
    parser.add_argument('--quick', action='store_true', help='10k and 100k events only (a quick check)')
    parser.add_argument('--fold', action='store_true',
                        help='fold every event of every size (exact, slow) rather than copying the window back')
    parser.add_argument('--repeat', type=int, default=100, help='timed reads of each report per size (default 100)')
    parser.add_argument('--rounds', type=int, default=5, help='turns the sizes take at being timed (default 5)')
    args = parser.parse_args()
    if args.quick:
        args.sizes = [BASELINE, 100_000]
    results = await measure(args.sizes, args.repeat, args.rounds, fold_all=args.fold)
    names = list(next(iter(results.values())))
    base = args.sizes[0]
    print(f'{"median ms":22}' + ''.join(f'{size:>12,}' for size in args.sizes)
          + ''.join(f'{f"x {size:,}":>14}' for size in args.sizes[1:]))
    for name in names:
        ratios = [results[size][name] / results[base][name] for size in args.sizes[1:]]
        print(f'{name:22}' + ''.join(f'{results[size][name] * 1000:12.2f}' for size in args.sizes)
              + ''.join(f'{ratio:13.2f}x' for ratio in ratios))
    print(f'x N = N events / {base:,} events; target: within 2x')


if __name__ == '__main__':
    asyncio.run(main())
