"""An accelerated simulated week, headless: every default badge has a holder, and who holds which follows the simulated
agents' styles (the fast one answers first but is not the Novelist)."""
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from services.domain.badges import DEFAULT_BADGES
from simulation.core import RunConfig, simulate
from simulation.report import report

ROOT = Path(__file__).resolve().parents[2]


@cache
def week(seed: int) -> dict:
    return report(simulate(RunConfig(agents=10, arrivals_per_hour=30, mean_handle_seconds=420, patience_seconds=180,
                                     hours=168, seed=seed, scenario='normal')))


def holder_styles(document: dict, key: str) -> set[str]:
    styles = {agent['id']: agent['style'] for agent in document['game']['agents']}
    return {styles[holder['agent_id']] for holder in document['game']['badges'][key]['holders']}


@pytest.mark.parametrize('seed', [1, 2, 3])
def test_after_a_simulated_week_every_default_badge_has_a_holder(seed: int) -> None:
    badges = week(seed)['game']['badges']
    assert list(badges) == [definition.key for definition in DEFAULT_BADGES]
    assert [key for key, badge in badges.items() if not badge['holders']] == []


@pytest.mark.parametrize('seed', [1, 2, 3])
def test_the_holders_follow_the_agents_styles(seed: int) -> None:
    document = week(seed)
    assert holder_styles(document, 'novelist') == {'chatty'}  # the longest replies
    assert holder_styles(document, 'speedy_gonzales') == {'fast'}  # the quickest first reaction to chats
    assert holder_styles(document, 'express') == {'fast'}  # the shortest time with a conversation open
    assert holder_styles(document, 'inspector') <= {'careful', 'chatty'}  # the slow, thorough handlers
    assert holder_styles(document, 'siesta') == holder_styles(document, 'coffee') == {'break_lover'}
    assert holder_styles(document, 'tagger') == {'steady'}
    assert holder_styles(document, 'traffic_controller') == {'break_lover'}
    fast = {agent['id'] for agent in document['game']['agents'] if agent['style'] == 'fast'}
    novelists = {holder['agent_id'] for holder in document['game']['badges']['novelist']['holders']}
    assert fast and not fast & novelists


def test_the_json_report_lists_each_badges_holders() -> None:
    run = subprocess.run([sys.executable, str(ROOT / 'main.py'), 'simulate', '--agents', '10', '--arrival-rate', '30',
                          '--aht', '420', '--patience', '180', '--hours', '168', '--scenario', 'normal', '--seed', '1',
                          '--json'], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={'PATH': '/usr/bin:/bin'})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)['game']['badges'] == week(1)['game']['badges']
