"""Login sessions kept server-side: started at each login, checked on every page and handler, ended at logout, from the
account page, and when an account event (disabled, role changed, password reset or changed) says so.

The live sessions are held in memory, so the check every handler runs is a dict lookup, not a query; the table is
written when a session starts or ends, and its ``last_seen_at`` at most once a minute.

On PostgreSQL several processes serve one floor (issue 17) and the table is what they share: a session another process
started is taken from the table at the first request that shows its token here (:meth:`SessionService.recall`, called
before the page is built), and one another process ended is forgotten here within ``WATCH_SECONDS``
(:meth:`SessionService.watch` reads the revocations of the last moments).
"""
import asyncio
import hashlib
import logging
import secrets
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from nicegui import Event
from tortoise import Tortoise

from models import Agent, LoginSession, StoredEvent
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import _
from services.domain.projection import Outcome
from services.domain.sessions import (
    TOUCH_EVERY,
    Ended,
    SessionPolicy,
    device_name,
    ended,
    ends_at,
    password_problem,
    user_agent_kept,
)
from services.platform.accounts import MIN_PASSWORD_LENGTH
from services.platform.auth import AuthService
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService
from services.platform.tasks import start_task

log = logging.getLogger(__name__)

WATCH_SECONDS = 2.0  # several processes: how soon a session ended in another process stops letting anyone in here
# revocations written this long before the last look are read again: another host's clock may run a little behind
CLOCK_SLACK_SECONDS = 60.0

# account events that end sessions (their data's ``id`` is the account); a password change spares the session it was
# made from (its data's ``session``)
REVOKING = {
    EventKind.ACCOUNT_DISABLED: Ended.DISABLED,
    EventKind.ACCOUNT_ROLE_CHANGED: Ended.ROLE_CHANGED,
    EventKind.PASSWORD_RESET: Ended.PASSWORD_RESET,
    EventKind.PASSWORD_CHANGED: Ended.PASSWORD_CHANGED,
}


def session_id(token: str) -> str:
    """The id a session is stored and shown under: the SHA-256 of the browser's token, which it cannot be turned back
    into (a token is 256 random bits, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionView:
    """One active session, as the account page lists it."""
    id: str
    device: str  # 'Firefox on Windows'
    user_agent: str  # as stored (cleaned, cut)
    address: str
    started_at: datetime
    last_seen_at: datetime
    ends_at: datetime  # if left unused from now: the idle limit or the absolute one


@dataclass(kw_only=True, slots=True)
class LiveSession:
    id: str
    agent_id: int
    role: str
    created_at: datetime
    last_seen_at: datetime  # in memory: every check; in the table: at most every TOUCH_EVERY
    stored_seen_at: datetime
    expires_at: datetime
    user_agent: str
    address: str


class SessionService:
    def __init__(self, *, clock: Clock, directory: Directory, game: GameService, auth: AuthService,
                 policy: SessionPolicy) -> None:
        self.clock = clock
        self.directory = directory
        self.game = game
        self.auth = auth
        self.policy = policy
        self.live: dict[str, LiveSession] = {}
        self.ended: Event[frozenset[str]] = Event()  # ids of sessions that just ended, for the tabs still showing them
        self._writes: set[asyncio.Task] = set()
        self.shared = False  # other processes share the table (PostgreSQL): recall their sessions, watch their ends
        self._watcher: asyncio.Task | None = None

    async def load(self) -> None:
        """Take the sessions still live from the table (after the directory: a role is compared with the account's).

        A session an account event outlived (the process stopped between the event's commit and the session's
        revocation) is revoked now, so a crash never brings back a session that was ended.
        """
        now = self.clock.now()
        rows = await LoginSession.filter(revoked_at=None, expires_at__gt=now)
        watermark = min((row.after_event_id for row in rows), default=None)
        events = [] if watermark is None else await StoredEvent.filter(
            id__gt=watermark, kind__in=[kind.value for kind in REVOKING]).order_by('id')
        self.live = {}
        revoked: dict[Ended, list[str]] = {}
        for row in rows:
            session = LiveSession(id=row.id, agent_id=row.agent_id, role=row.role, created_at=row.created_at,
                                  last_seen_at=row.last_seen_at, stored_seen_at=row.last_seen_at,
                                  expires_at=row.expires_at, user_agent=row.user_agent, address=row.address)
            reason = next((REVOKING[EventKind(event.kind)] for event in events if event.id > row.after_event_id
                           and event.data.get('id') == row.agent_id and event.data.get('session') != row.id), None)
            reason = reason or self._ended(session, now)
            if reason is None:
                self.live[row.id] = session
            else:
                revoked.setdefault(reason, []).append(row.id)
        for reason, ids in revoked.items():
            await LoginSession.filter(id__in=ids).update(revoked_at=now, revoked_reason=reason.value)
        self.shared = Tortoise.get_connection('default').capabilities.dialect == 'postgres'
        if self.shared and self._watcher is None:
            self._watcher = start_task(self._watch(since=now), name='sessions ended elsewhere')

    async def recall(self, token: object) -> None:
        """Take this token's session from the table when another process started it (PostgreSQL only: on SQLite one
        process holds every session). A token live here, unknown, revoked or ended changes nothing."""
        if not self.shared or not isinstance(token, str) or (key := session_id(token)) in self.live:
            return
        row = await LoginSession.get_or_none(id=key, revoked_at=None)
        if row is None or key in self.live:
            return
        session = LiveSession(id=row.id, agent_id=row.agent_id, role=row.role, created_at=row.created_at,
                              last_seen_at=row.last_seen_at, stored_seen_at=row.last_seen_at, expires_at=row.expires_at,
                              user_agent=row.user_agent, address=row.address)
        if self._ended(session, self.clock.now()) is None:  # else whoever checks it next writes why it ended
            self.live[key] = session

    async def watch(self) -> None:
        """Forget the sessions here that another process ended since the last look (a logout, an account page's End);
        account events reach every process through the log (``on_committed`` on ``followed``)."""
        await self._forget_revoked(since=self.clock.now() - timedelta(seconds=WATCH_SECONDS))

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
            self._watcher = None
        await self.settle()

    async def start(self, agent: AgentView, *, user_agent: str | None, address: str | None) -> str:
        """Start a session for ``agent`` (who just proved their password) and return its token for the browser."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        last_event = await StoredEvent.all().order_by('-id').limit(1).values_list('id', flat=True)
        row = await LoginSession.create(
            id=session_id(token), agent_id=agent.id, role=agent.role, created_at=now, last_seen_at=now,
            expires_at=now + self.policy.lifetime, user_agent=user_agent_kept(user_agent),
            address=(address or '')[:64], after_event_id=last_event[0] if last_event else 0)
        self.live[row.id] = LiveSession(id=row.id, agent_id=agent.id, role=agent.role, created_at=now,
                                        last_seen_at=now, stored_seen_at=now, expires_at=row.expires_at,
                                        user_agent=row.user_agent, address=row.address)
        return token

    def check(self, token: object) -> AgentView | None:
        """The person this token's session is for, while it is live; None otherwise (a session found ended is
        revoked on the way). A use: it counts as activity against the idle limit."""
        if not isinstance(token, str) or (session := self.live.get(session_id(token))) is None:
            return None
        agent = self._validated(session)
        if agent is not None:
            now = self.clock.now()
            session.last_seen_at = max(session.last_seen_at, now)
            if now - session.stored_seen_at >= TOUCH_EVERY:
                session.stored_seen_at = now
                self._write(LoginSession.filter(id=session.id).update(last_seen_at=now), name='session seen')
        return agent

    def alive(self, session: str) -> bool:
        """Whether the session with this id is live, without counting as a use (the tabs' sweep asks it)."""
        return (live := self.live.get(session)) is not None and self._validated(live) is not None

    def active(self, agent_id: int) -> list[SessionView]:
        """The person's live sessions, the latest used first."""
        sessions = [session for session in list(self.live.values())
                    if session.agent_id == agent_id and self._validated(session) is not None]
        return [SessionView(id=session.id, device=device_name(session.user_agent), user_agent=session.user_agent,
                            address=session.address, started_at=session.created_at,
                            last_seen_at=session.last_seen_at,
                            ends_at=ends_at(last_seen_at=session.last_seen_at, expires_at=session.expires_at,
                                            policy=self.policy))
                for session in sorted(sessions, key=lambda session: session.last_seen_at, reverse=True)]

    async def end(self, token: object, *, reason: Ended = Ended.LOGOUT) -> None:
        """End the session of this token (logging out); nothing happens for a token that is not live."""
        if isinstance(token, str):
            await self._end([session_id(token)], reason)

    async def end_all(self, agent_id: int, reason: Ended, *, except_token: str | None = None) -> int:
        """End every session of the account (but the one of ``except_token``); return how many were live."""
        spared = session_id(except_token) if except_token is not None else None
        ids = [session.id for session in self.live.values() if session.agent_id == agent_id and session.id != spared]
        query = LoginSession.filter(agent_id=agent_id, revoked_at=None)
        await (query.exclude(id=spared) if spared else query).update(revoked_at=self.clock.now(),
                                                                      revoked_reason=reason.value)
        self._forget(ids)
        return len(ids)

    async def end_session(self, actor: AgentView, session: str) -> None:
        """End one of the actor's own sessions (the account page's End)."""
        live = self.live.get(session)
        if live is None or live.agent_id != actor.id or self._validated(live) is None:
            raise ActionError(_('That session has already ended.'))
        await self._end([session], Ended.ENDED)

    async def end_other_sessions(self, actor: AgentView, token: str) -> int:
        """End all of the actor's sessions but the one of ``token`` (this browser's); return how many ended."""
        if (who := self.check(token)) is None or who.id != actor.id:
            raise ActionError(_('Your session has ended: log in again.'))
        return await self.end_all(actor.id, Ended.ENDED, except_token=token)

    async def change_password(self, actor: AgentView, token: str, *, current: object, new: object, repeated: object,
                              address: str | None) -> None:
        """Change the actor's own password after checking the current one, and end their other sessions.

        A wrong current password counts as a failed login (it is one: someone at an open tab guessing it).

        :raises ActionError: saying what is wrong; nothing is written then.
        """
        if (who := self.check(token)) is None or who.id != actor.id:
            raise ActionError(_('Your session has ended: log in again.'))
        if not isinstance(current, str) or not current:
            raise ActionError(_('Enter your current password.'))
        if (problem := password_problem(new=new, repeated=repeated, current=current,
                                        min_length=MIN_PASSWORD_LENGTH)) is not None:
            raise ActionError(problem)
        assert isinstance(new, str)
        proved = await self.auth.authenticate(actor.username, current, address=address)  # may raise TooManyFailures
        if proved is None or proved.id != actor.id:
            raise ActionError(_('The current password is not right.'))
        password_hash = await self.auth.hash(new)
        spared = session_id(token)
        async with self.game.unit_of_work() as work:
            await Agent.filter(id=actor.id).update(password_hash=password_hash)
            # in the event's own transaction: no crash can leave the other sessions live after the change
            await LoginSession.filter(agent_id=actor.id, revoked_at=None).exclude(id=spared).update(
                revoked_at=self.clock.now(), revoked_reason=Ended.PASSWORD_CHANGED.value)
            await work.record(EventKind.PASSWORD_CHANGED, agent_id=actor.id, data={
                'id': actor.id, 'username': actor.username, 'by': actor.id, 'session': spared})
        # the live ones are forgotten by on_committed, as for a lead's account events

    def on_committed(self, outcomes: list[Outcome]) -> None:
        """End the sessions an account event ends, at once in memory and in the table a moment later."""
        for outcome in outcomes:
            event = outcome.event
            if (reason := REVOKING.get(event.kind)) is None or not isinstance(agent_id := event.data.get('id'), int):
                continue
            spared = event.data.get('session') if event.kind == EventKind.PASSWORD_CHANGED else None
            ids = [session.id for session in self.live.values()
                   if session.agent_id == agent_id and session.id != spared]
            if ids:
                self._forget(ids)
                self._write(LoginSession.filter(id__in=ids, revoked_at=None).update(
                    revoked_at=self.clock.now(), revoked_reason=reason.value), name='sessions revoked')

    async def settle(self) -> None:
        """Wait for the table writes in flight (last seen, revocations found by a check); tests and stop() call it."""
        while self._writes:
            await asyncio.gather(*list(self._writes), return_exceptions=True)

    def _validated(self, session: LiveSession) -> AgentView | None:
        """The session's person while it is live; else None, the session revoked (in memory now, the table soon)."""
        now = self.clock.now()
        reason = self._ended(session, now)
        if reason is None:
            return self.directory.agent(session.agent_id)
        self._forget([session.id])
        query = LoginSession.filter(id=session.id, revoked_at=None)
        if reason == Ended.IDLE:  # idle here, but another process may have seen it used (its stored last use says)
            query = query.filter(last_seen_at__lte=now - self.policy.idle)
        self._write(query.update(revoked_at=now, revoked_reason=reason.value), name='session ended')
        return None

    def _ended(self, session: LiveSession, now: datetime) -> Ended | None:
        agent = self.directory.agent(session.agent_id)
        if agent is None:  # the directory holds active accounts only
            return Ended.DISABLED
        if agent.role != session.role:
            return Ended.ROLE_CHANGED
        return ended(now=now, last_seen_at=session.last_seen_at, expires_at=session.expires_at, policy=self.policy)

    async def _end(self, ids: list[str], reason: Ended) -> None:
        await LoginSession.filter(id__in=ids, revoked_at=None).update(revoked_at=self.clock.now(),
                                                                      revoked_reason=reason.value)
        self._forget(ids)

    async def _watch(self, *, since: datetime) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            looked = self.clock.now()
            try:
                await self._forget_revoked(since=since)
            except Exception:  # a lost connection: the next look reads the same moments again
                log.exception('could not read the sessions other processes ended')
                continue
            since = looked

    async def _forget_revoked(self, *, since: datetime) -> None:
        if not self.live:
            return
        revoked = await LoginSession.filter(revoked_at__gte=since - timedelta(seconds=CLOCK_SLACK_SECONDS)) \
            .values_list('id', flat=True)
        self._forget(key for key in revoked if key in self.live)

    def _forget(self, ids: Iterable[str]) -> None:
        gone = frozenset(session for session in ids if self.live.pop(session, None) is not None)
        if gone:
            self.ended.emit(gone)

    def _write(self, query: Awaitable[object], *, name: str) -> None:
        """Run a table update beside the caller (a check must not wait for the database)."""
        async def run() -> None:
            await query
        task = start_task(run(), name=name)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
