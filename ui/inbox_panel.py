"""The unified inbox: the queue on every channel and the open conversation with its reply box."""
import re
import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime

from nicegui import ui

from services.canned import CannedReplyView, placeholder_values, render
from services.container import Services
from services.directory import AgentView
from services.events import Channel
from services.inbox import ActionError, ConversationDetail, InboxItem, InboxService
from ui.canned_page import CannedPicker
from ui.crm_card import CrmCard
from ui.format import CHANNEL_ICONS, CHANNEL_LABELS, PRIORITY_COLORS, since

LIST_LIMIT = 40
TYPING_SHORTCUT = re.compile(r'^/[\w-]*$')
STATUS_COLORS = {'new': 'red-6', 'open': 'blue-7', 'pending': 'grey-7', 'resolved': 'positive'}


class InboxPanel:
    """The queue (mine and unassigned; a lead sees all) filtered by channel, beside the open conversation.

    Each conversation is one element (``inbox_row.js``), kept while it stays in the list, updated in place, and reused
    for another conversation once it leaves: a change to the queue sends the rows that changed and the new order,
    not a rebuilt list of ten elements per conversation.
    """

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None],
                 queues: 'QueueViews') -> None:
        self.services = services
        self.agent = agent
        self.queues = queues
        self.channel: str = 'all'
        self.rows: dict[int, InboxRow] = {}
        self.spare: list[InboxRow] = []  # rows of conversations that left the list, hidden until reused
        with ui.row().classes('h-full no-wrap items-stretch gap-4 grow min-w-0'):
            with ui.card().classes('w-96 shrink-0 gap-2 h-full flex-nowrap').mark('inbox'):
                with ui.row().classes('w-full items-center justify-between'):
                    ui.label('Inbox').classes('text-lg font-bold')
                    self.count = ui.label().classes('text-sm text-grey-7').mark('inbox-count')
                options = {'all': 'All'} | {channel.value: CHANNEL_LABELS[channel] for channel in Channel}
                ui.toggle(options, value='all', on_change=self._filter).props('dense no-caps') \
                    .mark('channel-filter')
                with ui.list().props('separator').classes('w-full grow overflow-y-auto') as self.list:
                    self.empty = ui.item_label('Nothing waiting. Enjoy the calm!').classes('text-grey-6 p-4')
                    self.more = ui.item_label().classes('text-grey-6 p-2')
            self.conversation = ConversationView(services, agent, actor)
        ui.timer(15, self._tick_waiting)  # waiting times age in memory; no database access

    def show(self, items: list[InboxItem]) -> None:
        visible = self.queues.visible(items, self.agent, self.channel)
        self.count.set_text(f'{len(visible)} open')
        shown = visible[:LIST_LIMIT]
        now = self.services.clock.now()
        for conversation_id in self.rows.keys() - {item.id for item in shown}:
            row = self.rows.pop(conversation_id)
            row.release()
            self.spare.append(row)
        for item in shown:
            if item.id not in self.rows:
                if self.spare:
                    self.rows[item.id] = self.spare.pop()
                else:
                    with self.list:
                        self.rows[item.id] = InboxRow(self.conversation.open)
            self.rows[item.id].show(item, _row_props(item, now, mine=item.assignee_id == self.agent.id))
        order = [self.empty, *(self.rows[item.id] for item in shown), self.more, *self.spare]
        for index, element in enumerate(order):
            if self.list.default_slot.children[index] is not element:
                element.move(target_index=index)
        self.empty.set_visibility(not visible)
        self.more.set_visibility(len(visible) > LIST_LIMIT)
        self.more.set_text(f'and {len(visible) - LIST_LIMIT} more…')

    def _filter(self, event) -> None:
        self.channel = event.value
        self.show(self.services.inbox.items())

    def _tick_waiting(self) -> None:
        now = self.services.clock.now()
        for row in self.rows.values():
            if row.item is not None:
                row.show(row.item, {**row.props['item'], 'waiting': _waiting_text(row.item, now)})


class InboxRow(ui.element, component='inbox_row.js'):
    """One conversation of the queue; a click opens it.

    Rows are reused rather than deleted when conversations leave the list: a deleted element is garbage that only
    a full collection frees, and the state of open tabs is kept out of those (see ``services/tuning.py``).
    """

    def __init__(self, on_open: Callable[[int], Awaitable[None]]) -> None:
        super().__init__()
        self.item: InboxItem | None = None
        self.on('click', lambda: on_open(self.item.id) if self.item is not None else None)

    def show(self, item: InboxItem, props: dict[str, str]) -> None:
        if self.item is None or self.item.id != item.id:
            self.mark(f'conversation-{item.id}')
            self.set_visibility(True)
        self.item = item
        if self._props.get('item') != props:
            self._props['item'] = props
            self.update()

    def release(self) -> None:
        self.item = None
        self.mark()
        self.set_visibility(False)

    def _displayed_contents(self, *, only_visible: bool) -> list:
        """What the row shows, for NiceGUI's simulated users (the browser draws it from the same props)."""
        item = self._props.get('item', {}) if self.item is not None else {}
        return [item.get(key) for key in ('name', 'subject', 'waiting', 'badge', 'tip')]


class QueueViews:
    """Each agent's view of the open queue, computed once per change of the queue and shared by their tabs.

    The queue is grouped by assignee and sorted once; an agent's list is then their own conversations followed by the
    unassigned ones (a lead's: everyone else's), each in waiting order, as the single sort used to give.
    """

    def __init__(self) -> None:
        self._items: list[InboxItem] | None = None
        self._by_assignee: dict[int | None, list[InboxItem]] = {}
        self._views: dict[tuple[int, bool, str], list[InboxItem]] = {}

    def visible(self, items: list[InboxItem], agent: AgentView, channel: str) -> list[InboxItem]:
        if items is not self._items:
            self._items = items
            self._by_assignee = {}
            for item in sorted(items, key=_waiting_order):
                self._by_assignee.setdefault(item.assignee_id, []).append(item)
            self._views = {}
        key = (agent.id, agent.is_lead, channel)
        if key not in self._views:
            mine = self._by_assignee.get(agent.id, [])
            others = sorted((item for assignee, group in self._by_assignee.items() if assignee != agent.id
                             for item in group), key=_waiting_order) if agent.is_lead else \
                self._by_assignee.get(None, [])
            self._views[key] = [item for item in mine + others if channel == 'all' or item.channel.value == channel]
        return self._views[key]


_queue_views: 'weakref.WeakKeyDictionary[InboxService, QueueViews]' = weakref.WeakKeyDictionary()


def queue_views_for(inbox: InboxService) -> QueueViews:
    if inbox not in _queue_views:
        _queue_views[inbox] = QueueViews()
    return _queue_views[inbox]


class ConversationView:
    """One conversation: its thread, and a reply box where ``/shortcut`` picks a canned reply."""

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.detail: ConversationDetail | None = None
        self.canned: list[CannedReplyView] = []
        self.drafts: dict[int, str] = {}  # half-written replies survive switching between conversations
        self.picked_canned_id: int | None = None  # the canned reply put into the box, counted as used when sent
        self.body: ui.column | None = None  # built when the first conversation is opened: most tabs never do
        with ui.card().classes('grow gap-2 min-w-0 h-full flex-nowrap').mark('conversation') as self.card:
            with ui.column().classes('w-full h-full items-center justify-center text-grey-6') as self.placeholder:
                ui.icon('forum', size='xl', color='grey-5')
                ui.label('Pick a conversation from the inbox to read and answer it.')
                ui.label('Type / in the reply box for canned replies · Ctrl+Enter sends').classes('text-xs')
        self.crm = CrmCard(services, agent, actor, open_conversation=self.open)

    def _build(self) -> None:
        with self.card, ui.column().classes('w-full gap-2 grow min-h-0 flex-nowrap') as self.body:
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                self.channel_icon = ui.icon('mail', size='sm', color='primary')
                self.title = ui.label().classes('text-lg font-bold grow truncate').mark('conversation-title')
                self.status = ui.badge().mark('conversation-status')
                self.priority = ui.badge()
            self.meta = ui.label().classes('text-sm text-grey-7 -mt-2')
            self.thread = ui.column().classes('w-full gap-1 grow min-h-0 overflow-y-auto p-2 rounded bg-grey-1 '
                                              'flex-nowrap').mark('thread')
            self.suggestions = ui.row().classes('w-full gap-1').mark('suggestions')
            self.reply = ui.textarea(placeholder='Write a reply, or type / and a shortcut for a canned reply',
                                     on_change=self._suggest) \
                .props('outlined autogrow').classes('w-full').mark('reply')
            self.reply.on('keydown.ctrl.enter', self._send)
            self.reply.on('keydown.tab.prevent', self._pick_first)
            with ui.row().classes('w-full justify-end gap-2'):
                CannedPicker(self.services, self.agent, on_pick=self._apply)
                self.take_button = ui.button('Take', icon='pan_tool', on_click=self._take).props('outline no-caps') \
                    .mark('take')
                self.reopen_button = ui.button('Reopen', icon='replay', on_click=self._reopen) \
                    .props('outline no-caps').mark('reopen')
                self.resolve_button = ui.button('Resolve', icon='task_alt', on_click=self._resolve, color='positive') \
                    .props('no-caps').mark('resolve')
                self.send_button = ui.button('Send', icon='send', on_click=self._send).props('no-caps').mark('send')
        self.services.inbox.conversation_changed.subscribe(self._on_changed)  # unsubscribed when the tab closes

    async def open(self, conversation_id: int) -> None:
        if self.detail is not None:
            self.drafts[self.detail.item.id] = self.reply.value or ''
        try:
            detail = await self.services.inbox.detail(conversation_id)
        except ActionError as error:
            ui.notify(str(error), type='negative')
            return
        self.canned = await self.services.inbox.canned_replies(self.agent.id)
        self._show(detail)
        self.reply.set_value(self.drafts.pop(conversation_id, ''))
        self.picked_canned_id = None
        await self.crm.show(detail.item.customer_id)

    def _show(self, detail: ConversationDetail) -> None:
        if self.body is None:
            self._build()
        self.detail = detail
        item = detail.item
        now = self.services.clock.now()
        self.placeholder.set_visibility(False)
        self.channel_icon.set_name(CHANNEL_ICONS[item.channel])
        self.title.set_text(f'#{item.id} {item.subject}')
        self.status.set_text(item.status)
        self.status.props(f'color={STATUS_COLORS.get(item.status, "grey")}')
        self.priority.set_text(item.priority)
        self.priority.props(f'color={PRIORITY_COLORS[item.priority]}')
        assignee = self.services.directory.agent(item.assignee_id) if item.assignee_id else None
        due = item.sla_due_at - now
        sla = f'SLA due in {since(now, item.sla_due_at)}' if due.total_seconds() > 0 else \
            f'SLA breached {since(item.sla_due_at, now)} ago'
        parts = [detail.item.customer_name, detail.customer_email, CHANNEL_LABELS[item.channel],
                 f'assigned to {assignee.name}' if assignee else 'unassigned']
        if item.status != 'resolved':
            parts.append(sla)
        if detail.rating:
            parts.append(f'rated {detail.rating}')
        self.meta.set_text(' · '.join(part for part in parts if part))
        self.thread.clear()
        with self.thread:
            for message in detail.messages:
                sent = message.author_kind == 'agent'
                ui.chat_message(message.body, name=message.author_name, sent=sent,
                                stamp=message.created_at.strftime('%d %b %H:%M')) \
                    .props(f'bg-color={"indigo-1" if sent else "white"}').classes('w-full')
        mine = item.assignee_id == self.agent.id
        resolved = item.status == 'resolved'
        self.take_button.set_visibility(not resolved and item.assignee_id is None)
        self.resolve_button.set_visibility(not resolved and mine)
        self.reopen_button.set_visibility(resolved and mine)
        self.send_button.set_visibility(not resolved)
        self.reply.set_visibility(not resolved)
        self.suggestions.clear()

    async def _on_changed(self, conversation_id: int) -> None:
        if self.detail is not None and self.detail.item.id == conversation_id:
            self._show(await self.services.inbox.detail(conversation_id))

    def _suggest(self) -> None:
        self.suggestions.clear()
        text = (self.reply.value or '').strip()
        if not TYPING_SHORTCUT.match(text):
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
        if matches:
            self._apply(matches[0])

    def _apply(self, canned: CannedReplyView) -> None:
        """Put the canned reply, placeholders filled, into the box; it stays editable before sending."""
        if self.detail is None:
            return
        values = placeholder_values(customer_name=self.detail.item.customer_name, ticket_id=self.detail.item.id,
                                    agent_name=self.agent.name, company=self.detail.customer_company,
                                    agent_team=self.agent.team_name)
        self.reply.set_value(render(canned.body, values))
        self.picked_canned_id = canned.id
        self.suggestions.clear()

    async def _send(self) -> None:
        actor = self.actor()
        if actor is None or self.detail is None:
            return
        try:
            await self.services.inbox.reply(actor, self.detail.item.id, self.reply.value or '',
                                            canned_id=self.picked_canned_id)
        except ActionError as error:
            ui.notify(str(error), type='negative')
            return
        self.reply.set_value('')
        self.picked_canned_id = None
        ui.notify('Reply sent', type='positive')

    async def _take(self) -> None:
        await self._act(lambda actor, conversation_id: self.services.inbox.take(actor, conversation_id))

    async def _resolve(self) -> None:
        await self._act(lambda actor, conversation_id: self.services.inbox.resolve(actor, conversation_id),
                        done='Resolved. Nice work!')

    async def _reopen(self) -> None:
        await self._act(lambda actor, conversation_id: self.services.inbox.reopen(actor, conversation_id),
                        done='Reopened')

    async def _act(self, action, *, done: str | None = None) -> None:
        actor = self.actor()
        if actor is None or self.detail is None:
            return
        try:
            await action(actor, self.detail.item.id)
        except ActionError as error:
            ui.notify(str(error), type='negative')
            return
        if done:
            ui.notify(done, type='positive')


def _waiting_order(item: InboxItem) -> tuple:
    return item.waiting_since is None, item.waiting_since or item.created_at


def _row_props(item: InboxItem, now: datetime, *, mine: bool) -> dict[str, str]:
    return {'icon': CHANNEL_ICONS[item.channel], 'color': PRIORITY_COLORS[item.priority],
            'tip': f'{CHANNEL_LABELS[item.channel]} · {item.priority} priority', 'name': item.customer_name,
            'subject': f'#{item.id} {item.subject}', 'waiting': _waiting_text(item, now),
            'badge': 'mine' if mine else item.status,
            'badgeColor': 'primary' if mine else STATUS_COLORS.get(item.status, 'grey')}


def _waiting_text(item: InboxItem, now: datetime) -> str:
    return f'waiting {since(item.waiting_since, now)}' if item.waiting_since else f'open {since(item.created_at, now)}'
