"""Wellbeing caps as leads set them and agents meet them (issue 20; the rules are services/domain/wellbeing.py).

The settings are ``WELLBEING_CHANGED`` events the game's fold applies, live and on replay; the fold zeroes the points
of work past the daily limit. This service saves the settings, gives the live fold what a replay would have at start
(the settings in force and the recent presence), and, as one step of the scheduler for every tab, suggests a break
once per streak online longer than the lead's setting.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from nicegui import Event

from models import AgentScore, StoredEvent
from services.domain.badges import BadgeDefinition
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import floor_day
from services.domain.i18n import N_, _, ngettext, phrase
from services.domain.wellbeing import WellbeingPolicy, WellbeingTracker, break_cost, break_neutral, check_wellbeing
from services.game.badges import BadgeService
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService
from services.platform.notices import Notice, Notices

PRESENCE_PAGE = 200  # an agent's presence changes read at a time at start: a day's are rarely more


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakRisk:
    """A badge a break can cost its holder: why, and whether counting breaks as time at work fixes it."""
    definition: BadgeDefinition
    reason: str
    fixable: bool


class WellbeingService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, notices: Notices,
                 badges: BadgeService) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.notices = notices
        self.badges = badges
        self.changed: Event[WellbeingPolicy] = Event()  # after the commit of an edit: open admin tabs show it
        self._told: dict[int, datetime] = {}  # agent -> the start of the streak they were told about

    @property
    def policy(self) -> WellbeingPolicy:
        return self.game.projection.wellbeing.policy

    async def load(self) -> None:
        """Give the live fold the settings in force and today's presence, as a replay would have them (call after
        ``GameService.load``, before any event is recorded)."""
        scored = await AgentScore.all().values_list('agent_id', flat=True)
        self.game.projection.wellbeing = await tracker_from_log([*self.directory.agents, *scored])

    async def save(self, actor: AgentView, values: Mapping[str, Any]) -> WellbeingPolicy:
        """Put new settings in force from now on; out-of-range values are refused with what is allowed."""
        if not actor.is_lead:
            raise ActionError(_('Only a team lead can change the wellbeing caps.'))
        policy = check_wellbeing(values)
        if policy == self.policy:
            raise ActionError(_('These are the settings in force already: nothing to save.'))
        async with self.game.unit_of_work() as work:  # a refusal rolls the fold's settings back with it
            await work.record(EventKind.WELLBEING_CHANGED, agent_id=actor.id, data={**policy.as_dict(), 'by': actor.id})
            work.after_commit(lambda: self.changed.emit(policy))
        return policy

    def break_risks(self) -> list[BreakRisk]:
        """The badges in force that a break can cost (breaks never should): the default Worker until a lead fixes it."""
        return [BreakRisk(definition=definition, reason=reason, fixable=break_neutral(definition) is not None)
                for definition in self.badges.definitions if (reason := break_cost(definition)) is not None]

    async def make_break_neutral(self, actor: AgentView, key: str) -> BadgeDefinition:
        """Count breaks as time at work in this badge, from now on (a badge edit: ``BADGES_CHANGED``, replayed)."""
        if not actor.is_lead:
            raise ActionError(_('Only a team lead can change the badges.'))
        definition = self.badges.definition(key)
        fixed = break_neutral(definition) if definition is not None else None
        if fixed is None:
            raise ActionError(_('That badge cannot be fixed so: change or delete it in Badges & levels.'))
        return await self.badges.save(actor, fixed.as_dict())

    async def suggest_breaks(self) -> None:
        """A scheduler step: tell each agent online longer than the setting, once per streak, that a break is due."""
        minutes = self.policy.break_after_minutes
        if not minutes:
            return
        now = self.clock.now()
        tracker = self.game.projection.wellbeing
        for agent_id in list(tracker.agents):
            since = tracker.streak_since(agent_id)
            if since is None or self._told.get(agent_id) == since or now - since < timedelta(minutes=minutes):
                continue
            self._told[agent_id] = since
            words = phrase(N_("You've been at it for {duration} — a short break?"), duration=partial(_span, minutes))
            self.notices.send(agent_id, Notice(words=words, kind='info'))  # worded in the tab's language


async def tracker_from_log(agent_ids: Iterable[int]) -> WellbeingTracker:
    """The tracker a replay of the whole log ends with, from a few reads: the last ``WELLBEING_CHANGED`` event, and for
    each agent the trailing run of their presence changes (in the log's order) that share the day of their last one
    (the fold starts a day's hours afresh at the first change of another day, so earlier changes no longer matter).

    :param agent_ids: whoever may have changed presence: the accounts, and the agents who ever scored
    """
    tracker = WellbeingTracker()
    setting = await StoredEvent.filter(kind=EventKind.WELLBEING_CHANGED.value).order_by('-id').first()
    if setting is not None:
        tracker.apply(_event(setting))
    for agent_id in sorted(set(agent_ids)):
        for event in await _last_day_of_presence(agent_id):
            tracker.apply(event)
    return tracker


async def _last_day_of_presence(agent_id: int) -> list[GameEvent]:
    """The agent's presence changes since the last one of another day than their latest, oldest first (by the
    (agent_id, kind, occurred_at) index: a page or two of their own events, never a scan of the log)."""
    query = StoredEvent.filter(agent_id=agent_id, kind=EventKind.PRESENCE_CHANGED.value).order_by('-id')
    newest_first: list[GameEvent] = []
    offset = 0
    while True:
        rows = await query.offset(offset).limit(PRESENCE_PAGE)
        for row in rows:
            if newest_first and floor_day(row.occurred_at) != floor_day(newest_first[0].occurred_at):
                return newest_first[::-1]
            newest_first.append(_event(row))
        if len(rows) < PRESENCE_PAGE:
            return newest_first[::-1]
        offset += PRESENCE_PAGE


def _event(row: StoredEvent) -> GameEvent:
    return GameEvent(id=row.id, key=row.key, kind=EventKind(row.kind), occurred_at=row.occurred_at,
                     agent_id=row.agent_id, conversation_id=row.conversation_id, data=row.data)


def _span(minutes: int) -> str:
    """'2 hours', '90 minutes': the streak in the reader's language."""
    if minutes % 60 == 0:
        return ngettext('{count} hour', '{count} hours', minutes // 60).format(count=minutes // 60)
    return ngettext('{count} minute', '{count} minutes', minutes).format(count=minutes)
