"""Wall displays: the bytes a kiosk tab receives per scoring event, before and after the kiosk feed (issue 15).

    .venv/bin/python bench/kiosk.py                  # the baseline (before the feed) and this checkout
    .venv/bin/python bench/kiosk.py --only current   # this checkout alone

For each variant (the baseline exported from git, then this checkout) the script seeds a fresh SQLite file, starts
the server (``bench/_support.py``), pairs ``--kiosks`` wall displays through the real pairing screen (every slide, the
whole floor, slides turning every 10 minutes so no turn falls in the run) and opens them as simulated tabs, which
count the bytes of every Socket.IO frame they receive (uncompressed: what the server serialises). It then records
``--events`` scoring events, one a second, through the benchmark-only ``POST /_bench/score``; each gives one agent
points that put them in the top half of the public board (``Floor``), the change a wall shows most. What a kiosk
receives in the second after an event is that event's update. Printed: the median and 90th percentile over events of
the bytes one kiosk received, the frames, and the page's size.
"""
import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
from _support import (
    Floor,
    SimTab,
    Variant,
    acknowledge_forever,
    add_variant_arguments,
    bench_get,
    bench_post,
    chosen_variants,
    machine,
    measure_each,
    median,
    pair,
    percentile,
    pin_to_client_cpus,
    ratio,
    start_server,
    stop_server,
    table,
)

BASELINE_REF = 'd88dd4f'  # before the kiosk feed: each kiosk tab rebuilt the slides whose part changed
PUBLIC_TOP = 5  # the public board's rows (services/domain/displays.py)


async def measure(variant: Variant, args: argparse.Namespace) -> dict[str, Any]:
    server = start_server(variant, agents=args.agents, conversations=args.conversations)
    sessions: list[aiohttp.ClientSession] = []
    tabs: list[SimTab] = []
    received: list[tuple[float, int, int]] = []  # arrival, tab number, bytes
    acknowledging: asyncio.Task | None = None

    def session() -> aiohttp.ClientSession:
        sessions.append(aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)))
        return sessions[-1]
    control = session()
    try:
        floor = [agent for agent in await bench_get(control, server, 'floor') if agent['role'] == 'agent']
        for number in range(args.kiosks):
            browser = session()
            name = f'Bench TV {number}'
            display = await bench_post(control, server, 'display', name=name, slide_seconds=600)
            await pair(browser, server.url, display['code'])
            tab = SimTab(browser, f'{server.url}/kiosk', kind='kiosk', expect=name,
                         on_frame=lambda tab, at, data: received.append((at, tabs.index(tab), len(data))))
            tabs.append(tab)
            await tab.open_patiently()
        acknowledging = asyncio.get_running_loop().create_task(acknowledge_forever(tabs))
        await asyncio.sleep(args.settle)
        board = Floor({agent['id']: agent['team_id'] for agent in floor}, shown=PUBLIC_TOP, awards=(10, 20, 30))
        sent_at = []
        begin = time.time()
        for number in range(args.events):
            delay = begin + number * args.interval - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            agent_id, award, _total = board.pick()
            sent_at.append(time.time())
            await bench_post(control, server, 'score', agent_id=agent_id, points=award)
        await asyncio.sleep(args.interval)
        per_event = []  # for each event and tab: (bytes, frames) received until the next event
        for number, start in enumerate(sent_at):
            end = sent_at[number + 1] if number + 1 < len(sent_at) else start + args.interval
            for tab in range(len(tabs)):
                frames = [size for at, index, size in received if index == tab and start <= at < end]
                per_event.append((sum(frames), len(frames)))
        return {'variant': variant.name, 'kiosks': len(tabs), 'events': len(sent_at),
                'bytes': [size for size, _ in per_event], 'frames': [count for _, count in per_event],
                'page_kb': median([tab.page_bytes for tab in tabs]) / 1024}
    finally:
        if acknowledging is not None:
            acknowledging.cancel()
        await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)
        for jar in sessions:
            await jar.close()
        stop_server(server)


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    base = results[0] if results[0]['variant'] == 'baseline' and len(results) > 1 else None
    print(f'\nkiosks: {args.kiosks} paired displays (every slide, the whole floor), {args.agents} agents, '
          f'{args.events} scoring events {args.interval:g} s apart; {machine()}')
    figures = {
        'bytes per kiosk per event, median': lambda result: median(result['bytes']),
        'bytes per kiosk per event, p90': lambda result: percentile(result['bytes'], 0.9),
        'frames per kiosk per event, median': lambda result: median(result['frames']),
        'kiosk page size (KiB)': lambda result: result['page_kb'],
    }
    headers = ['figure'] + [result['variant'] for result in results] + (['current / baseline'] if base else [])
    rows = []
    for name, figure in figures.items():
        values = [figure(result) for result in results]
        rows.append([name] + [f'{value:,.0f}' if value >= 10 else f'{value:.1f}' for value in values]
                    + ([ratio(values[-1], values[0])] if base else []))
    print(table(headers, rows))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--kiosks', type=int, default=5, help='paired displays, each a simulated tab (default 5)')
    parser.add_argument('--agents', type=int, default=100, help='agents on the floor (default 100)')
    parser.add_argument('--conversations', type=int, default=30, help='conversations waiting (default 30)')
    parser.add_argument('--events', type=int, default=30, help='scoring events (default 30)')
    parser.add_argument('--interval', type=float, default=1.0, help='seconds between events (default 1)')
    parser.add_argument('--settle', type=float, default=3.0, help='seconds to wait after opening the kiosks')
    parser.add_argument('--json', type=Path, help='also write the raw results to this file')
    add_variant_arguments(parser)
    parser.set_defaults(baseline=BASELINE_REF)
    args = parser.parse_args()
    pin_to_client_cpus()
    results = await measure_each(chosen_variants(args), lambda variant: measure(variant, args), args.only)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    report(results, args)


if __name__ == '__main__':
    asyncio.run(main())
