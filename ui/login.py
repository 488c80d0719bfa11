"""The login page."""
from fastapi import Request
from nicegui import ui

from services.container import Services
from services.platform.auth import TooManyFailures
from simulation.demo import DEMO_PASSWORD, LEAD, TEAMS
from ui.session import current_agent, log_in


def register(services: Services) -> None:

    @ui.page('/login')
    def login_page(request: Request) -> None:
        if current_agent(services) is not None:
            ui.navigate.to('/')
            return
        ui.page_title('DeskQuest · Log in')
        # the address this page was requested from (behind a reverse proxy, uvicorn's proxy headers set it)
        address = request.client.host if request.client else None
        ui.query('body').classes('bg-blue-grey-1')

        async def try_login() -> None:
            if not username.value.strip() or not password.value:
                ui.notify('Enter your username and password.', type='warning')
                return
            try:
                agent = await services.auth.authenticate(username.value, password.value, address=address)
            except TooManyFailures as refusal:
                password.set_value('')
                ui.notify(str(refusal), type='negative')
                return
            if agent is None:
                password.set_value('')
                ui.notify('Wrong username or password.', type='negative')
                return
            log_in(agent)
            ui.navigate.to('/')

        with ui.card().classes('absolute-center w-96 p-8 gap-4'):
            with ui.row().classes('items-center gap-2'):
                ui.image('/assets/logo.svg').classes('w-10 h-10')
                ui.label('DeskQuest').classes('text-2xl font-bold')
            ui.label('Support that levels up.').classes('text-grey-7 -mt-3')
            username = ui.input('Username').props('outlined autofocus').classes('w-full').mark('username')
            password = ui.input('Password', password=True, password_toggle_button=True) \
                .props('outlined').classes('w-full').mark('password').on('keydown.enter', try_login)
            ui.button('Log in', on_click=try_login).classes('w-full').mark('login')
            if services.settings.demo:
                agents = ', '.join(username for members in TEAMS.values() for username, _, _ in members[:2])
                with ui.column().classes('gap-0 text-sm text-grey-8 bg-blue-grey-1 p-3 rounded w-full'):
                    ui.label('Demo floor').classes('font-bold')
                    ui.label(f'Password for everyone: {DEMO_PASSWORD}')
                    ui.label(f'Lead: {LEAD[0]}')
                    ui.label(f'Agents: {agents}, …')
