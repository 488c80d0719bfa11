"""What-if: the game's rules as one JSON document, and a replay of the log under a draft of them (issue 18).

The replay is the projection's own fold (:class:`GameProjection`), run once over the whole log as it happened (the
"before": exactly the live state) and, from the start of the previewed period, a second time with the draft in force
in place of the rules the log carries. Nothing here reads or writes anything: the caller hands in the events.

What a draft means: "had these rules been in force for the last N days". From the period's start the draft's scoring
values (with its minimum volume), levels and incentives replace those the log's edits put in force (edits inside the
period are the draft's to replace, so they are skipped); its badges are judged on the events of their windows; its
quests that differ from the live ones are run on the period's events, and their completions rewarded, instead of the
logged completions of those quests. Levels reached before the period stay reached (as after a real edit).
"""
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.domain.badges import DEFAULT_BADGES, KEPT_DAYS, BadgeBoard, BadgeDefinition, BadgeError, badge_from_dict
from services.domain.business_hours import (
    CalendarError,
    WorkingCalendar,
    format_calendar,
    parse_calendar,
)
from services.domain.events import EventKind, GameEvent
from services.domain.expressions import ExpressionError
from services.domain.floor_calendar import day_start, floor_day
from services.domain.i18n import _
from services.domain.incentives import Incentive, IncentiveBook, problems_with
from services.domain.leaderboard import AgentInfo, Period, PointsTally, rank_agents
from services.domain.levels import DEFAULT_LEVELS, Level, level_after, level_as_dict, levels_from_dicts
from services.domain.projection import GameProjection, Outcome
from services.domain.quests import QuestBoard, QuestDefinition, quest_from_dict
from services.domain.scoring import (
    FAIR_PLAY_FIELDS,
    FAIR_PLAY_OFF,
    Domain,
    PolicyError,
    ScoringPolicy,
    capped,
    check_policy,
    policy_as_dict,
)

DOCUMENT_VERSION = 1
MAX_DAYS = 90
DOMAINS = tuple(domain.value for domain in Domain)
# the edits a draft replaces inside the previewed period (quest completions: see the module's docstring)
RULE_EDITS = frozenset({EventKind.SCORING_CHANGED, EventKind.LEVELS_CHANGED, EventKind.INCENTIVE_SAVED,
                        EventKind.INCENTIVE_DELETED})
PROGRESS_EVERY = 20_000  # events between two progress reports


class RulesError(ValueError):
    """A rules document that cannot be read; the message says which part and why, in one line."""


class Cancelled(Exception):
    """Raised by a progress callback to stop a replay (the lead pressed Cancel)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleSet:
    """Every rule a lead edits: scoring values (with the minimum volume to rank), levels, badges, quests, incentives."""
    policy: ScoringPolicy = field(default_factory=ScoringPolicy)
    levels: tuple[Level, ...] = DEFAULT_LEVELS
    badges: tuple[BadgeDefinition, ...] = DEFAULT_BADGES
    quests: tuple[QuestDefinition, ...] = ()
    incentives: tuple[Incentive, ...] = ()
    # each team's working hours (issue 18; a team not named works 24/7); None: as the log has them, edits and all
    working_hours: Mapping[int, WorkingCalendar] | None = None


def rules_as_document(rules: RuleSet) -> dict[str, Any]:
    """The JSON document ``rules export`` prints and the game page imports and exports."""
    return {'deskquest_rules': DOCUMENT_VERSION,
            'scoring': policy_as_dict(rules.policy),
            'levels': [level_as_dict(level) for level in rules.levels],
            'badges': [badge.as_dict() for badge in rules.badges],
            'quests': [quest.as_dict() for quest in sorted(rules.quests, key=lambda quest: quest.key)],
            'incentives': [incentive.as_data() for incentive in sorted(rules.incentives, key=lambda i: i.id)]} | \
        ({'working_hours': [{'team_id': team_id, 'zone': calendar.zone, 'hours': format_calendar(calendar)}
                            for team_id, calendar in sorted(rules.working_hours.items())]}
         if rules.working_hours is not None else {})


def rules_from_document(document: object) -> RuleSet:
    """Read a rules document; raise :class:`RulesError` naming the first part that is wrong."""
    if not isinstance(document, Mapping):
        raise RulesError(_('A rules document is a JSON object (as "rules export" writes it).'))
    if document.get('deskquest_rules') != DOCUMENT_VERSION:
        raise RulesError(_('Not a DeskQuest rules document: "deskquest_rules" must be {version}.').format(
            version=DOCUMENT_VERSION))
    missing = [part for part in ('scoring', 'levels', 'badges', 'quests', 'incentives') if part not in document]
    if missing:
        raise RulesError(_('The rules document lacks: {parts}.').format(parts=', '.join(missing)))
    try:
        scoring = _mapping(document['scoring'], 'scoring')
        # a document exported before the fair-play rules (issue 18) has them off, as the log of that time does
        older = {name: value for name, value in policy_as_dict(FAIR_PLAY_OFF).items() if name in FAIR_PLAY_FIELDS}
        policy = check_policy(older | dict(scoring))
    except PolicyError as error:
        raise RulesError(f'scoring: {error}') from None
    return RuleSet(policy=policy, levels=_levels(document['levels']),
                   badges=_part(document['badges'], 'badges', badge_from_dict),
                   quests=_part(document['quests'], 'quests', quest_from_dict),
                   incentives=_incentives(document['incentives']),
                   working_hours=_working_hours(document['working_hours']) if 'working_hours' in document else None)


def _working_hours(value: object) -> dict[int, WorkingCalendar]:
    """The teams' hours of a document: a team named twice, an unknown zone or hours that do not hold together are
    refused."""
    calendars: dict[int, WorkingCalendar] = {}
    named: set[int] = set()
    for position, row in enumerate(_rows(value, 'working_hours'), 1):
        team_id, zone, hours = row.get('team_id'), row.get('zone', 'UTC'), row.get('hours', '')
        if isinstance(team_id, bool) or not isinstance(team_id, int) or team_id in named or \
                not isinstance(zone, str) or not isinstance(hours, str):
            raise RulesError(_('working_hours {position}: a team_id (once each), a zone and the hours as text are '
                               'expected.').format(position=position))
        try:
            if zone != 'UTC':
                ZoneInfo(zone)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise RulesError(_('working_hours {position}: “{zone}” is not a time zone.').format(
                position=position, zone=zone[:40])) from None
        try:
            calendar = parse_calendar(hours, zone=zone)
        except CalendarError as error:
            raise RulesError(f'working_hours {position}: {error}') from None
        named.add(team_id)
        if calendar is not None:
            calendars[team_id] = calendar
    return calendars


def _mapping(value: object, part: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RulesError(_('{part}: an object is expected.').format(part=part))
    return value


def _rows(value: object, part: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(row, Mapping) for row in value):
        raise RulesError(_('{part}: a list of objects is expected.').format(part=part))
    return value


def _levels(value: object) -> tuple[Level, ...]:
    rows = _rows(value, 'levels')
    try:
        levels = levels_from_dicts(rows)
    except (ExpressionError, KeyError, TypeError, ValueError) as error:
        raise RulesError(f'levels: {_reason(error)}') from None
    if [level.number for level in levels] != list(range(1, len(levels) + 1)):
        raise RulesError(_('levels: the levels are numbered 1, 2, 3, … without gaps.'))
    if levels[0].condition:
        raise RulesError(_('levels: everyone starts at level 1, so its condition stays empty.'))
    if any(not level.title.strip() or not level.icon.strip() for level in levels):
        raise RulesError(_('levels: every level needs a title and an icon.'))
    return levels


def _part(value: object, part: str, read: Callable[[Mapping[str, Any]], Any]) -> tuple[Any, ...]:
    rows = _rows(value, part)
    read_rows = []
    for position, row in enumerate(rows, 1):
        try:
            read_rows.append(read(row))
        except (BadgeError, KeyError, TypeError, ValueError) as error:
            raise RulesError(f'{part} #{position}: {_reason(error)}') from None
    keys = [getattr(row, 'key', position) for position, row in enumerate(read_rows)]  # incentives: by id, below
    if len(set(keys)) < len(keys):
        raise RulesError(_('{part}: two have the same key.').format(part=part))
    return tuple(read_rows)


def _incentives(value: object) -> tuple[Incentive, ...]:
    incentives = _part(value, 'incentives', Incentive.from_data)
    for position, incentive in enumerate(incentives, 1):
        if problems := problems_with(incentive):
            raise RulesError(f'incentives #{position}: {" ".join(problems)}')
    ids = [incentive.id for incentive in incentives]
    if len(set(ids)) < len(ids):
        raise RulesError(_('incentives: two have the same id.'))
    return incentives


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return _('missing {field}').format(field=error)
    return str(error) or type(error).__name__


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentWhatIf:
    id: int
    name: str
    points_before: int
    points_after: int
    points_by_domain_before: dict[str, int]
    points_by_domain_after: dict[str, int]
    level_before: int
    level_after: int
    rank_before: dict[str, int | None]  # 'all_time', 'month': the rank on that board (None: below the minimum volume)
    rank_after: dict[str, int | None]

    @property
    def moved(self) -> int:
        return abs(self.points_after - self.points_before)


@dataclass(frozen=True, kw_only=True, slots=True)
class WhatIf:
    """The preview: every agent before → after, and what would change hands."""
    days: int
    since: datetime
    events: int  # events replayed in the period
    agents: tuple[AgentWhatIf, ...]  # by name
    badges: tuple[dict[str, Any], ...]  # {'badge', 'name', 'gained_by', 'lost_by'}
    levels: tuple[dict[str, Any], ...]  # {'agent_id', 'name', 'before', 'after'}
    # {'quest' (its key), 'title', 'translations', 'scope', 'holder', 'before', 'after'}: completed in the period
    quests: tuple[dict[str, Any], ...]

    def most_affected(self, count: int = 5) -> list[AgentWhatIf]:
        return sorted((agent for agent in self.agents if agent.moved), key=lambda agent: (-agent.moved, agent.name))[
            :count]

    def as_dict(self) -> dict[str, Any]:
        """The ``whatif --json`` object."""
        return {'days': self.days, 'since': self.since.isoformat(), 'events': self.events,
                'agents': [{'id': a.id, 'name': a.name, 'points_before': a.points_before,
                            'points_after': a.points_after, 'points_by_domain_before': a.points_by_domain_before,
                            'points_by_domain_after': a.points_by_domain_after, 'level_before': a.level_before,
                            'level_after': a.level_after, 'rank_before': a.rank_before, 'rank_after': a.rank_after}
                           for a in self.agents],
                'changes': {'badges': list(self.badges), 'levels': list(self.levels), 'quests': list(self.quests)},
                'most_affected': [agent.id for agent in self.most_affected()]}


@dataclass(frozen=True, kw_only=True, slots=True)
class FloorAgent:
    """An agent the boards rank (the directory's floor), as the preview names them."""
    id: int
    name: str
    team_id: int | None = None


def period_start(now: datetime, days: int) -> datetime:
    if not 1 <= days <= MAX_DAYS:
        raise RulesError(_('The preview covers 1 to {most} days, not {days}.').format(most=MAX_DAYS, days=days))
    return now - timedelta(days=days)


def what_if(events: Iterable[GameEvent], *, live: RuleSet, draft: RuleSet, floor: Sequence[FloorAgent],
            now: datetime, days: int, badge_seed: int = 0, initial_policy: ScoringPolicy | None = None,
            progress: Callable[[int], None] | None = None) -> WhatIf:
    """Fold the whole log as it happened and, from ``days`` before ``now``, again under ``draft``.

    :param live: the rules in force now (their badges judge the "before" holders; quests equal to the live ones keep
        their logged completions)
    :param initial_policy: the scoring values the log began under (the seeded row; default: today's defaults)
    :param progress: called with the number of events folded so far every :data:`PROGRESS_EVERY` events; it may raise
        :class:`Cancelled` to stop
    """
    since = period_start(now, days)
    before = GameProjection(policy=initial_policy or ScoringPolicy())
    after: GameProjection | None = None
    before_tally, after_tally = PointsTally(), PointsTally()  # the after tally: the period only
    before_resolved, after_resolved = PointsTally(), PointsTally()
    prefix_tally, prefix_resolved = PointsTally(), PointsTally()
    live_quests = {quest.key: quest for quest in live.quests}
    draft_quests = {quest.key: quest for quest in draft.quests}
    changed_quests = [quest for quest in draft.quests if live_quests.get(quest.key) != quest]
    keep_logged = {key for key, quest in draft_quests.items() if live_quests.get(key) == quest}
    team_of = {agent.id: agent.team_id for agent in floor}
    quest_board = QuestBoard(changed_quests, team_of=team_of)
    badge_start = day_start(floor_day(now) - timedelta(days=KEPT_DAYS))
    badge_before = BadgeBoard(live.badges, seed=badge_seed)
    badge_after = BadgeBoard(draft.badges, seed=badge_seed)
    completed_before: set[tuple[str, str, int]] = set()
    completed_after: set[tuple[str, str, int]] = set()
    count = 0
    in_period = 0
    badge_fed = 0
    for event in events:
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
        if after is None and event.occurred_at >= since:  # the period starts: from here on, the draft too
            after = _switched(before, draft)
            prefix_tally, prefix_resolved = _copy(before_tally), _copy(before_resolved)
        outcome = before.apply(event)
        day = floor_day(event.occurred_at)
        for award in outcome.awards:
            before_tally.add(award.agent_id, day, award.points)
        if outcome.resolved is not None:
            before_resolved.add(outcome.resolved[0], day, outcome.resolved[1])
        if event.occurred_at >= badge_start:
            badge_before.feed(event)
        if event.kind == EventKind.QUEST_COMPLETED:
            holder = (event.data['quest'], event.data['scope'], event.data['holder'])
            if after is None:  # completed before the period: done under the draft too
                quest_board.mark_done(*holder, event.data.get('round'))  # a recurring quest's round (issue 15)
            else:
                completed_before.add(holder)
        if after is None:
            if event.occurred_at >= badge_start:  # before the period the draft's log is the live one: the badge
                badge_fed += 1  # windows reaching back past the period's start see it on both sides
                badge_after.feed(replace(event, id=badge_fed))
            continue
        in_period += 1
        if event.kind == EventKind.WORKING_HOURS_CHANGED and draft.working_hours is not None:
            continue  # the draft's hours stand for the whole period, as its other rules do
        for draft_outcome in _draft_outcomes(event, quest_board, keep_logged, completed_after, after.apply):
            draft_event = draft_outcome.event
            for award in draft_outcome.awards:
                after_tally.add(award.agent_id, day, award.points)
            if draft_outcome.resolved is not None:
                after_resolved.add(draft_outcome.resolved[0], day, draft_outcome.resolved[1])
            if draft_event.occurred_at >= badge_start:  # numbered anew: a draft's completion shares its event's id
                badge_fed += 1
                badge_after.feed(replace(draft_event, id=badge_fed))
    if after is None:  # nothing happened in the period: the draft still judges the levels
        after = _switched(before, draft)
        prefix_tally, prefix_resolved = _copy(before_tally), _copy(before_resolved)
    after_tally = _merged(prefix_tally, after_tally)
    after_resolved = _merged(prefix_resolved, after_resolved)
    names = {agent.id: agent.name for agent in floor}
    ranks_before = _ranks(before_tally, before_resolved, floor, before, live.policy.minimum_resolved, floor_day(now))
    ranks_after = _ranks(after_tally, after_resolved, floor, after, draft.policy.minimum_resolved, floor_day(now))
    agents = []
    for agent in sorted(floor, key=lambda agent: (agent.name, agent.id)):
        old, new = before.agents.get(agent.id), after.agents.get(agent.id)
        agents.append(AgentWhatIf(
            id=agent.id, name=agent.name, points_before=old.points if old else 0, points_after=new.points if new else 0,
            points_by_domain_before={d: getattr(old, d) if old else 0 for d in DOMAINS},
            points_by_domain_after={d: getattr(new, d) if new else 0 for d in DOMAINS},
            level_before=old.level if old else 1, level_after=new.level if new else 1,
            rank_before=ranks_before.get(agent.id, {}), rank_after=ranks_after.get(agent.id, {})))
    levels = tuple({'agent_id': a.id, 'name': a.name, 'before': a.level_before, 'after': a.level_after}
                   for a in agents if a.level_before != a.level_after)
    return WhatIf(days=days, since=since, events=in_period, agents=tuple(agents),
                  badges=_badge_changes(badge_before.holders(now), badge_after.holders(now), draft.badges, live.badges,
                                        names),
                  levels=levels, quests=_quest_changes(completed_before, completed_after, draft.quests, live.quests))


def _switched(live: GameProjection, draft: RuleSet) -> GameProjection:
    """A copy of the game as it stands, with the draft's scoring values, levels and incentives in force (this hour's
    bonus counts carried over for the incentives the draft keeps), every agent's level judged by the draft's table."""
    switched = GameProjection(policy=draft.policy, levels=draft.levels, resolutions=dict(live.resolutions))
    switched.agents = {agent_id: replace(metrics) for agent_id, metrics in live.agents.items()}
    book = IncentiveBook()
    book.incentives = {incentive.id: incentive for incentive in draft.incentives}
    book.hourly = {key: value for key, value in live.incentives.hourly.items() if key[0] in book.incentives}
    switched.incentives = book
    switched.wellbeing = live.wellbeing.copy()  # the hours already worked and the daily limit stay what they are
    switched.low_value = dict(live.low_value)  # the day's points from notes and tags count against the draft's cap
    switched.tags = dict(live.tags)  # the tags standing, whose points an untag takes back
    switched.vesting = {agent_id: dict(entries) for agent_id, entries in live.vesting.items()}  # pending resolutions
    # the teams' working hours (issue 18): the draft's, or the live ones with their edits replayed on both sides
    switched.calendars = dict(live.calendars if draft.working_hours is None else draft.working_hours)
    for metrics in switched.agents.values():
        metrics.level = level_after(metrics.level, metrics.as_dict(), levels=draft.levels)
    return switched


def _copy(tally: PointsTally) -> PointsTally:
    copied = PointsTally()
    for agent_id, days in tally.by_agent.items():
        for day, points in days.items():
            copied.add(agent_id, day, points)
    return copied


def _merged(first: PointsTally, second: PointsTally) -> PointsTally:
    merged = _copy(first)
    for agent_id, days in second.by_agent.items():
        for day, points in days.items():
            merged.add(agent_id, day, points)
    return merged


def _draft_outcomes(event: GameEvent, quests: QuestBoard, keep_logged: set[str],
                    completed: set[tuple[str, str, int]], fold: Callable[[GameEvent], Outcome]) -> list[Outcome]:
    """What the draft's ``fold`` makes of one logged event: the event itself, unless a draft replaces it, then the
    completions of the draft's changed quests it causes (none if the draft's caps took its points)."""
    if event.kind in RULE_EDITS:
        return []
    if event.kind == EventKind.QUEST_COMPLETED:
        if event.data['quest'] not in keep_logged:
            return []
        completed.add((event.data['quest'], event.data['scope'], event.data['holder']))
        return [fold(event)]
    outcome = fold(event)
    folded = [outcome]
    for completion in quests.feed(event, capped=capped(outcome.awards)):
        completed.add((completion.quest, completion.scope.value, completion.holder))
        folded.append(fold(GameEvent(id=event.id, key=completion.key, kind=EventKind.QUEST_COMPLETED,
                                     occurred_at=event.occurred_at, agent_id=completion.by,
                                     data=completion.as_data())))
    return folded


def _ranks(tally: PointsTally, resolved: PointsTally, floor: Sequence[FloorAgent], projection: GameProjection,
           minimum: int, today: date) -> dict[int, dict[str, int | None]]:
    infos = [AgentInfo(id=agent.id, name=agent.name, team_id=agent.team_id, team_name='',
                       level=projection.agents[agent.id].level if agent.id in projection.agents else 1)
             for agent in floor]
    ranks: dict[int, dict[str, int | None]] = {agent.id: {'all_time': None, 'month': None} for agent in floor}
    for board, period in (('all_time', Period.ALL), ('month', Period.MONTH)):
        for row in rank_agents(tally, infos, period, today, resolved=resolved, minimum=minimum):
            ranks[row.agent_id][board] = row.rank
    return ranks


def _badge_changes(before: Mapping[str, frozenset[int]], after: Mapping[str, frozenset[int]],
                   draft: Sequence[BadgeDefinition], live: Sequence[BadgeDefinition],
                   names: Mapping[int, str]) -> tuple[dict[str, Any], ...]:
    named = {badge.key: badge for badge in live} | {badge.key: badge for badge in draft}
    changes = []
    for key in sorted(set(before) | set(after)):
        gained = sorted(after.get(key, frozenset()) - before.get(key, frozenset()))
        lost = sorted(before.get(key, frozenset()) - after.get(key, frozenset()))
        if gained or lost:
            badge = named.get(key)
            changes.append({'badge': key, 'name': badge.name if badge else key,
                            'translations': dict(badge.translations) if badge else {},  # the name in other languages
                            'gained_by': gained, 'lost_by': lost,
                            'gained_by_names': [names.get(i, f'#{i}') for i in gained],
                            'lost_by_names': [names.get(i, f'#{i}') for i in lost]})
    return tuple(changes)


def _quest_changes(before: set[tuple[str, str, int]], after: set[tuple[str, str, int]],
                   draft: Sequence[QuestDefinition], live: Sequence[QuestDefinition]) -> tuple[dict[str, Any], ...]:
    named = {quest.key: quest for quest in live} | {quest.key: quest for quest in draft}
    changes = []
    for key, scope, holder in sorted(before ^ after):
        quest = named.get(key)  # a quest completed in the period but in neither rule set (ended since): its key
        changes.append({'quest': key, 'title': quest.title if quest else key,
                        'translations': dict(quest.translations) if quest else {},  # the title in other languages
                        'scope': scope, 'holder': holder, 'before': (key, scope, holder) in before,
                        'after': (key, scope, holder) in after})
    return tuple(changes)

