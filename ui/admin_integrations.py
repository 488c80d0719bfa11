"""The lead's connected helpdesks (/admin/integrations, issue 14): add a Chatwoot, Zendesk or Freshdesk connection
(its URL, secret and setup steps shown once), watch its deliveries arrive, replay a failed one, re-enter a secret,
give the agents a helpdesk named a login, and mark the teams that work in another helpdesk (no inbox for them).

Only leads see the page; every handler checks again and the service refuses an agent too.
"""
from collections.abc import Callable

from nicegui import background_tasks, ui

from services.container import Services
from services.domain.connectors.facts import HELPDESK_NAMES
from services.domain.connectors.setup import BASE_URL_EXAMPLES, setup_steps
from services.domain.errors import ActionError
from services.domain.i18n import _
from services.helpdesk.connections import KINDS, ConnectionView, NewConnection
from services.platform.directory import AgentView
from ui.actions import attempt, attempt_result
from ui.session import handler_actor, page_visitor

PATH = '/admin/integrations'
STATUS_COLOURS = {'applied': 'positive', 'duplicate': 'grey', 'ignored': 'grey', 'waiting': 'warning',
                  'failed': 'negative', 'received': 'info'}


def register(services: Services) -> None:

    @ui.page(PATH)
    def admin_integrations() -> None:
        if (visitor := page_visitor(services, lead=True)) is None:
            return
        storage, agent = visitor
        ui.page_title(_('DeskQuest · Connected helpdesks'))
        ui.query('body').classes('bg-blue-grey-1')
        lead = handler_actor(services, storage, agent, lead_only=_('Only a lead can manage helpdesk connections.'))
        request = ui.context.client.request
        origin = str(request.base_url).rstrip('/') if request is not None else ''

        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the inbox')).mark('back')
            ui.label(_('Connected helpdesks')).classes('text-lg font-bold')
            ui.space()
            ui.label(agent.name).classes('font-medium')

        with ui.row().classes('w-full items-start gap-4 p-2 no-wrap'):
            with ui.column().classes('gap-4 w-[34rem] shrink-0'):
                shown_once = ui.column().classes('w-full')
                AddConnection(services, lead, on_created=lambda new: show_once(shown_once, new, origin))
                UnlinkedAgents(services, lead)
                TeamHelpdesks(services, lead)
            connections = ConnectionList(services, lead, origin)
        services.connections.changed.subscribe(lambda _: connections.show.refresh())


def show_once(container: ui.column, new: NewConnection, origin: str) -> None:
    """The new connection's URL, secret and setup steps: DeskQuest cannot show the secret again."""
    container.clear()
    url = origin + new.connection.url_path
    with container, ui.card().classes('w-full bg-amber-1').mark('shown-once'):
        ui.label(_('{helpdesk} · {name}: set it up now')
                 .format(helpdesk=new.connection.helpdesk, name=new.connection.name)).classes('text-md font-bold')
        ui.label(_('The secret is shown only this once: copy it before leaving the page.')).classes('text-sm')
        ui.input(_('Webhook URL'), value=url).props('readonly outlined dense').classes('w-full').mark('new-url')
        ui.input(_('Secret'), value=new.secret).props('readonly outlined dense').classes('w-full').mark('new-secret')
        with ui.element('ol').classes('list-decimal pl-6 text-sm'):
            for step in setup_steps(new.connection.kind, url=url, secret=new.secret, signed=new.connection.signed):
                with ui.element('li').classes('py-1'):
                    text, _sep, code = step.partition('\n')
                    ui.label(text)
                    if code:
                        ui.code(code, language='json').classes('w-full').mark('freshdesk-body')
        ui.button(_('I have copied it'), on_click=container.clear).props('flat').mark('dismiss')


class AddConnection:
    def __init__(self, services: Services, lead: Callable[[], AgentView | None], *,
                 on_created: Callable[[NewConnection], None]) -> None:
        self.services = services
        self.lead = lead
        self.on_created = on_created
        with ui.card().classes('w-full'):
            ui.label(_('Connect a helpdesk')).classes('text-md font-bold')
            self.kind = ui.select({kind: HELPDESK_NAMES[kind] for kind in KINDS}, value='chatwoot',
                                  label=_('Helpdesk')).classes('w-full').mark('kind')
            self.name = ui.input(_('Name'), placeholder=_('e.g. Support EU')).classes('w-full').mark('name')
            self.secret = ui.input(_('Secret of your own (optional: else DeskQuest makes one)'), password=True) \
                .classes('w-full').mark('secret')
            self.unsigned = ui.checkbox(_('Unsigned: an old Chatwoot (before 4.11.2) that signs nothing')) \
                .mark('unsigned').bind_visibility_from(self.kind, 'value', value='chatwoot')
            self.error = ui.label().classes('text-negative text-sm').mark('add-error')
            self.error.set_visibility(False)
            ui.button(_('Connect'), on_click=self.create).props('color=primary').mark('connect')

    async def create(self) -> None:
        if (lead := self.lead()) is None:
            return
        self.error.set_visibility(False)
        try:
            new = await self.services.connections.create(
                lead, self.kind.value, self.name.value or '', secret=self.secret.value or None,
                signed=not (self.kind.value == 'chatwoot' and self.unsigned.value))
        except ActionError as error:
            self.error.set_text(str(error))
            self.error.set_visibility(True)
            return
        self.name.value = ''
        self.secret.value = ''
        self.unsigned.value = False
        self.on_created(new)


class ConnectionList:
    def __init__(self, services: Services, lead: Callable[[], AgentView | None], origin: str) -> None:
        self.services = services
        self.lead = lead
        self.origin = origin
        self.column = ui.column().classes('grow gap-4')
        with self.column:
            background_tasks.create(self.show(), name='connections')  # loaded once the page is shown

    @ui.refreshable_method
    async def show(self) -> None:
        if (lead := self.lead()) is None:
            return
        connections = await self.services.connections.connections(lead)
        if not connections:
            ui.label(_('No helpdesk is connected yet.')).classes('text-grey-7').mark('no-connections')
        for connection in connections:
            await self.card(lead, connection)

    async def card(self, lead: AgentView, connection: ConnectionView) -> None:
        deliveries = await self.services.connections.deliveries(lead, connection.id)
        with ui.card().classes('w-full').mark(f'connection-{connection.id}'):
            with ui.row().classes('items-center gap-2 w-full'):
                ui.label(f'{connection.helpdesk} · {connection.name}').classes('text-md font-bold')
                if not connection.signed:
                    ui.badge(_('unsigned'), color='warning') \
                        .tooltip(_('Deliveries are not signed: anyone with the URL can post')).mark('unsigned-badge')
                if not connection.active:
                    ui.badge(_('switched off'), color='grey')
                ui.space()
                ui.label(self.origin + connection.url_path).classes('text-xs text-grey-7 font-mono')
            if connection.active:
                with ui.row().classes('items-center gap-2 w-full'):
                    secret = ui.input(_('Re-enter the secret'), password=True).props('dense').classes('grow') \
                        .mark(f'reenter-{connection.id}')
                    ui.button(_('Save secret'), on_click=lambda c=connection, s=secret: self.set_secret(c, s)) \
                        .props('flat dense')
                    ui.button(_('Switch off'), on_click=lambda c=connection: self.deactivate(c)) \
                        .props('flat dense color=negative').mark(f'switch-off-{connection.id}')
                with ui.row().classes('items-center gap-2 w-full'):
                    address = ui.input(_("{helpdesk}'s address (links its tickets)") \
                        .format(helpdesk=connection.helpdesk),
                                       value=connection.base_url, placeholder=BASE_URL_EXAMPLES[connection.kind]) \
                        .props('dense').classes('grow').mark(f'base-url-{connection.id}')
                    ui.button(_('Save address'), on_click=lambda c=connection, a=address: self.set_base_url(c, a)) \
                        .props('flat dense').mark(f'save-base-url-{connection.id}')
            if not deliveries:
                ui.label(_('No delivery has arrived yet.')).classes('text-sm text-grey-7')
            for delivery in deliveries:
                with ui.row().classes('items-center gap-2 w-full text-sm no-wrap').mark(f'delivery-{delivery.id}'):
                    ui.badge(delivery.status, color=STATUS_COLOURS.get(delivery.status, 'grey'))
                    ui.label(f'{delivery.received_at:%d %b %H:%M:%S}').classes('text-grey-7 shrink-0')
                    ui.label(delivery.event or '—').classes('shrink-0')
                    if delivery.ticket:
                        ui.label(f'#{delivery.ticket}').classes('shrink-0')
                    ui.label(delivery.reason).classes('text-grey-8 grow')
                    if delivery.status == 'failed':
                        ui.button(_('Replay'), on_click=lambda d=delivery.id: self.replay(d)) \
                            .props('flat dense color=primary').mark(f'replay-{delivery.id}')

    async def replay(self, delivery_id: int) -> None:
        if (lead := self.lead()) is None:
            return
        answer = await attempt_result(self.services.connections.replay(lead, delivery_id))
        if answer is not None:
            status, message = answer
            ui.notify(_('Replayed: {message}')
                .format(message=message), type='positive' if status < 300 else 'negative', multi_line=True)
            self.show.refresh()

    async def set_secret(self, connection: ConnectionView, field: ui.input) -> None:
        if (lead := self.lead()) is None:
            return
        if await attempt(self.services.connections.set_secret(lead, connection.id, field.value or ''),
                         done=_('The secret of {name} is saved: replay the deliveries it refused.')
                             .format(name=connection.name)):
            field.value = ''

    async def set_base_url(self, connection: ConnectionView, field: ui.input) -> None:
        if (lead := self.lead()) is None:
            return
        await attempt(self.services.connections.set_base_url(lead, connection.id, field.value or ''),
                      done=_("Saved: {name}'s tickets now link to {helpdesk}.") \
                          .format(name=connection.name, helpdesk=connection.helpdesk)
                      if (field.value or '').strip() else _("{name}'s tickets no longer link out.") \
                          .format(name=connection.name))

    async def deactivate(self, connection: ConnectionView) -> None:
        if (lead := self.lead()) is None:
            return
        await attempt(self.services.connections.deactivate(lead, connection.id),
                      done=_('{name} is switched off: its deliveries are refused from now on.')
                          .format(name=connection.name))


class UnlinkedAgents:
    """Agents a helpdesk named who have no login yet: the lead gives them one (their points are already theirs)."""

    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        with ui.card().classes('w-full'):
            ui.label(_('Helpdesk agents without a login')).classes('text-md font-bold')
            background_tasks.create(self.show(), name='unlinked agents')
        services.connections.changed.subscribe(lambda _: self.show.refresh())

    @ui.refreshable_method
    async def show(self) -> None:
        if (lead := self.lead()) is None:
            return
        agents = await self.services.connections.unlinked_agents(lead)
        if not agents:
            ui.label(_('Every agent the helpdesks named can log in.')).classes('text-sm text-grey-7')
        for agent in agents:
            with ui.column().classes('w-full gap-1').mark(f'unlinked-{agent.agent_id}'):
                ui.label(f'{agent.name} · {agent.helpdesk}' + (f' · {agent.email}' if agent.email else '')) \
                    .classes('text-sm font-medium')
                with ui.row().classes('items-center gap-2 no-wrap w-full'):
                    username = ui.input(_('Username'), value=(agent.email or '').partition('@')[0]) \
                        .props('dense').classes('w-36').mark(f'invite-username-{agent.agent_id}')
                    password = ui.input(_('First password'), password=True).props('dense').classes('grow') \
                        .mark(f'invite-password-{agent.agent_id}')
                    ui.button(_('Invite'), on_click=lambda a=agent.agent_id, u=username, p=password:
                              self.invite(a, u, p)).props('flat dense color=primary').mark(f'invite-{agent.agent_id}')
                with ui.row().classes('items-center gap-2 no-wrap w-full'):
                    into = ui.select({other.id: other.name for other in self.services.directory.floor()
                                      if other.id != agent.agent_id}, label=_('or merge into'), with_input=True) \
                        .props('dense').classes('grow').mark(f'merge-into-{agent.agent_id}')
                    ui.button(_('Merge'), on_click=lambda a=agent.agent_id, i=into: self.merge(a, i)) \
                        .props('flat dense').mark(f'merge-{agent.agent_id}')

    async def invite(self, agent_id: int, username: ui.input, password: ui.input) -> None:
        if (lead := self.lead()) is None:
            return
        if await attempt(self.services.connections.invite(lead, agent_id, username.value or '', password.value or ''),
                         done=_('Invited: hand over the username and the first password.')):
            self.show.refresh()

    async def merge(self, agent_id: int, into: ui.select) -> None:
        if (lead := self.lead()) is None:
            return
        if into.value is None:
            ui.notify(_('Pick the agent to merge into.'), type='warning')
            return
        if await attempt(self.services.connections.merge(lead, agent_id, into.value),
                         done=_("Merged: their points are now that agent's, and so is their helpdesk identity.")):
            self.show.refresh()


class TeamHelpdesks:
    """Which teams work in another helpdesk: their agents see the game (progress, boards, quests, rewards) without
    DeskQuest's inbox, and their work arrives through the connections."""

    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        with ui.card().classes('w-full').mark('team-helpdesks'):
            ui.label(_('Teams working in another helpdesk')).classes('text-md font-bold')
            ui.label(_('Their agents see their progress, the boards, quests and rewards, but no inbox: their '
                       'tickets are worked in the connected helpdesk.')).classes('text-sm text-grey-7')
            background_tasks.create(self.show(), name='team helpdesks')
        services.connections.changed.subscribe(lambda _: self.show.refresh())

    @ui.refreshable_method
    async def show(self) -> None:
        if (lead := self.lead()) is None:
            return
        teams = await self.services.connections.team_helpdesks(lead)
        if not teams:
            ui.label(_('There are no teams yet.')).classes('text-sm text-grey-7')
        for team in teams:
            ui.switch(_('{name} works in another helpdesk').format(name=team.name), value=team.external,
                      on_change=lambda event, team_id=team.team_id: self.set(team_id, bool(event.value))) \
                .props('dense').mark(f'team-external-{team.team_id}')

    async def set(self, team_id: int, external: bool) -> None:
        if (lead := self.lead()) is None:
            return
        done = _('Its agents now see the game without an inbox.') if external else _('Its agents have the inbox again.')
        if not await attempt(self.services.connections.set_team_external(lead, team_id, external), done=done):
            self.show.refresh()  # refused: show the stored state again
