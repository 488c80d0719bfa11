"""The inbox on a real database: replies, resolutions, ratings and reopens, and what each writes (or does not)."""
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from models import AgentScore, Conversation, LedgerEntry, Message, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind, Rating
from services.domain.inbox import MAX_REPLY_LENGTH
from services.domain.projection import Outcome
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import assert_scores_match_projection, ledger_of, waiting_ids, written


async def test_reply_resolve_rate_writes_events_and_ledger(services: Services, clock: ManualClock,
                                                           ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    conversation = await Conversation.get(id=conversation_id).prefetch_related('customer')
    assert conversation.customer.name == 'Marie Laurent' and conversation.assignee_id is None

    clock.advance(timedelta(minutes=5))
    body = await services.inbox.reply(ana, conversation_id, '  Let me check that for you.  ')
    assert body == 'Let me check that for you.'
    conversation = await Conversation.get(id=conversation_id)
    assert (conversation.assignee_id, conversation.status, conversation.first_response_at) == \
        (ana.id, 'pending', clock.now())
    clock.advance(timedelta(minutes=1))
    body = await services.inbox.reply(ana, conversation_id, '/hello')
    assert body == f'Hi Marie, thanks for reaching out! I am looking into ticket #{conversation_id} right now.'
    detail = await services.inbox.detail(conversation_id)
    assert [(m.author_kind, m.author_name, m.body) for m in detail.messages][1:] == [
        ('agent', 'Ana Ozola', 'Let me check that for you.'), ('agent', 'Ana Ozola', body)]
    assert detail.messages[0].author_name == 'Marie Laurent'

    clock.advance(timedelta(minutes=10))
    await services.inbox.resolve(ana, conversation_id)
    resolved_at = clock.now()
    clock.advance(timedelta(minutes=3))
    await services.inbox.rate(conversation_id, Rating.GOOD, comment='thanks!')

    events = await StoredEvent.filter(conversation_id=conversation_id).order_by('id')
    assert [(event.kind, event.agent_id) for event in events] == [
        ('conversation_created', None), ('assigned', ana.id), ('replied', ana.id), ('replied', ana.id),
        ('resolved', ana.id), ('rated', ana.id)]
    assert [events[2].data['canned'], events[3].data['canned']] == [None, 'hello']
    assert events[4].data['inbound_count'] == 1
    assert events[5].data == {'rating': 'good', 'comment': 'thanks!', 'channel': 'email'}
    resolved_event, rated_event = events[4], events[5]

    ticket = f'#{conversation_id}'
    entries = await LedgerEntry.filter(agent_id=ana.id).order_by('id')
    assert [(entry.event_id, entry.points, entry.domain, entry.reason) for entry in entries] == [
        (resolved_event.id, 10, 'speed', f'fast resolution of {ticket}'),
        (resolved_event.id, 5, 'productivity', f'on-time resolution of {ticket}'),
        (resolved_event.id, 5, 'quality', f'first-contact resolution of {ticket}'),
        (rated_event.id, 10, 'quality', f'happy customer on {ticket}')]
    assert [entry.occurred_at for entry in entries] == [resolved_at] * 3 + [clock.now()]

    score = await AgentScore.get(agent_id=ana.id)
    assert (score.points, score.quality, score.speed, score.productivity, score.resolved, score.replies,
            score.positive_ratings, score.negative_ratings, score.level, score.last_event_id) == \
        (30, 15, 10, 5, 1, 2, 1, 0, 1, rated_event.id)
    await assert_scores_match_projection(services)

    view = await services.progress.view(ana.id)
    assert [receipt.text for receipt in view.receipts] == [
        f'+10 happy customer on {ticket}', f'+5 first-contact resolution of {ticket}',
        f'+5 on-time resolution of {ticket}', f'+10 fast resolution of {ticket}']
    assert conversation_id not in services.inbox.open_items


async def test_late_resolution_after_a_follow_up_costs_points(services: Services, clock: ManualClock,
                                                               ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]  # high priority: due four hours after it came in
    await services.inbox.reply(ana, conversation_id, '/moreinfo')
    clock.advance(timedelta(minutes=30))
    await services.inbox.customer_message(conversation_id, 'Here is the screenshot.')
    assert (await Conversation.get(id=conversation_id)).status == 'open'
    clock.advance(timedelta(hours=4))
    await services.inbox.resolve(ana, conversation_id)
    await services.inbox.rate(conversation_id, Rating.BAD)
    assert await ledger_of(ana.id) == [(-5, 'productivity', f'late resolution of #{conversation_id}'),
                                       (-10, 'quality', f'unhappy customer on #{conversation_id}')]
    score = await AgentScore.get(agent_id=ana.id)
    assert (score.points, score.negative_ratings, score.resolved) == (-15, 1, 1)
    await assert_scores_match_projection(services)


async def test_failed_actions_write_nothing(services: Services, clock: ManualClock, ana: AgentView,
                                            bruno: AgentView) -> None:
    mine, unassigned, rated, _, *_ = await waiting_ids()
    await services.inbox.reply(ana, mine, 'On it.')
    await services.inbox.reply(ana, rated, 'Done.')
    clock.advance(timedelta(minutes=10))
    await services.inbox.resolve(ana, rated)
    await services.inbox.rate(rated, Rating.NEUTRAL)
    before = await written()
    projection_before = {agent_id: m.as_dict() for agent_id, m in services.game.projection.agents.items()}
    committed: list[list[Outcome]] = []
    services.game.committed.subscribe(committed.append)

    inbox = services.inbox
    assigned_to_ana = rf'#{mine} is assigned to Ana Ozola, not to you\.'
    failures: list[tuple[Callable[[], Awaitable[object]], str]] = [
        (lambda: inbox.reply(ana, mine, '   '), 'The reply is empty'),
        (lambda: inbox.reply(ana, mine, 'x' * (MAX_REPLY_LENGTH + 1)), 'Reply: too long'),
        (lambda: inbox.reply(ana, mine, '/nope'), r'There is no canned reply /nope\.'),
        (lambda: inbox.reply(ana, unassigned, ' /nope '), r'There is no canned reply /nope\.'),
        (lambda: inbox.reply(bruno, mine, 'Let me help.'), assigned_to_ana),
        (lambda: inbox.reply(bruno, mine, '/hello'), assigned_to_ana),
        (lambda: inbox.resolve(bruno, mine), assigned_to_ana),
        (lambda: inbox.take(bruno, mine), rf'#{mine} is already assigned to Ana Ozola\.'),
        (lambda: inbox.resolve(ana, unassigned), rf'#{unassigned} is not assigned to anyone yet'),
        (lambda: inbox.resolve(ana, rated), rf'#{rated} is already resolved\.'),
        (lambda: inbox.reply(ana, rated, 'More?'), rf'#{rated} is already resolved\.'),
        (lambda: inbox.rate(mine, Rating.GOOD), rf'#{mine} is not resolved, so it cannot be rated\.'),
        (lambda: inbox.rate(unassigned, Rating.BAD), rf'#{unassigned} is not resolved, so it cannot be rated\.'),
        (lambda: inbox.rate(rated, Rating.GOOD), rf'#{rated} was already rated\.'),
        (lambda: inbox.reopen(ana, mine), rf'#{mine} is not resolved, so it cannot be reopened\.'),
        (lambda: inbox.reopen(bruno, rated), rf'#{rated} is assigned to Ana Ozola, not to you\.'),
        (lambda: inbox.resolve(ana, 99999), r'Conversation #99999 does not exist\.'),
        (lambda: inbox.create_conversation(customer_id=1, channel=Channel.EMAIL, subject='Hi', body='Hello',
                                           priority='whenever'), "Unknown priority 'whenever'"),
    ]
    for action, message in failures:
        with pytest.raises(ActionError, match=message):
            await action()
        assert await written() == before, message

    assert committed == []
    assert {agent_id: m.as_dict() for agent_id, m in services.game.projection.agents.items()} == projection_before
    assert (await Conversation.get(id=mine)).status == 'pending'
    assert (await Conversation.get(id=unassigned)).assignee_id is None
    assert (await Conversation.get(id=rated)).rating == 'neutral'


async def test_a_rolled_back_unit_of_work_leaves_no_trace(services: Services, ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(ana, conversation_id, 'Hello')
    before = await written()
    projection_before = services.game.projection.agents[ana.id].as_dict()
    committed: list[list[Outcome]] = []
    services.game.committed.subscribe(committed.append)

    with pytest.raises(RuntimeError, match='disk on fire'):
        async with services.game.unit_of_work() as work:
            await Message.create(conversation_id=conversation_id, author_kind='agent', agent_id=ana.id, body='lost',
                                 created_at=services.clock.now())
            event = await work.record(EventKind.REPLIED, agent_id=ana.id, conversation_id=conversation_id,
                                      data={'length': 4})
            assert event is not None and services.game.projection.agents[ana.id].replies == 2
            raise RuntimeError('disk on fire')

    assert await written() == before
    assert services.game.projection.agents[ana.id].as_dict() == projection_before  # reloaded from the log
    assert committed == []
    await services.inbox.reply(ana, conversation_id, 'Still here')  # the writer is free again
    assert (await AgentScore.get(agent_id=ana.id)).replies == 2


async def test_reopen_takes_back_resolution_and_first_contact_points(services: Services, clock: ManualClock,
                                                                      ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    ticket = f'#{conversation_id}'
    await services.inbox.reply(ana, conversation_id, '/refund')
    clock.advance(timedelta(minutes=20))
    await services.inbox.resolve(ana, conversation_id)
    await services.inbox.rate(conversation_id, Rating.GOOD)
    original = await LedgerEntry.filter(agent_id=ana.id).order_by('id').values_list('id', 'points', 'reason')

    clock.advance(timedelta(minutes=5))
    await services.inbox.reopen(ana, conversation_id)
    conversation = await Conversation.get(id=conversation_id)
    assert (conversation.status, conversation.resolved_at, conversation.rating, conversation.waiting_since) == \
        ('open', None, None, clock.now())
    reopened = await StoredEvent.filter(kind='reopened').get()
    assert reopened.data == {'reason': 'reopened by Ana Ozola'}
    assert await ledger_of(ana.id) == [
        (10, 'speed', f'fast resolution of {ticket}'), (5, 'productivity', f'on-time resolution of {ticket}'),
        (5, 'quality', f'first-contact resolution of {ticket}'), (10, 'quality', f'happy customer on {ticket}'),
        (-10, 'speed', f'reopened {ticket}: fast resolution of {ticket} taken back'),
        (-5, 'productivity', f'reopened {ticket}: on-time resolution of {ticket} taken back'),
        (-5, 'quality', f'reopened {ticket}: first-contact resolution of {ticket} taken back'),
        # fair play (issue 18): a reopen costs the fast and on-time points once more
        (-10, 'speed', f'reopened {ticket}: fast resolution of {ticket} cost once more'),
        (-5, 'productivity', f'reopened {ticket}: on-time resolution of {ticket} cost once more')]
    assert await LedgerEntry.filter(agent_id=ana.id).order_by('id').limit(4).values_list('id', 'points', 'reason') \
        == original  # history is never rewritten
    assert set(await LedgerEntry.filter(points__lt=0).values_list('event_id', flat=True)) == {reopened.id}
    score = await AgentScore.get(agent_id=ana.id)
    assert (score.points, score.quality, score.speed, score.productivity, score.resolved, score.positive_ratings) == \
        (-5, 10, -10, -5, 0, 1)

    # the customer writes again after the second resolution: that reopens too, and there is no first contact left
    clock.advance(timedelta(minutes=10))
    await services.inbox.resolve(ana, conversation_id)
    clock.advance(timedelta(minutes=10))
    await services.inbox.customer_message(conversation_id, 'It broke again.')
    clock.advance(timedelta(minutes=10))
    await services.inbox.reply(ana, conversation_id, 'Fixed for good now.')
    await services.inbox.resolve(ana, conversation_id)
    kinds = await StoredEvent.filter(conversation_id=conversation_id).order_by('id').values_list('kind', flat=True)
    assert kinds[-5:] == ['resolved', 'reopened', 'customer_message', 'replied', 'resolved']
    assert (await ledger_of(ana.id))[9:] == [
        (10, 'speed', f'fast resolution of {ticket}'), (5, 'productivity', f'on-time resolution of {ticket}'),
        (5, 'quality', f'first-contact resolution of {ticket}'),
        (-10, 'speed', f'reopened {ticket}: fast resolution of {ticket} taken back'),
        (-5, 'productivity', f'reopened {ticket}: on-time resolution of {ticket} taken back'),
        (-5, 'quality', f'reopened {ticket}: first-contact resolution of {ticket} taken back'),
        (-10, 'speed', f'reopened {ticket}: fast resolution of {ticket} cost once more'),
        (-5, 'productivity', f'reopened {ticket}: on-time resolution of {ticket} cost once more'),
        (10, 'speed', f'fast resolution of {ticket}'), (5, 'productivity', f'on-time resolution of {ticket}')]
    score = await AgentScore.get(agent_id=ana.id)
    assert (score.points, score.resolved) == (-5, 1)
    await assert_scores_match_projection(services)


async def test_a_lead_can_take_over_an_assigned_conversation(services: Services, ana: AgentView,
                                                             lead: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.take(ana, conversation_id)
    await services.inbox.take(ana, conversation_id)  # taking one's own conversation again changes nothing
    await services.inbox.take(lead, conversation_id)
    assert (await Conversation.get(id=conversation_id)).assignee_id == lead.id
    assert await StoredEvent.filter(kind='assigned').order_by('id').values_list('agent_id', flat=True) == \
        [ana.id, lead.id]
    assert services.inbox.open_items[conversation_id].assignee_id == lead.id


async def test_the_same_idempotency_key_stores_one_event(services: Services, ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    async with services.game.unit_of_work() as work:
        await work.record(EventKind.REPLIED, agent_id=ana.id, conversation_id=conversation_id, data={'length': 5},
                          key='reply:once')
    committed = []
    async with services.game.unit_of_work() as work:  # delivered again: the whole unit of work is rolled back
        await work.record(EventKind.REPLIED, agent_id=ana.id, conversation_id=conversation_id, data={'length': 5},
                          key='reply:once')
        work.after_commit(lambda: committed.append(True))
    assert not committed
    assert await StoredEvent.filter(key='reply:once').count() == 1
    assert await StoredEvent.filter(kind='replied').count() == 1
    assert services.game.projection.agents[ana.id].replies == 1
    assert (await AgentScore.get(agent_id=ana.id)).replies == 1


async def test_a_repeated_action_changes_nothing(services: Services, ana: AgentView) -> None:
    """A retried request (same key) writes neither the event nor the helpdesk rows a second time."""
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(ana, conversation_id, 'With a key', key='reply:twice')
    await services.inbox.reply(ana, conversation_id, 'With a key', key='reply:twice')
    assert await StoredEvent.filter(key='reply:twice').values_list('kind', 'agent_id') == [('replied', ana.id)]
    assert await Message.filter(conversation_id=conversation_id, author_kind='agent').count() == 1
    customer_id = (await Conversation.get(id=conversation_id)).customer_id
    conversations_before = await Conversation.all().count()
    first = await services.inbox.create_conversation(customer_id=customer_id, channel=Channel.CHAT, subject='Hi',
                                                     body='Hello?', key='arrival:1')
    again = await services.inbox.create_conversation(customer_id=customer_id, channel=Channel.CHAT, subject='Hi',
                                                     body='Hello?', key='arrival:1')
    assert again == first
    assert await Conversation.all().count() == conversations_before + 1


async def test_a_reopen_after_a_restart_claws_back_from_the_ledger(services: Services, clock: ManualClock,
                                                                   ana: AgentView) -> None:
    """The live service keeps only recent resolutions in memory; older ones are read back from log and ledger."""
    first, second = (await waiting_ids())[:2]
    for conversation_id in (first, second):
        await services.inbox.reply(ana, conversation_id, '/hello')
        await services.inbox.resolve(ana, conversation_id)
    await services.game.load()  # a restart: nothing remembered but the maintained aggregates
    assert first not in services.game.projection.resolutions
    clock.advance(timedelta(minutes=5))
    await services.inbox.reopen(ana, first)
    assert await ledger_of(ana.id) == [
        (10, 'speed', f'fast resolution of #{first}'), (5, 'productivity', f'on-time resolution of #{first}'),
        (5, 'quality', f'first-contact resolution of #{first}'),
        (10, 'speed', f'fast resolution of #{second}'), (5, 'productivity', f'on-time resolution of #{second}'),
        (5, 'quality', f'first-contact resolution of #{second}'),
        (-10, 'speed', f'reopened #{first}: fast resolution of #{first} taken back'),
        (-5, 'productivity', f'reopened #{first}: on-time resolution of #{first} taken back'),
        (-5, 'quality', f'reopened #{first}: first-contact resolution of #{first} taken back'),
        (-10, 'speed', f'reopened #{first}: fast resolution of #{first} cost once more'),
        (-5, 'productivity', f'reopened #{first}: on-time resolution of #{first} cost once more')]
    await assert_scores_match_projection(services)
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == []


async def test_a_bounded_memory_of_resolutions_scores_like_a_full_replay(services: Services, clock: ManualClock,
                                                                         ana: AgentView) -> None:
    services.game.projection.resolutions.max_size = 1  # type: ignore[attr-defined]
    ids = (await waiting_ids())[:3]
    for conversation_id in ids:
        await services.inbox.reply(ana, conversation_id, 'Done.')
        await services.inbox.resolve(ana, conversation_id)
    assert list(services.game.projection.resolutions) == [ids[-1]]
    for conversation_id in ids:
        await services.inbox.reopen(ana, conversation_id)
    # every resolution point was taken back, and each reopen cost the fast and on-time points once more (issue 18)
    assert services.game.projection.agents[ana.id].points == 3 * -(10 + 5)
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == []


async def test_a_batch_commits_its_changes_together_and_a_refused_one_alone_is_undone(
        services: Services, ana: AgentView, bruno: AgentView) -> None:
    first, second, third = (await waiting_ids())[:3]
    published: list[list[Outcome]] = []
    services.game.committed.subscribe(published.append)
    before = await written()
    async with services.game.batch():
        await services.inbox.reply(ana, first, 'On it.')
        with pytest.raises(ActionError, match='assigned to Ana Ozola'):
            await services.inbox.resolve(bruno, first)
        await services.inbox.resolve(ana, first)
        with pytest.raises(ActionError, match='changed my mind'):
            async with services.game.unit_of_work() as work:  # wrote an event, then refused: undone alone
                await work.record(EventKind.REPLIED, agent_id=bruno.id, conversation_id=second, data={'length': 1})
                raise ActionError('changed my mind')
        await services.inbox.reply(bruno, third, 'Hello!')
        assert await StoredEvent.all().count() == before.events  # nothing is written before the batch ends
        assert first in services.inbox.open_items  # and nothing is announced
    assert len(published) == 1  # one broadcast for the whole batch
    kinds = [outcome.event.kind for outcome in published[0]]
    assert kinds == [EventKind.ASSIGNED, EventKind.REPLIED, EventKind.RESOLVED, EventKind.ASSIGNED, EventKind.REPLIED]
    assert await StoredEvent.filter(conversation_id=second).count() == 1  # only its creation
    assert first not in services.inbox.open_items
    assert services.inbox.open_items[third].assignee_id == bruno.id
    assert services.game.projection.agents[bruno.id].replies == 1
    await assert_scores_match_projection(services)
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == []
