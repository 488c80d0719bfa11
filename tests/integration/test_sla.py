"""SLA policies on a real database and a manual clock: due times, and each escalation once, shortly before a breach."""
from datetime import UTC, datetime, timedelta

import pytest

from models import Conversation, Customer, StoredEvent
from services.container import Services, build
from services.domain.errors import ActionError
from services.domain.events import Channel
from services.domain.i18n import speaking
from services.helpdesk.sla import LeadAlert, SlaPolicyView, alert_text
from services.platform.clock import AcceleratedClock, ManualClock
from services.platform.directory import AgentView
from simulation.demo import start_demo
from tests.conftest import START, settings_for_test
from tests.integration.support import until


@pytest.fixture
async def services(services: Services) -> Services:
    """The demo floor with an empty queue: the demo's seeded conversations would escalate too."""
    await Conversation.all().update(status='resolved')
    await services.inbox.load()
    return services


async def arrive(services: Services, priority: str, channel: Channel = Channel.CHAT) -> int:
    customer = await Customer.all().order_by('id').first()
    return await services.inbox.create_conversation(customer_id=customer.id, channel=channel, subject='Help',
                                                    body='My order never arrived.', priority=priority)


async def escalations(conversation_id: int) -> list[tuple[str, str]]:
    return [(event.data['target'], event.data['action']) for event in
            await StoredEvent.filter(kind='escalated', conversation_id=conversation_id).order_by('id')]


async def test_due_times_follow_the_policy_of_the_priority(services: Services, clock: ManualClock) -> None:
    conversation_id = await arrive(services, 'high')  # the demo's policy: 30 minutes, 4 hours
    conversation = await Conversation.get(id=conversation_id)
    assert conversation.first_response_due_at == clock.now() + timedelta(minutes=30)
    assert conversation.sla_due_at == clock.now() + timedelta(hours=4)
    item = services.inbox.open_items[conversation_id]
    assert (item.first_response_due_at, item.sla_due_at) == (conversation.first_response_due_at,
                                                            conversation.sla_due_at)


async def test_notify_the_lead_before_each_target_once(services: Services, clock: ManualClock) -> None:
    alerts: list[list[LeadAlert]] = []
    services.sla.alerts.subscribe(alerts.append)
    conversation_id = await arrive(services, 'high')  # notify the lead at 80 %: after 24 minutes, then 192
    clock.advance(timedelta(minutes=23))
    assert await services.sla.check() == 0
    clock.advance(timedelta(minutes=1))
    assert await services.sla.check() == 1
    assert await services.sla.check() == 0
    await services.sla._alert_broadcast.settle()
    assert len(alerts) == 1 and alerts[0][0].conversation_id == conversation_id
    assert 'close to breaching its first response target (due 08:30)' in alerts[0][0].text
    clock.advance(timedelta(minutes=192 - 24))
    assert await services.sla.check() == 1
    clock.advance(timedelta(hours=5))
    assert await services.sla.check() == 0
    assert await escalations(conversation_id) == [('first_response', 'notify_lead'), ('resolution', 'notify_lead')]
    event = await StoredEvent.filter(kind='escalated', conversation_id=conversation_id).first()
    assert event.data['policy'] == 'high' and event.data['due_at'].startswith('2026-11-02T08:30')

    services.sla.escalated.clear()  # as after a restart: the event log still knows it was done
    assert await services.sla.check() == 0
    assert len(await escalations(conversation_id)) == 2


async def test_an_answered_conversation_is_not_escalated_for_its_first_response(services: Services,
                                                                                clock: ManualClock,
                                                                                ana: AgentView) -> None:
    conversation_id = await arrive(services, 'high')
    await services.inbox.reply(ana, conversation_id, 'Looking into it.')
    clock.advance(timedelta(minutes=29))
    assert await services.sla.check() == 0
    assert await escalations(conversation_id) == []


async def test_raise_priority_moves_the_conversation_up_and_its_due_times_with_it(services: Services,
                                                                                 clock: ManualClock) -> None:
    conversation_id = await arrive(services, 'normal')  # the demo raises normal ones after 80 % of 2 hours
    created_at = clock.now()
    clock.advance(timedelta(minutes=96))
    assert await services.sla.check() == 1
    conversation = await Conversation.get(id=conversation_id)
    assert conversation.priority == 'high'
    assert conversation.sla_due_at == created_at + timedelta(hours=4)  # the high policy, counted from creation
    assert services.inbox.open_items[conversation_id].priority == 'high'
    changed = await StoredEvent.get(kind='priority_changed', conversation_id=conversation_id)
    assert changed.data == {'priority': 'high', 'previous': 'normal', 'by': 'sla'} and changed.agent_id is None
    assert await escalations(conversation_id) == [('first_response', 'raise_priority')]


async def test_reassign_gives_the_conversation_to_another_available_agent(services: Services, clock: ManualClock,
                                                                          ana: AgentView, bruno: AgentView) -> None:
    conversation_id = await arrive(services, 'urgent')  # the demo reassigns urgent ones at 75 % of 15 minutes
    await services.inbox.take(ana, conversation_id)
    services.presence.tab_opened(ana.id)
    services.presence.tab_opened(bruno.id)
    clock.advance(timedelta(minutes=12))
    assert await services.sla.check() == 1
    assert (await Conversation.get(id=conversation_id)).assignee_id == bruno.id
    assert services.inbox.open_items[conversation_id].assignee_id == bruno.id
    event = await StoredEvent.get(kind='escalated', conversation_id=conversation_id)
    assert event.agent_id == ana.id and event.data['to_agent_id'] == bruno.id and event.data['action'] == 'reassign'
    assigned = await StoredEvent.filter(kind='assigned', conversation_id=conversation_id).order_by('-id').first()
    assert (assigned.agent_id, assigned.data['by']) == (bruno.id, 'sla')


async def test_reassign_without_anyone_available_notifies_the_lead(services: Services, clock: ManualClock,
                                                                   ana: AgentView) -> None:
    conversation_id = await arrive(services, 'urgent')
    await services.inbox.take(ana, conversation_id)
    clock.advance(timedelta(minutes=12))
    assert await services.sla.check() == 1
    assert (await Conversation.get(id=conversation_id)).assignee_id == ana.id
    event = await StoredEvent.get(kind='escalated', conversation_id=conversation_id)
    assert event.data['action'] == 'notify_lead' and event.data['reason'] == 'nobody else is available to take it'


async def test_leads_set_policies_agents_cannot(services: Services, clock: ManualClock, lead: AgentView,
                                               ana: AgentView) -> None:
    policy = SlaPolicyView(priority='low', first_response_minutes=60, resolution_minutes=120, escalate_at_percent=50,
                           escalation='notify_lead')
    with pytest.raises(ActionError, match='Only a lead can change SLA policies'):
        await services.sla.save_policy(ana, policy)
    with pytest.raises(ActionError, match='cannot be longer than the resolution target'):
        await services.sla.save_policy(lead, SlaPolicyView(priority='low', first_response_minutes=200,
                                                           resolution_minutes=120))
    await services.sla.save_policy(lead, policy)
    conversation_id = await arrive(services, 'low')
    assert (await Conversation.get(id=conversation_id)).sla_due_at == clock.now() + timedelta(hours=2)
    clock.advance(timedelta(minutes=30))
    assert await services.sla.check() == 1  # escalations for low ones were off in the demo; now at 50 %
    await services.sla.load()
    assert services.sla.policies['low'] == policy


def test_a_burst_of_alerts_is_one_notification() -> None:
    alerts = [LeadAlert(conversation_id=n, priority='low', channel='email', target='resolution') for n in (4, 5)]
    assert alert_text(alerts[:1]) == '#4 (low, email) is close to breaching its resolution target.'
    assert alert_text(alerts) == '2 conversations are close to an SLA breach: #4, #5'


async def test_an_agent_changes_the_priority_of_their_conversation_and_the_due_times_follow(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    conversation_id = await arrive(services, 'low')
    created_at = clock.now()
    await services.inbox.take(ana, conversation_id)
    clock.advance(timedelta(minutes=5))
    with pytest.raises(ActionError, match='assigned to Ana Ozola, not to you'):
        await services.inbox.set_priority(bruno, conversation_id, 'urgent')
    with pytest.raises(ActionError, match="Unknown priority 'asap'"):
        await services.inbox.set_priority(ana, conversation_id, 'asap')
    await services.inbox.set_priority(ana, conversation_id, 'high')
    conversation = await Conversation.get(id=conversation_id)
    assert (conversation.priority, conversation.first_response_due_at, conversation.sla_due_at) == \
        ('high', created_at + timedelta(minutes=30), created_at + timedelta(hours=4))
    assert services.inbox.open_items[conversation_id].sla_due_at == created_at + timedelta(hours=4)
    await services.inbox.set_priority(lead, conversation_id, 'normal')  # a lead may change anyone's
    events = await StoredEvent.filter(kind='priority_changed', conversation_id=conversation_id).order_by('id')
    assert [(e.agent_id, e.data['previous'], e.data['priority'], e.data['by']) for e in events] == [
        (ana.id, 'low', 'high', 'agent'), (lead.id, 'high', 'normal', 'agent')]


async def test_the_sweep_escalates_before_the_breach_on_an_accelerated_clock(db_url: str) -> None:
    accelerated = build(settings_for_test(db_url), clock=AcceleratedClock(start=START, speed=600))  # 10 simulated
    await start_demo(accelerated, quests=False)  # minutes a second
    accelerated.scheduler.start()  # the periodic checks on this clock
    try:
        lead = next(view for view in accelerated.directory.agents.values() if view.is_lead)
        await accelerated.sla.save_policy(lead, SlaPolicyView(priority='urgent', first_response_minutes=15,
                                                              resolution_minutes=60, escalate_at_percent=50,
                                                              escalation='reassign'))
        conversation_id = await arrive(accelerated, 'urgent')
        due = (await Conversation.get(id=conversation_id)).first_response_due_at
        await until(lambda: escalations(conversation_id), timeout=10, message='the sweep to escalate the conversation')
        # and past the breach, a few sweeps later (one every 0.2 s, 2 simulated minutes): still escalated only once
        await until(lambda: accelerated.clock.now() > due + timedelta(minutes=5), timeout=10,
                    message=lambda: f'the accelerated clock to pass {due}; it says {accelerated.clock.now()}')
        events = await StoredEvent.filter(kind='escalated', conversation_id=conversation_id).order_by('id')
        assert [event.data['target'] for event in events] == ['first_response']
        assert events[0].data['action'] == 'notify_lead'  # nobody is available to take it over
        assert due - timedelta(minutes=7.5) <= events[0].occurred_at < due  # before the breach, not before 50 %
    finally:
        await accelerated.stop()


def test_an_alert_is_worded_in_the_language_it_is_read_in() -> None:
    """Made by the sweep outside any tab, shown in each lead's tab: worded when read."""
    alert = LeadAlert(conversation_id=4, priority='urgent', channel='chat', target='first_response',
                      due=datetime(2026, 3, 2, 8, 30, tzinfo=UTC), reason='it is already urgent')
    assert alert.text == '#4 (urgent, chat) is close to breaching its first response target (due 08:30): it is ' \
        'already urgent.'
    with speaking('lv'):  # the words the catalog has already: the channel's (the sentence waits for its translation)
        assert alert.text.startswith('#4 (') and ', tērzēšana)' in alert.text
