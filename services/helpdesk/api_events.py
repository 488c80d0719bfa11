"""Facts from a helpdesk DeskQuest has no adapter for, posted to ``POST /api/v1/events`` (issue 14).

Each fact is applied through the inbox's own methods, exactly as a click would (so points, receipts, badges, quests and
boards follow, and ``rebuild --check`` stays clean). A ticket is known by its source and the source's own ticket id:
the event that created it is keyed by both, so the log itself maps the ticket to its conversation, and the same
creation posted twice makes one conversation."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from models import Agent, Customer, StoredEvent
from services.domain.errors import ActionError
from services.domain.events import Channel, Rating
from services.domain.i18n import N_
from services.domain.inbox import MAX_REPLY_LENGTH
from services.domain.text import MAX_COMMENT, MAX_MESSAGE, MAX_SUBJECT, checked_text, empty_refusal
from services.helpdesk.inbox import InboxService
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService

MAX_CUSTOMER_NAME = 160  # the customer table's column
MAX_EMAIL = 200
# a fact's own time (``at``) may be this far ahead of the server's clock (the two clocks' skew; it is then timed now)
AT_SKEW = timedelta(minutes=2)
# and at most this old: a helpdesk catching up after an outage, not a history import (the badges' and the boards'
# windows reach back a week; older facts would land in days already settled)
AT_MAX_AGE = timedelta(days=7)


class FactType(str, Enum):
    CREATED = 'conversation.created'  # a customer wrote in: a new ticket
    CUSTOMER_MESSAGE = 'conversation.customer_message'  # the customer wrote again (reopens a resolved ticket)
    ASSIGNED = 'conversation.assigned'  # an agent took the ticket
    REPLIED = 'conversation.replied'  # an agent answered the customer
    RESOLVED = 'conversation.resolved'
    RATED = 'conversation.rated'  # the customer rated the latest resolution


class FieldError(ActionError):
    """A fact names something that does not exist or cannot be used: ``field`` is the one at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentRef:
    id: int | None = None
    email: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ExternalFact:
    type: FactType
    source: str  # the helpdesk's name, chosen by the caller ('acme-desk')
    ticket: str  # the source's own ticket id
    channel: Channel = Channel.EMAIL
    customer_name: str = ''
    customer_email: str = ''
    subject: str = ''
    body: str = ''
    priority: str = 'normal'
    agent: AgentRef | None = None
    rating: Rating | None = None
    comment: str = ''
    at: datetime | None = None  # when it happened in the helpdesk (time-zone aware); None: on arrival


@dataclass(frozen=True, kw_only=True, slots=True)
class Applied:
    type: FactType
    conversation_id: int


class ExternalEvents:
    def __init__(self, *, game: GameService, inbox: InboxService, directory: Directory) -> None:
        self.game = game
        self.inbox = inbox
        self.directory = directory

    async def apply(self, fact: ExternalFact, *, key: str | None = None) -> Applied:
        """Apply one fact; ``key`` (from the request's Idempotency-Key) makes a repeat change nothing.

        :raises FieldError: a field names an unknown ticket or agent
        :raises ActionError: the inbox refused it (a ticket not resolved cannot be rated, …)
        """
        _check_fields(fact)
        at = self._checked_at(fact.at)
        if fact.type == FactType.CREATED:
            return Applied(type=fact.type, conversation_id=await self._create(fact, at))
        conversation_id = await self.conversation_of(fact.source, fact.ticket)
        if at is not None:
            await _check_in_order(conversation_id, fact.ticket, at)
        inbox = self.inbox
        if fact.type == FactType.CUSTOMER_MESSAGE:
            await inbox.customer_message(conversation_id, fact.body, key=key, at=at)
        elif fact.type == FactType.RATED:
            assert fact.rating is not None  # the API's schema requires it
            await inbox.rate(conversation_id, fact.rating, comment=fact.comment, key=key, at=at)
        else:
            agent = await self._agent(fact.agent)
            if fact.type == FactType.ASSIGNED:
                item = inbox.open_items.get(conversation_id)
                if item is None or item.assignee_id != agent.id:  # taken already: nothing to do
                    await inbox.assign(conversation_id, agent.id, by='api', at=at)
            elif fact.type == FactType.REPLIED:
                await inbox.reply(agent, conversation_id, fact.body, key=key, at=at, from_helpdesk=True)
            else:
                await inbox.resolve(agent, conversation_id, key=key, at=at, from_helpdesk=True)
        return Applied(type=fact.type, conversation_id=conversation_id)

    async def conversation_of(self, source: str, ticket: str) -> int:
        created = await StoredEvent.get_or_none(key=creation_key(source, ticket))
        if created is None or created.conversation_id is None:
            raise FieldError('ticket', f'Ticket {ticket!r} of {source!r} is unknown here: post its '
                                       'conversation.created first.')
        return created.conversation_id

    def _checked_at(self, at: datetime | None) -> datetime | None:
        """A fact's own time, if it carries one, within :data:`AT_SKEW` ahead and :data:`AT_MAX_AGE` back."""
        if at is None:
            return None
        if at.tzinfo is None:
            raise FieldError('at', 'Give the time with its time zone (e.g. 2026-11-30T10:05:00Z).')
        now = self.game.clock.now()
        if at > now + AT_SKEW:
            raise FieldError('at', f'{at.isoformat()} is in the future (the server\'s time is {now.isoformat()}; '
                                   f'at most {AT_SKEW.seconds // 60} minutes of clock skew are accepted).')
        if at < now - AT_MAX_AGE:
            raise FieldError('at', f'{at.isoformat()} is more than {AT_MAX_AGE.days} days ago: facts older than that '
                                   'are not accepted.')
        return at

    async def _create(self, fact: ExternalFact, at: datetime | None = None) -> int:
        key = creation_key(fact.source, fact.ticket)
        if (seen := await StoredEvent.get_or_none(key=key)) is not None and seen.conversation_id is not None:
            return seen.conversation_id  # the same ticket posted again: the conversation it made
        try:
            name = checked_text(fact.customer_name, N_("Customer's name"), MAX_CUSTOMER_NAME, name=True,
                                empty=empty_refusal(N_("Customer's name")))
            email = checked_text(fact.customer_email, N_("Customer's e-mail address"), MAX_EMAIL)
        except ActionError as error:
            raise FieldError('customer', str(error)) from None
        # one transaction: a customer made for a conversation the inbox then refuses (an empty message) is undone
        async with self.game.batch():
            customer = await Customer.filter(email=email).first() if email else None
            if customer is None:
                customer = await Customer.create(name=name, email=email)
            return await self.inbox.create_conversation(customer_id=customer.id, channel=fact.channel,
                                                        subject=fact.subject, body=fact.body,
                                                        priority=fact.priority, key=key, at=at)

    async def _agent(self, ref: AgentRef | None) -> AgentView:
        if ref is None or (ref.id is None and not ref.email):
            raise FieldError('agent', 'Name the agent by id or email.')
        agent_id = ref.id
        if agent_id is None:
            found = await Agent.filter(email__iexact=(ref.email or '').strip(), active=True).values_list('id',
                                                                                                       flat=True)
            if len(found) != 1:
                raise FieldError('agent', f'No agent has the email {ref.email!r}.')
            agent_id = found[0]
        agent = self.directory.agent(agent_id)
        if agent is None:
            raise FieldError('agent', f'There is no active agent #{agent_id}.')
        return agent


def _check_fields(fact: ExternalFact) -> None:
    """The fact's texts checked as the inbox will check them, so a refusal names the field at fault."""
    texts = {'subject': (fact.subject, N_('Subject'), MAX_SUBJECT, False),
             'comment': (fact.comment, N_('Comment'), MAX_COMMENT, True)}
    if fact.type in (FactType.CREATED, FactType.CUSTOMER_MESSAGE, FactType.REPLIED):
        limit = MAX_REPLY_LENGTH if fact.type == FactType.REPLIED else MAX_MESSAGE
        texts['body'] = (fact.body, N_('Message'), limit, True)
    for field, (text, label, limit, multiline) in texts.items():
        try:
            checked_text(text, label, limit, multiline=multiline,
                         empty=empty_refusal(label) if field == 'body' else None)
        except ActionError as error:
            raise FieldError(field, str(error)) from None


async def _check_in_order(conversation_id: int, ticket: str, at: datetime) -> None:
    """A ticket's facts must come in time order: the conversation holds its state as of its latest fact, so one timed
    before it (a reply before the resolution already applied) would give negative or wrong durations and points."""
    latest = await StoredEvent.filter(conversation_id=conversation_id).order_by('-occurred_at').first()
    if latest is not None and at < latest.occurred_at:
        raise FieldError('at', f'Ticket {ticket!r} already has a fact at {latest.occurred_at.isoformat()}: post its '
                               'facts in time order (an earlier one cannot be applied after a later one).')


def creation_key(source: str, ticket: str) -> str:
    return f'api:{source}:{ticket}:created'
