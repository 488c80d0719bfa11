"""A lead connects Chatwoot in a real headless Chromium and sees a signed delivery, posted over HTTP to the served
app, arrive on the page (issue 14)."""
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.support import Server, log_in

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).parent.parent / 'fixtures' / 'webhooks'


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers=headers | {'Content-Type': 'application/json'},
                                     method='POST')
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def signed(body: bytes, secret: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
    return {'X-Chatwoot-Signature': f'sha256={signature}', 'X-Chatwoot-Timestamp': timestamp,
            'X-Chatwoot-Delivery': 'e2e-1'}


def test_a_lead_connects_chatwoot_and_sees_a_delivery_arrive(server: Server, new_tab) -> None:
    page = new_tab().page
    log_in(page, server.url, 'lead')
    expect(page.get_by_text('Lena Lead', exact=True)).to_be_visible()
    page.goto(f'{server.url}/admin/integrations')
    expect(page.get_by_text('No helpdesk is connected yet.')).to_be_visible()
    page.get_by_label('Name').fill('Support EU')
    page.get_by_role('button', name='Connect').click()
    expect(page.get_by_text('The secret is shown only this once')).to_be_visible()
    url = page.get_by_label('Webhook URL').input_value()
    secret = page.get_by_label('Secret', exact=True).input_value()
    assert url.startswith(f'{server.url}/webhooks/') and len(secret) >= 32

    body = (FIXTURES / 'chatwoot' / 'conversation_created.json').read_bytes()
    status, answer = post(url, body, {'X-Chatwoot-Signature': 'sha256=00', 'X-Chatwoot-Timestamp': '1'})
    assert status == 401, answer
    status, answer = post(url, body, signed(body, secret))
    assert (status, answer['message']) == (200, 'applied'), answer
    expect(page.get_by_text('conversation_created').first).to_be_visible()  # pushed to the open page
    expect(page.get_by_text('applied', exact=True)).to_be_visible()
    status, answer = post(url, body, signed(body, secret))  # Chatwoot's retry of the same delivery
    assert status == 200 and 'already received' in answer['message']
    assert post(f'{server.url}/webhooks/not-a-token', body, signed(body, secret))[0] == 404
