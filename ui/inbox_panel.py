"""The unified inbox: the queue on every channel, filtered, searched and sorted, beside the open conversations."""
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from nicegui import Event, app, ui

from services.container import Services
from services.domain.events import Channel
from services.domain.i18n import N_, _, current_language, ngettext, pgettext
from services.domain.inbox import OPEN_STATUSES, SLA_RESOLUTION_TARGETS, InboxItem
from services.domain.labels import channel_text, priority_text
from services.helpdesk.inbox import InboxService
from services.platform.clock import Clock
from services.platform.directory import AgentView
from ui.conversation.view import ConversationView
from ui.format import CHANNEL_ICONS, PRIORITY_COLORS, STATUS_COLORS, since, sla_countdown, status_text

LIST_LIMIT = 40
AGEING_SECONDS = 15  # how often waiting times and SLA countdowns are redrawn (in memory, no database access)
AGEING_SHARDS = 30  # the tabs redrawn together: all 500 at once held the loop for half a second
SCOPES = {'queue': N_('My queue'), 'mine': N_('Mine'), 'unassigned': N_('Unassigned'), 'all': N_('All')}  # through _()
SORTS = {'waiting': N_('By waiting'), 'sla': N_('By SLA due')}
ALL = 'all'


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueFilter:
    """What one tab asks of the queue; tabs asking the same share one computed list (see :class:`QueueViews`)."""
    scope: str = 'queue'  # queue: mine and unassigned (a lead: all) | mine | unassigned | all
    channel: str = ALL
    status: str = ALL
    priority: str = ALL
    department_id: int | None = None
    tag: str = ''
    text: str = ''  # customer name, subject or #ticket, searched in memory
    text_ids: frozenset[int] = frozenset()  # conversations whose messages hold the submitted text (one query)
    sort: str = 'waiting'  # waiting | sla


def queue(items: list[InboxItem], agent: AgentView, queue_filter: QueueFilter) -> list[InboxItem]:
    """The agent's queue: the items the filter lets through, their own first, then the others, each in sort order."""
    return select(sorted(items, key=SORT_KEYS[queue_filter.sort]), agent, queue_filter)


def select(ordered: list[InboxItem], agent: AgentView, queue_filter: QueueFilter) -> list[InboxItem]:
    """:func:`queue` on items already in sort order (sorted once per change, shared by every agent)."""
    wanted = [item for item in ordered if in_scope(item, agent, queue_filter.scope) and matches(item, queue_filter)]
    return [item for item in wanted if item.assignee_id == agent.id] + \
        [item for item in wanted if item.assignee_id != agent.id]


def in_scope(item: InboxItem, agent: AgentView, scope: str) -> bool:
    if scope == 'mine':
        return item.assignee_id == agent.id
    if scope == 'unassigned':
        return item.assignee_id is None
    if scope == 'all':
        return True
    return agent.is_lead or item.assignee_id in (agent.id, None)


def matches(item: InboxItem, queue_filter: QueueFilter) -> bool:
    f = queue_filter
    if f.channel != ALL and item.channel.value != f.channel or f.status != ALL and item.status != f.status or \
            f.priority != ALL and item.priority != f.priority or \
            f.department_id is not None and item.department_id != f.department_id or f.tag and f.tag not in item.tags:
        return False
    return not f.text or item.id in f.text_ids or text_matches(item, f.text)


def text_matches(item: InboxItem, text: str) -> bool:
    """The in-memory part of the search: the customer's name, the subject, or the ticket number (#12)."""
    text = text.strip().casefold()
    return not text or text in item.customer_name.casefold() or text in item.subject.casefold() or \
        text.lstrip('#') == str(item.id)


def waiting_order(item: InboxItem) -> tuple:
    return item.waiting_since is None, item.waiting_since or item.created_at


def due_order(item: InboxItem) -> tuple:
    return item.next_due[0], item.id


SORT_KEYS: dict[str, Callable[[InboxItem], tuple]] = {'waiting': waiting_order, 'sla': due_order}


class QueueViews:
    """Each agent's view of the open queue, computed once per change of the queue and filter, shared by their tabs.

    The queue is sorted once per change and sort order; an agent's list is then one pass over it. A row's props
    (waiting time, SLA countdown) are made once per change or ageing tick for every tab showing it: one ticker for
    all tabs instead of a timer per tab recomputing the same rows. Each tick (:meth:`age`) redraws one of
    ``AGEING_SHARDS`` shares of the tabs, so every tab is redrawn once per ``AGEING_SECONDS``.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._shards: list[Event[[]]] = [Event() for _ in range(AGEING_SHARDS)]  # each: its tabs redraw their rows
        self._joined = 0  # tabs given a shard so far (round robin)
        self._ticks = 0
        self._items: list[InboxItem] | None = None
        self._sorted: dict[str, list[InboxItem]] = {}
        self._views: dict[tuple[int, bool, QueueFilter], list[InboxItem]] = {}
        self._now = clock.now()  # the time the rows' props are made at: the last change or tick
        # (conversation, mine, language) -> (item, props): made once per language in use, not once per tab
        self._props: dict[tuple[int, bool, str], tuple[InboxItem, dict]] = {}

    def visible(self, items: list[InboxItem], agent: AgentView, queue_filter: QueueFilter) -> list[InboxItem]:
        if items is not self._items:
            self._items = items
            self._sorted = {}
            self._views = {}
            self._now = self.clock.now()
            self._props = {}
        key = (agent.id, agent.is_lead, queue_filter)
        if key not in self._views:
            if queue_filter.sort not in self._sorted:
                self._sorted[queue_filter.sort] = sorted(items, key=SORT_KEYS[queue_filter.sort])
            self._views[key] = select(self._sorted[queue_filter.sort], agent, queue_filter)
        return self._views[key]

    def row_props(self, item: InboxItem, *, mine: bool) -> dict:
        """What one row shows, as of the last change or tick, in the current tab's language; the same dict for every
        tab that speaks it."""
        key = (item.id, mine, current_language())
        cached = self._props.get(key)
        if cached is None or cached[0] is not item:
            cached = item, _row_props(item, self._now, mine=mine)
            self._props[key] = cached
        return cached[1]

    def ageing(self) -> Event[[]]:
        """The event a new tab subscribes to, to redraw its rows' times (every ``AGEING_SECONDS``)."""
        self._joined += 1
        return self._shards[self._joined % AGEING_SHARDS]

    def age(self) -> None:
        """Recompute the times shown and redraw the next share of the tabs (rows no longer open are forgotten)."""
        self._now = self.clock.now()
        self._props = {}
        self._shards[self._ticks % AGEING_SHARDS].emit()
        self._ticks += 1


_queue_views: 'weakref.WeakKeyDictionary[InboxService, QueueViews]' = weakref.WeakKeyDictionary()


def queue_views_for(inbox: InboxService) -> QueueViews:
    """The shared views of this inbox; call it from ``register`` (outside any page): it starts the ageing ticker."""
    if inbox not in _queue_views:
        _queue_views[inbox] = views = QueueViews(inbox.clock)
        app.timer(AGEING_SECONDS / AGEING_SHARDS, views.age, immediate=False)
    return _queue_views[inbox]


class InboxPanel:
    """The queue (filtered, searched, sorted) beside the open conversations.

    Each conversation is one element (``inbox_row.js``), kept while it stays in the list, updated in place, and reused
    for another conversation once it leaves: a change to the queue sends the rows that changed and the new order,
    not a rebuilt list of ten elements per conversation.
    """

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None],
                 queues: QueueViews) -> None:
        self.services = services
        self.agent = agent
        self.queues = queues
        self.filter = QueueFilter()
        self.rows: dict[int, InboxRow] = {}
        self.spare: list[InboxRow] = []  # rows of conversations that left the list, hidden until reused
        self.tags: list[str] = []
        with ui.row().classes('h-full no-wrap items-stretch gap-4 grow min-w-0'):
            with ui.card().classes('w-96 shrink-0 gap-2 h-full flex-nowrap').mark('inbox'):
                with ui.row().classes('w-full items-center justify-between'):
                    ui.label(_('Inbox')).classes('text-lg font-bold')
                    self.count = ui.label().classes('text-sm text-grey-7').mark('inbox-count')
                self.search = ui.input(placeholder=_('Search customer, subject, #ticket'),
                                       on_change=self._search_as_typed) \
                    .props('dense outlined clearable').classes('w-full').mark('search') \
                    .tooltip(_('Enter also searches the messages'))
                self.search.on('keydown.enter', self._search_messages)
                with self.search.add_slot('prepend'):
                    ui.icon('search', size='xs')
                options = {ALL: _('All')} | {channel.value: channel_text(channel) for channel in Channel}
                ui.toggle(options, value=ALL, on_change=lambda e: self._set(channel=e.value)) \
                    .props('dense no-caps').mark('channel-filter')
                with ui.grid(columns=3).classes('w-full gap-1'):
                    self._select({key: _(text) for key, text in SCOPES.items()}, 'queue', 'scope', 'scope-filter')
                    self._select({ALL: _('Status')} | {status: status_text(status) for status in OPEN_STATUSES}, ALL,
                                 'status', 'status-filter')
                    self._select({ALL: _('Priority')} | {p: priority_text(p) for p in SLA_RESOLUTION_TARGETS}, ALL,
                                 'priority', 'priority-filter')
                    self.department_select = self._select({ALL: _('Department')}, ALL, 'department_id',
                                                          'department-filter')
                    self.tag_select = self._select({'': _('Tag')}, '', 'tag', 'tag-filter')
                    self._select({key: _(text) for key, text in SORTS.items()}, 'waiting', 'sort', 'sort')
                with ui.list().props('separator').classes('w-full grow overflow-y-auto') as self.list:
                    self.empty = ui.item_label(_('Nothing waiting. Enjoy the calm!')).classes('text-grey-6 p-4')
                    self.more = ui.item_label().classes('text-grey-6 p-2')
            self.conversation = ConversationView(services, agent, actor)
        queues.ageing().subscribe(self._tick)  # unsubscribed when the tab closes
        ui.timer(0.1, self._load_departments, once=True)  # after the page is shown

    def show(self, items: list[InboxItem]) -> None:
        visible = self.queues.visible(items, self.agent, self.filter)
        self.count.set_text(ngettext('{count} open', '{count} open', len(visible)).format(count=len(visible)))
        shown = visible[:LIST_LIMIT]
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
            self.rows[item.id].show(item, self.queues.row_props(item, mine=item.assignee_id == self.agent.id))
        order = [self.empty, *(self.rows[item.id] for item in shown), self.more, *self.spare]
        for index, element in enumerate(order):
            if self.list.default_slot.children[index] is not element:
                element.move(target_index=index)
        self.empty.set_visibility(not visible)
        self.more.set_visibility(len(visible) > LIST_LIMIT)
        more = len(visible) - LIST_LIMIT
        self.more.set_text(ngettext('and {count} more…', 'and {count} more…', more).format(count=more))
        self._offer_tags(items)

    def _select(self, options: dict, value, name: str, marker: str) -> ui.select:
        return ui.select(options, value=value, on_change=lambda e: self._set(**{name: _filter_value(name, e.value)})) \
            .props('dense options-dense outlined hide-dropdown-icon').classes('min-w-0 text-sm').mark(marker)

    def _set(self, **changes) -> None:
        self.filter = replace(self.filter, **changes)
        self.show(self.services.inbox.items())

    def _search_as_typed(self) -> None:
        text = (self.search.value or '').strip()
        if text != self.filter.text:
            self._set(text=text, text_ids=frozenset())  # messages are searched again on Enter

    async def _search_messages(self) -> None:
        text = (self.search.value or '').strip()
        ids = await self.services.inbox.search_messages(text)
        self._set(text=text, text_ids=frozenset(ids))

    async def _load_departments(self) -> None:
        departments = await self.services.inbox.departments()
        self.conversation.departments = departments
        self.department_select.set_options({ALL: _('Department')} | departments, value=ALL)
        self.department_select.set_visibility(bool(departments))

    def _offer_tags(self, items: list[InboxItem]) -> None:
        tags = sorted({tag for item in items for tag in item.tags} | ({self.filter.tag} - {''}))
        if tags != self.tags:
            self.tags = tags
            self.tag_select.set_options({'': _('Tag')} | {tag: tag for tag in tags}, value=self.filter.tag)

    def _tick(self) -> None:
        for row in self.rows.values():
            if row.item is not None:
                row.show(row.item, self.queues.row_props(row.item, mine=row.item.assignee_id == self.agent.id))


class InboxRow(ui.element, component='inbox_row.js'):
    """One conversation of the queue; a click opens it.

    Rows are reused rather than deleted when conversations leave the list: a deleted element is garbage that only
    a full collection frees, and the state of open tabs is kept out of those (see ``services/platform/collector.py``).
    """

    def __init__(self, on_open: Callable[[int], Awaitable[None]]) -> None:
        super().__init__()
        self.item: InboxItem | None = None
        self.on('click', lambda: on_open(self.item.id) if self.item is not None else None)

    def show(self, item: InboxItem, props: dict) -> None:
        if self.item is None or self.item.id != item.id:
            self.mark(f'conversation-{item.id}')
            self.set_visibility(True)
        self.item = item
        # made once for every tab, but props hold an observed copy of each dict, so it is compared by value (most
        # rows are unchanged)
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
        return [item.get(key) for key in ('name', 'subject', 'waiting', 'sla', 'badge', 'tip')] + \
            list(item.get('tags', []))


def _filter_value(name: str, value):
    """The select's value as the filter holds it ('all' departments is None)."""
    if name == 'department_id':
        return None if value in (None, ALL) else int(value)
    return value if value is not None else ('' if name == 'tag' else ALL)


def _row_props(item: InboxItem, now: datetime, *, mine: bool) -> dict:
    due_at, first_response = item.next_due
    sla, sla_color = sla_countdown(due_at, now, first_response=first_response)
    return {'icon': CHANNEL_ICONS[item.channel], 'color': PRIORITY_COLORS[item.priority],
            'tip': _('{channel} · {priority} priority').format(channel=channel_text(item.channel),
                                                              priority=priority_text(item.priority)),
            'name': item.customer_name,
            'subject': f'#{item.id} {item.subject}', 'waiting': _waiting_text(item, now), 'tags': tuple(item.tags),
            'sla': sla, 'slaColor': sla_color, 'badge': status_text('mine' if mine else item.status),
            'badgeColor': 'primary' if mine else STATUS_COLORS.get(item.status, 'grey')}


def _waiting_text(item: InboxItem, now: datetime) -> str:
    if item.waiting_since:
        return _('waiting {time}').format(time=since(item.waiting_since, now))
    return pgettext('open for a time', 'open {time}').format(time=since(item.created_at, now))
