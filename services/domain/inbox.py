"""The inbox's rules and views: priorities and their SLA targets, the open statuses, what a reply, a note or a tag
may hold, and a conversation as people see it (services/helpdesk/inbox.py stores and changes conversations)."""
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.domain.errors import ActionError
from services.domain.events import Channel
from services.domain.i18n import _
from services.domain.text import BIDI_CONTROLS

OPEN_STATUSES = ('new', 'open', 'pending')
SLA_RESOLUTION_TARGETS = {
    'urgent': timedelta(hours=1),
    'high': timedelta(hours=4),
    'normal': timedelta(hours=8),
    'low': timedelta(hours=24),
}
MAX_REPLY_LENGTH = 10_000
MAX_NOTE_LENGTH = 5_000
MAX_TAG_LENGTH = 32
TAG_PATTERN = re.compile(r'^[^\W_][\w-]*$')  # letters and digits (any script), then also '-' and '_'
MAX_TAGS = 10  # per conversation
TIMED_CHANNELS = (Channel.CHAT.value, Channel.PHONE.value)  # calls and chats carry their start, end and duration
PRIORITIES = tuple(SLA_RESOLUTION_TARGETS)


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxItem:
    id: int
    channel: Channel
    customer_name: str
    subject: str
    status: str
    priority: str
    assignee_id: int | None
    created_at: datetime
    waiting_since: datetime | None
    sla_due_at: datetime
    first_response_due_at: datetime | None = None
    department_id: int | None = None
    customer_id: int | None = None  # the CRM card beside the conversation shows this customer
    first_response_at: datetime | None = None
    tags: tuple[str, ...] = ()

    @property
    def next_due(self) -> tuple[datetime, bool]:
        """The next SLA target and whether it is the first response (while nobody has answered), else resolution."""
        if self.first_response_at is None and self.first_response_due_at is not None \
                and self.first_response_due_at < self.sla_due_at:
            return self.first_response_due_at, True
        return self.sla_due_at, False


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageView:
    id: int
    author_kind: str
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class ThreadEntry:
    """One line of a customer's hybrid thread: a message of any of their conversations, or (for agents only) an
    internal note or a transfer."""
    key: str  # unique in the thread: 'message-12', 'note-3', 'transfer-1'
    kind: str  # customer | agent | note | transfer
    conversation_id: int
    channel: Channel
    author_name: str
    body: str
    created_at: datetime

    @property
    def internal(self) -> bool:
        return self.kind in ('note', 'transfer')


@dataclass(frozen=True, kw_only=True, slots=True)
class PastConversation:
    id: int
    channel: Channel
    subject: str
    status: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class ConversationDetail:
    item: InboxItem
    customer_email: str
    customer_language: str
    messages: list[MessageView]  # what the customer sees of this conversation: never internal notes
    rating: str | None
    customer_id: int = 0
    tags: tuple[str, ...] = ()
    history: list[ThreadEntry] = field(default_factory=list)  # the customer's conversations, all channels, by time
    conversations: list[PastConversation] = field(default_factory=list)  # the customer's conversations, newest first
    customer_company: str = ''  # fills {company} in canned replies


def normalise_tag(text: str) -> str:
    """A tag as stored: trimmed, lower case, inner spaces as '-', without a leading '#'; letters, digits, '-' and '_'.

    :raises ActionError: when it is empty, too long or holds other characters.
    """
    tag = re.sub(r'\s+', '-', BIDI_CONTROLS.sub('', text).strip().lstrip('#').strip().lower())
    if not tag:
        raise ActionError(_('The tag is empty.'))
    if len(tag) > MAX_TAG_LENGTH:
        raise ActionError(
            _('The tag is too long ({length} characters, at most {maximum}).')
            .format(length=len(tag), maximum=MAX_TAG_LENGTH))
    if not TAG_PATTERN.match(tag):
        raise ActionError(
            _('The tag {tag} may only hold letters, digits, "-" and "_", and starts with a letter or a digit.')
            .format(tag=repr(tag)))
    return tag


def call_duration(started_at: datetime | None, ended_at: datetime) -> dict:
    """How long a call or chat lasted: from the first agent answer to the resolution (0 when nobody answered)."""
    return {'started_at': started_at.isoformat() if started_at else None, 'ended_at': ended_at.isoformat(),
            'duration_seconds': round((ended_at - started_at).total_seconds()) if started_at else 0}
