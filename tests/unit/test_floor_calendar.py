"""The floor's calendar (issue 16): the game's days, weeks and months start at midnight in the floor's time zone, and
a day is a calendar day: 23 hours when the clocks spring forward, 25 when they fall back."""
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.badges import Window, next_midnight, window_bounds
from services.domain.floor_calendar import (
    clock_hour,
    day_bounds,
    day_start,
    floor_day,
    floor_hour,
    hour_start,
    month_start,
    next_day_start,
    week_start,
)
from services.domain.i18n import set_floor_timezone
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.quests import UNTIL_ENDED, Preset, period
from services.domain.trophies import month_of
from tests.unit.test_quest_rounds import daily

RIGA = ZoneInfo('Europe/Riga')  # EET (+2) in winter, EEST (+3) in summer; EU clocks change at 01:00 UTC
SPRING_FORWARD = date(2026, 3, 29)  # 03:00 EET becomes 04:00 EEST
FALL_BACK = date(2026, 10, 25)  # 04:00 EEST becomes 03:00 EET


@pytest.fixture
def riga_floor() -> Iterator[None]:
    set_floor_timezone('Europe/Riga')
    yield
    set_floor_timezone('UTC')


def test_a_riga_day_starts_at_midnight_in_riga() -> None:
    assert day_start(date(2026, 6, 11), RIGA) == datetime(2026, 6, 10, 21, tzinfo=UTC)  # EEST: UTC+3
    assert day_start(date(2026, 1, 11), RIGA) == datetime(2026, 1, 10, 22, tzinfo=UTC)  # EET: UTC+2
    assert floor_day(datetime(2026, 6, 10, 20, 59, 59, tzinfo=UTC), RIGA) == date(2026, 6, 10)
    assert floor_day(datetime(2026, 6, 10, 21, tzinfo=UTC), RIGA) == date(2026, 6, 11)
    assert floor_day(datetime(2026, 6, 10, 22, 30), RIGA) == date(2026, 6, 11)  # a naive moment is UTC, as stored


def test_the_day_clocks_spring_forward_is_23_hours_and_the_day_they_fall_back_25() -> None:
    start, end, day = day_bounds(datetime(2026, 3, 29, 12, tzinfo=UTC), RIGA)
    assert (start, end, day) == (datetime(2026, 3, 28, 22, tzinfo=UTC), datetime(2026, 3, 29, 21, tzinfo=UTC),
                                 SPRING_FORWARD)
    assert end - start == timedelta(hours=23)
    start, end, day = day_bounds(datetime(2026, 10, 25, 12, tzinfo=UTC), RIGA)
    assert (start, end, day) == (datetime(2026, 10, 24, 21, tzinfo=UTC), datetime(2026, 10, 25, 22, tzinfo=UTC),
                                 FALL_BACK)
    assert end - start == timedelta(hours=25)
    assert next_day_start(datetime(2026, 10, 25, 21, 59, tzinfo=UTC), RIGA) == datetime(2026, 10, 25, 22, tzinfo=UTC)


def test_the_hour_fallen_back_holds_two_hours_and_the_hour_skipped_none() -> None:
    assert floor_hour(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), RIGA) == (FALL_BACK, 3)  # 03:30 EEST
    assert floor_hour(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), RIGA) == (FALL_BACK, 3)  # 03:30 EET, again
    assert hour_start(FALL_BACK, 4, RIGA) - hour_start(FALL_BACK, 3, RIGA) == timedelta(hours=2)
    assert hour_start(SPRING_FORWARD, 4, RIGA) == hour_start(SPRING_FORWARD, 3, RIGA)  # 03:00 never shows
    assert hour_start(SPRING_FORWARD, 24, RIGA) == day_start(SPRING_FORWARD + timedelta(days=1), RIGA)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
       st.sampled_from(['Europe/Riga', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC']))
def test_every_moment_lies_in_its_days_bounds_and_hour(moment: datetime, zone_name: str) -> None:
    zone = UTC if zone_name == 'UTC' else ZoneInfo(zone_name)
    start, end, day = day_bounds(moment, zone)
    assert start <= moment < end and floor_day(start, zone) == day and floor_day(end, zone) == day + timedelta(days=1)
    hour_day, hour = floor_hour(moment, zone)
    assert hour_day == day and hour_start(day, hour, zone) <= moment < hour_start(day, hour + 1, zone)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_a_utc_floor_buckets_exactly_as_before(moment: datetime) -> None:
    assert floor_day(moment) == moment.date()
    assert day_start(moment.date()) == datetime.combine(moment.date(), datetime.min.time(), tzinfo=UTC)


def test_weeks_start_on_monday_and_months_on_the_first_of_the_floors_days(riga_floor: None) -> None:
    sunday_night = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)  # Monday 30 November, 00:30 in Riga
    assert floor_day(sunday_night) == week_start(floor_day(sunday_night)) == date(2026, 11, 30)
    assert month_start(date(2026, 11, 30)) == date(2026, 11, 1)
    assert month_of(datetime(2026, 10, 31, 22, 30, tzinfo=UTC)) == date(2026, 11, 1)  # November's first trophy
    assert period(Preset.THIS_WEEK, sunday_night) == (datetime(2026, 11, 29, 22, tzinfo=UTC),
                                                      datetime(2026, 12, 6, 22, tzinfo=UTC))


def test_badge_windows_and_midnights_follow_the_floor(riga_floor: None) -> None:
    now = datetime(2026, 10, 25, 12, tzinfo=UTC)
    assert next_midnight(now) == datetime(2026, 10, 25, 22, tzinfo=UTC)
    assert window_bounds(Window.PREVIOUS_DAY, now) == (datetime(2026, 10, 23, 21, tzinfo=UTC),
                                                       datetime(2026, 10, 24, 21, tzinfo=UTC))


def test_a_daily_quests_rounds_are_the_floors_days_across_a_clock_change(riga_floor: None) -> None:
    quest = daily(starts_at=day_start(date(2026, 3, 28)), ends_at=UNTIL_ENDED)
    assert quest.round_span(1) == (datetime(2026, 3, 28, 22, tzinfo=UTC), datetime(2026, 3, 29, 21, tzinfo=UTC))
    assert quest.round_at(datetime(2026, 3, 29, 20, 59, tzinfo=UTC)) == 1  # 23:59 in Riga
    assert quest.round_at(datetime(2026, 3, 29, 21, 0, tzinfo=UTC)) == 2  # midnight in Riga: 23 hours later
    assert quest.round_at(datetime(2026, 3, 28, 21, 59, tzinfo=UTC)) == 0


def test_an_incentives_days_and_hours_are_the_floors(riga_floor: None) -> None:
    lunch = Incentive(name='lunch rush', kind=IncentiveKind.MULTIPLIER, starts_on=date(2026, 6, 11),
                      ends_on=date(2026, 6, 11), from_time='12:00', until_time='14:00')
    assert lunch.covers(datetime(2026, 6, 11, 9, 0, tzinfo=UTC))  # 12:00 in Riga (EEST)
    assert not lunch.covers(datetime(2026, 6, 11, 12, 30, tzinfo=UTC))  # 15:30 in Riga
    assert lunch.summary.endswith('12:00–14:00 Europe/Riga')


def test_a_clock_hour_is_the_floors() -> None:
    kathmandu = ZoneInfo('Asia/Kathmandu')  # UTC+5:45: its hours start at a quarter past on UTC's clock
    assert clock_hour(datetime(2026, 6, 11, 9, 20, tzinfo=UTC), kathmandu) == datetime(2026, 6, 11, 9, 15, tzinfo=UTC)
    assert clock_hour(datetime(2026, 6, 11, 9, 10, tzinfo=UTC), kathmandu) == datetime(2026, 6, 11, 8, 15, tzinfo=UTC)
    assert clock_hour(datetime(2026, 6, 11, 9, 10, tzinfo=UTC)) == datetime(2026, 6, 11, 9, tzinfo=UTC)
