"""Game-proof scoring shown in simulation (issue 18): adversarial personas on a simulated floor, scored by the default
rules, from the command line and over simulated months.

The months (``bench/adversarial.py`` prints the same table with wall times): a floor of 12 on the normal day's
shifts, one agent of each persona and seven honest ones, 30 days from Monday 5 January 2026, so the month's board is
the one of 4 February (four days of February) and the all-time board the whole run. All-time points, best honest agent
minus persona (negative: the persona is ahead), with the default rules (the fair-play values: a queue jump -50 and no
fast points, an aging bounty of 8 per 10 minutes waited, a bad rating cancelling and a reopen costing once more the
fast and on-time points), the rules before them in brackets:

=========  ===============  ================  ===============  ==============  ==============
seed       cherry_picker    premature_closer  speed_only       rating_farmer   note_spammer
=========  ===============  ================  ===============  ==============  ==============
1          +4886 (-2915)    +11697 (+3575)    +4842 (+30)      +6254 (+7445)   +4985 (+11420)
2          +4333 (-245)     +16492 (+8945)    +6230 (+2125)    +8918 (+13840)  +7589 (+9695)
3          +12353 (-3335)   +11532 (+4605)    +1486 (-2170)    +4205 (+5025)   +2518 (+7380)
=========  ===============  ================  ===============  ==============  ==============

No persona ranks first on the month's or the all-time board on any of these seeds (nor on seeds 4 and 5, see
docs/PERFORMANCE.md). Before the fair-play rules the cherry picker ranked first all-time on every seed: flat points per
resolution paid for the count of conversations it chose, and its choice shows in the log only as a queue jump (taking a
newer conversation while an older one of its channel waits), which now costs it. The speed-only agent's fast closes
now pay only when the customer is content: a bad rating cancels them, a reopen costs them once more.

The note spammer's figures include the assist shares it farms with trivial notes on colleagues' waiting
conversations (before it did: +5084, +8156, +3062; the bracketed ones are from before too): the daily cap on notes,
tags and assists holds them small.

Notes and tags earn nothing by default. A lead who prices them (4 a note, 2 a tag) would make the note spammer first on
every seed over three days; the default daily cap (20 points a day from notes and tags) puts it back below the best
honest agent.
"""
import json
import os
import subprocess
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from services.domain.projection import GameProjection
from services.domain.scoring import AwardKind, ScoringPolicy
from simulation.core import RunConfig, simulate
from simulation.report import personas, play, report
from simulation.traffic import DEMO_ARRIVALS_PER_AGENT_HOUR, PERSONAS

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (1, 2, 3)
FIGURES = {'rank_month', 'rank_all_time', 'points', 'points_by_domain', 'reopen_rate'}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('DESKQUEST_') and name != 'NICEGUI_USER_SIMULATION'}
    return subprocess.run([sys.executable, str(ROOT / 'main.py'), 'simulate', *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_simulate_reports_each_persona_and_the_best_honest_agent() -> None:
    run = run_cli('--personas', ','.join(PERSONAS), '--agents', '8', '--hours', '24', '--seed', '4', '--json')
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document['scenario'] == 'normal'  # a floor with personas works shifts unless told otherwise
    assert set(document['personas']) == set(PERSONAS)
    for row in [*document['personas'].values(), document['honest_best']]:
        assert FIGURES <= set(row)
        assert set(row['points_by_domain']) == {'quality', 'speed', 'productivity'}
        assert 1 <= row['rank_month'] <= 8 and 1 <= row['rank_all_time'] <= 8 and 0 <= row['reopen_rate'] <= 1
    agents = {agent['id']: agent for agent in document['game']['agents']}
    best = document['honest_best']
    assert best['style'] in {'fast', 'careful', 'chatty', 'steady', 'break_lover'}
    assert best['points'] == agents[best['agent_id']]['points']
    assert best['points'] == max(agent['points'] for agent in agents.values()
                                 if agent['style'] not in PERSONAS)
    assert 'offered' in document and 'leaderboard' in document['game']  # the usual report is all there too
    table = run_cli('--personas', 'speed_only', '--agents', '4', '--hours', '6', '--seed', '4')
    assert table.returncode == 0 and 'speed_only' in table.stdout and 'honest best' in table.stdout


def test_an_unknown_persona_or_a_floor_of_only_personas_is_one_clear_line() -> None:
    unknown = run_cli('--personas', 'speed_only,saboteur', '--json')
    assert unknown.returncode == 2 and unknown.stdout == ''
    assert unknown.stderr.strip().count('\n') == 0 and "unknown persona 'saboteur'" in unknown.stderr
    crowded = run_cli('--personas', ','.join(PERSONAS), '--agents', '5', '--json')
    assert crowded.returncode == 2 and crowded.stdout == '' and 'at least one honest agent' in crowded.stderr


@cache
def month(seed: int) -> dict:
    agents = 12
    return report(simulate(RunConfig(agents=agents, arrivals_per_hour=DEMO_ARRIVALS_PER_AGENT_HOUR * agents,
                                     hours=30 * 24.0, scenario='normal', seed=seed, personas=tuple(PERSONAS))))


@pytest.mark.parametrize('seed', SEEDS)
def test_over_a_month_no_persona_ranks_first_and_the_best_honest_agent_leads_each(seed: int) -> None:
    document = month(seed)
    best = document['honest_best']
    for name, row in document['personas'].items():
        assert row['rank_month'] > 1 and row['rank_all_time'] > 1, (name, row)
        # the margins of the table above: the smallest is 1,486 (speed only, seed 3)
        assert best['points'] - row['points'] > 1000, (name, row, best)
    # closing early, farming ratings and spamming notes lose by thousands
    for name in ('premature_closer', 'rating_farmer', 'note_spammer'):
        assert best['points'] - document['personas'][name]['points'] > 2500, name
    # what closing early costs shows where the points went: reopens
    assert document['personas']['premature_closer']['reopen_rate'] > 3 * best['reopen_rate']


# a lead who prices notes and tags (they earn nothing by default): enough that, uncapped, spamming them pays
PRICED_NOTES = ScoringPolicy(note_points=4, tag_points=2, low_value_daily_cap=0)


@pytest.mark.parametrize('seed', SEEDS)
def test_the_daily_cap_on_notes_and_tags_keeps_the_note_spammer_from_ranking_first(seed: int) -> None:
    agents = 12
    run = simulate(RunConfig(agents=agents, arrivals_per_hour=DEMO_ARRIVALS_PER_AGENT_HOUR * agents, hours=3 * 24.0,
                             scenario='normal', seed=seed, personas=tuple(PERSONAS)))
    uncapped = personas(run, play(run, policy=PRICED_NOTES))['personas']['note_spammer']
    assert uncapped['rank_all_time'] == 1 and uncapped['rank_month'] == 1, uncapped  # priced, uncapped: spam wins
    capped_policy = replace(PRICED_NOTES, low_value_daily_cap=ScoringPolicy().low_value_daily_cap)
    capped = personas(run, play(run, policy=capped_policy))['personas']['note_spammer']
    assert capped['rank_all_time'] > 1 and capped['rank_month'] > 1, capped
    assert uncapped['points'] - capped['points'] > 500  # what the cap took from three days of spam
    # no agent ever earns more than the cap from notes and tags in a day; the spammer reaches it and then earns nothing
    projection = GameProjection(policy=capped_policy)
    per_day: dict[tuple[int, object], int] = {}
    capped_entries: dict[int, int] = {}
    for event in run.events():
        for award in projection.apply(event).awards:
            if award.kind in (AwardKind.NOTE, AwardKind.TAG):
                key = (award.agent_id, event.occurred_at.date())
                per_day[key] = per_day.get(key, 0) + award.points
            elif award.kind == AwardKind.LOW_VALUE_CAP:
                capped_entries[award.agent_id] = capped_entries.get(award.agent_id, 0) + 1
    assert max(per_day.values()) == capped_policy.low_value_daily_cap
    spammer = next(agent.id for agent in run.agents if agent.style.name == 'note_spammer')
    assert capped_entries[spammer] == max(capped_entries.values()) > 50
