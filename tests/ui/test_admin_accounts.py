"""The leads' accounts page through NiceGUI's simulated users: create an account and log in with it, disable it and
its login is refused, set a new password, change a role, unlock; refusals shown in the form, nothing written."""
from collections.abc import Callable

from nicegui.testing import User

from models import Agent, StoredEvent
from tests.ui.support import agent, log_in, notified, running, services, set_value, until

PASSWORD = 'correct horse battery'


async def open_accounts(user: User) -> None:
    await log_in(user, 'lead')
    user.find(marker='admin-accounts-link').click()
    await user.should_see(marker='account-ana', retries=50)


async def test_a_lead_creates_an_account_that_logs_in(create_user: Callable[[], User]) -> None:
    lead, rita = create_user(), create_user()
    await open_accounts(lead)
    lead.find(marker='new-account').click()
    lead.find(marker='account-username').type('rita')
    lead.find(marker='account-name').type('Rita Real')
    set_value(lead, 'account-team', next(iter(services().directory.teams)))
    lead.find(marker='account-password').type('short')
    lead.find(marker='account-create').click()
    await lead.should_see('The password is too short: at least 12 characters.', retries=50)
    assert not await Agent.exists(username='rita')
    lead.find(marker='account-username').clear().type('ana')
    lead.find(marker='account-password').clear().type(PASSWORD)
    lead.find(marker='account-create').click()
    await lead.should_see("The username 'ana' is taken.", retries=50)
    lead.find(marker='account-username').clear().type('rita')
    lead.find(marker='account-create').click()
    await lead.should_see(marker='account-rita', retries=50)
    await lead.should_see('Rita Real')
    event = await StoredEvent.filter(kind='account_created').get()
    assert event.agent_id == agent('lead').id and event.data['username'] == 'rita'

    await log_in(rita, 'rita', PASSWORD)
    await rita.should_see('Rita Real', retries=50)


async def test_a_disabled_account_is_refused_at_login_and_enabled_again(create_user: Callable[[], User]) -> None:
    lead, ana = create_user(), create_user()
    ana_id = agent('ana').id
    await log_in(ana, 'ana')
    await open_accounts(lead)
    lead.find(marker='toggle-ana').click()
    await lead.should_see('Ana Ozola is disabled', retries=50)
    await until(lambda: services().directory.agent(ana_id) is None, message='ana to leave the directory')
    await lead.should_see(marker='status-ana', content='disabled', retries=50)
    await ana.open('/')  # logged in before: the page no longer lets her in
    await ana.should_see(marker='login', retries=50)
    await until(lambda: not running('navigate'), message='the redirect to the login page to end')
    ana.find(marker='username').type('ana')  # on the login page she was sent to
    ana.find(marker='password').type('demo')
    ana.find(marker='login').click()
    await until(lambda: notified(ana, 'Wrong username or password.') == 1, message='the login to be refused')
    lead.find(marker='toggle-ana').click()
    await lead.should_see('Ana Ozola is enabled again', retries=50)
    await lead.should_see(marker='status-ana', content='active', retries=50)
    # her session ended with the disabling (services/platform/sessions.py); enabled again, her password works
    assert await services().auth.authenticate('ana', 'demo') is not None
    assert await StoredEvent.filter(kind__in=['account_disabled', 'account_enabled']).count() == 2


async def test_a_lead_sets_a_new_password(create_user: Callable[[], User]) -> None:
    lead, ana = create_user(), create_user()
    await open_accounts(lead)
    lead.find(marker='reset-ana').click()
    await lead.should_see('New password for Ana Ozola', retries=50)
    lead.find(marker='new-password').type('\x07' * 13)
    lead.find(marker='password-save').click()
    await lead.should_see('The password holds a control character: type it again.', retries=50)
    lead.find(marker='new-password').clear().type(PASSWORD)
    lead.find(marker='password-save').click()
    await lead.should_see('Ana Ozola has a new password', retries=50)
    event = await StoredEvent.filter(kind='password_reset').get()
    assert event.data == {'id': agent('ana').id, 'username': 'ana', 'by': agent('lead').id}
    await log_in(ana, 'ana', PASSWORD)


async def test_a_lead_changes_a_role_but_never_their_own(user: User) -> None:
    await open_accounts(user)
    user.find(marker='role-change-ana').click()
    await user.should_see('Ana Ozola is now a lead', retries=50)
    await user.should_see(marker='role-ana', content='lead', retries=50)
    assert agent('ana').is_lead and agent('ana').id not in {a.id for a in services().directory.floor()}
    own_role, own_account = (user.find(marker=f'{action}-lead').elements.pop() for action in ('role-change', 'toggle'))
    assert own_role.props.get('disable') and own_account.props.get('disable')  # and the service refuses them too


async def test_a_lead_unlocks_a_locked_account(user: User) -> None:
    for attempt in range(5):
        assert await services().auth.authenticate('bruno', f'guess {attempt}') is None
    await open_accounts(user)
    await user.should_see(marker='locked-bruno', retries=50)
    user.find(marker='unlock-bruno').click()
    await user.should_see('Bruno Dubois can log in again', retries=50)
    assert not services().auth.locked('bruno')
    event = await StoredEvent.filter(kind='account_unlocked').get()
    assert event.agent_id == agent('lead').id and event.data['username'] == 'bruno'


async def test_hostile_text_in_the_account_forms_is_refused_and_writes_nothing(user: User) -> None:
    await open_accounts(user)
    events_before, accounts_before = await StoredEvent.all().count(), await Agent.all().count()
    user.find(marker='new-account').click()
    user.find(marker='account-username').type('x' * 100_000)
    user.find(marker='account-password').type(PASSWORD)
    user.find(marker='account-create').click()
    await user.should_see('Username: too long (100000 characters, at most 64).', retries=50)
    user.find(marker='account-username').clear().type('rita')
    user.find(marker='account-name').type('Rita\x00')
    user.find(marker='account-create').click()
    await user.should_see('Display name: holds a character it may not hold (U+0000 at position 5)', retries=50)
    user.find(marker='account-name').clear().type('Rita\u202e Real')
    user.find(marker='account-password').clear().type('p' * 100_000)
    user.find(marker='account-create').click()
    await user.should_see('The password is too long: at most 1024 characters.', retries=50)
    assert (await StoredEvent.all().count(), await Agent.all().count()) == (events_before, accounts_before)
