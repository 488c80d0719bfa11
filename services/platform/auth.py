"""Logging in: Argon2id password hashes checked off the event loop, failure limits per account and per client
address, and demo accounts that only work while the app runs in demo mode."""
import asyncio
import contextlib
import math
import os
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from models import Agent
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import N_, _
from services.domain.text import checked_text
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService

REFUSAL_DELAY = 1.0  # seconds before the first refusal for too many failures is answered; each next one waits twice
MAX_REFUSAL_DELAY = 30.0  # as long, up to this
MAX_USERNAME = 64  # the column's width
MAX_STREAKS = 10_000  # accounts and addresses whose refusals in a row are remembered
HASH_THREAD_NICENESS = 10  # CPU weight 110 against the loop's 1024: a login yields, but is not starved


class TooManyFailures(ActionError):
    """Logins refused without checking the password: this account or this address failed too often lately."""

    def __init__(self, message: str, *, streak: int = 1) -> None:
        super().__init__(message)
        self.streak = streak  # refusals in a row for this account or address, this one included


class AuthService:
    def __init__(self, *, directory: Directory, hasher: PasswordHasher, demo_mode: bool, game: GameService,
                 limits: 'LoginLimits | None' = None, hash_threads: int | None = None,
                 refusal_delay: float = REFUSAL_DELAY, max_refusal_delay: float = MAX_REFUSAL_DELAY,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.directory = directory
        self.hasher = hasher  # argon2-cffi hashes with Argon2id by default
        self.demo_mode = demo_mode
        self.game = game
        self.limits = limits or LoginLimits()
        self.refusal_delay = refusal_delay
        self.max_refusal_delay = max_refusal_delay
        self.sleep = sleep  # tests pass a fake that notes the delays instead of waiting them
        # Argon2 releases the GIL, so its threads run beside the event loop; leaving one core to the loop, and
        # running them at a lower priority than it, keeps a flood of logins from slowing everyone else's pages
        self._hashing = ThreadPoolExecutor(max_workers=hash_threads or max(1, (os.cpu_count() or 2) - 1),
                                           thread_name_prefix='argon2', initializer=_yield_to_the_loop)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        """An Argon2id hash of ``password``, computed in a thread."""
        return await asyncio.get_running_loop().run_in_executor(self._hashing, self.hasher.hash, password)

    async def authenticate(self, username: str, password: str, *, address: str | None = None) -> AgentView | None:
        """Return the agent for these credentials, or None; never says which of the two was wrong.

        :raises TooManyFailures: when this account or this client address failed too often lately (the password is
            then not checked at all, right or wrong).
        """
        name = checked_text(username, N_('Username'), MAX_USERNAME).lower()
        try:
            self.limits.check(name, address)
        except TooManyFailures as refusal:
            # answered late, and later for each refusal in a row (1, 2, 4 … 30 s): a client that waits for each
            # answer (a browser, a script typing into the form) gets ever fewer tries; waiting costs the server
            # nothing but a sleeping coroutine
            await self.sleep(min(self.max_refusal_delay, self.refusal_delay * 2 ** min(refusal.streak - 1, 30)))
            raise
        agent = await Agent.get_or_none(username=name, active=True)
        if agent is None or (agent.is_demo and not self.demo_mode):
            await self._verify(await self._dummy(), password)  # the same time as a real check: names cannot be probed
            self.limits.failed(name, address)
            return None
        if not await self._verify(agent.password_hash, password):
            self.limits.failed(name, address)
            return None
        self.limits.succeeded(name)  # the owner proved themselves; their address's count stays (it may be shared)
        if self.hasher.check_needs_rehash(agent.password_hash):
            agent.password_hash = await self.hash(password)
            await agent.save(update_fields=['password_hash'])
        if (view := self.directory.agent(agent.id)) is None:  # made by `admin create` since this server started
            view = await self._hold(agent.id)
        return view

    def close(self) -> None:
        """Stop the hashing threads (a check still running finishes; none waiting starts)."""
        self._hashing.shutdown(wait=False, cancel_futures=True)

    def locked(self, username: str) -> bool:
        """Whether logins to this account are refused for now (too many failures)."""
        return self.limits.account_locked(username.strip().lower())

    async def unlock(self, actor: AgentView, agent_id: int) -> None:
        """Let an account log in again at once (a lead's decision, recorded in the log with the lead as actor)."""
        if not actor.is_lead:
            raise ActionError(_('Only a lead can unlock an account.'))
        agent = self.directory.agent(agent_id)
        if agent is None:
            raise ActionError(_('There is no active agent #{number}.').format(number=agent_id))
        if not self.locked(agent.username):
            raise ActionError(_("{name}'s account is not locked.").format(name=agent.name))
        async with self.game.unit_of_work() as work:
            await work.record(EventKind.ACCOUNT_UNLOCKED, agent_id=actor.id,
                              data={'id': agent.id, 'username': agent.username, 'by': actor.id})
            work.after_commit(lambda: self.limits.unlock(agent.username))

    async def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._hashing, self.hasher.verify, password_hash,
                                                                    password)
        except (VerificationError, InvalidHashError, UnicodeEncodeError):  # a lone surrogate cannot be hashed
            return False

    async def _hold(self, agent_id: int) -> AgentView | None:
        """Put an account the directory does not hold into it, if it is still enabled: read in the writer's turn, so
        a lead disabling it meanwhile is either seen here or removes it again after."""
        async with self.game.unit_of_work() as work:
            agent = await Agent.get_or_none(id=agent_id, active=True)
            if agent is None:
                return None
            view = self.directory.view(agent)
            work.after_commit(lambda: self.directory.put(view))
        return view

    async def _dummy(self) -> str:
        """A hash of a random password with this hasher's parameters, made once, for names that have no account."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(16))
        return self._dummy_hash


@dataclass(frozen=True, kw_only=True, slots=True)
class LoginLimits:
    """How many failed logins are allowed before the next are refused unchecked, per account and per client address.

    The counts live in this process's memory (``limits``' moving window on the wall clock): a restart forgets them,
    and several server processes would each count their own.
    """
    per_account: RateLimitItem = RateLimitItemPerMinute(5, 15)
    per_address: RateLimitItem = RateLimitItemPerMinute(20, 15)  # an office behind one address is many people
    limiter: MovingWindowRateLimiter = field(default_factory=lambda: MovingWindowRateLimiter(MemoryStorage()))

    # refusals in a row per ('account' | 'address', name): only of those over their limit now, so bounded like them
    refusals: dict[tuple[str, str], int] = field(default_factory=dict)

    def check(self, username: str, address: str | None) -> None:
        """:raises TooManyFailures: saying when to try again, when the account or the address is over its limit."""
        if not self.limiter.test(self.per_account, 'account', username):
            raise TooManyFailures('Too many failed logins for this account. '
                                  f'Try again {_in(self._reset(self.per_account, "account", username))}.',
                                  streak=self._refused('account', username))
        if address and not self.limiter.test(self.per_address, 'address', address):
            raise TooManyFailures('Too many failed logins from this address. '
                                  f'Try again {_in(self._reset(self.per_address, "address", address))}.',
                                  streak=self._refused('address', address))
        self.refusals.pop(('account', username), None)  # both under their limit again: the next lock starts at 1 s
        if address:
            self.refusals.pop(('address', address), None)

    def failed(self, username: str, address: str | None) -> None:
        self.limiter.hit(self.per_account, 'account', username)
        if address:
            self.limiter.hit(self.per_address, 'address', address)

    def succeeded(self, username: str) -> None:
        self.limiter.clear(self.per_account, 'account', username)
        self.refusals.pop(('account', username), None)

    def account_locked(self, username: str) -> bool:
        return not self.limiter.test(self.per_account, 'account', username)

    def unlock(self, username: str) -> None:
        self.limiter.clear(self.per_account, 'account', username)
        self.refusals.pop(('account', username), None)

    def _refused(self, scope: str, name: str) -> int:
        streak = self.refusals.pop((scope, name), 0) + 1
        self.refusals[(scope, name)] = streak  # the most recent last
        if len(self.refusals) > MAX_STREAKS:  # names tried once and then never again: forget the oldest
            del self.refusals[next(iter(self.refusals))]
        return streak

    def _reset(self, item: RateLimitItem, *identifiers: str) -> float:
        """Seconds until the oldest counted failure leaves the window and one more attempt is allowed."""
        return self.limiter.get_window_stats(item, *identifiers).reset_time - time.time()


def _yield_to_the_loop() -> None:
    """Lower this hashing thread's scheduling priority (Linux schedules threads alone; elsewhere nothing changes)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)


def _in(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return 'in 1 minute' if minutes == 1 else f'in {minutes} minutes'
