"""Assist credit in the browser (issue 18): the resolver sees who is credited with an assist on their resolution and
declines or confirms; the helper's progress card shows the share among its receipts."""
from collections.abc import Callable

from nicegui.testing import User

from models import LedgerEntry
from tests.ui.support import agent, log_in, services, set_value, until


async def test_the_resolver_declines_and_confirms_assists_and_the_helper_sees_the_share(
        create_user: Callable[[], User]) -> None:
    ana, bruno = create_user(), create_user()
    await log_in(ana, 'ana')  # every simulated user logs in before any opens a live page's actions
    await log_in(bruno, 'bruno')
    conversation = min(services().inbox.items(), key=lambda item: item.id)
    await services().inbox.add_note(agent('bruno'), conversation.id, 'She is on the legacy plan: use the old form')
    ana.find(marker=f'conversation-{conversation.id}').click()
    await ana.should_see(marker='conversation-title', content=f'#{conversation.id} ', retries=50)
    await ana.should_not_see(marker='assists', retries=5)  # nothing to decide before a resolution
    ana.find(marker='take').click()
    await ana.should_see(marker='resolve', retries=50)
    ana.find(marker='resolve').click()
    await ana.should_see('Resolved. Nice work!', retries=50)
    await ana.should_see(marker='assists', retries=50)
    with ana.scope(marker=f'assist-{agent("bruno").id}'):
        await ana.should_see('Bruno Dubois', retries=50)
        await ana.should_see('credited (they helped on it)', retries=50)
    with bruno.scope(marker='receipts'):  # the helper's card, live
        await bruno.should_see(f'assist on #{conversation.id} resolved by Ana Ozola', retries=50)

    ana.find(marker=f'assist-decline-{agent("bruno").id}').click()
    await ana.should_see('Assist declined', retries=50)
    with ana.scope(marker=f'assist-{agent("bruno").id}'):
        await ana.should_see('declined by you', retries=50)
    with bruno.scope(marker='receipts'):
        await bruno.should_see('declined by Ana Ozola: its share taken back', retries=50)
    chloe = agent('chloe')
    set_value(ana, 'assist-other', chloe.id)
    ana.find(marker='assist-confirm-other').click()
    await ana.should_see('Assist confirmed', retries=50)
    with ana.scope(marker=f'assist-{chloe.id}'):
        await ana.should_see('confirmed by you', retries=50)
    await until(lambda: services().game.projection.agents[chloe.id].points > 0,
                message='the confirmed colleague to hold the share')
    declined = await LedgerEntry.filter(kind='assist', agent_id=agent('bruno').id).values_list('points', flat=True)
    assert len(declined) == 2 and sum(declined) == 0  # the share, and the entry that took it back
