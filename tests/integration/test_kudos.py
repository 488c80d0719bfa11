"""Peer kudos (issue 20): an agent thanks a colleague, who gets a small quality award with the message as its receipt;
a few a day, never to oneself, folded from the log like every point."""
from datetime import timedelta

import pytest

from models import StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.kudos import KUDOS_PER_DAY, KUDOS_POINTS
from services.domain.scoring import AwardKind
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.notices import Notice
from tests.integration.support import ledger_of, written


async def test_a_thanks_gives_the_colleague_quality_points_with_the_message_as_receipt(
        services: Services, ana: AgentView, bruno: AgentView) -> None:
    told: list[Notice] = []
    services.notices.for_agent(bruno.id).subscribe(told.append)
    quality_before = services.game.projection.agents.get(bruno.id)
    quality_before = quality_before.quality if quality_before else 0

    assert await services.kudos.send(ana, bruno.id, '  Thanks for taking my angry caller  ') == KUDOS_POINTS

    assert services.game.projection.agents[bruno.id].quality == quality_before + KUDOS_POINTS
    reason = f'thanks from {ana.name}: “Thanks for taking my angry caller”'
    assert (await ledger_of(bruno.id))[-1] == (KUDOS_POINTS, 'quality', reason)
    assert [notice.text for notice in told] == [
        f'{ana.name} thanked you: “Thanks for taking my angry caller” (+{KUDOS_POINTS} quality)']
    event = await StoredEvent.get(kind=EventKind.KUDOS_SENT.value)
    assert (event.agent_id, event.data['by']) == (bruno.id, ana.id)
    receipt = await services.receipts.explain(bruno, event_id=event.id, agent_id=bruno.id,
                                              kind=AwardKind.KUDOS.value)
    assert receipt.title == f'+{KUDOS_POINTS} {reason}'
    assert 'Thanks for taking my angry caller' in receipt.facts[0]
    assert [line.text for line in receipt.events] == [f'{ana.name} thanked {bruno.name}']
    with pytest.raises(ActionError, match='Only your own receipts'):  # the sender cannot open the colleague's
        await services.receipts.explain(ana, event_id=event.id, agent_id=bruno.id, kind=AwardKind.KUDOS.value)
    assert (await services.progress.view(bruno.id)).receipts[0].text.startswith(f'+{KUDOS_POINTS} thanks from')
    assert await differences(await replay()) == []  # rebuild --check: the award is a fold of the event


async def test_thanks_are_refused_with_a_reason_and_change_nothing(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    for sent in range(KUDOS_PER_DAY):
        await services.kudos.send(ana, bruno.id, f'thanks number {sent + 1}')
    assert (await services.kudos.choice(ana)).left == 0
    refusals = ((bruno.id, 'one more', f'sent your {KUDOS_PER_DAY} thanks for today'),
                (ana.id, 'me', 'cannot thank yourself'),
                (lead.id, 'you lead well', 'not on the floor'),
                (999_999, 'whoever', 'not on the floor'),
                (bruno.id, '   ', 'Say what you are thanking them for'),
                (bruno.id, 'x' * 281, 'too long'),
                (bruno.id, 'bell\x07', 'Message'))
    for receiver_id, message, reason in refusals:
        before = await written()
        with pytest.raises(ActionError, match=reason):
            await services.kudos.send(ana, receiver_id, message)
        assert await written() == before, message
    # another sender has their own thanks; the next day brings new ones
    await services.kudos.send(bruno, ana.id, 'back at you')
    clock.advance(timedelta(days=1))
    assert (await services.kudos.choice(ana)).left == KUDOS_PER_DAY
    await services.kudos.send(ana, bruno.id, 'a new day')


async def test_the_colleagues_offered_are_the_floor_but_oneself_own_team_first(
        services: Services, ana: AgentView, lead: AgentView) -> None:
    choice = await services.kudos.choice(ana)
    names = list(choice.colleagues.values())
    assert ana.id not in choice.colleagues and lead.id not in choice.colleagues
    floor = {agent.id for agent in services.directory.floor()} - {ana.id}
    assert set(choice.colleagues) == floor
    teams = [services.directory.agent(agent_id).team_id == ana.team_id for agent_id in choice.colleagues]
    assert teams == sorted(teams, reverse=True) and len(names) == len(floor)
