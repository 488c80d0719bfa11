"""The leads' page for the REST API (issue 14): create a token (shown once, with a copy button and a curl example),
see every token with when it was last used, and revoke one. Every handler checks the role again (UI actions bypass
HTTP middleware), and so does the service."""
from collections.abc import Callable

from fastapi import Request
from nicegui import ui

from services.container import Services
from services.domain.errors import ActionError
from services.domain.i18n import N_, _
from services.domain.wording import moment_text
from services.platform.api_tokens import ApiTokenView, NewToken
from services.platform.directory import AgentView
from ui.format import translated
from ui.session import handler_actor, page_visitor

SCOPES = {'read': N_('Read: every GET (boards, agents, ledgers, the event log, quests, exports)'),
          'write': N_('Write: also POST /api/v1/events (facts from another helpdesk)')}  # shown through _()


def register(services: Services) -> None:
    @ui.page('/admin/api')
    async def admin_api(request: Request) -> None:
        if (visitor := page_visitor(services, lead=True, message=_('API tokens are for leads.'))) is None:
            return
        storage, agent = visitor
        lead = handler_actor(services, storage, agent, lead_only=_('Only a lead can manage API tokens.'))
        ui.page_title(_('API · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('REST API')).classes('text-lg font-bold')
            ui.space()
            ui.link(_('Exports'), '/admin/exports').classes('text-white').mark('exports-link')
            ui.link(_('API docs'), '/api/docs', new_tab=True).classes('text-white').mark('docs-link')
            ui.label(agent.name).classes('font-medium')
        base_url = str(request.base_url).rstrip('/')
        with ui.column().classes('w-full max-w-5xl mx-auto gap-4 p-4'):
            TokensPage(services, lead, base_url=base_url)


class TokensPage:
    def __init__(self, services: Services, lead: Callable[[], AgentView | None], *, base_url: str) -> None:
        self.services = services
        self.lead = lead
        self.base_url = base_url
        with ui.card().classes('w-full'):
            ui.label(_('New token')).classes('text-lg font-medium')
            ui.label(_('Scripts send it as "Authorization: Bearer …". It is shown once: DeskQuest keeps only its '
                       'hash. Each token may make 600 requests a minute.')).classes('text-sm text-grey-8')
            with ui.row().classes('w-full items-end gap-4'):
                self.name = ui.input(_('Name'), placeholder=_('Nightly report')).classes('w-64').mark('token-name')
                self.scope = ui.select(translated(SCOPES), value='read', label=_('Scope')).classes('grow') \
                    .mark('token-scope')
                ui.button(_('Create'), icon='key', on_click=self.create).props('no-caps').mark('token-create')
            self.created = ui.column().classes('w-full gap-2').mark('new-token-box')
        with ui.card().classes('w-full'):
            ui.label(_('Tokens')).classes('text-lg font-medium')
            self.rows = ui.column().classes('w-full gap-0').mark('tokens')
        ui.timer(0, self.show, once=True)  # after the page is sent: a page function must finish fast

    async def show(self) -> None:
        tokens = await self.services.api_tokens.tokens()
        self.rows.clear()
        with self.rows:
            if not tokens:
                ui.label(_('No token yet.')).classes('text-grey-7').mark('no-tokens')
            for token in tokens:
                self._row(token)

    def _row(self, token: ApiTokenView) -> None:
        with ui.row().classes('w-full items-center no-wrap gap-3 py-2 border-b border-gray-200') \
                .mark(f'token-{token.id}'):
            ui.icon('key' if token.active else 'key_off').classes('text-grey-7')
            with ui.column().classes('gap-0 grow min-w-0'):
                ui.label(token.name).classes('font-medium')
                ui.label(_('{prefix}… · {scope} · created {moment} by {name}').format(
                    prefix=token.prefix, scope=token.scope.value, moment=moment_text(token.created_at, style='short'),
                    name=token.created_by)).classes('text-xs text-grey-7')
            if token.revoked_at is not None:
                ui.label(_('revoked {moment}').format(moment=moment_text(token.revoked_at, style='short'))) \
                    .classes('text-sm text-negative')
            else:
                used = _('last used {moment}').format(moment=moment_text(token.last_used_at, style='short')) \
                    if token.last_used_at else _('never used')
                ui.label(used).classes('text-sm text-grey-8').mark(f'token-used-{token.id}')
                ui.button(_('Revoke'), icon='block', on_click=lambda token=token: self.revoke(token)) \
                    .props('flat no-caps color=negative').mark(f'revoke-{token.id}')

    async def create(self) -> None:
        if (who := self.lead()) is None:
            return
        try:
            created = await self.services.api_tokens.create(who, name=self.name.value or '', scope=self.scope.value)
        except ActionError as error:
            ui.notify(str(error), type='warning')
            return
        self.name.set_value('')
        self._show_once(created)
        ui.notify(_('Token "{name}" created: copy it now, it is not shown again.')
            .format(name=created.view.name), type='positive')
        await self.show()

    def _show_once(self, created: NewToken) -> None:
        self.created.clear()
        curl = f'curl -H "Authorization: Bearer {created.token}" {self.base_url}/api/v1/agents'
        with self.created:
            ui.separator()
            ui.label(_('{name}: copy the token now; it is not shown again.').format(name=created.view.name)) \
                .classes('text-sm font-medium text-positive')
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                ui.label(created.token).classes('font-mono text-sm bg-grey-2 px-2 py-1 rounded break-all grow') \
                    .mark('new-token')
                ui.button(icon='content_copy', on_click=lambda: self._copy(created.token)).props('flat round') \
                    .tooltip(_('Copy the token')).mark('copy-token')
            ui.label(_('Try it:')).classes('text-xs text-grey-7')
            ui.label(curl).classes('font-mono text-xs bg-grey-2 px-2 py-1 rounded break-all w-full').mark('curl')

    def _copy(self, token: str) -> None:
        ui.clipboard.write(token)
        ui.notify(_('Copied'), type='positive')

    async def revoke(self, token: ApiTokenView) -> None:
        if (who := self.lead()) is None:
            return
        try:
            await self.services.api_tokens.revoke(who, token.id)
        except ActionError as error:
            ui.notify(str(error), type='warning')
            return
        ui.notify(_('Token "{name}" revoked: scripts using it now get 401.').format(name=token.name), type='positive')
        await self.show()
