"""An agent's own ratings: what customers said about the conversations they resolved, read from the event log."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from models import Conversation, StoredEvent
from services.domain.events import EventKind, Rating
from services.platform.clock import Clock

RECENT = 30
PERIOD = timedelta(days=7)


@dataclass(frozen=True, kw_only=True, slots=True)
class RatedConversation:
    event_id: int  # the rating's event, which a dispute names
    conversation_id: int
    subject: str
    rating: Rating
    comment: str
    rated_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class MyRatings:
    counts: dict[Rating, int]  # over the last 7 days
    recent: list[RatedConversation]


class RatingsService:
    def __init__(self, *, clock: Clock) -> None:
        self.clock = clock

    async def of(self, agent_id: int) -> MyRatings:
        """The agent's counts of good, neutral and bad ratings over 7 days and their latest rated conversations."""
        rated = StoredEvent.filter(kind=EventKind.RATED.value, agent_id=agent_id)
        week = await rated.filter(occurred_at__gte=self.clock.now() - PERIOD).values_list('data', flat=True)
        counts = Counter(data['rating'] for data in week)
        latest = await rated.order_by('-occurred_at', '-id').limit(RECENT)  # along the index
        subjects = dict(await Conversation.filter(id__in={event.conversation_id for event in latest})
                        .values_list('id', 'subject'))
        return MyRatings(
            counts={rating: counts.get(rating.value, 0) for rating in Rating},
            recent=[RatedConversation(event_id=event.id, conversation_id=event.conversation_id, subject=subjects.get(
                event.conversation_id, ''), rating=Rating(event.data['rating']), comment=event.data.get('comment', ''),
                rated_at=event.occurred_at) for event in latest])

    async def floor_since(self, since: datetime) -> tuple[int, int]:
        """The floor's good ratings and all ratings since ``since`` (the wall's CSAT today), a rating a lead
        invalidated left out."""
        rated = await StoredEvent.filter(kind=EventKind.RATED.value, occurred_at__gte=since).values_list('id', 'data')
        invalidated = {data.get('rated_event_id') for data in await StoredEvent.filter(
            kind=EventKind.RATING_INVALIDATED.value, occurred_at__gte=since).values_list('data', flat=True)}
        kept = [data['rating'] for event_id, data in rated if event_id not in invalidated]
        return sum(1 for rating in kept if rating == Rating.GOOD.value), len(kept)
