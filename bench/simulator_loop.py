"""Simulator and event loop: how late the loop answers while the in-app simulator runs at an hour a second.

    .venv/bin/python bench/simulator_loop.py [--speed 3600] [--seconds 2] [--runs 3] [--db-url URL]

Each run builds the app's services in this process on a fresh database (SQLite by default; the demo floor seeded; no
server, no tabs), starts the simulator on an accelerated clock and, after a warm-up (the first queries are prepared; a
tab opened then would wait for them too), lets a task sleep 5 ms at a time and record how late it wakes up: that
lateness is how long every tab would wait for the loop. The simulator works through due actions in short slices and
awaits in between, so the lag stays small whatever the speed; a tab would notice 100 ms. The baseline is the same
services idle, measured first in the same run (the machine's and the app's own share). Printed per run: the median,
99th percentile and longest lag of both, and the simulator's actions (and simulated minutes) while measured.
"""
import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.container import build  # noqa: E402 - after the path is set
from services.platform.clock import AcceleratedClock  # noqa: E402
from services.platform.settings import Settings  # noqa: E402
from simulation.demo import start_demo  # noqa: E402
from simulation.simulator import simulator_for  # noqa: E402

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday morning: the floor fills up
TICK = 0.005


async def measure(db_url: str, *, speed: float, seconds: float, warmup: float) -> dict[str, dict[str, float]]:
    """One run on a fresh database: the loop's lags (seconds) with the services idle (the baseline: what the machine
    and the app's own tasks cost), then with the simulator running, and what the simulator did meanwhile."""
    clock = AcceleratedClock(start=START)
    settings = Settings(db_url=db_url, simulator=False, storage_secret='bench', argon2_memory_kib=1024)
    services = build(settings, clock=clock)
    await start_demo(services, quests=False)
    simulator = simulator_for(services, clock=clock, pace=clock)
    try:
        await asyncio.sleep(warmup)
        idle = figures(await lags(seconds))
        simulator.set_speed(speed)
        simulator.start()
        await asyncio.sleep(warmup)  # the first queries are prepared; a tab opened then would wait for them too
        actions, simulated = simulator.actions, clock.now()
        running = figures(await lags(seconds))
        running.update(actions=simulator.actions - actions,
                       simulated_minutes=(clock.now() - simulated).total_seconds() / 60)
        return {'idle': idle, 'simulator': running}
    finally:
        await simulator.stop()
        await services.stop()


async def lags(seconds: float) -> list[float]:
    """How late each ``TICK`` of sleep woke up, for ``seconds``."""
    found: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = time.monotonic()
        await asyncio.sleep(TICK)
        found.append(time.monotonic() - before - TICK)
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--speed', type=float, default=3600, help='simulated seconds per second (default 3600)')
    parser.add_argument('--seconds', type=float, default=2.0, help='seconds measured per run (default 2)')
    parser.add_argument('--warmup', type=float, default=0.5, help='seconds the simulator runs first (default 0.5)')
    parser.add_argument('--runs', type=int, default=3, help='runs, each on a fresh database (default 3)')
    parser.add_argument('--db-url', help='an empty database for every run (default: a fresh SQLite file per run)')
    args = parser.parse_args()
    print(f'simulator at {args.speed:g}×, {args.seconds:g} s measured per run after {args.warmup:g} s of warm-up; '
          f'loop lag = how late a {TICK * 1000:g} ms sleep wakes up; baseline: the same services idle, same run')
    print('| run | lag median idle / simulator | lag p99 idle / simulator | lag max idle / simulator '
          '| simulator actions | simulated minutes |')
    print('|---|---:|---:|---:|---:|---:|')
    results = []
    with tempfile.TemporaryDirectory(prefix='deskquest-simulator-loop-') as workdir:
        for run in range(1, args.runs + 1):
            db_url = args.db_url or f'sqlite://{Path(workdir) / f"run{run}.sqlite3"}'
            results.append(await measure(db_url, speed=args.speed, seconds=args.seconds, warmup=args.warmup))
            print(row(str(run), results[-1]), flush=True)
    if len(results) > 1:
        middle = {variant: {key: statistics.median(result[variant][key] for result in results)
                            for key in results[0][variant]} for variant in ('idle', 'simulator')}
        print(row('median of runs', middle))


def row(label: str, result: dict[str, dict[str, float]]) -> str:
    idle, running = result['idle'], result['simulator']
    lags = ' | '.join(f'{ms(idle[key])} / {ms(running[key])}' for key in ('median', 'p99', 'max'))
    return f'| {label} | {lags} | {running["actions"]:.0f} | {running["simulated_minutes"]:.0f} |'


def figures(lags: list[float]) -> dict[str, float]:
    return {'median': statistics.median(lags), 'p99': percentile(lags, 0.99), 'max': max(lags)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f'{seconds * 1000:.1f} ms'


if __name__ == '__main__':
    asyncio.run(main())
