"""The leads' exports page (issue 14): conversations or ledger entries for a period and a team, as CSV or JSON.

The file comes from a plain HTTP route that checks the browser's login and the lead role itself (a download is an
HTTP request, not a websocket message) and streams the rows batch by batch (services/platform/exports.py)."""
from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import Response
from nicegui import app, ui

from services.container import Services
from services.domain.errors import ActionError
from services.domain.floor_calendar import floor_day
from services.domain.i18n import N_, _
from services.platform.exports import ExportFormat, ExportKind, ExportQuery, check_team
from ui.api import streamed
from ui.format import translated
from ui.session import current_agent, handler_actor, page_visitor

DOWNLOAD = '/admin/exports/download'
KINDS = {ExportKind.CONVERSATIONS.value: N_('Conversations: one row per conversation created in the period'),
         ExportKind.LEDGER.value: N_('Ledger: one row per points entry of the period')}  # shown through _()
FORMATS = {ExportFormat.CSV.value: 'CSV (Excel)', ExportFormat.JSON.value: 'JSON'}
ALL_TEAMS = 0


def register(services: Services) -> None:
    @ui.page('/admin/exports')
    def admin_exports() -> None:
        if (visitor := page_visitor(services, lead=True, message=_('Exports are for leads.'))) is None:
            return
        storage, agent = visitor
        lead = handler_actor(services, storage, agent, lead_only=_('Only a lead can export.'))
        ui.page_title(_('Exports · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Exports')).classes('text-lg font-bold')
            ui.space()
            ui.link(_('REST API'), '/admin/api').classes('text-white').mark('api-link')
            ui.label(agent.name).classes('font-medium')
        today = floor_day(services.clock.now())
        with ui.column().classes('w-full max-w-3xl mx-auto gap-4 p-4'), ui.card().classes('w-full gap-3'):
            ui.label(_("Download the floor's data for a spreadsheet or a script. The same exports are in the REST "
                       "API (/api/v1/exports/…).")).classes('text-sm text-grey-8')
            kind = ui.select(translated(KINDS), value=ExportKind.CONVERSATIONS.value, label=_('What')) \
                .classes('w-full').mark('export-kind')
            with ui.row().classes('w-full gap-4'):
                first = ui.input(_('First day'), value=(today - timedelta(days=29)).isoformat()).props('type=date') \
                    .classes('grow').mark('export-first')
                last = ui.input(_('Last day'), value=today.isoformat()).props('type=date').classes('grow') \
                    .mark('export-last')
            with ui.row().classes('w-full items-center gap-4'):
                teams = {ALL_TEAMS: _('All teams'), **dict(sorted(services.directory.teams.items(),
                                                               key=lambda item: item[1]))}
                team = ui.select(teams, value=ALL_TEAMS, label=_('Team')).classes('grow').mark('export-team')
                form = ui.toggle(FORMATS, value=ExportFormat.CSV.value).props('no-caps').mark('export-format')

            def download() -> None:
                if lead() is None:
                    return
                try:
                    query = ExportQuery(first=_day(first.value, _('Pick the first day (YYYY-MM-DD).')),
                                        last=_day(last.value, _('Pick the last day (YYYY-MM-DD).')),
                                        team_id=team.value or None)
                except ActionError as error:
                    ui.notify(str(error), type='warning')
                    return
                ui.download.from_url(download_url(ExportKind(kind.value), ExportFormat(form.value), query))
            ui.button(_('Download'), icon='download', on_click=download).props('no-caps').mark('export-download')

    @app.get(DOWNLOAD + '/{kind}.{form}', include_in_schema=False)
    async def export_file(kind: str, form: str, first: str = '', last: str = '', team: int = 0) -> Response:
        """The download behind the page: the browser's login must be a lead's (checked here, per request)."""
        agent = current_agent(services)
        if agent is None or not agent.is_lead:
            return Response('Exports are for leads: log in as a lead.', status_code=403, media_type='text/plain')
        try:
            chosen_kind, chosen_form = ExportKind(kind), ExportFormat(form)
            query = ExportQuery(first=_day(first, 'Pick the first day (YYYY-MM-DD).'),
                                last=_day(last, 'Pick the last day (YYYY-MM-DD).'), team_id=team or None)
            await check_team(query.team_id)
        except (ActionError, ValueError) as error:
            return Response(str(error), status_code=422, media_type='text/plain')
        return streamed(chosen_kind, chosen_form, query)


def download_url(kind: ExportKind, form: ExportFormat, query: ExportQuery) -> str:
    return f'{DOWNLOAD}/{kind.value}.{form.value}?' + urlencode(
        {'first': query.first.isoformat(), 'last': query.last.isoformat(), 'team': query.team_id or ALL_TEAMS})


def _day(value: object, refusal: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ActionError(refusal) from None
