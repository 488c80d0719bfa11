"""The open conversations as tabs: each shows the customer's hybrid thread, tags, who else is viewing, and a reply
box that keeps its half-written text when the agent switches to another tab."""
import re
from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui

from services.domain.canned import CannedReplyView, placeholder_values, render
from services.container import Services
from services.platform.directory import AgentView
from services.domain.inbox import OPEN_STATUSES, ConversationDetail, InboxItem, ThreadEntry
from services.domain.errors import ActionError
from services.helpdesk.viewing import Viewer, others
from ui.canned_page import CannedPicker
from ui.crm_card import CrmCard
from ui.format import CHANNEL_ICONS, CHANNEL_LABELS, PRIORITY_COLORS, STATUS_COLORS, sla_countdown

MAX_TABS = 8
EARLIER_SHOWN = 8
TYPING_SHORTCUT = re.compile(r'^/[\w-]*$')
REPLY_PLACEHOLDER = 'Write a reply, or type / and a shortcut for a canned reply'
NOTE_PLACEHOLDER = 'Internal note: only agents see it, never the customer'


@dataclass(frozen=True, kw_only=True, slots=True)
class Draft:
    text: str
    note: bool  # an internal note, not a reply: kept with the text so a note is never sent to the customer


class ConversationView:
    """The open conversations as tabs: one at a time shows its header, tags, the customer's hybrid thread and a reply
    box (``/shortcut`` picks a canned reply, or an internal note); each tab keeps its half-written text."""

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.detail: ConversationDetail | None = None
        self.canned: list[CannedReplyView] = []
        self.tabs: list[int] = []  # the open conversations, in the order they were opened
        self.labels: dict[int, str] = {}
        self.drafts: dict[int, Draft] = {}  # half-written replies and notes survive switching between tabs
        self.picked_canned: dict[int, int] = {}  # conversation -> the canned reply put in its box, counted when sent
        self.view_id: int | None = None  # this tab's view of the shown conversation (collision detection)
        self.thread_keys: list[str] = []  # the thread entries shown, to append new ones instead of redrawing
        self.body: ui.column | None = None  # built when the first conversation is opened: most tabs never do
        self.transfer_dialog: TransferDialog | None = None
        self.departments: dict[int, str] = {}  # loaded by the panel after the page is shown
        self._quiet = False  # the reply box is being set by the code, not typed in
        self._drawn: dict[str, tuple] = {}  # what the tag chips and the other conversations show, to skip redrawing
        with ui.card().classes('grow gap-2 min-w-0 h-full flex-nowrap').mark('conversation') as self.card:
            with ui.column().classes('w-full h-full items-center justify-center text-grey-6') as self.placeholder:
                ui.icon('forum', size='xl', color='grey-5')
                ui.label('Pick a conversation from the inbox to read and answer it.')
                ui.label('Type / in the reply box for canned replies · Ctrl+Enter sends').classes('text-xs')
        self.crm = CrmCard(services, agent, actor, open_conversation=self.open)
        ui.context.client.on_delete(self._leave)

    def _build(self) -> None:
        with self.card, ui.column().classes('w-full gap-2 grow min-h-0 flex-nowrap') as self.body:
            self.tab_bar = ui.row().classes('w-full gap-1 no-wrap overflow-x-auto shrink-0').mark('conversation-tabs')
            with ui.row().classes('w-full items-center no-wrap gap-2 shrink-0'):
                self.channel_icon = ui.icon('mail', size='sm', color='primary')
                self.title = ui.label().classes('text-lg font-bold grow truncate').mark('conversation-title')
                self.status = ui.badge().mark('conversation-status')
                self.priority = ui.badge()
                self.transfer_button = ui.button('Transfer', icon='swap_horiz', on_click=self._open_transfer) \
                    .props('outline dense no-caps').mark('transfer')
            self.meta = ui.label().classes('text-sm text-grey-7 -mt-2 shrink-0')
            self.viewers = ui.label().classes('text-sm text-deep-orange-8 font-medium shrink-0').mark('viewers')
            with ui.row().classes('w-full items-center gap-1 shrink-0'):
                self.tag_chips = ui.row().classes('gap-1 items-center').mark('tags')
                self.tag_input = ui.input(placeholder='+ tag').props('dense borderless').classes('w-28') \
                    .mark('tag-input')
                self.tag_input.on('keydown.enter', self._add_tag)
            self.earlier = ui.row().classes('w-full items-center gap-1 text-xs shrink-0').mark('earlier')
            self.thread = ui.column().classes('w-full gap-1 grow min-h-0 overflow-y-auto p-2 rounded bg-grey-1 '
                                              'flex-nowrap').mark('thread')
            self.suggestions = ui.row().classes('w-full gap-1 shrink-0').mark('suggestions')
            self.mode = ui.toggle({False: 'Reply to customer', True: 'Internal note'}, value=False,
                                  on_change=self._show_mode).props('dense no-caps size=sm').classes('shrink-0') \
                .mark('reply-mode')
            self.reply = ui.textarea(placeholder=REPLY_PLACEHOLDER, on_change=self._typed) \
                .props('outlined autogrow').classes('w-full shrink-0').mark('reply')
            self.reply.on('keydown.ctrl.enter', self._send)
            self.reply.on('keydown.tab.prevent', self._pick_first)
            with ui.row().classes('w-full justify-end gap-2 shrink-0'):
                CannedPicker(self.services, self.agent, on_pick=self._apply)
                self.take_button = ui.button('Take', icon='pan_tool', on_click=self._take).props('outline no-caps') \
                    .mark('take')
                self.reopen_button = ui.button('Reopen', icon='replay', on_click=self._reopen) \
                    .props('outline no-caps').mark('reopen')
                self.resolve_button = ui.button('Resolve', icon='task_alt', on_click=self._resolve, color='positive') \
                    .props('no-caps').mark('resolve')
                self.send_button = ui.button('Send', icon='send', on_click=self._send).props('no-caps').mark('send')
            with ui.dialog() as self.discard_dialog, ui.card():
                self.discard_text = ui.label()
                with ui.row().classes('w-full justify-end'):
                    ui.button('Keep it', on_click=lambda: self.discard_dialog.submit(False)).props('flat no-caps') \
                        .mark('keep-draft')
                    ui.button('Discard', on_click=lambda: self.discard_dialog.submit(True), color='negative') \
                        .props('no-caps').mark('discard-draft')
        self.services.inbox.conversation_changed.subscribe(self._on_changed)  # unsubscribed when the tab closes
        self.services.viewing.changed.subscribe(self._on_viewers)

    @property
    def active(self) -> int | None:
        return self.detail.item.id if self.detail is not None else None

    async def open(self, conversation_id: int) -> None:
        """Show the conversation, in a new tab unless it is open already; the text typed in the other stays."""
        if conversation_id == self.active:
            return
        if conversation_id not in self.tabs and len(self.tabs) >= MAX_TABS:
            ui.notify(f'{MAX_TABS} conversations are open: close one first.', type='warning')
            return
        try:
            detail = await self.services.inbox.detail(conversation_id)
        except ActionError as error:
            ui.notify(str(error), type='negative')
            return
        self.canned = await self.services.inbox.canned_replies(self.agent.id)  # from memory: shared and own
        self._keep_draft()
        self._leave()
        if conversation_id not in self.tabs:
            self.tabs.append(conversation_id)
        self.labels[conversation_id] = f'#{conversation_id} · {detail.item.customer_name.split(" ")[0]}'
        self.thread_keys = []
        self._show(detail)
        draft = self.drafts.pop(conversation_id, Draft(text='', note=False))
        self.mode.set_value(draft.note)
        self._set_reply(draft.text)
        self.view_id = self.services.viewing.enter(self.agent.id, conversation_id)
        self.viewers.set_text(others(self.services.viewing.viewers(conversation_id), self.agent.id))
        self._draw_tabs()
        await self.crm.show(detail.item.customer_id)

    async def close(self, conversation_id: int) -> None:
        """Close a tab; a half-written text is discarded only once the agent says so."""
        draft = (self.reply.value or '') if conversation_id == self.active else \
            self.drafts.get(conversation_id, Draft(text='', note=False)).text
        if draft.strip():
            self.discard_text.set_text(f'Discard the text you started for #{conversation_id}?')
            if not await self.discard_dialog:
                return
        if conversation_id not in self.tabs:
            return
        self.drafts.pop(conversation_id, None)
        self.picked_canned.pop(conversation_id, None)
        index = self.tabs.index(conversation_id)
        self.tabs.remove(conversation_id)
        if conversation_id != self.active:
            self._draw_tabs()
            return
        self._set_reply('')
        self._leave()
        self.detail = None
        if self.tabs:
            await self.open(self.tabs[min(index, len(self.tabs) - 1)])
        else:
            self._draw_tabs()
            self.body.set_visibility(False)
            self.placeholder.set_visibility(True)

    def _keep_draft(self) -> None:
        if self.detail is not None and (self.reply.value or '').strip():
            self.drafts[self.detail.item.id] = Draft(text=self.reply.value, note=bool(self.mode.value))

    def _leave(self) -> None:
        """This tab stops showing its conversation: the viewing time is recorded, the others see one viewer less."""
        if self.view_id is not None:
            self.services.viewing.leave_soon(self.view_id)
            self.view_id = None

    def _draw_tabs(self) -> None:
        """The tab bar changes only when a tab is opened, closed or switched to: redrawn then, a handful of buttons."""
        self.tab_bar.clear()
        with self.tab_bar:
            for conversation_id in self.tabs:
                active = conversation_id == self.active
                edited = conversation_id in self.drafts
                with ui.button_group().props('flat' if not active else 'unelevated'):
                    ui.button(self.labels[conversation_id] + (' ✎' if edited else ''),
                              on_click=lambda c=conversation_id: self.open(c)) \
                        .props(f'dense no-caps {"color=primary" if active else "flat color=grey-8"}') \
                        .mark(f'tab-{conversation_id}')
                    ui.button(icon='close', on_click=lambda c=conversation_id: self.close(c)) \
                        .props(f'dense size=sm {"color=primary" if active else "flat color=grey-8"}') \
                        .mark(f'close-tab-{conversation_id}')

    def _show(self, detail: ConversationDetail) -> None:
        if self.body is None:
            self._build()
        self.detail = detail
        item = detail.item
        now = self.services.clock.now()
        self.placeholder.set_visibility(False)
        self.body.set_visibility(True)
        self.channel_icon.set_name(CHANNEL_ICONS[item.channel])
        self.title.set_text(f'#{item.id} {item.subject}')
        self.status.set_text(item.status)
        self.status.props(f'color={STATUS_COLORS.get(item.status, "grey")}')
        self.priority.set_text(item.priority)
        self.priority.props(f'color={PRIORITY_COLORS[item.priority]}')
        assignee = self.services.directory.agent(item.assignee_id) if item.assignee_id else None
        department = self.departments.get(item.department_id) if item.department_id else None
        parts = [detail.item.customer_name, detail.customer_email, CHANNEL_LABELS[item.channel],
                 f'assigned to {assignee.name}' if assignee else 'unassigned',
                 f'{department} department' if department else '']
        if item.status in OPEN_STATUSES:
            due_at, first_response = item.next_due
            parts.append('SLA ' + sla_countdown(due_at, now, first_response=first_response)[0])
        if detail.rating:
            parts.append(f'rated {detail.rating}')
        self.meta.set_text(' · '.join(part for part in parts if part))
        self._show_tags(detail.tags)
        self._show_earlier(detail)
        self._show_thread(detail)
        mine = item.assignee_id == self.agent.id
        resolved = item.status == 'resolved'
        closed = item.status not in OPEN_STATUSES
        may_work = self.agent.is_lead or item.assignee_id in (self.agent.id, None)
        self.take_button.set_visibility(not closed and item.assignee_id is None)
        self.resolve_button.set_visibility(not closed and mine)
        self.reopen_button.set_visibility(resolved and mine)
        self.transfer_button.set_visibility(may_work and item.status != 'abandoned')
        self.tag_input.set_visibility(may_work)
        self.send_button.set_visibility(not closed or may_work)  # notes can be added after the conversation, too
        self.reply.set_visibility(not closed or may_work)
        self.mode.set_visibility(not closed or may_work)
        if closed and not self.mode.value:
            self.mode.set_value(True)  # a closed conversation takes notes, not replies
        self.suggestions.clear()

    def _show_tags(self, tags: tuple[str, ...]) -> None:
        removable = self.detail is not None and (self.agent.is_lead or
                                                 self.detail.item.assignee_id in (self.agent.id, None))
        if self._drawn.get('tags') == (self.active, tags, removable):
            return  # most changes to a conversation are new messages: the chips stay as they are
        self._drawn['tags'] = (self.active, tags, removable)
        self.tag_chips.clear()
        with self.tag_chips:
            for tag in tags:
                ui.chip(tag, icon='sell', color='blue-grey-1', removable=removable,
                        on_value_change=lambda e, t=tag: self._remove_tag(t) if not e.value else None) \
                    .props('dense').mark(f'tag-{tag}')

    def _show_earlier(self, detail: ConversationDetail) -> None:
        """The customer's other conversations, one click away (each opens in a tab)."""
        others_ = [c for c in detail.conversations if c.id != detail.item.id]
        if self._drawn.get('earlier') == (detail.item.id, others_):
            return
        self._drawn['earlier'] = (detail.item.id, others_)
        self.earlier.clear()
        self.earlier.set_visibility(bool(others_))
        with self.earlier:
            ui.label('Other conversations:').classes('text-grey-7')
            for conversation in others_[:EARLIER_SHOWN]:
                ui.button(f'#{conversation.id} {conversation.status}', icon=CHANNEL_ICONS[conversation.channel],
                          on_click=lambda c=conversation.id: self.open(c)) \
                    .props('flat dense no-caps size=sm').tooltip(conversation.subject) \
                    .mark(f'earlier-{conversation.id}')
            if len(others_) > EARLIER_SHOWN:
                ui.label(f'and {len(others_) - EARLIER_SHOWN} more').classes('text-grey-6')

    def _show_thread(self, detail: ConversationDetail) -> None:
        """The customer's hybrid thread. Entries never change, so new ones are appended; anything else redraws."""
        keys = [entry.key for entry in detail.history]
        if keys[:len(self.thread_keys)] != self.thread_keys or not self.thread_keys:
            self.thread.clear()
            self.thread_keys = []
        with self.thread:
            for entry in detail.history[len(self.thread_keys):]:
                self._draw_entry(entry, current=entry.conversation_id == detail.item.id)
        self.thread_keys = keys
        ui.run_javascript(f'const t = document.getElementById("c{self.thread.id}"); '
                          'if (t) t.scrollTop = t.scrollHeight')  # the latest entry in view

    def _draw_entry(self, entry: ThreadEntry, *, current: bool) -> None:
        stamp = entry.created_at.strftime('%d %b %H:%M')
        if entry.kind == 'transfer':
            with ui.row().classes('w-full justify-center items-center gap-1 text-xs text-amber-10 italic'):
                ui.icon('swap_horiz', size='xs')
                ui.label(f'{entry.author_name} · #{entry.conversation_id} · {stamp} · {entry.body}')
            return
        note = entry.kind == 'note'
        sent = entry.kind == 'agent' or note
        name = f'{entry.author_name} · internal note' if note else entry.author_name
        message = ui.chat_message(entry.body, name=name, sent=sent) \
            .props(f'bg-color={"amber-2" if note else "indigo-1" if sent else "white"}').classes('w-full')
        if note:
            message.mark('note')
        if not current:
            message.classes('opacity-70')
        with message.add_slot('stamp'):
            ui.icon(CHANNEL_ICONS[entry.channel], size='xs').classes('mr-1')
            link = ui.label(f'#{entry.conversation_id} · {stamp}').classes('inline')
            if not current:  # an earlier conversation, one click away
                link.classes('underline cursor-pointer').on('click', lambda c=entry.conversation_id: self.open(c))

    async def _on_changed(self, conversation_id: int) -> None:
        if self.detail is not None and (conversation_id == self.detail.item.id or
                                        any(c.id == conversation_id for c in self.detail.conversations)):
            try:
                detail = await self.services.inbox.detail(self.detail.item.id)
            except ActionError:
                return
            if self.detail is not None and detail.item.id == self.detail.item.id:
                self._show(detail)

    def _on_viewers(self, conversation_id: int, viewers: list[Viewer]) -> None:
        if conversation_id == self.active:
            self.viewers.set_text(others(viewers, self.agent.id))

    def _typed(self) -> None:
        if self.view_id is not None and not self._quiet and (self.reply.value or '').strip():
            self.services.viewing.typing(self.view_id)
        self._suggest()

    def _set_reply(self, text: str) -> None:
        self._quiet = True
        try:
            self.reply.set_value(text)
        finally:
            self._quiet = False

    def _show_mode(self) -> None:
        note = bool(self.mode.value)
        self.reply.props(f'placeholder="{NOTE_PLACEHOLDER if note else REPLY_PLACEHOLDER}"')
        if note:
            self.reply.props('bg-color=amber-1')
        else:
            self.reply.props(remove='bg-color')
        self.send_button.set_text('Add note' if note else 'Send')
        self.send_button.props('icon=sticky_note_2' if note else 'icon=send')
        self.suggestions.clear()

    def _suggest(self) -> None:
        self.suggestions.clear()
        text = (self.reply.value or '').strip()
        if self.mode.value or not TYPING_SHORTCUT.match(text):
            return
        matches = [c for c in self.canned if c.shortcut.startswith(text[1:])]
        with self.suggestions:
            if not matches:
                ui.label(f'No canned reply starts with {text}').classes('text-sm text-negative')
            for canned in matches[:6]:
                ui.button(f'/{canned.shortcut} · {canned.title}', on_click=lambda c=canned: self._apply(c)) \
                    .props('outline dense no-caps size=sm').mark(f'canned-{canned.shortcut}')

    def _pick_first(self) -> None:
        text = (self.reply.value or '').strip()
        matches = [c for c in self.canned if TYPING_SHORTCUT.match(text) and c.shortcut.startswith(text[1:])]
        if matches and not self.mode.value:
            self._apply(matches[0])

    def _apply(self, canned: CannedReplyView) -> None:
        """Put the canned reply, placeholders filled, into the box; it stays editable before sending."""
        if self.detail is None:
            return
        values = placeholder_values(customer_name=self.detail.item.customer_name, ticket_id=self.detail.item.id,
                                    agent_name=self.agent.name, company=self.detail.customer_company,
                                    agent_team=self.agent.team_name)
        self.reply.set_value(render(canned.body, values))
        self.picked_canned[self.detail.item.id] = canned.id
        self.suggestions.clear()

    async def _send(self) -> None:
        actor = self.actor()
        if actor is None or self.detail is None:
            return
        note = bool(self.mode.value)
        try:
            if note:
                await self.services.inbox.add_note(actor, self.detail.item.id, self.reply.value or '')
            else:
                await self.services.inbox.reply(actor, self.detail.item.id, self.reply.value or '',
                                                canned_id=self.picked_canned.get(self.detail.item.id))
        except ActionError as error:
            ui.notify(str(error), type='negative')
            return
        self._set_reply('')
        self.picked_canned.pop(self.detail.item.id, None)
        ui.notify('Note added (only agents see it)' if note else 'Reply sent', type='positive')

    async def _add_tag(self) -> None:
        text = self.tag_input.value or ''
        if await self._act(lambda actor, conversation_id: self.services.inbox.tag(actor, conversation_id, text)):
            self.tag_input.set_value('')

    async def _remove_tag(self, tag: str) -> None:
        await self._act(lambda actor, conversation_id: self.services.inbox.untag(actor, conversation_id, tag))

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
                done='Transferred')

    async def _take(self) -> None:
        await self._act(lambda actor, conversation_id: self.services.inbox.take(actor, conversation_id))

    async def _resolve(self) -> None:
        await self._act(lambda actor, conversation_id: self.services.inbox.resolve(actor, conversation_id),
                        done='Resolved. Nice work!')

    async def _reopen(self) -> None:
        await self._act(lambda actor, conversation_id: self.services.inbox.reopen(actor, conversation_id),
                        done='Reopened')

    async def _act(self, action, *, done: str | None = None) -> bool:
        actor = self.actor()
        if actor is None or self.detail is None:
            return False
        try:
            await action(actor, self.detail.item.id)
        except ActionError as error:
            ui.notify(str(error), type='negative')
            return False
        if done:
            ui.notify(done, type='positive')
        return True


class TransferDialog:
    """Pick the receiver (an agent or a department) and write a note; built once per tab, when first needed."""

    def __init__(self, services: Services, agent: AgentView) -> None:
        self.services = services
        self.agent = agent
        self.departments: dict[int, str] = {}
        with ui.dialog() as self.dialog, ui.card().classes('w-96'):
            self.heading = ui.label().classes('text-lg font-bold')
            self.target = ui.select({}, label='To', with_input=True).classes('w-full').mark('transfer-target')
            self.note = ui.textarea(label='Note for the receiver (internal)').props('outlined autogrow') \
                .classes('w-full').mark('transfer-note')
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancel', on_click=lambda: self.dialog.submit(None)).props('flat no-caps')
                ui.button('Transfer', icon='swap_horiz', on_click=self._submit).props('no-caps') \
                    .mark('transfer-confirm')

    async def ask(self, item: InboxItem) -> tuple[int | None, int | None, str] | None:
        """The receiver and the note, or None when the agent cancels."""
        self.departments = await self.services.inbox.departments()
        agents = sorted((a for a in self.services.directory.agents.values()
                         if a.id not in (self.agent.id, item.assignee_id)), key=lambda a: a.name)
        options = {f'agent:{a.id}': a.name for a in agents} | \
            {f'department:{d}': f'{name} (department)' for d, name in self.departments.items()}
        self.target.set_options(options, value=None)
        self.note.set_value('')
        self.heading.set_text(f'Transfer #{item.id}')
        return await self.dialog  # opens it

    def _submit(self) -> None:
        if not self.target.value:
            ui.notify('Pick an agent or a department.', type='warning')
            return
        kind, _, target_id = self.target.value.partition(':')
        to_agent = int(target_id) if kind == 'agent' else None
        to_department = int(target_id) if kind == 'department' else None
        self.dialog.submit((to_agent, to_department, self.note.value or ''))
