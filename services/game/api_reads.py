"""What the REST API v1 reads (issue 14): agents with their levels, points and badges, an agent's ledger, the event
log as a cursor, quests with their progress and the leaderboards, as plain views (the API turns them into JSON).

Everything is read from the live projections the pages show, except the ledger and the log, which are paged from the
database by id (a cursor never skips or repeats a row, whatever is appended meanwhile)."""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from models import Agent, LedgerEntry, StoredEvent
from models import HelpdeskIdentity as HelpdeskIdentityRow
from services.domain.errors import ActionError
from services.domain.leaderboard import Period
from services.domain.levels import level_info
from services.domain.projection import AgentMetrics
from services.domain.receipts import ReceiptDetail
from services.game.badges import BadgeService
from services.game.leaderboard import LeaderboardService
from services.game.quests import QuestService
from services.game.receipts import ReceiptService
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService

MAX_PAGE = 1000
T = TypeVar('T')


class Scope(str, Enum):
    """The boards the app shows: the whole floor, the teams against each other, one team's agents."""
    AGENTS = 'agents'
    TEAMS = 'teams'
    TEAM = 'team'


@dataclass(frozen=True, kw_only=True, slots=True)
class HelpdeskIdentity:
    """How a connected helpdesk knows the agent (Chatwoot, Zendesk or Freshdesk's own agent id)."""
    connection_id: int
    helpdesk: str  # chatwoot | zendesk | freshdesk
    external_id: str
    email: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentSummary:
    id: int
    username: str
    name: str
    email: str
    role: str
    team_id: int | None
    team: str
    level: int
    level_title: str
    points: int  # lifetime
    points_by_domain: dict[str, int]
    resolved: int
    badges: tuple[str, ...]  # the keys of the badges held now (teasing ones only where their team shows them)
    helpdesk_identities: tuple[HelpdeskIdentity, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class LedgerLine:
    id: int
    event_id: int
    conversation_id: int | None
    points: int
    domain: str
    kind: str
    reason: str
    occurred_at: datetime

    @property
    def receipt(self) -> str:
        return f'{self.points:+d} {self.reason}'


@dataclass(frozen=True, kw_only=True, slots=True)
class LogLine:
    id: int
    kind: str
    occurred_at: datetime
    agent_id: int | None
    conversation_id: int | None
    data: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next: int  # the cursor for the following page (pass it as ``after``): the last id given, or ``after`` itself
    more: bool  # the page is full: more may follow at once


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestStanding:
    holder_id: int  # an agent, or a team for a team mission
    value: float
    target: int
    completed: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestStatus:
    key: str
    title: str
    description: str
    scope: str  # individual | team
    target: int
    starts_at: datetime
    ends_at: datetime
    running: bool
    reward_points: int
    reward_domain: str
    reward_badge: str | None
    standings: tuple[QuestStanding, ...]  # while the quest is tracked: every agent's (or team's) progress


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardLine:
    rank: int
    id: int  # the agent's, or the team's on the teams board
    name: str
    team: str
    level: int | None  # None on the teams board
    points: int
    members: int | None = None  # teams board: members counted


class ApiReads:
    def __init__(self, *, game: GameService, directory: Directory, leaderboard: LeaderboardService,
                 badges: BadgeService, quests: QuestService, receipts: ReceiptService) -> None:
        self.game = game
        self.receipts = receipts
        self.directory = directory
        self.leaderboard = leaderboard
        self.badges = badges
        self.quests = quests

    async def agents(self) -> list[AgentSummary]:
        """Every active account, with what the game knows of it."""
        emails = dict(await Agent.filter(active=True).values_list('id', 'email'))
        identities = await helpdesk_identities(list(self.directory.agents))
        return [self._summary(agent, emails.get(agent.id, ''), identities.get(agent.id, ()))
                for agent in self.directory.agents.values()]

    async def agent(self, agent_id: int) -> AgentSummary:
        agent = self._known(agent_id)
        email = await Agent.filter(id=agent_id).values_list('email', flat=True)
        identities = await helpdesk_identities([agent_id])
        return self._summary(agent, email[0] if email else '', identities.get(agent_id, ()))

    async def ledger(self, agent_id: int, *, after: int = 0, limit: int = 100) -> Page[LedgerLine]:
        """An agent's ledger entries after the entry ``after``, oldest first, with the event each explains."""
        self._known(agent_id)
        limit = _limit(limit)
        rows = await LedgerEntry.filter(agent_id=agent_id, id__gt=after).order_by('id').limit(limit) \
            .values('id', 'event_id', 'points', 'domain', 'kind', 'reason', 'occurred_at', 'event__conversation_id')
        items = [LedgerLine(id=r['id'], event_id=r['event_id'], conversation_id=r['event__conversation_id'],
                            points=r['points'], domain=r['domain'], kind=r['kind'], reason=r['reason'],
                            occurred_at=r['occurred_at']) for r in rows]
        return Page(items=items, next=items[-1].id if items else after, more=len(items) == limit)

    async def receipt(self, agent_id: int, entry_id: int) -> ReceiptDetail:
        """The receipt of one of the agent's ledger entries: the rule with the event's numbers, and the
        conversation's events up to it (as the progress card's receipt shows it)."""
        self._known(agent_id)
        entry = await LedgerEntry.get_or_none(id=entry_id, agent_id=agent_id)
        if entry is None:
            raise LookupError(f'Agent #{agent_id} has no ledger entry #{entry_id}.')
        try:
            return await self.receipts.detail(event_id=entry.event_id, agent_id=agent_id, kind=entry.kind)
        except ActionError as gone:
            raise LookupError(str(gone)) from None

    async def events(self, *, after: int = 0, limit: int = 100) -> Page[LogLine]:
        """The event log after the event ``after``, in id order: a cursor a script follows with ``next``."""
        limit = _limit(limit)
        rows = await StoredEvent.filter(id__gt=after).order_by('id').limit(limit)
        items = [LogLine(id=e.id, kind=e.kind, occurred_at=e.occurred_at, agent_id=e.agent_id,
                         conversation_id=e.conversation_id, data=e.data) for e in rows]
        return Page(items=items, next=items[-1].id if items else after, more=len(items) == limit)

    def quest_statuses(self) -> list[QuestStatus]:
        """Every quest, the latest first; the ones still tracked with each participant's progress."""
        now = self.game.clock.now()
        board = self.quests.tracker.board
        statuses = []
        for quest in self.quests.definitions:
            standings: list[QuestStanding] = []
            if quest.key in board.quests:
                seen: set[int] = set()
                for agent in self.directory.floor():
                    progress = board.progress(quest.key, agent.id)
                    holder = progress.team_id if quest.scope.value == 'team' else agent.id
                    if holder is None or holder in seen:
                        continue
                    seen.add(holder)
                    standings.append(QuestStanding(holder_id=holder, value=progress.value, target=quest.target,
                                                   completed=progress.completed))
            statuses.append(QuestStatus(
                key=quest.key, title=quest.title, description=quest.description, scope=quest.scope.value,
                target=quest.target, starts_at=quest.starts_at, ends_at=quest.ends_at, running=quest.running(now),
                reward_points=quest.reward_points, reward_domain=quest.reward_domain.value,
                reward_badge=quest.reward_badge, standings=tuple(standings)))
        return statuses

    def board(self, period: Period, scope: Scope, team_id: int | None = None) -> list[BoardLine]:
        """A leaderboard as the pages show it (the agents ranked past the minimum volume)."""
        snapshot = self.leaderboard.snapshot()
        if scope == Scope.TEAMS:
            return [BoardLine(rank=row.rank, id=row.team_id, name=row.name, team=row.name, level=None,
                              points=row.points, members=row.members) for row in snapshot.teams[period]]
        if scope == Scope.TEAM:
            if team_id is None or team_id not in self.directory.teams:
                raise ActionError('Name a team that exists with team_id for the team board.')
            rows = snapshot.team_agents[period].get(team_id, [])
        else:
            rows = snapshot.agents[period]
        return [BoardLine(rank=row.rank, id=row.agent_id, name=row.name, team=row.team_name, level=row.level,
                          points=row.points) for row in rows]

    def _known(self, agent_id: int) -> AgentView:
        agent = self.directory.agent(agent_id)
        if agent is None:
            raise LookupError(f'There is no agent #{agent_id}.')
        return agent

    def _summary(self, agent: AgentView, email: str, identities: tuple[HelpdeskIdentity, ...]) -> AgentSummary:
        metrics = self.game.projection.agents.get(agent.id) or AgentMetrics(agent_id=agent.id)
        level = level_info(metrics.level, levels=self.game.projection.levels)
        badges = tuple(d.key for d in self.badges.held_by(agent.id) if self.badges.visible(d, agent.id, None))
        return AgentSummary(id=agent.id, username=agent.username, name=agent.name, email=email, role=agent.role,
                            team_id=agent.team_id, team=agent.team_name, level=level.number, level_title=level.title,
                            points=metrics.points, resolved=metrics.resolved, badges=badges,
                            points_by_domain={'quality': metrics.quality, 'speed': metrics.speed,
                                              'productivity': metrics.productivity},
                            helpdesk_identities=identities)


async def helpdesk_identities(agent_ids: list[int]) -> dict[int, tuple[HelpdeskIdentity, ...]]:
    """The helpdesk identities linked to each of these agents (how Chatwoot, Zendesk or Freshdesk knows them)."""
    identities: dict[int, list[HelpdeskIdentity]] = {}
    rows = await HelpdeskIdentityRow.filter(agent_id__in=agent_ids).order_by('id') \
        .values_list('agent_id', 'connection_id', 'connection__kind', 'external_id', 'email')
    for agent_id, connection_id, kind, external_id, email in rows:
        identities.setdefault(agent_id, []).append(HelpdeskIdentity(connection_id=connection_id, helpdesk=kind,
                                                                    external_id=external_id, email=email or ''))
    return {agent_id: tuple(found) for agent_id, found in identities.items()}


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ActionError(f'limit must be between 1 and {MAX_PAGE}.')
    return limit
