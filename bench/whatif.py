"""What-if (issue 18): the time and peak memory of previewing a draft over N events of a 50-agent floor.

Usage: ``.venv/bin/python bench/whatif.py [--events N] [--days D]`` (default 50 000 events, a quick run; the issue's
figure is ``--events 1000000 --days 90``: about 90 days of a 50-agent floor).

The events are bench/history.py's realistic stream (views, replies, tags, transfers, resolutions, ratings, reopens,
presence changes), 10 s apart as bench/history.py records them, held in memory as the preview's snapshot of the log is;
the period previewed is the last D days of them.
Measured: the fold the preview runs in its worker thread (:func:`services.domain.whatif.what_if`: the whole log as it
happened, and the period again under a draft that changes a scoring value, the minimum volume and a level), and the
process's peak resident memory with the snapshot and the fold (the database read is not included: bench/rebuild.py
measures reading the log).
"""
import argparse
import gc
import resource
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from history import AGENTS, START, event_stream

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.domain.events import GameEvent  # noqa: E402
from services.domain.levels import DEFAULT_LEVELS  # noqa: E402
from services.domain.whatif import FloorAgent, RuleSet, what_if  # noqa: E402
from services.platform.collector import THRESHOLDS  # noqa: E402


def snapshot(count: int) -> list[GameEvent]:
    step = timedelta(seconds=10)  # as bench/history.py's ingest: a million events are about 115 days of the floor
    stream = event_stream()
    events = []
    for number in range(1, count + 1):
        new = next(stream)
        events.append(GameEvent(id=number, key=f'bench:{number}', kind=new.kind, occurred_at=START + step * number,
                                agent_id=new.agent_id, conversation_id=new.conversation_id, data=new.data))
    return events


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--events', type=int, default=50_000)
    parser.add_argument('--days', type=int, default=90)
    args = parser.parse_args()
    gc.set_threshold(*THRESHOLDS)  # the policy a preview runs under in the server (services/platform/collector.py)
    start = time.perf_counter()
    events = snapshot(args.events)
    made, memory_events = time.perf_counter() - start, peak_mib()
    live = RuleSet()
    levels = (*DEFAULT_LEVELS[:1], replace(DEFAULT_LEVELS[1], condition='points >= 100'), *DEFAULT_LEVELS[2:])
    draft = replace(live, policy=replace(live.policy, fast_resolution=20, minimum_resolved=5), levels=levels)
    floor = [FloorAgent(id=n, name=f'Agent {n}', team_id=(n - 1) % 5 + 1) for n in range(1, AGENTS + 1)]
    now = events[-1].occurred_at + timedelta(minutes=1)
    start = time.perf_counter()
    cpu = time.process_time()
    result = what_if(events, live=live, draft=draft, floor=floor, now=now, days=args.days)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    moved = sum(agent.points_after - agent.points_before for agent in result.agents)
    print(f'what-if over {len(events):,} events ({result.events:,} in the {args.days}-day period, {AGENTS} agents): '
          f'{wall:.2f} s wall, {cpu:.2f} s CPU ({len(events) / wall:,.0f} events/s); peak memory {peak_mib():.0f} MiB '
          f'({memory_events:.0f} MiB with the snapshot alone, made in {made:.1f} s); the draft moves {moved:+,} '
          f'points, {len(result.levels)} level(s), {len(result.badges)} badge(s)')


if __name__ == '__main__':
    main()
