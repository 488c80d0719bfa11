"""Badges, levels and trophies through NiceGUI's simulated users: the agent's card, the trophy page, the lead's tab."""
from collections.abc import Callable

from nicegui.testing import User

from models import LevelRow, StoredEvent
from services.domain.events import EventKind
from tests.ui.support import agent, log_in, services


async def test_a_badge_gained_appears_on_the_card_with_a_notification(user: User) -> None:
    await log_in(user, 'ana')
    await user.should_see('none this week yet', retries=50)
    async with services().game.unit_of_work() as work:  # Ana tags a conversation: nobody else tagged one this week
        await work.record(EventKind.TAGGED, agent_id=agent('ana').id, conversation_id=1, data={'tag': 'vip'})
    await user.should_see('New badge: Tagger!', retries=30)
    with user.scope(marker='progress-card'):
        await user.should_see(marker='badge-tagger', retries=50)
    await services().badges.settle()
    await user.open('/trophies')
    with user.scope(marker='badge-history'):
        await user.should_see('Ana Ozola won Tagger on', retries=50)


async def test_the_trophy_page_shows_the_month_and_the_badge_holders(user: User) -> None:
    await log_in(user, 'ana')
    user.find(marker='trophies-link').click()
    await user.should_see('Trophies of', retries=50)
    for name in ('MVP', 'Customer wow champion', 'Sharpshooter', 'Speed racer', 'Badges held now', 'Trophy cabinet',
                 'No badge won yet.'):
        await user.should_see(name, retries=50)


async def test_only_leads_reach_the_badges_and_levels_tab(create_user: Callable[[], User]) -> None:
    ana, lead = create_user(), create_user()
    await log_in(ana, 'ana')
    await ana.open('/admin/game')
    await ana.should_see('The game settings are for leads.', retries=50)
    await ana.should_see(marker='rewards-link', retries=50)  # sent back to the workspace
    await ana.should_not_see(marker='new-badge')
    await log_in(lead, 'lead')
    await lead.open('/admin/game')
    lead.find(marker='tab-badges & levels').click()
    await lead.should_see(marker='admin-badge-siesta', retries=50)


async def test_a_lead_edits_a_level_and_a_badge(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-badges & levels').click()
    await user.should_see(marker='level-condition-3', retries=50)
    user.find(marker='level-condition-3').clear().type('points >= and resolved >= 40')
    user.find(marker='level-save-3').click()
    await user.should_see('Level 3:', retries=50)
    assert not await StoredEvent.filter(kind=EventKind.LEVELS_CHANGED.value).exists()
    user.find(marker='level-condition-3').clear().type('points>=500 and resolved>=20')
    user.find(marker='level-title-3').clear().type('Apprentice of the desk')
    user.find(marker='level-save-3').click()
    await user.should_see('Level 3 saved: Apprentice of the desk', retries=50)
    assert (await LevelRow.get(number=3)).condition == 'points >= 500 and resolved >= 20'

    user.find(marker='edit-badge-cleaner').click()
    await user.should_see('Edit Cleaner', retries=50)
    user.find(marker='badge-name').clear().type('Sweeper')
    user.find(marker='badge-save').click()
    await user.should_see('Sweeper saved', retries=50)
    with user.scope(marker='admin-badge-cleaner'):
        await user.should_see('Sweeper', retries=50)

    siesta = services().badges.definition('siesta')  # its metric shown in the editor's parts, and saved back the same
    user.find(marker='edit-badge-siesta').click()
    await user.should_see('Edit Siesta', retries=50)
    assert [element.value for marker in ('badge-event', 'badge-value', 'badge-filter-field-0', 'badge-filter-values-0')
            for element in user.find(marker=marker).elements] == ['presence_changed', 'seconds', 'previous', 'on_break']
    user.find(marker='badge-save').click()
    await user.should_see('Siesta saved', retries=50)
    assert services().badges.definition('siesta').metric == siesta.metric


async def test_a_badge_with_more_filters_than_the_form_starts_with_keeps_them_all(user: User) -> None:
    siesta = services().badges.definition('siesta').as_dict()
    where = [{'field': 'previous', 'operator': 'is', 'values': ['on_break']},
             {'field': 'status', 'operator': 'is', 'values': ['online']},
             {'field': 'previous', 'operator': 'is_not', 'values': ['offline']}]
    await services().badges.save(agent('lead'), {**siesta, 'metric': {**siesta['metric'], 'where': where}})
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-badges & levels').click()
    user.find(marker='edit-badge-siesta').click()
    await user.should_see('Edit Siesta', retries=50)
    assert [element.value for element in user.find(marker='badge-filter-values-2').elements] == ['offline']
    user.find(marker='badge-add-filter').click()  # a fourth, on a field of the event
    await user.should_see(marker='badge-filter-field-3', retries=50)
    for marker, value in (('badge-filter-field-3', 'status'), ('badge-filter-operator-3', 'is_not')):
        for element in user.find(marker=marker).elements:  # both selects also offer these words: set them directly
            element.value = value
    user.find(marker='badge-filter-values-3').type('away')
    user.find(marker='badge-save').click()
    await user.should_see('Siesta saved', retries=50)
    saved = services().badges.definition('siesta').as_dict()['metric']['where']
    assert saved[:3] == where and saved[3] == {'field': 'status', 'operator': 'is_not', 'values': ['away']}


async def test_an_uploaded_badge_image_is_served_with_its_checked_type(user: User) -> None:
    png = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64
    name = await services().badges.upload_image(agent('lead'), png)
    response = await user.http_client.get(f'/badge-images/{name.removeprefix("uploaded/")}')
    assert response.status_code == 200 and response.content == png
    assert response.headers['content-type'] == 'image/png' and response.headers['x-content-type-options'] == 'nosniff'
    assert (await user.http_client.get('/badge-images/missing.png')).status_code == 404
