"""The workspace's CRM card, canned replies, team chat, presence and ratings through NiceGUI's simulated users."""
from collections.abc import Callable

from nicegui import ui
from nicegui.testing import User

from models import CannedReply, StoredEvent
from services.domain.canned import CannedReplyDraft
from services.domain.events import Rating
from tests.ui.support import agent, log_in, open_first_conversation, services, until


async def test_crm_edit_is_saved_and_shown_live_to_another_agent(create_user: Callable[[], User]) -> None:
    ana, bruno = create_user(), create_user()
    conversation = await open_first_conversation(ana, 'ana')
    await open_first_conversation(bruno, 'bruno')
    for user in (ana, bruno):
        await user.should_see(marker='crm-card', retries=50)
        await user.should_see('Atelier Moreau SARL', retries=50)  # the seeded company of Marie Laurent
        await user.should_see('Refund for order', retries=50)
    ana.find(marker='crm-company').clear().type('Librairie du Parc')
    ana.find(marker='crm-phone').clear().type('call me maybe')
    ana.find(marker='crm-save').click()
    await ana.should_see('"call me maybe" is not a phone number', retries=50)
    assert not await StoredEvent.filter(kind='customer_updated').exists()
    ana.find(marker='crm-phone').clear().type('+33 1 70 18 00 00')
    ana.find(marker='crm-save').click()
    await ana.should_see('Saved: phone, company', retries=50)
    await bruno.should_see('Librairie du Parc', retries=50)  # no reload on Bruno's side
    await bruno.should_see('+33 1 70 18 00 00', retries=50)
    event = await StoredEvent.get(kind='customer_updated')
    assert event.agent_id == agent('ana').id and event.data['fields'] == ['phone', 'company']
    assert conversation.customer_id == event.data['customer_id']


async def test_canned_picker_fills_the_reply_box_and_the_send_is_counted(user: User) -> None:
    conversation = await open_first_conversation(user, 'ana')
    user.find(marker='canned-picker').click()
    user.find(marker='pick-refund').click()
    first_name = conversation.customer_name.split()[0]
    await user.should_see(f'Hi {first_name}, I have started your refund for #{conversation.id}', retries=50)
    user.find(marker='reply').type(' Sorry for the wait!')  # the picked reply stays editable
    await user.should_see(marker=f'crm-past-{conversation.id}', content='· new', retries=50)
    user.find(marker='send').click()
    await user.should_see('Reply sent', retries=50)
    await user.should_see(marker=f'crm-past-{conversation.id}', content='· pending', retries=50)  # the card follows
    assert (await CannedReply.get(shortcut='refund')).usage_count == 1
    replied = await StoredEvent.get(kind='replied')
    assert replied.data['canned'] == 'refund' and replied.data['length'] > 100


async def test_agent_keeps_personal_replies_and_cannot_edit_shared_ones(user: User) -> None:
    await log_in(user, 'ana')
    user.find(marker='canned-link').click()
    await user.should_see('Shared (6)', retries=50)
    hello = await CannedReply.get(shortcut='hello')
    await user.should_see(marker=f'canned-row-{hello.id}')
    await user.should_not_see(marker=f'edit-{hello.id}')
    await user.should_not_see(marker=f'delete-{hello.id}')
    user.find(marker='new-canned').click()
    user.find(marker='canned-title').type('My greeting')
    user.find(marker='canned-shortcut').type('hello')
    user.find(marker='canned-body').type('Hey {customer_first_name}, your {order} is here')
    user.find(marker='canned-save').click()
    await user.should_see('Unknown placeholder {order}', retries=50)
    user.find(marker='canned-body').clear().type('Hey {customer_first_name}, {agent_first_name} here!')
    user.find(marker='canned-save').click()
    await user.should_see('Saved /hello', retries=50)
    await user.should_see('Mine (1)', retries=50)
    mine = await CannedReply.get(owner_id=agent('ana').id)
    assert (mine.shortcut, mine.title) == ('hello', 'My greeting')
    user.find(marker=f'delete-{mine.id}').click()
    user.find(marker='canned-confirm-delete').click()
    await user.should_see('Deleted /hello', retries=50)
    await user.should_see('Mine (0)', retries=50)
    assert not await CannedReply.exists(id=mine.id)
    await services().canned_replies.save(agent('ana'), CannedReplyDraft(
        title='My greeting', shortcut='hello', body='Hey {customer_first_name}, {agent_first_name} here!'))
    # the personal /hello wins over the shared one for Ana
    conversation_id = min(item.id for item in services().inbox.items())
    assert await services().inbox.reply(agent('ana'), conversation_id, '/hello') == 'Hey Marie, Ana here!'


async def test_lead_edits_a_shared_reply(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/canned')
    hello = await CannedReply.get(shortcut='hello')
    user.find(marker=f'edit-{hello.id}').click()
    user.find(marker='canned-title').clear().type('Warm greeting')
    user.find(marker='canned-save').click()
    await user.should_see('Saved /hello', retries=50)
    await user.should_see('/hello · Warm greeting', retries=50)
    assert (await CannedReply.get(id=hello.id)).title == 'Warm greeting'


async def test_team_chat_is_live_and_ticket_references_open_the_conversation(create_user: Callable[[], User]) -> None:
    ana, bruno = create_user(), create_user()
    await log_in(ana, 'ana')
    await log_in(bruno, 'bruno')
    conversation_id = max(item.id for item in services().inbox.items())
    ana.find(marker='chat-toggle').click()
    await ana.should_see('Team room: everyone', retries=50)
    ana.find(marker='chat-input').type(f'Can someone look at #{conversation_id}? <script>alert(1)</script>')
    ana.find(marker='chat-send').click()
    await ana.should_see(marker=f'chat-link-{conversation_id}', retries=50)
    await bruno.should_see(marker='chat-unread', content='1', retries=50)  # Bruno's drawer is closed: a badge counts it
    bruno.find(marker='chat-toggle').click()
    await bruno.should_see('<script>alert(1)</script>', retries=50)  # shown as text, never as HTML
    bruno.find(marker=f'chat-link-{conversation_id}').click()
    await bruno.should_see(marker='conversation-title', content=f'#{conversation_id} ', retries=50)
    bruno.find(marker=f'chat-with-{agent("ana").id}').click()
    await bruno.should_see('Direct messages with Ana Ozola', retries=50)
    bruno.find(marker='chat-input').type('Got it, taking it now')
    bruno.find(marker='chat-send').click()
    with ana.scope(marker=f'chat-with-{agent("bruno").id}'):
        await ana.should_see(kind=ui.badge, content='1', retries=50)  # unread direct message from Bruno
    event = await StoredEvent.filter(kind='chat_message').order_by('id').first()
    assert event is not None and event.data['references'] == [conversation_id]


async def test_status_menu_changes_presence_and_colleagues_see_it(create_user: Callable[[], User]) -> None:
    ana, bruno = create_user(), create_user()
    await log_in(ana, 'ana')
    await log_in(bruno, 'bruno')
    ana_id = agent('ana').id
    bruno.find(marker='chat-toggle').click()
    await bruno.should_see(marker=f'presence-{ana_id}', retries=50)
    await services().presence.settle()  # her tab's "online" is recorded before she picks a break
    assert services().presence.is_available(ana_id)
    ana.find(marker='presence-on_break').click()
    await ana.should_see(marker='presence-status', content='On a break', retries=50)
    assert not services().presence.is_available(ana_id)

    def dot_on_brunos_screen() -> str:
        return bruno.find(marker=f'presence-{ana_id}').elements.pop().props.get('color', '')
    await until(lambda: 'deep-orange-5' in dot_on_brunos_screen(),
                message=lambda: f"Ana's dot to turn to 'on a break' on Bruno's screen, not {dot_on_brunos_screen()}")
    statuses = await StoredEvent.filter(kind='presence_changed', agent_id=ana_id).values_list('data', flat=True)
    assert [data['status'] for data in statuses] == ['online', 'on_break']


async def test_my_ratings_show_counts_comments_and_link_to_the_conversation(user: User) -> None:
    ana = agent('ana')
    conversation_id = min(item.id for item in services().inbox.items())
    await services().inbox.reply(ana, conversation_id, 'Fixed.')
    await services().inbox.resolve(ana, conversation_id)
    await services().inbox.rate(conversation_id, Rating.GOOD, comment='Rapide et aimable, merci !')
    await log_in(user, 'ana')
    user.find(marker='my-ratings-button').click()
    await user.should_see('“Rapide et aimable, merci !”', retries=50)
    await user.should_see(marker='count-good', content='1 good', retries=50)
    user.find(marker=f'rated-link-{conversation_id}').click()
    await user.should_see(marker='conversation-title', content=f'#{conversation_id} ', retries=50)


async def test_a_colleagues_save_does_not_overwrite_edits_in_progress(create_user: Callable[[], User]) -> None:
    ana, bruno = create_user(), create_user()
    await open_first_conversation(ana, 'ana')
    await open_first_conversation(bruno, 'bruno')
    await bruno.should_see(marker='crm-card', retries=50)
    bruno.find(marker='crm-notes').type('Bruno is typing this')
    ana.find(marker='crm-social-handle').clear().type('@marie_l')
    ana.find(marker='crm-save').click()
    await ana.should_see('Saved: social handle', retries=50)
    await bruno.should_see('Someone else changed this customer.', retries=50)
    await bruno.should_see('Bruno is typing this')  # his text stays until he chooses to see the new card
    bruno.find('Show').click()
    await bruno.should_see('@marie_l', retries=50)
    await bruno.should_not_see('Bruno is typing this', retries=50)
