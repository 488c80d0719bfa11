"""What the benchmarks share: the server under test, simulated tabs that speak NiceGUI's protocol, real Chromium tabs.

The server runs as a subprocess on a free loopback port with a fresh SQLite file, pinned to CPU 0; the benchmark
process (simulated tabs, the event driver, Chromium) pins itself to the other CPUs. A *simulated tab* does what a
browser does with a page, minus the rendering: it GETs the page (the server builds the whole element tree), opens the
Socket.IO websocket with the page's client id (NiceGUI's implicit handshake), offers permessage-deflate as Chromium
does, answers pings, acknowledges messages every 3 s as ``nicegui.js`` does, and timestamps every frame it receives.
"""
import argparse
import asyncio
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import websockets

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / '.venv' / 'bin' / 'python'
if not PYTHON.exists():
    PYTHON = Path(sys.executable)
BASELINE_REF = '10c8f19'  # the app before the fan-out work: per-tab element updates, default garbage collector
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
SERVER_CPU = 0
PASSWORD = 'demo'
ENGINEIO_QUERY = {'EIO': '4', 'transport': 'websocket'}


# ---- the server under test ---------------------------------------------------------------------------------------


@dataclass(kw_only=True, slots=True)
class Variant:
    """One version of the app to measure: ``baseline`` (exported from git) or ``current`` (this checkout).

    Each runs as it ships, with its own collector policy if it has one (``services/tuning.py`` before the layers,
    ``services/platform/collector.py`` since), and is measured by this checkout's ``bench/hooks.py``.
    """
    name: str
    root: Path
    env: dict[str, str] = field(default_factory=dict)  # extra environment for the server (e.g. DESKQUEST_GC)


def variants(baseline_ref: str | None, current_root: Path | None = None,
             current_env: dict[str, str] | None = None) -> list[Variant]:
    """The baseline (when a git ref is given and exists) and this checkout (or another copy of the current code)."""
    found = [Variant(name='current', root=current_root or ROOT, env=current_env or {})]
    if baseline_ref:
        root = export(baseline_ref)
        if root is not None:
            found.insert(0, Variant(name='baseline', root=root))
    return found


def add_variant_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every tab benchmark takes to choose what it measures (read by :func:`chosen_variants`)."""
    parser.add_argument('--baseline', default=BASELINE_REF, help=f'git ref of the baseline (default {BASELINE_REF}); '
                        '"" to skip it')
    parser.add_argument('--only', choices=['baseline', 'current'], help='measure one variant only')
    parser.add_argument('--current-root', type=Path, help='measure the code in this directory as "current"')
    parser.add_argument('--current-env', action='append', default=[], metavar='NAME=VALUE',
                        help='extra environment for the current server, e.g. DESKQUEST_GC=off (repeatable)')


def chosen_variants(args: argparse.Namespace) -> list[Variant]:
    """The variants :func:`add_variant_arguments`' options ask for."""
    return variants(args.baseline if args.only != 'current' else None, args.current_root,
                    dict(item.split('=', 1) for item in args.current_env))


def export(ref: str) -> Path | None:
    """The files of ``ref`` in a temporary directory (``git archive``), or None without git or the ref."""
    target = Path(tempfile.mkdtemp(prefix=f'deskquest-{ref}-'))
    try:
        archive = subprocess.run(['git', 'archive', '--format=tar', ref], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        print(f'no baseline: cannot export {ref} from git ({error})', file=sys.stderr)
        shutil.rmtree(target)
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter='data')
    return target


@dataclass(kw_only=True, slots=True)
class Server:
    variant: Variant
    url: str
    process: subprocess.Popen
    workdir: Path
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    def rss(self) -> int:
        with open(f'/proc/{self.pid}/statm') as statm:
            return int(statm.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def process_cpu_seconds(pid: int | str = 'self') -> float:
    """User plus system CPU seconds of a process, from ``/proc`` (the benchmarks are Linux-only anyway: taskset, CPU
    affinity, ``/proc/self/statm``), so they need no package the app does not."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()  # the name may hold spaces: after it
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')  # utime and stime, fields 14 and 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def start_server(variant: Variant, *, agents: int, conversations: int, db_url: str | None = None,
                 seed: bool = True, process_id: str | None = None, cpu: int | None = SERVER_CPU) -> Server:
    """Seed a fresh database through the variant's own services, then start its server pinned to CPU ``cpu``.

    :param db_url: a database to use (a PostgreSQL one several servers share); default: a fresh SQLite file
    :param seed: False for a second server on a database another one seeded
    :param process_id: the server's ``--process-id`` (several processes on one PostgreSQL floor)
    :param cpu: the CPU to pin the server to (None: not pinned)
    """
    workdir = Path(tempfile.mkdtemp(prefix=f'deskquest-bench-{variant.name}-'))
    db_url = db_url or f'sqlite://{workdir / "bench.sqlite3"}'
    env = server_env(workdir) | variant.env
    if seed:
        seeded = subprocess.run([str(PYTHON), str(ROOT / 'bench' / '_seed.py'), db_url, str(agents),
                                 str(conversations)], cwd=variant.root, env=env, capture_output=True, text=True,
                                timeout=300)
        if seeded.returncode != 0:
            raise RuntimeError(f'seeding failed:\n{seeded.stdout}\n{seeded.stderr}')
    port = free_port()
    command = [str(PYTHON), str(ROOT / 'bench' / '_serve.py'), '--no-simulator', '--port', str(port),
               '--db-url', db_url, '--output', str(workdir / 'output')]
    if process_id is not None:
        command += ['--process-id', process_id]
    if variant.env.get('DESKQUEST_BENCH_DEFLATE') == 'off':
        command += ['--no-deflate']
    if cpu is not None and shutil.which('taskset') and os.cpu_count() and os.cpu_count() > 1:
        command = ['taskset', '-c', str(cpu)] + command
    log = workdir / 'server.log'
    with log.open('w') as log_file:
        process = subprocess.Popen(command, cwd=variant.root, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(variant=variant, url=f'http://127.0.0.1:{port}', process=process, workdir=workdir, log=log)
    wait_until_serving(server)
    return server


async def create_postgres_database(server_url: str) -> str:
    """A fresh, empty database on the PostgreSQL server of ``server_url``; returns its URL (drop it after)."""
    import asyncpg
    name = f'deskquest_bench_{uuid.uuid4().hex[:10]}'
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE {name}')
    finally:
        await admin.close()
    return server_url.rstrip('/').rsplit('/', 1)[0] + f'/{name}' if urllib.parse.urlsplit(server_url).path.strip('/') \
        else server_url.rstrip('/') + f'/{name}'


async def drop_postgres_database(db_url: str) -> None:
    """Drop a database :func:`create_postgres_database` made, whoever is still connected to it."""
    import asyncpg
    server_url, name = db_url.rsplit('/', 1)
    admin = await asyncpg.connect(server_url + '/postgres')
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
    finally:
        await admin.close()


def server_env(workdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(('DESKQUEST_', 'NICEGUI_'))}
    env.update(DESKQUEST_ARGON2_MEMORY_KIB='1024', DESKQUEST_STORAGE_SECRET='bench secret', PYTHONUNBUFFERED='1',
               NICEGUI_STORAGE_PATH=str(workdir / 'storage'))
    return env


def wait_until_serving(server: Server, timeout: float = 60.0) -> None:
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f'the server exited with {server.process.returncode}:\n{server.log.read_text()}')
        try:
            with urllib.request.urlopen(f'{server.url}/_bench/stats', timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f'the server did not start within {timeout} s:\n{server.log.read_text()}')


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    errors = [line for line in server.log.read_text().splitlines() if 'Traceback' in line or ' ERROR ' in line]
    if errors:
        print(f'  ({server.variant.name}: the server logged {len(errors)} error line(s), see {server.log})')
    else:
        shutil.rmtree(server.workdir, ignore_errors=True)


def pin_to_client_cpus() -> None:
    """Keep the benchmark's own work (and the Chromium it starts) off the server's CPU."""
    cpus = os.sched_getaffinity(0) - {SERVER_CPU}
    if cpus:
        os.sched_setaffinity(0, cpus)


# ---- talking to the server ---------------------------------------------------------------------------------------


async def bench_get(session: aiohttp.ClientSession, server: Server, endpoint: str, **params: Any) -> dict[str, Any]:
    query = {key: str(value) for key, value in params.items()}
    async with session.get(f'{server.url}/_bench/{endpoint}', params=query) as response:
        response.raise_for_status()
        return await response.json()


async def bench_post(session: aiohttp.ClientSession, server: Server, endpoint: str, **params: Any) -> dict[str, Any]:
    query = {key: str(value) for key, value in params.items()}
    async with session.post(f'{server.url}/_bench/{endpoint}', params=query) as response:
        response.raise_for_status()
        return await response.json()


def page_elements(html: str) -> dict[str, dict[str, Any]]:
    """The element tree NiceGUI embeds in a page, as the browser's ``parseElements`` reads it."""
    raw = re.search(r'parseElements\(String\.raw`(.*?)`\)', html, re.S)
    assert raw is not None, 'not a NiceGUI page'
    text = raw.group(1)
    for escaped, plain in (('&#36;', '$'), ('&#96;', '`'), ('&gt;', '>'), ('&lt;', '<'), ('&amp;', '&')):
        text = text.replace(escaped, plain)
    return json.loads(text)


def client_query(html: str) -> tuple[str, int]:
    client_id = re.search(r"'client_id': '([0-9a-f-]+)'", html)
    next_message_id = re.search(r"'next_message_id': (\d+)", html)
    assert client_id is not None and next_message_id is not None, 'no socket query in the page'
    return client_id.group(1), int(next_message_id.group(1))


class SimTab:
    """One browser tab without rendering; see the module docstring.

    Like ``nicegui.js`` with socket.io-client, it reconnects about a second after the server drops its socket (the
    server does that when a pong is not processed within NiceGUI's 2 s ping timeout, i.e. when its loop is stalled),
    and reloads the page when the server no longer knows the client. Drops and reloads are counted.
    """

    def __init__(self, session: aiohttp.ClientSession, url: str, *, kind: str,
                 on_frame: Callable[['SimTab', float, str], None], expect: str | None = None,
                 language: str = 'en') -> None:
        self.session = session
        self.url = url
        self.kind = kind
        self.language = language  # the one its browser chose: misses are counted per language too
        self.expect = expect  # text the page must carry (a paired kiosk's display name): not a login or pairing screen
        self.on_frame = on_frame
        self.client_id = ''
        self.tab_id = str(uuid.uuid4())
        self.document_id = ''
        self.next_message_id = 0
        self.acked = -1
        self.frames = 0
        self.frame_bytes = 0
        self.page_bytes = 0
        self.page_seconds = 0.0
        self.drops = 0
        self.reloads = 0
        self.errors = 0  # page loads that failed (NiceGUI answers 500 when a page takes over 3 s to build)
        self.pending: list[int] = []  # probes this tab has not seen yet
        self.ws: websockets.ClientConnection | None = None
        self.connected = False
        self._closing = False
        self._runner: asyncio.Task | None = None

    async def open(self, html: str | None = None) -> None:
        """GET the page (the server builds it) unless given, then connect its socket; returns after the handshake."""
        if html is None:
            await self._load()
        else:
            self.client_id, self.next_message_id = client_query(html)
            self.document_id = str(uuid.uuid4())
        if not await self._connect():
            raise RuntimeError(f'the server refused the handshake of {self.url}')
        self._runner = asyncio.get_running_loop().create_task(self._run(), name=f'tab {self.tab_id}')

    async def open_patiently(self, attempts: int = 5) -> None:
        """Open the page like a person would: reload after an error page."""
        for attempt in range(attempts):
            try:
                await self.open()
                return
            except (aiohttp.ClientError, websockets.exceptions.WebSocketException, TimeoutError, RuntimeError) as error:
                # a 500 is NiceGUI's error page; a reset is a pooled keep-alive connection the server had just closed;
                # an overloaded server (the baseline) may drop or time out the socket's handshake
                self.errors += isinstance(error, aiohttp.ClientResponseError)
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(1)

    async def emit(self, event: str, data: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send('42' + json.dumps([event, data], separators=(',', ':')))

    async def ack(self) -> None:
        """What ``nicegui.js`` does every 3 s: tell the server which messages arrived, so it can drop them."""
        if self.ws is not None and self.connected and self.next_message_id > self.acked:
            self.acked = self.next_message_id
            await self.emit('ack', {'client_id': self.client_id, 'next_message_id': self.next_message_id})

    async def close(self) -> None:
        self._closing = True
        if self.ws is not None:
            await self.ws.close()
        if self._runner is not None:
            await asyncio.gather(self._runner, return_exceptions=True)

    async def _load(self) -> None:
        started = time.perf_counter()
        async with self.session.get(self.url) as response:
            response.raise_for_status()
            html = await response.text()
        self.page_seconds = time.perf_counter() - started
        if self.expect is not None and self.expect not in html:
            raise RuntimeError(f'{self.url} is not the expected page: no {self.expect!r} in it')
        self.page_bytes = len(html)
        self.client_id, self.next_message_id = client_query(html)
        self.document_id = str(uuid.uuid4())

    async def _connect(self) -> bool:
        """Open the socket and do NiceGUI's implicit handshake; False when the server refuses it."""
        base = urllib.parse.urlsplit(self.url)
        query = urllib.parse.urlencode({'client_id': self.client_id, 'next_message_id': self.next_message_id,
                                        'implicit_handshake': 'true', 'document_id': self.document_id,
                                        'tab_id': self.tab_id, **ENGINEIO_QUERY})
        cookies = '; '.join(f'{name}={morsel.value}' for name, morsel in
                            self.session.cookie_jar.filter_cookies(self.url).items())
        # like Chromium: cookies on the upgrade request, permessage-deflate offered, no websocket-level pings
        self.ws = await websockets.connect(f'ws://{base.netloc}/_nicegui_ws/socket.io/?{query}', compression='deflate',
                                           additional_headers={'Cookie': cookies} if cookies else None,
                                           ping_interval=None, max_size=None, open_timeout=60)
        opening = await asyncio.wait_for(self.ws.recv(), 60)
        assert isinstance(opening, str) and opening.startswith('0'), opening
        await self.ws.send('40')
        while (answer := await asyncio.wait_for(self.ws.recv(), 60)) == '2':  # a busy server may ping first
            await self.ws.send('3')
        self.connected = isinstance(answer, str) and answer.startswith('40')
        if not self.connected:
            await self.ws.close()
        return self.connected

    async def _run(self) -> None:
        while True:
            await self._read()
            self.connected = False
            if self._closing:
                return
            self.drops += 1
            await asyncio.sleep(random.uniform(0.5, 1.5))  # socket.io-client's reconnection delay, randomised
            try:
                if not await self._connect():
                    self.reloads += 1  # nicegui.js reloads the page when the handshake fails
                    await self._load()
                    await self._connect()
            except (TimeoutError, OSError, websockets.WebSocketException, aiohttp.ClientError, RuntimeError):
                pass  # try again

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for data in self.ws:
                arrived = time.time()
                if not isinstance(data, str):
                    continue
                if data == '2':
                    await self.ws.send('3')
                    continue
                if not data.startswith('42'):
                    continue
                self.frames += 1
                self.frame_bytes += len(data)
                ids = MESSAGE_ID.findall(data)
                if ids:
                    self.next_message_id = max(self.next_message_id, int(ids[-1]) + 1)
                self.on_frame(self, arrived, data)
        except websockets.ConnectionClosed:
            pass


MESSAGE_ID = re.compile(r'"_id":(\d+)')


async def log_in(session: aiohttp.ClientSession, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login page: type both fields and click the button over the websocket, then fetch the
    page it sends the browser to, which completes the login over HTTP (a websocket cannot set the session cookie)."""
    target = await submit_form(session, f'{base_url}/login', {
        (lambda e: e.get('props', {}).get('label') == 'Username'): username,
        (lambda e: e.get('props', {}).get('label') == 'Password'): password,
    }, button='Log in', what=f'login of {username}')
    # not followed to the page it redirects to: a browser connects that page's socket, a simulated tab opens its own
    # pages later, and a page built but never connected is deleted by NiceGUI's prune 60 s on, all at once (it was
    # the follower's 0.3 s stalls in bench/processes.py lag: 500 dashboards built at login, pruned mid-round)
    async with session.get(urllib.parse.urljoin(base_url, target), allow_redirects=False) as response:
        response.raise_for_status()
        location = urllib.parse.urlsplit(response.headers.get('Location', '')).path
        if response.status != 303 or location == '/login':
            raise RuntimeError(f'login of {username} did not complete: answered {response.status}, sent to '
                               f'{location or "nowhere"}')


async def pair(session: aiohttp.ClientSession, base_url: str, code: str) -> None:
    """Pair this browser as a wall display through the kiosk's real pairing screen: type the lead's one-time code and
    click Pair; the server keeps the device token in this browser's user storage, as it does for a TV."""
    await submit_form(session, f'{base_url}/kiosk', {
        (lambda e: e.get('props', {}).get('placeholder') == 'ABCD-EF23'): code,
    }, button='Pair', what=f'pairing with {code}')


async def submit_form(session: aiohttp.ClientSession, url: str, fields: dict[Callable[[dict[str, Any]], bool], str],
                      *, button: str, what: str) -> str:
    """Fill a page's fields (each found by a predicate on its element) and click the button labelled ``button`` over
    the websocket, as a person does; returns where the page then sends the browser (the form succeeded)."""
    async with session.get(url) as response:
        html = await response.text()
    elements = page_elements(html)

    def listener(predicate: Callable[[dict[str, Any]], bool], event: str) -> tuple[int, str]:
        for element_id, element in elements.items():
            if predicate(element):
                return int(element_id), next(e['listener_id'] for e in element.get('events', []) if e['type'] == event)
        raise AssertionError(f'no element for {event} on {url} ({what})')

    inputs = [(listener(predicate, 'update:value'), value) for predicate, value in fields.items()]
    clicked = listener(lambda e: e['tag'] == 'q-btn' and e.get('props', {}).get('label') == button, 'click')
    frames: list[str] = []
    tab = SimTab(session, url, kind='form', on_frame=lambda _tab, _t, data: frames.append(data))
    await tab.open(html)
    for (element_id, listener_id), value in inputs:
        await tab.emit('event', {'id': element_id, 'client_id': tab.client_id, 'listener_id': listener_id,
                                 'args': [json.dumps(value)]})
    await tab.emit('event', {'id': clicked[0], 'client_id': tab.client_id, 'listener_id': clicked[1], 'args': []})
    deadline = time.monotonic() + 30
    while not (opened := [frame for frame in frames if frame.startswith('42["open"')]):
        if time.monotonic() > deadline:
            raise RuntimeError(f'{what} did not navigate: {frames[-3:]}')
        await asyncio.sleep(0.02)
    await tab.close()
    return json.loads(opened[0][2:])[1]['path']


# ---- scoring events and what the tabs saw of them ----------------------------------------------------------------


GROUP_SEPARATOR = '(?:,|\\.|\u00a0|\u202f|\\\\u00a0|\\\\u202f)'  # en, nl, fr/lv (raw or JSON-escaped)


@dataclass(kw_only=True, slots=True)
class Probe:
    """One scoring event, recognisable in a frame by its token: the agent's new total, which no one else shows; on a
    lead's live monitor (which shows no points), the agent's row with its new count of resolutions today."""
    number: int
    agent_id: int
    points: int
    handled: int | None = None  # the agent's resolutions today once this event is in, as the monitor shows them
    commit: float = 0.0
    frames: dict[str, list[float]] = field(default_factory=dict)  # tab kind -> arrival time at each tab
    pattern: re.Pattern[str] = field(init=False)
    monitor_pattern: re.Pattern[str] | None = field(init=False)

    def __post_init__(self) -> None:
        self.pattern = self.token
        # the monitor's agents table sends whole rows (all of them, or since issue 15's fan-out work the changed
        # ones): {"id": …, "name": …, …, "handled": …, …}
        self.monitor_pattern = None if self.handled is None else \
            re.compile(f'"id":{self.agent_id},[^{{}}]*?"handled":{self.handled}[,}}]')

    def pattern_for(self, kind: str) -> re.Pattern[str] | None:
        return self.monitor_pattern if kind == 'monitor' else self.pattern

    @property
    def text(self) -> str:
        return f'{self.points:,}'

    @property
    def token(self) -> re.Pattern[str]:
        """The total as a JSON string value (element ids are JSON strings too, but as keys: followed by a colon), its
        thousands grouped as any of the app's languages groups them ('1,234', '1 234', '1.234')."""
        groups = self.text.split(',')
        return re.compile('"' + GROUP_SEPARATOR.join(groups) + '"(?!:)')


class Floor:
    """The points on the board as the driver expects them, to pick events whose new total is unambiguous.

    Each event gives one agent 5 to 30 points such that the agent lands on the visible board and both the agent's new
    total and the team's new total are numbers the board has never shown in this run: a frame (or a screen) that
    shows the number can only be showing this event.
    """

    def __init__(self, agents: dict[int, int | None], *, seed: int = 1, shown: int = 10,
                 awards: tuple[int, ...] = (5, 10, 15, 20, 25, 30)) -> None:
        self.team_of = agents  # agent id -> team id
        self.points = {agent_id: 0 for agent_id in agents}
        self.teams = {team: 0 for team in agents.values() if team is not None}
        self.shown_before = {0}
        self.random = random.Random(seed)
        self.shown = shown
        self.awards = awards

    def pick(self) -> tuple[int, int, int]:
        """The agent, the points to give and the agent's new total."""
        ranked = sorted(self.points, key=lambda agent_id: -self.points[agent_id])
        # into the top half of the visible board: a few more events coalesced with it cannot push it off again
        threshold = self.points[ranked[min(self.shown // 2, len(ranked)) - 1]]
        options = []
        for agent_id in ranked[:self.shown * 3]:
            team = self.team_of[agent_id]
            for award in self.awards:
                new = self.points[agent_id] + award
                team_new = self.teams[team] + award if team is not None else None
                if new > threshold and new not in self.shown_before and team_new not in self.shown_before:
                    options.append((agent_id, award, new, team, team_new))
        if not options:
            raise RuntimeError('no unambiguous scoring event is left')
        agent_id, award, new, team, team_new = self.random.choice(options)
        self.points[agent_id] = new
        self.shown_before.add(new)
        if team is not None:
            self.teams[team] = team_new
            self.shown_before.add(team_new)
        return agent_id, award, new


class Tracker:
    """Matches frames to probes: the first frame at a tab that carries a probe's token.

    Kiosks and monitors redraw from a view recomputed once per burst of changes, so a view may carry several
    events at once and an agent scoring twice in one interval never shows the first total. For those ``cumulative``
    kinds, a frame carrying a probe also shows every earlier probe: its view was computed after this commit, hence
    after theirs (the app commits one event at a time), so their events are on that screen too.

    The boards are ranked once per burst too (at most every 100 ms): when the driver runs late it sends its events back
    to back, and an agent scoring twice within one ranking never shows the first total on any board either. So on a
    dashboard a frame carrying an agent's total also shows that agent's earlier probes (``superseded`` counts those
    pairs); it does not stand for other agents' probes, so a board message that never arrived still shows as missed.
    """

    def __init__(self, cumulative: Iterable[str] = ('kiosk', 'monitor')) -> None:
        self.probes: list[Probe] = []
        self.tabs: list[SimTab] = []
        self.cumulative = frozenset(cumulative)
        self.superseded: dict[str, int] = {}  # tab kind -> (probe, tab) pairs seen only through a later total
        self.arrivals: dict[tuple[str, str], list[tuple[int, float]]] = {}  # (kind, language) -> (probe, arrived)

    def watch(self, tab: SimTab) -> None:
        self.tabs.append(tab)

    def register(self, probe: Probe) -> None:
        self.probes.append(probe)
        for tab in self.tabs:
            tab.pending.append(probe.number)

    def on_frame(self, tab: SimTab, arrived: float, data: str) -> None:
        if not tab.pending:
            return
        seen = [number for number in tab.pending
                if (pattern := self.probes[number].pattern_for(tab.kind)) is not None and pattern.search(data)]
        if seen and tab.kind in self.cumulative:
            seen = [number for number in tab.pending if number <= seen[-1]]  # pending is in probe order
        elif seen:
            latest = {self.probes[number].agent_id: number for number in seen}  # in probe order: the last one wins
            shown = set(seen)
            seen = [number for number in tab.pending if number <= latest.get(self.probes[number].agent_id, -1)]
            if len(seen) > len(shown):
                self.superseded[tab.kind] = self.superseded.get(tab.kind, 0) + len(seen) - len(shown)
        arrivals = self.arrivals.setdefault((tab.kind, tab.language), [])
        for number in seen:
            self.probes[number].frames.setdefault(tab.kind, []).append(arrived)
            arrivals.append((number, arrived))
        if seen:
            done = set(seen)
            tab.pending = [number for number in tab.pending if number not in done]

    def latencies(self, kind: str) -> tuple[list[float], int, int]:
        """Commit-to-frame seconds at every tab of ``kind``, the (probe, tab) pairs missed, and the invalid ones."""
        tabs = sum(1 for tab in self.tabs if tab.kind == kind)
        values, missed, invalid = [], 0, 0
        for probe in self.probes:
            arrivals = probe.frames.get(kind, [])
            missed += tabs - len(arrivals)
            for arrived in arrivals:
                if arrived < probe.commit:
                    invalid += 1  # a frame before the commit cannot carry it: a token collision
                else:
                    values.append(arrived - probe.commit)
        return values, missed, invalid

    def latencies_by_language(self, kind: str) -> dict[str, list[float]]:
        """Commit-to-frame seconds at the tabs of ``kind``, per language their browser chose (the invalid left out):
        a language whose words are made or sent after the others' shows it here."""
        return {language: [arrived - self.probes[number].commit for number, arrived in arrivals
                           if arrived >= self.probes[number].commit]
                for (tab_kind, language), arrivals in self.arrivals.items() if tab_kind == kind}


# ---- real Chromium tabs ------------------------------------------------------------------------------------------

# In the page: when a board row's points cell shows a registered token, note the time, then the time of the next
# animation frame (the repaint that shows it). Times are wall-clock milliseconds, like the server's commit time.
OBSERVER = '''() => {
  window.__dq = {pending: new Map(), seen: []};
  const now = () => performance.timeOrigin + performance.now();
  const check = () => {
    if (!window.__dq.pending.size) return;
    const cells = new Set([...document.querySelectorAll('[data-testid=board-row]')]
      .map(row => row.lastElementChild && row.lastElementChild.textContent.trim()));
    for (const [token, number] of [...window.__dq.pending]) {
      if (!cells.has(token)) continue;
      window.__dq.pending.delete(token);
      const shown = now();
      requestAnimationFrame(() => setTimeout(() => window.__dq.seen.push([number, shown, now()]), 0));
    }
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true,
                                                      attributes: true});
}'''


class Browser:
    """A few real Chromium tabs, each logged in as an agent, that time when a probe becomes visible."""

    def __init__(self) -> None:
        self.playwright: Any = None
        self.browser: Any = None
        self.pages: list[Any] = []

    async def start(self, base_url: str, usernames: Iterable[str]) -> None:
        from playwright.async_api import async_playwright
        self.playwright = await async_playwright().start()
        self.browser = await self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for username in usernames:
            context = await self.browser.new_context(viewport={'width': 1440, 'height': 900})
            page = await context.new_page()
            await page.goto(f'{base_url}/login')
            await page.get_by_label('Username').fill(username)
            await page.get_by_label('Password').fill(PASSWORD)
            await page.get_by_role('button', name='Log in').click()
            await page.wait_for_url(f'{base_url}/')
            await page.get_by_test_id('board-row').first.wait_for()
            await page.evaluate(OBSERVER)
            self.pages.append(page)

    async def register(self, probe: Probe) -> None:
        await asyncio.gather(*(page.evaluate('([token, number]) => window.__dq.pending.set(token, number)',
                                             [probe.text, probe.number]) for page in self.pages))

    async def seen(self) -> list[tuple[int, float, float]]:
        rows: list[tuple[int, float, float]] = []
        for page in self.pages:
            seen = await page.evaluate('window.__dq.seen')
            rows += [(int(number), shown / 1000, painted / 1000) for number, shown, painted in seen]
        return rows

    async def stop(self) -> None:
        if self.browser is not None:
            await self.browser.close()
        if self.playwright is not None:
            await self.playwright.stop()


# ---- figures -----------------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float('nan')
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return '—' if seconds != seconds else f'{seconds * 1000:.0f} ms'


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float('nan')


def ratio(current: float, baseline: float) -> str:
    if not baseline or baseline != baseline or current != current:
        return ''
    return f'{current / baseline:.2f}×'


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table, so the output can go into docs/PERFORMANCE.md as it is."""
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join('---' for _ in headers) + '|']
    lines += ['| ' + ' | '.join(str(cell) for cell in row) + ' |' for row in rows]
    return '\n'.join(lines)


async def measure_each(found: Iterable[Variant], measure: Callable[[Variant], Any],
                       only: str | None = None) -> list[dict[str, Any]]:
    """Measure each variant in turn; one that cannot be measured (the baseline collapsing under the load) is reported
    and skipped, so the others still print their figures."""
    results = []
    for variant in found:
        if only and variant.name != only:
            continue
        print(f'measuring {variant.name} ({variant.root}) …', flush=True)
        try:
            results.append(await measure(variant))
        except Exception as error:  # noqa: BLE001 - any failure of one variant is a finding, not a crash
            print(f'{variant.name} could not be measured: {type(error).__name__}: {error}', flush=True)
    if not results:
        raise SystemExit('no variant could be measured')
    return results


async def gather_limited(coroutines: Iterable[Any], limit: int) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def run(coroutine: Any) -> Any:
        async with semaphore:
            return await coroutine
    return await asyncio.gather(*(run(coroutine) for coroutine in coroutines))


async def acknowledge_forever(tabs: list[SimTab], period: float = 3.0) -> None:
    """Each tab acknowledges every 3 s as ``nicegui.js`` does, the tabs spread over the period as real ones are."""
    while True:
        current = list(tabs)
        if not current:
            await asyncio.sleep(period)
        for tab in current:
            await asyncio.sleep(period / len(current))
            try:
                await tab.ack()
            except websockets.ConnectionClosed:
                pass



class TabPool:
    """A benchmark's simulated people and tabs: one connector, a cookie jar per session, the tabs opened, and the
    task acknowledging for them; :meth:`close` tears all of it down, and stops the servers, whatever failed."""

    def __init__(self) -> None:
        self.connector = aiohttp.TCPConnector(limit=0, force_close=True)  # no races with servers closing keep-alives
        self.sessions: list[aiohttp.ClientSession] = []
        self.tabs: list[SimTab] = []
        self.acknowledging: asyncio.Task | None = None

    def session(self) -> aiohttp.ClientSession:
        """A new person: a session with a cookie jar of its own on the shared connector."""
        self.sessions.append(aiohttp.ClientSession(connector=self.connector, connector_owner=False,
                                                   cookie_jar=aiohttp.CookieJar(unsafe=True)))
        return self.sessions[-1]

    def acknowledge(self) -> None:
        """Start acknowledging for every tab in :attr:`tabs` (opened: a tab not yet open has nothing to ack)."""
        self.acknowledging = asyncio.get_running_loop().create_task(acknowledge_forever(self.tabs))

    async def close(self, servers: Iterable[Server] = ()) -> None:
        if self.acknowledging is not None:
            self.acknowledging.cancel()
        await asyncio.gather(*(tab.close() for tab in self.tabs), return_exceptions=True)
        for session in self.sessions:
            await session.close()
        await self.connector.close()
        for server in servers:
            stop_server(server)

def machine() -> str:
    memory = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30
    model = ''
    try:
        model = next(line.split(':', 1)[1].strip() for line in Path('/proc/cpuinfo').read_text().splitlines()
                     if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return f'{os.cpu_count()} CPUs ({model}), {memory:.0f} GiB, Python {sys.version.split()[0]}'
