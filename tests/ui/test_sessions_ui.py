"""Login sessions through NiceGUI's simulated users: a new browser id and session at login, logging out, the account
page's sessions and password change, and tabs of an ended session sent to the login page."""
import base64
import json
from collections.abc import Callable
from datetime import timedelta

from nicegui import background_tasks
from nicegui.testing import User

from models import StoredEvent
from services.domain.sessions import Ended
from services.platform.clock import ManualClock
from services.platform.sessions import session_id
from tests.ui.support import agent, log_in, services, stays, until
from ui.login import Handoffs
from ui.session import ENDED_NOTICE, tabs_for

FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'


def cookie(user: User) -> dict:
    """What NiceGUI's signed session cookie holds (its first part is base64 JSON; the rest is the signature)."""
    payload = user.http_client.cookies['session'].split('.')[0]
    return json.loads(base64.b64decode(payload + '=' * (-len(payload) % 4)))


def follows_pushed_navigation(user: User) -> None:
    """Let the simulated user's current page follow a navigation the server pushes to it (``client.open``), as a
    browser does; the simulation itself only follows ``ui.navigate.to`` from the user's own actions."""
    outbox = user.client.outbox
    enqueue = outbox.enqueue_message

    def enqueue_and_follow(message_type: str, data: dict, target_id: str) -> None:
        enqueue(message_type, data, target_id)
        if message_type == 'open':
            background_tasks.create(user.open(data['path']), name=f'navigate to {data["path"]}')
    outbox.enqueue_message = enqueue_and_follow  # type: ignore[method-assign]


def live_tokens(username: str) -> list[str]:
    return [view.id for view in services().sessions.active(agent(username).id)]


async def test_a_login_gives_the_browser_a_new_id_and_a_session_and_logging_out_ends_it(user: User) -> None:
    await user.open('/login')
    before = cookie(user)
    assert set(before) == {'id'}  # a visitor: a browser id, no session
    await log_in(user, 'ana')
    after = cookie(user)
    assert after['id'] != before['id']  # rotated: a copy of the old cookie holds nothing
    assert services().sessions.check(after['session']) == agent('ana')
    user.find(marker='logout').click()
    await user.should_see(marker='login', retries=50)
    assert services().sessions.check(after['session']) is None
    await user.open('/')  # the old cookie, still in this browser, lets nobody in
    await user.should_see(marker='login', retries=50)


async def test_a_login_code_is_used_once_and_only_by_the_browser_that_typed_the_password() -> None:
    handoffs = Handoffs()
    code = handoffs.offer(7, browser='mine')
    assert handoffs.take(code, browser='someone else') is None
    assert handoffs.take(code, browser='mine') is None  # a code tried by another browser is spent
    code = handoffs.offer(7, browser='mine')
    assert handoffs.take(code, browser='mine') == 7
    assert handoffs.take(code, browser='mine') is None


async def test_an_unknown_login_code_leads_back_to_the_login_page(user: User) -> None:
    await user.open('/login/complete?code=guessed')
    await user.should_see(marker='login', retries=50)
    assert set(cookie(user)) == {'id'}


async def test_the_account_page_lists_the_sessions_and_ends_them(user: User) -> None:
    ana = agent('ana')
    elsewhere = [await services().sessions.start(ana, user_agent=FIREFOX, address='10.1.2.3') for _ in range(2)]
    await log_in(user, 'ana')
    user.find(marker='account-link').click()
    await user.should_see('Your sessions', retries=50)
    await user.should_see(marker='this-browser')
    await user.should_see('Firefox on Windows')
    assert len(user.find(marker='session-row').elements) == 3
    user.find(marker=f'end-session-{session_id(elsewhere[0])[:16]}').click()
    await user.should_see('Ended the session on Firefox on Windows.', retries=50)
    assert services().sessions.check(elsewhere[0]) is None
    await until(lambda: len(user.find(marker='session-row').elements) == 2, message='the ended session to go')
    user.find(marker='end-other-sessions').click()
    await user.should_see('Ended 1 other session.', retries=50)
    assert services().sessions.check(elsewhere[1]) is None
    assert len(live_tokens('ana')) == 1  # this browser's
    await user.should_see(marker='this-browser')


async def test_a_tab_whose_session_was_ended_elsewhere_goes_to_the_login_page(user: User) -> None:
    await log_in(user, 'ana')
    token = cookie(user)['session']
    follows_pushed_navigation(user)
    await services().sessions.end_all(agent('ana').id, Ended.DISABLED)  # a lead disabled the account, say
    await user.should_see(marker='session-ended', retries=50)  # the login page says why
    await user.should_see(ENDED_NOTICE)
    assert user.back_history[-1] == '/login?ended=1'
    assert services().sessions.check(token) is None


async def test_the_sweep_sends_the_tabs_of_an_idle_session_to_the_login_page(user: User) -> None:
    sessions = services().sessions
    clock = sessions.clock = ManualClock(sessions.clock.now())  # the app's sessions run on the wall clock
    await log_in(user, 'ana')
    await user.open('/trophies')
    follows_pushed_navigation(user)
    tabs_for(sessions).sweep()  # nothing to do: the session is live
    await stays(lambda: user.back_history[-1] == '/trophies', message='the live session\'s tab to stay')
    clock.advance(timedelta(minutes=sessions.policy.idle.total_seconds() / 60))
    tabs_for(sessions).sweep()  # what the application timer runs every SWEEP_SECONDS
    await user.should_see(marker='session-ended', retries=50)
    assert user.back_history[-1] == '/login?ended=1'


async def test_changing_ones_password_on_the_account_page(create_user: Callable[[], User]) -> None:
    user, other_browser = create_user(), create_user()
    await log_in(other_browser, 'ana')
    await log_in(user, 'ana')
    await user.open('/account')
    await user.should_see(marker='change-password', retries=50)
    user.find(marker='current-password').type('wrong guess')
    user.find(marker='new-password').type('a long new passphrase')
    user.find(marker='repeated-password').type('a long new passphrase')
    user.find(marker='change-password').click()
    await user.should_see('The current password is not right.', retries=50)
    assert not await StoredEvent.filter(kind='password_changed').exists()
    user.find(marker='current-password').type('demo')
    user.find(marker='change-password').click()
    await user.should_see('Your password was changed; your other sessions were ended.', retries=50)
    assert await StoredEvent.filter(kind='password_changed').count() == 1
    assert len(live_tokens('ana')) == 1 and services().sessions.check(cookie(user)['session']) == agent('ana')
    assert services().sessions.check(cookie(other_browser)['session']) is None
    assert await services().auth.authenticate('ana', 'a long new passphrase') == agent('ana')
