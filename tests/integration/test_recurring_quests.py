"""Recurring quests live (issue 15): a daily quest rewards each day's round once, its past rounds stay in the log
and the ledger, a restart picks up today's round, a lead ends it, and `rebuild --check` finds the same."""
from datetime import timedelta

import pytest

from models import LedgerEntry, QuestRow
from services.container import Services
from services.domain.errors import ActionError
from services.domain.quests import UNTIL_ENDED, Repeat
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.demo import seed_demo_quests
from simulation.simulator import Simulator
from tests.integration.support import waiting_ids
from tests.integration.test_quests_live import bar, completions, resolve, resolved_today, settled_differences


async def test_a_daily_quest_rewards_each_days_round_once_and_replays_the_same(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    quest = await services.quests.save(lead, resolved_today(title='One a day', target=1, repeat='daily'))
    assert (quest.repeat, quest.ends_at) == (Repeat.DAILY, UNTIL_ENDED)
    assert (await QuestRow.get(key=quest.key)).repeat == 'daily'
    waiting = await waiting_ids()
    await resolve(services, ana, waiting[0])
    await resolve(services, ana, waiting[1])  # the same day: no second reward
    await services.quests.settle()
    assert [event.data['round'] for event in await completions(quest.key)] == [0]

    clock.advance(timedelta(days=1))
    await services.quests.settle()
    shown = bar(services, ana.id, quest.key)
    assert (shown.value, shown.done, shown.repeat) == (0, False, 'daily')  # a new day, a new round
    await services.quests.stop()  # a restart in the middle of the second day
    await services.quests.load()
    await resolve(services, ana, waiting[2])
    await services.quests.settle()
    logged = await completions(quest.key)
    assert [(event.key, event.data['round']) for event in logged] == [
        (f'quest:{quest.key}:agent:{ana.id}:round:0', 0), (f'quest:{quest.key}:agent:{ana.id}:round:1', 1)]
    assert [await LedgerEntry.filter(event_id=event.id).count() for event in logged] == [1, 1]  # history kept
    assert await settled_differences(services) == []

    with pytest.raises(ActionError, match='cannot change how it repeats'):
        await services.quests.save(lead, resolved_today(key=quest.key, title='One a day', target=1))
    await services.quests.end(lead, quest.key)
    clock.advance(timedelta(days=1))
    await resolve(services, ana, waiting[3])
    await services.quests.settle()
    assert len(await completions(quest.key)) == 2  # ended: no third round
    assert await settled_differences(services) == []


async def test_an_unknown_repeat_is_refused(services: Services, lead: AgentView) -> None:
    with pytest.raises(ActionError, match='Repeat is one of none, daily, weekly'):
        await services.quests.save(lead, resolved_today(repeat='hourly'))
    assert not await QuestRow.exists()


async def test_the_demos_recurring_quests_over_a_simulated_night_replay_the_same(
        services: Services, simulator: Simulator, clock: ManualClock, ana: AgentView) -> None:
    await seed_demo_quests(services.quests, services.directory)
    assert [quest.repeat for quest in sorted(services.quests.definitions, key=lambda q: q.title)] == [
        Repeat.WEEKLY, Repeat.DAILY, Repeat.NONE]  # 5 happy customers, resolve 8 today, the team mission
    await simulator.run_until(clock.now().replace(hour=23, minute=30))
    await simulator.run_until(clock.now() + timedelta(hours=2))  # into Tuesday: the daily quest's round 1
    daily = next(quest for quest in services.quests.definitions if quest.repeat == Repeat.DAILY)
    shown = bar(services, ana.id, daily.key)
    assert shown is not None and shown.ends_at == daily.starts_at + timedelta(days=2)  # Tuesday's round
    rounds = {event.data['round'] for event in await completions(daily.key)}
    assert rounds <= {0, 1} and 0 in rounds
    assert await settled_differences(services) == []
