"""Wall displays' rules (issue 15): which slides there are, how long each stays, what a pairing code looks like, and
the name an agent goes by on public screens. Pure: no I/O."""
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from services.domain.errors import ActionError
from services.domain.i18n import LANGUAGES, N_, _


class Slide(str, Enum):
    TODAY = 'today'  # today's board: the top of the floor and the teams' totals
    WEEK = 'week'  # the week's board, per team
    MISSIONS = 'missions'  # team missions' progress
    QUEUE = 'queue'  # customers waiting per channel, CSAT today
    CELEBRATIONS = 'celebrations'  # the latest level-ups, badges, quests and trophies
    TROPHIES = 'trophies'  # this month's trophies


SLIDE_LABELS = {Slide.TODAY: N_("Today's board"), Slide.WEEK: N_("This week's board per team"),
                Slide.MISSIONS: N_('Team missions'), Slide.QUEUE: N_('Queue health'),
                Slide.CELEBRATIONS: N_('Celebrations'), Slide.TROPHIES: N_('Trophies of the month')}  # through _()
MIN_SLIDE_SECONDS = 5
MAX_SLIDE_SECONDS = 600
CODE_LIFETIME = timedelta(minutes=10)
CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'  # no 0/O, 1/I/L: read off one screen and typed on a remote
CODE_LENGTH = 8
PUBLIC_TOP = 5  # public boards show the top of a ranking, never its bottom


@dataclass(frozen=True, kw_only=True, slots=True)
class DisplaySetup:
    """What a lead chose for a display, checked."""
    name: str
    team_ids: tuple[int, ...]  # empty: the whole floor
    slides: tuple[Slide, ...]
    slide_seconds: int
    language: str  # what the display speaks (services/domain/i18n.py LANGUAGES)


def checked_language(language: object) -> str:
    """A display's language, or :class:`ActionError` for one the app does not speak."""
    if not isinstance(language, str) or language not in LANGUAGES:
        raise ActionError(_('Choose one of the languages offered.'))
    return language


def checked_setup(*, name: str, team_ids: object, slides: object, slide_seconds: object, language: object,
                  teams: dict[int, str]) -> DisplaySetup:
    """The lead's choice, or :class:`ActionError` saying what is wrong (``name`` already checked as text)."""
    if not isinstance(team_ids, list | tuple) or any(not isinstance(team, int) or team not in teams
                                                     for team in team_ids):
        raise ActionError(_('Choose teams that exist (or none for the whole floor).'))
    if not isinstance(slides, list | tuple) or not slides:
        raise ActionError(_('Choose at least one slide.'))
    try:
        chosen = tuple(dict.fromkeys(Slide(slide) for slide in slides))
    except ValueError:
        raise ActionError(_('The slides must be among: {slides}.').format(
            slides=', '.join(slide.value for slide in Slide))) from None
    if isinstance(slide_seconds, float) and slide_seconds.is_integer():
        slide_seconds = int(slide_seconds)
    if not isinstance(slide_seconds, int) or isinstance(slide_seconds, bool) or \
            not MIN_SLIDE_SECONDS <= slide_seconds <= MAX_SLIDE_SECONDS:
        raise ActionError(_('A slide stays between {least} and {most} seconds.').format(
            least=MIN_SLIDE_SECONDS, most=MAX_SLIDE_SECONDS))
    return DisplaySetup(name=name, team_ids=tuple(sorted(set(team_ids))), slides=chosen, slide_seconds=slide_seconds,
                        language=checked_language(language))


def normalized_code(typed: object) -> str | None:
    """A typed pairing code as it was issued (upper case, without spaces or dashes), or None if it cannot be one."""
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    code = ''.join(char for char in typed.upper() if char not in ' -')
    return code if len(code) == CODE_LENGTH and all(char in CODE_ALPHABET for char in code) else None


def shown_code(code: str) -> str:
    """A code as the lead reads it: two groups of four."""
    return f'{code[:4]}-{code[4:]}'


def slide_at(slides: tuple[Slide, ...], seconds: int, elapsed: float) -> int:
    """Which slide a display shows ``elapsed`` seconds into its rotation (every display's tab agrees)."""
    return int(elapsed // seconds) % len(slides) if slides else 0
