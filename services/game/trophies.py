"""Monthly trophies live: a trophy board fed the committed outcomes, loaded from the ledger's monthly totals."""
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from nicegui import Event
from tortoise import Tortoise
from tortoise.functions import Sum

from models import LedgerEntry
from services.domain.floor_calendar import day_start, floor_zone
from services.domain.projection import Outcome
from services.domain.scoring import Award, AwardKind, Domain
from services.domain.trophies import DEFAULT_TROPHIES, Standing, TrophyBoard, TrophyDefinition, month_of
from services.platform.clock import Clock
from services.platform.coalesce import Coalescer
from services.platform.event_log import GameService

STANDINGS_SHOWN = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class TrophySnapshot:
    """What every trophy screen shows, computed once per change and shared by all tabs."""
    version: int
    month: date
    trophies: tuple[TrophyDefinition, ...]
    standings: dict[str, list[Standing]]  # this month, the leaders first
    history: list[tuple[date, dict[str, frozenset[int]]]]  # past months' winners, newest first


class TrophyService:
    def __init__(self, *, clock: Clock, game: GameService, interval: float = 1.0) -> None:
        self.clock = clock
        self.board = TrophyBoard(DEFAULT_TROPHIES)
        self.changed: Event[TrophySnapshot] = Event()
        self._snapshot: TrophySnapshot | None = None
        self._version = 0
        self.broadcast = Coalescer(self._flush, delay=0.0, interval=interval)

    async def load(self) -> None:
        """Points per agent, award kind, domain and month, summed by the database (not the whole ledger in memory)."""
        board = TrophyBoard(DEFAULT_TROPHIES)
        for agent_id, kind, domain, first_day, points in await _monthly_points():
            board.add(Award(agent_id=agent_id, points=int(points), domain=Domain(domain), kind=AwardKind(kind),
                            reason=''), day_start(first_day))
        self.board = board
        self._snapshot = None

    def snapshot(self) -> TrophySnapshot:
        if self._snapshot is None or self._snapshot.month != month_of(self.clock.now()):
            self._snapshot = self._compute()
        return self._snapshot

    def on_committed(self, outcomes: list[Outcome]) -> None:
        changed = False
        for outcome in outcomes:
            self.board.add_outcome(outcome)
            changed = changed or bool(outcome.awards)
        if changed:
            self.broadcast.poke()

    def _flush(self) -> None:
        self._snapshot = self._compute()
        self.changed.emit(self._snapshot)

    def _compute(self) -> TrophySnapshot:
        now = self.clock.now()
        month = month_of(now)
        self._version += 1
        return TrophySnapshot(version=self._version, month=month, trophies=self.board.trophies,
                              standings={trophy.key: self.board.standings(month, trophy.key)[:STANDINGS_SHOWN]
                                         for trophy in self.board.trophies},
                              history=self.board.history(now))


async def _monthly_points() -> list[tuple[int, str, str, date, int]]:
    """(agent, kind, domain, the month's first day, points) for every month of the ledger, in the floor's months."""
    if floor_zone() is UTC:  # the database's own months are the floor's: one grouped query
        connection = Tortoise.get_connection('default')
        month = "strftime('%Y-%m-01', occurred_at)" if connection.capabilities.dialect == 'sqlite' else \
            "to_char(date_trunc('month', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"
        _, rows = await connection.execute_query(
            f'SELECT agent_id, kind, domain, {month} AS month, SUM(points) FROM ledger_entry '
            f'GROUP BY agent_id, kind, domain, month')
        return [(agent_id, kind, domain, date.fromisoformat(str(first_day)[:10]), points)
                for agent_id, kind, domain, first_day, points in rows]
    # SQLite knows no time zones: one grouped query per floor month, bounded by its start and end (the index on
    # occurred_at), the same on PostgreSQL
    first = await LedgerEntry.all().order_by('occurred_at').first().values_list('occurred_at', flat=True)
    last = await LedgerEntry.all().order_by('-occurred_at').first().values_list('occurred_at', flat=True)
    if first is None or last is None:
        return []
    rows, month, final = [], month_of(first), month_of(last)
    while month <= final:
        after = (month + timedelta(days=32)).replace(day=1)
        totals = await LedgerEntry.filter(occurred_at__gte=day_start(month), occurred_at__lt=day_start(after)) \
            .annotate(total=Sum('points')).group_by('agent_id', 'kind', 'domain') \
            .values_list('agent_id', 'kind', 'domain', 'total')
        rows += [(agent_id, kind, domain, month, total) for agent_id, kind, domain, total in totals]
        month = after
    return rows
