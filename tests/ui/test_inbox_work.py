"""The agent's conversation work through NiceGUI's simulated users: filters, search and sort, tabs that keep drafts,
tags and internal notes, transfers, the hybrid thread, collision detection and viewing time."""
from collections.abc import Callable
from datetime import timedelta

from nicegui import ui
from nicegui.testing import User

from models import InternalNote, Message, StoredEvent
from services.domain.events import Channel
from services.domain.inbox import InboxItem
from services.helpdesk.viewing import MIN_VIEW_SECONDS
from tests.ui.support import agent, log_in, running, sees, services, set_value, stays, until
from ui.inbox_panel import InboxRow


def row_order(user: User) -> list[int]:
    """The conversations the inbox shows, top to bottom."""
    inbox = next(iter(user.find(marker='inbox').elements))
    return [element.item.id for element in inbox.descendants()
            if isinstance(element, InboxRow) and element.item is not None]


def first_items(count: int) -> list[InboxItem]:
    return sorted(services().inbox.items(), key=lambda item: item.id)[:count]


async def open_conversation(user: User, conversation_id: int) -> None:
    user.find(marker=f'conversation-{conversation_id}').click()
    await shown(user, conversation_id)


async def shown(user: User, conversation_id: int) -> None:
    """Wait until the conversation is the one shown (its title), not only listed in the inbox."""
    await user.should_see(marker=f'tab-{conversation_id}', retries=50)
    await user.should_see(marker='conversation-title', content=f'#{conversation_id} ', retries=50)


async def asking(user: User, question: str) -> None:
    """Wait until a dialog asks the question (its label stays on the page after it closes, so look at the dialog)."""
    await until(lambda: dialog_open(user), message=f'a dialog to ask {question!r}')
    await user.should_see(question)


def dialog_open(user: User) -> bool:
    return any(dialog.value for dialog in user.find(kind=ui.dialog).elements)


def reply_value(user: User) -> str:
    return next(iter(user.find(marker='reply').elements)).value


async def test_search_filters_and_sort_narrow_and_order_the_queue(user: User) -> None:
    await log_in(user, 'ana')
    await user.should_see('8 open', retries=50)
    items = services().inbox.items()
    marie = next(item for item in items if item.customer_name == 'Marie Laurent')
    user.find(marker='search').type('marie')
    await user.should_see('1 open', retries=50)
    assert row_order(user) == [marie.id]
    user.find(marker='search').clear()
    await user.should_see('8 open', retries=50)
    user.find(marker='search').type('parcel')  # in subjects
    await user.should_see('2 open', retries=50)
    user.find(marker='search').clear()

    await services().inbox.customer_message(marie.id, 'The tracking code is QX-778.')
    user.find(marker='search').type('QX-778')
    await user.should_see('0 open', retries=50)  # message text is searched on Enter, with one query
    user.find(marker='search').trigger('keydown.enter')
    await user.should_see('1 open', retries=50)
    user.find(marker='search').clear()

    set_value(user, 'priority-filter', 'high')
    high = {item.id for item in services().inbox.items() if item.priority == 'high'}
    await user.should_see(f'{len(high)} open', retries=50)
    assert set(row_order(user)) == high
    set_value(user, 'priority-filter', 'all')
    set_value(user, 'channel-filter', Channel.PHONE.value)
    await user.should_see('2 open', retries=50)
    set_value(user, 'channel-filter', 'all')

    await services().inbox.take(agent('ana'), marie.id)
    set_value(user, 'scope-filter', 'mine')
    await user.should_see('1 open', retries=50)
    set_value(user, 'scope-filter', 'unassigned')
    await user.should_see('7 open', retries=50)
    set_value(user, 'scope-filter', 'queue')

    by_due = sorted(services().inbox.items(), key=lambda item: (item.next_due[0], item.id))
    set_value(user, 'sort', 'sla')
    expected = [marie.id] + [item.id for item in by_due if item.id != marie.id]  # hers first
    await until(lambda: row_order(user) == expected,
                message=lambda: f'the inbox sorted by SLA as {expected}, not {row_order(user)}')
    await user.should_see('due in', retries=50)  # each row counts down to its SLA target


async def test_tags_and_internal_notes_from_the_conversation(user: User) -> None:
    await log_in(user, 'ana')
    conversation, other = first_items(2)
    await open_conversation(user, conversation.id)
    user.find(marker='tag-input').type('  VIP Customer').trigger('keydown.enter')
    await user.should_see(marker='tag-vip-customer', retries=50)
    await user.should_see(marker=f'conversation-{conversation.id}', content='vip-customer', retries=50)  # the row
    user.find(marker='tag-input').type('bad/tag').trigger('keydown.enter')
    await user.should_see('may only hold letters', retries=50)
    set_value(user, 'tag-filter', 'vip-customer')
    await user.should_see('1 open', retries=50)
    set_value(user, 'tag-filter', '')
    await user.should_see('8 open', retries=50)

    messages = await Message.all().count()
    set_value(user, 'reply-mode', True)
    user.find(marker='reply').type('Customer is a reseller: check the contract.')
    user.find(marker='send').click()
    await user.should_see('Note added (only agents see it)', retries=50)
    with user.scope(marker='thread'):
        await user.should_see('Customer is a reseller: check the contract.', retries=50)
        await user.should_see('Ana Ozola · internal note', retries=50)
    assert await Message.all().count() == messages  # nothing was sent to the customer
    assert await InternalNote.filter(conversation_id=conversation.id).count() == 1

    with user.client:
        for chip in user.find(marker='tag-vip-customer').elements:
            chip.set_value(False)  # the chip's remove button
    await user.should_not_see(marker='tag-vip-customer', retries=50)
    kinds = await StoredEvent.filter(conversation_id=conversation.id).order_by('id').values_list('kind', flat=True)
    assert kinds[-3:] == ['tagged', 'note_added', 'untagged']


async def test_several_conversations_open_as_tabs_keep_their_drafts(user: User) -> None:
    await log_in(user, 'ana')
    first, second = first_items(2)
    await open_conversation(user, first.id)
    user.find(marker='reply').type('Half a reply to the first')
    await open_conversation(user, second.id)
    assert reply_value(user) == ''
    set_value(user, 'reply-mode', True)
    user.find(marker='reply').type('A note for the second')
    user.find(marker=f'tab-{first.id}').click()
    await shown(user, first.id)
    assert reply_value(user) == 'Half a reply to the first'
    assert next(iter(user.find(marker='reply-mode').elements)).value is False
    user.find(marker=f'tab-{second.id}').click()
    await shown(user, second.id)
    assert reply_value(user) == 'A note for the second'
    assert next(iter(user.find(marker='reply-mode').elements)).value is True  # a note stays a note

    user.find(marker=f'close-tab-{first.id}').click()  # not the shown one, with a draft: asks first
    await asking(user, f'Discard the text you started for #{first.id}?')
    user.find(marker='keep-draft').click()
    await until(lambda: not dialog_open(user), message='the dialog to close on "Keep it"')
    user.find(marker=f'tab-{first.id}').click()
    await shown(user, first.id)
    assert reply_value(user) == 'Half a reply to the first'
    user.find(marker=f'close-tab-{first.id}').click()
    await asking(user, f'Discard the text you started for #{first.id}?')
    user.find(marker='discard-draft').click()
    await user.should_not_see(marker=f'tab-{first.id}', retries=50)
    await shown(user, second.id)  # the next tab is shown
    assert reply_value(user) == 'A note for the second'


async def test_the_thread_holds_earlier_conversations_one_click_away(user: User) -> None:
    first = first_items(1)[0]
    customer_id = (await services().inbox.detail(first.id)).customer_id
    second = await services().inbox.create_conversation(customer_id=customer_id, channel=Channel.CHAT,
                                                        subject='Chat about the refund', body='Any news on my refund?')
    await log_in(user, 'ana')
    await open_conversation(user, second)
    with user.scope(marker='thread'):
        await user.should_see('Any news on my refund?', retries=50)
        await user.should_see('I returned my order last week', retries=50)  # the earlier e-mail, same stream
        await user.should_see(f'#{first.id} ·', retries=50)  # marked with its ticket
    user.find(marker=f'earlier-{first.id}').click()
    await shown(user, first.id)


async def test_transfer_from_the_conversation_moves_it_to_a_colleague(create_user: Callable[[], User]) -> None:
    ana, bruno = create_user(), create_user()
    await log_in(ana, 'ana')
    await log_in(bruno, 'bruno')
    conversation = first_items(1)[0]
    await bruno.should_see(marker=f'conversation-{conversation.id}', retries=50)  # so that its going away means it
    await open_conversation(ana, conversation.id)
    ana.find(marker='take').click()
    await ana.should_see('mine', retries=50)
    await bruno.should_not_see(marker=f'conversation-{conversation.id}', retries=50)
    ana.find(marker='transfer').click()
    await ana.should_see(f'Transfer #{conversation.id}', retries=50)
    set_value(ana, 'transfer-target', f'agent:{agent("bruno").id}')
    ana.find(marker='transfer-note').type('Bruno knows this customer.')
    ana.find(marker='transfer-confirm').click()
    await ana.should_see('Transferred', retries=50)
    await ana.should_see('assigned to Bruno Dubois', retries=50)
    await bruno.should_see(marker=f'conversation-{conversation.id}', content='mine', retries=50)  # live, his now
    await open_conversation(bruno, conversation.id)
    with bruno.scope(marker='thread'):
        await bruno.should_see('Bruno knows this customer.', retries=50)
    event = await StoredEvent.get(kind='transferred')
    assert (event.agent_id, event.data['to_agent_id']) == (agent('ana').id, agent('bruno').id)


async def test_two_agents_on_one_conversation_see_each_other(create_user: Callable[[], User]) -> None:
    ana, bruno = create_user(), create_user()
    await log_in(ana, 'ana')
    await log_in(bruno, 'bruno')
    conversation, other = first_items(2)
    await open_conversation(ana, conversation.id)
    await stays(lambda: not sees(ana, 'also viewing'), message='Ana alone on the conversation is not told of a viewer')
    await open_conversation(bruno, conversation.id)
    await bruno.should_see('Ana Ozola is also viewing', retries=50)
    await ana.should_see('Bruno Dubois is also viewing', retries=50)  # live, without a reload
    bruno.find(marker='reply').type('Hello')
    await ana.should_see('Bruno Dubois is typing…', retries=50)
    await open_conversation(bruno, other.id)  # Bruno switches tabs: he no longer views it
    await ana.should_not_see('also viewing', retries=50)
    await ana.should_not_see('typing', retries=50)


async def test_viewing_time_is_recorded_when_the_agent_moves_on(user: User) -> None:
    await log_in(user, 'ana')
    first, second = first_items(2)
    await open_conversation(user, first.id)
    opened = services().clock.now()
    await until(lambda: services().clock.now() - opened > timedelta(seconds=MIN_VIEW_SECONDS),
                message="the app's clock to pass the shortest view that counts")
    user.find(marker=f'close-tab-{first.id}').click()
    await user.should_not_see(marker=f'tab-{first.id}', retries=50)
    await until(lambda: StoredEvent.filter(kind='viewed').exists(), message='the viewing time to be recorded')
    event = await StoredEvent.get(kind='viewed')
    assert (event.agent_id, event.conversation_id) == (agent('ana').id, first.id)
    assert event.data['seconds'] >= 1
    await open_conversation(user, second.id)
    await open_conversation(user, first.id)  # a glance at the second: under a second, not recorded
    await until(lambda: not services().viewing.viewers(second.id) and not running('record viewing time'),
                message='the glance at the second to end')
    assert await StoredEvent.filter(kind='viewed').count() == 1

