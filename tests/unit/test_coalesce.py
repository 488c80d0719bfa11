"""Coalescing: a burst of pokes is one flush; a failing flush is logged, not raised."""
import asyncio
import logging
import time

import pytest

from services.platform.coalesce import LIVE_TURNS, Coalescer


async def test_a_burst_is_one_flush() -> None:
    flushes: list[int] = []
    coalescer = Coalescer(lambda: flushes.append(len(flushes)), delay=0.01)
    await coalescer.settle()  # nothing pending: returns at once
    for _ in range(5):
        coalescer.poke()
    await coalescer.settle()
    assert flushes == [0]
    coalescer.poke()
    await asyncio.sleep(0)
    coalescer.poke()  # still within the second burst
    await coalescer.settle()
    assert flushes == [0, 1]


async def test_a_failing_flush_is_logged_and_the_next_burst_still_flushes(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def flush() -> None:
        calls.append('flush')
        if len(calls) == 1:
            raise RuntimeError('no subscribers reachable')
    coalescer = Coalescer(flush, delay=0)
    with caplog.at_level(logging.ERROR, logger='services.platform.coalesce'):
        coalescer.poke()
        await coalescer.settle()
    assert 'broadcast failed' in caplog.text
    coalescer.poke()
    await coalescer.settle()
    assert calls == ['flush', 'flush']


async def test_a_live_view_waits_for_the_next_turn_flushes_of_the_same_change() -> None:
    """The monitor and the wall displays are poked by a commit's listeners and again by the ranking's own flush on the
    loop's next turn: waiting a few turns, not 50 ms, still makes that one recompute, after the ranking's."""
    flushes: list[str] = []
    live = Coalescer(lambda: flushes.append('live'), delay=0, interval=10.0, turns=LIVE_TURNS)

    def ranked() -> None:
        flushes.append('ranking')
        live.poke()
    ranking = Coalescer(ranked, delay=0)
    started = time.monotonic()
    live.poke()  # the commit's listeners, in the order the container subscribes them
    ranking.poke()
    await ranking.settle()
    await live.settle()
    assert flushes == ['ranking', 'live']
    assert time.monotonic() - started < 0.05
