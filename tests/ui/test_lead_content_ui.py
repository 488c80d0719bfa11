"""A lead gives a badge a French name in the game settings (issue 16), and a French reader sees it."""
from collections.abc import Callable

from nicegui.testing import User

from models import BadgeDefinitionRow
from tests.ui.support import agent, log_in, services


async def test_a_lead_enters_a_french_badge_name_that_a_french_agent_sees(create_user: Callable[[], User]) -> None:
    await services().accounts.set_language(agent('ana'), 'fr')
    ana, lead = create_user(), create_user()
    await log_in(ana, 'ana')  # every simulated user logs in before a live page is opened
    await log_in(lead, 'lead')
    await lead.open('/admin/game')
    lead.find(marker='tab-badges & levels').click()
    await lead.should_see(marker='edit-badge-cleaner', retries=50)
    lead.find(marker='edit-badge-cleaner').click()
    await lead.should_see('Edit Cleaner', retries=50)
    lead.find(marker='badge-translations').click()
    lead.find(marker='badge-name-fr').type('Grand nettoyeur')
    lead.find(marker='badge-description-lv').type('Visvairāk sakārtotu sarunu')
    lead.find(marker='badge-save').click()
    await lead.should_see('Cleaner saved', retries=50)
    assert (await BadgeDefinitionRow.get(key='cleaner')).translations == {
        'fr': {'name': 'Grand nettoyeur'}, 'lv': {'description': 'Visvairāk sakārtotu sarunu'}}

    lead.find(marker='edit-badge-cleaner').click()  # opened again: what was typed is there to edit
    await lead.should_see('Edit Cleaner', retries=50)
    assert lead.find(marker='badge-name-fr').elements.pop().value == 'Grand nettoyeur'

    await ana.open('/trophies')
    with ana.scope(marker='holders-cleaner'):
        await ana.should_see('Grand nettoyeur', retries=50)
    await lead.open('/trophies')
    with lead.scope(marker='holders-cleaner'):
        await lead.should_see('Cleaner', retries=50)
        await lead.should_not_see('Grand nettoyeur')
