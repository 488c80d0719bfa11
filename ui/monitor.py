"""The lead's live monitor (/monitor, issue 15): the queue and today's figures per channel, every agent, the SLAs about
to breach, the newest escalations and returns to the queue, and the lead's actions on the floor.

Every tab shows the one :class:`MonitorView` the monitor service computes per burst of changes: a tab subscribes to
its ``changed`` event and only copies the rows into its tables (no timer per tab, no database read per tab). Only
leads see the page; every handler checks again and the routing service refuses an agent too.
"""
from collections.abc import Callable
from datetime import UTC, datetime

from nicegui import ui

from services.container import Services
from services.domain.i18n import _
from services.domain.monitor import sparkline
from services.helpdesk.monitor import AgentRow, MonitorView
from services.helpdesk.routing import ALL_CHANNELS, CHANNELS, MAX_CAPACITY, MAX_RELEASE_GRACE_MINUTES
from services.platform.directory import AgentView
from ui.actions import attempt, attempt_result
from ui.session import handler_actor, page_visitor

PATH = '/monitor'
NONE = '—'
SECONDS = 'value => value == null ? "—" : value < 60 ? value + " s" : value < 3600 ? Math.floor(value / 60) + " min"' \
          ' : Math.floor(value / 3600) + " h " + String(Math.floor(value % 3600 / 60)).padStart(2, "0") + " min"'
MINUTES = f'value => ({SECONDS})(value == null ? null : value * 60)'
PERCENT = 'value => value == null ? "—" : value + " %"'
CHANNEL_COLUMNS = [
    {'name': 'channel', 'label': 'Channel', 'field': 'channel', 'align': 'left'},
    {'name': 'waiting', 'label': 'Waiting', 'field': 'waiting'},
    {'name': 'longest', 'label': 'Longest wait', 'field': 'longest', ':format': SECONDS},
    {'name': 'average', 'label': 'Average wait', 'field': 'average', ':format': SECONDS},
    {'name': 'answered', 'label': 'Answered today', 'field': 'answered'},
    {'name': 'abandoned', 'label': 'Abandoned today', 'field': 'abandoned'},
    {'name': 'service_level', 'label': 'Service level', 'field': 'service_level', ':format': PERCENT},
    {'name': 'csat', 'label': 'CSAT today', 'field': 'csat', ':format': PERCENT},
    {'name': 'trend', 'label': 'Arrivals, last 8 h', 'field': 'trend', 'align': 'left'},
]
AGENT_COLUMNS = [
    {'name': 'name', 'label': 'Agent', 'field': 'name', 'align': 'left', 'sortable': True},
    {'name': 'team', 'label': 'Team', 'field': 'team', 'align': 'left', 'sortable': True},
    {'name': 'status', 'label': 'Presence', 'field': 'status', 'align': 'left', 'sortable': True},
    {'name': 'for', 'label': 'For', 'field': 'for', 'sortable': True, ':format': MINUTES},
    {'name': 'load', 'label': 'Open / capacity', 'field': 'load', 'sortable': True,
     ':sort': '(a, b) => parseInt(a) - parseInt(b)'},  # by the open ones: '10 / 12' after '2 / 3'
    {'name': 'channels', 'label': 'Serves', 'field': 'channels', 'align': 'left', 'sortable': True},
    {'name': 'handled', 'label': 'Handled today', 'field': 'handled', 'sortable': True},
    {'name': 'aht', 'label': 'Avg handling (chat, phone)', 'field': 'aht', 'sortable': True, ':format': SECONDS},
    {'name': 'csat', 'label': 'CSAT today', 'field': 'csat', 'sortable': True, ':format': PERCENT},
    {'name': 'at_risk', 'label': 'SLAs at risk', 'field': 'at_risk', 'sortable': True},
]

Lead = Callable[[], AgentView | None]
EMPTY = MonitorView(at=datetime.min.replace(tzinfo=UTC), channels=(), agents=None, at_risk=None, happenings=None,
                    release_grace_minutes=0)  # type: ignore[arg-type]


_made: list[tuple[tuple[AgentRow, ...], list[dict]]] = []  # the last agents made into rows, and the rows


def agent_rows(agents: tuple[AgentRow, ...]) -> list[dict]:
    """The agents' table rows, made once per change for every tab (kept for the view's tuple, by identity: hashing
    hundreds of rows per tab would cost what the cache saves)."""
    if _made and _made[0][0] is agents:
        return _made[0][1]
    _made[:] = [(agents, _rows_of(agents))]
    return _made[0][1]


def _rows_of(agents: tuple[AgentRow, ...]) -> list[dict]:
    return [{'id': row.agent_id, 'name': row.name, 'team': row.team, 'status': row.status,
             'for': row.status_minutes,
             'load': f'{row.in_hand} / {row.capacity}', 'channels': row.channels, 'handled': row.handled,
             'aht': row.average_handle_seconds, 'csat': row.csat, 'at_risk': row.at_risk} for row in agents]


def register(services: Services) -> None:

    @ui.page(PATH)
    def monitor() -> None:
        if (visitor := page_visitor(services, lead=True, message='The live monitor is for leads.')) is None:
            return
        storage, agent = visitor
        lead = handler_actor(services, storage, agent, lead_only='Only a lead can act from the monitor.')
        ui.page_title('Live monitor · DeskQuest')
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip('Back to the workspace').mark('back')
            ui.label('Live monitor').classes('text-lg font-bold')
            ui.space()
            ui.button(_('Start a boss fight'), icon='local_fire_department',  # the queue boss (issue 20)
                      on_click=lambda: start_boss(services, lead)) \
                .props('no-caps color=deep-orange').mark('monitor-boss-start')
            ui.label(agent.name).classes('font-medium')
        with ui.column().classes('w-full gap-4 p-4'):
            page = MonitorPage(services, lead)
        page.show(services.monitor.view)
        services.monitor.changed.subscribe(page.show)  # unsubscribed when this tab closes


async def start_boss(services: Services, lead: Lead) -> None:
    """A lead calls a queue boss from the monitor: its health is the queue they are looking at."""
    if (actor := lead()) is None:
        return
    if (view := await attempt_result(services.boss.start(actor))) is not None:
        ui.notify(_('{name} attacks: {health} waiting to beat!').format(name=_(view.name), health=view.health),
                  type='positive')


class MonitorPage:
    def __init__(self, services: Services, lead: Lead) -> None:
        self.services = services
        self.lead = lead
        self.shown = EMPTY  # what this tab shows; EMPTY's parts are none of a view's (never the same object)
        with ui.card().classes('w-full gap-1'):
            ui.label('Channels').classes('text-base font-medium')
            self.channels = ui.table(columns=CHANNEL_COLUMNS, rows=[], row_key='channel') \
                .props('dense flat').classes('w-full').mark('monitor-channels')
        with ui.card().classes('w-full gap-1'):
            ui.label('Agents').classes('text-base font-medium')
            self.agents = ui.table(columns=AGENT_COLUMNS, rows=[], row_key='id', pagination=0) \
                .props('dense flat').classes('w-full').mark('monitor-agents')
        with ui.row().classes('w-full gap-4 items-stretch no-wrap'):
            with ui.card().classes('grow basis-0 gap-1'):
                ui.label('SLAs about to breach').classes('text-base font-medium')
                self.at_risk = ui.column().classes('w-full gap-0 text-sm').mark('monitor-at-risk')
            with ui.card().classes('grow basis-0 gap-1'):
                ui.label('Escalations and returns to the queue').classes('text-base font-medium')
                self.happenings = ui.column().classes('w-full gap-0 text-sm').mark('monitor-happenings')
        self._build_actions()

    def show(self, view: MonitorView) -> None:
        """Copy the shared view into this tab: the channels every time (their waits age), the rest only when it
        changed (the service keeps an unchanged part the same object)."""
        self.channels.rows = [{'channel': row.channel, 'waiting': row.waiting, 'longest': row.longest_wait_seconds,
                               'average': row.average_wait_seconds, 'answered': row.answered,
                               'abandoned': row.abandoned, 'service_level': row.service_level, 'csat': row.csat,
                               'trend': sparkline(row.trend) + f'  {sum(row.trend)}'} for row in view.channels]
        self.channels.update()
        if view.agents is not self.shown.agents:
            self.agents.rows = agent_rows(view.agents)
            self.agents.update()
        if view.at_risk is not self.shown.at_risk:
            self.at_risk.clear()
            with self.at_risk:
                for risk in view.at_risk:
                    ui.label(f'#{risk.conversation_id} · {risk.channel} · {risk.priority} · {risk.target} '
                             f'{"breached at" if risk.breached else "due"} {risk.due:%H:%M} · '
                             f'{risk.agent or "in the queue"}').classes('text-negative' if risk.breached else '')
                if not view.at_risk:
                    ui.label('Nothing is close to a breach.').classes('text-grey-7')
        if view.happenings is not self.shown.happenings:
            self.happenings.clear()
            with self.happenings:
                for happening in view.happenings:
                    ui.label(f'{happening.at:%H:%M} {happening.text}')
                if not view.happenings:
                    ui.label('None today.').classes('text-grey-7')
        self.shown = view
        if self.grace.value is None:
            self.grace.value = view.release_grace_minutes
        self._agent_choices()

    def _agent_choices(self) -> None:
        choices = {agent.id: agent.name for agent in sorted(self.services.directory.floor(), key=lambda a: a.name)}
        for select in (self.agent, self.to_agent):
            if select.options != choices:
                select.set_options(choices, value=select.value if select.value in choices else None)

    def _build_actions(self) -> None:
        with ui.card().classes('w-full gap-2'):
            ui.label('Actions').classes('text-base font-medium')
            ui.label('Each action is recorded with your name. Moving an agent or changing their capacity edits their '
                     'skills, as in the workspace settings.').classes('text-sm text-grey-8')
            with ui.row().classes('w-full items-center gap-3'):
                self.agent = ui.select({}, label='Agent').classes('w-56').mark('monitor-agent')
                self.channel = ui.select({ALL_CHANNELS: 'every channel', **{c: c for c in CHANNELS}},
                                         label='Channel').classes('w-40').mark('monitor-channel')
                self.department = ui.select({}, label='Department').classes('w-40').mark('monitor-department') \
                    .on('focus', self._department_choices)
                self._department_choices()
                ui.button('Move', icon='swap_horiz', on_click=self._move).props('no-caps').mark('monitor-move')
                self.capacity = ui.number('Capacity', min=1, max=MAX_CAPACITY, step=1, precision=0) \
                    .classes('w-28').mark('monitor-capacity')
                ui.button('Set capacity', on_click=self._set_capacity).props('no-caps outline') \
                    .mark('monitor-set-capacity')
                ui.button('Release their conversations', icon='undo', on_click=self._release) \
                    .props('no-caps outline color=negative').mark('monitor-release')
            with ui.row().classes('w-full items-center gap-3'):
                self.conversation = ui.number('Conversation #', min=1, step=1, precision=0).classes('w-40') \
                    .mark('monitor-conversation')
                self.to_agent = ui.select({}, label='To agent').classes('w-56').mark('monitor-to-agent')
                ui.button('Reassign', icon='forward', on_click=self._reassign).props('no-caps') \
                    .mark('monitor-reassign')
                ui.space()
                self.grace = ui.number('Grace before an absent agent\'s chats and calls return (min)', min=0,
                                       max=MAX_RELEASE_GRACE_MINUTES, step=1, precision=0) \
                    .classes('w-96').mark('monitor-grace')
                ui.button('Save', on_click=self._save_grace).props('no-caps outline').mark('monitor-save-grace')

    def _department_choices(self) -> None:
        self.department.set_options({d.id: d.name for d in self.services.routing.departments.values()},
                                    value=self.department.value)

    def _chosen_agent(self) -> int | None:
        if self.agent.value is None:
            ui.notify('Choose an agent first.', type='warning')
        return self.agent.value

    async def _move(self) -> None:
        if (who := self.lead()) is None or (agent_id := self._chosen_agent()) is None:
            return
        await attempt(self.services.routing.move_agent(who, agent_id, channel=self.channel.value,
                                                       department_id=self.department.value),
                      done=f'{self.agent.options[agent_id]} moved.')

    async def _set_capacity(self) -> None:
        if (who := self.lead()) is None or (agent_id := self._chosen_agent()) is None:
            return
        if self.capacity.value is None:
            ui.notify(f'Enter a capacity from 1 to {MAX_CAPACITY}.', type='warning')
            return
        await attempt(self.services.routing.set_capacity(who, agent_id, int(self.capacity.value)),
                      done=f'{self.agent.options[agent_id]} may now have {int(self.capacity.value)} in hand.')

    async def _release(self) -> None:
        if (who := self.lead()) is None or (agent_id := self._chosen_agent()) is None:
            return
        await attempt(self.services.routing.release_agent(who, agent_id),
                      done=f'{self.agent.options[agent_id]}\'s conversations are back in the queue.')

    async def _reassign(self) -> None:
        if (who := self.lead()) is None:
            return
        if self.conversation.value is None or self.to_agent.value is None:
            ui.notify('Enter a conversation number and choose the agent to give it to.', type='warning')
            return
        conversation_id = int(self.conversation.value)
        await attempt(self.services.routing.reassign(who, conversation_id, self.to_agent.value),
                      done=f'#{conversation_id} reassigned to {self.to_agent.options[self.to_agent.value]}.')

    async def _save_grace(self) -> None:
        if (who := self.lead()) is None:
            return
        if self.grace.value is None:
            ui.notify(f'Enter a number of minutes from 0 to {MAX_RELEASE_GRACE_MINUTES}.', type='warning')
            return
        minutes = int(self.grace.value)
        await attempt(self.services.routing.set_release_grace(who, minutes),
                      done=f'Absent agents\' unanswered chats and calls return to the queue after {minutes} min.')
