"""How a duration, a rank, a number, a date and a time are written, the same on every page and in every receipt."""
import functools
import math
from datetime import UTC, date, datetime, timedelta

from babel.dates import format_date, format_datetime, format_skeleton, format_time, format_timedelta, get_timezone
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from services.domain.i18n import current_language, floor_timezone, ngettext, supported


def duration(seconds: float, *, precise: bool = False, locale: str | None = None) -> str:
    """A short human duration: '45 s', '12 min', '3 h 05 min', '2 d 4 h' (English); in another language CLDR's short
    units (Babel): '3 st. 5 min' (lv), '3 uur 5 min' (nl).

    :param precise: for a measured figure (a receipt's) rather than a clock: rounded to the nearest unit instead of the
        whole units that have passed, seconds kept under 10 minutes ('3 min 20 s'), and hours never turned into days
    """
    units = round if precise else math.floor  # a clock shows what has passed; a figure is as near as it can be
    total = units(seconds) if precise else max(0, units(seconds))
    if total < 60:
        parts = [(total, 'second')]
    elif total < 3600:
        if precise and total < 600 and total % 60:
            parts = [(total // 60, 'minute'), (total % 60, 'second')]
        else:
            parts = [(units(total / 60), 'minute')]
    else:
        hours, minutes = divmod(units(total / 60), 60)
        if precise or hours < 48:
            parts = [(hours, 'hour'), (minutes, 'minute')]
        else:
            days, hours = divmod(hours, 24)
            parts = [(days, 'day'), (hours, 'hour')]
    return _units(parts, length='short', locale=locale)


def ordinal(number: int, *, locale: str = 'en') -> str:
    """'1st', '2nd', '3rd', '4th', '11th', '21st'; in French '1er', '2e'; in Dutch '2e'; in Latvian '2.' (English by
    default: a receipt's English sentence composes it)."""
    language = supported(locale)
    if language == 'fr':
        return f'{number}er' if number == 1 else f'{number}e'
    if language == 'nl':
        return f'{number}e'
    if language == 'lv':
        return f'{number}.'
    suffix = 'th' if 10 <= number % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')
    return f'{number}{suffix}'


def delay(minutes: int, *, locale: str | None = None) -> str:
    """A waiting time someone set, in whole minutes, written exactly in its largest whole unit: '2 days', '3 h',
    '90 min' (:func:`duration` rounds a measured one instead, and would write '1 h 30 min')."""
    if minutes % (24 * 60) == 0:
        return _units([(minutes // (24 * 60), 'day')], length='long', locale=locale)
    if minutes % 60 == 0:
        return _units([(minutes // 60, 'hour')], length='short', locale=locale)
    return _units([(minutes, 'minute')], length='short', locale=locale)


ENGLISH_UNITS = {'second': 's', 'minute': 'min', 'hour': 'h', 'day': 'd'}


def _units(parts: list[tuple[int, str]], *, length: str, locale: str | None) -> str:
    """'3 h 05 min' in English as the app always wrote it (a day in full: '2 days'); CLDR's units in another
    language."""
    language = locale or current_language()
    if language == 'en':
        if length == 'long':
            return ' '.join(f'{value} day{"s" if value != 1 else ""}' for value, _name in parts)
        return ' '.join(f'{value:02d} {ENGLISH_UNITS[unit]}' if unit == 'minute' and index else
                        f'{value} {ENGLISH_UNITS[unit]}' for index, (value, unit) in enumerate(parts))
    return ' '.join(_unit(value, unit, length, language) for value, unit in parts)


@functools.lru_cache(maxsize=4096)
def _unit(value: int, unit: str, length: str, language: str) -> str:
    """Babel's '12 min' for one unit, remembered: the queue's waiting times and SLA countdowns are redrawn for every
    language in use every 15 seconds, from a few hundred distinct values (docs/PERFORMANCE.md, issue 16)."""
    return format_unit(value, f'duration-{unit}', length=length, locale=language)


# Numbers, dates, times and relative durations in the reader's language (Babel, CLDR's data), times in the floor's
# time zone. The API and the exports keep machine values (ISO dates, plain numbers): these are for people only. Babel
# separates groups with non-breaking spaces (lv U+00A0, fr U+202F): compare with those, not with typed spaces.

def number(value: float, *, locale: str | None = None) -> str:
    """'1,234.5' (en), '1 234,5' (fr, lv), '1.234,5' (nl)."""
    language = locale or current_language()
    if type(value) is int:  # a count or a total: the same few thousand come back at every board and standing
        return _whole_number(value, language)
    return format_decimal(value, locale=language)


@functools.lru_cache(maxsize=16_384)
def _whole_number(value: int, language: str) -> str:
    """Babel's formatting of an integer, remembered: the boards and standings of four languages format a few hundred
    thousand numbers a minute, most of them the same (see docs/PERFORMANCE.md, issue 16)."""
    return format_decimal(value, locale=language)


def percent(ratio: float, *, exact: bool = False, locale: str | None = None) -> str:
    """A ratio (0.874) as a percentage: '87%' (en, nl, lv), '87 %' (fr).

    :param exact: a chance someone set (0.005): every decimal kept, '0.5%', not rounded to '1%'
    """
    return format_percent(ratio, locale=locale or current_language(), decimal_quantization=not exact)


def day(moment: datetime | date, *, style: str = 'medium', locale: str | None = None) -> str:
    """A date: 'Oct 14, 2026' (en), '14 oct. 2026' (fr), '2026. gada 14. okt.' (lv); a datetime's in the floor's time
    zone."""
    if isinstance(moment, datetime):
        moment = _on_the_floor(moment).date()
    return format_date(moment, style, locale=locale or current_language())


def clock_time(moment: datetime, *, style: str = 'short', locale: str | None = None) -> str:
    """A time of day on the floor's clock: '2:05 PM' (en), '14:05' (fr, nl, lv)."""
    return format_time(_on_the_floor(moment), style, locale=locale or current_language())


def moment_text(moment: datetime, *, style: str = 'medium', locale: str | None = None) -> str:
    """A date and time on the floor's clock: 'Oct 14, 2026, 12:02:11 PM' (en), '2026. gada 14. okt. 12:02:11' (lv)."""
    return format_datetime(_on_the_floor(moment), style, locale=locale or current_language())


def month(moment: date, *, locale: str | None = None) -> str:
    """A calendar month: 'December 2026' (en), 'décembre 2026' (fr)."""
    return format_skeleton('yMMMM', moment, locale=locale or current_language())


def weekday_time(moment: datetime, *, locale: str | None = None) -> str:
    """A short day of the week, date and time on the floor's clock, for a header or a list: 'Sun, Dec 6 14:05' (en),
    'dim. 6 déc. 14:05' (fr), 'svētd., 6. dec. 14:05' (lv)."""
    language, on_the_floor = locale or current_language(), _on_the_floor(moment)
    return ' '.join(format_skeleton(skeleton, on_the_floor, locale=language) for skeleton in ('MMMEd', 'Hm'))


def weekday_date(moment: datetime | date, *, locale: str | None = None) -> str:
    """A short day of the week and date, a datetime's on the floor's clock: 'Mon, Nov 2' (en), 'lun. 2 nov.' (fr),
    'pirmd., 2. nov.' (lv)."""
    if isinstance(moment, datetime):
        moment = _on_the_floor(moment).date()
    return format_skeleton('MMMEd', moment, locale=locale or current_language())


def weekday_clock(moment: datetime, *, locale: str | None = None) -> str:
    """A short day of the week and time on the floor's clock, for a span inside a week: 'Fri 17:50' (en), 'ven. 17:50'
    (fr)."""
    return format_skeleton('EHm', _on_the_floor(moment), locale=locale or current_language())


def ago(seconds: float, *, locale: str | None = None) -> str:
    """How long ago: '3 minutes ago', 'il y a 3 minutes', '3 minuten geleden', 'pirms 3 minūtēm'."""
    return format_timedelta(timedelta(seconds=-max(0.0, seconds)), add_direction=True,
                            locale=locale or current_language())


def _on_the_floor(moment: datetime) -> datetime:
    """``moment`` (naive: UTC, as the database and the clock give it) on the floor's clock."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(get_timezone(floor_timezone()))


def points(count: int, *, signed: bool = False, locale: str | None = None) -> str:
    """A number of points with the noun in the form the number asks for: '1 point', '21 points'; in Latvian '1 punkts',
    '22 punkti', '10 punktu' (CLDR's three forms, lv.po's header).

    :param signed: a gain or a loss: '+25 points', '-15 points'
    """
    language = locale or current_language()
    figure = number(count, locale=language)
    return ngettext('{count} point', '{count} points', abs(count), locale=language).format(
        count=f'+{figure}' if signed and count > 0 else figure)
