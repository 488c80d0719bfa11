"""How a duration and a rank are written, the same on every page and in every receipt."""
import math


def duration(seconds: float, *, precise: bool = False) -> str:
    """A short human duration: '45 s', '12 min', '3 h 05 min', '2 d 4 h'.

    :param precise: for a measured figure (a receipt's) rather than a clock: rounded to the nearest unit instead of the
        whole units that have passed, seconds kept under 10 minutes ('3 min 20 s'), and hours never turned into days
    """
    units = round if precise else math.floor  # a clock shows what has passed; a figure is as near as it can be
    total = units(seconds) if precise else max(0, units(seconds))
    if total < 60:
        return f'{total} s'
    if total < 3600:
        if precise and total < 600 and total % 60:
            return f'{total // 60} min {total % 60} s'
        return f'{units(total / 60)} min'
    hours, minutes = divmod(units(total / 60), 60)
    if precise or hours < 48:
        return f'{hours} h {minutes:02d} min'
    days, hours = divmod(hours, 24)
    return f'{days} d {hours} h'


def ordinal(number: int) -> str:
    """'1st', '2nd', '3rd', '4th', '11th', '21st'."""
    suffix = 'th' if 10 <= number % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')
    return f'{number}{suffix}'


def delay(minutes: int) -> str:
    """A waiting time someone set, in whole minutes, written exactly in its largest whole unit: '2 days', '3 h',
    '90 min' (:func:`duration` rounds a measured one instead, and would write '1 h 30 min')."""
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f'{days} day{"s" if days != 1 else ""}'
    if minutes % 60 == 0:
        return f'{minutes // 60} h'
    return f'{minutes} min'
