"""The lead's live monitor through NiceGUI's simulated users: agents are sent away, the figures change on their own
after an event, an action goes through with the lead as actor, and a handler refuses someone no longer a lead."""
from collections.abc import Callable

from nicegui.testing import User

from models import Customer, StoredEvent
from services.domain.events import Channel
from tests.ui.support import agent, demote, log_in, notified, services, set_value, until


def rows(user: User, marker: str) -> list[dict]:
    table, = user.find(marker=marker).elements
    return table.rows


def chat_waiting(user: User) -> int:
    return next(row['waiting'] for row in rows(user, 'monitor-channels') if row['channel'] == 'chat')


def queued_chats() -> int:
    return sum(1 for item in services().inbox.items()
               if item.channel == Channel.CHAT and item.assignee_id is None and item.status == 'new')


async def open_monitor(user: User) -> None:
    await log_in(user, 'lead')
    user.find(marker='monitor-link').click()
    await user.should_see('Live monitor', retries=50)
    await user.should_see(marker='monitor-agents', retries=50)


async def test_an_agent_is_sent_back_to_the_inbox(user: User) -> None:
    await log_in(user, 'ana')
    await user.should_not_see(marker='monitor-link')
    await user.open('/monitor')
    await user.should_see(marker='agent-name', retries=50)
    await user.should_not_see(marker='monitor-channels')


async def test_the_figures_follow_an_event_without_reloading(create_user: Callable[[], User]) -> None:
    lead = create_user()
    await open_monitor(lead)
    before = queued_chats()  # the periodic sweep brings a tab opened during start-up up to date
    await until(lambda: chat_waiting(lead) == before, message='the waiting chats to show')
    customer = await Customer.all().order_by('id').first()
    await services().inbox.create_conversation(customer_id=customer.id, channel=Channel.CHAT, subject='Hello',
                                               body='Anyone there?')
    await until(lambda: chat_waiting(lead) == before + 1, message='the new chat to be counted as waiting')
    ana = agent('ana')
    assert any(row['name'] == ana.name for row in rows(lead, 'monitor-agents'))


async def test_a_lead_changes_a_capacity_and_a_demoted_lead_is_refused(user: User) -> None:
    await open_monitor(user)
    ana = agent('ana')
    set_value(user, 'monitor-agent', ana.id)
    set_value(user, 'monitor-capacity', 9)
    user.find(marker='monitor-set-capacity').click()
    await user.should_see('Ana Ozola may now have 9 in hand.', retries=50)
    await until(lambda: any(row['id'] == ana.id and row['load'].endswith('/ 9')
                            for row in rows(user, 'monitor-agents')), message="ana's capacity to show")
    event = await StoredEvent.filter(kind='workspace_configured').order_by('-id').first()
    assert event.agent_id == agent('lead').id and event.data['capacity'] == 9

    demote('lead')
    user.find(marker='monitor-release').click()
    await until(lambda: notified(user, 'Only a lead can act from the monitor.') == 1,
                message='the handler to refuse the demoted lead')
    assert not await StoredEvent.filter(kind='released').exists()


async def test_a_lead_releases_an_agents_conversations_and_sees_it_in_the_monitor(user: User) -> None:
    await open_monitor(user)
    ana = agent('ana')
    conversation = min(services().inbox.items(), key=lambda item: item.id)
    await services().inbox.take(ana, conversation.id)
    set_value(user, 'monitor-agent', ana.id)
    user.find(marker='monitor-release').click()
    await user.should_see("Ana Ozola's conversations are back in the queue.", retries=50)
    await user.should_see(f"Lena Lead released Ana Ozola's 1 conversation to the queue (#{conversation.id})",
                          retries=50)
    user.find(marker='monitor-release').click()
    await user.should_see('Ana Ozola has no conversations in hand to release.', retries=50)
    assert await StoredEvent.filter(kind='released').count() == 1
