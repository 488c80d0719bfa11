"""Reading fields out of a decoded JSON payload, with a clear message for each thing that is not as documented."""
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.domain.connectors.facts import Unreadable


def mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Unreadable(f'{where} is not a JSON object.')
    return value


def field(payload: Mapping[str, Any], name: str, where: str) -> Any:
    if payload.get(name) is None:
        raise Unreadable(f'{where} has no "{name}".')
    return payload[name]


def identifier(payload: Mapping[str, Any], name: str, where: str) -> str:
    """An id, whether the helpdesk sends it as a number or as a string (Zendesk's are strings)."""
    value = field(payload, name, where)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        raise Unreadable(f'{where}.{name} is not an id: {str(value)[:40]!r}.')
    return str(value).strip()[:64]


def text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    return value if isinstance(value, str) else ''


def moment(value: object, where: str) -> datetime:
    """A time as helpdesks send it: Unix seconds (int or float) or ISO 8601 (``Z`` or an offset); always UTC."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip().replace('Z', '+00:00'))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise Unreadable(f'{where} is not a time: {str(value)[:40]!r}.')
