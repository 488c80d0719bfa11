"""The ``simulate`` command's options, their defaults and environment variables."""
from pathlib import Path

import pytest

from main import parse

SECRET = {'DESKQUEST_STORAGE_SECRET': 'fixed'}


def test_simulate_options() -> None:
    settings = parse(['simulate', '--agents', '14', '--arrival-rate', '200', '--aht', '180', '--patience', '120',
                      '--channels', 'chat', 'phone', '--hours', '8', '--sl-target', '30', '--seed', '9',
                      '--scenario', 'sales_day', '--json'], env=SECRET)
    run = settings.simulate
    assert (settings.command, settings.settings.seed, settings.settings.scenario) == ('simulate', 9, 'sales_day')
    assert (run.agents, run.arrival_rate, run.aht, run.patience) == (14, 200.0, 180.0, 120.0)
    assert (run.channels, run.hours, run.sl_target, run.json) == (('chat', 'phone'), 8.0, 30.0, True)


def test_simulate_defaults() -> None:
    settings = parse(['simulate', '--agents', '10'], env=SECRET)
    run = settings.simulate
    assert settings.settings.scenario == 'steady'  # a headless run is the queueing-theory floor unless told otherwise
    assert run.arrival_rate == 18.0  # 1.8 contacts per agent-hour
    assert (run.aht, run.patience, run.hours, run.sl_target, run.json) == (420.0, None, 24.0, 20.0, False)
    assert run.channels == ('email', 'chat', 'phone', 'social')
    assert parse([], env=SECRET).settings.scenario == 'normal'  # the app's simulator starts on a normal day


def test_environment() -> None:
    env = {**SECRET, 'DESKQUEST_SCENARIO': 'social_storm', 'DESKQUEST_SL_TARGET': '15', 'DESKQUEST_SEED': '4'}
    settings = parse(['simulate'], env=env)
    assert (settings.settings.scenario, settings.simulate.sl_target, settings.settings.seed) == \
        ('social_storm', 15.0, 4)
    assert parse(['simulate', '--scenario', 'normal', '--sl-target', '25'], env=env).settings.scenario == 'normal'
    assert parse([], env=env).settings.scenario == 'social_storm'


def test_channels_by_name_or_comma_separated() -> None:
    assert parse(['simulate', '--channels', 'chat,email'], env=SECRET).simulate.channels == ('chat', 'email')
    assert parse(['simulate', '--channels', 'chat', 'chat'], env=SECRET).simulate.channels == ('chat',)


@pytest.mark.parametrize('argv', [['simulate', '--channels', 'fax'], ['simulate', '--agents', '0'],
                                  ['simulate', '--scenario', 'holiday'], ['simulate', '--aht', 'long']])
def test_invalid_options_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse(argv, env=SECRET)


@pytest.mark.parametrize('command', ['simulate', 'serve', 'rebuild'])
def test_reading_the_settings_writes_no_file(tmp_path: Path, command: str) -> None:
    parse([command, '--db-url', f'sqlite://{tmp_path / "db" / "x.sqlite3"}'], env={})
    assert not (tmp_path / 'db').exists()
