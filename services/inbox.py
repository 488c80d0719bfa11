"""The unified inbox: conversations on every channel, replies (free text or canned), resolution, reopening, ratings."""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from nicegui import Event

from models import CannedReply, Conversation, Customer, Message, StoredEvent
from services.canned import CannedReplyView, placeholder_values, render, shortcut_in
from services.clock import Clock
from services.coalesce import Coalescer
from services.directory import AgentView, Directory
from services.events import Channel, EventKind, Rating
from services.game import GameService, UnitOfWork

OPEN_STATUSES = ('new', 'open', 'pending')
SLA_RESOLUTION_TARGETS = {
    'urgent': timedelta(hours=1),
    'high': timedelta(hours=4),
    'normal': timedelta(hours=8),
    'low': timedelta(hours=24),
}
MAX_REPLY_LENGTH = 10_000


PRIORITIES = tuple(SLA_RESOLUTION_TARGETS)
# automation (services/sla.py, services/automation.py) plugs in here: (work, conversation, text) inside the change
ConversationHook = Callable[[UnitOfWork, Conversation, str], Awaitable[None]]


class ActionError(Exception):
    """An action a person asked for that cannot be done; the message says why and nothing was written."""


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


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageView:
    id: int
    author_kind: str
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class ConversationDetail:
    item: InboxItem
    customer_email: str
    customer_language: str
    messages: list[MessageView]
    rating: str | None


class InboxService:
    """Changes conversations on behalf of a person (or the simulator) and records each change as an event."""

    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, coalesce_seconds: float = 0.2) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.open_items: dict[int, InboxItem] = {}
        self.changed: Event[list[InboxItem]] = Event()  # the open conversations, after a (coalesced) change
        self.conversation_changed: Event[int] = Event()  # a conversation's thread or status changed
        self.broadcast = Coalescer(lambda: self.changed.emit(self.items()), delay=coalesce_seconds)
        self.on_created: list[ConversationHook] = []  # text: the customer's first message
        self.on_customer_message: list[ConversationHook] = []  # text: the message
        self.on_priority_changed: list[ConversationHook] = []  # text: the previous priority

    async def load(self) -> None:
        conversations = await Conversation.filter(status__in=OPEN_STATUSES).prefetch_related('customer')
        self.open_items = {conversation.id: _item(conversation) for conversation in conversations}

    def items(self) -> list[InboxItem]:
        return list(self.open_items.values())

    async def canned_replies(self) -> list[CannedReplyView]:
        return [CannedReplyView(id=c.id, shortcut=c.shortcut, title=c.title, body=c.body, language=c.language)
                for c in await CannedReply.all().order_by('shortcut')]

    async def detail(self, conversation_id: int) -> ConversationDetail:
        conversation = await Conversation.get_or_none(id=conversation_id).prefetch_related('customer')
        if conversation is None:
            raise ActionError(f'Conversation #{conversation_id} does not exist.')
        messages = await Message.filter(conversation_id=conversation_id).order_by('id')
        return ConversationDetail(
            item=_item(conversation), customer_email=conversation.customer.email,
            customer_language=conversation.customer.language, rating=conversation.rating,
            messages=[MessageView(id=m.id, author_kind=m.author_kind, body=m.body, created_at=m.created_at,
                                  author_name=self._author_name(m, conversation.customer.name)) for m in messages])

    async def create_conversation(self, *, customer_id: int, channel: Channel, subject: str, body: str,
                                  priority: str = 'normal', key: str | None = None) -> int:
        """A customer writes in (or calls): a new conversation waiting in the queue."""
        if priority not in SLA_RESOLUTION_TARGETS:
            raise ActionError(f'Unknown priority {priority!r}.')
        async with self.game.unit_of_work() as work:
            if key is not None and (seen := await StoredEvent.get_or_none(key=key)) is not None:
                return seen.conversation_id or 0  # the same arrival delivered twice makes one conversation
            now = self.clock.now()
            customer = await Customer.get(id=customer_id)
            conversation = await Conversation.create(
                customer=customer, channel=channel.value, subject=subject, status='new', priority=priority,
                created_at=now, waiting_since=now, sla_due_at=now + SLA_RESOLUTION_TARGETS[priority], inbound_count=1)
            await Message.create(conversation=conversation, author_kind='customer', body=body, created_at=now)
            await work.record(EventKind.CONVERSATION_CREATED, conversation_id=conversation.id, key=key,
                              data={'channel': channel.value, 'priority': priority, 'customer_id': customer_id})
            for hook in self.on_created:
                await hook(work, conversation, body)
            work.after_commit(lambda: self._store(conversation, customer.name))
        return conversation.id

    async def customer_message(self, conversation_id: int, body: str, *, key: str | None = None) -> None:
        """The customer writes again; a resolved conversation is reopened by it."""
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            now = self.clock.now()
            if conversation.status == 'resolved':
                await self._reopen(work, conversation, reason='customer wrote again')
            conversation.inbound_count += 1
            conversation.waiting_since = conversation.waiting_since or now
            conversation.status = 'open' if conversation.assignee_id else 'new'
            await conversation.save()
            await Message.create(conversation=conversation, author_kind='customer', body=body, created_at=now)
            await work.record(EventKind.CUSTOMER_MESSAGE, conversation_id=conversation.id, key=key,
                              agent_id=conversation.assignee_id, data={'length': len(body)})
            for hook in self.on_customer_message:
                await hook(work, conversation, body)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def take(self, actor: AgentView, conversation_id: int, *, key: str | None = None) -> None:
        """Assign an unassigned conversation to the agent who takes it."""
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            if conversation.assignee_id == actor.id:
                return
            if conversation.assignee_id is not None and not actor.is_lead:
                raise ActionError(f'#{conversation.id} is already assigned to {self._agent_name(conversation.assignee_id)}.')
            await self._assign(work, conversation, actor.id, key=key)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def reply(self, actor: AgentView, conversation_id: int, text: str, *, key: str | None = None) -> str:
        """Send a reply; ``/shortcut`` alone sends that canned reply with its placeholders filled. Returns the body."""
        text = text.strip()
        if not text:
            raise ActionError('The reply is empty: write something or pick a canned reply with /.')
        if len(text) > MAX_REPLY_LENGTH:
            raise ActionError(f'The reply is too long ({len(text)} characters, at most {MAX_REPLY_LENGTH}).')
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            self._check_mine(actor, conversation, allow_unassigned=True)
            body = text
            shortcut = shortcut_in(text)
            canned = None
            if shortcut is not None:
                canned = await CannedReply.get_or_none(shortcut=shortcut)
                if canned is None:
                    raise ActionError(f'There is no canned reply /{shortcut}.')
                body = render(canned.body, placeholder_values(customer_name=conversation.customer.name,
                                                              ticket_id=conversation.id, agent_name=actor.name))
            if conversation.assignee_id is None:
                await self._assign(work, conversation, actor.id)
            now = self.clock.now()
            await Message.create(conversation=conversation, author_kind='agent', agent_id=actor.id, body=body,
                                 created_at=now)
            conversation.first_response_at = conversation.first_response_at or now
            conversation.waiting_since = None
            conversation.status = 'pending'
            await conversation.save()
            await work.record(EventKind.REPLIED, agent_id=actor.id, conversation_id=conversation.id, key=key,
                              data={'length': len(body), 'canned': canned.shortcut if canned else None,
                                    'channel': conversation.channel})
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))
        return body

    async def resolve(self, actor: AgentView, conversation_id: int, *, key: str | None = None) -> None:
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            self._check_mine(actor, conversation, allow_unassigned=False)
            await self.resolve_in(work, conversation, key=key)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def resolve_in(self, work: UnitOfWork, conversation: Conversation, *, key: str | None = None,
                         by: str | None = None) -> None:
        """Resolve inside a change in progress (``by`` 'rule' when an automation rule closes it)."""
        conversation.status = 'resolved'
        conversation.resolved_at = self.clock.now()
        conversation.waiting_since = None
        conversation.rating = None
        await conversation.save()
        await work.record(EventKind.RESOLVED, agent_id=conversation.assignee_id, conversation_id=conversation.id,
                          key=key, data={'channel': conversation.channel,
                                         'created_at': conversation.created_at.isoformat(),
                                         'sla_due_at': conversation.sla_due_at.isoformat(),
                                         'inbound_count': conversation.inbound_count} | ({'by': by} if by else {}))

    async def reopen(self, actor: AgentView, conversation_id: int, *, key: str | None = None) -> None:
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            if conversation.status != 'resolved':
                raise ActionError(f'#{conversation.id} is not resolved, so it cannot be reopened.')
            self._check_mine(actor, conversation, allow_unassigned=True)
            await self._reopen(work, conversation, reason=f'reopened by {actor.name}', key=key)
            await conversation.save()
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def rate(self, conversation_id: int, rating: Rating, *, comment: str = '', key: str | None = None) -> None:
        """The customer rates the latest resolution: once, and only while the conversation is resolved."""
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            if conversation.status != 'resolved':
                raise ActionError(f'#{conversation.id} is not resolved, so it cannot be rated.')
            if conversation.rating is not None:
                raise ActionError(f'#{conversation.id} was already rated.')
            conversation.rating = rating.value
            await conversation.save()
            await work.record(EventKind.RATED, agent_id=conversation.assignee_id, conversation_id=conversation.id,
                              key=key, data={'rating': rating.value, 'comment': comment[:500]})
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def abandon(self, conversation_id: int, *, key: str | None = None) -> None:
        """The customer gave up (hung up, left the chat) before anyone answered: the conversation leaves the queue as
        'abandoned'. The event carries how long they waited and earns nobody points."""
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            if conversation.status != 'new' or conversation.assignee_id is not None or conversation.first_response_at:
                raise ActionError(f'#{conversation.id} is no longer waiting for a first answer, so it cannot be '
                                  'abandoned.')
            waited = (self.clock.now() - conversation.created_at).total_seconds()
            conversation.status = 'abandoned'
            conversation.waiting_since = None
            await conversation.save()
            await work.record(EventKind.ABANDONED, conversation_id=conversation.id, key=key,
                              data={'channel': conversation.channel, 'waited_seconds': round(waited)})
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    # --- routing, rules and SLA policies (services/routing.py, automation.py, sla.py) ---

    async def assign(self, conversation_id: int, agent_id: int, *, by: str) -> None:
        """Routing gives a waiting conversation to an agent: ASSIGNED with data 'by' (no person acted)."""
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            if conversation.assignee_id is not None:
                raise ActionError(f'#{conversation.id} is already assigned to '
                                  f'{self._agent_name(conversation.assignee_id)}.')
            await self.assign_in(work, conversation, agent_id, by=by)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def assign_in(self, work: UnitOfWork, conversation: Conversation, agent_id: int, *, by: str) -> None:
        """Assign inside a change in progress (a rule, an escalation); the caller stores the conversation."""
        conversation.assignee_id = agent_id
        if conversation.status == 'new':
            conversation.status = 'open'
        await conversation.save()
        await work.record(EventKind.ASSIGNED, agent_id=agent_id, conversation_id=conversation.id,
                          data={'channel': conversation.channel, 'by': by})

    async def set_priority(self, actor: AgentView, conversation_id: int, priority: str, *,
                           key: str | None = None) -> None:
        """An agent (on their own conversation) or a lead changes the priority; the SLA due times follow it."""
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            if not actor.is_lead:
                self._check_mine(actor, conversation, allow_unassigned=True)
            await self.change_priority(work, conversation, priority, agent_id=actor.id, by='agent', key=key)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def change_priority(self, work: UnitOfWork, conversation: Conversation, priority: str, *,
                              agent_id: int | None, by: str, key: str | None = None) -> None:
        """Change the priority inside a change in progress: PRIORITY_CHANGED with data 'by' (agent | rule | sla)."""
        if priority not in SLA_RESOLUTION_TARGETS:
            raise ActionError(f'Unknown priority {priority!r}: one of {", ".join(PRIORITIES)}.')
        previous = conversation.priority
        if priority == previous:
            return
        conversation.priority = priority
        for hook in self.on_priority_changed:
            await hook(work, conversation, previous)
        await conversation.save()
        await work.record(EventKind.PRIORITY_CHANGED, agent_id=agent_id, conversation_id=conversation.id, key=key,
                          data={'priority': priority, 'previous': previous, 'by': by})

    def publish_after_commit(self, work: UnitOfWork, conversation: Conversation) -> None:
        """Update the open queue and the conversation's tabs once ``work`` commits (changes made by automation)."""
        work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def _get(self, conversation_id: int) -> Conversation:
        conversation = await Conversation.get_or_none(id=conversation_id).prefetch_related('customer')
        if conversation is None:
            raise ActionError(f'Conversation #{conversation_id} does not exist.')
        return conversation

    async def _assign(self, work, conversation: Conversation, agent_id: int, *, key: str | None = None) -> None:
        conversation.assignee_id = agent_id
        if conversation.status == 'new':
            conversation.status = 'open'
        await conversation.save()
        await work.record(EventKind.ASSIGNED, agent_id=agent_id, conversation_id=conversation.id, key=key,
                          data={'channel': conversation.channel})

    async def _reopen(self, work, conversation: Conversation, *, reason: str, key: str | None = None) -> None:
        conversation.status = 'open' if conversation.assignee_id else 'new'
        conversation.resolved_at = None
        conversation.rating = None
        conversation.waiting_since = self.clock.now()
        await work.record(EventKind.REOPENED, agent_id=conversation.assignee_id, conversation_id=conversation.id,
                          key=key, data={'reason': reason})

    def _check_open(self, conversation: Conversation) -> None:
        if conversation.status == 'resolved':
            raise ActionError(f'#{conversation.id} is already resolved.')
        if conversation.status == 'abandoned':
            raise ActionError(f'#{conversation.id} was abandoned: the customer hung up before anyone answered.')

    def _check_mine(self, actor: AgentView, conversation: Conversation, *, allow_unassigned: bool) -> None:
        if conversation.assignee_id == actor.id:
            return
        if conversation.assignee_id is None:
            if allow_unassigned:
                return
            raise ActionError(f'#{conversation.id} is not assigned to anyone yet: reply to it or take it first.')
        raise ActionError(f'#{conversation.id} is assigned to {self._agent_name(conversation.assignee_id)}, not to you.')

    def _agent_name(self, agent_id: int | None) -> str:
        agent = self.directory.agent(agent_id) if agent_id is not None else None
        return agent.name if agent else 'another agent'

    def _author_name(self, message: Message, customer_name: str) -> str:
        return customer_name if message.author_kind == 'customer' else self._agent_name(message.agent_id)

    def _store(self, conversation: Conversation, customer_name: str) -> None:
        """Keep the in-memory open queue in step after a commit and announce the change (coalesced)."""
        if conversation.status in OPEN_STATUSES:
            self.open_items[conversation.id] = _item(conversation, customer_name)
        else:
            self.open_items.pop(conversation.id, None)
        self.conversation_changed.emit(conversation.id)
        self.broadcast.poke()


def _item(conversation: Conversation, customer_name: str | None = None) -> InboxItem:
    return InboxItem(id=conversation.id, channel=Channel(conversation.channel),
                     customer_name=customer_name if customer_name is not None else conversation.customer.name,
                     subject=conversation.subject, status=conversation.status, priority=conversation.priority,
                     assignee_id=conversation.assignee_id, created_at=conversation.created_at,
                     waiting_since=conversation.waiting_since, sla_due_at=conversation.sla_due_at,
                     first_response_due_at=conversation.first_response_due_at,
                     department_id=conversation.department_id)
