"""Loop stalls: how long the event loop is kept from running, with 500 dashboards open, garbage collection included.

    .venv/bin/python bench/loop_stalls.py

A monitor task inside the server (``bench/hooks.py``, loaded by the benchmark server only) sleeps 5 ms at a time and
records how late it wakes up: that lateness is how long every tab waited for the loop, whatever held it (a long
callback, a burst of ready tasks, or a garbage collection, which runs inside whichever callback allocated the object
that tripped a threshold). ``gc.callbacks`` time each collection by generation.

The scenario is the fan-out one (``bench/fanout.py``: 500 dashboards, 10 kiosks, 5 scoring events per second) held
for a minute, with the stalls read separately for the time the tabs took to open and for the minute of events, plus
one explicit full collection (frozen objects included) with every tab open, which is what the tuned collector runs
when a quarter of the tabs have closed. ``--gc-off`` adds the current code with CPython's default collector, to
separate what the collector tuning does from what the lighter pages do.
"""
import argparse
import asyncio
import gc
from typing import Any

from _support import (
    Variant,
    add_variant_arguments,
    chosen_variants,
    machine,
    measure_each,
    pin_to_client_cpus,
    ratio,
    table,
)
from fanout import measure


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    base = results[0] if results[0]['variant'] == 'baseline' else None
    print(f'\nloop stalls: {args.tabs} dashboards + {args.kiosks} kiosks + {args.monitors} monitors, '
          f'{args.rate:g} events/s '
          f'for {args.duration:g} s; {machine()}')
    headers = ['figure'] + [result['variant'] for result in results] + (['current / baseline'] if base else [])
    rows = []
    for label, key in (('longest stall, events flowing', 'stall_ms'), ('longest stall, tabs opening', 'open_stall_ms'),
                       ('longest full collection (gen 2), events flowing', 'gc2_ms'),
                       ('longest young collection (gen 0/1), events flowing', 'young_ms'),
                       ('one full collection, frozen included, all tabs open', 'full_collection_ms'),
                       ('commit → frame p99 (dashboards)', 'p99_ms')):
        values = [result[key] for result in results]
        rows.append([label] + [f'{value:.0f} ms' for value in values] +
                    ([ratio(values[-1], values[0])] if base else []))
    for label, key in (('stalls ≥ 50 ms, events flowing', 'over_50'), ('full collections, events flowing', 'gc2_count'),
                       ('young collections, events flowing', 'young_count')):
        rows.append([label] + [str(result[key]) for result in results] + ([''] if base else []))
    rows.append(['server CPU while driving'] + [f'{result["cpu"]:.0%}' for result in results] + ([''] if base else []))
    print(table(headers, rows))
    for result in results:
        print(f'{result["variant"]}: stall histogram while driving {result["stalls"]}')


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tabs', type=int, default=500)
    parser.add_argument('--kiosks', type=int, default=10, help='paired wall displays (default 10)')
    parser.add_argument('--monitors', type=int, default=0, help="leads' live monitors (default 0)")
    parser.add_argument('--agents', type=int, default=500)
    parser.add_argument('--conversations', type=int, default=30)
    parser.add_argument('--rate', type=float, default=5.0)
    parser.add_argument('--duration', type=float, default=60.0)
    parser.add_argument('--gc-off', action='store_true',
                        help='also measure the current code with the default collector')
    add_variant_arguments(parser)
    args = parser.parse_args()
    # the fan-out measurement, with its own defaults for everything this script does not vary
    args.__dict__.update(chromium=0, event='score', concurrency=4, settle=5.0, idle=2.0, drain=3.0, profile=None,
                         full_collection=True)
    pin_to_client_cpus()
    gc.freeze()
    runs: list[Variant] = chosen_variants(args)
    if args.gc_off:
        current = runs[-1]
        runs.insert(-1, Variant(name='current, default GC', root=current.root, env={'DESKQUEST_GC': 'off'}))
    results = await measure_each(runs, lambda variant: measure(variant, args), args.only)
    for result in results:
        result['gc2_ms'] = result['gc_ms']['2']
        result['young_ms'] = max(result['gc_ms']['0'], result['gc_ms']['1'])
        result['gc2_count'] = result['gc_count']['2']
        result['young_count'] = result['gc_count']['0'] + result['gc_count']['1']
        result['over_50'] = sum(count for bucket, count in result['stalls'].items()
                                if bucket in ('<100ms', '<200ms', '<500ms', '>=500ms'))
        result['p99_ms'] = sorted(result['agent'])[int(0.99 * (len(result['agent']) - 1))] * 1000
    report(results, args)


if __name__ == '__main__':
    asyncio.run(main())
