"""A season ending with its recap (issue 20), through NiceGUI's simulated users on the demo's clock: the agent's
dashboard offers the recap once the season is over, the recap shows the season's figures against the season before,
and opening it takes the offer away (one ``season_recap_opened`` event, however often it is opened)."""
from datetime import UTC, datetime, time, timedelta

from nicegui.testing import User

from models import StoredEvent
from services.domain.events import EventKind
from services.domain.seasons import Season
from tests.ui.support import agent, log_in, services
from tests.ui.test_recap_ui import rated_resolution


async def test_a_season_ends_and_the_agent_opens_its_recap(user: User) -> None:
    now = services().clock.now()
    today = now.date()
    ana, bruno, lead = agent('ana'), agent('bruno'), agent('lead')
    autumn = Season(name='Autumn cup', start=today - timedelta(days=40), end=today - timedelta(days=10))
    winter = Season(name='Winter cup', start=today - timedelta(days=2), end=today)
    async with services().game.unit_of_work() as work:  # as if saved in autumn: no season can be added once over
        await work.record(EventKind.SEASONS_CHANGED, agent_id=lead.id, at=now - timedelta(days=30),
                          data={'seasons': [autumn.as_dict(), winter.as_dict()], 'by': lead.id})
        await work.record(EventKind.KUDOS_SENT, agent_id=ana.id, at=now - timedelta(days=20),  # ana's autumn: 5 points
                          data={'by': bruno.id, 'from_name': bruno.name, 'message': 'thanks', 'points': 5})
    await rated_resolution('ana', 'Best help all winter')  # today: the season's last day
    await services().kudos.send(bruno, ana.id, 'You carried the late shift')
    winter_points = services().game.projection.agents[ana.id].points - 5

    await log_in(user, 'ana')
    await user.should_see(marker='progress-card', retries=50)
    await user.should_not_see(marker='season-recap-ready')  # the season still runs

    services().clock.advance_to(datetime.combine(today + timedelta(days=1), time(8), UTC))  # the morning after
    await user.open('/')
    await user.should_see(marker='season-recap-ready', retries=50)
    await user.should_see('Your season recap is ready')
    await user.should_see(marker='season-recap-text', content='Winter cup is over')
    user.find(marker='season-recap-open').click()

    await user.should_see(marker='recap-summary', retries=50)
    await user.should_see(f'{ana.name}’s season')
    await user.should_see(marker='recap-period', content='Winter cup (')
    await user.should_see(marker='recap-points', content=str(winter_points))
    await user.should_see(marker='recap-resolved', content='1')
    await user.should_see(marker='recap-best-day', content=f'{winter_points} points and 1 resolved')
    await user.should_see(marker='recap-compared', content=f'{winter_points - 5:+d} points compared with Autumn cup')
    await user.should_see('Skills grown, compared with Autumn cup (')
    await user.should_see(marker='recap-kind-word', content='Best help all winter')
    await user.should_see(marker='recap-kind-word', content='You carried the late shift')
    assert 'thanks' not in {label.text for label in user.find(marker='recap-kind-word').elements}  # autumn's words
    assert not user.find(marker='recap-next').elements.pop().enabled  # no later season
    user.find(marker='recap-previous').click()  # the season before, from the chevron
    await user.should_see(marker='recap-period', content='Autumn cup (', retries=50)
    await user.should_see(marker='recap-points', content='5')

    key = f'season_recap_opened:{ana.id}:{winter.start.isoformat()}'
    assert await StoredEvent.filter(kind=EventKind.SEASON_RECAP_OPENED.value).values_list('key', flat=True) == [key]
    await user.open(f'/recap?season={winter.start.isoformat()}')  # opened again: nothing more recorded
    await user.should_see(marker='recap-period', content='Winter cup (', retries=50)
    assert await StoredEvent.filter(kind=EventKind.SEASON_RECAP_OPENED.value).count() == 1
    await user.open('/')
    await user.should_see(marker='progress-card', retries=50)
    await user.should_not_see(marker='season-recap-ready')  # opened: no longer offered

    await user.open('/recap?season=2031-01-01')  # no such season: said why
    await user.should_see(marker='recap-refused', content='No season starts on that day', retries=50)
