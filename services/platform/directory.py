"""Who is on the floor: agents and teams, cached in memory (they change rarely and are read on every update)."""
from dataclasses import dataclass

from models import Agent, Team


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentView:
    id: int
    username: str
    name: str
    role: str
    team_id: int | None
    team_name: str
    style: str
    is_demo: bool

    @property
    def is_lead(self) -> bool:
        return self.role in ('lead', 'admin')


class Directory:
    def __init__(self) -> None:
        self.agents: dict[int, AgentView] = {}
        self.teams: dict[int, str] = {}

    async def load(self) -> None:
        self.teams = {team.id: team.name for team in await Team.all()}
        self.agents = {agent.id: _view(agent, self.teams) for agent in await Agent.filter(active=True).order_by('id')}

    def agent(self, agent_id: int) -> AgentView | None:
        return self.agents.get(agent_id)

    def floor(self) -> list[AgentView]:
        """The people who play the game: agents (leads watch and configure it)."""
        return [agent for agent in self.agents.values() if agent.role == 'agent']


def _view(agent: Agent, teams: dict[int, str]) -> AgentView:
    return AgentView(id=agent.id, username=agent.username, name=agent.display_name, role=agent.role,
                     team_id=agent.team_id, team_name=teams.get(agent.team_id, '') if agent.team_id else '',
                     style=agent.style, is_demo=agent.is_demo)
