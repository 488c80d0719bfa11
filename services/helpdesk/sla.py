"""SLA policies: first-response and resolution targets per priority, and an escalation shortly before a breach.

A conversation's due times are set when it is created and again when its priority changes, always counted from its
creation (a customer's wait does not restart because someone changed the priority). :meth:`SlaService.check` runs
on the periodic sweep against the injected clock: once a policy's share of a target has passed (80 % by default) the
conversation is escalated once per target (one ``escalated`` event, its key unique per conversation and target):
reassigned to an available agent, its priority raised, or the lead notified (when nobody can take it, or it is
already urgent, the lead is notified instead).
"""
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from nicegui import Event

from models import Conversation, SlaPolicy, StoredEvent
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import N_, _, ngettext, pgettext
from services.domain.inbox import OPEN_STATUSES, PRIORITIES, SLA_RESOLUTION_TARGETS, InboxItem
from services.domain.projection import Outcome
from services.domain.wording import clock_time
from services.helpdesk.inbox import InboxService
from services.helpdesk.routing import RoutingService
from services.platform.clock import Clock
from services.platform.coalesce import Coalescer
from services.platform.directory import AgentView
from services.platform.event_log import CHUNK, GameService, UnitOfWork

log = logging.getLogger(__name__)
TARGETS = {'first_response': N_('first response'), 'resolution': N_('resolution')}  # shown through _()
ESCALATIONS = {'none': N_('None'), 'notify_lead': N_('Notify the lead'), 'reassign': N_('Reassign'),
               'raise_priority': N_('Raise priority')}
DEFAULT_FIRST_RESPONSE_MINUTES = {'urgent': 15, 'high': 30, 'normal': 120, 'low': 480}
MAX_MINUTES = 30 * 24 * 60


@dataclass(frozen=True, kw_only=True, slots=True)
class SlaPolicyView:
    priority: str
    first_response_minutes: int
    resolution_minutes: int
    escalate_at_percent: int = 80
    escalation: str = 'notify_lead'

    def target(self, target: str) -> timedelta:
        return timedelta(minutes=self.first_response_minutes if target == 'first_response' else self.resolution_minutes)


DEFAULT_POLICIES = {priority: SlaPolicyView(
    priority=priority, first_response_minutes=DEFAULT_FIRST_RESPONSE_MINUTES[priority],
    resolution_minutes=int(SLA_RESOLUTION_TARGETS[priority].total_seconds() // 60)) for priority in PRIORITIES}


@dataclass(frozen=True, kw_only=True, slots=True)
class LeadAlert:
    """A conversation close to a breach whose policy tells the lead. Made by the sweep, outside any tab, and shown in
    every lead's tab: worded when read (:attr:`text`), in that tab's language."""
    conversation_id: int
    priority: str
    channel: str
    target: str  # 'first_response' | 'resolution'
    due: datetime | None = None
    reason: str = ''  # why the policy's own escalation could not be done, marked with N_() where it is decided

    @property
    def text(self) -> str:
        sentence = _('#{id} ({priority}, {channel}) is close to breaching its first response target') \
            if self.target == 'first_response' else \
            _('#{id} ({priority}, {channel}) is close to breaching its resolution target')
        text = sentence.format(id=self.conversation_id, priority=pgettext('priority', self.priority),
                               channel=_(self.channel.capitalize()).lower())  # the channels' words: ui/format.py
        if self.due is not None:
            text = _('{alert} (due {time})').format(alert=text, time=clock_time(self.due, style='HH:mm'))
        if self.reason:
            text = _('{alert}: {reason}').format(alert=text, reason=_(self.reason))
        return f'{text}.'


def due_times(policy: SlaPolicyView, created_at: datetime) -> tuple[datetime, datetime]:
    """(first response due, resolution due) for a conversation created at ``created_at``."""
    return created_at + policy.target('first_response'), created_at + policy.target('resolution')


def escalation_moment(due: datetime, target: timedelta, percent: int) -> datetime:
    """When a target is escalated: once ``percent`` of it has passed, i.e. the rest of it before ``due``."""
    return due - target * (100 - percent) / 100


def escalations_due(item: InboxItem, policy: SlaPolicyView, *, answered: bool, escalated: set[tuple[int, str]],
                    now: datetime) -> list[str]:
    """The targets of ``item`` to escalate now (each once; the first response only while nobody has answered)."""
    if policy.escalation == 'none':
        return []
    dues = {'first_response': None if answered else item.first_response_due_at, 'resolution': item.sla_due_at}
    return [target for target, due in dues.items() if due is not None and (item.id, target) not in escalated
            and now >= escalation_moment(due, policy.target(target), policy.escalate_at_percent)]


def raised(priority: str) -> str | None:
    """The next priority up, or None when it is already the highest."""
    order = ('low', 'normal', 'high', 'urgent')
    index = order.index(priority) if priority in order else len(order) - 1
    return order[index + 1] if index + 1 < len(order) else None


def validate_policy(policy: SlaPolicyView) -> None:
    """:raises ActionError: saying what is wrong with the policy."""
    if policy.priority not in PRIORITIES:
        raise ActionError(
            _('Unknown priority {priority}: one of {priorities}.')
            .format(priority=repr(policy.priority), priorities=", ".join(PRIORITIES)))
    for label, minutes in ((N_('First-response target'), policy.first_response_minutes),
                           (N_('Resolution target'), policy.resolution_minutes)):
        if not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
            raise ActionError(_('{label}: a whole number of minutes from 1 to {max_minutes} (30 days).')
                              .format(label=_(label), max_minutes=MAX_MINUTES))
    if policy.first_response_minutes > policy.resolution_minutes:
        raise ActionError(_('The first-response target cannot be longer than the resolution target.'))
    if not isinstance(policy.escalate_at_percent, int) or not 10 <= policy.escalate_at_percent <= 99:
        raise ActionError(_('Escalate at a share of the target from 10 % to 99 %.'))
    if policy.escalation not in ESCALATIONS:
        raise ActionError(
            _('Unknown escalation {escalation}: one of {escalations}.')
            .format(escalation=repr(policy.escalation), escalations=", ".join(ESCALATIONS)))


class SlaService:
    def __init__(self, *, clock: Clock, game: GameService, inbox: InboxService, routing: RoutingService,
                 alert_interval: float = 3.0) -> None:
        self.clock = clock
        self.game = game
        self.inbox = inbox
        self.routing = routing
        self.policies: dict[str, SlaPolicyView] = dict(DEFAULT_POLICIES)
        self.alerts: Event[list[LeadAlert]] = Event()  # for leads' tabs; a burst is sent together, at most every 3 s
        self.answered: set[int] = set()  # open conversations that had their first response
        self.escalated: set[tuple[int, str]] = set()  # (conversation, target) already escalated
        self._pending_alerts: list[LeadAlert] = []
        self._alert_broadcast = Coalescer(self._send_alerts, delay=0.0, interval=alert_interval)
        inbox.on_created.append(self._set_due_times)
        inbox.on_priority_changed.append(self._set_due_times)

    async def load(self) -> None:
        """Load the policies and, for the open conversations, who was answered and what was escalated."""
        self.policies = dict(DEFAULT_POLICIES) | {row.priority: _view(row) for row in await SlaPolicy.all()}
        open_ids = list(self.inbox.open_items)
        self.answered, self.escalated = set(), set()
        for start in range(0, len(open_ids), CHUNK):
            ids = open_ids[start:start + CHUNK]
            self.answered.update(await Conversation.filter(id__in=ids, first_response_at__not_isnull=True)
                                 .values_list('id', flat=True))
            for conversation_id, data in await StoredEvent.filter(
                    kind=EventKind.ESCALATED.value, conversation_id__in=ids).values_list('conversation_id', 'data'):
                self.escalated.add((conversation_id, data.get('target', '')))

    def policy_views(self) -> list[SlaPolicyView]:
        return [self.policies[priority] for priority in PRIORITIES]

    async def save_policy(self, actor: AgentView, policy: SlaPolicyView) -> None:
        """A lead sets one priority's targets and escalation; new and re-prioritised conversations follow it."""
        if not actor.is_lead:
            raise ActionError(_('Only a lead can change SLA policies.'))
        validate_policy(policy)
        async with self.game.unit_of_work() as work:
            await SlaPolicy.update_or_create(priority=policy.priority, defaults={
                'first_response_minutes': policy.first_response_minutes,
                'resolution_minutes': policy.resolution_minutes,
                'escalate_at_percent': policy.escalate_at_percent, 'escalation': policy.escalation})
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id, data={
                'what': 'sla_policy', 'priority': policy.priority,
                'first_response_minutes': policy.first_response_minutes,
                'resolution_minutes': policy.resolution_minutes,
                'escalate_at_percent': policy.escalate_at_percent, 'escalation': policy.escalation})
            work.after_commit(lambda: self.policies.__setitem__(policy.priority, policy))

    async def check(self) -> int:
        """Escalate what is due now; return how many escalations were made (the periodic sweep calls this)."""
        now = self.clock.now()
        open_items = self.inbox.open_items
        due = [(item.id, target) for item in open_items.values()
               for target in escalations_due(item, self.policies[item.priority], answered=item.id in self.answered,
                                             escalated=self.escalated, now=now)]
        done = 0
        for conversation_id, target in due:
            try:
                done += await self._escalate(conversation_id, target)
            except Exception:
                log.exception('escalating #%s (%s) failed; skipped', conversation_id, target)
                self.escalated.add((conversation_id, target))  # failing again every few seconds helps nobody
        if len(self.answered) > 2 * len(open_items) + 100:  # forget conversations that left the queue
            self.answered &= set(open_items)
            self.escalated = {key for key in self.escalated if key[0] in open_items}
        return done

    async def _escalate(self, conversation_id: int, target: str) -> int:
        committed: list[bool] = []
        async with self.game.unit_of_work() as work:
            conversation = await Conversation.get_or_none(id=conversation_id).prefetch_related('customer')
            if conversation is None or conversation.status not in OPEN_STATUSES or (
                    target == 'first_response' and conversation.first_response_at is not None):
                return 0
            policy = self.policies[conversation.priority]
            due = conversation.first_response_due_at if target == 'first_response' else conversation.sla_due_at
            owner = conversation.assignee_id  # whose conversation came close to a breach
            action, detail = await self._act(work, conversation, policy)
            await work.record(EventKind.ESCALATED, agent_id=owner, conversation_id=conversation.id,
                              key=f'escalated:{conversation.id}:{target}', data={
                                  'policy': policy.priority, 'target': target, 'action': action,
                                  'due_at': due.isoformat() if due else None, **detail})
            self.inbox.publish_after_commit(work, conversation)
            if action == 'notify_lead':
                alert = LeadAlert(conversation_id=conversation.id, priority=policy.priority,
                                  channel=conversation.channel, target=target, due=due,
                                  reason=detail.get('reason', ''))
                work.after_commit(lambda: self._alert(alert))
            work.after_commit(lambda: committed.append(True))
        self.escalated.add((conversation_id, target))  # also when the key showed it was escalated before
        return len(committed)

    async def _act(self, work: UnitOfWork, conversation: Conversation, policy: SlaPolicyView) -> tuple[str, dict]:
        """Do the policy's escalation; return the action taken (the lead is told when the policy's cannot be done)."""
        if policy.escalation == 'raise_priority':
            higher = raised(conversation.priority)
            if higher is None:
                return 'notify_lead', {'reason': N_('it is already urgent')}
            await self.inbox.change_priority(work, conversation, higher, agent_id=None, by='sla')
            return 'raise_priority', {'priority': higher}
        if policy.escalation == 'reassign':
            previous = conversation.assignee_id
            to_agent = self.routing.pick(conversation, exclude=[previous] if previous is not None else [])
            if to_agent is None:
                return 'notify_lead', {'reason': N_('nobody else is available to take it')}
            await self.inbox.assign_in(work, conversation, to_agent, by='sla')
            self.routing.routed(to_agent)
            return 'reassign', {'from_agent_id': previous, 'to_agent_id': to_agent}
        return 'notify_lead', {}

    async def _set_due_times(self, work: UnitOfWork, conversation: Conversation, _text: str) -> None:
        """Inbox hook (created, priority changed): the due times of the conversation's priority, from its creation."""
        policy = self.policies.get(conversation.priority, DEFAULT_POLICIES['normal'])
        conversation.first_response_due_at, conversation.sla_due_at = due_times(policy, conversation.created_at)
        await conversation.save(update_fields=['first_response_due_at', 'sla_due_at'])

    def on_committed(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            if outcome.event.kind == EventKind.REPLIED and outcome.event.conversation_id is not None:
                self.answered.add(outcome.event.conversation_id)

    def _alert(self, alert: LeadAlert) -> None:
        self._pending_alerts.append(alert)
        self._alert_broadcast.poke()

    def _send_alerts(self) -> None:
        alerts, self._pending_alerts = self._pending_alerts, []
        if alerts:
            self.alerts.emit(alerts)


def alert_text(alerts: Iterable[LeadAlert]) -> str:
    """One notification for a burst of alerts."""
    alerts = list(alerts)
    if len(alerts) == 1:
        return alerts[0].text
    ids = ', '.join(f'#{alert.conversation_id}' for alert in alerts[:10]) + (' …' if len(alerts) > 10 else '')
    return ngettext('{count} conversation is close to an SLA breach: {ids}',
                    '{count} conversations are close to an SLA breach: {ids}', len(alerts)).format(count=len(alerts),
                                                                                                  ids=ids)


def _view(row: SlaPolicy) -> SlaPolicyView:
    return SlaPolicyView(priority=row.priority, first_response_minutes=row.first_response_minutes,
                         resolution_minutes=row.resolution_minutes, escalate_at_percent=row.escalate_at_percent,
                         escalation=row.escalation)
