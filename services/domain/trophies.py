"""Monthly trophies: who earned the most points of a kind in a month of the floor's calendar, from the ledger.

The board is fed every award with its time (the time of the event that caused it); the current month's standings
start empty on the first of the month and every earlier month keeps its winners.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from services.domain.floor_calendar import floor_day, month_start
from services.domain.i18n import N_
from services.domain.projection import Outcome
from services.domain.scoring import Award, AwardKind, Domain


@dataclass(frozen=True, kw_only=True, slots=True)
class TrophyDefinition:
    key: str
    name: str
    description: str
    icon: str  # a Material icon name
    kinds: frozenset[AwardKind] | None = None  # the award kinds whose points count; None: every award
    # a reopen takes back one award per domain (services/domain/scoring.py): its clawback counts against these kinds'
    # trophy
    clawback_domains: frozenset[Domain] = frozenset()

    def counts(self, award: Award) -> bool:
        if self.kinds is None or award.kind in self.kinds:
            return True
        return award.kind == AwardKind.CLAWBACK and award.domain in self.clawback_domains


# names and descriptions are shown through _()
DEFAULT_TROPHIES: tuple[TrophyDefinition, ...] = (
    TrophyDefinition(key='mvp', name=N_('MVP'), description=N_('Most points this month'), icon='military_tech'),
    TrophyDefinition(key='customer_wow_champion', name=N_('Customer wow champion'),
                     description=N_('Most customer satisfaction points this month'), icon='sentiment_very_satisfied',
                     kinds=frozenset({AwardKind.HAPPY_CUSTOMER, AwardKind.UNHAPPY_CUSTOMER})),
    TrophyDefinition(key='sharpshooter', name=N_('Sharpshooter'),
                     description=N_('Most first-contact points this month'), icon='my_location',
                     kinds=frozenset({AwardKind.FIRST_CONTACT}),
                     clawback_domains=frozenset({Domain.QUALITY})),  # the only quality award a reopen takes back
    TrophyDefinition(key='speed_racer', name=N_('Speed racer'),
                     description=N_('Most fast-resolution points this month'), icon='speed',
                     kinds=frozenset({AwardKind.FAST_RESOLUTION}),
                     clawback_domains=frozenset({Domain.SPEED})),  # the only speed award a reopen takes back
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Standing:
    agent_id: int
    points: int


class TrophyBoard:
    """Points per month, trophy and agent; winners are the agents with the most (ties share), if above zero."""

    def __init__(self, trophies: Sequence[TrophyDefinition] = DEFAULT_TROPHIES) -> None:
        self.trophies = tuple(trophies)
        self.totals: dict[date, dict[str, dict[int, int]]] = {}  # month -> trophy key -> agent id -> points
        self.last_event_id = 0

    def add(self, award: Award, at: datetime) -> None:
        """Count one ledger award at its time; feed each award once."""
        month = month_of(at)
        trophies = self.totals.get(month)
        if trophies is None:
            trophies = self.totals[month] = {trophy.key: {} for trophy in self.trophies}
        for trophy in self.trophies:
            if trophy.counts(award):
                points = trophies[trophy.key]
                points[award.agent_id] = points.get(award.agent_id, 0) + award.points

    def add_outcome(self, outcome: Outcome) -> None:
        """Count what one applied event awarded, at the event's time; an event id already passed is ignored."""
        if outcome.event.id <= self.last_event_id:
            return
        self.last_event_id = outcome.event.id
        for award in outcome.awards:
            self.add(award, outcome.event.occurred_at)

    def standings(self, month: date, key: str) -> list[Standing]:
        """A trophy's ranking in a month, most points first (then by agent id, for a stable order)."""
        points = self.totals.get(month, {}).get(key, {})
        return [Standing(agent_id=agent_id, points=total)
                for agent_id, total in sorted(points.items(), key=lambda item: (-item[1], item[0]))]

    def winners(self, month: date) -> dict[str, frozenset[int]]:
        """Each trophy's winners in a month (so far, for the current month)."""
        return {trophy.key: _leaders(self.totals.get(month, {}).get(trophy.key, {})) for trophy in self.trophies}

    def history(self, now: datetime) -> list[tuple[date, dict[str, frozenset[int]]]]:
        """The winners of every finished month with awards, newest first: the trophy cabinet."""
        current = month_of(now)
        return [(month, self.winners(month)) for month in sorted(self.totals, reverse=True) if month < current]


def month_of(moment: datetime) -> date:
    """The floor's month a moment belongs to, as its first day."""
    return month_start(floor_day(moment))


def monthly_winners(awards: Iterable[tuple[datetime, Award]], *,
                    trophies: Sequence[TrophyDefinition] = DEFAULT_TROPHIES) -> dict[date, dict[str, frozenset[int]]]:
    """Every month's winners from (time, award) pairs, e.g. the whole ledger."""
    board = TrophyBoard(trophies)
    for at, award in awards:
        board.add(award, at)
    return {month: board.winners(month) for month in sorted(board.totals)}


def _leaders(points: Mapping[int, int]) -> frozenset[int]:
    best = max(points.values(), default=0)
    return frozenset(agent_id for agent_id, total in points.items() if total == best) if best > 0 else frozenset()
