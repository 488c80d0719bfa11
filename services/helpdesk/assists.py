"""Assist credit, the resolver's side (issue 18): who the game credits with an assist on a conversation they resolved,
and their word on it (confirm a colleague the inference missed, decline one it named).

The share itself is decided by the pure rules (services/domain/scoring.py ``assist_awards`` / ``assist_decision``):
this service only reads the resolution's event and records the resolver's ``assist_decided`` events.
"""
from dataclasses import dataclass
from enum import Enum

from nicegui import Event

from models import StoredEvent
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import _
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService


class AssistState(str, Enum):
    INFERRED = 'inferred'  # named by the rule (a note, a transfer note, a team-chat answer), not decided yet
    CONFIRMED = 'confirmed'
    DECLINED = 'declined'


@dataclass(frozen=True, kw_only=True, slots=True)
class AssistLine:
    agent_id: int
    name: str
    state: AssistState


@dataclass(frozen=True, kw_only=True, slots=True)
class AssistsView:
    """What the resolver of a conversation sees of its assists: the colleagues credited or decided, and whom else they
    could confirm."""
    conversation_id: int
    lines: list[AssistLine]
    others: dict[int, str]  # the floor's other agents not in ``lines``: id -> name


class AssistService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.decided: Event[int] = Event()  # after the commit of a decision: the conversation's id

    async def view(self, actor: AgentView, conversation_id: int) -> AssistsView | None:
        """The assists of the conversation's standing resolution, if ``actor`` resolved it (else None: nothing to
        decide)."""
        resolution, decisions = await _resolution_and_decisions(conversation_id)
        if resolution is None or resolution.agent_id != actor.id:
            return None
        states = {agent_id: AssistState.INFERRED for agent_id in resolution.data.get('assisters', ())}
        states |= {agent_id: AssistState.DECLINED for agent_id in resolution.data.get('declined', ())}  # earlier
        for decision in decisions:
            states[decision.data['assister_id']] = \
                AssistState.CONFIRMED if decision.data['confirmed'] else AssistState.DECLINED
        lines = [AssistLine(agent_id=agent_id, name=self._name(agent_id), state=state)
                 for agent_id, state in states.items()]
        others = {agent.id: agent.name for agent in sorted(self.directory.floor(), key=lambda agent: agent.name)
                  if agent.id != actor.id and agent.id not in states}
        return AssistsView(conversation_id=conversation_id, lines=lines, others=others)

    async def decide(self, actor: AgentView, conversation_id: int, assister_id: int, *, confirmed: bool) -> None:
        """The resolver confirms (or declines) that ``assister_id`` helped with the resolution standing now; the game
        gives (or takes back) the share by its rules, so deciding twice the same way changes nothing."""
        assister = self.directory.agent(assister_id)
        if assister is None:
            raise ActionError(_('That agent does not exist or is no longer active.'))
        if assister_id == actor.id:
            raise ActionError(_('Your own resolution is not an assist: pick a colleague.'))
        async with self.game.unit_of_work() as work:
            resolution, _decisions = await _resolution_and_decisions(conversation_id)
            if resolution is None:
                raise ActionError(_('#{ticket} is not resolved: an assist is decided on a resolution.')
                                  .format(ticket=conversation_id))
            if resolution.agent_id != actor.id:
                raise ActionError(_('Only who resolved #{ticket} can confirm or decline its assists.')
                                  .format(ticket=conversation_id))
            await work.record(EventKind.ASSIST_DECIDED, agent_id=actor.id, conversation_id=conversation_id,
                              data={'assister_id': assister_id, 'assister_name': assister.name,
                                    'confirmed': confirmed, 'resolver_name': actor.name})
            work.after_commit(lambda: self.decided.emit(conversation_id))

    def _name(self, agent_id: int) -> str:
        agent = self.directory.agent(agent_id)
        return agent.name if agent else _('a former agent')


async def _resolution_and_decisions(conversation_id: int) -> tuple[StoredEvent | None, list[StoredEvent]]:
    """The conversation's standing resolution event (None: it is not resolved) and the assist decisions since, oldest
    first."""
    decisions: list[StoredEvent] = []
    for event in await StoredEvent.filter(conversation_id=conversation_id, kind__in=[
            EventKind.RESOLVED.value, EventKind.REOPENED.value, EventKind.ASSIST_DECIDED.value]).order_by('-id'):
        if event.kind != EventKind.ASSIST_DECIDED.value:
            return (event if event.kind == EventKind.RESOLVED.value else None), decisions[::-1]
        decisions.append(event)
    return None, []
