"""Who is logged in on this browser, checked on every page and again inside every handler.

A login is a server-side session (services/platform/sessions.py). The browser holds its token in NiceGUI's signed
session cookie, beside NiceGUI's browser id; both are replaced at every login (:func:`log_in`), in the response to the
request that completes it (a websocket cannot set a cookie), so a cookie copied before a logout never works again.
The tabs showing a logged-in page are kept by session (:class:`OpenTabs`): when the session ends they go to the login
page, at once for a revocation and within ``SWEEP_SECONDS`` for an expiry.
"""
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from nicegui import Client, app, ui
from starlette.types import ASGIApp, Receive, Scope, Send

from services.container import Services
from services.domain.i18n import N_, _
from services.platform.directory import AgentView
from services.platform.sessions import SessionService, session_id
from ui.i18n import speak_for

SESSION_KEY = 'session'  # the login token's key in NiceGUI's session cookie (app.storage.browser)
SWEEP_SECONDS = 20.0  # how often the open tabs' sessions are checked for an expiry: well within the minute promised
ENDED_NOTICE = N_('Your session has ended. Please log in again.')  # shown through _(): the reader's language
ENDED_LOGIN = '/login?ended=1'  # the login page saying why (a notification does not outlive the navigation)


@dataclass(frozen=True, kw_only=True, slots=True)
class Visit:
    """The login a page was built for: the token its handlers prove themselves with, and its session's id."""
    token: str
    session: str


def current_agent(services: Services) -> AgentView | None:
    """Who this browser's session is for, while the request that builds a page is being answered."""
    return services.sessions.check(app.storage.browser.get(SESSION_KEY))


def page_visitor(services: Services, *, lead: bool | None = None, elsewhere: str = '/',
                 message: str | None = None) -> tuple[Visit, AgentView] | None:
    """Who is opening the page being built: their login and themselves. None after sending them away: to the login
    page when nobody is logged in, and to ``elsewhere`` (told ``message``, if given) when ``lead`` is given and they
    are not (``lead=True``) or are (``lead=False``) a lead.

    Hand the login to the page's handlers (:func:`handler_actor`): they must not look the cookie up again, as it
    follows the request of the moment, which for updates pushed from other tabs' actions is not this tab's.
    """
    token = app.storage.browser.get(SESSION_KEY)
    agent = services.sessions.check(token)
    if agent is None:
        ui.navigate.to('/login')
        return None
    if lead is not None and agent.is_lead != lead:
        if message:
            ui.notify(message, type='warning')
        ui.navigate.to(elsewhere)
        return None
    speak_for(agent)  # before any text of the page: the tab speaks the person's language (ui/i18n.py)
    visit = Visit(token=token, session=session_id(token))
    tabs_for(services.sessions).opened(visit.session, ui.context.client)
    return visit, agent


def log_in(request: Request, token: str) -> None:
    """Give this browser the session of ``token`` in the response to ``request``: a new NiceGUI browser id and the
    token, and nothing of the old browser id's storage (rotation: a copy of the old cookie holds nothing)."""
    app.storage.user.clear()  # the old browser id's (logins before sessions kept 'agent_id' there)
    request.session.clear()
    request.session['id'] = str(uuid.uuid4())
    request.session[SESSION_KEY] = token


async def log_out(services: Services, visit: Visit) -> None:
    """End this tab's session (its other tabs are sent to the login page) and go to the login page."""
    tabs_for(services.sessions).closed(visit.session, ui.context.client.id)
    await services.sessions.end(visit.token)
    ui.navigate.to('/login')


def handler_actor(services: Services, visit: Visit, agent: AgentView, *,
                  lead_only: str | None = None) -> Callable[[], AgentView | None]:
    """The check every handler of a page starts with (UI actions bypass HTTP middleware): the person the page was built
    for, their session still live, else None (told, and sent to the login page). With ``lead_only`` (the message),
    also None when they are no longer a lead."""
    def actor() -> AgentView | None:
        who = services.sessions.check(visit.token)
        if who is None or who.id != agent.id:
            ui.notify(_(ENDED_NOTICE), type='warning')
            ui.navigate.to(ENDED_LOGIN)
            return None
        if lead_only is not None and not who.is_lead:
            ui.notify(lead_only, type='negative')
            return None
        return who
    return actor


class OpenTabs:
    """The tabs showing a logged-in page, by session. A session's end (the sessions' ``ended`` event: a logout
    elsewhere, an account event, the account page) sends its tabs to the login page at once; one application timer
    (no timer per tab) finds the sessions that expired, idle or past their lifetime, and does the same."""

    def __init__(self, sessions: SessionService) -> None:
        self.sessions = sessions
        self.tabs: dict[str, dict[str, Client]] = {}  # session id -> client id -> client
        sessions.ended.subscribe(self.leave, unsubscribe_on_delete=False)  # for as long as the app runs, not a tab

    def opened(self, session: str, client: Client) -> None:
        self.tabs.setdefault(session, {})[client.id] = client
        client.on_delete(lambda: self.closed(session, client.id))

    def closed(self, session: str, client_id: str) -> None:
        clients = self.tabs.get(session, {})
        clients.pop(client_id, None)
        if not clients:
            self.tabs.pop(session, None)

    def sweep(self) -> None:
        """Send the tabs of every session that is no longer live to the login page."""
        self.leave(frozenset(session for session in list(self.tabs) if not self.sessions.alive(session)))

    def leave(self, sessions: frozenset[str]) -> None:
        for session in sessions:
            for client in list(self.tabs.pop(session, {}).values()):
                client.open(ENDED_LOGIN)  # what ui.navigate.to does in a tab's context; the login page says why


STATIC_PATHS = ('/_nicegui/', '/assets/')  # files a page loads: no login needed, no table read for them


class SessionRecall:
    """Pure ASGI middleware, inside NiceGUI's session middleware: before a page (or any request) is answered, a login
    another process started is taken from the table (``SessionService.recall``; PostgreSQL only), so every process
    recognises every login and the page's own synchronous checks stay dict lookups."""

    def __init__(self, app: ASGIApp, *, sessions: SessionService) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and not scope['path'].startswith(STATIC_PATHS) \
                and isinstance(cookie := scope.get('session'), dict):
            await self.sessions.recall(cookie.get(SESSION_KEY))
        await self.app(scope, receive, send)


_open_tabs: 'weakref.WeakKeyDictionary[SessionService, OpenTabs]' = weakref.WeakKeyDictionary()


def tabs_for(sessions: SessionService) -> OpenTabs:
    """The open tabs of these sessions; first called from ``login.register`` (outside any page, so that neither its
    subscription nor its timer belongs to a tab): it starts the sweep."""
    if sessions not in _open_tabs:
        _open_tabs[sessions] = tabs = OpenTabs(sessions)
        app.timer(SWEEP_SECONDS, tabs.sweep, immediate=False)
    return _open_tabs[sessions]
