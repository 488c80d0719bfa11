"""Translations a test adds on top of the catalogs for messages new in the source: the catalogs are refreshed by the
integrator (``pybabel update``), so a test of how a new message is worded in French or Latvian brings its own entries.
The real catalog stays the fallback, and the plural forms follow each language's rule (Latvian's CLDR one)."""
import gettext
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from services.domain import i18n, reasons

PLURAL_FORM: dict[str, Callable[[int], int]] = {
    'fr': lambda n: 0 if n <= 1 else 1,
    'nl': lambda n: 0 if n == 1 else 1,
    'lv': lambda n: 1 if n % 10 == 1 and n % 100 != 11 else 0 if n % 10 == 0 or 11 <= n % 100 <= 19 else 2,
}
Messages = Mapping[str | tuple[str, str], str | tuple[str, ...]]  # a msgid, or (singular, plural) and its forms


class ExtraCatalog(gettext.NullTranslations):
    def __init__(self, language: str, messages: Messages) -> None:
        super().__init__()
        self.language = language
        self.messages = messages
        self.add_fallback(i18n.catalog(language))

    def gettext(self, message: str) -> str:
        translated = self.messages.get(message)
        return translated if isinstance(translated, str) else super().gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.messages.get((singular, plural))
        if isinstance(forms, tuple):
            return forms[PLURAL_FORM[self.language](n)]
        return super().ngettext(singular, plural, n)


@contextmanager
def translations(monkeypatch, extra: Mapping[str, Messages]) -> Iterator[None]:
    """``_()`` and ``ngettext()`` find ``extra``'s messages (per language) before the catalogs' own."""
    real = i18n.catalog
    catalogs = {language: ExtraCatalog(language, messages) for language, messages in extra.items()}
    monkeypatch.setattr(i18n, 'catalog', lambda language: catalogs.get(language) or real(language))
    reasons.forget_wordings()  # worded with the catalogs of before
    yield
    reasons.forget_wordings()


@contextmanager
def reading_in(language: str | None) -> Iterator[None]:
    """As inside a tab of a person who reads ``language`` (None: no tab, as an API call or an export runs)."""
    before = i18n._resolver
    i18n.install_resolver((lambda: language) if language else None)
    try:
        yield
    finally:
        i18n.install_resolver(before)
