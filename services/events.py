"""The facts the event log records, as frozen values the pure rules can fold over."""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class EventKind(str, Enum):
    CONVERSATION_CREATED = 'conversation_created'
    CUSTOMER_MESSAGE = 'customer_message'
    ASSIGNED = 'assigned'
    REPLIED = 'replied'
    RESOLVED = 'resolved'
    REOPENED = 'reopened'
    RATED = 'rated'
    ABANDONED = 'abandoned'  # the customer hung up (or left the chat) before anyone answered


class Channel(str, Enum):
    EMAIL = 'email'
    CHAT = 'chat'
    PHONE = 'phone'
    SOCIAL = 'social'


class Rating(str, Enum):
    GOOD = 'good'
    NEUTRAL = 'neutral'
    BAD = 'bad'


@dataclass(frozen=True, kw_only=True, slots=True)
class GameEvent:
    """One committed line of the event log.

    ``data`` carries everything the rules need (channel, timestamps, counts) so that scoring never reads other tables.
    """
    id: int
    key: str
    kind: EventKind
    occurred_at: datetime
    agent_id: int | None = None
    conversation_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
