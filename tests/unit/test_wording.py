"""Durations and ranks in words: one formatter for the pages (a clock) and the receipts (a measured figure)."""
from datetime import UTC, date, datetime

import pytest

from services.domain.wording import delay, duration, month, ordinal, weekday_time


@pytest.mark.parametrize(('seconds', 'clock', 'figure'), [
    (45, '45 s', '45 s'),
    (59.6, '59 s', '1 min'),  # a clock shows what has passed; a figure rounds
    (310, '5 min', '5 min 10 s'),  # a figure keeps its seconds under 10 minutes
    (610, '10 min', '10 min'),
    (1520, '25 min', '25 min'),
    (1559, '25 min', '26 min'),
    (7 * 3600 + 5 * 60, '7 h 05 min', '7 h 05 min'),
    (7 * 3600 + 5 * 60 + 45, '7 h 05 min', '7 h 06 min'),
    (47 * 3600 + 59 * 60, '47 h 59 min', '47 h 59 min'),
    (52 * 3600, '2 d 4 h', '52 h 00 min'),  # only a clock turns hours into days
])
def test_a_duration_reads_as_a_clock_on_the_pages_and_as_a_figure_in_receipts(seconds: float, clock: str,
                                                                               figure: str) -> None:
    assert duration(seconds) == clock
    assert duration(seconds, precise=True) == figure


def test_a_clock_never_runs_below_zero() -> None:
    assert duration(-5) == '0 s'


def test_ordinals_and_delays() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112)] == [
        '1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th', '112th']
    assert [delay(minutes) for minutes in (1, 90, 120, 1440, 2880, 1510)] == [
        '1 min', '90 min', '2 h', '1 day', '2 days', '1510 min']


def test_ranks_months_and_moments_in_each_language() -> None:
    assert [ordinal(n, locale=language) for language in ('fr', 'nl', 'lv') for n in (1, 2)] == [
        '1er', '2e', '1e', '2e', '1.', '2.']
    assert [month(date(2026, 12, 1), locale=language) for language in ('en', 'fr')] == ['December 2026',
                                                                                       'décembre 2026']
    moment = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)  # the floor's time zone is UTC in the tests
    assert [weekday_time(moment, locale=language) for language in ('en', 'fr', 'lv')] == [
        'Sun, Dec 6 14:05', 'dim. 6 déc. 14:05', 'svētd., 6. dec. 14:05']
