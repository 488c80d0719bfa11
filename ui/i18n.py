"""Which language each tab speaks, and the menu a person chooses it from (issue 16).

A tab's language is decided when its page is built: the account's choice (logged in), else this browser's choice (the
``deskquest_language`` cookie, set by ``/language/{code}``), else the browser's ``Accept-Language``, else English. It is
kept per NiceGUI client, and the resolver installed here answers ``services/domain/i18n.py``'s ``_()`` from the client
of the moment (``context.client``): in the page builder, its event handlers and its timers alike. Outside any tab
(an app timer, a background task) there is no client and the text is English unless the caller says whose language.

Two layers besides the app's own catalogs follow the tab's language once its socket connects: Quasar's texts (the pack
is loaded and set in the browser: NiceGUI loads one pack per route) and NiceGUI's "Connection lost" popup, whose texts
come from our catalogs (NiceGUI has none in Latvian or Dutch).
"""
import json
import weakref
from collections.abc import Callable
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Client, __version__, app, context, ui

from services.container import Services
from services.domain.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, install_resolver, negotiate, speaking, supported
from services.platform.directory import AgentView
from ui.actions import attempt

COOKIE = 'deskquest_language'  # this browser's choice, before a login and after a logout (not a secret)
COOKIE_SECONDS = 365 * 24 * 3600
QUASAR_PACKS = {'en': 'en-US', 'fr': 'fr', 'nl': 'nl', 'lv': 'lv'}  # nicegui/static/lang/<pack>.umd.prod.js

_tab_languages: 'weakref.WeakKeyDictionary[Client, str]' = weakref.WeakKeyDictionary()


def register(services: Services) -> None:
    """Install the resolver and the route that remembers a browser's choice; called once from ui/pages.py."""
    install_resolver(tab_language)
    https = services.settings.https

    @app.get('/language/{code}', include_in_schema=False)
    def choose_language(code: str, next: str = '/') -> RedirectResponse:
        """Remember this browser's language and go back to the page it was chosen on (a path of this site only)."""
        target = next if next.startswith('/') and not next.startswith('//') and '\\' not in next else '/'
        response = RedirectResponse(target, status_code=303)
        if code in LANGUAGES:
            response.set_cookie(COOKIE, code, max_age=COOKIE_SECONDS, path='/', samesite='lax', secure=https,
                                httponly=True)
        return response


def tab_language() -> str | None:
    """The language of the tab whose code is running, None outside any tab."""
    try:
        client = context.client
    except RuntimeError:  # no slot: an app timer, a background task, start-up
        return None
    if (language := _tab_languages.get(client)) is None:
        try:
            request = client.request
        except RuntimeError:  # a client made without a request (a script, a test outside any page): no browser
            return None
        language = speak(client, browser_language(request))
    return language


def browser_language(request: Request | None) -> str:
    """This browser's choice (cookie), else its ``Accept-Language``'s best match, else English."""
    if request is None:
        return DEFAULT_LANGUAGE
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get('accept-language'))


def speak(client: Client, language: str) -> str:
    """Make ``client``'s tab speak ``language``: the app's texts from now on, Quasar's and the reconnect popup's once
    its socket connects (again at each reconnect)."""
    first = client not in _tab_languages
    _tab_languages[client] = language = supported(language)
    if first:
        client.on_connect(lambda: _dress_browser(client))
    return language


def speak_for(agent: AgentView) -> None:
    """The tab being built is ``agent``'s: their account's language, else their browser's (page_visitor calls it)."""
    client = context.client
    speak(client, agent.language or browser_language(client.request))


def _dress_browser(client: Client) -> None:
    language = _tab_languages.get(client, DEFAULT_LANGUAGE)
    with speaking(language):
        lost, retrying = _('Connection lost.'), _('Trying to reconnect…')
    pack = QUASAR_PACKS[language]
    request = client.request
    prefix = request.headers.get('X-Forwarded-Prefix', request.scope.get('root_path', '')) if request else ''
    source = f'{prefix}/_nicegui/{__version__}/static/lang/{pack}.umd.prod.js'
    client.run_javascript(f'''
        (() => {{
            const texts = document.querySelectorAll('#popup span');
            if (texts.length >= 2) {{
                texts[0].textContent = {json.dumps(lost)};
                texts[1].textContent = {json.dumps(retrying)};
            }}
            const pack = {json.dumps(pack)};
            const use = () => window.Quasar.Lang.set(window.Quasar.Lang[pack]);
            if (window.Quasar.Lang[pack]) {{ use(); return; }}
            const script = document.createElement('script');
            script.src = {json.dumps(source)};
            script.onload = use;
            document.head.appendChild(script);
        }})();
    ''')


def language_menu(services: Services, *, actor: Callable[[], AgentView | None] | None = None,
                  dark: bool = True) -> None:
    """The header's language button: the current language's code, a menu of the four. A logged-in person's choice is
    kept with their account (an event, every browser of theirs follows it), and every choice with this browser."""
    current = tab_language() or DEFAULT_LANGUAGE
    client = context.client
    path = client.request.url.path if client.request else '/'

    async def choose(code: str) -> None:
        if actor is not None:
            if (who := actor()) is None:
                return
            if not await attempt(services.accounts.set_language(who, code)):
                return
        ui.navigate.to(f'/language/{code}?next={quote(path)}')  # the page again, built in the new language

    # the code alone, round like the header's icons: the lead's header is full at 1366 px
    with ui.button(current.upper()).props(f'flat round dense {"color=white" if dark else ""}') \
            .tooltip(f'{_("Language")}: {LANGUAGES[current]}').mark('language-menu'), ui.menu():
        for code, name in LANGUAGES.items():
            ui.menu_item(name, on_click=lambda code=code: choose(code)).mark(f'language-{code}') \
                .classes('font-bold' if code == current else '')
