"""The leads' page for wall displays (issue 15): create one (name, teams, slides, timing) and read its one-time
pairing code to whoever stands at the TV, give a display a new code, revoke one, and see who opted out of public
screens (a lead cannot change that). Every handler checks the role again, and so does the service."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.displays import (
    CODE_LIFETIME,
    MAX_SLIDE_SECONDS,
    MIN_SLIDE_SECONDS,
    SLIDE_LABELS,
    Slide,
    shown_code,
)
from services.platform.directory import AgentView
from services.platform.displays import DisplayView
from ui.actions import attempt, attempt_result
from ui.session import handler_actor, page_visitor

PATH = '/admin/displays'


def register(services: Services) -> None:
    @ui.page(PATH)
    def admin_displays() -> None:
        if (visitor := page_visitor(services, lead=True, message='Wall displays are for leads.')) is None:
            return
        visit, agent = visitor
        lead = handler_actor(services, visit, agent, lead_only='Only a lead can manage wall displays.')
        ui.page_title('Wall displays · DeskQuest')
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip('Back to the workspace').mark('back')
            ui.label('Wall displays').classes('text-lg font-bold')
            ui.space()
            ui.link('Open /kiosk', '/kiosk', new_tab=True).classes('text-white')
            ui.label(agent.name).classes('font-medium')
        with ui.column().classes('w-full max-w-5xl mx-auto gap-4 p-4'):
            page = DisplaysPage(services, lead)
        services.displays.displays_changed.subscribe(lambda _: page.show.refresh())  # a TV paired meanwhile
        services.displays.profiles_changed.subscribe(lambda _: page.opted_out.refresh())


class DisplaysPage:
    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        with ui.card().classes('w-full'):
            ui.label('New display').classes('text-lg font-medium')
            ui.label(f'The TV opens /kiosk and is paired with a one-time code, valid {CODE_LIFETIME.seconds // 60} '
                     'minutes. It shows public names only, and only the top of each ranking.') \
                .classes('text-sm text-grey-8')
            with ui.row().classes('w-full items-end gap-4'):
                self.name = ui.input('Name', placeholder='Lobby TV').classes('w-56').mark('display-name-input')
                self.teams = ui.select({team_id: name for team_id, name in sorted(services.directory.teams.items())},
                                       multiple=True, value=[], label='Teams (none: the whole floor)') \
                    .classes('w-64').mark('display-teams')
                self.seconds = ui.number('Seconds per slide', value=20, min=MIN_SLIDE_SECONDS,
                                         max=MAX_SLIDE_SECONDS, step=1).classes('w-40').mark('display-seconds')
            self.slides = ui.select({slide.value: SLIDE_LABELS[slide] for slide in Slide}, multiple=True,
                                    value=[slide.value for slide in Slide], label='Slides, in this order') \
                .classes('w-full').mark('display-slides')
            ui.button('Create', icon='tv', on_click=self.create).props('no-caps').mark('display-create')
            self.code_box = ui.column().classes('w-full gap-1').mark('pairing-code-box')
        with ui.card().classes('w-full'):
            ui.label('Displays').classes('text-lg font-medium')
            self.show()
        with ui.card().classes('w-full'):
            ui.label('Not on public screens').classes('text-lg font-medium')
            ui.label('These people chose not to appear on the wall (on their account page). Only they can change '
                     'it.').classes('text-sm text-grey-8')
            self.opted_out()

    @ui.refreshable_method
    def show(self) -> None:
        displays = self.services.displays.all()
        with ui.column().classes('w-full gap-0').mark('displays'):
            if not displays:
                ui.label('No display yet.').classes('text-grey-7').mark('no-displays')
            for display in displays:
                self._row(display)

    @ui.refreshable_method
    def opted_out(self) -> None:
        people = self.services.displays.opted_out()
        with ui.column().classes('w-full gap-0').mark('opted-out'):
            if not people:
                ui.label('Nobody opted out.').classes('text-grey-7')
            for person in people:
                ui.label(f'{person.name} ({person.team_name or "no team"})').mark(f'opted-out-{person.id}')

    def _row(self, display: DisplayView) -> None:
        teams = ', '.join(self.services.directory.teams.get(team, f'#{team}') for team in display.team_ids)
        with ui.row().classes('w-full items-center no-wrap gap-3 py-2 border-b border-gray-200') \
                .mark(f'display-{display.id}'):
            ui.icon('tv' if display.revoked_at is None else 'tv_off').classes('text-grey-7')
            with ui.column().classes('gap-0 grow min-w-0'):
                ui.label(display.name).classes('font-medium')
                ui.label(f'{teams or "whole floor"} · {len(display.slides)} slides, {display.slide_seconds} s each · '
                         f'created {display.created_at:%Y-%m-%d %H:%M}').classes('text-xs text-grey-7')
            if display.revoked_at is not None:
                ui.label(f'revoked {display.revoked_at:%Y-%m-%d %H:%M}').classes('text-sm text-negative')
                return
            state = f'paired {display.paired_at:%Y-%m-%d %H:%M}' if display.paired_at else 'not paired yet'
            ui.label(state).classes('text-sm text-grey-8').mark(f'display-state-{display.id}')
            ui.button('New code', icon='pin', on_click=lambda display=display: self.new_code(display)) \
                .props('flat no-caps').mark(f'display-code-{display.id}')
            ui.button('Revoke', icon='block', on_click=lambda display=display: self.revoke(display)) \
                .props('flat no-caps color=negative').mark(f'display-revoke-{display.id}')

    def _show_code(self, name: str, code: str) -> None:
        self.code_box.clear()
        with self.code_box:
            ui.separator()
            ui.label(f'Type this code on the TV showing /kiosk for "{name}" within '
                     f'{CODE_LIFETIME.seconds // 60} minutes; it works once and is not shown again.') \
                .classes('text-sm text-positive')
            ui.label(shown_code(code)).classes('font-mono text-4xl font-bold tracking-widest').mark('pairing-code-new')

    async def create(self) -> None:
        if (who := self.lead()) is None:
            return
        created = await attempt_result(self.services.displays.create(
            who, name=self.name.value or '', team_ids=list(self.teams.value or []),
            slides=list(self.slides.value or []), slide_seconds=self.seconds.value))
        if created is None:
            return
        display, code = created
        self.name.set_value('')
        self._show_code(display.name, code)
        self.show.refresh()

    async def new_code(self, display: DisplayView) -> None:
        if (who := self.lead()) is None:
            return
        code = await attempt_result(self.services.displays.issue_code(who, display.id))
        if code is not None:
            self._show_code(display.name, code)
            self.show.refresh()

    async def revoke(self, display: DisplayView) -> None:
        if (who := self.lead()) is None:
            return
        if await attempt(self.services.displays.revoke(who, display.id),
                         done=f'Display "{display.name}" revoked: it shows the pairing screen again.'):
            self.show.refresh()
