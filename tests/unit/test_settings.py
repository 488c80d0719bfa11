"""Configuration: defaults, a TOML file, DESKQUEST_* variables and flags, each overriding the one before; a bad value is
refused with one line naming the setting, its source and the value; secrets are masked wherever they are shown."""
from pathlib import Path

import pytest

from main import parse, show_config, with_storage_secret
from services.platform.database import sqlite_path
from services.platform.settings import DEFAULT_DB_URL, ConfigurationError, Settings, load, masked_url

SECRET = {'DESKQUEST_STORAGE_SECRET': 'fixed'}


def test_defaults() -> None:
    command_line = parse([], env=SECRET)
    settings = command_line.settings
    assert (command_line.command, command_line.check, settings.port, settings.host, settings.db_url) == \
        ('serve', False, 8080, '127.0.0.1', DEFAULT_DB_URL)
    assert (settings.demo, settings.simulator, settings.sim_speed, settings.seed) == (True, True, 60.0, 1)
    assert (settings.storage_secret.get_secret_value(), settings.argon2_memory_kib) == ('fixed', 65536)
    assert not command_line.show_config


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


def test_a_flag_wins_over_its_variable_which_wins_over_the_file(tmp_path: Path) -> None:
    file = tmp_path / 'deskquest.toml'
    file.write_text('port = 9001\nhost = "0.0.0.0"\nseed = 4\nsim_speed = 120\ndemo = false\n'
                    'allowed_origins = ["https://desk.example.com", "http://10.0.0.5:8080"]\n'
                    'storage_secret = "from the file"\n')
    env = {'DESKQUEST_CONFIG': str(file), 'DESKQUEST_PORT': '9002', 'DESKQUEST_SEED': '5'}
    command_line = parse(['--seed', '6'], env=env)
    settings, configuration = command_line.settings, command_line.configuration
    assert configuration is not None and configuration.file == file
    assert (settings.port, settings.host, settings.seed, settings.sim_speed) == (9002, '0.0.0.0', 6, 120.0)
    assert (settings.demo, settings.simulator) == (False, False)  # the file's demo = false turns the simulator off too
    assert settings.allowed_origins == ('https://desk.example.com', 'http://10.0.0.5:8080')
    assert settings.storage_secret.get_secret_value() == 'from the file'
    assert {name: configuration.sources[name] for name in ('port', 'host', 'seed', 'scenario', 'demo')} == \
        {'port': 'env', 'host': 'file', 'seed': 'flag', 'scenario': 'default', 'demo': 'file'}
    other = tmp_path / 'other.toml'
    other.write_text('port = 9100\n')
    assert parse(['--config', str(other)], env={**SECRET, 'DESKQUEST_CONFIG': str(file)}).settings.port == 9100


def test_show_config_names_every_setting_and_its_source_with_secrets_masked(tmp_path: Path) -> None:
    file = tmp_path / 'deskquest.toml'
    file.write_text('storage_secret = "very secret value"\nhttps = true\n')
    env = {'DESKQUEST_CONFIG': str(file), 'DESKQUEST_DB_URL': 'postgres://desk:pa55word@db.example.com:5432/desk'}
    command_line = parse(['serve', '--show-config', '--port', '8443', '--no-simulator'], env=env)
    assert command_line.show_config and command_line.configuration is not None
    text = show_config(command_line.configuration)
    lines = text.splitlines()
    assert lines[0] == f'# configuration file: {file}'
    assert [line.split(' = ')[0] for line in lines[1:]] == list(Settings.model_fields)
    assert 'port = 8443 (flag --port)' in lines and 'simulator = false (flag --no-simulator)' in lines
    assert 'https = true (file)' in lines and 'sim_speed = 60 (default)' in lines
    assert 'storage_secret = "**********" (file)' in lines
    assert 'db_url = "postgres://desk:**********@db.example.com:5432/desk" (env DESKQUEST_DB_URL)' in lines
    assert 'very secret' not in text and 'pa55word' not in text
    assert 'pa55word' not in repr(command_line.settings) and 'very secret' not in repr(command_line.settings)


def test_show_config_works_before_a_secret_is_configured() -> None:
    """A production setup can be inspected before it is complete; serving it is what is refused."""
    command_line = parse(['--no-demo', '--show-config'], env={})
    assert command_line.configuration is not None
    assert 'storage_secret = "" (default)' in show_config(command_line.configuration)


def test_the_simulate_command_defaults_to_the_steady_scenario_unless_configured() -> None:
    assert parse(['simulate'], env=SECRET).configuration.sources['scenario'] == 'default'  # type: ignore[union-attr]
    assert parse(['simulate'], env=SECRET).settings.scenario == 'steady'
    assert parse(['simulate'], env={'DESKQUEST_SCENARIO': 'sales_day'}).settings.scenario == 'sales_day'


@pytest.mark.parametrize('argv, env, message', [
    ([], {'DESKQUEST_PORT': 'eighty'},
     'port from DESKQUEST_PORT is "eighty": Input should be a valid integer'),
    (['--port', '0'], {}, 'port from --port is "0": Input should be greater than or equal to 1'),
    ([], {'DESKQUEST_NO_DEMO': 'maybe'}, 'DESKQUEST_NO_DEMO is "maybe": use 1 or 0'),
    ([], {'DESKQUEST_DB_URL': 'mysql://root:hunter2@db/desk'},
     'db_url from DESKQUEST_DB_URL is "mysql://root:**********@db/desk": not a database URL like sqlite://'),
    ([], {'DESKQUEST_SCENARIO': 'holiday'}, 'scenario from DESKQUEST_SCENARIO is "holiday": not a scenario; the '
                                            'scenarios: steady, normal'),
    (['--sim-speed', '5000'], {}, 'sim_speed from --sim-speed is "5000": the speed must be between 1 and 3600'),
    ([], {'DESKQUEST_ARGON2_MEMORY_KIB': '64'}, 'argon2_memory_kib from DESKQUEST_ARGON2_MEMORY_KIB is "64": Input '
                                                'should be greater than or equal to 1024'),
    (['--kiosk-frame-origins', 'https://*.example.com'], {},
     'kiosk_frame_origins from --kiosk-frame-origins is "https://*.example.com": "https://*.example.com" is not an '
     'origin like https://desk.example.com'),
    ([], {'DESKQUEST_FLOOR_LANGUAGE': 'de'}, 'floor_language from DESKQUEST_FLOOR_LANGUAGE is "de": "de" is not one '
                                             'of the languages DeskQuest speaks: en, fr, nl, lv'),
])
def test_a_bad_value_is_refused_in_one_line_naming_the_setting_its_source_and_the_value(
        argv: list[str], env: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(argv, env={**SECRET, **env})
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith('python main.py: ') and message in error, error
    assert len(error.strip().splitlines()) == 1 and 'Traceback' not in error and 'hunter2' not in error


@pytest.mark.parametrize('content, message', [
    ('port = "eighty"\n', 'port from the file {file} is "eighty": Input should be a valid integer'),
    ('prot = 8080\n', 'prot in {file} is not a setting (the settings: port, host, db_url,'),
    ('port = \n', 'the configuration file {file} is not valid TOML: Invalid value (at line 1, column 8)'),
    ('storage_secret = 12345678\n', 'storage_secret from the file {file}: Input should be a valid string'),
])
def test_a_bad_file_is_refused_with_a_clear_message(content: str, message: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / 'deskquest.toml'
    file.write_text(content)
    with pytest.raises(SystemExit) as exited:
        parse(['--config', str(file)], env={})
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert message.format(file=file) in error, error
    assert '12345678' not in error  # a secret is never echoed, even a badly typed one


def test_every_bad_value_is_named_not_only_the_first(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(['--port', 'x', '--host', ''], env={**SECRET, 'DESKQUEST_DB_URL': 'ftp://x'})
    assert [line.split(' from ')[0] for line in capsys.readouterr().err.splitlines()] == \
        ['python main.py: port', 'python main.py: host', 'python main.py: db_url']


def test_a_missing_configuration_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse([], env={**SECRET, 'DESKQUEST_CONFIG': str(tmp_path / 'nowhere.toml')})
    assert exited.value.code == 2
    assert f'the configuration file {tmp_path / "nowhere.toml"} does not exist' in capsys.readouterr().err


def test_serving_for_real_needs_a_storage_secret(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(['--no-demo'], env={})
    assert exited.value.code == 2
    assert 'a real deployment (--no-demo) needs DESKQUEST_STORAGE_SECRET' in capsys.readouterr().err
    assert parse(['rebuild', '--no-demo'], env={}).command == 'rebuild'  # only serving signs sessions
    assert parse(['--no-demo'], env=SECRET).settings.storage_secret.get_secret_value() == 'fixed'


def test_the_demo_without_a_secret_signs_with_a_random_one_it_never_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = parse(['--db-url', f'sqlite://{tmp_path / "app.sqlite3"}'], env={}).settings
    first, second = (with_storage_secret(settings).storage_secret.get_secret_value() for _ in range(2))
    assert len(first) >= 32 and first != second  # a fresh one per run: logins do not survive a restart
    assert list(tmp_path.iterdir()) == []
    assert with_storage_secret(Settings(storage_secret='configured')).storage_secret.get_secret_value() == 'configured'


def test_settings_built_in_code_read_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build Settings(...) directly: the process's DESKQUEST_* variables must not leak into them."""
    monkeypatch.setenv('DESKQUEST_PORT', '1234')
    monkeypatch.setenv('DESKQUEST_HOST', '0.0.0.0')
    settings = Settings(seed=3)
    assert (settings.port, settings.host, settings.seed) == (8080, '127.0.0.1', 3)
    with pytest.raises(ValueError):
        Settings(port=70000)
    assert load(flags={}, env={}).settings == Settings()


def test_load_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigurationError) as refused:
        load(flags={'port': 'x'}, env={'DESKQUEST_ALLOWED_ORIGINS': '*'}, flag_names={'port': '--port'})
    assert str(refused.value).splitlines() == [
        'port from --port is "x": Input should be a valid integer, unable to parse string as an integer',
        'allowed_origins from DESKQUEST_ALLOWED_ORIGINS is "*": "*" is not an origin like https://desk.example.com '
        'or http://10.0.0.5:8080']


@pytest.mark.parametrize('url, masked', [
    ('postgres://desk:s3cret@db:5432/desk', 'postgres://desk:**********@db:5432/desk'),
    ('postgres://desk:p%40ss:word@db/desk', 'postgres://desk:**********@db/desk'),
    ('postgres://postgres@127.0.0.1:5432/test', 'postgres://postgres@127.0.0.1:5432/test'),
    ('sqlite://data/deskquest.sqlite3', 'sqlite://data/deskquest.sqlite3'),
])
def test_the_database_password_is_masked(url: str, masked: str) -> None:
    assert masked_url(url) == masked


def test_sqlite_path() -> None:
    assert sqlite_path('sqlite://data/deskquest.sqlite3') == Path('data/deskquest.sqlite3')
    assert sqlite_path('sqlite:///tmp/x.sqlite3') == Path('/tmp/x.sqlite3')
    assert sqlite_path('sqlite://:memory:') is None
    assert sqlite_path('sqlite:///tmp/x.sqlite3?journal_mode=DELETE') == Path('/tmp/x.sqlite3')  # the query is no path
    assert sqlite_path('postgres://postgres@127.0.0.1:5432/test') is None


def test_unknown_command_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse(['upgrade'], env=SECRET)


def test_migrate_takes_check_and_a_database() -> None:
    command_line = parse(['migrate', '--check', '--db-url', 'sqlite:///tmp/x.sqlite3'], env=SECRET)
    assert (command_line.command, command_line.check) == ('migrate', True)
    assert command_line.settings.db_url == 'sqlite:///tmp/x.sqlite3'


def test_trusted_proxies_are_addresses_or_networks_and_never_a_wildcard() -> None:
    assert Settings().trusted_proxies == ('127.0.0.1',)  # uvicorn's own default: a proxy on the same machine
    settings = parse(['--trusted-proxies', '10.0.0.5, 10.1.0.0/16,::1'], env=SECRET).settings
    assert settings.trusted_proxies == ('10.0.0.5', '10.1.0.0/16', '::1')
    for bad in ('*', 'proxy.example.com', '10.0.0.0/40'):
        with pytest.raises(SystemExit):
            parse(['--trusted-proxies', bad], env=SECRET)
