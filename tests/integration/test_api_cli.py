"""``python main.py token create|list|revoke`` (issue 14): API tokens from the command line, as scripts use it."""
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from models import ApiToken, StoredEvent
from services.container import Services
from tests.integration.support import run_main
from ui.api import mount


@pytest.fixture
async def http(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    mount(app, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test') as client:
        yield client


async def test_a_token_created_on_the_command_line_works_until_revoked(services: Services, db_url: str,
                                                                       http: httpx.AsyncClient) -> None:
    events = await StoredEvent.all().count()
    code, output, _ = await run_cli('create', '--name', 'Nightly export', '--scope', 'read', '--json',
                                    '--db-url', db_url)
    assert code == 0
    created = json.loads(output)  # --json: one object on stdout and nothing else
    assert set(created) >= {'id', 'name', 'scope', 'token'}
    assert (created['name'], created['scope']) == ('Nightly export', 'read') and created['token'].startswith('dq_')
    row = await ApiToken.get(id=created['id'])
    assert row.token_hash != created['token'] and created['token'] not in row.token_hash
    answer = await http.get('/api/v1/agents', headers={'Authorization': f'Bearer {created["token"]}'})
    assert answer.status_code == 200  # a running server honours it at once: tokens are read per request

    code, output, _ = await run_cli('list', '--db-url', db_url)
    assert code == 0 and f'#{created["id"]}  {row.prefix}…  read   Nightly export  (by command line;' in output
    assert created['token'] not in output  # shown once, never again
    code, output, _ = await run_cli('revoke', str(created['id']), '--db-url', db_url)
    assert code == 0 and f"revoked token #{created['id']} 'Nightly export'" in output
    assert (await http.get('/api/v1/agents', headers={'Authorization': f'Bearer {created["token"]}'})).status_code \
        == 401
    assert await StoredEvent.all().count() == events  # the event log's one writer is the server


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_bad_token_commands_say_why_and_change_nothing(db_url: str) -> None:
    code, _, errors = await run_cli('create', '--name', 'x', '--db-url', db_url)
    assert code == 2 and 'token create needs --name N and --scope read|write' in errors
    code, _, errors = await run_cli('create', '--name', 'x', '--scope', 'admin', '--db-url', db_url)
    assert code == 2 and "argument --scope: invalid choice: 'admin'" in errors
    code, _, errors = await run_cli('create', '--name', '  ', '--scope', 'read', '--db-url', db_url)
    assert code == 1 and 'token create: Give the token a name. Nothing was changed.' in errors
    code, _, errors = await run_cli('revoke', '--db-url', db_url)
    assert code == 2 and "token revoke needs the token's ID" in errors
    code, _, errors = await run_cli('revoke', '7', '--db-url', db_url)
    assert code == 1 and 'There is no API token #7.' in errors
    code, output, _ = await run_cli('list', '--json', '--db-url', db_url)
    assert code == 0 and json.loads(output) == []


async def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``python main.py token ...``; return its exit code, standard output and standard error."""
    run = await run_main('token', *args)
    return run.code, run.stdout, run.stderr
