"""The login page's limits and a lead's unlock, through NiceGUI's simulated users."""
from nicegui.testing import User

from models import StoredEvent
from tests.ui.support import agent, log_in, notified, services, until

LOCKED = 'Too many failed logins for this account. Try again in 15 minutes.'


async def test_after_five_failures_the_account_is_refused_with_when_to_try_again(user: User) -> None:
    for attempt in range(5):
        await log_in(user, 'ana', f'guess {attempt}', succeeds=False)
        await until(lambda answers=attempt + 1: notified(user, 'Wrong username or password.') == answers,
                    message=f'wrong attempt {attempt + 1} to be answered')
    await log_in(user, 'ana', 'demo', succeeds=False)  # the right password, too late
    await user.should_see(LOCKED, retries=50)
    await user.should_see(marker='login')
    assert services().auth.locked('ana')


async def test_a_lead_unlocks_a_locked_account(user: User) -> None:
    ana, lead = agent('ana'), agent('lead')
    for attempt in range(5):
        assert await services().auth.authenticate('ana', f'guess {attempt}') is None
    await log_in(user, 'lead')
    await user.open('/admin/workspace')
    await user.should_see(marker=f'unlock-agent-{ana.id}', retries=50)
    user.find(marker=f'unlock-agent-{ana.id}').click()
    await user.should_see('Ana Ozola can log in again', retries=50)
    assert not services().auth.locked('ana')
    event = await StoredEvent.filter(kind='account_unlocked').get()
    assert event.agent_id == lead.id and event.data['id'] == ana.id
    user.find(marker=f'unlock-agent-{ana.id}').click()
    await user.should_see("Ana Ozola's account is not locked.", retries=50)
    assert await StoredEvent.filter(kind='account_unlocked').count() == 1
    assert await services().auth.authenticate('ana', 'demo') is not None


async def test_a_hostile_username_gets_the_fields_message_not_a_traceback(user: User) -> None:
    for name, message in (('x' * 100_000, 'Username: too long (100000 characters, at most 64).'),
                          ('ana\x00', 'Username: holds a character it may not hold (U+0000 at position 4)')):
        await log_in(user, name, 'a long passphrase', succeeds=False)
        await until(lambda text=message: notified(user, text) == 1, message=f'the refusal {message!r}')
    await user.should_see(marker='login')
