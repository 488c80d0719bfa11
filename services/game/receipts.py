"""Score receipts: the ledger entry, the badge holding or the level-up a person asks about, and the events behind it,
told in words by services/domain/receipts.py.

A badge's figures come from a :class:`BadgeBoard`'s own evaluation (the live one, or one fed the log of the window it
was won in), and a level's from the level-ups the projection stored with their event and metrics
(services/platform/level_history.py).
"""
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from models import BadgeHolding, LedgerEntry, LevelReached, StoredEvent
from services.domain.badges import (
    FIRST_BADGES,
    Aggregation,
    BadgeBoard,
    BadgeDefinition,
    BadgeKind,
    lucky_draw,
    window_bounds,
    window_days,
)
from services.domain.business_hours import WorkingCalendar
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.floor_calendar import day_start
from services.domain.i18n import _
from services.domain.levels import level_info, progress_to_next
from services.domain.projection import AgentMetrics
from services.domain.receipts import (
    BadgeReceipt,
    EventLine,
    LevelReceipt,
    ReceiptDetail,
    badge_rule,
    badge_standing,
    condition_checks,
    describe,
    evidence_text,
    facts,
    gained_text,
    level_steps,
    lucky_standing,
    telling_facts,
    window_text,
)
from services.domain.wording import points as points_text
from services.domain.wording import weekday_date
from services.game.badges import BadgeService, badges_from_data, stored_events
from services.game.scoring import policy_in_force
from services.game.working_hours import calendars_before
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService
from services.platform.level_history import from_row

HISTORY_SHOWN = 15  # the conversation's latest events up to the one that scored


class ReceiptService:
    def __init__(self, *, directory: Directory, game: GameService, badges: BadgeService) -> None:
        self.directory = directory
        self.game = game
        self.badges = badges

    async def explain(self, viewer: AgentView, *, event_id: int, agent_id: int, kind: str) -> ReceiptDetail:
        """The receipt of ``agent_id``'s award of ``kind`` for event ``event_id``: their own, or any for a lead."""
        if agent_id != viewer.id and not viewer.is_lead:
            raise ActionError(_('Only your own receipts can be opened.'))
        return await self.detail(event_id=event_id, agent_id=agent_id, kind=kind)

    async def detail(self, *, event_id: int, agent_id: int, kind: str) -> ReceiptDetail:
        """The receipt itself, for whoever may read every ledger (a lead, or an API token; see :meth:`explain`)."""
        entry = await LedgerEntry.filter(event_id=event_id, agent_id=agent_id, kind=kind).order_by('id').first()
        event = await StoredEvent.get_or_none(id=event_id)
        if entry is None or event is None:
            raise ActionError(_('This receipt no longer exists.'))
        history = [event]
        if event.conversation_id is not None:
            history = list(reversed(await StoredEvent.filter(conversation_id=event.conversation_id, id__lte=event.id)
                                    .order_by('-id').limit(HISTORY_SHOWN)))
        return ReceiptDetail(
            title=f'{entry.points:+d} {entry.reason}', domain=entry.domain, points=entry.points, reason=entry.reason,
            kind=entry.kind,
            facts=facts(entry.kind, event.kind, event.data, event.occurred_at,
                        policy=await policy_in_force(event.id),  # the values in force then, not today's
                        calendar=await _calendar_in_force(event)),
            events=[EventLine(at=line.occurred_at, scored=line.id == event.id, conversation_id=line.conversation_id,
                              text=describe(line.kind, line.data, self._name(line.agent_id))) for line in history])

    async def explain_badge(self, viewer: AgentView, *, agent_id: int, badge_key: str,
                            holding_id: int | None = None) -> BadgeReceipt:
        """Why ``agent_id`` holds ``badge_key`` (the stretch ``holding_id``, else the current or latest one).

        A stretch still held is judged as the live board stands now; one that ended, as a board fed the log of its
        window stood when it was gained. Teasing badges: only for their holder and leads, unless the team opted in.
        """
        holding = await self._holding(agent_id, badge_key, holding_id)
        current = self.badges.definition(badge_key)
        if holding is None or current is None:
            raise ActionError(_('This badge receipt no longer exists.'))
        live = self.badges.tracker.board
        still_held = holding.lost_at is None and agent_id in live.current.get(badge_key, ())
        # the definition the figures were worked out with: the live board's, or the one in force when it was won
        definition = next(d for d in live.definitions if d.key == badge_key) if still_held else \
            await definition_at(badge_key, holding.gained_at) or current
        if not all(self.badges.visible(d, agent_id, viewer) for d in (current, definition)):
            raise ActionError(_('This badge is only shown to its holder and the leads.'))
        holder = None if viewer.id == agent_id else self._name(agent_id)  # None: "you", on one's own receipt
        if still_held:
            board, at = live, live.evaluated_at or self.game.clock.now()
        else:
            at = holding.gained_at
            board = await board_at(definition, at, seed=self.badges.tracker.seed)
        if definition.kind == BadgeKind.RANDOM:
            standing, events, total = await self._lucky_days(definition, agent_id, at, holder=holder)
        else:
            result = board.evaluate(at, [definition.key])[definition.key]
            standing = badge_standing(definition, result, agent_id, holder=holder, name=self._name,
                                      show_names=not definition.teasing)
            events, total = await self._evidence(definition, agent_id, at, result.values.get(agent_id))
        return BadgeReceipt(badge_key=definition.key, name=definition.shown_name,
                            description=definition.shown_description,
                            image=definition.image, holder=self._name(agent_id), rule=badge_rule(definition),
                            window=window_text(definition.window, at), standing=standing,
                            gained=gained_text(holding.gained_at, holding.lost_at),
                            events=events, events_total=total)

    async def explain_levels(self, viewer: AgentView, *, agent_id: int) -> LevelReceipt:
        """The levels ``agent_id`` reached, each with its condition, the metrics then and the event that tipped it."""
        if agent_id != viewer.id and not viewer.is_lead:
            raise ActionError(_('Only your own receipts can be opened.'))
        projection = self.game.projection
        metrics = projection.agents.get(agent_id) or AgentMetrics(agent_id=agent_id)
        reached = [from_row(row) for row in await LevelReached.filter(agent_id=agent_id).order_by('level')]
        steps = level_steps(reached, level=metrics.level, levels=projection.levels)
        tipping = {r.level: r.event_id for r in reached}
        events = {event.id: event for event in await StoredEvent.filter(id__in=set(tipping.values()))}
        points: dict[int, int] = {}
        for event_id, value in await LedgerEntry.filter(event_id__in=set(tipping.values()), agent_id=agent_id) \
                .values_list('event_id', 'points'):
            points[event_id] = points.get(event_id, 0) + value
        steps = [replace(step, event=self._tipping_line(events.get(tipping.get(step.number, 0)), points))
                 for step in steps]
        level = level_info(metrics.level, levels=projection.levels)
        following, _progress = progress_to_next(metrics.level, metrics.as_dict(), levels=projection.levels)
        return LevelReceipt(agent=self._name(agent_id), level=level.number, title=level.shown_title, steps=steps,
                            next_title=following.shown_title if following else None,
                            next_checks=condition_checks(following.compiled, metrics.as_dict()) if following else [])

    def _tipping_line(self, event: StoredEvent | None, points: Mapping[int, int]) -> EventLine | None:
        if event is None:
            return None
        text = describe(event.kind, event.data, self._name(event.agent_id))
        if points.get(event.id):
            text = _('{event} ({points})').format(event=text, points=points_text(points[event.id], signed=True))
        return EventLine(at=event.occurred_at, scored=True, conversation_id=event.conversation_id, text=text)

    async def _holding(self, agent_id: int, badge_key: str, holding_id: int | None) -> BadgeHolding | None:
        query = BadgeHolding.filter(agent_id=agent_id, badge_key=badge_key)
        if holding_id is not None:
            return await query.filter(id=holding_id).first()
        return await query.filter(lost_at=None).order_by('-id').first() or await query.order_by('-id').first()

    async def _evidence(self, definition: BadgeDefinition, agent_id: int, at: datetime,
                        figure: float | None) -> tuple[list[EventLine], int]:
        """The holder's events the badge's metric counted in the window up to ``at``, the most telling first."""
        assert definition.metric is not None
        start, end = window_bounds(definition.window, at)
        events = await stored_events(StoredEvent.filter(
            agent_id=agent_id, kind=definition.metric.kind.value, occurred_at__gte=start, occurred_at__lt=end)
            .filter(occurred_at__lte=at))
        counted = [(event, value) for event in events if (value := definition.metric.fact(event)) is not None]
        extreme = definition.aggregation in (Aggregation.MAX, Aggregation.MIN)
        name = self._name(agent_id)
        lines = []
        for event, value in telling_facts(definition, counted):
            lines.append(EventLine(at=event.occurred_at, text=evidence_text(definition, event, value, name),
                                   conversation_id=event.conversation_id, scored=extreme and value == figure))
        return lines, len(counted)

    async def _lucky_days(self, definition: BadgeDefinition, agent_id: int, at: datetime, *,
                          holder: str | None) -> tuple[list[str], list[EventLine], int]:
        """A lucky draw's days: those of the window the agent was active and drawn, with the event that made them
        active that day."""
        lines = []
        for day in window_days(definition.window, at):
            if lucky_draw(self.badges.tracker.seed, day, agent_id) >= definition.rarity:
                continue
            start = day_start(day)
            first = await StoredEvent.filter(agent_id=agent_id, occurred_at__gte=start,
                                             occurred_at__lt=min(day_start(day + timedelta(days=1)),
                                                                 at + timedelta.resolution))\
                .order_by('id').first()
            if first is not None:
                lines.append(EventLine(at=first.occurred_at, scored=True, conversation_id=first.conversation_id,
                                       text=_('{event}: active on {day}, and drawn').format(
                                           event=describe(first.kind, first.data, self._name(agent_id)),
                                           day=weekday_date(day))))
        return lucky_standing(holder, [line.at for line in lines]), lines, len(lines)

    def _name(self, agent_id: int | None) -> str:
        agent = self.directory.agent(agent_id) if agent_id is not None else None
        return agent.name if agent else ''


async def definition_at(badge_key: str, at: datetime) -> BadgeDefinition | None:
    """The badge as it was defined at ``at``: from the last edit before then, else as a log starts (FIRST_BADGES)."""
    edit = await StoredEvent.filter(kind=EventKind.BADGES_CHANGED.value, occurred_at__lte=at).order_by('-id').first()
    definitions = badges_from_data(edit.data) if edit is not None else FIRST_BADGES
    return next((d for d in definitions if d.key == badge_key), None)


async def board_at(definition: BadgeDefinition, at: datetime, *, seed: int) -> BadgeBoard:
    """A board of one badge fed the log of its window at ``at``: how it stood then, by the board's own arithmetic."""
    board = BadgeBoard([definition], seed=seed)
    if definition.metric is not None:
        start, _end = window_bounds(definition.window, at)
        board.feed_all(await stored_events(StoredEvent.filter(kind=definition.metric.kind.value,
                                                              occurred_at__gte=start, occurred_at__lte=at)))
    return board


async def _calendar_in_force(event: StoredEvent) -> WorkingCalendar | None:
    """The working hours that timed a resolution: its team's in force when it was scored (None: 24/7)."""
    team_id = event.data.get('team_id') if event.kind == EventKind.RESOLVED.value else None
    return (await calendars_before(event.id)).get(team_id) if team_id is not None else None
