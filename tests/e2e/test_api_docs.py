"""The REST API in a real browser (issue 14): a lead creates a token on /admin/api, the interactive docs at /api/docs
render under the Content-Security-Policy from the app's own files, and the browser's session cookie opens nothing."""
import pytest
from playwright.sync_api import ConsoleMessage, expect

from tests.e2e.support import Server, log_in

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = ("window.cspViolations = []; document.addEventListener('securitypolicyviolation', "
                     "event => window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));")


def test_a_lead_makes_a_token_and_the_docs_render_under_the_policy(server: Server, new_tab) -> None:
    tab = new_tab()
    page = tab.page
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ('error', 'warning'):
            console.append(f'{message.type}: {message.text}')
    page.on('console', on_console)
    page.add_init_script(RECORD_VIOLATIONS)
    outside: list[str] = []
    page.on('request', lambda request: outside.append(request.url) if not request.url.startswith(server.url)
            and not request.url.startswith('data:') else None)

    log_in(page, server.url, 'lead')
    expect(page).to_have_url(f'{server.url}/')
    page.goto(f'{server.url}/admin/api')
    page.get_by_label('Name').fill('Browser check')
    page.get_by_role('button', name='Create').click()
    token_label = page.locator('.font-mono').filter(has_text='dq_').first
    expect(token_label).to_be_visible()
    token = token_label.inner_text().strip()
    assert token.startswith('dq_')

    # the browser's cookies go with these requests: the session alone opens nothing, the token does
    assert page.request.get(f'{server.url}/api/v1/agents').status == 401
    answer = page.request.get(f'{server.url}/api/v1/agents', headers={'Authorization': f'Bearer {token}'})
    assert answer.status == 200 and any(agent['username'] == 'ana' for agent in answer.json())

    page.goto(f'{server.url}/api/docs')
    expect(page.locator('.swagger-ui .info .title')).to_contain_text('DeskQuest API')
    expect(page.locator('.opblock-summary-path').filter(has_text='/v1/agents').first).to_be_visible()
    expect(page.get_by_role('button', name='Authorize')).to_be_visible()
    page.wait_for_load_state('load')
    assert page.evaluate('window.cspViolations') == []
    violations = [line for line in console if 'Content Security Policy' in line or 'Refused to' in line]
    assert not violations, '\n'.join(violations)
    assert not outside, f'the docs fetched from elsewhere: {outside}'
    spec = page.request.get(f'{server.url}/api/v1/openapi.json').json()
    assert spec['info']['title'] == 'DeskQuest API' and '/v1/events' in spec['paths']
