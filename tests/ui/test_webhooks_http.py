"""``POST /webhooks/{token}`` over HTTP through the app main.py serves (issue 14): the route is answered in front of
NiceGUI's middlewares, yet every answer is the one the issue asks for, with the security headers every response
carries, and no helpdesk gets a browser session."""
import hashlib
import hmac
from pathlib import Path

import httpx
from nicegui import app
from nicegui.testing import User

from models import Delivery
from services.helpdesk.connections import MAX_BODY
from tests.ui.support import services

FIXTURES = Path(__file__).parent.parent / 'fixtures' / 'webhooks'
SECURITY_HEADERS = {'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin'}


def signed(secret: str, body: bytes, delivery: str) -> dict[str, str]:
    timestamp = str(int(services().connections.wall.now().timestamp()))  # the helpdesk signs by the wall clock
    signature = hmac.new(secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
    return {'X-Chatwoot-Signature': f'sha256={signature}', 'X-Chatwoot-Timestamp': timestamp,
            'X-Chatwoot-Delivery': delivery, 'Content-Type': 'application/json'}


def assert_served_safely(response: httpx.Response) -> None:
    """The security headers of every response, and no session cookie for a helpdesk."""
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert "frame-ancestors 'none'" in response.headers['content-security-policy']
    assert 'set-cookie' not in response.headers


async def test_the_webhook_route_answers_through_the_served_app(user: User) -> None:
    made = await services().connections.connect('chatwoot', 'Support EU')
    url, secret = made.connection.url_path, made.secret
    body = (FIXTURES / 'chatwoot' / 'conversation_created.json').read_bytes()
    users_before = len(app.storage._users)  # noqa: SLF001 - NiceGUI's per-session storages: none for a helpdesk

    response = await user.http_client.post(url, content=body, headers=signed(secret, body, 'http-1'))
    assert (response.status_code, response.json()) == (200, {'status': 'ok', 'message': 'applied'})
    assert_served_safely(response)
    response = await user.http_client.post(url, content=body, headers=signed(secret, body, 'http-1'))
    assert response.status_code == 200 and 'already received' in response.json()['message']  # the retry

    response = await user.http_client.post(url, content=body, headers=signed('not the secret', body, 'http-2'))
    assert response.status_code == 401 and response.json()['status'] == 'refused'
    assert_served_safely(response)
    broken = b'{"event": "conversation_created",'
    response = await user.http_client.post(url, content=broken, headers=signed(secret, broken, 'http-3'))
    assert response.status_code == 400 and 'not JSON' in response.json()['message']
    huge = b' ' * (MAX_BODY + 1)
    response = await user.http_client.post(url, content=huge, headers=signed(secret, huge, 'http-4'))
    assert response.status_code == 413
    assert_served_safely(response)
    kept = await Delivery.filter(connection_id=made.connection.id).order_by('id')
    assert [delivery.status for delivery in kept] == ['applied', 'failed', 'failed', 'failed']  # refused: kept to see

    response = await user.http_client.post('/webhooks/not-a-token', content=body, headers=signed(secret, body, 'x'))
    assert response.status_code == 404
    assert_served_safely(response)
    response = await user.http_client.get(url)
    assert response.status_code == 405 and response.headers['allow'] == 'POST'
    assert_served_safely(response)
    assert len(app.storage._users) == users_before  # noqa: SLF001

    page = await user.http_client.get('/login')  # the rest of the app still behind its middlewares: a session
    assert page.status_code == 200 and 'session=' in page.headers['set-cookie']
