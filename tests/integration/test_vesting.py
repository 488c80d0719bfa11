"""Vesting on a real database (issue 18): resolution points are pending for the reopen window and bank after it, a
reopen after the window takes nothing back, the card shows pending and banked (also after a restart), a removed tag
takes its points back; and a replay of the log agrees."""
from datetime import timedelta

from models import LedgerEntry, StoredEvent
from services.container import Services
from services.domain.events import EventKind
from services.domain.scoring import CLAWED_BACK_ON_REOPEN, policy_as_dict
from services.game.progress import ProgressView
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import until
from tests.integration.test_fair_play import arrive


async def resolution_points(conversation_id: int) -> int:
    """What the conversation's latest resolution earned that a reopen would take back."""
    event = await StoredEvent.filter(kind=EventKind.RESOLVED.value, conversation_id=conversation_id) \
        .order_by('-id').first()
    assert event is not None
    return sum(await LedgerEntry.filter(event_id=event.id, kind__in=[kind.value for kind in CLAWED_BACK_ON_REOPEN])
               .values_list('points', flat=True))


async def resolve(services: Services, clock: ManualClock, agent: AgentView) -> int:
    conversation_id = await arrive(services, clock)
    await services.inbox.take(agent, conversation_id)
    await services.inbox.resolve(agent, conversation_id)
    return conversation_id


async def test_a_reopen_after_the_window_keeps_the_points_and_the_card_shows_pending_and_banked(
        services: Services, clock: ManualClock, ana: AgentView) -> None:
    assert services.scoring.policy.reopen_window == timedelta(hours=72)  # a new floor: the window is on
    first = await resolve(services, clock, ana)
    earned = await resolution_points(first)
    assert earned > 0
    card = await services.progress.view(ana.id)
    assert (card.pending, card.banked, card.reopen_window_hours) == (earned, card.points - earned, 72)

    clock.advance(timedelta(hours=73))
    await services.load()  # a restart: what is still pending is read back from the log
    card = await services.progress.view(ana.id)
    assert (card.pending, card.banked) == (0, card.points)
    second = await resolve(services, clock, ana)
    second_earned = await resolution_points(second)
    points_before = services.game.projection.agents[ana.id].points

    await services.inbox.reopen(ana, first)  # after its window: nothing taken back
    reopen = await StoredEvent.filter(kind=EventKind.REOPENED.value).order_by('-id').first()
    assert reopen is not None
    entries = await LedgerEntry.filter(event_id=reopen.id).values_list('kind', 'points', 'reason')
    assert [(kind, points) for kind, points, _ in entries] == [('banked', 0)]
    assert f'#{first}: banked on' in entries[0][2] and 'reopened after the 72 h window' in entries[0][2]
    receipt = await services.receipts.explain(ana, event_id=reopen.id, agent_id=ana.id, kind='banked')
    assert 'takes nothing back' in receipt.facts[0]
    assert services.game.projection.agents[ana.id].points == points_before

    await services.load()
    card = await services.progress.view(ana.id)
    assert (card.pending, card.banked) == (second_earned, card.points - second_earned)
    await services.inbox.reopen(ana, second)  # inside its window: taken back, with the penalty
    reopen = await StoredEvent.filter(kind=EventKind.REOPENED.value).order_by('-id').first()
    assert reopen is not None
    kinds = set(await LedgerEntry.filter(event_id=reopen.id).values_list('kind', flat=True))
    assert kinds == {'clawback', 'reopen_penalty'}
    card = await services.progress.view(ana.id)
    assert card.pending == 0
    assert await differences(await replay()) == []  # the live fold, restarts and all, is what a replay gives


async def test_without_a_window_a_late_reopen_still_takes_back(services: Services, clock: ManualClock,
                                                               ana: AgentView, lead: AgentView) -> None:
    await services.scoring.save(lead, policy_as_dict(services.scoring.policy) | {'reopen_window_hours': 0})
    conversation_id = await resolve(services, clock, ana)
    assert (await services.progress.view(ana.id)).pending == 0
    clock.advance(timedelta(days=10))
    await services.inbox.reopen(ana, conversation_id)
    reopen = await StoredEvent.filter(kind=EventKind.REOPENED.value).order_by('-id').first()
    assert reopen is not None
    assert 'clawback' in await LedgerEntry.filter(event_id=reopen.id).values_list('kind', flat=True)
    assert await differences(await replay()) == []


async def test_an_untag_takes_the_tags_points_back_also_after_a_restart(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    await services.scoring.save(lead, policy_as_dict(services.scoring.policy) | {
        'tag_points': 3, 'low_value_daily_cap': 6})
    conversation_id = await arrive(services, clock)
    await services.inbox.take(ana, conversation_id)
    for _ in range(5):  # a tag, untag loop: one tag's points at most, whatever the count
        await services.inbox.tag(ana, conversation_id, 'billing')
        await services.inbox.untag(ana, conversation_id, 'billing')
    await services.inbox.tag(ana, conversation_id, 'billing')
    await services.load()  # a restart: the tag's award is read back from the log and the ledger
    await services.inbox.untag(ana, conversation_id, 'billing')
    entries = await LedgerEntry.filter(agent_id=ana.id, kind__in=['tag', 'untag', 'low_value_cap']) \
        .order_by('id').values_list('kind', 'points')
    assert entries == [('tag', 3), ('untag', -3)] * 6
    assert sum(points for _, points in entries) == 0
    await services.inbox.tag(ana, conversation_id, 'refund')  # the loop did not use up the day's cap
    await services.inbox.tag(ana, conversation_id, 'urgent')
    assert await LedgerEntry.filter(agent_id=ana.id, kind='tag').order_by('-id').limit(2) \
        .values_list('points', flat=True) == [3, 3]
    untag = await LedgerEntry.filter(kind='untag').order_by('-id').first()
    assert untag is not None
    receipt = await services.receipts.explain(ana, event_id=untag.event_id, agent_id=ana.id, kind='untag')
    assert receipt.title == f'-3 tag “billing” removed from #{conversation_id}: its points taken back'
    assert 'tagging and untagging earns nothing' in receipt.facts[0]
    assert await differences(await replay()) == []


async def test_an_open_card_is_rebuilt_when_its_pending_points_bank_with_the_clock(
        services: Services, clock: ManualClock, ana: AgentView) -> None:
    seen: list[ProgressView] = []
    services.progress.changed(ana.id).subscribe(seen.append)
    await services.progress.view(ana.id)
    conversation_id = await resolve(services, clock, ana)
    earned = await resolution_points(conversation_id)
    await until(lambda: bool(seen) and seen[-1].pending == earned,
                message=lambda: f'the card to show {earned} pending, not {[view.pending for view in seen]}')
    await services.progress.check_incentives()  # the scheduler's step: nothing banked yet, no card rebuilt
    pushed = len(seen)
    await services.progress.check_incentives()
    assert len(seen) == pushed
    clock.advance(timedelta(hours=72))
    await services.progress.check_incentives()
    await until(lambda: seen[-1].pending == 0 and seen[-1].banked == seen[-1].points,
                message=lambda: f'the card to bank the points, not {seen[-1]}')
