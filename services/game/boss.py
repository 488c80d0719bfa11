"""The cooperative queue boss (issue 20): a lead starts a fight, or the sweep does when the queue passes the
threshold; the fight, its hits and its victory are folded from the log (services/domain/boss.py holds the rules).

What every dashboard and kiosk shows is one :class:`BossView`, computed once per change and published on
:attr:`BossService.changed` for all tabs (each tab only updates its elements in place).
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from nicegui import Event

from models import StoredEvent
from services.domain.boss import (
    VICTORY,
    BossBook,
    BossFight,
    BossSettings,
    check_start,
    checked_settings,
    expired,
    settings_from_dict,
    start_data,
    wakes,
)
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.i18n import _
from services.domain.projection import Outcome
from services.platform.clock import Clock
from services.platform.coalesce import Coalescer
from services.platform.directory import AgentView
from services.platform.event_log import GameService

TOP_SHOWN = 3  # damage dealers a dashboard and the kiosk name
FOLDED = frozenset({EventKind.BOSS_STARTED, EventKind.BOSS_ENDED, EventKind.BOSS_SETTINGS_CHANGED})
HITS = frozenset({EventKind.RESOLVED, EventKind.REOPENED})


@dataclass(frozen=True, kw_only=True, slots=True)
class BossView:
    """The latest fight as every screen shows it (running, or how it ended)."""
    version: int
    number: int
    name: str
    health: int
    damage: int
    remaining: int
    points: int
    started_at: datetime
    deadline: datetime
    reason: str
    outcome: str | None  # None while it runs, 'victory' or 'defeat'
    ended_at: datetime | None
    top: tuple[tuple[int, int], ...]  # (agent id, hits), most first
    fighters: int  # agents who hit it so far

    @property
    def running(self) -> bool:
        return self.outcome is None

    @property
    def won(self) -> bool:
        return self.outcome == VICTORY


class BossService:
    def __init__(self, *, clock: Clock, game: GameService, waiting: Callable[[], int], interval: float = 0.5) -> None:
        """:param waiting: how many conversations wait in the queue now (the inbox's, wired by the container)"""
        self.clock = clock
        self.game = game
        self.waiting = waiting
        self.changed: Event[BossView | None] = Event()
        self._view: BossView | None = None
        self._shown: BossFight | None = None
        self._version = 0
        self.broadcast = Coalescer(self._flush, delay=0.0, interval=interval)

    @property
    def book(self) -> BossBook:
        return self.game.projection.boss

    @property
    def settings(self) -> BossSettings:
        return self.book.settings

    async def load(self) -> None:
        """Give the live fold the settings in force and the latest fight, folded from the log as a replay would: the
        latest settings event, then the latest start and the hits and end after it (call after ``GameService.load``,
        before any event is recorded)."""
        book = BossBook()
        settings = await StoredEvent.filter(kind=EventKind.BOSS_SETTINGS_CHANGED.value).order_by('-id').first()
        if settings is not None:
            book.settings = settings_from_dict(settings.data)
        start = await StoredEvent.filter(kind=EventKind.BOSS_STARTED.value).order_by('-id').first()
        if start is not None:
            kinds = [kind.value for kind in (*HITS, EventKind.BOSS_STARTED, EventKind.BOSS_ENDED)]
            for stored in await StoredEvent.filter(id__gte=start.id, kind__in=kinds).order_by('id'):
                book.apply(GameEvent(id=stored.id, key=stored.key, kind=EventKind(stored.kind),
                                     occurred_at=_aware(stored.occurred_at), agent_id=stored.agent_id,
                                     conversation_id=stored.conversation_id, data=stored.data))
        self.game.projection.boss = book
        self._view, self._shown = None, None

    def view(self) -> BossView | None:
        """The latest fight, as the screens show it (None before the first one)."""
        if self._shown is not self.book.fight:
            self._view, self._shown = self._compute(), self.book.fight
        return self._view

    def on_committed(self, outcomes: list[Outcome]) -> None:
        if any(outcome.event.kind in FOLDED or outcome.event.kind in HITS for outcome in outcomes) \
                and self.book.fight is not self._shown:
            self.broadcast.poke()

    async def start(self, actor: AgentView) -> BossView:
        """A lead calls a boss now: its health is the queue's waiting work.

        :raises ActionError: not a lead, a fight already running, or an empty queue
        """
        if not actor.is_lead:
            raise ActionError(_('Only a lead can start a boss fight.'))
        await self._start(reason='lead', by=actor.id)
        view = self.view()
        assert view is not None
        return view

    async def save_settings(self, actor: AgentView, *, automatic: bool, threshold: object, minutes: object) -> None:
        """Whether the queue wakes a boss on its own, at how many waiting, and how long a fight lasts (from the next
        fight on: a running fight keeps its deadline).

        :raises ActionError: not a lead, or a value out of range (nothing is changed)
        """
        if not actor.is_lead:
            raise ActionError(_('Only a lead can change the boss fights.'))
        settings = checked_settings(automatic=automatic, threshold=threshold, minutes=minutes)
        if settings == self.settings:
            return
        async with self.game.unit_of_work() as work:
            await work.record(EventKind.BOSS_SETTINGS_CHANGED, agent_id=actor.id,
                              data={**settings.as_dict(), 'by': actor.id})

    async def check(self) -> None:
        """The sweep's step: a fight past its deadline ends (lost), and a queue at the threshold wakes the next boss.
        Each is recorded once whatever runs the sweep, by its key (the fight's number)."""
        now = self.clock.now()
        if (fight := expired(self.book, now=now)) is not None:
            async with self.game.unit_of_work() as work:
                await work.record(EventKind.BOSS_ENDED, key=f'boss_ended:{fight.number}',
                                  data={'number': fight.number, 'by': None})
        if wakes(self.book, waiting=self.waiting(), now=now):
            try:
                await self._start(reason='queue', by=None)
            except ActionError:
                pass  # the queue emptied meanwhile: no fight

    async def settle(self) -> None:
        await self.broadcast.settle()

    async def _start(self, *, reason: str, by: int | None) -> None:
        async with self.game.unit_of_work() as work:
            waiting = self.waiting()
            check_start(self.book, waiting=waiting)
            data = start_data(self.book, waiting=waiting, now=work.moment(), reason=reason, by=by)
            await work.record(EventKind.BOSS_STARTED, agent_id=by, key=f'boss_started:{data["number"]}', data=data)

    def _flush(self) -> None:
        view = self.view()
        self.changed.emit(view)

    def _compute(self) -> BossView | None:
        fight = self.book.fight
        if fight is None:
            return None
        self._version += 1
        damage = fight.damage_by_agent()
        return BossView(version=self._version, number=fight.number, name=fight.name, health=fight.health,
                        damage=fight.damage, remaining=fight.remaining, points=fight.points,
                        started_at=fight.started_at, deadline=fight.deadline, reason=fight.reason,
                        outcome=fight.outcome, ended_at=fight.ended_at, top=tuple(damage.items())[:TOP_SHOWN],
                        fighters=len(damage))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
