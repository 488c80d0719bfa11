"""Several processes on one PostgreSQL floor (issue 17): cross-process lag, tabs held per layout, ingest per writers.

    .venv/bin/python bench/processes.py lag --tabs 500            # 2 processes, 500 dashboards each, events into app1
    .venv/bin/python bench/processes.py capacity --steps 200,400,600,800,1000
    .venv/bin/python bench/processes.py ingest --writers 1,2,4 --events 2000
    .venv/bin/python bench/processes.py lag --json lag.json       # also the raw figures, for machine reading

Each run creates its own database on the PostgreSQL server of ``--pg-url`` (default
postgres://postgres@127.0.0.1:5432/), seeds it through the app's services (bench/_seed.py) and drops it at the end.
The servers are the app as it ships plus the benchmark hooks (bench/_serve.py), each started with its own
``--process-id`` (app1, app2, ...), process N pinned to CPU N-1 (modulo the CPUs there are); the benchmark process
keeps off the servers' CPUs when there are CPUs left, otherwise shares them. Tabs are bench/_support.py's simulated
dashboards (the real page over NiceGUI's websocket protocol) and events the benchmark-only ``POST /_bench/score``
(one scoring transaction through the app's writer), exactly as bench/fanout.py measures one process.

``lag``: two processes. First, with no tab open, ``--rate`` events a second go into app1 while app2 only follows the
log: app2's CPU then, minus its CPU idle over as long, is the cost of following (per event, and as a share of a core
at that rate), which predicts what each further process pays for the floor's events. Then ``--tabs`` dashboards open
on each process and the same rate goes into app1: commit (app1's clock) to frame at app1's tabs (the same process)
and at app2's (through PostgreSQL's notification and app2's catch-up), p50 and p99, side by side.

``capacity``: the tabs one process holds at p99 <= ``--goal-ms`` against two processes. For each layout, dashboards
open in ``--steps`` (totals over the layout's processes, split evenly) and at each step ``--rate`` events a second
(into the processes in turn) measure commit to frame p99 over every tab; a layout stops at the first step over the
goal (``--every-step``: all steps). The figure is the largest step held; the ratio two processes / one is the
scaling. ``--rounds N`` drives N rounds at each step over the same tabs and takes the median round's figures: one
round's p99 is a few frames, which one loop stall of the machine's decides.

``ingest``: events a second through 1, 2, 4 (``--writers``) writer processes at once on one database each, the
writers' units of work serialised by the log's table lock (services/platform/event_log.py); each process records
``--events`` of bench/history.py's event stream, one event per unit of work (a click), and the figure is all events
over the time from the first start to the last end, against one writer in the same run.
"""
import argparse
import asyncio
import contextlib
import gc
import json
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
from _support import (
    PYTHON,
    ROOT,
    Floor,
    Server,
    SimTab,
    TabPool,
    Tracker,
    Variant,
    bench_get,
    bench_post,
    create_postgres_database,
    drop_postgres_database,
    gather_limited,
    log_in,
    machine,
    median,
    ms,
    percentile,
    ratio,
    start_server,
    table,
)
from fanout import WORKSPACE_TITLE, drive, round_latencies

PG_URL = 'postgres://postgres@127.0.0.1:5432/'
GOAL_MS = 150.0
HELD_MS = 30  # bench/hooks.py's HELD


# ---- lag: an event recorded in one process, shown in a tab of the other ------------------------------------------


async def lag(args: argparse.Namespace) -> dict[str, Any]:
    async with floor(args, processes=2) as (servers, control, opener):
        writer, follower = servers
        board = await scoring_floor(control, writer)
        tracker = Tracker()
        await asyncio.sleep(args.settle)
        idle = await cpu_over(servers, lambda: asyncio.sleep(args.duration))
        following = await cpu_over(servers, lambda: drive(args, control, writer, tracker, board, None, None))
        events = int(args.rate * args.duration)
        cost = {'events': events, 'rate': args.rate,
                'idle_cpu': idle, 'cpu': following,
                'follow_ms_per_event': (following[1] - idle[1]) * args.duration / events * 1000,
                'write_ms_per_event': (following[0] - idle[0]) * args.duration / events * 1000}
        tracker = Tracker()  # the tabs' round: its probes only
        for server in servers:
            await opener(server, args.tabs, kind=process_name(server), tracker=tracker)
        await asyncio.sleep(args.settle)
        for server in servers:
            await bench_post(control, server, 'reset')
        if args.profile:
            await bench_post(control, follower, 'profile')
        busy = await cpu_over(servers, lambda: drive_and_drain(args, control, writer, tracker, board))
        if args.profile:  # the server writes it into its own output directory; the copy goes where we were asked
            written = await bench_post(control, follower, 'profile', name='profile.pstats')
            shutil.copyfile(written['path'], args.profile)
        same, same_missed, _ = tracker.latencies(process_name(writer))
        other, other_missed, _ = tracker.latencies(process_name(follower))
        figures = [await bench_get(control, server, 'stats') for server in servers]
        stalls = [server_figures['stalls']['longest_ms'] for server_figures in figures]
        return {'tabs_per_process': args.tabs, 'rate': args.rate, 'duration': args.duration, 'following': cost,
                'same': same, 'same_missed': same_missed, 'other': other, 'other_missed': other_missed,
                'cpu_with_tabs': busy, 'stall_ms': stalls,
                'stall_samples': [await bench_get(control, server, 'stall_samples') for server in servers],
                'held_by': [server_figures['held_by'] for server_figures in figures],
                'drops': [sum(tab.drops for tab in tracker.tabs if tab.kind == process_name(server))
                          for server in servers]}


def report_lag(result: dict[str, Any], args: argparse.Namespace) -> None:
    cost = result['following']
    print(f'\nlag: 2 processes, {result["tabs_per_process"]} dashboards each, {result["rate"]:g} events/s into app1 '
          f'for {result["duration"]:g} s; {machine()}; load average {load_average()}')
    same, other = result['same'], result['other']
    print(table(['figure', 'app1 (recorded there)', 'app2 (followed)', 'app2 / app1'], [
        ['commit → frame p50', ms(median(same)), ms(median(other)), ratio(median(other), median(same))],
        ['commit → frame p99', ms(percentile(same, 0.99)), ms(percentile(other, 0.99)),
         ratio(percentile(other, 0.99), percentile(same, 0.99))],
        ['(probe, tab) pairs missed', result['same_missed'], result['other_missed'], ''],
        ['sockets dropped', *result['drops'], ''],
        ['server CPU with the tabs (% of one core)', *(f'{cpu:.0%}' for cpu in result['cpu_with_tabs']), ''],
        ['longest loop stall with the tabs', *(f'{stall:.0f} ms' for stall in result['stall_ms']), ''],
        ['CPU idle, no tab (% of one core)', *(f'{cpu:.1%}' for cpu in cost['idle_cpu']), ''],
        [f'CPU at {cost["rate"]:g} events/s, no tab', *(f'{cpu:.1%}' for cpu in cost['cpu']), ''],
        ['CPU per event, no tab (minus idle)', f'{cost["write_ms_per_event"]:.2f} ms (writing)',
         f'{cost["follow_ms_per_event"]:.2f} ms (following)', ''],
    ]))
    print(f'goal p99 <= {GOAL_MS:.0f} ms at app2: {"met" if percentile(other, 0.99) * 1000 <= GOAL_MS else "NOT met"}'
          f' (at {result["tabs_per_process"]} dashboards per process)')
    for name, held in zip(('app1', 'app2'), result['held_by'], strict=True):
        print(f'{name}: what held the loop in stalls of {HELD_MS} ms or more (held, longest stall it was in):')
        for row in held[:8]:
            print(f'  {row["ms"]:6} ms  {row["longest_stall_ms"]:5} ms  {row["where"]}')


# ---- capacity: tabs held at p99 <= the goal, one process against two --------------------------------------------


async def capacity(args: argparse.Namespace) -> dict[str, Any]:
    layouts = {}
    for processes in (1, 2):
        print(f'measuring {processes} process(es) …', flush=True)
        layouts[processes] = await capacity_of(args, processes)
    return {'rate': args.rate, 'duration': args.duration, 'goal_ms': args.goal_ms, 'layouts': layouts}


async def capacity_of(args: argparse.Namespace, processes: int) -> list[dict[str, Any]]:
    steps = []
    async with floor(args, processes=processes) as (servers, control, opener):
        board = await scoring_floor(control, servers[0])
        tracker = Tracker()
        opened = 0
        for total in args.steps:
            for index, server in enumerate(servers):  # the step's new tabs, split evenly
                share = total // processes + (index < total % processes) - (opened // processes
                                                                             + (index < opened % processes))
                await opener(server, share, kind='agent', tracker=tracker)
            opened = total
            await asyncio.sleep(args.settle)
            rounds = [await capacity_round(args, control, servers, tracker, board) for _ in range(args.rounds)]
            step = {'tabs': total, 'rounds': rounds, 'missed': sum(part['missed'] for part in rounds),
                    'drops': sum(tab.drops for tab in tracker.tabs),
                    'reloads': sum(tab.reloads for tab in tracker.tabs)}
            # the step's figures: the median round's (one round's p99 is a few frames, and one stall of a second
            # decides it); each server's CPU and longest stall likewise
            step |= {key: median([part[key] for part in rounds]) for key in ('p50', 'p99')}
            step |= {key: [median([part[key][index] for part in rounds]) for index in range(processes)]
                     for key in ('cpu', 'stall_ms')}
            steps.append(step)
            print(f'  {processes} process(es), {total} tabs: p50 {ms(step["p50"])}, p99 {ms(step["p99"])}'
                  + (f' (rounds: {", ".join(ms(part["p99"]) for part in rounds)})' if len(rounds) > 1 else '')
                  + f', {step["missed"]} missed, sockets dropped {step["drops"]}, pages reloaded {step["reloads"]}, '
                  'longest stall ' + ' / '.join(f'{stall:.0f}' for stall in step['stall_ms'])
                  + ' ms, CPU ' + ' / '.join(f'{cpu:.0%}' for cpu in step['cpu']), flush=True)
            if (step['p99'] * 1000 > args.goal_ms or step['missed']) and not args.every_step:
                break
    return steps


async def capacity_round(args: argparse.Namespace, control: aiohttp.ClientSession, servers: list[Server],
                         tracker: Tracker, board: Floor) -> dict[str, Any]:
    """One round of ``--rate`` events for ``--duration`` seconds over the tabs open: commit to frame p50 / p99 over
    every tab, pairs missed, each server's CPU and longest loop stall."""
    for server in servers:
        await bench_post(control, server, 'reset')
    first = len(tracker.probes)
    busy = await cpu_over(servers, lambda: drive_and_drain(args, control, servers, tracker, board))
    values, missed, _ = round_latencies(tracker, 'agent', tracker.probes[first:])
    stalls = [(await bench_get(control, server, 'stats'))['stalls']['longest_ms'] for server in servers]
    return {'p50': median(values), 'p99': percentile(values, 0.99), 'missed': missed, 'cpu': busy,
            'stall_ms': stalls}


def held(steps: list[dict[str, Any]], goal_ms: float) -> int:
    """The most tabs a layout held at p99 within the goal, none missed (0: not even the first step)."""
    return max((step['tabs'] for step in steps if step['p99'] * 1000 <= goal_ms and not step['missed']), default=0)


def report_capacity(result: dict[str, Any], args: argparse.Namespace) -> None:
    one, two = result['layouts'][1], result['layouts'][2]
    print(f'\ncapacity: dashboards in steps of {", ".join(map(str, args.steps))} (totals), {result["rate"]:g} '
          f'events/s for {result["duration"]:g} s, {args.rounds} round(s) per step (the median round\'s figures); '
          f'{machine()}; load average {load_average()}')
    rows = []
    for total in args.steps:
        cells = []
        for steps in (one, two):
            step = next((step for step in steps if step['tabs'] == total), None)
            cells.append('—' if step is None else f'{ms(step["p50"])} / {ms(step["p99"])}'
                         + (f' ({step["missed"]} missed)' if step['missed'] else '')
                         + ' · CPU ' + ' / '.join(f'{cpu:.0%}' for cpu in step['cpu']))
        rows.append([total, *cells])
    print(table(['dashboards (total)', '1 process: p50 / p99', '2 processes: p50 / p99'], rows))
    one_held, two_held = held(one, result['goal_ms']), held(two, result['goal_ms'])
    print(f'held at p99 <= {result["goal_ms"]:.0f} ms: 1 process {one_held}, 2 processes {two_held} '
          f'({ratio(two_held, one_held) or "—"}; goal >= 1.80×)' + (
              '; the largest step held: try larger --steps' if two and two_held == two[-1]['tabs']
              and len(two) == len(args.steps) else ''))


# ---- ingest: several writer processes on one log -----------------------------------------------------------------


async def ingest(args: argparse.Namespace) -> dict[str, Any]:
    rounds: dict[int, list[float]] = {count: [] for count in args.writers}
    for round_number in range(args.repeat):
        for count in args.writers:
            rate = await ingest_with(args, count)
            rounds[count].append(rate)
            print(f'  round {round_number + 1}, {count} writer(s): {rate:,.0f} events/s', flush=True)
    return {'events_per_writer': args.events, 'repeat': args.repeat,
            'rates': {count: median(rates) for count, rates in rounds.items()}, 'rounds': rounds}


async def ingest_with(args: argparse.Namespace, count: int) -> float:
    """Events a second through ``count`` writer processes recording at once on a fresh database."""
    db_url = await create_postgres_database(args.pg_url)
    writers: list[asyncio.subprocess.Process] = []
    try:
        seeded = await writer_process(db_url, 'seed', 0, args.checkout)
        await expect(seeded, 'done')
        await seeded.wait()
        writers = [await writer_process(db_url, f'writer{number}', args.events, args.checkout)
                   for number in range(count)]
        for writer in writers:
            await expect(writer, 'ready')
        for writer in writers:  # all loaded: they record at once
            tell(writer, 'go')
        spans = [json.loads(await expect(writer, 'done')) for writer in writers]
        for writer in writers:
            await writer.wait()
        return count * args.events / (max(end for _, end in spans) - min(start for start, _ in spans))
    finally:
        for writer in writers:
            if writer.returncode is None:
                writer.kill()
                await writer.wait()
        await drop_postgres_database(db_url)


async def writer_process(db_url: str, name: str, events: int, checkout: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(PYTHON), __file__, 'writer', db_url, name, str(events), cwd=checkout, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, env={**os.environ, 'PYTHONPATH': str(checkout)})


async def writer(db_url: str, name: str, events: int) -> None:
    """One writer process of :func:`ingest` (``processes.py writer DB_URL NAME EVENTS``): says ``ready`` once its
    services are loaded, records after ``go`` and says ``done [start, end]`` (wall clock). The name ``seed`` (0
    events) puts bench/history.py's fifty agents on the empty floor instead."""
    from _checkout import start_services
    from history import START, ManualClock, event_stream, seed_floor
    from history import ingest as record
    clock = ManualClock(START)
    services = await start_services(db_url, demo=False, clock=clock)
    try:
        if name == 'seed':
            await seed_floor(services)
            say('done')
            return
        say('ready')
        await heard('go')
        started = time.time()
        await record(services, clock, event_stream(seed=int(name.removeprefix('writer')) + 1), events, batch=1)
        say('done ' + json.dumps([started, time.time()]))
    finally:
        await services.stop()


def report_ingest(result: dict[str, Any], _args: argparse.Namespace) -> None:
    rates = result['rates']
    one = rates.get(1) or next(iter(rates.values()))
    print(f'\ningest on PostgreSQL: {result["events_per_writer"]} events per writer process, one per unit of work, '
          f'median of {result["repeat"]} round(s); {machine()}; load average {load_average()}')
    print(table(['writer processes', 'events/s (all writers)', 'against 1 writer'],
                [[count, f'{rate:,.0f}', ratio(rate, one)] for count, rate in rates.items()]))


# ---- the floor: processes on one fresh database, and their tabs --------------------------------------------------


Opener = Callable[..., Any]


@contextlib.asynccontextmanager
async def floor(args: argparse.Namespace, *, processes: int) -> AsyncIterator[tuple[list[Server], aiohttp.ClientSession,
                                                                                     Opener]]:
    """``processes`` servers on a fresh database (the first seeds it), a control session, and an opener of logged-in
    dashboards on a server; everything is closed, stopped and dropped after."""
    db_url = await create_postgres_database(args.pg_url)
    variant = Variant(name='current', root=args.checkout)
    cpus = sorted(os.sched_getaffinity(0))
    servers: list[Server] = []
    pool = TabPool()
    tabs = pool.tabs
    people: dict[str, list[aiohttp.ClientSession]] = {}
    pool.acknowledge()

    async def opener(server: Server, count: int, *, kind: str, tracker: Tracker) -> None:
        """``count`` more dashboards on ``server`` watched by ``tracker``, its agents logged in there (``--people`` of
        them, in turn)."""
        if count <= 0:
            return
        logged_in = people.get(server.url)
        if logged_in is None:
            agents = sorted((agent for agent in await bench_get(control, server, 'floor') if agent['role'] == 'agent'),
                            key=lambda agent: agent['id'])[:args.people]
            logged_in = people[server.url] = [pool.session() for _ in agents]
            await gather_limited((log_in_patiently(jar, server.url, agent['username'])
                                  for jar, agent in zip(logged_in, agents, strict=True)), 4)
        new = [SimTab(logged_in[(len(tabs) + index) % len(logged_in)], f'{server.url}/', kind=kind,
                      on_frame=tracker.on_frame, expect=WORKSPACE_TITLE) for index in range(count)]
        await gather_limited((tab.open_patiently() for tab in new), args.concurrency)
        tabs.extend(new)
        for tab in new:
            tracker.watch(tab)

    control = pool.session()
    try:
        for number in range(1, processes + 1):
            servers.append(start_server(variant, agents=args.agents, conversations=args.conversations, db_url=db_url,
                                        seed=number == 1, process_id=f'app{number}',
                                        cpu=cpus[(number - 1) % len(cpus)] if len(cpus) > 1 else None))
            # at once, before the next process starts: a boss fight the waiting queue wakes meanwhile would be hit by
            # every event and its victory award would move the totals the probes look for (as in fanout.py)
            await bench_post(control, servers[-1], 'boss_off')
        rest = set(cpus) - {cpus[index % len(cpus)] for index in range(processes)}
        if rest:
            os.sched_setaffinity(0, rest)
        yield servers, control, opener
    finally:
        await pool.close(servers)
        os.sched_setaffinity(0, cpus)
        await drop_postgres_database(db_url)


async def log_in_patiently(session: aiohttp.ClientSession, base_url: str, username: str, attempts: int = 3) -> None:
    """Log in as a person does on a busy floor: again after an error page (NiceGUI answers 500 when a page takes
    over 3 s to build, which a loaded machine reaches while hundreds of tabs open)."""
    for attempt in range(attempts):
        try:
            await log_in(session, base_url, username)
            return
        except (aiohttp.ClientResponseError, AssertionError):  # an error page, or one without the form
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(1)


async def scoring_floor(control: aiohttp.ClientSession, server: Server) -> Floor:
    """The driver's view of the board: every agent, for events whose new totals no screen has shown (fanout.py's)."""
    agents = [agent for agent in await bench_get(control, server, 'floor') if agent['role'] == 'agent']
    return Floor({agent['id']: agent['team_id'] for agent in agents})


async def drive_and_drain(args: argparse.Namespace, control: aiohttp.ClientSession, servers: Any, tracker: Tracker,
                          board: Floor) -> None:
    await drive(args, control, servers, tracker, board, None, None)
    await asyncio.sleep(args.drain)


async def cpu_over(servers: list[Server], action: Callable[[], Any]) -> list[float]:
    """Each server's CPU (share of one core) while ``action`` runs."""
    before, started = [server.cpu_seconds() for server in servers], time.monotonic()
    await action()
    wall = time.monotonic() - started
    return [(server.cpu_seconds() - cpu) / wall for server, cpu in zip(servers, before, strict=True)]


def process_name(server: Server) -> str:
    """The ``--process-id`` the server was started with."""
    command = list(server.process.args)
    return command[command.index('--process-id') + 1]


def load_average() -> str:
    return ' '.join(f'{value:.2f}' for value in os.getloadavg())


# ---- the writer processes' line protocol (as tests/integration/shared_log_process.py's) -------------------------


async def expect(process: asyncio.subprocess.Process, word: str, timeout: float = 600.0) -> str:
    """The rest of the process's next line that starts with ``word`` (other output is skipped)."""
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), timeout)).decode()
        if not line:
            raise RuntimeError(f'a writer process ended before saying {word!r}')
        if line.startswith(word):
            return line[len(word):].strip()


def tell(process: asyncio.subprocess.Process, word: str) -> None:
    assert process.stdin is not None
    process.stdin.write(f'{word}\n'.encode())


def say(line: str) -> None:
    print(line, flush=True)


async def heard(word: str) -> None:
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    assert line.strip() == word, f'expected {word!r}, got {line!r}'


# ---- the command line ---------------------------------------------------------------------------------------------


def numbers(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(',')]
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a comma-separated list of whole numbers: {text!r}') from None
    if not values or min(values) < 1 or values != sorted(values):
        raise argparse.ArgumentTypeError(f'give increasing whole numbers above 0: {text!r}')
    return values


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = main.add_subparsers(dest='command', required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--pg-url', default=PG_URL, help=f'PostgreSQL server to create the databases on ({PG_URL})')
    common.add_argument('--json', type=Path, help='also write the raw results to this file')
    common.add_argument('--checkout', type=Path, default=ROOT,
                        help="the app's checkout to serve, measured by this one's hooks (default: this one)")
    tabs = argparse.ArgumentParser(add_help=False)
    tabs.add_argument('--rate', type=float, default=2.0, help='scoring events per second (default 2)')
    tabs.add_argument('--duration', type=float, default=20.0, help='seconds of events per round (default 20)')
    tabs.add_argument('--agents', type=int, default=200, help='agents on the floor (default 200)')
    tabs.add_argument('--conversations', type=int, default=30, help='conversations waiting (default 30)')
    tabs.add_argument('--people', type=int, default=40,
                      help='agents logged in per process; the tabs are theirs in turn (default 40)')
    tabs.add_argument('--concurrency', type=int, default=4, help='pages loaded at the same time (default 4)')
    tabs.add_argument('--settle', type=float, default=5.0, help='seconds to wait after opening tabs (default 5)')
    tabs.add_argument('--drain', type=float, default=3.0, help='seconds to wait after the last event (default 3)')
    tabs.set_defaults(event='score')  # fanout.drive's events: a scoring transaction each
    lag_command = commands.add_parser('lag', parents=[common, tabs], help='cross-process lag and the cost of following',
                                      description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    lag_command.add_argument('--tabs', type=int, default=100, help='dashboards on each process (default 100; the '
                             "issue's goal is 500)")
    lag_command.add_argument('--profile', help="write cProfile statistics of app2 (the follower) during the tabs' "
                             'round to PATH')
    capacity_command = commands.add_parser('capacity', parents=[common, tabs], help='tabs held: 1 versus 2 processes',
                                           description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    capacity_command.add_argument('--steps', type=numbers, default=[100, 200, 300, 400],
                                  help='total dashboards at each step, comma-separated (default 100,200,300,400)')
    capacity_command.add_argument('--goal-ms', type=float, default=GOAL_MS, help=f'p99 goal (default {GOAL_MS:.0f})')
    capacity_command.add_argument('--rounds', type=int, default=1,
                                  help="rounds of events at each step; the step's figures are the median round's "
                                       '(default 1)')
    capacity_command.add_argument('--every-step', action='store_true',
                                  help='measure every step, also past the goal (p99 against tabs, where none holds)')
    ingest_command = commands.add_parser('ingest', parents=[common], help='events/s through 1, 2, 4 writer processes',
                                         description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ingest_command.add_argument('--writers', type=numbers, default=[1, 2, 4],
                                help='writer processes at once, comma-separated (default 1,2,4)')
    ingest_command.add_argument('--events', type=int, default=1000, help='events per writer (default 1000)')
    ingest_command.add_argument('--repeat', type=int, default=1, help='rounds; the median is reported (default 1)')
    writer_command = commands.add_parser('writer', help='(internal) one writer process of ingest')
    writer_command.add_argument('db_url')
    writer_command.add_argument('name')
    writer_command.add_argument('events', type=int)
    return main


async def main() -> None:
    args = parser().parse_args()
    if args.command == 'writer':
        await writer(args.db_url, args.name, args.events)
        return
    gc.freeze()  # the benchmark's own pauses would show up as latency
    measure, report = {'lag': (lag, report_lag), 'capacity': (capacity, report_capacity),
                       'ingest': (ingest, report_ingest)}[args.command]
    result = await measure(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    report(result, args)


if __name__ == '__main__':
    asyncio.run(main())
