"""Wellbeing caps (issue 20) live: a lead's daily hours limit zeroes the points of later work with a receipt saying why,
a break is suggested once per long streak, the whole folded from the log (rebuild --check clean, and after a restart);
Siesta and Coffee, won by breaks, stay private."""
from dataclasses import replace
from datetime import timedelta

import pytest

from models import StoredEvent
from services.container import Services
from services.domain.badges import DEFAULT_BADGES, FIRST_BADGES
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.scoring import AwardKind, policy_as_dict
from services.domain.wellbeing import WellbeingPolicy
from services.game.quests import QuestDraft
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.event_log import GameService
from services.platform.notices import Notice
from tests.integration.support import agent, ledger_of, waiting_ids, written


async def test_work_past_the_daily_limit_earns_nothing_and_the_replay_agrees(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    await services.wellbeing.save(lead, {'daily_hours': 1, 'break_after_minutes': 0})
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    first, second = (await waiting_ids())[:2]
    clock.advance(timedelta(minutes=50))
    await services.inbox.reply(ana, first, 'Hello')
    await services.inbox.resolve(ana, first)  # 50 min worked: it counts
    assert (await ledger_of(ana.id))[-1][0] > 0
    points = services.game.projection.agents[ana.id].points
    clock.advance(timedelta(minutes=15))
    await services.inbox.reply(ana, second, 'Hello')
    await services.inbox.resolve(ana, second)  # 1 h 05 min: past the limit
    reason = f'#{second}: no points past your 1-hour day — take care'
    assert (await ledger_of(ana.id))[-1] == (0, 'productivity', reason)
    assert services.game.projection.agents[ana.id].points == points
    assert services.game.projection.agents[ana.id].resolved == 2  # the work is recorded

    resolved = await StoredEvent.get(kind=EventKind.RESOLVED.value, conversation_id=second)
    receipt = await services.receipts.explain(ana, event_id=resolved.id, agent_id=ana.id,
                                              kind=AwardKind.WELLBEING.value)
    assert 'no points past your 1-hour day' in receipt.title
    assert 'daily limit' in receipt.facts[0]
    assert await differences(await replay()) == []  # rebuild --check: the cap is a fold of the log

    # a restart gives the live fold what the replay has: the limit, and the hours already worked today
    worked = services.game.projection.wellbeing.worked_seconds(ana.id, clock.now())
    await services.game.load()
    await services.wellbeing.load()
    assert services.wellbeing.policy == WellbeingPolicy(daily_hours=1)
    assert services.game.projection.wellbeing.worked_seconds(ana.id, clock.now()) == worked
    third = (await waiting_ids())[0]
    await services.inbox.reply(ana, third, 'Hello')
    await services.inbox.resolve(ana, third)
    assert (await ledger_of(ana.id))[-1][0] == 0
    assert await differences(await replay()) == []


async def test_a_break_is_suggested_once_per_streak(services: Services, clock: ManualClock, ana: AgentView,
                                                    lead: AgentView) -> None:
    told: list[Notice] = []
    services.notices.for_agent(ana.id).subscribe(told.append)
    await services.wellbeing.save(lead, {'daily_hours': 0, 'break_after_minutes': 120})
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    clock.advance(timedelta(minutes=119))
    await services.scheduler.run_steps()
    assert told == []
    clock.advance(timedelta(minutes=2))
    for _ in range(3):  # every round of the scheduler: still only once
        await services.scheduler.run_steps()
        clock.advance(timedelta(minutes=10))
    assert [notice.text for notice in told] == ["You've been at it for 2 hours — a short break?"]

    await services.presence.choose(ana, 'on_break')  # a break ends the streak, a new one starts when back
    clock.advance(timedelta(minutes=15))
    await services.presence.choose(ana, 'online')
    clock.advance(timedelta(minutes=60))
    await services.scheduler.run_steps()
    assert len(told) == 1
    clock.advance(timedelta(minutes=61))
    await services.scheduler.run_steps()
    await services.scheduler.run_steps()
    assert len(told) == 2


async def test_only_a_lead_sets_the_caps_and_bad_values_change_nothing(services: Services, ana: AgentView,
                                                                       lead: AgentView) -> None:
    before = await written()
    with pytest.raises(ActionError, match='team lead'):
        await services.wellbeing.save(ana, {'daily_hours': 9, 'break_after_minutes': 120})
    with pytest.raises(ActionError, match='Daily hours limit: a whole number of hours from 0 to 24'):
        await services.wellbeing.save(lead, {'daily_hours': 30, 'break_after_minutes': 120})
    with pytest.raises(ActionError, match='nothing to save'):
        await services.wellbeing.save(lead, {'daily_hours': 0, 'break_after_minutes': 0})
    assert await written() == before
    assert services.wellbeing.policy == WellbeingPolicy()


async def test_siesta_and_coffee_won_by_breaks_stay_private_unless_a_lead_shows_them(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    emma = agent(services, 'emma')
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    for _ in range(2):
        clock.advance(timedelta(minutes=30))
        await services.presence.choose(ana, 'on_break')
        clock.advance(timedelta(minutes=20))
        await services.presence.choose(ana, 'online')
    await services.badges.settle()
    siesta, coffee = services.badges.definition('siesta'), services.badges.definition('coffee')
    assert ana.id in services.badges.tracker.board.current['siesta']
    assert ana.id in services.badges.tracker.board.current['coffee']
    public = services.badges.public_holders()  # what the kiosk and the boards show
    assert ana.id not in public['siesta'] and ana.id not in public['coffee']
    assert not services.badges.visible(siesta, ana.id, emma) and not services.badges.visible(coffee, ana.id, emma)
    assert services.badges.visible(siesta, ana.id, ana)  # the holder sees their own
    assert 'siesta' not in (await services.api_reads.agent(ana.id)).badges  # nor the public API's profile
    await services.badges.set_team_teasing(lead, ana.team_id, True)
    assert ana.id in services.badges.public_holders()['siesta']


async def test_a_new_floor_starts_with_a_worker_that_counts_breaks_and_the_replay_agrees(
        services: Services, clock: ManualClock, ana: AgentView) -> None:
    assert services.wellbeing.break_risks() == []
    assert services.badges.definitions == DEFAULT_BADGES
    edits = await StoredEvent.filter(kind=EventKind.BADGES_CHANGED.value).values_list('data', flat=True)
    assert edits == [{'badges': [d.as_dict() for d in DEFAULT_BADGES], 'by': None}]  # the log says when it changed
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    clock.advance(timedelta(hours=1))
    await services.presence.choose(ana, 'on_break')
    clock.advance(timedelta(minutes=30))
    await services.presence.choose(ana, 'online')
    await services.badges.settle()
    assert ana.id in services.badges.public_holders()['worker']  # an hour and a half at work, the break in it
    assert await differences(await replay()) == []
    await services.badges.stop()
    await services.badges.load()  # a restart finds the definitions stored: nothing recorded again
    await services.badges.start_with_defaults()
    assert await StoredEvent.filter(kind=EventKind.BADGES_CHANGED.value).count() == 1


async def test_a_second_process_starting_the_same_new_floor_does_not_record_its_first_badge_edit_again(
        services: Services) -> None:
    # as a process that loaded the new floor before another recorded its first edit, and has not followed it yet
    services.badges._new_floor = True
    services.badges._definitions = FIRST_BADGES
    await services.badges.start_with_defaults()
    assert await StoredEvent.filter(kind=EventKind.BADGES_CHANGED.value).count() == 1
    assert await differences(await replay()) == []


@pytest.mark.parametrize('db_url', ['postgres'], indirect=True)
async def test_a_badge_edit_made_by_another_process_is_in_force_here_once_followed(
        services: Services, lead: AgentView) -> None:
    other = GameService(clock=services.clock)  # another process on the same log: its own projection and ids
    await other.load()
    renamed = tuple(replace(d, name='Night owl') if d.key == DEFAULT_BADGES[0].key else d for d in DEFAULT_BADGES)
    async with other.unit_of_work() as work:
        await work.record(EventKind.BADGES_CHANGED, data={'badges': [d.as_dict() for d in renamed], 'by': lead.id})
    await services.game.catch_up()
    assert services.badges.definitions == renamed


async def test_a_lead_makes_worker_break_neutral_and_the_replay_agrees(services: Services, clock: ManualClock,
                                                                         ana: AgentView, lead: AgentView) -> None:
    first_worker = next(d for d in FIRST_BADGES if d.key == 'worker')
    await services.badges.save(lead, first_worker.as_dict())  # as a floor from before has it
    assert [risk.definition.key for risk in services.wellbeing.break_risks()] == ['worker']
    with pytest.raises(ActionError, match='cannot be fixed so'):
        await services.wellbeing.make_break_neutral(lead, 'siesta')  # it cannot cost a break: nothing to fix
    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    clock.advance(timedelta(hours=1))
    fixed = await services.wellbeing.make_break_neutral(lead, 'worker')
    assert services.badges.definition('worker') == fixed
    assert services.wellbeing.break_risks() == []
    await services.presence.choose(ana, 'on_break')
    clock.advance(timedelta(minutes=30))
    await services.presence.choose(ana, 'online')
    await services.badges.settle()
    assert await differences(await replay()) == []


async def test_quests_do_not_count_the_work_the_caps_took_the_points_of(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    await services.wellbeing.save(lead, {'daily_hours': 1, 'break_after_minutes': 0})
    await services.scoring.save(lead, policy_as_dict(services.scoring.policy) | {
        'note_points': 4, 'tag_points': 3, 'low_value_daily_cap': 3})
    resolving = QuestDraft(title='Resolve 2 today', target=2, preset='today', reward_points=40)
    quests = [await services.quests.save(lead, resolving),
              await services.quests.save(lead, QuestDraft(title='Tag 2 today', kind=EventKind.TAGGED.value, target=2,
                                                          preset='today', reward_points=10))]

    def progress() -> list[float]:
        bars = {bar.key: bar for bar in services.quests.bars(ana.id)}
        return [bars[quest.key].value for quest in quests]

    services.presence.tab_opened(ana.id)
    await services.presence.settle()
    first, second = (await waiting_ids())[:2]
    clock.advance(timedelta(minutes=50))
    await services.inbox.reply(ana, first, 'Hello')
    await services.inbox.tag(ana, first, 'billing')  # 3 points: the day's cap on notes and tags reached
    await services.inbox.resolve(ana, first)  # 50 min worked: it counts
    clock.advance(timedelta(minutes=15))
    await services.inbox.reply(ana, second, 'Hello')
    await services.inbox.tag(ana, second, 'refund')  # past the cap: no points, so no quest progress
    await services.inbox.resolve(ana, second)  # past the daily limit: the same
    await services.quests.settle()
    assert progress() == [1, 1]
    assert not await StoredEvent.filter(kind=EventKind.QUEST_COMPLETED.value).exists()
    assert await differences(await replay()) == []  # the replay skips them too

    await services.quests.save(lead, replace(resolving, key=quests[0].key, title='Resolve two today'))
    await services.quests.settle()  # an edit feeds the quest the log again: the capped resolution still left out
    assert progress() == [1, 1]
    await services.quests.stop()
    await services.quests.load()  # so does a restart
    assert progress() == [1, 1]
    assert not await StoredEvent.filter(kind=EventKind.QUEST_COMPLETED.value).exists()
    assert await differences(await replay()) == []
