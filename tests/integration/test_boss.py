"""The cooperative queue boss (issue 20) on a real database: a lead's fight won by the floor gives everyone who hit it
an award with its receipt, a fight lost at the deadline costs nothing, the queue rule wakes a boss once, and all of it
is a fold of the log (rebuild --check clean, a restart finds the same fight)."""
from datetime import timedelta

import pytest

from models import LedgerEntry, StoredEvent
from services.container import Services
from services.domain.boss import BOSS_POINTS, COOLDOWN, DEFEAT, VICTORY
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.scoring import AwardKind
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator
from tests.integration.support import waiting_ids, written


async def resolve(services: Services, actor: AgentView, conversation_id: int) -> None:
    await services.inbox.take(actor, conversation_id)
    await services.inbox.resolve(actor, conversation_id)


async def boss_entries() -> list[tuple[int, int]]:
    return [tuple(row) for row in await LedgerEntry.filter(kind=AwardKind.BOSS.value).order_by('agent_id')
            .values_list('agent_id', 'points')]


async def test_a_fight_a_lead_starts_is_won_by_the_floor_and_rewards_everyone_who_hit_it(
        services: Services, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    waiting = await waiting_ids()
    assert len(waiting) >= 3
    views = []
    services.boss.changed.subscribe(views.append)
    with pytest.raises(ActionError, match='Only a lead'):
        await services.boss.start(ana)
    view = await services.boss.start(lead)
    assert (view.health, view.damage, view.reason, view.running) == (len(waiting), 0, 'lead', True)
    with pytest.raises(ActionError, match='already being fought'):
        await services.boss.start(lead)

    for number, conversation_id in enumerate(waiting):
        await resolve(services, (ana, bruno)[number % 2], conversation_id)
    await services.boss.settle()
    view = services.boss.view()
    assert view is not None and (view.outcome, view.damage, view.remaining) == (VICTORY, len(waiting), 0)
    assert views and views[-1] is view  # published once for every tab, the same object
    assert {agent_id for agent_id, _hits in view.top} == {ana.id, bruno.id}
    assert await boss_entries() == sorted([(ana.id, BOSS_POINTS), (bruno.id, BOSS_POINTS)])
    entry = await LedgerEntry.get(kind=AwardKind.BOSS.value, agent_id=ana.id)
    receipt = await services.receipts.explain(ana, event_id=entry.event_id, agent_id=ana.id,
                                              kind=AwardKind.BOSS.value)
    assert receipt.title.startswith(f'+{BOSS_POINTS} beat the queue boss')
    assert 'whatever their share' in receipt.facts[0]
    assert await differences(await replay()) == []  # rebuild --check: the award is a fold of the events

    await services.game.load()  # a restart: the fight is folded back from the log
    await services.boss.load()
    again = services.boss.view()
    assert again is not None and (again.number, again.outcome, again.damage, again.top) == \
        (view.number, VICTORY, view.damage, view.top)


async def test_a_fight_lost_at_the_deadline_ends_once_and_costs_nothing(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    waiting = await waiting_ids()
    view = await services.boss.start(lead)
    await resolve(services, ana, waiting[0])
    clock.advance(timedelta(minutes=services.boss.settings.minutes))
    points = services.game.projection.agents[ana.id].points
    await services.boss.check()
    await services.boss.check()  # the sweep runs again: the end is recorded once
    ended = await StoredEvent.filter(kind=EventKind.BOSS_ENDED.value).values_list('data', flat=True)
    assert ended == [{'number': view.number, 'by': None}]
    fight = services.boss.view()
    assert fight is not None and (fight.outcome, fight.damage) == (DEFEAT, 1)
    assert services.game.projection.agents[ana.id].points == points and await boss_entries() == []
    assert await differences(await replay()) == []


async def test_the_queue_wakes_a_boss_at_the_threshold_a_leads_settings_are_checked_and_logged(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    waiting = len(await waiting_ids())
    await services.boss.save_settings(lead, automatic=True, threshold=waiting + 1, minutes=30)
    await services.boss.check()
    assert services.boss.view() is None  # below the threshold: no boss
    for automatic, threshold, minutes, reason in ((True, 0, 30, 'threshold'), (True, 5, 1, 'minutes'),
                                                  (True, 'ten', 30, 'threshold')):
        before = await written()
        with pytest.raises(ActionError, match=reason):
            await services.boss.save_settings(lead, automatic=automatic, threshold=threshold, minutes=minutes)
        assert await written() == before
    with pytest.raises(ActionError, match='Only a lead'):
        await services.boss.save_settings(ana, automatic=True, threshold=1, minutes=30)

    await services.boss.save_settings(lead, automatic=True, threshold=waiting, minutes=30)
    await services.boss.check()
    await services.boss.check()
    started = await StoredEvent.filter(kind=EventKind.BOSS_STARTED.value).values_list('data', flat=True)
    assert [(data['reason'], data['health'], data['by']) for data in started] == [('queue', waiting, None)]
    assert services.boss.view() is not None and services.boss.view().deadline == clock.now() + timedelta(minutes=30)

    clock.advance(timedelta(minutes=30))
    await services.boss.check()  # lost; the queue is still long, but the next boss waits for the cooldown
    assert await StoredEvent.filter(kind=EventKind.BOSS_STARTED.value).count() == 1
    clock.advance(COOLDOWN)
    await services.boss.check()
    assert await StoredEvent.filter(kind=EventKind.BOSS_STARTED.value).count() == 2
    assert services.boss.view() is not None and services.boss.view().number == 2
    await services.game.load()  # a restart keeps the settings from the log
    await services.boss.load()
    assert services.boss.settings.threshold == waiting
    assert await differences(await replay()) == []


async def test_the_simulators_social_media_storm_wakes_a_boss_that_the_simulated_floor_fights(
        services: Services, clock: ManualClock, simulator: Simulator) -> None:
    simulator.scenario = 'social_storm'  # six times the social traffic from 10:00: the demo's surge
    storm = clock.now().replace(hour=10, minute=0)
    await simulator.run_until(storm)
    while services.boss.view() is None and clock.now() < storm + timedelta(minutes=90):
        await simulator.run_until(clock.now() + timedelta(minutes=1))
        await services.boss.check()  # the scheduler's step, every simulated minute
    view = services.boss.view()
    assert view is not None and view.reason == 'queue' and view.health >= services.boss.settings.threshold
    await simulator.run_until(clock.now() + timedelta(minutes=20))
    view = services.boss.view()
    assert view is not None and view.damage > 0  # the simulated agents' resolutions hit it
    assert await differences(await replay()) == []
