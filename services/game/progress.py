"""The agent's progress card: lifetime and recent points, skills, level and the latest score receipts."""
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime

from nicegui import Event

from models import LedgerEntry
from services.domain.floor_calendar import floor_day
from services.domain.i18n import Translations, floor_timezone, localized
from services.domain.leaderboard import Period
from services.domain.levels import level_info, progress_to_next
from services.domain.projection import AgentMetrics, Outcome
from services.domain.quests import QuestBar
from services.domain.reasons import reason_text
from services.game.analytics import AnalyticsService
from services.game.incentives import IncentiveService
from services.game.leaderboard import LeaderboardService
from services.game.personal_bests import BestsView, PersonalBestsService
from services.game.quests import QuestService
from services.platform.clock import Clock
from services.platform.coalesce import Coalescer
from services.platform.event_log import GameService

RECEIPTS_SHOWN = 6
CHART_DAYS = 14


@dataclass(frozen=True, kw_only=True, slots=True)
class Receipt:
    points: int
    domain: str
    reason: str
    occurred_at: datetime
    event_id: int = 0  # with the agent and the kind, what services/game/receipts.py explains
    kind: str = ''

    @property
    def text(self) -> str:
        """'+10 fast resolution of #12' in the language in force (the reason is stored in English)."""
        return f'{self.points:+d} {reason_text(self.reason, self.kind)}'


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgressView:
    agent_id: int
    points: int
    today: int
    week: int
    skills: dict[str, int]
    daily: list[tuple[date, int]]
    level: int
    levels: int  # how many levels the floor's table has (a lead may add some)
    level_title: str
    level_icon: str
    next_level_title: str | None
    next_level_progress: float
    resolved: int
    receipts: list[Receipt]
    quests: tuple[QuestBar, ...] = ()  # the running quests and team missions the agent takes part in
    csat: float | None = None  # the agent's CSAT % over the last 7 days (None: no ratings)
    incentives: tuple[str, ...] = ()  # the incentives running now, worded ("×2 chat afternoon until 17:00 UTC")
    bests: BestsView | None = None  # personal bests and streaks, the agent against themselves (issue 20)
    # the level titles in other languages (issue 16): the view is built once for every tab of the agent
    level_translations: Translations = field(default_factory=dict, compare=False)
    next_level_translations: Translations = field(default_factory=dict, compare=False)

    # vesting (issue 18): of ``points``, the resolution points a reopen inside its window would still take back, and
    # the rest; the window in hours (0: no window, nothing pending)
    pending: int = 0
    banked: int = 0
    reopen_window_hours: int = 0

    @property
    def shown_level_title(self) -> str:
        """The level's title in the reader's language (read when shown)."""
        return localized(self.level_title, self.level_translations, 'title')

    @property
    def shown_next_level_title(self) -> str | None:
        return None if self.next_level_title is None else \
            localized(self.next_level_title, self.next_level_translations, 'title')


class ProgressService:
    """Builds progress views from memory and tells each agent's tabs when their card changed."""

    def __init__(self, *, clock: Clock, game: GameService, leaderboard: LeaderboardService,
                 quests: QuestService | None = None, incentives: IncentiveService | None = None,
                 coalesce_seconds: float = 0.0, interval: float = 0.1,
                 analytics: AnalyticsService | None = None, bests: PersonalBestsService | None = None) -> None:
        self.clock = clock
        self.game = game
        self.leaderboard = leaderboard
        self._receipts: dict[int, deque[Receipt]] = {}
        self._events: dict[int, Event[ProgressView]] = {}
        self._dirty: set[int] = set()
        self._pending_shown: dict[int, int] = {}  # each open card's pending points at the last scheduler step
        self.broadcast = Coalescer(self._flush, delay=coalesce_seconds, interval=interval)
        self.quests = quests
        self.analytics = analytics
        self.bests = bests
        if quests is not None:
            quests.changed.subscribe(self.refresh)  # bars move with events the projection does not score
        self.incentives = incentives
        self._running: tuple[str, ...] = self._running_incentives()
        if incentives is not None:
            incentives.changed.subscribe(self.check_incentives)  # a lead saved or ended one

    def changed(self, agent_id: int) -> Event[ProgressView]:
        """The event fired with an agent's new progress view whenever it changes."""
        if agent_id not in self._events:
            self._events[agent_id] = Event()
        return self._events[agent_id]

    async def view(self, agent_id: int) -> ProgressView:
        await self.check_incentives()  # the first card after start-up, before the scheduler's first step
        if agent_id not in self._receipts:
            if self.analytics is not None:
                await self.analytics.follow_ratings(agent_id)
            entries = await LedgerEntry.filter(agent_id=agent_id).order_by('-id').limit(RECEIPTS_SHOWN)
            self._receipts[agent_id] = deque(
                (Receipt(points=e.points, domain=e.domain, reason=e.reason, occurred_at=e.occurred_at,
                         event_id=e.event_id, kind=e.kind) for e in entries), maxlen=RECEIPTS_SHOWN)
        return self._build(agent_id)

    def _build(self, agent_id: int) -> ProgressView:
        metrics = self.game.projection.agents.get(agent_id) or AgentMetrics(agent_id=agent_id)
        today = floor_day(self.clock.now())
        tally = self.leaderboard.tally
        level = level_info(metrics.level, levels=self.game.projection.levels)
        pending = self.game.projection.pending(agent_id, self.clock.now())
        next_level, progress = progress_to_next(metrics.level, metrics.as_dict(), levels=self.game.projection.levels)
        return ProgressView(
            agent_id=agent_id, points=metrics.points,
            today=tally.total(agent_id, Period.TODAY, today), week=tally.total(agent_id, Period.WEEK, today),
            skills={'quality': metrics.quality, 'speed': metrics.speed, 'productivity': metrics.productivity},
            daily=tally.daily(agent_id, today, CHART_DAYS),
            level=level.number, levels=len(self.game.projection.levels), level_title=level.title,
            level_icon=level.icon, level_translations=level.translations,
            next_level_title=next_level.title if next_level else None, next_level_progress=progress,
            next_level_translations=next_level.translations if next_level else {},
            resolved=metrics.resolved, receipts=list(self._receipts.get(agent_id, ())),
            quests=self.quests.bars(agent_id) if self.quests is not None else (), incentives=self._running,
            csat=self.analytics.csat_week(agent_id) if self.analytics is not None else None,
            bests=self.bests.view(agent_id) if self.bests is not None else None,
            pending=pending, banked=metrics.points - pending,
            reopen_window_hours=int(self.game.projection.policy.reopen_window.total_seconds() // 3600))

    def _running_incentives(self) -> tuple[str, ...]:
        if self.incentives is None:
            return ()
        zone = floor_timezone()
        return tuple(f'{incentive.label} until {incentive.until_time} {zone}'
                     for incentive in self.incentives.running())

    async def check_incentives(self) -> None:
        """Incentives start and end with the clock, not with an event: a scheduler step (and a lead's edit) checks
        which run now, once for the floor, and rebuilds the open cards only when that changed. Pending points bank
        with the clock too: the open cards whose pending figure moved are rebuilt."""
        running = self._running_incentives()
        if running != self._running:
            self._running = running
            self.refresh(set(self._events))
        now = self.clock.now()
        for agent_id in self._events:
            pending = self.game.projection.pending(agent_id, now)
            if self._pending_shown.get(agent_id, pending) != pending:
                self.refresh({agent_id})
            self._pending_shown[agent_id] = pending

    def refresh(self, agent_ids: set[int]) -> None:
        """Build the cards of these agents again (those with open tabs) on the next flush."""
        self._dirty.update(agent_id for agent_id in agent_ids if agent_id in self._events)
        if self._dirty:
            self.broadcast.poke()

    def on_committed(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            for award in outcome.awards:
                receipts = self._receipts.get(award.agent_id)
                if receipts is not None:  # only agents whose card was opened keep receipts in memory
                    receipts.appendleft(Receipt(points=award.points, domain=award.domain.value, reason=award.reason,
                                                occurred_at=outcome.event.occurred_at, event_id=outcome.event.id,
                                                kind=award.kind.value))
            self._dirty.update(agent_id for agent_id in outcome.touched_agents if agent_id in self._events)
        if self._dirty:
            self.broadcast.poke()

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for agent_id in dirty:
            event = self._events.get(agent_id)
            if event is not None and agent_id in self._receipts:
                event.emit(self._build(agent_id))
