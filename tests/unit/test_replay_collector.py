"""The replay runs with CPython's cyclic collector paused, and leaves it as it found it (even when the fold fails)."""
import gc

import pytest

from services.game.rebuild import _without_collections


async def test_the_collector_is_paused_during_the_fold_and_restored_after() -> None:
    seen = []

    @_without_collections
    async def fold() -> str:
        seen.append(gc.isenabled())
        return 'rebuilt'

    assert gc.isenabled()
    assert await fold() == 'rebuilt'
    assert seen == [False] and gc.isenabled()


async def test_a_collector_switched_off_before_stays_off_and_a_failing_fold_restores_it() -> None:
    @_without_collections
    async def failing() -> None:
        raise RuntimeError('the log is unreadable')

    gc.disable()
    try:
        with pytest.raises(RuntimeError):
            await failing()
        assert not gc.isenabled()  # whoever switched it off decides when it runs again
    finally:
        gc.enable()
    with pytest.raises(RuntimeError):
        await failing()
    assert gc.isenabled()
