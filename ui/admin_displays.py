"""The leads' page for wall displays (issue 15): create one (name, teams, slides, timing, language) and read its
one-time pairing code to whoever stands at the TV, change the language a display speaks (issue 16), give a display a
new code, revoke one, and see who opted out of public screens (a lead cannot change that). Every handler checks the
role again, and so does the service."""
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
from services.domain.i18n import LANGUAGES, _
from services.domain.wording import moment_text
from services.platform.directory import AgentView
from services.platform.displays import DisplayView
from ui.actions import attempt, attempt_result
from ui.session import handler_actor, page_visitor

PATH = '/admin/displays'


def register(services: Services) -> None:
    @ui.page(PATH)
    def admin_displays() -> None:
        if (visitor := page_visitor(services, lead=True, message=_('Wall displays are for leads.'))) is None:
            return
        visit, agent = visitor
        lead = handler_actor(services, visit, agent, lead_only=_('Only a lead can manage wall displays.'))
        ui.page_title(_('Wall displays · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Wall displays')).classes('text-lg font-bold')
            ui.space()
            ui.link(_('Open /kiosk'), '/kiosk', new_tab=True).classes('text-white')
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
            ui.label(_('New display')).classes('text-lg font-medium')
            ui.label(_('The TV opens /kiosk and is paired with a one-time code, valid {minutes} minutes. It shows '
                       'public names only, and only the top of each ranking.') \
                           .format(minutes=CODE_LIFETIME.seconds // 60)) \
                .classes('text-sm text-grey-8')
            with ui.row().classes('w-full items-end gap-4'):
                self.name = ui.input(_('Name'), placeholder=_('Lobby TV')).classes('w-56').mark('display-name-input')
                self.teams = ui.select({team_id: name for team_id, name in sorted(services.directory.teams.items())},
                                       multiple=True, value=[], label=_('Teams (none: the whole floor)')) \
                    .classes('w-64').mark('display-teams')
                self.seconds = ui.number(_('Seconds per slide'), value=20, min=MIN_SLIDE_SECONDS,
                                         max=MAX_SLIDE_SECONDS, step=1).classes('w-40').mark('display-seconds')
                # the floor's language first: the TV speaks it whatever its browser says
                self.language = ui.select(dict(LANGUAGES), value=services.displays.default_language,
                                          label=_('Language')).classes('w-40').mark('display-language')
            self.slides = ui.select({slide.value: _(SLIDE_LABELS[slide]) for slide in Slide}, multiple=True,
                                    value=[slide.value for slide in Slide], label=_('Slides, in this order')) \
                .classes('w-full').mark('display-slides')
            ui.button(_('Create'), icon='tv', on_click=self.create).props('no-caps').mark('display-create')
            self.code_box = ui.column().classes('w-full gap-1').mark('pairing-code-box')
        with ui.card().classes('w-full'):
            ui.label(_('Displays')).classes('text-lg font-medium')
            self.show()
        with ui.card().classes('w-full'):
            ui.label(_('Not on public screens')).classes('text-lg font-medium')
            ui.label(_('These people chose not to appear on the wall (on their account page). Only they can change '
                       'it.')).classes('text-sm text-grey-8')
            self.opted_out()

    @ui.refreshable_method
    def show(self) -> None:
        displays = self.services.displays.all()
        with ui.column().classes('w-full gap-0').mark('displays'):
            if not displays:
                ui.label(_('No display yet.')).classes('text-grey-7').mark('no-displays')
            for display in displays:
                self._row(display)

    @ui.refreshable_method
    def opted_out(self) -> None:
        people = self.services.displays.opted_out()
        with ui.column().classes('w-full gap-0').mark('opted-out'):
            if not people:
                ui.label(_('Nobody opted out.')).classes('text-grey-7')
            for person in people:
                ui.label(f'{person.name} ({person.team_name or _("no team")})').mark(f'opted-out-{person.id}')

    def _row(self, display: DisplayView) -> None:
        teams = ', '.join(self.services.directory.teams.get(team, f'#{team}') for team in display.team_ids)
        with ui.row().classes('w-full items-center no-wrap gap-3 py-2 border-b border-gray-200') \
                .mark(f'display-{display.id}'):
            ui.icon('tv' if display.revoked_at is None else 'tv_off').classes('text-grey-7')
            with ui.column().classes('gap-0 grow min-w-0'):
                ui.label(display.name).classes('font-medium')
                ui.label(_('{teams} · {slides} slides, {seconds} s each · created {moment}').format(
                    teams=teams or _('whole floor'), slides=len(display.slides), seconds=display.slide_seconds,
                    moment=moment_text(display.created_at, style='short'))).classes('text-xs text-grey-7')
            if display.revoked_at is not None:
                ui.label(_('revoked {moment}').format(moment=moment_text(display.revoked_at, style='short'))) \
                    .classes('text-sm text-negative')
                return
            state = _('paired {moment}') \
                .format(moment=moment_text(display.paired_at, style='short')) if display.paired_at \
                else _('not paired yet')
            ui.label(state).classes('text-sm text-grey-8').mark(f'display-state-{display.id}')
            ui.select(dict(LANGUAGES), value=display.language,
                      on_change=lambda event, display=display: self.set_language(display, event.value)) \
                .props('dense borderless').classes('w-32').tooltip(_('Language')) \
                .mark(f'display-language-{display.id}')
            ui.button(_('New code'), icon='pin', on_click=lambda display=display: self.new_code(display)) \
                .props('flat no-caps').mark(f'display-code-{display.id}')
            ui.button(_('Revoke'), icon='block', on_click=lambda display=display: self.revoke(display)) \
                .props('flat no-caps color=negative').mark(f'display-revoke-{display.id}')

    def _show_code(self, name: str, code: str) -> None:
        self.code_box.clear()
        with self.code_box:
            ui.separator()
            ui.label(_('Type this code on the TV showing /kiosk for "{name}" within {minutes} minutes; it works '
                       'once and is not shown again.').format(name=name, minutes=CODE_LIFETIME.seconds // 60)) \
                .classes('text-sm text-positive')
            ui.label(shown_code(code)).classes('font-mono text-4xl font-bold tracking-widest').mark('pairing-code-new')

    async def create(self) -> None:
        if (who := self.lead()) is None:
            return
        created = await attempt_result(self.services.displays.create(
            who, name=self.name.value or '', team_ids=list(self.teams.value or []),
            slides=list(self.slides.value or []), slide_seconds=self.seconds.value, language=self.language.value))
        if created is None:
            return
        display, code = created
        self.name.set_value('')
        self._show_code(display.name, code)
        self.show.refresh()

    async def set_language(self, display: DisplayView, language: str) -> None:
        if language == display.language:  # the select shown again after a refresh: nothing chosen
            return
        if (who := self.lead()) is None:
            self.show.refresh()  # the select back to the language kept
            return
        await attempt(self.services.displays.set_language(who, display.id, language),
                      done=_('"{name}" now speaks {language}.').format(name=display.name,
                                                                        language=LANGUAGES.get(language, language)))
        self.show.refresh()  # the choice as kept, or as it was after a refusal

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
                         done=_('Display "{name}" revoked: it shows the pairing screen again.') \
                             .format(name=display.name)):
            self.show.refresh()
