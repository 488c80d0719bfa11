"""What a person may type into a field: one check for every form, the webhook and the API, run before anything is
written, so that no input reaches the database or a traceback (issue 19, "Bad input everywhere")."""
import re
from collections.abc import Mapping

from services.domain.errors import ActionError
from services.domain.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _

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


def checked_text(text: object, label: str, max_length: int, *, multiline: bool = False, name: bool = False,
                 empty: str | None = None) -> str:
    """``text`` trimmed, as it may be stored in the field ``label`` names (``N_('Badge name')``, a field's own name as
    a form would show it, translated when a message is written).

    Control characters are refused (tabs and line breaks only where the field is ``multiline``), and so are lone
    surrogates (no database takes them). A ``name`` everyone sees loses its bidirectional embedding, override and
    isolate characters, which could make it read backwards or disguise it as another.

    The messages put the label before a colon ("Badge name: too long (81 characters, at most 80)."): a translated
    noun cannot be declined into a sentence composed around it (gender, case), a label on its own can.

    :raises ActionError: naming the field, when it is not text, too long, holds a character it may not hold, or is
        empty and ``empty`` (the message) is given.
    """
    if not isinstance(text, str):
        raise ActionError(_('{field}: must be text.').format(field=_(label)))
    if name:
        text = BIDI_CONTROLS.sub('', text)
    text = text.strip()
    if not text and empty is not None:
        raise ActionError(empty)
    if len(text) > max_length:
        raise ActionError(_('{field}: too long ({length} characters, at most {max_length}).')
                          .format(field=_(label), length=len(text), max_length=max_length))
    if (match := _FORBIDDEN.search(text) or (None if multiline else _LINE_BREAKS.search(text))) is not None:
        raise ActionError(_('{field}: holds a character it may not hold ({character} at position {position}): '
                            'remove it.').format(field=_(label), character=f'U+{ord(match.group()):04X}',
                                                 position=match.start() + 1))
    return text


def empty_refusal(label: str) -> str:
    """The message refusing an empty field ``label`` names (marked with ``N_()``), for ``checked_text``'s ``empty``."""
    return _('{field}: cannot be empty.').format(field=_(label))


# The texts a lead may translate (a badge's, a level's, a reward's), labelled as the translation forms show them.
TRANSLATED_TEXTS = {'name': N_('Name'), 'title': N_('Title'), 'description': N_('Description')}


def checked_translations(value: object, limits: Mapping[str, int]) -> dict[str, dict[str, str]]:
    """A lead's translations as they may be stored: ``{language: {field: text}}`` for the languages besides the
    default one (``services/domain/i18n.py``'s), each field one of ``limits`` (its longest length) and checked like
    the default text; empty texts and languages are dropped (they fall back to the default).

    :raises ActionError: naming the language and field, for an unknown one or a text that may not be stored.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ActionError(_('Translations: must be an object of languages.'))
    checked: dict[str, dict[str, str]] = {}
    for language, texts in value.items():
        if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
            known = ', '.join(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)
            raise ActionError(_('Unknown translation language {language} (known: {known}).')
                              .format(language=repr(language), known=known))
        if not isinstance(texts, Mapping):
            raise ActionError(_('Translation in {language}: must be an object of texts.')
                              .format(language=repr(language)))
        kept = {}
        for name, text in texts.items():
            if name not in limits:
                raise ActionError(_('Translation in {language}: no text {name} to translate (known: {known}).')
                                  .format(language=repr(language), name=repr(name), known=', '.join(limits)))
            label = _('{field} ({language})').format(field=_(TRANSLATED_TEXTS.get(name, name)), language=language)
            if text := checked_text(text, label, limits[name], name=name != 'description',
                                    multiline=name == 'description'):
                kept[name] = text
        if kept:
            checked[language] = kept
    return checked
