"""Leaderboards that move live: each new ranking is serialised once and sent to every open board together.

Every tab shows the same ranking, so there is nothing per tab to compute: :class:`BoardFeed` turns each leaderboard
snapshot into one small payload per board (the floor's and each team's, per period) and, when a board's rows changed,
queues it on the socket of every tab showing that board (one Socket.IO room per board, one encoding however many
tabs). :class:`Board` is a single element whose Vue component (``leaderboard_card.js``) draws the rows from that
payload, so NiceGUI has no per-tab element to serialise. A payload carries words and formatted numbers, so it is made
once per language in use (issue 16), with a room per board and language: four languages cost four encodings, not one
per tab. Only the agent's own standing ("You are 7th, …", "Not ranked yet: 2 of 5 resolved today") is per agent, and
only the agents someone is shown have one: a tab :meth:`BoardFeed.watch`-es its agent while it is open, the feed finds
those agents' places (a rank and who is ahead, in no language) at most once a second and sends each agent's tabs their
places when they moved, and each tab words its own line in its own language (:class:`StandingLine`). An agent with no
tab open costs nothing but a skipped row. Agents below the leads' minimum volume are listed under the ranked rows, not
ranked.
"""
import asyncio
import weakref
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nicegui import Client, Event, background_tasks, context, core, ui

from services.domain.i18n import N_, _, current_language, ngettext, speaking
from services.domain.leaderboard import PERIOD_LABELS, BoardRow, Period, TeamRow, UnrankedRow
from services.domain.levels import Level, level_info
from services.domain.wording import number, ordinal, points
from services.game.leaderboard import LeaderboardService, LeaderboardSnapshot
from services.platform.coalesce import Coalescer
from ui.rooms import BROADCAST_SLICE, broadcast_all

ROWS_SHOWN = 10
TEAMS_SHOWN = 3
ROOM = 'deskquest-board'  # one room per board and language: deskquest-board-en-today, deskquest-board-fr-today:team:3
STANDING_INTERVAL = 1.0
MESSAGE = 'deskquest_board'
# one whole sentence per period, so a translator never has to fit a loose 'today' into someone else's sentence
NOT_RANKED = {Period.TODAY: N_('Not ranked yet: {resolved} of {minimum} resolved today.'),
              Period.WEEK: N_('Not ranked yet: {resolved} of {minimum} resolved this week.'),
              Period.MONTH: N_('Not ranked yet: {resolved} of {minimum} resolved this month.'),
              Period.ALL: N_('Not ranked yet: {resolved} of {minimum} resolved so far.'),
              Period.SEASON: N_('Not ranked yet: {resolved} of {minimum} resolved this season.')}


@dataclass(frozen=True, slots=True)
class Place:
    """Where an agent stands on one board, in no language: ``rank``, ``behind`` points behind ``ahead`` (the first name
    of the first agent of the group just above; ``None`` at the top), or not ranked yet (``rank`` ``None``) with
    ``resolved`` of the ``minimum`` resolutions the period asks for."""
    rank: int | None = None
    behind: int = 0
    ahead: str | None = None
    resolved: int = 0
    minimum: int = 0


Places = dict[str, Place]  # board key -> the agent's place: the floor's ('today') and their own team's ('today:team')


def board_key(period: Period, team_id: int | None = None) -> str:
    """The name of one board: the floor's for a period, or one team's."""
    return period.value if team_id is None else f'{period.value}:team:{team_id}'


def own_team_key(period: Period) -> str:
    """Where an agent's place in their own team is, in :data:`Places`."""
    return f'{period.value}:team'


class BoardFeed:
    """One per leaderboard service: the latest payload of every board (the floor's and each team's, per period) in
    each language in use, and the places of the agents a tab shows (their standings, before a tab words them).

    A board's payload goes out only when its rows changed, and only to the tabs showing that board in that language
    (one room per board and language), so a tab receives one small message per change it can see.
    """

    def __init__(self, leaderboard: LeaderboardService) -> None:
        self.leaderboard = leaderboard
        self._snapshot: LeaderboardSnapshot | None = None
        self.payloads: dict[str, dict[str, dict[str, Any]]] = {}  # language -> board key -> payload
        self._sources: dict[str, BoardSource] = {}  # what the payloads were worded from
        self._levels: Sequence[Level] | None = None  # the level table they were worded with
        self._watchers: dict[int, Event[Places]] = {}  # the agents someone is shown: agent -> their open tabs
        self._sent: dict[int, Places] = {}  # what their tabs were last given
        # one agent's line changes with many others' points (ranks shift): it is refreshed at most once a second,
        # which saves a message per tab and event when the board is busy; the rows themselves are never held back
        self._standings_due = Coalescer(self._send_standings, delay=0.0, interval=STANDING_INTERVAL)
        leaderboard.changed.subscribe(self._on_snapshot, unsubscribe_on_delete=False)

    def current(self, period: Period, team_id: int | None = None, language: str | None = None) -> dict[str, Any]:
        """The payload of the latest ranking in ``language`` (the current one by default; computed on demand after
        start-up, at midnight or for a language's first tab); a team that has no board (yet) gets an empty one."""
        language = language or current_language()
        snapshot = self.leaderboard.snapshot()
        if snapshot is not self._snapshot:
            self._update(snapshot)
        if language not in self.payloads:
            self.payloads[language] = self._payloads(snapshot, language)
        key = board_key(period, team_id)
        return self.payloads[language].get(key) or _payload(snapshot.version, key, period, [], [], [], 0)  # no words

    def watch(self, agent_id: int, show: Callable[[Places], Any]) -> Places:
        """Keep the agent's places up to date while this tab is open: ``show`` gets them whenever they moved, at most
        once per ``STANDING_INTERVAL``. Returns their places now, for the tab to show at once."""
        client = context.client
        if agent_id not in self._watchers:
            self._watchers[agent_id] = Event()
        self._watchers[agent_id].subscribe(show)
        client.on_delete(lambda: self._unwatch(agent_id, show))
        now = self.places(agent_id)
        self._sent.setdefault(agent_id, now)  # the agent's other tabs, if any, are told when their places move
        return now

    @property
    def watched(self) -> set[int]:
        """The agents whose standing a tab shows now: the only ones whose places are found."""
        return set(self._watchers)

    def places(self, agent_id: int) -> Places:
        """The agent's places on the latest ranking."""
        return places_of(self.leaderboard.snapshot(), (agent_id,))[agent_id]

    async def join(self, client: Client, key: str, language: str, *, leave: str | None = None) -> None:
        """Put this tab's sockets into the room of board ``key`` in ``language`` (on every connect) and send them its
        latest rows."""
        period, _, team = key.partition(':team:')
        payload = self.current(Period(period), int(team) if team else None, language)
        for sid, _ in list(core.sio.manager.get_participants('/', client.id)):
            if leave is not None and leave != key:
                await core.sio.leave_room(sid, _room(language, leave))
            await core.sio.enter_room(sid, _room(language, key))
            await core.sio.emit(MESSAGE, payload, to=sid)

    def _on_snapshot(self, snapshot: LeaderboardSnapshot) -> None:
        before = self.payloads
        self._update(snapshot)
        changed = []  # each board's languages side by side, all sent by one task
        for key in self._sources:
            for language, payloads in self.payloads.items():
                if _moved(before.get(language, {}).get(key), payloads[key]):
                    changed.append((_room(language, key), MESSAGE, payloads[key]))
        if changed:
            background_tasks.create(broadcast_all(changed), name='leaderboard boards')
        self._standings_due.poke()

    def _send_standings(self) -> None:
        """Tell the tabs of the agents someone is shown whose places moved; the other agents are only skipped."""
        if not self._watchers:
            return
        latest = places_of(self.leaderboard.snapshot(), self._watchers.keys())
        changed = []
        for agent_id, event in self._watchers.items():
            if latest[agent_id] != self._sent.get(agent_id):
                self._sent[agent_id] = latest[agent_id]
                changed.append((event, latest[agent_id]))
        if changed:
            background_tasks.create(_emit_in_slices(changed), name='leaderboard standings')

    def _unwatch(self, agent_id: int, show: Callable[[Places], Any]) -> None:
        """A tab closed: the agent is forgotten with their last one."""
        event = self._watchers.get(agent_id)
        if event is not None:
            event.unsubscribe(show)
            if not event.callbacks:
                del self._watchers[agent_id]
                self._sent.pop(agent_id, None)

    def _update(self, snapshot: LeaderboardSnapshot) -> None:
        """Every board's payload in each language in use, worded again only where the board's rows changed: a
        resolution moves the boards of one agent (the floor's and their team's, per period), and the others keep their
        words with the new version."""
        levels = self.leaderboard.game.projection.levels  # replaced, never changed in place, when leads edit levels
        sources = board_sources(snapshot)
        moved = sources.keys() if levels is not self._levels else \
            {key for key, source in sources.items() if self._sources.get(key) != source}
        self._snapshot, self._sources, self._levels = snapshot, sources, levels
        self.payloads = {language: {key: self._word(snapshot.version, key, source, language) if key in moved
                                    else {**payloads[key], 'v': snapshot.version}
                                    for key, source in sources.items()}
                         for language, payloads in self.payloads.items()}

    def _payloads(self, snapshot: LeaderboardSnapshot, language: str) -> dict[str, dict[str, Any]]:
        """Every board's payload in ``language`` (its first tab's, or the first after start-up)."""
        return {key: self._word(snapshot.version, key, source, language)
                for key, source in board_sources(snapshot).items()}

    def _word(self, version: int, key: str, source: 'BoardSource', language: str) -> dict[str, Any]:
        levels = self.leaderboard.game.projection.levels
        with speaking(language):
            return _payload(version, key, source.period, [_row(row, levels, team=source.team_id is None)
                                                          for row in source.rows],
                            [(f'{team.rank}.', team.name, number(team.average))  # per member: size alone does not win
                             for team in source.teams],
                            [_unranked(row, source.minimum) for row in source.unranked], source.unranked_count)


@dataclass(frozen=True, slots=True)
class BoardSource:
    """What one board shows, in no language: the rows of its payload before they are worded. Two boards with equal
    sources have the same words."""
    period: Period
    team_id: int | None
    rows: tuple[BoardRow, ...]
    teams: tuple[TeamRow, ...]
    unranked: tuple[UnrankedRow, ...]
    unranked_count: int
    minimum: int


def board_sources(snapshot: LeaderboardSnapshot) -> dict[str, BoardSource]:
    """Every board of a ranking (the floor's and each team's, per period) by its key."""
    sources: dict[str, BoardSource] = {}
    minimum = snapshot.minimum
    for period in Period:
        unranked = snapshot.unranked[period]
        sources[board_key(period)] = BoardSource(period, None, tuple(snapshot.agents[period][:ROWS_SHOWN]),
                                                 tuple(snapshot.teams[period][:TEAMS_SHOWN]),
                                                 tuple(unranked[:ROWS_SHOWN]), len(unranked), minimum)
        unranked_of: dict[int | None, list[UnrankedRow]] = defaultdict(list)
        for row in unranked:
            unranked_of[row.team_id].append(row)
        for team_id, rows in snapshot.team_agents[period].items():
            team_unranked = unranked_of.get(team_id, [])
            sources[board_key(period, team_id)] = BoardSource(period, team_id, tuple(rows[:ROWS_SHOWN]), (),
                                                              tuple(team_unranked[:ROWS_SHOWN]), len(team_unranked),
                                                              minimum)
    return sources


def _payload(version: int, key: str, period: Period, rows: list[tuple[Any, ...]], teams: list[tuple[str, ...]],
             unranked: list[tuple[Any, ...]], unranked_count: int) -> dict[str, Any]:
    """One board's payload. Tuples, not lists: NiceGUI keeps an observed copy of every list and dict put in an
    element's props, one per tab, whereas a tuple is shared by every tab showing the board."""
    more = unranked_count - len(unranked)
    return {'v': version, 'key': key, 'period': period.value, 'rows': tuple(rows), 'teams': tuple(teams),
            'unranked': tuple(unranked), 'more': more,
            'more_text': ngettext('and {count} more not ranked yet', 'and {count} more not ranked yet', more)
            .format(count=number(more)) if more else ''}


async def _emit_in_slices(changed: list[tuple[Event[Places], Places]]) -> None:
    """Each emit wakes the tabs of one agent; a few dozen per turn keep the loop free for everything else."""
    for index, (event, agent_places) in enumerate(changed):
        if index and index % BROADCAST_SLICE == 0:
            await asyncio.sleep(0)
        event.emit(agent_places)


def _moved(sent: dict[str, Any] | None, payload: dict[str, Any]) -> bool:
    """Whether a board's tabs must be sent ``payload``: its rows are not those they were last sent."""
    return sent is None or any(sent[part] != payload[part] for part in ('rows', 'teams', 'unranked'))


def _room(language: str, key: str) -> str:
    return f'{ROOM}-{language}-{key}'


_feeds: 'weakref.WeakKeyDictionary[LeaderboardService, BoardFeed]' = weakref.WeakKeyDictionary()


def feed_for(leaderboard: LeaderboardService) -> BoardFeed:
    """The feed of this leaderboard service; create it from ``register`` (outside any page) so it outlives tabs."""
    if leaderboard not in _feeds:
        _feeds[leaderboard] = BoardFeed(leaderboard)
    return _feeds[leaderboard]


class Board(ui.element, component='leaderboard_card.js', dependencies=['socket_feed.js']):
    """The rows of one leaderboard, drawn by the browser; one element however many rows."""

    def __init__(self, feed: BoardFeed, *, me: int | None, kiosk: bool, period: Period, rows: int, teams: int,
                 team_id: int | None = None, unranked: bool = True) -> None:
        super().__init__()
        self.feed = feed
        self.period = period
        self.team_id = team_id
        self.language = current_language()  # the tab's: its rows come in it
        self._props['board'] = feed.current(period, team_id, self.language)  # sent with the rows of the moment
        self._props['nobody'] = _('Nobody ranked yet.')
        self._props['me'] = me
        self._props['kiosk'] = kiosk
        self._props['rows'] = rows
        self._props['teams'] = teams
        self._props['unranked'] = unranked
        self.client.on_connect(lambda client: feed.join(client, board_key(self.period, self.team_id), self.language))

    def show(self, period: Period, team_id: int | None) -> None:
        """Show another period or team: this tab leaves the old board's room and joins the new one's."""
        previous = board_key(self.period, self.team_id)
        self.period, self.team_id = period, team_id
        self._props['board'] = self.feed.current(period, team_id, self.language)
        self.update()
        background_tasks.create(self.feed.join(self.client, board_key(period, team_id), self.language,
                                               leave=previous), name='leaderboard board')

    def set_period(self, period: Period) -> None:
        self.show(period, self.team_id)

    def _displayed_contents(self, *, only_visible: bool) -> list:
        """What the rows show, for NiceGUI's simulated users (the browser draws them from the same payload)."""
        return list(self._texts())

    def _texts(self) -> Iterator[str]:
        board = self.feed.current(self.period, self.team_id, self.language)
        for rank, _icon, name, title, team, total, _agent_id in board['rows'][:self._props['rows']]:
            yield from (rank, name, f'{title} · {team}' if team else title, total)
        if self._props['unranked']:
            for name, text, _agent_id in board['unranked'][:self._props['rows']]:
                yield from (name, text)
        for rank, name, average in board['teams'][:self._props['teams']]:
            yield from (rank, name, average)


class StandingLine(ui.label):
    """The agent's own line under a board ("You are 7th, …"), worded in the tab's language by the tab itself, only
    when the agent's place on the board shown moved: the feed keeps the places of the agents someone is watching."""

    def __init__(self, feed: BoardFeed, agent_id: int, period: Period, *, in_team: bool) -> None:
        super().__init__()
        self.period = period
        self.in_team = in_team
        self.language = current_language()  # the tab's
        self._shown: tuple[str, Place | None] | None = None
        self._places = feed.watch(agent_id, self._show)  # until the tab closes
        self._word()

    def set_period(self, period: Period) -> None:
        self.period = period
        self._word()

    def _show(self, agent_places: Places) -> None:
        self._places = agent_places
        self._word()

    def _word(self) -> None:
        key = own_team_key(self.period) if self.in_team else board_key(self.period)
        shown = (key, self._places.get(key))
        if shown != self._shown:  # another board's place moved, or nothing: no words to make
            self._shown = shown
            with speaking(self.language):
                self.set_text(standing_line(shown[1], self.period, in_team=self.in_team))


class LeaderboardCard:
    """The floor's agents and teams for one period; ``me`` is highlighted and told where they stand.

    The kiosk can turn the same card to one team's board (:meth:`show_team`), which costs a room change, not a ranking.
    """

    def __init__(self, feed: BoardFeed, *, me: int | None, kiosk: bool = False, period: Period = Period.TODAY,
                 rows: int = ROWS_SHOWN, teams: int = TEAMS_SHOWN) -> None:
        self.feed = feed
        self.me = me
        self.period = period
        self.kiosk = kiosk
        with ui.card().classes('w-full gap-1' + (' bg-transparent shadow-none' if kiosk else '')).mark('leaderboard'):
            with ui.row().classes('w-full items-center justify-between'):
                self.title = ui.label(_('Leaderboard')).classes('text-5xl font-bold' if kiosk else 'text-lg font-bold')
                if kiosk:
                    ui.label(_(PERIOD_LABELS[period])).classes('text-3xl text-grey-5')
                else:
                    ui.toggle(period_options(feed), value=period, on_change=self._change_period) \
                        .props('dense no-caps').mark('period')
            with Board(feed, me=me, kiosk=kiosk, period=period, rows=rows, teams=teams, unranked=not kiosk) \
                    as self.board:
                self.standing = StandingLine(feed, me, period, in_team=False) \
                    .classes('text-sm text-grey-8 px-2').mark('standing') if me is not None and not kiosk else None
                self.teams_header = None
                if teams:
                    ui.separator().classes('my-1')
                    self.teams_header = ui.label(_('Teams · points per agent')) \
                        .classes('text-4xl font-bold mt-4' if kiosk else 'text-sm font-bold')

    def show_team(self, team_id: int | None, name: str = '') -> None:
        """Turn the card to one team's board (``None``: the floor's again)."""
        self.board.show(self.period, team_id)
        self.title.set_text(_('Team {name}').format(name=name) if team_id is not None else _('Leaderboard'))

    def _show_title(self) -> None:
        """'Leaderboard', or the running season's name on the Season board."""
        season = self.feed.leaderboard.snapshot().season if self.period == Period.SEASON else None
        self.title.set_text(_('Leaderboard · {season}').format(season=season.name) if season else
                            _('No season running') if self.period == Period.SEASON else _('Leaderboard'))

    def _change_period(self, event) -> None:
        self.period = Period(event.value)
        self.board.set_period(self.period)
        self._show_title()
        if self.standing is not None:
            self.standing.set_period(self.period)


class TeamBoardCard:
    """The agents within one team, ranked among themselves, for one period.

    An agent sees their own team ("My team") with their standing in it; a lead picks any team from ``choices``.
    """

    def __init__(self, feed: BoardFeed, *, me: int | None, team_id: int | None, team_name: str = '',
                 choices: dict[int, str] | None = None, period: Period = Period.TODAY, rows: int = ROWS_SHOWN) -> None:
        self.feed = feed
        self.me = me
        self.period = period
        self.own_team = choices is None  # an agent's own team: their standing is shown
        if choices is not None and team_id not in choices:
            team_id = next(iter(choices), None)
        with ui.card().classes('w-full gap-1').mark('team-board'):
            with ui.row().classes('w-full items-center justify-between'):
                if choices is None:
                    ui.label(_('My team · {name}').format(name=team_name) if team_name else _('My team')) \
                        .classes('text-lg font-bold truncate').mark('team-board-title')
                else:
                    ui.select(choices, value=team_id, label=_('Team'), on_change=self._change_team) \
                        .props('dense').classes('w-40').mark('team-choice')
                ui.toggle(period_options(feed), value=period, on_change=self._change_period) \
                    .props('dense no-caps').mark('team-period')
            with Board(feed, me=me, kiosk=False, period=period, rows=rows, teams=0, team_id=team_id) as self.board:
                self.standing = StandingLine(feed, me, period, in_team=True) \
                    .classes('text-sm text-grey-8 px-2').mark('team-standing') \
                    if me is not None and self.own_team and team_id is not None else None

    def _change_period(self, event) -> None:
        self.period = Period(event.value)
        self.board.set_period(self.period)
        if self.standing is not None:
            self.standing.set_period(self.period)

    def _change_team(self, event) -> None:
        if event.value is not None:
            self.board.show(self.period, int(event.value))


def period_options(feed: BoardFeed) -> dict[Period, str]:
    """The periods a board can show: the Season one only while a season runs (a lead defines them in the game
    settings)."""
    season = feed.leaderboard.snapshot().season
    return {period: _(PERIOD_LABELS[period]) for period in Period if period != Period.SEASON or season is not None}


def _row(row: BoardRow, levels: Sequence[Level], *, team: bool = True) -> tuple[Any, ...]:
    level = level_info(row.level, levels=levels)  # the stored table: leads edit titles and icons
    return (f'{row.rank}.', level.icon, row.name, level.shown_title, row.team_name if team else '', number(row.points),
            row.agent_id)


def _unranked(row: UnrankedRow, minimum: int) -> tuple[Any, ...]:
    return (row.name, _('Not ranked yet: {resolved} of {minimum} resolved').format(resolved=row.resolved,
                                                                                   minimum=minimum), row.agent_id)


def places_of(snapshot: LeaderboardSnapshot, agent_ids: Collection[int]) -> dict[int, Places]:
    """Where each of ``agent_ids`` stands on the boards that list them (the floor's and their own team's, per period),
    in one pass over the boards; the other agents' rows are only skipped."""
    found: dict[int, Places] = {agent_id: {} for agent_id in agent_ids}
    for period in Period:
        _place_on(snapshot.agents[period], board_key(period), found)
        for rows in snapshot.team_agents[period].values():
            _place_on(rows, own_team_key(period), found)
        for row in snapshot.unranked[period]:
            if row.agent_id in found:
                place = Place(resolved=row.resolved, minimum=snapshot.minimum)
                found[row.agent_id][board_key(period)] = place
                if row.team_id is not None:
                    found[row.agent_id][own_team_key(period)] = place
    return found


def _place_on(board: list[BoardRow], key: str, found: dict[int, Places]) -> None:
    closest: BoardRow | None = None  # the first agent of the group just above the current one
    group_first: BoardRow | None = None
    for row in board:
        if group_first is None or row.points != group_first.points:
            closest, group_first = group_first, row
        if row.agent_id in found:
            found[row.agent_id][key] = Place(rank=row.rank) if closest is None else \
                Place(rank=row.rank, behind=closest.points - row.points, ahead=closest.name.split()[0])


def standing_line(place: Place | None, period: Period, *, in_team: bool) -> str:
    """'You are 7th, 40 points behind Ana' ('… in your team, …' on a team's board) or 'Not ranked yet: 2 of 5 resolved
    today.', in the current language; '' for an agent the board does not list."""
    if place is None:
        return ''
    if place.rank is None:
        return _(NOT_RANKED[period]).format(resolved=place.resolved, minimum=place.minimum)
    rank = ordinal(place.rank, locale=current_language())
    if place.ahead is None:
        return (_('You are {rank} in your team: nobody is ahead of you. Keep it up!') if in_team else
                _('You are {rank}: nobody is ahead of you. Keep it up!')).format(rank=rank)
    return (_('You are {rank} in your team, {points} behind {name}.') if in_team else
            _('You are {rank}, {points} behind {name}.')).format(rank=rank, points=points(place.behind),
                                                                   name=place.ahead)
