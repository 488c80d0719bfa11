"""Automation rules: action rules when a conversation arrives or the customer writes, and time rules.

A rule is a few structured conditions (field, operator, values; all must hold) and one action. Rules are validated
when saved (:func:`validate_rule` says what is wrong); at run time each rule acts in a savepoint of the change in
progress, so a rule that fails is logged, noted on the rule (``last_error``) and skipped without touching the inbox.
Every rule that acts records one ``rule_applied`` event (plus the inbox's own event for the change it made:
``priority_changed``, ``assigned``, ``resolved`` with data ``by: 'rule'``).

The actions are a registry (set department, priority or agent, add a tag, send a message, resolve). Time rules run on
the scheduler (services/platform/scheduler.py) against the injected clock.
"""
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tortoise.functions import Max

from models import AutomationRule, Conversation, Message, StoredEvent
from services.domain.automation import (
    ACTION_TRIGGERS,
    TIME_TRIGGERS,
    Facts,
    RuleAction,
    RuleContext,
    RuleError,
    RuleSpec,
    RuleView,
    agent_value,
    conditions_from,
    department_value,
    matches,
    message_value,
    no_value,
    priority_value,
    tag_value,
    validate_rule,
)
from services.domain.canned import placeholder_values, render
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import N_, _
from services.helpdesk.inbox import InboxService
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService, UnitOfWork

log = logging.getLogger(__name__)


class AutomationService:
    def __init__(self, *, clock: Clock, game: GameService, inbox: InboxService, directory: Directory,
                 departments: Callable[[], Mapping[int, str]]) -> None:
        self.clock = clock
        self.game = game
        self.inbox = inbox
        self.directory = directory
        self.departments = departments  # id -> name, from the routing service
        self.rules: dict[int, RuleView] = {}
        self.actions: dict[str, RuleAction] = {
            'set_department': RuleAction(label=N_('Send to department'), triggers=tuple(ACTION_TRIGGERS),
                                         check=department_value, run=self._set_department),
            'set_priority': RuleAction(label=N_('Set priority'), triggers=tuple(ACTION_TRIGGERS), check=priority_value,
                                       run=self._set_priority),
            'assign_agent': RuleAction(label=N_('Assign to agent'), triggers=tuple(ACTION_TRIGGERS), check=agent_value,
                                       run=self._assign_agent),
            'send_message': RuleAction(label=N_('Send a follow-up message'), triggers=('after_resolution',),
                                       check=message_value, run=self._send_message),
            'resolve': RuleAction(label=N_('Close (resolve) the conversation'), triggers=('pending_without_reply',),
                                  check=no_value, run=self._resolve),
            'add_tag': RuleAction(label=N_('Add tag'), triggers=tuple(ACTION_TRIGGERS), check=tag_value,
                                  run=self._add_tag),
        }
        inbox.on_created.append(lambda work, conversation, text: self._run_action_rules(
            'conversation_created', work, conversation, text))
        inbox.on_customer_message.append(lambda work, conversation, text: self._run_action_rules(
            'customer_message', work, conversation, text))

    async def load(self) -> None:
        self.rules = {}
        for row in await AutomationRule.all().order_by('id'):
            try:
                self.rules[row.id] = _rule_view(row)
            except RuleError as error:  # stored by another version: shown in the admin page, never run
                log.warning('rule %s cannot be read (%s); it is disabled', row.id, error)
                self.rules[row.id] = RuleView(id=row.id, spec=RuleSpec(name=row.name, trigger=row.trigger,
                                                                       action=row.action, enabled=False),
                                              last_error=error.phrase)  # worded for the lead who reads it

    def rule_views(self) -> list[RuleView]:
        return list(self.rules.values())

    def context(self) -> RuleContext:
        return RuleContext(departments=self.departments(),
                           agents={agent.id: agent.name for agent in self.directory.floor()})

    async def save_rule(self, actor: AgentView, spec: RuleSpec, *, rule_id: int | None = None) -> int:
        """Create a rule (``rule_id`` None) or change one; refused with a message when it is not valid."""
        _require_lead(actor)
        spec = validate_rule(spec, actions=self.actions, context=self.context())
        fields = {'name': spec.name, 'trigger': spec.trigger, 'action': spec.action, 'value': spec.value,
                  'conditions': [condition.as_json() for condition in spec.conditions],
                  'delay_minutes': spec.delay_minutes, 'enabled': spec.enabled, 'last_error': ''}
        async with self.game.unit_of_work() as work:
            if rule_id is None:
                # a new time rule acts on what happens from now on, not on the whole history
                row = await AutomationRule.create(created_at=self.clock.now(), **fields)
            else:
                row = await self._rule(rule_id)
                await row.update_from_dict(fields).save()
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id, data={
                'what': 'rule', 'action': 'created' if rule_id is None else 'changed', 'id': row.id,
                'name': spec.name, 'trigger': spec.trigger, 'rule_action': spec.action})
            view = RuleView(id=row.id, spec=spec)
            work.after_commit(lambda: self.rules.__setitem__(view.id, view))
        return row.id

    async def set_enabled(self, actor: AgentView, rule_id: int, enabled: bool) -> None:
        _require_lead(actor)
        async with self.game.unit_of_work() as work:
            row = await self._rule(rule_id)
            if enabled:  # a rule stored by another version, or no longer valid, is fixed before it runs again
                validate_rule(_rule_view(row).spec, actions=self.actions, context=self.context())
            row.enabled = enabled
            await row.save(update_fields=['enabled'])
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id, data={
                'what': 'rule', 'action': 'enabled' if enabled else 'disabled', 'id': rule_id, 'name': row.name})
            view = self.rules[rule_id]
            work.after_commit(lambda: self.rules.__setitem__(rule_id, replace(
                view, spec=replace(view.spec, enabled=enabled))))

    async def delete_rule(self, actor: AgentView, rule_id: int) -> None:
        _require_lead(actor)
        async with self.game.unit_of_work() as work:
            row = await self._rule(rule_id)
            await row.delete()
            await work.record(EventKind.WORKSPACE_CONFIGURED, agent_id=actor.id,
                              data={'what': 'rule', 'action': 'deleted', 'id': rule_id, 'name': row.name})
            work.after_commit(lambda: self.rules.pop(rule_id, None))

    async def _rule(self, rule_id: int) -> AutomationRule:
        row = await AutomationRule.get_or_none(id=rule_id)
        if row is None:
            raise ActionError(_('Rule #{number} does not exist.').format(number=rule_id))
        return row

    # --- running rules ---

    async def _run_action_rules(self, trigger: str, work: UnitOfWork, conversation: Conversation, text: str) -> None:
        """Inbox hook: the enabled rules of ``trigger`` whose conditions hold act, in the order they were made."""
        for rule in [rule for rule in self.rules.values() if rule.spec.enabled and rule.spec.trigger == trigger]:
            facts = Facts(text=f'{conversation.subject}\n{text}', channel=conversation.channel,
                          priority=conversation.priority, language=conversation.customer.language,
                          department_id=conversation.department_id)
            if matches(rule.spec.conditions, facts):
                await self._apply(rule, work, conversation)

    async def _apply(self, rule: RuleView, work: UnitOfWork, conversation: Conversation, *,
                     key: str | None = None) -> bool:
        """Apply one rule in a savepoint; a failure is logged, noted on the rule and skipped. Returns whether it
        acted."""
        before = _snapshot(conversation)
        try:
            async with work.savepoint():
                details = await self.actions[rule.spec.action].run(work, conversation, rule.spec.value)
                await work.record(EventKind.RULE_APPLIED, conversation_id=conversation.id, key=key, data={
                    'rule_id': rule.id, 'rule': rule.spec.name, 'trigger': rule.spec.trigger,
                    'action': rule.spec.action, **details})
            return True
        except Exception as error:  # a rule never stops the inbox
            for name, value in before.items():
                setattr(conversation, name, value)
            message = (str(error) if isinstance(error, ActionError) else f'{type(error).__name__}: {error}')[:300]
            log.warning('rule %s (%s) failed on #%s and was skipped: %s', rule.id, rule.spec.name, conversation.id,
                        message)
            await AutomationRule.filter(id=rule.id).update(last_error=message)
            work.after_commit(lambda: self._note_error(rule.id, message))
            return False

    def _note_error(self, rule_id: int, message: str) -> None:
        if (view := self.rules.get(rule_id)) is not None:
            self.rules[rule_id] = replace(view, last_error=message)

    async def run_time_rules(self) -> int:
        """Apply the time rules to what is due now (the scheduler calls this); return how many acted."""
        acted = 0
        for rule in [rule for rule in self.rules.values() if rule.spec.enabled and rule.spec.trigger in TIME_TRIGGERS]:
            try:
                acted += await self._run_time_rule(rule)
            except Exception:
                log.exception('time rule %s (%s) failed; skipped', rule.id, rule.spec.name)
        return acted

    async def _run_time_rule(self, rule: RuleView) -> int:
        now = self.clock.now()
        until = now - timedelta(minutes=rule.spec.delay_minutes)
        if rule.spec.trigger == 'after_resolution':
            row = await AutomationRule.get(id=rule.id)
            since = row.checked_until or row.created_at
            candidates = await Conversation.filter(status='resolved', resolved_at__gt=since, resolved_at__lte=until,
                                                   connection_id__isnull=True) \
                .order_by('resolved_at').prefetch_related('customer')
        else:
            pending = [item.id for item in self.inbox.items() if item.status == 'pending']
            last = dict(await Message.filter(conversation_id__in=pending).annotate(last=Max('created_at'))
                        .group_by('conversation_id').values_list('conversation_id', 'last')) if pending else {}
            quiet = [conversation_id for conversation_id, moment in last.items() if _aware(moment) <= until]
            candidates = await Conversation.filter(id__in=quiet, status='pending').order_by('id') \
                .prefetch_related('customer') if quiet else []
        if not candidates:
            return 0
        acted = 0
        async with self.game.batch() as work:
            for conversation in candidates:
                facts = Facts(text=conversation.subject, channel=conversation.channel, priority=conversation.priority,
                              language=conversation.customer.language, department_id=conversation.department_id)
                if not matches(rule.spec.conditions, facts):
                    continue
                key = None
                if rule.spec.trigger == 'after_resolution':  # once per rule and resolution, whatever happens
                    key = f'rule:{rule.id}:{conversation.id}:{conversation.resolved_at.isoformat()}'
                    if await _recorded(key):
                        continue
                if await self._apply(rule, work, conversation, key=key):
                    self.inbox.publish_after_commit(work, conversation)
                    acted += 1
            if rule.spec.trigger == 'after_resolution':
                await AutomationRule.filter(id=rule.id).update(checked_until=until)
        return acted

    # --- the actions ---

    async def _set_department(self, work: UnitOfWork, conversation: Conversation, value: str) -> dict:
        conversation.department_id = int(value)
        await conversation.save(update_fields=['department_id'])
        return {'department_id': int(value)}

    async def _set_priority(self, work: UnitOfWork, conversation: Conversation, value: str) -> dict:
        previous = conversation.priority
        await self.inbox.change_priority(work, conversation, value, agent_id=None, by='rule')
        return {'priority': value, 'previous': previous}

    async def _assign_agent(self, work: UnitOfWork, conversation: Conversation, value: str) -> dict:
        agent = self.directory.agent(int(value))
        if agent is None:
            raise ActionError(f'agent #{value} is no longer active')
        if conversation.assignee_id != agent.id:
            await self.inbox.assign_in(work, conversation, agent.id, by='rule')
        return {'to_agent_id': agent.id}

    async def _add_tag(self, work: UnitOfWork, conversation: Conversation, value: str) -> dict:
        await self.inbox.tag_in(work, conversation, value, agent_id=None, by='rule')
        return {'tag': value}

    async def _send_message(self, work: UnitOfWork, conversation: Conversation, value: str) -> dict:
        agent = self.directory.agent(conversation.assignee_id) if conversation.assignee_id else None
        body = render(value, placeholder_values(customer_name=conversation.customer.name, ticket_id=conversation.id,
                                                agent_name=agent.name if agent else 'The support team'))
        await Message.create(conversation=conversation, author_kind='agent', agent_id=conversation.assignee_id,
                             body=body, created_at=self.clock.now())
        return {'length': len(body)}

    async def _resolve(self, work: UnitOfWork, conversation: Conversation, _value: str) -> dict:
        await self.inbox.resolve_in(work, conversation, by='rule')
        return {}


def _require_lead(actor: AgentView) -> None:
    if not actor.is_lead:
        raise ActionError(_('Only a lead can change automation rules.'))


def _snapshot(conversation: Conversation) -> dict:
    names = ('priority', 'department_id', 'assignee_id', 'status', 'sla_due_at', 'first_response_due_at',
             'resolved_at', 'waiting_since', 'rating')
    return {name: getattr(conversation, name) for name in names}


def _rule_view(row: AutomationRule) -> RuleView:
    return RuleView(id=row.id, last_error=row.last_error, spec=RuleSpec(
        name=row.name, trigger=row.trigger, action=row.action, value=row.value,
        conditions=conditions_from(row.conditions), delay_minutes=row.delay_minutes, enabled=row.enabled))


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _recorded(key: str) -> bool:
    return await StoredEvent.filter(key=key).exists()
