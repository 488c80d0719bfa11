"""The configuration as a person meets it: ``python main.py --show-config``, a bad value, and serving without a
configured secret, each in a real process."""
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.support import ROOT, free_port, stop, wait_until_serving


def clean_env(**settings: str) -> dict[str, str]:
    """The environment of a person's shell: none of the test process's DESKQUEST_, NiceGUI or pytest variables."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('DESKQUEST_', 'NICEGUI_', 'PYTEST_'))}
    return env | {'PYTHONUNBUFFERED': '1'} | settings


def run_main(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, 'main.py', *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_show_config_prints_the_effective_configuration_with_secrets_masked_and_starts_nothing(tmp_path: Path) -> None:
    file = tmp_path / 'deskquest.toml'
    file.write_text('port = 9001\nstorage_secret = "file secret value"\nallowed_origins = ["https://desk.example.com"]\n')
    db_url = f'postgres://desk:db-pa55word@127.0.0.1:1/{tmp_path.name}'  # nothing listens there: nothing may connect
    env = clean_env(DESKQUEST_DB_URL=db_url, DESKQUEST_NO_DEMO='1', DESKQUEST_STORAGE_SECRET='env secret value')
    for args in (['--show-config', '--config', str(file), '--seed', '9'],
                 ['serve', '--show-config', '--config', str(file), '--seed', '9']):
        result = run_main(*args, env=env)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0] == f'# configuration file: {file}'
        assert 'port = 9001 (file)' in lines and 'seed = 9 (flag --seed)' in lines
        assert 'demo = false (env DESKQUEST_NO_DEMO)' in lines
        assert 'storage_secret = "**********" (env DESKQUEST_STORAGE_SECRET)' in lines
        assert f'db_url = "postgres://desk:**********@127.0.0.1:1/{tmp_path.name}" (env DESKQUEST_DB_URL)' in lines
        assert 'allowed_origins = ["https://desk.example.com"] (file)' in lines
        assert not any(secret in result.stdout + result.stderr
                       for secret in ('file secret value', 'env secret value', 'db-pa55word'))
        assert 'Traceback' not in result.stderr


def test_a_bad_value_exits_2_with_one_clear_line() -> None:
    result = run_main('--port', '99999', env=clean_env(DESKQUEST_ALLOWED_ORIGINS='https://*.example.com'))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        'python main.py: port from --port is "99999": Input should be less than or equal to 65535',
        'python main.py: allowed_origins from DESKQUEST_ALLOWED_ORIGINS is "https://*.example.com": '
        '"https://*.example.com" is not an origin like https://desk.example.com or http://10.0.0.5:8080']
    assert result.stdout == ''


def test_a_real_deployment_without_a_storage_secret_is_refused(tmp_path: Path) -> None:
    result = run_main('--no-demo', '--db-url', f'sqlite://{tmp_path / "app.sqlite3"}', env=clean_env())
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    assert 'a real deployment (--no-demo) needs DESKQUEST_STORAGE_SECRET' in result.stderr
    assert list(tmp_path.iterdir()) == []  # refused before anything was opened


def test_serving_the_demo_without_a_secret_writes_none(tmp_path: Path) -> None:
    """The demo signs sessions with a random secret held in memory: nothing but the database appears on disk."""
    data = tmp_path / 'data'
    port = free_port()
    log = tmp_path / 'server.log'
    with log.open('w') as output:
        process = subprocess.Popen([sys.executable, 'main.py', '--no-simulator', '--port', str(port), '--db-url',
                                    f'sqlite://{data / "app.sqlite3"}'], cwd=ROOT, env=clean_env(),
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(process, f'http://127.0.0.1:{port}/login', log)
    finally:
        returncode = stop(process)
    text = log.read_text()
    assert returncode is not None, text
    assert 'logins do not survive a restart' in text and 'Traceback' not in text
    assert {path.name for path in data.iterdir()} <= {'app.sqlite3', 'app.sqlite3-wal', 'app.sqlite3-shm',
                                                      'app.sqlite3.serving'}  # the server's claim on the file
    assert not list(tmp_path.rglob('.storage_secret'))


def test_a_second_server_on_the_same_sqlite_file_is_refused_and_so_are_migrate_and_rebuild(tmp_path: Path) -> None:
    """Each server keeps its boards in memory: a second one on the same file would show another floor, and a migration
    or a rebuild would change the tables under the first. Each is refused with the reason, and works once it stops."""
    db_url = f'sqlite://{tmp_path / "floor.sqlite3"}'
    env = clean_env(DESKQUEST_STORAGE_SECRET='a test secret', DESKQUEST_NO_DEMO='1')
    port = free_port()
    log = tmp_path / 'first.log'
    with log.open('w') as output:
        first = subprocess.Popen([sys.executable, 'main.py', '--port', str(port), '--db-url', db_url], cwd=ROOT,
                                 env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(first, f'http://127.0.0.1:{port}/login', log)
        second = run_main('--port', str(free_port()), '--db-url', db_url, env=env)
        migrating = run_main('migrate', '--db-url', db_url, env=env)
        rebuilding = run_main('rebuild', '--db-url', db_url, env=env)
        checking = run_main('rebuild', '--check', '--db-url', db_url, env=env)  # reads only: allowed
    finally:
        assert stop(first) == 0, log.read_text()
    for refused in (second, migrating, rebuilding):
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f'DeskQuest serving (pid {first.pid})' in refused.stderr, refused.stderr
        assert 'use PostgreSQL' in refused.stderr and 'Traceback' not in refused.stderr
    assert checking.returncode == 0, checking.stdout + checking.stderr
    after = run_main('migrate', '--db-url', db_url, env=env)  # the claim ends with the server
    assert after.returncode == 0 and 'is up to date' in after.stdout, after.stdout + after.stderr
