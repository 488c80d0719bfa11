"""A person's own account: their language, the sessions they are logged in with (ending any of them), changing
their password, and how public screens name them."""
from collections.abc import Callable

from fastapi import Request
from nicegui import ui

from services.container import Services
from services.domain.i18n import LANGUAGES, _, current_language, ngettext
from services.domain.wording import ago, moment_text
from services.platform.accounts import MIN_PASSWORD_LENGTH
from services.platform.directory import AgentView
from services.platform.sessions import SessionView
from ui.actions import attempt, attempt_result
from ui.i18n import language_menu
from ui.session import handler_actor, page_visitor


def register(services: Services) -> None:
    @ui.page('/account')
    def account_page(request: Request) -> None:
        if (visitor := page_visitor(services)) is None:
            return
        visit, agent = visitor
        actor = handler_actor(services, visit, agent)
        address = request.client.host if request.client else None  # a wrong current password counts against it
        ui.page_title(_('Your account · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Your account')).classes('text-lg font-bold')
            ui.space()
            ui.label(f'{agent.name} ({agent.username})').classes('font-medium')
            language_menu(services, actor=actor)

        shown: set[str] = set()  # the sessions listed: another's end refreshes the list only when it was one of them

        async def end(session: SessionView) -> None:
            if (who := actor()) is None:
                return
            await attempt(services.sessions.end_session(who, session.id),
                          done=_('Ended the session on {device}.').format(device=session.device))
            sessions.refresh()

        async def end_others() -> None:
            if (who := actor()) is None:
                return
            ended = await attempt_result(services.sessions.end_other_sessions(who, visit.token))
            if ended is not None:
                ui.notify(_('No other session was active.') if ended == 0 else
                          ngettext('Ended {count} other session.', 'Ended {count} other sessions.', ended)
                          .format(count=ended), type='positive')
            sessions.refresh()

        @ui.refreshable
        def sessions() -> None:
            listed = services.sessions.active(agent.id)
            shown.clear()
            shown.update(session.id for session in listed)
            now = services.sessions.clock.now()
            for session in listed:
                mine = session.id == visit.session
                with ui.row().classes('w-full items-center gap-3 no-wrap py-2 border-b').mark('session-row'):
                    ui.icon('smartphone' if session.device.endswith(('Android', 'iOS')) else 'computer', size='md') \
                        .classes('text-blue-grey-7')
                    with ui.column().classes('gap-0 grow'):
                        with ui.row().classes('items-center gap-2'):
                            ui.label(session.device).classes('font-medium').tooltip(session.user_agent or _('unknown'))
                            if mine:
                                ui.badge(_('This browser'), color='positive').mark('this-browser')
                        idle = (now - session.last_seen_at).total_seconds()
                        ui.label(_('{address} · logged in {moment} · last active {when}').format(
                            address=session.address or _('unknown address'), moment=moment_text(session.started_at),
                            when=_('just now') if idle < 60 else ago(idle))).classes('text-sm text-grey-7')
                    if not mine:
                        ui.button(_('End'), on_click=lambda s=session: end(s)).props('outline color=negative no-caps') \
                            .mark(f'end-session-{session.id[:16]}')
            ui.button(_('End all other sessions'), icon='logout', on_click=end_others) \
                .props('outline no-caps').classes('mt-2').mark('end-other-sessions') \
                .set_enabled(len(listed) > 1)

        async def change_password() -> None:
            if (who := actor()) is None:
                return
            changed = await attempt(services.sessions.change_password(
                who, visit.token, current=current.value, new=new.value, repeated=repeated.value, address=address),
                done=_('Your password was changed; your other sessions were ended.'), error_label=error)
            current.set_value('')
            if changed:
                new.set_value('')
                repeated.set_value('')
                sessions.refresh()

        async def choose_language(code: str) -> None:
            if code == agent.language or (who := actor()) is None:
                return
            if await attempt(services.accounts.set_language(who, code)):
                ui.navigate.to(f'/language/{code}?next=/account')  # this page again, in the new language

        with ui.column().classes('w-full max-w-3xl mx-auto gap-4 p-4'):
            with ui.card().classes('w-full'):
                ui.label(_('Language')).classes('text-lg font-bold')
                ui.label(_('The language of your screens, in every browser you log in with.')) \
                    .classes('text-sm text-grey-7')
                ui.toggle(dict(LANGUAGES), value=current_language(),
                          on_change=lambda event: choose_language(event.value)).props('no-caps') \
                    .mark('account-language')
            with ui.card().classes('w-full'):
                ui.label(_('Your sessions')).classes('text-lg font-bold')
                ui.label(_('Every browser you are logged in with. End one you do not recognise, then change your '
                           'password.')).classes('text-sm text-grey-7')
                with ui.column().classes('w-full gap-0'):
                    sessions()
            with ui.card().classes('w-full'):
                ui.label(_('Change your password')).classes('text-lg font-bold')
                ui.label(_('At least {count} characters. Your other sessions end; this one stays.')
                         .format(count=MIN_PASSWORD_LENGTH)).classes('text-sm text-grey-7')
                current = ui.input(_('Current password'), password=True).props('outlined').classes('w-full') \
                    .mark('current-password')
                new = ui.input(_('New password'), password=True, password_toggle_button=True).props('outlined') \
                    .classes('w-full').mark('new-password')
                repeated = ui.input(_('New password again'), password=True).props('outlined').classes('w-full') \
                    .mark('repeated-password').on('keydown.enter', change_password)
                error = ui.label().classes('text-negative text-sm').mark('password-error')
                error.set_visibility(False)
                ui.button(_('Change password'), on_click=change_password).mark('change-password')
            public_screens_card(services, actor)

        # another tab or browser ending one of the listed sessions: the list follows (unsubscribed when this tab closes)
        services.sessions.ended.subscribe(lambda ended: sessions.refresh() if ended & shown else None)


def public_screens_card(services: Services, actor: Callable[[], AgentView | None]) -> None:
    """How the wall displays name the person (issue 15): an alias, or not at all. Only they can choose it."""
    who = actor()
    if who is None:
        return
    profile = services.displays.profile(who.id)

    async def save() -> None:
        if (me := actor()) is not None:
            await attempt(services.displays.set_profile(me, alias=alias.value or '', opted_out=bool(hidden.value)),
                          done=_('Saved: the wall displays follow within a second.'))

    with ui.card().classes('w-full'):
        ui.label(_('On public screens')).classes('text-lg font-bold')
        ui.label(_('The office TV shows your name ({name}) on its boards and celebrations. Choose another name for it, '
                   'or stay off it altogether.').format(name=who.name)).classes('text-sm text-grey-7')
        alias = ui.input(_('Name on public screens'), value=profile.alias, placeholder=who.name).props('outlined') \
            .classes('w-full').mark('public-alias')
        hidden = ui.checkbox(_('Do not show me on public screens'), value=profile.opted_out).mark('public-opt-out')
        ui.button(_('Save'), on_click=save).mark('save-public-profile')
