"""Logging in: Argon2id hashes, wrong passwords, and demo accounts that only work in demo mode."""
from models import Agent
from services.container import Services
from services.platform.auth import AuthService


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
    production = AuthService(directory=services.directory, hasher=services.auth.hasher, demo_mode=False)
    assert await production.authenticate('ana', 'demo') is None
    real = await Agent.create(username='rita', display_name='Rita Real', role='agent',
                              password_hash=production.hash('a long passphrase'))
    await services.directory.load()
    agent = await production.authenticate('rita', 'a long passphrase')
    assert agent is not None and agent.id == real.id
