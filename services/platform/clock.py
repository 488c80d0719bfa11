"""Clocks: every service reads time from one of these, never from ``datetime.now()`` directly."""
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current (possibly simulated) time, timezone-aware UTC."""
        ...

    @property
    def speed(self) -> float:
        """Simulated seconds per real second: how often a periodic check must run to keep up with this clock."""
        ...


class SystemClock:
    """Wall-clock time: production's."""

    speed = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)


class AcceleratedClock:
    """Simulated time that runs ``speed`` simulated seconds per real second and never goes backwards."""

    def __init__(self, *, start: datetime | None = None, speed: float = 1.0) -> None:
        self._base_sim = start or datetime.now(UTC)
        self._base_real = time.monotonic()
        self._speed = speed

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        return self._base_sim + timedelta(seconds=(time.monotonic() - self._base_real) * self._speed)

    def set_speed(self, speed: float) -> None:
        """Change the rate from now on; the time already elapsed is kept."""
        if speed <= 0:
            raise ValueError('speed must be positive')
        self._base_sim = self.now()
        self._base_real = time.monotonic()
        self._speed = speed

    def advance_to(self, moment: datetime) -> None:
        """Jump forward to ``moment`` if it is later (an accelerated run may have got ahead of the wall clock)."""
        if moment > self.now():
            self._base_sim = moment
            self._base_real = time.monotonic()

    def real_seconds_until(self, moment: datetime) -> float:
        """How long to sleep in real time until the simulated ``moment``."""
        return max(0.0, (moment - self.now()).total_seconds() / self._speed)


def wall_clock_for(clock: Clock) -> Clock:
    """The clock for what must follow real time (session expiry, a webhook signature's age): the wall clock where the
    demo's day runs accelerated, else ``clock`` itself (a test's manual clock stays in charge)."""
    return SystemClock() if isinstance(clock, AcceleratedClock) else clock


class ManualClock:
    """Time that only moves when a test or a headless simulation moves it."""

    speed = 1.0  # nominal: whoever moves it runs the periodic checks itself

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment < self._now:
            raise ValueError('a manual clock never goes backwards')
        self._now = moment

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)
