"""Seasons of the boards: which season a day is in, the leads' validation, the Season period of the tally, and the
final standings a finished season keeps."""
from datetime import date

import pytest

from services.domain.errors import ActionError
from services.domain.leaderboard import Period, PointsTally
from services.domain.seasons import (
    Season,
    SeasonError,
    check_seasons,
    current_season,
    ended_seasons,
    final_standings,
    past_results,
    previous_season,
    recap_due,
    seasons_from_data,
)

WINTER = Season(name='Winter cup', start=date(2026, 12, 1), end=date(2027, 2, 28))
SPRING = Season(name='Spring sprint', start=date(2027, 3, 1), end=date(2027, 5, 31))
AUTUMN = Season(name='Autumn', start=date(2026, 9, 1), end=date(2026, 11, 30))


@pytest.mark.parametrize(('day', 'expected'), [
    (date(2026, 11, 30), AUTUMN), (date(2026, 12, 1), WINTER), (date(2027, 2, 28), WINTER),
    (date(2027, 3, 1), SPRING), (date(2027, 6, 1), None), (date(2026, 8, 31), None)])
def test_a_day_belongs_to_the_season_that_contains_it_first_and_last_days_included(day, expected):
    assert current_season((AUTUMN, WINTER, SPRING), day) == expected


def test_seasons_round_trip_through_an_events_data_in_date_order():
    data = {'seasons': [SPRING.as_dict(), WINTER.as_dict()]}
    assert seasons_from_data(data) == (WINTER, SPRING)
    assert seasons_from_data({}) == ()


def test_a_valid_list_is_sorted_and_its_names_tidied():
    draft = [Season(name='  Spring   sprint ', start=SPRING.start, end=SPRING.end), WINTER]
    assert check_seasons(draft, before=(), today=date(2026, 11, 1)) == (WINTER, SPRING)


@pytest.mark.parametrize(('draft', 'message'), [
    ([Season(name=' ', start=WINTER.start, end=WINTER.end)], 'needs a name'),
    ([Season(name='x' * 81, start=WINTER.start, end=WINTER.end)], 'too long'),
    ([Season(name='Bad\x07', start=WINTER.start, end=WINTER.end)], 'may not hold'),
    ([Season(name='Backwards', start=WINTER.end, end=WINTER.start)], 'ends before it starts'),
    ([WINTER, Season(name='winter CUP', start=SPRING.start, end=SPRING.end)], 'Two seasons are called'),
    ([WINTER, Season(name='Overlap', start=date(2027, 2, 28), end=date(2027, 3, 31))], 'overlaps "Winter cup"'),
    ([AUTUMN], 'would already be over'),  # a new season ending before today
])
def test_a_bad_list_is_refused_with_a_clear_message(draft, message):
    with pytest.raises(ActionError, match=message):  # SeasonError, or checked_text's for the name's characters
        check_seasons(draft, before=(), today=date(2026, 12, 5))


def test_a_finished_season_can_be_neither_changed_nor_removed_but_the_running_one_can():
    today = date(2026, 12, 5)
    with pytest.raises(SeasonError, match='"Autumn" has ended'):
        check_seasons([WINTER], before=(AUTUMN, WINTER), today=today)
    with pytest.raises(SeasonError, match='"Autumn" has ended'):
        check_seasons([Season(name='Autumn', start=AUTUMN.start, end=date(2026, 11, 29)), WINTER],
                      before=(AUTUMN, WINTER), today=today)
    longer = Season(name='Long winter', start=WINTER.start, end=date(2027, 3, 15))
    assert check_seasons([AUTUMN, longer], before=(AUTUMN, WINTER), today=today) == (AUTUMN, longer)
    assert check_seasons([AUTUMN], before=(AUTUMN, WINTER), today=today) == (AUTUMN,)  # the running one removed


def test_the_season_period_counts_from_the_running_seasons_first_day_and_restarts_at_the_next():
    tally = PointsTally()
    tally.add(1, date(2026, 11, 30), 50)  # autumn, before any season was defined
    tally.set_seasons((AUTUMN, WINTER))
    tally.add(1, date(2026, 12, 1), 7)
    tally.add(2, date(2026, 12, 2), 9)
    assert tally.totals(Period.SEASON, date(2026, 12, 2)) == {1: 7, 2: 9}
    assert tally.totals(Period.SEASON, date(2026, 11, 30)) == {1: 50}
    assert tally.total(1, Period.ALL, date(2026, 12, 2)) == 57  # lifetime points stay
    tally.set_seasons((AUTUMN,))  # the winter removed: no season running, no season points
    assert tally.totals(Period.SEASON, date(2026, 12, 2)) == {}
    tally.set_seasons((AUTUMN, WINTER, SPRING))
    assert tally.totals(Period.SEASON, date(2027, 3, 1)) == {}  # a new season starts from zero
    tally.add(2, date(2027, 3, 1), 3)
    assert tally.totals(Period.SEASON, date(2027, 3, 1)) == {2: 3}
    assert tally.totals(Period.SEASON, date(2026, 12, 31)) == {1: 7, 2: 9}


def test_final_standings_keep_the_podium_ties_sharing_a_place():
    result = final_standings(WINTER, {1: 10, 2: 30, 3: 30, 4: 5, 5: 5, 6: 0})
    assert result.standings == ((1, 2, 30), (1, 3, 30), (3, 1, 10))
    assert result.champions == frozenset({2, 3})
    assert final_standings(WINTER, {1: 0}).standings == ()


def test_past_results_list_only_finished_seasons_latest_first():
    by_season = {AUTUMN: {1: 4}, WINTER: {2: 8}, SPRING: {}}
    assert ended_seasons((AUTUMN, WINTER, SPRING), date(2027, 3, 2)) == [WINTER, AUTUMN]
    results = past_results((AUTUMN, WINTER, SPRING), by_season, date(2027, 3, 2))
    assert [(result.season, result.champions) for result in results] == [(WINTER, {2}), (AUTUMN, {1})]


@pytest.mark.parametrize(('today', 'expected'), [
    (date(2026, 11, 30), None),  # autumn's last day: not over yet
    (date(2026, 12, 1), AUTUMN), (date(2026, 12, 7), AUTUMN), (date(2026, 12, 8), None),  # the week after its end
    (date(2027, 2, 28), None),  # winter's last day: autumn's week long over
    (date(2027, 3, 1), WINTER), (date(2027, 6, 7), SPRING), (date(2027, 6, 8), None)])
def test_a_seasons_recap_is_due_for_a_week_after_its_end(today, expected):
    assert recap_due((WINTER, SPRING, AUTUMN), today) == expected


def test_a_season_is_compared_with_the_one_that_ended_last_before_it():
    assert previous_season((SPRING, AUTUMN, WINTER), SPRING) == WINTER
    assert previous_season((SPRING, AUTUMN, WINTER), WINTER) == AUTUMN
    assert previous_season((SPRING, AUTUMN, WINTER), AUTUMN) is None
