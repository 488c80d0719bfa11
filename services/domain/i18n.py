"""The one translation function of the app: ``_()`` and ``ngettext()`` look the message up in the gettext catalog
(``locales/{fr,nl,lv}/LC_MESSAGES/deskquest.po``, compiled to ``.mo`` at start by ``services/platform/catalogs.py``)
of the language in force *at call time*.

The language in force is, first, one given explicitly (``locale=``, or :func:`speaking` around a block: background
work such as a broadcast or a webhook has no person behind it and says whose language it writes in); else what the
resolver installed by the UI answers (``ui/i18n.py``: the person of the tab whose page, handler or timer is running);
else English. A ContextVar set while a page is built would not be set inside its later socket handlers, which is why
the resolver asks NiceGUI's context each time rather than remembering.

Pure enough for the domain: no NiceGUI, no I/O beyond reading a compiled catalog once per language.
"""
import gettext
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DOMAIN = 'deskquest'
LOCALES_DIR = Path(__file__).resolve().parents[2] / 'locales'
DEFAULT_LANGUAGE = 'en'
# the languages a person can choose, each named in itself (a Latvian who landed on the French page still finds theirs)
LANGUAGES = {'en': 'English', 'fr': 'Français', 'nl': 'Nederlands', 'lv': 'Latviešu'}

_explicit: ContextVar[str | None] = ContextVar('deskquest_language', default=None)
_resolver: Callable[[], str | None] | None = None
_floor_timezone = 'UTC'


def set_floor_timezone(name: str) -> None:
    """The floor's time zone (the ``floor_timezone`` setting, checked there): the times shown are in it."""
    global _floor_timezone
    _floor_timezone = name


def floor_timezone() -> str:
    return _floor_timezone


def install_resolver(resolver: Callable[[], str | None] | None) -> None:
    """Tell the module how to find the current person's language (None: nobody is current, English)."""
    global _resolver
    _resolver = resolver


def current_language() -> str:
    """The language of the text being written now (see the module's docstring for the order)."""
    if (explicit := _explicit.get()) is not None:
        return explicit
    if _resolver is not None and (resolved := _resolver()) in LANGUAGES:
        return resolved
    return DEFAULT_LANGUAGE


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Write in ``language`` inside the block (background work, a kiosk's broadcast), whoever is current."""
    token = _explicit.set(supported(language))
    try:
        yield
    finally:
        _explicit.reset(token)


def supported(language: str | None) -> str:
    """``language`` if the app speaks it (a region is dropped: 'fr-BE' is 'fr'), else English."""
    base = (language or '').replace('_', '-').split('-')[0].strip().lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def negotiate(accept_language: str | None) -> str:
    """The language a browser's ``Accept-Language`` header prefers among those the app speaks, else English:
    'lv-LV,lv;q=0.9,en;q=0.8' is 'lv', 'de-DE,nl;q=0.5' is 'nl'."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or '').split(',')[:32]):  # a header is short; a hostile one isn't
        tag, _sep, parameters = part.strip().partition(';')
        quality = 1.0
        for parameter in parameters.split(';'):
            name, _eq, value = parameter.strip().partition('=')
            if name.strip() == 'q':
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        base = tag.strip().replace('_', '-').split('-')[0].lower()
        if base in LANGUAGES and quality > 0:
            choices.append((-quality, position, base))
    return min(choices)[2] if choices else DEFAULT_LANGUAGE


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language``; English (the source's own text) has none."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALES_DIR, languages=[language], fallback=True)


def _(message: str, *, locale: str | None = None) -> str:
    """``message`` in the current language (or ``locale``'s). Placeholders are filled after, by name:
    ``_('{count} open').format(count=3)`` keeps the translator's word order."""
    return catalog(supported(locale) if locale else current_language()).gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalogs where it is defined (a constant) and translate it with ``_()`` where it is
    shown: a module-level ``_()`` would be translated once, in nobody's language."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 (named like N_, which it pairs with)
    """Mark a singular and its plural for the catalogs as one entry, as ``ngettext`` reads it (two ``N_()`` would be
    two unrelated entries, which ``ngettext`` never finds); translate with ``ngettext`` where shown."""
    return singular, plural


def ngettext(singular: str, plural: str, count: int, *, locale: str | None = None) -> str:
    """The form of ``singular``/``plural`` that ``count`` takes in the current language: Latvian has three, chosen by
    the CLDR rule in lv.po's header (0, 10, 11–19 "punktu"; 1, 21 "punkts"; 2, 22 "punkti")."""
    return catalog(supported(locale) if locale else current_language()).ngettext(singular, plural, count)


def pgettext(context: str, message: str, *, locale: str | None = None) -> str:
    """``message`` in the sense ``context`` names (a short word that means two things in English)."""
    return catalog(supported(locale) if locale else current_language()).pgettext(context, message)


@dataclass(frozen=True, kw_only=True, slots=True)
class Phrase:
    """A sentence kept as what happened and worded when it is read, in the reader's language (a notice pushed by a
    service is shown later, in a tab whose person may speak another language than whoever caused it).

    ``message`` (and ``plural``, chosen by ``count``) are marked with ``N_()`` where the phrase is made; ``values`` fill
    their placeholders by name: plain values as they are, a nested :class:`Phrase` or a callable (such as a duration's
    ``wording`` function) worded in the same language.
    """
    message: str
    plural: str = ''
    count: int = 1
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, *, locale: str | None = None) -> str:
        """The sentence in ``locale``, else in the language in force (the tab whose code runs, see the module)."""
        if locale is not None:
            with speaking(locale):
                return self.text()
        template = ngettext(self.message, self.plural, self.count) if self.plural else _(self.message)
        return template.format(**{name: _worded(value) for name, value in self.values.items()})


def phrase(message: str, plural: str = '', count: int = 1, /, **values: object) -> Phrase:
    """``Phrase(...)`` written as ``_()`` is: ``phrase(N_('{name} thanked you'), name=sender.name)``; a plural's number
    comes third, ``phrase(*Nn_('{count} point', '{count} points'), 3, count=3)`` (positional: any name is free for a
    placeholder)."""
    return Phrase(message=message, plural=plural, count=count, values=values)


def _worded(value: object) -> object:
    if isinstance(value, Phrase):
        return value.text()
    return value() if callable(value) else value


# A lead's own text (a badge's, a level's, a quest's or a reward's name and description) in other languages than the
# floor's default (English: the row's own fields): {'fr': {'name': 'Contrôleur aérien', 'description': '…'}, …}.
Translations = Mapping[str, Mapping[str, str]]


def localized(default: str, translations: Translations | None, field: str, *, locale: str | None = None) -> str:
    """A lead's text in the reader's language (the current one, or ``locale``'s): its translation there, else
    ``default``, the text in the floor's default language (a language the lead left empty falls back to it)."""
    language = supported(locale) if locale else current_language()
    text = (translations or {}).get(language, {}).get(field, '')
    return text if isinstance(text, str) and text.strip() else default
