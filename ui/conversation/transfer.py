"""The transfer dialog: hand a conversation to another agent or a department, with a note for the receiver."""
from nicegui import ui

from services.container import Services
from services.domain.i18n import _
from services.domain.inbox import InboxItem
from services.platform.directory import AgentView


class TransferDialog:
    """Pick the receiver (an agent or a department) and write a note; built once per tab, when first needed."""

    def __init__(self, services: Services, agent: AgentView) -> None:
        self.services = services
        self.agent = agent
        self.departments: dict[int, str] = {}
        with ui.dialog() as self.dialog, ui.card().classes('w-96'):
            self.heading = ui.label().classes('text-lg font-bold')
            self.target = ui.select({}, label=_('To'), with_input=True).classes('w-full').mark('transfer-target')
            self.note = ui.textarea(label=_('Note for the receiver (internal)')).props('outlined autogrow') \
                .classes('w-full').mark('transfer-note')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=lambda: self.dialog.submit(None)).props('flat no-caps')
                ui.button(_('Transfer'), icon='swap_horiz', on_click=self._submit).props('no-caps') \
                    .mark('transfer-confirm')

    async def ask(self, item: InboxItem) -> tuple[int | None, int | None, str] | None:
        """The receiver and the note, or None when the agent cancels."""
        self.departments = await self.services.inbox.departments()
        agents = sorted((a for a in self.services.directory.agents.values()
                         if a.id not in (self.agent.id, item.assignee_id)), key=lambda a: a.name)
        options = {f'agent:{a.id}': a.name for a in agents} | \
            {f'department:{d}': _('{department} (department)').format(
                department=name) for d, name in self.departments.items()}
        self.target.set_options(options, value=None)
        self.note.set_value('')
        self.heading.set_text(_('Transfer #{ticket}').format(ticket=item.id))
        return await self.dialog  # opens it

    def _submit(self) -> None:
        if not self.target.value:
            ui.notify(_('Pick an agent or a department.'), type='warning')
            return
        kind, _sep, target_id = self.target.value.partition(':')
        to_agent = int(target_id) if kind == 'agent' else None
        to_department = int(target_id) if kind == 'department' else None
        self.dialog.submit((to_agent, to_department, self.note.value or ''))
