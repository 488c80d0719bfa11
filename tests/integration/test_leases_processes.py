"""Once-only work on several processes (issue 17): of two real processes on one PostgreSQL floor only one runs the
sweep; ``kill -9`` it and the other takes every piece of once-only work over within 10 seconds."""
import asyncio
import os
import signal
import time

import pytest

from services.container import build
from services.platform.clock import ManualClock
from services.platform.leases import Work
from simulation.demo import start_demo
from tests.conftest import settings_for_test
from tests.integration.children import TIMEOUT, Child

TAKEOVER = 10.0  # the bound: another process does the dead one's work within this
ALL = ','.join(sorted(work.name for work in Work))


@pytest.mark.parametrize('db_url', ['postgres'], indirect=True)
async def test_one_process_sweeps_and_another_takes_over_when_it_is_killed(db_url: str, clock: ManualClock) -> None:
    services = build(settings_for_test(db_url), clock=clock)
    await start_demo(services, quests=False)
    await services.stop()

    children: list[Child] = []
    try:
        for name in ('first', 'second'):  # one after the other: the first started takes every lease
            children.append(await Child.start('tests.integration.lease_process', db_url, name))
            await children[-1].until(lambda child=children[-1]: 'ready' in child.lines and child.held() is not None)
        first, second = children
        assert first.held() == ALL and second.held() == ''

        await first.until(lambda: first.sweeps() >= 3)  # several rounds of the scheduler, in both processes
        assert second.sweeps() == 0 and second.held() == ''  # the second's scheduler ran its rounds without the sweep

        os.kill(first.process.pid, signal.SIGKILL)  # its connection dies with it: PostgreSQL lets its locks go
        killed = time.monotonic()
        await first.process.wait()
        taken = await second.until(lambda: second.held() == ALL, within=TAKEOVER)
        swept = await second.until(lambda: second.sweeps() >= 1, within=TAKEOVER - (taken - killed))
        assert swept - killed < TAKEOVER
    finally:
        for child in children:
            if child.process.returncode is None:
                child.tell('stop')
                try:
                    await asyncio.wait_for(child.process.wait(), TIMEOUT)
                except TimeoutError:
                    child.process.kill()
                    await child.process.wait()
            child.reader.cancel()
    assert children[1].process.returncode == 0  # it stopped cleanly, letting its leases go
