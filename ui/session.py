"""Who is logged in on this browser, checked on every page and again inside every handler."""
from collections.abc import Callable, MutableMapping
from typing import Any

from nicegui import app, ui

from services.container import Services
from services.platform.directory import AgentView


def user_storage() -> MutableMapping[str, Any]:
    """This browser's session storage; capture it while building a page and hand it to the page's handlers.

    Handlers must not look ``app.storage.user`` up again: that follows the request of the moment, which for updates
    pushed from other tabs' actions is not this tab's.
    """
    return app.storage.user


def current_agent(services: Services, storage: MutableMapping[str, Any] | None = None) -> AgentView | None:
    agent_id = (user_storage() if storage is None else storage).get('agent_id')
    return services.directory.agent(agent_id) if isinstance(agent_id, int) else None


def page_visitor(services: Services, *, lead: bool | None = None, elsewhere: str = '/',
                 message: str | None = None) -> tuple[MutableMapping[str, Any], AgentView] | None:
    """Who is opening the page being built: their session storage and themselves. None after sending them away: to
    the login page when nobody is logged in, and to ``elsewhere`` (told ``message``, if given) when ``lead`` is given
    and they are not (``lead=True``) or are (``lead=False``) a lead."""
    storage = user_storage()
    agent = current_agent(services, storage)
    if agent is None:
        ui.navigate.to('/login')
        return None
    if lead is not None and agent.is_lead != lead:
        if message:
            ui.notify(message, type='warning')
        ui.navigate.to(elsewhere)
        return None
    return storage, agent


def log_in(agent: AgentView) -> None:
    app.storage.user['agent_id'] = agent.id


def log_out(storage: MutableMapping[str, Any]) -> None:
    storage.pop('agent_id', None)


def handler_actor(services: Services, storage: MutableMapping[str, Any], agent: AgentView, *,
                  lead_only: str | None = None) -> Callable[[], AgentView | None]:
    """The check every handler of a page starts with (UI actions bypass HTTP middleware): the person the page was built
    for, still logged in on this browser, else None (told, and sent to the login page). With ``lead_only`` (the
    message), also None when they are no longer a lead."""
    def actor() -> AgentView | None:
        who = current_agent(services, storage)
        if who is None or who.id != agent.id:
            ui.notify('You were logged out. Please log in again.', type='warning')
            ui.navigate.to('/login')
            return None
        if lead_only is not None and not who.is_lead:
            ui.notify(lead_only, type='negative')
            return None
        return who
    return actor
