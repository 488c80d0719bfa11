"""The lead's workspace settings page through NiceGUI's simulated users: access, routing, departments, agents' skills,
rules with inline validation errors, SLA policies, and handlers that refuse someone who is no longer a lead."""

from nicegui.testing import User

from models import AutomationRule, StoredEvent
from services.helpdesk.sla import LeadAlert
from tests.ui.support import demote, log_in, notified, services, set_value, stays, until


def shown_text(user: User, marker: str) -> str:
    element, = user.find(marker=marker).elements
    return element.text if element.visible else ''


def department_id(name: str) -> int:
    return next(d.id for d in services().routing.departments.values() if d.name == name)


async def open_settings(user: User) -> None:
    await log_in(user, 'lead')
    user.find(marker='admin-link').click()
    await user.should_see('Workspace settings', retries=50)
    await user.should_see(marker='routing-card', retries=50)


async def test_an_agent_is_sent_back_to_the_inbox_and_has_no_link(user: User) -> None:
    await log_in(user, 'ana')
    await user.should_not_see(marker='admin-link')
    await user.open('/admin/workspace')
    await user.should_see(marker='agent-name', retries=50)
    await user.should_not_see(marker='routing-card')


async def test_lead_sets_routing_and_agents_skills(user: User) -> None:
    await open_settings(user)
    set_value(user, 'routing-mode', 'least_busy')
    set_value(user, 'routing-model', 'dedicated')
    user.find(marker='save-routing').click()
    await user.should_see('Routing: Least busy, dedicated model', retries=50)
    assert (services().routing.config.mode, services().routing.config.model) == ('least_busy', 'dedicated')

    ana = next(a for a in services().directory.floor() if a.username == 'ana')
    set_value(user, f'agent-channels-{ana.id}', ['email'])
    set_value(user, f'agent-dedicated-{ana.id}', 'chat')
    user.find(marker=f'save-agent-{ana.id}').click()
    await user.should_see('Ana Ozola has no chat skill, so that cannot be their dedicated channel.', retries=50)
    set_value(user, f'agent-dedicated-{ana.id}', 'email')
    set_value(user, f'agent-capacity-{ana.id}', 6)
    set_value(user, f'agent-departments-{ana.id}', [department_id('Billing')])
    user.find(marker=f'save-agent-{ana.id}').click()
    await user.should_see('Ana Ozola saved', retries=50)
    routing = services().routing.of(ana.id)
    assert (routing.channels, routing.dedicated_channel, routing.capacity, routing.departments) == \
        (frozenset({'email'}), 'email', 6, frozenset({department_id('Billing')}))


async def test_departments_are_added_renamed_and_refused_deletion_while_used(user: User) -> None:
    await open_settings(user)
    user.find(marker='new-department').type('Returns')
    user.find(marker='add-department').click()
    await user.should_see('Department added', retries=50)
    returns = department_id('Returns')
    rule_department, = user.find(marker='rule-value-set_department').elements
    agent_departments = user.find(marker=f'agent-departments-{services().directory.floor()[0].id}').elements.pop()
    assert rule_department.options[str(returns)] == 'Returns' and agent_departments.options[returns] == 'Returns'
    set_value(user, f'department-name-{returns}', 'Returns and exchanges')
    user.find(marker=f'rename-department-{returns}').click()
    await user.should_see('Renamed', retries=50)
    assert services().routing.departments[returns].name == 'Returns and exchanges'

    user.find(marker=f'delete-department-{department_id("Sales")}').click()
    await user.should_see('Sales is still used by 5 agents', retries=50)
    assert 'Sales is still used by 5 agents' in shown_text(user, 'department-error')  # inline, in the card
    user.find(marker=f'delete-department-{returns}').click()
    await user.should_see('Department deleted', retries=50)
    assert returns not in services().routing.departments


async def test_a_rule_with_an_invalid_condition_is_refused_inline_then_saved(user: User) -> None:
    await open_settings(user)
    rules_before = await AutomationRule.all().count()
    user.find(marker='rule-name').type('Priority for phone calls')
    user.find(marker='add-condition').click()
    set_value(user, 'condition-field-0', 'channel')
    user.find(marker='condition-values-0').type('phone, fax')
    set_value(user, 'rule-action', 'set_priority')
    set_value(user, 'rule-value-set_priority', 'high')
    user.find(marker='save-rule').click()
    await user.should_see('Condition 1: fax is not a channel; use one of email, chat, phone, social.', retries=50)
    assert 'fax is not a channel' in shown_text(user, 'rule-error')  # inline, under the form
    assert await AutomationRule.all().count() == rules_before

    user.find(marker='condition-values-0').clear()
    user.find(marker='condition-values-0').type('phone')
    user.find(marker='save-rule').click()
    await user.should_see('Rule created', retries=50)
    await user.should_see('A new conversation arrives if channel is one of phone → Set priority: high', retries=50)
    rule = await AutomationRule.get(name='Priority for phone calls')
    assert rule.conditions == [{'field': 'channel', 'operator': 'is', 'value': ['phone']}]

    user.find(marker=f'rule-enabled-{rule.id}').click()
    await user.should_see('Rule disabled', retries=50)
    assert not services().automation.rules[rule.id].spec.enabled
    user.find(marker=f'delete-rule-{rule.id}').click()
    await user.should_see('Rule deleted', retries=50)
    assert not await AutomationRule.filter(id=rule.id).exists()


async def test_a_time_rule_is_edited(user: User) -> None:
    await open_settings(user)
    follow_up = next(r for r in services().automation.rule_views() if r.spec.trigger == 'after_resolution')
    await user.should_see('1 day — time after resolution → Send a follow-up message', retries=50)
    user.find(marker=f'edit-rule-{follow_up.id}').click()
    await user.should_see('Edit rule', retries=50)
    set_value(user, 'rule-delay', 120)
    user.find(marker='save-rule').click()
    await user.should_see('Rule saved', retries=50)
    await user.should_see('2 h — time after resolution', retries=50)
    assert (await AutomationRule.get(id=follow_up.id)).delay_minutes == 120


async def test_sla_policy_errors_are_shown_beside_the_policy(user: User) -> None:
    await open_settings(user)
    set_value(user, 'sla-first-urgent', 90)
    user.find(marker='save-sla-urgent').click()
    await user.should_see('The first-response target cannot be longer than the resolution target.', retries=50)
    assert 'cannot be longer' in shown_text(user, 'sla-error-urgent')  # inline, beside the policy
    set_value(user, 'sla-first-urgent', 10)
    set_value(user, 'sla-escalation-urgent', 'notify_lead')
    user.find(marker='save-sla-urgent').click()
    await user.should_see('Urgent policy saved', retries=50)
    policy = services().sla.policies['urgent']
    assert (policy.first_response_minutes, policy.escalation) == (10, 'notify_lead')


REFUSED = 'Only a lead can change the workspace settings.'


async def test_handlers_refuse_someone_who_is_no_longer_a_lead(user: User) -> None:
    await open_settings(user)
    events_before = await StoredEvent.all().count()
    lead = demote('lead')  # while the page was open
    try:
        set_value(user, 'routing-mode', 'round_robin')
        user.find(marker='save-routing').click()
        await user.should_see(REFUSED, retries=50)
        user.find(marker=f'delete-rule-{services().automation.rule_views()[0].id}').click()
        # should_see would find the first refusal again: wait for the second one
        await until(lambda: notified(user, REFUSED) == 2, message='the deletion to be refused as well')
    finally:
        services().directory.agents[lead.id] = lead
    assert services().routing.config.mode == 'off'
    assert await StoredEvent.all().count() == events_before


ALERT = LeadAlert(conversation_id=7, priority='high', channel='chat', target='first_response')


async def test_a_lead_is_notified_of_escalations(user: User) -> None:
    await log_in(user, 'lead')
    services().sla.alerts.emit([ALERT])
    await user.should_see('#7 (high, chat) is close to breaching', retries=50)


async def test_an_agent_is_not_notified_of_escalations(user: User) -> None:
    # one user per test: the simulated users share one ui.notify, so two in a test could not tell whose tab it was
    await log_in(user, 'ana')
    await user.should_see(marker='agent-name', retries=50)
    services().sla.alerts.emit([ALERT])
    await stays(lambda: not user.notify.contains('#7 (high, chat) is close to breaching'),
                message='an agent is not told of an escalation')
