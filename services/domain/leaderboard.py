"""Leaderboard arithmetic: pure tallies of ledger points per agent and day, ranked per period."""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum

from services.domain.i18n import N_
from services.domain.seasons import Season, current_season, season_totals


class Period(str, Enum):
    TODAY = 'today'
    WEEK = 'week'
    MONTH = 'month'
    ALL = 'all'
    SEASON = 'season'  # since the running season's first day (services/domain/seasons.py); none running: no points


PERIOD_LABELS = {Period.TODAY: N_('Today'), Period.WEEK: N_('This week'), Period.MONTH: N_('This month'),
                 Period.ALL: N_('All time'), Period.SEASON: N_('Season')}  # shown through _()


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
    """Ledger points per agent per day, maintained incrementally, with each period's totals kept as it goes."""

    def __init__(self) -> None:
        self.by_agent: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        # Each period's totals by agent, so that ranking 500 agents is a dictionary read per agent rather than a sum
        # of days; a year of history costs no more. The month and the week are whole: no event is dated after today.
        self.all_time: dict[int, int] = defaultdict(int)
        self.by_day: dict[date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.by_week: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))  # ISO year, week
        self.by_month: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))  # year, month
        self.seasons: tuple[Season, ...] = ()
        self.by_season: dict[Season, dict[int, int]] = {}
        self._season_of_day: dict[date, dict[int, int] | None] = {}  # a day's season totals, looked up once a day

    def set_seasons(self, seasons: tuple[Season, ...]) -> None:
        """Count by these seasons from now on; each one's totals are summed again from the days (a lead's edit)."""
        self.seasons = seasons
        self.by_season = {season: defaultdict(int, season_totals(self.by_day, season)) for season in seasons}
        self._season_of_day = {}

    def add(self, agent_id: int, day: date, points: int) -> None:
        self.by_agent[agent_id][day] += points
        self.all_time[agent_id] += points
        self.by_day[day][agent_id] += points
        year, week, _ = day.isocalendar()
        self.by_week[year, week][agent_id] += points
        self.by_month[day.year, day.month][agent_id] += points
        if self.seasons:
            if day not in self._season_of_day:
                season = current_season(self.seasons, day)
                self._season_of_day[day] = self.by_season[season] if season is not None else None
            if (season_points := self._season_of_day[day]) is not None:
                season_points[agent_id] += points

    def totals(self, period: Period, today: date) -> Mapping[int, int]:
        """Every agent's total in the period that contains ``today``; an agent missing from it has 0."""
        if period == Period.ALL:
            return self.all_time
        if period == Period.MONTH:
            return self.by_month.get((today.year, today.month), {})
        if period == Period.TODAY:
            return self.by_day.get(today, {})
        if period == Period.SEASON:
            season = current_season(self.seasons, today) if self.seasons else None
            return self.by_season.get(season, {}) if season is not None else {}
        year, week, _ = today.isocalendar()  # the ISO week starts on Monday
        return self.by_week.get((year, week), {})

    def total(self, agent_id: int, period: Period, today: date) -> int:
        return self.totals(period, today).get(agent_id, 0)

    def daily(self, agent_id: int, last_day: date, count: int) -> list[tuple[date, int]]:
        days = self.by_agent.get(agent_id, {})
        return [(day, days.get(day, 0)) for day in (last_day - timedelta(days=n) for n in range(count - 1, -1, -1))]


def rank_agents(tally: PointsTally, agents: Iterable[AgentInfo], period: Period, today: date, *,
                resolved: PointsTally | None = None, minimum: int = 0,
                previous: Mapping[int, BoardRow] | None = None) -> list[BoardRow]:
    """Rank agents by points in the period; ties share a rank and are ordered by name.

    With a ``minimum``, only agents who resolved at least that many conversations in the period (``resolved``) are
    ranked: a new hire with one lucky ticket does not top the board (see :func:`unranked_agents` for the others).
    An agent's row of the ``previous`` ranking is given back when nothing in it changed (see :func:`_board_row`).
    """
    points_of = tally.totals(period, today)
    if minimum > 0 and resolved is not None:
        counts = resolved.totals(period, today)
        agents = [agent for agent in agents if counts.get(agent.id, 0) >= minimum]
    scored = sorted(((points_of.get(agent.id, 0), agent) for agent in agents),
                    key=lambda pair: (-pair[0], pair[1].name))
    previous = previous or {}
    rows: list[BoardRow] = []
    rank, rank_points = 0, None
    for index, (points, agent) in enumerate(scored, 1):
        if points != rank_points:
            rank, rank_points = index, points
        rows.append(_board_row(previous.get(agent.id), rank, agent.id, agent.name, agent.team_name, agent.level,
                               points))
    return rows


def _board_row(previous: BoardRow | None, rank: int, agent_id: int, name: str, team_name: str, level: int,
               points: int) -> BoardRow:
    """``previous`` if it says the same, else a new row: a frozen dataclass takes 2 µs to make, and each ranking has
    thousands of rows, most of them as they were (one event moves one agent)."""
    if previous is not None and previous.rank == rank and previous.points == points and previous.level == level \
            and previous.name == name and previous.team_name == team_name:
        return previous
    return BoardRow(rank=rank, agent_id=agent_id, name=name, team_name=team_name, level=level, points=points)


def unranked_agents(resolved: PointsTally, agents: Iterable[AgentInfo], period: Period, today: date,
                    minimum: int, previous: Mapping[int, UnrankedRow] | None = None) -> list[UnrankedRow]:
    """The agents below the minimum volume in the period, the closest to it first (then by name); an agent's row of
    the ``previous`` list is given back when nothing in it changed."""
    if minimum <= 0:
        return []
    counts = resolved.totals(period, today)
    previous = previous or {}
    rows: list[UnrankedRow] = []
    for agent in agents:
        count = counts.get(agent.id, 0)
        if count < minimum:
            row = previous.get(agent.id)
            if row is None or row.resolved != count or row.name != agent.name or row.team_id != agent.team_id \
                    or row.team_name != agent.team_name:
                row = UnrankedRow(agent_id=agent.id, name=agent.name, team_id=agent.team_id,
                                  team_name=agent.team_name, resolved=count)
            rows.append(row)
    return sorted(rows, key=lambda row: (-row.resolved, row.name))


def rank_within_teams(agent_rows: Iterable[BoardRow], team_of: Mapping[int, int | None], teams: Iterable[int], *,
                      previous: Mapping[int, BoardRow] | None = None) -> dict[int, list[BoardRow]]:
    """Each team's own board: its ranked members in the floor's order, ranked again among themselves (ties share a
    rank). Every team in ``teams`` has a board, an empty one if none of its members is ranked. ``previous``: the
    members' rows of the last team boards, by agent, given back when unchanged."""
    members: dict[int, list[BoardRow]] = {team_id: [] for team_id in teams}
    for row in agent_rows:
        team_id = team_of.get(row.agent_id)
        if team_id in members:
            members[team_id].append(row)
    previous = previous or {}
    boards: dict[int, list[BoardRow]] = {}
    for team_id, rows in members.items():
        ranked: list[BoardRow] = []
        rank, rank_points = 0, None
        for index, row in enumerate(rows, 1):
            if row.points != rank_points:
                rank, rank_points = index, row.points
            ranked.append(_board_row(previous.get(row.agent_id), rank, row.agent_id, row.name, row.team_name,
                                     row.level, row.points))
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
