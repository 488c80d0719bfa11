"""The lead's live monitor (issue 15): the queue and today's figures per channel, every agent's presence, load and
day, the SLAs about to breach and the newest escalations and returns to the queue.

Computed once per burst of changes (a commit, the queue, a presence change, the sweep's tick that ages the waits),
shortly after the first of them, and published as one frozen :class:`MonitorView` that every monitor tab shows: no tab
reads the database. Today's
figures are a fold of the log (services/domain/monitor.py), loaded at start-up from the events of the day and of the
trend's hours. The lead's actions are the routing service's (services/helpdesk/routing.py).
"""
import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from nicegui import Event

from models import StoredEvent
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import day_bounds, floor_day
from services.domain.i18n import _, ngettext, pgettext
from services.domain.inbox import InboxItem
from services.domain.monitor import FOLDED, RECENT, TREND_HOURS, ChannelRow, DayFold, channel_rows, hour_of
from services.domain.projection import Outcome
from services.helpdesk.inbox import InboxService
from services.helpdesk.presence import LABELS, Presence
from services.helpdesk.routing import IN_HAND, RoutingService
from services.helpdesk.sla import TARGETS, SlaService, escalation_moment
from services.platform.clock import Clock
from services.platform.coalesce import LIVE_INTERVAL, LIVE_TURNS, Coalescer
from services.platform.directory import Directory

log = logging.getLogger(__name__)
AT_RISK_SHOWN = 15


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentRow:
    agent_id: int
    name: str
    team: str
    status: str  # presence label
    status_since: datetime | None  # since when (None: not recorded since the start): screens count the minutes
    # themselves, so a row changes only when something happens
    in_hand: int
    capacity: int
    channels: tuple[str, ...]  # what routing gives them (channel values), worded by the screen
    dedicated: bool  # the dedicated model: ``channels`` is their one channel, or empty
    departments: tuple[str, ...]  # their departments' names
    handled: int
    average_handle_seconds: int | None
    csat: int | None
    at_risk: int


@dataclass(frozen=True, kw_only=True, slots=True)
class AtRisk:
    conversation_id: int
    channel: str
    priority: str
    target: str  # 'first response' | 'resolution'
    due: datetime
    breached: bool
    agent: str  # who has it ('' in the queue)


@dataclass(frozen=True, kw_only=True, slots=True)
class Happening:
    """An escalation or a return to the queue. The view is shared by every monitor tab, whatever its language, so it
    keeps what happened and :attr:`text` words it when read, in the reader's language."""
    event_id: int
    at: datetime
    kind: str  # which sentence: 'grace', 'released', 'reassigned', 'raised', 'notified'
    ids: tuple[int, ...]  # the conversations
    parts: tuple[tuple[str, str | None], ...] = ()  # the sentence's names and values (None: nobody, said in words)

    @property
    def text(self) -> str:
        parts = dict(self.parts)
        ids = ', '.join(f'#{conversation_id}' for conversation_id in self.ids)
        whose = parts.get('whose') or _('someone')
        if self.kind == 'grace':
            status = _(LABELS[parts['status']]) if parts.get('status') in LABELS else _('absent')
            return _('{ids} back in the queue: {name} was {status} past the grace period').format(
                ids=ids, name=whose, status=status.lower())
        if self.kind == 'released':
            return ngettext("{lead} released {name}'s {count} conversation to the queue ({ids})",
                            "{lead} released {name}'s {count} conversations to the queue ({ids})", len(self.ids)) \
                .format(lead=parts.get('lead') or _('someone'), name=whose, count=len(self.ids), ids=ids)
        target = _(TARGETS[parts['target']]) if parts.get('target') in TARGETS else _('SLA')
        policy = pgettext('priority', parts['policy']) if parts.get('policy') else ''
        what = _('{ids} escalated ({target}, {policy})').format(ids=ids, target=target, policy=policy)
        if self.kind == 'reassigned':
            return _('{what}: reassigned from {source} to {name}').format(
                what=what, source=parts.get('from') or _('the queue'), name=parts.get('to') or _('someone'))
        if self.kind == 'raised':
            return _('{what}: priority raised to {priority}').format(
                what=what, priority=pgettext('priority', parts.get('priority') or ''))
        taker = _('closed since') if parts.get('closed') else parts.get('taker') or _('nobody yet')
        return _('{what}: lead notified; taken by {taker}').format(what=what, taker=taker)


@dataclass(frozen=True, kw_only=True, slots=True)
class MonitorView:
    at: datetime
    channels: tuple[ChannelRow, ...]
    agents: tuple[AgentRow, ...]
    at_risk: tuple[AtRisk, ...]
    happenings: tuple[Happening, ...]  # newest first
    release_grace_minutes: int


class MonitorService:
    def __init__(self, *, clock: Clock, inbox: InboxService, presence: Presence, routing: RoutingService,
                 sla: SlaService, directory: Directory, delay: float = 0.0,
                 interval: float = LIVE_INTERVAL) -> None:
        self.clock = clock
        self.inbox = inbox
        self.presence = presence
        self.routing = routing
        self.sla = sla
        self.directory = directory
        self.fold = DayFold(floor_day(clock.now()))
        self.changed: Event[MonitorView] = Event()  # the new view, after a (coalesced) change
        self.view: MonitorView = self._compute()
        # one recompute per burst, a few turns after the change
        self._broadcast = Coalescer(self._publish, delay=delay, interval=interval, turns=LIVE_TURNS)
        inbox.changed.subscribe(lambda _items: self.poke())
        presence.changed.subscribe(lambda _view: self.poke())
        directory.changed.subscribe(lambda _agent: self.poke())

    async def load(self) -> None:
        """Fold the events of today and of the trend's hours (read by time, an indexed column)."""
        now = self.clock.now()
        midnight, _, today = day_bounds(now)
        start = min(midnight, hour_of(now) - timedelta(hours=TREND_HOURS - 1))
        self.fold = DayFold(today)
        rows = await StoredEvent.filter(occurred_at__gte=start, kind__in=[kind.value for kind in FOLDED]) \
            .order_by('id').values_list('id', 'key', 'kind', 'occurred_at', 'agent_id', 'conversation_id', 'data')
        for event_id, key, kind, occurred_at, agent_id, conversation_id, data in rows:
            if occurred_at.tzinfo is None:  # SQLite hands back naive UTC times
                occurred_at = occurred_at.replace(tzinfo=UTC)
            self.fold.apply(GameEvent(id=event_id, key=key, kind=EventKind(kind), occurred_at=occurred_at,
                                      agent_id=agent_id, conversation_id=conversation_id, data=data or {}))
        self._publish()

    def on_committed(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            self.fold.apply(outcome.event)
        self.poke()

    def poke(self) -> None:
        self._broadcast.poke()

    async def tick(self) -> None:
        """The sweep's step: waits and SLA countdowns age without events, and midnight starts a new day."""
        now = self.clock.now()
        if (today := floor_day(now)) > self.fold.day:
            self.fold.new_day(today)
        self.fold.forget_before(now)
        self.poke()

    async def settle(self) -> None:
        await self._broadcast.settle()

    def _publish(self) -> None:
        self.view = self._compute()
        self.changed.emit(self.view)

    def _compute(self) -> MonitorView:
        now = self.clock.now()
        items = self.inbox.items()
        risks, at_risk_by_agent = [], Counter()
        for item in items:
            if (risk := self._risk(item, now)) is not None:
                risks.append(risk)
                at_risk_by_agent[item.assignee_id] += 1
        risks.sort(key=lambda risk: (risk.due, risk.conversation_id))
        in_hand = self.routing.in_hand()
        agents = []
        for agent in sorted(self.directory.floor(), key=lambda view: view.name):
            presence = self.presence.view(agent.id)
            routing = self.routing.of(agent.id)
            tally = self.fold.agent(agent.id)
            agents.append(AgentRow(
                agent_id=agent.id, name=agent.name, team=agent.team_name, status=LABELS[presence.status],
                status_since=presence.since,
                in_hand=in_hand.get(agent.id, 0), capacity=routing.capacity,
                **self._channels_of(agent.id), handled=tally.handled,
                average_handle_seconds=tally.average_handle_seconds, csat=tally.csat,
                at_risk=at_risk_by_agent[agent.id]))
        happenings = tuple(self._happening(event) for event in reversed(self.fold.recent))
        view = MonitorView(at=now, channels=channel_rows(self.fold, items, now), agents=tuple(agents),
                           at_risk=tuple(risks[:AT_RISK_SHOWN]), happenings=happenings[:RECENT],
                           release_grace_minutes=self.routing.config.release_grace_minutes)
        previous = getattr(self, 'view', None)
        if previous is not None:  # the parts that did not change stay the same objects: tabs skip them
            view = replace(view, **{part: getattr(previous, part) for part in ('agents', 'at_risk', 'happenings')
                                    if getattr(previous, part) == getattr(view, part)})
        return view

    def _risk(self, item: InboxItem, now: datetime) -> AtRisk | None:
        """The conversation's next target, when it has passed the share at which its policy escalates."""
        if item.status not in IN_HAND and item.status != 'pending':
            return None
        due, first = item.next_due
        policy = self.sla.policies.get(item.priority)
        if policy is None:
            return None
        target = 'first_response' if first else 'resolution'
        if now < escalation_moment(due, policy.target(target), policy.escalate_at_percent):
            return None
        owner = self.directory.agent(item.assignee_id) if item.assignee_id is not None else None
        return AtRisk(conversation_id=item.id, channel=item.channel.value, priority=item.priority,
                      target=TARGETS[target], due=due, breached=due <= now,
                      agent=owner.name if owner else '')

    def _channels_of(self, agent_id: int) -> dict[str, bool | tuple[str, ...]]:
        """What routing gives the agent, as :class:`AgentRow`'s ``channels``, ``dedicated`` and ``departments``."""
        routing = self.routing.of(agent_id)
        if self.routing.config.model == 'dedicated':
            return {'channels': (routing.dedicated_channel,) if routing.dedicated_channel else (), 'dedicated': True,
                    'departments': ()}
        return {'channels': tuple(sorted(routing.channels)), 'dedicated': False,
                'departments': tuple(self.routing.departments[d].name for d in sorted(routing.departments)
                                     if d in self.routing.departments)}

    def _happening(self, event: GameEvent) -> Happening:
        data = event.data
        if event.kind == EventKind.RELEASED:
            ids = tuple(data.get('conversation_ids', ()))
            whose = self._name(data.get('from_agent_id'))
            if data.get('by') == 'grace':
                return Happening(event_id=event.id, at=event.occurred_at, kind='grace', ids=ids,
                                 parts=(('whose', whose), ('status', data.get('status'))))
            return Happening(event_id=event.id, at=event.occurred_at, kind='released', ids=ids,
                             parts=(('lead', self._name(event.agent_id)), ('whose', whose)))
        action = data.get('action', '')
        escalation = (('target', data.get('target')), ('policy', data.get('policy')))
        ids = (event.conversation_id,) if event.conversation_id is not None else ()
        if action == 'reassign':
            return Happening(event_id=event.id, at=event.occurred_at, kind='reassigned', ids=ids, parts=(
                *escalation, ('from', self._name(data.get('from_agent_id'))),
                ('to', self._name(data.get('to_agent_id')))))
        if action == 'raise_priority':
            return Happening(event_id=event.id, at=event.occurred_at, kind='raised', ids=ids,
                             parts=(*escalation, ('priority', data.get('priority'))))
        holder = self.inbox.open_items.get(event.conversation_id or 0)
        if holder is None:  # resolved or abandoned since
            return Happening(event_id=event.id, at=event.occurred_at, kind='notified', ids=ids,
                             parts=(*escalation, ('closed', 'closed')))
        return Happening(event_id=event.id, at=event.occurred_at, kind='notified', ids=ids,
                         parts=(*escalation, ('taker', self._name(holder.assignee_id))))

    def _name(self, agent_id: int | None) -> str | None:
        """The agent's name; None for nobody (the sentence says who in the reader's language)."""
        agent = self.directory.agent(agent_id) if agent_id is not None else None
        return agent.name if agent else None
