"""``python main.py connect``: a helpdesk connected from the command line, scriptable with --json (issue 14)."""
import hashlib
import hmac
import json

from services.container import build
from services.platform.clock import ManualClock
from tests.conftest import settings_for_test
from tests.integration.support import run_main


async def test_connect_prints_the_url_path_and_secret_and_lists_the_connections(db_url: str,
                                                                                 clock: ManualClock) -> None:
    code, output = await run_cli('chatwoot', '--name', 'Support EU', '--db-url', db_url, '--json')
    assert code == 0, output
    made = json.loads(output.splitlines()[0])  # stdout first: one JSON object
    assert {'id', 'kind', 'url_path', 'secret'} <= set(made) and made['kind'] == 'chatwoot'
    assert made['url_path'].startswith('/webhooks/') and len(made['secret']) >= 32

    code, output = await run_cli('freshdesk', '--name', 'Freshdesk', '--secret', 'our own secret 1234', '--db-url',
                                 db_url)
    assert code == 0, output
    assert 'secret (shown once): our own secret 1234' in output and '"{{triggered_event}}"' in output

    code, output = await run_cli('--list', '--json', '--db-url', db_url)
    assert code == 0, output
    assert [(row['kind'], row['name']) for row in json.loads(output.splitlines()[0])] == [('freshdesk', 'Freshdesk'),
                                                                        ('chatwoot', 'Support EU')]
    code, output = await run_cli('--list', '--db-url', db_url)
    assert code == 0 and made['url_path'] in output

    # the server (same storage secret) checks the signatures with the secret the command line printed
    services = build(settings_for_test(db_url), clock=clock)
    await services.start()
    try:
        body = json.dumps({'event': 'webwidget_triggered'}).encode()
        timestamp = str(int(clock.now().timestamp()))
        signature = hmac.new(made['secret'].encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
        status, message = await services.connections.receive(
            made['url_path'].rsplit('/', 1)[1], {'X-Chatwoot-Signature': f'sha256={signature}',
                                                 'X-Chatwoot-Timestamp': timestamp}, body)
        assert (status, message.startswith('ignored')) == (200, True), message
    finally:
        await services.stop()


async def test_connect_refuses_what_it_cannot_make(db_url: str) -> None:
    code, output = await run_cli('zendesk', '--db-url', db_url)
    assert code == 2 and 'connect needs --name NAME' in output
    code, output = await run_cli('zendesk', '--name', 'Z', '--secret', 'short', '--db-url', db_url)
    assert code == 1 and 'at least 16 characters' in output and 'Nothing was created.' in output
    code, output = await run_cli('--list', '--json', '--db-url', db_url)
    assert code == 0 and json.loads(output.splitlines()[0]) == []


async def run_cli(*args: str) -> tuple[int, str]:
    """Run ``python main.py connect ...`` as a person would; its exit code and what it printed (stdout, then
    stderr)."""
    run = await run_main('connect', *args, env={'DESKQUEST_STORAGE_SECRET': 'test'})  # settings_for_test's key
    return run.code, run.output
