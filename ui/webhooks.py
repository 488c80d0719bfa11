"""``POST /webhooks/{token}``: where a connected helpdesk posts its deliveries (issue 14).

Not behind the browser session: the helpdesk proves itself by the connection's signature or secret. The raw bytes are
read with a cap (signatures are computed over them; more than 1 MiB is refused unread) and handed to the connection
service, which answers only after the delivery and what it changed are committed.
"""
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from nicegui import app

from services.container import Services
from services.helpdesk.connections import MAX_BODY


def register(services: Services) -> None:
    # a plain Starlette route, not a FastAPI one: there is nothing to validate or inject (the body is read raw), and
    # FastAPI's dependency solving and request telemetry cost more a request than checking the delivery's signature
    app.add_route('/webhooks/{token}', endpoint(services), methods=['POST'], include_in_schema=False)


def endpoint(services: Services) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The route's handler (bench/webhooks.py --http serves it too)."""

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
