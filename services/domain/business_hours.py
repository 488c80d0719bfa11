"""Business hours (issue 18): a team's working week, breaks and holidays, and the working time between two moments.

Scoring measures fast / on-time / late in the resolving team's working time, so a night or a weekend does not punish
anyone. No calendar is 24/7: working time is then wall time, and a floor without calendars scores exactly as before.

A calendar is kept in the zone it was written in (the floor's, when a lead saved it), so a replay measures alike even
after the ``floor_timezone`` setting changes. Opening hours are local clock times: a day the clocks spring forward has
one hour less of them when they span the change, the day they fall back one more (the real time that passed). A local
time the clocks skip counts from the moment they jump. Pure: no clock, no I/O.

A lead writes a calendar as lines (the admin tab and the event keep the same shape)::

    Mon-Fri 09:00-17:00
    Sat 10:00-14:00, 15:00-16:00
    break 12:00-12:30
    holiday 2026-12-25
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from services.domain.i18n import _

DAY_NAMES = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
DAY_MINUTES = 24 * 60
MAX_HOLIDAYS = 366  # a typo past a year of holidays is not a calendar

Interval = tuple[int, int]  # [start, end) in minutes after local midnight, 0 <= start < end <= 1440


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkingCalendar:
    """One team's working week in one zone: opening intervals per weekday (Monday first), breaks cut out of every
    day, and the local dates that are holidays."""
    zone: str
    week: tuple[tuple[Interval, ...], ...]  # seven entries, each sorted and non-overlapping
    breaks: tuple[Interval, ...] = ()
    holidays: frozenset[date] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        """The calendar as event data: plain lists and ISO dates."""
        return {'zone': self.zone, 'week': [[list(interval) for interval in day] for day in self.week],
                'breaks': [list(interval) for interval in self.breaks],
                'holidays': sorted(day.isoformat() for day in self.holidays)}


class CalendarError(ValueError):
    """A calendar a lead wrote does not hold together; the message names every line that is wrong and why."""


def working_time(calendar: WorkingCalendar | None, start: datetime, end: datetime) -> timedelta:
    """The working time between ``start`` and ``end`` (aware, or naive UTC as the log stores them): the part of
    [start, end) inside the calendar's opening hours, outside breaks and holidays. No calendar: the wall time. Never
    negative; additive over any split point; never more than the wall time."""
    start, end = _aware(start), _aware(end)
    if end <= start:
        return timedelta(0)
    if calendar is None:
        return end - start
    zone = _zone(calendar.zone)
    total = timedelta(0)
    day = start.astimezone(zone).date() - timedelta(days=1)  # an interval can begin the local day before
    last = end.astimezone(zone).date()
    while day <= last:
        for opens, closes in _day_intervals(calendar, day):
            if closes > start and opens < end:
                total += min(closes, end) - max(opens, start)
        day += timedelta(days=1)
    return total


def open_minutes(calendar: WorkingCalendar, weekday: int) -> tuple[Interval, ...]:
    """The weekday's opening intervals with the breaks cut out."""
    return _open_minutes(calendar.week[weekday], calendar.breaks)


def calendar_from_dict(values: Mapping[str, Any]) -> WorkingCalendar:
    """The inverse of :meth:`WorkingCalendar.as_dict`, for data already checked (the log's)."""
    return WorkingCalendar(zone=values['zone'],
                           week=tuple(tuple((int(a), int(b)) for a, b in day) for day in values['week']),
                           breaks=tuple((int(a), int(b)) for a, b in values['breaks']),
                           holidays=frozenset(date.fromisoformat(day) for day in values['holidays']))


def parse_calendar(text: str, *, zone: str) -> WorkingCalendar | None:
    """A lead's lines as a calendar in ``zone``; None for no lines (24/7). :class:`CalendarError` names each wrong line:
    an unknown day, a time that is not HH:MM, an end not after its start, intervals that overlap, a bad date."""
    problems: list[str] = []
    week: list[list[Interval]] = [[] for _day in DAY_NAMES]
    breaks: list[Interval] = []
    holidays: set[date] = set()
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line and not line.startswith('#')]
    if not lines:
        return None
    for number, line in lines:
        head, _space, rest = line.partition(' ')
        head, rest = head.lower(), rest.strip()
        try:
            if head in ('holiday', 'holidays'):
                holidays.update(_dates(rest))
            elif head in ('break', 'breaks'):
                breaks += _intervals(rest)
            else:
                intervals = _intervals(rest)
                for weekday in _days(head):
                    week[weekday] += intervals
        except CalendarError as error:
            problems.append(_('Line {number} “{line}”: {problem}').format(number=number, line=line[:60],
                                                                         problem=error))
    for weekday, intervals in enumerate(week):
        if overlap := _overlap(intervals):
            problems.append(_('{day}: {first} and {second} overlap.').format(
                day=DAY_NAMES[weekday].capitalize(), first=_span(overlap[0]), second=_span(overlap[1])))
    if overlap := _overlap(breaks):
        problems.append(_('Breaks {first} and {second} overlap.').format(first=_span(overlap[0]),
                                                                        second=_span(overlap[1])))
    if len(holidays) > MAX_HOLIDAYS:
        problems.append(_('At most {count} holidays.').format(count=MAX_HOLIDAYS))
    if not problems and not any(open_minutes_of(day, breaks) for day in week):
        problems.append(_('No working time is left in the week: write at least one day with opening hours (or '
                          'clear every line for 24/7).'))
    if problems:
        raise CalendarError(' '.join(problems))
    return WorkingCalendar(zone=zone, week=tuple(tuple(sorted(day)) for day in week), breaks=tuple(sorted(breaks)),
                           holidays=frozenset(holidays))


def format_calendar(calendar: WorkingCalendar | None) -> str:
    """The calendar as the lines :func:`parse_calendar` reads (weekdays with the same hours share a line)."""
    if calendar is None:
        return ''
    lines: list[str] = []
    weekday = 0
    while weekday < 7:
        last = weekday
        while last + 1 < 7 and calendar.week[last + 1] == calendar.week[weekday]:
            last += 1
        if calendar.week[weekday]:
            days = DAY_NAMES[weekday].capitalize() if last == weekday else \
                f'{DAY_NAMES[weekday].capitalize()}-{DAY_NAMES[last].capitalize()}'
            lines.append(f'{days} {", ".join(_span(interval) for interval in calendar.week[weekday])}')
        weekday = last + 1
    if calendar.breaks:
        lines.append(f'break {", ".join(_span(interval) for interval in calendar.breaks)}')
    lines += [f'holiday {day.isoformat()}' for day in sorted(calendar.holidays)]
    return '\n'.join(lines)


def open_minutes_of(intervals: list[Interval], breaks: list[Interval]) -> int:
    """How many minutes of ``intervals`` the breaks leave."""
    return sum(end - start for start, end in _open_minutes(tuple(sorted(intervals)), tuple(sorted(breaks))))


# --- helpers ---

@lru_cache(maxsize=8192)
def _day_intervals(calendar: WorkingCalendar, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The local ``day``'s working intervals as UTC moments (none on a holiday)."""
    if day in calendar.holidays:
        return ()
    zone = _zone(calendar.zone)
    midnight = datetime.combine(day, time())
    moments = ((_utc(midnight + timedelta(minutes=start), zone), _utc(midnight + timedelta(minutes=end), zone))
               for start, end in open_minutes(calendar, day.weekday()))
    return tuple((opens, closes) for opens, closes in moments if closes > opens)


@cache
def _open_minutes(day: tuple[Interval, ...], breaks: tuple[Interval, ...]) -> tuple[Interval, ...]:
    left: list[Interval] = []
    for start, end in day:
        pieces = [(start, end)]
        for pause_start, pause_end in breaks:
            pieces = [piece for a, b in pieces
                      for piece in ((a, min(b, pause_start)), (max(a, pause_end), b)) if piece[0] < piece[1]]
        left += pieces
    return tuple(left)


def _utc(local: datetime, zone: tzinfo) -> datetime:
    """The first moment (UTC) the zone's clocks show ``local`` (naive) or later: itself when it exists, the first of
    the two when the clocks fall back, the jump when they skip it."""
    if zone is UTC:
        return local.replace(tzinfo=UTC)
    moment = local.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the earlier of two; in a gap, past the jump
    if moment.astimezone(zone).replace(tzinfo=None) == local:
        return moment
    low = local.replace(tzinfo=zone, fold=1).astimezone(UTC)  # before the jump
    after = moment.astimezone(zone).utcoffset()
    seconds_low, seconds_high = 0, int((moment - low).total_seconds())
    while seconds_high - seconds_low > 1:  # the jump, to the second: the first moment with the later offset
        middle = (seconds_low + seconds_high) // 2
        if (low + timedelta(seconds=middle)).astimezone(zone).utcoffset() == after:
            seconds_high = middle
        else:
            seconds_low = middle
    return low + timedelta(seconds=seconds_high)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.split(','):
        first, _dash, last = part.strip().partition('-')
        if first[:3] not in DAY_NAMES or (last and last[:3] not in DAY_NAMES):
            raise CalendarError(_('write a day (Mon … Sun, or a range like Mon-Fri), “break” or “holiday” first.'))
        low, high = DAY_NAMES.index(first[:3]), DAY_NAMES.index((last or first)[:3])
        if high < low:
            raise CalendarError(_('the day range ends before it starts.'))
        days += range(low, high + 1)
    return days


def _intervals(text: str) -> list[Interval]:
    if not text:
        raise CalendarError(_('give the hours, like 09:00-17:00.'))
    intervals = []
    for part in text.split(','):
        match = re.fullmatch(r'\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*', part)
        if match is None:
            raise CalendarError(_('“{part}” is not hours like 09:00-17:00.').format(part=part.strip()[:20]))
        start_hour, start_minute, end_hour, end_minute = (int(group) for group in match.groups())
        start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
        if start_minute > 59 or end_minute > 59 or start >= DAY_MINUTES or end > DAY_MINUTES:
            raise CalendarError(_('“{part}” is not a time of day (00:00 to 24:00).').format(part=part.strip()[:20]))
        if end <= start:
            raise CalendarError(_('{span} ends before it starts (a night shift is two lines: one before midnight, one '
                                  'after).').format(span=part.strip()[:20]))
        intervals.append((start, end))
    return intervals


def _dates(text: str) -> list[date]:
    days = []
    for part in text.replace(',', ' ').split():
        try:
            days.append(date.fromisoformat(part))
        except ValueError:
            raise CalendarError(_('“{part}” is not a date like 2026-12-25.').format(part=part[:20])) from None
    if not days:
        raise CalendarError(_('give the date, like 2026-12-25.'))
    return days


def _overlap(intervals: list[Interval]) -> tuple[Interval, Interval] | None:
    ordered = sorted(intervals)
    for first, second in zip(ordered, ordered[1:], strict=False):
        if second[0] < first[1]:
            return first, second
    return None


def _span(interval: Interval) -> str:
    return f'{interval[0] // 60:02d}:{interval[0] % 60:02d}-{interval[1] // 60:02d}:{interval[1] % 60:02d}'


@cache
def _zone(name: str) -> tzinfo:
    return UTC if name == 'UTC' else ZoneInfo(name)
