"""The leads' accounts page (/admin/accounts): every account, and creating, disabling, enabling, resetting the password
of, changing the role of and unlocking one.

Only leads see the page; every handler checks again (UI actions bypass HTTP middleware) and the service refuses an
agent too. A refusal is shown where it happened: in the open dialog, else as a notification.
"""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.i18n import _
from services.platform.accounts import MIN_PASSWORD_LENGTH, AccountDraft, AccountView
from services.platform.directory import AgentView
from ui.actions import attempt
from ui.session import handler_actor, page_visitor

PATH = '/admin/accounts'

Lead = Callable[[], AgentView | None]


def register(services: Services) -> None:

    @ui.page(PATH)
    async def admin_accounts() -> None:
        if (visitor := page_visitor(services, lead=True, message=_('The accounts are for leads.'))) is None:
            return
        storage, agent = visitor
        lead = handler_actor(services, storage, agent, lead_only=_('Only a lead can manage accounts.'))

        ui.page_title(_('Accounts · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Accounts')).classes('text-lg font-bold')
            ui.space()
            ui.label(agent.name).classes('font-medium')
        with ui.column().classes('w-full max-w-5xl mx-auto gap-2 p-4'):
            accounts = AccountList(services, lead, me=agent.id)
        await accounts.show()
        # another lead's change, or a first login of an account made by `admin create`: show the list as it now is
        services.directory.changed.subscribe(accounts.show)  # unsubscribed when this tab closes


class AccountList:
    """The accounts, one row each with its actions, and the dialogs for a new account and a new password."""

    def __init__(self, services: Services, lead: Lead, *, me: int) -> None:
        self.services = services
        self.lead = lead
        self.me = me
        self.resetting: AccountView | None = None
        self._build_create_dialog()
        self._build_password_dialog()
        with ui.row().classes('w-full items-center'):
            ui.label(_('Disabled accounts cannot log in and leave the boards; their points stay. Each change is '
                       'recorded with your name.')).classes('text-sm text-grey-8 grow')
            ui.button(_('New account'), icon='person_add', on_click=self._open_create).props('no-caps') \
                .mark('new-account')
        self.rows = ui.column().classes('w-full gap-1').mark('accounts')

    async def show(self) -> None:
        if (who := self.lead()) is None:
            return
        accounts = await self.services.accounts.accounts(who)
        self.rows.clear()
        with self.rows:
            for account in accounts:
                self._row(account)

    def _row(self, account: AccountView) -> None:
        with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1') \
                .mark(f'account-{account.username}'):
            with ui.column().classes('gap-0 grow min-w-0'):
                ui.label(account.name).classes('font-medium truncate' + ('' if account.active else ' text-grey-6'))
                ui.label(account.username).classes('text-xs text-grey-7 truncate')
            ui.label(account.team_name or _('no team')).classes('text-sm text-grey-8 w-32 truncate')
            ui.badge(account.role, color='deep-purple' if account.role == 'lead' else 'blue-grey') \
                .mark(f'role-{account.username}')
            ui.badge(_('active') if account.active else _('disabled'), color='positive' if account.active else 'grey') \
                .mark(f'status-{account.username}')
            if account.locked:
                ui.badge(_('locked'), color='negative').tooltip(_('Too many failed logins')) \
                    .mark(f'locked-{account.username}')
            if account.is_demo:
                ui.badge(_('demo'), color='orange').tooltip(_('Logs in only while DeskQuest runs the demo'))
            if account.locked:
                ui.button(icon='lock_open', on_click=lambda a=account: self._unlock(a)).props('flat round dense') \
                    .tooltip(_('Unlock: let them log in again now')).mark(f'unlock-{account.username}')
            ui.button(icon='password', on_click=lambda a=account: self._open_password(a)) \
                .props('flat round dense').tooltip(_('Set a new password')).mark(f'reset-{account.username}')
            mine = account.id == self.me
            other_role = 'agent' if account.role != 'agent' else 'lead'
            ui.button(icon='swap_horiz', on_click=lambda a=account, r=other_role: self._change_role(a, r)) \
                .props('flat round dense' + (' disable' if mine else '')) \
                .tooltip(_('Make an agent') if other_role == 'agent' else _('Make a lead')) \
                    .mark(f'role-change-{account.username}')
            ui.button(icon='block' if account.active else 'check_circle',
                      on_click=lambda a=account: self._toggle(a)) \
                .props('flat round dense' + (' disable' if mine else '')) \
                .tooltip(_('Disable') if account.active else _('Enable')).mark(f'toggle-{account.username}')

    # --- the dialogs ---

    def _build_create_dialog(self) -> None:
        teams = {0: _('no team')} | dict(sorted(self.services.directory.teams.items(), key=lambda item: item[1]))
        with ui.dialog() as self.create_dialog, ui.card().classes('w-[30rem] gap-2').mark('account-form'):
            ui.label(_('New account')).classes('text-lg font-bold')
            self.username = ui.input(_('Username'), placeholder=_('e.g. rita.real')).classes('w-full') \
                .mark('account-username')
            self.display_name = ui.input(_('Name others see'), placeholder=_('empty: the username')).classes('w-full') \
                .mark('account-name')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.role = ui.select({'agent': _('Agent'), 'lead': _('Lead')}, value='agent', label=_('Role')) \
                    .classes('grow').mark('account-role')
                self.team = ui.select(teams, value=0, label=_('Team')).classes('grow').mark('account-team')
            self.password = ui.input(_('Password (at least {min_password_length} characters)')
                .format(min_password_length=MIN_PASSWORD_LENGTH), password=True,
                                     password_toggle_button=True).classes('w-full').mark('account-password')
            self.create_error = _error_line('account-error')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Cancel'), on_click=self.create_dialog.close).props('flat no-caps')
                ui.button(_('Create'), icon='person_add', on_click=self._create).props('no-caps').mark('account-create')

    def _build_password_dialog(self) -> None:
        with ui.dialog() as self.password_dialog, ui.card().classes('w-[28rem] gap-2').mark('password-form'):
            self.password_title = ui.label().classes('text-lg font-bold')
            ui.label(_('Hand it to them in person; their open sessions end.')).classes('text-sm text-grey-8')
            self.new_password = ui.input(_('New password (at least {min_password_length} characters)')
                .format(min_password_length=MIN_PASSWORD_LENGTH), password=True,
                                         password_toggle_button=True).classes('w-full').mark('new-password')
            self.password_error = _error_line('password-error')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Cancel'), on_click=self.password_dialog.close).props('flat no-caps')
                ui.button(_('Set password'), icon='password', on_click=self._reset_password).props('no-caps') \
                    .mark('password-save')

    def _open_create(self) -> None:
        for field in (self.username, self.display_name, self.password):
            field.set_value('')
        self.create_error.set_visibility(False)
        self.create_dialog.open()

    def _open_password(self, account: AccountView) -> None:
        self.resetting = account
        self.password_title.set_text(_('New password for {name}').format(name=account.name))
        self.new_password.set_value('')
        self.password_error.set_visibility(False)
        self.password_dialog.open()

    # --- the actions ---

    async def _create(self) -> None:
        if (who := self.lead()) is None:
            return
        draft = AccountDraft(username=self.username.value or '', display_name=self.display_name.value or '',
                             role=self.role.value, team_id=self.team.value or None,
                             password=self.password.value or '')
        if await attempt(self.services.accounts.create(who, draft), error_label=self.create_error,
                         done=_('Created {username}').format(username=(self.username.value or '').strip().lower())):
            self.password.set_value('')  # the secret does not stay in the page
            self.create_dialog.close()
            await self.show()

    async def _reset_password(self) -> None:
        if (who := self.lead()) is None or self.resetting is None:
            return
        account = self.resetting
        if await attempt(self.services.accounts.reset_password(who, account.id, self.new_password.value or ''),
                         error_label=self.password_error, done=_('{name} has a new password')
                             .format(name=account.name)):
            self.new_password.set_value('')
            self.password_dialog.close()

    async def _change_role(self, account: AccountView, role: str) -> None:
        if (who := self.lead()) is None:
            return
        if await attempt(self.services.accounts.change_role(who, account.id, role),
                         done=(_('{name} is now an agent') if role == 'agent' else _('{name} is now a lead'))
                         .format(name=account.name)):
            await self.show()

    async def _toggle(self, account: AccountView) -> None:
        if (who := self.lead()) is None:
            return
        change = self.services.accounts.disable if account.active else self.services.accounts.enable
        if await attempt(change(who, account.id),
                         done=(_('{name} is disabled') if account.active else _('{name} is enabled again'))
                         .format(name=account.name)):
            await self.show()

    async def _unlock(self, account: AccountView) -> None:
        if (who := self.lead()) is None:
            return
        if await attempt(self.services.auth.unlock(who, account.id), done=_('{name} can log in again')
                         .format(name=account.name)):
            await self.show()


def _error_line(marker: str) -> ui.label:
    label = ui.label().classes('text-negative text-sm').mark(marker)
    label.set_visibility(False)
    return label
