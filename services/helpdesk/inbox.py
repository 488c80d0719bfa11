"""The unified inbox: conversations on every channel, replies (free text or canned), resolution, reopening, ratings,
and the agents' work around them: tags, internal notes, transfers, the customer's whole history."""
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from nicegui import Event

from models import Conversation, ConversationTag, Customer, Department, InternalNote, Message, StoredEvent, Transfer
from services.domain.canned import CannedReplyView, placeholder_values, render, shortcut_in
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind, GameEvent, Rating
from services.domain.i18n import N_, _
from services.domain.inbox import (
    MAX_NOTE_LENGTH,
    MAX_REPLY_LENGTH,
    MAX_TAGS,
    OPEN_STATUSES,
    PRIORITIES,
    SLA_RESOLUTION_TARGETS,
    TIMED_CHANNELS,
    ConversationDetail,
    InboxItem,
    MessageView,
    PastConversation,
    ThreadEntry,
    call_duration,
    normalise_tag,
)
from services.domain.text import MAX_COMMENT, MAX_MESSAGE, MAX_SEARCH, MAX_SUBJECT, checked_text
from services.helpdesk.canned_replies import CannedReplyService
from services.helpdesk.team_chat import answers_naming
from services.platform.clock import Clock
from services.platform.coalesce import Coalescer
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService, UnitOfWork

HISTORY_LIMIT = 100  # entries of a customer's history shown in the thread
# events about a conversation that change neither its row nor its thread: another process's do not refresh it here
UNCHANGED_BY = frozenset({EventKind.VIEWED})
# what leaves a conversation closed if it was: one this process does not hold open needs no read for these (a
# resolution, a rating or an assist decided there is most of another process's conversation events)
NEVER_OPENED_BY = frozenset({EventKind.RESOLVED, EventKind.RATED, EventKind.ABANDONED, EventKind.ASSIST_DECIDED})
ASSIST_CHAT_WINDOW = timedelta(days=7)  # how far back a team-chat answer about a conversation counts as an assist

# automation (helpdesk/sla.py, helpdesk/automation.py) plugs in here: (work, conversation, text) inside the change
ConversationHook = Callable[[UnitOfWork, Conversation, str], Awaitable[None]]


class InboxService:
    """Changes conversations on behalf of a person (or the simulator) and records each change as an event."""

    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, canned: CannedReplyService,
                 coalesce_seconds: float = 0.2) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.canned = canned
        self.open_items: dict[int, InboxItem] = {}
        self.open_tags: dict[int, tuple[str, ...]] = {}  # the tags of the open conversations, shown in the queue
        self.changed: Event[list[InboxItem]] = Event()  # the open conversations, after a (coalesced) change
        self.conversation_changed: Event[int] = Event()  # a conversation's thread or status changed
        self.broadcast = Coalescer(lambda: self.changed.emit(self.items()), delay=coalesce_seconds)
        self.on_created: list[ConversationHook] = []  # text: the customer's first message
        self.on_customer_message: list[ConversationHook] = []  # text: the message
        self.on_priority_changed: list[ConversationHook] = []  # text: the previous priority

    async def load(self) -> None:
        # a connected helpdesk's conversations (issue 14) are worked there: never in this queue, routing or SLA sweeps
        conversations = await Conversation.filter(status__in=OPEN_STATUSES, connection_id__isnull=True) \
            .prefetch_related('customer')
        self.open_tags = {}
        for conversation_id, tag in await ConversationTag.filter(conversation__status__in=OPEN_STATUSES,
                                                                 conversation__connection_id__isnull=True) \
                .order_by('tag').values_list('conversation_id', 'tag'):
            self.open_tags[conversation_id] = (*self.open_tags.get(conversation_id, ()), tag)
        self.open_items = {conversation.id: _item(conversation, tags=self.open_tags.get(conversation.id, ()))
                           for conversation in conversations}

    async def refresh(self, events: list[GameEvent]) -> None:
        """Other processes changed conversations (PostgreSQL): take those from the database, whose rows are the
        truth, and publish each as a change made here is published (the queue, the conversation's tabs). Awaited as
        their events are folded (:meth:`GameService.refresh_with_followed`); one read for a batch of events."""
        ids = {event.conversation_id for event in events
               if event.conversation_id is not None and event.kind not in UNCHANGED_BY}
        # not held open and only closed further: its row cannot change the queue; its tabs read it themselves
        closed = ids - self.open_items.keys() - {event.conversation_id for event in events
                                                  if event.kind not in NEVER_OPENED_BY}
        for conversation_id in sorted(closed):
            self.conversation_changed.emit(conversation_id)
        ids -= closed
        if not ids:
            return
        conversations = await Conversation.filter(id__in=ids, connection_id__isnull=True).prefetch_related('customer')
        tags: dict[int, tuple[str, ...]] = {}
        for conversation_id, tag in await ConversationTag.filter(conversation_id__in=ids).order_by('tag') \
                .values_list('conversation_id', 'tag'):
            tags[conversation_id] = (*tags.get(conversation_id, ()), tag)
        for conversation in sorted(conversations, key=lambda c: c.id):
            self.open_tags.pop(conversation.id, None)
            if conversation.id in tags:
                self.open_tags[conversation.id] = tags[conversation.id]  # _store drops them if it is closed
            self._store(conversation, conversation.customer.name)

    def items(self) -> list[InboxItem]:
        return list(self.open_items.values())

    async def canned_replies(self, agent_id: int | None = None, *,
                             language: str | None = None) -> list[CannedReplyView]:
        """The canned replies this agent may send (the shared ones and their own); without an agent, the shared ones.
        With the customer's ``language``, the replies written in it come first."""
        if agent_id is None:
            return self.canned.shared()
        return self.canned.visible_to(agent_id, language=language)

    async def detail(self, conversation_id: int) -> ConversationDetail:
        conversation = await Conversation.get_or_none(id=conversation_id).prefetch_related('customer')
        if conversation is None:
            raise ActionError(_('Conversation #{ticket} does not exist.').format(ticket=conversation_id))
        customer = conversation.customer
        messages = await Message.filter(conversation_id=conversation_id).order_by('id')
        tags = tuple(await ConversationTag.filter(conversation_id=conversation_id).order_by('tag')
                     .values_list('tag', flat=True))
        conversations = [PastConversation(id=c.id, channel=Channel(c.channel), subject=c.subject, status=c.status,
                                          created_at=c.created_at)
                         for c in await Conversation.filter(customer_id=customer.id).order_by('-id')
                         .limit(HISTORY_LIMIT)]
        return ConversationDetail(
            item=_item(conversation, tags=tags), customer_email=customer.email, customer_id=customer.id,
            customer_language=customer.language, rating=conversation.rating, tags=tags, conversations=conversations,
            customer_company=customer.company,
            messages=[MessageView(id=m.id, author_kind=m.author_kind, body=m.body, created_at=m.created_at,
                                  author_name=self._author_name(m, customer.name)) for m in messages],
            history=await self._history(customer.name, conversations))

    async def create_conversation(self, *, customer_id: int, channel: Channel, subject: str, body: str,
                                  priority: str = 'normal', key: str | None = None, at: datetime | None = None) -> int:
        """A customer writes in (or calls): a new conversation waiting in the queue (``at``: when, if not now; the
        API's facts carry their own time)."""
        subject = checked_text(subject, N_('Subject'), MAX_SUBJECT)
        body = checked_text(body, N_('Message'), MAX_MESSAGE, multiline=True)
        if priority not in SLA_RESOLUTION_TARGETS:
            raise ActionError(_('Unknown priority {priority}.').format(priority=repr(priority)))
        async with self.game.unit_of_work() as work:
            if key is not None and (seen := await StoredEvent.get_or_none(key=key)) is not None:
                return seen.conversation_id or 0  # the same arrival delivered twice makes one conversation
            now = work.moment(at)
            customer = await Customer.get(id=customer_id)
            conversation = await Conversation.create(
                customer=customer, channel=channel.value, subject=subject, status='new', priority=priority,
                created_at=now, waiting_since=now, sla_due_at=now + SLA_RESOLUTION_TARGETS[priority], inbound_count=1)
            await Message.create(conversation=conversation, author_kind='customer', body=body, created_at=now)
            await work.record(EventKind.CONVERSATION_CREATED, conversation_id=conversation.id, key=key, at=now,
                              data={'channel': channel.value, 'priority': priority, 'customer_id': customer_id})
            for hook in self.on_created:
                await hook(work, conversation, body)
            work.after_commit(lambda: self._store(conversation, customer.name))
        return conversation.id

    async def customer_message(self, conversation_id: int, body: str, *, key: str | None = None,
                               at: datetime | None = None) -> None:
        """The customer writes again; a resolved conversation is reopened by it."""
        body = checked_text(body, N_('Message'), MAX_MESSAGE, multiline=True, empty=_('The message is empty.'))
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            now = work.moment(at)
            if conversation.status == 'resolved':
                await self._reopen(work, conversation, reason='customer wrote again', at=now)
            conversation.inbound_count += 1
            conversation.waiting_since = conversation.waiting_since or now
            conversation.status = 'open' if conversation.assignee_id else 'new'
            await conversation.save()
            await Message.create(conversation=conversation, author_kind='customer', body=body, created_at=now)
            await work.record(EventKind.CUSTOMER_MESSAGE, conversation_id=conversation.id, key=key, at=now,
                              agent_id=conversation.assignee_id, data={'length': len(body)})
            for hook in self.on_customer_message:
                await hook(work, conversation, body)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def take(self, actor: AgentView, conversation_id: int, *, key: str | None = None) -> None:
        """Assign an unassigned conversation to the agent who takes it."""
        self._check_works_here(actor)
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            if conversation.assignee_id == actor.id:
                return
            if conversation.assignee_id is not None and not actor.is_lead:
                owner = self._agent_name(conversation.assignee_id)
                raise ActionError(
                    _('#{ticket} is already assigned to {owner}.')
                    .format(ticket=conversation.id, owner=owner))
            await self.assign_in(work, conversation, actor.id, key=key)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def reply(self, actor: AgentView, conversation_id: int, text: str, *, key: str | None = None,
                    canned_id: int | None = None, at: datetime | None = None, from_helpdesk: bool = False) -> str:
        """Send a reply; ``/shortcut`` alone sends that canned reply (the agent's personal one first) with its
        placeholders filled. ``canned_id``: the canned reply the text was picked from (and maybe edited), counted as
        used. ``from_helpdesk``: a fact the agent's own helpdesk posted (``POST /api/v1/events``), not their click, so
        a team working in another helpdesk is not refused. Returns the body."""
        if not from_helpdesk:
            self._check_works_here(actor)
        text = checked_text(text, N_('Reply'), MAX_REPLY_LENGTH, multiline=True,
                            empty=_('The reply is empty: write something or pick a canned reply with /.'))
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            self._check_mine(actor, conversation, allow_unassigned=True)
            body = text
            shortcut = shortcut_in(text)
            canned = next((reply for reply in self.canned.visible_to(actor.id) if reply.id == canned_id), None)
            if shortcut is not None:
                canned = self.canned.find(actor.id, shortcut)
                if canned is None:
                    raise ActionError(_('There is no canned reply /{shortcut}.').format(shortcut=shortcut))
                body = render(canned.body, placeholder_values(
                    customer_name=conversation.customer.name, ticket_id=conversation.id, agent_name=actor.name,
                    company=conversation.customer.company, agent_team=actor.team_name))
            if canned is not None:
                await self.canned.count_use(work, canned.id)
            now = work.moment(at)
            if conversation.assignee_id is None:
                await self.assign_in(work, conversation, actor.id, at=now)
            await Message.create(conversation=conversation, author_kind='agent', agent_id=actor.id, body=body,
                                 created_at=now)
            data = {'length': len(body), 'canned': canned.shortcut if canned else None, 'channel': conversation.channel}
            if conversation.first_response_at is None:  # the first reply: Speedy Gonzales measures the reaction
                data['first_response_seconds'] = max(0, round((now - conversation.created_at).total_seconds()))
                if conversation.first_response_due_at is not None:  # the monitor's service level compares with it
                    data['first_response_due_at'] = conversation.first_response_due_at.isoformat()
            conversation.first_response_at = conversation.first_response_at or now
            conversation.waiting_since = None
            conversation.status = 'pending'
            await conversation.save()
            await work.record(EventKind.REPLIED, agent_id=actor.id, conversation_id=conversation.id, key=key,
                              data=data, at=now)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))
        return body

    async def resolve(self, actor: AgentView, conversation_id: int, *, key: str | None = None,
                      at: datetime | None = None, from_helpdesk: bool = False) -> None:
        if not from_helpdesk:  # see :meth:`reply`
            self._check_works_here(actor)
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            self._check_mine(actor, conversation, allow_unassigned=False)
            await self.resolve_in(work, conversation, key=key, at=at)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def resolve_in(self, work: UnitOfWork, conversation: Conversation, *, key: str | None = None,
                         by: str | None = None, at: datetime | None = None, ticket: str | None = None) -> None:
        """Resolve inside a change in progress (``by`` 'rule' when an automation rule closes it, 'helpdesk' for a
        connected helpdesk's resolution, timed ``at`` its own time; ``ticket`` how receipts name it there)."""
        now = work.moment(at)
        conversation.status = 'resolved'
        conversation.resolved_at = now
        conversation.waiting_since = None
        conversation.rating = None
        conversation.rating_comment = None
        await conversation.save()
        data = {'channel': conversation.channel, 'created_at': conversation.created_at.isoformat(),
                'sla_due_at': conversation.sla_due_at.isoformat(), 'inbound_count': conversation.inbound_count}
        if conversation.channel in TIMED_CHANNELS:
            data |= call_duration(conversation.first_response_at, now)
        data |= await _how_taken(work, conversation)
        resolver = self.directory.agent(conversation.assignee_id) if conversation.assignee_id is not None else None
        if resolver is not None and resolver.team_id is not None:  # their team's working hours time it (issue 18)
            data['team_id'] = resolver.team_id
        if conversation.assignee_id is not None and (assisters := await _assisters(work, conversation, now)):
            data |= {'assisters': assisters, 'resolver_name': resolver.name if resolver else ''}
            if declined := sorted(set(assisters) & await _declined(work, conversation)):
                data['declined'] = declined  # their word stands: no share (services/domain/scoring.py)
        if by:
            data['by'] = by
        if ticket:  # receipts name the helpdesk's own ticket ('Chatwoot #482')
            data['ticket'] = ticket
        await work.record(EventKind.RESOLVED, agent_id=conversation.assignee_id, conversation_id=conversation.id,
                          key=key, data=data, at=now)

    async def reopen(self, actor: AgentView, conversation_id: int, *, key: str | None = None) -> None:
        self._check_works_here(actor)
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            if conversation.status != 'resolved':
                raise ActionError(
                    _('#{ticket} is not resolved, so it cannot be reopened.')
                    .format(ticket=conversation.id))
            self._check_mine(actor, conversation, allow_unassigned=True)
            await self._reopen(work, conversation, reason=f'reopened by {actor.name}', key=key)
            await conversation.save()
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def rate(self, conversation_id: int, rating: Rating, *, comment: str = '', key: str | None = None,
                   at: datetime | None = None) -> None:
        """The customer rates the latest resolution: once, and only while the conversation is resolved."""
        comment = checked_text(comment, N_('Comment'), MAX_COMMENT, multiline=True)
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            if conversation.status != 'resolved':
                raise ActionError(_('#{ticket} is not resolved, so it cannot be rated.').format(ticket=conversation.id))
            if conversation.rating is not None:
                raise ActionError(_('#{ticket} was already rated.').format(ticket=conversation.id))
            conversation.rating = rating.value
            conversation.rating_comment = comment or None
            await conversation.save()
            # the rating is the resolver's, even if the conversation was transferred after it was resolved
            resolution = await StoredEvent.filter(conversation_id=conversation.id, kind=EventKind.RESOLVED.value) \
                .order_by('-id').first()
            resolver = resolution.agent_id if resolution is not None else conversation.assignee_id
            await work.record(EventKind.RATED, agent_id=resolver, conversation_id=conversation.id, key=key, at=at,
                              data={'rating': rating.value, 'comment': comment[:500], 'channel': conversation.channel})
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def abandon(self, conversation_id: int, *, key: str | None = None) -> None:
        """The customer gave up (hung up, left the chat) before anyone answered, in the queue or ringing on an agent
        who did not pick up: the conversation leaves the queue as 'abandoned'. The event carries how long they waited
        (and the agent it rang on, if any) and earns nobody points."""
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            if conversation.status not in ('new', 'open') or conversation.first_response_at:
                raise ActionError(
                    _('#{ticket} is no longer waiting for a first answer, so it cannot be abandoned.')
                    .format(ticket=conversation.id))
            waited = (self.clock.now() - conversation.created_at).total_seconds()
            conversation.status = 'abandoned'
            conversation.waiting_since = None
            await conversation.save()
            await work.record(EventKind.ABANDONED, conversation_id=conversation.id, key=key,
                              data={'channel': conversation.channel, 'waited_seconds': round(waited)}
                              | ({'assignee_id': conversation.assignee_id} if conversation.assignee_id else {}))
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def release(self, from_agent_id: int, *, actor_id: int | None, by: str, unanswered_live_only: bool = False,
                      data: dict | None = None) -> list[int]:
        """Put the conversations ``from_agent_id`` has in hand (new or open) back in the queue, unassigned: one
        ``released`` event with ``actor_id`` (the lead; None for the grace sweep) naming them. With
        ``unanswered_live_only``, only the chats and calls nobody has answered yet. Returns their ids (none: nothing
        is recorded)."""
        async with self.game.unit_of_work() as work:
            query = Conversation.filter(assignee_id=from_agent_id, status__in=('new', 'open'),
                                        connection_id__isnull=True)
            if unanswered_live_only:
                query = query.filter(channel__in=TIMED_CHANNELS, first_response_at__isnull=True)
            conversations = await query.order_by('id').prefetch_related('customer')
            if not conversations:
                return []
            now = self.clock.now()
            for conversation in conversations:
                conversation.assignee_id = None
                conversation.status = 'new'
                conversation.waiting_since = conversation.waiting_since or now
                await conversation.save(update_fields=['assignee_id', 'status', 'waiting_since'])
                work.after_commit(lambda c=conversation: self._store(c, c.customer.name))
            await work.record(EventKind.RELEASED, agent_id=actor_id, data={
                'from_agent_id': from_agent_id, 'conversation_ids': [c.id for c in conversations],
                'channels': [c.channel for c in conversations], 'by': by, **(data or {})})
        return [c.id for c in conversations]

    # --- the agents' work around the thread: tags, internal notes, transfers ---

    async def tag(self, actor: AgentView, conversation_id: int, text: str, *, key: str | None = None) -> str:
        """Add a tag (normalised, see :func:`normalise_tag`); returns it. A tag already there changes nothing."""
        self._check_works_here(actor)
        tag = normalise_tag(text)
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_may_work_on(actor, conversation)
            await self.tag_in(work, conversation, tag, agent_id=actor.id, key=key)
        return tag

    async def tag_in(self, work: UnitOfWork, conversation: Conversation, tag: str, *, agent_id: int | None,
                     by: str | None = None, key: str | None = None) -> None:
        """Add a normalised tag inside a change in progress (``by`` 'rule' when an automation rule tags)."""
        tags = set(await ConversationTag.filter(conversation_id=conversation.id).values_list('tag', flat=True))
        if tag in tags:
            return
        if len(tags) >= MAX_TAGS:
            raise ActionError(
                _('#{ticket} already has {count} tags: remove one first.')
                .format(ticket=conversation.id, count=MAX_TAGS))
        await ConversationTag.create(conversation_id=conversation.id, tag=tag, agent_id=agent_id,
                                     created_at=self.clock.now())
        await work.record(EventKind.TAGGED, agent_id=agent_id, conversation_id=conversation.id, key=key,
                          data={'tag': tag} | ({'by': by} if by else {}))
        work.after_commit(lambda: self._store_tags(conversation, tuple(sorted(tags | {tag}))))

    async def untag(self, actor: AgentView, conversation_id: int, text: str, *, key: str | None = None) -> None:
        self._check_works_here(actor)
        tag = normalise_tag(text)
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_may_work_on(actor, conversation)
            tags = set(await ConversationTag.filter(conversation_id=conversation.id).values_list('tag', flat=True))
            if tag not in tags:
                raise ActionError(_('#{ticket} is not tagged {tag}.').format(ticket=conversation.id, tag=tag))
            await ConversationTag.filter(conversation_id=conversation.id, tag=tag).delete()
            await work.record(EventKind.UNTAGGED, agent_id=actor.id, conversation_id=conversation.id, key=key,
                              data={'tag': tag})
            work.after_commit(lambda: self._store_tags(conversation, tuple(sorted(tags - {tag}))))

    async def add_note(self, actor: AgentView, conversation_id: int, text: str, *, key: str | None = None) -> None:
        """An internal note for the other agents: shown in the agents' thread, never sent to the customer."""
        self._check_works_here(actor)
        text = checked_text(text, N_('Note'), MAX_NOTE_LENGTH, multiline=True, empty=_('The note is empty.'))
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_may_work_on(actor, conversation)
            await InternalNote.create(conversation_id=conversation.id, agent_id=actor.id, body=text,
                                      created_at=self.clock.now())
            await work.record(EventKind.NOTE_ADDED, agent_id=actor.id, conversation_id=conversation.id, key=key,
                              data={'length': len(text)})
            work.after_commit(lambda: self.conversation_changed.emit(conversation.id))

    async def transfer(self, actor: AgentView, conversation_id: int, *, to_agent_id: int | None = None,
                       to_department_id: int | None = None, note: str = '', key: str | None = None) -> None:
        """Hand the conversation to another agent, or to a department's queue (unassigned), during or after it.

        The receiver can then act on it; the sender no longer can (unless they are a lead).
        """
        self._check_works_here(actor)
        if (to_agent_id is None) == (to_department_id is None):
            raise ActionError(_('Transfer to one agent or to one department.'))
        note = checked_text(note, N_('Transfer note'), MAX_NOTE_LENGTH, multiline=True)
        receiver = self.directory.agent(to_agent_id) if to_agent_id is not None else None
        if to_agent_id is not None and receiver is None:
            raise ActionError(_('That agent does not exist or is no longer active.'))
        if receiver is not None and self.directory.works_elsewhere(receiver):
            raise ActionError(
                _("{name}'s team ({team}) works in its own helpdesk, not in this inbox: transfer to someone "
                  'else.')
                .format(name=receiver.name, team=receiver.team_name))
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            if conversation.status == 'abandoned':
                raise ActionError(
                    _('#{ticket} was abandoned: there is nothing left to transfer.')
                    .format(ticket=conversation.id))
            self._check_may_work_on(actor, conversation)
            previous = conversation.assignee_id
            if receiver is not None:
                if previous == receiver.id:
                    raise ActionError(
                        _('#{ticket} is already assigned to {name}.')
                        .format(ticket=conversation.id, name=receiver.name))
                conversation.assignee_id = receiver.id
                if conversation.status == 'new':
                    conversation.status = 'open'
            else:
                department = await Department.get_or_none(id=to_department_id)
                if department is None:
                    raise ActionError(_('That department does not exist.'))
                if previous is None and conversation.department_id == department.id:
                    raise ActionError(
                        _('#{ticket} is already in the {department} queue.')
                        .format(ticket=conversation.id, department=department.name))
                conversation.assignee_id = None
                conversation.department_id = department.id
                if conversation.status in ('open', 'pending'):
                    conversation.status = 'new'  # back in the queue: anyone of the department can take it
            await conversation.save()
            await Transfer.create(conversation_id=conversation.id, from_agent_id=actor.id,
                                  previous_assignee_id=previous, to_agent_id=to_agent_id,
                                  to_department_id=to_department_id, note=note, created_at=self.clock.now())
            await work.record(EventKind.TRANSFERRED, agent_id=actor.id, conversation_id=conversation.id, key=key,
                              data={'to_agent_id': to_agent_id, 'to_department_id': to_department_id,
                                    'note_length': len(note), 'from_agent_id': previous,
                                    'status': conversation.status, 'channel': conversation.channel})
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def departments(self) -> dict[int, str]:
        """The departments conversations can be transferred to, by name."""
        return dict(await Department.all().order_by('name').values_list('id', 'name'))

    async def search_messages(self, text: str, *, limit: int = 500) -> set[int]:
        """The open conversations with a message containing ``text`` (one query; names and subjects are searched in
        memory by the queue)."""
        try:
            text = checked_text(text, N_('Search'), MAX_SEARCH)
        except ActionError:  # nothing typed in a search is stored: what no message can hold finds nothing
            return set()
        if len(text) < 2:
            return set()
        return set(await Message.filter(body__icontains=text, conversation__status__in=OPEN_STATUSES)
                   .limit(limit).values_list('conversation_id', flat=True))

    async def _history(self, customer_name: str, conversations: list[PastConversation]) -> list[ThreadEntry]:
        """The customer's hybrid thread: the latest messages of all their conversations, with the internal notes and
        transfers, in time order."""
        channels = {c.id: c.channel for c in conversations}
        ids = list(channels)
        entries = [ThreadEntry(key=f'message-{m.id}', kind=m.author_kind, conversation_id=m.conversation_id,
                               channel=channels[m.conversation_id], body=m.body, created_at=m.created_at,
                               author_name=self._author_name(m, customer_name))
                   for m in await Message.filter(conversation_id__in=ids).order_by('-created_at', '-id')
                   .limit(HISTORY_LIMIT)]
        entries += [ThreadEntry(key=f'note-{n.id}', kind='note', conversation_id=n.conversation_id,
                                channel=channels[n.conversation_id], body=n.body, created_at=n.created_at,
                                author_name=self._agent_name(n.agent_id))
                    for n in await InternalNote.filter(conversation_id__in=ids).order_by('-id').limit(HISTORY_LIMIT)]
        departments = await self.departments()
        entries += [ThreadEntry(key=f'transfer-{t.id}', kind='transfer', conversation_id=t.conversation_id,
                                channel=channels[t.conversation_id], created_at=t.created_at,
                                author_name=self._agent_name(t.from_agent_id),
                                body=_transfer_text(t, self._agent_name(t.to_agent_id) if t.to_agent_id else
                                                    departments.get(t.to_department_id or 0, 'a department')))
                    for t in await Transfer.filter(conversation_id__in=ids).order_by('-id').limit(HISTORY_LIMIT)]
        entries.reverse()  # each kind was read newest first; the stable sort keeps ids in order within a moment
        entries.sort(key=lambda entry: entry.created_at)
        return entries[-HISTORY_LIMIT:]

    def _check_may_work_on(self, actor: AgentView, conversation: Conversation) -> None:
        """Tags, notes and transfers: a lead on any conversation, an agent on their own or an unassigned one."""
        if not actor.is_lead:
            self._check_mine(actor, conversation, allow_unassigned=True)

    def _store_tags(self, conversation: Conversation, tags: tuple[str, ...]) -> None:
        if conversation.status in OPEN_STATUSES:
            self.open_tags[conversation.id] = tags
        self._store(conversation, conversation.customer.name)

    # --- routing, rules and SLA policies (services/helpdesk/routing.py, automation.py, sla.py) ---

    async def assign(self, conversation_id: int, agent_id: int, *, by: str, at: datetime | None = None) -> None:
        """Routing gives a waiting conversation to an agent: ASSIGNED with data 'by' (no person acted)."""
        async with self.game.unit_of_work() as work:
            conversation = await self._get(conversation_id)
            self._check_open(conversation)
            if conversation.assignee_id is not None:
                raise ActionError(
                    _('#{ticket} is already assigned to {assignee_id}.')
                    .format(ticket=conversation.id, assignee_id=self._agent_name(conversation.assignee_id)))
            await self.assign_in(work, conversation, agent_id, by=by, at=at)
            work.after_commit(lambda: self._store(conversation, conversation.customer.name))

    async def assign_in(self, work: UnitOfWork, conversation: Conversation, agent_id: int, *, by: str | None = None,
                        key: str | None = None, at: datetime | None = None) -> None:
        """Assign inside a change in progress: an agent taking it, or (``by``) routing, a rule, an escalation; the
        caller stores the conversation."""
        was_waiting = conversation.assignee_id is None
        conversation.assignee_id = agent_id
        if conversation.status == 'new':
            conversation.status = 'open'
        await conversation.save()
        data: dict[str, object] = {'channel': conversation.channel} | ({'by': by} if by else {})
        if by is None and was_waiting:  # an agent chose it from the queue: did older ones of its channel, at least
            # as urgent, stay waiting? (taking an urgent one first is no queue jump)
            urgent_enough = PRIORITIES[:PRIORITIES.index(conversation.priority) + 1] \
                if conversation.priority in PRIORITIES else PRIORITIES
            passed_over = await Conversation.filter(channel=conversation.channel, assignee_id=None,
                                                    status__in=('new', 'open'), priority__in=urgent_enough,
                                                    created_at__lt=conversation.created_at).count()
            if passed_over:
                data['passed_over'] = passed_over
        await work.record(EventKind.ASSIGNED, agent_id=agent_id, conversation_id=conversation.id, key=key, at=at,
                          data=data)

    async def set_priority(self, actor: AgentView, conversation_id: int, priority: str, *,
                           key: str | None = None) -> None:
        """An agent (on their own conversation) or a lead changes the priority; the SLA due times follow it."""
        self._check_works_here(actor)
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
            raise ActionError(
                _('Unknown priority {priority}: one of {priorities}.')
                .format(priority=repr(priority), priorities=", ".join(PRIORITIES)))
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
            raise ActionError(_('Conversation #{ticket} does not exist.').format(ticket=conversation_id))
        if conversation.connection_id is not None:
            raise ActionError(
                _('#{ticket} is worked in its own helpdesk, not in this inbox.')
                .format(ticket=conversation.id))
        return conversation

    async def reopen_in(self, work: UnitOfWork, conversation: Conversation, *, reason: str, key: str | None = None,
                        at: datetime | None = None, ticket: str | None = None) -> None:
        """Reopen inside a change in progress (a connected helpdesk's conversation, timed ``at`` its own time and
        named ``ticket`` in receipts); the caller saves the conversation."""
        await self._reopen(work, conversation, reason=reason, key=key, at=at, ticket=ticket)

    async def _reopen(self, work, conversation: Conversation, *, reason: str, key: str | None = None,
                      at: datetime | None = None, ticket: str | None = None) -> None:
        tags = tuple(await ConversationTag.filter(conversation_id=conversation.id).order_by('tag')
                     .values_list('tag', flat=True))
        if tags:  # back in the open queue, with its tags
            work.after_commit(lambda: self.open_tags.__setitem__(conversation.id, tags))
        conversation.status = 'open' if conversation.assignee_id else 'new'
        conversation.resolved_at = None
        conversation.rating = None
        conversation.rating_comment = None
        conversation.waiting_since = work.moment(at)
        data = {'reason': reason} | ({'ticket': ticket} if ticket else {})
        await work.record(EventKind.REOPENED, agent_id=conversation.assignee_id, conversation_id=conversation.id,
                          key=key, data=data, at=at)

    def _check_works_here(self, actor: AgentView) -> None:
        """An agent of a team a lead marked as working in another helpdesk has no inbox here (their work arrives
        through that helpdesk's connection): every inbox action of theirs is refused, whatever the page showed."""
        if self.directory.works_elsewhere(actor):
            raise ActionError(
                _("Your team ({team}) works in its own helpdesk, not in DeskQuest's inbox: do this there, and "
                  'your points follow through the connection.')
                .format(team=actor.team_name))

    def _check_open(self, conversation: Conversation) -> None:
        if conversation.status == 'resolved':
            raise ActionError(_('#{ticket} is already resolved.').format(ticket=conversation.id))
        if conversation.status == 'abandoned':
            raise ActionError(
                _('#{ticket} was abandoned: the customer hung up before anyone answered.')
                .format(ticket=conversation.id))

    def _check_mine(self, actor: AgentView, conversation: Conversation, *, allow_unassigned: bool) -> None:
        if conversation.assignee_id == actor.id:
            return
        if conversation.assignee_id is None:
            if allow_unassigned:
                return
            raise ActionError(
                _('#{ticket} is not assigned to anyone yet: reply to it or take it first.')
                .format(ticket=conversation.id))
        owner = self._agent_name(conversation.assignee_id)
        raise ActionError(
            _('#{ticket} is assigned to {owner}, not to you.')
            .format(ticket=conversation.id, owner=owner))

    def _agent_name(self, agent_id: int | None) -> str:
        agent = self.directory.agent(agent_id) if agent_id is not None else None
        return agent.name if agent else 'another agent'

    def _author_name(self, message: Message, customer_name: str) -> str:
        return customer_name if message.author_kind == 'customer' else self._agent_name(message.agent_id)

    def _store(self, conversation: Conversation, customer_name: str) -> None:
        """Keep the in-memory open queue in step after a commit and announce the change (coalesced)."""
        if conversation.status in OPEN_STATUSES:
            self.open_items[conversation.id] = _item(conversation, customer_name,
                                                     tags=self.open_tags.get(conversation.id, ()))
        else:
            self.open_items.pop(conversation.id, None)
            self.open_tags.pop(conversation.id, None)
        self.conversation_changed.emit(conversation.id)
        self.broadcast.poke()


def _transfer_text(transfer: Transfer, target: str) -> str:
    return f'Transferred to {target}' + (f': {transfer.note}' if transfer.note else '')


def _item(conversation: Conversation, customer_name: str | None = None, *, tags: tuple[str, ...] = ()) -> InboxItem:
    return InboxItem(id=conversation.id, channel=Channel(conversation.channel),
                     customer_name=customer_name if customer_name is not None else conversation.customer.name,
                     subject=conversation.subject, status=conversation.status, priority=conversation.priority,
                     assignee_id=conversation.assignee_id, created_at=conversation.created_at,
                     waiting_since=conversation.waiting_since, sla_due_at=conversation.sla_due_at,
                     first_response_due_at=conversation.first_response_due_at,
                     department_id=conversation.department_id, customer_id=conversation.customer_id,
                     first_response_at=conversation.first_response_at, tags=tags)


async def _assisters(work: UnitOfWork, conversation: Conversation, now: datetime) -> list[int]:
    """Who helped the resolver (the assignee) on this conversation, for the assist credit (services/domain/scoring.py
    ``assist_awards``): every other agent who wrote an internal note on it, transferred it with a note, or answered
    the resolver in team chat naming it (``#123``) since it was created (chat: in the last week of that)."""
    resolver = conversation.assignee_id
    stored = await StoredEvent.filter(conversation_id=conversation.id, kind__in=[
        EventKind.NOTE_ADDED.value, EventKind.TRANSFERRED.value]).values_list('kind', 'agent_id', 'data')
    pending = [(event.kind.value, event.agent_id, event.data) for event in work.events
               if event.conversation_id == conversation.id]
    helpers = {agent_id for kind, agent_id, data in [*stored, *pending]
               if kind == EventKind.NOTE_ADDED.value
               or (kind == EventKind.TRANSFERRED.value and (data or {}).get('note_length'))}
    if resolver is not None:  # the chat's direct messages to the resolver since the conversation began
        helpers |= await answers_naming(conversation.id, to_agent_id=resolver,
                                        since=max(conversation.created_at, now - ASSIST_CHAT_WINDOW))
    return sorted(agent_id for agent_id in helpers if agent_id is not None and agent_id != resolver)


async def _declined(work: UnitOfWork, conversation: Conversation) -> set[int]:
    """The assisters the resolver (the assignee) declined on an earlier resolution of this conversation and did not
    confirm since: their latest word on each stands when they resolve it again."""
    stored = await StoredEvent.filter(conversation_id=conversation.id, kind=EventKind.ASSIST_DECIDED.value,
                                      agent_id=conversation.assignee_id).order_by('id').values_list('data', flat=True)
    pending = [event.data for event in work.events if event.conversation_id == conversation.id
               and event.kind == EventKind.ASSIST_DECIDED and event.agent_id == conversation.assignee_id]
    latest = {int(data['assister_id']): bool(data['confirmed']) for data in [*stored, *pending]}
    return {assister for assister, confirmed in latest.items() if not confirmed}


async def _how_taken(work: UnitOfWork, conversation: Conversation) -> dict[str, int]:
    """What the fair-play rules read off a resolution (services/domain/scoring.py): how long the conversation waited
    before anyone first took it, and how many older ones of its channel its latest taker passed over."""
    stored = await StoredEvent.filter(conversation_id=conversation.id, kind=EventKind.ASSIGNED.value).order_by('id')
    assignments = [*stored, *(event for event in work.events if event.conversation_id == conversation.id
                               and event.kind == EventKind.ASSIGNED)]
    if not assignments:
        return {}
    first, latest = assignments[0], assignments[-1]
    taken = {'waited_seconds': max(0, round((first.occurred_at - conversation.created_at).total_seconds()))}
    return taken | ({'passed_over': latest.data['passed_over']} if latest.data.get('passed_over') else {})
