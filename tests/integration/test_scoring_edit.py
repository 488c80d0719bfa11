"""A lead's edit of the scoring values on the real database: later awards only, rebuilt the same, receipts keep the
values of their time; and the resolved counts behind the leaderboards' minimum volume, maintained and rebuilt."""
from datetime import timedelta

import pytest

from models import DailyPoints, LedgerEntry, ScoringPolicyRow, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.leaderboard import Period
from services.domain.scoring import ScoringPolicy, policy_as_dict
from services.game.rebuild import differences, overwrite, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import waiting_ids, written


async def resolve_quickly(services: Services, clock: ManualClock, agent: AgentView, conversation_id: int) -> None:
    await services.inbox.reply(agent, conversation_id, '/hello')
    clock.advance(timedelta(minutes=5))
    await services.inbox.resolve(agent, conversation_id)


async def fast_points(agent_id: int) -> list[int]:
    return list(await LedgerEntry.filter(agent_id=agent_id, kind='fast_resolution').order_by('id')
                .values_list('points', flat=True))


async def test_an_edit_changes_later_awards_only_and_rebuilds_the_same(services: Services, clock: ManualClock,
                                                                       ana: AgentView, lead: AgentView) -> None:
    first, second = (await waiting_ids())[:2]
    await resolve_quickly(services, clock, ana, first)
    await services.scoring.save(lead, policy_as_dict(ScoringPolicy()) | {'fast_resolution': 25,
                                                                         'fast_limit_minutes': 90})
    await resolve_quickly(services, clock, ana, second)
    assert await fast_points(ana.id) == [10, 25]  # the first resolution keeps what it earned
    edit = await StoredEvent.get(kind='scoring_changed')
    assert edit.data == {'policy': policy_as_dict(services.scoring.policy), 'by': lead.id}
    assert [row.since_event_id for row in await ScoringPolicyRow.all().order_by('since_event_id')] == [0, edit.id]

    await services.game.load()  # a restart loads the edited values, not the code's defaults
    await services.scoring.load()
    assert services.game.projection.policy.fast_resolution == 25

    await services.badges.settle()
    rebuilt = await replay()
    assert await differences(rebuilt) == []
    assert rebuilt.policies[-1] == (edit.id, services.scoring.policy)

    await ScoringPolicyRow.filter(since_event_id=edit.id).update(fast_resolution=99)  # a hand edit of the table
    assert await differences(await replay()) == [
        'scoring: the stored scoring values are not the ones the log ends with']
    await overwrite(await replay())
    await services.badges.settle()
    assert await differences(await replay()) == []
    assert (await ScoringPolicyRow.get(since_event_id=edit.id)).fast_resolution == 25


async def test_a_receipt_before_an_edit_keeps_the_old_numbers(services: Services, clock: ManualClock,
                                                              ana: AgentView, lead: AgentView) -> None:
    first, second = (await waiting_ids())[:2]
    await resolve_quickly(services, clock, ana, first)
    await services.scoring.save(lead, policy_as_dict(ScoringPolicy()) | {'fast_resolution': 20,
                                                                         'fast_limit_minutes': 30})
    await resolve_quickly(services, clock, ana, second)
    receipts = [receipt for receipt in (await services.progress.view(ana.id)).receipts
                if receipt.kind == 'fast_resolution']
    explained = [await services.receipts.explain(ana, event_id=receipt.event_id, agent_id=ana.id, kind=receipt.kind)
                 for receipt in sorted(receipts, key=lambda receipt: receipt.event_id)]
    assert 'under 60 min counts as fast (+10 speed)' in explained[0].facts[0]
    assert 'under 30 min counts as fast (+20 speed)' in explained[1].facts[0]


async def test_only_leads_change_the_scoring_and_bad_values_change_nothing(services: Services, ana: AgentView,
                                                                           lead: AgentView) -> None:
    before = await written()
    with pytest.raises(ActionError, match='Only a team lead'):
        await services.scoring.save(ana, policy_as_dict(ScoringPolicy()) | {'fast_resolution': 50})
    with pytest.raises(ActionError, match='Late resolution: a whole number of points from -500 to 0'):
        await services.scoring.save(lead, policy_as_dict(ScoringPolicy()) | {'late_resolution': 5})
    with pytest.raises(ActionError, match='nothing to save'):
        await services.scoring.save(lead, policy_as_dict(ScoringPolicy()))
    assert await written() == before
    assert services.scoring.policy == ScoringPolicy()
    assert await ScoringPolicyRow.all().count() == 1

    await services.scoring.save(lead, policy_as_dict(ScoringPolicy()) | {'happy_customer': 0})
    assert (await services.scoring.reset(lead)) == ScoringPolicy() == services.scoring.policy
    assert await ScoringPolicyRow.all().count() == 3  # the defaults, the edit, the reset: each in force for a while


async def test_resolved_counts_are_maintained_and_rebuilt(services: Services, clock: ManualClock, ana: AgentView,
                                                          bruno: AgentView) -> None:
    first, second, third = (await waiting_ids())[:3]
    for conversation_id in (first, second):
        await resolve_quickly(services, clock, ana, conversation_id)
    await resolve_quickly(services, clock, bruno, third)
    await services.inbox.reopen(ana, first)  # one of her resolutions is taken back
    today = clock.now().date()
    stored = {row[0]: row[1] for row in await DailyPoints.filter(day=today).values_list('agent_id', 'resolved')}
    assert stored[ana.id] == 1 and stored[bruno.id] == 1
    assert services.leaderboard.resolved.total(ana.id, Period.TODAY, today) == 1
    await services.leaderboard.load()  # what a restart reads: the maintained counts, not the log
    assert services.leaderboard.resolved.total(ana.id, Period.WEEK, today) == 1

    await services.badges.settle()
    assert await differences(await replay()) == []
    await DailyPoints.filter(agent_id=ana.id, day=today).update(resolved=7)
    assert await differences(await replay()) == [
        f'leaderboard: agent {ana.id} daily resolved counts differ (stored 7, rebuilt 1)']
    await overwrite(await replay())
    assert (await DailyPoints.get(agent_id=ana.id, day=today)).resolved == 1


async def test_the_minimum_volume_keeps_agents_off_the_board_until_they_reach_it(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    conversations = (await waiting_ids())[:3]
    for conversation_id in conversations[:2]:
        await resolve_quickly(services, clock, ana, conversation_id)
    await resolve_quickly(services, clock, bruno, conversations[2])
    await services.scoring.save(lead, policy_as_dict(ScoringPolicy()) | {'minimum_resolved': 2})
    await services.leaderboard.broadcast.settle()
    snapshot = services.leaderboard.snapshot()
    assert snapshot.minimum == 2
    assert [row.agent_id for row in snapshot.agents[Period.TODAY]] == [ana.id]
    unranked = {row.agent_id: row.resolved for row in snapshot.unranked[Period.TODAY]}
    assert unranked[bruno.id] == 1 and ana.id not in unranked
    aurora = snapshot.team_agents[Period.TODAY][ana.team_id]
    assert [(row.rank, row.agent_id) for row in aurora] == [(1, ana.id)]
    team = next(row for row in snapshot.teams[Period.TODAY] if row.team_id == ana.team_id)
    assert team.members == 1  # Bruno is not counted in Aurora's average
