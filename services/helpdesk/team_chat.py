"""The agents' internal chat: one room for the whole floor and direct messages between two agents, live.

``#123`` in a message refers to conversation 123; the references are recorded with the message and drawn as links.
"""
import re
from dataclasses import dataclass
from datetime import datetime

from nicegui import Event
from tortoise.expressions import Q

from models import ChatMessage
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import N_, _
from services.domain.text import checked_text
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService

MAX_MESSAGE = 2_000
HISTORY = 50  # messages a chat shows when it is opened
REFERENCE_PATTERN = re.compile(r'(?<![\w#&])#(\d{1,9})\b')


@dataclass(frozen=True, kw_only=True, slots=True)
class ChatMessageView:
    id: int
    author_id: int
    author_name: str
    to_agent_id: int | None  # None: the team room
    body: str
    created_at: datetime

    def is_in(self, agent_id: int, partner_id: int | None) -> bool:
        """Whether ``agent_id`` sees this message in the chat with ``partner_id`` (None: the team room)."""
        if partner_id is None:
            return self.to_agent_id is None
        return {self.author_id, self.to_agent_id} == {agent_id, partner_id}

    def concerns(self, agent_id: int) -> bool:
        """Whether ``agent_id`` may see the message at all: the room's are everybody's, a direct message its pair's."""
        return self.to_agent_id is None or agent_id in (self.author_id, self.to_agent_id)


class TeamChatService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.posted: Event[ChatMessageView] = Event()  # a message was sent (after the commit); tabs filter their own

    async def send(self, actor: AgentView, text: str, *, to_agent_id: int | None = None) -> ChatMessageView:
        text = checked_text(text, N_('Message'), MAX_MESSAGE, multiline=True, empty=_('The message is empty.'))
        if to_agent_id is not None:
            if to_agent_id == actor.id:
                raise ActionError(_('A direct message goes to someone else.'))
            if self.directory.agent(to_agent_id) is None:
                raise ActionError(_('That agent is not on the floor any more.'))
        async with self.game.unit_of_work() as work:
            message = await ChatMessage.create(author_id=actor.id, to_agent_id=to_agent_id, body=text,
                                               created_at=self.clock.now())
            await work.record(EventKind.CHAT_MESSAGE, agent_id=actor.id,
                              data={'length': len(text), 'to_agent_id': to_agent_id, 'references': references(text)})
            view = self._view(message)
            work.after_commit(lambda: self.posted.emit(view))
        return view

    async def history(self, agent_id: int, partner_id: int | None, *, limit: int = HISTORY) -> list[ChatMessageView]:
        """The latest messages of the team room (``partner_id`` None) or of the direct chat with ``partner_id``,
        oldest first."""
        if partner_id is None:
            query = ChatMessage.filter(to_agent_id__isnull=True)
        else:
            query = ChatMessage.filter(Q(author_id=agent_id, to_agent_id=partner_id) |
                                       Q(author_id=partner_id, to_agent_id=agent_id))
        return [self._view(message) for message in reversed(await query.order_by('-id').limit(limit))]

    def _view(self, message: ChatMessage) -> ChatMessageView:
        author = self.directory.agent(message.author_id)
        return ChatMessageView(id=message.id, author_id=message.author_id, to_agent_id=message.to_agent_id,
                               author_name=author.name if author else 'someone', body=message.body,
                               created_at=message.created_at)


async def answers_naming(conversation_id: int, *, to_agent_id: int, since: datetime) -> set[int]:
    """Who wrote to ``to_agent_id`` directly, naming the conversation (``#123``), since ``since``: one query, bounded
    by the recipient, the time and the mention (LIKE finds ``#123`` in ``#1234`` too; the pattern keeps the exact ones)
    (services/helpdesk/inbox.py: a team-chat answer is an assist)."""
    rows = await ChatMessage.filter(to_agent_id=to_agent_id, created_at__gte=since,
                                    body__contains=f'#{conversation_id}').values_list('author_id', 'body')
    return {author_id for author_id, body in rows if conversation_id in references(body)}


def references(text: str) -> list[int]:
    """The conversations a message refers to with ``#123``, in order, each once."""
    return list(dict.fromkeys(int(number) for number in REFERENCE_PATTERN.findall(text)))


def segments(text: str) -> list[str | int]:
    """The message cut into plain text and ticket references (ints), to draw the references as links."""
    parts: list[str | int] = []
    position = 0
    for match in REFERENCE_PATTERN.finditer(text):
        if match.start() > position:
            parts.append(text[position:match.start()])
        parts.append(int(match.group(1)))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return parts
