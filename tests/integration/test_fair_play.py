"""Fair-play scoring on a real database (issue 18): the inbox records how a conversation was taken, the fold scores a
queue jump, an aging bounty, a bad rating's and a reopen's counters from it, and a replay of the log agrees."""
from datetime import timedelta

from models import Customer, LedgerEntry, StoredEvent
from services.container import Services
from services.domain.events import Channel, EventKind, Rating
from services.domain.scoring import policy_as_dict
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView


async def arrive(services: Services, clock: ManualClock, *, priority: str = 'low') -> int:
    customer = await Customer.all().order_by('id').first()
    assert customer is not None
    conversation_id = await services.inbox.create_conversation(
        customer_id=customer.id, channel=Channel.SOCIAL, subject='Where is my parcel?', body='It is late.',
        priority=priority)
    clock.advance(timedelta(minutes=1))
    return conversation_id


async def kinds(event_id: int) -> dict[str, int]:
    return {kind: points for kind, points in
            await LedgerEntry.filter(event_id=event_id).values_list('kind', 'points')}


async def test_taking_a_newer_conversation_past_an_older_one_is_a_queue_jump(services: Services, clock: ManualClock,
                                                                            ana: AgentView, bruno: AgentView) -> None:
    older = await arrive(services, clock)
    newer = await arrive(services, clock)
    urgent = await arrive(services, clock, priority='urgent')
    clock.advance(timedelta(minutes=20))
    await services.inbox.take(ana, newer)  # the older one of its channel, as urgent, still waits
    await services.inbox.take(bruno, urgent)  # more urgent than the ones waiting: no queue jump
    await services.inbox.take(bruno, older)  # the oldest: no queue jump, and it waited 23 minutes
    assigned = {event.conversation_id: event.data for event in await StoredEvent.filter(kind='assigned')}
    passed_over = assigned[newer].get('passed_over', 0)
    assert passed_over >= 1 and 'passed_over' not in assigned[urgent] and 'passed_over' not in assigned[older]

    clock.advance(timedelta(minutes=5))
    for agent, conversation_id in ((ana, newer), (bruno, older)):
        await services.inbox.resolve(agent, conversation_id)
    resolved = {event.conversation_id: event for event in await StoredEvent.filter(kind='resolved')}
    assert resolved[newer].data['passed_over'] == passed_over
    assert resolved[older].data['waited_seconds'] == 23 * 60 and 'passed_over' not in resolved[older].data
    policy = services.scoring.policy
    jump = await kinds(resolved[newer].id)
    assert jump['queue_jump'] == policy.queue_jump and 'fast_resolution' not in jump
    fair = await kinds(resolved[older].id)
    assert fair['fast_resolution'] == policy.fast_resolution and fair['aging_bounty'] == 2 * policy.aging_bounty
    assert await differences(await replay()) == []


async def test_a_bad_rating_cancels_and_a_reopen_costs_once_more_also_after_a_restart(
        services: Services, clock: ManualClock, ana: AgentView) -> None:
    conversation_id = await arrive(services, clock)
    await services.inbox.take(ana, conversation_id)
    await services.inbox.resolve(ana, conversation_id)
    await services.game.load()  # a restart: the resolution is no longer in memory, the log and the ledger have it
    await services.inbox.rate(conversation_id, Rating.BAD)
    rated = await StoredEvent.filter(kind=EventKind.RATED.value).order_by('-id').first()
    assert rated is not None
    cancelled = await LedgerEntry.filter(event_id=rated.id, kind='bad_rating_cancel').values_list('domain', 'points')
    policy = services.scoring.policy
    assert sorted(cancelled) == [('productivity', -policy.on_time_resolution), ('speed', -policy.fast_resolution)]
    await services.game.load()
    await services.inbox.reopen(ana, conversation_id)
    reopened = await StoredEvent.filter(kind=EventKind.REOPENED.value).order_by('-id').first()
    assert reopened is not None
    penalty = await LedgerEntry.filter(event_id=reopened.id, kind='reopen_penalty').values_list('points', flat=True)
    assert sorted(penalty) == sorted([-policy.on_time_resolution, -policy.fast_resolution])
    assert await differences(await replay()) == []


async def test_notes_and_tags_past_the_daily_cap_earn_nothing_also_after_a_restart(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    await services.scoring.save(lead, policy_as_dict(services.scoring.policy) | {
        'note_points': 4, 'tag_points': 3, 'low_value_daily_cap': 10})
    conversation_id = await arrive(services, clock)
    await services.inbox.take(ana, conversation_id)
    await services.inbox.add_note(ana, conversation_id, 'checked')  # 4
    await services.inbox.tag(ana, conversation_id, 'billing')  # 3: 7 today
    await services.load()  # a restart: the day's 7 points from notes and tags are read back, not forgotten
    await services.inbox.add_note(ana, conversation_id, 'see above')  # the 3 left under the cap
    await services.inbox.tag(ana, conversation_id, 'refund')  # nothing: the cap is reached
    entries = await LedgerEntry.filter(agent_id=ana.id, kind__in=['note', 'tag', 'low_value_cap']) \
        .order_by('id').values_list('kind', 'points')
    assert entries == [('note', 4), ('tag', 3), ('note', 3), ('low_value_cap', 0)]
    capped = await LedgerEntry.get(agent_id=ana.id, kind='low_value_cap')
    receipt = await services.receipts.explain(ana, event_id=capped.event_id, agent_id=ana.id, kind='low_value_cap')
    assert receipt.title == f'+0 tag “refund” on #{conversation_id}: daily cap of 10 points from notes and tags reached'
    assert receipt.facts[0].startswith('Notes and tags together earn at most 10 points a day')
    assert [line.text for line in receipt.events if line.scored] == ['Ana Ozola tagged it “refund”']
    clock.advance(timedelta(days=1))  # a new day, a new cap
    await services.inbox.add_note(ana, conversation_id, 'customer called back')
    assert await LedgerEntry.filter(agent_id=ana.id, kind='note').order_by('-id').first().values_list(
        'points', flat=True) == 4
    assert await differences(await replay()) == []  # the live fold, restart and all, is what a replay gives
