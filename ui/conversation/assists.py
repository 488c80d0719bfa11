"""The resolver's word on a resolution's assists (issue 18): who the game credits with a share of it, and the buttons to
confirm or decline each, or to confirm a colleague the rule missed (a team-chat answer without the ``#`` reference)."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.i18n import N_, _
from services.helpdesk.assists import AssistLine, AssistState, AssistsView
from services.platform.directory import AgentView
from ui.actions import attempt

# shown through _() (the reader's language)
STATE_TEXTS = {AssistState.INFERRED: N_('credited (they helped on it)'), AssistState.CONFIRMED: N_('confirmed by you'),
               AssistState.DECLINED: N_('declined by you')}


class AssistPanel:
    """Shown under the conversation's header to the agent who resolved it, while it stays resolved."""

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.view: AssistsView | None = None
        with ui.column().classes('w-full gap-1 shrink-0 bg-green-1 rounded p-2').mark('assists') as self.box:
            with ui.row().classes('items-center gap-1'):
                ui.icon('handshake', color='positive')
                ui.label(_('Assists on your resolution')).classes('text-sm font-medium')
                with ui.icon('info', size='xs', color='grey-6'):
                    ui.tooltip(_('Colleagues who helped with an internal note, a transfer note or a team-chat answer '
                                 'earn a share of your resolution\'s points (you keep yours). Decline a share that '
                                 'was not real help, or confirm someone the game missed.'))
            self.lines = ui.column().classes('w-full gap-0')
            with ui.row().classes('items-center gap-2'):
                self.other = ui.select({}, label=_('Someone else helped')).props('dense outlined') \
                    .classes('min-w-[12rem]').mark('assist-other')
                ui.button(_('Confirm assist'), icon='check', on_click=self._confirm_other) \
                    .props('outline dense no-caps').mark('assist-confirm-other')
        self.box.set_visibility(False)

    async def show(self, conversation_id: int | None) -> None:
        """Show the assists of the conversation's standing resolution if this agent resolved it; else hide."""
        view = await self.services.assists.view(self.agent, conversation_id) if conversation_id is not None else None
        self.view = view
        self.box.set_visibility(view is not None)
        if view is None:
            return
        self.lines.clear()
        with self.lines:
            if not view.lines:
                ui.label(_('Nobody else wrote a note on it: no assists.')).classes('text-xs text-grey-7')
            for line in view.lines:
                self._line(line)
        self.other.set_options(view.others, value=None)

    def _line(self, line: AssistLine) -> None:
        with ui.row().classes('items-center gap-2').mark(f'assist-{line.agent_id}'):
            ui.label(line.name).classes('text-sm')
            ui.label(_(STATE_TEXTS[line.state])).classes('text-xs text-grey-7')
            if line.state != AssistState.CONFIRMED:
                ui.button(_('Confirm'), on_click=lambda: self._decide(line.agent_id, True)) \
                    .props('flat dense no-caps color=positive').mark(f'assist-confirm-{line.agent_id}')
            if line.state != AssistState.DECLINED:
                ui.button(_('Decline'), on_click=lambda: self._decide(line.agent_id, False)) \
                    .props('flat dense no-caps color=negative').mark(f'assist-decline-{line.agent_id}')

    async def _confirm_other(self) -> None:
        if self.other.value is None:
            ui.notify(_('Pick the colleague who helped.'), type='warning')
            return
        await self._decide(int(self.other.value), True)

    async def _decide(self, assister_id: int, confirmed: bool) -> None:
        actor = self.actor()
        if actor is None or self.view is None:
            return
        conversation_id = self.view.conversation_id
        if await attempt(self.services.assists.decide(actor, conversation_id, assister_id, confirmed=confirmed),
                         done=_('Assist confirmed') if confirmed else _('Assist declined')):
            await self.show(conversation_id)
