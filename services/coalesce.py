"""Coalescing: a burst of changes produces one broadcast, ``delay`` seconds after the burst's first change."""
import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class Coalescer:
    def __init__(self, flush: Callable[[], None], *, delay: float) -> None:
        self.flush = flush
        self.delay = delay
        self._task: asyncio.Task | None = None

    def poke(self) -> None:
        """Note a change; the flush runs once per burst (works with or without NiceGUI running)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f'coalesce {self.flush}')

    async def settle(self) -> None:
        """Wait until a pending flush has run (for shutdown and tests)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        await asyncio.sleep(self.delay)
        try:
            self.flush()
        except Exception:
            log.exception('broadcast failed')
