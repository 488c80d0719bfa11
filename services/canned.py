"""Canned replies: finding one by its ``/shortcut`` and filling in its placeholders."""
import re
from collections.abc import Mapping
from dataclasses import dataclass

SHORTCUT_PATTERN = re.compile(r'^/([\w-]+)$')
PLACEHOLDER_PATTERN = re.compile(r'\{(\w+)\}')
PLACEHOLDERS = ('customer_first_name', 'customer_name', 'ticket_number', 'agent_name', 'agent_first_name')


@dataclass(frozen=True, kw_only=True, slots=True)
class CannedReplyView:
    id: int
    shortcut: str
    title: str
    body: str
    language: str


def shortcut_in(text: str) -> str | None:
    """Return the shortcut when the whole text is ``/shortcut``, else None."""
    match = SHORTCUT_PATTERN.match(text.strip())
    return match.group(1) if match else None


def render(body: str, values: Mapping[str, str]) -> str:
    """Fill ``{placeholder}``s; an unknown placeholder is left as written so nothing is silently dropped."""
    return PLACEHOLDER_PATTERN.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def placeholder_values(*, customer_name: str, ticket_id: int, agent_name: str) -> dict[str, str]:
    return {
        'customer_first_name': customer_name.split()[0] if customer_name.split() else customer_name,
        'customer_name': customer_name,
        'ticket_number': f'#{ticket_id}',
        'agent_name': agent_name,
        'agent_first_name': agent_name.split()[0] if agent_name.split() else agent_name,
    }
