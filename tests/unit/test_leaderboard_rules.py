"""Leaderboard arithmetic: tallies per period (today, the ISO week from Monday, the calendar month, all time), shared
ranks, and teams ranked by points per member."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.leaderboard import (
    AgentInfo,
    BoardRow,
    Period,
    PointsTally,
    UnrankedRow,
    rank_agents,
    rank_teams,
    rank_within_teams,
    unranked_agents,
)

MONDAY = date(2026, 11, 2)
WEDNESDAY = date(2026, 11, 4)
SUNDAY = date(2026, 11, 8)


def agent(agent_id: int, name: str, team_id: int | None = None, team_name: str = '', level: int = 1) -> AgentInfo:
    return AgentInfo(id=agent_id, name=name, team_id=team_id, team_name=team_name, level=level)


@pytest.fixture
def tally() -> PointsTally:
    tally = PointsTally()
    tally.add(1, date(2026, 11, 1), 100)  # the Sunday before: last week
    tally.add(1, MONDAY, 10)
    tally.add(1, WEDNESDAY, 5)
    tally.add(1, WEDNESDAY, -2)
    tally.add(1, date(2026, 11, 20), 1000)  # a later week of the month
    tally.add(2, WEDNESDAY, 7)
    return tally


@pytest.mark.parametrize(('period', 'today', 'expected'), [
    (Period.TODAY, WEDNESDAY, 3),
    (Period.WEEK, WEDNESDAY, 13),
    (Period.ALL, WEDNESDAY, 1113),
    (Period.TODAY, MONDAY, 10),
    (Period.WEEK, MONDAY, 13),  # the week starts on Monday: Sunday's 100 belong to the week before (and the week's
    # total is the whole ISO week's, as the month's is the whole month's; no event is dated after the clock's today)
    (Period.WEEK, SUNDAY, 13),  # the week ends on Sunday
    (Period.WEEK, date(2026, 11, 22), 1000),
    (Period.WEEK, date(2026, 11, 9), 0),  # next Monday: a new week
    (Period.TODAY, date(2026, 11, 1), 100),
    (Period.MONTH, WEDNESDAY, 1113),  # the whole of November, "after today" included: the month's total
    (Period.MONTH, date(2026, 12, 1), 0),  # a new month starts from zero
    (Period.MONTH, date(2025, 11, 4), 0),  # the same month of another year is another month
])
def test_totals_per_period(tally: PointsTally, period: Period, today: date, expected: int) -> None:
    assert tally.total(1, period, today) == expected


@given(st.lists(st.tuples(st.integers(1, 3), st.integers(0, 60), st.integers(-20, 50)), max_size=60),
       st.integers(0, 60))
def test_a_period_total_is_the_sum_of_its_days_up_to_today(awards: list[tuple[int, int, int]],
                                                            today_offset: int) -> None:
    """The totals kept per day and per ISO week equal summing the days of the period (no award after today)."""
    start = date(2026, 10, 26)
    today = start + timedelta(days=today_offset)
    tally = PointsTally()
    for agent_id, offset, points in awards:
        if offset <= today_offset:
            tally.add(agent_id, start + timedelta(days=offset), points)
    for agent_id in (1, 2, 3):
        days = dict(tally.daily(agent_id, today, 61))
        monday = today - timedelta(days=today.weekday())
        assert tally.total(agent_id, Period.TODAY, today) == days[today]
        assert tally.total(agent_id, Period.WEEK, today) == sum(v for d, v in days.items() if d >= monday)
        assert tally.total(agent_id, Period.MONTH, today) == sum(v for d, v in days.items() if d.month == today.month)


def test_unknown_agent_has_no_points(tally: PointsTally) -> None:
    assert [tally.total(99, period, WEDNESDAY) for period in Period] == [0] * len(Period)
    assert tally.daily(99, WEDNESDAY, 2) == [(date(2026, 11, 3), 0), (WEDNESDAY, 0)]


def test_daily_points_oldest_first(tally: PointsTally) -> None:
    assert tally.daily(1, WEDNESDAY, 4) == [(date(2026, 11, 1), 100), (MONDAY, 10), (date(2026, 11, 3), 0),
                                            (WEDNESDAY, 3)]


def test_rank_agents_ties_share_a_rank_and_are_ordered_by_name() -> None:
    tally = PointsTally()
    for agent_id, points in [(1, 30), (2, 50), (3, 30), (4, 10), (5, 50)]:
        tally.add(agent_id, WEDNESDAY, points)
    agents = [agent(1, 'Dora'), agent(2, 'Bea'), agent(3, 'Carl'), agent(4, 'Al'), agent(5, 'Zed'), agent(6, 'Eve')]
    rows = rank_agents(tally, agents, Period.TODAY, WEDNESDAY)
    assert [(row.rank, row.name, row.points) for row in rows] == [
        (1, 'Bea', 50), (1, 'Zed', 50), (3, 'Carl', 30), (3, 'Dora', 30), (5, 'Al', 10), (6, 'Eve', 0)]


def test_rank_agents_per_period(tally: PointsTally) -> None:
    agents = [agent(1, 'Ana', 1, 'Aurora', level=3), agent(2, 'Bruno', 1, 'Aurora')]
    today = rank_agents(tally, agents, Period.TODAY, WEDNESDAY)
    assert [(row.rank, row.agent_id, row.points) for row in today] == [(1, 2, 7), (2, 1, 3)]
    week = rank_agents(tally, agents, Period.WEEK, WEDNESDAY)
    assert [(row.rank, row.agent_id, row.points) for row in week] == [(1, 1, 13), (2, 2, 7)]
    assert week[0] == BoardRow(rank=1, agent_id=1, name='Ana', team_name='Aurora', level=3, points=13)


def test_rank_agents_all_zero_share_first_place() -> None:
    rows = rank_agents(PointsTally(), [agent(1, 'B'), agent(2, 'A')], Period.ALL, WEDNESDAY)
    assert [(row.rank, row.name) for row in rows] == [(1, 'A'), (1, 'B')]


def test_rank_teams() -> None:
    rows = [BoardRow(rank=1, agent_id=1, name='a', team_name='', level=1, points=40),
            BoardRow(rank=2, agent_id=2, name='b', team_name='', level=1, points=20),
            BoardRow(rank=3, agent_id=3, name='c', team_name='', level=1, points=15),
            BoardRow(rank=4, agent_id=4, name='d', team_name='', level=1, points=5),
            BoardRow(rank=5, agent_id=5, name='e', team_name='', level=1, points=99)]  # not in any team
    teams = {10: 'Comet', 20: 'Aurora', 30: 'Borealis', 40: 'Empty'}
    team_of = {1: 20, 2: 10, 3: 10, 4: 30, 5: None}
    ranked = rank_teams(rows, teams, team_of)
    assert [(row.rank, row.name, row.points, row.members, row.average) for row in ranked] == [
        (1, 'Aurora', 40, 1, 40), (2, 'Comet', 35, 2, 17), (3, 'Borealis', 5, 1, 5), (4, 'Empty', 0, 0, 0)]


def test_teams_rank_by_points_per_member_not_by_size() -> None:
    rows = [BoardRow(rank=index + 1, agent_id=index + 1, name=str(index), team_name='', level=1, points=points)
            for index, points in enumerate([30, 30, 30, 50])]
    ranked = rank_teams(rows, {1: 'Big', 2: 'Small'}, {1: 1, 2: 1, 3: 1, 4: 2})
    assert [(row.name, row.points, row.average) for row in ranked] == [('Small', 50, 50), ('Big', 90, 30)]


def test_rank_teams_ties_share_a_rank() -> None:
    rows = [BoardRow(rank=1, agent_id=1, name='a', team_name='', level=1, points=10),
            BoardRow(rank=1, agent_id=2, name='b', team_name='', level=1, points=10)]
    ranked = rank_teams(rows, {1: 'Zeta', 2: 'Alpha', 3: 'Mid'}, {1: 1, 2: 2})
    assert [(row.rank, row.name, row.points) for row in ranked] == [(1, 'Alpha', 10), (1, 'Zeta', 10), (3, 'Mid', 0)]


def counts(*resolved: tuple[int, int]) -> PointsTally:
    """Resolutions on Wednesday per agent."""
    tally = PointsTally()
    for agent_id, count in resolved:
        tally.add(agent_id, WEDNESDAY, count)
    return tally


def test_agents_below_the_minimum_volume_are_not_ranked() -> None:
    tally = PointsTally()
    for agent_id, points in [(1, 10), (2, 50), (3, 30)]:
        tally.add(agent_id, WEDNESDAY, points)
    agents = [agent(1, 'Ana', 1), agent(2, 'Bea', 1), agent(3, 'Carl', 2)]
    resolved = counts((1, 6), (2, 1), (3, 5))  # Bea's one lucky ticket
    rows = rank_agents(tally, agents, Period.TODAY, WEDNESDAY, resolved=resolved, minimum=5)
    assert [(row.rank, row.name, row.points) for row in rows] == [(1, 'Carl', 30), (2, 'Ana', 10)]
    assert unranked_agents(resolved, agents, Period.TODAY, WEDNESDAY, 5) == [
        UnrankedRow(agent_id=2, name='Bea', team_id=1, team_name='', resolved=1)]
    assert unranked_agents(resolved, agents, Period.TODAY, MONDAY, 5)[0].resolved == 0  # nothing on Monday
    assert rank_agents(tally, agents, Period.TODAY, WEDNESDAY, resolved=resolved, minimum=0)[0].name == 'Bea'
    assert unranked_agents(resolved, agents, Period.TODAY, WEDNESDAY, 0) == []


def test_the_unranked_closest_to_the_minimum_come_first() -> None:
    agents = [agent(1, 'Ana'), agent(2, 'Bea'), agent(3, 'Carl')]
    rows = unranked_agents(counts((1, 1), (2, 3)), agents, Period.WEEK, WEDNESDAY, 5)
    assert [(row.name, row.resolved) for row in rows] == [('Bea', 3), ('Ana', 1), ('Carl', 0)]


def test_team_averages_count_ranked_agents_only() -> None:
    tally = PointsTally()
    for agent_id, points in [(1, 40), (2, 0), (3, 30)]:
        tally.add(agent_id, WEDNESDAY, points)
    agents = [agent(1, 'Ana', 1), agent(2, 'Bea', 1), agent(3, 'Carl', 2)]
    rows = rank_agents(tally, agents, Period.TODAY, WEDNESDAY, resolved=counts((1, 5), (2, 1), (3, 5)), minimum=5)
    ranked = rank_teams(rows, {1: 'Aurora', 2: 'Borealis'}, {1: 1, 2: 1, 3: 2})
    # Bea (one resolution, no points) does not halve Aurora's average
    assert [(row.name, row.members, row.average) for row in ranked] == [('Aurora', 1, 40), ('Borealis', 1, 30)]


def test_each_team_ranks_its_own_members() -> None:
    rows = [BoardRow(rank=1, agent_id=1, name='a', team_name='', level=1, points=50),
            BoardRow(rank=2, agent_id=2, name='b', team_name='', level=1, points=30),
            BoardRow(rank=3, agent_id=3, name='c', team_name='', level=1, points=20),
            BoardRow(rank=3, agent_id=4, name='d', team_name='', level=1, points=20),
            BoardRow(rank=5, agent_id=5, name='e', team_name='', level=1, points=5)]
    boards = rank_within_teams(rows, {1: 10, 2: 20, 3: 20, 4: 20, 5: None}, [10, 20, 30])
    assert [(row.rank, row.name) for row in boards[20]] == [(1, 'b'), (2, 'c'), (2, 'd')]
    assert [(row.rank, row.name) for row in boards[10]] == [(1, 'a')]
    assert boards[30] == []  # a team without ranked members has an empty board


def test_a_ranking_gives_back_the_rows_that_did_not_change() -> None:
    tally = PointsTally()
    for agent_id, points in [(1, 50), (2, 40), (3, 30), (4, 20)]:
        tally.add(agent_id, WEDNESDAY, points)
    agents = [agent(1, 'Ana', 1), agent(2, 'Bea', 1), agent(3, 'Carl', 2), agent(4, 'Dora', 2)]
    before = rank_agents(tally, agents, Period.TODAY, WEDNESDAY)
    tally.add(3, WEDNESDAY, 15)  # Carl passes Bea: they swap ranks, Ana and Dora stay
    after = rank_agents(tally, agents, Period.TODAY, WEDNESDAY, previous={row.agent_id: row for row in before})
    assert after == rank_agents(tally, agents, Period.TODAY, WEDNESDAY)
    assert [row is old for row, old in zip(after, [before[0], before[2], before[1], before[3]], strict=True)] == \
        [True, False, False, True]
    renamed = [agent(1, 'Ana Ozola', 1), *agents[1:]]
    assert rank_agents(tally, renamed, Period.TODAY, WEDNESDAY, previous={row.agent_id: row for row in after})[0] == \
        BoardRow(rank=1, agent_id=1, name='Ana Ozola', team_name='', level=1, points=50)


@given(st.lists(st.tuples(st.integers(1, 6), st.integers(0, 30), st.integers(0, 3)), min_size=1, max_size=40),
       st.integers(0, 3))
def test_rankings_from_previous_rows_equal_fresh_rankings(awards: list[tuple[int, int, int]], minimum: int) -> None:
    """Ranked award by award, each time from the last ranking's rows: every board equals one ranked from nothing."""
    agents = [agent(agent_id, name, team_id=1 + agent_id % 2, level=1 + agent_id % 3)
              for agent_id, name in enumerate(['Ana', 'Bea', 'Carl', 'Dora', 'Eve', 'Finn'], 1)]
    team_of = {info.id: info.team_id for info in agents}
    tally, resolved = PointsTally(), PointsTally()
    rows: list[BoardRow] = []
    unranked: list[UnrankedRow] = []
    boards: dict[int, list[BoardRow]] = {}
    for agent_id, points, count in awards:
        tally.add(agent_id, WEDNESDAY, points)
        resolved.add(agent_id, WEDNESDAY, count)
        fresh = rank_agents(tally, agents, Period.TODAY, WEDNESDAY, resolved=resolved, minimum=minimum)
        rows = rank_agents(tally, agents, Period.TODAY, WEDNESDAY, resolved=resolved, minimum=minimum,
                           previous={row.agent_id: row for row in rows})
        assert rows == fresh
        unranked = unranked_agents(resolved, agents, Period.TODAY, WEDNESDAY, minimum,
                                   previous={row.agent_id: row for row in unranked})
        assert unranked == unranked_agents(resolved, agents, Period.TODAY, WEDNESDAY, minimum)
        boards = rank_within_teams(rows, team_of, [1, 2],
                                   previous={row.agent_id: row for board in boards.values() for row in board})
        assert boards == rank_within_teams(fresh, team_of, [1, 2])
