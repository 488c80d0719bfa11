"""The agent's side of the game (issue 15) through NiceGUI's simulated users: disputing a rating, incentives on the
progress card, a notice when a conversation is handed over, and the demo's "while you were away"."""
from collections.abc import Callable

from nicegui.testing import User

from models import QuestRow, StoredEvent
from services.domain.events import EventKind, Rating
from services.domain.incentives import Incentive, IncentiveKind
from tests.ui.support import agent, log_in, services, set_value
from tests.ui.test_game_pages import earn_30


async def test_an_agent_disputes_a_rating_and_is_told_the_outcome(user: User) -> None:
    conversation_id = await earn_30('ana', rating=Rating.BAD)
    rated = await StoredEvent.get(kind=EventKind.RATED.value, conversation_id=conversation_id)
    await log_in(user, 'ana')
    user.find(marker='my-ratings-button').click()
    await user.should_see(marker=f'dispute-{rated.id}', retries=50)
    user.find(marker=f'dispute-{rated.id}').click()
    await user.should_see(f'Dispute the bad rating on #{conversation_id}', retries=50)
    user.find(marker='dispute-confirm').click()
    await user.should_see('Say why the rating is unfair: a lead reads it before deciding.', retries=50)
    assert not await StoredEvent.exists(kind=EventKind.RATING_DISPUTED.value)
    user.find(marker='dispute-reason').type('The parcel was late, not my answer')
    user.find(marker='dispute-confirm').click()
    await user.should_see(f'Disputed the rating on #{conversation_id}: a lead will decide.', retries=50)
    await user.should_see(marker=f'dispute-state-{rated.id}', content='disputed: a lead will decide', retries=50)
    await user.should_not_see(marker=f'dispute-{rated.id}', retries=50)  # once per rating
    disputed = await StoredEvent.get(kind=EventKind.RATING_DISPUTED.value)
    assert (disputed.agent_id, disputed.data['rated_event_id']) == (agent('ana').id, rated.id)

    # the lead's side is the next test: NiceGUI's simulated users share one ui.notify, so one user per test
    await services().disputes.reject(agent('lead'), rated.id, 'The customer disliked the answer itself')
    await user.should_see(f'A lead turned down your dispute of the bad rating on #{conversation_id}: The customer '
                          'disliked the answer itself. The rating stands.', retries=50)


async def test_a_lead_sees_the_agents_dispute_and_turns_it_down(user: User) -> None:
    conversation_id = await earn_30('ana', rating=Rating.BAD)
    rated = await StoredEvent.get(kind=EventKind.RATED.value, conversation_id=conversation_id)
    await services().disputes.dispute(agent('ana'), rated.id, 'The parcel was late')
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-disputes').click()
    await user.should_see(marker=f'disputed-{rated.id}', retries=50)
    set_value(user, 'ratings-filter', 'disputed')
    await user.should_see(marker=f'dispute-reason-{rated.id}', content='Ana Ozola says: The parcel was late',
                          retries=50)
    user.find(marker=f'reject-{rated.id}').click()
    await user.should_see('The bad rating stands.', retries=50)
    user.find(marker='invalidate-confirm').click()
    await user.should_see('Say why the rating stands: the agent is told.', retries=50)
    user.find(marker='invalidate-reason').type('The customer disliked the answer itself')
    user.find(marker='invalidate-confirm').click()
    await user.should_see('Turned down; the rating of Ana Ozola stands.', retries=50)
    await user.should_see('No disputes waiting.', retries=50)  # the list follows without a reload
    assert (await StoredEvent.get(kind=EventKind.DISPUTE_REJECTED.value)).data['by'] == agent('lead').id
    # 30 earned, -10 for the unhappy customer, -15 for the fast and on-time points a bad rating cancels (issue 18)
    assert services().game.projection.agents[agent('ana').id].points == -5


async def test_a_conversation_transferred_to_an_agent_arrives_with_a_notice(user: User) -> None:
    await log_in(user, 'ana')
    conversation = min(services().inbox.items(), key=lambda item: item.id)
    bruno = agent('bruno')
    await services().inbox.transfer(bruno, conversation.id, to_agent_id=agent('ana').id, note='Yours')
    await user.should_see(f'{bruno.name} transferred you #{conversation.id} ({conversation.channel.value}, '
                          f'{conversation.customer_name}: {conversation.subject}).', retries=50)


async def test_an_incentive_running_now_shows_on_the_progress_card(user: User) -> None:
    await log_in(user, 'ana')
    await user.should_see(marker='progress-card', retries=50)
    today = services().clock.now().date()  # the demo's clock: all day today is running now
    await services().incentives.save(agent('lead'), Incentive(
        name='all hands', kind=IncentiveKind.MULTIPLIER, starts_on=today, ends_on=today, multiplier=3))
    await user.should_see(marker='card-incentive', content='×3 all hands until 24:00 UTC', retries=50)


async def test_a_lead_makes_a_daily_quest_and_the_agent_sees_todays_round(create_user: Callable[[], User]) -> None:
    lead, ana = create_user(), create_user()
    await log_in(lead, 'lead')
    await lead.open('/admin/game')
    lead.find(marker='tab-quests').click()
    lead.find(marker='new-quest').click()
    await lead.should_see('New quest', retries=50)
    lead.find(marker='quest-title').type('Two replies a day')
    lead.find(marker='quest-event').elements.pop().set_value('replied')
    lead.find(marker='quest-target').clear().type('2')
    set_value(lead, 'quest-preset', 'today')
    set_value(lead, 'quest-repeat', 'daily')
    lead.find(marker='quest-save').click()
    await lead.should_see('Two replies a day saved', retries=50)
    await lead.should_see(marker='admin-quest-two_replies_a_day', retries=50)
    await lead.should_see('a new round every day from', retries=50)
    assert (await QuestRow.get(key='two_replies_a_day')).repeat == 'daily'

    await log_in(ana, 'ana')
    with ana.scope(marker='quest-two_replies_a_day'):
        await ana.should_see('0 of 2', retries=50)
        await ana.should_see('a new round every day', retries=50)


async def test_an_agent_back_in_the_demo_is_told_what_the_simulator_did_as_them(user: User) -> None:
    await earn_30('ana')  # what the simulator does for an agent with no tab open: the same services, as them
    await log_in(user, 'ana')
    await user.should_see('While you were away, the simulator worked as you: +30 points, 1 conversation resolved.',
                          retries=50)
