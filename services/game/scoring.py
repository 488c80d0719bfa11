"""The scoring values as leads edit them: a table seeded with Freshdesk's defaults, folded by the game projection.

An edit is a ``SCORING_CHANGED`` event carrying the whole policy, so the projection (live and in a replay) scores every
later event by it; points already given stay (history is not rewritten). The table keeps one row per edit, so a receipt
can explain an award with the values in force when its event was scored (:func:`policy_in_force`).
"""
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from nicegui import Event

from models import LedgerEntry, ScoringPolicyRow
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.floor_calendar import day_start, floor_day
from services.domain.i18n import _
from services.domain.scoring import (
    LOW_VALUE_KINDS,
    POLICY_FIELDS,
    AwardKind,
    PolicyError,
    ScoringPolicy,
    check_policy,
    policy_as_dict,
    policy_from_dict,
)
from services.platform.directory import AgentView
from services.platform.event_log import GameService

SEEDED = 0  # the defaults are in force from the start of the log
LOW_VALUE_DAYS_READ = 7  # the days of note and tag points read back at start-up, for late deliveries


class ScoringService:
    def __init__(self, *, game: GameService) -> None:
        self.game = game
        self.changed: Event[ScoringPolicy] = Event()  # after the commit of an edit: open admin tabs show it

    @property
    def policy(self) -> ScoringPolicy:
        return self.game.projection.policy

    async def load(self) -> None:
        """Seed the table with the defaults, and hand the latest values to the projection (before the game loads)."""
        latest = await ScoringPolicyRow.all().order_by('-since_event_id').first()
        if latest is None:
            await ScoringPolicyRow.create(since_event_id=SEEDED, **policy_as_dict(ScoringPolicy()))
            self.game.projection.policy = ScoringPolicy()
        else:
            self.game.projection.policy = policy_from_row(latest)

    async def load_low_value(self) -> None:
        """Give the live fold each agent's points from notes, tags and assists on the last few days, as a replay would
        count them for the daily cap (call after ``GameService.load``, which builds a new projection). A note or tag
        dated further back than :data:`LOW_VALUE_DAYS_READ` (a helpdesk's very late delivery) after a restart counts
        against an empty day."""
        since = day_start(floor_day(self.game.clock.now()) - timedelta(days=LOW_VALUE_DAYS_READ))
        # an untag gives back; assist shares count too (and a declined one gives back)
        kinds = [kind.value for kind in LOW_VALUE_KINDS.values()] + [AwardKind.UNTAG.value, AwardKind.ASSIST.value]
        earned: dict[tuple[int, date], int] = {}
        for agent_id, points, occurred_at in await LedgerEntry.filter(kind__in=kinds, occurred_at__gte=since) \
                .values_list('agent_id', 'points', 'occurred_at'):
            key = (agent_id, floor_day(occurred_at))  # the floor's day, as the fold counts it
            earned[key] = earned.get(key, 0) + points
        self.game.projection.low_value = earned

    async def save(self, actor: AgentView, values: Mapping[str, Any]) -> ScoringPolicy:
        """Put new values in force from now on; out-of-range values are refused with what is allowed."""
        if not actor.is_lead:
            raise ActionError(_('Only a team lead can change the scoring.'))
        try:
            policy = check_policy(values)
        except PolicyError as error:
            raise ActionError(str(error)) from None
        if policy == self.policy:
            raise ActionError(_('These are the values in force already: nothing to save.'))
        previous = self.game.projection.policy
        try:
            async with self.game.unit_of_work() as work:
                event = await work.record(EventKind.SCORING_CHANGED,
                                          data={'policy': policy_as_dict(policy), 'by': actor.id})
                await ScoringPolicyRow.create(since_event_id=event.id, **policy_as_dict(policy))
                work.after_commit(lambda: self.changed.emit(policy))
        except BaseException:
            self.game.projection.policy = previous  # the projection switched when it folded the refused event
            raise
        return policy

    async def reset(self, actor: AgentView) -> ScoringPolicy:
        """Put Freshdesk's defaults back in force (from now on, like any edit)."""
        return await self.save(actor, policy_as_dict(ScoringPolicy()))


async def policy_in_force(event_id: int) -> ScoringPolicy:
    """The values the event with this id was scored by: the latest edit before it (the defaults before any)."""
    row = await ScoringPolicyRow.filter(since_event_id__lt=event_id).order_by('-since_event_id').first()
    return ScoringPolicy() if row is None else policy_from_row(row)


async def initial_policy() -> ScoringPolicy:
    """The scoring values the log began under: the seeded row (on a floor from before a rule, off there: migration
    0010), or today's defaults before the game first ran."""
    row = await ScoringPolicyRow.get_or_none(since_event_id=SEEDED)
    return ScoringPolicy() if row is None else policy_from_row(row)


async def stored_policies() -> list[tuple[int, ScoringPolicy]]:
    """Every stored row, oldest first, as (in force after this event id, values)."""
    rows = await ScoringPolicyRow.all().order_by('since_event_id')
    return [(row.since_event_id, policy_from_row(row)) for row in rows]


def policy_from_row(row: ScoringPolicyRow) -> ScoringPolicy:
    return policy_from_dict({spec.name: getattr(row, spec.name) for spec in POLICY_FIELDS})
