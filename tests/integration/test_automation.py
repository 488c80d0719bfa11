"""Automation rules on a real database: action rules on arrival and customer messages, time rules on a manual clock,
validation on save, and a failing rule that is logged and skipped without stopping the inbox."""
import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from models import AutomationRule, Conversation, Customer, Message, StoredEvent
from services.container import Services
from services.domain.automation import Condition, RuleError, RuleSpec
from services.domain.errors import ActionError
from services.domain.events import Channel
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import written


async def arrive(services: Services, body: str, channel: Channel = Channel.EMAIL, subject: str = 'Question') -> int:
    customer = await Customer.get(name='Marie Laurent')  # French
    return await services.inbox.create_conversation(customer_id=customer.id, channel=channel, subject=subject,
                                                    body=body)


def department(services: Services, name: str) -> int:
    return next(d.id for d in services.routing.departments.values() if d.name == name)


async def rule_events(conversation_id: int) -> list[tuple[str, str]]:
    return [(event.data['rule'], event.data['action']) for event in
            await StoredEvent.filter(kind='rule_applied', conversation_id=conversation_id).order_by('id')]


async def test_keywords_send_a_new_conversation_to_sales(services: Services) -> None:
    sales = department(services, 'Sales')
    upgrade = await arrive(services, 'Hello, can I pay the upgrade by card?')
    refund = await arrive(services, 'Where is my refund?')
    assert (await Conversation.get(id=upgrade)).department_id == sales
    assert (await Conversation.get(id=refund)).department_id is None
    assert services.inbox.open_items[upgrade].department_id == sales  # the queue shows it once committed
    assert await rule_events(upgrade) == [('Sales keywords go to Sales', 'set_department')]
    assert await rule_events(refund) == []
    event = await StoredEvent.get(kind='rule_applied', conversation_id=upgrade)
    assert event.agent_id is None and event.data['department_id'] == sales and event.data['trigger'] == \
        'conversation_created'


async def test_customer_message_rule_raises_priority_and_the_sla_follows(services: Services, lead: AgentView) -> None:
    await services.automation.save_rule(lead, RuleSpec(
        name='Angry customers are urgent', trigger='customer_message', action='set_priority', value='urgent',
        conditions=(Condition(field='text', operator='contains_any', values=('unacceptable', 'furious')),
                    Condition(field='language', operator='is', values=('fr',)))))
    conversation_id = await arrive(services, 'My parcel is late.')
    await services.inbox.customer_message(conversation_id, 'Still nothing. This is unacceptable!')
    conversation = await Conversation.get(id=conversation_id)
    assert conversation.priority == 'urgent'
    policy = services.sla.policies['urgent']
    assert conversation.sla_due_at == conversation.created_at + timedelta(minutes=policy.resolution_minutes)
    assert conversation.first_response_due_at == conversation.created_at + timedelta(
        minutes=policy.first_response_minutes)
    changed = await StoredEvent.get(kind='priority_changed', conversation_id=conversation_id)
    assert changed.data == {'priority': 'urgent', 'previous': 'normal', 'by': 'rule'}
    assert await rule_events(conversation_id) == [('Angry customers are urgent', 'set_priority')]


async def test_assign_rule_gives_phone_calls_to_an_agent(services: Services, lead: AgentView, ana: AgentView) -> None:
    await services.automation.save_rule(lead, RuleSpec(
        name='Calls to Ana', trigger='conversation_created', action='assign_agent', value=str(ana.id),
        conditions=(Condition(field='channel', operator='is', values=('phone',)),)))
    call = await arrive(services, 'Please call me back.', Channel.PHONE)
    mail = await arrive(services, 'Please write back.', Channel.EMAIL)
    assert ((await Conversation.get(id=call)).assignee_id, (await Conversation.get(id=mail)).assignee_id) == \
        (ana.id, None)
    assigned = await StoredEvent.get(kind='assigned', conversation_id=call)
    assert assigned.agent_id == ana.id and assigned.data['by'] == 'rule'


async def test_an_invalid_rule_is_refused_with_what_is_wrong_and_nothing_is_written(services: Services,
                                                                                    lead: AgentView) -> None:
    before = await written()
    rules = await AutomationRule.all().count()
    with pytest.raises(RuleError, match='Condition 1: fax is not a channel'):
        await services.automation.save_rule(lead, RuleSpec(
            name='Faxes', trigger='conversation_created', action='set_priority', value='low',
            conditions=(Condition(field='channel', operator='is', values=('fax',)),)))
    with pytest.raises(RuleError, match='Pick a priority'):
        await services.automation.save_rule(lead, RuleSpec(name='x', trigger='conversation_created',
                                                           action='set_priority', value='soon'))
    assert await written() == before and await AutomationRule.all().count() == rules


async def test_agents_cannot_change_rules(services: Services, ana: AgentView) -> None:
    rule = services.automation.rule_views()[0]
    for attempt in (services.automation.save_rule(ana, rule.spec, rule_id=rule.id),
                    services.automation.set_enabled(ana, rule.id, False),
                    services.automation.delete_rule(ana, rule.id)):
        with pytest.raises(ActionError, match='Only a lead can change automation rules'):
            await attempt
    assert services.automation.rules[rule.id].spec.enabled


async def test_disabled_and_deleted_rules_do_not_act(services: Services, lead: AgentView) -> None:
    sales_rule = next(rule for rule in services.automation.rule_views() if rule.spec.name.startswith('Sales'))
    await services.automation.set_enabled(lead, sales_rule.id, False)
    assert (await Conversation.get(id=await arrive(services, 'upgrade please'))).department_id is None
    await services.automation.set_enabled(lead, sales_rule.id, True)
    assert (await Conversation.get(id=await arrive(services, 'upgrade please'))).department_id is not None
    await services.automation.delete_rule(lead, sales_rule.id)
    assert (await Conversation.get(id=await arrive(services, 'upgrade please'))).department_id is None
    assert not await AutomationRule.filter(id=sales_rule.id).exists()


async def test_a_failing_rule_is_logged_and_skipped_and_the_others_still_act(
        services: Services, lead: AgentView, ana: AgentView, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    rule_id = await services.automation.save_rule(lead, RuleSpec(
        name='Upgrades to Ana', trigger='conversation_created', action='assign_agent', value=str(ana.id),
        conditions=(Condition(field='text', operator='contains_any', values=('upgrade',)),)))
    services.directory.agents.pop(ana.id)  # Ana left after the rule was saved: the rule fails when it runs
    with caplog.at_level(logging.WARNING, logger='services.helpdesk.automation'):
        conversation_id = await arrive(services, 'I want to upgrade.')
    conversation = await Conversation.get(id=conversation_id)
    assert conversation.assignee_id is None and conversation.department_id == department(services, 'Sales')
    assert await rule_events(conversation_id) == [('Sales keywords go to Sales', 'set_department')]
    assert 'Upgrades to Ana' in caplog.text and 'skipped' in caplog.text
    assert services.automation.rules[rule_id].last_error == f'agent #{ana.id} is no longer active'
    assert (await AutomationRule.get(id=rule_id)).last_error == f'agent #{ana.id} is no longer active'

    async def crash(work, conversation, value) -> dict:
        conversation.department_id = int(value)
        await conversation.save()
        raise RuntimeError('disk on fire')
    sales_rule = next(rule for rule in services.automation.rule_views() if rule.spec.name.startswith('Sales'))
    monkeypatch.setitem(services.automation.actions, 'set_department',
                        replace(services.automation.actions['set_department'], run=crash))
    conversation_id = await arrive(services, 'upgrade, again')
    conversation = await Conversation.get(id=conversation_id)
    assert conversation.department_id is None  # the rule's half-done change was rolled back with it
    assert services.inbox.open_items[conversation_id].department_id is None
    assert await rule_events(conversation_id) == []
    assert services.automation.rules[sales_rule.id].last_error == 'RuntimeError: disk on fire'
    assert await Message.filter(conversation_id=conversation_id).count() == 1  # the customer's message arrived


async def test_follow_up_is_sent_a_day_after_resolution_once(services: Services, clock: ManualClock,
                                                            ana: AgentView) -> None:
    conversation_id = await arrive(services, 'Where is my parcel?')
    await services.inbox.reply(ana, conversation_id, 'It arrives tomorrow.')
    await services.inbox.resolve(ana, conversation_id)
    clock.advance(timedelta(hours=23, minutes=59))
    assert await services.automation.run_time_rules() == 0
    clock.advance(timedelta(minutes=2))
    assert await services.automation.run_time_rules() == 1
    follow_up = await Message.filter(conversation_id=conversation_id).order_by('-id').first()
    assert follow_up.author_kind == 'agent' and follow_up.agent_id == ana.id
    assert follow_up.body.startswith(f'Hi Marie, we resolved #{conversation_id} yesterday.')
    assert follow_up.body.endswith('– Ana')
    assert await rule_events(conversation_id) == [('Follow up a day after resolution', 'send_message')]
    clock.advance(timedelta(hours=5))
    assert await services.automation.run_time_rules() == 0  # once per resolution
    assert (await Conversation.get(id=conversation_id)).status == 'resolved'


async def test_pending_conversations_are_closed_after_days_without_a_reply(services: Services, clock: ManualClock,
                                                                          ana: AgentView) -> None:
    quiet = await arrive(services, 'Does the blue one come in large?')
    answered = await arrive(services, 'And the red one?')
    for conversation_id in (quiet, answered):
        await services.inbox.reply(ana, conversation_id, 'Yes it does. Anything else?')
    clock.advance(timedelta(days=2))
    await services.inbox.customer_message(answered, 'Thanks, and in medium?')
    await services.inbox.reply(ana, answered, 'Also.')
    clock.advance(timedelta(days=1, minutes=1))
    assert await services.automation.run_time_rules() == 1
    assert (await Conversation.get(id=quiet)).status == 'resolved'
    assert (await Conversation.get(id=answered)).status == 'pending'
    assert quiet not in services.inbox.open_items
    resolved = await StoredEvent.get(kind='resolved', conversation_id=quiet)
    assert resolved.agent_id == ana.id and resolved.data['by'] == 'rule'
    assert await rule_events(quiet) == [('Close pending conversations after 3 days without a reply', 'resolve')]


async def test_a_tag_rule_tags_in_the_same_change_and_shows_in_the_queue(services: Services,
                                                                         lead: AgentView) -> None:
    await services.automation.save_rule(lead, RuleSpec(
        name='Refunds', trigger='conversation_created', action='add_tag', value=' #Refund Request ',
        conditions=(Condition(field='text', operator='contains_any', values=('refund',)),)))
    refund = await arrive(services, 'I want a refund for my order.')
    other = await arrive(services, 'How do I reset my password?')
    tagged = await StoredEvent.get(kind='tagged', conversation_id=refund)
    assert tagged.agent_id is None and tagged.data == {'tag': 'refund-request', 'by': 'rule'}
    assert await rule_events(refund) == [('Refunds', 'add_tag')] and await rule_events(other) == []
    await services.inbox.broadcast.settle()
    assert services.inbox.open_items[refund].tags == ('refund-request',)
    assert services.inbox.open_items[other].tags == ()
    with pytest.raises(RuleError, match='may only hold letters'):
        await services.automation.save_rule(lead, RuleSpec(name='Bad tag', trigger='conversation_created',
                                                           action='add_tag', value='a/b'))


async def test_a_rule_that_is_no_longer_valid_cannot_be_enabled_until_fixed(services: Services,
                                                                            lead: AgentView) -> None:
    rule = next(rule for rule in services.automation.rule_views() if rule.spec.name.startswith('Sales'))
    await services.automation.set_enabled(lead, rule.id, False)
    await AutomationRule.filter(id=rule.id).update(conditions=[{'field': 'mood', 'operator': 'is', 'value': ['x']}])
    await services.automation.load()  # as after a restart
    assert not services.automation.rules[rule.id].spec.enabled
    with pytest.raises(RuleError, match="'mood' is not a field"):
        await services.automation.set_enabled(lead, rule.id, True)
    assert not (await AutomationRule.get(id=rule.id)).enabled
