"""Hostile text typed into the forms: the form says what is wrong with which field, and nothing is written."""
from nicegui.testing import User

from models import BadgeDefinitionRow, ChatMessage, Message, StoredEvent
from tests.ui.support import log_in, open_first_conversation, services


async def test_a_huge_badge_name_is_refused_in_the_badge_form(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-badges & levels').click()
    await user.should_see(marker='edit-badge-cleaner', retries=50)
    events_before = await StoredEvent.all().count()
    user.find(marker='edit-badge-cleaner').click()
    await user.should_see('Edit Cleaner', retries=50)
    user.find(marker='badge-name').clear().type('x' * 100_000)
    user.find(marker='badge-save').click()
    await user.should_see('Badge name: too long (100000 characters, at most 80).', retries=50)
    user.find(marker='badge-name').clear().type('Sweeper\u0000')
    user.find(marker='badge-save').click()
    await user.should_see('Badge name: holds a character it may not hold (U+0000 at position 8)', retries=50)
    assert await StoredEvent.all().count() == events_before
    assert (await BadgeDefinitionRow.get(key='cleaner')).name == services().badges.definition('cleaner').name


async def test_a_reply_with_a_nul_character_is_refused_with_a_message(user: User) -> None:
    await open_first_conversation(user, 'ana')
    events_before, messages_before = await StoredEvent.all().count(), await Message.all().count()
    user.find(marker='reply').type('Hello\u0000 there')
    user.find(marker='send').click()
    await user.should_see('Reply: holds a character it may not hold (U+0000 at position 6)', retries=50)
    assert await StoredEvent.all().count() == events_before
    assert await Message.all().count() == messages_before


async def test_a_team_chat_message_with_a_control_character_is_refused_with_a_message(user: User) -> None:
    await log_in(user, 'ana')
    user.find(marker='chat-toggle').click()
    await user.should_see('Team room: everyone', retries=50)
    messages_before = await ChatMessage.all().count()
    user.find(marker='chat-input').type('ding\u0007')
    user.find(marker='chat-send').click()
    await user.should_see('Message: holds a character it may not hold (U+0007 at position 5)', retries=50)
    assert await ChatMessage.all().count() == messages_before
