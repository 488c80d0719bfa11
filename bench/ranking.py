"""Leaderboard ranking: what one change costs the server, for this checkout and a baseline exported from git.

Usage: ``.venv/bin/python bench/ranking.py [--agents 500] [--flushes 500] [--rounds 3] [--baseline REF ...]``.

Every broadcast of the live boards starts with ``LeaderboardService._compute``: the floor ranked for the four periods,
the teams, the agents below the minimum volume and each team's own board. Under a burst it runs up to ten times a
second, on the event loop that also serves every tab. Here the real service ranks a floor of ``--agents`` agents in
20 teams with a month of history; before each ranking one agent earns points today (and, one time in two, resolves a
conversation), as one scoring event does. Each variant runs in its own process (``--root``), the variants in turns
round by round; the figure is the median of the rounds' medians.
"""
import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
BASELINES = {'a1730f8': 'main before this work (every row made again at each ranking)'}
TEAMS = 20
MINIMUM_RESOLVED = 5
TODAY = date(2026, 12, 4)


def measure(agent_count: int, flushes: int, seed: int) -> dict[str, float]:
    """Rank ``flushes`` times, each after one scoring event; run inside the variant's tree (see ``--root``)."""
    try:  # the layout since services/ was split into layers, then the flat one of older baselines
        from services.game.leaderboard import LeaderboardService
        from services.platform.directory import AgentView
    except ModuleNotFoundError:
        from services.directory import AgentView  # type: ignore[no-redef]
        from services.leaderboard import LeaderboardService  # type: ignore[no-redef]

    rnd = random.Random(seed)
    teams = {team_id: f'Team {team_id}' for team_id in range(1, TEAMS + 1)}
    agents = {agent_id: AgentView(id=agent_id, username=f'agent{agent_id}', name=f'Agent {agent_id:04d}',
                                  role='agent', team_id=1 + agent_id % TEAMS, team_name=teams[1 + agent_id % TEAMS],
                                  style='', is_demo=False)
              for agent_id in range(1, agent_count + 1)}
    directory = SimpleNamespace(agents=agents, teams=teams, floor=lambda: list(agents.values()))
    game = SimpleNamespace(committed=SimpleNamespace(subscribe=lambda callback: None),
                           projection=SimpleNamespace(agents={agent_id: SimpleNamespace(level=1 + agent_id % 5)
                                                              for agent_id in agents},
                                                      policy=SimpleNamespace(minimum_resolved=MINIMUM_RESOLVED)))
    clock = SimpleNamespace(now=lambda: datetime(TODAY.year, TODAY.month, TODAY.day, 14))
    service = LeaderboardService(clock=clock, game=game, directory=directory)
    for agent_id in agents:
        for back in range(30):
            day = TODAY - timedelta(days=back)
            service.tally.add(agent_id, day, rnd.randint(0, 120))
            service.resolved.add(agent_id, day, rnd.randint(0, 8))
    service._snapshot = service._compute()
    seconds = []
    for _ in range(flushes):
        agent_id = rnd.randint(1, agent_count)
        service.tally.add(agent_id, TODAY, rnd.choice((5, 10, 15, 20)))
        if rnd.random() < 0.5:
            service.resolved.add(agent_id, TODAY, 1)
        started = time.perf_counter()
        service._snapshot = service._compute()  # what LeaderboardService._flush does before it emits
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {'median': statistics.median(seconds), 'p90': seconds[int(len(seconds) * 0.9)], 'max': seconds[-1]}


def run_variant(root: Path, args: argparse.Namespace, seed: int) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), '--root', str(root), '--agents', str(args.agents),
               '--flushes', str(args.flushes), '--seed', str(seed)]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--agents', type=int, default=500)
    parser.add_argument('--flushes', type=int, default=500, help='rankings measured per round (default 500)')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--baseline', nargs='*', default=list(BASELINES), help='git refs to compare with')
    parser.add_argument('--root', type=Path, help=argparse.SUPPRESS)  # inside a variant's process
    parser.add_argument('--seed', type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.root:
        sys.path.insert(0, str(args.root))
        print(json.dumps(measure(args.agents, args.flushes, args.seed)))
        return

    sys.path.insert(0, str(ROOT / 'bench'))
    from _support import export

    variants = {'current': ROOT}
    for ref in args.baseline:
        if (tree := export(ref)) is not None:
            variants[ref] = tree
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    for round_number in range(args.rounds):
        for name, root in variants.items():
            rounds[name].append(run_variant(root, args, seed=round_number + 1))
    print(f'ranking: {args.agents} agents in {TEAMS} teams, minimum {MINIMUM_RESOLVED} resolved, '
          f'{args.flushes} rankings x {args.rounds} rounds; Python {sys.version.split()[0]}')
    current = statistics.median(result['median'] for result in rounds['current'])
    print('| variant | median | p90 | max | median / current median |')
    print('|---|---:|---:|---:|---:|')
    for name, results in rounds.items():
        median = statistics.median(result['median'] for result in results)
        p90 = statistics.median(result['p90'] for result in results)
        worst = max(result['max'] for result in results)
        label = name if name == 'current' else f'{name}: {BASELINES.get(name, "baseline")}'
        print(f'| {label} | {median * 1000:.2f} ms | {p90 * 1000:.2f} ms | {worst * 1000:.2f} ms | '
              f'{median / current:.1f}x |')


if __name__ == '__main__':
    main()
