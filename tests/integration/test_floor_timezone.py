"""A floor in Riga (issue 16): the game's days start at midnight in Riga, live and in a rebuild, and
``rebuild --check`` stays clean over a daylight-saving change."""
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise.backends.base import executor

from models import DailyPoints, LedgerEntry, StoredEvent
from services.container import Services, build
from services.domain.floor_calendar import floor_day
from services.domain.i18n import set_floor_timezone
from services.domain.leaderboard import Period
from services.domain.scoring import policy_as_dict
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.demo import start_demo
from simulation.simulator import simulator_for
from tests.conftest import settings_for_test
from tests.integration.support import agent, waiting_ids


async def riga_floor(db_url: str, start: datetime) -> tuple[Services, ManualClock]:
    executor.EXECUTOR_CACHE.clear()  # Tortoise caches SQL per connection name, not per dialect
    clock = ManualClock(start)
    services = build(settings_for_test(db_url, floor_timezone='Europe/Riga'), clock=clock)
    await start_demo(services, quests=False)
    return services, clock


@pytest.fixture
async def stopped() -> AsyncIterator[list[Services]]:
    """The services a test started, stopped after it, and the floor's zone put back for the tests that follow."""
    started: list[Services] = []
    try:
        yield started
    finally:
        for services in started:
            await services.stop()
        set_floor_timezone('UTC')


async def daily_points() -> dict[tuple[int, date], int]:
    return {(agent_id, day): points for agent_id, day, points in
            await DailyPoints.all().values_list('agent_id', 'day', 'points') if points}


async def ledger_by_riga_day() -> dict[tuple[int, date], int]:
    days: Counter[tuple[int, date]] = Counter()
    for agent_id, points, occurred_at in await LedgerEntry.all().values_list('agent_id', 'points', 'occurred_at'):
        days[agent_id, floor_day(occurred_at.replace(tzinfo=occurred_at.tzinfo or UTC))] += points
    return {key: points for key, points in days.items() if points}


async def test_a_resolution_at_2230_utc_counts_on_the_next_riga_day(db_url: str, stopped: list[Services]) -> None:
    halloween_night = datetime(2026, 10, 31, 22, 26, tzinfo=UTC)  # EET: 00:26 on Sunday 1 November in Riga
    services, clock = await riga_floor(db_url, halloween_night)
    stopped.append(services)
    ana: AgentView = agent(services, 'ana')
    conversation_id = (await waiting_ids())[0]
    clock.advance(timedelta(minutes=2))
    await services.inbox.reply(ana, conversation_id, 'Sorted, have a nice day!')
    clock.advance(timedelta(minutes=2))
    await services.inbox.resolve(ana, conversation_id)  # 22:30 UTC, 00:30 in Riga
    resolved_at = await StoredEvent.filter(kind='resolved').values_list('occurred_at', flat=True)
    assert [moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment for moment in resolved_at] == \
        [datetime(2026, 10, 31, 22, 30, tzinfo=UTC)]
    earned = services.game.projection.agents[ana.id].points
    assert earned > 0

    sunday = date(2026, 11, 1)
    assert await daily_points() == {(ana.id, sunday): earned}  # not Saturday 31 October, the event's UTC date
    assert (await DailyPoints.get(agent_id=ana.id, day=sunday)).resolved == 1
    snapshot = services.leaderboard.snapshot()
    assert snapshot.today == sunday
    for period in (Period.TODAY, Period.WEEK, Period.MONTH):  # November's first day, in the week of Monday 26
        rows = {row.agent_id: row.points for row in [*snapshot.agents[period], *snapshot.unranked[period]]}
        assert rows[ana.id] == earned, period
    assert services.leaderboard.tally.total(ana.id, Period.TODAY, date(2026, 10, 31)) == 0
    assert services.leaderboard.tally.total(ana.id, Period.MONTH, date(2026, 10, 31)) == 0
    await services.trophies.load()  # what a restart loads: the ledger summed per Riga month
    assert set(services.trophies.board.totals) == {date(2026, 11, 1)}
    assert services.trophies.snapshot().month == date(2026, 11, 1)

    await services.badges.settle()
    rebuilt = await replay()
    assert await differences(rebuilt) == []
    assert rebuilt.tally.by_agent[ana.id] == {sunday: earned}


@pytest.mark.parametrize(('start', 'change_day'), [
    (datetime(2026, 3, 28, 18, tzinfo=UTC), date(2026, 3, 29)),  # spring forward: a 23-hour Sunday in Riga
    (datetime(2026, 10, 24, 18, tzinfo=UTC), date(2026, 10, 25)),  # fall back: a 25-hour Sunday
], ids=['spring-forward', 'fall-back'])
async def test_rebuild_is_clean_across_a_daylight_saving_change(db_url: str, stopped: list[Services],
                                                                start: datetime, change_day: date) -> None:
    services, clock = await riga_floor(db_url, start)
    stopped.append(services)
    simulator = simulator_for(services, clock=clock)
    await simulator.run_until(start + timedelta(hours=30))  # Saturday night, the Sunday of the change, Monday 01:00
    assert clock.now() == simulator.status().sim_time

    stored = await daily_points()
    assert stored == await ledger_by_riga_day()  # every point on its Riga day
    assert {day for _, day in stored} >= {change_day - timedelta(days=1), change_day + timedelta(days=1)}
    await services.badges.settle()  # the midnights passed without events
    rebuilt = await replay()
    assert await differences(rebuilt) == []
    assert rebuilt.tally.by_day == services.leaderboard.tally.by_day


async def test_the_daily_cap_on_notes_turns_at_riga_midnight_also_after_a_restart(
        db_url: str, stopped: list[Services]) -> None:
    services, clock = await riga_floor(db_url, datetime(2026, 11, 2, 21, 20, tzinfo=UTC))  # 23:20 in Riga (EET)
    stopped.append(services)
    ana, lead = agent(services, 'ana'), agent(services, 'lead')
    await services.scoring.save(lead, policy_as_dict(services.scoring.policy) | {
        'note_points': 5, 'tag_points': 0, 'low_value_daily_cap': 5})
    conversation_id = (await waiting_ids())[0]
    await services.inbox.take(ana, conversation_id)
    clock.advance(timedelta(minutes=10))
    await services.inbox.add_note(ana, conversation_id, 'checked the order')  # 23:30 in Riga: Monday's cap
    clock.advance(timedelta(hours=1))
    await services.inbox.add_note(ana, conversation_id, 'asked the courier')  # 00:30: Tuesday's, the same UTC date
    await services.load()  # a restart: Tuesday's 5 points are read back on Tuesday, Riga's day
    clock.advance(timedelta(minutes=5))
    await services.inbox.add_note(ana, conversation_id, 'courier answered')  # 00:35: Tuesday's cap is reached
    entries = await LedgerEntry.filter(agent_id=ana.id, kind__in=['note', 'low_value_cap']) \
        .order_by('id').values_list('kind', 'points')
    assert entries == [('note', 5), ('note', 5), ('low_value_cap', 0)]
    assert await differences(await replay()) == []
