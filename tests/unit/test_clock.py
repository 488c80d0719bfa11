"""Clocks: manual time for tests and headless runs, accelerated time for the simulator."""
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.platform import clock as clock_module
from services.platform.clock import AcceleratedClock, ManualClock

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


class FakeMonotonic:
    """Real time that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic(monkeypatch: pytest.MonkeyPatch) -> FakeMonotonic:
    fake = FakeMonotonic()
    monkeypatch.setattr(clock_module, 'time', SimpleNamespace(monotonic=fake))  # only the clock module's view
    return fake


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(START)
    assert clock.now() == START
    clock.advance(timedelta(minutes=5))
    clock.set(START + timedelta(minutes=5))  # standing still is fine
    assert clock.now() == START + timedelta(minutes=5)
    with pytest.raises(ValueError, match='never goes backwards'):
        clock.set(START)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    assert clock.now() == START + timedelta(minutes=5)


def test_accelerated_clock_runs_at_its_speed(monotonic: FakeMonotonic) -> None:
    clock = AcceleratedClock(start=START, speed=60)
    monotonic.now += 2
    assert clock.now() == START + timedelta(minutes=2)
    clock.set_speed(1)
    monotonic.now += 30
    assert clock.now() == START + timedelta(minutes=2, seconds=30)  # the time already elapsed is kept
    assert clock.speed == 1
    with pytest.raises(ValueError, match='positive'):
        clock.set_speed(0)


def test_accelerated_clock_jumps_forward_never_back(monotonic: FakeMonotonic) -> None:
    clock = AcceleratedClock(start=START, speed=10)
    clock.advance_to(START - timedelta(hours=1))
    assert clock.now() == START
    clock.advance_to(START + timedelta(hours=1))
    assert clock.now() == START + timedelta(hours=1)
    monotonic.now += 1
    assert clock.now() == START + timedelta(hours=1, seconds=10)


def test_real_seconds_until(monotonic: FakeMonotonic) -> None:
    clock = AcceleratedClock(start=START, speed=300)
    assert clock.real_seconds_until(START + timedelta(minutes=10)) == pytest.approx(2.0)
    assert clock.real_seconds_until(START - timedelta(minutes=10)) == 0.0


def test_a_new_demo_starts_on_a_monday_in_working_hours() -> None:
    from simulation.demo import demo_morning
    monday = datetime(2026, 11, 2, tzinfo=UTC)
    assert demo_morning(monday.replace(hour=10, minute=30)) == monday.replace(hour=10, minute=30)
    assert demo_morning(monday.replace(hour=5)) == monday.replace(hour=8)
    assert demo_morning(monday.replace(hour=22)) == monday.replace(hour=8) + timedelta(days=7)
    assert demo_morning(monday + timedelta(days=3, hours=11)) == monday.replace(hour=8) + timedelta(days=7)  # Thu
    assert demo_morning(monday - timedelta(days=1, hours=-23)) == monday.replace(hour=8)  # Sunday 23:00


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)))
def test_a_demo_starts_on_the_first_monday_working_hour_from_now(now: datetime) -> None:
    from simulation.demo import demo_morning
    start = demo_morning(now)
    assert start.weekday() == 0 and 7 <= start.hour < 18  # the whole week ahead, in working hours
    assert now <= start < now + timedelta(days=7)  # forward only, and never a week too far
    assert start == now or (start.hour, start.minute, start.second, start.microsecond) == (8, 0, 0, 0)


def test_what_follows_real_time_reads_the_wall_in_the_demo_and_the_manual_clock_in_tests():
    from services.platform.clock import SystemClock, wall_clock_for
    manual = ManualClock(START)
    assert wall_clock_for(manual) is manual
    wall = wall_clock_for(AcceleratedClock(start=START, speed=60))
    assert isinstance(wall, SystemClock)
