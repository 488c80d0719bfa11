"""Peer kudos (issue 20): an agent thanks a colleague; the fold gives the colleague a small quality award whose receipt
is the message (services/domain/kudos.py holds the rules)."""
from dataclasses import dataclass

from models import StoredEvent
from services.domain.events import EventKind
from services.domain.floor_calendar import day_bounds
from services.domain.i18n import N_, _, phrase
from services.domain.kudos import KUDOS_POINTS, MAX_MESSAGE, check_kudos, thanks_left
from services.domain.text import checked_text
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService, UnitOfWork
from services.platform.notices import Notice, Notices


@dataclass(frozen=True, kw_only=True, slots=True)
class KudosChoice:
    """Whom the sender can thank today, and how many thanks they have left."""
    colleagues: dict[int, str]  # agent id -> name, the sender's team first, then by name
    left: int


class KudosService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, notices: Notices) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.notices = notices

    async def choice(self, sender: AgentView) -> KudosChoice:
        colleagues = sorted((agent for agent in self.directory.floor() if agent.id != sender.id),
                            key=lambda agent: (agent.team_id != sender.team_id, agent.name.casefold()))
        return KudosChoice(colleagues={agent.id: agent.name for agent in colleagues},
                           left=thanks_left(await self._sent_today(sender.id)))

    async def send(self, sender: AgentView, receiver_id: int, message: str) -> int:
        """Thank a colleague: one event, the award folded from it; returns the points given.

        :raises ActionError: an empty or too long message, oneself, someone not on the floor, past the day's limit
        """
        message = checked_text(message, N_('Message'), MAX_MESSAGE, multiline=True,
                               empty=_('Say what you are thanking them for: they will read it.'))
        receiver = self.directory.agent(receiver_id)
        async with self.game.unit_of_work() as work:
            check_kudos(sender_id=sender.id, receiver_id=receiver_id,
                        receiver_plays=receiver is not None and receiver.role == 'agent',
                        sent_today=await self._sent_today(sender.id, work))
            assert receiver is not None
            await work.record(EventKind.KUDOS_SENT, agent_id=receiver.id,
                              data={'by': sender.id, 'from_name': sender.name, 'message': message,
                                    'points': KUDOS_POINTS})
            notice = Notice(words=phrase(N_('{name} thanked you: “{message}” ({points} quality)'), name=sender.name,
                                         message=message, points=f'{KUDOS_POINTS:+d}'), kind='positive')
            work.after_commit(lambda: self.notices.send(receiver.id, notice))
        return KUDOS_POINTS

    async def _sent_today(self, sender_id: int, work: UnitOfWork | None = None) -> int:
        """Thanks the sender sent since the floor's midnight (as the boards' days), the ones of ``work`` included."""
        midnight = day_bounds(self.clock.now())[0]
        # the sender is inside the JSON data: filtered here, the same on both databases (a day holds few thanks)
        stored = await StoredEvent.filter(kind=EventKind.KUDOS_SENT.value, occurred_at__gte=midnight) \
            .values_list('data', flat=True)
        pending = [event.data for event in work.events if event.kind == EventKind.KUDOS_SENT] if work else []
        return sum(1 for data in [*stored, *pending] if data.get('by') == sender_id)
