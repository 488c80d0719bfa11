"""A receipt opened: its rule and numbers and the conversation's events, for its agent (and leads) only."""
from datetime import timedelta

import pytest

from services.clock import ManualClock
from services.container import Services
from services.directory import AgentView
from services.events import Rating
from services.inbox import ActionError
from tests.integration.support import waiting_ids


async def test_a_receipt_explains_itself_with_the_events_behind_it(services: Services, clock: ManualClock,
                                                                   ana: AgentView, bruno: AgentView,
                                                                   lead: AgentView) -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(ana, conversation_id, '/hello')
    clock.advance(timedelta(minutes=25))
    await services.inbox.resolve(ana, conversation_id)
    await services.inbox.rate(conversation_id, Rating.GOOD, comment='Quick and kind')
    receipts = {receipt.kind: receipt for receipt in (await services.progress.view(ana.id)).receipts}
    assert set(receipts) >= {'fast_resolution', 'on_time_resolution', 'first_contact', 'happy_customer'}

    fast = receipts['fast_resolution']
    detail = await services.receipts.explain(ana, event_id=fast.event_id, agent_id=ana.id, kind=fast.kind)
    assert detail.title == f'+10 fast resolution of #{conversation_id}' and detail.domain == 'speed'
    assert detail.facts[0].startswith('Resolved ') and 'under 60 min counts as fast' in detail.facts[0]
    story = [(line.text, line.scored) for line in detail.events]
    assert story[0][0].startswith('The customer wrote in')
    assert any(text.startswith('Ana Ozola replied') for text, _ in story)
    assert story[-1] == ('Ana Ozola resolved it', True)  # the event the points came from, last and marked

    happy = receipts['happy_customer']
    detail = await services.receipts.explain(lead, event_id=happy.event_id, agent_id=ana.id, kind=happy.kind)
    assert detail.facts == ['The customer rated the resolution good and wrote: “Quick and kind”.']
    assert detail.events[-1].text == 'The customer rated it good'

    with pytest.raises(ActionError, match='Only your own receipts'):
        await services.receipts.explain(bruno, event_id=fast.event_id, agent_id=ana.id, kind=fast.kind)
    with pytest.raises(ActionError, match='no longer exists'):
        await services.receipts.explain(ana, event_id=fast.event_id, agent_id=ana.id, kind='late_resolution')
