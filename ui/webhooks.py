"""``POST /webhooks/{token}``: where a connected helpdesk posts its deliveries (issue 14).

Not behind the browser session: the helpdesk proves itself by the connection's signature or secret. The raw bytes are
read with a cap (signatures are computed over them; more than 1 MiB is refused unread) and handed to the connection
service, which answers only after the delivery and what it changed are committed.

Answered before NiceGUI's middleware stack (``main.py`` hands :func:`asgi_app` to ``http_security.install``): a helpdesk
has no session, yet NiceGUI's session and request-tracking middlewares gave every delivery a new session cookie and a
user storage (a file looked up on disk each time; the objects pruned every 10 s, thousands of them at a busy helpdesk's
rate), and its three ``BaseHTTPMiddleware`` layers cost a task and a copy of the response each: more CPU than the
delivery's own work (docs/PERFORMANCE.md). The security headers still go on every answer.
"""
from collections.abc import Awaitable, Callable

from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, Router
from starlette.types import ASGIApp

from services.container import Services
from services.helpdesk.connections import MAX_BODY

PREFIX = '/webhooks/'  # every path under it is answered by :func:`asgi_app` (unknown ones 404, other methods 405)


def asgi_app(services: Services) -> ASGIApp:
    """The webhook route as its own small ASGI app: an unknown path answers 404, another method 405 (Starlette's own
    answers), a crash a plain 500 (no 2xx: the helpdesk retries)."""
    router = Router(routes=[Route('/webhooks/{token}', endpoint(services), methods=['POST'])])
    return ServerErrorMiddleware(ExceptionMiddleware(router))


def endpoint(services: Services) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The route's handler."""

    async def webhook(request: Request) -> JSONResponse:
        return await answer(services, request.path_params['token'], request)
    return webhook


async def answer(services: Services, token: str, request: Request) -> JSONResponse:
    """One delivery, answered once the connection service has committed it."""
    body = await capped_body(request)
    status, message = await services.connections.receive(token, dict(request.headers), body)
    return JSONResponse({'status': 'ok' if status < 300 else 'refused', 'message': message}, status_code=status)


async def capped_body(request: Request) -> bytes:
    """The body's raw bytes, stopping one byte past the limit (the service then answers 413 without reading on)."""
    declared = request.headers.get('content-length', '')
    if declared.isdigit() and int(declared) > MAX_BODY:
        return b'\0' * (MAX_BODY + 1)  # declared too large: refused without reading it
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            break
    return bytes(body)
