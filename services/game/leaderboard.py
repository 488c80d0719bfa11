"""Live leaderboards: an in-memory tally of the ledger, ranked once per change and broadcast to every tab."""
from dataclasses import dataclass
from datetime import date

from nicegui import Event

from models import DailyPoints, StoredEvent
from services.domain.events import EventKind
from services.domain.floor_calendar import floor_day
from services.domain.leaderboard import (
    AgentInfo,
    BoardRow,
    Period,
    PointsTally,
    TeamRow,
    UnrankedRow,
    rank_agents,
    rank_teams,
    rank_within_teams,
    unranked_agents,
)
from services.domain.projection import Outcome
from services.domain.seasons import Season, current_season, seasons_from_data
from services.platform.clock import Clock
from services.platform.coalesce import Coalescer
from services.platform.directory import Directory
from services.platform.event_log import GameService


@dataclass(frozen=True, kw_only=True, slots=True)
class LeaderboardSnapshot:
    version: int
    today: date
    agents: dict[Period, list[BoardRow]]  # the ranked agents: at least ``minimum`` resolved in the period
    teams: dict[Period, list[TeamRow]]
    unranked: dict[Period, list[UnrankedRow]]  # below the minimum volume, the closest to it first
    team_agents: dict[Period, dict[int, list[BoardRow]]]  # each team's ranked members, ranked among themselves
    minimum: int = 0  # resolved conversations in the period before an agent is ranked (0: everyone)
    season: Season | None = None  # the season running today: the ``Period.SEASON`` boards count from its first day


class LeaderboardService:
    """Keeps the tally incrementally and ranks once per change: a commit is broadcast on the loop's next turn, and
    under a burst at most once per ``interval`` seconds (``coalesce_seconds`` delays every broadcast, for tests)."""

    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, coalesce_seconds: float = 0.0,
                 interval: float = 0.1) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.tally = PointsTally()
        self.resolved = PointsTally()  # resolutions less reopens per agent and day: the minimum volume
        self.changed: Event[LeaderboardSnapshot] = Event()
        self._snapshot: LeaderboardSnapshot | None = None
        self._version = 0
        self._floor_infos: dict[int, AgentInfo] = {}
        self.broadcast = Coalescer(self._flush, delay=coalesce_seconds, interval=interval)

    async def load(self) -> None:
        tally, resolved = PointsTally(), PointsTally()
        for agent_id, day, points, count in await DailyPoints.all().values_list('agent_id', 'day', 'points',
                                                                                'resolved'):
            tally.add(agent_id, day, points)  # the maintained daily totals, not the whole ledger
            resolved.add(agent_id, day, count)
        # the last edit of the seasons, whoever made it (no index on the kind alone: one scan of the log at start-up)
        last = await StoredEvent.filter(kind=EventKind.SEASONS_CHANGED.value).order_by('-id').first()
        seasons = seasons_from_data(last.data) if last is not None else ()
        tally.set_seasons(seasons)
        resolved.set_seasons(seasons)
        self.tally, self.resolved = tally, resolved
        self._snapshot = None

    @property
    def seasons(self) -> tuple[Season, ...]:
        """The seasons the log's last ``SEASONS_CHANGED`` event put in force, in date order."""
        return self.tally.seasons

    def snapshot(self) -> LeaderboardSnapshot:
        """The latest ranking, computed at most once per change."""
        if self._snapshot is None or self._snapshot.today != floor_day(self.clock.now()):
            self._snapshot = self._compute()
        return self._snapshot

    def on_committed(self, outcomes: list[Outcome]) -> None:
        changed = False
        for outcome in outcomes:
            if outcome.event.kind == EventKind.SEASONS_CHANGED:  # a lead's edit: the seasons' totals summed again
                seasons = seasons_from_data(outcome.event.data)
                self.tally.set_seasons(seasons)
                self.resolved.set_seasons(seasons)
                changed = True
            for award in outcome.awards:
                self.tally.add(award.agent_id, floor_day(outcome.event.occurred_at), award.points)
                changed = True
            if outcome.resolved is not None:
                self.resolved.add(outcome.resolved[0], floor_day(outcome.event.occurred_at), outcome.resolved[1])
                changed = True
            changed = changed or bool(outcome.level_ups) or outcome.event.kind == EventKind.SCORING_CHANGED
        if changed:
            self.broadcast.poke()

    def _flush(self) -> None:
        self._snapshot = self._compute()
        self.changed.emit(self._snapshot)

    def _compute(self) -> LeaderboardSnapshot:
        today = floor_day(self.clock.now())
        floor = self._floor()
        team_of = {agent.id: agent.team_id for agent in floor}
        minimum = self.game.projection.policy.minimum_resolved
        last = self._snapshot  # its rows are given back where they did not change (see rank_agents)
        season = current_season(self.tally.seasons, today)
        agents, teams, unranked, team_agents = {}, {}, {}, {}
        for period in Period:
            if period == Period.SEASON and season is None:  # no season running: no board to rank
                agents[period], teams[period], unranked[period] = [], [], []
                team_agents[period] = {team_id: [] for team_id in self.directory.teams}
                continue
            last_ranked = {row.agent_id: row for row in last.agents[period]} if last else {}
            last_unranked = {row.agent_id: row for row in last.unranked[period]} if last else {}
            last_in_teams = {row.agent_id: row for rows in last.team_agents[period].values() for row in rows} \
                if last else {}
            agents[period] = rank_agents(self.tally, floor, period, today, resolved=self.resolved, minimum=minimum,
                                         previous=last_ranked)
            teams[period] = rank_teams(agents[period], self.directory.teams, team_of)
            unranked[period] = unranked_agents(self.resolved, floor, period, today, minimum, previous=last_unranked)
            team_agents[period] = rank_within_teams(agents[period], team_of, self.directory.teams,
                                                    previous=last_in_teams)
        self._version += 1
        return LeaderboardSnapshot(version=self._version, today=today, agents=agents, teams=teams, minimum=minimum,
                                   unranked=unranked, team_agents=team_agents, season=season)

    def _floor(self) -> list[AgentInfo]:
        """The agents as the rankings need them; an agent's info is made again only when its level, name or team
        changed."""
        metrics = self.game.projection.agents
        infos: dict[int, AgentInfo] = {}
        for agent in self.directory.floor():
            level = metrics[agent.id].level if agent.id in metrics else 1
            info = self._floor_infos.get(agent.id)
            if info is None or info.level != level or info.name != agent.name or info.team_id != agent.team_id \
                    or info.team_name != agent.team_name:
                info = AgentInfo(id=agent.id, name=agent.name, team_id=agent.team_id, team_name=agent.team_name,
                                 level=level)
            infos[agent.id] = info
        self._floor_infos = infos
        return list(infos.values())
