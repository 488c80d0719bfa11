"""Disputes: a lead invalidates an unfair rating; the fold compensates its points with new ledger entries."""
from dataclasses import dataclass
from datetime import datetime

from nicegui import Event

from models import LedgerEntry, StoredEvent
from services.domain.errors import ActionError
from services.domain.events import EventKind, Rating
from services.domain.text import checked_text
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService
from services.platform.notices import Notice, Notices

MAX_REASON = 200
RECENT = 60


@dataclass(frozen=True, kw_only=True, slots=True)
class RatedView:
    """One rating as the disputes list shows it: what it earned or cost, and whether it was invalidated."""
    event_id: int
    conversation_id: int
    agent_id: int
    agent_name: str
    rating: Rating
    comment: str
    rated_at: datetime
    points: int
    invalidated_because: str | None = None  # the lead's reason, once invalidated


class DisputeService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, notices: Notices) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.notices = notices
        self.changed: Event[None] = Event()  # a rating was invalidated

    async def ratings(self, actor: AgentView, *, only: Rating | None = None) -> list[RatedView]:
        """The latest ratings, newest first, with their points and any invalidation."""
        _check_lead(actor)
        latest = await StoredEvent.filter(kind=EventKind.RATED.value, agent_id__isnull=False).order_by('-id') \
            .limit(RECENT * 3)  # the rating is inside the JSON data: filtered here, the same on both databases
        rated = [event for event in latest if only is None or event.data.get('rating') == only.value][:RECENT]
        ids = [event.id for event in rated]
        points: dict[int, int] = {}
        for event_id, value in await LedgerEntry.filter(event_id__in=ids).values_list('event_id', 'points'):
            points[event_id] = points.get(event_id, 0) + value
        reasons = {event.data['rated_event_id']: event.data['reason'] for event in await StoredEvent.filter(
            key__in=[_key(event_id) for event_id in ids])}
        return [RatedView(event_id=event.id, conversation_id=event.conversation_id or 0, agent_id=event.agent_id or 0,
                          agent_name=self._name(event.agent_id), rating=Rating(event.data['rating']),
                          comment=event.data.get('comment', ''), rated_at=event.occurred_at,
                          points=points.get(event.id, 0), invalidated_because=reasons.get(event.id))
                for event in rated]

    async def invalidate(self, actor: AgentView, rated_event_id: int, reason: str) -> int:
        """Invalidate a rating (once): the points it caused are compensated by new entries; returns their sum."""
        _check_lead(actor)
        reason = checked_text(reason, 'reason', MAX_REASON, multiline=True,
                              empty='Say why the rating is unfair: the agent is told.')
        async with self.game.unit_of_work() as work:
            rated = await StoredEvent.get_or_none(id=rated_event_id, kind=EventKind.RATED.value)
            if rated is None or rated.agent_id is None:
                raise ActionError('That rating does not exist.')
            if await StoredEvent.exists(key=_key(rated.id)):
                raise ActionError(f'The rating on #{rated.conversation_id} was already invalidated.')
            entries = await LedgerEntry.filter(event_id=rated.id).order_by('id')
            awards = [{'agent_id': entry.agent_id, 'points': entry.points, 'domain': entry.domain,
                       'kind': entry.kind, 'reason': entry.reason} for entry in entries]
            rating = rated.data['rating']
            await work.record(EventKind.RATING_INVALIDATED, agent_id=rated.agent_id,
                              conversation_id=rated.conversation_id, key=_key(rated.id),
                              data={'rated_event_id': rated.id, 'rating': rating, 'reason': reason, 'by': actor.id,
                                    'awards': awards})
            compensated = -sum(entry.points for entry in entries)
            points = f' {compensated:+d} points compensate it.' if compensated else ''
            notice = Notice(text=f'A lead invalidated the {rating} rating on #{rated.conversation_id}: {reason}.'
                                 f'{points}', kind='positive')
            agent_id = rated.agent_id
            work.after_commit(lambda: (self.notices.send(agent_id, notice), self.changed.emit()))
        return compensated

    def _name(self, agent_id: int | None) -> str:
        agent = self.directory.agent(agent_id) if agent_id is not None else None
        return agent.name if agent else f'#{agent_id}'


def _key(rated_event_id: int) -> str:
    """The idempotency key of a rating's invalidation: the log itself refuses a second one."""
    return f'rating_invalidated:{rated_event_id}'


def _check_lead(actor: AgentView) -> None:
    if not actor.is_lead:
        raise ActionError('Only a lead can invalidate ratings.')
