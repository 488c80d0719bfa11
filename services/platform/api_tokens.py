"""REST API tokens (issue 14): a lead creates one (shown once), the API checks it on every request, and each token
has its own rate limit. Only the token's SHA-256 is stored; revoking is for good."""
import asyncio
import hashlib
import math
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from tortoise.exceptions import IntegrityError

from models import ApiIdempotency, ApiToken
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import N_, _
from services.domain.text import MAX_NAME, checked_text
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService

TOKEN_PREFIX = 'dq_'
PREFIX_SHOWN = 10  # 'dq_' and 7 characters of the random part: enough to tell a lead's tokens apart
REQUESTS_PER_MINUTE = 600
LAST_USED_PRECISION = timedelta(minutes=1)  # "last used" is written at most once a minute per token, not per request


class Scope(str, Enum):
    READ = 'read'  # every GET
    WRITE = 'write'  # GET and POST /api/v1/events


@dataclass(frozen=True, kw_only=True, slots=True)
class ApiTokenView:
    id: int
    name: str
    scope: Scope
    prefix: str
    created_by: str  # the lead's name, or 'command line'
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, kw_only=True, slots=True)
class NewToken:
    """A token just created: ``token`` is the only time it is known in clear."""
    view: ApiTokenView
    token: str


class TokenRefused(Exception):
    """The request may not go on: ``status`` (401, 403 or 429) and a message for the caller."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class IdempotencyMismatch(Exception):
    """An Idempotency-Key used before with another request body."""


@dataclass(kw_only=True, slots=True)
class Remembered:
    """What a request with an Idempotency-Key answered before (``response`` None: it is new; ``keep`` its answer)."""
    response: dict | list | None = None
    status: int = 0
    kept: tuple[int, dict | list] | None = field(default=None)

    def keep(self, status: int, response: dict | list) -> None:
        self.kept = (status, response)


class ApiTokenService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory,
                 requests_per_minute: int = REQUESTS_PER_MINUTE) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.limit: RateLimitItem = RateLimitItemPerMinute(requests_per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._in_flight: dict[tuple[int, str], tuple[asyncio.Lock, int]] = {}  # a key's lock and who holds or waits

    async def create(self, actor: AgentView, *, name: str, scope: str) -> NewToken:
        """A lead creates a token; the clear token is in the result and nowhere else."""
        if not actor.is_lead:
            raise ActionError(_('Only a lead can create API tokens.'))
        return await self.create_for(name=name, scope=scope, lead=actor)

    async def create_for(self, *, name: str, scope: str, lead: AgentView | None) -> NewToken:
        """Create a token for ``lead``, or from the command line (``lead`` None: whoever can run ``main.py`` on the
        server is trusted with the database already)."""
        name = checked_text(name, N_('Token name'), MAX_NAME, name=True, empty=_('Give the token a name.'))
        try:
            chosen = Scope(scope)
        except ValueError:
            raise ActionError(_('The scope must be read or write, not {scope}.').format(scope=repr(scope))) from None
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        fields = {'name': name, 'scope': chosen.value, 'token_hash': token_hash(token), 'prefix': token[:PREFIX_SHOWN],
                  'created_by': lead.id if lead else None, 'created_at': self.clock.now()}
        if lead is None:  # the command line: the event log has one writer, the server, so no event from here
            row = await ApiToken.create(**fields)
        else:
            async with self.game.unit_of_work() as work:
                row = await ApiToken.create(**fields)
                await work.record(EventKind.API_TOKEN_CREATED, agent_id=lead.id,
                                  data={'id': row.id, 'name': name, 'scope': chosen.value, 'prefix': row.prefix,
                                        'by': lead.id})
        return NewToken(view=_view(row, lead.name if lead else 'command line'), token=token)

    async def tokens(self) -> list[ApiTokenView]:
        """Every token, the newest first (revoked ones too, so a lead sees what was revoked when)."""
        return [_view(row, self._creator(row)) for row in await ApiToken.all().order_by('-id')]

    async def revoke(self, actor: AgentView, token_id: int) -> ApiTokenView:
        if not actor.is_lead:
            raise ActionError(_('Only a lead can revoke API tokens.'))
        return await self.revoke_for(token_id, lead=actor)

    async def revoke_for(self, token_id: int, *, lead: AgentView | None) -> ApiTokenView:
        """Revoke for ``lead``, or from the command line (``lead`` None: no event, as for :meth:`create_for`)."""
        if lead is None:
            return await self._revoke(token_id)
        async with self.game.unit_of_work() as work:
            view = await self._revoke(token_id)
            await work.record(EventKind.API_TOKEN_REVOKED, agent_id=lead.id,
                              data={'id': view.id, 'name': view.name, 'scope': view.scope.value, 'prefix': view.prefix,
                                    'by': lead.id})
        return view

    async def _revoke(self, token_id: int) -> ApiTokenView:
        row = await ApiToken.get_or_none(id=token_id)
        if row is None:
            raise ActionError(_('There is no API token #{token_id}.').format(token_id=token_id))
        if row.revoked_at is not None:
            raise ActionError(_('The API token "{name}" was already revoked.').format(name=row.name))
        row.revoked_at = self.clock.now()
        await row.save(update_fields=['revoked_at'])
        return _view(row, self._creator(row))

    async def check(self, authorization: str | None, *, needs: Scope) -> ApiTokenView:
        """The token a request's ``Authorization`` header carries, if it may do what ``needs`` says.

        :raises TokenRefused: 401 without a live token, 403 for a read token that writes, 429 over its rate limit.
        """
        scheme, _, token = (authorization or '').partition(' ')
        if scheme.lower() != 'bearer' or not token.strip():
            raise TokenRefused(401, 'Send an API token as "Authorization: Bearer dq_…" (a lead creates one at '
                                    '/admin/api).')
        # looked up by its hash: the comparison the database makes is of hashes, so its timing tells nothing of a
        # token, and no token is ever compared in clear
        row = await ApiToken.get_or_none(token_hash=token_hash(token.strip()))
        if row is None:
            raise TokenRefused(401, 'This API token is not valid.')
        if row.revoked_at is not None:
            raise TokenRefused(401, 'This API token was revoked.')
        if not self._limiter.hit(self.limit, str(row.id)):
            reset, _ = self._limiter.get_window_stats(self.limit, str(row.id))
            wait = max(1, math.ceil(reset - time.time()))
            raise TokenRefused(429, f'Too many requests with this token (at most {self.limit.amount} a minute). '
                                    f'Try again in {wait} s.', retry_after=wait)
        if needs == Scope.WRITE and row.scope != Scope.WRITE.value:
            raise TokenRefused(403, 'This API token may only read: a lead creates a write token for this.')
        now = self.clock.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
            row.last_used_at = now
            await ApiToken.filter(id=row.id).update(last_used_at=now)
        return _view(row, self._creator(row))

    @asynccontextmanager
    async def idempotency(self, token_id: int, key: str, fingerprint: str) -> AsyncIterator[Remembered]:
        """Run a request with an Idempotency-Key once: the same key again waits for the first, then gets its answer.

        :raises IdempotencyMismatch: the key was used with another request (``fingerprint``: its body's hash)
        """
        slot = (token_id, key)
        lock, users = self._in_flight.get(slot, (asyncio.Lock(), 0))
        self._in_flight[slot] = (lock, users + 1)
        try:
            async with lock:
                row = await ApiIdempotency.get_or_none(token_id=token_id, key=key)
                if row is not None:
                    if row.request_hash != fingerprint:
                        raise IdempotencyMismatch(f'The Idempotency-Key {key!r} was used with another request: '
                                                  'use a new key for a new request.')
                    yield Remembered(response=row.response, status=row.status)
                    return
                remembered = Remembered()
                yield remembered
                if remembered.kept is not None:
                    status, response = remembered.kept
                    try:  # another process may have answered the same key meanwhile: its row stands
                        await ApiIdempotency.create(token_id=token_id, key=key, request_hash=fingerprint,
                                                    status=status, response=response, created_at=self.clock.now())
                    except IntegrityError:
                        pass
        finally:
            lock, users = self._in_flight[slot]
            if users == 1:
                del self._in_flight[slot]  # nobody else is waiting for this key
            else:
                self._in_flight[slot] = (lock, users - 1)

    def _creator(self, row: ApiToken) -> str:
        if row.created_by is None:
            return 'command line'
        lead = self.directory.agent(row.created_by)
        return lead.name if lead else f'#{row.created_by}'


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode('utf-8', 'surrogatepass')).hexdigest()


def _view(row: ApiToken, created_by: str) -> ApiTokenView:
    return ApiTokenView(id=row.id, name=row.name, scope=Scope(row.scope), prefix=row.prefix, created_by=created_by,
                        created_at=row.created_at, last_used_at=row.last_used_at, revoked_at=row.revoked_at)
