"""Routing: new conversations go to available agents, round-robin or least busy, by department and skill.

The choice is the pure :func:`choose_agent`; :class:`RoutingService` keeps the configuration in memory, runs a pass
over the waiting queue after every committed change (coalesced) and on a periodic sweep, and assigns through the inbox
(an ``assigned`` event with data ``by: 'routing'``). A conversation nobody fits waits in the queue until a pass finds
someone: an agent comes online, finishes a conversation or gets more capacity. Departments and agents' skills are
edited here too (lead only), each edit one ``workspace_configured`` event.
"""
import asyncio
import itertools
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from models import (
    AgentDepartment,
    AgentSkills,
    AutomationRule,
    Conversation,
    Department,
    RoutingSettings,
    StoredEvent,
)
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind
from services.domain.i18n import N_, _
from services.domain.inbox import OPEN_STATUSES, TIMED_CHANNELS, InboxItem
from services.domain.projection import Outcome
from services.domain.text import MAX_DESCRIPTION, MAX_NAME, checked_text
from services.helpdesk.inbox import InboxService
from services.helpdesk.presence import ONLINE, Presence
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService
from services.platform.leases import Lease, Work
from services.platform.tasks import start_task

log = logging.getLogger(__name__)
MODES = {'off': N_('Off: agents take from the queue'), 'round_robin': N_('Round-robin'), 'least_busy': N_('Least busy')}
MODELS = {'shared': N_('Shared: agents serve all their channels'),
          'dedicated': N_('Dedicated: each agent serves one channel')}  # MODES and MODELS are shown through _()
CHANNELS = tuple(channel.value for channel in Channel)
DEFAULT_CAPACITY = 3
MAX_CAPACITY = 50
DEFAULT_RELEASE_GRACE_MINUTES = 2
MAX_RELEASE_GRACE_MINUTES = 240
ALL_CHANNELS = 'all'  # moving an agent to every channel again (shared model)
IN_HAND = ('new', 'open')  # statuses that hold an agent's capacity; 'pending' waits on the customer


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentRouting:
    """What routing knows about one agent."""
    agent_id: int
    departments: frozenset[int] = frozenset()
    channels: frozenset[str] = frozenset(CHANNELS)
    capacity: int = DEFAULT_CAPACITY
    dedicated_channel: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RoutingConfig:
    mode: str = 'off'
    model: str = 'shared'
    release_grace_minutes: int = DEFAULT_RELEASE_GRACE_MINUTES


@dataclass(frozen=True, kw_only=True, slots=True)
class DepartmentView:
    id: int
    name: str
    description: str = ''


def can_serve(agent: AgentRouting, *, channel: str, department_id: int | None, model: str) -> bool:
    """Whether the agent may get a conversation on ``channel`` for ``department_id`` (None: any department)."""
    if department_id is not None and department_id not in agent.departments:
        return False
    if model == 'dedicated':
        return agent.dedicated_channel == channel
    return channel in agent.channels


def choose_agent(*, channel: str, department_id: int | None, agents: Iterable[AgentRouting], load: Mapping[int, int],
                 last_routed: Mapping[int, int], mode: str, model: str) -> int | None:
    """The agent a conversation goes to, or None when nobody fits (it then waits in the queue).

    ``agents`` are the available ones; ``load`` counts the conversations each has in hand (capacity), ``last_routed``
    when each last got one (a growing number; never: absent). Round-robin takes the agent who waited longest since
    their last routed conversation; least busy the one with the fewest in hand, ties going round-robin.
    """
    eligible = [agent for agent in agents if load.get(agent.agent_id, 0) < agent.capacity
                and can_serve(agent, channel=channel, department_id=department_id, model=model)]
    if not eligible:
        return None

    def turn(agent: AgentRouting) -> tuple[int, int]:
        return last_routed.get(agent.agent_id, -1), agent.agent_id

    if mode == 'least_busy':
        return min(eligible, key=lambda agent: (load.get(agent.agent_id, 0), *turn(agent))).agent_id
    return min(eligible, key=turn).agent_id


def routing_order(item: InboxItem) -> tuple:
    """Waiting conversations are routed most urgent first: the first due time, then the oldest."""
    return item.first_response_due_at or item.sla_due_at, item.created_at, item.id


class RoutingService:
    def __init__(self, *, clock: Clock, game: GameService, inbox: InboxService, directory: Directory,
                 presence: Presence, lease: Lease | None = None) -> None:
        self.clock = clock
        self.lease = lease or Lease(Work.ROUTING)  # several processes: only the holder routes
        self.lease.on_taken(self._taken_over)
        self.game = game
        self.inbox = inbox
        self.directory = directory
        self.presence = presence
        self.config = RoutingConfig()
        self.agents: dict[int, AgentRouting] = {}  # agents without a row have the defaults
        self.departments: dict[int, DepartmentView] = {}
        self.last_routed: dict[int, int] = {}  # agent -> their turn number when they last got a conversation
        self._turns = itertools.count()
        self._pass: asyncio.Task | None = None  # one routing pass at a time; a change during it asks for another
        self._again = False
        self._stopped = False
        self._absent_since: dict[int, datetime] = {}  # agents holding unanswered live work while absent
        # conversation -> the agent a lead released it from: routing does not give it straight back to them
        self.released_from: dict[int, int] = {}

    async def load(self) -> None:
        settings = await RoutingSettings.get_or_none(id=1) or RoutingSettings(mode='off', model='shared')
        self.config = RoutingConfig(mode=settings.mode, model=settings.model,
                                    release_grace_minutes=await _release_grace_minutes())
        self.departments = {d.id: DepartmentView(id=d.id, name=d.name, description=d.description)
                            for d in await Department.all().order_by('name')}
        memberships: dict[int, set[int]] = {}
        for agent_id, department_id in await AgentDepartment.all().values_list('agent_id', 'department_id'):
            memberships.setdefault(agent_id, set()).add(department_id)
        skills = {row.agent_id: row for row in await AgentSkills.all()}
        self.agents = {agent_id: _routing(agent_id, memberships.get(agent_id, set()), skills.get(agent_id))
                       for agent_id in set(memberships) | set(skills)}

    def of(self, agent_id: int) -> AgentRouting:
        return self.agents.get(agent_id) or AgentRouting(agent_id=agent_id)

    def in_hand(self) -> Counter[int]:
        """How many conversations each agent has in hand (what capacity limits)."""
        return Counter(item.assignee_id for item in self.inbox.items()
                       if item.assignee_id is not None and item.status in IN_HAND)

    def available(self) -> list[AgentRouting]:
        """The agents routing may give work to right now: on the floor and available (Presence decides)."""
        return [self.of(agent.id) for agent in self.directory.floor()
                if self.presence.is_available(agent.id) and not self.directory.works_elsewhere(agent)]

    def pick(self, item: InboxItem | Conversation, *, exclude: Iterable[int] = ()) -> int | None:
        """The agent ``item`` would go to now (an SLA escalation reassigns with this even when routing is off: then
        to the least busy)."""
        excluded = set(exclude)
        return choose_agent(channel=_channel(item), department_id=item.department_id,
                            agents=[agent for agent in self.available() if agent.agent_id not in excluded],
                            load=self.in_hand(), last_routed=self.last_routed,
                            mode=self.config.mode if self.config.mode != 'off' else 'least_busy',
                            model=self.config.model)

    def routed(self, agent_id: int) -> None:
        """Note that ``agent_id`` just got a conversation (for the round-robin turn)."""
        self.last_routed[agent_id] = next(self._turns)

    async def route_waiting(self) -> int:
        """Give every waiting conversation someone fits to that agent; return how many were routed."""
        if self.config.mode == 'off' or not self.lease.held:
            return 0
        waiting = sorted((item for item in self.inbox.items() if item.assignee_id is None and item.status == 'new'),
                         key=routing_order)
        agents = self.available()
        if not waiting or not agents:
            return 0
        load = self.in_hand()
        routed = 0
        self.released_from = {conversation_id: agent_id for conversation_id, agent_id in self.released_from.items()
                              if conversation_id in self.inbox.open_items}
        for item in waiting:
            released_from = self.released_from.get(item.id)
            agent_id = choose_agent(channel=item.channel.value, department_id=item.department_id,
                                    agents=[a for a in agents if a.agent_id != released_from] if released_from
                                    else agents,
                                    load=load, last_routed=self.last_routed, mode=self.config.mode,
                                    model=self.config.model)
            if agent_id is None:
                continue
            try:
                await self.inbox.assign(item.id, agent_id, by='routing')
            except ActionError as error:  # taken or closed meanwhile
                log.debug('not routed: %s', error)
                continue
            load[agent_id] += 1
            self.routed(agent_id)
            routed += 1
        return routed

    def poke(self) -> None:
        """Run a routing pass soon (one at a time; changes during a pass cause one more)."""
        if self.config.mode == 'off' or self._stopped or not self.lease.held:
            return
        if self._pass is not None and not self._pass.done():
            self._again = True
            return
        self._pass = start_task(self._run_passes(), name='routing pass')

    async def _taken_over(self) -> None:
        self.poke()  # what waits now, without waiting for the next change

    async def stop(self) -> None:
        """No more passes after the one in progress (shutdown)."""
        self._stopped = True
        await self.settle()

    async def settle(self) -> None:
        """Wait until the pending routing passes have run."""
        while self._pass is not None and not self._pass.done():
            await asyncio.gather(self._pass, return_exceptions=True)

    async def _run_passes(self) -> None:
        await asyncio.sleep(0)  # let the change that poked finish publishing first
        while True:
            self._again = False
            try:
                await self.route_waiting()
            except Exception:
                log.exception('routing pass failed; the next change or sweep tries again')
            if not self._again:
                return

    def on_committed(self, outcomes: list[Outcome]) -> None:
        if any(not (o.event.kind == EventKind.ASSIGNED and o.event.data.get('by') == 'routing') for o in outcomes):
            self.poke()

    # --- what a lead configures ---

    async def set_mode(self, actor: AgentView, *, mode: str, model: str) -> None:
        _require_lead(actor, N_('Only a lead can change the routing.'))
        if mode not in MODES:
            raise ActionError(
                _('Unknown routing mode {mode}: one of {modes}.')
                .format(mode=repr(mode), modes=", ".join(MODES)))
        if model not in MODELS:
            raise ActionError(
                _('Unknown routing model {model}: one of {models}.')
                .format(model=repr(model), models=", ".join(MODELS)))
        async with self.game.unit_of_work() as work:
            await RoutingSettings.update_or_create(id=1, defaults={'mode': mode, 'model': model})
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id,
                              data={'what': 'routing', 'mode': mode, 'model': model})
            work.after_commit(lambda: setattr(self, 'config', replace(self.config, mode=mode, model=model)))
        self.poke()

    async def set_release_grace(self, actor: AgentView, minutes: int) -> None:
        """How long an absent agent's unanswered chats and calls wait for them before going back to the queue."""
        _require_lead(actor, N_('Only a lead can change the grace period.'))
        if not isinstance(minutes, int) or isinstance(minutes, bool) or \
                not 0 <= minutes <= MAX_RELEASE_GRACE_MINUTES:
            raise ActionError(
                _('The grace period must be a whole number of minutes from 0 to {max_release_grace_minutes}.')
                .format(max_release_grace_minutes=MAX_RELEASE_GRACE_MINUTES))
        async with self.game.unit_of_work() as work:  # the log holds it: start-up reads the latest edit back
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id,
                              data={'what': 'release_grace', 'minutes': minutes})
            work.after_commit(lambda: setattr(self, 'config', replace(self.config, release_grace_minutes=minutes)))

    # --- the lead's live monitor (issue 15): each action one event with the lead as actor ---

    async def move_agent(self, actor: AgentView, agent_id: int, *, channel: str | None = None,
                         department_id: int | None = None) -> None:
        """Move an agent to a channel (dedicated model: their dedicated channel, the skill added if missing; shared:
        that channel alone, or every channel with :data:`ALL_CHANNELS`) and/or to one department (its queue
        alone). One ``workspace_configured`` event, as an edit of the agent's skills."""
        _require_lead(actor, N_('Only a lead can move agents.'))
        if channel is None and department_id is None:
            raise ActionError(_('Choose a channel or a department to move the agent to.'))
        if channel is not None and channel != ALL_CHANNELS and channel not in CHANNELS:
            raise ActionError(
                _('Unknown channel {channel}: one of {channels}.')
                .format(channel=repr(channel), channels=", ".join(CHANNELS)))
        if channel == ALL_CHANNELS and self.config.model == 'dedicated':
            raise ActionError(_('In the dedicated model an agent serves one channel: choose which.'))
        now = self.of(agent_id)
        channels, dedicated = set(now.channels), now.dedicated_channel
        if channel == ALL_CHANNELS:
            channels = set(CHANNELS)
        elif channel is not None and self.config.model == 'dedicated':
            channels.add(channel)
            dedicated = channel
        elif channel is not None:
            channels = {channel}
            dedicated = channel if dedicated is not None else None
        departments = {department_id} if department_id is not None else set(now.departments)
        await self.save_agent(actor, agent_id, departments=departments, channels=channels, capacity=now.capacity,
                              dedicated_channel=dedicated)

    async def set_capacity(self, actor: AgentView, agent_id: int, capacity: int) -> None:
        """Change how many conversations an agent may have in hand (one ``workspace_configured`` event)."""
        _require_lead(actor, N_("Only a lead can change agents' capacity."))
        now = self.of(agent_id)
        await self.save_agent(actor, agent_id, departments=now.departments, channels=now.channels, capacity=capacity,
                              dedicated_channel=now.dedicated_channel)

    async def release_agent(self, actor: AgentView, agent_id: int) -> list[int]:
        """Put an agent's conversations in hand back in the queue: one ``released`` event with the lead as actor."""
        _require_lead(actor, N_("Only a lead can release agents' conversations."))
        agent = self.directory.agent(agent_id)
        if agent is None:
            raise ActionError(_('There is no active agent #{agent_id}.').format(agent_id=agent_id))
        released = await self.inbox.release(agent_id, actor_id=actor.id, by='lead')
        if not released:
            raise ActionError(_('{name} has no conversations in hand to release.').format(name=agent.name))
        self.released_from.update(dict.fromkeys(released, agent_id))
        return released

    async def reassign(self, actor: AgentView, conversation_id: int, to_agent_id: int) -> None:
        """Give one conversation to another agent: one ``transferred`` event with the lead as actor."""
        _require_lead(actor, N_('Only a lead can reassign conversations.'))
        await self.inbox.transfer(actor, conversation_id, to_agent_id=to_agent_id)

    async def release_stranded(self) -> int:
        """The sweep's step: the unanswered chats and calls of agents away, on a break or offline for longer than
        the grace period go back to the queue (one ``released`` event per agent, by 'grace'). Returns how many."""
        now = self.clock.now()
        grace = timedelta(minutes=self.config.release_grace_minutes)
        holders = {item.assignee_id for item in self.inbox.items() if item.assignee_id is not None
                   and item.status in IN_HAND and item.first_response_at is None
                   and _channel(item) in TIMED_CHANNELS}
        for agent_id in list(self._absent_since):
            if agent_id not in holders or self.presence.status(agent_id) == ONLINE:
                del self._absent_since[agent_id]
        released = 0
        for agent_id in sorted(holders):
            view = self.presence.view(agent_id)
            if view.status == ONLINE:
                continue
            # since when they are gone: the recorded change, else (never recorded) when the sweep first saw it
            since = self._absent_since.setdefault(agent_id, view.since or now)
            if now - since < grace:
                continue
            released += len(await self.inbox.release(agent_id, actor_id=None, by='grace', unanswered_live_only=True,
                                                     data={'status': view.status}))
        return released

    async def save_agent(self, actor: AgentView, agent_id: int, *, departments: Iterable[int], channels: Iterable[str],
                         capacity: int, dedicated_channel: str | None) -> None:
        """Set an agent's departments, channel skills, capacity and dedicated channel."""
        _require_lead(actor, N_("Only a lead can change agents' skills."))
        agent = self.directory.agent(agent_id)
        if agent is None:
            raise ActionError(_('There is no active agent #{agent_id}.').format(agent_id=agent_id))
        department_ids = set(departments)
        if unknown := department_ids - set(self.departments):
            raise ActionError(
                _('Unknown department(s) {unknown}.')
                .format(unknown=", ".join(map(str, sorted(unknown)))))
        channel_set = set(channels)
        if unknown_channels := channel_set - set(CHANNELS):
            raise ActionError(
                _('Unknown channel(s) {unknown_channels}: one of {channels}.')
                .format(unknown_channels=", ".join(sorted(unknown_channels)), channels=", ".join(CHANNELS)))
        if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
            raise ActionError(
                _('The capacity must be a whole number from 1 to {max_capacity}.')
                .format(max_capacity=MAX_CAPACITY))
        if dedicated_channel is not None and dedicated_channel not in CHANNELS:
            raise ActionError(
                _('Unknown channel {dedicated_channel}: one of {channels}.')
                .format(dedicated_channel=repr(dedicated_channel), channels=", ".join(CHANNELS)))
        if dedicated_channel is not None and dedicated_channel not in channel_set:
            raise ActionError(
                _('{name} has no {dedicated_channel} skill, so that cannot be their dedicated channel.')
                .format(name=agent.name, dedicated_channel=dedicated_channel))
        ordered_channels = [channel for channel in CHANNELS if channel in channel_set]
        async with self.game.unit_of_work() as work:
            await AgentDepartment.filter(agent_id=agent_id).delete()
            for department_id in sorted(department_ids):
                await AgentDepartment.create(agent_id=agent_id, department_id=department_id)
            await AgentSkills.update_or_create(agent_id=agent_id, defaults={
                'channels': ordered_channels, 'capacity': capacity, 'dedicated_channel': dedicated_channel})
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id, data={
                'what': 'agent', 'id': agent_id, 'departments': sorted(department_ids), 'channels': ordered_channels,
                'capacity': capacity, 'dedicated_channel': dedicated_channel})
            routing = AgentRouting(agent_id=agent_id, departments=frozenset(department_ids),
                                   channels=frozenset(ordered_channels), capacity=capacity,
                                   dedicated_channel=dedicated_channel)
            work.after_commit(lambda: self.agents.__setitem__(agent_id, routing))
        self.poke()

    async def create_department(self, actor: AgentView, name: str, description: str = '') -> int:
        _require_lead(actor, N_('Only a lead can create departments.'))
        name = _department_name(name)
        description = checked_text(description, N_('Description'), MAX_DESCRIPTION, multiline=True)
        async with self.game.unit_of_work() as work:
            if await Department.filter(name=name).exists():
                raise ActionError(_('There is already a department called {name}.').format(name=name))
            department = await Department.create(name=name, description=description)
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id,
                              data={'what': 'department', 'action': 'created', 'id': department.id, 'name': name})
            view = DepartmentView(id=department.id, name=name, description=department.description)
            work.after_commit(lambda: self.departments.__setitem__(view.id, view))
        return department.id

    async def rename_department(self, actor: AgentView, department_id: int, name: str) -> None:
        _require_lead(actor, N_('Only a lead can rename departments.'))
        name = _department_name(name)
        async with self.game.unit_of_work() as work:
            department = await self._department(department_id)
            if await Department.filter(name=name).exclude(id=department_id).exists():
                raise ActionError(_('There is already a department called {name}.').format(name=name))
            previous, department.name = department.name, name
            await department.save()
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id, data={
                'what': 'department', 'action': 'renamed', 'id': department_id, 'name': name, 'previous': previous})
            view = DepartmentView(id=department_id, name=name, description=department.description)
            work.after_commit(lambda: self.departments.__setitem__(department_id, view))

    async def delete_department(self, actor: AgentView, department_id: int) -> None:
        """Delete a department nobody uses any more; otherwise refuse and say what still uses it."""
        _require_lead(actor, N_('Only a lead can delete departments.'))
        async with self.game.unit_of_work() as work:
            department = await self._department(department_id)
            if uses := await _department_uses(department_id):
                raise ActionError(
                    _('{department} is still used by {uses}: move or change those first.')
                    .format(department=department.name, uses=", ".join(uses)))
            await department.delete()
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id, data={
                'what': 'department', 'action': 'deleted', 'id': department_id, 'name': department.name})
            work.after_commit(lambda: self.departments.pop(department_id, None))

    async def _department(self, department_id: int) -> Department:
        department = await Department.get_or_none(id=department_id)
        if department is None:
            raise ActionError(_('Department #{department_id} does not exist.').format(department_id=department_id))
        return department


async def _release_grace_minutes() -> int:
    """The grace period of the latest edit in the log (leads' configuration edits are few), else the default."""
    async for data in StoredEvent.filter(kind=EventKind.WORKSPACE_CONFIGURED.value).order_by('-id') \
            .values_list('data', flat=True):
        if data.get('what') == 'release_grace':
            return data['minutes']
    return DEFAULT_RELEASE_GRACE_MINUTES


async def _department_uses(department_id: int) -> list[str]:
    uses = []
    if members := await AgentDepartment.filter(department_id=department_id).count():
        uses.append(f'{members} agent{"s" if members != 1 else ""}')
    if conversations := await Conversation.filter(department_id=department_id, status__in=OPEN_STATUSES).count():
        uses.append(f'{conversations} open conversation{"s" if conversations != 1 else ""}')
    for rule in await AutomationRule.all().order_by('id'):
        if _rule_uses_department(rule, department_id):
            uses.append(f'the rule "{rule.name}"')
    return uses


def _rule_uses_department(rule: AutomationRule, department_id: int) -> bool:
    if rule.action == 'set_department' and rule.value == str(department_id):
        return True
    return any(condition.get('field') == 'department' and str(department_id) in _values(condition.get('value'))
               for condition in rule.conditions or [])


def _values(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _department_name(name: str) -> str:
    return ' '.join(checked_text(name, N_('Name'), MAX_NAME, name=True, empty=_('A department needs a name.')).split())


def _require_lead(actor: AgentView, refusal: str) -> None:
    """:raises ActionError: ``refusal`` (a whole sentence marked with N_()) in the actor's language, unless a lead."""
    if not actor.is_lead:
        raise ActionError(_(refusal))


def _channel(item: InboxItem | Conversation) -> str:
    return item.channel.value if isinstance(item.channel, Channel) else item.channel


def _routing(agent_id: int, departments: set[int], skills: AgentSkills | None) -> AgentRouting:
    if skills is None:
        return AgentRouting(agent_id=agent_id, departments=frozenset(departments))
    return AgentRouting(agent_id=agent_id, departments=frozenset(departments), channels=frozenset(skills.channels),
                        capacity=skills.capacity, dedicated_channel=skills.dedicated_channel)
