"""Accounts: creating them (``python main.py admin create`` and a lead in ``/admin/accounts``)."""
import asyncio
import re

from argon2 import PasswordHasher
from tortoise.exceptions import IntegrityError

from models import Agent
from services.domain.errors import ActionError

MIN_PASSWORD_LENGTH = 12
ROLES = ('agent', 'lead')
USERNAME = re.compile(r'[a-z0-9][a-z0-9._-]{1,63}')


async def create_account(hasher: PasswordHasher, *, username: str, display_name: str, role: str,
                         password: str) -> Agent:
    """Create a real (not demo) account, its password hashed in a thread (``python main.py admin create``).

    :raises ActionError: for a name that is taken or malformed, an unknown role or a password that is too short;
        nothing is written then.
    """
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise ActionError(f'The username {username!r} is not usable: 2 to 64 characters, letters, digits, dots, '
                          'dashes and underscores, starting with a letter or a digit.')
    if role not in ROLES:
        raise ActionError(f'The role must be one of {", ".join(ROLES)}, not {role!r}.')
    shown = ' '.join(display_name.split()) or name
    if len(shown) > 120 or not shown.isprintable():
        raise ActionError('The display name must be printable and at most 120 characters.')
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ActionError(f'The password is too short: at least {MIN_PASSWORD_LENGTH} characters.')
    if await Agent.exists(username=name):
        raise ActionError(f'The username {name!r} is taken.')
    password_hash = await asyncio.to_thread(hasher.hash, password)
    try:
        return await Agent.create(username=name, display_name=shown, role=role, password_hash=password_hash)
    except IntegrityError as error:  # created by someone else since the check above
        raise ActionError(f'The username {name!r} is taken.') from error
