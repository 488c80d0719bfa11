"""Seasons of the boards (issue 20): a lead's seasons are one event; the Season board counts from the running season's
first day and starts from zero at the next one, lifetime points stay, and a finished season's podium survives a rebuild
and a restart."""
from datetime import timedelta

import pytest

from models import StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.kudos import KUDOS_POINTS
from services.domain.leaderboard import Period
from services.domain.seasons import Season, past_results
from services.game.api_reads import Scope
from services.game.rebuild import differences, overwrite, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import until, written


def points_of(services: Services, agent_id: int, period: Period) -> int | None:
    return next((row.points for row in services.leaderboard.snapshot().agents[period] if row.agent_id == agent_id),
                None)


async def shows(services: Services, agent_id: int, period: Period, points: int) -> None:
    """Wait for the ranking (coalesced, on the loop's next turn) to show ``points``."""
    await until(lambda: points_of(services, agent_id, period) == points,
                message=lambda: f'{period.value}: {points} points, not {points_of(services, agent_id, period)}')


async def test_the_season_board_restarts_at_the_next_season_and_the_past_podium_survives_a_rebuild(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    today = clock.now().date()
    first = Season(name='Sprint one', start=today, end=today + timedelta(days=1))
    second = Season(name='Sprint two', start=today + timedelta(days=2), end=today + timedelta(days=9))
    assert services.leaderboard.snapshot().season is None
    lifetime = points_of(services, bruno.id, Period.ALL) or 0

    assert await services.seasons.save(lead, [second, first]) == (first, second)
    event = await StoredEvent.get(kind=EventKind.SEASONS_CHANGED.value)
    assert (event.agent_id, event.data['by'], len(event.data['seasons'])) == (lead.id, lead.id, 2)
    await until(lambda: services.leaderboard.snapshot().season == first, message='the first season running')
    await services.kudos.send(ana, bruno.id, 'thanks for the cover')
    await shows(services, bruno.id, Period.SEASON, KUDOS_POINTS)
    top = services.api_reads.board(Period.SEASON, Scope.AGENTS)[0]  # GET /api/v1/leaderboards?period=season
    assert (top.id, top.points) == (bruno.id, KUDOS_POINTS)

    clock.advance(timedelta(days=2))  # the first season is over, the second starts from zero
    snapshot = services.leaderboard.snapshot()
    assert snapshot.season == second
    assert points_of(services, bruno.id, Period.SEASON) == 0
    assert points_of(services, bruno.id, Period.ALL) == lifetime + KUDOS_POINTS  # lifetime points stay
    [past] = services.seasons.past()
    assert past.season == first and past.champions == {bruno.id}
    assert past.standings[0] == (1, bruno.id, KUDOS_POINTS)
    await services.kudos.send(ana, bruno.id, 'and again')
    await shows(services, bruno.id, Period.SEASON, KUDOS_POINTS)
    assert services.seasons.past() == [past]  # a finished season's standings do not move

    rebuilt = await replay()
    assert await differences(rebuilt) == []  # rebuild --check stays clean
    assert past_results(rebuilt.tally.seasons, rebuilt.tally.by_season, clock.now().date()) == [past]
    await overwrite(rebuilt)
    await services.leaderboard.load()  # what a restart loads
    assert services.seasons.seasons == (first, second)
    assert services.seasons.past() == [past]
    await shows(services, bruno.id, Period.SEASON, KUDOS_POINTS)


async def test_bad_seasons_are_refused_with_a_reason_and_change_nothing(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    today = clock.now().date()
    over = Season(name='Gone', start=today - timedelta(days=5), end=today)
    await services.seasons.save(lead, [over])
    clock.advance(timedelta(days=1))
    refusals = ((ana, [over], 'Only a team lead'),
                (lead, [], '"Gone" has ended'),
                (lead, [over, Season(name='Late', start=today - timedelta(days=3), end=today - timedelta(days=1))],
                 'overlaps'),
                (lead, [over, Season(name='Back', start=today + timedelta(days=9), end=today + timedelta(days=2))],
                 'ends before it starts'),
                (lead, [over, Season(name='  ', start=today + timedelta(days=2), end=today + timedelta(days=3))],
                 'needs a name'))
    for actor, seasons, reason in refusals:
        before = await written()
        with pytest.raises(ActionError, match=reason):
            await services.seasons.save(actor, seasons)
        assert await written() == before
    assert services.seasons.seasons == (over,)
    assert services.leaderboard.snapshot().season is None
    assert services.seasons.current() is None
