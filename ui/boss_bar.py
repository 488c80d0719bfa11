"""The queue boss's bar (issue 20) on every agent dashboard and wall display: the boss's name, its health, the time
left and the top damage dealers while a fight runs, then how it ended for a little while.

What the bars show is worded once per change (a hit, a start, an end) or clock minute by one :class:`BossFeed`, per
language in use and audience (dashboards name the damage dealers, wall displays use their public names), and sent
to every tab showing that bar in one message (a Socket.IO room per audience and language, encoded once however
many tabs); :class:`BossBar` is a single element whose Vue component (``boss_bar.js``) draws it. A hit therefore
costs a few encodings, not an element update per tab.
"""
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nicegui import Client, background_tasks, core, ui

from services.domain.i18n import _, current_language, ngettext, speaking
from services.game.boss import BossService, BossView
from ui.clock_ticker import ClockTicker
from ui.rooms import broadcast

SHOWN_AFTER_END = timedelta(minutes=15)  # a beaten (or escaped) boss stays on the screens this long, by the clock
MESSAGE = 'deskquest_boss'
ROOM = 'deskquest-boss'  # one room per audience and language: deskquest-boss-floor-en, deskquest-boss-public-lv


@dataclass(frozen=True, kw_only=True, slots=True)
class BossScreen:
    """What every bar shows now: the fight (None: nothing to show) and its time left in words."""
    view: BossView | None
    minutes_left: int


class BossFeed:
    """One per app: the latest fight and its minutes left, and the bar's payload per audience and language in use,
    sent to the tabs showing it when it changed."""

    def __init__(self, boss: BossService, ticker: ClockTicker) -> None:
        self.boss = boss
        self.clock = ticker.clock
        self.screen = self._screen(boss.view(), self.clock.now())
        self.version = 0
        self._names: dict[str, Callable[[int], str | None]] = {}  # audience -> how it names a damage dealer
        self.payloads: dict[tuple[str, str], dict[str, Any]] = {}  # (audience, language) -> the bar's payload
        boss.changed.subscribe(lambda view: self._publish(view, self.clock.now()), unsubscribe_on_delete=False)
        ticker.ticked.subscribe(lambda now: self._publish(self.screen.view, now), unsubscribe_on_delete=False)

    def audience(self, name: str, name_of: Callable[[int], str | None]) -> None:
        """How the bars of ``name`` (dashboards: 'floor', wall displays: 'public') name a damage dealer; None leaves
        them out. Called from ``register``, outside any page."""
        self._names[name] = name_of

    def payload(self, audience: str, language: str) -> dict[str, Any]:
        """The bar as the tabs of ``audience`` in ``language`` show it now."""
        key = (audience, language)
        if key not in self.payloads:
            self.payloads[key] = self._payload(audience, language)
        return self.payloads[key]

    async def join(self, client: Client, audience: str, language: str) -> None:
        """Put this tab's sockets into the bar's room (on every connect) and send them the bar of the moment."""
        payload = self.payload(audience, language)
        for sid, _room in list(core.sio.manager.get_participants('/', client.id)):
            await core.sio.enter_room(sid, _room_of(audience, language))
            await core.sio.emit(MESSAGE, payload, to=sid)

    def _publish(self, view: BossView | None, now: datetime) -> None:
        screen = self._screen(view, now)
        if screen == self.screen:
            return
        self.screen = screen
        self.version += 1
        for (audience, language), before in list(self.payloads.items()):
            payload = self.payloads[audience, language] = self._payload(audience, language)
            if any(payload[part] != before[part] for part in payload if part != 'v'):
                background_tasks.create(broadcast(_room_of(audience, language), MESSAGE, payload),
                                        name=f'boss bar {audience} {language}')

    def _payload(self, audience: str, language: str) -> dict[str, Any]:
        """The bar's words and health, in ``language``; ``shown`` False while there is nothing to show."""
        view = self.screen.view
        payload: dict[str, Any] = {'v': self.version, 'audience': audience, 'shown': view is not None, 'name': '',
                                   'left': '', 'health': 0.0, 'health_text': '', 'top': ''}
        if view is None:
            return payload
        name_of = self._names.get(audience, lambda _agent_id: None)
        with speaking(language):
            payload['name'] = _(view.name)
            payload['health'] = view.remaining / view.health if view.health else 0.0
            if view.running:
                payload['left'] = ngettext('{count} min left', '{count} min left', self.screen.minutes_left) \
                    .format(count=self.screen.minutes_left)
                payload['health_text'] = _('Every resolution is a hit: {remaining} of {health} to go') \
                    .format(remaining=view.remaining, health=view.health)
            elif view.won:
                payload['left'] = _('Beaten!')
                payload['health_text'] = ngettext(
                    'The floor won: {points:+d} productivity for the {count} agent who hit it',
                    'The floor won: {points:+d} productivity for each of the {count} agents who hit it',
                    view.fighters).format(points=view.points, count=view.fighters)
            else:
                payload['left'] = _('Got away')
                payload['health_text'] = _('The deadline passed with {remaining} of {health} to go: no points lost, '
                                           'next time!').format(remaining=view.remaining, health=view.health)
            names = [f'{name} {hits}' for agent_id, hits in view.top if (name := name_of(agent_id))]
            payload['top'] = _('Top hits: {names}').format(names=' · '.join(names)) if names else ''
        return payload

    @staticmethod
    def _screen(view: BossView | None, now: datetime) -> BossScreen:
        if view is None or (not view.running and view.ended_at is not None and now - view.ended_at > SHOWN_AFTER_END):
            return BossScreen(view=None, minutes_left=0)
        seconds = (view.deadline - now).total_seconds() if view.running else 0
        return BossScreen(view=view, minutes_left=max(0, -int(-seconds // 60)))  # 59.5 minutes left: 60 min


def _room_of(audience: str, language: str) -> str:
    return f'{ROOM}-{audience}-{language}'


_feeds: 'weakref.WeakKeyDictionary[BossService, BossFeed]' = weakref.WeakKeyDictionary()


def boss_feed_for(boss: BossService, ticker: ClockTicker) -> BossFeed:
    """The shared feed of this boss; call it from ``register`` (outside any page) so it outlives every tab."""
    if boss not in _feeds:
        _feeds[boss] = BossFeed(boss, ticker)
    return _feeds[boss]


class BossBar(ui.element, component='boss_bar.js', dependencies=['socket_feed.js']):
    """One tab's bar, drawn by the browser from its feed's payload for ``audience`` (see :meth:`BossFeed.audience`)
    in ``language`` (the tab's by default)."""

    def __init__(self, feed: BossFeed, *, audience: str, kiosk: bool = False, language: str | None = None) -> None:
        super().__init__()
        self.mark('boss-bar')
        self.feed = feed
        self.audience = audience
        self.language = language or current_language()
        self._props['bar'] = feed.payload(audience, self.language)  # sent with the bar of the moment
        self._props['kiosk'] = kiosk
        self.client.on_connect(lambda client: feed.join(client, audience, self.language))

    def _displayed_contents(self, *, only_visible: bool) -> list:
        """What the bar shows, for NiceGUI's simulated users (the browser draws it from the same payload)."""
        bar = self.feed.payload(self.audience, self.language)
        return [bar[part] for part in ('name', 'left', 'health_text', 'top') if bar[part]] if bar['shown'] else []
