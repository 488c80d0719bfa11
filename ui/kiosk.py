"""The wall screen (issue 15): a paired, read-only TV that rotates the slides a lead chose and celebrates.

An unpaired browser at ``/kiosk`` sees only a code entry screen (no names). A lead's one-time code pairs it: the
browser keeps a device token in NiceGUI's user storage (server-side, keyed by the signed browser id; never in a URL),
so it stays paired across reloads and server restarts, until a lead revokes it or pairs another TV in its place
(:class:`DisplayTabs` sends its tabs back to the pairing screen at once).

What the slides show is computed once per change for every display (:class:`PublicFloor`), with each agent's public
name (an alias, or nobody for those who opted out) and only the top of each ranking; a display filters it by its teams.
One application timer turns every display's slides (no timer per tab, no reads when a slide turns). Celebrations are
queued per tab and each shown ``CELEBRATION_SECONDS``, so a burst skips none and the banner never flashes fast.
"""
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as day_time

from nicegui import Client, Event, app, ui

from services.container import Services
from services.domain.displays import PUBLIC_TOP, SLIDE_LABELS, Slide, shown_code, slide_at
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind
from services.domain.leaderboard import BoardRow, Period
from services.domain.levels import level_info
from services.domain.projection import LevelUp, Outcome
from services.domain.quests import QuestCompletion, QuestScope
from services.game.boss import BossView
from services.game.trophies import TrophySnapshot
from services.platform.coalesce import LIVE_DELAY, LIVE_INTERVAL, Coalescer
from services.platform.displays import DisplayView
from services.platform.tasks import start_task
from ui.boss_bar import BossBar, BossFeed, boss_feed_for
from ui.clock_ticker import clock_ticker_for
from ui.format import CHANNEL_ICONS, CHANNEL_LABELS

DEVICE_KEY = 'kiosk_device'  # the paired display's device token, in app.storage.user (server-side)
CELEBRATION_SECONDS = 5.0  # each banner stays this long: one flash every 5 s at most, well under three a second
RECENT_CELEBRATIONS = 8
CSAT_SECONDS = 10.0  # CSAT today is read again at most this often, after a rating
ROTATION_TICK = 1.0
KIOSK_CSS = """
:root { --u: max(22px, min(1.45vw, 2.5vh)); /* text scales with the screen, never under 22 px */ }
.dq-kiosk { position: fixed; inset: 0; overflow: hidden;
  padding: 3.5vh 3.5vw; /* the overscan margin: TVs crop up to 5% */ box-sizing: border-box;
  background: #101418; color: #f5f5f5; font-size: var(--u); line-height: 1.25;
  display: flex; flex-direction: column; gap: 1.2vh; font-family: system-ui, sans-serif; }
.dq-kiosk .dq-head { display: flex; align-items: baseline; gap: 1.2vw; flex: none; }
.dq-kiosk .dq-brand { font-size: calc(var(--u) * 1.8); font-weight: 700; color: #ffc857; }
.dq-kiosk .dq-sub { font-size: calc(var(--u) * 1.3); color: #d0d6dc; }
.dq-kiosk .dq-clock { margin-left: auto; font-size: calc(var(--u) * 1.8); font-variant-numeric: tabular-nums;
  color: #e6eaee; }
.dq-kiosk .dq-slide { flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column; gap: 1.4vh;
  overflow: hidden; }
.dq-kiosk .dq-title { font-size: calc(var(--u) * 2.4); font-weight: 700; color: #ffffff; }
.dq-kiosk .dq-cols { display: flex; gap: 3vw; min-height: 0; flex: 1 1 auto; }
.dq-kiosk .dq-col { flex: 1 1 0; min-width: 0; display: flex; flex-direction: column; gap: 1.4vh; }
.dq-kiosk .dq-h2 { font-size: calc(var(--u) * 1.6); font-weight: 700; color: #ffc857; }
.dq-kiosk .dq-row { display: flex; gap: 1vw; align-items: baseline; font-size: calc(var(--u) * 1.55);
  white-space: nowrap; }
.dq-kiosk .dq-row .dq-name { flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
.dq-kiosk .dq-rank { width: 2.2em; color: #ffc857; font-weight: 700; }
.dq-kiosk .dq-num { font-variant-numeric: tabular-nums; font-weight: 700; }
.dq-kiosk .dq-muted { color: #c3cad1; }
.dq-kiosk .dq-big { font-size: calc(var(--u) * 3.2); font-weight: 800; color: #ffc857; }
.dq-kiosk .dq-bar { height: 1.1vh; background: #2c3640; border-radius: 1vh; overflow: hidden; }
.dq-kiosk .dq-bar > div { height: 100%; background: #4cc38a; }
.dq-kiosk .dq-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 2vh 3vw; min-height: 0; }
.dq-kiosk .dq-dots { display: flex; gap: 0.6vw; flex: none; justify-content: center; }
.dq-kiosk .dq-dot { width: 1.2vh; height: 1.2vh; border-radius: 50%; background: #3c4a56; }
.dq-kiosk .dq-dot.on { background: #ffc857; }
.dq-banner { position: fixed; left: 3.5vw; right: 3.5vw; top: 3.5vh; /* inside the overscan margin */ z-index: 50;
  box-sizing: border-box; min-height: calc(var(--u) * 5.25 + 1.2vh); /* covers the head and the slide's title */
  padding: 1.5vh 3vw; border-radius: 1.5vh; display: flex; align-items: center; justify-content: center; gap: 1vw;
  background: #ffc857; color: #101418; font-size: calc(var(--u) * 2); font-weight: 800;
  box-shadow: 0 1vh 3vh rgba(0,0,0,.5); animation: dq-in .6s ease-out; }
.dq-banner .dq-banner-text { text-align: center; overflow: hidden; display: -webkit-box; -webkit-box-orient: vertical;
  -webkit-line-clamp: 2; /* a long quest title wraps once, then is cut */ }
.dq-kiosk .dq-boss { flex: none; display: flex; flex-direction: column; gap: 0.6vh; padding: 1vh 1.5vw;
  border-radius: 1.5vh; background: #3a1d12; font-size: calc(var(--u) * 1.4); }
@keyframes dq-in { from { opacity: 0; transform: translateY(-30%); } to { opacity: 1; transform: none; } }
.dq-pair input { font-size: calc(var(--u) * 2.4) !important; letter-spacing: .2em; text-transform: uppercase;
  color: #ffffff !important; }
"""


@dataclass(frozen=True, kw_only=True, slots=True)
class PublicRow:
    rank: int
    name: str  # the agent's public name
    team_id: int | None
    team: str
    points: int


@dataclass(frozen=True, kw_only=True, slots=True)
class MissionRow:
    title: str
    team_id: int
    team: str
    value: float
    target: int
    share: float
    done: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Celebration:
    icon: str
    text: str
    team_id: int | None  # whose team it is, for displays showing some teams only


@dataclass(frozen=True, kw_only=True, slots=True)
class PublicSlides:
    """Every slide's content for every display, with public names only; a display keeps its teams' part."""
    today: tuple[PublicRow, ...] = ()  # ranked, the opted-out left out; cut to the top when shown
    week: tuple[PublicRow, ...] = ()
    team_totals: tuple[tuple[int, int, str, int], ...] = ()  # today: rank, team id, name, points (the members' total)
    missions: tuple[MissionRow, ...] = ()
    waiting: tuple[tuple[Channel, int], ...] = ()
    csat: tuple[int, int] = (0, 0)  # good, all rated today
    trophies: tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...] = ()  # icon, name, (public name, points)
    recent: tuple[Celebration, ...] = field(default=())


class PublicFloor:
    """What every wall display shows, computed once per burst of changes and shared by all of them."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.slides = PublicSlides()
        self.changed: Event[PublicSlides] = Event()
        self.celebrated: Event[Celebration] = Event()
        self._recent: deque[Celebration] = deque(maxlen=RECENT_CELEBRATIONS)
        self._csat: tuple[int, int] = (0, 0)
        self._csat_day: datetime | None = None
        self._badges = services.badges.public_holders()
        # recomputed shortly after a change (one commit pokes from several services), once for every display
        self._refresh = Coalescer(self._compute, delay=LIVE_DELAY, interval=LIVE_INTERVAL)
        self._ratings = Coalescer(lambda: start_task(self._read_csat(), name='kiosk csat'), delay=0.0,
                                  interval=CSAT_SECONDS)
        for event in (services.leaderboard.changed, services.inbox.changed, services.quests.changed,
                      services.displays.profiles_changed, services.directory.changed):
            event.subscribe(lambda *_: self._refresh.poke(), unsubscribe_on_delete=False)
        services.trophies.changed.subscribe(self._on_trophies, unsubscribe_on_delete=False)
        services.badges.changed.subscribe(self._on_badges, unsubscribe_on_delete=False)
        services.levels.level_ups.subscribe(self._on_level_ups, unsubscribe_on_delete=False)
        services.quests.completed.subscribe(self._on_completion, unsubscribe_on_delete=False)
        services.game.committed.subscribe(self._on_committed, unsubscribe_on_delete=False)
        services.game.followed.subscribe(self._on_committed, unsubscribe_on_delete=False)  # another process's
        services.boss.changed.subscribe(self._on_boss, unsubscribe_on_delete=False)
        boss = services.boss.view()
        self._boss_celebrated = boss.number if boss is not None else 0  # the last boss whose defeat was celebrated
        trophies = services.trophies.snapshot()
        self._leaders = self._trophy_leaders(trophies)
        self._month = trophies.month
        self._led: set[tuple[str, int]] = {(key, agent) for key, agents in self._leaders.items() for agent in agents}
        self._compute()
        self._ratings.poke()

    # --- celebrations ---

    def _celebrate(self, agent_id: int | None, icon: str, what: str, *, team_id: int | None = None) -> None:
        if agent_id is not None:
            name = self.services.displays.public_name(agent_id)
            agent = self.services.directory.agent(agent_id)
            if name is None or agent is None:  # opted out: not celebrated in public either
                return
            team_id = agent.team_id
            text = f'{name} {what}'
        else:
            text = what
        celebration = Celebration(icon=icon, text=text, team_id=team_id)
        self._recent.appendleft(celebration)
        self.celebrated.emit(celebration)
        self._refresh.poke()

    def _on_boss(self, view: BossView | None) -> None:
        if view is not None and view.won and view.number > self._boss_celebrated:
            self._boss_celebrated = view.number
            self._celebrate(None, 'local_fire_department', f'The floor beat {view.name} together!')

    def _on_level_ups(self, level_ups: list[LevelUp]) -> None:
        for up in level_ups:
            level = level_info(up.new, levels=self.services.levels.levels)
            self._celebrate(up.agent_id, level.icon or 'military_tech', f'reached level {up.new}: {level.title}!')

    def _on_completion(self, completion: QuestCompletion) -> None:
        if completion.scope == QuestScope.TEAM and completion.team_id is not None:
            team = self.services.directory.teams.get(completion.team_id, '')
            self._celebrate(None, 'groups', f"Team {team} accomplished the mission '{completion.title}'!",
                            team_id=completion.team_id)
        else:
            self._celebrate(completion.holder, 'flag', f"completed the quest '{completion.title}'!")

    def _on_badges(self, holders: dict[str, frozenset[int]]) -> None:
        names = {definition.key: definition.name for definition in self.services.badges.definitions}
        for key, agents in holders.items():
            for agent_id in sorted(agents - self._badges.get(key, frozenset())):
                self._celebrate(agent_id, 'workspace_premium', f'won the badge {names.get(key, key)}!')
        self._badges = holders
        self._refresh.poke()

    def _on_trophies(self, snapshot: TrophySnapshot) -> None:
        leaders = self._trophy_leaders(snapshot)
        names = {trophy.key: (trophy.icon, trophy.name) for trophy in snapshot.trophies}
        if snapshot.month != self._month:  # a new month: everyone may take a lead again
            self._month, self._led = snapshot.month, set()
        for key, agents in leaders.items():
            for agent_id in sorted(agents - self._leaders.get(key, frozenset())):
                if (key, agent_id) not in self._led:  # once a month each: two close leaders would flash all day
                    self._led.add((key, agent_id))
                    icon, name = names[key]
                    self._celebrate(agent_id, icon, f'takes the lead for the {name} trophy!')
        self._leaders = leaders
        self._refresh.poke()

    @staticmethod
    def _trophy_leaders(snapshot: TrophySnapshot) -> dict[str, frozenset[int]]:
        leaders = {}
        for key, standings in snapshot.standings.items():
            top = max((standing.points for standing in standings), default=0)
            leaders[key] = frozenset(s.agent_id for s in standings if s.points == top and top > 0)
        return leaders

    # --- the slides ---

    def _on_committed(self, outcomes: list[Outcome]) -> None:
        if any(outcome.event.kind in (EventKind.RATED, EventKind.RATING_INVALIDATED) for outcome in outcomes):
            self._ratings.poke()

    async def _read_csat(self) -> None:
        now = self.services.clock.now()
        since = datetime.combine(now.date(), day_time(), tzinfo=now.tzinfo)
        self._csat = await self.services.ratings.floor_since(since)
        self._csat_day = since
        self._refresh.poke()

    def _public_rows(self, rows: list[BoardRow]) -> tuple[PublicRow, ...]:
        shown = []
        for row in rows:
            name = self.services.displays.public_name(row.agent_id)
            agent = self.services.directory.agent(row.agent_id)
            if name is not None and agent is not None:
                shown.append(PublicRow(rank=row.rank, name=name, team_id=agent.team_id, team=row.team_name,
                                       points=row.points))
        return tuple(shown)

    def _compute(self) -> None:
        services = self.services
        now = services.clock.now()
        if self._csat_day is not None and now.date() != self._csat_day.date():
            self._csat_day = None
            self._csat = (0, 0)
            self._ratings.poke()  # a new day: today's ratings start again
        snapshot = services.leaderboard.snapshot()
        board = services.quests.tracker.board
        missions = []
        for quest in sorted(board.quests.values(), key=lambda quest: quest.ends_at):
            if quest.scope != QuestScope.TEAM or not quest.running(now):
                continue
            for team_id, team in sorted(services.directory.teams.items(), key=lambda item: item[1]):
                progress = board.holder_progress(quest.key, team_id, team_id=team_id, now=now)
                missions.append(MissionRow(title=quest.title, team_id=team_id, team=team, value=progress.value,
                                           target=quest.target, share=progress.share, done=progress.completed))
        trophies = services.trophies.snapshot()
        waiting = {channel: 0 for channel in Channel}
        for item in services.inbox.items():
            if item.waiting_since is not None:
                waiting[item.channel] += 1
        slides = PublicSlides(
            today=self._public_rows(snapshot.agents[Period.TODAY]),
            week=self._public_rows(snapshot.agents[Period.WEEK]),
            team_totals=tuple((team.rank, team.team_id, team.name, team.points)
                              for team in snapshot.teams[Period.TODAY]),
            missions=tuple(missions), waiting=tuple(waiting.items()), csat=self._csat,
            trophies=tuple((trophy.icon, trophy.name, tuple(
                (name, standing.points) for standing in trophies.standings.get(trophy.key, [])
                if (name := services.displays.public_name(standing.agent_id)) is not None)[:3])
                for trophy in trophies.trophies),
            recent=tuple(self._recent))
        if slides != self.slides:
            self.slides = slides
            self.changed.emit(slides)


class DisplayTabs:
    """The tabs showing each paired display: a display let go (revoked, or paired to another TV) sends them back to
    the pairing screen at once, from the service's event; no tab polls."""

    def __init__(self, services: Services) -> None:
        self.tabs: dict[int, dict[str, Client]] = {}
        services.displays.let_go.subscribe(self.leave, unsubscribe_on_delete=False)

    def opened(self, display_id: int, client: Client) -> None:
        self.tabs.setdefault(display_id, {})[client.id] = client
        client.on_delete(lambda: self.tabs.get(display_id, {}).pop(client.id, None))

    def leave(self, displays: frozenset[int]) -> None:
        for display_id in displays:
            for client in list(self.tabs.pop(display_id, {}).values()):
                with client:  # what reloading the page does: the pairing screen, as the display is no longer live
                    ui.navigate.to('/kiosk')


class Rotation:
    """One application timer for every display's slides: each tab works out its slide from the time."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.ticked: Event[float] = Event()
        app.timer(ROTATION_TICK, self.tick, immediate=False)

    def tick(self) -> None:
        if self.ticked.callbacks:
            self.ticked.emit(time.monotonic() - self.started)


def register(services: Services) -> None:
    ticker = clock_ticker_for(services.clock)
    tabs = DisplayTabs(services)  # here, outside any page: it outlives every tab
    rotation = Rotation()
    boss = boss_feed_for(services.boss, ticker)  # the queue boss's strip, computed once for every display
    shared: list[PublicFloor] = []  # made when the first kiosk opens, once the services have loaded

    @ui.page('/kiosk')
    def kiosk() -> None:
        ui.page_title('DeskQuest · Live floor')
        ui.add_css(KIOSK_CSS)
        ui.query('body').style('background: #101418')
        display = services.displays.check(app.storage.user.get(DEVICE_KEY))
        if display is None:
            pairing_screen(services)
            return
        if not shared:
            shared.append(PublicFloor(services))
        floor = shared[0]
        tabs.opened(display.id, ui.context.client)
        KioskScreen(services, display, floor, rotation, ticker.ticked, boss=boss)


def pairing_screen(services: Services) -> None:
    """What an unpaired browser sees: how to pair, and the code's field; no name of anyone."""
    with ui.element('div').classes('dq-kiosk items-center justify-center').mark('pairing-screen'):
        ui.label('DeskQuest').classes('dq-brand')
        ui.label('Pair this display').classes('dq-title')
        ui.label('A lead creates a display at /admin/displays and reads you its pairing code.').classes('dq-sub')
        code = ui.input(placeholder='ABCD-EF23').props('dark outlined autofocus').classes('dq-pair') \
            .style('width: min(40vw, 30em)').mark('pairing-code')
        error = ui.label().classes('dq-sub').style('color: #ff9b9b').mark('pairing-error')

        async def pair() -> None:
            try:
                token = await services.displays.pair(code.value)
            except ActionError as problem:
                error.set_text(str(problem))
                return
            app.storage.user[DEVICE_KEY] = token
            ui.navigate.to('/kiosk')

        code.on('keydown.enter', pair)
        ui.button('Pair', on_click=pair).props('no-caps unelevated color=amber-6 text-color=black size=xl') \
            .mark('pair')


class KioskScreen:
    """One paired display's tab: its slides turned by the shared rotation, redrawn when the shared content changes."""

    def __init__(self, services: Services, display: DisplayView, floor: PublicFloor, rotation: Rotation,
                 ticked: Event[datetime], *, boss: BossFeed) -> None:
        self.services = services
        self.display = display
        self.floor = floor
        self.teams = frozenset(display.team_ids)
        self.slides = display.slides or tuple(Slide)
        self.shown_index = -1
        self.drawn: dict[Slide, object] = {}
        self.connected = False
        with ui.element('div').classes('dq-kiosk').mark('kiosk-screen'):
            with ui.element('div').classes('dq-head'):
                ui.label('DeskQuest').classes('dq-brand')
                ui.label(display.name).classes('dq-sub').mark('display-name')
                self.slide_title = ui.label().classes('dq-sub').mark('slide-title')
                self.clock = ui.label(services.clock.now().strftime('%a %H:%M')).classes('dq-clock') \
                    .mark('kiosk-clock')
            BossBar(boss, name_of=services.displays.public_name, kiosk=True)  # while a fight runs
            self.containers = {slide: ui.element('div').classes('dq-slide').mark(f'slide-{slide.value}')
                               for slide in self.slides}
            with ui.element('div').classes('dq-dots'):
                self.dots = [ui.element('div').classes('dq-dot') for _ in self.slides]
        self.banner = Banner()
        self.draw(floor.slides)
        self.turn(time.monotonic() - rotation.started)
        floor.changed.subscribe(self.draw)
        floor.celebrated.subscribe(self.celebrate)
        rotation.ticked.subscribe(self.turn)
        ticked.subscribe(lambda now: self.clock.set_text(now.strftime('%a %H:%M')))
        # after a network cut NiceGUI reconnects the same tab: draw what changed meanwhile, or leave if revoked
        ui.context.client.on_connect(self.resync)

    def resync(self) -> None:
        if not self.connected:  # the first connect: the page was just drawn
            self.connected = True
            return
        if self.services.displays.check(app.storage.user.get(DEVICE_KEY)) is None:
            ui.navigate.to('/kiosk')
            return
        self.drawn.clear()
        self.draw(self.floor.slides)

    def turn(self, elapsed: float) -> None:
        index = slide_at(self.slides, self.display.slide_seconds, elapsed)
        if index == self.shown_index:
            return
        self.shown_index = index
        for position, container in enumerate(self.containers.values()):
            container.set_visibility(position == index)
            self.dots[position].classes(add='on' if position == index else '',
                                        remove='' if position == index else 'on')
        self.slide_title.set_text(SLIDE_LABELS[self.slides[index]])

    def celebrate(self, celebration: Celebration) -> None:
        if not self.teams or celebration.team_id in self.teams:
            self.banner.queue(celebration)

    def mine(self, rows: tuple[PublicRow, ...]) -> tuple[PublicRow, ...]:
        return tuple(row for row in rows if not self.teams or row.team_id in self.teams)

    def draw(self, slides: PublicSlides) -> None:
        """Redraw the slides whose part for this display changed (most changes move one board)."""
        team_names = sorted(((team_id, name) for team_id, name in self.services.directory.teams.items()
                             if not self.teams or team_id in self.teams), key=lambda item: item[1])
        parts: dict[Slide, tuple[object, Callable[[], None]]] = {
            Slide.TODAY: ((self.mine(slides.today)[:PUBLIC_TOP],
                           tuple(team for team in slides.team_totals if not self.teams or team[1] in self.teams)[:4]),
                          lambda: self._today(slides)),
            Slide.WEEK: ((slides.week, tuple(team_names)), lambda: self._week(slides, team_names)),
            Slide.MISSIONS: (tuple(m for m in slides.missions if not self.teams or m.team_id in self.teams),
                             lambda: self._missions(slides)),
            Slide.QUEUE: ((slides.waiting, slides.csat), lambda: self._queue(slides)),
            Slide.CELEBRATIONS: (tuple(c for c in slides.recent if not self.teams or c.team_id in self.teams),
                                 lambda: self._recent(slides)),
            Slide.TROPHIES: (slides.trophies, lambda: self._trophies(slides)),
        }
        for slide, container in self.containers.items():
            part, draw = parts[slide]
            if self.drawn.get(slide) != part:
                self.drawn[slide] = part
                container.clear()
                with container:
                    draw()

    # --- one slide each ---

    def _today(self, slides: PublicSlides) -> None:
        ui.label("Today's leaders").classes('dq-title')
        with ui.element('div').classes('dq-cols'):
            with ui.element('div').classes('dq-col').mark('today-board'):
                rows = self.mine(slides.today)[:PUBLIC_TOP]
                if not rows:
                    ui.label('No one ranked yet today.').classes('dq-row dq-muted')
                for row in rows:
                    _board_row(f'{row.rank}.', row.name, row.team, row.points)
            with ui.element('div').classes('dq-col').mark('today-teams'):
                ui.label('Teams').classes('dq-h2')
                for rank, team_id, name, points in slides.team_totals:
                    if not self.teams or team_id in self.teams:
                        _board_row(f'{rank}.', name, '', points)

    def _week(self, slides: PublicSlides, teams: list[tuple[int, str]]) -> None:
        ui.label('This week, per team').classes('dq-title')
        with ui.element('div').classes('dq-cols').mark('week-board'):
            for team_id, name in teams[:4]:
                with ui.element('div').classes('dq-col'):
                    ui.label(name).classes('dq-h2')
                    rows = [row for row in slides.week if row.team_id == team_id][:PUBLIC_TOP]
                    if not rows:
                        ui.label('No one ranked yet.').classes('dq-row dq-muted')
                    for position, row in enumerate(rows, start=1):
                        _board_row(f'{position}.', row.name, '', row.points)

    def _missions(self, slides: PublicSlides) -> None:
        ui.label('Team missions').classes('dq-title')
        missions = [m for m in slides.missions if not self.teams or m.team_id in self.teams][:8]
        with ui.element('div').classes('dq-col').mark('missions'):
            if not missions:
                ui.label('No team mission is running.').classes('dq-row dq-muted')
            for mission in missions:
                with ui.element('div').classes('dq-row'):
                    ui.label(f'{mission.team} · {mission.title}').classes('dq-name')
                    ui.label('done' if mission.done else f'{mission.value:g} / {mission.target}').classes('dq-num')
                with ui.element('div').classes('dq-bar'):
                    ui.element('div').style(f'width: {mission.share * 100:.0f}%')

    def _queue(self, slides: PublicSlides) -> None:
        ui.label('Queue health').classes('dq-title')
        with ui.element('div').classes('dq-cols'):
            with ui.element('div').classes('dq-col'):
                ui.label('Customers waiting').classes('dq-h2')
                for channel, waiting in slides.waiting:
                    with ui.element('div').classes('dq-row'):
                        ui.icon(CHANNEL_ICONS[channel]).style('color: #ffc857')
                        ui.label(CHANNEL_LABELS[channel]).classes('dq-name')
                        ui.label(str(waiting)).classes('dq-num').mark(f'queue-{channel.value}')
            with ui.element('div').classes('dq-col'):
                ui.label('CSAT today').classes('dq-h2')
                good, rated = slides.csat
                ui.label(f'{round(100 * good / rated)}%' if rated else '–').classes('dq-big').mark('csat-today')
                ui.label(f'{good} good of {rated} rated' if rated else 'No rating yet today.').classes('dq-muted')

    def _recent(self, slides: PublicSlides) -> None:
        ui.label('Celebrations').classes('dq-title')
        recent = [c for c in slides.recent if not self.teams or c.team_id in self.teams][:6]
        with ui.element('div').classes('dq-col').mark('recent-celebrations'):
            if not recent:
                ui.label('The next level-up, badge or mission will be celebrated here.').classes('dq-row dq-muted')
            for celebration in recent:
                with ui.element('div').classes('dq-row'):
                    ui.icon(celebration.icon).style('color: #ffc857')
                    ui.label(celebration.text).classes('dq-name')

    def _trophies(self, slides: PublicSlides) -> None:
        ui.label('Trophies of the month').classes('dq-title')
        with ui.element('div').classes('dq-grid').mark('kiosk-trophies'):
            for icon, name, leaders in slides.trophies[:4]:
                with ui.element('div').classes('dq-col'):
                    with ui.element('div').classes('dq-row'):
                        ui.icon(icon).style('color: #ffc857')
                        ui.label(name).classes('dq-h2 dq-name')
                    if not leaders:
                        ui.label('No points yet.').classes('dq-row dq-muted')
                    for position, (leader, points) in enumerate(leaders, start=1):
                        _board_row(f'{position}.', leader, '', points)


class Banner:
    """The full-width celebration banner of one tab, with its queue: each celebration stays CELEBRATION_SECONDS."""

    def __init__(self) -> None:
        with ui.element('div').classes('dq-banner').mark('celebration-banner') as self.element:
            self.icon = ui.icon('celebration')
            self.text = ui.label().classes('dq-banner-text').mark('celebration-text')
        self.element.set_visibility(False)
        self.waiting: deque[Celebration] = deque()
        self.showing = False

    def queue(self, celebration: Celebration) -> None:
        self.waiting.append(celebration)
        if not self.showing:
            self._next()

    def _next(self) -> None:
        if not self.waiting:
            self.showing = False
            self.element.set_visibility(False)
            return
        celebration = self.waiting.popleft()
        self.showing = True
        self.icon.set_name(celebration.icon)
        self.text.set_text(celebration.text)
        self.element.set_visibility(True)
        with self.element:
            ui.timer(CELEBRATION_SECONDS, self._next, once=True)  # only while celebrating: no idle timer


def _board_row(rank: str, name: str, team: str, points: int) -> None:
    with ui.element('div').classes('dq-row'):
        ui.label(rank).classes('dq-rank')
        ui.label(name).classes('dq-name')
        if team:
            ui.label(team).classes('dq-muted')
        ui.label(f'{points:,}').classes('dq-num')


__all__ = ['DEVICE_KEY', 'PublicFloor', 'register', 'shown_code']
