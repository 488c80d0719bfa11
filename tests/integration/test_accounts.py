"""A lead's management of the accounts (issue 19): each change is an event with the lead as actor and reaches the
directory, the boards and the login at once; each refusal says why and writes nothing. Also the login's growing delay
and an account made by ``admin create`` while the server runs."""
from collections.abc import Awaitable, Callable

import pytest
from tortoise import Tortoise

from models import Agent, AgentScore, LedgerEntry, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.leaderboard import Period
from services.game.rebuild import differences, replay
from services.platform.accounts import AccountDraft, AccountService, create_account
from services.platform.auth import AuthService, LoginLimits, TooManyFailures
from services.platform.directory import AgentView

PASSWORD = 'correct horse battery'
Refused = Callable[[], Awaitable[object]]


async def test_a_lead_creates_an_account_that_logs_in_and_plays_at_once(services: Services, lead: AgentView) -> None:
    team_id = next(iter(services.directory.teams))
    created = await services.accounts.create(lead, AccountDraft(
        username=' Rita ', display_name='Rita  \u202eReal', role='agent', team_id=team_id, password=PASSWORD))
    assert (created.username, created.name, created.role, created.team_id, created.active, created.is_demo) == \
        ('rita', 'Rita Real', 'agent', team_id, True, False)
    event = await StoredEvent.filter(kind='account_created').get()
    assert event.agent_id == lead.id
    assert event.data == {'id': created.id, 'username': 'rita', 'by': lead.id, 'display_name': 'Rita Real',
                          'role': 'agent', 'team_id': team_id}
    stored = await Agent.get(id=created.id)
    assert stored.password_hash.startswith('$argon2id$') and stored.password_hash not in str(event.data)
    assert services.directory.agent(created.id) is not None
    assert created.id in {agent.id for agent in services.directory.floor()}
    await services.leaderboard.broadcast.settle()
    assert created.id in {row.agent_id for row in services.leaderboard.snapshot().unranked[Period.TODAY]} | \
        {row.agent_id for row in services.leaderboard.snapshot().agents[Period.TODAY]}
    agent = await services.auth.authenticate('rita', PASSWORD)
    assert agent is not None and agent.id == created.id and agent.team_name == services.directory.teams[team_id]
    assert [account.username for account in await services.accounts.accounts(lead)].count('rita') == 1


async def test_creating_refuses_bad_input_and_writes_nothing(services: Services, lead: AgentView) -> None:
    cases = {
        'The username \'ana\' is taken.': AccountDraft(username='ANA', password=PASSWORD),
        'The password is too short: at least 12 characters.': AccountDraft(username='sam', password='short'),
        'The password is too long': AccountDraft(username='sam', password='x' * 2000),
        'The password holds a control character': AccountDraft(username='sam', password=PASSWORD + '\x00'),
        "The role must be one of agent, lead, not 'admin'.": AccountDraft(username='sam', role='admin',
                                                                          password=PASSWORD),
        'There is no team #999.': AccountDraft(username='sam', team_id=999, password=PASSWORD),
        "The username 'no spaces' is not usable": AccountDraft(username='no spaces', password=PASSWORD),
        'Enter a username.': AccountDraft(username='  ', password=PASSWORD),
        'Display name: too long': AccountDraft(username='sam', display_name='x' * 121, password=PASSWORD),
    }
    for message, draft in cases.items():
        await refused(lambda d=draft: services.accounts.create(lead, d), message)
    assert not await Agent.exists(username='sam')


async def test_an_agent_can_manage_no_account(services: Services, ana: AgentView, bruno: AgentView) -> None:
    calls: dict[str, Refused] = {
        'see the accounts': lambda: services.accounts.accounts(ana),
        'create an account': lambda: services.accounts.create(ana, AccountDraft(username='sam', password=PASSWORD)),
        'disable an account': lambda: services.accounts.disable(ana, bruno.id),
        'enable an account': lambda: services.accounts.enable(ana, bruno.id),
        'reset a password': lambda: services.accounts.reset_password(ana, bruno.id, PASSWORD),
        'change a role': lambda: services.accounts.change_role(ana, bruno.id, 'lead'),
    }
    for what, call in calls.items():
        await refused(call, f'Only a lead can {what}.')


async def test_a_disabled_account_cannot_log_in_leaves_the_floor_and_keeps_its_points(
        services: Services, lead: AgentView, ana: AgentView) -> None:
    await services.leaderboard.broadcast.settle()
    services.leaderboard.snapshot()
    score_before = await AgentScore.filter(agent_id=ana.id).values_list('points', 'resolved', 'level')
    ledger_before = await LedgerEntry.filter(agent_id=ana.id).count()
    await services.accounts.disable(lead, ana.id)
    event = await StoredEvent.filter(kind='account_disabled').get()
    assert event.agent_id == lead.id and event.data == {'id': ana.id, 'username': 'ana', 'by': lead.id}
    assert services.directory.agent(ana.id) is None and ana.id not in {a.id for a in services.directory.floor()}
    await services.leaderboard.broadcast.settle()
    snapshot = services.leaderboard.snapshot()
    on_boards = {row.agent_id for period in Period for row in snapshot.agents[period] + snapshot.unranked[period]}
    assert ana.id not in on_boards
    assert await services.auth.authenticate('ana', 'demo') is None
    # the log and its projections keep her points
    assert await AgentScore.filter(agent_id=ana.id).values_list('points', 'resolved', 'level') == score_before
    assert await LedgerEntry.filter(agent_id=ana.id).count() == ledger_before
    await refused(lambda: services.accounts.disable(lead, ana.id), "Ana Ozola's account is disabled already.")

    await services.accounts.enable(lead, ana.id)
    event = await StoredEvent.filter(kind='account_enabled').get()
    assert event.agent_id == lead.id and event.data == {'id': ana.id, 'username': 'ana', 'by': lead.id}
    assert services.directory.agent(ana.id) == ana
    assert await services.auth.authenticate('ana', 'demo') is not None
    await refused(lambda: services.accounts.enable(lead, ana.id), "Ana Ozola's account is enabled already.")
    await refused(lambda: services.accounts.disable(lead, 999_999), 'There is no account #999999.')
    await services.badges.settle()
    assert await differences(await replay()) == []  # the account events leave the projections as the log says


async def test_a_lead_sets_a_new_password_and_the_log_holds_no_secret(services: Services, lead: AgentView,
                                                                     ana: AgentView) -> None:
    await services.accounts.reset_password(lead, ana.id, PASSWORD)
    event = await StoredEvent.filter(kind='password_reset').get()
    assert event.agent_id == lead.id and event.data == {'id': ana.id, 'username': 'ana', 'by': lead.id}
    assert await services.auth.authenticate('ana', 'demo') is None
    assert await services.auth.authenticate('ana', PASSWORD) is not None
    await refused(lambda: services.accounts.reset_password(lead, ana.id, 'too short'),
                  'The password is too short: at least 12 characters.')
    assert await services.auth.authenticate('ana', PASSWORD) is not None


async def test_roles_change_and_the_floor_follows(services: Services, lead: AgentView, ana: AgentView) -> None:
    await services.accounts.change_role(lead, ana.id, 'lead')
    event = await StoredEvent.filter(kind='account_role_changed').get()
    assert event.agent_id == lead.id
    assert event.data == {'id': ana.id, 'username': 'ana', 'by': lead.id, 'role_before': 'agent', 'role': 'lead'}
    promoted = services.directory.agent(ana.id)
    assert promoted is not None and promoted.is_lead and ana.id not in {a.id for a in services.directory.floor()}
    await refused(lambda: services.accounts.change_role(lead, ana.id, 'lead'), 'Ana Ozola is a lead already.')
    await refused(lambda: services.accounts.change_role(lead, ana.id, 'boss'),
                  "The role must be one of agent, lead, not 'boss'.")
    await services.accounts.change_role(promoted, lead.id, 'agent')  # another lead remains: ana
    assert services.directory.agent(lead.id).role == 'agent'  # type: ignore[union-attr]
    await refused(lambda: services.accounts.change_role(promoted, ana.id, 'agent'),
                  'You cannot change your own role: ask another lead.')


async def test_the_floor_never_loses_its_last_lead(services: Services, lead: AgentView, ana: AgentView) -> None:
    await refused(lambda: services.accounts.disable(lead, lead.id), 'You cannot disable your own account')
    await refused(lambda: services.accounts.change_role(lead, lead.id, 'agent'), 'You cannot change your own role')
    rita = await services.accounts.create(lead, AccountDraft(username='rita', display_name='Rita', role='lead',
                                                                password=PASSWORD))
    rita_view = services.directory.agent(rita.id)
    assert rita_view is not None
    # outside demo mode the demo lead cannot log in: rita is the last lead who can, and the demo lead cannot remove her
    production = AccountService(directory=services.directory, auth=services.auth, game=services.game,
                                demo_mode=False)
    await refused(lambda: production.disable(lead, rita.id),
                  'You cannot disable Rita: they are the last lead who can log in.')
    await refused(lambda: production.change_role(lead, rita.id, 'agent'),
                  'You cannot make an agent of Rita: they are the last lead who can log in.')
    # in the demo both can: one may remove the other, never the last
    await services.accounts.disable(lead, rita.id)
    await services.accounts.enable(lead, rita.id)
    await services.accounts.change_role(rita_view, lead.id, 'agent')
    await refused(lambda: services.accounts.change_role(lead, rita.id, 'agent'), 'Only a lead can change a role.')


async def test_refusals_grow_the_delay_up_to_thirty_seconds(services: Services, lead: AgentView) -> None:
    waited: list[float] = []

    async def note(seconds: float) -> None:
        waited.append(seconds)

    auth = AuthService(directory=services.directory, hasher=services.auth.hasher, demo_mode=True, game=services.game,
                       sleep=note)
    try:
        for attempt in range(5):
            assert await auth.authenticate('ana', f'guess {attempt}', address='10.0.0.1') is None
        assert waited == []  # failures are answered at once; only refusals wait
        for _ in range(8):
            with pytest.raises(TooManyFailures, match='Try again in 15 minutes'):
                await auth.authenticate('ana', 'demo', address='10.0.0.1')
        assert waited == [1, 2, 4, 8, 16, 30, 30, 30]
        auth.limits.unlock('ana')
        assert await auth.authenticate('ana', 'demo', address='10.0.0.1') is not None
        for attempt in range(5):
            await auth.authenticate('ana', f'guess {attempt}', address='10.0.0.2')
        with pytest.raises(TooManyFailures):
            await auth.authenticate('ana', 'demo', address='10.0.0.2')
        assert waited[-1] == 1  # a new lock starts over
    finally:
        auth.close()


async def test_an_address_refused_in_a_row_waits_longer_too(services: Services) -> None:
    waited: list[float] = []

    async def note(seconds: float) -> None:
        waited.append(seconds)

    auth = AuthService(directory=services.directory, hasher=services.auth.hasher, demo_mode=True, game=services.game,
                       limits=LoginLimits(per_address=LoginLimits().per_account), sleep=note)
    try:
        for attempt in range(5):
            await auth.authenticate(f'someone{attempt}', 'guess', address='192.0.2.7')
        for name in ('ana', 'bruno', 'ana'):
            with pytest.raises(TooManyFailures, match='from this address'):
                await auth.authenticate(name, 'demo', address='192.0.2.7')
        assert waited == [1, 2, 4]
    finally:
        auth.close()


async def test_hostile_login_names_get_a_clear_message(services: Services) -> None:
    with pytest.raises(ActionError, match=r'^Username: too long \(100000 characters, at most 64\)\.$'):
        await services.auth.authenticate('x' * 100_000, 'demo')
    with pytest.raises(ActionError, match=r'holds a character it may not hold \(U\+0000 at position 4\)'):
        await services.auth.authenticate('ana\x00', 'demo')
    assert await services.auth.authenticate('ana', 'broken \ud800 password') is None  # not encodable: just wrong


async def test_an_account_made_by_admin_create_logs_in_on_a_running_server(services: Services,
                                                                         lead: AgentView) -> None:
    created = await create_account(services.auth.hasher, username='sam', display_name='Sam Late', role='agent',
                                   password=PASSWORD)
    assert services.directory.agent(created.id) is None  # the server loaded its directory before
    agent = await services.auth.authenticate('sam', PASSWORD)
    assert agent is not None and agent.name == 'Sam Late' and services.directory.agent(created.id) == agent
    assert created.id in {a.id for a in services.directory.floor()}
    # one a lead disables before its first login stays out
    late = await create_account(services.auth.hasher, username='tom', display_name='', role='agent',
                                password=PASSWORD)
    await services.accounts.disable(lead, late.id)
    assert await services.auth.authenticate('tom', PASSWORD) is None and services.directory.agent(late.id) is None


async def test_closing_stops_the_hashing_threads(services: Services) -> None:
    auth = AuthService(directory=services.directory, hasher=services.auth.hasher, demo_mode=True, game=services.game)
    assert await auth.hash(PASSWORD)
    auth.close()
    with pytest.raises(RuntimeError, match='shutdown'):
        await auth.hash(PASSWORD)


async def refused(call: Refused, message: str) -> None:
    """``call`` is refused with a message starting with ``message``, and no row of any table changed."""
    before = await _rows()
    with pytest.raises(ActionError) as refusal:
        await call()
    assert str(refusal.value).startswith(message), str(refusal.value)
    assert await _rows() == before, f'written although refused: {message}'


async def _rows() -> dict[str, int]:
    return {model.__name__: await model.all().count()
            for app in Tortoise.apps.values() for model in app.values()}
