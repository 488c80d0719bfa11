"""Leaderboards that move live: each new ranking is serialised once and sent to every open board together.

Every tab shows the same ranking, so there is nothing per tab to compute: :class:`BoardFeed` turns each leaderboard
snapshot into one small payload per period and, when a period's rows changed, queues it on the socket of every board
showing that period (one Socket.IO room per period, one encoding however many tabs). :class:`Board` is a single
element whose Vue component (``leaderboard_card.js``) draws the rows from that payload, so NiceGUI has no per-tab
element to serialise. Only the agent's own standing ("You are 7th, …") is per agent: it is sent to the agents whose
standing changed, at most once a second.
"""
import asyncio
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import engineio.packet
import socketio.packet
from nicegui import Client, Event, background_tasks, core, ui

from services.coalesce import Coalescer
from services.leaderboard import LeaderboardService, LeaderboardSnapshot
from services.leaderboard_rules import PERIOD_LABELS, BoardRow, Period
from services.levels import Level, level_info
from ui.format import ordinal

ROWS_SHOWN = 10
TEAMS_SHOWN = 3
ROOM = 'deskquest-board'  # one room per period: deskquest-board-today, …
STANDING_INTERVAL = 1.0
BROADCAST_SLICE = 64  # sockets queued per turn of the event loop, so one broadcast never holds the loop for long
MESSAGE = 'deskquest_board'

Standing = dict[Period, str]


class BoardFeed:
    """One per leaderboard service: the latest payload per period, and the agents' standings.

    A period's payload goes out only when its rows changed, and only to the boards showing that period (one room per
    period), so a tab receives one small message per change it can see.
    """

    def __init__(self, leaderboard: LeaderboardService) -> None:
        self.leaderboard = leaderboard
        self._snapshot: LeaderboardSnapshot | None = None
        self.payloads: dict[Period, dict[str, Any]] = {}
        self._standings: dict[Period, dict[int, str]] = {}
        self._standing_changed: dict[int, Event[Standing]] = {}
        self._standing_sent: dict[int, Standing] = {}
        # one agent's line changes with many others' points (ranks shift): it is refreshed at most once a second,
        # which saves a message per tab and event when the board is busy; the rows themselves are never held back
        self._standings_due = Coalescer(self._send_standings, delay=0.0, interval=STANDING_INTERVAL)
        leaderboard.changed.subscribe(self._on_snapshot, unsubscribe_on_delete=False)

    def current(self, period: Period) -> dict[str, Any]:
        """The payload of the latest ranking (computed on demand after start-up or at midnight)."""
        snapshot = self.leaderboard.snapshot()
        if snapshot is not self._snapshot:
            self._update(snapshot)
        return self.payloads[period]

    def standing(self, agent_id: int) -> Standing:
        self.current(Period.TODAY)
        return {period: texts.get(agent_id, '') for period, texts in self._standings.items()}

    def standing_changed(self, agent_id: int) -> Event[Standing]:
        """Fired with an agent's new standing when it changed (at most once per ``STANDING_INTERVAL``)."""
        if agent_id not in self._standing_changed:
            self._standing_changed[agent_id] = Event()
        return self._standing_changed[agent_id]

    async def join(self, client: Client, period: Period, *, leave: Period | None = None) -> None:
        """Put this tab's sockets into the room of ``period`` (on every connect) and send them its latest rows."""
        payload = self.current(period)
        for sid, _ in list(core.sio.manager.get_participants('/', client.id)):
            if leave is not None:
                await core.sio.leave_room(sid, _room(leave))
            await core.sio.enter_room(sid, _room(period))
            await core.sio.emit(MESSAGE, payload, to=sid)

    def _on_snapshot(self, snapshot: LeaderboardSnapshot) -> None:
        before = self.payloads
        self._update(snapshot)
        for period, payload in self.payloads.items():
            previous = before.get(period)
            if previous is None or previous['rows'] != payload['rows'] or previous['teams'] != payload['teams']:
                background_tasks.create(_broadcast(_room(period), payload), name=f'leaderboard {period.value}')
        self._standings_due.poke()

    def _send_standings(self) -> None:
        changed = []
        for agent_id, event in self._standing_changed.items():
            standing = self.standing(agent_id)
            if event.callbacks and standing != self._standing_sent.get(agent_id):
                self._standing_sent[agent_id] = standing
                changed.append((event, standing))
        if changed:
            background_tasks.create(_emit_in_slices(changed), name='leaderboard standings')

    def _update(self, snapshot: LeaderboardSnapshot) -> None:
        self._snapshot = snapshot
        levels = self.leaderboard.game.projection.levels
        self.payloads = {period: {
            'v': snapshot.version, 'period': period.value,
            'rows': [_row(row, levels) for row in snapshot.agents[period][:ROWS_SHOWN]],
            'teams': [[f'{team.rank}.', team.name, f'{team.average:,}']  # per member: size alone does not win
                      for team in snapshot.teams[period][:TEAMS_SHOWN]],
        } for period in Period}
        self._standings = {period: standings(snapshot.agents[period]) for period in Period}


async def _broadcast(room: str, payload: dict[str, Any]) -> None:
    """One Socket.IO event to every socket in ``room``: encoded once and queued on each socket in turn.

    ``AsyncServer.emit`` encodes once too, but starts a task per recipient; with hundreds of tabs those tasks cost
    more than the sending itself.
    """
    server = core.sio
    encoded = server.packet_class(socketio.packet.EVENT, namespace='/', data=[MESSAGE, payload]).encode()
    message = engineio.packet.Packet(engineio.packet.MESSAGE, encoded)
    for index, (_, eio_sid) in enumerate(list(server.manager.get_participants('/', room))):
        if index and index % BROADCAST_SLICE == 0:
            await asyncio.sleep(0)  # let the sockets queued so far write, and anything else waiting run
        await server.eio.send_packet(eio_sid, message)


async def _emit_in_slices(changed: list[tuple[Event[Standing], Standing]]) -> None:
    """Each emit wakes the tabs of one agent; a few dozen per turn keep the loop free for everything else."""
    for index, (event, standing) in enumerate(changed):
        if index and index % BROADCAST_SLICE == 0:
            await asyncio.sleep(0)
        event.emit(standing)


def _room(period: Period) -> str:
    return f'{ROOM}-{period.value}'


_feeds: 'weakref.WeakKeyDictionary[LeaderboardService, BoardFeed]' = weakref.WeakKeyDictionary()


def feed_for(leaderboard: LeaderboardService) -> BoardFeed:
    """The feed of this leaderboard service; create it from ``register`` (outside any page) so it outlives tabs."""
    if leaderboard not in _feeds:
        _feeds[leaderboard] = BoardFeed(leaderboard)
    return _feeds[leaderboard]


class Board(ui.element, component='leaderboard_card.js'):
    """The rows of one leaderboard, drawn by the browser; one element however many rows."""

    def __init__(self, feed: BoardFeed, *, me: int | None, kiosk: bool, period: Period, rows: int, teams: int) -> None:
        super().__init__()
        self.feed = feed
        self.period = period
        self._props['board'] = feed.current(period)  # the page is sent with the rows of the moment, later ones follow
        self._props['me'] = me
        self._props['kiosk'] = kiosk
        self._props['rows'] = rows
        self._props['teams'] = teams
        self.client.on_connect(lambda client: feed.join(client, self.period))

    def set_period(self, period: Period) -> None:
        previous, self.period = self.period, period
        self._props['board'] = self.feed.current(period)
        self.update()
        background_tasks.create(self.feed.join(self.client, period, leave=previous), name='leaderboard period')

    def _displayed_contents(self, *, only_visible: bool) -> list:
        """What the rows show, for NiceGUI's simulated users (the browser draws them from the same payload)."""
        return list(self._texts())

    def _texts(self) -> Iterator[str]:
        board = self.feed.current(self.period)
        for rank, _, name, title, team, points, _ in board['rows'][:self._props['rows']]:
            yield from (rank, name, f'{title} · {team}' if team else title, points)
        for rank, name, points in board['teams'][:self._props['teams']]:
            yield from (rank, name, points)


class LeaderboardCard:
    """The floor's agents and teams for one period; ``me`` is highlighted and told where they stand."""

    def __init__(self, feed: BoardFeed, *, me: int | None, kiosk: bool = False, period: Period = Period.TODAY,
                 rows: int = ROWS_SHOWN, teams: int = TEAMS_SHOWN) -> None:
        self.feed = feed
        self.me = me
        self.period = period
        with ui.card().classes('w-full gap-1' + (' bg-transparent shadow-none' if kiosk else '')).mark('leaderboard'):
            with ui.row().classes('w-full items-center justify-between'):
                ui.label('Leaderboard').classes('text-5xl font-bold' if kiosk else 'text-lg font-bold')
                if kiosk:
                    ui.label(PERIOD_LABELS[period]).classes('text-3xl text-grey-5')
                else:
                    ui.toggle({p: PERIOD_LABELS[p] for p in Period}, value=period, on_change=self._change_period) \
                        .props('dense no-caps').mark('period')
            with Board(feed, me=me, kiosk=kiosk, period=period, rows=rows, teams=teams) as self.board:
                self.standing = None
                if me is not None and not kiosk:
                    self.standing = ui.label(feed.standing(me)[period]) \
                        .classes('text-sm text-grey-8 px-2').mark('standing')
                    feed.standing_changed(me).subscribe(self._show_standing)  # unsubscribed when the tab closes
                if teams:
                    ui.separator().classes('my-1')
                    ui.label('Teams · points per agent').classes('text-4xl font-bold mt-4' if kiosk else
                                                                 'text-sm font-bold')

    def _show_standing(self, standing: Standing) -> None:
        if self.standing is not None:
            self.standing.set_text(standing.get(self.period, ''))

    def _change_period(self, event) -> None:
        self.period = Period(event.value)
        self.board.set_period(self.period)
        if self.me is not None:
            self._show_standing(self.feed.standing(self.me))


def _row(row: BoardRow, levels: Sequence[Level]) -> list[Any]:
    level = level_info(row.level, levels=levels)  # the stored table: leads edit titles and icons
    return [f'{row.rank}.', level.icon, row.name, level.title, row.team_name, f'{row.points:,}', row.agent_id]


def standings(board: list[BoardRow]) -> dict[int, str]:
    """Every agent's 'You are 7th, 40 points behind Ana', in one pass over the ranked board."""
    texts: dict[int, str] = {}
    closest: BoardRow | None = None  # the first agent of the group just above the current one
    group_first: BoardRow | None = None
    for row in board:
        if group_first is None or row.points != group_first.points:
            closest, group_first = group_first, row
        if closest is None:
            texts[row.agent_id] = f'You are {ordinal(row.rank)}: nobody is ahead of you. Keep it up!'
        else:
            texts[row.agent_id] = (f'You are {ordinal(row.rank)}, {closest.points - row.points} points behind '
                                   f'{closest.name.split()[0]}.')
    return texts
