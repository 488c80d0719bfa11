"""Disputes: an agent disputes a rating of their own (issue 15) or a lead finds one unfair; a lead invalidates it (the
fold compensates its points with new ledger entries) or turns the dispute down, and the agent is told."""
from dataclasses import dataclass
from datetime import datetime

from nicegui import Event

from models import LedgerEntry, StoredEvent
from services.domain.errors import ActionError
from services.domain.events import EventKind, Rating
from services.domain.i18n import N_, Nn_, _, phrase
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
    disputed_because: str | None = None  # the agent's reason, once they disputed it
    rejected_because: str | None = None  # the lead's reason, once they turned the dispute down


@dataclass(frozen=True, kw_only=True, slots=True)
class DisputeState:
    """Where an agent's dispute of one rating stands, as their own ratings list shows it."""
    reason: str  # the agent's
    outcome: str  # 'pending' | 'upheld' (the rating was invalidated) | 'rejected'
    answer: str = ''  # the lead's reason, once decided


# the agent's notices, one whole sentence per rating (a translator agrees the adjective with 'rating')
TURNED_DOWN = {
    'good': N_('A lead turned down your dispute of the good rating on #{ticket}: {reason}. The rating stands.'),
    'neutral': N_('A lead turned down your dispute of the neutral rating on #{ticket}: {reason}. The rating stands.'),
    'bad': N_('A lead turned down your dispute of the bad rating on #{ticket}: {reason}. The rating stands.')}
INVALIDATED = {'good': N_('A lead invalidated the good rating on #{ticket}: {reason}.'),
               'neutral': N_('A lead invalidated the neutral rating on #{ticket}: {reason}.'),
               'bad': N_('A lead invalidated the bad rating on #{ticket}: {reason}.')}

class DisputeService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, notices: Notices) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.notices = notices
        self.changed: Event[None] = Event()  # a rating was invalidated

    async def ratings(self, actor: AgentView, *, only: Rating | None = None,
                      disputed: bool = False) -> list[RatedView]:
        """The latest ratings, newest first, with their points, any dispute and any invalidation; ``disputed``: only
        the ratings agents disputed and no lead decided yet, oldest dispute first."""
        _check_lead(actor)
        if disputed:
            disputes = await StoredEvent.filter(kind=EventKind.RATING_DISPUTED.value).order_by('-id').limit(RECENT * 3)
            rated_ids = [event.data['rated_event_id'] for event in disputes]
            decided = set(await StoredEvent.filter(key__in=[_key(i) for i in rated_ids] + [
                _rejected_key(i) for i in rated_ids]).values_list('key', flat=True))
            open_ids = [i for i in reversed(rated_ids) if _key(i) not in decided and _rejected_key(i) not in decided]
            by_id = {event.id: event for event in await StoredEvent.filter(id__in=open_ids)}
            rated = [by_id[i] for i in open_ids[:RECENT] if i in by_id]
        else:
            latest = await StoredEvent.filter(kind=EventKind.RATED.value, agent_id__isnull=False).order_by('-id') \
                .limit(RECENT * 3)  # the rating is inside the JSON data: filtered here, the same on both databases
            rated = [event for event in latest if only is None or event.data.get('rating') == only.value][:RECENT]
        ids = [event.id for event in rated]
        points: dict[int, int] = {}
        for event_id, value in await LedgerEntry.filter(event_id__in=ids).values_list('event_id', 'points'):
            points[event_id] = points.get(event_id, 0) + value
        answers = await _answers(ids)
        return [RatedView(event_id=event.id, conversation_id=event.conversation_id or 0, agent_id=event.agent_id or 0,
                          agent_name=self._name(event.agent_id), rating=Rating(event.data['rating']),
                          comment=event.data.get('comment', ''), rated_at=event.occurred_at,
                          points=points.get(event.id, 0),
                          invalidated_because=answers.get(_key(event.id)),
                          disputed_because=answers.get(_disputed_key(event.id)),
                          rejected_because=answers.get(_rejected_key(event.id)))
                for event in rated]

    async def disputes_of(self, actor: AgentView, rated_event_ids: list[int]) -> dict[int, DisputeState]:
        """The actor's own disputes of these ratings and their outcome, by the rating's event id."""
        answers = await _answers(rated_event_ids, agent_id=actor.id)
        states: dict[int, DisputeState] = {}
        for rated_id in rated_event_ids:
            if (reason := answers.get(_disputed_key(rated_id))) is None:
                continue
            if (answer := answers.get(_key(rated_id))) is not None:
                states[rated_id] = DisputeState(reason=reason, outcome='upheld', answer=answer)
            elif (answer := answers.get(_rejected_key(rated_id))) is not None:
                states[rated_id] = DisputeState(reason=reason, outcome='rejected', answer=answer)
            else:
                states[rated_id] = DisputeState(reason=reason, outcome='pending')
        return states

    async def dispute(self, actor: AgentView, rated_event_id: int, reason: str) -> None:
        """An agent disputes a rating of their own conversation (once): a lead then decides in the disputes tab."""
        reason = checked_text(reason, N_('Reason'), MAX_REASON, multiline=True,
                              empty=_('Say why the rating is unfair: a lead reads it before deciding.'))
        async with self.game.unit_of_work() as work:
            rated = await StoredEvent.get_or_none(id=rated_event_id, kind=EventKind.RATED.value)
            if rated is None or rated.agent_id is None:
                raise ActionError(_('That rating does not exist.'))
            if rated.agent_id != actor.id:
                raise ActionError(_('You can only dispute ratings of your own conversations.'))
            if await StoredEvent.exists(key=_disputed_key(rated.id)):
                raise ActionError(
                    _('You already disputed the rating on #{ticket}.')
                    .format(ticket=rated.conversation_id))
            if await StoredEvent.exists(key=_key(rated.id)):
                raise ActionError(
                    _('The rating on #{ticket} was already invalidated.')
                    .format(ticket=rated.conversation_id))
            await work.record(EventKind.RATING_DISPUTED, agent_id=actor.id, conversation_id=rated.conversation_id,
                              key=_disputed_key(rated.id),
                              data={'rated_event_id': rated.id, 'rating': rated.data['rating'], 'reason': reason,
                                    'by': actor.id})
            work.after_commit(self.changed.emit)

    async def reject(self, actor: AgentView, rated_event_id: int, reason: str) -> None:
        """A lead turns an agent's dispute down (once, and only while the rating stands); the agent is told why."""
        _check_lead(actor, N_('Only a lead can decide disputes.'))
        reason = checked_text(reason, N_('Reason'), MAX_REASON, multiline=True,
                              empty=_('Say why the rating stands: the agent is told.'))
        async with self.game.unit_of_work() as work:
            disputed = await StoredEvent.get_or_none(key=_disputed_key(rated_event_id))
            if disputed is None or disputed.agent_id is None:
                raise ActionError(_('No agent disputed that rating.'))
            if await StoredEvent.exists(key=_key(rated_event_id)):
                raise ActionError(
                    _('The rating on #{ticket} was already invalidated.')
                    .format(ticket=disputed.conversation_id))
            if await StoredEvent.exists(key=_rejected_key(rated_event_id)):
                raise ActionError(
                    _('The dispute on #{ticket} was already turned down.')
                    .format(ticket=disputed.conversation_id))
            rating = disputed.data['rating']
            await work.record(EventKind.DISPUTE_REJECTED, agent_id=disputed.agent_id,
                              conversation_id=disputed.conversation_id, key=_rejected_key(rated_event_id),
                              data={'rated_event_id': rated_event_id, 'rating': rating, 'reason': reason,
                                    'by': actor.id})
            notice = Notice(words=phrase(TURNED_DOWN.get(rating, TURNED_DOWN['bad']), ticket=disputed.conversation_id,
                                         reason=reason), kind='warning')
            agent_id = disputed.agent_id
            work.after_commit(lambda: (self.notices.send(agent_id, notice), self.changed.emit()))

    async def invalidate(self, actor: AgentView, rated_event_id: int, reason: str) -> int:
        """Invalidate a rating (once): the points it caused are compensated by new entries; returns their sum."""
        _check_lead(actor)
        reason = checked_text(reason, N_('Reason'), MAX_REASON, multiline=True,
                              empty=_('Say why the rating is unfair: the agent is told.'))
        async with self.game.unit_of_work() as work:
            rated = await StoredEvent.get_or_none(id=rated_event_id, kind=EventKind.RATED.value)
            if rated is None or rated.agent_id is None:
                raise ActionError(_('That rating does not exist.'))
            if await StoredEvent.exists(key=_key(rated.id)):
                raise ActionError(
                    _('The rating on #{ticket} was already invalidated.')
                    .format(ticket=rated.conversation_id))
            if await StoredEvent.exists(key=_rejected_key(rated.id)):
                raise ActionError(
                    _('The dispute on #{ticket} was already turned down.')
                    .format(ticket=rated.conversation_id))
            entries = await LedgerEntry.filter(event_id=rated.id).order_by('id')
            awards = [{'agent_id': entry.agent_id, 'points': entry.points, 'domain': entry.domain,
                       'kind': entry.kind, 'reason': entry.reason} for entry in entries]
            rating = rated.data['rating']
            await work.record(EventKind.RATING_INVALIDATED, agent_id=rated.agent_id,
                              conversation_id=rated.conversation_id, key=_key(rated.id),
                              data={'rated_event_id': rated.id, 'rating': rating, 'reason': reason, 'by': actor.id,
                                    'awards': awards})
            compensated = -sum(entry.points for entry in entries)
            invalidated = phrase(INVALIDATED.get(rating, INVALIDATED['bad']), ticket=rated.conversation_id,
                                 reason=reason)
            compensation = phrase(*Nn_('{points} point compensates it.', '{points} points compensate it.'),
                                  abs(compensated), points=f'{compensated:+d}')
            notice = Notice(words=phrase(N_('{invalidated} {compensation}'), invalidated=invalidated,
                                         compensation=compensation) if compensated else invalidated, kind='positive')
            agent_id = rated.agent_id
            work.after_commit(lambda: (self.notices.send(agent_id, notice), self.changed.emit()))
        return compensated

    def _name(self, agent_id: int | None) -> str:
        agent = self.directory.agent(agent_id) if agent_id is not None else None
        return agent.name if agent else f'#{agent_id}'


def _key(rated_event_id: int) -> str:
    """The idempotency key of a rating's invalidation: the log itself refuses a second one."""
    return f'rating_invalidated:{rated_event_id}'


def _disputed_key(rated_event_id: int) -> str:
    """The key of an agent's dispute of a rating: the log itself refuses a second one."""
    return f'rating_disputed:{rated_event_id}'


def _rejected_key(rated_event_id: int) -> str:
    """The key of a lead turning a dispute down: once per rating."""
    return f'dispute_rejected:{rated_event_id}'


async def _answers(rated_event_ids: list[int], *, agent_id: int | None = None) -> dict[str, str]:
    """The reasons of the disputes, invalidations and rejections of these ratings, by their event's key."""
    keys = [make(i) for i in rated_event_ids for make in (_key, _disputed_key, _rejected_key)]
    events = StoredEvent.filter(key__in=keys)
    if agent_id is not None:
        events = events.filter(agent_id=agent_id)
    return {key: data.get('reason', '') for key, data in await events.values_list('key', 'data')}


def _check_lead(actor: AgentView, message: str = N_('Only a lead can invalidate ratings.')) -> None:
    if not actor.is_lead:
        raise ActionError(_(message))  # an N_()-marked sentence, in the actor's language
