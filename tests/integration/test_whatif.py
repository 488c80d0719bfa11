"""What-if on the real database (issue 18): "before" is the live state exactly, a preview writes nothing, and the
command line's contract (``rules export`` → ``whatif --json``) holds for scripts."""
import asyncio
import json
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models import AgentScore, BadgeHolding, DailyPoints, LedgerEntry, LevelReached, ScoringPolicyRow, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.leaderboard import Period
from services.domain.quests import QuestDefinition, Repeat
from services.domain.whatif import Cancelled, rules_as_document
from services.game.quests import QuestDraft
from services.game.rebuild import differences, replay
from services.game.whatif import Preview, live_rules
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator

ROOT = Path(__file__).resolve().parents[2]
STORED = (StoredEvent, LedgerEntry, AgentScore, DailyPoints, LevelReached, BadgeHolding, ScoringPolicyRow)


async def stored_state() -> dict[str, list]:
    """Every row of the tables a game change writes, to compare before and after a preview."""
    state = {}
    for model in STORED:
        state[model.__name__] = [tuple(row) for row in await model.all().order_by(model._meta.pk_attr)
                                 .values_list(*model._meta.fields_map.keys() - model._meta.fetch_fields)]
    return state


async def test_before_is_the_live_state_and_a_preview_writes_nothing(services: Services, simulator: Simulator,
                                                                      clock: ManualClock) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=4))
    await services.badges.settle()
    await services.leaderboard.broadcast.settle()  # the boards ranked after the last commit
    stored = await stored_state()
    snapshot = services.leaderboard.snapshot()
    live_agents = {agent_id: metrics.as_dict() for agent_id, metrics in services.game.projection.agents.items()}
    rules = await live_rules()
    assert rules.policy == services.scoring.policy and rules.levels == tuple(services.levels.levels)

    draft = replace(rules, policy=replace(rules.policy, fast_resolution=60, minimum_resolved=3))
    result = await Preview(draft, days=7, now=clock.now()).run()

    scores = {row.agent_id: row for row in await AgentScore.all()}
    ranks = {period: {row.agent_id: row.rank for row in snapshot.agents[period]}
             for period in (Period.ALL, Period.MONTH)}
    assert len(result.agents) == len(services.directory.floor())
    for agent in result.agents:
        score = scores.get(agent.id)
        assert agent.points_before == (score.points if score else 0)
        assert agent.points_by_domain_before == {name: getattr(score, name) if score else 0
                                                 for name in ('quality', 'speed', 'productivity')}
        assert agent.level_before == (score.level if score else 1)
        assert agent.rank_before == {'all_time': ranks[Period.ALL].get(agent.id),
                                     'month': ranks[Period.MONTH].get(agent.id)}
    assert sum(agent.points_after for agent in result.agents) > sum(agent.points_before for agent in result.agents)
    assert result.events == await StoredEvent.all().count()  # the whole simulated floor is within the seven days

    same = await Preview(rules, days=7, now=clock.now()).run()  # the live rules, previewed, change nothing
    assert all(agent.points_before == agent.points_after and agent.rank_before == agent.rank_after
               for agent in same.agents)
    assert not (same.badges or same.levels or same.quests)

    preview = Preview(draft, days=7, now=clock.now())
    preview.cancel()
    with pytest.raises(Cancelled):
        await preview.run()

    assert await stored_state() == stored  # not a row written
    await services.leaderboard.broadcast.settle()
    assert services.leaderboard.snapshot() == snapshot  # nor the live boards moved
    assert {agent_id: metrics.as_dict() for agent_id, metrics in services.game.projection.agents.items()} == \
        live_agents


async def test_rules_export_then_whatif_on_the_command_line(services: Services, simulator: Simulator,
                                                            clock: ManualClock, db_url: str, tmp_path: Path) -> None:
    clock.set(datetime.now(UTC) + timedelta(days=30))  # as the demo's accelerated clock does, ahead of the wall clock
    await simulator.run_until(clock.now() + timedelta(hours=1))
    clock.advance(timedelta(days=2))  # a quiet weekend: the first hour is out of the last day
    await simulator.run_until(clock.now() + timedelta(hours=1))
    events = await StoredEvent.all().count()
    last_event = (await StoredEvent.all().order_by('-id').first()).occurred_at
    code, output, errors = await run_cli('rules', 'export', '--db-url', db_url)
    assert code == 0, errors
    document = json.loads(output)
    assert document == rules_as_document(await live_rules())
    assert set(document) >= {'scoring', 'levels', 'badges', 'quests', 'incentives'}
    assert 'minimum_resolved' in document['scoring']

    document['scoring']['fast_resolution'] = 50
    draft = tmp_path / 'rules.json'
    draft.write_text(json.dumps(document))
    code, output, errors = await run_cli('whatif', '--rules', str(draft), '--days', '90', '--json', '--db-url', db_url)
    assert code == 0, errors
    preview = json.loads(output)  # one object, nothing else
    assert set(preview) >= {'agents', 'changes'}
    assert preview['agents'] and set(preview['agents'][0]) >= {
        'id', 'name', 'points_before', 'points_after', 'points_by_domain_before', 'points_by_domain_after',
        'rank_before', 'rank_after'}
    assert set(preview['agents'][0]['rank_before']) == {'all_time', 'month'}
    assert set(preview['changes']) >= {'badges', 'levels', 'quests'}
    assert any(agent['points_after'] > agent['points_before'] for agent in preview['agents'])

    code, output, errors = await run_cli('whatif', '--rules', str(draft), '--days', '1', '--json', '--db-url', db_url)
    assert code == 0, errors
    last_day = json.loads(output)  # "the last day" is the log's, not the wall clock's
    assert datetime.fromisoformat(last_day['since']) == last_event - timedelta(days=1)
    assert 0 < last_day['events'] < events

    code, output, errors = await run_cli('whatif', '--rules', str(draft), '--days', '90', '--db-url', db_url)
    assert code == 0 and 'live -> draft' in output, errors
    assert await StoredEvent.all().count() == events


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_a_bad_rules_file_is_one_line_and_exit_2(db_url: str, tmp_path: Path) -> None:
    bad_json, bad_rules = tmp_path / 'bad.json', tmp_path / 'rules.json'
    bad_json.write_text('{"scoring": ')
    bad_rules.write_text(json.dumps({'deskquest_rules': 1, 'scoring': {}, 'levels': [], 'badges': [], 'quests': [],
                                     'incentives': []}))
    for path, message in ((tmp_path / 'missing.json', 'cannot read'), (bad_json, 'not JSON'),
                          (bad_rules, 'scoring: Fast resolution limit')):
        code, output, errors = await run_cli('whatif', '--rules', str(path), '--db-url', db_url)
        assert code == 2 and output == '' and message in errors, errors
        assert len(errors.strip().splitlines()) == 1 and 'Traceback' not in errors
    code, _, errors = await run_cli('whatif', '--rules', str(bad_rules), '--days', '91', '--db-url', db_url)
    assert code == 2 and '--days takes 1 to 90' in errors
    code, _, errors = await run_cli('rules', '--db-url', db_url)
    assert code == 2 and 'rules export' in errors


async def run_cli(*args: str) -> tuple[int, str, str]:
    env = {name: value for name, value in os.environ.items() if name != 'NICEGUI_USER_SIMULATION'}
    process = await asyncio.create_subprocess_exec(sys.executable, 'main.py', *args, cwd=ROOT, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        output, errors = await asyncio.wait_for(process.communicate(), timeout=120)
    except TimeoutError:
        process.kill()
        raise
    assert process.returncode is not None
    return process.returncode, output.decode(), errors.decode()


async def test_publish_is_for_leads_and_all_or_nothing(services: Services, ana: AgentView, lead: AgentView) -> None:
    live = await live_rules()
    draft = replace(live, policy=replace(live.policy, happy_customer=15),
                    levels=(*live.levels[:1], replace(live.levels[1], condition='points >= 150'), *live.levels[2:]))
    events = await StoredEvent.all().count()
    with pytest.raises(ActionError, match='Only a team lead can preview or publish rules.'):
        await services.rules.publish(ana, draft)
    with pytest.raises(ActionError, match='Only a team lead'):
        services.rules.preview(ana, draft, days=7)
    with pytest.raises(ActionError, match='This draft removes badges, which the game cannot do'):
        await services.rules.publish(lead, replace(draft, badges=live.badges[1:]))
    broken = replace(draft, levels=(*draft.levels[:2], replace(draft.levels[2], title='  ')))
    with pytest.raises(ActionError):  # the levels are refused after the scoring values were saved: both undone
        await services.rules.publish(lead, broken)
    assert await StoredEvent.all().count() == events
    assert services.scoring.policy == live.policy and tuple(services.levels.levels) == live.levels
    assert await live_rules() == live
    with pytest.raises(ActionError, match='nothing to publish'):
        await services.rules.publish(lead, live)

    assert await services.rules.publish(lead, draft) == ['scoring values', 'levels']
    assert await live_rules() == draft
    kinds = await StoredEvent.filter(id__gt=events).order_by('id').values_list('kind', flat=True)
    assert kinds == ['scoring_changed', 'levels_changed']
    await services.badges.settle()
    assert await differences(await replay()) == []  # rebuild --check stays clean


async def test_publishing_badges_and_incentives_of_an_imported_draft(services: Services, lead: AgentView) -> None:
    live = await live_rules()
    assert live.incentives  # the demo's
    kept, *others = live.incentives
    new = replace(kept, id=999, name='Weekend bonus', multiplier=3.0)
    draft = replace(live, badges=(replace(live.badges[0], minimum_volume=3), *live.badges[1:]),
                    incentives=(replace(kept, multiplier=1.5), new))
    events = await StoredEvent.all().count()
    published = await services.rules.publish(lead, draft)
    assert published == ['1 badge', f'{2 + len(others)} incentive changes']
    now = await live_rules()
    assert now.badges == draft.badges
    assert [(i.name, i.multiplier) for i in now.incentives] == [(kept.name, 1.5), ('Weekend bonus', 3.0)]
    kinds = await StoredEvent.filter(id__gt=events).values_list('kind', flat=True)
    assert sorted(kinds) == sorted(['badges_changed', 'incentive_saved', 'incentive_saved',
                                    *['incentive_deleted'] * len(others)])
    await services.badges.settle()
    assert await differences(await replay()) == []


async def test_a_drafts_quests_are_published_as_one_quest_edit(services: Services, lead: AgentView,
                                                               clock: ManualClock) -> None:
    kept = await services.quests.save(lead, QuestDraft(title='Resolve 5 today', target=5, preset='today',
                                                       reward_points=30, repeat='daily'))
    left_out = await services.quests.save(lead, QuestDraft(title='Three good ratings', kind='rated', rating='good',
                                                           target=3, preset='this_week', reward_points=20))
    clock.advance(timedelta(minutes=5))  # both running
    live = await live_rules()
    draft = replace(live, quests=tuple(replace(quest, target=4) if quest.key == kept.key else quest
                                       for quest in live.quests if quest.key != left_out.key))
    with pytest.raises(ActionError, match='Quest Resolve 5 today: A quest cannot change how it repeats'):
        await services.rules.publish(lead, replace(draft, quests=tuple(
            replace(quest, repeat=Repeat.NONE) if quest.key == kept.key else quest for quest in draft.quests)))
    edits = await StoredEvent.filter(kind=EventKind.QUESTS_CHANGED.value).count()

    assert await services.rules.publish(lead, draft) == ['2 quests']
    assert services.quests.definition(kept.key).target == 4
    assert services.quests.definition(left_out.key).ends_at == clock.now()  # ended now: what it gave stays
    assert await StoredEvent.filter(kind=EventKind.QUESTS_CHANGED.value).count() == edits + 1
    assert await differences(await replay()) == []


async def test_a_drafts_quest_is_refused_in_the_words_of_its_own_form(services: Services, lead: AgentView,
                                                                      clock: ManualClock) -> None:
    quest = await services.quests.save(lead, QuestDraft(title='Resolve 5 today', target=5, preset='today',
                                                        reward_points=30))
    clock.advance(timedelta(minutes=5))
    form = QuestDraft(key=quest.key, title=quest.title, target=5, preset='today', reward_points=30)
    today = clock.now().date()

    async def refusals(edited: QuestDraft, drafted: QuestDefinition) -> tuple[str, str]:
        with pytest.raises(ActionError) as by_form:
            await services.quests.save(lead, edited)
        with pytest.raises(ActionError) as by_draft:
            await services.rules.publish(lead, replace(await live_rules(), quests=(drafted,)))
        return str(by_form.value), str(by_draft.value)

    for edited, drafted, reason in [
            (replace(form, repeat='daily'), replace(quest, repeat=Repeat.DAILY), 'cannot change how it repeats'),
            (replace(form, reward_badge='cleaner'), replace(quest, reward_badge='cleaner'),
             "'cleaner' is not a badge given by quests"),
            (replace(form, preset='custom', first_day=today - timedelta(days=3), last_day=today - timedelta(days=1)),
             replace(quest, starts_at=clock.now() - timedelta(days=3), ends_at=clock.now() - timedelta(days=1)),
             'This period is over already')]:
        by_form, by_draft = await refusals(edited, drafted)
        assert reason in by_form and by_draft == f'Quest Resolve 5 today: {by_form}'
    await services.quests.end(lead, quest.key)
    clock.advance(timedelta(minutes=1))
    ended = services.quests.definition(quest.key)
    by_form, by_draft = await refusals(form, replace(ended, target=4))
    assert 'This quest is over' in by_form and by_draft == f'Quest Resolve 5 today: {by_form}'
    assert services.quests.definition(quest.key) == ended
