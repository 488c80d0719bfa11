"""Login sessions on a real database (SQLite and PostgreSQL), on a manual clock: started, checked, ended, expired, and
revoked by the account events; a token once ended never works again."""
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from models import Agent, LoginSession, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.sessions import Ended
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.sessions import SessionService, session_id

AccountAction = Callable[[Services, AgentView, AgentView], Awaitable[object]]  # a lead's action on an account
CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'


async def start(services: Services, agent: AgentView) -> str:
    return await services.sessions.start(agent, user_agent=CHROME, address='10.0.0.7')


async def stored(token: str) -> LoginSession:
    return await LoginSession.get(id=session_id(token))


async def test_a_login_is_a_stored_session_keyed_by_a_hash_of_its_token(services: Services, ana: AgentView,
                                                                        clock: ManualClock) -> None:
    token = await start(services, ana)
    assert len(token) >= 43  # 32 random bytes: 256 bits
    assert services.sessions.check(token) == ana
    row = await stored(token)
    assert row.id == session_id(token) != token and token not in str(await LoginSession.all().values())
    assert (row.agent_id, row.role, row.address, row.revoked_at) == (ana.id, 'agent', '10.0.0.7', None)
    assert row.created_at == row.last_seen_at == clock.now() and row.expires_at == clock.now() + timedelta(hours=24)
    assert services.sessions.check('not a token') is None and services.sessions.check(None) is None
    assert [view.device for view in services.sessions.active(ana.id)] == ['Chrome on Linux']


async def test_logging_out_ends_the_session_and_a_copied_token_never_works_again(services: Services,
                                                                                 ana: AgentView) -> None:
    copied = await start(services, ana)
    await services.sessions.end(copied)
    assert services.sessions.check(copied) is None
    row = await stored(copied)
    assert row.revoked_at is not None and row.revoked_reason == Ended.LOGOUT.value
    again = await start(services, ana)  # the owner logs in again: a new session, the copy stays dead
    assert again != copied
    assert services.sessions.check(again) == ana and services.sessions.check(copied) is None
    await restarted(services)
    assert services.sessions.check(again) == ana and services.sessions.check(copied) is None


async def test_an_idle_session_ends_after_the_idle_limit(services: Services, ana: AgentView,
                                                         clock: ManualClock) -> None:
    token = await start(services, ana)
    for _ in range(2):  # used just within the limit, it lives on (16 hours: inside its lifetime)
        clock.advance(timedelta(minutes=479))
        assert services.sessions.check(token) == ana
    clock.advance(timedelta(minutes=480))
    assert not services.sessions.alive(session_id(token))
    assert services.sessions.check(token) is None
    await services.sessions.settle()
    assert (await stored(token)).revoked_reason == Ended.IDLE.value


async def test_a_busy_session_ends_at_its_absolute_lifetime(services: Services, ana: AgentView,
                                                            clock: ManualClock) -> None:
    token = await start(services, ana)
    for _ in range(23):
        clock.advance(timedelta(hours=1))
        assert services.sessions.check(token) == ana
    clock.advance(timedelta(minutes=59, seconds=59))
    assert services.sessions.check(token) == ana
    clock.advance(timedelta(seconds=1))
    assert services.sessions.check(token) is None
    await services.sessions.settle()
    assert (await stored(token)).revoked_reason == Ended.EXPIRED.value


async def test_last_seen_is_written_at_most_once_a_minute(services: Services, ana: AgentView,
                                                          clock: ManualClock) -> None:
    token = await start(services, ana)
    login = clock.now()
    for _ in range(5):  # five clicks in 50 seconds: no write
        clock.advance(timedelta(seconds=10))
        services.sessions.check(token)
    await services.sessions.settle()
    assert (await stored(token)).last_seen_at == login
    clock.advance(timedelta(seconds=10))
    services.sessions.check(token)
    await services.sessions.settle()
    assert (await stored(token)).last_seen_at == clock.now()
    assert services.sessions.active(ana.id)[0].last_seen_at == clock.now()


async def test_a_session_whose_account_changed_role_lets_nobody_in(services: Services, ana: AgentView) -> None:
    token = await start(services, ana)
    services.directory.agents[ana.id] = dataclasses.replace(ana, role='lead')  # changed behind the session's back
    assert services.sessions.check(token) is None
    await services.sessions.settle()
    assert (await stored(token)).revoked_reason == Ended.ROLE_CHANGED.value


async def test_ending_all_of_an_accounts_sessions_but_one(services: Services, ana: AgentView,
                                                          bruno: AgentView) -> None:
    kept, other, third = [await start(services, ana) for _ in range(3)]
    bruno_token = await start(services, bruno)
    ended: list[frozenset[str]] = []
    services.sessions.ended.subscribe(ended.append)
    assert await services.sessions.end_all(ana.id, Ended.ENDED, except_token=kept) == 2
    assert ended == [frozenset({session_id(other), session_id(third)})]
    assert [services.sessions.check(token) for token in (kept, other, third, bruno_token)] == [ana, None, None, bruno]
    assert await LoginSession.filter(revoked_at=None).count() == 2


async def test_ending_one_of_ones_own_sessions_and_not_someone_elses(services: Services, ana: AgentView,
                                                                     bruno: AgentView) -> None:
    mine, other = await start(services, ana), await start(services, ana)
    brunos = await start(services, bruno)
    with pytest.raises(ActionError, match='That session has already ended.'):
        await services.sessions.end_session(ana, session_id(brunos))
    assert services.sessions.check(brunos) == bruno
    await services.sessions.end_session(ana, session_id(other))
    assert services.sessions.check(other) is None and services.sessions.check(mine) == ana
    with pytest.raises(ActionError, match='That session has already ended.'):
        await services.sessions.end_session(ana, session_id(other))
    assert await services.sessions.end_other_sessions(ana, mine) == 0


@pytest.mark.parametrize(('kind', 'reason'), [(EventKind.ACCOUNT_DISABLED, Ended.DISABLED),
                                              (EventKind.ACCOUNT_ROLE_CHANGED, Ended.ROLE_CHANGED),
                                              (EventKind.PASSWORD_RESET, Ended.PASSWORD_RESET)])
async def test_a_leads_account_event_ends_all_the_accounts_sessions(services: Services, ana: AgentView,
                                                                     bruno: AgentView, lead: AgentView,
                                                                     kind: EventKind, reason: Ended) -> None:
    anas = [await start(services, ana) for _ in range(2)]
    brunos = await start(services, bruno)
    async with services.game.unit_of_work() as work:
        await work.record(kind, agent_id=lead.id, data={'id': ana.id, 'username': ana.username, 'by': lead.id})
    assert [services.sessions.check(token) for token in anas] == [None, None]  # at once, in memory
    assert services.sessions.check(brunos) == bruno
    await services.sessions.settle()
    assert {row.revoked_reason for row in await LoginSession.filter(agent_id=ana.id)} == {reason.value}


async def test_a_password_change_event_spares_the_session_it_was_made_from(services: Services,
                                                                           ana: AgentView) -> None:
    kept, other = await start(services, ana), await start(services, ana)
    async with services.game.unit_of_work() as work:
        await work.record(EventKind.PASSWORD_CHANGED, agent_id=ana.id, data={
            'id': ana.id, 'username': ana.username, 'by': ana.id, 'session': session_id(kept)})
    assert (services.sessions.check(kept), services.sessions.check(other)) == (ana, None)


async def test_an_account_event_a_crash_kept_from_revoking_is_applied_at_start(services: Services, ana: AgentView,
                                                                                lead: AgentView) -> None:
    token = await start(services, ana)
    services.game.committed.unsubscribe(services.sessions.on_committed)  # as if the process died after the commit
    async with services.game.unit_of_work() as work:
        await work.record(EventKind.PASSWORD_RESET, agent_id=lead.id, data={'id': ana.id, 'by': lead.id})
    assert (await stored(token)).revoked_at is None
    await restarted(services)
    assert services.sessions.check(token) is None
    assert (await stored(token)).revoked_reason == Ended.PASSWORD_RESET.value


async def test_changing_ones_password(services: Services, ana: AgentView) -> None:
    here, elsewhere = await start(services, ana), await start(services, ana)
    before = (await Agent.get(id=ana.id)).password_hash
    with pytest.raises(ActionError, match='The current password is not right.'):
        await services.sessions.change_password(ana, here, current='wrong', new='a long new passphrase',
                                                repeated='a long new passphrase', address='10.0.0.7')
    with pytest.raises(ActionError, match='The two new passwords are not the same.'):
        await services.sessions.change_password(ana, here, current='demo', new='a long new passphrase',
                                                repeated='another passphrase', address='10.0.0.7')
    with pytest.raises(ActionError, match='Your session has ended'):
        await services.sessions.change_password(ana, 'a stolen guess', current='demo', new='a long new passphrase',
                                                repeated='a long new passphrase', address='10.0.0.7')
    assert (await Agent.get(id=ana.id)).password_hash == before
    assert not await StoredEvent.filter(kind=EventKind.PASSWORD_CHANGED.value).exists()
    assert services.sessions.check(elsewhere) == ana

    await services.sessions.change_password(ana, here, current='demo', new='a long new passphrase',
                                            repeated='a long new passphrase', address='10.0.0.7')
    event = await StoredEvent.get(kind=EventKind.PASSWORD_CHANGED.value)
    assert event.agent_id == ana.id
    assert event.data == {'id': ana.id, 'username': 'ana', 'by': ana.id, 'session': session_id(here)}
    assert (services.sessions.check(here), services.sessions.check(elsewhere)) == (ana, None)
    assert (await stored(elsewhere)).revoked_reason == Ended.PASSWORD_CHANGED.value
    assert await services.auth.authenticate('ana', 'a long new passphrase') == ana
    assert await services.auth.authenticate('ana', 'demo') is None


async def restarted(services: Services) -> None:
    """Replace the sessions service by a new one loaded from the table, as a restart does."""
    old = services.sessions
    await old.settle()
    services.sessions = SessionService(clock=old.clock, directory=old.directory, game=old.game, auth=old.auth,
                                       policy=old.policy)
    await services.sessions.load()


@pytest.mark.parametrize(('act', 'reason'), [
    (lambda s, lead, ana: s.accounts.disable(lead, ana.id), Ended.DISABLED),
    (lambda s, lead, ana: s.accounts.change_role(lead, ana.id, 'lead'), Ended.ROLE_CHANGED),
    (lambda s, lead, ana: s.accounts.reset_password(lead, ana.id, 'a new password for ana'), Ended.PASSWORD_RESET),
])
async def test_a_leads_account_management_ends_the_accounts_sessions(services: Services, ana: AgentView,
                                                                     lead: AgentView, act: AccountAction,
                                                                     reason: Ended) -> None:
    token = await start(services, ana)
    leads = await start(services, lead)
    await act(services, lead, ana)
    assert services.sessions.check(token) is None and services.sessions.check(leads) == lead
    await services.sessions.settle()
    assert (await stored(token)).revoked_reason == reason.value
