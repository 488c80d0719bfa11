"""The game as a pure fold over the event log: feeding it every event in order gives the whole live state."""
from collections import OrderedDict
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from operator import attrgetter
from typing import Any, Generic, TypeVar

from services.domain.boss import BossBook
from services.domain.business_hours import WorkingCalendar, calendar_from_dict
from services.domain.events import Channel, EventKind, GameEvent, Rating
from services.domain.floor_calendar import floor_day
from services.domain.incentives import IncentiveBook
from services.domain.levels import DEFAULT_LEVELS, Level, level_after, levels_from_dicts
from services.domain.scoring import (
    LOW_VALUE_KINDS,
    MAX_REOPEN_WINDOW,
    Award,
    AwardKind,
    ScoringPolicy,
    assist_awards,
    assist_decision,
    assist_within_cap,
    banked,
    banked_reopen,
    dispute_compensation,
    fair_play_bad_rating,
    fair_play_reopen,
    kudos_awards,
    low_value_award,
    merge_transfers,
    pending_points,
    policy_from_dict,
    quest_awards,
    rating_awards,
    reopen_clawbacks,
    resolution_awards,
    resolution_points,
    untag_takeback,
)
from services.domain.wellbeing import WellbeingTracker


@dataclass(kw_only=True, slots=True)
class AgentMetrics:
    """An agent's lifetime metrics: what levels are reached by and what the progress card shows."""
    agent_id: int
    points: int = 0
    quality: int = 0
    speed: int = 0
    productivity: int = 0
    resolved: int = 0
    replies: int = 0
    chats: int = 0
    calls: int = 0
    positive_ratings: int = 0
    negative_ratings: int = 0
    level: int = 1
    last_event_id: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(zip(METRIC_NAMES, _metric_values(self), strict=True))  # dataclasses.asdict deep-copies: 10x slower


METRIC_NAMES = tuple(AgentMetrics.__dataclass_fields__)
# what a merge moves besides the points (which move as ledger entries): the counts levels and badges read
MERGED_COUNTERS = ('resolved', 'replies', 'chats', 'calls', 'positive_ratings', 'negative_ratings')
_metric_values = attrgetter(*METRIC_NAMES)  # all fields in one call: the level check reads them at every event


@dataclass(frozen=True, kw_only=True, slots=True)
class Resolution:
    """What a conversation's latest resolution earned, remembered so that a reopen can take it back."""
    agent_id: int
    channel: str
    awards: tuple[Award, ...]
    resolved_at: datetime  # when its reopen window began


@dataclass(frozen=True, kw_only=True, slots=True)
class TagAward:
    """What a tag standing on a conversation earned its tagger, remembered so that removing it takes that back."""
    agent_id: int
    points: int


Vesting = dict[int, tuple[datetime, int]]  # an agent's resolutions not reopened: conversation -> (resolved at, points)


@dataclass(frozen=True, kw_only=True, slots=True)
class LevelUp:
    agent_id: int
    old: int
    new: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    """What one event changed in the game."""
    event: GameEvent
    awards: list[Award] = field(default_factory=list)
    level_ups: list[LevelUp] = field(default_factory=list)
    touched_agents: frozenset[int] = frozenset()
    resolved: tuple[int, int] | None = None  # (agent, +1) a resolution counted, (agent, -1) a reopen took it back
    channel: str | None = None  # the resolution's channel, with ``resolved`` (a reopen's event does not carry it)


class GameProjection:
    """Folds events into agent metrics, awards and levels; holds no I/O and no clock."""

    def __init__(self, *, policy: ScoringPolicy | None = None, levels: Sequence[Level] = DEFAULT_LEVELS,
                 resolutions: MutableMapping[int, Resolution] | None = None,
                 tags: MutableMapping[tuple[int, str], TagAward] | None = None) -> None:
        """:param resolutions: where resolutions are remembered: all of them by default (a replay), or a bounded
            cache the live service refills from the database (see :meth:`missing_resolution`).
        :param tags: the same for the tags that earned points (see :meth:`missing_tag`)."""
        self.policy = policy or ScoringPolicy()
        self.levels = levels
        self.agents: dict[int, AgentMetrics] = {}
        self.resolutions: MutableMapping[int, Resolution] = {} if resolutions is None else resolutions
        self.incentives = IncentiveBook()  # the leads' incentives in force, folded from their events
        self.boss = BossBook()  # the queue boss's settings and latest fight (issue 20)
        self.wellbeing = WellbeingTracker()  # hours worked today and the daily limit (issue 20)
        # each agent's points from notes, tags and assist shares per floor day (issue 16's days, as the boards'), for
        # the daily cap (issue 18): a late arrival counts against its own day, whatever came between (one number per
        # agent and day they earned any: a few thousand a year)
        self.low_value: dict[tuple[int, date], int] = {}
        # each agent's resolutions that may still be pending (vesting, issue 18): those of the last
        # MAX_REOPEN_WINDOW, whatever window a lead sets later; the live service reads them back at start-up
        self.vesting: dict[int, Vesting] = {}
        self.tags: MutableMapping[tuple[int, str], TagAward] = {} if tags is None else tags
        # each team's working hours (issue 18): resolutions are timed in them; a team without one works 24/7
        self.calendars: dict[int, WorkingCalendar] = {}
        # undo logs of the changes still open, innermost last: what each entry of :meth:`_undoable` was at its
        # begin() (None: it was not there)
        self._scopes: list[tuple[dict[Any, Any], ...]] = []

    def _undoable(self) -> 'tuple[MutableMapping[Any, Any] | _ByAgent, ...]':
        """What :meth:`rollback` restores, in the order of a scope's undo logs."""
        return self.agents, self.resolutions, self.low_value, _ByAgent(self.vesting), self.tags, self.calendars

    def begin(self) -> None:
        """Start remembering what :meth:`apply` changes, so that :meth:`rollback` can undo it (scopes nest)."""
        self._scopes.append(({}, {}, {}, {}, {}, {}))
        self.incentives.begin()
        self.boss.begin()
        self.wellbeing.begin()

    def commit(self) -> None:
        """Keep the changes since the matching :meth:`begin`; an enclosing scope can still undo them."""
        undo = self._scopes.pop()
        self.incentives.commit()
        self.boss.commit()
        self.wellbeing.commit()
        if self._scopes:
            for inner, outer in zip(undo, self._scopes[-1], strict=True):
                for key, before in inner.items():
                    outer.setdefault(key, before)

    def rollback(self) -> None:
        """Undo every change since the matching :meth:`begin` (its database transaction was rolled back)."""
        undo = self._scopes.pop()
        self.incentives.rollback()
        self.boss.rollback()
        self.wellbeing.rollback()
        for before, store in zip(undo, self._undoable(), strict=True):
            for key, value in before.items():
                if value is None:
                    store.pop(key, None)
                else:
                    store[key] = value

    def missing_resolution(self, event: GameEvent) -> int | None:
        """The conversation whose resolution a reopen (or a bad rating, which cancels some of it) needs but which is
        not in memory (the cache may be bounded)."""
        needs = event.kind in (EventKind.REOPENED, EventKind.ASSIST_DECIDED) or (
            event.kind == EventKind.RATED and event.data.get('rating') == Rating.BAD.value)
        if needs and event.conversation_id is not None \
                and event.conversation_id not in self.resolutions:
            return event.conversation_id
        return None

    def missing_tag(self, event: GameEvent) -> tuple[int, str] | None:
        """The (conversation, tag) whose points a removed tag takes back but which is not in memory (a bounded cache,
        or a restart)."""
        if event.kind == EventKind.UNTAGGED and event.conversation_id is not None:
            key = (event.conversation_id, event.data.get('tag', ''))
            return key if key not in self.tags else None
        return None

    def pending(self, agent_id: int, now: datetime) -> int:
        """The agent's resolution points still inside the reopen window at ``now`` (the rest are banked)."""
        return pending_points(self.vesting.get(agent_id, {}).values(), now=now, policy=self.policy)

    def apply(self, event: GameEvent) -> Outcome:
        """Apply one event and return what it changed."""
        awards: list[Award] = []
        touched: set[int] = set()
        resolved: tuple[int, int] | None = None
        channel: str | None = None
        if event.kind == EventKind.REPLIED and event.agent_id is not None:
            self._metrics(event.agent_id).replies += 1
            touched.add(event.agent_id)
        elif event.kind == EventKind.RESOLVED and event.agent_id is not None and event.conversation_id is not None:
            calendar = self.calendars.get(event.data.get('team_id'))
            awards = resolution_awards(event, policy=self.policy, calendar=calendar)
            awards += self.incentives.awards_for(event, awards)  # kept with the resolution: a reopen takes them back
            awards = self.wellbeing.capped(event, awards)  # nothing past the agent's daily limit of hours
            awards += self._capped_assists(event, assist_awards(event, awards, policy=self.policy))  # kept with it
            channel = event.data['channel']
            metrics = self._metrics(event.agent_id)
            metrics.resolved += 1
            metrics.chats += channel == Channel.CHAT.value
            metrics.calls += channel == Channel.PHONE.value
            for agent_id, entries in self.vesting.items():  # resolved again, not reopened (its resolution may be
                if event.conversation_id in entries:  # out of the bounded cache: a look at each agent is exact)
                    self._vest(agent_id, event.conversation_id, None)
            self._set_resolution(event.conversation_id,
                                 Resolution(agent_id=event.agent_id, channel=channel, awards=tuple(awards),
                                            resolved_at=event.occurred_at))
            self._vest(event.agent_id, event.conversation_id,
                       (event.occurred_at, resolution_points(awards, event.agent_id)))
            for award in awards:  # each assister's share vests like the resolver's points
                if award.kind == AwardKind.ASSIST:
                    self._vest(award.agent_id, event.conversation_id, (event.occurred_at, award.points))
            touched.add(event.agent_id)
            resolved = (event.agent_id, 1)
        elif event.kind == EventKind.REOPENED and event.conversation_id in self.resolutions:
            resolution = self.resolutions[event.conversation_id]
            self._set_resolution(event.conversation_id, None)
            resolver, channel = resolution.agent_id, resolution.channel
            for agent_id in {resolver, *(award.agent_id for award in resolution.awards)}:  # the assisters' too
                self._vest(agent_id, event.conversation_id, None)
            touched.add(resolver)
            if banked(resolution.resolved_at, event.occurred_at, policy=self.policy):  # past the window: it stays
                awards = banked_reopen(event, agent_id=resolver, resolved_at=resolution.resolved_at,
                                       policy=self.policy)
            else:
                awards = reopen_clawbacks(event, list(resolution.awards))
                awards += fair_play_reopen(event, resolution.awards, policy=self.policy)
                metrics = self._metrics(resolver)
                metrics.resolved -= 1
                metrics.chats -= channel == Channel.CHAT.value
                metrics.calls -= channel == Channel.PHONE.value
                resolved = (resolver, -1)
        elif event.kind == EventKind.RATED and event.agent_id is not None:
            awards = rating_awards(event, policy=self.policy)
            resolution = self.resolutions.get(event.conversation_id) if event.conversation_id is not None else None
            if resolution is not None and resolution.agent_id == event.agent_id:
                awards += fair_play_bad_rating(event, resolution.awards, policy=self.policy)
            rating = Rating(event.data['rating'])
            metrics = self._metrics(event.agent_id)
            metrics.positive_ratings += rating == Rating.GOOD
            metrics.negative_ratings += rating == Rating.BAD
            touched.add(event.agent_id)
        elif event.kind == EventKind.ASSIST_DECIDED and event.conversation_id in self.resolutions:
            awards = self._decide_assist(event)
        elif event.kind in LOW_VALUE_KINDS and event.agent_id is not None:
            awards = self._low_value(event)
        elif event.kind == EventKind.UNTAGGED and event.conversation_id is not None:
            awards = self._untag(event)
        elif event.kind in (EventKind.INCENTIVE_SAVED, EventKind.INCENTIVE_DELETED):
            self.incentives.change(event)
        elif event.kind == EventKind.RATING_INVALIDATED and event.agent_id is not None:
            awards = self._invalidate_rating(event)
            touched.add(event.agent_id)
        elif event.kind == EventKind.AGENT_MERGED and event.agent_id is not None:  # the counters the event carries
            source, target = self._metrics(event.data['from_agent_id']), self._metrics(event.agent_id)
            for name, value in event.data['counters'].items():
                setattr(source, name, getattr(source, name) - value)
                setattr(target, name, getattr(target, name) + value)
            awards = merge_transfers(event)  # and the points, as ledger entries
            touched.update((source.agent_id, target.agent_id))
        elif event.kind == EventKind.QUEST_COMPLETED:  # the reward the event carries, for every agent it names
            awards = quest_awards(event)
        elif event.kind == EventKind.KUDOS_SENT and event.agent_id is not None:  # the points the thanks carries
            awards = kudos_awards(event)
        elif event.kind == EventKind.LEVELS_CHANGED:  # a lead's edit: from here on the new table, for everyone
            self.levels = levels_from_dicts(event.data['levels'])
            touched.update(self.agents)
        elif event.kind == EventKind.SCORING_CHANGED:  # a lead's edit: later events score by it, earlier ones stay
            self.policy = policy_from_dict(event.data['policy'])
        elif event.kind == EventKind.WORKING_HOURS_CHANGED:  # a lead's edit: the team's later resolutions use it
            self.set_calendar(event.data['team_id'], event.data['calendar'])
        elif event.kind in (EventKind.PRESENCE_CHANGED, EventKind.WELLBEING_CHANGED):
            self.wellbeing.apply(event)
        if boss_awards := self.boss.apply(event):  # the hit that beat the boss: not the resolution's (no clawback)
            awards = [*awards, *boss_awards]
        for award in awards:
            metrics = self._metrics(award.agent_id)
            metrics.points += award.points
            setattr(metrics, award.domain.value, getattr(metrics, award.domain.value) + award.points)
            touched.add(award.agent_id)
        level_ups = []
        for agent_id in touched:
            metrics = self._metrics(agent_id)
            metrics.last_event_id = event.id
            new_level = level_after(metrics.level, metrics.as_dict(), levels=self.levels)
            if new_level != metrics.level:
                level_ups.append(LevelUp(agent_id=agent_id, old=metrics.level, new=new_level))
                metrics.level = new_level
        return Outcome(event=event, awards=awards, level_ups=level_ups, touched_agents=frozenset(touched),
                       resolved=resolved, channel=channel if resolved is not None else None)

    def apply_all(self, events: Iterable[GameEvent]) -> list[Outcome]:
        return [self.apply(event) for event in events]

    def _invalidate_rating(self, event: GameEvent) -> list[Award]:
        """A lead upheld a dispute: the rating no longer counts, and new entries compensate the points it caused."""
        assert event.agent_id is not None
        rating = Rating(event.data['rating'])
        metrics = self._metrics(event.agent_id)
        metrics.positive_ratings -= rating == Rating.GOOD
        metrics.negative_ratings -= rating == Rating.BAD
        return dispute_compensation(event)

    def set_calendar(self, team_id: int, calendar: dict[str, Any] | None) -> None:
        """Put a team's working hours (as event data; None: 24/7) in force for its later resolutions."""
        self._remember(5, team_id, self.calendars.get(team_id))
        if calendar is None:
            self.calendars.pop(team_id, None)
        else:
            self.calendars[team_id] = calendar_from_dict(calendar)

    def _decide_assist(self, event: GameEvent) -> list[Award]:
        """The resolver confirmed or declined an assist on their standing resolution: the share given or taken back
        joins the resolution's awards (so a reopen takes back exactly what stands) and the assister's vesting."""
        assert event.conversation_id is not None
        resolution = self.resolutions[event.conversation_id]
        awards = self._capped_assists(event, assist_decision(event, resolution.awards, resolver_id=resolution.agent_id,
                                                             policy=self.policy))
        if awards:
            self._set_resolution(event.conversation_id, replace(resolution, awards=(*resolution.awards, *awards)))
            for award in awards:
                held = resolution_points(self.resolutions[event.conversation_id].awards, award.agent_id)
                self._vest(award.agent_id, event.conversation_id,
                           (resolution.resolved_at, held) if held else None, in_place=True)
        return awards

    def _capped_assists(self, event: GameEvent, awards: list[Award]) -> list[Award]:
        """Assist shares count against their assister's daily cap on notes and tags, on the day of the event that
        gives (or, declined, takes back) them, as the ledger dates them."""
        kept = []
        for award in awards:
            agent_day = (award.agent_id, floor_day(event.occurred_at))
            earned = self.low_value.get(agent_day, 0)
            capped = assist_within_cap(award, policy=self.policy, earned_today=earned)
            if capped is not None:
                self._remember(2, agent_day, self.low_value.get(agent_day))
                self.low_value[agent_day] = earned + capped.points
                kept.append(capped)
        return kept

    def earned_today(self, agent_id: int, day: date) -> int:
        """An agent's points from notes and tags on the floor's ``day`` so far, as the daily cap counts them."""
        return self.low_value.get((agent_id, day), 0)

    def _low_value(self, event: GameEvent) -> list[Award]:
        """A note's or a tag's points, counted against the agent's daily cap on them."""
        assert event.agent_id is not None
        agent_day = (event.agent_id, floor_day(event.occurred_at))
        earned = self.low_value.get(agent_day, 0)
        awards = low_value_award(event, policy=self.policy, earned_today=earned)
        if points := sum(award.points for award in awards):
            self._remember(2, agent_day, self.low_value.get(agent_day))
            self.low_value[agent_day] = earned + points
            if event.kind == EventKind.TAGGED and event.conversation_id is not None:  # an untag takes it back
                key = (event.conversation_id, event.data.get('tag', ''))
                self._remember(4, key, self.tags.get(key))
                self.tags[key] = TagAward(agent_id=event.agent_id, points=points)
        return awards

    def _untag(self, event: GameEvent) -> list[Award]:
        """A removed tag takes back what it earned, counted in the cap of the day it is removed: the cap bounds each
        day's net points from notes and tags (as the ledger dates them, which start-up reads back), so a tag, untag,
        tag loop earns one tag's points and never more than the cap."""
        key = (event.conversation_id or 0, event.data.get('tag', ''))
        given = self.tags.get(key)
        if given is None:
            return []
        self._remember(4, key, given)
        del self.tags[key]
        agent_day = (given.agent_id, floor_day(event.occurred_at))
        self._remember(2, agent_day, self.low_value.get(agent_day))
        self.low_value[agent_day] = self.low_value.get(agent_day, 0) - given.points
        return untag_takeback(event, agent_id=given.agent_id, points=given.points)

    def _vest(self, agent_id: int, conversation_id: int, vesting: tuple[datetime, int] | None, *,
              in_place: bool = False) -> None:
        """Remember (or, with None, forget) a resolution that may be pending; forget those past the longest window.
        ``in_place``: a change of a resolution already remembered keeps its place (the oldest come first)."""
        entries = self.vesting.get(agent_id)
        if entries is None and vesting is None:
            return
        entries = self.vesting.setdefault(agent_id, {})
        if in_place and vesting is not None and conversation_id in entries:
            self._remember(3, (agent_id, conversation_id), entries[conversation_id])
            entries[conversation_id] = vesting
            return
        self._remember(3, (agent_id, conversation_id), entries.pop(conversation_id, None))
        if vesting is not None:
            entries[conversation_id] = vesting  # last: the oldest come first
            oldest = vesting[0] - MAX_REOPEN_WINDOW
            while (first := next(iter(entries))) != conversation_id and entries[first][0] < oldest:
                self._remember(3, (agent_id, first), entries.pop(first))

    def _remember(self, store: int, key: Any, before: Any) -> None:
        """Note what entry ``key`` of the ``store``-th of :meth:`_undoable` was before this scope changed it."""
        if self._scopes and key not in self._scopes[-1][store]:
            self._scopes[-1][store][key] = before

    def _metrics(self, agent_id: int) -> AgentMetrics:
        metrics = self.agents.get(agent_id)
        if self._scopes and agent_id not in self._scopes[-1][0]:
            self._scopes[-1][0][agent_id] = replace(metrics) if metrics is not None else None
        if metrics is None:
            metrics = self.agents[agent_id] = AgentMetrics(agent_id=agent_id)
        return metrics

    def _set_resolution(self, conversation_id: int, resolution: Resolution | None) -> None:
        self._remember(1, conversation_id, self.resolutions.get(conversation_id))
        if resolution is None:
            self.resolutions.pop(conversation_id, None)
        else:
            self.resolutions[conversation_id] = resolution


Key = TypeVar('Key')
Value = TypeVar('Value')


class BoundedMap(OrderedDict[Key, Value], Generic[Key, Value]):
    """The most recent entries only; older ones are read back from the database when an event needs them."""

    def __init__(self, max_size: int) -> None:
        super().__init__()
        self.max_size = max_size

    def __setitem__(self, key: Key, value: Value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.max_size:
            self.popitem(last=False)


class BoundedResolutions(BoundedMap[int, Resolution]):
    """The most recent resolutions only; older ones are read back from the ledger when a reopen needs them."""


class _ByAgent:
    """The vesting entries as the undo logs key them, by (agent, conversation)."""

    def __init__(self, vesting: dict[int, Vesting]) -> None:
        self.vesting = vesting

    def __setitem__(self, key: tuple[int, int], value: tuple[datetime, int]) -> None:
        self.vesting.setdefault(key[0], {})[key[1]] = value

    def pop(self, key: tuple[int, int], default: None = None) -> tuple[datetime, int] | None:
        return self.vesting.get(key[0], {}).pop(key[1], default)
