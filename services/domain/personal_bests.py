"""Personal bests, streaks and recaps (issue 20): an agent compared with themselves, never with others.

Pure folds over an agent's days (points, resolutions, ratings per day: the maintained daily aggregates of the log,
``daily_points`` and ``analytics_day``), so a rebuild of those gives the same bests. Live cards fold the closed days
once a day (:func:`fold_days`) and add today on every change (:func:`with_today`); a recap folds a period
(:class:`RecapPeriod`, a pair of dates a month or a season gives).

Streaks count working days: a weekday without a resolution ends a streak, a weekend day neither ends it nor counts
unless the agent resolved something that day, and today never ends one (it is not over yet).
"""
import calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum
from functools import partial

from services.domain.floor_calendar import week_start
from services.domain.i18n import N_, Phrase, _, ngettext, phrase

CSAT_WEEK_MINIMUM = 5  # ratings in a week before its CSAT can be a personal best (one good rating is not a best week)


class Best(str, Enum):
    BEST_DAY = 'best_day'  # the most points in a day
    MOST_RESOLVED = 'most_resolved'  # the most resolutions (less reopens) in a day
    LONGEST_STREAK = 'longest_streak'  # the most working days in a row with a resolution
    BEST_CSAT_WEEK = 'best_csat_week'  # the best share of good ratings in an ISO week, with enough ratings


BEST_TITLES = {Best.BEST_DAY: N_('Best day'), Best.MOST_RESOLVED: N_('Most resolutions in a day'),
               Best.LONGEST_STREAK: N_('Longest streak'), Best.BEST_CSAT_WEEK: N_('Best CSAT week')}


@dataclass(frozen=True, kw_only=True, slots=True)
class DayFigures:
    """One agent's day."""
    points: int = 0
    resolved: int = 0  # resolutions less reopens
    rated: int = 0
    rated_good: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Record:
    value: float  # points, resolutions, days or a CSAT %
    day: date  # the day it was set (a streak: its last day so far; a CSAT week: its Monday)


@dataclass(frozen=True, kw_only=True, slots=True)
class Streak:
    length: int = 0
    last: date | None = None  # the last day that counted


@dataclass(frozen=True, kw_only=True, slots=True)
class PersonalBests:
    """The records up to a day, and the running state that folding the next days needs."""
    records: Mapping[Best, Record]
    streak: Streak = Streak()  # the streak running at the last day folded
    week: tuple[date, int, int] | None = None  # the last week folded, unfinished: its Monday, good ratings, ratings

    def value(self, best: Best) -> float:
        record = self.records.get(best)
        return record.value if record is not None else 0

    def current_streak(self, today: date) -> int:
        """The streak still running today: ended by no weekday between its last day and today."""
        if self.streak.last is None or not _continues(self.streak.last, today) and self.streak.last != today:
            return 0
        return self.streak.length


NO_BESTS = PersonalBests(records={})


@dataclass(frozen=True, kw_only=True, slots=True)
class RecapPeriod:
    """A period an agent looks back on: a month or a season (both days included)."""
    start: date
    end: date
    season: str = ''  # the season's name; '' for a month

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError('a period ends on or after its start')

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def month_period(year: int, month: int) -> RecapPeriod:
    """The calendar month, both ends included."""
    return RecapPeriod(start=date(year, month, 1), end=date(year, month, calendar.monthrange(year, month)[1]))


def previous_month(period: RecapPeriod) -> RecapPeriod:
    last = period.start - timedelta(days=1)
    return month_period(last.year, last.month)


def fold_days(days: Mapping[date, DayFigures], *, until: date, bests: PersonalBests = NO_BESTS,
              since: date | None = None) -> PersonalBests:
    """The bests after folding the agent's days up to ``until`` (included) into ``bests`` (those of the days before
    ``since``, or none)."""
    for day in sorted(day for day in days if day <= until and (since is None or day >= since)):
        bests = fold_day(bests, day, days[day])
    return bests


def fold_since(bests: PersonalBests, first: date, today: date,
               figures_of: Callable[[date], DayFigures]) -> PersonalBests:
    """The bests of the days before ``first`` carried on over every day from ``first`` to the day before ``today``
    (a live card's closed days when the date changes: a few days folded, not the whole history)."""
    day = first
    while day < today:
        bests = fold_day(bests, day, figures_of(day))
        day += timedelta(days=1)
    return bests


def fold_day(bests: PersonalBests, day: date, figures: DayFigures) -> PersonalBests:
    """Fold one day into the bests; days come in order, a day missing is a day without anything."""
    records = dict(bests.records)
    _raise(records, Best.BEST_DAY, figures.points, day)
    _raise(records, Best.MOST_RESOLVED, figures.resolved, day)
    streak = bests.streak
    if figures.resolved > 0:
        running = streak.last is not None and _continues(streak.last, day)
        streak = Streak(length=streak.length + 1 if running else 1, last=day)
        _raise(records, Best.LONGEST_STREAK, streak.length, day)
    week = bests.week
    monday = week_start(day)
    if week is not None and week[0] != monday:
        _raise_csat(records, week)
        week = None
    if figures.rated:
        good, rated = (week[1], week[2]) if week is not None else (0, 0)
        week = (monday, good + figures.rated_good, rated + figures.rated)
    return PersonalBests(records=records, streak=streak, week=week)


def with_today(closed: PersonalBests, today: date, figures: DayFigures) -> PersonalBests:
    """The live bests: the closed days' (folded once a day) with today as it stands, the running week counted."""
    bests = fold_day(closed, today, figures)
    if bests.week is not None:
        records = dict(bests.records)
        _raise_csat(records, bests.week)
        bests = replace(bests, records=records)
    return bests


def finished(bests: PersonalBests) -> PersonalBests:
    """The bests with the last week folded counted (a recap's period ends with it)."""
    if bests.week is None:
        return bests
    records = dict(bests.records)
    _raise_csat(records, bests.week)
    return replace(bests, records=records, week=None)


def new_bests(before: PersonalBests, after: PersonalBests, today: date) -> list[tuple[Best, Record]]:
    """The records set today that beat one held before today (a first day is no record worth a notice)."""
    beaten = []
    for best, record in after.records.items():
        earlier = before.records.get(best)
        if record.day >= today - timedelta(days=6) and earlier is not None and record.value > earlier.value > 0 \
                and (best == Best.BEST_CSAT_WEEK or record.day == today):
            beaten.append((best, record))
    return beaten


def bests_set_in(days: Mapping[date, DayFigures], period: RecapPeriod) -> dict[Best, Record]:
    """The personal bests the agent set during the period: for each kind, the highest record of the period that beat
    an earlier one (before or within the period; an agent's very first day beats nothing, so it sets no record)."""
    bests = fold_days(days, until=period.start - timedelta(days=1))
    set_in: dict[Best, Record] = {}
    for day in period.days():
        after = fold_day(bests, day, days.get(day, DayFigures()))
        _note_beaten(set_in, bests, after, period)
        bests = after
    _note_beaten(set_in, bests, finished(bests), period)
    return set_in


def longest_streak_in(days: Mapping[date, DayFigures], period: RecapPeriod) -> Streak:
    """The longest streak within the period's own days (a streak running into it counts from its first day)."""
    bests = fold_days(days, until=period.end, since=period.start)
    record = bests.records.get(Best.LONGEST_STREAK)
    return Streak(length=int(record.value), last=record.day) if record is not None else Streak()


def best_day_in(days: Mapping[date, DayFigures], period: RecapPeriod) -> tuple[date, DayFigures] | None:
    """The period's day with the most points (ties: the most resolutions, then the earliest); None without points."""
    scored = [(day, days[day]) for day in period.days() if day in days and days[day].points > 0]
    if not scored:
        return None
    return min(scored, key=lambda pair: (-pair[1].points, -pair[1].resolved, pair[0]))


def merged_days(points: Mapping[date, int], resolved: Mapping[date, int],
                ratings: Mapping[date, Iterable[int]] | None = None) -> dict[date, DayFigures]:
    """An agent's days from the maintained aggregates: points and resolutions per day, and (good, all) ratings."""
    rated = {day: tuple(counts) for day, counts in (ratings or {}).items()}
    return {day: DayFigures(points=points.get(day, 0), resolved=resolved.get(day, 0),
                            rated_good=rated[day][0] if day in rated else 0, rated=rated[day][1] if day in rated else 0)
            for day in {*points, *resolved, *rated}}


def best_text(best: Best, record: Record) -> str:
    """A record in words: '14 resolutions in a day'."""
    value = int(record.value) if best != Best.BEST_CSAT_WEEK else record.value
    if best == Best.BEST_DAY:
        return ngettext('{count} point in a day', '{count} points in a day', value).format(count=value)
    if best == Best.MOST_RESOLVED:
        return ngettext('{count} resolution in a day', '{count} resolutions in a day', value).format(count=value)
    if best == Best.LONGEST_STREAK:
        return ngettext('a {count}-day streak', 'a {count}-day streak', value).format(count=value)
    return _('{percent:g} % CSAT in a week').format(percent=value)


def new_best_notice(best: Best, record: Record) -> Phrase:
    """The notice of a record beaten, worded when the agent's tab shows it."""
    return phrase(N_('New personal best: {best}'), best=partial(best_text, best, record))


def _continues(last: date, day: date) -> bool:
    """A streak whose last day is ``last`` runs on to ``day``: every day between is a weekend day."""
    return last < day and all((last + timedelta(days=n)).weekday() >= 5 for n in range(1, (day - last).days))


def _note_beaten(set_in: dict[Best, Record], before: PersonalBests, after: PersonalBests,
                 period: RecapPeriod) -> None:
    for best, record in after.records.items():
        held = before.records.get(best)
        if held is not None and record.value > held.value and record.day in period:
            set_in[best] = record


def _raise(records: dict[Best, Record], best: Best, value: float, day: date) -> None:
    """Keep the higher value; a tie keeps the earlier day (a record is beaten, not equalled)."""
    held = records.get(best)
    if value > 0 and (held is None or value > held.value):
        records[best] = Record(value=value, day=day)


def _raise_csat(records: dict[Best, Record], week: tuple[date, int, int]) -> None:
    monday, good, rated = week
    if rated >= CSAT_WEEK_MINIMUM:
        _raise(records, Best.BEST_CSAT_WEEK, round(100 * good / rated, 1), monday)
