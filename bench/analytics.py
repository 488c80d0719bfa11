"""Analytics' chart reads versus the length of the history: a 90-day report at 10k and 1M events (10M optional).

Usage: ``.venv/bin/python bench/analytics.py`` (``--quick``, the default: 10k and 100k events, under a minute) or
``bench/analytics.py --sizes 10000 1000000`` (about 15 s of seeding per 100k events: 1M takes some three minutes;
``10000000`` half an hour).

Each size gets a fresh SQLite database with a floor of 50 agents in 5 teams. The history is bench/history.py's
event stream at a fixed pace of a small floor (10k events fill the 90 days before today, so the baseline's window is
as full as the larger histories'; a larger history reaches further back in time, as a floor's log does). It is
seeded fast rather than through the writer's transactions: the events are folded in memory by the game's projection
and the same analytics fold the live writer and the rebuild run (services/domain/analytics.py), then the log and the
aggregates are written in bulk. What is timed is what the page reads: the lead's report of the whole floor over the
last 90 days (every chart: three grouped reads of the daily aggregates and one of the hourly arrivals), and a team's.
The figure that matters is the ratio against the 10k baseline: the read depends on the window, not on the log.
"""
import argparse
import asyncio
import json
import time
from datetime import date, timedelta
from itertools import islice

from history import START, event_stream, fresh_services, median_seconds, stop
from tortoise.transactions import in_transaction

from models import AnalyticsDay
from services.domain.analytics import AnalyticsTally
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


async def seed(size: int) -> tuple[float, date]:
    """Fold and write ``size`` events ending now; return the seconds it took and the day the history ends."""
    started = time.perf_counter()
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
    return time.perf_counter() - started, START.date()


async def measure(size: int, repeat: int) -> dict[str, float]:
    services, clock = await fresh_services()
    seconds, today = await seed(size)
    print(f'{size:>12,} events seeded in {seconds:.1f} s', flush=True)
    floor = query_for(WINDOW_DAYS, today=today)
    team_id = next(iter(services.directory.teams))
    team = query_for(WINDOW_DAYS, today=today, team_id=team_id)
    rows = await AnalyticsDay.filter(day__gte=floor.first).count()
    print(f'{"":>12} {await AnalyticsDay.all().count():,} aggregate rows, {rows:,} in the 90-day window', flush=True)

    async def floor_report() -> None:
        await services.analytics.report(LEAD, floor)

    async def team_report() -> None:
        await services.analytics.report(LEAD, team)

    await floor_report()  # warm: the first read pays for the connection's statement cache and the pages' first load
    await team_report()

    figures = {'90-day floor report': await median_seconds(floor_report, repeat=repeat),
               '90-day team report': await median_seconds(team_report, repeat=repeat)}
    await stop(services, None)
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', type=int, nargs='+', default=[BASELINE, 100_000],
                        help='history lengths in events; the first is the baseline (default, --quick: 10k and 100k)')
    parser.add_argument('--quick', action='store_true', help='the default sizes (kept for scripts)')
    parser.add_argument('--repeat', type=int, default=30)
    args = parser.parse_args()
    results = {size: await measure(size, args.repeat) for size in args.sizes}
    names = list(next(iter(results.values())))
    base = args.sizes[0]
    print(f'{"median ms":22}' + ''.join(f'{size:>12,}' for size in args.sizes) + f'{"ratio":>9}')
    for name in names:
        ratio = results[args.sizes[-1]][name] / results[base][name]
        print(f'{name:22}' + ''.join(f'{results[size][name] * 1000:12.2f}' for size in args.sizes) + f'{ratio:8.2f}x')
    print(f'ratio = largest history / {base:,} events; target: within 2x')


if __name__ == '__main__':
    asyncio.run(main())
