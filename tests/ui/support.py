"""Helpers the UI tests share: logging in, the services the app built, looking people up, picking values, and waiting
for what a page shows (``until``, ``stays``) instead of sleeping a fixed time."""
from dataclasses import replace

from nicegui import app, background_tasks
from nicegui.testing import User

from services.container import Services
from services.domain.inbox import InboxItem
from services.platform.directory import AgentView
from simulation.simulator import Simulator
from tests.integration.support import stays, until

__all__ = ['agent', 'demote', 'log_in', 'notified', 'open_first_conversation', 'pair_kiosk', 'running', 'sees', 'sent',
           'services', 'set_value', 'simulator', 'stays', 'until']


def services() -> Services:
    """The services main.py built for this test's app: every test reaches them through here."""
    return app.state.services


def simulator() -> Simulator:
    """The demo's simulator main.py built beside the services (the tests run the demo with it stopped)."""
    return app.state.simulator


def agent(username: str) -> AgentView:
    return next(view for view in services().directory.agents.values() if view.username == username)


def demote(username: str) -> AgentView:
    """Make a lead an agent behind their open tabs' backs, their sessions kept (a real demotion ends them: the role a
    session started with must stay the account's). What is left to refuse them is the role check inside every
    handler, which the tests calling this are about. Returns the lead as they were."""
    lead = agent(username)
    services().directory.agents[lead.id] = replace(lead, role='agent')
    for session in services().sessions.live.values():
        if session.agent_id == lead.id:
            session.role = 'agent'
    return lead


async def log_in(user: User, username: str, password: str = 'demo', *, succeeds: bool = True) -> None:
    await user.open('/login')
    user.find(marker='username').type(username)
    user.find(marker='password').type(password)
    user.find(marker='login').click()
    if succeeds:
        await user.should_see(marker='logout', retries=50)
        # the simulated user re-points NiceGUI's global ui.navigate and ui.notify at itself whenever it is touched: by
        # its navigation task, and by its page's JavaScript going out (a page sends its tail after its first await).
        # Both must be over before another user acts, or that user's redirect after logging in would be sent here.
        await until(lambda: not running('navigate'), message=f'the navigation after {username} logged in to end')
        await until(lambda: sent(user), message=f'the page {username} landed on to send what it queued')


async def open_first_conversation(user: User, username: str) -> InboxItem:
    """Log in and open the oldest waiting conversation; return it."""
    await log_in(user, username)
    await user.should_see('8 open', retries=50)
    conversation = min(services().inbox.items(), key=lambda item: item.id)
    user.find(marker=f'conversation-{conversation.id}').click()
    await user.should_see(marker='reply', retries=50)
    return conversation


async def choose(user: User, code: str) -> None:
    """Choose a language in the header (or the login page) and wait for the page to be built again in it."""
    user.find(marker=f'language-{code}').click()
    await until(lambda: not running('navigate'), message=f'the page to be built again in {code}')


def set_value(user: User, marker: str, value: object) -> None:
    """Pick a value as a person does in a select or toggle (the simulated user cannot open their menus)."""
    element, = user.find(marker=marker).elements
    with user.client:
        element.set_value(value)


def sees(user: User, target: str | None = None, *, marker: str | None = None, content: str | None = None) -> bool:
    """Whether ``user`` sees it now (an element or a notification), as ``should_see`` and ``should_not_see`` decide;
    for ``stays(lambda: not sees(...))``, a ``should_not_see`` that gives an update time to arrive."""
    return user._sees(target, marker=marker, content=content)  # NiceGUI's own test: it has no public boolean form


def notified(user: User, text: str) -> int:
    """How many notifications ``user`` was shown that contain ``text`` (``should_see`` finds an old one as well)."""
    return sum(text in message for message in user.notify.messages)


def running(name: str) -> bool:
    """Whether a background task whose name starts with ``name`` is still running (NiceGUI's simulated navigation
    is named 'navigate to ...')."""
    return any(task.get_name().startswith(name) for task in background_tasks.running_tasks)


def sent(user: User) -> bool:
    """Whether the user's page has sent everything it queued so far (and something: it is connected)."""
    outbox = user.client.outbox
    return outbox.next_message_id > 0 and not outbox.messages and not outbox.updates


async def pair_kiosk(user: User, *, slides: tuple[str, ...] = ('today',), team_ids: tuple[int, ...] = (),
                     seconds: int = 20, name: str = 'Lobby TV') -> int:
    """A display a lead created (only ``slides``: a hidden slide is not seen), paired as a TV does at /kiosk with the
    code; returns the display's id once its screen shows."""
    display, code = await services().displays.create(agent('lead'), name=name, team_ids=list(team_ids),
                                                     slides=list(slides), slide_seconds=seconds)
    await user.open('/kiosk')
    await user.should_see(marker='pairing-code', retries=50)
    user.find(marker='pairing-code').type(f'{code[:4]}-{code[4:]}'.lower())
    user.find(marker='pair').click()
    await user.should_see(marker='kiosk-screen', retries=50)
    return display.id
