"""The benchmark server's hooks: endpoints under ``/_bench``, a monitor of event-loop stalls, and profilers.

Loaded by ``bench/_serve.py`` only, never by the app: ``install(app, services)`` adds them to the app it serves. The
same file measures every checkout a benchmark compares (this one, or a baseline exported from git, from before or after
``services/`` was split into layers), so it imports nothing of the app at module level, finds the event types under
either layout, and leaves the checkout's own collector policy (if it has one) to run as it ships.
"""
import asyncio
import gc
import importlib
import itertools
import os
import re
import resource
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from services.container import Services

STALL_TICK = 0.005
STALL_SAMPLE = 0.1  # a stall this long has the loop's stack sampled, and again every as long
STACK_FRAMES = 25
HELD = 0.03  # a stall this long is attributed: the task or callback holding the loop is sampled every HELD_SAMPLE
HELD_SAMPLE = 0.01
MAX_SAMPLES = 200
# the benchmark's resolutions: points -> (minutes to resolve, customer messages); all on time (+5), fast (+10) when
# under an hour, first contact (+5) with one customer message
RESOLUTION_DATA = {5: (90, 2), 10: (90, 1), 15: (30, 2), 20: (30, 1)}
FILE_NAME = re.compile(r'[A-Za-z0-9_.-]{1,100}')  # what a file the hooks write may be called: no separators


@dataclass(kw_only=True, slots=True)
class Pauses:
    """The longest and the total of one kind of pause, with a histogram of their lengths in milliseconds."""
    count: int = 0
    total: float = 0.0
    longest: float = 0.0
    histogram: dict[str, int] = field(default_factory=dict)
    worst: list[tuple[float, float, int]] = field(default_factory=list)  # the five longest: (seconds, end, collected)

    def add(self, seconds: float, collected: int = 0) -> None:
        self.count += 1
        self.total += seconds
        self.longest = max(self.longest, seconds)
        if len(self.worst) < 5 or seconds > self.worst[-1][0]:
            self.worst = sorted([*self.worst, (seconds, time.time(), collected)], reverse=True)[:5]
        bucket = next((f'<{limit}ms' for limit in (1, 5, 10, 20, 50, 100, 200, 500) if seconds * 1000 < limit),
                      '>=500ms')
        self.histogram[bucket] = self.histogram.get(bucket, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {'count': self.count, 'total_ms': round(self.total * 1000, 2),
                'longest_ms': round(self.longest * 1000, 2), 'histogram': self.histogram,
                'worst': [(round(seconds * 1000, 1), at, collected) for seconds, at, collected in self.worst]}


class StallMonitor:
    """Measures event-loop stalls as the overshoot of a short sleep, and garbage-collection pauses via ``gc.callbacks``.

    A stall is whatever kept the loop from running this task on time: a long callback, a slow page build, or a
    collection (the collector runs inside whichever callback allocated the object that tripped the threshold).
    """

    def __init__(self) -> None:
        self.stalls = Pauses()
        self.collections: dict[int, Pauses] = {0: Pauses(), 1: Pauses(), 2: Pauses()}
        self.samples: list[dict[str, Any]] = []  # what the loop was running during long stalls (see _sample)
        self.held: dict[str, list[float]] = {}  # what held the loop (see _attribute) -> [samples, longest stall in s]
        self._gc_started = 0.0
        self._beat = time.perf_counter()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.get_running_loop().create_task(self._watch(), name='stall monitor')
        threading.Thread(target=self._sample, args=(threading.get_ident(),), name='stall sampler', daemon=True).start()

    def held_by(self) -> list[dict[str, Any]]:
        """What held the loop in stalls of at least ``HELD``: the outermost frame of the task or callback running
        (its entry point, as asyncio's debug mode names a slow callback) and the innermost frame of the app's own code,
        sampled every ``HELD_SAMPLE``: ``ms`` is about the time it held the loop in such stalls."""
        return sorted(({'where': where, 'ms': round(samples * HELD_SAMPLE * 1000),
                        'longest_stall_ms': round(longest * 1000)}
                       for where, (samples, longest) in list(self.held.items())), key=lambda row: -row['ms'])

    def reset(self) -> None:
        self.held = {}
        self.stalls = Pauses()
        self.collections = {0: Pauses(), 1: Pauses(), 2: Pauses()}
        self.samples = []

    def as_dict(self) -> dict[str, Any]:
        return {'stalls': self.stalls.as_dict(), 'held_by': self.held_by(),
                'gc': {str(generation): pauses.as_dict() for generation, pauses in self.collections.items()}}

    async def _watch(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(STALL_TICK)
            self._beat = time.perf_counter()
            self.stalls.add(max(0.0, self._beat - started - STALL_TICK))

    def _sample(self, loop_thread: int) -> None:
        """From a thread of its own: while the loop has not ticked for ``STALL_SAMPLE``, note the loop thread's stack
        every ``STALL_SAMPLE`` (the innermost frames, as ``file:line function``): where the long stalls are spent."""
        last_sampled = 0.0
        while True:
            time.sleep(HELD_SAMPLE)
            beat, now = self._beat, time.perf_counter()
            if now - beat >= HELD:
                frame = sys._current_frames().get(loop_thread)  # pylint: disable=protected-access
                if frame is not None:
                    self._attribute(frame, now - beat)
            if now - beat >= STALL_SAMPLE and now - last_sampled >= STALL_SAMPLE:
                frame = sys._current_frames().get(loop_thread)  # pylint: disable=protected-access
                if frame is not None:
                    stack = [f'{summary.filename}:{summary.lineno} {summary.name}'
                             for summary in traceback.extract_stack(frame)[-STACK_FRAMES:]]
                    self.samples.append({'at': time.time(), 'stalled_ms': round((now - beat) * 1000), 'stack': stack})
                    del self.samples[:-MAX_SAMPLES]
                last_sampled = now

    def _attribute(self, frame: Any, stalled: float) -> None:
        entry, own = None, None  # walked by hand: no source lines read while the loop waits for the GIL
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.endswith(('asyncio/runners.py', 'asyncio/events.py')):
                break
            if own is None and '/site-packages/' not in filename and '/lib/python3' not in filename \
                    and not filename.endswith('hooks.py'):
                own = frame
            entry, frame = frame, frame.f_back
        where = f'{_short(entry)} … {_short(own)}'
        samples, longest = self.held.get(where, (0, 0.0))
        self.held[where] = [samples + 1, max(longest, stalled)]

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == 'start':
            self._gc_started = time.perf_counter()
        else:
            self.collections[info['generation']].add(time.perf_counter() - self._gc_started, info['collected'])


def install(app: 'FastAPI', services: 'Services', *, output: Path) -> None:
    """Benchmark-only endpoints: record a scoring event, read process figures, reset the stall monitor, and find where
    time and memory go (allocation sites, observed props per page, the loop's stack during stalls, CPU profiles).
    ``output`` is the only directory the endpoints write to.

    The scoring event is written exactly as the app writes one (the single writer's unit of work, one transaction,
    the projections stored, the outcome published after commit); the response carries the commit's wall-clock time so
    a benchmark can measure commit to frame, and commit to repaint, against the same clock.
    """
    from nicegui import Client  # imported here: the pure parts of this module must not need NiceGUI
    events = _events_module()

    monitor = StallMonitor()
    after_start(app, monitor.start)
    conversation_ids = itertools.count(2_000_000_000)

    @app.post('/_bench/score')
    async def score(agent_id: int, points: int = 10) -> dict[str, Any]:
        """Points for an agent in one transaction: a resolution (5, 10, 15 or 20 points), plus a good rating for more.

        The benchmarks vary the points so that each event gives its agent a total no other number on the board shows.
        """
        if points not in RESOLUTION_DATA and points - 10 not in RESOLUTION_DATA:
            raise ValueError(f'cannot award {points} points in one resolution and one rating')
        resolution = points if points in RESOLUTION_DATA else points - 10
        handle_minutes, inbound_count = RESOLUTION_DATA[resolution]
        now = services.clock.now()
        committed: list[float] = []
        async with services.game.unit_of_work() as work:
            conversation_id = next(conversation_ids)  # no such conversation: a reopen can never claw these back
            # e-mail: the demo's incentive doubles chat points every afternoon, and the totals must be the expected ones
            event = await work.record(
                events.EventKind.RESOLVED, agent_id=agent_id, conversation_id=conversation_id, data={
                    'channel': 'email', 'created_at': (now - timedelta(minutes=handle_minutes)).isoformat(),
                    'sla_due_at': (now + timedelta(hours=4)).isoformat(), 'inbound_count': inbound_count})
            if resolution != points:
                event = await work.record(events.EventKind.RATED, agent_id=agent_id,
                                          conversation_id=conversation_id, data={'rating': 'good'})
            work.after_commit(lambda: committed.append(time.time()))
        return {'commit': committed[0], 'event_id': event.id}

    @app.post('/_bench/resolve')
    async def resolve(agent_id: int, customer_id: int = 1) -> dict[str, Any]:
        """The whole way to points: a customer writes in, the agent replies, then resolves (three transactions)."""
        agent = services.directory.agent(agent_id)
        assert agent is not None
        conversation_id = await services.inbox.create_conversation(
            customer_id=customer_id, channel=events.Channel.CHAT, subject='Benchmark',
            body='Hello, can you help me?')
        await services.inbox.reply(agent, conversation_id, 'Sure, done.')
        await services.inbox.resolve(agent, conversation_id)
        return {'commit': time.time(), 'conversation_id': conversation_id}

    @app.post('/_bench/display')
    async def display(name: str, slide_seconds: int = 20, language: str | None = None) -> dict[str, Any]:
        """A wall display for the whole floor, every slide, set up by the floor's first lead as /admin/displays does
        (in ``language``, else the floor's); the answer carries its one-time pairing code, which a benchmark kiosk
        types into the pairing screen (the real path from there on). A checkout from before pairing answers no code:
        its ``/kiosk`` shows the floor at once."""
        displays = getattr(services, 'displays', None)
        if displays is None:
            return {'id': None, 'code': None}
        lead = next(agent for agent in services.directory.agents.values() if agent.is_lead)
        slides = [slide.value for slide in importlib.import_module('services.domain.displays').Slide]
        chosen = {'language': language} if language is not None else {}  # a checkout before issue 16 takes none
        view, code = await displays.create(lead, name=name, team_ids=[], slides=slides,
                                           slide_seconds=slide_seconds, **chosen)
        return {'id': view.id, 'code': code}

    @app.post('/_bench/boss_off')
    async def boss_off() -> dict[str, Any]:
        """No boss woken by the queue (the default wakes one at a long queue): its victory award, when the benchmark's
        events beat it, would move the totals the benchmark expects, so a benchmark's fights are only those it starts.
        A checkout from before the boss answers False."""
        service = getattr(services, 'boss', None)
        if service is None:
            return {'off': False}
        lead = next(agent for agent in services.directory.agents.values() if agent.is_lead)
        settings = service.settings
        await service.save_settings(lead, automatic=False, threshold=settings.threshold, minutes=settings.minutes)
        return {'off': True}

    @app.post('/_bench/boss')
    async def boss(health: int = 1_000_000, days: int = 30) -> dict[str, Any]:
        """A queue boss fight started by the floor's first lead, as /admin/game does, but with a health no benchmark
        beats and a deadline no benchmark reaches: every dashboard and kiosk shows its bar while the events hit it, and
        no victory award changes the totals the benchmark expects. A checkout from before the boss answers no number."""
        service = getattr(services, 'boss', None)
        if service is None:
            return {'number': None, 'name': None}
        start_data = importlib.import_module('services.domain.boss').start_data
        lead = next(agent for agent in services.directory.agents.values() if agent.is_lead)
        async with services.game.unit_of_work() as work:
            data = start_data(service.book, waiting=health, now=work.moment(), reason='lead', by=lead.id)
            data['deadline'] = (work.moment() + timedelta(days=days)).isoformat()
            await work.record(events.EventKind.BOSS_STARTED, agent_id=lead.id, key=f'boss_started:{data["number"]}',
                              data=data)
        return {'number': data['number'], 'name': data['name']}

    @app.post('/_bench/webhooks')
    async def webhooks(group_commit: bool = True) -> dict[str, Any]:
        """A Chatwoot connection for bench/webhooks.py, with its URL and secret (as ``connect`` prints them), and the
        connection service set to commit deliveries together or one transaction each. A checkout from before the
        connected helpdesks answers no URL."""
        connections = getattr(services, 'connections', None)
        if connections is None:
            return {'url_path': None, 'secret': None}
        connections.group_commit = group_commit
        made = await connections.connect('chatwoot', f'Bench {next(conversation_ids)}')
        synchronous = None  # PostgreSQL's commits are durable without asking
        if services.settings.db_url.startswith('sqlite'):
            from tortoise import Tortoise
            _, rows = await Tortoise.get_connection('default').execute_query('PRAGMA synchronous')
            synchronous = rows[0][0]
        return {'url_path': made.connection.url_path, 'secret': made.secret, 'synchronous': synchronous}

    @app.get('/_bench/monitor')
    async def monitor_handled() -> dict[str, Any]:
        """Each agent's resolutions today as the lead's live monitor shows them (``handled``: None without a
        monitor), so a benchmark can tell which monitor frame shows its next resolution."""
        monitor = getattr(services, 'monitor', None)
        if monitor is None:
            return {'handled': None}
        return {'handled': {str(row.agent_id): row.handled for row in monitor.view.agents}}

    @app.get('/_bench/floor')
    async def floor() -> list[dict[str, Any]]:
        return [{'id': agent.id, 'username': agent.username, 'name': agent.name, 'role': agent.role,
                 'team_id': agent.team_id} for agent in services.directory.agents.values()]

    @app.get('/_bench/stats')
    async def stats(objects: bool = False, collect: bool = False) -> dict[str, Any]:
        collected = None
        if collect:
            started = time.perf_counter()
            collected = {'objects': gc.collect(), 'ms': round((time.perf_counter() - started) * 1000, 2)}
        clients = list(Client.instances.values())
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            'time': time.time(),
            'clients': len(clients),
            'connected': sum(1 for client in clients if client.has_socket_connection),
            'elements': sum(len(client.elements) for client in clients),
            'rss': _rss_bytes(),
            'cpu': usage.ru_utime + usage.ru_stime,
            # gc.get_freeze_count() walks the list of frozen objects: with hundreds of tabs open it stalls the loop
            'collector': {'counts': gc.get_count(), 'thresholds': gc.get_threshold(),
                          'frozen': gc.get_freeze_count() if objects else None,
                          'tracked': len(gc.get_objects()) if objects else None, 'collected': collected,
                          'generations': [len(gc.get_objects(generation)) for generation in range(3)] if objects
                          else None,
                          'tab_collections': [(round(seconds * 1000, 1), at) for seconds, at in
                                              getattr(getattr(app.state, 'tab_collector', None),
                                                      'full_collections', [])],
                          'tabs_closed': getattr(getattr(app.state, 'tab_collector', None), 'closed_total', None)},
            **monitor.as_dict(),
        }

    @app.post('/_bench/full_collection')
    async def full_collection() -> dict[str, Any]:
        """One collection of everything, frozen objects included: what a full collection costs with the tabs open."""
        collector = getattr(app.state, 'tab_collector', None)
        started = time.perf_counter()
        if collector is not None:
            collector.collect_all()
        else:
            gc.collect()
        return {'ms': round((time.perf_counter() - started) * 1000, 1)}

    @app.post('/_bench/young')
    async def young(generation: int = 0, types: int = 0) -> dict[str, Any]:
        """Time one collection of the young generations, and how many objects it walked (of which types)."""
        size = sum(len(gc.get_objects(young)) for young in range(generation + 1))
        kinds: dict[str, int] = {}
        if types:
            for thing in gc.get_objects(0):
                name = f'{type(thing).__module__}.{type(thing).__qualname__}'
                kinds[name] = kinds.get(name, 0) + 1
            kinds = dict(sorted(kinds.items(), key=lambda item: -item[1])[:types])
        started = time.perf_counter()
        collected = gc.collect(generation)
        return {'objects': size, 'collected': collected, 'ms': round((time.perf_counter() - started) * 1000, 2),
                'types': kinds}

    @app.get('/_bench/garbage')
    async def garbage(top: int = 40, frozen: bool = False) -> dict[str, int]:
        """Collect with ``DEBUG_SAVEALL`` and count the unreachable objects by type: what only the collector frees
        (with ``frozen``: the frozen objects too, i.e. what waits for the next full collection)."""
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            if frozen:
                gc.unfreeze()
            gc.collect()
            if frozen:
                gc.freeze()
            counts: dict[str, int] = {}
            for thing in gc.garbage:
                name = f'{type(thing).__module__}.{type(thing).__qualname__}'
                counts[name] = counts.get(name, 0) + 1
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        return dict(sorted(counts.items(), key=lambda item: -item[1])[:top])

    allocations: list[Any] = []

    @app.post('/_bench/allocations')
    async def allocation_sites(top: int = 30, group: str = 'lineno') -> dict[str, Any]:
        """Where memory went since the last call, by allocation site (``group``: lineno, filename or traceback); the
        server must run with ``PYTHONTRACEMALLOC=N`` (N frames per allocation). The first call only marks the start."""
        import tracemalloc
        if not tracemalloc.is_tracing():
            return {'error': 'start the server with PYTHONTRACEMALLOC=N to trace allocations'}
        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        if not allocations:
            allocations.append(snapshot)
            return {'marked': True}
        differences = snapshot.compare_to(allocations.pop(), group)
        return {'total': sum(difference.size_diff for difference in differences),
                'sites': [{'size': difference.size_diff, 'count': difference.count_diff,
                           'where': [str(frame) for frame in difference.traceback]}
                          for difference in differences[:top]]}

    @app.get('/_bench/observed')
    async def observed(top: int = 40) -> dict[str, Any]:
        """The observed dicts and lists (NiceGUI wraps every one put in an element's props, a copy per tab) per open
        page, by element type and prop: what a tab's memory holds beyond its elements."""
        from nicegui.observables import ObservableCollection
        counts: dict[str, int] = {}

        def count(value: Any, where: str) -> None:
            if isinstance(value, ObservableCollection):
                counts[where] = counts.get(where, 0) + 1
                for item in value.values() if isinstance(value, dict) else value:
                    count(item, where)
        pages = [client for client in Client.instances.values() if client.has_socket_connection]
        for client in pages:
            for element in client.elements.values():
                for key, value in element._props.items():  # pylint: disable=protected-access
                    count(value, f'{type(element).__name__}.{key}')
        per_page = {where: round(total / max(1, len(pages)), 1) for where, total in counts.items()}
        return {'pages': len(pages), 'per_page': dict(sorted(per_page.items(), key=lambda item: -item[1])[:top])}

    @app.get('/_bench/stall_samples')
    async def stall_samples() -> list[dict[str, Any]]:
        """The loop's stack sampled during each stall of at least ``STALL_SAMPLE`` since the last reset."""
        return monitor.samples

    @app.post('/_bench/reset')
    async def reset() -> dict[str, bool]:
        monitor.reset()
        return {'ok': True}

    profiler: list[Any] = []

    @app.post('/_bench/profile')
    async def profile(name: str = 'profile') -> dict[str, Any]:
        """Start a cProfile run, or stop it and write its statistics to the file ``name`` in the output directory (for
        finding where the CPU goes); the answer carries the path written. Any name that is not a plain file name is
        refused, so a caller cannot choose where the server writes."""
        import cProfile
        if not profiler:
            profiler.append(cProfile.Profile())
            profiler[0].enable()
            return {'ok': True}
        path = output_file(output, name)  # checked before the profiler is stopped: a refused name keeps the run
        profiler[0].disable()
        output.mkdir(parents=True, exist_ok=True)
        profiler.pop().dump_stats(path)
        return {'ok': True, 'path': str(path)}


def _short(frame: Any) -> str:
    if frame is None:
        return '(library)'
    return f'{"/".join(frame.f_code.co_filename.split("/")[-2:])}:{frame.f_lineno} {frame.f_code.co_name}'


def after_start(app: 'FastAPI', callback: Callable[[], Any]) -> None:
    """Run ``callback`` inside the app's lifespan once everything ``main.py`` starts there has started.

    A copy of the collector's own helper: a baseline checkout may have no collector module to borrow it from.
    """
    router = app.router
    inner = router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            callback()
            yield state
    router.lifespan_context = lifespan


def output_file(output: Path, name: str) -> Path:
    """The file ``name`` directly inside ``output``; anything else (a path, ``..``, a hidden file) is refused."""
    from fastapi import HTTPException
    if not FILE_NAME.fullmatch(name) or name.startswith('.'):
        raise HTTPException(status_code=400, detail=f'not a plain file name: {name!r}')
    return output / name


def _events_module() -> ModuleType:
    """The checkout's event types: ``services/domain/events.py`` since the layers, ``services/events.py`` before."""
    try:
        return importlib.import_module('services.domain.events')
    except ModuleNotFoundError as error:
        if error.name not in ('services.domain', 'services.domain.events'):
            raise  # the module is there but something it imports is not
        return importlib.import_module('services.events')


def _rss_bytes() -> int:
    with open('/proc/self/statm') as statm:
        return int(statm.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
