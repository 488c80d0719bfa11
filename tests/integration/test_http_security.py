"""The web layer's defences on a small app over ASGI: HSTS and the Secure cookie behind HTTPS, the kiosk's framing,
and the websocket's origin check (the served app is checked end to end in tests/e2e/test_web_security.py)."""
import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from services.platform.settings import Settings
from ui.http_security import HSTS, OriginCheck, SecurityHeaders, session_cookie

HOST = {'HTTP_HOST': 'desk.example.com:8080'}


async def test_behind_https_every_response_asks_for_https_and_the_cookie_is_secure() -> None:
    headers, cookie = await answer(Settings(https=True), '/')
    assert headers['strict-transport-security'] == HSTS
    assert {'httponly', 'samesite=lax', 'secure'} <= cookie_flags(cookie)
    assert headers['x-frame-options'] == 'DENY'


async def test_over_http_there_is_no_hsts_and_the_cookie_is_not_secure() -> None:
    headers, cookie = await answer(Settings(), '/')
    assert 'strict-transport-security' not in headers
    assert {'httponly', 'samesite=lax'} <= cookie_flags(cookie) and 'secure' not in cookie_flags(cookie)


@pytest.mark.parametrize('path', ['/kiosk', '/kiosk/'])
async def test_only_the_kiosk_may_be_framed_and_only_by_the_listed_origins(path: str) -> None:
    settings = Settings(kiosk_frame_origins=('https://wall.example.com', 'https://tv.example.com'))
    kiosk, _ = await answer(settings, path)
    assert kiosk['content-security-policy'].endswith('frame-ancestors https://wall.example.com https://tv.example.com')
    assert 'x-frame-options' not in kiosk
    page, _ = await answer(settings, '/kiosk-other')
    assert page['content-security-policy'].endswith("frame-ancestors 'none'") and page['x-frame-options'] == 'DENY'


@pytest.mark.parametrize('origin, https, allowed', [
    ('http://desk.example.com:8080', False, True),
    ('https://desk.example.com:8080', False, True),  # a TLS proxy in front that keeps the Host header
    ('http://desk.example.com:8080', True, False),  # behind HTTPS a plain-HTTP page is not the app's own
    ('https://DESK.example.com:8080', True, True),
    ('http://desk.example.com', False, False),  # another port is another origin
    ('http://desk.example.com:8080.evil.example.net', False, False),
    ('http://evil.example.net', False, False),
    ('https://proxy.example.org', True, True),  # listed
    ('null', False, False),  # a sandboxed frame or a file: page
    ('http://desk.example.com:8080/path', False, False),
    ('http://[bad', False, False),
])
def test_the_websocket_accepts_only_its_own_origin_and_the_listed_ones(origin: str, https: bool,
                                                                       allowed: bool) -> None:
    check = OriginCheck(https=https, extra=('https://proxy.example.org',))
    assert check(origin, HOST) is allowed


def test_the_origin_check_needs_a_host_to_compare_with() -> None:
    assert not OriginCheck(https=False, extra=())('http://desk.example.com:8080', {})


async def answer(settings: Settings, path: str) -> tuple[httpx.Headers, str]:
    """The headers and the session cookie of one response of an app wrapped as main.py wraps DeskQuest."""
    async def page(request: Request) -> PlainTextResponse:
        request.session['seen'] = True
        return PlainTextResponse('ok')
    app = Starlette(routes=[Route(path, page)], middleware=[
        Middleware(SecurityHeaders, https=settings.https, kiosk_frame_origins=settings.kiosk_frame_origins),
        Middleware(SessionMiddleware, secret_key='test', **session_cookie(settings)),
    ])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://desk.example.com') as client:
        response = await client.get(path)
    assert response.status_code == 200
    return response.headers, response.headers['set-cookie']


def cookie_flags(cookie: str) -> set[str]:
    return {flag.strip().lower() for flag in cookie.split(';')[1:]}
