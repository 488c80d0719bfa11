"""Ingest: events per second through the whole path (log → scoring → projections → commit → broadcast).

Usage: ``.venv/bin/python bench/ingest.py [--events N] [--db-url URL] [--repeat R] [--baseline REF ...]``. Compares, in
the same run, one event per transaction (how a single person's click is written) with batches of events per
transaction (how a burst from the simulator or a webhook is written). Commits are durable: SQLite in WAL mode with
synchronous=FULL (fsync at every commit), PostgreSQL with its defaults. The events are bench/history.py's stream
(conversations with every kind a default badge counts), and the time includes the badge board catching up.

With baselines (git refs, exported), each round measures every variant once, each in its own process with the same
events, and the medians of the rounds are compared: the baseline's code runs this checkout's benchmark.
"""
import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

from history import event_stream, fresh_services, ingest, stop
from tortoise import Tortoise

BATCHES = (1, 50, 500)
BASELINE = '86db6a9'  # main before the rebuild work (issue 6): the live path must not have become slower


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
    print(f'  batch {batch:>4}: {events:>7} events in {elapsed:6.2f} s = {rate:9,.0f} events/s   [{durability}]',
          file=sys.stderr, flush=True)
    return rate


async def measure(events: int, db_url: str | None, repeat: int) -> dict[int, float]:
    """Median events/s per batch size; one event per transaction on a tenth of the events (it is slow)."""
    return {batch: statistics.median([await run(events if batch > 1 else max(2_000, events // 10), db_url, batch)
                                      for _ in range(repeat)]) for batch in BATCHES}


def report(name: str, rates: dict[int, float], baseline: dict[int, float] | None) -> None:
    print(f'  {name:34} ' + '; '.join(
        f'batch {batch}: {rate:7,.0f}' + (f' ({rate / baseline[batch]:.2f}x)' if baseline else '')
        for batch, rate in rates.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--events', type=int, default=20_000)
    parser.add_argument('--db-url', default=None,
                        help='a PostgreSQL server URL to run against a fresh database there; default: a fresh SQLite '
                             'file')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--baseline', nargs='*', default=[BASELINE],
                        help=f'git refs to compare with, exported (default {BASELINE}); none: this code alone')
    parser.add_argument('--json', action='store_true', help='print only the medians as JSON (for a baseline run)')
    args = parser.parse_args()
    if not args.baseline:
        rates = asyncio.run(measure(args.events, args.db_url, args.repeat))
        if args.json:
            print(json.dumps(rates))
            return
        print(f'ingest: {args.events} events, median of {args.repeat} runs each')
        report('this checkout', rates, None)
        print(f'target >= 5,000 events/s: {"met" if max(rates.values()) >= 5000 else "NOT met"}')
        return
    from _support import export  # the bench extras (see docs/PERFORMANCE.md); only baselines need it

    roots = {f'{ref} (baseline)': export(ref) for ref in args.baseline}
    roots = {name: root for name, root in roots.items() if root is not None} | {'this checkout': None}
    results: dict[str, list[dict[int, float]]] = {name: [] for name in roots}
    try:
        for round_number in range(args.repeat):
            for name, root in roots.items():
                command = [sys.executable, __file__, '--events', str(args.events), '--repeat', '1', '--baseline',
                           '--json'] + (['--db-url', args.db_url] if args.db_url else [])
                env = os.environ | ({'DESKQUEST_BENCH_CODE': str(root)} if root else {})
                done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
                if done.returncode != 0:
                    raise RuntimeError(f'{name}: the ingest failed:\n{done.stderr[-3000:]}')
                results[name].append({int(batch): rate for batch, rate in json.loads(done.stdout).items()})
                print(f'  round {round_number + 1}, {name}: ' + ', '.join(
                    f'{rate:,.0f}' for rate in results[name][-1].values()), flush=True)
    finally:
        for root in roots.values():
            if root is not None:
                shutil.rmtree(root, ignore_errors=True)
    medians = {name: {batch: statistics.median(rates[batch] for rates in runs) for batch in BATCHES}
               for name, runs in results.items()}
    print(f'ingest: {args.events} events (one per transaction: {max(2_000, args.events // 10)}), median of '
          f'{args.repeat} rounds, events/s')
    baseline = next(iter(medians.values())) if len(medians) > 1 else None
    for name, rates in medians.items():
        report(name, rates, baseline if name == 'this checkout' else None)
    current = medians['this checkout']
    print(f'target >= 5,000 events/s: {"met" if max(current.values()) >= 5000 else "NOT met"}')


if __name__ == '__main__':
    main()
