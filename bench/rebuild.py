"""Rebuild: events per second replayed through the game rules from the log (what `main.py rebuild` does).

Usage: ``.venv/bin/python bench/rebuild.py [--events N] [--runs R] [--baseline REF ...] [--db-url URL]``.

One history is written through the real write path (bench/history.py: conversations with views, replies, tags,
transfers, resolutions, ratings, reopens and presence changes, i.e. what every default badge counts), then replayed
by this checkout and by each baseline exported from git, in turns (one replay per process, the variants interleaved
round by round so that a busy moment of a shared machine hits them alike). Reported per variant: the median of the
rounds, in wall time and in CPU time, and the ratio to each baseline measured in the same run.
"""
import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from history import event_stream, fresh_services, ingest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).resolve().parent / '_replay.py'
# the replay before issue 4 (the projection alone: points, ledger, levels as minimums), and main before this work
# (badge board, redemptions and levels as conditions folded too)
BASELINES = {'1f06017': 'before issue 4 (projection only)', '86db6a9': 'main before this work'}
TARGET = 50_000


@dataclass(kw_only=True, slots=True)
class Variant:
    name: str
    root: Path
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    def rate(self, events: int, seconds: list[float]) -> float:
        return events / statistics.median(seconds)


def replay_once(variant: Variant, db_url: str, *, check: bool = False) -> dict:
    """One replay by the variant's code in its own process; its JSON line."""
    done = subprocess.run([sys.executable, str(RUNNER), str(variant.root), db_url] + (['--check'] if check else []),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f'{variant.name}: the replay failed:\n{done.stderr[-3000:]}')
    return json.loads(done.stdout.strip().splitlines()[-1])


async def write_history(events: int, server_url: str | None) -> str:
    """A fresh database holding ``events`` events written through the live path; its URL."""
    services, clock = await fresh_services(server_url)
    await ingest(services, clock, event_stream(), events, batch=1000)
    await services.stop()
    return services.settings.db_url


async def drop(db_url: str, server_url: str | None) -> None:
    if server_url is None:
        shutil.rmtree(Path(db_url.removeprefix('sqlite://')).parent, ignore_errors=True)
        return
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS {db_url.rsplit("/", 1)[1]} WITH (FORCE)')
    await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--events', type=int, default=200_000)
    parser.add_argument('--runs', type=int, default=3, help='rounds: replays of each variant (the median is shown)')
    parser.add_argument('--baseline', nargs='*', default=list(BASELINES),
                        help=f'git refs to compare with (default: {", ".join(BASELINES)}); none: this code only')
    parser.add_argument('--db-url', default=None, help='a PostgreSQL server URL; default: a fresh SQLite file')
    args = parser.parse_args()
    from _support import export  # the bench extras (see docs/PERFORMANCE.md); only this script's baselines need it

    variants = []
    for ref in args.baseline:
        root = export(ref)
        if root is not None:
            variants.append(Variant(name=f'{ref} {BASELINES.get(ref, "")}'.strip(), root=root))
    current = Variant(name='this checkout', root=ROOT)
    variants.append(current)
    print(f'writing {args.events:,} events through the live path ...', flush=True)
    db_url = asyncio.run(write_history(args.events, args.db_url))
    try:
        check = replay_once(current, db_url, check=True)
        print(f'  full check (replay + compare every projection): {check["check_seconds"]:.2f} s, '
              f'{check["differences"]} difference(s) {check["first_differences"] or ""}', flush=True)
        for round_number in range(args.runs):
            for variant in variants:
                result = replay_once(variant, db_url)
                assert result['events'] == args.events, result
                variant.walls.append(result['wall'])
                variant.cpus.append(result['cpu'])
            print(f'  round {round_number + 1}: ' + ', '.join(
                f'{variant.name.split()[0]} {variant.walls[-1]:.2f} s' for variant in variants), flush=True)
    finally:
        asyncio.run(drop(db_url, args.db_url))
        for variant in variants[:-1]:
            shutil.rmtree(variant.root, ignore_errors=True)
    print(f'\nreplay of {args.events:,} events, median of {args.runs} runs:')
    print(f'  {"variant":44} {"wall events/s":>14} {"CPU events/s":>13}')
    for index, variant in enumerate(variants):
        wall, cpu = variant.rate(args.events, variant.walls), variant.rate(args.events, variant.cpus)
        ratios = '; '.join(f'{wall / other.rate(args.events, other.walls):.2f}x wall, '
                           f'{cpu / other.rate(args.events, other.cpus):.2f}x CPU of {other.name.split()[0]}'
                           for other in variants[:index])
        print(f'  {variant.name:44} {wall:14,.0f} {cpu:13,.0f}   {ratios}')
    wall = current.rate(args.events, current.walls)
    print(f'target >= {TARGET:,} events/s (wall): {"met" if wall >= TARGET else "NOT met"} ({wall:,.0f})')


if __name__ == '__main__':
    main()
