"""Coalescing: a burst of changes produces one broadcast, and broadcasts never come closer than ``interval``.

With ``delay=0`` a change is broadcast on the next turn of the event loop (all outcomes of one commit together), so a
quiet floor sees each event at once; under a burst (the simulator at 3600×) changes pile up for at most ``interval``
and go out together, which bounds the fan-out work per second however fast events arrive.

Views shown live on many screens that several services feed (the lead's monitor, the wall displays) wait
:data:`LIVE_TURNS` more turns of the loop after a change, so the other services' own next-turn flushes of the same
commit (the ranking, the trophies, the quests) have run and one commit makes one recompute; and they recompute at most
once per :data:`LIVE_INTERVAL` under a burst. They used to wait a fixed 50 ms for that, which was most of the wall
displays' and monitors' event-to-screen time (their median 50 ms above the boards').
"""
import asyncio
import logging
import time
from collections.abc import Callable

from services.platform.tasks import start_task

log = logging.getLogger(__name__)
LIVE_TURNS = 3  # the services' flushes take two turns from a commit, a queued quest step one or two more
LIVE_INTERVAL = 0.1


class Coalescer:
    def __init__(self, flush: Callable[[], None], *, delay: float, interval: float = 0.0, turns: int = 0) -> None:
        """:param turns: more turns of the loop to wait once the delay is over, for other next-turn flushes to run"""
        self.flush = flush
        self.delay = delay
        self.interval = interval
        self.turns = turns
        self._task: asyncio.Task | None = None
        self._last_flush = float('-inf')

    def poke(self) -> None:
        """Note a change; the flush runs once per burst (works with or without NiceGUI serving)."""
        if self._task is None or self._task.done():
            self._task = start_task(self._run(), name=f'coalesce {self.flush}')

    async def settle(self) -> None:
        """Wait until a pending flush has run (for shutdown and tests)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        await asyncio.sleep(max(self.delay, self._last_flush + self.interval - time.monotonic()))
        for _ in range(self.turns):
            await asyncio.sleep(0)
        self._last_flush = time.monotonic()
        try:
            self.flush()
        except Exception:
            log.exception('broadcast failed')
