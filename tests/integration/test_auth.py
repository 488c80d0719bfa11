"""Logging in: Argon2id hashes checked off the event loop, failure limits, a lead's unlock, demo accounts only in demo
mode."""
import asyncio
import time
from typing import Literal

import pytest
from argon2 import PasswordHasher

from models import Agent, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.platform.auth import AuthService, LoginLimits, TooManyFailures
from services.platform.directory import AgentView


async def test_demo_accounts_log_in_with_the_demo_password(services: Services) -> None:
    agent = await services.auth.authenticate('Ana ', 'demo')  # usernames are trimmed and case-insensitive
    assert agent is not None and agent.username == 'ana'
    stored = await Agent.get(username='ana')
    assert stored.password_hash.startswith('$argon2id$')
    assert 'demo' not in stored.password_hash


async def test_wrong_password_and_unknown_user_are_refused(services: Services) -> None:
    assert await services.auth.authenticate('ana', 'Demo') is None
    assert await services.auth.authenticate('ana', '') is None
    assert await services.auth.authenticate('nobody', 'demo') is None


async def test_demo_accounts_cannot_log_in_outside_demo_mode(services: Services) -> None:
    production = AuthService(directory=services.directory, hasher=services.auth.hasher, demo_mode=False,
                             game=services.game)
    assert await production.authenticate('ana', 'demo') is None
    real = await Agent.create(username='rita', display_name='Rita Real', role='agent',
                              password_hash=await production.hash('a long passphrase'))
    await services.directory.load()
    agent = await production.authenticate('rita', 'a long passphrase')
    assert agent is not None and agent.id == real.id


async def test_checks_run_off_the_event_loop(services: Services) -> None:
    """While a password is checked the loop keeps serving others: a ticker keeps ticking during the checks."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(*(services.auth.authenticate('ana', f'wrong {n}') for n in range(3)),
                         services.auth.authenticate('nobody', 'demo'))
    elapsed = time.perf_counter() - started
    task.cancel()
    # the loop stalled for whole hashes before: at most a tick per check; now it ticks about every millisecond
    assert ticks > 4 and ticks >= elapsed * 1000 / 10, f'{ticks} ticks in {elapsed:.3f} s'


async def test_an_unknown_name_costs_a_verification_too(services: Services) -> None:
    """Telling names apart by the answer's time must not work: an unknown name is verified against a dummy hash."""
    hasher = CountingHasher(memory_cost=services.auth.hasher.memory_cost)
    auth = AuthService(directory=services.directory, hasher=hasher, demo_mode=True, game=services.game)
    assert await auth.authenticate('nobody', 'demo') is None
    assert await auth.authenticate('ana', 'wrong') is None
    assert len(hasher.verified) == 2 and all(stored.startswith('$argon2id$') for stored in hasher.verified)


async def test_five_failures_lock_the_account_even_for_the_right_password(services: Services) -> None:
    for attempt in range(5):
        assert await services.auth.authenticate('ana', f'guess {attempt}', address=f'10.0.0.{attempt}') is None
    with pytest.raises(TooManyFailures, match=r'^Too many failed logins for this account\. Try again in 15 minutes'):
        await services.auth.authenticate('ana', 'demo', address='10.9.9.9')
    assert services.auth.locked('ANA ')
    assert await services.auth.authenticate('bruno', 'demo', address='10.9.9.9') is not None  # others are not locked


async def test_unknown_names_lock_like_real_ones(services: Services) -> None:
    """Otherwise the lock itself would tell which names exist."""
    for attempt in range(5):
        assert await services.auth.authenticate('nobody', f'guess {attempt}') is None
    with pytest.raises(TooManyFailures, match='for this account'):
        await services.auth.authenticate('nobody', 'guess')


async def test_an_address_is_limited_across_accounts_and_a_success_does_not_reset_it(services: Services) -> None:
    auth = AuthService(directory=services.directory, hasher=services.auth.hasher, demo_mode=True, game=services.game,
                       limits=LoginLimits(per_address=LoginLimits().per_account))  # 5 per address, to be quick
    for attempt in range(4):
        assert await auth.authenticate(f'someone{attempt}', 'guess', address='192.0.2.7') is None
    assert await auth.authenticate('ana', 'demo', address='192.0.2.7') is not None  # a success in between
    assert await auth.authenticate('someone9', 'guess', address='192.0.2.7') is None
    with pytest.raises(TooManyFailures, match=r'^Too many failed logins from this address\. Try again in'):
        await auth.authenticate('ana', 'demo', address='192.0.2.7')
    assert await auth.authenticate('ana', 'demo', address='192.0.2.8') is not None


async def test_a_success_clears_the_accounts_own_count(services: Services) -> None:
    for attempt in range(4):
        assert await services.auth.authenticate('ana', f'typo {attempt}') is None
    assert await services.auth.authenticate('ana', 'demo') is not None
    for attempt in range(4):
        assert await services.auth.authenticate('ana', f'typo {attempt}') is None
    assert not services.auth.locked('ana')


async def test_a_lead_unlocks_an_account_and_the_log_says_who(services: Services, ana: AgentView,
                                                             lead: AgentView) -> None:
    for attempt in range(5):
        await services.auth.authenticate('ana', f'guess {attempt}')
    with pytest.raises(ActionError, match='Only a lead can unlock'):
        await services.auth.unlock(ana, ana.id)
    assert services.auth.locked('ana')
    await services.auth.unlock(lead, ana.id)
    assert not services.auth.locked('ana')
    assert await services.auth.authenticate('ana', 'demo') is not None
    event = await StoredEvent.filter(kind='account_unlocked').get()
    assert event.agent_id == lead.id and event.data == {'id': ana.id, 'username': 'ana', 'by': lead.id}
    with pytest.raises(ActionError, match="Ana .*'s account is not locked"):
        await services.auth.unlock(lead, ana.id)
    with pytest.raises(ActionError, match='no active agent #999999'):
        await services.auth.unlock(lead, 999999)
    assert await StoredEvent.filter(kind='account_unlocked').count() == 1


class CountingHasher(PasswordHasher):
    """Argon2id as the app uses it, noting each hash it verifies against."""

    def __init__(self, **parameters: int) -> None:
        super().__init__(**parameters)
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified.append(str(hash))
        return super().verify(hash, password)
