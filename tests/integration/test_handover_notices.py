"""A conversation handed to an agent arrives with a notice (issue 15): a transfer names who sent it, routing, a rule
or an escalation what gave it; taking a conversation oneself, or a transfer to a department, tells no one."""
from services.container import Services
from services.platform.directory import AgentView
from tests.integration.support import until, waiting_ids
from tests.integration.test_game_store import listen


async def test_a_transferred_or_routed_conversation_arrives_with_a_notice(
        services: Services, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    first, second, third = (await waiting_ids())[:3]
    item = services.inbox.open_items[first]
    to_ana, to_bruno = listen(services, ana), listen(services, bruno)

    await services.inbox.take(bruno, first)
    await services.inbox.transfer(bruno, first, to_agent_id=ana.id, note='She knows this customer')
    expected = f'{bruno.name} transferred you #{first} ({item.channel.value}, {item.customer_name}: {item.subject}).'
    await until(lambda: [notice.text for notice in to_ana] == [expected],
                message=lambda: f'Ana to be told {expected!r}, not {[n.text for n in to_ana]}')

    await services.inbox.assign(second, ana.id, by='routing')
    await until(lambda: len(to_ana) == 2, message='Ana to be told routing gave her a conversation')
    assert to_ana[-1].text.startswith(f'Routing gave you #{second} (')

    department = next(iter(await services.inbox.departments()))
    await services.inbox.transfer(ana, second, to_department_id=department)  # a queue, not a person
    await services.inbox.take(ana, third)  # her own doing
    await services.inbox.assign((await waiting_ids())[0], bruno.id, by='api')  # told by the helpdesk that assigned it
    assert len(to_ana) == 2
    assert to_bruno == []
