"""The time a header or a wall screen shows, ticked by one application timer for every tab (no per-tab timers)."""
import weakref
from datetime import datetime

from nicegui import Event, app

from services.platform.clock import Clock

TICK_SECONDS = 1.0  # the demo's clock runs 60× fast: its minutes change every second


class ClockTicker:
    """Emits the clock's time every second; a tab subscribes from its page and is unsubscribed when it closes."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.ticked: Event[datetime] = Event()

    def tick(self) -> None:
        if self.ticked.callbacks:  # nothing to format when no tab shows a clock
            self.ticked.emit(self.clock.now())


_tickers: 'weakref.WeakKeyDictionary[Clock, ClockTicker]' = weakref.WeakKeyDictionary()


def clock_ticker_for(clock: Clock) -> ClockTicker:
    """The shared ticker of this clock; call it from ``register`` (outside any page): it starts the app timer."""
    if clock not in _tickers:
        _tickers[clock] = ticker = ClockTicker(clock)
        app.timer(TICK_SECONDS, ticker.tick, immediate=False)
    return _tickers[clock]
