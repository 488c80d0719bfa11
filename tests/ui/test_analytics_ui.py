"""The analytics page through NiceGUI's simulated users: a lead's charts, drill-down and downloads; an agent's own."""
import json
from collections.abc import Callable

from nicegui.testing import User

from models import Conversation
from services.domain.events import Rating
from services.domain.i18n import _
from tests.ui.support import agent, log_in, services, set_value, until


async def resolved_by_ana() -> int:
    """Ana answers and resolves the oldest waiting conversation; returns it."""
    ana = agent('ana')
    conversation_id = min(item.id for item in services().inbox.items() if item.status != 'resolved')
    await services().inbox.reply(ana, conversation_id, 'Hello, looking into it')
    await services().inbox.resolve(ana, conversation_id)
    return conversation_id


async def resolved_and_rated_by_ana() -> int:
    """Ana answers, resolves and gets a good rating for one conversation; returns it."""
    conversation_id = await resolved_by_ana()
    await services().inbox.rate(conversation_id, Rating.GOOD)
    return conversation_id


async def test_a_lead_sees_the_charts_drills_into_a_bar_and_downloads_its_data(user: User) -> None:
    conversation_id = await resolved_and_rated_by_ana()
    today = services().clock.now().date().isoformat()
    await log_in(user, 'lead')
    user.find(marker='admin-menu').click()
    user.find(marker='analytics-link').click()
    await user.should_see(marker='chart-points', retries=50)
    for chart in ('csat', 'service', 'first_contact', 'reopen', 'handling', 'skills', 'volume'):
        await user.should_see(marker=f'chart-{chart}')
    await user.should_see('The floor')

    user.find(marker='plot-csat').trigger('plotly_click', {'points': [{'x': today, 'y': 100, 'curveNumber': 0}]})
    await user.should_see(marker='drill-row-0', retries=50)
    with user.scope(marker='drill'):
        await user.should_see(f'#{conversation_id}')
        await user.should_see('good rating')
        await user.should_see('Ana Ozola')
    user.find(marker='drill-receipt-0').click()  # the rating's receipt, though it is Ana's
    await user.should_see(marker='receipt', retries=50)
    with user.scope(marker='receipt'):
        await user.should_see('happy customer')

    user.find('Close').click()
    user.find(marker='plot-skills').trigger('plotly_click', {'points': [{'x': 'quality', 'y': 15, 'curveNumber': 0}]})
    with user.scope(marker='drill'):
        await user.should_see(f'happy customer on #{conversation_id}', retries=50)
    conversation = await Conversation.get(id=conversation_id)  # the heatmap's cell of its arrival
    user.find(marker='plot-volume').trigger('plotly_click', {'points': [
        {'x': conversation.channel, 'y': conversation.created_at.hour, 'curveNumber': 0}]})
    with user.scope(marker='drill'):
        await user.should_see(f'{conversation.created_at.hour}:00 UTC, {conversation.channel.capitalize()}',
                              retries=50)  # the channel as a person reads it
        await user.should_see(f'#{conversation_id}')

    user.find(marker='csv-csat').click()
    download = await user.download.next(timeout=10)
    lines = download.text.splitlines()
    assert lines[0] == 'day,good,rated,csat_percent'
    assert f'{today},1,1,100.0' in lines and len(lines) == 1 + 7  # every day of the period, oldest first
    user.find(marker='json-points').click()
    data = json.loads((await user.download.next(timeout=10)).content)
    assert data['chart'] == 'points' and data['subject'] == 'the floor' and len(data['rows']) == 7
    day = next(row for row in data['rows'] if row['day'] == today)
    assert day['quality'] > 0 and isinstance(day['speed'], int)

    set_value(user, 'analytics-agent', agent('bruno').id)  # a lead may look at anyone: Bruno rated nothing today
    await user.should_see(marker='analytics-subject', content='Bruno', retries=50)
    user.find(marker='csv-csat').click()
    assert f'{today},0,0,' in (await user.download.next(timeout=10)).text.splitlines()


async def test_an_agent_sees_only_their_own_figures_and_their_team_totals(create_user: Callable[[], User]) -> None:
    await resolved_and_rated_by_ana()
    ana = create_user()
    await log_in(ana, 'ana')
    await ana.should_see(marker='card-csat', content='CSAT 100 % (7 days)', retries=50)  # her own, on her card
    await services().inbox.rate(await resolved_by_ana(), Rating.BAD)
    await ana.should_see(marker='card-csat', content='CSAT 50 % (7 days)', retries=50)  # kept up as she is rated

    user = create_user()
    await log_in(user, 'bruno')
    user.find(marker='analytics-link').click()
    await user.should_see(marker='chart-points', retries=50)
    await user.should_see(marker='analytics-subject', content='Bruno')
    await user.should_not_see(marker='analytics-agent')  # no choice of another agent
    await user.should_not_see(marker='analytics-team')
    await user.should_not_see(marker='chart-volume')
    today = services().clock.now().date().isoformat()
    user.find(marker='csv-csat').click()
    assert f'{today},0,0,' in (await user.download.next(timeout=10)).text.splitlines()  # Ana's ratings are not his

    set_value(user, 'analytics-scope', 'team')  # his team's totals hold Ana's rating, as a number
    await user.should_see(marker='analytics-subject', content='Aurora', retries=50)
    user.find(marker='csv-csat').click()
    assert f'{today},1,2,50.0' in (await user.download.next(timeout=10)).text.splitlines()  # Ana's two
    user.find(marker='plot-csat').trigger('plotly_click', {'points': [{'x': today, 'y': 100, 'curveNumber': 0}]})
    await user.should_see('You can open your own conversations and entries only.', retries=50)
    await user.should_not_see(marker='drill-row-0')


async def test_plotly_writes_a_french_readers_dates_and_numbers_in_french(user: User) -> None:
    await resolved_and_rated_by_ana()
    await services().accounts.set_language(agent('lead'), 'fr')
    await log_in(user, 'lead')
    await user.open('/analytics')
    await user.should_see(marker='plot-csat', retries=50)
    plot, = user.find(marker='plot-csat').elements
    await until(lambda: bool(plot.props['options'].get('data')), message='the CSAT chart to be drawn')
    config = plot.props['options']['config']
    assert config['locale'] == 'fr' and list(config['locales']) == ['fr']
    french = config['locales']['fr']
    # plotly.js's own ticks would say "Dec 1": the French locale's say "1 déc."
    assert (french['format']['dayMonth'], french['format']['shortMonths'][11]) == ('%-d %b', 'déc.')
    assert (french['format']['decimal'], french['format']['days'][0]) == (',', 'dimanche')
    assert french['dictionary']['Zoom'] == _('Zoom', locale='fr')
