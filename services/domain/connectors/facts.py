"""The facts a helpdesk delivery carries, the same for every helpdesk, timed by the helpdesk's own clock.

A delivery may repeat a fact (a retry, or one action sent twice, as Chatwoot's resolution arrives both as
``conversation_status_changed`` and ``conversation_updated``): facts that can repeat carry a ``key`` that is equal for
the same fact, and the state facts (status, assignee) say what *is*, so applying one twice changes nothing."""
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from services.domain.events import Channel, Rating

# the helpdesks DeskQuest connects to, by the kind a connection stores, as people read them
HELPDESK_NAMES = {'chatwoot': 'Chatwoot', 'zendesk': 'Zendesk', 'freshdesk': 'Freshdesk'}


class FactKind(str, Enum):
    OPENED = 'opened'  # the conversation exists (every delivery that carries a conversation says so)
    CUSTOMER_WROTE = 'customer_wrote'
    REPLIED = 'replied'  # an agent's public reply
    NOTE = 'note'  # an agent's private note: never sent to the customer, earns no reply points
    STATUS = 'status'  # the conversation is open, pending or resolved since ``at``
    ASSIGNED = 'assigned'  # the conversation's assignee is ``agent`` (None: nobody) since ``at``
    RATED = 'rated'  # the customer rated the conversation (a later rating replaces an earlier one)


class Status(str, Enum):
    OPEN = 'open'
    PENDING = 'pending'  # waiting on the customer (Chatwoot pending/snoozed, Zendesk pending/hold)
    RESOLVED = 'resolved'  # Chatwoot resolved, Zendesk solved/closed, Freshdesk resolved/closed


@dataclass(frozen=True, kw_only=True, slots=True)
class HelpdeskAgent:
    """An agent as the helpdesk knows them: its own id, and an e-mail when the delivery carries one (the link to a
    DeskQuest agent)."""
    external_id: str
    name: str
    email: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Fact:
    kind: FactKind
    ticket: str  # the helpdesk's id of the conversation or ticket
    at: datetime  # when it happened, by the helpdesk's clock (UTC)
    key: str  # equal for the same fact delivered twice
    agent: HelpdeskAgent | None = None  # who replied, who is assigned, or who the rating is for
    channel: Channel | None = None  # OPENED
    subject: str = ''  # OPENED
    customer: str = ''  # OPENED: the customer's name as the helpdesk shows it
    status: Status | None = None  # STATUS
    rating: Rating | None = None  # RATED
    score: int | None = None  # RATED: the helpdesk's own scale (Chatwoot 1–5)
    comment: str = ''  # RATED: the customer's words
    length: int = 0  # REPLIED, CUSTOMER_WROTE, NOTE: characters (the text itself is not kept)


@dataclass(frozen=True, kw_only=True, slots=True)
class Reading:
    """What one delivery says: its facts, or why it says nothing DeskQuest uses (recorded as ignored)."""
    event: str  # the helpdesk's event type, as it named it
    facts: tuple[Fact, ...] = ()
    ignored: str | None = None


class Unreadable(Exception):
    """The payload is not what the helpdesk sends (malformed JSON, a missing or mistyped field); the message says
    what, for the 400 answer and the delivery list."""
