"""One DeskQuest process of ``test_leases_processes.py``: the whole service layer on a shared PostgreSQL floor, its
scheduler running, telling the test which once-only work it holds and each time its SLA sweep ran.

``python -m tests.integration.lease_process DB_URL NAME``: prints ``ready`` once loaded, ``held A,B,…`` whenever the
set of leases it holds changes, and ``swept NAME`` each time the scheduler's SLA step ran here; ends at ``stop``.
"""
import asyncio
import sys

from services.container import build
from services.helpdesk.sla import SlaService
from services.platform.clock import ManualClock
from tests.conftest import START, settings_for_test
from tests.integration.shared_log_process import heard, say, watch_leases  # the same line protocol with the test

RETRY_SECONDS = 1.0  # a lease's retry: takeover within about a second (the default, 3 s, is tested by its unit test)


async def main(db_url: str, name: str) -> None:
    check = SlaService.check

    async def counted_check(self: SlaService) -> int:  # before build(): the container's guard wraps this one
        say(f'swept {name}')
        return await check(self)

    SlaService.check = counted_check
    services = build(settings_for_test(db_url, lease_retry_seconds=RETRY_SECONDS), clock=ManualClock(START))
    await services.start()
    services.scheduler.start()
    say('ready')
    watcher = asyncio.create_task(watch_leases(services))
    await heard('stop')
    watcher.cancel()
    await services.stop()


if __name__ == '__main__':
    asyncio.run(main(sys.argv[1], sys.argv[2]))
