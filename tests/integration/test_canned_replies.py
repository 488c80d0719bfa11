"""Canned replies on a real database: shared (leads) and personal (their owner), validated, resolved personal first,
and counted each time one is sent."""
import pytest

from models import CannedReply, StoredEvent
from services.container import Services
from services.domain.canned import CannedReplyDraft
from services.domain.errors import ActionError
from services.platform.directory import AgentView
from tests.integration.support import waiting_ids, written


def draft(**changes) -> CannedReplyDraft:
    return CannedReplyDraft(**({'title': 'Greeting', 'shortcut': 'hi', 'body': 'Hi {customer_first_name}!'} | changes))


async def test_lead_manages_shared_replies_and_each_change_is_an_event(services: Services, lead: AgentView) -> None:
    saved = await services.canned_replies.save(lead, draft(shared=True, body='Hi {customer_first_name} from {company}'))
    assert saved.shared and saved.shortcut == 'hi'
    edited = await services.canned_replies.save(lead, draft(shared=True, title='Hello', shortcut='/hey'),
                                                reply_id=saved.id)
    assert (edited.id, edited.title, edited.shortcut) == (saved.id, 'Hello', 'hey')
    assert services.canned_replies.replies[saved.id] == edited
    await services.canned_replies.delete(lead, saved.id)
    assert saved.id not in services.canned_replies.replies and not await CannedReply.exists(id=saved.id)
    events = await StoredEvent.filter(kind__startswith='canned_reply').order_by('id')
    assert [(event.kind, event.agent_id, event.data['shortcut'], event.data['shared']) for event in events] == [
        ('canned_reply_saved', lead.id, 'hi', True), ('canned_reply_saved', lead.id, 'hey', True),
        ('canned_reply_deleted', lead.id, 'hey', True)]
    assert events[0].data['created'] and not events[1].data['created']


async def test_an_agent_cannot_create_edit_or_delete_shared_replies(services: Services, ana: AgentView) -> None:
    shared = services.canned_replies.find(ana.id, 'hello')
    assert shared is not None and shared.shared
    before = await written()
    with pytest.raises(ActionError, match='Only a lead can save shared canned replies'):
        await services.canned_replies.save(ana, draft(shared=True))
    with pytest.raises(ActionError, match='Only a lead can change the shared canned reply /hello'):
        await services.canned_replies.save(ana, draft(shortcut='hello'), reply_id=shared.id)
    with pytest.raises(ActionError, match='Only a lead can change the shared canned reply /hello'):
        await services.canned_replies.delete(ana, shared.id)
    assert await written() == before
    assert (await CannedReply.get(id=shared.id)).body == shared.body


async def test_personal_replies_are_their_owners_alone(services: Services, ana: AgentView, bruno: AgentView,
                                                       lead: AgentView) -> None:
    mine = await services.canned_replies.save(ana, draft(shortcut='mine'))
    assert mine.owner_id == ana.id
    assert mine in services.canned_replies.visible_to(ana.id)
    assert mine not in services.canned_replies.visible_to(bruno.id)
    assert mine not in services.canned_replies.manageable_by(lead.id)
    for someone in (bruno, lead):
        with pytest.raises(ActionError, match="another agent's personal canned reply"):
            await services.canned_replies.save(someone, draft(shortcut='mine'), reply_id=mine.id)
        with pytest.raises(ActionError, match="another agent's personal canned reply"):
            await services.canned_replies.delete(someone, mine.id)
    await services.canned_replies.save(ana, draft(shortcut='mine', title='Still mine'), reply_id=mine.id)
    await services.canned_replies.delete(ana, mine.id)
    assert await CannedReply.filter(owner_id=ana.id).count() == 0


async def test_drafts_are_validated_and_shortcuts_unique_per_scope(services: Services, ana: AgentView,
                                                                   bruno: AgentView, lead: AgentView) -> None:
    before = await written()
    with pytest.raises(ActionError, match=r'Unknown placeholders \{order_id\}, \{name\}: use '):
        await services.canned_replies.save(ana, draft(body='Your {order_id}, {name}'))
    with pytest.raises(ActionError, match='may only hold letters'):
        await services.canned_replies.save(ana, draft(shortcut='two words'))
    with pytest.raises(ActionError, match='There already is a shared canned reply /hello'):
        await services.canned_replies.save(lead, draft(shortcut='hello', shared=True))
    assert await written() == before
    await services.canned_replies.save(ana, draft(shortcut='hello'))  # a personal one may reuse a shared shortcut
    await services.canned_replies.save(bruno, draft(shortcut='hello'))  # and so may another agent's
    with pytest.raises(ActionError, match='There already is a personal canned reply /hello'):
        await services.canned_replies.save(ana, draft(shortcut='/hello', title='Again'))
    other = await services.canned_replies.save(ana, draft(shortcut='other'))
    with pytest.raises(ActionError, match='There already is a personal canned reply /hello'):
        await services.canned_replies.save(ana, draft(shortcut='hello'), reply_id=other.id)


async def test_personal_reply_wins_over_shared_and_every_send_is_counted(services: Services, ana: AgentView,
                                                                       bruno: AgentView) -> None:
    first, second = (await waiting_ids())[:2]
    mine = await services.canned_replies.save(ana, draft(shortcut='hello', body='Hey {customer_first_name}, '
                                                         '{agent_first_name} of team {agent_team} here.'))
    shared = next(r for r in services.canned_replies.replies.values() if r.shared and r.shortcut == 'hello')
    assert await services.inbox.reply(ana, first, '/hello') == 'Hey Marie, Ana of team Aurora here.'
    assert (await services.inbox.reply(bruno, second, '/hello')).startswith('Hi Pieter, thanks for reaching out!')
    await services.inbox.reply(ana, first, 'Edited text picked from the list', canned_id=mine.id)
    await services.inbox.reply(ana, first, 'Plain text')
    assert services.canned_replies.replies[mine.id].usage_count == 2
    assert services.canned_replies.replies[shared.id].usage_count == 1
    assert dict(await CannedReply.filter(id__in=[mine.id, shared.id]).values_list('id', 'usage_count')) == \
        {mine.id: 2, shared.id: 1}
    replied = await StoredEvent.filter(kind='replied').order_by('id').values_list('agent_id', 'data')
    assert [(agent_id, data['canned']) for agent_id, data in replied] == [
        (ana.id, 'hello'), (bruno.id, 'hello'), (ana.id, 'hello'), (ana.id, None)]


async def test_another_agents_reply_cannot_be_counted_nor_sent(services: Services, ana: AgentView,
                                                              bruno: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    theirs = await services.canned_replies.save(bruno, draft(shortcut='secret'))
    with pytest.raises(ActionError, match='There is no canned reply /secret.'):
        await services.inbox.reply(ana, conversation_id, '/secret')
    await services.inbox.reply(ana, conversation_id, 'typed', canned_id=theirs.id)
    assert (await CannedReply.get(id=theirs.id)).usage_count == 0
