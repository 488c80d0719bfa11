"""The garbage collector's policy for a server that keeps many tabs open.

``install(app)`` is called once from ``main.py``: it applies the element-cycle fix (``element_cycles.py``) and tunes
the garbage collector once the services have started. Nothing here imports NiceGUI pages or the models. The benchmark
hooks (HTTP endpoints, the stall monitor, the profilers) live in ``bench/hooks.py``, loaded by the benchmark server
only.
"""
import asyncio
import gc
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from services.platform.element_cycles import break_element_cycles
from services.platform.tasks import start_task

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)

# The tab collector runs the collector itself ten times a second (what survived is then frozen: a tab's state lives all
# day), and collects the frozen objects too when it is worth it: when ten times as many tabs have closed as are open,
# when few tabs are open (a full collection is then cheap), or when memory grew a lot since the last time.
COLLECT_INTERVAL = 0.1
# A closed tab leaves about 380 objects in cycles (tens of KiB), while a full collection with 500 tabs open stalls
# every tab for 2 s or more: at one closed tab per open tab, the floor's own morning log-ins (each login page is a tab
# that closes) stalled it (4.7 s seen in the fan-out benchmark with a boss fight). Memory growth still forces it.
CLOSED_SHARE = 10.0
CHEAP_TABS = 10
GROWTH_LIMIT = 256 * 2 ** 20  # bytes of resident memory since the last full collection …
GROWTH_SHARE = 0.5  # … and this share of what it was then
# … not counting what the tabs opened since then may hold (0.85 MiB each, measured): opening the floor's 500 tabs in the
# morning is not garbage, yet it grew memory enough to trigger a full collection (a 1-s stall) halfway through
TAB_ALLOWANCE = 2 * 2 ** 20
# CPython's own collections stay on as a safety net for a burst of allocations between two ticks
THRESHOLDS = (100_000, 10, 10)


def install(app: 'FastAPI') -> None:
    """Break deleted elements' reference cycles now; tune the collector once the services have started."""
    if getattr(app.state, 'deskquest_tuning', False):
        return  # main.py may run again in the same process (NiceGUI's test fixtures do)
    app.state.deskquest_tuning = True
    break_element_cycles()
    after_start(app, lambda: tune_gc(app))


def tune_gc(app: 'FastAPI') -> None:
    """Keep start-up objects and the state of open tabs out of the collector's scans; collect when tabs close.

    CPython's full collection walks every tracked object, and every open tab keeps thousands (elements, their props,
    the socket's protocol objects), so with hundreds of tabs open a full collection stalls every tab for a second.
    Its young collections are no bargain either: every open socket keeps timers and tasks alive for a few seconds
    (NiceGUI's outbox wakes once a second per tab, Engine.IO waits for the next ping), so each young collection walks
    tens of thousands of live objects, from inside whichever callback allocated the object that tripped it.

    So start-up objects are frozen once, and :class:`TabCollector` collects ten times a second from its own task, then
    freezes whatever survived: every collection walks a tenth of a second's worth of objects, whatever the number of
    open tabs. Frozen objects are still freed as soon as nothing refers to them; only cycles among them wait, and
    closed tabs leave a few behind: see :func:`full_collection_due` for when everything is unfrozen and collected.

    Skipped under NiceGUI's simulated users: every test would freeze the previous test's garbage for good.
    ``DESKQUEST_GC`` overrides it for measurements: ``off`` (CPython's defaults), ``freeze`` (freeze start-up only),
    ``tabs`` (the default), each optionally followed by thresholds, e.g. ``tabs,10000,10,10``.
    """
    if os.environ.get('NICEGUI_USER_SIMULATION') or gc.get_freeze_count():
        return
    mode, *thresholds = [part for part in os.environ.get('DESKQUEST_GC', 'tabs').strip().lower().split(',') if part] \
        or ['tabs']
    if mode == 'off':
        return
    gc.collect()
    gc.freeze()
    if thresholds or mode == 'tabs':
        gc.set_threshold(*(int(threshold) for threshold in thresholds) if thresholds else THRESHOLDS)
    if mode == 'tabs':
        app.state.tab_collector = TabCollector(float(os.environ.get('DESKQUEST_GC_INTERVAL', COLLECT_INTERVAL)))
        app.state.tab_collector.start(app)
    log.info('garbage collector tuned (%s): thresholds %s', mode, gc.get_threshold())


class TabCollector:
    """Collects ten times a second and freezes the survivors; collects the frozen objects when it is worth it."""

    def __init__(self, interval: float = COLLECT_INTERVAL) -> None:
        self.interval = interval
        self.closed = 0
        self.closed_total = 0
        self.rss_at_full = _rss_bytes()
        self.clients: dict[str, Any] = {}  # NiceGUI's, once started
        self.tabs_at_full = 0
        self.full_collections: list[tuple[float, float]] = []  # (seconds it took, wall-clock time) per collection
        self._task: asyncio.Task | None = None

    def start(self, app: Any) -> None:
        from nicegui import Client
        self.clients = Client.instances
        app.on_delete(self._closed)
        self._task = start_task(self._watch(), name='tab collector')  # kept: a task nobody holds may be collected

    def _closed(self) -> None:
        self.closed += 1
        self.closed_total += 1

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            if full_collection_due(closed=self.closed, open_tabs=len(self.clients), rss=_rss_bytes(),
                                   rss_at_full=self.rss_at_full, tabs_at_full=self.tabs_at_full):
                self.collect_all()
            else:
                gc.collect()  # walks only what is not frozen: what survived since the last tick
                gc.freeze()

    def collect_all(self) -> None:
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.full_collections.append((time.perf_counter() - started, time.time()))
        self.closed = 0
        self.rss_at_full = _rss_bytes()
        self.tabs_at_full = len(self.clients)


def full_collection_due(*, closed: int, open_tabs: int, rss: int, rss_at_full: int,
                        tabs_at_full: int) -> bool:
    """Whether to collect the frozen objects too: a full collection walks every open tab's state (about 2 s with 500
    tabs open on our machine), so it waits until the garbage is worth that (ten closed tabs per open one, or memory
    grown by half), or until it is cheap.

    Frozen objects are freed by reference counting like any other; only cycles among them wait for this. With
    :func:`break_element_cycles` a closed tab leaves a few hundred such objects (its socket's and session's), a small
    fraction of an open tab's, so waiting until ten times as many tabs have closed as are open costs little memory.
    """
    if closed and open_tabs <= CHEAP_TABS:
        return True
    if closed and closed >= CLOSED_SHARE * open_tabs:
        return True
    growth = rss - rss_at_full - TAB_ALLOWANCE * max(0, open_tabs - tabs_at_full)
    return growth > max(GROWTH_LIMIT, GROWTH_SHARE * rss_at_full)


def after_start(app: 'FastAPI', callback: Any) -> None:
    """Run ``callback`` inside the app's lifespan once everything ``main.py`` starts there has started."""
    router = app.router
    inner = router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            callback()
            yield state
    router.lifespan_context = lifespan


def _rss_bytes() -> int:
    with open('/proc/self/statm') as statm:
        return int(statm.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
