"""Logging in: Argon2id password hashes, and demo accounts that only work while the app runs in demo mode."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import Agent
from services.platform.directory import AgentView, Directory


class AuthService:
    def __init__(self, *, directory: Directory, hasher: PasswordHasher, demo_mode: bool) -> None:
        self.directory = directory
        self.hasher = hasher  # argon2-cffi hashes with Argon2id by default
        self.demo_mode = demo_mode

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    async def authenticate(self, username: str, password: str) -> AgentView | None:
        """Return the agent for these credentials, or None; never says which of the two was wrong."""
        agent = await Agent.get_or_none(username=username.strip().lower(), active=True)
        if agent is None:
            self.hasher.hash(password)  # spend the same time as a real check so usernames cannot be probed
            return None
        if agent.is_demo and not self.demo_mode:
            return None
        try:
            self.hasher.verify(agent.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(agent.password_hash):
            agent.password_hash = self.hasher.hash(password)
            await agent.save(update_fields=['password_hash'])
        return self.directory.agent(agent.id)
