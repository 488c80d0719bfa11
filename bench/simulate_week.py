"""Benchmark: a simulated week of a 50-agent floor, headless, with the game's events and projection computed.

Prints, per floor, the median wall time of a few runs of the whole headless pipeline (the queue, every contact's story
as game events, the fold through GameProjection, the leaderboard, the queue's figures) next to baselines measured in
the same process: the queue alone, and the stories told without the fold. Run it as
``.venv/bin/python bench/simulate_week.py [--runs N]``.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.core import RunConfig, simulate  # noqa: E402 - after the path is set
from simulation.report import play, summarize  # noqa: E402

FLOORS = {
    # 50 agents on duty around the clock, 720 contacts/h of 200 s (80 % busy): 121,000 contacts a week
    'steady': RunConfig(agents=50, arrivals_per_hour=720, mean_handle_seconds=200, patience_seconds=180, hours=168,
                        scenario='steady'),
    # 50 agents on 8-hour shifts with breaks, a day-shaped profile: fewer contacts, every realistic code path
    'normal': RunConfig(agents=50, arrivals_per_hour=90, mean_handle_seconds=420, patience_seconds=180, hours=168,
                        scenario='normal'),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=3, help='runs per floor; the median is reported (default 3)')
    args = parser.parse_args()
    print(f'{"floor":8} {"contacts":>9} {"events":>9} {"queue s":>8} {"stories s":>9} {"total s":>8} '
          f'{"contacts/s":>11} {"total/queue":>11}')
    for name, config in FLOORS.items():
        queue_times, story_times, total_times = [], [], []
        contacts = events = 0
        for _ in range(args.runs):
            started = time.perf_counter()
            result = simulate(config)
            queue_times.append(time.perf_counter() - started)
            told = time.perf_counter()
            sum(1 for _ in result.events())  # the stories alone, told and thrown away: what the fold adds is the rest
            story_times.append(time.perf_counter() - told)
            started = time.perf_counter()
            result = simulate(config)
            summarize(result)
            events = play(result).events
            total_times.append(time.perf_counter() - started)
            contacts = len(result.contacts)
        queue, stories, total = (statistics.median(times) for times in (queue_times, story_times, total_times))
        print(f'{name:8} {contacts:>9} {events:>9} {queue:>8.2f} {stories:>9.2f} {total:>8.2f} '
              f'{contacts / total:>11.0f} {total / queue:>11.1f}', flush=True)


if __name__ == '__main__':
    main()
