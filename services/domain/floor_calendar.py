"""The floor's calendar: which day, week and month a moment belongs to, in the floor's time zone (issue 16).

Every rule that buckets by day (boards' Today/Week/Month, badges' windows, quests' days, trophies' months, the daily
points, personal bests, the wellbeing limit, analytics days, seasons) asks here, so a Riga floor's "today" starts at
midnight in Riga. The zone is the ``floor_timezone`` setting, installed once per process by the composition root
(:func:`services.domain.i18n.set_floor_timezone`, the same one the displayed times follow): the live service, the
replay of ``rebuild`` and what-if all run in that process with that setting, so they bucket alike. Changing the setting
on a database with history moves past days' boundaries: ``rebuild`` then rewrites the stored days.

Pure: no clock, no I/O. A day's start is returned as an aware UTC moment, as the log stores them. Days are calendar
days, not 24 hours: the day clocks spring forward is 23 hours long, the day they fall back 25.
"""
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from services.domain.i18n import floor_timezone


def floor_zone() -> tzinfo:
    """The floor's time zone (UTC unless the ``floor_timezone`` setting says otherwise)."""
    return _zone(floor_timezone())


def floor_day(moment: datetime, zone: tzinfo | None = None) -> date:
    """The floor's calendar day of ``moment`` (a naive moment is taken as UTC, as the log stores them)."""
    return floor_time(moment, zone).date()


def day_start(day: date, zone: tzinfo | None = None) -> datetime:
    """The moment (UTC) the floor's ``day`` begins: its local midnight, or the first moment after it when a clock
    change skips midnight itself."""
    zone = zone or floor_zone()
    if zone is UTC:
        return datetime.combine(day, time(), tzinfo=UTC)
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def day_bounds(moment: datetime, zone: tzinfo | None = None) -> tuple[datetime, datetime, date]:
    """``moment``'s floor day as [start, end) in UTC, and the day itself."""
    zone = zone or floor_zone()
    day = floor_day(moment, zone)
    return day_start(day, zone), day_start(day + timedelta(days=1), zone), day


def next_day_start(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """The floor's next midnight after ``moment`` (UTC)."""
    zone = zone or floor_zone()
    return day_start(floor_day(moment, zone) + timedelta(days=1), zone)


def floor_time(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """``moment`` as the floor's clocks show it (a naive moment is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone or floor_zone())


def floor_hour(moment: datetime, zone: tzinfo | None = None) -> tuple[date, int]:
    """The floor's day and hour on the clock (0-23) of ``moment``: the hour fallen back twice counts both in it."""
    local = floor_time(moment, zone)
    return local.date(), local.hour


def hour_start(day: date, hour: int, zone: tzinfo | None = None) -> datetime:
    """The moment (UTC) the floor's clock shows ``hour`` (0-24: 24 is the next day's start) on ``day``, so that
    [hour_start(d, h), hour_start(d, h + 1)) holds exactly the moments :func:`floor_hour` puts in (d, h)."""
    zone = zone or floor_zone()
    if hour == 24:
        return day_start(day + timedelta(days=1), zone)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def clock_hour(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """The moment (UTC) the floor's clock hour of ``moment`` began (a zone 45 minutes off UTC has its own hours)."""
    zone = zone or floor_zone()
    return hour_start(*floor_hour(moment, zone), zone)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (ISO weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


@cache
def _zone(name: str) -> tzinfo:
    return UTC if name == 'UTC' else ZoneInfo(name)
