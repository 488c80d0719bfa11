"""Routing on a real database: new conversations go to available agents by mode, model, department, skill and
capacity; what nobody fits waits and is routed once someone is available or has room."""
import pytest

from models import Conversation, Customer, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Channel
from services.platform.directory import AgentView
from tests.integration.support import agent

CHANNELS = [channel.value for channel in Channel]


async def empty_queue(services: Services) -> None:
    """Start from an empty queue (the demo seeds eight waiting conversations)."""
    await Conversation.all().update(status='resolved')
    await services.inbox.load()


async def arrive(services: Services, channel: Channel = Channel.EMAIL, body: str = 'My parcel is late.') -> int:
    customer = await Customer.all().order_by('id').first()
    conversation_id = await services.inbox.create_conversation(customer_id=customer.id, channel=channel,
                                                               subject='Help', body=body)
    await services.routing.settle()
    return conversation_id


async def assignee(conversation_id: int) -> int | None:
    return (await Conversation.get(id=conversation_id)).assignee_id


async def configure(services: Services, lead: AgentView, agent_view: AgentView, *, channels=CHANNELS,
                    capacity: int = 5, dedicated: str | None = None, departments=()) -> None:
    await services.routing.save_agent(lead, agent_view.id, departments=departments, channels=channels,
                                      capacity=capacity, dedicated_channel=dedicated)


async def test_routing_is_off_by_default_and_agents_take_from_the_queue(services: Services, ana: AgentView) -> None:
    services.presence.tab_opened(ana.id)
    assert services.routing.config.mode == 'off'
    conversation_id = await arrive(services)
    assert await services.routing.route_waiting() == 0
    assert await assignee(conversation_id) is None


async def test_least_busy_shared_routes_to_available_agents_within_capacity(services: Services, lead: AgentView,
                                                                            ana: AgentView, bruno: AgentView) -> None:
    await empty_queue(services)
    await configure(services, lead, ana, capacity=2)
    await configure(services, lead, bruno, capacity=1)
    services.presence.tab_opened(ana.id)
    services.presence.tab_opened(bruno.id)
    await services.routing.set_mode(lead, mode='least_busy', model='shared')
    first, second, third, fourth = [await arrive(services) for _ in range(4)]
    assert [await assignee(c) for c in (first, second, third)] == [ana.id, bruno.id, ana.id]
    assert await assignee(fourth) is None  # both are full: it waits in the queue
    assigned = await StoredEvent.filter(kind='assigned', conversation_id=first).first()
    assert assigned.agent_id == ana.id and assigned.data['by'] == 'routing'

    await services.inbox.reply(bruno, second, 'On it!')  # pending: the ball is in the customer's court
    await services.routing.settle()
    assert await assignee(fourth) == bruno.id


async def test_round_robin_takes_turns_whatever_the_load(services: Services, lead: AgentView, ana: AgentView,
                                                         bruno: AgentView) -> None:
    await empty_queue(services)
    kim = agent(services, 'kim')
    for view in (ana, bruno, kim):
        await configure(services, lead, view)
        services.presence.tab_opened(view.id)
    await services.routing.set_mode(lead, mode='round_robin', model='shared')
    routed = [await assignee(await arrive(services)) for _ in range(6)]
    assert routed == [ana.id, bruno.id, kim.id] * 2


async def test_dedicated_model_gives_each_agent_their_one_channel(services: Services, lead: AgentView,
                                                                 ana: AgentView, bruno: AgentView) -> None:
    await empty_queue(services)
    await configure(services, lead, ana, dedicated='email')
    await configure(services, lead, bruno, channels=['chat', 'phone'], dedicated='chat')
    services.presence.tab_opened(ana.id)
    services.presence.tab_opened(bruno.id)
    await services.routing.set_mode(lead, mode='least_busy', model='dedicated')
    assert await assignee(await arrive(services, Channel.CHAT)) == bruno.id
    assert await assignee(await arrive(services, Channel.EMAIL)) == ana.id
    phone = await arrive(services, Channel.PHONE)
    assert await assignee(phone) is None  # bruno has the phone skill, but serves chat only in this model

    await services.routing.set_mode(lead, mode='least_busy', model='shared')
    await services.routing.settle()
    assert await assignee(phone) == bruno.id


async def test_skills_and_departments_limit_who_gets_what(services: Services, lead: AgentView, ana: AgentView,
                                                         bruno: AgentView) -> None:
    await empty_queue(services)
    sales = next(d.id for d in services.routing.departments.values() if d.name == 'Sales')
    await configure(services, lead, ana, channels=['email'], departments=[sales])
    await configure(services, lead, bruno, channels=['email', 'social'])
    services.presence.tab_opened(ana.id)
    services.presence.tab_opened(bruno.id)
    await services.routing.set_mode(lead, mode='round_robin', model='shared')
    # the demo's rule sends these words to Sales, whose only available member is Ana
    upgrade = [await arrive(services, body='I want to upgrade my subscription.') for _ in range(2)]
    assert (await Conversation.get(id=upgrade[0])).department_id == sales
    assert [await assignee(c) for c in upgrade] == [ana.id, ana.id]
    assert await assignee(await arrive(services, Channel.SOCIAL)) == bruno.id
    assert await assignee(await arrive(services, Channel.CHAT)) is None  # nobody has the chat skill


async def test_nobody_available_waits_until_someone_comes_online(services: Services, lead: AgentView,
                                                                 ana: AgentView) -> None:
    await empty_queue(services)
    await services.routing.set_mode(lead, mode='least_busy', model='shared')
    conversation_id = await arrive(services)
    assert await assignee(conversation_id) is None
    services.presence.tab_opened(ana.id)
    assert await services.routing.route_waiting() == 1  # the periodic sweep notices the change of presence
    assert await assignee(conversation_id) == ana.id


async def test_only_a_lead_configures_routing_and_wrong_values_are_refused(services: Services, lead: AgentView,
                                                                          ana: AgentView) -> None:
    with pytest.raises(ActionError, match='Only a lead can change the routing'):
        await services.routing.set_mode(ana, mode='least_busy', model='shared')
    with pytest.raises(ActionError, match="Only a lead can change agents' skills"):
        await configure(services, ana, ana)
    with pytest.raises(ActionError, match='Only a lead can create departments'):
        await services.routing.create_department(ana, 'Returns')
    with pytest.raises(ActionError, match='Unknown routing mode'):
        await services.routing.set_mode(lead, mode='random', model='shared')
    with pytest.raises(ActionError, match='capacity must be a whole number from 1 to 50'):
        await configure(services, lead, ana, capacity=0)
    with pytest.raises(ActionError, match='has no phone skill'):
        await configure(services, lead, ana, channels=['email'], dedicated='phone')
    assert services.routing.config.mode == 'off'


async def test_departments_are_created_renamed_and_deleted_only_when_unused(services: Services, lead: AgentView,
                                                                           ana: AgentView) -> None:
    returns = await services.routing.create_department(lead, '  Returns ')
    with pytest.raises(ActionError, match='There is already a department called Returns'):
        await services.routing.create_department(lead, 'Returns')
    await services.routing.rename_department(lead, returns, 'Returns and exchanges')
    assert services.routing.departments[returns].name == 'Returns and exchanges'
    await configure(services, lead, ana, departments=[returns])
    with pytest.raises(ActionError, match='Returns and exchanges is still used by 1 agent: move or change'):
        await services.routing.delete_department(lead, returns)
    await configure(services, lead, ana, departments=[])
    await services.routing.delete_department(lead, returns)
    assert returns not in services.routing.departments

    sales = next(d.id for d in services.routing.departments.values() if d.name == 'Sales')
    # (Ana left Sales above)
    with pytest.raises(ActionError, match=r'Sales is still used by 4 agents, 2 open conversations, the rule "Sales'):
        await services.routing.delete_department(lead, sales)
    configured = await StoredEvent.filter(kind='workspace_configured', agent_id=lead.id).count()
    assert configured == 5  # created, renamed, Ana's departments twice, deleted; nothing for the refusals
