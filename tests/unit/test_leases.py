"""The leases' logic without a database: on SQLite one process holds every lease and nothing runs; a guarded step
runs only while its lease is held."""
import asyncio

from services.platform.leases import RETRY_SECONDS, Lease, Leases, Work


def test_on_sqlite_every_lease_is_held_and_nothing_runs() -> None:
    leases = Leases()

    async def start_and_stop() -> None:
        await leases.start('sqlite://data/test.sqlite3')
        assert leases.held == set(Work) and leases._task is None and leases._connection is None  # no statement
        await leases.stop()

    asyncio.run(start_and_stop())
    assert leases.held == set(Work)  # stopping changes nothing either


def test_a_guarded_step_runs_only_while_its_lease_is_held() -> None:
    lease = Lease(Work.SWEEP)
    runs: list[int] = []

    async def step() -> int:
        runs.append(1)
        return len(runs)

    guarded = lease.guard(step)
    assert guarded.__name__ == 'step'  # the scheduler's log names the step it wraps
    assert asyncio.run(guarded()) == 1
    lease.held = False
    assert asyncio.run(guarded()) is None and runs == [1]
    lease.held = True
    assert asyncio.run(guarded()) == 2


def test_the_default_retry_takes_over_within_ten_seconds() -> None:
    """A holder's death is seen at the next try: the retry plus the time a try may take (each as long) stays
    well under the issue's 10 s."""
    assert 2 * RETRY_SECONDS < 10
    assert Leases().retry_seconds == RETRY_SECONDS
