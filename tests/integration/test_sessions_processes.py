"""Login sessions across processes (issue 17): a second ``SessionService`` on the same database stands for another
process. On PostgreSQL it takes a session the first started from the table and forgets one the first ended; on SQLite
(one process per file) it never reads the table for an unknown token."""
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from tortoise import Tortoise

from models import LoginSession
from services.container import Services
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.sessions import SessionService, session_id


@pytest.fixture
async def elsewhere(services: Services) -> AsyncIterator[SessionService]:
    """The sessions of another process serving the same floor."""
    other = SessionService(clock=services.sessions.clock, directory=services.directory, game=services.game,
                           auth=services.auth, policy=services.sessions.policy)
    await other.load()
    try:
        yield other
    finally:
        await other.stop()


def on_postgres() -> bool:
    return Tortoise.get_connection('default').capabilities.dialect == 'postgres'


async def test_a_login_made_in_one_process_is_taken_by_another_and_its_logout_reaches_it(
        services: Services, elsewhere: SessionService, ana: AgentView) -> None:
    token = await services.sessions.start(ana, user_agent=None, address=None)
    assert elsewhere.check(token) is None  # not in its memory yet
    await elsewhere.recall(token)
    if not on_postgres():
        assert elsewhere.check(token) is None  # SQLite: one process holds every session, the table is not read
        return
    assert elsewhere.check(token) == ana
    await elsewhere.recall('not a token')
    assert elsewhere.check('not a token') is None

    await services.sessions.end(token)  # the logout, in the first process
    assert elsewhere.check(token) == ana  # until the other process looks
    await elsewhere.watch()
    assert elsewhere.check(token) is None
    await elsewhere.recall(token)  # a revoked session is never taken again
    assert elsewhere.check(token) is None


@pytest.mark.parametrize('db_url', ['postgres'], indirect=True)
async def test_a_session_used_in_another_process_is_not_revoked_as_idle_by_this_one(
        services: Services, elsewhere: SessionService, ana: AgentView, clock: ManualClock) -> None:
    token = await services.sessions.start(ana, user_agent=None, address=None)
    idle = services.sessions.policy.idle
    clock.advance(idle - timedelta(hours=1))
    await elsewhere.recall(token)
    assert elsewhere.check(token) == ana  # used there: its stored last use moves
    await elsewhere.settle()
    clock.advance(timedelta(hours=2))  # idle for this process's memory, not for the table

    assert services.sessions.check(token) is None  # forgotten here, as its memory says
    await services.sessions.settle()
    row = await LoginSession.get(id=session_id(token))
    assert row.revoked_at is None  # but not revoked: the other process saw it used
    assert elsewhere.check(token) == ana
    await services.sessions.recall(token)
    assert services.sessions.check(token) == ana  # and taken back here at its next request
