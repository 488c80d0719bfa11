"""The queue boss's bar (issue 20) on every agent dashboard and wall display: the boss's name, its health, the time
left and the top damage dealers while a fight runs, then how it ended for a little while.

What the bars show is computed once per change (a hit, a start, an end) or clock minute for every tab by one
:class:`BossFeed`; each tab only sets its elements' texts (no per-tab timers, no reads).
"""
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from nicegui import Event, ui

from services.domain.i18n import _, ngettext
from services.game.boss import BossService, BossView
from ui.clock_ticker import ClockTicker

SHOWN_AFTER_END = timedelta(minutes=15)  # a beaten (or escaped) boss stays on the screens this long, by the clock


@dataclass(frozen=True, kw_only=True, slots=True)
class BossScreen:
    """What every bar shows now: the fight (None: nothing to show) and its time left in words."""
    view: BossView | None
    minutes_left: int


class BossFeed:
    """One per app: the latest fight and its minutes left, published when either changes."""

    def __init__(self, boss: BossService, ticker: ClockTicker) -> None:
        self.boss = boss
        self.clock = ticker.clock
        self.changed: Event[BossScreen] = Event()
        self.screen = self._screen(boss.view(), self.clock.now())
        boss.changed.subscribe(lambda view: self._publish(view, self.clock.now()), unsubscribe_on_delete=False)
        ticker.ticked.subscribe(lambda now: self._publish(self.screen.view, now), unsubscribe_on_delete=False)

    def _publish(self, view: BossView | None, now: datetime) -> None:
        screen = self._screen(view, now)
        if screen != self.screen:
            self.screen = screen
            self.changed.emit(screen)

    @staticmethod
    def _screen(view: BossView | None, now: datetime) -> BossScreen:
        if view is None or (not view.running and view.ended_at is not None and now - view.ended_at > SHOWN_AFTER_END):
            return BossScreen(view=None, minutes_left=0)
        seconds = (view.deadline - now).total_seconds() if view.running else 0
        return BossScreen(view=view, minutes_left=max(0, -int(-seconds // 60)))  # 59.5 minutes left: 60 min


_feeds: 'weakref.WeakKeyDictionary[BossService, BossFeed]' = weakref.WeakKeyDictionary()


def boss_feed_for(boss: BossService, ticker: ClockTicker) -> BossFeed:
    """The shared feed of this boss; call it from ``register`` (outside any page) so it outlives every tab."""
    if boss not in _feeds:
        _feeds[boss] = BossFeed(boss, ticker)
    return _feeds[boss]


class BossBar:
    """One tab's bar; ``name_of`` names a damage dealer (a wall display: their public name, None to leave them out)."""

    def __init__(self, feed: BossFeed, *, name_of: Callable[[int], str | None], kiosk: bool = False) -> None:
        self.name_of = name_of
        self.shown: BossView | None = None
        style = 'dq-boss' if kiosk else 'w-full bg-deep-orange-1 gap-1 p-3'
        with (ui.element('div') if kiosk else ui.card()).classes(style).mark('boss-bar') as self.element:
            with ui.row().classes('w-full items-center gap-2 no-wrap'):
                ui.icon('local_fire_department', color='deep-orange')
                self.name = ui.label().classes('font-bold grow').mark('boss-name')
                self.left = ui.label().classes('text-sm' if not kiosk else 'dq-num').mark('boss-left')
            self.health = ui.linear_progress(value=1.0, show_value=False, color='deep-orange') \
                .props('rounded size=10px').mark('boss-health')
            self.health_text = ui.label().classes('text-sm' if not kiosk else '').mark('boss-health-text')
            self.top = ui.label().classes('text-xs text-grey-8' if not kiosk else 'dq-muted').mark('boss-top')
        self.show(feed.screen)
        feed.changed.subscribe(self.show)

    def show(self, screen: BossScreen) -> None:
        view = screen.view
        self.element.set_visibility(view is not None)
        if view is None:
            return
        if view is self.shown and view.running:  # only the clock moved: the time left alone changes
            self._show_left(screen.minutes_left)
            return
        self.shown = view
        self.name.set_text(_(view.name))
        self.health.set_value(view.remaining / view.health if view.health else 0.0)
        if view.running:
            self._show_left(screen.minutes_left)
            self.health_text.set_text(_('Every resolution is a hit: {remaining} of {health} to go')
                                      .format(remaining=view.remaining, health=view.health))
        elif view.won:
            self.left.set_text(_('Beaten!'))
            self.health_text.set_text(ngettext('The floor won: {points:+d} productivity for the {count} agent who '
                                               'hit it', 'The floor won: {points:+d} productivity for each of the '
                                               '{count} agents who hit it', view.fighters)
                                      .format(points=view.points, count=view.fighters))
        else:
            self.left.set_text(_('Got away'))
            self.health_text.set_text(_('The deadline passed with {remaining} of {health} to go: no points lost, '
                                        'next time!').format(remaining=view.remaining, health=view.health))
        names = [f'{name} {hits}' for agent_id, hits in view.top if (name := self.name_of(agent_id))]
        self.top.set_text(_('Top hits: {names}').format(names=' · '.join(names)) if names else '')

    def _show_left(self, minutes: int) -> None:
        self.left.set_text(ngettext('{count} min left', '{count} min left', minutes).format(count=minutes))
