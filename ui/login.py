"""The login page, and the request that completes a login by giving the browser its new session cookie."""
import secrets
import time
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from services.container import Services
from services.domain.errors import ActionError
from services.domain.i18n import _
from simulation.demo import DEMO_PASSWORD, LEAD, TEAMS
from ui.i18n import language_menu
from ui.session import ENDED_NOTICE, current_agent, log_in, tabs_for

HANDOFF_SECONDS = 30.0  # real seconds for the browser to come back for its cookie after the password was checked


def register(services: Services) -> None:
    handoffs = Handoffs()
    tabs_for(services.sessions)  # the open tabs' watch over their sessions, made here: outside any page

    @ui.page('/login')
    def login_page(request: Request, ended: bool = False) -> None:
        """:param ended: sent here because the session of the page that was open ended (logged out elsewhere, ...)."""
        if current_agent(services) is not None:
            ui.navigate.to('/')
            return
        ui.page_title(_('DeskQuest · Log in'))
        # the address this page was requested from (behind a reverse proxy, uvicorn's proxy headers set it)
        address = request.client.host if request.client else None
        browser = request.session.get('id', '')  # NiceGUI's browser id: only this browser may complete the login
        ui.query('body').classes('bg-blue-grey-1')

        async def try_login() -> None:
            if not username.value.strip() or not password.value:
                ui.notify(_('Enter your username and password.'), type='warning')
                return
            try:
                agent = await services.auth.authenticate(username.value, password.value, address=address)
            except ActionError as refusal:  # too many failures lately, or a name no account can have
                password.set_value('')
                ui.notify(str(refusal), type='negative')
                return
            if agent is None:
                password.set_value('')
                ui.notify(_('Wrong username or password.'), type='negative')
                return
            # a websocket cannot set a cookie: the browser fetches its new session from complete_login
            # the code waits in this process's memory: dq_process has the proxy route the request back here
            ui.navigate.to(f'/login/complete?code={handoffs.offer(agent.id, browser=browser)}'
                           f'&dq_process={services.settings.process}')

        with ui.card().classes('absolute-center w-96 p-8 gap-4'):
            with ui.row().classes('w-full items-center gap-2'):
                ui.image('/assets/logo.svg').classes('w-10 h-10')
                ui.label('DeskQuest').classes('text-2xl font-bold')
                ui.space()
                language_menu(services, dark=False)
            ui.label(_('Support that levels up.')).classes('text-grey-7 -mt-3')
            if ended:
                ui.label(_(ENDED_NOTICE)).classes('text-warning text-sm').mark('session-ended')
            username = ui.input(_('Username')).props('outlined autofocus').classes('w-full').mark('username')
            password = ui.input(_('Password'), password=True, password_toggle_button=True) \
                .props('outlined').classes('w-full').mark('password').on('keydown.enter', try_login)
            ui.button(_('Log in'), on_click=try_login).classes('w-full').mark('login')
            if services.settings.demo:
                agents = ', '.join(username for members in TEAMS.values() for username, _, _ in members[:2])
                with ui.column().classes('gap-0 text-sm text-grey-8 bg-blue-grey-1 p-3 rounded w-full'):
                    ui.label(_('Demo floor')).classes('font-bold')
                    ui.label(_('Password for everyone: {password}').format(password=DEMO_PASSWORD))
                    ui.label(_('Lead: {username}').format(username=LEAD[0]))
                    ui.label(_('Agents: {usernames}, …').format(usernames=agents))

    @app.get('/login/complete', include_in_schema=False)
    async def complete_login(request: Request, code: str = '') -> RedirectResponse:
        """Start the session of a login the page checked, set the new session cookie and go on to the workspace; a
        code that is unknown, used, too old or from another browser leads back to the login page."""
        agent_id = handoffs.take(code, browser=request.session.get('id', ''))
        agent = services.directory.agent(agent_id) if agent_id is not None else None
        if agent is None:
            return RedirectResponse('/login', status_code=303)
        token = await services.sessions.start(agent, user_agent=request.headers.get('user-agent'),
                                              address=request.client.host if request.client else None)
        log_in(request, token)
        return RedirectResponse('/', status_code=303)


@dataclass(kw_only=True, slots=True)
class Handoffs:
    """Logins whose password the page checked (over its websocket), waiting for the browser's request for its cookie.

    A code is random, used once, expires after ``HANDOFF_SECONDS``, and only the browser that typed the password (its
    NiceGUI browser id) can use it: a code seen elsewhere (a proxy's log) logs nobody in, and no page can log a
    visitor into someone else's account.
    """
    waiting: dict[str, tuple[int, str, float]] = field(default_factory=dict)  # code -> agent, browser, deadline

    def offer(self, agent_id: int, *, browser: str) -> str:
        now = time.monotonic()  # a browser's round trip, in real time whatever the app's clock
        self.waiting = {code: entry for code, entry in self.waiting.items() if entry[2] > now}
        code = secrets.token_urlsafe(32)
        self.waiting[code] = (agent_id, browser, now + HANDOFF_SECONDS)
        return code

    def take(self, code: str, *, browser: str) -> int | None:
        agent_id, offered_to, deadline = self.waiting.pop(code, (None, '', 0.0))
        if agent_id is None or not browser or offered_to != browser or deadline < time.monotonic():
            return None
        return agent_id
