"""The agents' work around a conversation on a real database: tags, internal notes, transfers, the hybrid thread,
search, viewing time and the durations of calls and chats."""
from collections import Counter
from datetime import datetime, timedelta

import pytest

from models import Conversation, ConversationTag, Department, InternalNote, Message, StoredEvent, Transfer
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind, Rating
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import SIM_NOTES, Simulator
from tests.integration.support import agent, waiting_ids, written


async def events_of(conversation_id: int, kind: EventKind) -> list[StoredEvent]:
    return list(await StoredEvent.filter(conversation_id=conversation_id, kind=kind.value).order_by('id'))


# --- tags ---

async def test_tags_are_normalised_recorded_and_shown_in_the_queue(services: Services, ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    assert await services.inbox.tag(ana, conversation_id, '  #Refund  Request ') == 'refund-request'
    assert await services.inbox.tag(ana, conversation_id, 'VIP') == 'vip'
    before = await written()
    assert await services.inbox.tag(ana, conversation_id, 'vip') == 'vip'  # already there: nothing written
    assert await written() == before
    assert services.inbox.open_items[conversation_id].tags == ('refund-request', 'vip')
    assert (await services.inbox.detail(conversation_id)).tags == ('refund-request', 'vip')

    await services.inbox.untag(ana, conversation_id, 'VIP')
    assert services.inbox.open_items[conversation_id].tags == ('refund-request',)
    assert [(e.kind, e.agent_id, e.data) for e in await StoredEvent.filter(
        conversation_id=conversation_id, kind__in=['tagged', 'untagged']).order_by('id')] == [
        ('tagged', ana.id, {'tag': 'refund-request'}), ('tagged', ana.id, {'tag': 'vip'}),
        ('untagged', ana.id, {'tag': 'vip'})]
    with pytest.raises(ActionError, match='is not tagged vip'):
        await services.inbox.untag(ana, conversation_id, 'vip')

    await services.inbox.load()  # a restart keeps the tags of the open queue
    assert services.inbox.open_items[conversation_id].tags == ('refund-request',)


@pytest.mark.parametrize('text, error', [('', 'empty'), ('  # ', 'empty'), ('x' * 33, 'too long'),
                                         ('<script>', 'may only hold'), ('-dash', 'may only hold'),
                                         ('a,b', 'may only hold')])
async def test_invalid_tags_are_refused_and_write_nothing(services: Services, ana: AgentView, text: str,
                                                          error: str) -> None:
    conversation_id = (await waiting_ids())[0]
    before = await written()
    with pytest.raises(ActionError, match=error):
        await services.inbox.tag(ana, conversation_id, text)
    assert await written() == before and not await ConversationTag.exists()


async def test_tags_survive_resolution_and_reopening(services: Services, ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(ana, conversation_id, 'Done.')
    await services.inbox.resolve(ana, conversation_id)
    await services.inbox.tag(ana, conversation_id, 'solved-by-phone')  # after the conversation, too
    assert conversation_id not in services.inbox.open_tags
    await services.inbox.customer_message(conversation_id, 'Actually, one more thing.')
    assert services.inbox.open_items[conversation_id].tags == ('solved-by-phone',)


# --- internal notes ---

async def test_notes_are_internal_never_customer_facing(services: Services, ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    messages_before = await Message.all().count()
    await services.inbox.add_note(ana, conversation_id, '  Customer is a reseller, check the contract.  ')
    assert await Message.all().count() == messages_before  # the customer's thread is untouched
    note = await InternalNote.get(conversation_id=conversation_id)
    assert (note.agent_id, note.body) == (ana.id, 'Customer is a reseller, check the contract.')
    [event] = await events_of(conversation_id, EventKind.NOTE_ADDED)
    assert (event.agent_id, event.data) == (ana.id, {'length': 43})

    detail = await services.inbox.detail(conversation_id)
    assert all('reseller' not in message.body for message in detail.messages)  # what the customer sees
    [entry] = [entry for entry in detail.history if entry.kind == 'note']
    assert entry.internal and entry.author_name == 'Ana Ozola' and 'reseller' in entry.body

    before = await written()
    with pytest.raises(ActionError, match='The note is empty'):
        await services.inbox.add_note(ana, conversation_id, '   ')
    with pytest.raises(ActionError, match='too long'):
        await services.inbox.add_note(ana, conversation_id, 'x' * 5001)
    assert await written() == before


async def test_agents_cannot_tag_or_note_another_agents_conversation(services: Services, ana: AgentView,
                                                                    bruno: AgentView, lead: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.take(ana, conversation_id)
    before = await written()
    with pytest.raises(ActionError, match='assigned to Ana Ozola, not to you'):
        await services.inbox.tag(bruno, conversation_id, 'urgent')
    with pytest.raises(ActionError, match='assigned to Ana Ozola, not to you'):
        await services.inbox.add_note(bruno, conversation_id, 'I know this one')
    assert await written() == before
    await services.inbox.add_note(lead, conversation_id, 'Ana, call them back please.')  # a lead may


# --- transfers ---

async def test_transfer_to_an_agent_moves_the_conversation_and_its_rights(services: Services, clock: ManualClock,
                                                                         ana: AgentView, bruno: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(ana, conversation_id, 'Let me check.')
    clock.advance(timedelta(minutes=2))
    await services.inbox.transfer(ana, conversation_id, to_agent_id=bruno.id, note='Bruno knows refunds.')
    conversation = await Conversation.get(id=conversation_id)
    assert conversation.assignee_id == bruno.id
    assert services.inbox.open_items[conversation_id].assignee_id == bruno.id
    [event] = await events_of(conversation_id, EventKind.TRANSFERRED)
    assert event.agent_id == ana.id
    assert {key: event.data[key] for key in ('to_agent_id', 'to_department_id', 'note_length', 'from_agent_id')} == \
        {'to_agent_id': bruno.id, 'to_department_id': None, 'note_length': 20, 'from_agent_id': ana.id}
    transfer = await Transfer.get(conversation_id=conversation_id)
    assert (transfer.from_agent_id, transfer.to_agent_id, transfer.note) == (ana.id, bruno.id, 'Bruno knows refunds.')

    before = await written()
    with pytest.raises(ActionError, match='assigned to Bruno Dubois, not to you'):
        await services.inbox.reply(ana, conversation_id, 'Me again')  # the sender no longer can
    with pytest.raises(ActionError, match='assigned to Bruno Dubois, not to you'):
        await services.inbox.transfer(ana, conversation_id, to_agent_id=ana.id)
    assert await written() == before
    clock.advance(timedelta(minutes=1))
    await services.inbox.reply(bruno, conversation_id, 'Bruno here, your refund is on its way.')  # the receiver can
    await services.inbox.resolve(bruno, conversation_id)
    resolved = (await events_of(conversation_id, EventKind.RESOLVED))[0]
    assert resolved.agent_id == bruno.id
    history = (await services.inbox.detail(conversation_id)).history
    assert [entry.kind for entry in history] == ['customer', 'agent', 'transfer', 'agent']
    assert history[2].body == 'Transferred to Bruno Dubois: Bruno knows refunds.' and history[2].internal
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == []


async def test_transfer_to_a_department_puts_it_back_in_the_queue(services: Services, ana: AgentView,
                                                                  bruno: AgentView) -> None:
    billing = await Department.get(name='Billing')  # seeded with the demo floor
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(ana, conversation_id, 'Passing this on.')
    await services.inbox.take(ana, conversation_id)
    await services.inbox.transfer(ana, conversation_id, to_department_id=billing.id, note='')
    conversation = await Conversation.get(id=conversation_id)
    assert (conversation.assignee_id, conversation.department_id) == (None, billing.id)
    item = services.inbox.open_items[conversation_id]
    assert (item.assignee_id, item.department_id) == (None, billing.id)
    [event] = await events_of(conversation_id, EventKind.TRANSFERRED)
    assert (event.agent_id, event.data['to_agent_id'], event.data['to_department_id'], event.data['note_length']) == \
        (ana.id, None, billing.id, 0)
    assert (await services.inbox.departments())[billing.id] == 'Billing'
    with pytest.raises(ActionError, match='already in the Billing queue'):
        await services.inbox.transfer(bruno, conversation_id, to_department_id=billing.id)
    await services.inbox.take(bruno, conversation_id)  # anyone can take it from the department's queue
    await services.inbox.reply(bruno, conversation_id, 'Billing here.')
    with pytest.raises(ActionError, match='That department does not exist'):
        await services.inbox.transfer(bruno, conversation_id, to_department_id=billing.id + 100)


async def test_transfer_after_resolution_lets_the_receiver_reopen(services: Services, ana: AgentView,
                                                                 bruno: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(ana, conversation_id, 'Done.')
    await services.inbox.resolve(ana, conversation_id)
    await services.inbox.transfer(ana, conversation_id, to_agent_id=bruno.id, note='Follow up next week.')
    conversation = await Conversation.get(id=conversation_id)
    assert (conversation.status, conversation.assignee_id) == ('resolved', bruno.id)
    assert conversation_id not in services.inbox.open_items
    with pytest.raises(ActionError, match='assigned to Bruno Dubois, not to you'):
        await services.inbox.reopen(ana, conversation_id)
    await services.inbox.reopen(bruno, conversation_id)
    assert services.inbox.open_items[conversation_id].assignee_id == bruno.id


async def test_a_rating_after_a_transfer_goes_to_the_agent_who_resolved(services: Services, ana: AgentView,
                                                                        bruno: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(ana, conversation_id, 'Done.')
    await services.inbox.resolve(ana, conversation_id)
    await services.inbox.transfer(ana, conversation_id, to_agent_id=bruno.id, note='Follow up next week.')
    await services.inbox.rate(conversation_id, Rating.GOOD, comment='Ana was great')
    [rated] = await events_of(conversation_id, EventKind.RATED)
    assert rated.agent_id == ana.id and rated.data['channel']
    assert [rating.conversation_id for rating in (await services.ratings.of(ana.id)).recent] == [conversation_id]
    assert (await services.ratings.of(bruno.id)).recent == []


async def test_transfers_refused_for_others_and_for_bad_targets(services: Services, ana: AgentView,
                                                               bruno: AgentView, lead: AgentView) -> None:
    first, second = (await waiting_ids())[:2]
    await services.inbox.take(ana, first)
    before = await written()
    with pytest.raises(ActionError, match='assigned to Ana Ozola, not to you'):
        await services.inbox.transfer(bruno, first, to_agent_id=bruno.id)  # not his to give away
    with pytest.raises(ActionError, match='one agent or to one department'):
        await services.inbox.transfer(ana, first)
    with pytest.raises(ActionError, match='one agent or to one department'):
        await services.inbox.transfer(ana, first, to_agent_id=bruno.id, to_department_id=1)
    with pytest.raises(ActionError, match='does not exist'):
        await services.inbox.transfer(ana, first, to_agent_id=9999)
    with pytest.raises(ActionError, match='already assigned to Ana Ozola'):
        await services.inbox.transfer(ana, first, to_agent_id=ana.id)
    await services.inbox.abandon(second)
    before = await written()
    with pytest.raises(ActionError, match='abandoned'):
        await services.inbox.transfer(ana, second, to_agent_id=bruno.id)
    assert await written() == before
    await services.inbox.transfer(lead, first, to_agent_id=bruno.id)  # a lead may move anyone's work
    assert (await Conversation.get(id=first)).assignee_id == bruno.id


# --- the hybrid thread and search ---

async def test_the_thread_holds_the_customers_whole_history_across_channels(services: Services, clock: ManualClock,
                                                                           ana: AgentView) -> None:
    first = (await waiting_ids())[0]
    customer_id = (await Conversation.get(id=first)).customer_id
    await services.inbox.reply(ana, first, 'Answered by e-mail.')
    await services.inbox.resolve(ana, first)
    clock.advance(timedelta(hours=1))
    second = await services.inbox.create_conversation(customer_id=customer_id, channel=Channel.PHONE,
                                                      subject='Calling again', body='I am calling about my refund.')
    detail = await services.inbox.detail(second)
    assert [c.id for c in detail.conversations] == [second, first]
    assert [(entry.conversation_id, entry.kind) for entry in detail.history] == [
        (first, 'customer'), (first, 'agent'), (second, 'customer')]
    assert detail.history[-1].channel == Channel.PHONE and detail.history[0].channel != Channel.PHONE
    assert [message.body for message in detail.messages] == ['I am calling about my refund.']


async def test_search_finds_open_conversations_by_message_text(services: Services) -> None:
    first, second = (await waiting_ids())[:2]
    await services.inbox.customer_message(first, 'My order number is ZX-4411.')
    assert await services.inbox.search_messages('zx-4411') == {first}
    assert await services.inbox.search_messages('refund') >= {1}
    assert await services.inbox.search_messages('x') == set()  # too short to be worth a query


# --- viewing time and collisions ---

async def test_viewing_records_seconds_and_tells_who_else_is_there(services: Services, clock: ManualClock,
                                                                  ana: AgentView, bruno: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    seen: list[tuple[int, list[str]]] = []
    services.viewing.changed.subscribe(lambda cid, viewers: seen.append((cid, [v.name for v in viewers])))
    ana_view = services.viewing.enter(ana.id, conversation_id)
    bruno_view = services.viewing.enter(bruno.id, conversation_id)
    assert seen[-1] == (conversation_id, ['Ana Ozola', 'Bruno Dubois'])
    clock.advance(timedelta(seconds=95))
    assert await services.viewing.leave(ana_view) == 95
    assert seen[-1] == (conversation_id, ['Bruno Dubois'])
    clock.advance(timedelta(milliseconds=500))
    await services.viewing.leave(bruno_view)  # still 95.5 s for Bruno
    glance = services.viewing.enter(ana.id, conversation_id)
    clock.advance(timedelta(milliseconds=400))
    assert await services.viewing.leave(glance) == pytest.approx(0.4)  # under a second: not recorded
    events = await events_of(conversation_id, EventKind.VIEWED)
    assert [(e.agent_id, e.data) for e in events] == [(ana.id, {'seconds': 95}), (bruno.id, {'seconds': 96})]
    assert services.viewing.viewers(conversation_id) == []


# --- durations of calls and chats ---

async def test_a_resolved_call_carries_its_start_end_and_duration(services: Services, clock: ManualClock,
                                                                  ana: AgentView) -> None:
    call = await services.inbox.create_conversation(customer_id=1, channel=Channel.PHONE, subject='Call', body='Hi')
    mail = await services.inbox.create_conversation(customer_id=1, channel=Channel.EMAIL, subject='Mail', body='Hi')
    clock.advance(timedelta(seconds=30))
    answered = clock.now()
    await services.inbox.reply(ana, call, 'DeskQuest support, Ana speaking.')
    await services.inbox.reply(ana, mail, 'Hello!')
    clock.advance(timedelta(minutes=7, seconds=5))
    await services.inbox.resolve(ana, call)
    await services.inbox.resolve(ana, mail)
    [resolved] = await events_of(call, EventKind.RESOLVED)
    assert datetime.fromisoformat(resolved.data['started_at']) == answered
    assert datetime.fromisoformat(resolved.data['ended_at']) == clock.now()
    assert resolved.data['duration_seconds'] == 425
    [mail_resolved] = await events_of(mail, EventKind.RESOLVED)
    assert 'duration_seconds' not in mail_resolved.data
    [reply] = (await events_of(call, EventKind.REPLIED))
    assert reply.data['length'] == len('DeskQuest support, Ana speaking.')


async def test_a_transfer_to_an_inactive_agent_is_refused(services: Services, ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    emma = agent(services, 'emma')
    del services.directory.agents[emma.id]  # as if deactivated since the directory was loaded
    with pytest.raises(ActionError, match='no longer active'):
        await services.inbox.transfer(ana, conversation_id, to_agent_id=emma.id)


# --- the simulator does this work too ---

@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_simulated_agents_tag_write_notes_and_transfer(services: Services, simulator: Simulator,
                                                             clock: ManualClock) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=4))
    kinds = Counter(await StoredEvent.all().values_list('kind', flat=True))
    assert kinds['tagged'] > 20 and kinds['note_added'] > 2 and kinds['transferred'] > 2, kinds
    transfers = await Transfer.all()
    departments = set(await Department.all().values_list('id', flat=True))  # the demo's
    assert {t.to_department_id for t in transfers} & departments  # to a department
    assert None in {t.to_department_id for t in transfers}  # and to colleagues
    transferred_to_colleagues = [t.conversation_id for t in transfers if t.to_agent_id]
    assert await Conversation.filter(id__in=transferred_to_colleagues, status='resolved').exists()  # they carried on
    assert not await Message.filter(body__in=SIM_NOTES).exists()  # notes never reach the customer
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == []
