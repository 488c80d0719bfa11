"""Who is on the floor: agents and teams, cached in memory (they change rarely and are read on every update)."""
from dataclasses import dataclass

from nicegui import Event

from models import Agent, StoredEvent, Team
from services.domain.events import EventKind, GameEvent

# events after which another process's accounts or teams differ from what this one holds (PostgreSQL)
DIRECTORY_EDITS = frozenset({
    EventKind.ACCOUNT_CREATED, EventKind.ACCOUNT_DISABLED, EventKind.ACCOUNT_ENABLED, EventKind.ACCOUNT_ROLE_CHANGED,
    EventKind.LANGUAGE_CHANGED, EventKind.HELPDESK_AGENT_INVITED, EventKind.AGENT_MERGED,
    EventKind.TEAM_HELPDESK_CHANGED})


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
    language: str = ''  # the language they chose for the screens; '' for their browser's (issue 16)

    @property
    def is_lead(self) -> bool:
        return self.role in ('lead', 'admin')


class Directory:
    """The active accounts (a disabled one is absent: it is logged out everywhere and leaves the boards, while its
    points stay in the log) and the teams' names."""

    def __init__(self) -> None:
        self.agents: dict[int, AgentView] = {}
        self.teams: dict[int, str] = {}
        # the language each person chose for their screens (issue 16): their last LANGUAGE_CHANGED event's, read from
        # the log at start-up (nothing stored beside the log, so nothing for a rebuild to check)
        self.languages: dict[int, str] = {}
        self.external_teams: set[int] = set()  # teams working in another helpdesk: no inbox here (issue 14)
        # fired after an account was added, changed or removed (already committed): the boards rank the new floor
        self.changed: Event[AgentView] = Event()

    async def load(self) -> None:
        teams = await Team.all()
        self.teams = {team.id: team.name for team in teams}
        self.external_teams = {team.id for team in teams if team.external_helpdesk}
        active = await Agent.filter(active=True).order_by('id')
        # by the (agent_id, kind, occurred_at) index: the events of these accounts only, never a scan of the log
        chosen = await StoredEvent.filter(agent_id__in=[agent.id for agent in active],
                                          kind=EventKind.LANGUAGE_CHANGED.value) \
            .order_by('id').values_list('agent_id', 'data')
        self.languages = {agent_id: data.get('language', '') for agent_id, data in chosen}
        self.agents = {agent.id: self.view(agent) for agent in active}

    async def refresh(self, events: list[GameEvent]) -> None:
        """Other processes' events (PostgreSQL): after an account or team edit made there, or an event naming an
        account this process does not hold (one a connected helpdesk's delivery created there), load the accounts
        and teams again and tell :attr:`changed` of each account that differs, as an edit made here does."""
        if not any(event.kind in DIRECTORY_EDITS or event.agent_id is not None and event.agent_id not in self.agents
                   for event in events):
            return
        before = self.agents
        await self.load()
        for agent_id in sorted(before.keys() | self.agents.keys()):
            if (now := self.agents.get(agent_id)) != before.get(agent_id):
                self.changed.emit(now or before[agent_id])

    def agent(self, agent_id: int) -> AgentView | None:
        return self.agents.get(agent_id)

    def floor(self) -> list[AgentView]:
        """The people who play the game: agents (leads watch and configure it)."""
        return [agent for agent in self.agents.values() if agent.role == 'agent']

    def works_elsewhere(self, agent: AgentView) -> bool:
        """An agent (not a lead) of a team working in another helpdesk: no inbox, no routing here."""
        return agent.role == 'agent' and agent.team_id is not None and agent.team_id in self.external_teams

    def view(self, agent: Agent) -> AgentView:
        """How the rest of the app sees a stored account."""
        return AgentView(id=agent.id, username=agent.username, name=agent.display_name, role=agent.role,
                         team_id=agent.team_id, team_name=self.teams.get(agent.team_id, '') if agent.team_id else '',
                         style=agent.style, is_demo=agent.is_demo, language=self.languages.get(agent.id, ''))

    def put(self, agent: AgentView) -> None:
        """Hold this account as it now is (created, enabled or changed after start-up); call after its commit."""
        self.agents[agent.id] = agent
        self.agents = dict(sorted(self.agents.items()))  # in id order, as load() gives them: floor() order is stable
        self.changed.emit(agent)

    def remove(self, agent_id: int) -> None:
        """Forget a disabled account; call after its commit."""
        if (agent := self.agents.pop(agent_id, None)) is not None:
            self.changed.emit(agent)
