"""Ingest: events per second through the whole path (log → scoring → projections → commit → broadcast).

Usage: ``.venv/bin/python bench/ingest.py [--events N] [--db-url URL]``. Compares, in the same run, one event per
transaction (the baseline: how a single person's click is written) with batches of events per transaction (how a
burst from the simulator or a webhook is written). Commits are durable: SQLite in WAL mode with synchronous=FULL
(fsync at every commit), PostgreSQL with its defaults.
"""
import argparse
import asyncio
import statistics
import time

from tortoise import Tortoise

from history import event_stream, fresh_services, ingest, stop


async def run(events: int, db_url: str | None, batch: int) -> float:
    services, clock = await fresh_services(db_url)
    broadcasts = []
    services.leaderboard.changed.subscribe(lambda snapshot: broadcasts.append(snapshot.version))
    stream = event_stream()
    start = time.perf_counter()
    await ingest(services, clock, stream, events, batch=batch)
    await services.leaderboard.broadcast.settle()
    elapsed = time.perf_counter() - start
    assert broadcasts, 'the leaderboard never broadcast'
    if db_url is None or db_url.startswith('sqlite'):
        connection = Tortoise.get_connection('default')
        _, rows = await connection.execute_query('PRAGMA journal_mode')
        mode = rows[0][0]
        _, rows = await connection.execute_query('PRAGMA synchronous')
        durability = f'journal_mode={mode}, synchronous={rows[0][0]} (2 = FULL)'
    else:
        durability = 'PostgreSQL defaults (synchronous_commit on)'
    await stop(services, db_url)
    rate = events / elapsed
    print(f'  batch {batch:>4}: {events:>7} events in {elapsed:6.2f} s = {rate:9,.0f} events/s   [{durability}]')
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--events', type=int, default=20_000)
    parser.add_argument('--db-url', default=None,
                        help='a PostgreSQL server URL to run against a fresh database there; default: a fresh SQLite file')
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()
    print(f'ingest: {args.events} events, median of {args.repeat} runs each')
    baseline = statistics.median([await run(max(2_000, args.events // 10), args.db_url, 1) for _ in range(args.repeat)])
    results = {}
    for batch in (50, 500):
        results[batch] = statistics.median([await run(args.events, args.db_url, batch) for _ in range(args.repeat)])
    print(f'median events/s: one per transaction {baseline:,.0f}; '
          + '; '.join(f'batches of {batch} {rate:,.0f} ({rate / baseline:.1f}x)' for batch, rate in results.items()))
    print(f'target >= 5,000 events/s: {"met" if max(results.values()) >= 5000 else "NOT met"}')


if __name__ == '__main__':
    asyncio.run(main())
