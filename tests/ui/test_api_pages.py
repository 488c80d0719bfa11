"""/admin/api and /admin/exports (issue 14) through NiceGUI's simulated users: a lead creates a token (shown once, with
a curl example), uses it, revokes it; downloads exports behind the login; the browser session never opens the API."""

from nicegui.testing import User

from models import ApiToken, StoredEvent
from tests.ui.support import agent, demote, log_in, notified, services, set_value, until


async def open_tokens(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/api')
    await user.should_see(marker='token-create', retries=50)


async def test_a_lead_creates_a_token_sees_it_once_uses_it_and_revokes_it(user: User) -> None:
    await open_tokens(user)
    await user.should_see(marker='no-tokens', retries=50)
    user.find(marker='token-name').type('Nightly report')
    set_value(user, 'token-scope', 'write')
    user.find(marker='token-create').click()
    await user.should_see('copy the token now; it is not shown again', retries=50)
    shown, = user.find(marker='new-token').elements
    token = shown.text
    assert token.startswith('dq_')
    curl, = user.find(marker='curl').elements
    assert curl.text == f'curl -H "Authorization: Bearer {token}" http://test/api/v1/agents'
    row = await ApiToken.get(name='Nightly report')
    assert (row.scope, row.created_by) == ('write', agent('lead').id) and token not in row.token_hash
    await user.should_see(marker=f'token-{row.id}', retries=50)

    # the browser's own session does not open the API; the token does
    assert (await user.http_client.get('/api/v1/agents')).status_code == 401
    answer = await user.http_client.get('/api/v1/agents', headers={'Authorization': f'Bearer {token}'})
    assert answer.status_code == 200 and {a['username'] for a in answer.json()} >= {'ana', 'lead'}

    await user.open('/admin/api')  # opened again: the token is listed, never shown again, and was used
    await user.should_see(marker=f'token-used-{row.id}', retries=50)
    used, = user.find(marker=f'token-used-{row.id}').elements
    assert used.text.startswith('last used ')
    await user.should_not_see(token)
    user.find(marker=f'revoke-{row.id}').click()
    await user.should_see('Token "Nightly report" revoked: scripts using it now get 401.', retries=50)
    await user.should_see('revoked', retries=50)
    assert (await user.http_client.get('/api/v1/agents', headers={'Authorization': f'Bearer {token}'})) \
        .status_code == 401


async def test_a_nameless_token_is_refused_and_a_demoted_lead_changes_nothing(user: User) -> None:
    await open_tokens(user)
    user.find(marker='token-create').click()
    await user.should_see('Give the token a name.', retries=50)
    demote('lead')
    user.find(marker='token-name').type('Sneaky')
    user.find(marker='token-create').click()
    await until(lambda: notified(user, 'Only a lead can manage API tokens.') == 1,
                message='the creation to be refused with "Only a lead can manage API tokens."')
    assert await ApiToken.all().count() == 0
    assert not await StoredEvent.filter(kind='api_token_created').exists()


async def test_a_lead_downloads_an_export_and_an_agent_cannot(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/exports')
    await user.should_see(marker='export-download', retries=50)
    user.find(marker='export-download').click()
    download = await user.download.next(timeout=10)
    assert download.status_code == 200 and download.headers['content-type'] == 'text/csv; charset=utf-8'
    assert download.text.startswith('\ufeffticket,helpdesk,channel,customer,agent,team,created')
    team_id, team_name = next(iter(services().directory.teams.items()))
    set_value(user, 'export-kind', 'ledger')
    set_value(user, 'export-format', 'json')
    set_value(user, 'export-team', team_id)
    user.find(marker='export-download').click()
    ledger = await user.download.next(timeout=10)
    assert ledger.headers['content-type'] == 'application/json' and isinstance(ledger.json(), list)
    assert {row['team'] for row in ledger.json()} <= {team_name}
    user.find(marker='export-first').clear().type('not a day')
    user.find(marker='export-download').click()
    await user.should_see('Pick the first day (YYYY-MM-DD).', retries=50)


async def test_the_export_route_wants_a_lead_logged_in(user: User, create_user) -> None:
    url = '/admin/exports/download/conversations.csv?first=2026-01-01&last=2026-01-31'
    assert (await user.http_client.get(url)).status_code == 403  # nobody logged in
    await log_in(user, 'ana')
    refused = await user.http_client.get(url)
    assert refused.status_code == 403 and 'Exports are for leads' in refused.text
    lead = create_user()
    await log_in(lead, 'lead')
    assert (await lead.http_client.get(url)).status_code == 200
    wrong = await lead.http_client.get(url.replace('first=2026-01-01', 'first=2027-01-01'))
    assert wrong.status_code == 422 and 'ends before it starts' in wrong.text


async def test_a_lead_reaches_both_pages_from_the_workspace_header(user: User) -> None:
    await log_in(user, 'lead')
    user.find(marker='admin-api-link').click()
    await user.should_see(marker='token-create', retries=50)
    await user.open('/')
    user.find(marker='admin-exports-link').click()
    await user.should_see(marker='export-download', retries=50)
