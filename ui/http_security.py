"""The web layer's defences: security headers on every HTTP response, the session cookie's flags, and the origins whose
pages may open the websocket. ``main.py`` calls :func:`install` once and passes :func:`session_cookie` to ``ui.run``."""
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from nicegui import core
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.platform.settings import Settings

log = logging.getLogger(__name__)

KIOSK_PATH = '/kiosk'
HSTS = 'max-age=31536000'  # a year; no includeSubDomains: DeskQuest does not own its neighbours on the domain
# The least NiceGUI 3 works under, each source tried away in Chromium (tests/e2e/test_web_security.py): it renders each
# page with inline scripts (its import map and the page's bootstrap, which carries the page's elements, so no fixed
# hash fits) and offers no nonce, hence 'unsafe-inline'; its nicegui.js evaluates JavaScript props, event handlers and
# run_javascript code with eval/new Function, hence 'unsafe-eval'. Styles: NiceGUI's inline <style> and the Tailwind
# browser build's injected style sheets and Quasar's style attributes. Quasar probes WebP support with a data: image.
# connect-src 'self' covers the same-origin websocket (ws: and wss: match 'self' in CSP 3).
POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
          "base-uri 'self'; form-action 'self'")


def install(app: FastAPI, settings: Settings, *, before_middleware: Mapping[str, ASGIApp] | None = None) -> None:
    """Add the header middleware to the app and restrict the websocket to the app's own origin and the allowed ones.

    NiceGUI creates its Socket.IO server with ``cors_allowed_origins='*'`` and offers no option for it; Engine.IO reads
    the attribute on every request and accepts a callable, which is its supported way to decide per request.

    ``before_middleware`` maps path prefixes to apps that answer every HTTP request under them in front of the whole
    middleware stack (NiceGUI's sessions included), with the security headers added all the same.
    """
    app.add_middleware(SecurityHeaders, https=settings.https, kiosk_frame_origins=settings.kiosk_frame_origins)
    core.sio.eio.cors_allowed_origins = OriginCheck(https=settings.https, extra=settings.allowed_origins)
    # Outside every middleware, ServerErrorMiddleware included: ui.run adds NiceGUI's after this call, and the error it
    # guards against leaves the outermost one. Starlette builds the stack once, at the first request or lifespan event.
    # NiceGUI's test fixtures run main.py once per test on the same app: the original builder is kept and wrapped afresh
    # each time (a wrapper of the previous run's wrapper would serve the previous run's services).
    build_middleware_stack = getattr(app, 'deskquest_build_middleware_stack', app.build_middleware_stack)
    app.deskquest_build_middleware_stack = build_middleware_stack  # type: ignore[attr-defined]
    direct = {prefix: SecurityHeaders(handler, https=settings.https, kiosk_frame_origins=())
              for prefix, handler in (before_middleware or {}).items()}
    app.build_middleware_stack = lambda: ByPrefix(direct, ClientGone(build_middleware_stack()))  # type: ignore


class ByPrefix:
    """HTTP requests whose path starts with one of the prefixes go to that prefix's app; everything else (other
    paths, the websocket, the lifespan) to ``rest``."""

    def __init__(self, apps: Mapping[str, ASGIApp], rest: ASGIApp) -> None:
        self.apps = tuple(apps.items())
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http':
            path = scope['path']
            for prefix, handler in self.apps:
                if path.startswith(prefix):
                    await handler(scope, receive, send)
                    return
        await self.rest(scope, receive, send)


def session_cookie(settings: Settings) -> dict[str, Any]:
    """Starlette's SessionMiddleware options for NiceGUI's session cookie (it always sets HttpOnly)."""
    return {'same_site': 'lax', 'https_only': settings.https}


class SecurityHeaders:
    """Pure ASGI middleware (not ``BaseHTTPMiddleware``, which buffers and costs a task per request): it adds the
    headers when a response starts and leaves the websocket alone."""

    def __init__(self, app: ASGIApp, *, https: bool, kiosk_frame_origins: tuple[str, ...]) -> None:
        self.app = app
        self.headers = security_headers(https=https, frame_origins=())
        self.kiosk_headers = security_headers(https=https, frame_origins=kiosk_frame_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        path = scope['path'].removeprefix(scope.get('root_path', '')).rstrip('/')
        headers = self.kiosk_headers if path == KIOSK_PATH else self.headers

        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                response_headers = MutableHeaders(scope=message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)
        await self.app(scope, receive, send_with_headers)


class ClientGone:
    """Starlette's ``BaseHTTPMiddleware`` (NiceGUI stacks four) raises ``RuntimeError('No response returned.')`` when
    a browser drops a request before its response starts (starlette#2516; a page left while its scripts load does it).
    Nobody is left to answer; the guard logs it at debug level instead of a traceback. Any other error passes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        disconnected = False

        async def watching_receive() -> Message:
            nonlocal disconnected
            message = await receive()
            disconnected = disconnected or message['type'] == 'http.disconnect'
            return message
        try:
            await self.app(scope, watching_receive, send)
        except RuntimeError as error:
            if not (disconnected and str(error) == 'No response returned.'):
                raise
            log.debug('%s %s: the client left before the response', scope.get('method'), scope.get('path'))


class OriginCheck:
    """Engine.IO's ``cors_allowed_origins`` callable: the page opening the socket must come from the host the request
    was sent to (https only when the app is served over HTTPS) or from one of the allowed origins. A request without
    an Origin header (not a browser) is not asked: Engine.IO lets it through."""

    def __init__(self, *, https: bool, extra: tuple[str, ...]) -> None:
        self.schemes = ('https',) if https else ('http', 'https')
        self.extra = frozenset(extra)

    def __call__(self, origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not origin:
            return False
        if origin in self.extra:
            return True
        host = environ.get('HTTP_HOST', '')
        try:
            url = urlsplit(origin)
        except ValueError:
            return False
        return bool(host) and url.scheme in self.schemes and url.netloc.lower() == host.lower() and not url.path


def security_headers(*, https: bool, frame_origins: tuple[str, ...]) -> dict[str, str]:
    """The headers of every response; ``frame_origins`` lists who may frame it (none: nobody)."""
    ancestors = ' '.join(frame_origins) or "'none'"
    headers = {
        'Content-Security-Policy': f'{POLICY}; frame-ancestors {ancestors}',
        'Referrer-Policy': 'same-origin',
        'X-Content-Type-Options': 'nosniff',
    }
    if not frame_origins:  # X-Frame-Options cannot name origins: where some may frame, frame-ancestors alone decides
        headers['X-Frame-Options'] = 'DENY'
    if https:
        headers['Strict-Transport-Security'] = HSTS
    return headers
