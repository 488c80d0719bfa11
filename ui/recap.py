"""The recap page (issue 20): an agent's month or season compared with themselves, and a PNG of it to share.

``/recap`` is this month, ``/recap/2026-11`` (redirected to ``/recap?month=2026-11``) another,
``/recap?season=2026-10-01`` the season starting that day (compared with the season before); a lead adds
``?agent=ID`` (the service checks who may read whom, services/game/recap.py). The image is the service's SVG, fetched
from ``/recap/image/…`` (the login checked per request, as a download is plain HTTP) and drawn on a canvas in the
browser, which saves it as a PNG: no image library on the server, and no person's text ever goes through JavaScript
(the script holds only the URL).
"""
import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Response
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from services.container import Services
from services.domain.errors import ActionError
from services.domain.floor_calendar import floor_day
from services.domain.i18n import _, current_language
from services.domain.personal_bests import RecapPeriod, best_text, month_period, previous_month
from services.domain.recap import SKILLS, Recap, best_title, period_title
from services.domain.scoring import DOMAIN_TITLES
from services.domain.wording import day as day_text
from services.domain.wording import number, points
from ui.plotly_locale import day_month_format, plotly_config
from ui.progress_card import DOMAIN_COLORS
from ui.session import current_agent, page_visitor

IMAGE = '/recap/image'
SEASON_PREFIX = 'season-'  # an image's name for a season: season-2026-10-01


def register(services: Services) -> None:
    @ui.page('/recap')
    async def recap_page_route(month: str = '', agent: int | None = None, season: str = '') -> None:
        await recap_page(services, month, agent, season)

    @app.get('/recap/{month}', include_in_schema=False)
    def recap_month(month: str, agent: int | None = None) -> RedirectResponse:
        """/recap/2026-11 is the page of that month (one page route, so one row in the pages' authorization matrix)."""
        return RedirectResponse(recap_url(month, agent))

    @app.get(IMAGE + '/{month}.svg', include_in_schema=False)
    async def recap_image(month: str, agent: int = 0) -> Response:
        """The recap card as SVG: the browser's login must be the agent's own, or a lead's (checked per request);
        ``month`` is 2026-11, or season-2026-10-01 for the season starting that day."""
        viewer = current_agent(services)
        if viewer is None:
            return Response('Log in to download a recap.', status_code=403, media_type='text/plain')
        if agent and agent != viewer.id and not viewer.is_lead:  # the service refuses it too: here, with its status
            return Response(_('A recap is personal: you can open only your own.'), status_code=403,
                            media_type='text/plain')
        try:
            period = services.recap.period(season=month.removeprefix(SEASON_PREFIX)) \
                if month.startswith(SEASON_PREFIX) else services.recap.month(month)
            svg = await services.recap.image(viewer, period, agent or None)
        except ActionError as error:
            return Response(str(error), status_code=422, media_type='text/plain')
        return Response(svg, media_type='image/svg+xml', headers={'Cache-Control': 'no-store'})


async def recap_page(services: Services, month: str, agent_id: int | None, season: str = '') -> None:
    if (visitor := page_visitor(services)) is None:
        return
    _visit, viewer = visitor
    ui.page_title(_('Recap · DeskQuest'))
    ui.query('body').classes('bg-blue-grey-1')
    with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
        ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
            .tooltip(_('Back to the workspace')).mark('back')
        ui.label(_('Recap')).classes('text-lg font-bold')
        ui.space()
        ui.label(viewer.name).classes('font-medium')
    if viewer.is_lead and agent_id is None and (floor := services.directory.floor()):
        agent_id = min(floor, key=lambda a: a.name.casefold()).id  # leads do not play: an agent's recap to start
    try:  # the service decides who may read whom and which months exist
        period = services.recap.period(month, season)
        recap = await services.recap.recap(viewer, period, agent_id)
        await services.recap.opened(viewer, period)  # a season's recap opened: the dashboard stops offering it
    except ActionError as error:
        with ui.column().classes('w-full max-w-4xl mx-auto p-4'), ui.card().classes('w-full'):
            ui.label(str(error)).classes('text-negative').mark('recap-refused')
            ui.button(_('My recap'), on_click=lambda: ui.navigate.to('/recap')).props('no-caps flat')
        return
    with ui.column().classes('w-full max-w-5xl mx-auto gap-4 p-4'):
        _navigation(services, viewer.is_lead, recap)
        _summary(recap, floor_day(services.clock.now()))
        with ui.row().classes('w-full gap-4 items-stretch'):
            _bests(recap)
            _skills(recap)
        with ui.row().classes('w-full gap-4 items-stretch'):
            _achievements(recap)
            _kind_words(recap)


def _navigation(services: Services, is_lead: bool, recap: Recap) -> None:
    today = floor_day(services.clock.now())
    seasons = services.recap.season_periods()  # the latest first
    before: RecapPeriod | None
    after: RecapPeriod | None
    if recap.period.season:  # the chevrons go from season to season
        index = next((n for n, period in enumerate(seasons) if period.start == recap.period.start), 0)
        before = seasons[index + 1] if index + 1 < len(seasons) else None
        after = seasons[index - 1] if index > 0 else None
        hints = _('The season before'), _('The season after')
    else:
        before = previous_month(recap.period)
        after = month_period(*_next(recap.period.start))
        after = after if after.start <= today else None
        hints = _('The month before'), _('The month after')
    agent = recap.agent_id if is_lead else None
    with ui.row().classes('w-full items-center gap-2'):
        ui.button(icon='chevron_left', on_click=lambda: ui.navigate.to(recap_url(before, agent)) if before else None) \
            .props('flat round').tooltip(hints[0]).mark('recap-previous').set_enabled(before is not None)
        ui.label(period_title(recap.period)).classes('text-2xl font-bold').mark('recap-period')
        ui.button(icon='chevron_right', on_click=lambda: ui.navigate.to(recap_url(after, agent)) if after else None) \
            .props('flat round').tooltip(hints[1]).mark('recap-next').set_enabled(after is not None)
        if seasons:  # a month's recap or a season's
            this_month = f'{today:%Y-%m}'
            choices = {'': _('Months'), **{period.start.isoformat(): period.season for period in seasons}}
            ui.select(choices, value=recap.period.start.isoformat() if recap.period.season else '', label=_('Period'),
                      on_change=lambda e: ui.navigate.to(recap_url(
                          next(period for period in seasons if period.start.isoformat() == e.value) if e.value
                          else this_month, agent))).classes('w-48').mark('recap-season')
        if is_lead:
            agents = {a.id: a.name for a in sorted(services.directory.floor(), key=lambda a: a.name.casefold())}
            if recap.agent_id in agents:
                ui.select(agents, value=recap.agent_id, label=_('Agent'),
                          on_change=lambda e: ui.navigate.to(recap_url(recap.period, e.value))) \
                    .classes('w-48').mark('recap-agent')
        ui.space()
        url = image_url(recap.period, agent)
        name = f'season-{recap.period.start:%Y-%m-%d}' if recap.period.season else f'{recap.period.start:%Y-%m}'
        file_name = f'deskquest-recap-{name}.png'
        script = f'deskquestRecapPng({json.dumps(url)}, {json.dumps(file_name)})'  # no person's text in it
        ui.button(_('Download as image'), icon='image', on_click=lambda: ui.run_javascript(script)) \
            .props('no-caps').mark('recap-download')
        ui.button(_('Download as SVG'), icon='download', on_click=lambda: ui.download.from_url(url)) \
            .props('flat no-caps').tooltip(_('The same card as a vector image')).mark('recap-download-svg')
    ui.add_body_html(PNG_SCRIPT)


def _summary(recap: Recap, today: date) -> None:
    season = bool(recap.period.season)
    running = _('days in a row now') if recap.period.end >= today else \
        _('days in a row at the season’s end') if season else _('days in a row at the month’s end')
    with ui.card().classes('w-full').mark('recap-summary'):
        ui.label((_('{name}’s season') if season else _('{name}’s month')).format(name=recap.agent_name)) \
            .classes('text-lg font-bold')
        with ui.row().classes('w-full gap-8'):
            for value, label, marker in (
                    (number(recap.points), _('points'), 'recap-points'),
                    (number(recap.resolved), _('resolved'), 'recap-resolved'),
                    (number(recap.longest_streak.length), _('days in a row, at best'), 'recap-streak'),
                    (number(recap.current_streak), running, 'recap-current-streak')):
                with ui.column().classes('gap-0'):
                    ui.label(value).classes('text-3xl font-bold text-primary').mark(marker)
                    ui.label(label).classes('text-xs text-grey-7')
        if recap.best_day is not None:
            best_day, figures = recap.best_day
            ui.label(_('Best day: {day}, {points} and {resolved} resolved').format(
                day=day_text(best_day), points=points(figures.points), resolved=number(figures.resolved))) \
                .mark('recap-best-day')
        else:
            ui.label(_('No points this season yet.') if season else _('No points this month yet.')) \
                .classes('text-grey-7').mark('recap-best-day')
        if recap.previous is not None:  # the agent against themselves: the period before, never a colleague
            ui.label(_('{difference} points compared with {period} ({points})').format(
                difference=f'{sum(recap.skills.values()) - recap.previous_points:+d}',
                period=period_title(recap.previous), points=number(recap.previous_points))) \
                .classes('text-sm text-grey-8').mark('recap-compared')
        if recap.has_work:
            ui.plotly(_figure(recap)).classes('w-full h-48').mark('recap-chart')
        else:  # a chart of zeros draws two flat lines on two unrelated scales: say it instead
            with ui.row().classes('w-full h-24 items-center justify-center gap-2 rounded bg-blue-grey-1'):
                ui.icon('event_busy', color='grey-6', size='md')
                ui.label(_('No work this season: the chart fills in as your days do.') if season
                         else _('No work this month: the chart fills in as your days do.')) \
                    .classes('text-grey-7').mark('recap-chart-empty')


def _bests(recap: Recap) -> None:
    with ui.card().classes('flex-1 min-w-64').mark('recap-bests'):
        ui.label(_('Personal bests set')).classes('text-base font-bold')
        if not recap.bests_set:
            ui.label(_('None beaten this time: the next one is yours.')).classes('text-sm text-grey-7')
        for best, record in recap.bests_set:
            with ui.row().classes('items-center gap-2 no-wrap'):
                ui.icon('star', color='amber-8')
                ui.label(f'{best_title(best)}: {best_text(best, record)} ({day_text(record.day)})') \
                    .classes('text-sm').mark('recap-best')


def _skills(recap: Recap) -> None:
    with ui.card().classes('flex-1 min-w-64').mark('recap-skills'):
        ui.label(_('Skills grown, compared with {period}').format(period=period_title(recap.previous))
                 if recap.period.season and recap.previous is not None
                 else _('Skills grown, compared with the month before')).classes('text-base font-bold')
        for skill in SKILLS:
            growth = recap.growth(skill)
            with ui.row().classes('w-full items-center gap-2 no-wrap'):
                ui.label(_(DOMAIN_TITLES[skill])).classes('w-28 text-sm')
                ui.label(number(recap.skills.get(skill, 0))).classes('w-16 text-sm font-bold')
                ui.label(f'{growth:+d}').classes('text-sm ' + ('text-positive' if growth >= 0 else 'text-negative')) \
                    .mark(f'recap-growth-{skill}')


def _achievements(recap: Recap) -> None:
    with ui.card().classes('flex-1 min-w-64').mark('recap-achievements'):
        ui.label(_('Badges won')).classes('text-base font-bold')
        if not recap.badges:
            ui.label(_('No badge won this season.') if recap.period.season else _('No badge won this month.')) \
                .classes('text-sm text-grey-7')
        for name, won in recap.badges:
            with ui.row().classes('items-center gap-2 no-wrap'):
                ui.icon('military_tech', color='amber-8')
                ui.label(f'{name} · {day_text(won)}').classes('text-sm').mark('recap-badge')
        ui.label(_('Quests completed')).classes('text-base font-bold mt-2')
        if not recap.quests:
            ui.label(_('No quest completed this season.') if recap.period.season
                     else _('No quest completed this month.')).classes('text-sm text-grey-7')
        for title, done in recap.quests:
            with ui.row().classes('items-center gap-2 no-wrap'):
                ui.icon('task_alt', color='positive')
                ui.label(f'{title} · {day_text(done)}').classes('text-sm').mark('recap-quest')


def _kind_words(recap: Recap) -> None:
    with ui.card().classes('flex-1 min-w-64').mark('recap-kind-words'):
        ui.label(_('Kind words')).classes('text-base font-bold')
        if not recap.kind_words:
            ui.label(_('No comments or thanks this season.') if recap.period.season
                     else _('No comments or thanks this month yet.')).classes('text-sm text-grey-7')
        for word in recap.kind_words:
            with ui.column().classes('gap-0'):
                ui.label(f'“{word.text}”').classes('text-sm italic').mark('recap-kind-word')  # a label escapes
                ui.label(f'— {word.by or _("a customer")}, {day_text(word.day)}').classes('text-xs text-grey-7')


def recap_url(period: RecapPeriod | str, agent_id: int | None = None) -> str:
    """The page of a period (a month may be given as its text, 2026-11)."""
    which = {'month': period} if isinstance(period, str) else \
        {'season': period.start.isoformat()} if period.season else {'month': f'{period.start:%Y-%m}'}
    return '/recap?' + urlencode({**which, **({'agent': agent_id} if agent_id else {})})


def image_url(period: RecapPeriod, agent_id: int | None = None) -> str:
    name = f'{SEASON_PREFIX}{period.start.isoformat()}' if period.season else f'{period.start:%Y-%m}'
    return f'{IMAGE}/{name}.svg' + (f'?{urlencode({"agent": agent_id})}' if agent_id else '')


def _next(start: date) -> tuple[int, int]:
    return (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)


def _figure(recap: Recap) -> dict[str, Any]:
    """Points per day (bars, left axis) and resolutions (a line, right axis), the best day highlighted; both axes
    start at zero so their zero lines meet (Plotly centres an axis of zeros on zero otherwise)."""
    best = recap.best_day[0] if recap.best_day else None
    days = [day.isoformat() for day, _figures in recap.days]
    return {'data': [
        {'type': 'bar', 'x': days, 'y': [figures.points for _day, figures in recap.days], 'name': _('points'),
         'marker': {'color': [DOMAIN_COLORS['quality'] if day == best else '#5c6bc0' for day, _f in recap.days]},
         'hovertemplate': '%{x|%a %d %b}: %{y}<extra></extra>'},
        {'type': 'scatter', 'mode': 'lines+markers', 'x': days, 'yaxis': 'y2', 'name': _('resolved'),
         'y': [figures.resolved for _day, figures in recap.days], 'line': {'color': DOMAIN_COLORS['productivity']}},
    ], 'layout': {'margin': {'l': 44, 'r': 44, 't': 10, 'b': 30}, 'height': 190, 'showlegend': False,
                  'paper_bgcolor': 'rgba(0,0,0,0)', 'plot_bgcolor': 'rgba(0,0,0,0)', 'font': {'size': 10},
                  'xaxis': {'type': 'date', 'tickformat': day_month_format(current_language())},
                  'yaxis': {'title': {'text': _('points')}, 'rangemode': 'tozero'},
                  'yaxis2': {'title': {'text': _('resolved')}, 'overlaying': 'y', 'side': 'right', 'showgrid': False,
                             'rangemode': 'tozero'}},
            'config': plotly_config()}  # Plotly's month and day names in the reader's language


# The SVG is fetched with the tab's cookie and drawn as a data: image (the page's policy allows data: images, not
# blob: ones), twice its size for sharp text, then saved as a PNG.
PNG_SCRIPT = '''<script>
async function deskquestRecapPng(url, fileName) {
  const response = await fetch(url, {credentials: 'same-origin'});
  if (!response.ok) { alert(await response.text()); return; }
  const svg = await response.text();
  const image = new Image();
  await new Promise((resolve, reject) => {
    image.onload = resolve; image.onerror = reject;
    image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  });
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth * 2; canvas.height = image.naturalHeight * 2;
  const context = canvas.getContext('2d');
  context.scale(2, 2);
  context.drawImage(image, 0, 0);
  canvas.toBlob(blob => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob); link.download = fileName;
    document.body.appendChild(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }, 'image/png');
}
</script>'''
