"""Helpers the UI tests share: logging in, the services the app built, looking people up, picking values."""
import asyncio

from nicegui import app
from nicegui.testing import User

from services.container import Services
from services.helpdesk.inbox import InboxItem
from services.platform.directory import AgentView


def services() -> Services:
    """The services main.py built for this test's app: every test reaches them through here."""
    return app.state.services


def agent(username: str) -> AgentView:
    return next(view for view in services().directory.agents.values() if view.username == username)


async def log_in(user: User, username: str, password: str = 'demo', *, succeeds: bool = True) -> None:
    await user.open('/login')
    user.find(marker='username').type(username)
    user.find(marker='password').type(password)
    user.find(marker='login').click()
    if succeeds:
        await user.should_see(marker='logout', retries=50)
        # NiceGUI's simulated navigation finishes in a background task that re-points the global ui.navigate at this
        # user; let it finish before another user acts, or that user's redirect would be sent here
        await asyncio.sleep(0.2)


async def open_first_conversation(user: User, username: str) -> InboxItem:
    """Log in and open the oldest waiting conversation; return it."""
    await log_in(user, username)
    await user.should_see('8 open', retries=50)
    conversation = min(services().inbox.items(), key=lambda item: item.id)
    user.find(marker=f'conversation-{conversation.id}').click()
    await user.should_see(marker='reply', retries=50)
    return conversation


def set_value(user: User, marker: str, value: object) -> None:
    """Pick a value as a person does in a select or toggle (the simulated user cannot open their menus)."""
    element, = user.find(marker=marker).elements
    with user.client:
        element.set_value(value)
