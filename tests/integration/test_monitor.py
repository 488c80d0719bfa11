"""The live monitor on a real database: an absent agent's unanswered chats and calls return to the queue after the
grace period (an event the monitor shows), the lead's actions are one event each with the lead as actor and refused
for an agent, a waiting caller's patience ends in an abandon, and today's figures follow the events."""
from datetime import timedelta

import pytest

from models import Conversation, Customer, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Channel
from services.helpdesk.presence import ON_BREAK
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator


async def empty_queue(services: Services) -> None:
    await Conversation.all().update(status='resolved')
    await services.inbox.load()


async def arrive(services: Services, channel: Channel) -> int:
    customer = await Customer.all().order_by('id').first()
    return await services.inbox.create_conversation(customer_id=customer.id, channel=channel, subject='Help',
                                                    body='Are you there?')


async def test_an_absent_agents_unanswered_chats_and_calls_return_after_the_grace_period(
        services: Services, clock: ManualClock, lead: AgentView, ana: AgentView) -> None:
    await empty_queue(services)
    await services.routing.set_release_grace(lead, 3)
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    chat, call, mail, answered = [await arrive(services, channel) for channel in
                                  (Channel.CHAT, Channel.PHONE, Channel.EMAIL, Channel.CHAT)]
    for conversation_id in (chat, call, mail, answered):
        await services.inbox.take(ana, conversation_id)
    await services.inbox.reply(ana, answered, 'Hello, looking into it.')
    await services.presence.choose(ana, ON_BREAK)
    clock.advance(timedelta(minutes=2))
    assert await services.routing.release_stranded() == 0  # still within the grace period
    clock.advance(timedelta(minutes=1, seconds=1))
    assert await services.routing.release_stranded() == 2
    rows = {c.id: c for c in await Conversation.filter(id__in=[chat, call, mail, answered])}
    assert (rows[chat].assignee_id, rows[chat].status) == (None, 'new')
    assert rows[call].assignee_id is None
    assert rows[mail].assignee_id == ana.id and rows[answered].assignee_id == ana.id  # e-mail and answered stay
    event = await StoredEvent.get(kind='released')
    assert event.agent_id is None
    assert event.data['by'] == 'grace' and event.data['status'] == ON_BREAK
    assert event.data['from_agent_id'] == ana.id and event.data['conversation_ids'] == [chat, call]
    await services.monitor.settle()
    services.monitor.poke()
    await services.monitor.settle()
    assert any('back in the queue' in happening.text and f'#{chat}' in happening.text
               for happening in services.monitor.view.happenings)
    assert await services.routing.release_stranded() == 0  # nothing left to release: no second event


async def test_the_lead_actions_are_one_event_each_and_refused_for_an_agent(
        services: Services, lead: AgentView, ana: AgentView, bruno: AgentView) -> None:
    await empty_queue(services)
    first, second = await arrive(services, Channel.CHAT), await arrive(services, Channel.EMAIL)
    await services.inbox.take(ana, first)
    await services.inbox.take(ana, second)
    for refused in (services.routing.release_agent(ana, ana.id), services.routing.reassign(ana, first, bruno.id),
                    services.routing.set_capacity(ana, ana.id, 9),
                    services.routing.move_agent(ana, ana.id, channel='chat'),
                    services.routing.set_release_grace(ana, 10)):
        with pytest.raises(ActionError, match='Only a lead can'):
            await refused
    assert not await StoredEvent.filter(kind__in=['released', 'transferred', 'workspace_configured']).exists()

    before = await StoredEvent.all().count()
    await services.routing.reassign(lead, first, bruno.id)
    assert await StoredEvent.all().count() == before + 1
    transferred = await StoredEvent.get(kind='transferred')
    assert transferred.agent_id == lead.id and transferred.data['to_agent_id'] == bruno.id

    await services.routing.set_capacity(lead, ana.id, 7)
    await services.routing.move_agent(lead, ana.id, channel='chat')
    configured = await StoredEvent.filter(kind='workspace_configured').order_by('id')
    assert [event.agent_id for event in configured] == [lead.id, lead.id]
    assert services.routing.of(ana.id).capacity == 7 and services.routing.of(ana.id).channels == {'chat'}
    with pytest.raises(ActionError, match='capacity must be'):
        await services.routing.set_capacity(lead, ana.id, 0)

    assert await services.routing.release_agent(lead, ana.id) == [second]
    released = await StoredEvent.get(kind='released')
    assert released.agent_id == lead.id and released.data['by'] == 'lead'
    assert (await Conversation.get(id=second)).assignee_id is None
    with pytest.raises(ActionError, match='no conversations in hand'):
        await services.routing.release_agent(lead, ana.id)
    with pytest.raises(ActionError, match='grace period must be'):
        await services.routing.set_release_grace(lead, -1)


async def test_a_caller_ringing_on_an_agent_who_does_not_answer_can_hang_up(services: Services,
                                                                           ana: AgentView) -> None:
    await empty_queue(services)
    call = await arrive(services, Channel.PHONE)
    await services.inbox.take(ana, call)
    await services.inbox.abandon(call)
    abandoned = await StoredEvent.get(kind='abandoned')
    assert abandoned.data['assignee_id'] == ana.id
    await services.monitor.settle()
    services.monitor.poke()
    await services.monitor.settle()
    phone = next(row for row in services.monitor.view.channels if row.channel == 'phone')
    assert phone.abandoned == 1 and phone.service_level == 0


async def test_todays_figures_are_loaded_back_from_the_log(services: Services, clock: ManualClock,
                                                           ana: AgentView) -> None:
    await empty_queue(services)
    chat = await arrive(services, Channel.CHAT)
    clock.advance(timedelta(seconds=30))
    await services.inbox.reply(ana, chat, 'Hi!')
    await services.inbox.resolve(ana, chat)
    await services.monitor.load()
    view = services.monitor.view
    row = next(row for row in view.channels if row.channel == 'chat')
    assert row.answered == 1 and row.service_level == 100
    assert next(agent for agent in view.agents if agent.agent_id == ana.id).handled == 1


async def test_routing_does_not_give_a_released_conversation_straight_back(
        services: Services, lead: AgentView, ana: AgentView, bruno: AgentView) -> None:
    await empty_queue(services)
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    await services.routing.set_mode(lead, mode='least_busy', model='shared')
    chat = await arrive(services, Channel.CHAT)
    await services.routing.settle()
    assert (await Conversation.get(id=chat)).assignee_id == ana.id
    await services.routing.release_agent(lead, ana.id)
    await services.routing.settle()
    assert (await Conversation.get(id=chat)).assignee_id is None  # ana is the only one available: it waits
    services.presence.tab_opened(bruno.id)
    await services.presence.settle()
    await services.routing.route_waiting()
    assert (await Conversation.get(id=chat)).assignee_id == bruno.id


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_in_the_simulator_a_caller_ringing_on_a_person_who_does_not_answer_hangs_up(
        services: Services, simulator: Simulator, clock: ManualClock, lead: AgentView, ana: AgentView) -> None:
    for person in services.directory.floor():  # ana alone takes calls, and she is at her desk but does not answer
        channel = 'phone' if person.id == ana.id else 'email'
        await services.routing.save_agent(lead, person.id, departments=[], channels=[channel],
                                          dedicated_channel=channel, capacity=50 if person.id == ana.id else 3)
    await services.routing.set_mode(lead, mode='least_busy', model='dedicated')
    services.presence.tab_opened(ana.id)  # the simulator leaves her work to her
    await services.presence.settle()
    await simulator.run_until(clock.now() + timedelta(hours=2))
    abandoned = await StoredEvent.filter(kind='abandoned').values_list('data', flat=True)
    assert any(data.get('assignee_id') == ana.id and data['channel'] == 'phone' for data in abandoned)
    # no caller rings on her for long: neither those the simulator brought nor the demo's seeded queue
    assert not await Conversation.filter(assignee_id=ana.id, channel='phone', status__in=('new', 'open'),
                                         created_at__lt=clock.now() - timedelta(hours=1)).exists()
