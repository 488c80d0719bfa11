"""The queue boss (issue 20) through NiceGUI's simulated users: a lead starts a fight from the game settings, an agent's
dashboard shows it live on an accelerated clock (health, time left, top hits) until the floor beats it."""
import re
from collections.abc import Callable

from nicegui.testing import User

from models import LedgerEntry
from services.domain.boss import BOSS_POINTS
from tests.ui.support import agent, log_in, pair_kiosk, services, until


def bar(user: User) -> dict:
    """What the tab's boss bar shows (its browser draws it from this payload)."""
    element, = user.find(marker='boss-bar').elements
    return element.feed.payload(element.audience, element.language)


async def test_a_lead_starts_a_fight_that_the_floor_beats_live_on_the_dashboard(
        create_user: Callable[[], User]) -> None:
    ana_tab, lead_tab = create_user(), create_user()
    await log_in(ana_tab, 'ana')
    assert not bar(ana_tab)['shown']  # no fight yet: no bar
    await log_in(lead_tab, 'lead')
    await lead_tab.open('/admin/game')
    lead_tab.find(marker='tab-queue').click()
    await lead_tab.should_see('No fight is running.', retries=50)
    waiting = [item.id for item in services().inbox.items() if item.assignee_id is None and item.status == 'new']
    services().clock.set_speed(120)  # a clock minute every half second: the time left visibly runs down
    lead_tab.find(marker='boss-start').click()
    await lead_tab.should_see(f'attacks: {len(waiting)} waiting to beat!', retries=50)

    await ana_tab.should_see(f'{len(waiting)} of {len(waiting)} to go', retries=50)
    await until(lambda: re.fullmatch(r'(5\d) min left', bar(ana_tab)['left']) is not None,
                message='the time left to run down on the accelerated clock')

    ana, bruno = agent('ana'), agent('bruno')
    for number, conversation_id in enumerate(waiting):
        actor = (ana, bruno)[number % 2]
        await services().inbox.take(actor, conversation_id)
        await services().inbox.resolve(actor, conversation_id)
        if number == 0:
            await ana_tab.should_see(f'{len(waiting) - 1} of {len(waiting)} to go', retries=50)
            await ana_tab.should_see(f'Top hits: {ana.name} 1', retries=50)
    await ana_tab.should_see('Beaten!', retries=50)
    await ana_tab.should_see(f'The floor won: +{BOSS_POINTS} productivity for each of the 2 agents who hit it',
                             retries=50)
    await until(lambda: LedgerEntry.filter(agent_id=ana.id, kind='boss').exists(), message='the victory award')
    await ana_tab.should_see(f'+{BOSS_POINTS} beat the queue boss', retries=50)  # the progress card's receipts


async def test_bad_settings_are_refused_in_the_form_and_good_ones_saved(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-queue').click()
    user.find(marker='boss-threshold').clear().type('0')
    user.find(marker='boss-save').click()
    await user.should_see('The threshold must be a whole number', retries=50)
    assert services().boss.settings.threshold == 15
    user.find(marker='boss-threshold').clear().type('9')
    user.find(marker='boss-save').click()
    await user.should_see('Boss settings saved.', retries=50)
    assert services().boss.settings.threshold == 9


async def test_the_wall_display_shows_the_fight_with_public_names_and_celebrates_the_victory(user: User) -> None:
    await services().displays.set_profile(agent('ana'), alias='Captain A', opted_out=False)
    await services().displays.set_profile(agent('bruno'), alias='', opted_out=True)
    await pair_kiosk(user, slides=('celebrations',))  # the celebrations' list: the banner queues them 5 s each
    await user.should_see(marker='boss-bar')
    assert not bar(user)['shown']
    view = await services().boss.start(agent('lead'))
    await user.should_see(f'{view.health} of {view.health} to go', retries=50)
    waiting = [item.id for item in services().inbox.items() if item.assignee_id is None and item.status == 'new']
    for number, conversation_id in enumerate(waiting):
        actor = agent(('ana', 'bruno')[number % 2])
        await services().inbox.take(actor, conversation_id)
        await services().inbox.resolve(actor, conversation_id)
    await user.should_see(f'The floor beat {view.name} together!', retries=50)
    await user.should_see(f'Top hits: Captain A {(len(waiting) + 1) // 2}', retries=50)  # Bruno opted out: not named
    assert 'Bruno' not in bar(user)['top']


async def test_a_lead_starts_a_fight_from_the_live_monitor_and_a_second_is_refused(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/monitor')
    user.find(marker='monitor-boss-start').click()
    await user.should_see('The Backlog Hydra attacks', retries=50)
    user.find(marker='monitor-boss-start').click()
    await user.should_see('is already being fought: beat it first.', retries=50)
    assert services().boss.view() is not None and services().boss.view().reason == 'lead'
