"""The helpdesk's memory across processes (issue 17): two ``Services`` on one PostgreSQL database stand for two
processes serving one floor. Each inbox refreshes the conversations the other changes from their rows, and each
presence folds the statuses the other records, so routing in the process holding its lease sees every conversation
and every agent present anywhere.

Both share this process's Tortoise connections (each transaction gets its own PostgreSQL connection) and nothing else:
each has its own projection, inbox, presence, leases and log follower.
"""
import asyncio

import pytest
from tortoise import Tortoise

from models import Customer, StoredEvent
from services.container import Services, build
from services.domain.canned import CannedReplyDraft
from services.domain.events import Channel, EventKind, Rating
from services.domain.inbox import InboxItem
from services.domain.leaderboard import Period
from services.domain.rewards import RewardDraft
from services.helpdesk.presence import OFFLINE, ONLINE
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.conftest import settings_for_test
from tests.integration.support import until
from tests.integration.test_connections import AT, post

pytestmark = pytest.mark.parametrize('db_url', ['postgres'], indirect=True)



async def new_conversation(services: Services, subject: str) -> int:
    customer = await Customer.all().order_by('id').first()
    assert customer is not None
    return await services.inbox.create_conversation(customer_id=customer.id, channel=Channel.EMAIL, subject=subject,
                                                    body='Where is my parcel?')


async def test_a_conversation_created_in_one_process_is_in_the_other_s_queue_and_told(
        services: Services, elsewhere: Services) -> None:
    queues: list[list[InboxItem]] = []
    elsewhere.inbox.changed.subscribe(queues.append)
    conversation_id = await new_conversation(services, 'Lost parcel')

    await until(lambda: conversation_id in elsewhere.inbox.open_items, message='the other process has it')
    item = elsewhere.inbox.open_items[conversation_id]
    assert (item.subject, item.status, item.assignee_id) == ('Lost parcel', 'new', None)
    assert item == services.inbox.open_items[conversation_id]  # the same row, read by each
    await until(lambda: any(i.id == conversation_id for queue in queues for i in queue),
                message='its queue was published there')


async def test_a_customer_message_in_one_process_updates_the_other(services: Services, elsewhere: Services,
                                                                   ana: AgentView) -> None:
    conversation_id = await new_conversation(services, 'Refund')
    await until(lambda: conversation_id in elsewhere.inbox.open_items, message='the other process has it')
    await elsewhere.inbox.reply(ana, conversation_id, 'Looking into it.')  # there: pending, waiting on the customer
    await until(lambda: services.inbox.open_items[conversation_id].status == 'pending',
                message=lambda: f'here: {services.inbox.open_items[conversation_id]}')
    assert services.inbox.open_items[conversation_id].assignee_id == ana.id
    changed: list[int] = []
    elsewhere.inbox.conversation_changed.subscribe(changed.append)

    await services.inbox.customer_message(conversation_id, 'Any news?')
    await until(lambda: elsewhere.inbox.open_items[conversation_id].status == 'open',
                message=lambda: f'there: {elsewhere.inbox.open_items[conversation_id]}')
    assert elsewhere.inbox.open_items[conversation_id].waiting_since is not None
    assert conversation_id in changed  # its open tabs there reload the thread


async def test_a_resolution_in_one_process_leaves_the_other_s_queue(services: Services, elsewhere: Services,
                                                                    ana: AgentView) -> None:
    conversation_id = await new_conversation(services, 'Broken zip')
    await until(lambda: conversation_id in elsewhere.inbox.open_items, message='the other process has it')
    await elsewhere.inbox.take(ana, conversation_id)
    await elsewhere.inbox.resolve(ana, conversation_id)
    await until(lambda: conversation_id not in services.inbox.open_items, message='gone from the first queue')
    assert conversation_id not in services.inbox.open_tags
    changed: list[int] = []
    services.inbox.conversation_changed.subscribe(changed.append)

    await elsewhere.inbox.rate(conversation_id, Rating.GOOD)  # closed stays closed: its tabs told, no row read here
    await until(lambda: conversation_id in changed, message='its tabs here are told')
    assert conversation_id not in services.inbox.open_items
    await elsewhere.inbox.reopen(ana, conversation_id)  # and a reopen there is read back into the queue here
    await until(lambda: conversation_id in services.inbox.open_items, message='back in the first queue')


async def test_an_agent_online_in_one_process_is_routed_by_the_lease_holder_in_the_other(
        services: Services, elsewhere: Services, ana: AgentView, lead: AgentView) -> None:
    assert services.routing.lease.held and not elsewhere.routing.lease.held
    await elsewhere.routing.set_mode(lead, mode='round_robin', model='shared')  # a lead's page on the other process
    await until(lambda: services.routing.config.mode == 'round_robin', message='the holder routes round-robin now')
    waiting = [item.id for item in services.inbox.items() if item.assignee_id is None and item.status == 'new']
    assert waiting, 'the demo queue has waiting conversations'

    elsewhere.presence.tab_opened(ana.id)  # ana's browser reached the process that does not route
    await elsewhere.presence.settle()
    await until(lambda: services.presence.status(ana.id) == ONLINE, message='the holder sees ana online')
    await until(lambda: any(item.assignee_id == ana.id for item in services.inbox.items()),
                message='the holder routed a conversation to ana')
    await services.routing.settle()
    routed = {item.id for item in services.inbox.items() if item.assignee_id == ana.id}
    await until(lambda: {item.id for item in elsewhere.inbox.items() if item.assignee_id == ana.id} == routed,
                message='ana\'s queue there shows what was routed to her')

    elsewhere.presence.tab_closed(ana.id)
    await elsewhere.presence.settle()
    await until(lambda: services.presence.status(ana.id) == OFFLINE, message='the holder sees ana gone')


async def test_a_person_still_present_in_one_process_stays_present_when_they_leave_another(
        services: Services, elsewhere: Services, ana: AgentView) -> None:
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    await until(lambda: elsewhere.presence.status(ana.id) == ONLINE, message='the other process sees ana online')
    elsewhere.presence.tab_opened(ana.id)  # a second browser, on the other process: nothing new to record
    await elsewhere.presence.settle()

    services.presence.tab_closed(ana.id)  # the first process records her offline, knowing only its own tabs
    await services.presence.settle()
    await until(lambda: services.presence.status(ana.id) == ONLINE, message='the other process recorded her back')
    statuses = await recorded_statuses(ana.id)
    assert statuses == [ONLINE, OFFLINE, ONLINE]

    await services.presence.close()  # the first process stops: ana is present on the other one, not recorded off
    assert await recorded_statuses(ana.id) == statuses


async def recorded_statuses(agent_id: int) -> list[str]:
    return [event.data['status'] for event in await StoredEvent.filter(kind=EventKind.PRESENCE_CHANGED.value,
                                                                       agent_id=agent_id).order_by('id')]


async def test_a_canned_reply_saved_in_one_process_can_be_sent_from_the_other(services: Services, elsewhere: Services,
                                                                               lead: AgentView, ana: AgentView) -> None:
    await services.canned_replies.save(lead, CannedReplyDraft(title='Parcel', shortcut='parcel', shared=True,
                                                              body='Your parcel is on its way.'))
    await until(lambda: elsewhere.canned_replies.find(ana.id, 'parcel') is not None,
                message='the other process knows /parcel')
    conversation_id = await new_conversation(elsewhere, 'Where?')
    assert await elsewhere.inbox.reply(ana, conversation_id, '/parcel') == 'Your parcel is on its way.'


async def test_an_account_changed_in_one_process_is_changed_in_the_other(services: Services, elsewhere: Services,
                                                                         lead: AgentView, ana: AgentView,
                                                                         bruno: AgentView) -> None:
    told: list[AgentView] = []
    elsewhere.directory.changed.subscribe(told.append)
    await services.accounts.change_role(lead, ana.id, 'lead')
    await until(lambda: (elsewhere.directory.agent(ana.id) or ana).role == 'lead',
                message=lambda: f'there: {elsewhere.directory.agent(ana.id)}')
    assert [agent.id for agent in told] == [ana.id]  # only the account that differs
    assert ana.id not in {agent.id for agent in elsewhere.directory.floor()}  # leads watch, they do not play

    await services.accounts.disable(lead, bruno.id)
    await until(lambda: elsewhere.directory.agent(bruno.id) is None, message='disabled there too')


async def test_a_reward_saved_in_one_process_is_in_the_other_s_store(services: Services, elsewhere: Services,
                                                                     lead: AgentView) -> None:
    catalogues: list[list] = []
    elsewhere.rewards.catalogue_changed.subscribe(catalogues.append)
    saved = await services.rewards.save(lead, RewardDraft(name='Late start', cost=300, stock=2))
    await until(lambda: saved.id in elsewhere.rewards.rewards, message='the other process has it')
    assert elsewhere.rewards.rewards[saved.id] == saved
    assert any(saved in catalogue for catalogue in catalogues)  # its store pages were told


async def test_a_connection_deactivated_in_one_process_is_refused_by_the_other(
        services: Services, elsewhere: Services, lead: AgentView, clock: ManualClock) -> None:
    clock.set(AT)
    new = await services.connections.create(lead, 'chatwoot', 'Support EU')
    assert await post(elsewhere, new, 'conversation_created', clock=clock) == (200, 'applied')  # met there: cached
    await services.connections.deactivate(lead, new.connection.id)
    await services.game.catch_up()
    await until(lambda: not elsewhere.connections._by_token, message='the other process forgot it')
    status, _message = await post(elsewhere, new, 'message_created_reply', clock=clock)
    assert status == 404


async def test_a_process_starting_while_another_records_counts_each_event_once(
        services: Services, db_url: str, clock: ManualClock, ana: AgentView) -> None:
    """Start-up is one snapshot: an event another process commits while this one loads is either in every
    projection's load or followed afterwards, never both (a board would count it twice)."""
    today = clock.now().date()
    starting = build(settings_for_test(db_url), clock=clock)
    load_board = starting.leaderboard.load
    writer: list[asyncio.Task] = []

    async def rated() -> None:
        async with services.game.unit_of_work() as work:
            await work.record(EventKind.RATED, agent_id=ana.id, conversation_id=1,
                              data={'rating': 'good', 'channel': 'chat'})

    async def board_loaded_while_another_records() -> None:  # between the game's load and the board's
        writer.append(asyncio.create_task(rated()))
        await until(writer_waits, message='the other process\'s writer waits for the start-up to end')
        await load_board()

    starting.leaderboard.load = board_loaded_while_another_records
    await starting.load()
    try:
        await writer[0]
        await starting.game.catch_up()
        assert starting.leaderboard.tally.total(ana.id, Period.TODAY, today) == \
            services.leaderboard.tally.total(ana.id, Period.TODAY, today) > 0
    finally:
        await starting.stop(close_database=False)


async def writer_waits() -> bool:
    connection = Tortoise.get_connection('default')
    _count, rows = await connection.execute_query(
        "SELECT count(*) AS waiting FROM pg_locks WHERE NOT granted AND relation = 'event'::regclass")
    return rows[0]['waiting'] > 0
