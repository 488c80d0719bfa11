"""The rewards store and the leads' /admin/game through NiceGUI's simulated users."""
from collections.abc import Callable

from nicegui.testing import User

from models import Incentive, LedgerEntry, Redemption, StoredEvent
from services.domain.events import Channel, EventKind, Rating
from tests.ui.support import agent, log_in, services


async def earn_30(username: str, rating: Rating = Rating.GOOD) -> int:
    """Answer, resolve and have rated the oldest waiting conversation (a good rating makes it 30 points). Not a chat:
    the demo's incentive doubles chats from 14:00 to 17:00 UTC, and these tests run on the real clock."""
    conversation_id = min(item.id for item in services().inbox.items()
                          if item.assignee_id is None and item.channel != Channel.CHAT)
    who = agent(username)
    await services().inbox.reply(who, conversation_id, 'All sorted!')
    await services().inbox.resolve(who, conversation_id)
    await services().inbox.rate(conversation_id, rating)
    return conversation_id


async def test_agent_redeems_a_reward_and_is_told_when_a_lead_approves(user: User) -> None:
    await log_in(user, 'ana')
    user.find(marker='rewards-link').click()
    await user.should_see('points to spend', retries=50)
    await user.should_see('Coffee on the house', retries=50)
    await user.should_see(marker='balance', content='0', retries=50)
    await user.should_see('Nothing redeemed yet.')
    coffee = next(reward for reward in services().rewards.catalogue() if reward.name == 'Coffee on the house')
    assert not user.find(marker=f'redeem-{coffee.id}').elements.pop().enabled  # 30 points, none to spend

    await earn_30('ana')
    await user.should_see(marker='balance', content='30', retries=50)  # live, without a reload
    user.find(marker=f'redeem-{coffee.id}').click()
    await user.should_see('Redeem Coffee on the house for 30 points? You will have 0 points left', retries=50)
    user.find(marker='redeem-confirm-yes').click()
    await user.should_see('Redeemed Coffee on the house', retries=50)
    redemption = await Redemption.get(agent_id=agent('ana').id)
    await user.should_see(marker=f'redemption-status-{redemption.id}', content='pending', retries=50)
    await user.should_see(marker='balance', content='0', retries=50)

    await services().rewards.decide(agent('lead'), redemption.id, approve=True)
    await user.should_see('Coffee on the house was approved, enjoy!', retries=50)
    await user.should_see(marker=f'redemption-status-{redemption.id}', content='approved', retries=50)


async def test_the_workspace_tells_the_agent_of_an_invalidated_rating(user: User) -> None:
    conversation_id = await earn_30('ana', rating=Rating.BAD)
    await log_in(user, 'ana')
    rated = await StoredEvent.get(kind=EventKind.RATED.value, conversation_id=conversation_id)
    await services().disputes.invalidate(agent('lead'), rated.id, 'A courier problem')
    # +10 for the unhappy customer, +15 for the fast and on-time points the bad rating cancelled (fair play, issue 18)
    await user.should_see(f'A lead invalidated the bad rating on #{conversation_id}: A courier problem. +25 points '
                          'compensate it.', retries=50)
    await user.should_see(f'+10 rating invalidated: unhappy customer on #{conversation_id} compensated', retries=50)


async def test_an_agent_cannot_use_the_game_admin(user: User) -> None:
    await log_in(user, 'ana')
    await user.open('/admin/game')
    await user.should_see('The game settings are for leads.', retries=50)
    await user.should_see(marker='rewards-link', retries=50)  # back on the workspace
    await user.should_not_see(marker='tab-approvals')
    await user.should_not_see(marker='admin-game-link')


async def test_lead_manages_rewards_and_approves_and_denies(create_user: Callable[[], User]) -> None:
    lead, ana = create_user(), create_user()
    await log_in(ana, 'ana')
    await earn_30('ana')
    await earn_30('ana')
    await log_in(lead, 'lead')
    lead.find(marker='admin-game-link').click()
    await lead.should_see(marker='tab-rewards', retries=50)
    await lead.should_see('Movie voucher', retries=50)

    lead.find(marker='new-reward').click()
    lead.find(marker='reward-name').type('Concert ticket')
    lead.find(marker='reward-save').click()
    await lead.should_see('Cost: between 1 and 100,000 points.', retries=50)
    lead.find(marker='reward-cost').type('25')
    lead.find(marker='reward-stock').type('1')
    lead.find(marker='reward-save').click()
    await lead.should_see('Saved Concert ticket', retries=50)
    concert = next(reward for reward in services().rewards.catalogue() if reward.name == 'Concert ticket')
    await lead.should_see(marker=f'admin-stock-{concert.id}', content='1 left', retries=50)

    first = await services().rewards.redeem(agent('ana'), concert.id)
    coffee = next(reward for reward in services().rewards.catalogue() if reward.name == 'Coffee on the house')
    second = await services().rewards.redeem(agent('ana'), coffee.id)
    lead.find(marker='tab-approvals').click()
    await lead.should_see(marker=f'pending-{first.id}', retries=50)  # the queue follows without a reload
    await lead.should_see(marker=f'admin-stock-{concert.id}', content='out of stock', retries=50)
    lead.find(marker=f'approve-{first.id}').click()
    await lead.should_see('Approved Concert ticket for Ana Ozola.', retries=50)
    lead.find(marker=f'deny-{second.id}').click()
    lead.find(marker='deny-note').type('Coffee machine is broken')
    lead.find(marker='deny-confirm').click()
    await lead.should_see('Denied Coffee on the house for Ana Ozola.', retries=50)
    await lead.should_see(marker=f'decided-status-{second.id}', content='denied', retries=50)
    assert (await services().rewards.balance(agent('ana').id)).available == 60 - 25

    lead.find(marker='tab-rewards').click()
    lead.find(marker=f'toggle-reward-{concert.id}').click()
    await lead.should_see('Concert ticket is no longer offered.', retries=50)
    assert concert.id not in {reward.id for reward in services().rewards.catalogue()}


async def test_lead_sets_an_incentive_and_invalidates_a_rating(user: User) -> None:
    conversation_id = await earn_30('ana', rating=Rating.BAD)
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-incentives').click()
    await user.should_see('×2 chat afternoon', retries=50)  # the demo's
    user.find(marker='new-incentive').click()
    user.find(marker='incentive-name').type('late shift')
    user.find(marker='incentive-from').clear().type('18:00')
    user.find(marker='incentive-until').clear().type('17:00')
    user.find(marker='incentive-save').click()
    await user.should_see('The start time must be before the end time.', retries=50)
    user.find(marker='incentive-until').clear().type('22:00')
    user.find(marker='incentive-save').click()
    await user.should_see('Saved ×2 late shift', retries=50)
    saved = await Incentive.get(name='late shift')
    assert (saved.from_time, saved.until_time, saved.multiplier) == ('18:00', '22:00', 2)
    assert saved.id in services().game.projection.incentives.incentives  # the live fold applies it

    user.find(marker='tab-disputes').click()
    rated = await StoredEvent.get(kind=EventKind.RATED.value, conversation_id=conversation_id)
    await user.should_see(marker=f'rating-{rated.id}', retries=50)
    user.find(marker=f'invalidate-{rated.id}').click()
    await user.should_see('+25 points compensate it.', retries=50)  # the unhappy customer and the cancelled points
    user.find(marker='invalidate-confirm').click()
    await user.should_see('Say why the rating is unfair', retries=50)
    user.find(marker='invalidate-reason').type('The parcel service lost it, not Ana')
    user.find(marker='invalidate-confirm').click()
    await user.should_see('Invalidated; +25 points for Ana Ozola.', retries=50)
    await user.should_see(marker=f'invalidated-{rated.id}', retries=50)
    # one entry per entry of the rating's: the unhappy customer and the two domains of the cancelled points
    assert await LedgerEntry.filter(kind='dispute', agent_id=agent('ana').id).count() == 3

