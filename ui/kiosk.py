"""The wall screen (issue 15): a paired, read-only TV that rotates the slides a lead chose and celebrates.

An unpaired browser at ``/kiosk`` sees only a code entry screen (no names). A lead's one-time code pairs it: the
display is bound, in the database, to the browser's NiceGUI browser id (in its cookie signed with the storage secret;
never in a URL), so it stays paired across reloads, server restarts and, on PostgreSQL, whichever process it reaches,
until a lead revokes it or pairs another TV in its place (:class:`DisplayTabs` sends its tabs back to the pairing
screen at once, on every process).

What the slides show is computed once per change for every display (:class:`PublicFloor`), with each agent's public
name (an alias, or nobody for those who opted out) and only the top of each ranking. :class:`KioskFeed` words it once
per display configuration shown (the display's language, teams and slides) and sends only the rows that changed, in
one message to the room of that configuration's tabs; each slide is one element whose Vue component
(``kiosk_slide.js``) keeps its rows. One application timer turns every display's slides (no timer per tab, no reads
when a slide turns).
Celebrations are queued per tab and each shown ``CELEBRATION_SECONDS``, so a burst skips none and the banner never
flashes fast.
"""
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from nicegui import Client, Event, app, background_tasks, core, ui

from services.container import Services
from services.domain.displays import PUBLIC_TOP, SLIDE_LABELS, Slide, shown_code, slide_at
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind
from services.domain.floor_calendar import day_bounds, floor_day
from services.domain.i18n import N_, Translations, _, localized, ngettext, speaking
from services.domain.labels import channel_text
from services.domain.leaderboard import BoardRow, Period
from services.domain.levels import level_info
from services.domain.projection import LevelUp, Outcome
from services.domain.quests import QuestCompletion, QuestScope
from services.domain.wording import clock_time, day, number, percent
from services.game.boss import BossView
from services.game.trophies import TrophySnapshot
from services.platform.coalesce import LIVE_INTERVAL, LIVE_TURNS, Coalescer
from services.platform.displays import DisplayView
from services.platform.tasks import start_task
from ui.boss_bar import BossBar, BossFeed, boss_feed_for
from ui.clock_ticker import clock_ticker_for
from ui.format import CHANNEL_ICONS
from ui.i18n import speak
from ui.rooms import broadcast

# where a TV paired before pairings were bound to browser ids keeps its device token (app.storage.user): it is bound to
# its browser id at its next visit (DisplayService.adopt), and the key removed
LEGACY_DEVICE_KEY = 'kiosk_device'
CELEBRATION_SECONDS = 5.0  # each banner stays this long: one flash every 5 s at most, well under three a second
RECENT_CELEBRATIONS = 8
CSAT_SECONDS = 10.0  # CSAT today is read again at most this often, after a rating
ROTATION_TICK = 1.0
CODE_EXAMPLE = 'ABCD-EF23'  # the shape of a pairing code, the same in every language (not a text to translate)
ROOM = 'deskquest-kiosk'  # one room per display configuration: deskquest-kiosk-en-floor-today.week, …
MESSAGE = 'deskquest_kiosk'
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
    translations: Translations  # the quest's title in other languages
    team_id: int
    team: str
    value: float
    target: int
    share: float
    done: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Celebration:
    icon: str
    message: str  # N_()-marked, with {placeholders}: worded in each display's language
    values: tuple[tuple[str, str], ...]  # the placeholders' values (names; titles in the floor's default language)
    team_id: int | None  # whose team it is, for displays showing some teams only
    # placeholders a lead wrote in other languages too: (placeholder, field, translations), e.g. a quest's title
    translated: tuple[tuple[str, str, Translations], ...] = ()

    def text(self) -> str:
        """What the banner and the list say, in the language in force."""
        values = dict(self.values)
        for placeholder, field_name, translations in self.translated:
            values[placeholder] = localized(values[placeholder], translations, field_name)
        return _(self.message).format(**values)


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
        # recomputed a few turns after a change (one commit pokes from several services), once for every display
        self._refresh = Coalescer(self._compute, delay=0.0, interval=LIVE_INTERVAL, turns=LIVE_TURNS)
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

    def _celebrate(self, agent_id: int | None, icon: str, message: str, *, team_id: int | None = None,
                   translated: tuple[tuple[str, str, Translations], ...] = (), **values: str) -> None:
        if agent_id is not None:
            name = self.services.displays.public_name(agent_id)
            agent = self.services.directory.agent(agent_id)
            if name is None or agent is None:  # opted out: not celebrated in public either
                return
            team_id = agent.team_id
            values['name'] = name
        celebration = Celebration(icon=icon, message=message, values=tuple(values.items()), team_id=team_id,
                                  translated=translated)
        self._recent.appendleft(celebration)
        self.celebrated.emit(celebration)
        self._refresh.poke()

    def _on_boss(self, view: BossView | None) -> None:
        if view is not None and view.won and view.number > self._boss_celebrated:
            self._boss_celebrated = view.number
            self._celebrate(None, 'local_fire_department', N_('The floor beat {boss} together!'), boss=view.name)

    def _on_level_ups(self, level_ups: list[LevelUp]) -> None:
        for up in level_ups:
            level = level_info(up.new, levels=self.services.levels.levels)
            self._celebrate(up.agent_id, level.icon or 'military_tech', N_('{name} reached level {level}: {title}!'),
                            level=str(up.new), title=level.title, translated=(('title', 'title', level.translations),))

    def _on_completion(self, completion: QuestCompletion) -> None:
        quest = self.services.quests.definition(completion.quest)
        translated = (('title', 'title', quest.translations),) if quest and quest.title == completion.title else ()
        if completion.scope == QuestScope.TEAM and completion.team_id is not None:
            team = self.services.directory.teams.get(completion.team_id, '')
            self._celebrate(None, 'groups', N_("Team {team} accomplished the mission '{title}'!"),
                            team_id=completion.team_id, team=team, title=completion.title, translated=translated)
        else:
            self._celebrate(completion.holder, 'flag', N_("{name} completed the quest '{title}'!"),
                            title=completion.title, translated=translated)

    def _on_badges(self, holders: dict[str, frozenset[int]]) -> None:
        definitions = {definition.key: definition for definition in self.services.badges.definitions}
        for key, agents in holders.items():
            definition = definitions.get(key)
            for agent_id in sorted(agents - self._badges.get(key, frozenset())):
                self._celebrate(agent_id, 'workspace_premium', N_('{name} won the badge {badge}!'),
                                badge=definition.name if definition else key,
                                translated=(('badge', 'name', definition.translations),) if definition else ())
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
                    self._celebrate(agent_id, icon, N_('{name} takes the lead for the {trophy} trophy!'), trophy=name)
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
        since = day_bounds(now)[0]  # the floor's midnight, as the boards' Today
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
        if self._csat_day is not None and floor_day(now) != floor_day(self._csat_day):
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
                missions.append(MissionRow(title=quest.title, translations=quest.translations, team_id=team_id,
                                           team=team, value=progress.value,
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

    async def settle(self) -> None:
        """Wait until a pending recompute has run (for tests)."""
        await self._refresh.settle()


# a display configuration: the tab's language, the display's teams (none: the whole floor) and slides, sorted
FeedKey = tuple[str, tuple[int, ...], tuple[str, ...]]
Rows = tuple[tuple[str, ...], ...]
TeamRow = TypeVar('TeamRow', 'PublicRow', 'MissionRow', 'Celebration')  # a slide's row, listed with its team
FIXED_PARTS = frozenset({'teams', 'heads', 'waiting', 'csat'})  # parts that are never "empty" on their slide


class KioskFeed:
    """What every display's slides show, as rows of text: worded once per change for each display configuration a
    tab shows (its language and teams), diffed against the rows sent before, and only the rows that changed sent in
    one message to the room of that configuration's tabs (as the boards and the monitor are sent). A change to one
    agent's score moves a few rows (their line, their team's total, a trophy's leader), not whole slides."""

    def __init__(self, floor: PublicFloor, services: Services) -> None:
        self.floor = floor
        self.services = services
        self.parts: dict[FeedKey, dict[str, Rows]] = {}  # per configuration shown, what its browsers have
        self.versions: dict[FeedKey, int] = {}
        self.viewers: dict[FeedKey, set[str]] = {}  # the ids of the tabs showing it: its rows are kept while any is
        self.last: dict[FeedKey, dict[str, Any]] = {}  # the latest patch sent to each (for tests)
        floor.changed.subscribe(self._on_slides, unsubscribe_on_delete=False)

    def watch(self, language: str, display: DisplayView, client: Client) -> FeedKey:
        """Keep the rows of this configuration while ``client``'s tab shows it; return its key."""
        key = (language, tuple(sorted(display.team_ids)),
               tuple(sorted(slide.value for slide in display.slides or tuple(Slide))))
        if key not in self.parts:
            self.parts[key], self.versions[key] = self._worded(key, self.floor.slides), 0
        self.viewers.setdefault(key, set()).add(client.id)
        client.on_delete(lambda: self._forget(key, client.id))
        return key

    def full(self, key: FeedKey, slide: Slide | None = None) -> dict[str, Any]:
        """Every part of the configuration (``slide``'s only, for its element's props). Tuples, not lists: NiceGUI
        keeps an observed copy of every list and dict put in an element's props, one per tab; a tuple is shared."""
        parts = {name: (len(rows), tuple(enumerate(rows))) for name, rows in self.parts[key].items()
                 if slide is None or name.startswith(f'{slide.value}/')}
        return {'v': self.versions[key], 'key': _room(key), 'full': True, 'parts': parts}

    async def join(self, client: Client, key: FeedKey) -> None:
        """Put this tab's sockets into its configuration's room (on every connect) and send them every part."""
        for sid, _namespace in list(core.sio.manager.get_participants('/', client.id)):
            await core.sio.enter_room(sid, _room(key))
            await core.sio.emit(MESSAGE, self.full(key), to=sid)  # made once in the room: no newer patch goes first

    def _forget(self, key: FeedKey, client_id: str) -> None:
        viewers = self.viewers.get(key, set())
        viewers.discard(client_id)
        if not viewers:
            for kept in (self.parts, self.versions, self.viewers, self.last):
                kept.pop(key, None)

    def _on_slides(self, slides: PublicSlides) -> None:
        for key, sent in list(self.parts.items()):
            worded = self._worded(key, slides)
            changes = {name: (len(rows), _changed_rows(sent.get(name, ()), rows)) for name, rows in worded.items()
                       if sent.get(name) != rows}
            changes |= {name: (0, ()) for name in sent.keys() - worded.keys()}
            if not changes:
                continue
            self.parts[key] = worded
            self.versions[key] += 1
            self.last[key] = message = {'v': self.versions[key], 'key': _room(key), 'full': False, 'parts': changes}
            background_tasks.create(broadcast(_room(key), MESSAGE, message), name='kiosk slides')

    def _worded(self, key: FeedKey, slides: PublicSlides) -> dict[str, Rows]:
        """The rows of a configuration's slides, in its language (a slide it does not show is not worded)."""
        language, team_ids, shown = key
        teams = frozenset(team_ids)

        def mine(team_id: int | None) -> bool:
            return not teams or team_id in teams
        parts: dict[str, Rows] = {}
        with speaking(language):
            if Slide.TODAY.value in shown:
                parts['today/rows'] = tuple((f'{row.rank}.', row.name, row.team, number(row.points))
                                            for row in _first_shown(slides.today, PUBLIC_TOP, mine))
                parts['today/teams'] = tuple((f'{rank}.', name, '', number(points))
                                             for rank, team_id, name, points in slides.team_totals if mine(team_id))
            if Slide.WEEK.value in shown:
                week_teams = sorted(((team_id, name) for team_id, name in self.services.directory.teams.items()
                                     if mine(team_id)), key=lambda item: item[1])[:4]
                parts['week/teams'] = tuple((name,) for _team_id, name in week_teams)
                for column, (team_id, _name) in enumerate(week_teams):
                    rows = _first_shown(slides.week, PUBLIC_TOP, lambda row_team, team_id=team_id: row_team == team_id)
                    parts[f'week/{column}'] = tuple((f'{position}.', row.name, '', number(row.points))
                                                    for position, row in enumerate(rows, start=1))
            if Slide.MISSIONS.value in shown:
                parts['missions/rows'] = tuple(
                    (f'{mission.team} · {localized(mission.title, mission.translations, "title")}',
                     _('done') if mission.done else
                     f'{number(mission.value)} / {number(mission.target)}', f'{mission.share * 100:.0f}%')
                    for mission in _first_shown(slides.missions, 8, mine))
            if Slide.QUEUE.value in shown:
                parts['queue/waiting'] = tuple((CHANNEL_ICONS[channel], channel_text(channel), number(waiting))
                                               for channel, waiting in slides.waiting)
                good, rated = slides.csat
                parts['queue/csat'] = ((percent(good / rated) if rated else '–',
                                        ngettext('{good} good of {rated} rated', '{good} good of {rated} rated',
                                                 rated).format(good=number(good), rated=number(rated)) if rated
                                        else _('No rating yet today.')),)
            if Slide.CELEBRATIONS.value in shown:
                parts['celebrations/rows'] = tuple((celebration.icon, celebration.text())
                                                   for celebration in _first_shown(slides.recent, 6, mine))
            if Slide.TROPHIES.value in shown:
                parts['trophies/heads'] = tuple((icon, _(name)) for icon, name, _leaders in slides.trophies[:4])
                for column, (_icon, _name, leaders) in enumerate(slides.trophies[:4]):
                    parts[f'trophies/{column}'] = tuple((f'{position}.', leader, '', number(points))
                                                        for position, (leader, points) in enumerate(leaders, start=1))
        return parts


def slide_labels(slide: Slide) -> dict[str, str]:
    """A slide's fixed texts, in the language of the tab being built."""
    return {
        Slide.TODAY: lambda: {'title': _("Today's leaders"), 'empty': _('No one ranked yet today.'),
                              'teams': _('Teams')},
        Slide.WEEK: lambda: {'title': _('This week, per team'), 'empty': _('No one ranked yet.')},
        Slide.MISSIONS: lambda: {'title': _('Team missions'), 'empty': _('No team mission is running.')},
        Slide.QUEUE: lambda: {'title': _('Queue health'), 'waiting': _('Customers waiting'),
                              'csat': _('CSAT today')},
        Slide.CELEBRATIONS: lambda: {'title': _('Celebrations'),
                                     'empty': _('The next level-up, badge or mission will be celebrated here.')},
        Slide.TROPHIES: lambda: {'title': _('Trophies of the month'), 'empty': _('No points yet.')},
    }[slide]()


def _first_shown(rows: Iterable[TeamRow], count: int, shown: Callable[[int | None], bool]) -> list[TeamRow]:
    """The first ``count`` of ``rows`` whose team a display shows, found before any is worded: the boards list the whole
    floor, 500 agents, and a slide shows five of them (each worded once per display configuration and change)."""
    return list(islice((row for row in rows if shown(row.team_id)), count))


def _changed_rows(sent: Rows, rows: Rows) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """The rows of ``rows`` that differ from ``sent``'s at the same place, with their places."""
    return tuple((index, row) for index, row in enumerate(rows) if index >= len(sent) or sent[index] != row)


def _room(key: FeedKey) -> str:
    language, team_ids, slides = key
    return f'{ROOM}-{language}-{"-".join(map(str, team_ids)) or "floor"}-{".".join(slides)}'


class DisplayTabs:
    """The tabs showing each paired display: a display let go (revoked, or paired to another TV) sends them back to
    the pairing screen at once, and one whose lead chose another language is built again in it, from the service's
    events; no tab polls."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.tabs: dict[int, dict[str, tuple[Client, str]]] = {}  # display id: tab id: the tab and its language
        services.displays.let_go.subscribe(self.leave, unsubscribe_on_delete=False)
        services.displays.displays_changed.subscribe(self._changed, unsubscribe_on_delete=False)

    def opened(self, display: DisplayView, client: Client) -> None:
        self.tabs.setdefault(display.id, {})[client.id] = (client, display.language)
        client.on_delete(lambda: self.tabs.get(display.id, {}).pop(client.id, None))

    def leave(self, displays: frozenset[int]) -> None:
        for display_id in displays:
            for client, _language in list(self.tabs.pop(display_id, {}).values()):
                with client:  # what reloading the page does: the pairing screen, as the display is no longer live
                    ui.navigate.to('/kiosk')

    def _changed(self, display_id: int) -> None:
        display = self.services.displays.displays.get(display_id)
        if display is None or display.revoked_at is not None:
            return  # a revoked display's tabs leave on let_go
        for client, language in list(self.tabs.get(display_id, {}).values()):
            if language != display.language:
                with client:  # built again: the slides, Quasar's texts and the reconnect popup in the new language
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
    boss = boss_feed_for(services.boss, ticker)  # the queue boss's strip, worded once for every display
    boss.audience('public', services.displays.public_name)
    shared: list[KioskFeed] = []  # made when the first kiosk opens, once the services have loaded

    @ui.page('/kiosk')
    async def kiosk() -> None:
        device = app.storage.browser['id']  # NiceGUI's, signed: what the display is bound to
        await services.displays.recall(device)  # paired through another process (PostgreSQL), not followed here yet
        display = services.displays.check(device)
        if LEGACY_DEVICE_KEY in app.storage.user:
            legacy = app.storage.user.pop(LEGACY_DEVICE_KEY)
            display = display or await services.displays.adopt(legacy, device=device)
        if display is not None:  # a paired TV speaks its display's language, whatever its browser says
            speak(ui.context.client, display.language)
        ui.page_title(_('DeskQuest · Live floor'))
        ui.add_css(KIOSK_CSS)
        ui.query('body').style('background: #101418')
        if display is None:
            pairing_screen(services, device)
            return
        if not shared:
            shared.append(KioskFeed(PublicFloor(services), services))
        tabs.opened(display, ui.context.client)
        KioskScreen(services, display, device, shared[0], rotation, ticker.ticked, boss=boss)


def pairing_screen(services: Services, device: str) -> None:
    """What an unpaired browser (``device``: its browser id) sees: how to pair, and the code's field; no name of
    anyone."""
    with ui.element('div').classes('dq-kiosk items-center justify-center').mark('pairing-screen'):
        ui.label('DeskQuest').classes('dq-brand')
        ui.label(_('Pair this display')).classes('dq-title')
        ui.label(_('A lead creates a display at /admin/displays and reads you its pairing code.')).classes('dq-sub')
        code = ui.input(placeholder=CODE_EXAMPLE).props('dark outlined autofocus').classes('dq-pair') \
            .style('width: min(40vw, 30em)').mark('pairing-code')
        error = ui.label().classes('dq-sub').style('color: #ff9b9b').mark('pairing-error')

        async def pair() -> None:
            try:
                await services.displays.pair(code.value, device=device)
            except ActionError as problem:
                error.set_text(str(problem))
                return
            ui.navigate.to('/kiosk')

        code.on('keydown.enter', pair)
        ui.button(_('Pair'), on_click=pair).props('no-caps unelevated color=amber-6 text-color=black size=xl') \
            .mark('pair')


class KioskScreen:
    """One paired display's tab: its slides turned by the shared rotation; what they show comes from the kiosk feed's
    room (only the rows that changed), so a change builds no element in this tab."""

    def __init__(self, services: Services, display: DisplayView, device: str, feed: KioskFeed, rotation: Rotation,
                 ticked: Event[datetime], *, boss: BossFeed) -> None:
        self.services = services
        self.display = display
        self.device = device  # the browser id the display is bound to
        self.feed = feed
        self.teams = frozenset(display.team_ids)
        self.slides = display.slides or tuple(Slide)
        self.shown_index = -1
        self.connected = False
        self.client = client = ui.context.client
        self.key = feed.watch(display.language, display, client)
        with ui.element('div').classes('dq-kiosk').mark('kiosk-screen'):
            with ui.element('div').classes('dq-head'):
                ui.label('DeskQuest').classes('dq-brand')
                ui.label(display.name).classes('dq-sub').mark('display-name')
                self.slide_title = ui.label().classes('dq-sub').mark('slide-title')
                self.clock = ui.label(_clock_text(services.clock.now())).classes('dq-clock') \
                    .mark('kiosk-clock')
            BossBar(boss, audience='public', kiosk=True, language=self.key[0])  # while a fight runs
            self.containers = {}
            for slide in self.slides:
                with ui.element('div').classes('dq-slide').mark(f'slide-{slide.value}') as container:
                    KioskSlide(feed, self.key, slide).on('resync', self.join)
                self.containers[slide] = container
            with ui.element('div').classes('dq-dots'):
                self.dots = [ui.element('div').classes('dq-dot') for _ in self.slides]
        self.banner = Banner()
        self.turn(time.monotonic() - rotation.started)
        feed.floor.celebrated.subscribe(self.celebrate)
        rotation.ticked.subscribe(self.turn)
        ticked.subscribe(lambda now: self.clock.set_text(_clock_text(now)))
        # on every connect (the first, and after a network cut: NiceGUI reconnects the same tab) the tab joins its
        # room and gets every part; a display revoked meanwhile leaves
        client.on_connect(self.resync)

    async def resync(self) -> None:
        if self.connected and self.services.displays.check(self.device) is None:
            ui.navigate.to('/kiosk')
            return
        self.connected = True
        await self.join()

    async def join(self) -> None:
        await self.feed.join(self.client, self.key)

    def turn(self, elapsed: float) -> None:
        index = slide_at(self.slides, self.display.slide_seconds, elapsed)
        if index == self.shown_index:
            return
        self.shown_index = index
        for position, container in enumerate(self.containers.values()):
            container.set_visibility(position == index)
            self.dots[position].classes(add='on' if position == index else '',
                                        remove='' if position == index else 'on')
        self.slide_title.set_text(_(SLIDE_LABELS[self.slides[index]]))  # in the tab's language (the display's)

    def celebrate(self, celebration: Celebration) -> None:
        if not self.teams or celebration.team_id in self.teams:
            self.banner.queue(celebration)


class KioskSlide(ui.element, component='kiosk_slide.js', dependencies=['socket_feed.js']):
    """One slide, drawn by the browser from the feed's rows; one element however many rows."""

    def __init__(self, feed: KioskFeed, key: FeedKey, slide: Slide) -> None:
        super().__init__()
        self.feed = feed
        self.key = key
        self.slide = slide
        self._props['initial'] = feed.full(key, slide)  # the page is sent with the rows of the moment
        self._props['slide'] = slide.value
        self._props['labels'] = slide_labels(slide)

    def _displayed_contents(self, *, only_visible: bool) -> list:
        """What the slide shows, for NiceGUI's simulated users (the browser draws it from the same rows)."""
        labels = self._props['labels']
        parts = {name.partition('/')[2]: rows for name, rows in self.feed.parts.get(self.key, {}).items()
                 if name.startswith(f'{self.slide.value}/')}
        texts = [labels['title']]
        for rows in parts.values():
            texts += [text for row in rows for text in row if text]  # as ui.icon, an icon shows its name
        texts += [labels[name] for name in ('teams', 'waiting', 'csat') if name in labels]
        if 'empty' in labels and any(not rows for name, rows in parts.items() if name not in FIXED_PARTS):
            texts.append(labels['empty'])
        return texts


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
        self.text.set_text(celebration.text())  # in this tab's language
        self.element.set_visibility(True)
        with self.element:
            ui.timer(CELEBRATION_SECONDS, self._next, once=True)  # only while celebrating: no idle timer


def _clock_text(now: datetime) -> str:
    """The head's clock: the day's short name and the time, in the display's language ('Mon 14:05', 'lun. 14:05')."""
    return f'{day(now, style="EEE")} {clock_time(now)}'


__all__ = ['LEGACY_DEVICE_KEY', 'PublicFloor', 'register', 'shown_code']
