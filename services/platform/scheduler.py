"""The periodic checks: the routing sweep, the automation's time rules and the SLA escalations, run in turn every few
real seconds against the injected clock. On several processes (PostgreSQL) the steps that write are wrapped by the
sweep's lease (``Lease.guard``, services/platform/leases.py): only its holder runs them."""
import asyncio
import logging
from collections.abc import Awaitable, Callable

from services.platform.clock import Clock
from services.platform.tasks import start_task

log = logging.getLogger(__name__)


class Scheduler:
    """Run its steps (the routing sweep, time rules, SLA escalations) in turn, every few real seconds by the clock.

    Under an accelerated clock it runs them more often, so a round never spans more than about 30 simulated seconds
    when it can help it (and never more often than five times a real second).
    """

    def __init__(self, *, clock: Clock, steps: list[Callable[[], Awaitable[object]]]) -> None:
        self.clock = clock
        self.steps = steps
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()

    def interval(self) -> float:
        return min(2.0, max(0.2, 30.0 / self.clock.speed))

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = start_task(self._run(), name='scheduler')

    async def stop(self) -> None:
        """Stop after the round in progress (nothing is cut half-way)."""
        if self._task is not None:
            self._stopping.set()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run_steps(self) -> None:
        """One round: each step in turn; a step that fails is logged and the others still run."""
        for step in self.steps:
            try:
                await step()
            except Exception:
                log.exception('periodic check %s failed; it runs again on the next round', step)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), self.interval())
            except TimeoutError:
                await self.run_steps()
