"""Personal bests on the progress card and the month's recap (issue 20), through NiceGUI's simulated users."""
from nicegui.testing import User

from services.domain.events import Channel, Rating
from tests.ui.support import agent, log_in, services, set_value


async def rated_resolution(username: str, comment: str) -> None:
    """Answer, resolve and have the oldest waiting conversation (not a chat: no incentive) rated good with a comment."""
    conversation_id = min(item.id for item in services().inbox.items()
                          if item.assignee_id is None and item.channel != Channel.CHAT)
    who = agent(username)
    await services().inbox.reply(who, conversation_id, 'All sorted!')
    await services().inbox.resolve(who, conversation_id)
    await services().inbox.rate(conversation_id, Rating.GOOD, comment=comment)


async def test_an_agent_sees_their_bests_and_opens_their_months_recap(user: User) -> None:
    await rated_resolution('ana', '<b>So kind</b>')
    await services().kudos.send(agent('bruno'), agent('ana').id, 'You saved my shift')
    points = services().game.projection.agents[agent('ana').id].points
    await log_in(user, 'ana')
    await user.should_see(marker='card-bests', content=f'Best day {points}', retries=50)
    await user.should_see(marker='card-bests', content='streak 1 (best 1)')
    user.find(marker='card-recap').click()
    await user.should_see(marker='recap-summary', retries=50)
    today = services().clock.now().date()
    await user.should_see(marker='recap-period', content=today.strftime('%B %Y'))
    await user.should_see(marker='recap-points', content=str(points))
    await user.should_see(marker='recap-resolved', content='1')
    await user.should_see(marker='recap-best-day', content='Best day:')
    await user.should_see(marker='recap-kind-word', content='<b>So kind</b>')  # a label: shown as typed, not markup
    await user.should_see(marker='recap-kind-word', content='You saved my shift')
    await user.should_see(marker='recap-chart')
    await user.should_see(marker='recap-download')
    assert not user.find(marker='recap-next').elements.pop().enabled  # next month has not begun

    await user.open(f'/recap?agent={agent("bruno").id}')  # someone else's: refused by the service, said why
    await user.should_see(marker='recap-refused', content='A recap is personal: you can open only your own.',
                          retries=50)
    await user.open('/recap/2026-13')  # redirected to /recap?month=2026-13
    await user.should_see(marker='recap-refused', content='Choose a month as YYYY-MM', retries=50)


async def test_a_lead_opens_an_agents_recap_and_switches_to_another(user: User) -> None:
    await rated_resolution('ana', 'Quick and friendly')
    await log_in(user, 'lead')
    await user.open(f'/recap?agent={agent("ana").id}')
    await user.should_see(f'{agent("ana").name}’s month', retries=50)
    await user.should_see(marker='recap-kind-word', content='Quick and friendly')
    set_value(user, 'recap-agent', agent('bruno').id)
    await user.should_see(f'{agent("bruno").name}’s month', retries=50)
    await user.should_see('No comments or thanks this month yet.')


async def test_a_month_without_work_says_so_rather_than_drawing_a_flat_chart(user: User) -> None:
    await log_in(user, 'emma')  # the demo floor as seeded: no one has worked yet
    await user.open('/recap')
    await user.should_see(marker='recap-summary', retries=50)
    await user.should_see(marker='recap-chart-empty', content='No work this month')
    await user.should_not_see(marker='recap-chart')
    await user.should_see(marker='recap-best-day', content='No points this month yet.')


async def test_a_french_agents_recap_chart_writes_its_dates_in_french(user: User) -> None:
    await rated_resolution('ana', 'Merci')
    await services().accounts.set_language(agent('ana'), 'fr')
    await log_in(user, 'ana')
    await user.open('/recap')
    await user.should_see(marker='recap-chart', retries=50)
    chart, = user.find(marker='recap-chart').elements
    options = chart.props['options']
    assert options['config']['locale'] == 'fr'
    assert options['config']['locales']['fr']['format']['shortMonths'][10] == 'nov.'
    assert options['layout']['xaxis']['tickformat'] == '%-d %b'  # "6 déc.", not "06 Dec"
