"""Many actions at once: the single writer serialises them, so every point is counted exactly once."""
import asyncio
from collections import Counter
from datetime import timedelta

from models import AgentScore, Customer, LedgerEntry, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Channel, Rating
from services.domain.leaderboard import Period
from services.domain.levels import level_after
from services.domain.projection import Outcome
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.demo import REWARDS
from tests.integration.support import assert_scores_match_projection

COUNT = 100


def rating_of(index: int) -> Rating:
    """60 happy, 20 unhappy and 20 neutral customers."""
    return [Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.BAD, Rating.NEUTRAL][index % 5]


async def test_concurrent_resolutions_and_ratings_add_up(services: Services, clock: ManualClock,
                                                         ana: AgentView) -> None:
    customers = await Customer.all().order_by('id').values_list('id', flat=True)
    channels = list(Channel)
    ids = await asyncio.gather(*(
        services.inbox.create_conversation(customer_id=customers[index % len(customers)],
                                           channel=channels[index % len(channels)], subject=f'Question {index}',
                                           body='Can you help?', priority='normal')
        for index in range(COUNT)))
    assert len(set(ids)) == COUNT
    await asyncio.gather(*(services.inbox.take(ana, conversation_id) for conversation_id in ids))
    committed: list[list[Outcome]] = []
    services.game.committed.subscribe(committed.append)
    clock.advance(timedelta(minutes=10))

    # every conversation is resolved twice at once: exactly one of each pair may win
    results = await asyncio.gather(*(services.inbox.resolve(ana, conversation_id)
                                     for conversation_id in ids + ids), return_exceptions=True)
    assert Counter(type(result).__name__ for result in results) == {'NoneType': COUNT, 'ActionError': COUNT}
    assert all('is already resolved' in str(result) for result in results if isinstance(result, ActionError))
    results = await asyncio.gather(*(services.inbox.rate(conversation_id, rating_of(index))
                                     for index, conversation_id in enumerate(ids + ids)), return_exceptions=True)
    assert sum(result is None for result in results) == COUNT
    assert all('was already rated' in str(result) for result in results if result is not None)

    # each of the 20 bad ratings also cancels its resolution's fast (speed) and on-time (productivity) points: issue 18
    expected_points = COUNT * (10 + 5 + 5) + 60 * 10 - 20 * 10 - 20 * (10 + 5)
    score = await AgentScore.get(agent_id=ana.id)
    assert (score.points, score.quality, score.speed, score.productivity) == \
        (expected_points, COUNT * 5 + 400, COUNT * 10 - 20 * 10, COUNT * 5 - 20 * 5)
    assert (score.resolved, score.chats, score.calls, score.positive_ratings, score.negative_ratings) == \
        (COUNT, COUNT // 4, COUNT // 4, 60, 20)
    expected_level = level_after(1, {'points': expected_points, 'resolved': COUNT, 'positive_ratings': 60})
    assert score.level == expected_level
    assert score.last_event_id == (await StoredEvent.all().order_by('-id').first()).id
    await assert_scores_match_projection(services)

    entries = await LedgerEntry.filter(agent_id=ana.id).values_list('points', flat=True)
    # the ratings' 80 entries, and each bad rating's cancel in two domains
    assert (len(entries), sum(entries)) == (3 * COUNT + 80 + 20 * 2, expected_points)
    # the demo's store and incentive, and a new floor's first badge edit (DEFAULT_BADGES' Worker counts breaks as work)
    seeded = {'reward_saved': len(REWARDS), 'incentive_saved': 1, 'badges_changed': 1}
    assert Counter(await StoredEvent.all().values_list('kind', flat=True)) == {
        'conversation_created': COUNT + 8, 'assigned': COUNT, 'resolved': COUNT, 'rated': COUNT,
        'rule_applied': 2} | seeded  # rule_applied: the demo's Sales keywords rule, on the two seeded upgrade requests
    assert services.leaderboard.tally.total(ana.id, Period.TODAY, clock.now().date()) == expected_points

    level_ups = [(level_up.old, level_up.new) for outcomes in committed for outcome in outcomes
                 for level_up in outcome.level_ups]
    steps = [1] + [new for _, new in level_ups]
    assert [old for old, _ in level_ups] == steps[:-1] and steps[-1] == expected_level  # each level once, upwards
    assert len(committed) == 2 * COUNT  # one commit per successful action, none for the refused ones


async def test_concurrent_replies_from_the_whole_floor(services: Services, clock: ManualClock) -> None:
    floor = services.directory.floor()
    conversation_ids = [item.id for item in services.inbox.items()]
    assert len(floor) == 12 and len(conversation_ids) == 8
    # everyone grabs the same conversation at once: the first reply assigns it, the others are refused
    target = conversation_ids[0]
    results = await asyncio.gather(*(services.inbox.reply(agent, target, f'Mine! says {agent.name}')
                                     for agent in floor), return_exceptions=True)
    winners = [agent for agent, result in zip(floor, results, strict=True) if isinstance(result, str)]
    assert len(winners) == 1
    assert sum(isinstance(result, ActionError) for result in results) == 11
    assert await StoredEvent.filter(kind='assigned').values_list('agent_id', flat=True) == [winners[0].id]
    assert await StoredEvent.filter(kind='replied').count() == 1
    assert services.inbox.open_items[target].assignee_id == winners[0].id
