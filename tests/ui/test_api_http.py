"""The REST API over HTTP through the app main.py serves (issue 14): every path under /api/ is answered in front of
NiceGUI's middlewares, with the same answers as when it went through them (the docs and their assets under /api, the
OpenAPI document naming /api as its server, 401, 429 with Retry-After, streamed exports), the security headers every
response carries, and no browser session: no cookie, no NiceGUI user storage."""
import asyncio
import re
from datetime import date

from nicegui import app
from nicegui.testing import User
from starlette.types import Message

from models import Customer
from services.domain.events import Channel
from tests.ui.support import agent, services
from tests.ui.test_webhooks_http import assert_served_safely


async def test_the_api_answers_through_the_served_app_without_a_session(user: User) -> None:
    client = user.http_client
    token = (await services().api_tokens.create(agent('lead'), name='Served', scope='read')).token
    bearer = {'Authorization': f'Bearer {token}'}
    users_before = len(app.storage._users)  # noqa: SLF001 - NiceGUI's per-session storages: none for a script

    refused = await client.get('/api/v1/agents')
    assert refused.status_code == 401 and refused.headers['www-authenticate'] == 'Bearer'
    assert_served_safely(refused)
    listed = await client.get('/api/v1/agents', headers=bearer)
    assert listed.status_code == 200 and {a['username'] for a in listed.json()} >= {'ana', 'lead'}
    assert_served_safely(listed)
    unknown = await client.get('/api/nothing-here')
    assert (unknown.status_code, unknown.json()) == (404, {'detail': 'Not Found'})  # the API's 404, not a page
    assert_served_safely(unknown)

    # the document and the docs, with the URLs a mounted app gives them
    spec = await client.get('/api/v1/openapi.json')
    assert spec.status_code == 200 and spec.json()['servers'] == [{'url': '/api'}]
    docs = await client.get('/api/docs')
    assert docs.status_code == 200
    assert_served_safely(docs)
    linked = re.findall(r"""(?:href|src|url)[=:]\s*['"](/[^'"]+)""", docs.text)
    assert '/api/v1/openapi.json' in linked and any(url.startswith('/api/docs-assets/') for url in linked)
    for url in linked:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert_served_safely(asset)

    services().api_tokens.limit = type(services().api_tokens.limit)(1)  # one a minute, for the test
    assert (await client.get('/api/v1/quests', headers=bearer)).status_code == 200
    limited = await client.get('/api/v1/quests', headers=bearer)
    assert limited.status_code == 429 and int(limited.headers['retry-after']) > 0
    assert_served_safely(limited)

    assert not client.cookies and len(app.storage._users) == users_before  # noqa: SLF001
    bare = await client.get('/api')  # /api itself is still the app's: redirected to /api/, which the API answers
    assert bare.status_code == 307 and bare.headers['location'].endswith('/api/')


async def test_an_export_is_still_streamed_through_the_served_app(user: User) -> None:
    token = (await services().api_tokens.create(agent('lead'), name='Export', scope='read')).token
    customer = await Customer.create(name='Zoe', email='')
    await services().inbox.create_conversation(customer_id=customer.id, channel=Channel.EMAIL, subject='Help',
                                               body='Hello')
    today = services().clock.now().date().isoformat()
    messages: list[Message] = []
    scope = {'type': 'http', 'asgi': {'version': '3.0'}, 'http_version': '1.1', 'method': 'GET', 'scheme': 'http',
             'server': ('test', 80), 'client': ('127.0.0.1', 1234), 'root_path': '',
             'path': '/api/v1/exports/conversations.csv', 'raw_path': b'/api/v1/exports/conversations.csv',
             'query_string': f'from={date(2020, 1, 1).isoformat()}&to={today}'.encode(),
             'headers': [(b'host', b'test'), (b'authorization', f'Bearer {token}'.encode())]}

    requested, answered = False, asyncio.Event()

    async def receive() -> Message:  # the request, then the client waits until the answer is over and leaves
        nonlocal requested
        if not requested:
            requested = True
            return {'type': 'http.request', 'body': b'', 'more_body': False}
        await answered.wait()
        return {'type': 'http.disconnect'}

    async def send(message: Message) -> None:
        messages.append(message)
        if message['type'] == 'http.response.body' and not message.get('more_body'):
            answered.set()
    await app(scope, receive, send)

    start, *bodies = messages
    assert start['status'] == 200
    headers = {name.decode(): value.decode() for name, value in start['headers']}
    assert 'content-length' not in headers and 'set-cookie' not in headers and headers['x-frame-options'] == 'DENY'
    pieces = [message['body'] for message in bodies if message['body']]
    assert len(pieces) > 1 and pieces[0].startswith('\ufeff'.encode())  # the header row, then the rows batch by batch
    assert all(message['more_body'] for message in bodies[:-1]) and not bodies[-1]['more_body']
    assert b''.join(pieces[1:]).count(b'\r\n') >= 1  # the conversation's row followed the header
