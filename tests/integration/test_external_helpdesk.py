"""Teams working in another helpdesk and the connected conversations' read-only view (issue 14)."""
from datetime import timedelta

import pytest

from models import Conversation, StoredEvent, Team
from services.container import Services
from services.domain.connectors.setup import checked_base_url, ticket_url
from services.domain.errors import ActionError
from services.game.rebuild import differences, replay
from services.helpdesk.connections import NewConnection
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator
from tests.integration.test_connections import LIFE, chatwoot, post  # noqa: F401 - chatwoot is a fixture

ELSEWHERE = 'works in its own helpdesk'


async def test_a_lead_marks_a_team_as_working_elsewhere_and_its_agents_inbox_actions_are_refused(
        services: Services, lead: AgentView, ana: AgentView) -> None:
    assert ana.team_id is not None
    queued = next(item for item in services.inbox.items() if item.assignee_id is None)
    with pytest.raises(ActionError, match='Only a lead'):
        await services.connections.set_team_external(ana, ana.team_id, True)
    with pytest.raises(ActionError, match='does not exist'):
        await services.connections.set_team_external(lead, 99_999, True)
    await services.connections.set_team_external(lead, ana.team_id, True)
    event = await StoredEvent.get(kind='team_helpdesk_changed')
    assert (event.agent_id, event.data['team_id'], event.data['external'], event.data['by']) == \
        (lead.id, ana.team_id, True, lead.id)
    assert (await Team.get(id=ana.team_id)).external_helpdesk and services.directory.works_elsewhere(ana)
    with pytest.raises(ActionError, match='already works in another helpdesk'):
        await services.connections.set_team_external(lead, ana.team_id, True)
    events = await StoredEvent.all().count()
    for action in (services.inbox.take(ana, queued.id), services.inbox.reply(ana, queued.id, 'Hello'),
                   services.inbox.resolve(ana, queued.id), services.inbox.add_note(ana, queued.id, 'note'),
                   services.inbox.tag(ana, queued.id, 'vip'), services.inbox.set_priority(ana, queued.id, 'high')):
        with pytest.raises(ActionError, match=ELSEWHERE):
            await action
    assert await StoredEvent.all().count() == events  # nothing of it happened
    assert ana.id not in {routing.agent_id for routing in services.routing.available()}
    with pytest.raises(ActionError, match='transfer to someone else'):  # nobody hands them inbox work either
        await services.inbox.transfer(lead, queued.id, to_agent_id=ana.id)
    assert not services.directory.works_elsewhere(lead)  # a lead keeps the inbox
    # the lead takes the team back into DeskQuest's inbox: the agent works here again
    await services.connections.set_team_external(lead, ana.team_id, False)
    assert [team.external for team in await services.connections.team_helpdesks(lead)
            if team.team_id == ana.team_id] == [False]
    await services.inbox.take(ana, queued.id)
    assert services.inbox.open_items[queued.id].assignee_id == ana.id
    assert await differences(await replay()) == []  # the switches are events the replay passes over


async def test_the_simulator_leaves_the_inbox_of_a_team_working_elsewhere_alone(
        services: Services, simulator: Simulator, clock: ManualClock, lead: AgentView, ana: AgentView,
        caplog: pytest.LogCaptureFixture) -> None:
    await services.connections.set_team_external(lead, ana.team_id, True)
    changed = await StoredEvent.all().order_by('-id').first()
    await simulator.run_until(clock.now() + timedelta(hours=1))
    elsewhere = [agent.id for agent in services.directory.floor() if agent.team_id == ana.team_id]
    worked = await StoredEvent.filter(id__gt=changed.id, kind__in=['assigned', 'replied', 'resolved']) \
        .values_list('agent_id', flat=True)
    assert worked and not set(worked) & set(elsewhere)  # the others worked; the team elsewhere took nothing here
    assert ELSEWHERE not in caplog.text  # and was not even tried


async def test_the_directory_loads_the_teams_working_elsewhere(services: Services, lead: AgentView,
                                                               ana: AgentView) -> None:
    await services.connections.set_team_external(lead, ana.team_id, True)
    services.directory.external_teams.clear()
    await services.directory.load()  # as at start-up
    assert services.directory.works_elsewhere(ana)


async def test_a_connected_conversation_is_shown_as_its_helpdesk_knows_it(
        services: Services, chatwoot: NewConnection, lead: AgentView, ana: AgentView,  # noqa: F811
        clock: ManualClock) -> None:
    for name in LIFE:
        assert (await post(services, chatwoot, name, clock=clock))[0] == 200
    conversation = await Conversation.get(external_id='482')
    view = await services.connections.external_conversation(conversation.id)
    assert view is not None
    assert (view.helpdesk, view.connection_name, view.ticket, view.status) == ('Chatwoot', 'Support EU', '482',
                                                                              'resolved')
    facts = [fact.what for fact in view.facts]  # in the helpdesk's time order
    assert facts[:2] == ['Conversation created', 'The customer wrote'] and facts[-2:] == ['Resolved by Ana Ozola',
                                                                                         'Rated good']
    assert sorted(facts[2:-2]) == ['Assigned to Ana Ozola', 'Replied by Ana Ozola']
    assert [fact.at for fact in view.facts] == sorted(fact.at for fact in view.facts)
    assert view.url is None  # the connection does not know Chatwoot's address yet
    with pytest.raises(ActionError, match='lead'):
        await services.connections.set_base_url(ana, chatwoot.connection.id, 'https://app.chatwoot.com/app/accounts/1')
    with pytest.raises(ActionError, match='web address'):
        await services.connections.set_base_url(lead, chatwoot.connection.id, 'javascript:alert(1)')
    await services.connections.set_base_url(lead, chatwoot.connection.id, 'https://app.chatwoot.com/app/accounts/1/')
    view = await services.connections.external_conversation(conversation.id)
    assert view is not None and view.url == 'https://app.chatwoot.com/app/accounts/1/conversations/482'
    inbox_conversation = next(iter(services.inbox.items()))
    assert await services.connections.external_conversation(inbox_conversation.id) is None


def test_ticket_links_per_helpdesk() -> None:
    assert ticket_url('zendesk', 'https://acme.zendesk.com', '35436') == 'https://acme.zendesk.com/agent/tickets/35436'
    assert ticket_url('freshdesk', 'https://acme.freshdesk.com', '1207') == 'https://acme.freshdesk.com/a/tickets/1207'
    assert ticket_url('zendesk', '', '1') is None
    assert ticket_url('chatwoot', 'https://x.example/app/accounts/2', 'a/b') == \
        'https://x.example/app/accounts/2/conversations/a%2Fb'
    assert checked_base_url('zendesk', '  ') == ''
    for bad in ('acme.zendesk.com', 'https://acme.zendesk.com/?x=1', 'ftp://acme', 'https://a b.com', 'https://'):
        with pytest.raises(ActionError, match='web address'):
            checked_base_url('zendesk', bad)
    with pytest.raises(ActionError):
        checked_base_url('zendesk', 'https://acme.zendesk.com/\u202e')  # a bidi override, refused by the text check
