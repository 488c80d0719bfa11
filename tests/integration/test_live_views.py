"""The live leaderboard and progress card: computed once per burst of changes and broadcast with the right numbers."""
from datetime import date, timedelta

import pytest

from services.container import Services
from services.domain.events import Channel, Rating
from services.domain.leaderboard import BoardRow, Period, TeamRow
from services.domain.levels import DEFAULT_LEVELS, level_after, level_info, progress_to_next
from services.game.analytics import AnalyticsService
from services.game.leaderboard import LeaderboardSnapshot
from services.game.personal_bests import PersonalBestsService
from services.game.progress import CHART_DAYS, RECEIPTS_SHOWN, ProgressService, ProgressView
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import waiting_ids

COALESCE_SECONDS = 2.0  # far longer than a burst of a few actions takes, even on a loaded machine


def assert_level(view: ProgressView, metrics: dict[str, int]) -> None:
    """The card shows the level these metrics reach and the way to the next one, whatever the presets are."""
    level = level_info(level_after(1, metrics))
    next_level, progress = progress_to_next(level.number, metrics)
    assert (view.level, view.level_title, view.level_icon) == (level.number, level.title, level.icon)
    assert view.next_level_title == (next_level.title if next_level else None)
    assert view.next_level_progress == pytest.approx(progress)


async def resolve_fast(services: Services, agent: AgentView, conversation_id: int) -> None:
    await services.inbox.reply(agent, conversation_id, '/hello')
    await services.inbox.resolve(agent, conversation_id)


async def test_leaderboard_broadcasts_one_snapshot_per_burst(services: Services, clock: ManualClock,
                                                             ana: AgentView, bruno: AgentView) -> None:
    services.leaderboard.broadcast.delay = COALESCE_SECONDS
    snapshots: list[LeaderboardSnapshot] = []
    services.leaderboard.changed.subscribe(snapshots.append)
    first, second, third, fourth, *_ = await waiting_ids()
    for conversation_id in (first, second, third):
        await services.inbox.reply(ana, conversation_id, 'Looking into it.')
    await services.leaderboard.broadcast.settle()
    assert snapshots == []  # replies earn no points: nothing to broadcast

    clock.advance(timedelta(minutes=15))
    for conversation_id in (first, second, third):
        await services.inbox.resolve(ana, conversation_id)
    await services.leaderboard.broadcast.settle()
    assert len(snapshots) == 1
    snapshot = snapshots[0]
    level = level_after(1, {'points': 60, 'resolved': 3})
    assert services.leaderboard.snapshot() is snapshot  # computed once, shared by every tab
    assert snapshot.today == date(2026, 11, 2)
    assert snapshot.season is None and snapshot.agents[Period.SEASON] == []  # no season running: no Season board
    for period in (period for period in Period if period != Period.SEASON):
        rows = snapshot.agents[period]
        assert rows[0] == BoardRow(rank=1, agent_id=ana.id, name='Ana Ozola', team_name='Aurora', level=level,
                                   points=60)
        assert len(rows) == 12 and {(row.rank, row.points) for row in rows[1:]} == {(2, 0)}
        assert snapshot.teams[period][0] == TeamRow(rank=1, team_id=snapshot.teams[period][0].team_id,
                                                    name='Aurora', points=60, members=4)
        assert [(row.rank, row.name, row.points) for row in snapshot.teams[period][1:]] == \
            [(2, 'Borealis', 0), (2, 'Comet', 0)]

    await resolve_fast(services, bruno, fourth)
    await services.inbox.rate(first, Rating.BAD)
    await services.inbox.rate(second, Rating.BAD)
    await services.leaderboard.broadcast.settle()
    assert len(snapshots) == 2 and snapshots[1].version > snapshot.version
    # the bad ratings cost Ana their unhappy-customer points and cancel her fast points (fair play, issue 18); Bruno's
    # conversation had waited 15 minutes: +8 aging bounty
    assert [(row.rank, row.name, row.points) for row in snapshots[1].agents[Period.TODAY][:3]] == \
        [(1, 'Bruno Dubois', 28), (2, 'Ana Ozola', 10), (3, 'Chloé Martin', 0)]
    assert [(row.name, row.points, row.members) for row in snapshots[1].teams[Period.WEEK]][0] == ('Aurora', 38, 4)

    clock.advance(timedelta(days=1))  # Tuesday: a new day, the same week
    tuesday = services.leaderboard.snapshot()
    assert tuesday is not snapshots[1] and tuesday.today == date(2026, 11, 3)
    assert {row.points for row in tuesday.agents[Period.TODAY]} == {0}
    assert [row.points for row in tuesday.agents[Period.WEEK][:2]] == [28, 10]
    clock.advance(timedelta(days=6))  # next Monday: a new week, all time keeps everything
    monday = services.leaderboard.snapshot()
    assert {row.points for row in monday.agents[Period.WEEK]} == {0}
    assert [row.points for row in monday.agents[Period.ALL][:2]] == [28, 10]
    assert len(snapshots) == 2  # a new day is computed on demand, not broadcast


async def test_a_restarted_leaderboard_loads_the_same_tally(services: Services, clock: ManualClock,
                                                            ana: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await resolve_fast(services, ana, conversation_id)
    await services.inbox.rate(conversation_id, Rating.GOOD)
    live = dict(services.leaderboard.tally.by_agent[ana.id])
    await services.leaderboard.load()
    assert dict(services.leaderboard.tally.by_agent[ana.id]) == live == {date(2026, 11, 2): 30}


async def test_progress_view_numbers(services: Services, clock: ManualClock, ana: AgentView,
                                     bruno: AgentView) -> None:
    services.progress.broadcast.delay = COALESCE_SECONDS
    view = await services.progress.view(ana.id)
    assert (view.points, view.today, view.week, view.level, view.level_title, view.next_level_title) == \
        (0, 0, 0, 1, 'Novice', DEFAULT_LEVELS[1].title)
    assert view.next_level_progress == 0 and view.receipts == [] and view.resolved == 0
    assert len(view.daily) == CHART_DAYS and view.daily[-1] == (date(2026, 11, 2), 0)
    views: list[ProgressView] = []
    services.progress.changed(ana.id).subscribe(views.append)
    await services.progress.view(bruno.id)
    bruno_views: list[ProgressView] = []
    services.progress.changed(bruno.id).subscribe(bruno_views.append)

    first, *_ = await waiting_ids()
    clock.advance(timedelta(minutes=9))  # taken within the aging limit: no bounty (fair play, tested on its own)
    await resolve_fast(services, ana, first)
    await services.inbox.rate(first, Rating.GOOD)
    await services.progress.broadcast.settle()
    assert len(views) == 1 and bruno_views == []
    view = views[0]
    assert (view.agent_id, view.points, view.today, view.week, view.resolved) == (ana.id, 30, 30, 30, 1)
    assert view.skills == {'quality': 15, 'speed': 10, 'productivity': 5}
    assert_level(view, {'points': 30, 'resolved': 1, 'positive_ratings': 1})
    assert [receipt.text for receipt in view.receipts] == [
        f'+10 happy customer on #{first}', f'+5 first-contact resolution of #{first}',
        f'+5 on-time resolution of #{first}', f'+10 fast resolution of #{first}']

    clock.advance(timedelta(days=1))
    second = await services.inbox.create_conversation(customer_id=1, channel=Channel.PHONE, subject='Call',
                                                      body='(phone call)', priority='urgent')
    clock.advance(timedelta(minutes=5))
    await resolve_fast(services, ana, second)
    await services.progress.broadcast.settle()
    assert len(views) == 2
    view = views[1]
    assert (view.points, view.today, view.week, view.resolved) == (50, 20, 50, 2)
    assert view.daily[-2:] == [(date(2026, 11, 2), 30), (date(2026, 11, 3), 20)]
    assert_level(view, {'points': 50, 'resolved': 2, 'positive_ratings': 1})
    assert len(view.receipts) == min(7, RECEIPTS_SHOWN)
    assert [receipt.reason for receipt in view.receipts[:4]] == [
        f'first-contact resolution of #{second}', f'on-time resolution of #{second}', f'fast resolution of #{second}',
        f'happy customer on #{first}']
    assert await services.progress.view(ana.id) == view  # what a newly opened card shows
    analytics = AnalyticsService(clock=clock, game=services.game, directory=services.directory)
    bests = PersonalBestsService(clock=clock, leaderboard=services.leaderboard, analytics=analytics,
                                 directory=services.directory, notices=services.notices)
    restarted = ProgressService(clock=clock, game=services.game, leaderboard=services.leaderboard, analytics=analytics,
                                bests=bests)
    # receipts read back from the ledger, in the same order, the CSAT and the personal bests (issue 20)
    assert await restarted.view(ana.id) == view
    assert view.csat == 100.0  # from the aggregates
