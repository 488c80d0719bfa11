"""``python main.py simulate … --json`` as a person runs it: headless, one JSON object on stdout, reproducible."""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from simulation.erlang import erlang_a

ROOT = Path(__file__).resolve().parents[2]
ERLANG_A = ['--agents', '10', '--arrival-rate', '200', '--aht', '180', '--patience', '120', '--channels', 'chat',
            '--hours', '60', '--json']


def simulate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('DESKQUEST_') and name != 'NICEGUI_USER_SIMULATION'}
    return subprocess.run([sys.executable, str(ROOT / 'main.py'), 'simulate', *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_prints_one_json_object_that_agrees_with_erlang_a(tmp_path: Path) -> None:
    with ThreadPoolExecutor(2) as pool:  # the same seed twice, side by side
        first, again = pool.map(lambda _: simulate(*ERLANG_A, '--seed', '7',
                                                   '--db-url', f'sqlite://{tmp_path / "never.sqlite3"}'), range(2))
    assert first.returncode == 0, first.stderr
    document = json.loads(first.stdout)  # the whole of stdout is the one object
    assert first.stdout.strip().startswith('{') and first.stdout.count('\n') == 1
    assert again.stdout == first.stdout
    assert list(tmp_path.iterdir()) == []  # headless: no database, no session secret
    for fields in (document, document['channels']['chat']):
        assert {'offered', 'answered', 'abandoned', 'asa_seconds', 'service_level', 'abandon_rate',
                'occupancy'} <= set(fields)
    assert set(document['channels']) == {'chat'}
    assert document['offered'] == document['answered'] + document['abandoned']
    assert 11_000 < document['offered'] < 13_000
    # one run of 12,000 contacts is within 4 run-to-run standard deviations of theory (at this size about 0.011 in
    # service level, 4 % in ASA, 0.005 in abandon rate, 0.006 in occupancy): the options reach the core unchanged.
    # test_sim_theory.py holds the core itself to far tighter intervals over many replications.
    theory = erlang_a(agents=10, arrivals_per_hour=200, mean_handle_seconds=180, mean_patience_seconds=120,
                      target_seconds=20)
    assert document['service_level'] == pytest.approx(theory.service_level, abs=0.045)
    assert document['asa_seconds'] == pytest.approx(theory.asa_seconds, rel=0.16)
    assert document['abandon_rate'] == pytest.approx(theory.abandon_rate, abs=0.02)
    assert document['occupancy'] == pytest.approx(theory.occupancy, abs=0.024)
    game = document['game']
    assert len(game['agents']) == 10 and len(game['leaderboard']) == 10
    assert {'level', 'level_title', 'points', 'points_by_domain'} <= set(game['agents'][0])
    assert [row['rank'] for row in game['leaderboard']][0] == 1
    assert document['events'] > 5 * document['answered']


def test_another_seed_another_run_and_options_reach_the_simulator() -> None:
    with ThreadPoolExecutor(2) as pool:
        one, other = pool.map(lambda seed: simulate(*ERLANG_A, '--seed', seed), ['7', '8'])
    assert json.loads(one.stdout) != json.loads(other.stdout)
    run = simulate('--agents', '6', '--arrival-rate', '60', '--aht', '240', '--channels', 'email,social', '--hours',
                   '48', '--scenario', 'social_storm', '--sl-target', '600', '--json')
    document = json.loads(run.stdout)
    assert (document['scenario'], document['agents'], document['sl_target_seconds']) == ('social_storm', 6, 600)
    assert set(document['channels']) == {'email', 'social'}
    assert document['abandoned'] == 0  # no --patience: nobody hangs up (and e-mail never does)
    assert document['channels']['social']['offered'] > document['channels']['email']['offered']


def test_without_json_it_prints_a_table_and_refuses_nonsense() -> None:
    table = simulate('--agents', '3', '--arrival-rate', '20', '--aht', '300', '--hours', '4')
    assert table.returncode == 0 and 'offered' in table.stdout and 'all-time leaderboard' in table.stdout
    refused = simulate('--agents', '3', '--aht', '-5', '--json')
    assert refused.returncode == 2 and refused.stdout == ''
    assert 'must be positive' in refused.stderr
