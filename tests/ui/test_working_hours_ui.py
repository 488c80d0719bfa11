"""Business hours (issue 18) through NiceGUI's simulated users: a lead writes a team's working hours in /admin/game; a
calendar that does not hold together is refused with what is wrong and nothing changes; a saved one is one event with
the lead as actor, and the team's resolutions are timed in it."""
from nicegui.testing import User

from models import StoredEvent
from services.domain.business_hours import format_calendar
from services.domain.events import EventKind
from tests.ui.support import agent, log_in, services, until


async def test_a_lead_edits_a_teams_working_hours(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-working hours').click()
    await user.should_see(marker='hours-text', retries=50)
    await user.should_see('In force: 24/7', retries=50)
    aurora = next(team_id for team_id, name in services().directory.teams.items() if name == 'Aurora')

    user.find(marker='hours-text').type('Mon-Fri 09:00-17:00\nFri 16:00-18:00\nholiday 2026-02-30')
    user.find(marker='hours-save').click()
    await user.should_see('Fri: 09:00-17:00 and 16:00-18:00 overlap.', retries=50)
    await user.should_see('“2026-02-30” is not a date like 2026-12-25.', retries=50)
    assert not await StoredEvent.filter(kind=EventKind.WORKING_HOURS_CHANGED.value).exists()
    assert services().working_hours.calendar(aurora) is None

    user.find(marker='hours-text').clear().type('Mon-Fri 09:00-17:00\nbreak 12:00-13:00\nholiday 2026-12-25')
    user.find(marker='hours-save').click()
    await user.should_see('Working hours saved: they time resolutions from now on.', retries=50)
    now, = user.find(marker='hours-now').elements
    await until(lambda: now.text == 'In force: Mon-Fri 09:00-17:00\nbreak 12:00-13:00\nholiday 2026-12-25',
                message='the hours in force shown')
    event = await StoredEvent.get(kind=EventKind.WORKING_HOURS_CHANGED.value)
    assert (event.agent_id, event.data['team_id'], event.data['team']) == (agent('lead').id, aurora, 'Aurora')
    assert format_calendar(services().working_hours.calendar(aurora)) == \
        'Mon-Fri 09:00-17:00\nbreak 12:00-13:00\nholiday 2026-12-25'

    user.find(marker='hours-save').click()  # the same again: refused, nothing recorded
    await user.should_see('These are the working hours in force already: nothing to save.', retries=50)
    user.find(marker='hours-text').clear()
    user.find(marker='hours-save').click()
    await user.should_see('Working hours cleared: the team works 24/7 from now on.', retries=50)
    assert services().working_hours.calendar(aurora) is None
    assert await StoredEvent.filter(kind=EventKind.WORKING_HOURS_CHANGED.value).count() == 2
