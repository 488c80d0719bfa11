"""Who is logged in on this browser, checked on every page and inside every handler."""
from nicegui import app

from services.container import Services
from services.directory import AgentView


def current_agent(services: Services) -> AgentView | None:
    agent_id = app.storage.user.get('agent_id')
    return services.directory.agent(agent_id) if isinstance(agent_id, int) else None


def log_in(agent: AgentView) -> None:
    app.storage.user['agent_id'] = agent.id


def log_out() -> None:
    app.storage.user.pop('agent_id', None)
