"""Wellbeing caps (issue 20) through NiceGUI's simulated users: a lead sets them in /admin/game, an agent past the day's
limit sees the receipt saying why, and an agent online for long is told once to take a break."""
from collections.abc import Callable
from datetime import timedelta

from nicegui.testing import User

from models import StoredEvent
from services.domain.badges import FIRST_BADGES
from services.domain.wellbeing import WellbeingPolicy
from tests.ui.support import agent, log_in, notified, open_first_conversation, services, stays, until

BREAK = "You've been at it for 2 hours — a short break?"


async def test_a_lead_sets_the_limit_and_the_agent_past_it_sees_why_no_points(create_user: Callable[[], User]) -> None:
    lead_tab, ana_tab = create_user(), create_user()
    first_worker = next(d for d in FIRST_BADGES if d.key == 'worker')
    await services().badges.save(agent('lead'), first_worker.as_dict())  # as a floor from before has it
    await log_in(lead_tab, 'lead')
    await lead_tab.open('/admin/game')
    lead_tab.find(marker='tab-wellbeing').click()
    await lead_tab.should_see(marker='wellbeing-input-daily_hours', retries=50)
    lead_tab.find(marker='wellbeing-input-daily_hours').clear().type('30')
    lead_tab.find(marker='wellbeing-save').click()
    await lead_tab.should_see('Daily hours limit: a whole number of hours from 0 to 24 (0 switches it off).',
                              retries=50)
    assert not await StoredEvent.filter(kind='wellbeing_changed').exists()
    lead_tab.find(marker='wellbeing-input-daily_hours').clear().type('1')
    lead_tab.find(marker='wellbeing-save').click()
    await lead_tab.should_see('Wellbeing caps saved: they apply from now on.', retries=50)
    with lead_tab.scope(marker='wellbeing-daily_hours'):
        await lead_tab.should_see('now 1', retries=50)
    assert services().wellbeing.policy.daily_hours == 1
    with lead_tab.scope(marker='break-risk-worker'):  # the first Worker leaves breaks out: one click fixes it
        await lead_tab.should_see('a break is time it does not count', retries=50)
    lead_tab.find(marker='break-fix-worker').click()
    await lead_tab.should_see('Worker counts breaks as time at work from now on.', retries=50)
    await lead_tab.should_see(marker='no-break-risks', retries=50)

    ana = agent('ana')
    conversation = await open_first_conversation(ana_tab, 'ana')
    await until(lambda: services().game.projection.wellbeing.streak_since(ana.id) is not None,
                message='ana online in the fold')
    services().clock.advance_to(services().clock.now() + timedelta(minutes=61))  # an hour and a minute online
    await services().inbox.reply(ana, conversation.id, 'Sorted, have a good day')
    await services().inbox.resolve(ana, conversation.id)
    await ana_tab.should_see('no points past your 1-hour day — take care', retries=50)  # the card's receipts


async def test_a_long_streak_online_gets_one_gentle_break_notice(user: User) -> None:
    lead, ana = agent('lead'), agent('ana')
    await services().wellbeing.save(lead, WellbeingPolicy(break_after_minutes=120).as_dict())
    await log_in(user, 'ana')
    await until(lambda: services().game.projection.wellbeing.streak_since(ana.id) is not None,
                message='ana online in the fold')
    services().clock.advance_to(services().clock.now() + timedelta(minutes=121))
    for _ in range(3):  # the scheduler's step, run by hand as well as by the app: told once all the same
        await services().wellbeing.suggest_breaks()
    await user.should_see(BREAK, retries=50)
    await stays(lambda: notified(user, BREAK) == 1, for_seconds=2.5, message='the break notice shown once')
