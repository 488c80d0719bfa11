"""Configuration: command-line options and their environment variables."""
import stat
from pathlib import Path

import pytest

from main import parse, stored_secret
from services.platform.database import sqlite_path
from services.platform.settings import DEFAULT_DB_URL

SECRET = {'DESKQUEST_STORAGE_SECRET': 'fixed'}


def test_defaults() -> None:
    command_line = parse([], env=SECRET)
    settings = command_line.settings
    assert (command_line.command, command_line.check, settings.port, settings.host, settings.db_url) == \
        ('serve', False, 8080, '127.0.0.1', DEFAULT_DB_URL)
    assert (settings.demo, settings.simulator, settings.sim_speed, settings.seed) == (True, True, 60.0, 1)
    assert (settings.storage_secret, settings.argon2_memory_kib) == ('fixed', 65536)


def test_environment_and_options() -> None:
    env = {**SECRET, 'DESKQUEST_PORT': '9000', 'DESKQUEST_DB_URL': 'postgres://u@h:5432/db', 'DESKQUEST_SEED': '7',
           'DESKQUEST_NO_SIMULATOR': 'yes', 'DESKQUEST_SIM_SPEED': '300', 'DESKQUEST_ARGON2_MEMORY_KIB': '1024'}
    settings = parse([], env=env).settings
    assert (settings.port, settings.db_url, settings.seed, settings.simulator, settings.sim_speed) == \
        (9000, 'postgres://u@h:5432/db', 7, False, 300.0)
    assert settings.demo and settings.argon2_memory_kib == 1024
    command_line = parse(['rebuild', '--check', '--port', '8081', '--db-url', 'sqlite://x.sqlite3', '--seed', '3'],
                         env=env)
    settings = command_line.settings
    assert (command_line.command, command_line.check, settings.port, settings.db_url, settings.seed) == \
        ('rebuild', True, 8081, 'sqlite://x.sqlite3', 3)


@pytest.mark.parametrize('argv, env', [(['--no-demo'], {}), ([], {'DESKQUEST_NO_DEMO': '1'})])
def test_production_mode_never_runs_the_simulator(argv: list[str], env: dict[str, str]) -> None:
    settings = parse(argv, env={**SECRET, **env}).settings
    assert (settings.demo, settings.simulator) == (False, False)


def test_unknown_command_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse(['upgrade'], env=SECRET)


def test_migrate_takes_check_and_a_database() -> None:
    command_line = parse(['migrate', '--check', '--db-url', 'sqlite:///tmp/x.sqlite3'], env=SECRET)
    assert (command_line.command, command_line.check) == ('migrate', True)
    assert command_line.settings.db_url == 'sqlite:///tmp/x.sqlite3'


def test_sqlite_path() -> None:
    assert sqlite_path('sqlite://data/deskquest.sqlite3') == Path('data/deskquest.sqlite3')
    assert sqlite_path('sqlite:///tmp/x.sqlite3') == Path('/tmp/x.sqlite3')
    assert sqlite_path('sqlite://:memory:') is None
    assert sqlite_path('sqlite:///tmp/x.sqlite3?journal_mode=DELETE') == Path('/tmp/x.sqlite3')  # the query is no path
    assert sqlite_path('postgres://postgres@127.0.0.1:5432/test') is None


def test_session_secret_is_kept_beside_the_database(tmp_path: Path) -> None:
    db_url = f'sqlite://{tmp_path / "db" / "app.sqlite3"}'
    assert parse(['--db-url', db_url], env={}).settings.storage_secret == ''  # made when the app serves, not here
    first = stored_secret(db_url)
    secret_file = tmp_path / 'db' / '.storage_secret'
    assert len(first) >= 32 and secret_file.read_text() == first
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stored_secret(db_url) == first  # logins survive a restart
    assert stored_secret('postgres://u@h/db') != first
