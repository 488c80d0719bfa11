"""Teams working in another helpdesk, and connected conversations opened read-only, through NiceGUI's simulated users
(issue 14)."""
from nicegui.testing import User

from models import Agent, Conversation, StoredEvent, Team
from tests.ui.support import agent, log_in, services, set_value, until
from tests.ui.test_integrations_ui import deliver

LIFE = ['conversation_created', 'message_created_incoming', 'message_created_reply',
        'conversation_status_changed_resolved', 'message_updated_csat']


async def test_a_lead_switches_a_team_to_its_own_helpdesk(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/integrations')
    team_id = agent('ana').team_id
    await user.should_see(marker=f'team-external-{team_id}', retries=50)
    set_value(user, f'team-external-{team_id}', True)
    await user.should_see('now see the game without an inbox', retries=50)
    assert (await Team.get(id=team_id)).external_helpdesk
    event = await StoredEvent.get(kind='team_helpdesk_changed')
    assert (event.agent_id, event.data['external']) == (agent('lead').id, True)
    assert services().directory.works_elsewhere(agent('ana'))


async def test_an_agent_of_a_team_working_elsewhere_sees_the_game_without_an_inbox(user: User) -> None:
    ana = agent('ana')
    await services().connections.set_team_external(agent('lead'), ana.team_id, True)
    await log_in(user, 'ana')
    await user.should_see(marker='elsewhere-note', retries=50)
    await user.should_see(marker='progress-card')
    await user.should_see(marker='leaderboard')
    await user.should_see(marker='elsewhere-rewards')
    await user.should_not_see(marker='inbox')
    await user.should_not_see(marker='canned-link')
    queued = min(services().inbox.items(), key=lambda item: item.id)
    await user.open(f'/?conversation={queued.id}')  # a link to an inbox conversation: not theirs to work
    await user.should_see('which your team does not use', retries=50)
    await user.should_not_see(marker='reply')


async def test_a_receipts_link_to_a_connected_conversation_opens_it_read_only(user: User) -> None:
    lead, ana = agent('lead'), agent('ana')
    await Agent.filter(id=ana.id).update(email='ana.ozola@example.lv')  # the helpdesk's agent 14 is Ana
    new = await services().connections.create(lead, 'chatwoot', 'Support EU')
    token = new.connection.url_path.rsplit('/', 1)[1]
    for name in LIFE:
        status, message = await deliver(token, new.secret, name)
        assert status == 200, message
    await services().connections.set_base_url(lead, new.connection.id, 'https://chat.example.lv/app/accounts/1')
    conversation = await Conversation.get(external_id='482')
    await log_in(user, 'ana')
    await until(lambda: services().game.projection.agents[ana.id].points > 0, message='Ana to have scored')
    await user.open(f'/?conversation={conversation.id}')  # where a receipt's link on another page leads
    await user.should_see(marker='external-conversation', retries=50)
    await user.should_see('Chatwoot #482')
    await user.should_see('Resolved by Ana Ozola')
    await user.should_see('Rated good')
    link, = user.find(marker='external-link').elements
    assert link.props['href'] == 'https://chat.example.lv/app/accounts/1/conversations/482'
    await user.should_not_see(marker='reply')  # nothing to act on: it is worked in Chatwoot


async def test_the_link_in_a_receipt_opens_the_connected_conversation_read_only(user: User) -> None:
    lead, ana = agent('lead'), agent('ana')
    await Agent.filter(id=ana.id).update(email='ana.ozola@example.lv')
    new = await services().connections.create(lead, 'chatwoot', 'Support EU')
    token = new.connection.url_path.rsplit('/', 1)[1]
    for name in LIFE:
        assert (await deliver(token, new.secret, name))[0] == 200
    conversation = await Conversation.get(external_id='482')
    await log_in(user, 'ana')
    with user.scope(marker='progress-card'):
        await user.should_see('+10 fast resolution of Chatwoot #482', retries=50)
    user.find('+10 fast resolution of Chatwoot #482  ·  speed').click()
    await user.should_see(marker='receipt', retries=50)
    user.find(marker=f'receipt-conversation-{conversation.id}').click()
    await user.should_see(marker='external-conversation', retries=50)
    await user.should_see('Chatwoot #482')
    await user.should_see(marker='external-no-link')  # the connection does not know Chatwoot's address
    await user.should_not_see(marker='reply')


async def test_an_open_workspace_follows_the_switch(user: User) -> None:
    ana = agent('ana')
    await log_in(user, 'ana')
    await user.should_see(marker='inbox', retries=50)
    await services().connections.set_team_external(agent('lead'), ana.team_id, True)
    await user.should_see(marker='elsewhere-note', retries=100)
    await user.should_not_see(marker='inbox')
