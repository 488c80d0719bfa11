"""The rewards store, incentives and disputes on a real database: what they write, who may, and that a replay of the
log gives the same points, ledger and spendable balances."""
import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from models import LedgerEntry, Redemption, Reward, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import EventKind, Rating
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.rewards import RedemptionStatus, RewardDraft
from services.domain.scoring import AwardKind, policy_as_dict
from services.game.rebuild import differences, overwrite, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.notices import Notice
from tests.integration.support import assert_scores_match_projection, waiting_ids, written
from tests.integration.test_rebuild import run_cli


async def resolve_one(services: Services, clock: ManualClock, agent: AgentView,
                      rating: Rating | None = Rating.GOOD) -> int:
    """Answer, resolve (and have rated) the oldest waiting conversation: 30 points with a good rating, 10 with a bad
    one, 20 without (fast +10, on time +5, first contact +5, happy +10 / unhappy −10)."""
    conversation_id = (await waiting_ids())[0]
    clock.advance(timedelta(minutes=2))
    await services.inbox.reply(agent, conversation_id, 'Sorted, have a nice day!')
    clock.advance(timedelta(minutes=2))
    await services.inbox.resolve(agent, conversation_id)
    if rating is not None:
        clock.advance(timedelta(minutes=1))
        await services.inbox.rate(conversation_id, rating)
    return conversation_id


def listen(services: Services, agent: AgentView) -> list[Notice]:
    notices: list[Notice] = []
    services.notices.for_agent(agent.id).subscribe(notices.append)
    return notices


async def assert_rebuild_matches(services: Services) -> None:
    rebuilt = await replay()
    assert await differences(rebuilt) == []
    for agent_id, metrics in rebuilt.metrics.items():
        live = await services.rewards.balance(agent_id)
        assert metrics.points - rebuilt.spending.spent().get(agent_id, 0) == live.available


async def test_two_redeems_at_once_spend_once(services: Services, clock: ManualClock, ana: AgentView,
                                              bruno: AgentView, lead: AgentView) -> None:
    await resolve_one(services, clock, ana)
    coffee = next(reward for reward in services.rewards.catalogue() if reward.name == 'Coffee on the house')
    assert (coffee.cost, (await services.rewards.balance(ana.id)).available) == (30, 30)

    results = await asyncio.gather(services.rewards.redeem(ana, coffee.id), services.rewards.redeem(ana, coffee.id),
                                   return_exceptions=True)
    assert sorted(type(result).__name__ for result in results) == ['ActionError', 'RedemptionView']
    assert 'you have 0 to spend' in str(next(result for result in results if isinstance(result, ActionError)))
    assert await Redemption.filter(agent_id=ana.id).count() == 1
    assert await StoredEvent.filter(kind=EventKind.REWARD_REDEEMED.value).count() == 1
    assert (await services.rewards.balance(ana.id)).available == 0

    # the last one in stock, two agents who can both afford it, at once: one gets it
    await resolve_one(services, clock, bruno)
    await resolve_one(services, clock, ana)
    last = await services.rewards.save(lead, RewardDraft(name='Signed mug', cost=20, stock=1))
    results = await asyncio.gather(services.rewards.redeem(ana, last.id), services.rewards.redeem(bruno, last.id),
                                   return_exceptions=True)
    assert sorted(type(result).__name__ for result in results) == ['ActionError', 'RedemptionView']
    assert (await Reward.get(id=last.id)).stock == 0
    assert services.rewards.rewards[last.id].stock_text == 'out of stock'
    await assert_rebuild_matches(services)


async def test_approve_deny_refund_and_stock(services: Services, clock: ManualClock, ana: AgentView,
                                             bruno: AgentView, lead: AgentView) -> None:
    await resolve_one(services, clock, ana)
    voucher = await services.rewards.save(lead, RewardDraft(name='Voucher', description='A small thank-you', cost=10,
                                                            stock=2))
    notices = listen(services, ana)
    first = await services.rewards.redeem(ana, voucher.id)
    second = await services.rewards.redeem(ana, voucher.id)
    assert (await Reward.get(id=voucher.id)).stock == 0
    with pytest.raises(ActionError, match='Voucher is out of stock'):
        await services.rewards.redeem(ana, voucher.id)
    assert [r.id for r in await services.rewards.pending(lead)] == [first.id, second.id]
    assert (await services.rewards.balance(ana.id)).available == 10

    for refused in (lambda: services.rewards.decide(bruno, first.id, approve=True),
                    lambda: services.rewards.pending(ana),
                    lambda: services.rewards.save(ana, RewardDraft(name='Free money', cost=1))):
        before = await written()
        with pytest.raises(ActionError, match='Only a lead'):
            await refused()
        assert await written() == before

    await services.rewards.decide(lead, first.id, approve=True)
    await services.rewards.decide(lead, second.id, approve=False, note='  Out of vouchers this month  ')
    assert [notice.text for notice in notices] == [
        'Voucher was approved, enjoy!', 'Voucher was denied and its 10 points refunded: Out of vouchers this month']
    assert (await Reward.get(id=voucher.id)).stock == 1  # restored by the denial
    assert services.rewards.rewards[voucher.id].stock == 1
    assert (await services.rewards.balance(ana.id)).available == 20  # 30 − 10 approved
    assert [(r.status, r.note) for r in await services.rewards.redemptions_of(ana.id)] == [
        (RedemptionStatus.DENIED, 'Out of vouchers this month'), (RedemptionStatus.APPROVED, '')]
    with pytest.raises(ActionError, match='Voucher was already denied'):
        await services.rewards.decide(lead, second.id, approve=True)
    pricey = await services.rewards.save(lead, RewardDraft(name='Pricey', cost=30))
    with pytest.raises(ActionError, match='Pricey costs 30 points; you have 20 to spend'):
        await services.rewards.redeem(ana, pricey.id)

    await services.rewards.save(lead, RewardDraft(name='Voucher', cost=10, stock=1, active=False),
                                reward_id=voucher.id)
    assert voucher.id not in {reward.id for reward in services.rewards.catalogue()}
    with pytest.raises(ActionError, match='no longer offered'):
        await services.rewards.redeem(ana, voucher.id)
    with pytest.raises(ActionError, match='Cost: between'):
        await services.rewards.save(lead, RewardDraft(name='Nothing', cost=0))

    await assert_rebuild_matches(services)
    await Redemption.filter(id=second.id).update(status='approved')  # a tampered redemption is found
    assert await differences(await replay()) == [
        f'redemption {second.id}: stored agent {ana.id} 10 points approved, rebuilt agent {ana.id} 10 points denied']
    await overwrite(await replay())
    assert (await Redemption.get(id=second.id)).status == 'denied'
    await assert_rebuild_matches(services)


def now_to_next_hour(clock: ManualClock, name: str, **fields) -> Incentive:
    today = clock.now().date()
    start = clock.now().replace(minute=0)
    return Incentive(name=name, starts_on=today, ends_on=today, from_time=f'{start.hour:02d}:00',
                     until_time=f'{start.hour + 1:02d}:00', **fields)


async def test_an_incentive_applies_in_its_window_only_and_a_replay_agrees(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView, db_url: str) -> None:
    incentive = await services.incentives.save(lead, now_to_next_hour(clock, 'morning rush',
                                                                      kind=IncentiveKind.MULTIPLIER, multiplier=2))
    first = await resolve_one(services, clock, ana, rating=None)  # at 08:04
    entries = await LedgerEntry.filter(agent_id=ana.id, kind=AwardKind.INCENTIVE.value).order_by('id') \
        .values_list('points', 'reason')
    assert entries == [(10, f'×2 morning rush: fast resolution of #{first}'),
                       (5, f'×2 morning rush: on-time resolution of #{first}'),
                       (5, f'×2 morning rush: first-contact resolution of #{first}')]
    assert services.game.projection.agents[ana.id].points == 40
    assert [i.id for i in services.incentives.running()] == [incentive.id]

    clock.advance(timedelta(hours=1))  # 09:04: over
    await resolve_one(services, clock, ana, rating=None)
    assert await LedgerEntry.filter(agent_id=ana.id, kind=AwardKind.INCENTIVE.value).count() == 3
    # waited over an hour: no fast resolution, and the aging bounty's 5 steps of +8 (fair play, issue 18)
    assert services.game.projection.agents[ana.id].points == 90

    # a bonus beyond one resolution an hour, across a restart (the live fold reloads the hour's count from the log)
    await services.incentives.save(lead, now_to_next_hour(clock, 'bonus hour', kind=IncentiveKind.BONUS,
                                                          bonus_points=7, beyond_per_hour=1))
    await resolve_one(services, clock, ana, rating=None)
    await resolve_one(services, clock, ana, rating=None)
    await services.game.load()
    await services.incentives.load()
    await resolve_one(services, clock, ana, rating=None)
    bonuses = await LedgerEntry.filter(agent_id=ana.id, reason__startswith='bonus hour').values_list('points',
                                                                                                   flat=True)
    assert bonuses == [7, 7]
    await services.incentives.delete(lead, incentive.id)
    await assert_rebuild_matches(services)
    await assert_scores_match_projection(services)
    if db_url.startswith('sqlite'):
        code, output = await run_cli('--check', '--db-url', db_url)
        assert code == 0 and 'OK: the stored projections match the event log' in output, output


async def test_only_leads_set_incentives_and_a_wrong_one_is_refused(services: Services, clock: ManualClock,
                                                                     ana: AgentView, lead: AgentView) -> None:
    good = now_to_next_hour(clock, 'x', kind=IncentiveKind.MULTIPLIER, multiplier=2)
    before = await written()
    with pytest.raises(ActionError, match='Only a lead can set incentives'):
        await services.incentives.save(ana, good)
    with pytest.raises(ActionError, match='The start time must be before the end time. Multiplier: between 1 and 5.'):
        await services.incentives.save(lead, Incentive(name='backwards', kind=IncentiveKind.MULTIPLIER,
                                                       starts_on=good.starts_on, ends_on=good.ends_on,
                                                       from_time='17:00', until_time='14:00', multiplier=7))
    saved = await services.incentives.save(lead, good)
    with pytest.raises(ActionError, match='Only a lead can set incentives'):
        await services.incentives.delete(ana, saved.id)
    assert await StoredEvent.all().count() == before.events + 1


async def test_an_invalidated_rating_is_compensated_once_and_the_agent_is_told(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    # a bad rating that cancels nothing more than its own -10 (fair play's cancel has its tests): one entry to undo
    await services.scoring.save(lead, policy_as_dict(replace(services.scoring.policy, bad_rating_cancel_percent=0)))
    conversation_id = await resolve_one(services, clock, ana, rating=Rating.BAD)
    assert services.game.projection.agents[ana.id].points == 10
    rated = await StoredEvent.get(kind=EventKind.RATED.value, conversation_id=conversation_id)
    notices = listen(services, ana)
    for refused, message in ((lambda: services.disputes.invalidate(bruno, rated.id, 'unfair'), 'Only a lead'),
                             (lambda: services.disputes.invalidate(lead, rated.id, '   '), 'Say why'),
                             (lambda: services.disputes.ratings(ana), 'Only a lead')):
        before = await written()
        with pytest.raises(ActionError, match=message):
            await refused()
        assert await written() == before

    compensated = await services.disputes.invalidate(lead, rated.id, 'The customer was angry at the courier')
    assert compensated == 10
    assert services.game.projection.agents[ana.id].points == 20
    assert services.game.projection.agents[ana.id].negative_ratings == 0
    entries = await LedgerEntry.filter(agent_id=ana.id).order_by('id').values_list('points', 'kind', 'reason')
    assert entries[-2] == (-10, AwardKind.UNHAPPY_CUSTOMER.value, f'unhappy customer on #{conversation_id}')  # kept
    assert entries[-1] == (10, AwardKind.DISPUTE.value,
                           f'rating invalidated: unhappy customer on #{conversation_id} compensated')
    assert [notice.text for notice in notices] == [
        f'A lead invalidated the bad rating on #{conversation_id}: The customer was angry at the courier. '
        '+10 points compensate it.']
    receipts = (await services.progress.view(ana.id)).receipts
    assert receipts[0].text == f'+10 rating invalidated: unhappy customer on #{conversation_id} compensated'
    listed = await services.disputes.ratings(lead, only=Rating.BAD)
    assert [(r.event_id, r.points, r.invalidated_because) for r in listed] == [
        (rated.id, -10, 'The customer was angry at the courier')]

    before = await written()
    with pytest.raises(ActionError, match='already invalidated'):
        await services.disputes.invalidate(lead, rated.id, 'again')
    assert await written() == before
    await assert_rebuild_matches(services)
    await assert_scores_match_projection(services)
