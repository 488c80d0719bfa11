"""Business hours (issue 18): the working time between two moments in a team's calendar, and the calendar a lead
writes (refused with a clear message when it does not hold together)."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.business_hours import (
    CalendarError,
    WorkingCalendar,
    calendar_from_dict,
    format_calendar,
    parse_calendar,
    working_time,
)
from services.domain.events import EventKind, GameEvent
from services.domain.receipts import facts
from services.domain.scoring import AwardKind, ScoringPolicy, resolution_awards

OFFICE = parse_calendar('Mon-Fri 09:00-17:00\nbreak 12:00-13:00\nholiday 2026-12-25', zone='Europe/Riga')
RIGA = ZoneInfo('Europe/Riga')  # EET (+2) in winter, EEST (+3) in summer
NIGHTS = parse_calendar('Mon-Sun 00:00-03:30, 22:00-24:00', zone='Europe/Riga')  # spans the 03:00→04:00 jump
CALENDARS = [OFFICE, NIGHTS, parse_calendar('Sat 10:00-14:00\nSun 00:00-24:00', zone='America/New_York'),
             parse_calendar('Mon-Sun 00:00-24:00', zone='UTC')]


def riga(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIGA)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)) \
    .map(lambda moment: moment.replace(tzinfo=UTC))


def test_a_weekend_does_not_count() -> None:
    assert OFFICE is not None
    # Friday 16:50 to Monday 09:20 in Riga: 10 minutes on Friday, 20 on Monday
    assert working_time(OFFICE, riga(2026, 12, 4, 16, 50), riga(2026, 12, 7, 9, 20)) == timedelta(minutes=30)


def test_breaks_and_holidays_do_not_count() -> None:
    assert working_time(OFFICE, riga(2026, 12, 3, 11, 0), riga(2026, 12, 3, 14, 0)) == timedelta(hours=2)
    assert working_time(OFFICE, riga(2026, 12, 25, 0, 0), riga(2026, 12, 26, 0, 0)) == timedelta(0)


def test_no_calendar_is_wall_time() -> None:
    start = datetime(2026, 12, 5, 3, 0)  # naive: UTC, as the log stores it
    assert working_time(None, start, start + timedelta(hours=50)) == timedelta(hours=50)
    assert working_time(None, start, start - timedelta(hours=1)) == timedelta(0)


def test_a_clock_change_counts_the_time_that_really_passed() -> None:
    # 29 March 2026: Riga's clocks jump from 03:00 to 04:00, so 00:00-03:30 holds 3 hours (the last half hour is
    # skipped); 25 October 2026 they fall back from 04:00 to 03:00, so 00:00-03:30 holds 3.5 hours once
    spring = working_time(NIGHTS, riga(2026, 3, 29, 0, 0), riga(2026, 3, 29, 12, 0))
    autumn = working_time(NIGHTS, riga(2026, 10, 25, 0, 0), riga(2026, 10, 25, 12, 0))
    assert spring == timedelta(hours=3)
    assert autumn == timedelta(hours=3, minutes=30)


@given(calendar=st.sampled_from(CALENDARS), first=moments, second=moments, third=moments)
def test_additive_over_any_split_point(calendar: WorkingCalendar, first: datetime, second: datetime,
                                       third: datetime) -> None:
    start, middle, end = sorted((first, second, third))
    assert working_time(calendar, start, end) == \
        working_time(calendar, start, middle) + working_time(calendar, middle, end)


@given(calendar=st.sampled_from(CALENDARS), first=moments, second=moments)
def test_never_more_than_wall_time_nor_negative(calendar: WorkingCalendar, first: datetime, second: datetime) -> None:
    start, end = sorted((first, second))
    assert timedelta(0) <= working_time(calendar, start, end) <= end - start
    assert working_time(calendar, end, start) == timedelta(0)


@given(holiday=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
       start=st.integers(0, 24 * 60), length=st.integers(0, 24 * 60))
def test_zero_over_a_holiday(holiday: date, start: int, length: int) -> None:
    calendar = parse_calendar(f'Mon-Sun 00:00-24:00\nholiday {holiday.isoformat()}', zone='Europe/Riga')
    begin = datetime.combine(holiday, datetime.min.time(), tzinfo=RIGA) + timedelta(minutes=start)
    end = min(begin + timedelta(minutes=length), datetime.combine(holiday + timedelta(days=1), datetime.min.time(),
                                                                  tzinfo=RIGA))
    assert working_time(calendar, begin, end) == timedelta(0)


def test_the_calendar_goes_through_the_log_and_back_to_the_lines() -> None:
    assert OFFICE is not None
    assert calendar_from_dict(OFFICE.as_dict()) == OFFICE
    assert format_calendar(OFFICE) == 'Mon-Fri 09:00-17:00\nbreak 12:00-13:00\nholiday 2026-12-25'
    assert parse_calendar(format_calendar(OFFICE), zone='Europe/Riga') == OFFICE
    assert parse_calendar('  \n# nothing\n', zone='UTC') is None  # no lines: 24/7


@pytest.mark.parametrize(('text', 'message'), [
    ('Mon 09:00-12:00, 11:00-13:00', 'Mon: 09:00-12:00 and 11:00-13:00 overlap'),
    ('Mon-Fri 09:00-17:00\nFri 16:00-18:00', 'Fri: 09:00-17:00 and 16:00-18:00 overlap'),
    ('Mon 17:00-09:00', 'ends before it starts'),
    ('Mon 9-17', 'is not hours like 09:00-17:00'),
    ('Mon 09:00-25:00', 'is not a time of day'),
    ('Funday 09:00-17:00', 'write a day'),
    ('Fri-Mon 09:00-17:00', 'the day range ends before it starts'),
    ('Mon 09:00-17:00\nholiday 2026-02-30', '“2026-02-30” is not a date'),
    ('Mon 09:00-17:00\nbreak 12:00-13:00, 12:30-14:00', 'Breaks 12:00-13:00 and 12:30-14:00 overlap'),
    ('Mon 12:00-13:00\nbreak 12:00-13:00', 'No working time is left'),
])
def test_a_calendar_that_does_not_hold_together_is_refused(text: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        parse_calendar(text, zone='UTC')


def resolved(created: datetime, at: datetime, due: datetime) -> GameEvent:
    return GameEvent(id=1, key='r', kind=EventKind.RESOLVED, occurred_at=at.astimezone(UTC), agent_id=1,
                     conversation_id=7, data={'channel': 'email', 'created_at': created.astimezone(UTC).isoformat(),
                                              'sla_due_at': due.astimezone(UTC).isoformat(), 'inbound_count': 2,
                                              'team_id': 1})


def test_scoring_times_a_resolution_in_working_hours() -> None:
    # written Friday 16:50, resolved Monday 09:20 with a 4-hour target: late on the wall, 30 min in working hours
    created = riga(2026, 12, 4, 16, 50)
    event = resolved(created, riga(2026, 12, 7, 9, 20), created + timedelta(hours=4))
    wall = {award.kind for award in resolution_awards(event, policy=ScoringPolicy())}
    worked = {award.kind for award in resolution_awards(event, policy=ScoringPolicy(), calendar=OFFICE)}
    assert wall == {AwardKind.LATE_RESOLUTION}
    assert worked == {AwardKind.FAST_RESOLUTION, AwardKind.ON_TIME_RESOLUTION}
    assert facts(AwardKind.FAST_RESOLUTION.value, 'resolved', event.data, event.occurred_at, calendar=OFFICE) == [
        'Resolved 30 min in working hours (Fri 14:50 → Mon 07:20) after the customer wrote in; under 60 min of '
        'working hours counts as fast (+10 speed). Nights, weekends, breaks and holidays of the team do not count.']
