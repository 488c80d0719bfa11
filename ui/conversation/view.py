"""The open conversations as tabs: each shows the customer's hybrid thread, tags, who else is viewing, and a reply
box that keeps its half-written text when the agent switches to another tab.

The view puts together the parts beside it: :class:`TabBar`, :class:`Thread`, :class:`ReplyBox` and the
:class:`TransferDialog`; it holds the conversation shown and its header, and leads the opening and closing of tabs."""
from collections.abc import Awaitable, Callable

from nicegui import ui

from services.container import Services
from services.domain.errors import ActionError
from services.domain.i18n import _, ngettext
from services.domain.inbox import OPEN_STATUSES, ConversationDetail
from services.domain.labels import channel_text, priority_text
from services.helpdesk.viewing import Viewer, others
from services.platform.directory import AgentView
from ui.actions import attempt, attempt_result
from ui.conversation.assists import AssistPanel
from ui.conversation.reply_box import ReplyBox
from ui.conversation.tabs import MAX_TABS, TabBar
from ui.conversation.thread import Thread
from ui.conversation.transfer import TransferDialog
from ui.crm_card import CrmCard
from ui.external_conversation import show_external_conversation
from ui.format import CHANNEL_ICONS, PRIORITY_COLORS, STATUS_COLORS, sla_countdown, status_text


class ConversationView:
    """The open conversations as tabs: one at a time shows its header, tags, the customer's hybrid thread and a reply
    box (``/shortcut`` picks a canned reply, or an internal note); each tab keeps its half-written text."""

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.detail: ConversationDetail | None = None
        self.view_id: int | None = None  # this tab's view of the shown conversation (collision detection)
        self.body: ui.column | None = None  # built when the first conversation is opened: most tabs never do
        self.transfer_dialog: TransferDialog | None = None
        self.departments: dict[int, str] = {}  # loaded by the panel after the page is shown
        with ui.card().classes('grow gap-2 min-w-0 h-full flex-nowrap').mark('conversation') as self.card:
            with ui.column().classes('w-full h-full items-center justify-center text-grey-6') as self.placeholder:
                ui.icon('forum', size='xl', color='grey-5')
                ui.label(_('Pick a conversation from the inbox to read and answer it.'))
                ui.label(_('Type / in the reply box for canned replies · Ctrl+Enter sends')).classes('text-xs')
        self.crm = CrmCard(services, agent, actor, open_conversation=self.open)
        ui.context.client.on_delete(self._leave)

    @property
    def active(self) -> int | None:
        return self.detail.item.id if self.detail is not None else None

    async def open(self, conversation_id: int) -> None:
        """Show the conversation, in a new tab unless it is open already; the text typed in the other stays."""
        if conversation_id == self.active:
            return
        if self.body is not None and self.tab_bar.full(conversation_id):
            ui.notify(ngettext('{count} conversation is open: close it first.',
                               '{count} conversations are open: close one first.', MAX_TABS)
                      .format(count=MAX_TABS), type='warning')
            return
        if await show_external_conversation(self.services, conversation_id):  # worked in its own helpdesk: read-only
            return
        if (detail := await attempt_result(self.services.inbox.detail(conversation_id))) is None:
            return
        # from memory: shared and own, those in the customer's language first
        canned = await self.services.inbox.canned_replies(self.agent.id, language=detail.customer_language)
        if self.body is None:
            self._build()
        self.reply_box.canned = canned
        if self.detail is not None and self.reply_box.text.strip():
            self.tab_bar.keep(self.detail.item.id, self.reply_box.draft())
        self._leave()
        self.tab_bar.add(conversation_id, f'#{conversation_id} · {detail.item.customer_name.split(" ")[0]}')
        self.thread.restart()
        self._show(detail)
        self.reply_box.restore(self.tab_bar.take_draft(conversation_id))
        self.view_id = self.services.viewing.enter(self.agent.id, conversation_id)
        self.viewers.set_text(others(self.services.viewing.viewers(conversation_id), self.agent.id))
        self.tab_bar.draw(self.active)
        await self.assists.show(conversation_id)
        await self.crm.show(detail.item.customer_id)

    async def close(self, conversation_id: int) -> None:
        """Close a tab; a half-written text is discarded only once the agent says so."""
        text = self.reply_box.text if conversation_id == self.active else self.tab_bar.kept(conversation_id).text
        if not await self.tab_bar.may_close(conversation_id, text) or conversation_id not in self.tab_bar.tabs:
            return
        self.reply_box.forget(conversation_id)
        index = self.tab_bar.remove(conversation_id)
        if conversation_id != self.active:
            self.tab_bar.draw(self.active)
            return
        self.reply_box.clear()
        self._leave()
        self.detail = None
        if self.tab_bar.tabs:
            await self.open(self.tab_bar.tabs[min(index, len(self.tab_bar.tabs) - 1)])
        else:
            self.tab_bar.draw(self.active)
            self.body.set_visibility(False)
            self.placeholder.set_visibility(True)

    def _build(self) -> None:
        with self.card, ui.column().classes('w-full gap-2 grow min-h-0 flex-nowrap') as self.body:
            self.tab_bar = TabBar(on_open=self.open, on_close=self.close)
            # the title keeps the row's room: at 1366 px, with the badges beside it, a subject showed as '#163…'
            with ui.row().classes('w-full items-center no-wrap gap-2 shrink-0'):
                self.channel_icon = ui.icon('mail', size='sm', color='primary')
                self.title = ui.label().classes('text-lg font-bold grow truncate min-w-0').mark('conversation-title')
                self.transfer_button = ui.button(_('Transfer'), icon='swap_horiz', on_click=self._open_transfer) \
                    .props('outline dense no-caps no-wrap').classes('shrink-0').mark('transfer')
            with ui.element('div').classes('text-sm text-grey-7 -mt-2 shrink-0'):  # the badges lead the meta line
                self.status = ui.badge().classes('mr-1').mark('conversation-status')
                self.priority = ui.badge().classes('mr-2')
                self.meta = ui.label().classes('inline')
            self.viewers = ui.label().classes('text-sm text-deep-orange-8 font-medium shrink-0').mark('viewers')
            self.assists = AssistPanel(self.services, self.agent, self.actor)  # the resolver's, once resolved
            self.thread = Thread(self.services, self.actor, shown=lambda: self.detail, open_conversation=self.open)
            self.reply_box = ReplyBox(self.services, self.agent, self.actor, shown=lambda: self.detail,
                                      buttons=self._build_buttons, on_typing=self._typing)
        self.services.inbox.conversation_changed.subscribe(self._on_changed)  # unsubscribed when the tab closes
        self.services.viewing.changed.subscribe(self._on_viewers)

    def _build_buttons(self) -> None:
        """What the agent can do with the conversation, beside the reply box's Send."""
        self.take_button = ui.button(_('Take'), icon='pan_tool', on_click=self._take).props('outline no-caps') \
            .mark('take')
        self.reopen_button = ui.button(_('Reopen'), icon='replay', on_click=self._reopen) \
            .props('outline no-caps').mark('reopen')
        self.resolve_button = ui.button(_('Resolve'), icon='task_alt', on_click=self._resolve, color='positive') \
            .props('no-caps').mark('resolve')

    def _leave(self) -> None:
        """This tab stops showing its conversation: the viewing time is recorded, the others see one viewer less."""
        if self.view_id is not None:
            self.services.viewing.leave_soon(self.view_id)
            self.view_id = None

    def _show(self, detail: ConversationDetail) -> None:
        self.detail = detail
        item = detail.item
        now = self.services.clock.now()
        self.placeholder.set_visibility(False)
        self.body.set_visibility(True)
        self.channel_icon.set_name(CHANNEL_ICONS[item.channel])
        self.title.set_text(f'#{item.id} {item.subject}')
        self.status.set_text(status_text(item.status))
        self.status.props(f'color={STATUS_COLORS.get(item.status, "grey")}')
        self.priority.set_text(priority_text(item.priority))
        self.priority.props(f'color={PRIORITY_COLORS[item.priority]}')
        assignee = self.services.directory.agent(item.assignee_id) if item.assignee_id else None
        department = self.departments.get(item.department_id) if item.department_id else None
        parts = [detail.item.customer_name, detail.customer_email, channel_text(item.channel),
                 _('assigned to {name}').format(name=assignee.name) if assignee else _('unassigned'),
                 _('{department} department').format(department=department) if department else '']
        if item.status in OPEN_STATUSES:
            due_at, first_response = item.next_due
            parts.append(_('SLA {countdown}').format(
                countdown=sla_countdown(due_at, now, first_response=first_response)[0]))
        if detail.rating:
            parts.append(_('rated {rating}').format(rating=detail.rating))
        self.meta.set_text(' · '.join(part for part in parts if part))
        mine = item.assignee_id == self.agent.id
        resolved = item.status == 'resolved'
        closed = item.status not in OPEN_STATUSES
        may_work = self.agent.is_lead or item.assignee_id in (self.agent.id, None)
        self.thread.show(detail, may_work=may_work)
        self.take_button.set_visibility(not closed and item.assignee_id is None)
        self.resolve_button.set_visibility(not closed and mine)
        self.reopen_button.set_visibility(resolved and mine)
        self.transfer_button.set_visibility(may_work and item.status != 'abandoned')
        self.reply_box.show(may_write=not closed or may_work, closed=closed)

    def _on_changed(self, conversation_id: int) -> Awaitable[None] | None:
        """Every tab hears every conversation's change: the check is synchronous, and only a tab showing that
        conversation gets a coroutine (NiceGUI runs it as a task in this tab's context), not one task per tab."""
        if self.detail is not None and (conversation_id == self.detail.item.id or
                                        any(c.id == conversation_id for c in self.detail.conversations)):
            return self._reload()
        return None

    async def _reload(self) -> None:
        if self.detail is None:
            return
        try:
            detail = await self.services.inbox.detail(self.detail.item.id)
        except ActionError:
            return
        if self.detail is not None and detail.item.id == self.detail.item.id:
            self._show(detail)
            await self.assists.show(detail.item.id)  # resolved or reopened: the resolver's assists or none

    def _on_viewers(self, conversation_id: int, viewers: list[Viewer]) -> None:
        if conversation_id == self.active:
            self.viewers.set_text(others(viewers, self.agent.id))

    def _typing(self) -> None:
        if self.view_id is not None:
            self.services.viewing.typing(self.view_id)

    async def _open_transfer(self) -> None:
        if self.detail is None:
            return
        if self.transfer_dialog is None:
            with self.card:
                self.transfer_dialog = TransferDialog(self.services, self.agent)
        target = await self.transfer_dialog.ask(self.detail.item)
        if target is not None:
            to_agent_id, to_department_id, note = target
            await self._act(lambda actor, conversation_id: self.services.inbox.transfer(
                actor, conversation_id, to_agent_id=to_agent_id, to_department_id=to_department_id, note=note),
                done=_('Transferred'))

    async def _take(self) -> None:
        await self._act(self.services.inbox.take)

    async def _resolve(self) -> None:
        await self._act(self.services.inbox.resolve, done=_('Resolved. Nice work!'))

    async def _reopen(self) -> None:
        await self._act(self.services.inbox.reopen, done=_('Reopened'))

    async def _act(self, action: Callable[[AgentView, int], Awaitable[object]], *, done: str | None = None) -> bool:
        """Call ``action(actor, conversation_id)`` on the shown conversation as the logged-in agent (see
        :func:`ui.actions.attempt`)."""
        actor = self.actor()
        if actor is None or self.detail is None:
            return False
        return await attempt(action(actor, self.detail.item.id), done=done)
