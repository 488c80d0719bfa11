"""Reads versus the size of the history: what a screen or a start-up costs with 10k, 100k, 1M (… 10M) events.

Usage: ``.venv/bin/python bench/reads.py [--sizes 10000 100000 1000000]``. Each size gets a fresh SQLite database
filled through the real write path (batches of 1,000 events, two seconds of simulated time apart, 50 agents), then
each read is timed (median of many runs). The baseline is the smallest history of the same run.
"""
import argparse
import asyncio
from datetime import timedelta

from history import event_stream, fresh_services, ingest, median_seconds, stop

from models import DailyPoints
from services.game.progress import ProgressService


async def measure(size: int) -> dict[str, float]:
    services, clock = await fresh_services()
    await ingest(services, clock, event_stream(), size, batch=1000)
    today = clock.now().date()

    async def leaderboard_ranking() -> None:  # what one change costs: every period ranked once for all tabs
        services.leaderboard._compute()

    async def leaderboard_read() -> None:  # what a tab opening the page costs
        services.leaderboard.snapshot()

    async def progress_card() -> None:  # a fresh tab of an agent whose receipts are not cached yet
        fresh = ProgressService(clock=clock, game=services.game, leaderboard=services.leaderboard)
        await fresh.view(7)

    async def week_window() -> None:  # points per agent over the last seven days, from the maintained totals
        await DailyPoints.filter(day__gte=today - timedelta(days=6)).values_list('agent_id', 'points')

    async def monitor() -> None:  # the open queue per channel, as the kiosk shows it
        services.inbox.items()

    async def my_ratings() -> None:  # an agent's ratings page: this week's counts and the latest 30
        await services.ratings.of(7)

    async def start_up() -> None:  # what a restart loads before serving
        await services.game.load()
        await services.leaderboard.load()

    figures = {}
    for name, action, repeat in (('leaderboard ranking', leaderboard_ranking, 200),
                                 ('leaderboard read', leaderboard_read, 1000),
                                 ('progress card', progress_card, 200), ('7-day window', week_window, 200),
                                 ('monitor', monitor, 1000), ('my ratings', my_ratings, 200),
                                 ('start-up load', start_up, 10)):
        figures[name] = await median_seconds(action, repeat=repeat)
    await stop(services, None)
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', type=int, nargs='+', default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    results = {size: await measure(size) for size in args.sizes}
    names = list(next(iter(results.values())))
    base = args.sizes[0]
    print(f'{"median ms":22}' + ''.join(f'{size:>12,}' for size in args.sizes) + f'{"ratio":>9}')
    for name in names:
        ratio = results[args.sizes[-1]][name] / results[base][name]
        print(f'{name:22}' + ''.join(f'{results[size][name] * 1000:12.3f}' for size in args.sizes) + f'{ratio:8.1f}x')
    print('ratio = largest history / smallest; target: screen reads <= 1 ms and <= 2x (start-up is not a read)')


if __name__ == '__main__':
    asyncio.run(main())
