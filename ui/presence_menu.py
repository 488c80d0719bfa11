"""The status menu in the header: online, away or on a break (offline is closing every tab)."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.i18n import _
from services.helpdesk.presence import CHOSEN, COLORS, LABELS, PresenceView
from services.platform.directory import AgentView
from ui.actions import attempt

ICONS = {'online': 'circle', 'away': 'schedule', 'on_break': 'free_breakfast'}


class PresenceMenu:
    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        status = services.presence.chosen(agent.id)
        with ui.button().props('flat dense no-caps color=white').mark('presence-menu') as self.button:
            self.dot = ui.icon('circle', size='xs', color=COLORS[status])
            self.label = ui.label(_(LABELS[status])).classes('ml-1 text-sm').mark('presence-status')
            with ui.menu():
                for choice in CHOSEN:
                    with ui.menu_item(on_click=lambda c=choice: self._choose(c)).mark(f'presence-{choice}'):
                        with ui.row().classes('items-center gap-2 no-wrap'):
                            ui.icon(ICONS[choice], color=COLORS[choice], size='xs')
                            ui.label(_(LABELS[choice]))
        services.presence.changed.subscribe(self._on_changed)  # unsubscribed when the tab closes

    async def _choose(self, status: str) -> None:
        actor = self.actor()
        if actor is None:
            return
        await attempt(self.services.presence.choose(actor, status))

    def _on_changed(self, view: PresenceView) -> None:
        if view.agent_id == self.agent.id:
            self.dot.props(f'color={COLORS[view.status]}')
            self.label.set_text(_(LABELS[view.status]))
