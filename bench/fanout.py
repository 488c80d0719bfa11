"""Fan-out: how long a scoring event takes from its commit to the websocket frame at every open tab, and to the screen.

    .venv/bin/python bench/fanout.py                          # issue 15: 500 dashboards + 20 kiosks + 50 monitors
    .venv/bin/python bench/fanout.py --kiosks 10 --monitors 0 # target 1 as first measured: 500 dashboards + 10 kiosks
    .venv/bin/python bench/fanout.py --tabs 1000 --rate 1     # target 2: 1,000 dashboards at 1 event/s
    .venv/bin/python bench/fanout.py --only current --boss    # issue 20: the same events again, a boss fight running
    .venv/bin/python bench/fanout.py --only current --languages  # issue 16: English only, then the four languages

For each variant (the baseline exported from git, then this checkout) the script seeds a fresh SQLite file, starts the
server pinned to CPU 0, logs agents in through the real login page, opens the simulated tabs (real agent dashboards at
``/``, wall displays at ``/kiosk`` and leads' live monitors at ``/monitor``, see ``bench/_support.py``) and a few real
Chromium tabs, then records scoring events at
a fixed rate through the benchmark-only endpoint ``POST /_bench/score`` (a customer's good rating, written by the app's
single writer exactly as the app writes one). Each event gives an agent a new total that no other number on the board
shows; a tab has seen the event when a frame carrying that total arrives (simulated tabs) or when a board row shows it
and the browser has painted the next frame (Chromium). Latencies are measured from the commit, on the wall clock both
processes share.

Each kiosk is a real paired display: the benchmark-only endpoint ``POST /_bench/display`` has the floor's lead create
a display (as /admin/displays does) and hands back its one-time code, which the kiosk's browser types into the real
pairing screen; its tab then shows the public slides (top five, public names), whose numbers carry the same tokens. A
monitor is a lead logged in at ``/monitor``, which shows no points: there an event is seen when the agent's row arrives
with the agent's new count of resolutions today (since 15's fan-out work only the rows that changed are sent). Kiosks
and monitors redraw from a view recomputed once per burst (before that work, at most once a second for kiosks and
half-second for monitors), so for them a frame carrying an event also counts for the earlier events (see
``Tracker``). The boards rank once per burst too: when the driver runs late and sends events back to back, an agent
scoring twice within one ranking never shows the first total, so a dashboard frame carrying an agent's total also
counts for that agent's earlier events (reported as pairs "seen through a later total").

With ``--boss`` (issue 20) the same tabs then get a second round of the same events with a queue boss fight running
(``POST /_bench/boss``: a health no run beats, so no victory award moves the totals): every scoring event is a
resolution, so a hit, and every dashboard and kiosk also redraws the fight's bar. Both rounds are reported side by
side, measured in the same run on the same server.

With ``--languages`` (issue 16) each variant is measured twice in the same run: English only, then with the floor split
across English, French, Dutch and Latvian (each dashboard's and monitor's browser chooses one in turn, as the
``deskquest_language`` cookie a person's choice sets; each kiosk is a display its lead set to one). Boards are encoded
once per language in use, so the split should cost little; both are reported side by side, with the dashboards'
missed pairs per language (in ``--json``, per probe: a language that lost a broadcast misses the same probes on all
its tabs), and commit to frame p50/p99 per language for each kind of tab (a language whose payloads are made or sent
after the others' shows there). ``--repeat N`` measures the two N times in turn, each on a fresh server, and reports
each round's p50/p99 and the median of the rounds' p99s: one round's p99 is a handful of frames (1 % of 15,000 pairs
sent in 30 s), and on a two-core machine two runs of the same code differ by more than the 10 % the split may cost.
"""
import argparse
import asyncio
import contextlib
import gc
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from _support import (
    Browser,
    Floor,
    Probe,
    SimTab,
    TabPool,
    Tracker,
    Variant,
    add_variant_arguments,
    bench_get,
    bench_post,
    chosen_variants,
    gather_limited,
    log_in,
    machine,
    measure_each,
    median,
    ms,
    pair,
    percentile,
    pin_to_client_cpus,
    process_cpu_seconds,
    ratio,
    start_server,
    table,
)
from yarl import URL

WORKSPACE_TITLE = '<title>DeskQuest</title>'  # the agent's dashboard, not the login page it sends a stranger to
LANGUAGES = ('en', 'fr', 'nl', 'lv')  # services/domain/i18n.py's
LANGUAGE_COOKIE = 'deskquest_language'  # ui/i18n.py's: this browser's choice
MONITOR_COMPONENT = 'monitor_table'  # in the monitor's page whatever its language (its title is translated)


def speaking(session: aiohttp.ClientSession, url: str, language: str) -> None:
    """This browser chooses ``language`` (after its login: the login form is found by its English labels)."""
    if language != 'en':
        session.cookie_jar.update_cookies({LANGUAGE_COOKIE: language}, response_url=URL(url))


async def measure(variant: Variant, args: argparse.Namespace, languages: tuple[str, ...] = ('en',)) -> dict[str, Any]:
    server = start_server(variant, agents=args.agents, conversations=args.conversations)
    pool = TabPool()
    tabs = pool.tabs
    browser = Browser()
    tracker = Tracker()
    session = pool.session
    control = session()
    try:
        with contextlib.suppress(aiohttp.ClientResponseError):  # a checkout from before the hook: no boss there
            await bench_post(control, server, 'boss_off')  # a queue-woken fight's victory would move the totals
        floor_all = await bench_get(control, server, 'floor')
        floor = [agent for agent in floor_all if agent['role'] == 'agent']
        floor.sort(key=lambda agent: agent['id'])
        people = floor[:min(len(floor), args.tabs)]
        logged_in = [session() for _ in people]
        started = time.perf_counter()
        await gather_limited((log_in(jar, server.url, agent['username'])
                              for jar, agent in zip(logged_in, people, strict=True)), 4)
        login_seconds = time.perf_counter() - started
        for index, jar in enumerate(logged_in):
            speaking(jar, server.url, languages[index % len(languages)])

        for index in range(args.tabs):
            tabs.append(SimTab(logged_in[index % len(people)], f'{server.url}/', kind='agent',
                               on_frame=tracker.on_frame, expect=WORKSPACE_TITLE,
                               language=languages[index % len(people) % len(languages)]))
        await bench_post(control, server, 'reset')
        tabs += await paired_kiosks(control, server, args.kiosks, session, tracker, languages)
        handled = (await bench_get(control, server, 'monitor'))['handled'] if args.monitors else None
        if args.monitors and handled is None:
            print(f'  ({variant.name} has no live monitor: no monitor tabs)', flush=True)
        elif args.monitors:
            leads = [agent for agent in floor_all if agent['role'] in ('lead', 'admin')]
            lead_sessions = [session() for _ in leads]
            await gather_limited((log_in(jar, server.url, lead['username'])
                                  for jar, lead in zip(lead_sessions, leads, strict=True)), 4)
            if len(languages) > 1:  # one browser per monitor, each in its language
                lead_sessions = [session() for _ in range(args.monitors)]
                await gather_limited((log_in(jar, server.url, leads[index % len(leads)]['username'])
                                      for index, jar in enumerate(lead_sessions)), 4)
                for index, jar in enumerate(lead_sessions):
                    speaking(jar, server.url, languages[index % len(languages)])
            tabs += [SimTab(lead_sessions[index % len(lead_sessions)], f'{server.url}/monitor', kind='monitor',
                            on_frame=tracker.on_frame,
                            expect='Live monitor' if len(languages) == 1 else MONITOR_COMPONENT,
                            language=languages[index % len(lead_sessions) % len(languages)])
                     for index in range(args.monitors)]
        started = time.perf_counter()
        await gather_limited((tab.open_patiently() for tab in tabs), args.concurrency)
        open_seconds = time.perf_counter() - started
        for tab in tabs:
            tracker.watch(tab)
        pool.acknowledge()
        if args.chromium:
            await browser.start(server.url, [agent['username'] for agent in people[-args.chromium:]])
        after_open = await bench_get(control, server, 'stats')  # stalls while the tabs opened

        await asyncio.sleep(args.settle)
        await bench_post(control, server, 'reset')
        idle_cpu, idle_wall = server.cpu_seconds(), time.monotonic()
        await asyncio.sleep(args.idle)
        idle = (server.cpu_seconds() - idle_cpu) / (time.monotonic() - idle_wall)

        board = Floor({agent['id']: agent['team_id'] for agent in floor}, awards=(20,) if args.event == 'resolve' else
                      (5, 10, 15, 20, 25, 30))
        client_cpu = process_cpu_seconds()
        if args.profile:
            await bench_post(control, server, 'profile')
        cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
        count = int(args.rate * args.duration)
        begin, late = await drive(args, control, server, tracker, board, handled, browser)
        await asyncio.sleep(args.drain)
        if args.profile:  # the server writes it into its own output directory; the copy goes where we were asked
            written = await bench_post(control, server, 'profile', name='profile.pstats')
            shutil.copyfile(written['path'], f'{args.profile}.{variant.name}' + (
                f'.{"-".join(languages)}.{time.strftime("%H%M%S")}' if args.languages else ''))
        busy = (server.cpu_seconds() - cpu_before) / (time.monotonic() - wall_before)
        client_busy = (process_cpu_seconds() - client_cpu) / (time.monotonic() - wall_before)
        stats = await bench_get(control, server, 'stats')
        full = (await bench_post(control, server, 'full_collection'))['ms'] if args.full_collection else float('nan')
        seen = await browser.seen()
        agents, missed, invalid = tracker.latencies('agent')
        kiosks, kiosk_missed, kiosk_invalid = tracker.latencies('kiosk')
        monitors, monitor_missed, monitor_invalid = tracker.latencies('monitor')
        commits = {probe.number: probe.commit for probe in tracker.probes}
        unseen = missed_by_language(tabs)  # before a boss round adds its own probes to the tabs' pending ones
        shown = [at - commits[number] for number, at, _ in seen]
        painted = [at - commits[number] for number, _, at in seen]
        fight = await boss_round(args, control, server, tracker, board, handled, tabs) if args.boss else None
        return {
            'fight': fight, 'languages': languages,
            'variant': variant.name if len(languages) == 1 else f'{variant.name}, {"/".join(languages)}',
            'tabs': args.tabs, 'kiosks': args.kiosks,
            'monitors': sum(1 for tab in tabs if tab.kind == 'monitor'), 'events': count, 'late': late,
            'login_s': login_seconds, 'open_s': open_seconds,
            'page_ms': median([tab.page_seconds for tab in tabs]) * 1000,
            'page_kb': median([tab.page_bytes for tab in tabs if tab.kind == 'agent']) / 1024,
            'elements_per_tab': after_open['elements'] / max(1, after_open['clients']),
            'rss_mb': after_open['rss'] / 2 ** 20, 'rss_end_mb': stats['rss'] / 2 ** 20,
            'agent': agents, 'missed': missed, 'missed_by_language': unseen,
            'by_language': {kind: tracker.latencies_by_language(kind) for kind in ('agent', 'kiosk', 'monitor')},
            'superseded': tracker.superseded.get('agent', 0),
            'invalid': invalid + kiosk_invalid + monitor_invalid,
            'kiosk': kiosks, 'kiosk_missed': kiosk_missed, 'monitor': monitors, 'monitor_missed': monitor_missed,
            'kind_frames': {kind: sum(tab.frames for tab in tabs if tab.kind == kind) / max(1, sum(
                1 for tab in tabs if tab.kind == kind)) for kind in ('agent', 'kiosk', 'monitor')},
            'kind_bytes': {kind: sum(tab.frame_bytes for tab in tabs if tab.kind == kind) / max(1, sum(
                tab.frames for tab in tabs if tab.kind == kind)) for kind in ('agent', 'kiosk', 'monitor')},
            'shown': shown, 'painted': painted, 'browser_missed': len(tracker.probes) * len(browser.pages) - len(seen),
            'cpu': busy, 'idle_cpu': idle, 'client_cpu': client_busy,
            'frames_per_tab': sum(tab.frames for tab in tabs) / len(tabs),
            'drops': sum(tab.drops for tab in tabs), 'reloads': sum(tab.reloads for tab in tabs),
            'errors': sum(tab.errors for tab in tabs),
            'connected': stats['connected'], 'clients': stats['clients'],
            'bytes_per_frame': sum(tab.frame_bytes for tab in tabs) / max(1, sum(tab.frames for tab in tabs)),
            'stall_ms': stats['stalls']['longest_ms'], 'stalls': stats['stalls']['histogram'],
            'open_stall_ms': after_open['stalls']['longest_ms'], 'open_gc_ms': after_open['gc']['2']['longest_ms'],
            'full_collection_ms': full,
            'worst_stalls': stats['stalls']['worst'], 'worst_gc': {g: p['worst'] for g, p in stats['gc'].items()},
            'commits': [probe.commit for probe in tracker.probes], 'begin': time.time() - (time.monotonic() - begin),
            'gc_ms': {generation: pauses['longest_ms'] for generation, pauses in stats['gc'].items()},
            'gc_count': {generation: pauses['count'] for generation, pauses in stats['gc'].items()},
            'tab_collections': stats['collector']['tab_collections'], 'tabs_closed': stats['collector']['tabs_closed'],
        }
    finally:
        await browser.stop()
        await pool.close([server])


async def drive(args: argparse.Namespace, control: aiohttp.ClientSession, server: Any, tracker: Tracker,
                board: Floor, handled: dict[str, int] | None, browser: Browser | None) -> tuple[float, int]:
    """Send ``args.rate`` events a second for ``args.duration`` seconds, each registered as a probe first; return when
    the round began (monotonic) and how many events went out late. ``server`` may be a list of servers sharing one
    floor (bench/processes.py): they record the events in turn."""
    writers = server if isinstance(server, list) else [server]
    begin = time.monotonic()
    first = len(tracker.probes)  # a second round's probes carry on the numbering (the tracker indexes by number)
    late = 0
    for index in range(int(args.rate * args.duration)):
        due = begin + index / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            late += 1
        agent_id, award, total = board.pick()
        if handled is not None:  # one resolution per event, whichever kind
            handled[str(agent_id)] = handled.get(str(agent_id), 0) + 1
        probe = Probe(number=first + index, agent_id=agent_id, points=total,
                      handled=handled[str(agent_id)] if handled is not None else None)
        tracker.register(probe)
        if browser is not None:
            await browser.register(probe)
        extra = {'points': award} if args.event == 'score' else {}
        answer = await bench_post(control, writers[index % len(writers)], args.event, agent_id=agent_id, **extra)
        probe.commit = answer['commit']
    return begin, late


async def boss_round(args: argparse.Namespace, control: aiohttp.ClientSession, server: Any, tracker: Tracker,
                     board: Floor, handled: dict[str, int] | None, tabs: list[SimTab]) -> dict[str, Any] | None:
    """The same events again with a boss fight running: each one a hit, every dashboard's and kiosk's bar redrawn.
    None when the checkout has no queue boss."""
    try:
        fight = await bench_post(control, server, 'boss')
    except aiohttp.ClientResponseError:  # a checkout from before the benchmark's boss hook
        fight = {'name': None}
    if fight['name'] is None:
        print('  (no queue boss in this checkout: no boss round)', flush=True)
        return None
    showing: set[int] = set()  # the tabs a frame naming the boss reached: the bar is on their screen
    for tab in tabs:
        inner = tab.on_frame

        def noting(frame_tab: SimTab, arrived: float, data: str, inner: Callable = inner) -> None:
            if fight['name'] in data:
                showing.add(id(frame_tab))
            inner(frame_tab, arrived, data)
        tab.on_frame = noting
    await asyncio.sleep(args.settle)
    await bench_post(control, server, 'reset')  # the loop's stalls from here: this round's own
    first = len(tracker.probes)
    cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
    _begin, late = await drive(args, control, server, tracker, board, handled, None)
    await asyncio.sleep(args.drain)
    busy = (server.cpu_seconds() - cpu_before) / (time.monotonic() - wall_before)
    probes = tracker.probes[first:]
    agents, missed, invalid = round_latencies(tracker, 'agent', probes)
    kiosks, kiosk_missed, kiosk_invalid = round_latencies(tracker, 'kiosk', probes)
    return {'name': fight['name'], 'agent': agents, 'missed': missed, 'invalid': invalid + kiosk_invalid,
            'kiosk': kiosks, 'kiosk_missed': kiosk_missed, 'cpu': busy, 'late': late,
            'showing': {kind: sum(1 for tab in tabs if tab.kind == kind and id(tab) in showing)
                        for kind in ('agent', 'kiosk')},
            'stall_ms': (await bench_get(control, server, 'stats'))['stalls']['longest_ms'],
            'stall_samples': await bench_get(control, server, 'stall_samples')}  # in --json: what the loop ran


def missed_by_language(tabs: list[SimTab]) -> dict[str, dict[str, dict[int, int]]]:
    """Tab kind -> language -> probe -> how many of those tabs never saw it: a language whose tabs miss the same
    probes lost a broadcast; misses spread thinly over probes and languages are tabs falling behind."""
    unseen: dict[str, dict[str, dict[int, int]]] = {}
    for tab in tabs:
        counts = unseen.setdefault(tab.kind, {}).setdefault(tab.language, {})
        for number in tab.pending:
            counts[number] = counts.get(number, 0) + 1
    return unseen


def round_latencies(tracker: Tracker, kind: str, probes: list[Probe]) -> tuple[list[float], int, int]:
    """:meth:`Tracker.latencies` over one round's probes."""
    part = Tracker(cumulative=tracker.cumulative)
    part.tabs, part.probes = tracker.tabs, probes
    return part.latencies(kind)


async def paired_kiosks(control: aiohttp.ClientSession, server: Any, count: int,
                        session: Callable[[], aiohttp.ClientSession], tracker: Tracker,
                        languages: tuple[str, ...] = ('en',)) -> list[SimTab]:
    """``count`` wall displays, each its own browser paired through the kiosk's pairing screen with a code a lead
    created, in turn in each of ``languages`` (a checkout from before pairing has none: its kiosk shows the floor
    unpaired)."""
    tabs = []
    for number in range(1, count + 1):
        browser = session()
        name = f'Bench TV {number}'
        language = {'language': languages[(number - 1) % len(languages)]} if len(languages) > 1 else {}
        display = await bench_post(control, server, 'display', name=name, **language)
        if display['code'] is not None:
            await pair(browser, server.url, display['code'])
        tabs.append(SimTab(browser, f'{server.url}/kiosk', kind='kiosk', on_frame=tracker.on_frame,
                           expect=name if display['code'] is not None else None,
                           language=language.get('language', 'en')))
    return tabs


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    # the last column compares the current checkout with the baseline, or (--languages) its four languages with its
    # English only, measured in the same run
    base = results[0] if results[0]['variant'] == 'baseline' or args.languages and len(results) > 1 else None
    rows = []
    for result in results:
        agent, kiosk, monitor, painted = result['agent'], result['kiosk'], result['monitor'], result['painted']
        figures = {
            'commit → frame p50 (dashboards)': median(agent),
            'commit → frame p99 (dashboards)': percentile(agent, 0.99),
            'commit → frame p50 (kiosks)': median(kiosk),
            'commit → frame p99 (kiosks)': percentile(kiosk, 0.99),
            'commit → frame p50 (monitors)': median(monitor),
            'commit → frame p99 (monitors)': percentile(monitor, 0.99),
            'commit → board row shown p50 (Chromium)': median(result['shown']),
            'commit → repaint p50 (Chromium)': median(painted),
            'commit → repaint max (Chromium)': max(painted) if painted else float('nan'),
        }
        fight = result.get('fight')
        figures |= {
            'commit → frame p50 (dashboards, boss fight)': median(fight['agent']) if fight else float('nan'),
            'commit → frame p99 (dashboards, boss fight)': percentile(fight['agent'], 0.99) if fight
            else float('nan'),
            'commit → frame p50 (kiosks, boss fight)': median(fight['kiosk']) if fight else float('nan'),
            'commit → frame p99 (kiosks, boss fight)': percentile(fight['kiosk'], 0.99) if fight else float('nan'),
        } if args.boss else {}
        rows.append((result, figures))
    names = list(rows[0][1])
    print(f'\nfan-out: {args.tabs} dashboards + {args.kiosks} kiosks + {args.monitors} monitors + '
          f'{args.chromium} Chromium tabs, '
          f'{args.rate:g} {args.event} events/s for {args.duration:g} s; {machine()}')
    headers = ['figure'] + [result['variant'] for result, _ in rows] + \
        ([f'{rows[-1][0]["variant"]} / {rows[0][0]["variant"]}'] if base else [])
    lines = []
    for name in names:
        values = [figures[name] for _, figures in rows]
        lines.append([name] + [ms(value) for value in values] + ([ratio(values[-1], values[0])] if base else []))
    for label, key, fmt in (('server CPU while driving (% of one core)', 'cpu', '{:.0%}'),
                            ('server CPU idle, tabs open', 'idle_cpu', '{:.0%}'),
                            ('benchmark process CPU', 'client_cpu', '{:.0%}'),
                            ('longest loop stall while driving', 'stall_ms', '{:.0f} ms'),
                            ('longest loop stall while the tabs opened', 'open_stall_ms', '{:.0f} ms'),
                            ('one full collection, all tabs open', 'full_collection_ms', '{:.0f} ms'),
                            ('median page GET (build + HTML)', 'page_ms', '{:.0f} ms'),
                            ('dashboard page size', 'page_kb', '{:.0f} KiB'),
                            ('elements per tab', 'elements_per_tab', '{:.0f}'),
                            ('server RSS with all tabs open', 'rss_mb', '{:.0f} MiB'),
                            ('server RSS after the events', 'rss_end_mb', '{:.0f} MiB'),
                            ('frames per tab', 'frames_per_tab', '{:.1f}'),
                            ('bytes per frame', 'bytes_per_frame', '{:.0f}'),
                            ('time to open all tabs', 'open_s', '{:.1f} s')):
        values = [result[key] for result, _ in rows]
        lines.append([label] + [fmt.format(value) for value in values]
                     + ([ratio(values[-1], values[0])] if base else []))
    lines.append(['longest GC pause gen0/1/2'] + ['/'.join(f'{result["gc_ms"][g]:.0f}' for g in '012') + ' ms'
                                                    for result, _ in rows] + ([''] if base else []))
    lines.append(['GC collections gen0/1/2'] + ['/'.join(str(result['gc_count'][g]) for g in '012')
                                                  for result, _ in rows] + ([''] if base else []))
    for kind, label in (('agent', 'dashboards'), ('kiosk', 'kiosks'), ('monitor', 'monitors')):
        lines.append([f'frames per tab / bytes per frame ({label})']
                     + [f'{result["kind_frames"][kind]:.1f} / {result["kind_bytes"][kind]:.0f}' for result, _ in rows]
                     + ([''] if base else []))
    lines.append(['(probe, tab) pairs missed: dashboards / kiosks / monitors; invalid']
                 + [f'{result["missed"]} / {result["kiosk_missed"]} / {result["monitor_missed"]}; {result["invalid"]}'
                    for result, _ in rows] + ([''] if base else []))
    lines.append(['dashboard pairs seen through a later total of the same agent']
                 + [str(result['superseded']) for result, _ in rows] + ([''] if base else []))
    if args.languages:
        lines.append(['dashboard pairs missed per language'] + [', '.join(
            f'{language} {sum(counts.values())}' for language, counts in result['missed_by_language'].get(
                'agent', {}).items()) for result, _ in rows] + ([''] if base else []))
    if args.languages:
        for kind, label in (('agent', 'dashboards'), ('kiosk', 'kiosks'), ('monitor', 'monitors')):
            lines.append([f'commit → frame p50 / p99 per language ({label})'] + [', '.join(
                f'{language} {median(values) * 1000:.0f} / {percentile(values, 0.99) * 1000:.0f}'
                for language, values in result['by_language'][kind].items() if values)
                for result, _ in rows] + ([''] if base else []))
    lines.append(['error pages while opening / sockets dropped / pages reloaded']
                 + [f'{result["errors"]} / {result["drops"]} / {result["reloads"]}'
                                                                        for result, _ in rows] + ([''] if base else []))
    lines.append(['events sent late by the driver'] + [str(result['late']) for result, _ in rows]
                 + ([''] if base else []))
    if args.boss:
        def fought(describe: Callable[[dict[str, Any]], str]) -> list[str]:
            return [describe(result['fight']) if result.get('fight') else '-' for result, _ in rows] + \
                ([''] if base else [])
        lines.append(['boss fight: dashboards / kiosks showing its bar'] + fought(
            lambda fight: f'{fight["showing"]["agent"]} / {fight["showing"]["kiosk"]}'))
        lines.append(['boss fight: server CPU while driving'] + fought(lambda fight: f'{fight["cpu"]:.0%}'))
        lines.append(['boss fight: longest loop stall while driving'] + fought(
            lambda fight: f'{fight["stall_ms"]:.0f} ms'))
        lines.append(['boss fight: pairs missed dashboards / kiosks; invalid; sent late'] + fought(
            lambda fight: f'{fight["missed"]} / {fight["kiosk_missed"]}; {fight["invalid"]}; {fight["late"]}'))
    print(table(headers, lines))


def report_rounds(results: list[dict[str, Any]]) -> None:
    """--repeat: each round's commit → frame p50 / p99 per kind of tab, then the median of the rounds' figures per
    variant, and the four languages' medians against English only's."""
    kinds = (('agent', 'dashboards'), ('kiosk', 'kiosks'), ('monitor', 'monitors'))
    by_variant: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_variant.setdefault(result['variant'], []).append(result)
    headers = ['round'] + [f'p50 / p99 ({label})' for _, label in kinds]
    lines = []
    medians: dict[str, dict[str, tuple[float, float]]] = {}
    for name, rounds in by_variant.items():
        for number, result in enumerate(rounds, 1):
            lines.append([f'{name} #{number}'] + [f'{ms(median(result[kind]))} / {ms(percentile(result[kind], 0.99))}'
                                                  for kind, _ in kinds])
        medians[name] = {kind: (median([median(result[kind]) for result in rounds]),
                                median([percentile(result[kind], 0.99) for result in rounds])) for kind, _ in kinds}
        lines.append([f'{name}, median of {len(rounds)}'] + [
            f'{ms(medians[name][kind][0])} / {ms(medians[name][kind][1])}' for kind, _ in kinds])
    for name in medians:
        english = name.split(', ')[0]
        if name != english and english in medians:
            lines.append([f'{name} / {english}'] + [
                f'{ratio(medians[name][kind][0], medians[english][kind][0])} / '
                f'{ratio(medians[name][kind][1], medians[english][kind][1])}' for kind, _ in kinds])
    print('\nrounds, each on a fresh server, English only and the four languages in turn')
    print(table(headers, lines))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tabs', type=int, default=500, help='simulated agent dashboards (default 500)')
    parser.add_argument('--kiosks', type=int, default=20, help='simulated kiosks, each a paired display (default 20)')
    parser.add_argument('--monitors', type=int, default=50,
                        help="simulated live monitors, the floor's leads logged in at /monitor (default 50)")
    parser.add_argument('--chromium', type=int, default=3, help='real Chromium dashboards (default 3)')
    parser.add_argument('--agents', type=int, default=500, help='agents on the floor (default 500)')
    parser.add_argument('--conversations', type=int, default=30, help='conversations waiting (default 30)')
    parser.add_argument('--rate', type=float, default=5.0, help='scoring events per second (default 5)')
    parser.add_argument('--duration', type=float, default=30.0, help='seconds of events (default 30)')
    parser.add_argument('--event', choices=['score', 'resolve'], default='score',
                        help='score: a good rating (one transaction); resolve: a customer writes, the agent replies '
                             'and resolves (three transactions, the inbox of every tab moves too)')
    parser.add_argument('--concurrency', type=int, default=4, help='pages loaded at the same time (default 4)')
    parser.add_argument('--settle', type=float, default=5.0, help='seconds to wait after opening the tabs')
    parser.add_argument('--idle', type=float, default=5.0, help='seconds to measure idle CPU')
    parser.add_argument('--drain', type=float, default=3.0, help='seconds to wait after the last event')
    parser.add_argument('--profile', help='write cProfile statistics of the server while driving to PATH.VARIANT')
    parser.add_argument('--full-collection', action='store_true',
                        help='after driving, time one full collection (frozen objects included) with the tabs open')
    parser.add_argument('--boss', action='store_true',
                        help='then the same events again with a queue boss fight running (issue 20), reported beside')
    parser.add_argument('--languages', action='store_true',
                        help='measure each variant English only, then with the floor split across the four languages '
                             '(issue 16), reported side by side')
    parser.add_argument('--repeat', type=int, default=1,
                        help='with --languages: measure English only and the four languages this many times in turn, '
                             'and report the median of the rounds (default 1)')
    parser.add_argument('--json', type=Path, help='also write the raw results to this file')
    add_variant_arguments(parser)
    args = parser.parse_args()
    pin_to_client_cpus()
    gc.freeze()  # the benchmark's own pauses would show up as latency
    if args.repeat < 1 or args.repeat > 1 and not args.languages:
        parser.error('--repeat takes a count of 1 or more, and only with --languages')
    found = chosen_variants(args)
    if args.languages:
        results = []
        for _ in range(args.repeat):
            for languages in (('en',), LANGUAGES):
                results += await measure_each(found, lambda variant, chosen=languages: measure(variant, args, chosen),
                                              args.only)
    else:
        results = await measure_each(found, lambda variant: measure(variant, args), args.only)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    per_round = max(1, len(results) // args.repeat)
    report(results[-per_round:], args)  # the last round's in full
    if args.repeat > 1:
        report_rounds(results)


if __name__ == '__main__':
    asyncio.run(main())
