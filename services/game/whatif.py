"""What-if as a service (issue 18): the live rules read back as one document, and a preview of a draft over the log.

A preview reads the log into memory (a snapshot: events recorded while it runs are not in it) and folds it in a worker
thread, so the event loop keeps serving every tab; it writes nothing, anywhere. The fold is the pure
:func:`services.domain.whatif.what_if`, the projection ``rebuild`` and the live game run.
"""
import asyncio
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from models import Agent, BadgeDefinitionRow, LevelRow, QuestRow, StoredEvent
from models import Incentive as StoredIncentive
from services.domain.badges import DEFAULT_BADGES
from services.domain.business_hours import WorkingCalendar
from services.domain.errors import ActionError
from services.domain.events import GameEvent
from services.domain.i18n import _, ngettext
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.levels import DEFAULT_LEVELS, levels_from_dicts
from services.domain.scoring import ScoringPolicy, policy_as_dict
from services.domain.whatif import Cancelled, FloorAgent, RuleSet, WhatIf, period_start, what_if
from services.game.badges import BADGE_SEED, BadgeService, definition_from_row
from services.game.incentives import IncentiveService
from services.game.levels import LevelService
from services.game.quests import QuestService, stored_definitions
from services.game.scoring import ScoringService, initial_policy, stored_policies
from services.game.working_hours import WorkingHoursService, calendars_before
from services.platform.clock import Clock
from services.platform.directory import AgentView
from services.platform.event_log import GameService, iterate_events


async def live_rules() -> RuleSet:
    """Every rule in force, as the tables the edits keep hold them (their defaults before any edit)."""
    policies = await stored_policies()
    levels = await LevelRow.all().order_by('number').values('number', 'title', 'icon', 'condition',
                                                             'translations')
    badges = [definition_from_row(row) for row in await BadgeDefinitionRow.all().order_by('position', 'key')]
    incentives = [Incentive(id=row.id, name=row.name, kind=IncentiveKind(row.kind), channel=row.channel,
                            starts_on=row.starts_on, ends_on=row.ends_on, from_time=row.from_time,
                            until_time=row.until_time, multiplier=row.multiplier, bonus_points=row.bonus_points,
                            beyond_per_hour=row.beyond_per_hour)
                  for row in await StoredIncentive.all().order_by('id')]
    return RuleSet(policy=policies[-1][1] if policies else ScoringPolicy(),
                   levels=levels_from_dicts(levels) if levels else DEFAULT_LEVELS,
                   badges=tuple(badges) if badges else DEFAULT_BADGES,
                   quests=tuple(stored_definitions(await QuestRow.all())), incentives=tuple(incentives),
                   working_hours=await calendars_before(None))


async def log_now(wall: datetime) -> datetime:
    """"Now" for a preview from the command line: the wall clock, or the log's last event when the log is ahead of it
    (the demo's accelerated clock runs days ahead: its last days are the log's, not the calendar's)."""
    last = await StoredEvent.all().order_by('-id').first()
    return max(wall, last.occurred_at) if last is not None else wall


async def floor_agents() -> list[FloorAgent]:
    """The agents the boards rank: the directory's floor (active accounts with the agent role)."""
    rows = await Agent.filter(active=True, role='agent').order_by('id').values_list('id', 'display_name', 'team_id')
    return [FloorAgent(id=agent_id, name=name, team_id=team_id) for agent_id, name, team_id in rows]


SNAPSHOT_BATCH = 2_000  # events read and converted per turn of the event loop: a few milliseconds each


async def snapshot(read: Callable[[int], None] | None = None) -> list[GameEvent]:
    """The whole log as it is now, in id order, read in small batches so that the event loop keeps serving the tabs;
    ``read`` is told how many events were read so far."""
    events: list[GameEvent] = []
    async for event in iterate_events(batch_size=SNAPSHOT_BATCH):
        events.append(event)
        if read is not None and len(events) % SNAPSHOT_BATCH == 0:
            read(len(events))
    return events


class Preview:
    """One preview run: :meth:`run` it, read :attr:`done` (events folded) from any thread, :meth:`cancel` it."""

    def __init__(self, draft: RuleSet, *, days: int, now: datetime) -> None:
        period_start(now, days)  # a bad number of days is refused before anything is read
        self.draft = draft
        self.days = days
        self.now = now
        self.read = 0  # events of the log read into the snapshot so far
        self.total = 0  # events in the snapshot, once read
        self.done = 0  # events folded so far
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    async def run(self, *, in_thread: bool = True) -> WhatIf:
        """The preview; raises :class:`Cancelled` if :meth:`cancel` was called."""
        live, floor, initial = await live_rules(), await floor_agents(), await initial_policy()
        events = await snapshot(self._read)
        self.total = len(events)
        if self.cancelled:
            raise Cancelled
        fold: Callable[[], WhatIf] = lambda: what_if(  # noqa: E731
            events, live=live, draft=self.draft, floor=floor, now=self.now, days=self.days, badge_seed=BADGE_SEED,
            initial_policy=initial, progress=self._progress)
        return await asyncio.to_thread(fold) if in_thread else fold()

    def _read(self, read: int) -> None:
        self.read = read
        if self._cancelled.is_set():
            raise Cancelled

    def _progress(self, done: int) -> None:
        self.done = done
        if self._cancelled.is_set():
            raise Cancelled


class RulesService:
    """What the game page's what-if does: the live rules, a lead's preview of a draft, and publishing it."""

    def __init__(self, *, clock: Clock, game: GameService, scoring: ScoringService, levels: LevelService,
                 badges: BadgeService, quests: QuestService, incentives: IncentiveService,
                 working_hours: WorkingHoursService) -> None:
        self.clock = clock
        self.game = game
        self.scoring = scoring
        self.levels = levels
        self.badges = badges
        self.quests = quests
        self.incentives = incentives
        self.working_hours = working_hours

    async def live(self) -> RuleSet:
        return await live_rules()

    def preview(self, actor: AgentView, draft: RuleSet, *, days: int) -> Preview:
        """A preview to :meth:`Preview.run` (off the event loop); it writes nothing."""
        _check_lead(actor)
        return Preview(draft, days=days, now=self.clock.now())

    async def publish(self, actor: AgentView, draft: RuleSet) -> list[str]:
        """Put the draft in force from now on, in one transaction (all or nothing): its scoring values (with the
        minimum volume) and levels, its new or edited badges, its quests (new, edited, ended), its incentives (new,
        edited, ended) and working hours, each change the event an edit in its own tab records. The removal of a badge
        is refused: no tab removes one (its holders would lose what they earned). Returns what changed."""
        _check_lead(actor)
        live = await live_rules()
        live_badges = {badge.key: badge for badge in live.badges}
        if set(live_badges) - {badge.key for badge in draft.badges}:
            raise ActionError(_('This draft removes badges, which the game cannot do (their holders would lose what '
                                'they earned): keep them in the draft. Nothing was published.'))
        # translations are no rule (not compared with the definitions) but a draft publishes them too
        badges = [badge for badge in draft.badges if (in_force := live_badges.get(badge.key)) != badge or
                  in_force is not None and in_force.translations != badge.translations]
        live_incentives = {incentive.id: incentive for incentive in live.incentives}
        incentives = [incentive for incentive in draft.incentives if live_incentives.get(incentive.id) != incentive]
        ended = sorted(set(live_incentives) - {incentive.id for incentive in draft.incentives})
        published = []
        previous = self.game.projection.policy, self.game.projection.levels
        try:
            async with self.game.batch():  # all or nothing: a refusal leaves the batch and rolls every part back
                if draft.policy != live.policy:
                    await self.scoring.save(actor, policy_as_dict(draft.policy))
                    published.append(_('scoring values'))
                if draft.levels != live.levels or \
                        [level.translations for level in draft.levels] != [level.translations for level in live.levels]:
                    await self.levels.save_table(actor, draft.levels)
                    published.append(_('levels'))
                for badge in badges:
                    await self.badges.save(actor, badge.as_dict())
                quests = await self.quests.publish_draft(actor, draft.quests)
                for incentive in incentives:  # an incentive the live game does not know is a new one
                    await self.incentives.save(actor, incentive if incentive.id in live_incentives else
                                               replace(incentive, id=0))
                for incentive_id in ended:
                    await self.incentives.delete(actor, incentive_id)
                hours = _changed_hours(live, draft)
                for team_id, calendar in hours.items():
                    await self.working_hours.put(actor, team_id, calendar)
        except BaseException:  # each part's own savepoint committed: the projection switched when it folded them
            self.game.projection.policy, self.game.projection.levels = previous
            raise
        # what was published, in the words of the lead who published it (the handler runs in their tab)
        published += [ngettext('{count} badge', '{count} badges', len(badges)).format(count=len(badges))] \
            if badges else []
        published += [ngettext('{count} quest', '{count} quests', quests).format(count=quests)] if quests else []
        changes = len(incentives) + len(ended)
        published += [ngettext('{count} incentive change', '{count} incentive changes', changes).format(
            count=changes)] if changes else []
        published += [ngettext('working hours of {count} team', 'working hours of {count} teams', len(hours)).format(
            count=len(hours))] if hours else []
        if not published:
            raise ActionError(_('The draft is the rules in force: nothing to publish.'))
        return published


def _changed_hours(live: RuleSet, draft: RuleSet) -> dict[int, WorkingCalendar | None]:
    """The teams whose working hours the draft changes, with their new hours (None: 24/7); a draft without hours
    keeps the live ones."""
    if draft.working_hours is None:
        return {}
    before, after = live.working_hours or {}, draft.working_hours
    return {team_id: after.get(team_id) for team_id in sorted(set(before) | set(after))
            if before.get(team_id) != after.get(team_id)}


def _check_lead(actor: AgentView) -> None:
    if not actor.is_lead:
        raise ActionError(_('Only a team lead can preview or publish rules.'))
