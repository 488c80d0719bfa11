"""A lead's own texts in the other languages (issue 16): one folded section of inputs under a form's default texts.

The form's own fields hold the text in the floor's default language (English), which every reader sees where a
translation is left empty; this section holds, for French, Dutch and Latvian, the same fields. The badge editor, each
level's row, the quest form and the reward form use it; the services check what it gives
(``services/domain/text.py``'s ``checked_translations``).
"""
from collections.abc import Mapping

from nicegui import ui

from services.domain.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translations, _

OTHER_LANGUAGES = tuple(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)


class TranslationsEditor:
    """Inputs for ``fields`` ({field: its label, marked with ``N_``}) in each language besides the default one; the
    inputs are marked ``{mark}-{field}-{language}`` (``badge-name-fr``)."""

    def __init__(self, fields: Mapping[str, str], *, mark: str, caption: str | None = None) -> None:
        self.inputs: dict[tuple[str, str], ui.input] = {}
        with ui.expansion(caption or _('Translations'), icon='translate').classes('w-full') \
                .props('dense header-class="text-sm text-grey-8 px-0"').mark(f'{mark}-translations') as self.expansion:
            ui.label(_('Left empty, a language shows the text above.')).classes('text-xs text-grey-7')
            for language in OTHER_LANGUAGES:
                with ui.row().classes('w-full no-wrap items-center gap-2'):
                    ui.label(LANGUAGES[language]).classes('w-24 text-sm shrink-0')
                    for field, label in fields.items():
                        self.inputs[(language, field)] = ui.input(_(label)).props('dense') \
                            .classes('grow' if field == 'description' else 'w-56').mark(f'{mark}-{field}-{language}')

    @property
    def value(self) -> dict[str, dict[str, str]]:
        """What is typed, by language (empty texts and languages left out)."""
        typed: dict[str, dict[str, str]] = {}
        for (language, field), element in self.inputs.items():
            if text := (element.value or '').strip():
                typed.setdefault(language, {})[field] = text
        return typed

    def set_value(self, translations: Translations | None) -> None:
        for (language, field), element in self.inputs.items():
            element.set_value((translations or {}).get(language, {}).get(field, ''))
        self.expansion.set_value(bool(translations))  # open when there is something to see
