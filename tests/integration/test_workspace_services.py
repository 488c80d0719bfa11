"""The CRM card, presence, the internal chat and ratings on a real database: what each change writes and announces."""
from dataclasses import replace
from datetime import timedelta

import pytest

from models import ChatMessage, Conversation, Customer, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Rating
from services.helpdesk.crm import CustomerCard
from services.helpdesk.presence import time_in_statuses
from services.helpdesk.team_chat import ChatMessageView
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator
from tests.integration.support import waiting_ids, written

# --- CRM card ---

async def test_crm_card_shows_details_conversations_and_purchases(services: Services) -> None:
    card = await services.crm.card(1)
    assert card.details.name == 'Marie Laurent' and card.details.emails == ('marie.laurent@example.com',)
    assert card.details.company and card.details.phone.startswith('+33')
    assert card.conversation_count == 1 and card.past_conversations[0].subject == 'Refund for order'
    assert card.purchases and all(purchase.amount_cents > 0 for purchase in card.purchases)


async def test_crm_edit_saves_records_the_changed_fields_and_announces_the_card(services: Services,
                                                                                ana: AgentView) -> None:
    shown: list[CustomerCard] = []
    services.crm.changed.subscribe(shown.append)
    details = (await services.crm.card(1)).details
    edited = replace(details, name='Marie Laurent-Dupont', emails=('marie@work.example', ' marie.l@example.com '),
                     company='Librairie du Parc', custom_fields=(('Plan', 'Gold'),), notes='VIP')
    changed = await services.crm.update(ana, 1, edited)
    assert changed == ['name', 'emails', 'company', 'notes', 'custom_fields']
    customer = await Customer.get(id=1)
    assert (customer.name, customer.email, customer.other_emails, customer.custom_fields) == \
        ('Marie Laurent-Dupont', 'marie@work.example', ['marie.l@example.com'], {'Plan': 'Gold'})
    event = await StoredEvent.get(kind='customer_updated')
    assert (event.agent_id, event.data) == (ana.id, {'customer_id': 1, 'fields': changed})
    assert [card.details.name for card in shown] == ['Marie Laurent-Dupont']
    conversation_id = (await waiting_ids())[0]
    assert services.inbox.open_items[conversation_id].customer_name == 'Marie Laurent-Dupont'
    assert await services.crm.update(ana, 1, shown[0].details) == []  # nothing changed: nothing written
    assert await StoredEvent.filter(kind='customer_updated').count() == 1


async def test_invalid_crm_edit_is_refused_and_writes_nothing(services: Services, ana: AgentView) -> None:
    details = (await services.crm.card(1)).details
    before = await written()
    with pytest.raises(ActionError, match=r'Company: too long \(121 characters, at most 120\). '
                                          r'"marie\(at\)example.com" is not an e-mail address.'):
        await services.crm.update(ana, 1, replace(details, emails=('marie(at)example.com',), company='c' * 121))
    assert await written() == before
    assert (await Customer.get(id=1)).email == 'marie.laurent@example.com'


# --- presence ---

async def test_presence_changes_are_recorded_with_the_time_spent_before(services: Services, clock: ManualClock,
                                                                        ana: AgentView) -> None:
    assert not services.presence.is_available(ana.id) and services.presence.status(ana.id) == 'offline'
    services.presence.tab_opened(ana.id)
    services.presence.tab_opened(ana.id)  # a second tab changes nothing
    await services.presence.settle()
    assert services.presence.is_available(ana.id)
    clock.advance(timedelta(minutes=50))
    await services.presence.choose(ana, 'on_break')
    assert not services.presence.is_available(ana.id) and services.presence.is_online(ana.id)
    clock.advance(timedelta(minutes=15))
    await services.presence.choose(ana, 'online')
    clock.advance(timedelta(minutes=20))
    await services.presence.choose(ana, 'away')
    assert not services.presence.is_available(ana.id)
    clock.advance(timedelta(minutes=5))
    services.presence.tab_closed(ana.id)
    services.presence.tab_closed(ana.id)
    await services.presence.settle()
    assert services.presence.status(ana.id) == 'offline' and not services.presence.is_online(ana.id)
    assert services.presence.chosen(ana.id) == 'online'  # she was away when she left; she comes back online
    with pytest.raises(ActionError, match='Unknown status'):
        await services.presence.choose(ana, 'offline')
    events = await StoredEvent.filter(kind='presence_changed', agent_id=ana.id).order_by('id') \
        .values_list('data', flat=True)
    transitions = [(data['status'], data['previous'], data['seconds']) for data in events]
    assert transitions == [('online', 'offline', 0), ('on_break', 'online', 3000), ('online', 'on_break', 900),
                           ('away', 'online', 1200), ('offline', 'away', 300)]
    assert time_in_statuses(transitions) == {'online': 4200, 'away': 300, 'on_break': 900, 'offline': 0}


async def test_whoever_is_present_when_the_app_stops_is_recorded_offline(services: Services, clock: ManualClock,
                                                                          ana: AgentView) -> None:
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    clock.advance(timedelta(hours=3))
    await services.presence.close()
    last = await StoredEvent.filter(kind='presence_changed', agent_id=ana.id).order_by('-id').first()
    assert last is not None and last.data == {'status': 'offline', 'previous': 'online', 'seconds': 3 * 3600}


async def test_the_simulator_reports_shifts_and_breaks(services: Services, simulator: Simulator,
                                                       clock: ManualClock) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=10))
    events = await StoredEvent.filter(kind='presence_changed').values_list('agent_id', 'data')
    statuses = {(data['previous'], data['status']) for _, data in events}
    assert {('offline', 'online'), ('online', 'on_break'), ('on_break', 'online'), ('online', 'offline')} <= statuses
    greta = next(agent for agent in services.directory.agents.values() if agent.username == 'greta')
    breaks = [data['seconds'] for agent_id, data in events if agent_id == greta.id and data['previous'] == 'on_break']
    assert breaks and all(seconds > 0 for seconds in breaks)
    on_shift = [agent.id for agent in services.directory.floor() if services.presence.status(agent.id) == 'online']
    assert on_shift and all(services.presence.is_available(agent_id) for agent_id in on_shift)


# --- internal chat ---

async def test_chat_messages_reach_the_room_or_one_colleague(services: Services, ana: AgentView, bruno: AgentView,
                                                             lead: AgentView) -> None:
    posted: list[ChatMessageView] = []
    services.team_chat.posted.subscribe(posted.append)
    await services.team_chat.send(ana, 'Who knows #3? Also see #12 and #3')
    await services.team_chat.send(bruno, 'Psst, ana: <b>#5</b>', to_agent_id=ana.id)
    events = await StoredEvent.filter(kind='chat_message').order_by('id').values_list('agent_id', 'data')
    assert events == [(ana.id, {'length': 33, 'to_agent_id': None, 'references': [3, 12]}),
                      (bruno.id, {'length': 20, 'to_agent_id': ana.id, 'references': [5]})]
    assert [(m.author_name, m.to_agent_id) for m in posted] == [('Ana Ozola', None), ('Bruno Dubois', ana.id)]
    assert [m.body for m in await services.team_chat.history(lead.id, None)] == ['Who knows #3? Also see #12 and #3']
    assert [m.body for m in await services.team_chat.history(ana.id, bruno.id)] == ['Psst, ana: <b>#5</b>']
    assert await services.team_chat.history(lead.id, bruno.id) == []
    assert not posted[1].concerns(lead.id) and posted[1].concerns(ana.id) and posted[0].concerns(lead.id)


async def test_empty_long_or_misaddressed_chat_messages_are_refused(services: Services, ana: AgentView) -> None:
    for text, to, problem in (('  ', None, 'The message is empty.'), ('x' * 2001, None, 'too long'),
                              ('hi', ana.id, 'A direct message goes to someone else.'),
                              ('hi', 999, 'not on the floor')):
        with pytest.raises(ActionError, match=problem):
            await services.team_chat.send(ana, text, to_agent_id=to)
    assert await ChatMessage.all().count() == 0 and not await StoredEvent.filter(kind='chat_message').exists()


# --- ratings ---

async def test_rating_comment_is_stored_and_listed_in_my_ratings(services: Services, clock: ManualClock,
                                                                 ana: AgentView) -> None:
    first, second, third = (await waiting_ids())[:3]
    for conversation_id in (first, second, third):
        await services.inbox.reply(ana, conversation_id, 'Done.')
        await services.inbox.resolve(ana, conversation_id)
    await services.inbox.rate(first, Rating.GOOD, comment='  Quick and friendly, thank you!  ')
    await services.inbox.rate(second, Rating.BAD)
    clock.advance(timedelta(days=8))
    await services.inbox.rate(third, Rating.NEUTRAL, comment='OK in the end.')
    assert (await Conversation.get(id=first)).rating_comment == 'Quick and friendly, thank you!'
    assert (await Conversation.get(id=second)).rating_comment is None
    mine = await services.ratings.of(ana.id)
    assert mine.counts == {Rating.GOOD: 0, Rating.NEUTRAL: 1, Rating.BAD: 0}  # the others are older than 7 days
    assert [(r.conversation_id, r.rating, r.comment.strip()) for r in mine.recent] == [
        (third, Rating.NEUTRAL, 'OK in the end.'), (second, Rating.BAD, ''),
        (first, Rating.GOOD, 'Quick and friendly, thank you!')]
    await services.inbox.customer_message(first, 'One more thing')  # reopening forgets the rating and its comment
    assert (await Conversation.get(id=first)).rating_comment is None


async def test_the_simulator_writes_comments_in_the_customers_language(services: Services, simulator: Simulator,
                                                                      clock: ManualClock) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=6))
    rated = await StoredEvent.filter(kind='rated').values_list('data', flat=True)
    comments = [data['comment'] for data in rated if data['comment']]
    assert rated and 0 < len(comments) < len(rated)
    assert await Conversation.filter(rating_comment__isnull=False).exists()
