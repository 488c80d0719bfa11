"""The lead's live monitor (/monitor, issue 15): the queue and today's figures per channel, every agent, the SLAs about
to breach, the newest escalations and returns to the queue, and the lead's actions on the floor.

Every tab shows the one :class:`MonitorView` the monitor service computes per burst of changes, and no tab reads the
database or serialises rows of its own: :class:`MonitorFeed` diffs each view's two tables once against the previous
view's and sends only the rows that changed, made and encoded once per language in use for the room of the monitor
tabs that speak it (as the dashboards' boards are sent, ui/leaderboard_card.py). Each table is one element whose Vue
component (``monitor_table.js``) keeps the rows, sorts them and counts how long each agent has had their presence,
from its start. Only leads see the page; every handler checks again and the routing service refuses an agent too.
"""
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from babel.units import format_unit
from nicegui import Client, background_tasks, core, ui

from services.container import Services
from services.domain.events import Channel
from services.domain.i18n import N_, _, current_language, speaking
from services.domain.labels import channel_text, priority_text
from services.domain.monitor import ChannelRow, row_changes, sparkline
from services.domain.wording import ENGLISH_UNITS, clock_time, percent
from services.helpdesk.monitor import AgentRow, MonitorService, MonitorView
from services.helpdesk.routing import ALL_CHANNELS, CHANNELS, MAX_CAPACITY, MAX_RELEASE_GRACE_MINUTES
from services.platform.clock import Clock
from services.platform.directory import AgentView
from ui.actions import attempt, attempt_result
from ui.rooms import broadcast
from ui.session import handler_actor, page_visitor

PATH = '/monitor'
ROOM = 'deskquest-monitor'  # one room per language in use: deskquest-monitor-en, deskquest-monitor-fr, …
MESSAGE = 'deskquest_monitor'
# the columns' titles are marked here and translated for each tab (monitor_columns)
CHANNEL_COLUMNS = (
    {'name': 'channel', 'label': N_('Channel'), 'field': 'label', 'align': 'left'},
    {'name': 'waiting', 'label': N_('Waiting'), 'field': 'waiting'},
    {'name': 'longest', 'label': N_('Longest wait'), 'field': 'longest', 'kind': 'seconds'},
    {'name': 'average', 'label': N_('Average wait'), 'field': 'average', 'kind': 'seconds'},
    {'name': 'answered', 'label': N_('Answered today'), 'field': 'answered'},
    {'name': 'abandoned', 'label': N_('Abandoned today'), 'field': 'abandoned'},
    {'name': 'service_level', 'label': N_('Service level'), 'field': 'service_level', 'kind': 'percent'},
    {'name': 'csat', 'label': N_('CSAT today'), 'field': 'csat', 'kind': 'percent'},
    {'name': 'trend', 'label': N_('Arrivals, last 8 h'), 'field': 'trend', 'align': 'left'},
)
AGENT_COLUMNS = (  # sorted in the browser: sorting sends nothing
    {'name': 'name', 'label': N_('Agent'), 'field': 'name', 'align': 'left', 'sortable': True},
    {'name': 'team', 'label': N_('Team'), 'field': 'team', 'align': 'left', 'sortable': True},
    {'name': 'status', 'label': N_('Presence'), 'field': 'status', 'align': 'left', 'sortable': True},
    {'name': 'for', 'label': N_('For'), 'field': 'since', 'sortable': True, 'kind': 'since'},
    {'name': 'load', 'label': N_('Open / capacity'), 'field': 'load', 'sortable': True, 'kind': 'load'},
    {'name': 'channels', 'label': N_('Serves'), 'field': 'channels', 'align': 'left', 'sortable': True},
    {'name': 'handled', 'label': N_('Handled today'), 'field': 'handled', 'sortable': True},
    {'name': 'aht', 'label': N_('Avg handling (chat, phone)'), 'field': 'aht', 'sortable': True, 'kind': 'seconds'},
    {'name': 'csat', 'label': N_('CSAT today'), 'field': 'csat', 'sortable': True, 'kind': 'percent'},
    {'name': 'at_risk', 'label': N_('SLAs at risk'), 'field': 'at_risk', 'sortable': True},
)
TABLES = ('agents', 'channels')

Lead = Callable[[], AgentView | None]
Row = dict[str, Any]
EMPTY = MonitorView(at=datetime.min.replace(tzinfo=UTC), channels=(), agents=None, at_risk=None, happenings=None,
                    release_grace_minutes=0)  # type: ignore[arg-type]


class MonitorFeed:
    """The monitor's two tables for every monitor tab: each new view's rows are diffed once against the previous
    view's, and the rows that changed go out in one message to the room of monitor tabs (a new agent's row, a
    resolution's "handled", a presence change: one row; an unchanged agents table: nothing of it).

    The rows carry words (a presence, a channel), so they are made once per language in use, not once per tab: one
    message per language, to the room of the tabs that speak it. A language's rows are made when its first tab opens.
    """

    def __init__(self, monitor: MonitorService, clock: Clock) -> None:
        self.monitor = monitor
        self.clock = clock
        self.version = 0
        self.views: dict[str, dict[Any, AgentRow | ChannelRow]] = {table: {} for table in TABLES}  # what was sent
        self.rows: dict[str, dict[str, dict[Any, Row]]] = {}  # language -> table -> the rows as its browsers have them
        self.choices: dict[int, str] = {}  # the agents to choose from in the actions, by name
        self.at = 0  # the view's time, in ms
        self.last: dict[str, Any] | None = None  # the latest message sent (for tests)
        self._agents: tuple[AgentRow, ...] | None = None  # the agents table last diffed
        self._update(monitor.view)
        self.version = 0
        monitor.changed.subscribe(self._on_view, unsubscribe_on_delete=False)

    def rows_in(self, language: str) -> dict[str, dict[Any, Row]]:
        """Both tables' rows in ``language``, made from the latest view when its first tab asks."""
        if language not in self.rows:
            with speaking(language):
                self.rows[language] = {table: {key: _make_row(table, row) for key, row in self.views[table].items()}
                                       for table in TABLES}
        return self.rows[language]

    def full(self, language: str) -> dict[str, Any]:
        """Both tables whole, as a tab that opens or reconnects needs them. Tuples, not lists: NiceGUI keeps an
        observed copy of every list and dict put in an element's props, one per tab; a tuple is shared."""
        rows = self.rows_in(language)
        return {'v': self.version, 'at': self.at, 'speed': self.clock.speed, 'full': True,
                **{table: {'rows': tuple(rows[table].values()), 'gone': ()} for table in TABLES}}

    async def join(self, client: Client, language: str) -> None:
        """Put this tab's sockets into the room of its language (on every connect) and send them both tables."""
        for sid, _namespace in list(core.sio.manager.get_participants('/', client.id)):
            await core.sio.enter_room(sid, _room(language))
            await core.sio.emit(MESSAGE, self.full(language), to=sid)  # made once in the room: no newer patch first

    def _on_view(self, view: MonitorView) -> None:
        for language, message in self._update(view).items():
            self.last = message
            background_tasks.create(broadcast(_room(language), MESSAGE, message), name='monitor tables')

    def _update(self, view: MonitorView) -> dict[str, dict[str, Any]]:
        """The next patch in each language in use: each table's changed rows and the keys of the rows gone; none
        when no row changed."""
        self.at = round(view.at.timestamp() * 1000)
        tables = {'channels': {row.channel: row for row in view.channels}}
        if view.agents is not self._agents:  # the service keeps an unchanged table the same object
            self._agents = view.agents
            tables['agents'] = {row.agent_id: row for row in view.agents}
            choices = {row.agent_id: row.name for row in view.agents}  # sorted by name, as the view
            if choices != self.choices:  # the same object while nobody joins, leaves or is renamed: tabs skip it
                self.choices = choices
        messages: dict[str, dict[str, Any]] = {language: {} for language in self.rows}
        for table, current in tables.items():
            changed, gone = row_changes(self.views[table], current)
            if not changed and not gone:
                continue
            for language, rows in self.rows.items():
                with speaking(language):
                    made = {key: _make_row(table, current[key]) for key in changed}
                previous = rows[table]
                rows[table] = {key: made.get(key) or previous[key] for key in current}  # in the view's order
                messages[language][table] = {'rows': tuple(made.values()), 'gone': tuple(gone)}
            self.views[table] = current
        if not any(messages.values()):  # nothing changed, or no tab yet (its rows are made when it opens)
            return {}
        self.version += 1
        return {language: {'v': self.version, 'at': self.at, 'speed': self.clock.speed, 'full': False, **message}
                for language, message in messages.items()}


class MonitorTable(ui.element, component='monitor_table.js', dependencies=['socket_feed.js']):
    """One of the monitor's tables, kept and drawn by the browser from the feed's messages in the tab's language; one
    element however many rows."""

    def __init__(self, feed: MonitorFeed, table: str, *, columns: tuple[dict, ...], row_key: str,
                 sort_by: str | None = None) -> None:
        super().__init__()
        self.feed = feed
        self.table = table
        self.language = current_language()
        self._props['initial'] = feed.full(self.language)  # the page is sent with the rows of the moment
        self._props['table'] = table
        self._props['columns'] = [{**column, 'label': _(column['label'])} for column in columns]
        self._props['units'] = units(self.language)
        self._props['row-key'] = row_key
        self._props['sort-by'] = sort_by
        self.on('resync', lambda: background_tasks.create(feed.join(self.client, self.language),
                                                          name='monitor resync'))

    @property
    def rows(self) -> list[Row]:
        """The rows the browser has now (the feed's latest), in the view's order."""
        return list(self.feed.rows_in(self.language)[self.table].values())

    def _displayed_contents(self, *, only_visible: bool) -> list:
        """What the rows show, for NiceGUI's simulated users (the browser draws them from the same rows)."""
        fields = [column['field'] for column in self._props['columns'] if column.get('kind') is None]
        return [column['label'] for column in self._props['columns']] + \
            [str(row[field]) for row in self.rows for field in fields]


@lru_cache(maxsize=8)
def units(language: str) -> dict[str, str]:
    """How the browser writes a duration's units and a percentage in ``language`` ('{0}' is the number): CLDR's short
    units (Babel) as ``wording.duration`` writes them, English's '3 h 05 min' as the app always wrote it."""
    if language == 'en':
        patterns = {unit: f'{{0}} {short}' for unit, short in ENGLISH_UNITS.items()}
    else:  # the same form for every count in these languages' short units
        patterns = {unit: format_unit(7, f'duration-{unit}', length='short', locale=language).replace('7', '{0}')
                    for unit in ('second', 'minute', 'hour')}
    return {**patterns, 'pad': language == 'en', 'percent': percent(0.07, locale=language).replace('7', '{0}')}


def _room(language: str) -> str:
    return f'{ROOM}-{language}'


def _make_row(table: str, row: AgentRow | ChannelRow) -> Row:
    return _agent_row(row) if table == 'agents' else _channel_row(row)


def _agent_row(row: AgentRow) -> Row:
    """An agent's row as the browser gets it, in the current language: the id first, then the figures (the fan-out
    benchmark finds a row's "handled" after its id)."""
    return {'id': row.agent_id, 'name': row.name, 'team': row.team, 'status': _(row.status),
            'since': round(row.status_since.timestamp() * 1000) if row.status_since else None,
            'load': f'{row.in_hand} / {row.capacity}', 'channels': serves(row), 'handled': row.handled,
            'aht': row.average_handle_seconds, 'csat': row.csat, 'at_risk': row.at_risk}


def _channel_row(row: ChannelRow) -> Row:
    return {'channel': row.channel, 'label': channel_text(Channel(row.channel)), 'waiting': row.waiting,
            'longest': row.longest_wait_seconds, 'average': row.average_wait_seconds, 'answered': row.answered,
            'abandoned': row.abandoned, 'service_level': row.service_level, 'csat': row.csat,
            'trend': sparkline(row.trend) + f'  {sum(row.trend)}'}


def serves(row: AgentRow) -> str:
    """What routing gives an agent: 'chat (dedicated)', 'email, chat · Billing'."""
    channels = ', '.join(channel_text(Channel(channel)).lower() for channel in row.channels)
    if row.dedicated:
        return _('{channel} (dedicated)').format(channel=channels) if channels else _('none (dedicated)')
    return channels + (f' · {", ".join(row.departments)}' if row.departments else '')


def register(services: Services) -> None:
    feed = MonitorFeed(services.monitor, services.clock)  # here, outside any page: it outlives every tab

    @ui.page(PATH)
    def monitor() -> None:
        if (visitor := page_visitor(services, lead=True, message=_('The live monitor is for leads.'))) is None:
            return
        storage, agent = visitor
        lead = handler_actor(services, storage, agent, lead_only=_('Only a lead can act from the monitor.'))
        ui.page_title(_('Live monitor · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Live monitor')).classes('text-lg font-bold')
            ui.space()
            ui.button(_('Start a boss fight'), icon='local_fire_department',  # the queue boss (issue 20)
                      on_click=lambda: start_boss(services, lead)) \
                .props('no-caps color=deep-orange').mark('monitor-boss-start')
            ui.label(agent.name).classes('font-medium')
        with ui.column().classes('w-full gap-4 p-4'):
            page = MonitorPage(services, feed, lead)
        page.show(services.monitor.view)
        services.monitor.changed.subscribe(page.show)  # unsubscribed when this tab closes
        language = current_language()  # the tables' rows come through the room of the tab's language
        ui.context.client.on_connect(lambda client: feed.join(client, language))


async def start_boss(services: Services, lead: Lead) -> None:
    """A lead calls a queue boss from the monitor: its health is the queue they are looking at."""
    if (actor := lead()) is None:
        return
    if (view := await attempt_result(services.boss.start(actor))) is not None:
        ui.notify(_('{name} attacks: {health} waiting to beat!').format(name=_(view.name), health=view.health),
                  type='positive')


class MonitorPage:
    def __init__(self, services: Services, feed: MonitorFeed, lead: Lead) -> None:
        self.services = services
        self.feed = feed
        self.lead = lead
        self.shown = EMPTY  # what this tab shows; EMPTY's parts are none of a view's (never the same object)
        with ui.card().classes('w-full gap-1'):
            ui.label(_('Channels')).classes('text-base font-medium')
            MonitorTable(feed, 'channels', columns=CHANNEL_COLUMNS, row_key='channel').mark('monitor-channels')
        with ui.card().classes('w-full gap-1'):
            ui.label(_('Agents')).classes('text-base font-medium')
            MonitorTable(feed, 'agents', columns=AGENT_COLUMNS, row_key='id', sort_by='name') \
                .props('data-testid=monitor-agents').mark('monitor-agents')
        with ui.row().classes('w-full gap-4 items-stretch no-wrap'):
            with ui.card().classes('grow basis-0 gap-1'):
                ui.label(_('SLAs about to breach')).classes('text-base font-medium')
                self.at_risk = ui.column().classes('w-full gap-0 text-sm').mark('monitor-at-risk')
            with ui.card().classes('grow basis-0 gap-1'):
                ui.label(_('Escalations and returns to the queue')).classes('text-base font-medium')
                self.happenings = ui.column().classes('w-full gap-0 text-sm').mark('monitor-happenings')
        self._build_actions()

    def show(self, view: MonitorView) -> None:
        """Copy the parts of the shared view that changed into this tab (the service keeps an unchanged part the same
        object); the tables' rows come from the feed."""
        if view.at_risk is not self.shown.at_risk:
            self.at_risk.clear()
            with self.at_risk:
                for risk in view.at_risk:
                    when = (_('{target} breached at {time}') if risk.breached else _('{target} due {time}')).format(
                        target=_(risk.target), time=clock_time(risk.due))
                    ui.label(f'#{risk.conversation_id} · {channel_text(Channel(risk.channel))} · '
                             f'{priority_text(risk.priority)} · {when} · {risk.agent or _("in the queue")}') \
                        .classes('text-negative' if risk.breached else '')
                if not view.at_risk:
                    ui.label(_('Nothing is close to a breach.')).classes('text-grey-7')
        if view.happenings is not self.shown.happenings:
            self.happenings.clear()
            with self.happenings:
                for happening in view.happenings:
                    ui.label(f'{clock_time(happening.at)} {happening.text}')
                if not view.happenings:
                    ui.label(_('None today.')).classes('text-grey-7')
        self.shown = view
        if self.grace.value is None:
            self.grace.value = view.release_grace_minutes
        self._agent_choices()

    def _agent_choices(self) -> None:
        choices = self.feed.choices  # made once per change of the agents for every tab
        for select in (self.agent, self.to_agent):
            if select.options is not choices:
                select.set_options(choices, value=select.value if select.value in choices else None)

    def _build_actions(self) -> None:
        with ui.card().classes('w-full gap-2'):
            ui.label(_('Actions')).classes('text-base font-medium')
            ui.label(_('Each action is recorded with your name. Moving an agent or changing their capacity edits '
                       'their skills, as in the workspace settings.')).classes('text-sm text-grey-8')
            with ui.row().classes('w-full items-center gap-3'):
                self.agent = ui.select({}, label=_('Agent')).classes('w-56').mark('monitor-agent')
                self.channel = ui.select({ALL_CHANNELS: _('every channel'),
                                          **{c: channel_text(Channel(c)) for c in CHANNELS}},
                                         label=_('Channel')).classes('w-40').mark('monitor-channel')
                self.department = ui.select({}, label=_('Department')).classes('w-40').mark('monitor-department') \
                    .on('focus', self._department_choices)
                self._department_choices()
                ui.button(_('Move'), icon='swap_horiz', on_click=self._move).props('no-caps').mark('monitor-move')
                self.capacity = ui.number(_('Capacity'), min=1, max=MAX_CAPACITY, step=1, precision=0) \
                    .classes('w-28').mark('monitor-capacity')
                ui.button(_('Set capacity'), on_click=self._set_capacity).props('no-caps outline') \
                    .mark('monitor-set-capacity')
                ui.button(_('Release their conversations'), icon='undo', on_click=self._release) \
                    .props('no-caps outline color=negative').mark('monitor-release')
            with ui.row().classes('w-full items-center gap-3'):
                self.conversation = ui.number(_('Conversation #'), min=1, step=1, precision=0).classes('w-40') \
                    .mark('monitor-conversation')
                self.to_agent = ui.select({}, label=_('To agent')).classes('w-56').mark('monitor-to-agent')
                ui.button(_('Reassign'), icon='forward', on_click=self._reassign).props('no-caps') \
                    .mark('monitor-reassign')
                ui.space()
                self.grace = ui.number(_('Grace before an absent agent’s chats and calls return (min)'), min=0,
                                       max=MAX_RELEASE_GRACE_MINUTES, step=1, precision=0) \
                    .classes('w-96').mark('monitor-grace')
                ui.button(_('Save'), on_click=self._save_grace).props('no-caps outline').mark('monitor-save-grace')

    def _department_choices(self) -> None:
        self.department.set_options({d.id: d.name for d in self.services.routing.departments.values()},
                                    value=self.department.value)

    def _chosen_agent(self) -> int | None:
        if self.agent.value is None:
            ui.notify(_('Choose an agent first.'), type='warning')
        return self.agent.value

    async def _move(self) -> None:
        if (who := self.lead()) is None or (agent_id := self._chosen_agent()) is None:
            return
        await attempt(self.services.routing.move_agent(who, agent_id, channel=self.channel.value,
                                                       department_id=self.department.value),
                      done=_('{name} moved.').format(name=self.agent.options[agent_id]))

    async def _set_capacity(self) -> None:
        if (who := self.lead()) is None or (agent_id := self._chosen_agent()) is None:
            return
        if self.capacity.value is None:
            ui.notify(_('Enter a capacity from 1 to {maximum}.').format(maximum=MAX_CAPACITY), type='warning')
            return
        await attempt(self.services.routing.set_capacity(who, agent_id, int(self.capacity.value)),
                      done=_('{name} may now have {count} in hand.').format(name=self.agent.options[agent_id],
                                                                            count=int(self.capacity.value)))

    async def _release(self) -> None:
        if (who := self.lead()) is None or (agent_id := self._chosen_agent()) is None:
            return
        await attempt(self.services.routing.release_agent(who, agent_id),
                      done=_("{name}'s conversations are back in the queue.").format(name=self.agent.options[agent_id]))

    async def _reassign(self) -> None:
        if (who := self.lead()) is None:
            return
        if self.conversation.value is None or self.to_agent.value is None:
            ui.notify(_('Enter a conversation number and choose the agent to give it to.'), type='warning')
            return
        conversation_id = int(self.conversation.value)
        await attempt(self.services.routing.reassign(who, conversation_id, self.to_agent.value),
                      done=_('#{id} reassigned to {name}.').format(id=conversation_id,
                                                                   name=self.to_agent.options[self.to_agent.value]))

    async def _save_grace(self) -> None:
        if (who := self.lead()) is None:
            return
        if self.grace.value is None:
            ui.notify(_('Enter a number of minutes from 0 to {maximum}.').format(maximum=MAX_RELEASE_GRACE_MINUTES),
                      type='warning')
            return
        minutes = int(self.grace.value)
        await attempt(self.services.routing.set_release_grace(who, minutes),
                      done=_('Absent agents’ unanswered chats and calls return to the queue after {minutes} min.')
                      .format(minutes=minutes))
