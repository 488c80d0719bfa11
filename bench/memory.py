"""Memory: server memory per open agent dashboard, and whether tabs that close give everything back.

    .venv/bin/python bench/memory.py

For each variant (the baseline exported from git, then this checkout) the script starts the server on a fresh SQLite
file, logs agents in, then opens real agent dashboards (simulated tabs, see ``bench/_support.py``) in steps of
0 → 100 → 200 → 500 and reads the server's resident memory, its NiceGUI clients and elements, and the objects the
garbage collector tracks, frozen or not (after a full collection, so the figures are live memory, not garbage waiting
for the collector). Then it churns: ten cycles of opening 200 dashboards and closing them again, waiting each time until
the server has deleted the clients (NiceGUI keeps a closed tab's client for its 3 s reconnect grace period).
"""
import argparse
import asyncio
import gc
import json
import time
from pathlib import Path
from typing import Any

from _support import (
    SimTab,
    TabPool,
    Variant,
    add_variant_arguments,
    bench_get,
    bench_post,
    chosen_variants,
    gather_limited,
    log_in,
    machine,
    measure_each,
    pin_to_client_cpus,
    ratio,
    start_server,
    table,
)

MIB = 2 ** 20


async def measure(variant: Variant, args: argparse.Namespace) -> dict[str, Any]:
    server = start_server(variant, agents=args.agents, conversations=args.conversations)
    pool = TabPool()
    control = pool.session()
    tabs = pool.tabs
    errors = 0
    pool.acknowledge()
    try:
        floor = sorted((agent for agent in await bench_get(control, server, 'floor') if agent['role'] == 'agent'),
                       key=lambda agent: agent['id'])[:args.agents]
        people = [pool.session() for _ in floor]
        await gather_limited((log_in(jar, server.url, agent['username'])
                              for jar, agent in zip(people, floor, strict=True)), 4)

        async def open_tabs(count: int) -> list[SimTab]:
            opened = [SimTab(people[(len(tabs) + index) % len(people)], f'{server.url}/', kind='agent',
                             on_frame=lambda *_: None) for index in range(count)]
            await gather_limited((tab.open_patiently() for tab in opened), args.concurrency)
            nonlocal errors
            errors += sum(tab.errors for tab in opened)
            tabs.extend(opened)
            return opened

        async def close_tabs(closing: list[SimTab]) -> float:
            started = time.monotonic()
            await asyncio.gather(*(tab.close() for tab in closing))
            for tab in closing:
                tabs.remove(tab)
            while (await bench_get(control, server, 'stats'))['clients'] > len(tabs):
                if time.monotonic() - started > 60:
                    break
                await asyncio.sleep(0.5)
            return time.monotonic() - started

        async def reading() -> dict[str, Any]:
            await asyncio.sleep(args.settle)
            # everything collected first, frozen objects included: the figures are live memory, not pending garbage
            full = await bench_post(control, server, 'full_collection')
            return {**await bench_get(control, server, 'stats', objects='true'), 'full_collection_ms': full['ms']}

        steps = []
        for target in args.steps:
            await open_tabs(target - len(tabs))
            steps.append((target, await reading()))
        await close_tabs(list(tabs))
        after_all = await reading()

        churn = []
        for _ in range(args.cycles):
            await close_tabs(await open_tabs(args.churn))
            churn.append(await reading())
        return {'variant': variant.name, 'steps': steps, 'after_all': after_all, 'churn': churn, 'errors': errors}
    finally:
        await pool.close([server])


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    base = len(results) > 1
    print(f'\nmemory: agent dashboards open in steps {args.steps}, then {args.cycles} cycles of opening and closing '
          f'{args.churn}; {machine()}')
    rows = []

    def add(label: str, figure: Any, fmt: str = '{:.0f}', compare: bool = True) -> None:
        """One row: ``figure(result)`` for every variant, and the ratio of the last to the first."""
        values = [figure(result) for result in results]
        cells = [fmt.format(*value) if isinstance(value, tuple) else fmt.format(value) for value in values]
        ratio_cell = ratio(values[-1], values[0]) if base and compare and not isinstance(values[0], tuple) else ''
        rows.append([label] + cells + ([ratio_cell] if base else []))

    def per_tab(result: dict[str, Any], key: Any) -> float:
        (first, start), (last, end) = result['steps'][0], result['steps'][-1]
        return (key(end) - key(start)) / (last - first)

    third = min(2, args.cycles - 1)
    for index, (count, _) in enumerate(results[0]['steps']):
        add(f'server RSS, {count} dashboards open', lambda r, i=index: r['steps'][i][1]['rss'] / MIB, '{:.0f} MiB')
    add(f'RSS per open dashboard ({args.steps[0]} → {args.steps[-1]})',
        lambda r: per_tab(r, lambda reading: reading['rss']) / MIB, '{:.2f} MiB')
    add('elements per dashboard', lambda r: per_tab(r, lambda reading: reading['elements']))
    add('objects the collector tracks (frozen or not), per dashboard',
        lambda r: per_tab(r, lambda reading: reading['collector']['tracked'] + (reading['collector']['frozen'] or 0)))
    add(f'one full collection, {args.steps[-1]} dashboards open',
        lambda r: r['steps'][-1][1]['full_collection_ms'], '{:.0f} ms')
    add('clients / elements left after closing all',
        lambda r: (r['after_all']['clients'], r['after_all']['elements']), '{} / {}', compare=False)
    add(f'RSS after churn cycle {third + 1} → cycle {args.cycles}',
        lambda r: (r['churn'][third]['rss'] / MIB, r['churn'][-1]['rss'] / MIB), '{:.0f} → {:.0f} MiB', compare=False)
    add(f'RSS growth, cycle {third + 1} → {args.cycles}',
        lambda r: (r['churn'][-1]['rss'] - r['churn'][third]['rss']) / MIB, '{:+.1f} MiB', compare=False)
    add(f'tracked objects growth, cycle {third + 1} → {args.cycles}',
        lambda r: _objects(r['churn'][-1]) - _objects(r['churn'][third]), '{:+.0f}', compare=False)
    add('clients / elements left after churn',
        lambda r: (r['churn'][-1]['clients'], r['churn'][-1]['elements']), '{} / {}', compare=False)
    add('error pages while opening', lambda r: r['errors'], '{}', compare=False)
    headers = ['figure'] + [result['variant'] for result in results] + (['current / baseline'] if base else [])
    print(table(headers, rows))
    for result in results:
        print(f'{result["variant"]}: RSS after each churn cycle (MiB) '
              + ' '.join(f'{reading["rss"] / MIB:.0f}' for reading in result['churn']))


def _objects(reading: dict[str, Any]) -> int:
    return reading['collector']['tracked'] + (reading['collector']['frozen'] or 0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=int, nargs='+', default=[0, 100, 200, 500], help='open tabs at each reading')
    parser.add_argument('--churn', type=int, default=200, help='tabs opened and closed per cycle (default 200)')
    parser.add_argument('--cycles', type=int, default=10, help='churn cycles (default 10)')
    parser.add_argument('--agents', type=int, default=200, help='agents logged in, tabs are shared out (default 200)')
    parser.add_argument('--conversations', type=int, default=30, help='conversations waiting (default 30)')
    parser.add_argument('--concurrency', type=int, default=8, help='pages loaded at the same time (default 8)')
    parser.add_argument('--settle', type=float, default=2.0, help='seconds to wait before each reading')
    parser.add_argument('--json', type=Path, help='also write the raw readings to this file')
    add_variant_arguments(parser)
    args = parser.parse_args()
    pin_to_client_cpus()
    gc.freeze()
    found = chosen_variants(args)
    results = await measure_each(found, lambda variant: measure(variant, args), args.only)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    report(results, args)


if __name__ == '__main__':
    asyncio.run(main())
