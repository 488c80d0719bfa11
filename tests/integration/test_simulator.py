"""The headless simulator: reproducible from its seed, and it leaves people who are online to do their own work."""
from datetime import timedelta
from pathlib import Path

import pytest

from models import Conversation, LedgerEntry, StoredEvent
from services.clock import ManualClock
from services.container import Services
from services.directory import AgentView
from services.events import Rating
from services.inbox import ActionError
from services.rebuild import differences, replay
from tests.conftest import START
from tests.integration.support import start_headless, waiting_ids, written

HOURS = 2


async def simulated_history(db_url: str, *, seed: int) -> list[tuple]:
    """Run the simulator headless on a fresh database and return its log and ledger."""
    services = await start_headless(db_url, start=START, seed=seed)
    try:
        await services.simulator.run_until(START + timedelta(hours=HOURS))
        events = await StoredEvent.all().order_by('id').values_list('kind', 'agent_id', 'conversation_id',
                                                                    'occurred_at')
        ledger = await LedgerEntry.all().order_by('id').values_list('agent_id', 'points', 'reason')
        return [tuple(row) for row in events] + [tuple(row) for row in ledger]
    finally:
        await services.stop()


async def test_same_seed_same_history_other_seed_other_history(tmp_path: Path) -> None:
    first = await simulated_history(f'sqlite://{tmp_path / "first.sqlite3"}', seed=1)
    again = await simulated_history(f'sqlite://{tmp_path / "again.sqlite3"}', seed=1)
    other = await simulated_history(f'sqlite://{tmp_path / "other.sqlite3"}', seed=2)
    kinds = {row[0] for row in first if isinstance(row[0], str)}
    assert {'conversation_created', 'assigned', 'replied', 'resolved', 'rated'} <= kinds
    assert len(first) > 300
    assert first == again
    assert [row[:3] for row in other] != [row[:3] for row in first]


async def test_agents_who_are_online_get_no_simulated_work(services: Services, clock: ManualClock,
                                                           ana: AgentView) -> None:
    services.presence.tab_opened(ana.id)
    await services.simulator.run_until(clock.now() + timedelta(hours=2))
    assert await StoredEvent.filter(agent_id=ana.id).count() == 0
    assert await StoredEvent.filter(kind='resolved').count() > 20
    assert services.simulator.status().actions > 100 and not services.simulator.status().running


# --- customers who give up ---

async def test_a_customer_who_gives_up_abandons_the_conversation(services: Services, clock: ManualClock,
                                                                ana: AgentView) -> None:
    waiting = await waiting_ids()
    before = await written()
    clock.advance(timedelta(minutes=3))
    await services.inbox.abandon(waiting[0])
    conversation = await Conversation.get(id=waiting[0])
    assert (conversation.status, conversation.assignee_id, conversation.waiting_since) == ('abandoned', None, None)
    assert waiting[0] not in services.inbox.open_items
    event = await StoredEvent.get(kind='abandoned')
    assert (event.agent_id, event.conversation_id) == (None, waiting[0])
    assert event.data == {'channel': conversation.channel, 'waited_seconds': 180}
    after = await written()
    assert (after.events, after.ledger, after.scores) == (before.events + 1, before.ledger, before.scores)

    await services.inbox.reply(ana, waiting[1], 'On it.')
    unchanged = await written()
    with pytest.raises(ActionError, match='no longer waiting for a first answer'):
        await services.inbox.abandon(waiting[1])  # answered: the customer is being helped
    with pytest.raises(ActionError, match='no longer waiting'):
        await services.inbox.abandon(waiting[0])  # once is enough
    with pytest.raises(ActionError, match='not resolved'):
        await services.inbox.rate(waiting[0], Rating.GOOD)
    assert await written() == unchanged
    assert await differences(await replay()) == []
