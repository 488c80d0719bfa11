"""Connected helpdesks (issue 14): a lead connects a Chatwoot, Zendesk or Freshdesk account; its webhook deliveries are
stored, checked, read into facts and applied as the same game events the built-in inbox records, timed by the
helpdesk's own clock.

Every delivery is stored in the same transaction as what it changes, and answered 2xx only after that commit: a crash
before it means no answer, so the helpdesk sends it again. Each fact becomes events keyed by (connection, ticket,
fact), so a repeated delivery, or the same fact sent twice (Chatwoot's two resolution deliveries, a re-sent CSAT),
changes nothing the second time. The state facts (status, assignee) carry their time and an older one than what is
applied is stale, so deliveries in any order end in the same state; a rating for a conversation not resolved yet waits
and is applied when the resolution arrives.
"""
import asyncio
import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nicegui import Event

from models import Agent, Connection, Conversation, Customer, Delivery, HelpdeskIdentity, LedgerEntry, StoredEvent, Team
from services.domain.connectors import chatwoot, freshdesk, zendesk
from services.domain.connectors.facts import HELPDESK_NAMES, Fact, FactKind, HelpdeskAgent, Reading, Status, Unreadable
from services.domain.connectors.setup import checked_base_url, ticket_url
from services.domain.connectors.signatures import (
    Refused,
    check_chatwoot,
    check_shared_secret_digest,
    check_zendesk,
    secret_digest,
)
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.i18n import N_, _
from services.domain.inbox import SLA_RESOLUTION_TARGETS
from services.domain.projection import MERGED_COUNTERS
from services.domain.text import checked_text
from services.helpdesk.inbox import InboxService
from services.platform.accounts import checked_password, checked_username
from services.platform.auth import AuthService
from services.platform.clock import Clock
from services.platform.coalesce import Coalescer
from services.platform.directory import AgentView, Directory
from services.platform.event_log import CHUNK, AlreadyRecorded, GameService, UnitOfWork
from services.platform.rows import insert_rows, select_column, select_models
from services.platform.tasks import start_task

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # 1 MiB: larger deliveries are refused (413) before they are read
KINDS = ('chatwoot', 'zendesk', 'freshdesk')
# the headers a delivery is checked and replayed with (lower case, as stored)
KEPT_HEADERS = ('x-chatwoot-signature', 'x-chatwoot-timestamp', 'x-chatwoot-delivery', 'x-zendesk-webhook-signature',
                'x-zendesk-webhook-signature-timestamp', 'x-zendesk-webhook-invocation-id', 'content-type')
RECENT_DELIVERIES = 50
REFUSED = 'x-deskquest-refused'  # kept with a delivery whose secret did not match (it cannot be replayed)
NO_PASSWORD = '!'  # not an Argon2 hash: an agent made for a helpdesk identity cannot log in until invited
# within one delivery: the conversation first, then what was written, then who has it, then its status, then ratings
FACT_ORDER = {FactKind.OPENED: 0, FactKind.CUSTOMER_WROTE: 1, FactKind.REPLIED: 2, FactKind.NOTE: 2,
              FactKind.ASSIGNED: 3, FactKind.STATUS: 4, FactKind.RATED: 5}
KEY_DERIVATION_SALT = b'deskquest connection secrets'
# Freshdesk sends no delivery id and times nothing: a delivery whose body is byte for byte one already taken for that
# ticket within this window is its retry (Freshdesk retries a failed call 5, 35 and 95 minutes after it). The cost: the
# very same event twice on a ticket within it (one agent replying twice with nothing else changed) counts once.
FRESHDESK_RETRY_WINDOW = timedelta(hours=2)
GROUP_LIMIT = 200  # deliveries committed together at most: a group's transaction stays short
Answer = tuple[int, str]
# a conversation and a delivery made in a group commit, as their rows are inserted (plain values: see _NewDelivery)
CONVERSATION_COLUMNS = ('id', 'customer_id', 'channel', 'subject', 'status', 'priority', 'created_at', 'waiting_since',
                        'sla_due_at', 'inbound_count', 'connection_id', 'external_id', 'assignee_id',
                        'first_response_at', 'resolved_at', 'rating', 'rating_comment')
DELIVERY_COLUMNS = ('id', 'connection_id', 'delivery_id', 'received_at', 'event', 'status', 'reason', 'body', 'headers',
                    'ticket', 'applied_at')


@dataclass(frozen=True, kw_only=True, slots=True)
class ConnectionView:
    id: int
    kind: str
    helpdesk: str  # 'Chatwoot'
    name: str
    url_path: str  # '/webhooks/<token>'
    signed: bool
    active: bool
    created_at: datetime
    base_url: str = ''  # the helpdesk's address, for links to its tickets ('' unknown)


@dataclass(frozen=True, kw_only=True, slots=True)
class NewConnection:
    """A connection just made, with its secret: shown once, never readable again."""
    connection: ConnectionView
    secret: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryView:
    id: int
    connection_id: int
    received_at: datetime
    event: str
    status: str  # received | applied | duplicate | ignored | failed | waiting
    reason: str
    ticket: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HelpdeskAgentView:
    """An agent a helpdesk named who has no DeskQuest login yet (made for them, so nothing they earn is lost)."""
    agent_id: int
    name: str
    email: str
    helpdesk: str  # 'Chatwoot (Support EU)'
    external_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ExternalFactView:
    at: datetime
    what: str  # 'Resolved by Ana Ozola'


@dataclass(frozen=True, kw_only=True, slots=True)
class ExternalConversationView:
    """What DeskQuest knows of a connected helpdesk's conversation (it is worked there, not in the inbox)."""
    conversation_id: int
    helpdesk: str  # 'Chatwoot'
    connection_name: str
    ticket: str  # the helpdesk's own id
    subject: str
    customer: str
    channel: str
    status: str
    facts: tuple[ExternalFactView, ...]  # oldest first
    url: str | None  # the ticket in the helpdesk, when the connection knows its address


FACT_WORDS = {'conversation_created': 'Conversation created', 'customer_message': 'The customer wrote',
              'replied': 'Replied', 'note_added': 'Private note', 'assigned': 'Assigned', 'resolved': 'Resolved',
              'reopened': 'Reopened', 'rated': 'Rated', 'rating_invalidated': 'Rating replaced'}
MAX_FACTS_SHOWN = 200


@dataclass(frozen=True, kw_only=True, slots=True)
class TeamHelpdeskView:
    team_id: int
    name: str
    external: bool  # works in another helpdesk: its agents see no inbox here


class ConnectionService:
    """Connections, their deliveries and the agents the helpdesks name."""

    def __init__(self, *, clock: Clock, game: GameService, inbox: InboxService, directory: Directory,
                 auth: AuthService, key: str, wall: Clock, group_commit: bool = True) -> None:
        """:param key: the server-side secret the signing secrets are encrypted with (the storage secret); it is not
            in the database. With another key, stored secrets cannot be read: the lead re-enters them.
        :param wall: the clock signatures' timestamps are checked against: the wall clock the helpdesk signs by, even
            when the app runs the demo's accelerated clock (tests pass their manual clock).
        :param group_commit: concurrent deliveries share one commit (False: one transaction each, for comparison)."""
        self.clock = clock
        self.wall = wall
        self.game = game
        self.inbox = inbox
        self.directory = directory
        self.auth = auth
        self.group_commit = group_commit
        self._group: list[_Job] = []
        self._flusher: asyncio.Task | None = None
        self._by_token: dict[str, Connection] = {}  # active connections met so far (a lead's change forgets one)
        # helpdesk agents met so far, (connection, their id) -> (DeskQuest agent, e-mail known): learnt after a commit,
        # forgotten whole when identities move (a merge)
        self._identities: dict[tuple[int, str], tuple[int, bool]] = {}
        self._secrets: dict[str, str] = {}  # encrypted signing secret -> the secret (not read from disk in clear)
        if not key:
            log.warning('no storage secret: connection secrets are readable by this process only')
            key = secrets.token_urlsafe(32)
        self._fernet = secret_cipher(key)
        self.changed: Event[None] = Event()  # deliveries, connections or agents changed (a burst: once a second)
        self._announce = Coalescer(lambda: self.changed.emit(None), delay=0.0, interval=1.0)

    # --- what a lead does ---

    async def create(self, actor: AgentView, kind: str, name: str, *, secret: str | None = None,
                     signed: bool = True) -> NewConnection:
        """Connect a helpdesk account: a new webhook URL and secret (the lead's own, or a random one), shown once."""
        _check_lead(actor)
        return await self.connect(kind, name, secret=secret, signed=signed, by=actor.id)

    async def connect(self, kind: str, name: str, *, secret: str | None = None, signed: bool = True,
                      by: int | None = None) -> NewConnection:
        """:meth:`create` for the command line (``python main.py connect``), which has no logged-in lead."""
        if kind not in KINDS:
            raise ActionError(_('The helpdesk must be one of {kinds}, not {kind}.').format(
                kinds=', '.join(KINDS), kind=repr(str(kind)[:20])))
        name = checked_text(name, N_('Connection name'), 80, name=True,
                            empty=_('Name the connection (e.g. "Support EU").'))
        if secret is not None and secret.strip():
            secret = checked_text(secret, N_('Secret'), 200)
            if len(secret) < 16:
                raise ActionError(_('A secret of your own must be at least 16 characters long.'))
        else:
            secret = secrets.token_urlsafe(32)
        if not signed and kind != 'chatwoot':
            raise ActionError(_('Only old Chatwoot installs send unsigned deliveries.'))
        row = Connection(kind=kind, name=name, token=secrets.token_urlsafe(24), signed=signed, created_by_id=by,
                         created_at=self.clock.now(),
                         secret_encrypted='' if kind == 'freshdesk' else self._encrypt(secret),
                         secret_hash=secret_digest(secret) if kind == 'freshdesk' else '')
        if by is None:  # the command line, beside a server that may be running: the log is that server's to write
            await row.save()  # (its single writer hands out the event ids), as `admin create` leaves it alone too
            return NewConnection(connection=_view(row), secret=secret)
        async with self.game.unit_of_work() as work:
            await row.save()
            await work.record(EventKind.CONNECTION_CREATED, agent_id=by,
                              data={'id': row.id, 'kind': kind, 'name': name, 'signed': signed, 'by': by})
            work.after_commit(self._announce.poke)
        return NewConnection(connection=_view(row), secret=secret)

    async def set_secret(self, actor: AgentView, connection_id: int, secret: str) -> None:
        """Re-enter a connection's secret (after the server's key changed, or to rotate it in the helpdesk too)."""
        _check_lead(actor)
        secret = checked_text(secret, N_('Secret'), 200, empty=_('Paste the secret the helpdesk signs with.'))
        if len(secret) < 16:
            raise ActionError(_('The secret must be at least 16 characters long.'))
        connection = await self._get(connection_id)
        self._by_token.pop(connection.token, None)
        if connection.kind == 'freshdesk':
            connection.secret_hash = secret_digest(secret)
        else:
            connection.secret_encrypted = self._encrypt(secret)
        async with self.game.unit_of_work() as work:
            await connection.save(update_fields=['secret_hash', 'secret_encrypted'])
            await work.record(EventKind.CONNECTION_CHANGED, agent_id=actor.id,
                              data={'id': connection.id, 'change': 'secret', 'by': actor.id})

    async def set_base_url(self, actor: AgentView, connection_id: int, base_url: str) -> None:
        """The helpdesk's address, so what DeskQuest shows of a ticket links to it ('' forgets it)."""
        _check_lead(actor)
        connection = await self._get(connection_id)
        base_url = checked_base_url(connection.kind, base_url)
        self._by_token.pop(connection.token, None)
        async with self.game.unit_of_work() as work:
            connection.base_url = base_url
            await connection.save(update_fields=['base_url'])
            await work.record(EventKind.CONNECTION_CHANGED, agent_id=actor.id,
                              data={'id': connection.id, 'change': 'base_url', 'base_url': base_url, 'by': actor.id})
            work.after_commit(self._announce.poke)

    async def external_conversation(self, conversation_id: int) -> ExternalConversationView | None:
        """A connected helpdesk's conversation as DeskQuest knows it: its helpdesk, ticket and the facts received;
        None for a conversation of DeskQuest's own inbox (or none at all)."""
        conversation = await Conversation.get_or_none(id=conversation_id, connection_id__not_isnull=True) \
            .prefetch_related('connection', 'customer')
        if conversation is None:
            return None
        connection = conversation.connection
        events = await StoredEvent.filter(conversation_id=conversation_id).order_by('occurred_at', 'id') \
            .limit(MAX_FACTS_SHOWN)
        names = dict(await Agent.filter(id__in={e.agent_id for e in events if e.agent_id is not None})
                     .values_list('id', 'display_name'))
        return ExternalConversationView(
            conversation_id=conversation.id, helpdesk=HELPDESK_NAMES[connection.kind],
            connection_name=connection.name, ticket=conversation.external_id or '', subject=conversation.subject,
            customer=conversation.customer.name, channel=conversation.channel, status=conversation.status,
            facts=tuple(ExternalFactView(at=event.occurred_at, what=_fact_words(event, names.get(event.agent_id)))
                        for event in events if event.kind in FACT_WORDS),
            url=ticket_url(connection.kind, connection.base_url, conversation.external_id or ''))

    async def deactivate(self, actor: AgentView, connection_id: int) -> None:
        """Stop accepting the connection's deliveries (they are answered 404); what it brought stays."""
        _check_lead(actor)
        connection = await self._get(connection_id)
        if not connection.active:
            raise ActionError(_('{name} is already switched off.').format(name=connection.name))
        self._by_token.pop(connection.token, None)
        async with self.game.unit_of_work() as work:
            connection.active = False
            await connection.save(update_fields=['active'])
            await work.record(EventKind.CONNECTION_CHANGED, agent_id=actor.id,
                              data={'id': connection.id, 'change': 'deactivated', 'by': actor.id})
            work.after_commit(self._announce.poke)

    async def connections(self, actor: AgentView) -> list[ConnectionView]:
        _check_lead(actor)
        return await self.all_connections()

    async def refresh(self, events: list[GameEvent]) -> None:
        """Other processes' events (PostgreSQL): forget the connections a lead changed there (deactivated, a new
        secret), so the next delivery reads them as they are now, and the helpdesk identities after agents were merged
        or invited there, so deliveries credit the agent they are linked to now."""
        changed = {event.data.get('id') for event in events if event.kind == EventKind.CONNECTION_CHANGED}
        if changed:
            self._by_token = {token: c for token, c in self._by_token.items() if c.id not in changed}
        if any(event.kind in (EventKind.AGENT_MERGED, EventKind.HELPDESK_AGENT_INVITED) for event in events):
            self._identities.clear()

    async def all_connections(self) -> list[ConnectionView]:
        """Every connection, newest first (``python main.py connect --list``)."""
        return [_view(connection) for connection in await Connection.all().order_by('-id')]

    async def deliveries(self, actor: AgentView, connection_id: int) -> list[DeliveryView]:
        """The connection's latest deliveries, newest first."""
        _check_lead(actor)
        rows = await Delivery.filter(connection_id=connection_id).order_by('-id').limit(RECENT_DELIVERIES)
        return [DeliveryView(id=row.id, connection_id=row.connection_id, received_at=row.received_at,
                             event=row.event, status=row.status, reason=row.reason, ticket=row.ticket) for row in rows]

    async def replay(self, actor: AgentView, delivery_id: int) -> tuple[int, str]:
        """Run a failed delivery again from its stored body (once its cause is fixed: a secret re-entered, …); its
        signature is checked as of when it arrived. Returns the answer it gets now."""
        _check_lead(actor)
        delivery = await Delivery.get_or_none(id=delivery_id).prefetch_related('connection')
        if delivery is None:
            raise ActionError(_('That delivery does not exist.'))
        if delivery.status != 'failed':
            raise ActionError(_('Delivery {number} is {status}: only a failed one is replayed.').format(
                number=delivery.id, status=delivery.status))
        if not delivery.body:
            raise ActionError(_('Delivery {number} was refused before it was read: there is nothing to replay.').format(
                number=delivery.id))
        if delivery.headers.get(REFUSED):
            raise ActionError(_('Delivery {number} came without the right secret, which DeskQuest does not keep: '
                                'fix the Freshdesk rule and let it send again.').format(number=delivery.id))
        # checked as of its arrival by the wall clock (the app's clock may run ahead of it in the demo)
        arrived = delivery.received_at + (self.wall.now() - self.clock.now())
        return await self._run(delivery.connection, bytes(delivery.body), dict(delivery.headers),
                               received=delivery.received_at, arrived=arrived, existing=delivery)

    async def unlinked_agents(self, actor: AgentView) -> list[HelpdeskAgentView]:
        """The agents made for helpdesk identities who cannot log in yet, for the lead to invite."""
        _check_lead(actor)
        identities = await HelpdeskIdentity.filter(created_agent=True, agent__password_hash=NO_PASSWORD) \
            .prefetch_related('connection', 'agent').order_by('id')
        return [HelpdeskAgentView(agent_id=identity.agent_id, name=identity.agent.display_name,
                                  email=identity.email or '', external_id=identity.external_id,
                                  helpdesk=f'{HELPDESK_NAMES[identity.connection.kind]} ({identity.connection.name})')
                for identity in identities]

    async def invite(self, actor: AgentView, agent_id: int, username: str, password: str) -> None:
        """Give an agent made for a helpdesk identity a login (a username and a first password to hand over)."""
        _check_lead(actor)
        name = checked_username(username)
        checked_password(password)
        agent = await Agent.get_or_none(id=agent_id)
        if agent is None or agent.password_hash != NO_PASSWORD or \
                not await HelpdeskIdentity.exists(agent_id=agent_id, created_agent=True):
            raise ActionError(_('That agent already has a login, or was not made for a helpdesk.'))
        if name != agent.username and await Agent.exists(username=name):
            raise ActionError(_('The username {name} is taken.').format(name=repr(name)))
        password_hash = await self.auth.hash(password)
        async with self.game.unit_of_work() as work:
            agent.username = name
            agent.password_hash = password_hash
            await agent.save(update_fields=['username', 'password_hash'])
            await work.record(EventKind.HELPDESK_AGENT_INVITED, agent_id=actor.id,
                              data={'id': agent.id, 'username': name, 'by': actor.id})
            work.after_commit(lambda: self._remember(agent))

    async def merge(self, actor: AgentView, agent_id: int, into_agent_id: int) -> None:
        """Merge an agent made for a helpdesk identity (no login yet) into an existing agent: an ``agent_merged``
        event moves their points (as new ledger entries) and counts; their identities now point at that agent, and
        the merged one leaves the floor. The log is not edited: the earlier events stay the merged agent's (so a
        reopen of a conversation they resolved takes its points back from them)."""
        _check_lead(actor)
        source = await Agent.get_or_none(id=agent_id)
        target = self.directory.agent(into_agent_id)
        if source is None or source.password_hash != NO_PASSWORD or not source.active or \
                not await HelpdeskIdentity.exists(agent_id=agent_id, created_agent=True):
            raise ActionError(_('Only an agent a helpdesk named, who has no login yet, can be merged.'))
        if target is None or target.id == agent_id or target.role != 'agent':
            raise ActionError(_('Merge into another active agent.'))
        async with self.game.unit_of_work() as work:
            await self._merge_in(work, source, target, by=actor.id)

    async def _merge_in(self, work: UnitOfWork, source: Agent, target: AgentView, *, by: int | None) -> None:
        """In ``work``: the ``agent_merged`` event moving ``source``'s points and counts to ``target``, their
        identities pointed at ``target``, ``source`` off the floor (``by`` None: DeskQuest relinked them itself)."""
        agent_id = source.id
        metrics = self.game.projection.agents.get(agent_id)
        snapshot = metrics.as_dict() if metrics is not None else {}
        await work.record(EventKind.AGENT_MERGED, agent_id=target.id, key=f'agent_merged:{agent_id}', data={
            'from_agent_id': agent_id, 'from_name': source.display_name, 'into_name': target.name,
            'points': {domain: snapshot.get(domain, 0) for domain in ('quality', 'speed', 'productivity')},
            'counters': {name: snapshot.get(name, 0) for name in MERGED_COUNTERS}, 'by': by})
        await HelpdeskIdentity.filter(agent_id=agent_id).update(agent_id=target.id, created_agent=False)
        self._identities.clear()  # now, for the deliveries after it in a group, and again once it has committed
        work.after_commit(self._identities.clear)
        source.active = False
        await source.save(update_fields=['active'])
        work.after_commit(lambda: (self.directory.agents.pop(agent_id, None), self._announce.poke()))

    async def team_helpdesks(self, actor: AgentView) -> list[TeamHelpdeskView]:
        """Every team, by name, and whether it works in another helpdesk."""
        _check_lead(actor)
        return [TeamHelpdeskView(team_id=team.id, name=team.name, external=team.external_helpdesk)
                for team in await Team.all().order_by('name')]

    async def set_team_external(self, actor: AgentView, team_id: int, external: bool) -> None:
        """Mark a team as working in another helpdesk (its agents then see the game without an inbox, and their inbox
        actions are refused), or back in DeskQuest's own inbox."""
        if not actor.is_lead:
            raise ActionError(_('Only a lead can say where a team works.'))
        team = await Team.get_or_none(id=team_id)
        if team is None:
            raise ActionError(_('That team does not exist.'))
        if team.external_helpdesk == external:
            raise ActionError((_('{team} already works in another helpdesk.') if external else
                               _("{team} already works in DeskQuest's inbox.")).format(team=team.name))
        async with self.game.unit_of_work() as work:
            team.external_helpdesk = external
            await team.save(update_fields=['external_helpdesk'])
            await work.record(EventKind.TEAM_HELPDESK_CHANGED, agent_id=actor.id,
                              data={'team_id': team.id, 'name': team.name, 'external': external, 'by': actor.id})
            work.after_commit(lambda: (self.directory.external_teams.add(team.id) if external else
                                       self.directory.external_teams.discard(team.id), self._announce.poke()))

    # --- what a helpdesk does ---

    async def receive(self, token: str, headers: Mapping[str, str], body: bytes) -> tuple[int, str]:
        """One webhook delivery: stored, checked, applied; returns the HTTP status and a message saying why.

        401 a missing, wrong or stale signature; 400 a body that is not JSON or not what the helpdesk sends; 413 a
        body over 1 MiB; 404 no active connection has this URL; 200 otherwise, after the commit (applied, a duplicate,
        ignored with the reason, or waiting for the conversation's missing facts).
        """
        connection = self._by_token.get(token) or (await Connection.get_or_none(token=token[:64], active=True)
                                                   if token else None)
        if connection is None:
            return 404, 'No active DeskQuest connection has this URL.'
        self._by_token[connection.token] = connection
        headers = {name.lower(): value for name, value in headers.items()}
        kept = {name: headers[name][:200] for name in KEPT_HEADERS if name in headers}
        if len(body) > MAX_BODY:
            await self._store_failed(connection, kept, b'', received=self.clock.now(),
                                     reason=f'The body is larger than 1 MiB ({len(body)} bytes or more): refused '
                                            'unread.', event='', delivery_id=None)
            return 413, 'The body is larger than 1 MiB.'
        if connection.kind == 'freshdesk':  # its secret is checked here: it is not kept with the delivery
            try:
                check_shared_secret_digest(connection.secret_hash, authorization=headers.get('authorization'),
                                           header=headers.get('x-deskquest-secret'))
            except Refused as refused:
                await self._store_failed(connection, kept | {REFUSED: '1'}, body, received=self.clock.now(),
                                         reason=str(refused), event='', delivery_id=None)
                return refused.status, str(refused)
        return await self._run(connection, body, kept, received=self.clock.now(), arrived=self.wall.now())

    async def _run(self, connection: Connection, body: bytes, headers: dict[str, str], *, received: datetime,
                   arrived: datetime, existing: Delivery | None = None) -> tuple[int, str]:
        """``received``: when it arrived by the app's clock (what it is timed by); ``arrived``: by the wall clock
        (what its signature's age is checked against)."""
        delivery_id = (headers.get('x-chatwoot-delivery') or headers.get('x-zendesk-webhook-invocation-id') or '') \
            .strip()[:100] or None
        try:
            self._check(connection, body, headers, arrived)
        except Refused as refused:
            await self._store_failed(connection, headers, body, received=received, reason=str(refused), event='',
                                     delivery_id=delivery_id, existing=existing)
            return refused.status, str(refused)
        except InvalidToken:
            reason = ('This connection\'s secret cannot be read with the server\'s key (was the storage secret '
                      'changed?): re-enter the secret on /admin/integrations, then replay.')
            await self._store_failed(connection, headers, body, received=received, reason=reason, event='',
                                     delivery_id=delivery_id, existing=existing)
            return 500, reason
        try:
            reading = read(connection.kind, decoded(body), received=received)
        except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
            reason = str(error) if isinstance(error, Unreadable) else f'The body is not JSON: {str(error)[:200]}.'
            await self._store_failed(connection, headers, body, received=received, reason=reason, event='',
                                     delivery_id=delivery_id, existing=existing)
            return 400, reason
        ticket = reading.facts[0].ticket if reading.facts else ''

        async def apply(work: UnitOfWork, group: _Group | None) -> tuple[int, str]:
            delivery = existing
            if delivery is None and delivery_id is not None:
                seen = group.delivery(connection.id, delivery_id) if group is not None else \
                    await Delivery.get_or_none(connection_id=connection.id, delivery_id=delivery_id)
                if seen is not None and seen.status != 'failed':
                    return 200, f'Delivery {delivery_id} was already received ({seen.status}).'
                delivery = seen  # a retry of one that failed: run again in its row
            if delivery is None and connection.kind == 'freshdesk' and ticket:
                retried = await _freshdesk_retry_of(connection.id, ticket, body, received, group=group)
                if retried is not None:
                    return 200, f'A retry of delivery {retried.id} (the same body within ' \
                                f'{FRESHDESK_RETRY_WINDOW.seconds // 3600} hours): already received ({retried.status}).'
            if delivery is None:
                values = {'connection_id': connection.id, 'delivery_id': delivery_id, 'body': body, 'headers': headers,
                          'received_at': received}  # in a group: inserted with its others, just before its commit
                delivery = group.make_delivery(**values) if group is not None else Delivery(**values)
            delivery.event = reading.event[:80]
            delivery.ticket = ticket
            delivery.status, delivery.reason = await self._apply(work, connection, reading, group)
            delivery.applied_at = self.clock.now()
            await (_save(delivery) if group is not None else delivery.save())
            if group is not None and delivery.status == 'waiting':  # applied when its conversation is known
                group.waiting.setdefault((connection.id, ticket), []).append(delivery)
            if delivery.status == 'applied' and delivery.ticket:
                await self._apply_waiting(work, connection, delivery.ticket, but=delivery, group=group)
            work.after_commit(self._announce.poke)
            return 200, f'{delivery.status}: {delivery.reason}' if delivery.reason else delivery.status

        try:
            answer = await self._commit(_Job(connection=connection, delivery_id=delivery_id, reading=reading,
                                             apply=apply))
        except AlreadyRecorded:  # met in a group: the same fact as another delivery of it
            return 200, 'duplicate: every fact in it was already applied.'
        except Exception as error:  # noqa: BLE001 - a bug or a database error: kept as failed, replayable
            log.exception('delivery to connection %s failed', connection.id)
            reason = str(error)[:300] if isinstance(error, ActionError) else \
                f'DeskQuest could not apply it ({type(error).__name__}); replay it once the cause is fixed.'
            await self._store_failed(connection, headers, body, received=received, reason=reason,
                                     event=reading.event, delivery_id=delivery_id, existing=existing)
            return 500, reason
        if answer is None:  # the unit of work met an event already recorded and rolled back: nothing changed
            return 200, 'duplicate: every fact in it was already applied.'
        return answer

    async def _commit(self, job: '_Job') -> Answer | None:
        """Run ``job`` in a unit of work and return its answer once that has committed (None: it was rolled back as
        a repeat). With group commit, the jobs waiting while a commit is under way share the next one: one
        transaction, one fsync for all, their reads made together and their rows inserted together (see
        :class:`_Group`)."""
        if not self.group_commit:
            committed: list[bool] = []
            answers: list[Answer] = []
            async with self.game.unit_of_work() as work:
                answers.append(await job.apply(work, None))
                work.after_commit(lambda: committed.append(True))
            return answers[0] if committed else None
        self._group.append(job)
        if self._flusher is None or self._flusher.done():
            self._flusher = start_task(self._flush_groups(), name='webhook group commit')
        return await job.future

    async def _flush_groups(self) -> None:
        while self._group:
            jobs, self._group = self._group[:GROUP_LIMIT], self._group[GROUP_LIMIT:]
            # first all in one transaction; if one fails, that rolled back whole: then each in its own savepoint
            if not await self._commit_group(jobs, savepoints=False):
                await self._commit_group(jobs, savepoints=True)

    async def _commit_group(self, jobs: list['_Job'], *, savepoints: bool) -> bool:
        """Run the jobs in one transaction and answer them after its commit; False (nothing answered, nothing kept)
        when, without savepoints, one of them failed. Without savepoints the group reads what its jobs look up in
        a few queries and inserts their new rows in bulk; with savepoints (the rare pass after a failure) each job
        reads and writes for itself, as alone, so one undone job leaves nothing behind in what the others see."""
        answers: list[tuple[asyncio.Future, Answer]] = []
        errors: list[tuple[asyncio.Future, BaseException]] = []
        committed: list[bool] = []
        try:
            async with self.game.batch() as batch:
                if not savepoints:
                    group = await _Group.read(jobs)
                    for job in jobs:
                        answers.append((job.future, await job.apply(batch, group)))
                    await group.insert()
                else:
                    for job in jobs:
                        try:
                            async with self.game.unit_of_work() as work:  # a savepoint of the batch
                                answers.append((job.future, await job.apply(work, None)))
                        except Exception as error:  # noqa: BLE001 - this job's failure, undone alone
                            errors.append((job.future, error))
                batch.after_commit(partial(committed.append, True))
        except Exception as error:  # noqa: BLE001 - a job (or the commit) failed: nothing of the group was kept
            if not savepoints:
                return False
            errors = [(job.future, error) for job in jobs]
            answers = []
        for future, answer in answers:
            if not future.done():
                future.set_result(answer if committed else None)
        for future, error in errors:
            if not future.done():
                future.set_exception(error)
        return True

    def _check(self, connection: Connection, body: bytes, headers: Mapping[str, str], received: datetime) -> None:
        if connection.kind == 'freshdesk':
            return  # checked as it arrived (:meth:`receive`), as its secret is not kept
        if connection.kind == 'zendesk':
            check_zendesk(self._decrypt(connection), body, signature=headers.get('x-zendesk-webhook-signature'),
                          timestamp=headers.get('x-zendesk-webhook-signature-timestamp'), now=received)
        elif connection.signed or headers.get('x-chatwoot-signature'):  # a signature sent is checked anyway
            check_chatwoot(self._decrypt(connection), body, signature=headers.get('x-chatwoot-signature'),
                           timestamp=headers.get('x-chatwoot-timestamp'), now=received)

    async def _apply(self, work: UnitOfWork, connection: Connection, reading: Reading,
                     group: '_Group | None' = None) -> tuple[str, str]:
        """Apply a reading's facts; the delivery's status and reason."""
        results = []
        if reading.facts:  # every fact of a delivery is about one conversation: looked up once, with its keys
            keys = [_event_key(connection.id, fact) for fact in reading.facts]
            if group is not None:
                conversation = await group.conversation(connection.id, reading.facts[0].ticket)
                stored = group.stored_keys.intersection(keys)
            else:
                conversation = await Conversation.get_or_none(connection_id=connection.id,
                                                              external_id=reading.facts[0].ticket)
                # a conversation not seen yet has nothing in the log (its first fact would have made it)
                stored = set(await StoredEvent.filter(key__in=keys).values_list('key', flat=True)) if conversation \
                    else set()
            scope = _Scope(conversation=conversation, stored_keys=stored, group=group,
                           fresh=group is not None and conversation is not None and conversation.id in group.made)
            results = [await self._apply_fact(work, connection, fact, scope)
                       for fact in sorted(reading.facts, key=lambda fact: FACT_ORDER[fact.kind])]
        if 'waiting' in results:
            return 'waiting', 'The conversation is not resolved yet: the rating is applied once it is.'
        if 'applied' in results:
            return 'applied', reading.ignored or ''
        if reading.ignored:
            return 'ignored', reading.ignored
        return 'duplicate', 'Every fact in it was already applied.'

    async def _apply_waiting(self, work: UnitOfWork, connection: Connection, ticket: str, *,
                             but: 'Delivery | _NewDelivery', group: '_Group | None' = None) -> None:
        """Deliveries kept waiting for this conversation: applied now that more of it is known."""
        if group is not None:
            waiting = [d for d in group.waiting.get((connection.id, ticket), ()) if d is not but and
                       d.status == 'waiting']
        else:
            waiting = await Delivery.filter(connection_id=connection.id, ticket=ticket, status='waiting') \
                .exclude(id=but.id).order_by('id')
        for delivery in waiting:
            reading = read(connection.kind, decoded(bytes(delivery.body)), received=delivery.received_at)
            delivery.status, delivery.reason = await self._apply(work, connection, reading, group)
            delivery.applied_at = self.clock.now()
            await _save(delivery, 'status', 'reason', 'applied_at')

    async def _apply_fact(self, work: UnitOfWork, connection: Connection, fact: Fact, scope: '_Scope') -> str:
        """'applied', 'same' (nothing to change: seen before, or older than what is applied) or 'waiting'."""
        key = _event_key(connection.id, fact)
        label = f'{HELPDESK_NAMES[connection.kind]} #{fact.ticket}'
        at = work.moment(fact.at)
        conversation = scope.conversation
        if fact.kind == FactKind.OPENED:
            if conversation is not None:
                return 'same'
            name = _shown(fact.customer, 160) or f'{HELPDESK_NAMES[connection.kind]} customer'
            values = {'channel': fact.channel.value if fact.channel else 'email', 'subject': _shown(fact.subject, 200),
                      'status': 'new', 'priority': 'normal', 'created_at': at, 'waiting_since': at,
                      'sla_due_at': at + SLA_RESOLUTION_TARGETS['normal'], 'inbound_count': 0,
                      'connection_id': connection.id, 'external_id': fact.ticket}
            if scope.group is not None:  # inserted with the group's others, just before its commit
                customer_id = scope.group.make_customer(name)
                conversation = scope.group.make_conversation(customer_id=customer_id, **values)
            else:
                customer_id = (await Customer.create(name=name)).id
                conversation = await Conversation.create(customer_id=customer_id, **values)
            scope.conversation, scope.fresh = conversation, True
            await work.record(EventKind.CONVERSATION_CREATED, conversation_id=conversation.id, key=key, at=at,
                              data={'channel': conversation.channel, 'priority': 'normal', 'customer_id': customer_id,
                                    'helpdesk': connection.kind, 'ticket': label})
            return 'applied'
        if conversation is None:
            return 'waiting'
        if key in scope.stored_keys or work.recorded(key):  # this very fact was applied (a state fact too: its key
            return 'same'  # carries its time)
        if fact.kind == FactKind.CUSTOMER_WROTE:
            conversation.inbound_count += 1
            await work.record(EventKind.CUSTOMER_MESSAGE, conversation_id=conversation.id, key=key, at=at,
                              agent_id=conversation.assignee_id, data={'length': fact.length})
            if conversation.status == 'resolved' and conversation.resolved_at is not None and \
                    at > conversation.resolved_at:  # the customer wrote after the resolution: reopened, as here
                await self.inbox.reopen_in(work, conversation, reason='customer wrote again', key=f'{key}:reopen',
                                           at=at, ticket=label)
            elif conversation.status != 'resolved':
                conversation.waiting_since = conversation.waiting_since or at
            await _save(conversation)
            return 'applied'
        if fact.kind in (FactKind.REPLIED, FactKind.NOTE):
            agent_id = await self._agent(work, connection, fact.agent)
            if fact.kind == FactKind.NOTE:
                await work.record(EventKind.NOTE_ADDED, agent_id=agent_id, conversation_id=conversation.id, key=key,
                                  at=at, data={'length': fact.length})
                return 'applied'
            data = {'length': fact.length, 'canned': None, 'channel': conversation.channel}
            if conversation.first_response_at is None:  # the first reply: its reaction time
                data['first_response_seconds'] = max(0, round((at - conversation.created_at).total_seconds()))
                conversation.first_response_at = at
            if conversation.status != 'resolved':
                conversation.waiting_since = None
                conversation.status = 'pending'
            await _save(conversation)
            await work.record(EventKind.REPLIED, agent_id=agent_id, conversation_id=conversation.id, key=key, at=at,
                              data=data)
            return 'applied'
        if fact.kind == FactKind.ASSIGNED:
            if fact.agent is None and conversation.assignee_id is None:
                return 'same'
            latest = await _latest(work, conversation.id, EventKind.ASSIGNED, stored=not scope.fresh)
            if latest is not None and at < latest.occurred_at:
                return 'same'  # an older assignment than the one applied
            agent_id = await self._agent(work, connection, fact.agent) if fact.agent is not None else None
            if agent_id == conversation.assignee_id:
                return 'same'
            conversation.assignee_id = agent_id
            if conversation.status == 'new' and agent_id is not None:
                conversation.status = 'open'
            await _save(conversation)
            await work.record(EventKind.ASSIGNED, agent_id=agent_id, conversation_id=conversation.id, key=key, at=at,
                              data={'channel': conversation.channel, 'by': 'helpdesk'})
            return 'applied'
        if fact.kind == FactKind.STATUS:
            return await self._apply_status(work, conversation, fact, key=key, at=at, label=label, scope=scope)
        return await self._apply_rating(work, conversation, fact, key=key, at=at, label=label)

    async def _apply_status(self, work: UnitOfWork, conversation: 'Conversation | _NewConversation', fact: Fact, *,
                            key: str, at: datetime, label: str, scope: '_Scope') -> str:
        latest = await _latest(work, conversation.id, EventKind.RESOLVED, EventKind.REOPENED, stored=not scope.fresh)
        if latest is not None and at < latest.occurred_at:
            return 'same'  # older than the last resolution or reopen applied
        if fact.status == Status.RESOLVED:
            if conversation.status == 'resolved':
                return 'same'
            if scope.group is not None:  # the inbox saves what it resolves: a conversation made in this group, now
                conversation = scope.conversation = await scope.group.insert_now(conversation)
            conversation.inbound_count = max(1, conversation.inbound_count)  # the customer wrote in at least once
            await self.inbox.resolve_in(work, conversation, key=key, by='helpdesk', at=at, ticket=label)
            return 'applied'
        reopened = conversation.status == 'resolved'
        if reopened:
            await self.inbox.reopen_in(work, conversation, reason='reopened in the helpdesk', key=key, at=at,
                                       ticket=label)
        wanted = 'pending' if fact.status == Status.PENDING else 'open' if conversation.assignee_id else 'new'
        if conversation.status == wanted and not reopened:
            return 'same'
        conversation.status = wanted
        await _save(conversation)
        return 'applied'

    async def _apply_rating(self, work: UnitOfWork, conversation: Conversation, fact: Fact, *, key: str,
                            at: datetime, label: str) -> str:
        """A customer's rating of the latest resolution; a newer one replaces it (its points taken back)."""
        resolution = await _latest(work, conversation.id, EventKind.RESOLVED)
        if conversation.status != 'resolved' or resolution is None or fact.rating is None:
            return 'waiting'
        current = await _latest(work, conversation.id, EventKind.RATED)
        if current is not None and current.id < resolution.id:
            current = None  # a rating of an earlier resolution
        if current is not None and current.occurred_at > at:
            return 'same'  # an older answer than the rating in force
        data = {'rating': fact.rating.value, 'comment': _shown(fact.comment, 500), 'channel': conversation.channel,
                'ticket': label, 'score': fact.score}
        if current is not None:
            data['replaces'] = current.data['rating']
            if not await _seen(work, f'rating_invalidated:{current.id}'):  # not already disputed away
                await work.record(
                    EventKind.RATING_INVALIDATED, agent_id=current.agent_id, conversation_id=conversation.id,
                    key=f'rating_invalidated:{current.id}', at=at,
                    data={'rated_event_id': current.id, 'rating': current.data['rating'], 'replaced': True,
                          'reason': 'the customer rated again', 'by': None,
                          'awards': await _awards(work, current.id)})
        conversation.rating = fact.rating.value
        conversation.rating_comment = data['comment'] or None
        await _save(conversation)
        await work.record(EventKind.RATED, agent_id=await _merged_into(resolution.agent_id),
                          conversation_id=conversation.id, key=key, at=at, data=data)
        return 'applied'

    async def _agent(self, work: UnitOfWork, connection: Connection, who: HelpdeskAgent | None) -> int | None:
        """The DeskQuest agent a helpdesk agent is: linked by e-mail when one is known, else an agent made for them
        (no login until a lead invites them)."""
        if who is None:
            return None
        known = self._identities.get((connection.id, who.external_id))
        if known is not None and (known[1] or not who.email):  # nothing new to learn of them
            return known[0]
        identity = await HelpdeskIdentity.get_or_none(connection_id=connection.id, external_id=who.external_id)
        if identity is not None:
            if who.email and not identity.email:
                identity.email = who.email[:200]
                await identity.save(update_fields=['email'])
                if identity.created_agent:  # made up before an e-mail was known: the agent it names, if any
                    return await self._relink(work, identity, who.email)
            self._learn(work, identity)
            return identity.agent_id
        agent = await _agent_by_email(who.email) if who.email else None
        created = agent is None
        if agent is None:
            username = f'{connection.kind}-{connection.id}-{who.external_id}'.lower()[:64]
            agent = await Agent.create(username=username, display_name=_shown(who.name, 120) or username,
                                       email=(who.email or '')[:200], password_hash=NO_PASSWORD, role='agent')
            work.after_commit(lambda: self._remember(agent))
        self._learn(work, await HelpdeskIdentity.create(connection_id=connection.id, external_id=who.external_id,
                                                        name=_shown(who.name, 120), email=who.email,
                                                        agent_id=agent.id, created_agent=created))
        return agent.id

    def _learn(self, work: UnitOfWork, identity: HelpdeskIdentity) -> None:
        """Remember who a helpdesk agent is, once what says so has committed."""
        known = (identity.agent_id, bool(identity.email))
        work.after_commit(partial(self._identities.__setitem__, (identity.connection_id, identity.external_id), known))

    async def _relink(self, work: UnitOfWork, identity: HelpdeskIdentity, email: str) -> int:
        """An identity whose agent was made up (no e-mail known then) now carries an e-mail: when it is an existing
        DeskQuest agent's, the made-up agent (not invited yet) is merged into them, points and counts and all, by an
        ``agent_merged`` event as a lead's merge is; otherwise the e-mail just stays recorded on the identity."""
        made = await Agent.get(id=identity.agent_id)
        found = await _agent_by_email(email)
        target = self.directory.agent(found.id) if found is not None and found.id != made.id else None
        if target is None or made.password_hash != NO_PASSWORD or not made.active:
            return identity.agent_id
        await self._merge_in(work, made, target, by=None)
        return target.id

    async def _store_failed(self, connection: Connection, headers: dict[str, str], body: bytes, *,
                            received: datetime, reason: str, event: str, delivery_id: str | None,
                            existing: Delivery | None = None) -> None:
        """Keep a delivery that was not applied, with why, so the lead sees it and can replay it."""
        async with self.game.unit_of_work() as work:
            delivery = existing
            if delivery is None and delivery_id is not None:
                delivery = await Delivery.get_or_none(connection_id=connection.id, delivery_id=delivery_id)
                if delivery is not None and delivery.status != 'failed':
                    return  # an applied delivery's id re-sent with a bad signature: the applied one stays
            delivery = delivery or Delivery(connection_id=connection.id, delivery_id=delivery_id, body=body,
                                            headers=headers, received_at=received)
            delivery.status, delivery.reason, delivery.event = 'failed', reason[:500], event[:80]
            await delivery.save()
            work.after_commit(self._announce.poke)

    async def _get(self, connection_id: int) -> Connection:
        connection = await Connection.get_or_none(id=connection_id)
        if connection is None:
            raise ActionError(_('That connection does not exist.'))
        return connection

    def _encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def _decrypt(self, connection: Connection) -> str:
        """The connection's signing secret, decrypted once per stored value (a new secret is a new value).

        :raises InvalidToken: when the server's key is not the one the secret was stored with."""
        secret = self._secrets.get(connection.secret_encrypted)
        if secret is None:
            secret = self._fernet.decrypt(connection.secret_encrypted.encode()).decode()
            self._secrets[connection.secret_encrypted] = secret
        return secret

    def _remember(self, agent: Agent) -> None:
        """The directory (names on the boards) learns an agent made or changed here, without reloading it."""
        self.directory.agents[agent.id] = AgentView(
            id=agent.id, username=agent.username, name=agent.display_name, role=agent.role, team_id=agent.team_id,
            team_name=self.directory.teams.get(agent.team_id, '') if agent.team_id else '', style=agent.style,
            is_demo=agent.is_demo)


@dataclass(kw_only=True, slots=True)
class _Scope:
    """What applying one delivery's facts shares: its conversation (looked up once), whether it was made in this
    unit of work (then nothing of it is stored yet), which of the facts' keys the log already holds, and the group
    commit it is part of (None: applied alone)."""
    conversation: 'Conversation | _NewConversation | None'
    stored_keys: set[str]
    fresh: bool = False
    group: '_Group | None' = None


@dataclass(kw_only=True, slots=True)
class _Job:
    """One delivery waiting for its commit: what its group reads for it, and how it is applied."""
    connection: Connection
    delivery_id: str | None
    reading: Reading
    apply: Callable[[UnitOfWork, '_Group | None'], Awaitable[Answer]]
    future: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


@dataclass(kw_only=True, slots=True)
class _Group:
    """What the deliveries of one group commit look up, read in one query per table before they are applied, and
    the rows they make, inserted in one statement per table just before the commit (so a group of 200 deliveries costs
    a handful of statements, not five each). The deliveries are applied one after the other, so each sees what the
    ones before it did: a repeated delivery id, a conversation made, a delivery left waiting."""
    # by (connection, delivery id): every id the group carries that is stored, and those made in it
    deliveries: dict[tuple[int, str], 'Delivery | _NewDelivery']
    conversations: dict[tuple[int, str], 'Conversation | _NewConversation | None']  # by (connection, ticket)
    stored_keys: set[str]  # the keys of the group's facts already in the log
    waiting: dict[tuple[int, str], list['Delivery | _NewDelivery']]  # by (connection, ticket)
    made: set[int] = field(default_factory=set)  # conversations made in this group: nothing of them is stored yet
    customers: dict[int, str] = field(default_factory=dict)  # made in this group and not inserted yet: their names
    new: list['_NewConversation | _NewDelivery'] = field(default_factory=list)  # to insert
    ids: dict[type, list[int]] = field(default_factory=dict)  # ids taken for the rows it makes

    @classmethod
    async def read(cls, jobs: list[_Job]) -> '_Group':
        """The stored deliveries, conversations, facts' keys and waiting deliveries the jobs refer to."""
        connection_ids = sorted({job.connection.id for job in jobs})
        delivery_ids = sorted({job.delivery_id for job in jobs if job.delivery_id is not None})
        tickets = sorted({job.reading.facts[0].ticket for job in jobs if job.reading.facts})
        deliveries: dict[tuple[int, str], Delivery | _NewDelivery] = {}
        for chunk in _chunked(delivery_ids):  # plain SQL (services/platform/rows.py): these reads run every group
            for row in await select_models(Delivery, connection_id=connection_ids, delivery_id=chunk):
                deliveries[(row.connection_id, row.delivery_id)] = row
        conversations: dict[tuple[int, str], Conversation | _NewConversation | None] = {
            (job.connection.id, job.reading.facts[0].ticket): None for job in jobs if job.reading.facts}
        waiting: dict[tuple[int, str], list[Delivery | _NewDelivery]] = {}
        for chunk in _chunked(tickets):
            for row in await select_models(Conversation, connection_id=connection_ids, external_id=chunk):
                if (row.connection_id, row.external_id) in conversations:
                    conversations[(row.connection_id, row.external_id)] = row
            for row in await select_models(Delivery, connection_id=connection_ids, ticket=chunk, status='waiting',
                                           order_by='id'):
                waiting.setdefault((row.connection_id, row.ticket), []).append(row)
        # a conversation not seen yet has nothing in the log (its first fact would have made it)
        keys = sorted({_event_key(job.connection.id, fact) for job in jobs for fact in job.reading.facts
                       if conversations.get((job.connection.id, fact.ticket)) is not None})
        stored_keys = set()
        for chunk in _chunked(keys):
            stored_keys.update(await select_column(StoredEvent, 'key', key=chunk))
        group = cls(deliveries=deliveries, conversations=conversations, stored_keys=stored_keys, waiting=waiting)
        opening = sum(1 for job in jobs if any(fact.kind == FactKind.OPENED for fact in job.reading.facts))
        group.ids = await _take_ids({Customer: opening, Conversation: opening, Delivery: len(jobs)})
        return group

    def delivery(self, connection_id: int, delivery_id: str) -> 'Delivery | _NewDelivery | None':
        return self.deliveries.get((connection_id, delivery_id))

    async def conversation(self, connection_id: int, ticket: str) -> 'Conversation | _NewConversation | None':
        if (connection_id, ticket) in self.conversations:
            return self.conversations[(connection_id, ticket)]
        return await Conversation.get_or_none(connection_id=connection_id, external_id=ticket)

    def make_customer(self, name: str) -> int:
        """A new customer known by name only (the rest defaulted): its id; inserted with the group's others."""
        customer_id = self._take(Customer)
        self.customers[customer_id] = name
        return customer_id

    def make_conversation(self, **values: Any) -> '_NewConversation':
        """A new conversation, inserted with the group's others with its values as they are then."""
        row = _NewConversation(id=self._take(Conversation), **values)
        self.new.append(row)
        self.made.add(row.id)
        self.conversations[(row.connection_id, row.external_id)] = row
        return row

    def make_delivery(self, **values: Any) -> '_NewDelivery':
        """A new delivery, inserted with the group's others with its values as they are then."""
        row = _NewDelivery(id=self._take(Delivery), **values)
        self.new.append(row)
        if row.delivery_id is not None:
            self.deliveries[(row.connection_id, row.delivery_id)] = row
        return row

    def _take(self, model: type) -> int:
        """An id taken for a new row of ``model``."""
        ids = self.ids.get(model)
        if not ids:  # more than counted: the group fails, and is run again a delivery at a time
            raise RuntimeError(f'no {model.__name__} id left in the group')
        return ids.pop(0)

    async def insert_now(self, conversation: 'Conversation | _NewConversation') -> Conversation:
        """A conversation made in this group (and its customer) inserted now, for code that saves it itself (the
        inbox, which resolves it): the model, which the group holds in its place from now on."""
        if isinstance(conversation, Conversation):
            return conversation
        name = self.customers.pop(conversation.customer_id, None)
        if name is not None:
            await insert_rows(Customer, ('id', 'name'), [(conversation.customer_id, name)])
        row = Conversation(**dict(zip(CONVERSATION_COLUMNS, conversation.values(), strict=True)))
        await row.save(force_create=True)
        self.new.remove(conversation)
        self.conversations[(row.connection_id, row.external_id)] = row
        return row

    async def insert(self) -> None:
        """Insert the rows the group made (one statement per table, customers before the conversations that point
        at them), with their final values."""
        if self.customers:
            await insert_rows(Customer, ('id', 'name'), list(self.customers.items()))
            self.customers.clear()
        conversations = [row.values() for row in self.new if isinstance(row, _NewConversation)]
        if conversations:
            await insert_rows(Conversation, CONVERSATION_COLUMNS, conversations)
        deliveries = [row.values() for row in self.new if isinstance(row, _NewDelivery)]
        if deliveries:
            await insert_rows(Delivery, DELIVERY_COLUMNS, deliveries)


@dataclass(kw_only=True, slots=True)
class _NewConversation:
    """A conversation made in a group commit, as plain values until its row is inserted (see :class:`_NewDelivery`);
    the fields the connection service reads and changes, the others left to their defaults."""
    id: int
    customer_id: int
    channel: str
    subject: str
    status: str
    priority: str
    created_at: datetime
    waiting_since: datetime | None
    sla_due_at: datetime
    inbound_count: int
    connection_id: int
    external_id: str
    assignee_id: int | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    rating: str | None = None
    rating_comment: str | None = None

    def values(self) -> tuple:
        """The row, in the order of :data:`CONVERSATION_COLUMNS`."""
        return (self.id, self.customer_id, self.channel, self.subject, self.status, self.priority, self.created_at,
                self.waiting_since, self.sla_due_at, self.inbound_count, self.connection_id, self.external_id,
                self.assignee_id, self.first_response_at, self.resolved_at, self.rating, self.rating_comment)


@dataclass(kw_only=True, slots=True)
class _NewDelivery:
    """A delivery made in a group commit: the values its row is inserted with just before the commit (a plain object,
    not a model instance, which costs more to build than the rest of the delivery's own work)."""
    id: int
    connection_id: int
    delivery_id: str | None
    body: bytes
    headers: dict[str, str]
    received_at: datetime
    event: str = ''
    status: str = 'received'
    reason: str = ''
    ticket: str = ''
    applied_at: datetime | None = None

    def values(self) -> tuple:
        """The row, in the order of :data:`DELIVERY_COLUMNS`."""
        return (self.id, self.connection_id, self.delivery_id, self.received_at, self.event, self.status, self.reason,
                self.body, self.headers, self.ticket, self.applied_at)


async def _take_ids(counts: dict[type, int]) -> dict[type, list[int]]:
    """Ids for new rows of these models, taken in one query: from the table's sequence on PostgreSQL; on SQLite the
    next ones after the largest (the group's transaction holds the only connection, so nobody else inserts)."""
    wanted = {model: count for model, count in counts.items() if count}
    if not wanted:
        return {}
    db = Delivery._meta.db
    if db.capabilities.dialect == 'postgres':
        columns = ', '.join(f"ARRAY(SELECT nextval(pg_get_serial_sequence('{model._meta.db_table}', 'id')) "
                            f'FROM generate_series(1, {count}))' for model, count in wanted.items())
        _, rows = await db.execute_query(f'SELECT {columns}')
        return {model: list(row) for model, row in zip(wanted, rows[0].values() if hasattr(rows[0], 'values')
                                                                else rows[0], strict=True)}
    columns = ', '.join(f'(SELECT COALESCE(MAX(id), 0) FROM "{model._meta.db_table}")' for model in wanted)
    _, rows = await db.execute_query(f'SELECT {columns}')
    last = list(rows[0].values()) if hasattr(rows[0], 'values') else list(rows[0])
    return {model: list(range(top + 1, top + 1 + count)) for (model, count), top in zip(wanted.items(), last,
                                                                                       strict=True)}


def _chunked(items: list[str]) -> list[list[str]]:
    return [items[start:start + CHUNK] for start in range(0, len(items), CHUNK)]


async def _save(row: Conversation | Delivery | _NewConversation | _NewDelivery, *fields: str) -> None:
    """Save a changed row; one a group commit made is not in the database yet: it is inserted with the group's
    others, with its values as they are then."""
    if not isinstance(row, (_NewConversation, _NewDelivery)) and row._saved_in_db:
        await row.save(update_fields=list(fields) or None)


def read(kind: str, payload: object, *, received: datetime) -> Reading:
    """A decoded delivery read by its helpdesk's reader."""
    if kind == 'chatwoot':
        return chatwoot.read(payload)
    if kind == 'zendesk':
        return zendesk.read(payload)
    return freshdesk.read(payload, received=received)


def decoded(body: bytes) -> object:
    """A delivery's JSON: orjson (a third of the standard library's time); what it refuses (numbers beyond 64 bits,
    NaN, another encoding than UTF-8, malformed JSON) goes to the standard library, which decides and words the
    error exactly as before.

    :raises ValueError: when the body is not JSON (a ``json.JSONDecodeError``), or ``UnicodeDecodeError``."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def secret_cipher(key: str) -> Fernet:
    """The cipher of the stored signing secrets, from the server's key by HKDF-SHA256 (the key is not in the
    database, so a copy of the database alone does not give the secrets away)."""
    derived = HKDF(algorithm=SHA256(), length=32, salt=KEY_DERIVATION_SALT, info=b'signing secrets v1') \
        .derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


async def _latest(work: UnitOfWork, conversation_id: int, *kinds: EventKind,
                  stored: bool = True) -> StoredEvent | GameEvent | None:
    """The conversation's latest event of these kinds: recorded in this unit of work (not stored until it ends), or
    stored (not looked for when ``stored`` is False: the conversation was made in this unit)."""
    pending = next((event for event in reversed(work.events)
                    if event.conversation_id == conversation_id and event.kind in kinds), None)
    if pending is not None or not stored:
        return pending
    return await StoredEvent.filter(conversation_id=conversation_id, kind__in=[kind.value for kind in kinds]) \
        .order_by('-id').first()


async def _freshdesk_retry_of(connection_id: int, ticket: str, body: bytes, received: datetime, *,
                              group: _Group | None = None) -> Delivery | None:
    """The delivery taken (not failed) for this ticket within :data:`FRESHDESK_RETRY_WINDOW` whose body is this one
    (one taken earlier in the same group too)."""
    pending = [row for row in group.new if isinstance(row, _NewDelivery) and row.connection_id == connection_id and
               row.ticket == ticket and row.status != 'failed'] if group is not None else []
    for earlier in reversed(pending):
        if bytes(earlier.body) == body:
            return earlier
    for earlier in await Delivery.filter(connection_id=connection_id, ticket=ticket,
                                         received_at__gte=received - FRESHDESK_RETRY_WINDOW) \
            .exclude(status='failed').order_by('-id'):
        if bytes(earlier.body) == body:
            return earlier
    return None


async def _merged_into(agent_id: int | None) -> int | None:
    """The agent whose points an agent's are now: the one they were merged into, else themselves."""
    if agent_id is None:
        return None
    merged = await StoredEvent.get_or_none(key=f'agent_merged:{agent_id}')
    return merged.agent_id if merged is not None else agent_id


async def _seen(work: UnitOfWork, key: str) -> bool:
    return work.recorded(key) or await StoredEvent.exists(key=key)


async def _awards(work: UnitOfWork, event_id: int) -> list[dict]:
    """The ledger entries an event caused, as a dispute's compensation carries them."""
    outcome = next((outcome for outcome in work.outcomes if outcome.event.id == event_id), None)
    if outcome is not None:
        return [{'agent_id': a.agent_id, 'points': a.points, 'domain': a.domain.value, 'kind': a.kind.value,
                 'reason': a.reason} for a in outcome.awards]
    return [{'agent_id': e.agent_id, 'points': e.points, 'domain': e.domain, 'kind': e.kind, 'reason': e.reason}
            for e in await LedgerEntry.filter(event_id=event_id).order_by('id')]


async def _agent_by_email(email: str) -> Agent | None:
    """The one DeskQuest agent with this e-mail (their account's, or as their username, or its local part as their
    username); None when nobody or several match."""
    for found in (Agent.filter(email__iexact=email), Agent.filter(username=email),
                  Agent.filter(username=email.partition('@')[0])):
        matches = await found.limit(2)
        if matches:
            return matches[0] if len(matches) == 1 else None
    return None


def _event_key(connection_id: int, fact: Fact) -> str:
    """Equal for the same fact of the same conversation of the same connection, however often it is delivered."""
    key = f'hd:{connection_id}:{fact.ticket}:{fact.key}'
    return key if len(key) <= 120 else f'hd:{connection_id}:{hashlib.sha256(key.encode()).hexdigest()}'


def _shown(text: str, limit: int) -> str:
    """A helpdesk's text as it may be stored and shown: printable, one line, cut to ``limit``."""
    return ''.join(c if c.isprintable() else ' ' for c in text).strip()[:limit]


def _view(connection: Connection) -> ConnectionView:
    return ConnectionView(id=connection.id, kind=connection.kind, helpdesk=HELPDESK_NAMES[connection.kind],
                          name=connection.name, url_path=f'/webhooks/{connection.token}', signed=connection.signed,
                          active=connection.active, created_at=connection.created_at, base_url=connection.base_url)


def _fact_words(event: StoredEvent, agent: str | None) -> str:
    """One fact of a connected conversation in words: 'Resolved by Ana Ozola', 'Rated good'."""
    words = FACT_WORDS[event.kind]
    if event.kind == 'rated':
        return f'{words} {event.data.get("rating", "")}'.strip()
    if agent and event.kind == 'assigned':
        return f'{words} to {agent}'
    if agent and event.kind in ('replied', 'note_added', 'resolved'):
        return f'{words} by {agent}'
    return words


def _check_lead(actor: AgentView) -> None:
    if not actor.is_lead:
        raise ActionError(_('Only a lead can manage helpdesk connections.'))

