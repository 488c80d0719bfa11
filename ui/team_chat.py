"""The agents' internal chat, in a drawer: the team room and direct messages, with colleagues' presence and ``#123``
drawn as links that open the conversation."""
from collections.abc import Awaitable, Callable

from nicegui import ui

from services.container import Services
from services.domain.i18n import _
from services.domain.wording import clock_time
from services.helpdesk.presence import COLORS, LABELS, PresenceView
from services.helpdesk.team_chat import MAX_MESSAGE, ChatMessageView, segments
from services.platform.directory import AgentView
from ui.actions import attempt

SHOWN = 100  # messages kept on screen per chat; older ones are one reopen away
ROOM = 'room'


class TeamChatPanel:
    """Counts unread messages from the start; the chat itself is built when the drawer is first opened."""

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None], *,
                 open_conversation: Callable[[int], Awaitable[None]],
                 on_unread: Callable[[int], None]) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.open_conversation = open_conversation
        self.on_unread = on_unread
        self.partner_id: int | None = None  # None: the team room
        self.is_open = False
        self.unread: dict[int | None, int] = {}
        self.container = ui.column().classes('w-full h-full gap-2 flex-nowrap').mark('team-chat')
        self.built = False
        services.team_chat.posted.subscribe(self._on_posted)  # unsubscribed when the tab closes

    async def opened(self, is_open: bool) -> None:
        """The drawer was opened or closed."""
        self.is_open = is_open
        if not is_open:
            return
        if not self.built:
            self._build()
            await self._switch(None)
        else:
            self._mark_read(self.partner_id)

    def _build(self) -> None:
        self.built = True
        self.dots: dict[int, ui.icon] = {}
        self.unread_badges: dict[int | None, ui.badge] = {}
        with self.container:
            ui.label(_('Team chat')).classes('text-lg font-bold')
            with ui.list().props('dense').classes('w-full max-h-56 overflow-y-auto').mark('chat-people'):
                self._person_row(None, _('Team room'), 'groups')
                colleagues = sorted((a for a in self.services.directory.agents.values() if a.id != self.agent.id),
                                    key=lambda a: (a.team_name or '~', a.name))
                for colleague in colleagues:
                    self._person_row(colleague.id, colleague.name, None, team=colleague.team_name or colleague.role)
            ui.separator()
            self.chat_title = ui.label().classes('text-sm font-bold').mark('chat-title')
            with ui.scroll_area().classes('w-full grow min-h-0').mark('chat-messages') as self.scroll:
                self.messages = ui.column().classes('w-full gap-2 p-1')
            with ui.row().classes('w-full no-wrap items-end gap-1'):
                self.input = ui.textarea(placeholder=_('Message · #123 links a conversation')) \
                    .props(f'outlined dense autogrow maxlength={MAX_MESSAGE}').classes('grow').mark('chat-input')
                self.input.on('keydown.enter.prevent', self._send)
                ui.button(icon='send', on_click=self._send).props('flat round dense').mark('chat-send')
        self.services.presence.changed.subscribe(self._on_presence)  # unsubscribed when the tab closes

    def _person_row(self, agent_id: int | None, name: str, icon: str | None, *, team: str = '') -> None:
        with ui.item(on_click=lambda: self._switch(agent_id)).mark(f'chat-with-{agent_id or ROOM}'):
            with ui.item_section().props('avatar'):
                if icon is not None:
                    ui.icon(icon, color='primary')
                else:
                    status = self.services.presence.status(agent_id)
                    self.dots[agent_id] = ui.icon('circle', size='xs', color=COLORS[status]) \
                        .props(f'title="{_(LABELS[status])}"').mark(f'presence-{agent_id}')
            with ui.item_section():
                ui.item_label(name)
                if team:
                    ui.item_label(team).props('caption')
            with ui.item_section().props('side'):
                badge = ui.badge('0', color='red').props('rounded')
                badge.set_visibility(False)
                self.unread_badges[agent_id] = badge

    async def _switch(self, partner_id: int | None) -> None:
        self.partner_id = partner_id
        partner = self.services.directory.agent(partner_id) if partner_id is not None else None
        self.chat_title.set_text(_('Direct messages with {name}').format(name=partner.name) if partner else
                                 _('Team room: everyone'))
        history = await self.services.team_chat.history(self.agent.id, partner_id)
        self.messages.clear()
        for message in history:
            self._show_message(message)
        self._mark_read(partner_id)

    async def _send(self) -> None:
        actor = self.actor()
        if actor is None:
            return
        if not await attempt(self.services.team_chat.send(actor, self.input.value or '', to_agent_id=self.partner_id)):
            return
        self.input.set_value('')

    def _on_posted(self, message: ChatMessageView) -> None:
        if not message.concerns(self.agent.id):
            return
        chat = message.to_agent_id if message.author_id == self.agent.id else \
            (None if message.to_agent_id is None else message.author_id)
        if self.is_open and self.built and chat == self.partner_id:
            self._show_message(message)
        elif message.author_id != self.agent.id:
            self.unread[chat] = self.unread.get(chat, 0) + 1
            self._show_unread()

    def _show_message(self, message: ChatMessageView) -> None:
        mine = message.author_id == self.agent.id
        with self.messages:
            with ui.column().classes('gap-0 w-full ' + ('items-end' if mine else 'items-start')):
                ui.label(f'{message.author_name} · {clock_time(message.created_at)}') \
                    .classes('text-xs text-grey-6')
                with ui.row().classes('gap-0 text-sm rounded px-2 py-1 max-w-full ' +
                                      ('bg-indigo-1' if mine else 'bg-white')).mark('chat-message'):
                    for part in segments(message.body):
                        if isinstance(part, int):
                            ui.label(f'#{part}').classes('text-primary cursor-pointer underline') \
                                .on('click', lambda conversation_id=part: self.open_conversation(conversation_id)) \
                                .mark(f'chat-link-{part}')
                        else:
                            ui.label(part).classes('whitespace-pre-wrap break-words')
        rows = self.messages.default_slot.children
        if len(rows) > SHOWN:
            rows[0].delete()
        self.scroll.scroll_to(percent=1.0)

    def _mark_read(self, chat: int | None) -> None:
        self.unread.pop(chat, None)
        self._show_unread()

    def _show_unread(self) -> None:
        self.on_unread(sum(self.unread.values()))
        if not self.built:
            return
        for chat, badge in self.unread_badges.items():
            count = self.unread.get(chat, 0)
            badge.set_text(str(count))
            badge.set_visibility(count > 0)

    def _on_presence(self, view: PresenceView) -> None:
        if (dot := self.dots.get(view.agent_id)) is not None:
            dot.props(f'color={COLORS[view.status]} title="{_(LABELS[view.status])}"')
