"""Benchmark: the adversarial month (issue 18). A floor of 12 on the normal day's shifts, one agent of each adversarial
persona and seven honest ones, simulated headless for 30 days and scored by the default rules.

Prints, per seed, the wall time of the whole pipeline (queue, stories, fold, boards) and each persona's ranks on the
month's and the all-time board, points and reopen rate next to the best honest agent's, then the margin by which the
best honest agent leads (negative: a persona ranks above it). Run it as
``.venv/bin/python bench/adversarial.py [--seeds 1,2,3] [--days 30]``.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.core import RunConfig, simulate  # noqa: E402 - after the path is set
from simulation.report import report  # noqa: E402
from simulation.traffic import DEMO_ARRIVALS_PER_AGENT_HOUR, PERSONAS  # noqa: E402

AGENTS = 12


def month(seed: int, days: int = 30) -> dict:
    config = RunConfig(agents=AGENTS, arrivals_per_hour=DEMO_ARRIVALS_PER_AGENT_HOUR * AGENTS, hours=24.0 * days,
                       scenario='normal', seed=seed, personas=tuple(PERSONAS))
    return report(simulate(config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', default='1,2,3,4,5')
    parser.add_argument('--days', type=int, default=30)
    args = parser.parse_args()
    for seed in (int(seed) for seed in args.seeds.split(',')):
        started = time.perf_counter()
        document = month(seed, args.days)
        wall = time.perf_counter() - started
        best = document['honest_best']
        print(f'seed {seed}: {wall:.1f} s wall, {document["events"]} events; best honest agent: {best["name"]} '
              f'({best["style"]})')
        print(f'  {"":17} {"month":>5} {"all":>4} {"points":>7} {"quality":>7} {"speed":>7} {"product":>7} '
              f'{"reopen":>7} {"margin":>7}')
        for name, row in [*document['personas'].items(), ('honest best', best)]:
            domains = row['points_by_domain']
            margin = best['points'] - row['points']
            print(f'  {name:17} {row["rank_month"]:>5} {row["rank_all_time"]:>4} {row["points"]:>7} '
                  f'{domains["quality"]:>7} {domains["speed"]:>7} {domains["productivity"]:>7} '
                  f'{row["reopen_rate"]:>7.1%} {margin:>+7}')


if __name__ == '__main__':
    main()
