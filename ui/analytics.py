"""The analytics page (issue 15): Plotly charts over a period, team, agent and channel, fed by the daily aggregates;
clicking a bar or a cell lists what is behind it, each row opening its receipt; each chart downloads as CSV and JSON.

Leads choose any team and agent; an agent chooses between their own figures and their team's totals. The service
checks both again (services/game/analytics.py): the page only offers what it would allow."""
from datetime import date
from typing import Any

import plotly.graph_objects as go
from nicegui import ui
from nicegui.events import GenericEventArguments

from services.container import Services
from services.domain.analytics import CHANNELS, CHART_TITLES, DOMAINS, Chart, Table
from services.domain.errors import ActionError
from services.domain.events import Channel
from services.domain.floor_calendar import floor_day
from services.domain.i18n import N_, _, floor_timezone, ngettext
from services.domain.labels import channel_text
from services.domain.scoring import DOMAIN_TITLES
from services.domain.wording import day as day_text
from services.domain.wording import moment_text
from services.game.analytics import PERIOD_DAYS, AnalyticsQuery, AnalyticsReport, DrillPoint, DrillRow, query_for
from services.game.progress import Receipt
from services.platform.directory import AgentView
from ui.actions import attempt_result
from ui.plotly_locale import localized
from ui.progress_card import DOMAIN_COLORS
from ui.receipts import show_receipt
from ui.session import handler_actor, page_visitor

DATES = 0  # the period chooser's "from – to"
ALL = 0  # every team, every agent
ANY_CHANNEL = ''
ORDER = (Chart.POINTS, Chart.CSAT, Chart.SERVICE, Chart.FIRST_CONTACT, Chart.REOPEN, Chart.HANDLING, Chart.SKILLS,
         Chart.VOLUME)
SERIES = {Chart.SERVICE: ('service', 'sla')}  # a grouped chart's traces, in order: what a click on each drills into


def register(services: Services) -> None:
    @ui.page('/analytics')
    async def analytics_page() -> None:
        if (visitor := page_visitor(services)) is None:
            return
        visit, agent = visitor
        actor = handler_actor(services, visit, agent)
        ui.page_title(_('Analytics · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Analytics')).classes('text-lg font-bold')
            ui.space()
            ui.label(agent.name).classes('font-medium')
        await AnalyticsPage(services, agent, actor).refresh()


class AnalyticsPage:
    def __init__(self, services: Services, agent: AgentView, actor: Any) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.report: AnalyticsReport | None = None
        self.plots: dict[Chart, ui.plotly] = {}
        with ui.column().classes('w-full max-w-7xl mx-auto gap-4 p-4'):
            with ui.card().classes('w-full'), ui.row().classes('w-full items-center gap-4'):
                self.period = ui.toggle({**{days: ngettext('{count} day', '{count} days', days).format(count=days)
                                            for days in PERIOD_DAYS}, DATES: _('Dates')},
                                        value=PERIOD_DAYS[0], on_change=self.refresh).props('no-caps') \
                    .mark('analytics-period')
                today = floor_day(services.clock.now())
                self.first = ui.input(_('From'), value=today.replace(day=1).isoformat(), on_change=self.refresh) \
                    .props('type=date dense').mark('analytics-first')
                self.last = ui.input(_('To'), value=today.isoformat(), on_change=self.refresh) \
                    .props('type=date dense').mark('analytics-last')
                for field in (self.first, self.last):
                    field.bind_visibility_from(self.period, 'value', value=DATES)
                if agent.is_lead:
                    teams = {ALL: _('All teams'), **dict(sorted(services.directory.teams.items(), key=lambda t: t[1]))}
                    self.team = ui.select(teams, value=ALL, label=_('Team'), on_change=self._team_changed) \
                        .classes('w-40').mark('analytics-team')
                    self.who = ui.select(self._agents(ALL), value=ALL, label=_('Agent'), on_change=self.refresh) \
                        .classes('w-48').mark('analytics-agent')
                else:  # an agent: their own figures, or their team's totals
                    self.who = ui.toggle({'me': _('Me'), 'team': _('My team')}, value='me', on_change=self.refresh) \
                        .props('no-caps').mark('analytics-scope')
                channels = {ANY_CHANNEL: _('All channels'),
                            **{channel.value: channel_text(channel) for channel in Channel}}
                self.channel = ui.select(channels, value=ANY_CHANNEL, label=_('Channel'), on_change=self.refresh) \
                    .classes('w-36').mark('analytics-channel')
            self.subject = ui.label().classes('text-sm text-grey-8').mark('analytics-subject')
            with ui.element('div').classes('w-full grid grid-cols-1 lg:grid-cols-2 gap-4'):
                for chart in ORDER:
                    if chart == Chart.VOLUME and not agent.is_lead:
                        continue
                    self._chart_card(chart)
            with ui.card().classes('w-full gap-1').mark('drill') as self.drill_card:
                self.drill_title = ui.label().classes('font-bold')
                self.drill_rows = ui.column().classes('w-full gap-0')
            self.drill_card.set_visibility(False)

    def _agents(self, team_id: int) -> dict[int, str]:
        floor = sorted((a for a in self.services.directory.floor() if not team_id or a.team_id == team_id),
                       key=lambda a: a.name)
        return {ALL: _('All agents'), **{a.id: a.name for a in floor}}

    async def _team_changed(self) -> None:
        self.who.set_options(self._agents(self.team.value or ALL), value=ALL)
        await self.refresh()

    def _chart_card(self, chart: Chart) -> None:
        with ui.card().classes('w-full gap-1').mark(f'chart-{chart.value}'):
            with ui.row().classes('w-full items-center no-wrap'):
                ui.label(_(CHART_TITLES[chart])).classes('font-bold')
                ui.space()
                ui.button('CSV', on_click=lambda c=chart: self.download(c, 'csv')).props('flat dense no-caps') \
                    .mark(f'csv-{chart.value}')
                ui.button('JSON', on_click=lambda c=chart: self.download(c, 'json')).props('flat dense no-caps') \
                    .mark(f'json-{chart.value}')
            plot = ui.plotly(localized(go.Figure())).classes('w-full h-64').mark(f'plot-{chart.value}')
            plot.on('plotly_click', lambda e, c=chart: self.clicked(c, e))
            self.plots[chart] = plot

    def query(self) -> AnalyticsQuery:
        days = self.period.value or None
        channel = self.channel.value or None
        today = floor_day(self.services.clock.now())
        if self.agent.is_lead:
            return query_for(days, today=today, first=self.first.value, last=self.last.value,
                             team_id=self.team.value or None, agent_id=self.who.value or None, channel=channel)
        if self.who.value == 'team':
            return query_for(days, today=today, first=self.first.value, last=self.last.value,
                             team_id=self.agent.team_id, channel=channel)
        return query_for(days, today=today, first=self.first.value, last=self.last.value, agent_id=self.agent.id,
                         channel=channel)

    async def refresh(self) -> None:
        if (viewer := self.actor()) is None:
            return
        try:
            query = self.query()
        except ActionError as error:
            ui.notify(str(error), type='warning')
            return
        report = await attempt_result(self.services.analytics.report(viewer, query))
        if report is None:
            return
        self.report = report
        subject = _('The floor') if report.subject == 'the floor' else report.subject  # the service's word for all
        self.subject.set_text(_('{subject} · {first} to {last}').format(
            subject=subject, first=day_text(query.first), last=day_text(query.last)))
        for chart, plot in self.plots.items():
            if chart in report.tables:
                plot.update_figure(localized(figure(chart, report.tables[chart])))  # Plotly's dates in the reader's
        self.drill_card.set_visibility(False)

    def download(self, chart: Chart, form: str) -> None:
        if self.actor() is None or self.report is None or chart not in self.report.tables:
            return
        table, query = self.report.tables[chart], self.report.query
        name = f'deskquest-{chart.value}-{query.first.isoformat()}-{query.last.isoformat()}.{form}'
        if form == 'csv':
            ui.download.content(table.as_csv(), name, 'text/csv')
        else:
            ui.download.content(table.as_json(chart=chart.value, first=query.first.isoformat(),
                                              last=query.last.isoformat(), subject=self.report.subject,
                                              channel=query.channel), name, 'application/json')

    async def clicked(self, chart: Chart, event: GenericEventArguments) -> None:
        points = event.args.get('points') if isinstance(event.args, dict) else None
        if not points or self.report is None:
            return
        point = drill_point(chart, points[0])
        if point is None:
            return
        await self.drill(point)

    async def drill(self, point: DrillPoint) -> None:
        if (viewer := self.actor()) is None or self.report is None:
            return
        rows = await attempt_result(self.services.analytics.drill(viewer, self.report.query, point))
        if rows is None:
            return
        channel = _channel_text(point.channel)
        what = day_text(point.day) if point.day else \
            _('{hour}:00 {zone}, {channel}').format(hour=point.hour, zone=floor_timezone(),
                                                     channel=channel) if point.hour is not None \
            else channel or _('the period')
        parts = [_(CHART_TITLES[point.chart]), what] + ([_series_text(point.series)] if point.series else [])
        parts.append(ngettext('{count} shown', '{count} shown', len(rows)).format(count=len(rows)))
        self.drill_title.set_text(' · '.join(parts))
        self.drill_rows.clear()
        with self.drill_rows:
            if not rows:
                ui.label(_('Nothing behind this one.')).classes('text-sm text-grey-7')
            for index, row in enumerate(rows):
                self._drill_row(index, row)
        self.drill_card.set_visibility(True)

    def _drill_row(self, index: int, row: DrillRow) -> None:
        with ui.row().classes('w-full items-center gap-3 no-wrap text-sm').mark(f'drill-row-{index}'):
            ui.label(moment_text(row.at, style='short')).classes('text-grey-7 w-24 shrink-0')
            ui.label(f'#{row.conversation_id}' if row.conversation_id else '').classes('w-16 shrink-0')
            ui.label(row.agent).classes('w-32 shrink-0')
            ui.label(row.text).classes('grow')
            if row.points is not None:
                ui.label(f'{row.points:+d}').classes('text-positive' if row.points > 0 else 'text-negative')
            if row.kind and row.agent_id is not None:
                receipt = Receipt(points=row.points or 0, domain='', reason=row.text, occurred_at=row.at,
                                  event_id=row.event_id, kind=row.kind)
                ui.button(_('Receipt'), on_click=lambda r=receipt, a=row.agent_id: show_receipt(
                    self.services, self.actor, r, agent_id=a)).props('flat dense no-caps') \
                    .mark(f'drill-receipt-{index}')


def drill_point(chart: Chart, point: dict[str, Any]) -> DrillPoint | None:
    """What a plotly click names: the trace (a domain, a series) and the bar's or the cell's x and y."""
    x, y, curve = point.get('x'), point.get('y'), point.get('curveNumber', 0)
    try:
        if chart == Chart.VOLUME:
            return DrillPoint(chart=chart, hour=int(y), channel=str(x))
        if chart == Chart.HANDLING:
            return DrillPoint(chart=chart, channel=str(x))
        if chart == Chart.SKILLS:
            return DrillPoint(chart=chart, series=str(x)) if x in DOMAINS else None
        day = date.fromisoformat(str(x)[:10])
    except (TypeError, ValueError):
        return None
    if chart == Chart.POINTS:
        return DrillPoint(chart=chart, day=day, series=DOMAINS[curve] if 0 <= curve < len(DOMAINS) else None)
    series = SERIES.get(chart)
    return DrillPoint(chart=chart, day=day, series=series[curve] if series and 0 <= curve < len(series) else None)


def figure(chart: Chart, table: Table) -> go.Figure:
    """One chart's figure from its table (the same rows its downloads hold)."""
    columns = {name: [row[index] for row in table.rows] for index, name in enumerate(table.columns)}
    fig = go.Figure()
    percent_axis = {'ticksuffix': ' %', 'range': [0, 100]}
    if chart == Chart.POINTS:
        for domain in DOMAINS:
            fig.add_bar(x=columns['day'], y=columns[domain], name=_(DOMAIN_TITLES[domain]),
                        marker_color=DOMAIN_COLORS[domain])
        fig.update_layout(barmode='relative')
    elif chart == Chart.CSAT:
        fig.add_bar(x=columns['day'], y=columns['csat_percent'], name=_('CSAT %'), marker_color='#43a047',
                    customdata=columns['rated'],
                    hovertemplate=_('%{y} % of %{customdata} rated') + '<extra></extra>')
        fig.update_yaxes(**percent_axis)
    elif chart == Chart.SERVICE:
        fig.add_bar(x=columns['day'], y=columns['service_level_percent'], name=_series_text('service'),
                    marker_color='#1e88e5')
        fig.add_bar(x=columns['day'], y=columns['sla_compliance_percent'], name=_series_text('sla'),
                    marker_color='#8e24aa')
        fig.update_layout(barmode='group')
        fig.update_yaxes(**percent_axis)
    elif chart in (Chart.FIRST_CONTACT, Chart.REOPEN):
        name = 'first_contact_percent' if chart == Chart.FIRST_CONTACT else 'reopen_percent'
        fig.add_bar(x=columns['day'], y=columns[name], name=_(CHART_TITLES[chart]),
                    marker_color='#00897b' if chart == Chart.FIRST_CONTACT else '#e53935')
        fig.update_yaxes(**percent_axis)
    elif chart == Chart.HANDLING:
        fig.add_bar(x=columns['channel'], y=columns['average_minutes'], name=_('minutes'), marker_color='#6d4c41',
                    customdata=columns['resolved'],
                    hovertemplate=_('%{y} min over %{customdata}') + '<extra></extra>')
        fig.update_yaxes(ticksuffix=' ' + _('min'))
        _channel_ticks(fig, columns['channel'])
    elif chart == Chart.SKILLS:
        fig.add_bar(x=columns['domain'], y=columns['agent'], name=_('Agent'), marker_color='#3949ab')
        fig.add_bar(x=columns['domain'], y=columns['team_average'], name=_('Team average'), marker_color='#90a4ae')
        fig.update_layout(barmode='group')
        # the bars keep the domain as their x (a click drills into it); the axis shows its name
        fig.update_xaxes(tickvals=columns['domain'], ticktext=[_(DOMAIN_TITLES[domain]) if domain in DOMAIN_TITLES
                                                               else domain for domain in columns['domain']])
    elif chart == Chart.VOLUME:
        hours = list(range(24))
        counts = {(row[0], row[1]): row[2] for row in table.rows}
        fig.add_heatmap(x=list(CHANNELS), y=hours, z=[[counts.get((hour, c), 0) for c in CHANNELS] for hour in hours],
                        colorscale='Blues', hovertemplate='%{y}:00 %{x}: %{z}<extra></extra>')
        fig.update_yaxes(title=_('hour ({zone})').format(zone=floor_timezone()), autorange='reversed')
        _channel_ticks(fig, list(CHANNELS))
    fig.update_layout(margin={'l': 40, 'r': 10, 't': 10, 'b': 30}, legend={'orientation': 'h', 'y': -0.2},
                      showlegend=chart not in (Chart.CSAT, Chart.FIRST_CONTACT, Chart.REOPEN, Chart.HANDLING,
                                               Chart.VOLUME))
    return fig


def _channel_ticks(fig: go.Figure, channels: list[str]) -> None:
    """The channel axis in the reader's words; the bars and cells keep the channel's value (a click drills into it)."""
    fig.update_xaxes(tickvals=channels, ticktext=[_channel_text(channel) for channel in channels])


def _channel_text(channel: str | None) -> str:
    """A channel's value (from a click or a query) as a person reads it; '' for none."""
    if not channel:
        return ''
    return channel_text(Channel(channel)) if channel in CHANNELS else channel


SERIES_NAMES = {'service': N_('Answered within target'), 'sla': N_('Resolved within SLA')}  # shown through _()


def _series_text(series: str) -> str:
    """A drilled series (a domain, or one of the service chart's two) as a person reads it."""
    if series in DOMAIN_TITLES:
        return _(DOMAIN_TITLES[series])
    return _(SERIES_NAMES[series]) if series in SERIES_NAMES else series
