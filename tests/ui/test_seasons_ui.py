"""Seasons of the boards through NiceGUI's simulated users: a lead creates a season in /admin/game, the agent's
leaderboard gains its Season tab, and the trophies page says which season runs."""
from collections.abc import Callable
from datetime import timedelta

from nicegui import ui
from nicegui.testing import User

from models import StoredEvent
from services.domain.events import EventKind
from services.domain.leaderboard import Period
from services.domain.seasons import Season
from tests.ui.support import agent, log_in, services, set_value


def period_labels(user: User) -> list[str]:
    toggle, = user.find(kind=ui.toggle, marker='period').elements
    return [option['label'] for option in toggle.props['options']]


async def test_a_lead_creates_a_season_and_the_agents_board_gains_its_season_tab(
        create_user: Callable[[], User]) -> None:
    lead, ana = create_user(), create_user()
    await log_in(ana, 'ana')
    await ana.should_see(marker='leaderboard', retries=50)
    assert 'Season' not in period_labels(ana)  # no season: no Season tab

    await log_in(lead, 'lead')
    await lead.open('/admin/game')
    lead.find(marker='tab-seasons').click()
    await lead.should_see('No seasons yet', retries=50)
    lead.find(marker='new-season').click()
    await lead.should_see(marker='season-form', retries=50)
    lead.find(marker='season-save').click()  # no name yet
    await lead.should_see('Every season needs a name.', retries=50)
    assert not await StoredEvent.filter(kind=EventKind.SEASONS_CHANGED.value).exists()
    lead.find(marker='season-name').type('Winter cup')
    lead.find(marker='season-save').click()
    await lead.should_see('Saved Winter cup', retries=50)
    with lead.scope(marker='admin-seasons'):
        await lead.should_see('Winter cup', retries=50)
        await lead.should_see('running', retries=50)
    assert await StoredEvent.filter(kind=EventKind.SEASONS_CHANGED.value).count() == 1

    await ana.open('/')  # the tab opened again: its toggles list the periods of the moment
    await ana.should_see(marker='leaderboard', retries=50)
    assert period_labels(ana)[-1] == 'Season'
    set_value(ana, 'period', Period.SEASON)
    await ana.should_see('Leaderboard · Winter cup', retries=50)

    await ana.open('/trophies')
    with ana.scope(marker='past-seasons'):
        await ana.should_see('Running now: Winter cup', retries=50)
        await ana.should_see('No finished season yet.')


async def test_a_finished_season_is_listed_with_its_podium_on_the_trophies_page(user: User) -> None:
    today = services().clock.now().date()
    autumn = Season(name='Autumn cup', start=today - timedelta(days=400), end=today - timedelta(days=1))
    ana, bruno, lead = agent('ana'), agent('bruno'), agent('lead')
    yesterday = services().clock.now() - timedelta(days=1)
    async with services().game.unit_of_work() as work:  # as if saved back then: no season can be added once over
        await work.record(EventKind.SEASONS_CHANGED, agent_id=lead.id, data={'seasons': [autumn.as_dict()],
                                                                              'by': lead.id}, at=yesterday)
        await work.record(EventKind.KUDOS_SENT, agent_id=bruno.id, at=yesterday,  # a thanks dated in the season
                          data={'by': ana.id, 'from_name': ana.name, 'message': 'thanks', 'points': 5})
    [result] = services().seasons.past()
    assert result.standings == ((1, bruno.id, 5),)
    await log_in(user, 'ana')
    await user.open('/trophies')
    with user.scope(marker=f'past-season-{autumn.start}'):
        await user.should_see('Autumn cup', retries=50)
        await user.should_see(f'1. {bruno.name} · 5')
