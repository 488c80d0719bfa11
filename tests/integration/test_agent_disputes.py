"""An agent disputes a rating of their own (issue 15): only their own, once, with a reason; a lead upholds it or turns
it down, and the agent is told the outcome. Every step is an event with its actor, and the log replays the same."""
import pytest

from models import StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import EventKind, Rating
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import written
from tests.integration.test_game_store import assert_rebuild_matches, listen, resolve_one


async def test_an_agent_disputes_only_their_own_rating_once_and_with_a_reason(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView) -> None:
    conversation_id = await resolve_one(services, clock, ana, rating=Rating.BAD)
    rated = await StoredEvent.get(kind=EventKind.RATED.value, conversation_id=conversation_id)
    for refused, message in (
            (lambda: services.disputes.dispute(bruno, rated.id, 'Not fair to Ana'), 'only dispute ratings of your own'),
            (lambda: services.disputes.dispute(ana, rated.id, '  \n '), 'Say why the rating is unfair'),
            (lambda: services.disputes.dispute(ana, rated.id, 'x' * 201), 'at most 200'),
            (lambda: services.disputes.dispute(ana, rated.id + 10_000, 'unfair'), 'That rating does not exist')):
        before = await written()
        with pytest.raises(ActionError, match=message):
            await refused()
        assert await written() == before

    await services.disputes.dispute(ana, rated.id, 'The parcel was late, not my answer')
    disputed = await StoredEvent.get(kind=EventKind.RATING_DISPUTED.value)
    assert (disputed.agent_id, disputed.conversation_id, disputed.data['rated_event_id'], disputed.data['by'],
            disputed.data['reason']) == (ana.id, conversation_id, rated.id, ana.id,
                                         'The parcel was late, not my answer')
    # 30 earned, -10 unhappy customer, -15 fast and on-time points a bad rating cancels (fair play, issue 18)
    assert services.game.projection.agents[ana.id].points == -5  # a dispute alone changes no points

    before = await written()
    with pytest.raises(ActionError, match=f'You already disputed the rating on #{conversation_id}'):
        await services.disputes.dispute(ana, rated.id, 'again')
    assert await written() == before
    states = await services.disputes.disputes_of(ana, [rated.id])
    assert (states[rated.id].outcome, states[rated.id].reason) == ('pending', 'The parcel was late, not my answer')
    assert await services.disputes.disputes_of(bruno, [rated.id]) == {}  # another agent's dispute is not theirs
    await assert_rebuild_matches(services)


async def test_a_lead_upholds_a_dispute_and_the_agent_is_told(
        services: Services, clock: ManualClock, ana: AgentView, lead: AgentView) -> None:
    conversation_id = await resolve_one(services, clock, ana, rating=Rating.BAD)
    rated = await StoredEvent.get(kind=EventKind.RATED.value, conversation_id=conversation_id)
    notices = listen(services, ana)
    await services.disputes.dispute(ana, rated.id, 'The parcel was late')
    waiting = await services.disputes.ratings(lead, disputed=True)
    assert [(r.event_id, r.agent_id, r.disputed_because) for r in waiting] == [
        (rated.id, ana.id, 'The parcel was late')]

    assert await services.disputes.invalidate(lead, rated.id, 'Courier problem') == 25  # all the rating caused
    assert services.game.projection.agents[ana.id].points == 20
    assert [notice.text for notice in notices] == [
        f'A lead invalidated the bad rating on #{conversation_id}: Courier problem. +25 points compensate it.']
    assert await services.disputes.ratings(lead, disputed=True) == []  # decided: no longer waiting
    state = (await services.disputes.disputes_of(ana, [rated.id]))[rated.id]
    assert (state.outcome, state.answer) == ('upheld', 'Courier problem')
    before = await written()
    with pytest.raises(ActionError, match='already invalidated'):
        await services.disputes.reject(lead, rated.id, 'too late')
    with pytest.raises(ActionError, match='You already disputed'):
        await services.disputes.dispute(ana, rated.id, 'again')
    assert await written() == before
    await assert_rebuild_matches(services)


async def test_a_lead_turns_a_dispute_down_and_only_a_lead_may(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    conversation_id = await resolve_one(services, clock, ana, rating=Rating.BAD)
    rated = await StoredEvent.get(kind=EventKind.RATED.value, conversation_id=conversation_id)
    notices = listen(services, ana)
    before = await written()
    with pytest.raises(ActionError, match='No agent disputed that rating'):
        await services.disputes.reject(lead, rated.id, 'stands')
    await services.disputes.dispute(ana, rated.id, 'The parcel was late')
    before = await written()
    for refused, message in ((lambda: services.disputes.reject(ana, rated.id, 'mine'), 'Only a lead can decide'),
                             (lambda: services.disputes.reject(bruno, rated.id, 'no'), 'Only a lead can decide'),
                             (lambda: services.disputes.reject(lead, rated.id, ''), 'Say why the rating stands')):
        with pytest.raises(ActionError, match=message):
            await refused()
        assert await written() == before

    await services.disputes.reject(lead, rated.id, 'The customer was unhappy with the answer')
    rejected = await StoredEvent.get(kind=EventKind.DISPUTE_REJECTED.value)
    assert (rejected.agent_id, rejected.data['by']) == (ana.id, lead.id)
    assert services.game.projection.agents[ana.id].points == -5  # the rating stands
    assert [notice.text for notice in notices] == [
        f'A lead turned down your dispute of the bad rating on #{conversation_id}: The customer was unhappy with the '
        'answer. The rating stands.']
    state = (await services.disputes.disputes_of(ana, [rated.id]))[rated.id]
    assert (state.outcome, state.answer) == ('rejected', 'The customer was unhappy with the answer')
    listed = {r.event_id: r for r in await services.disputes.ratings(lead)}
    assert listed[rated.id].rejected_because == 'The customer was unhappy with the answer'
    before = await written()
    for again in (lambda: services.disputes.reject(lead, rated.id, 'twice'),
                  lambda: services.disputes.invalidate(lead, rated.id, 'changed my mind')):
        with pytest.raises(ActionError, match='already turned down'):
            await again()
    assert await written() == before
    await assert_rebuild_matches(services)
