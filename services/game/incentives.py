"""Incentives as leads manage them: stored, and recorded as events the game's fold applies (live and on replay)."""
from dataclasses import replace

from nicegui import Event
from tortoise.expressions import Q

from models import Incentive as StoredIncentive
from models import StoredEvent
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import clock_hour
from services.domain.i18n import N_, _
from services.domain.incentives import MAX_NAME, Incentive, IncentiveBook, normalise_time, problems_with
from services.domain.text import checked_text
from services.platform.clock import Clock
from services.platform.directory import AgentView
from services.platform.event_log import GameService

INCENTIVE_KINDS = [EventKind.INCENTIVE_SAVED.value, EventKind.INCENTIVE_DELETED.value]


class IncentiveService:
    def __init__(self, *, clock: Clock, game: GameService) -> None:
        self.clock = clock
        self.game = game
        self.changed: Event[None] = Event()  # an incentive was saved or deleted

    async def load(self) -> None:
        """Give the live fold the incentives in force and this hour's bonus counts, folded from the log as a replay
        would (call after ``GameService.load``, before any event is recorded)."""
        self.game.projection.incentives = await book_from_log()

    def in_force(self) -> list[Incentive]:
        """Every incentive saved and not deleted (past, running and future ones), by first day."""
        return sorted(self.game.projection.incentives.incentives.values(),
                      key=lambda incentive: (incentive.starts_on, incentive.from_time, incentive.id))

    def running(self) -> list[Incentive]:
        """The incentives whose days and hours include now (what an agent's store page announces)."""
        now = self.clock.now()
        return [incentive for incentive in self.in_force() if incentive.covers(now)]

    async def save(self, actor: AgentView, incentive: Incentive) -> Incentive:
        """Create (``id`` 0) or edit an incentive; it applies to resolutions from now on."""
        _check_lead(actor)
        incentive = replace(incentive, name=checked_text(incentive.name, N_('Name'), MAX_NAME, name=True),
                            from_time=normalise_time(incentive.from_time),
                            until_time=normalise_time(incentive.until_time))
        if problems := problems_with(incentive):
            raise ActionError(' '.join(problems))
        values = dict(name=incentive.name, kind=incentive.kind.value, channel=incentive.channel,
                      starts_on=incentive.starts_on, ends_on=incentive.ends_on, from_time=incentive.from_time,
                      until_time=incentive.until_time, multiplier=incentive.multiplier,
                      bonus_points=incentive.bonus_points, beyond_per_hour=incentive.beyond_per_hour,
                      updated_by_id=actor.id, updated_at=self.clock.now())
        async with self.game.unit_of_work() as work:
            if incentive.id == 0:
                row = await StoredIncentive.create(**values)
            else:
                found = await StoredIncentive.get_or_none(id=incentive.id)
                if found is None:
                    raise ActionError(_('That incentive no longer exists.'))
                row = found
                row.update_from_dict(values)
                await row.save()
            saved = replace(incentive, id=row.id)
            await work.record(EventKind.INCENTIVE_SAVED, agent_id=actor.id, data=saved.as_data() | {'by': actor.id})
            work.after_commit(self.changed.emit)
        return saved

    async def delete(self, actor: AgentView, incentive_id: int) -> None:
        """End an incentive: it applies to nothing from now on; the points it gave stay."""
        _check_lead(actor)
        async with self.game.unit_of_work() as work:
            row = await StoredIncentive.get_or_none(id=incentive_id)
            if row is None:
                raise ActionError(_('That incentive no longer exists.'))
            await row.delete()
            await work.record(EventKind.INCENTIVE_DELETED, agent_id=actor.id,
                              data={'incentive_id': incentive_id, 'name': row.name, 'by': actor.id})
            work.after_commit(self.changed.emit)


async def book_from_log() -> IncentiveBook:
    """The incentives in force at the end of the log, and the bonus counts of the last event's hour.

    Reads the incentive events and the resolutions of that last hour only: counts of earlier hours never matter again,
    because the clock only moves forward.
    """
    book = IncentiveBook()
    last = await StoredEvent.all().order_by('-id').first()
    if last is None or not await StoredEvent.filter(kind__in=INCENTIVE_KINDS).exists():
        return book
    hour = clock_hour(last.occurred_at)
    wanted = Q(kind__in=INCENTIVE_KINDS) | Q(kind=EventKind.RESOLVED.value, occurred_at__gte=hour)
    for row in await StoredEvent.filter(wanted).order_by('id'):
        event = GameEvent(id=row.id, key=row.key, kind=EventKind(row.kind), occurred_at=row.occurred_at,
                          agent_id=row.agent_id, conversation_id=row.conversation_id, data=row.data)
        if event.kind == EventKind.RESOLVED:
            book.awards_for(event, [])  # counts the resolution towards this hour's bonuses
        else:
            book.change(event)
    return book


def _check_lead(actor: AgentView) -> None:
    if not actor.is_lead:
        raise ActionError(_('Only a lead can set incentives.'))
