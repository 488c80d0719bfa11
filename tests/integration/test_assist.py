"""Assist credit on a real database (issue 18): the inbox names who helped on the resolution (an internal note, a
transfer note, a team-chat answer naming the conversation), the game pays each a share that vests and a reopen takes
back (also after a restart), the resolver confirms or declines, receipts explain it, and a replay agrees."""
from datetime import timedelta

import pytest

from models import LedgerEntry, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.scoring import policy_as_dict
from services.game.rebuild import differences, replay
from services.helpdesk.assists import AssistState
from services.helpdesk.inbox import ASSIST_CHAT_WINDOW
from services.helpdesk.team_chat import answers_naming
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import agent
from tests.integration.test_fair_play import arrive


async def shares(event_id: int) -> dict[int, int]:
    """The assist entries of one event: agent -> points."""
    return dict(await LedgerEntry.filter(event_id=event_id, kind='assist').values_list('agent_id', 'points'))


async def latest(kind: EventKind) -> StoredEvent:
    event = await StoredEvent.filter(kind=kind.value).order_by('-id').first()
    assert event is not None
    return event


async def test_a_note_a_transfer_note_and_a_chat_answer_each_earn_one_share_and_a_reopen_takes_them_back(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView) -> None:
    chloe = agent(services, 'chloe')
    conversation_id = await arrive(services, clock)
    await services.inbox.take(bruno, conversation_id)
    await services.inbox.add_note(bruno, conversation_id, 'Refund policy: see the billing wiki')
    await services.inbox.add_note(bruno, conversation_id, 'and the March invoice')  # one share, whatever the notes
    await services.inbox.transfer(bruno, conversation_id, to_agent_id=ana.id, note='Card was charged twice')
    await services.team_chat.send(chloe, f'#{conversation_id} is a duplicate charge, refund it', to_agent_id=ana.id)
    await services.team_chat.send(chloe, 'unrelated', to_agent_id=ana.id)
    await services.inbox.resolve(ana, conversation_id)
    resolution = await latest(EventKind.RESOLVED)
    assert resolution.data['assisters'] == sorted([bruno.id, chloe.id])
    resolver_points = services.game.projection.agents[ana.id].points
    share = resolver_points * services.scoring.policy.assist_percent // 100
    assert share > 0 and await shares(resolution.id) == {bruno.id: share, chloe.id: share}
    entry = await LedgerEntry.get(event_id=resolution.id, kind='assist', agent_id=bruno.id)
    assert entry.reason == f'assist on #{conversation_id} resolved by {ana.name}'
    receipt = await services.receipts.explain(bruno, event_id=resolution.id, agent_id=bruno.id, kind='assist')
    assert f'{ana.name} resolved the conversation' in receipt.facts[0]
    assert (await services.progress.view(bruno.id)).pending == share  # it vests like the resolution

    await services.load()  # a restart: the shares are read back with the resolution
    assert (await services.progress.view(bruno.id)).pending == share
    await services.inbox.reopen(ana, conversation_id)
    reopen = await latest(EventKind.REOPENED)
    taken = dict(await LedgerEntry.filter(event_id=reopen.id, kind='clawback', agent_id__in=[bruno.id, chloe.id])
                 .values_list('agent_id', 'points'))
    assert taken == {bruno.id: -share, chloe.id: -share}
    assert (await services.progress.view(bruno.id)).pending == 0
    assert await differences(await replay()) == []


async def test_the_resolver_declines_and_confirms_and_a_replay_agrees(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView) -> None:
    chloe = agent(services, 'chloe')
    conversation_id = await arrive(services, clock)
    await services.inbox.add_note(bruno, conversation_id, 'Looks like the known login bug')  # while it waited
    await services.inbox.take(ana, conversation_id)
    await services.inbox.resolve(ana, conversation_id)
    view = await services.assists.view(ana, conversation_id)
    assert view is not None and [(line.agent_id, line.state) for line in view.lines] == \
        [(bruno.id, AssistState.INFERRED)]
    assert chloe.id in view.others and ana.id not in view.others
    assert await services.assists.view(bruno, conversation_id) is None  # only the resolver decides
    with pytest.raises(ActionError, match='Only who resolved'):
        await services.assists.decide(bruno, conversation_id, chloe.id, confirmed=True)
    with pytest.raises(ActionError, match='not an assist'):
        await services.assists.decide(ana, conversation_id, ana.id, confirmed=True)

    await services.load()  # a restart between the resolution and the decisions: read back from the log
    await services.assists.decide(ana, conversation_id, bruno.id, confirmed=False)
    await services.assists.decide(ana, conversation_id, chloe.id, confirmed=True)
    declined, confirmed = await StoredEvent.filter(kind=EventKind.ASSIST_DECIDED.value).order_by('id')
    share = -(await shares(declined.id))[bruno.id]
    assert share > 0 and await shares(confirmed.id) == {chloe.id: share}
    view = await services.assists.view(ana, conversation_id)
    assert view is not None and {line.agent_id: line.state for line in view.lines} == {
        bruno.id: AssistState.DECLINED, chloe.id: AssistState.CONFIRMED}
    receipt = await services.receipts.explain(bruno, event_id=declined.id, agent_id=bruno.id, kind='assist')
    assert 'taken back' in receipt.facts[0]
    assert (await services.progress.view(chloe.id)).pending == share
    await services.load()
    assert (await services.progress.view(chloe.id)).pending == share  # the decision's share is read back too
    assert (await services.progress.view(bruno.id)).pending == 0
    await services.inbox.reopen(ana, conversation_id)
    assert services.game.projection.agents[chloe.id].points == 0
    assert await differences(await replay()) == []
    clock.advance(timedelta(minutes=1))
    with pytest.raises(ActionError, match='is not resolved'):
        await services.assists.decide(ana, conversation_id, chloe.id, confirmed=True)


async def test_an_edited_share_applies_from_the_edit_and_zero_switches_it_off(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    await services.scoring.save(lead, policy_as_dict(services.scoring.policy) | {'assist_percent': 0})
    conversation_id = await arrive(services, clock)
    await services.inbox.add_note(bruno, conversation_id, 'Check the carrier tracking')
    await services.inbox.take(ana, conversation_id)
    await services.inbox.resolve(ana, conversation_id)
    assert await shares((await latest(EventKind.RESOLVED)).id) == {}
    await services.scoring.save(lead, policy_as_dict(services.scoring.policy) | {'assist_percent': 50})
    await services.assists.decide(ana, conversation_id, bruno.id, confirmed=True)  # the rule in force now
    assert list(await shares((await latest(EventKind.ASSIST_DECIDED)).id)) == [bruno.id]
    assert await differences(await replay()) == []


async def test_a_decline_stands_when_the_same_resolver_resolves_again_and_another_resolver_decides_afresh(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView) -> None:
    chloe = agent(services, 'chloe')
    conversation_id = await arrive(services, clock)
    await services.inbox.add_note(bruno, conversation_id, 'Try the password reset link')  # no real help, says Ana
    await services.inbox.add_note(chloe, conversation_id, 'The account is locked: unlock it in the admin')
    await services.inbox.take(ana, conversation_id)
    await services.inbox.resolve(ana, conversation_id)
    share = (await shares((await latest(EventKind.RESOLVED)).id))[bruno.id]
    await services.assists.decide(ana, conversation_id, bruno.id, confirmed=False)
    await services.inbox.reopen(ana, conversation_id)

    await services.inbox.resolve(ana, conversation_id)  # the same resolver again: her word on Bruno stands
    again = await latest(EventKind.RESOLVED)
    assert again.data['assisters'] == sorted([bruno.id, chloe.id]) and again.data['declined'] == [bruno.id]
    assert await shares(again.id) == {chloe.id: share}
    view = await services.assists.view(ana, conversation_id)
    assert view is not None and {line.agent_id: line.state for line in view.lines} == {
        bruno.id: AssistState.DECLINED, chloe.id: AssistState.INFERRED}
    await services.assists.decide(ana, conversation_id, bruno.id, confirmed=False)  # declined already: no entry
    assert await shares((await latest(EventKind.ASSIST_DECIDED)).id) == {}
    assert services.game.projection.agents[bruno.id].points == 0  # paid once, taken back once, not paid again
    await services.inbox.reopen(ana, conversation_id)

    await services.inbox.transfer(ana, conversation_id, to_agent_id=chloe.id)  # no note: Ana is no assister
    await services.inbox.resolve(chloe, conversation_id)  # a different resolver decides afresh
    by_chloe = await latest(EventKind.RESOLVED)
    assert by_chloe.data['assisters'] == [bruno.id] and 'declined' not in by_chloe.data
    assert list(await shares(by_chloe.id)) == [bruno.id]
    await services.inbox.reopen(chloe, conversation_id)

    await services.inbox.transfer(chloe, conversation_id, to_agent_id=ana.id)
    await services.inbox.resolve(ana, conversation_id)  # still Ana's latest word on Bruno: declined
    assert (await latest(EventKind.RESOLVED)).data['declined'] == [bruno.id]
    await services.assists.decide(ana, conversation_id, bruno.id, confirmed=True)  # she changes her mind
    await services.inbox.reopen(ana, conversation_id)
    await services.inbox.resolve(ana, conversation_id)
    assert bruno.id in await shares((await latest(EventKind.RESOLVED)).id)  # her latest word: confirmed
    assert await differences(await replay()) == []


async def test_a_chat_answer_counts_only_addressed_to_the_resolver_naming_the_conversation_within_the_week(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView) -> None:
    chloe, daan = agent(services, 'chloe'), agent(services, 'daan')
    conversation_id = await arrive(services, clock)
    await services.team_chat.send(chloe, f'#{conversation_id}: refund it', to_agent_id=ana.id)  # the one that counts
    await services.team_chat.send(bruno, f'see #{conversation_id}0, not yours', to_agent_id=ana.id)  # another one
    await services.team_chat.send(bruno, f'&#{conversation_id}; is markup', to_agent_id=ana.id)
    await services.team_chat.send(daan, f'who has #{conversation_id}?')  # the team room
    await services.team_chat.send(daan, f'#{conversation_id} is Ana\'s', to_agent_id=bruno.id)  # to someone else
    assert await answers_naming(conversation_id, to_agent_id=ana.id, since=clock.now() - timedelta(days=1)) == \
        {chloe.id}
    clock.advance(ASSIST_CHAT_WINDOW + timedelta(minutes=1))
    await services.team_chat.send(daan, f'and #{conversation_id} again', to_agent_id=ana.id)
    await services.inbox.take(ana, conversation_id)
    await services.inbox.resolve(ana, conversation_id)  # Chloe's answer is over a week old now
    assert (await latest(EventKind.RESOLVED)).data['assisters'] == [daan.id]
