"""Leaderboard arithmetic: pure tallies of ledger points per agent and day, ranked per period."""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum


class Period(str, Enum):
    TODAY = 'today'
    WEEK = 'week'
    MONTH = 'month'
    ALL = 'all'


PERIOD_LABELS = {Period.TODAY: 'Today', Period.WEEK: 'This week', Period.MONTH: 'This month', Period.ALL: 'All time'}


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentInfo:
    id: int
    name: str
    team_id: int | None
    team_name: str
    level: int


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardRow:
    rank: int
    agent_id: int
    name: str
    team_name: str
    level: int
    points: int


@dataclass(frozen=True, kw_only=True, slots=True)
class UnrankedRow:
    """An agent below the minimum volume of the period: listed under the ranked rows, not ranked nor averaged."""
    agent_id: int
    name: str
    team_id: int | None
    team_name: str
    resolved: int


@dataclass(frozen=True, kw_only=True, slots=True)
class TeamRow:
    """A team ranked by points per member, so that a big team does not win by its size alone."""
    rank: int
    team_id: int
    name: str
    points: int  # the members' total
    members: int

    @property
    def average(self) -> int:
        return self.points // self.members if self.members else 0


class PointsTally:
    """Ledger points per agent per day, maintained incrementally."""

    def __init__(self) -> None:
        self.by_agent: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        self.all_time: dict[int, int] = defaultdict(int)  # kept as it goes: a year of history costs no more
        self.by_month: dict[tuple[int, int, int], int] = defaultdict(int)  # (agent, year, month): no 31-day sums
        # (agent, ISO year, ISO week): ranking 500 agents summed up to seven days each for the week board
        self.by_week: dict[tuple[int, int, int], int] = defaultdict(int)

    def add(self, agent_id: int, day: date, points: int) -> None:
        self.by_agent[agent_id][day] += points
        self.all_time[agent_id] += points
        self.by_month[agent_id, day.year, day.month] += points
        year, week, _ = day.isocalendar()
        self.by_week[agent_id, year, week] += points

    def total(self, agent_id: int, period: Period, today: date) -> int:
        if period == Period.ALL:
            return self.all_time.get(agent_id, 0)
        if period == Period.MONTH:
            return self.by_month.get((agent_id, today.year, today.month), 0)
        if period == Period.TODAY:
            return self.by_agent.get(agent_id, {}).get(today, 0)
        year, week, _ = today.isocalendar()  # the ISO week starts on Monday
        return self.by_week.get((agent_id, year, week), 0)

    def daily(self, agent_id: int, last_day: date, count: int) -> list[tuple[date, int]]:
        days = self.by_agent.get(agent_id, {})
        return [(day, days.get(day, 0)) for day in (last_day - timedelta(days=n) for n in range(count - 1, -1, -1))]


def rank_agents(tally: PointsTally, agents: Iterable[AgentInfo], period: Period, today: date, *,
                resolved: PointsTally | None = None, minimum: int = 0) -> list[BoardRow]:
    """Rank agents by points in the period; ties share a rank and are ordered by name.

    With a ``minimum``, only agents who resolved at least that many conversations in the period (``resolved``) are
    ranked: a new hire with one lucky ticket does not top the board (see :func:`unranked_agents` for the others).
    """
    if minimum > 0 and resolved is not None:
        agents = [agent for agent in agents if resolved.total(agent.id, period, today) >= minimum]
    scored = sorted(((tally.total(agent.id, period, today), agent) for agent in agents),
                    key=lambda pair: (-pair[0], pair[1].name))
    rows: list[BoardRow] = []
    for index, (points, agent) in enumerate(scored):
        rank = rows[-1].rank if rows and rows[-1].points == points else index + 1
        rows.append(BoardRow(rank=rank, agent_id=agent.id, name=agent.name, team_name=agent.team_name,
                             level=agent.level, points=points))
    return rows


def unranked_agents(resolved: PointsTally, agents: Iterable[AgentInfo], period: Period, today: date,
                    minimum: int) -> list[UnrankedRow]:
    """The agents below the minimum volume in the period, the closest to it first (then by name)."""
    if minimum <= 0:
        return []
    rows = [UnrankedRow(agent_id=agent.id, name=agent.name, team_id=agent.team_id, team_name=agent.team_name,
                        resolved=count)
            for agent in agents if (count := resolved.total(agent.id, period, today)) < minimum]
    return sorted(rows, key=lambda row: (-row.resolved, row.name))


def rank_within_teams(agent_rows: Iterable[BoardRow], team_of: Mapping[int, int | None],
                      teams: Iterable[int]) -> dict[int, list[BoardRow]]:
    """Each team's own board: its ranked members in the floor's order, ranked again among themselves (ties share a
    rank). Every team in ``teams`` has a board, an empty one if none of its members is ranked."""
    members: dict[int, list[BoardRow]] = {team_id: [] for team_id in teams}
    for row in agent_rows:
        team_id = team_of.get(row.agent_id)
        if team_id in members:
            members[team_id].append(row)
    boards: dict[int, list[BoardRow]] = {}
    for team_id, rows in members.items():
        ranked: list[BoardRow] = []
        for index, row in enumerate(rows):
            rank = ranked[-1].rank if ranked and ranked[-1].points == row.points else index + 1
            ranked.append(BoardRow(rank=rank, agent_id=row.agent_id, name=row.name, team_name=row.team_name,
                                   level=row.level, points=row.points))  # not replace(): a third of the cost
        boards[team_id] = ranked
    return boards


def rank_teams(agent_rows: Iterable[BoardRow], teams: Mapping[int, str],
               team_of: Mapping[int, int | None]) -> list[TeamRow]:
    """Rank teams by their members' points per member in the period (ties: the same rank, ordered by name).

    Only the rows given count: agents below the minimum volume are neither in a team's total nor in its size.
    """
    totals: dict[int, int] = defaultdict(int)
    members: dict[int, int] = defaultdict(int)
    for row in agent_rows:
        team_id = team_of.get(row.agent_id)
        if team_id is not None:
            totals[team_id] += row.points
            members[team_id] += 1
    rows = [TeamRow(rank=0, team_id=team_id, name=name, points=totals[team_id], members=members[team_id])
            for team_id, name in teams.items()]
    rows.sort(key=lambda row: (-row.average, row.name))
    ranked: list[TeamRow] = []
    for index, row in enumerate(rows):
        rank = ranked[-1].rank if ranked and ranked[-1].average == row.average else index + 1
        ranked.append(replace(row, rank=rank))
    return ranked
