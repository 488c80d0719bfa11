"""Canned replies: finding one by its ``/shortcut``, checking a draft, and filling in its placeholders."""
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.domain.errors import ActionError
from services.domain.i18n import N_, _, ngettext
from services.domain.text import checked_text, empty_refusal

SHORTCUT_PATTERN = re.compile(r'^/([\w-]+)$')
SHORTCUT_NAME_PATTERN = re.compile(r'^[\w-]+$')
PLACEHOLDER_PATTERN = re.compile(r'\{(\w+)\}')
PLACEHOLDERS = ('customer_first_name', 'customer_name', 'ticket_number', 'agent_name', 'agent_first_name', 'company',
                'agent_team')
MAX_SHORTCUT = 40
MAX_TITLE = 120
MAX_BODY = 5_000
LANGUAGES = ('en', 'fr', 'nl', 'lv', 'de', 'es')


@dataclass(frozen=True, kw_only=True, slots=True)
class CannedReplyView:
    id: int
    shortcut: str
    title: str
    body: str
    language: str
    owner_id: int | None = None  # None: shared with the whole floor
    department_id: int | None = None
    usage_count: int = 0

    @property
    def shared(self) -> bool:
        return self.owner_id is None


@dataclass(frozen=True, kw_only=True, slots=True)
class CannedReplyDraft:
    """What a person typed into the canned reply form, before it is checked."""
    title: str
    shortcut: str
    body: str
    language: str = 'en'
    department_id: int | None = None
    shared: bool = False


def shortcut_in(text: str) -> str | None:
    """Return the shortcut when the whole text is ``/shortcut``, else None."""
    match = SHORTCUT_PATTERN.match(text.strip())
    return match.group(1) if match else None


def problems_with(draft: CannedReplyDraft) -> list[str]:
    """Everything wrong with a draft, each as a sentence a person can act on (empty: it may be saved)."""
    problems = []
    shortcut = draft.shortcut.strip().removeprefix('/')
    if not shortcut:
        problems.append(empty_refusal(N_('Shortcut')))
    elif len(shortcut) > MAX_SHORTCUT:
        try:
            checked_text(shortcut, N_('Shortcut'), MAX_SHORTCUT)
        except ActionError as error:
            problems.append(str(error))
    elif not SHORTCUT_NAME_PATTERN.match(shortcut):
        problems.append(_('Shortcut: /{shortcut} may only hold letters, digits, "-" and "_".').format(
            shortcut=shortcut))
    for label, text, limit, multiline in ((N_('Title'), draft.title, MAX_TITLE, False),
                                         (N_('Text'), draft.body, MAX_BODY, True)):
        try:
            checked_text(text, label, limit, multiline=multiline, name=not multiline, empty=empty_refusal(label))
        except ActionError as error:
            problems.append(str(error))
    if unknown := unknown_placeholders(draft.body):
        problems.append(ngettext('Unknown placeholder {unknown}: use {known}.',
                                 'Unknown placeholders {unknown}: use {known}.', len(unknown))
                        .format(unknown=_braced(unknown), known=_braced(PLACEHOLDERS)))
    if draft.language not in LANGUAGES:
        problems.append(_('Unknown language {language}: one of {known}.').format(
            language=repr(draft.language), known=', '.join(LANGUAGES)))
    return problems


def _braced(names: Iterable[str]) -> str:
    return ', '.join('{' + name + '}' for name in names)


def unknown_placeholders(body: str) -> list[str]:
    """The ``{names}`` in a body that no conversation can fill, in the order written, each once."""
    return list(dict.fromkeys(name for name in PLACEHOLDER_PATTERN.findall(body) if name not in PLACEHOLDERS))


def visible_replies(replies: Iterable[CannedReplyView], agent_id: int, *,
                    language: str | None = None) -> list[CannedReplyView]:
    """The replies an agent may use, by shortcut: the shared ones and their own, their own winning a shared shortcut.
    With the customer's ``language``, the replies written in it come first (each group by shortcut)."""
    by_shortcut: dict[str, CannedReplyView] = {}
    for reply in replies:
        if reply.owner_id == agent_id or (reply.shared and reply.shortcut not in by_shortcut):
            by_shortcut[reply.shortcut] = reply
    return sorted(by_shortcut.values(), key=lambda reply: (reply.language != language, reply.shortcut))


def render(body: str, values: Mapping[str, str]) -> str:
    """Fill ``{placeholder}``s; an unknown placeholder is left as written so nothing is silently dropped."""
    return PLACEHOLDER_PATTERN.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def placeholder_values(*, customer_name: str, ticket_id: int, agent_name: str, company: str = '',
                       agent_team: str = '') -> dict[str, str]:
    return {
        'customer_first_name': customer_name.split()[0] if customer_name.split() else customer_name,
        'customer_name': customer_name,
        'ticket_number': f'#{ticket_id}',
        'agent_name': agent_name,
        'agent_first_name': agent_name.split()[0] if agent_name.split() else agent_name,
        'company': company,
        'agent_team': agent_team,
    }
