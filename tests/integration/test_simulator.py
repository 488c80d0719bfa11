"""The in-app simulator on a real database: reproducible from its seed, leaves people who are online to do their own
work, follows the traffic model (shifts, customers who hang up, scenarios) and runs by itself on the app's clock (how
long it holds up the event loop is measured by bench/simulator_loop.py)."""
import asyncio
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from models import Conversation, LedgerEntry, StoredEvent
from services.container import Services, build
from services.domain.errors import ActionError
from services.domain.events import Rating
from services.domain.kudos import KUDOS_PER_DAY
from services.game.rebuild import differences, replay
from services.platform.clock import AcceleratedClock, ManualClock
from services.platform.directory import AgentView
from simulation.demo import start_demo
from simulation.simulator import SIM_KUDOS, Simulator, simulator_for
from simulation.traffic import PERSONAS, SCENARIOS, plan_shifts
from tests.conftest import START, settings_for_test
from tests.integration.support import start_headless, waiting_ids, written

HOURS = 2


async def simulated_history(db_url: str, *, seed: int) -> list[tuple]:
    """Run the simulator headless on a fresh database and return its log and ledger."""
    services, simulator = await start_headless(db_url, start=START, seed=seed)
    try:
        await simulator.run_until(START + timedelta(hours=HOURS))
        events = await StoredEvent.all().order_by('id').values_list('kind', 'agent_id', 'conversation_id',
                                                                    'occurred_at')
        ledger = await LedgerEntry.all().order_by('id').values_list('agent_id', 'points', 'reason')
        return [tuple(row) for row in events] + [tuple(row) for row in ledger]
    finally:
        await services.stop()


async def test_same_seed_same_history_other_seed_other_history(tmp_path: Path) -> None:
    first = await simulated_history(f'sqlite://{tmp_path / "first.sqlite3"}', seed=1)
    again = await simulated_history(f'sqlite://{tmp_path / "again.sqlite3"}', seed=1)
    other = await simulated_history(f'sqlite://{tmp_path / "other.sqlite3"}', seed=2)
    kinds = {row[0] for row in first if isinstance(row[0], str)}
    assert {'conversation_created', 'assigned', 'replied', 'resolved', 'rated'} <= kinds
    assert len(first) > 300
    assert first == again
    assert [row[:3] for row in other] != [row[:3] for row in first]


async def test_agents_who_are_online_get_no_simulated_work(services: Services, simulator: Simulator, clock: ManualClock,
                                                           ana: AgentView) -> None:
    services.presence.tab_opened(ana.id)
    await simulator.run_until(clock.now() + timedelta(hours=2))
    # her only event is her own presence: the tab she opened
    assert await StoredEvent.filter(agent_id=ana.id).values_list('kind', flat=True) == ['presence_changed']
    assert await StoredEvent.filter(kind='resolved').count() > 20
    assert simulator.status().actions > 100 and not simulator.status().running


# --- customers who give up ---

async def test_a_customer_who_gives_up_abandons_the_conversation(services: Services, clock: ManualClock,
                                                                ana: AgentView) -> None:
    waiting = await waiting_ids()
    before = await written()
    clock.advance(timedelta(minutes=3))
    await services.inbox.abandon(waiting[0])
    conversation = await Conversation.get(id=waiting[0])
    assert (conversation.status, conversation.assignee_id, conversation.waiting_since) == ('abandoned', None, None)
    assert waiting[0] not in services.inbox.open_items
    event = await StoredEvent.get(kind='abandoned')
    assert (event.agent_id, event.conversation_id) == (None, waiting[0])
    assert event.data == {'channel': conversation.channel, 'waited_seconds': 180}
    after = await written()
    assert (after.events, after.ledger, after.scores) == (before.events + 1, before.ledger, before.scores)

    await services.inbox.reply(ana, waiting[1], 'On it.')
    unchanged = await written()
    with pytest.raises(ActionError, match='no longer waiting for a first answer'):
        await services.inbox.abandon(waiting[1])  # answered: the customer is being helped
    with pytest.raises(ActionError, match='no longer waiting'):
        await services.inbox.abandon(waiting[0])  # once is enough
    with pytest.raises(ActionError, match='not resolved'):
        await services.inbox.rate(waiting[0], Rating.GOOD)
    with pytest.raises(ActionError, match='was abandoned'):
        await services.inbox.take(ana, waiting[0])  # nobody is on the line any more
    with pytest.raises(ActionError, match='was abandoned'):
        await services.inbox.reply(ana, waiting[0], 'Hello?')
    assert await written() == unchanged
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == []


# --- the in-app simulator follows the traffic model ---

@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_agents_work_their_shifts_and_chat_and_phone_customers_hang_up(services: Services, simulator: Simulator,
                                                                            clock: ManualClock) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=6))
    floor = services.directory.floor()
    shifts = dict(zip([agent.id for agent in floor], plan_shifts(len(floor), SCENARIOS['normal']), strict=True))
    assigned = await StoredEvent.filter(kind='assigned').values_list('agent_id', 'occurred_at')
    assert len(assigned) > 100
    assert all(shifts[agent_id].on_duty(occurred_at.hour) for agent_id, occurred_at in assigned)
    assert len({agent_id for agent_id, _ in assigned}) < len(floor)  # some of the floor is off shift in the morning
    abandoned = await Conversation.filter(status='abandoned').values_list('channel', flat=True)
    assert abandoned and set(abandoned) <= {'chat', 'phone'}
    assert not await StoredEvent.filter(kind='abandoned', agent_id__not_isnull=True).exists()
    # now and then an agent who handed a conversation to a colleague thanks them (issue 20), a few times a day at most
    thanks = await StoredEvent.filter(kind='kudos_sent').values_list('agent_id', 'data')
    assert thanks and all(data['by'] != agent_id and data['message'] in SIM_KUDOS for agent_id, data in thanks)
    assert max(Counter(data['by'] for _, data in thanks).values()) <= KUDOS_PER_DAY
    await services.badges.settle()  # the holders of what was committed are stored
    assert await differences(await replay()) == []  # abandonment earns nothing, thanks their points: a rebuild agrees


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_switching_to_a_sales_day_floods_the_afternoon_with_chats(services: Services, simulator: Simulator,
                                                                       clock: ManualClock) -> None:
    simulator = simulator
    clock.set(START.replace(hour=12))
    await simulator.run_until(clock.now() + timedelta(minutes=30))
    changes: list[str] = []
    simulator.status_changed.subscribe(lambda status: changes.append(status.scenario))
    simulator.set_scenario('sales_day')
    assert changes == ['sales_day'] and simulator.status().scenario == 'sales_day'
    first_new = await Conversation.all().count() + 1
    await simulator.run_until(clock.now() + timedelta(hours=2, minutes=30))
    channels = Counter(await Conversation.filter(id__gte=first_new).values_list('channel', flat=True))
    # chat is 32 % of a normal day's contacts and 58 % of a sales afternoon's; with ~150 contacts the share's standard
    # deviation is 0.04, so 0.45 is more than three of them from either
    assert channels['chat'] / sum(channels.values()) > 0.45, channels
    with pytest.raises(ValueError, match='unknown scenario'):
        simulator.set_scenario('holiday')


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_at_an_hour_a_second_the_simulator_works_through_the_morning_by_itself(db_url: str) -> None:
    """The app's clock at 3600×: started, the simulator runs in the app's own loop until it is stopped. How long it
    holds up that loop meanwhile is a measurement, not a test: ``bench/simulator_loop.py``."""
    clock = AcceleratedClock(start=START)
    services = build(settings_for_test(db_url), clock=clock)
    await start_demo(services, quests=False)
    simulator = simulator_for(services, clock=clock, pace=clock)
    try:
        simulator.set_speed(3600)
        simulator.start()
        actions = simulator.actions
        deadline = time.monotonic() + 60  # not a timing: how long to wait before calling the simulator stuck
        while simulator.actions - actions <= 150 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert simulator.actions - actions > 150  # the morning went on with nobody driving it
        assert simulator.status().running
    finally:
        await simulator.stop()
        await services.stop()
    assert not simulator.status().running


# --- the personas, in the app (issue 18) ---

@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_gaming_the_game_seats_one_of_each_persona_and_the_simulator_plays_them(
        services: Services, simulator: Simulator, clock: ManualClock) -> None:
    assert simulator.seated() == []  # a normal day: everyone in their own style
    simulator.set_scenario('gaming')
    seated = simulator.seated()
    assert [persona for _, persona in seated] == list(PERSONAS)
    assert len({agent.id for agent, _ in seated}) == 5 and all(agent.is_demo and agent.role == 'agent'
                                                               for agent, _ in seated)
    assert simulator.seated() == seated  # the seats follow from the seed: the lead is told who, and it stays so
    plays = {persona: agent.id for agent, persona in seated}
    await simulator.run_until(clock.now() + timedelta(hours=12))

    events = await StoredEvent.all().order_by('id').values_list('kind', 'agent_id', 'conversation_id', 'data',
                                                                 'occurred_at')
    first_taken: dict[int, tuple[int, datetime]] = {}
    for kind, agent, conversation, _, at in events:
        if kind == 'assigned':
            first_taken.setdefault(conversation, (agent, at))
    resolved_by = Counter(agent for kind, agent, *_ in events if kind == 'resolved')
    assert all(resolved_by[agent] > 0 for agent in plays.values())
    spammer = plays['note_spammer']
    notes = [conversation for kind, agent, conversation, *_ in events if kind == 'note_added' and agent == spammer]
    on_own = sum(first_taken.get(conversation, (None,))[0] == spammer for conversation in notes)
    assert on_own >= 2 * resolved_by[spammer]  # three trivial notes on each of its own (a few cut short)
    # and notes on colleagues' waiting conversations, which name it an assister when they are resolved
    assisted = [data for kind, _, _, data, _ in events if kind == 'resolved' and spammer in data.get('assisters', ())]
    assert len(notes) > on_own and assisted and all(data['resolver_name'] for data in assisted)
    assert await LedgerEntry.filter(agent_id=spammer, reason__contains='assist').exists()
    # the cherry picker never takes a conversation older than it accepts (its own reopened ones come back to it)
    created = dict(await Conversation.all().values_list('id', 'created_at'))
    picked = [at - created[conversation] for conversation, (agent, at) in first_taken.items()
              if agent == plays['cherry_picker']]
    assert picked and max(picked) <= timedelta(seconds=PERSONAS['cherry_picker'].max_age_seconds or 0)
    reopened = Counter(first_taken[conversation][0] for kind, _, conversation, *_ in events if kind == 'reopened')
    assert reopened[plays['premature_closer']] > 0  # closed before solved: its customers write again

    simulator.set_scenario('normal')
    assert simulator.seated() == []
    await services.badges.settle()
    assert await differences(await replay()) == []  # the personas' work folds like anyone's: a rebuild agrees
