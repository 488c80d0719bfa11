"""What a person may type into a field: one check for every form, the webhook and the API, run before anything is
written, so that no input reaches the database or a traceback (issue 19, "Bad input everywhere")."""
import re
from collections.abc import Mapping

from services.domain.errors import ActionError
from services.domain.i18n import DEFAULT_LANGUAGE, LANGUAGES

# The longest value each field takes; the database columns are at least this wide.
MAX_NAME = 80  # a badge, a department, an automation rule, a level title
MAX_ICON = 40  # a level's icon name
MAX_BADGE_KEY = 40
MAX_TITLE = 120  # a quest or a canned reply
MAX_DESCRIPTION = 300  # a quest, a reward, a department
MAX_BADGE_DESCRIPTION = 200
MAX_SUBJECT = 200
MAX_MESSAGE = 10_000  # what a customer writes
MAX_REASON = 200  # a lead's note on a redemption
MAX_COMMENT = 500  # with a rating
MAX_SEARCH = 200

BIDI_CONTROLS = re.compile('[\u202a-\u202e\u2066-\u2069]')  # embeddings, overrides and isolates
# Control characters (Unicode category Cc) and lone surrogates, which no database stores; tab, LF and CR aside.
_FORBIDDEN = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]')
_LINE_BREAKS = re.compile('[\t\n\r]')


def checked_text(text: object, what: str, max_length: int, *, multiline: bool = False, name: bool = False,
                 empty: str | None = None) -> str:
    """``text`` trimmed, as it may be stored in the field called ``what`` ('badge name').

    Control characters are refused (tabs and line breaks only where the field is ``multiline``), and so are lone
    surrogates (no database takes them). A ``name`` everyone sees loses its bidirectional embedding, override and
    isolate characters, which could make it read backwards or disguise it as another.

    :raises ActionError: naming the field, when it is not text, too long, holds a character it may not hold, or is
        empty and ``empty`` (the message) is given.
    """
    if not isinstance(text, str):
        raise ActionError(f'The {what} must be text.')
    if name:
        text = BIDI_CONTROLS.sub('', text)
    text = text.strip()
    if not text and empty is not None:
        raise ActionError(empty)
    if len(text) > max_length:
        raise ActionError(f'The {what} is too long ({len(text)} characters, at most {max_length}).')
    if (match := _FORBIDDEN.search(text) or (None if multiline else _LINE_BREAKS.search(text))) is not None:
        raise ActionError(f'The {what} holds a character it may not hold (U+{ord(match.group()):04X} at position '
                          f'{match.start() + 1}): remove it.')
    return text


def checked_translations(value: object, limits: Mapping[str, int], *, what: str) -> dict[str, dict[str, str]]:
    """A lead's translations of ``what`` ('badge') as they may be stored: ``{language: {field: text}}`` for the
    languages besides the default one (``services/domain/i18n.py``'s), each field one of ``limits`` (its longest
    length) and checked like the default text; empty texts and languages are dropped (they fall back to the default).

    :raises ActionError: naming the language and field, for an unknown one or a text that may not be stored.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ActionError(f'The {what} translations must be an object of languages.')
    checked: dict[str, dict[str, str]] = {}
    for language, texts in value.items():
        if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
            known = ', '.join(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)
            raise ActionError(f'Unknown translation language {language!r} (known: {known}).')
        if not isinstance(texts, Mapping):
            raise ActionError(f'The {what} translation in {language!r} must be an object of texts.')
        kept = {}
        for name, text in texts.items():
            if name not in limits:
                raise ActionError(f'A {what} has no text {name!r} to translate (known: {", ".join(limits)}).')
            if text := checked_text(text, f'{what} {name} ({language})', limits[name], name=name != 'description',
                                    multiline=name == 'description'):
                kept[name] = text
        if kept:
            checked[language] = kept
    return checked
