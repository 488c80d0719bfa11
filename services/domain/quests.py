"""Quests and team missions: "N of a metric within a period", with a reward, from the event log.

A quest's metric is a badge metric (services/domain/badges.py: an event kind, filters on its data and a value), so leads
build quests from the same parts as badges; :func:`quest_metric` builds one from the usual filters (channel, rating,
tag, priority). An individual quest is completed by each agent on their own; a team mission by a team together, all
its agents adding to one shared progress. Completion is detected once and returned as a value: the caller records
it as a ``QUEST_COMPLETED`` event (the projection turns it into ledger entries) and notifies the agents.

Leads' edits are ``QUESTS_CHANGED`` events carrying every definition; :class:`QuestTracker` meets them at their place
in the log (live and in a replay) and feeds a new or edited quest the log again from its start.

A quest can repeat daily or weekly (issue 15): its period is then cut into rounds of a day or a week from its start,
each round counted and completed on its own (its completion's key names the round, so each round rewards once), until
a lead ends it. Rounds are a pure function of the events' times, so a replay finds the very same rounds; an edit feeds
a recurring quest the log again from the start of the round it falls in only, so the rounds over stand as they were.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from services.domain.badges import (
    CONVERSATION,
    ONE,
    Aggregate,
    Aggregation,
    BadgeError,
    Filter,
    FilterOperator,
    Metric,
    enum_value,
    metric_from_dict,
    translations_of,
)
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import day_start, floor_day, floor_zone, month_start, week_start
from services.domain.i18n import N_, Nn_, Phrase, Translations, _, localized, ngettext, phrase
from services.domain.scoring import Domain
from services.domain.text import MAX_DESCRIPTION, MAX_TITLE


class QuestError(BadgeError):
    """An invalid quest; the message is meant for the lead who edits it."""


QUEST_TEXTS = {'title': MAX_TITLE, 'description': MAX_DESCRIPTION}  # what a quest's translations hold


class QuestScope(str, Enum):
    INDIVIDUAL = 'individual'
    TEAM = 'team'


class Repeat(str, Enum):
    """Whether a quest is one period, or a new round every day or week from its start."""
    NONE = 'none'
    DAILY = 'daily'
    WEEKLY = 'weekly'


ROUND_LENGTHS = {Repeat.DAILY: timedelta(days=1), Repeat.WEEKLY: timedelta(days=7)}
UNTIL_ENDED = datetime(2100, 1, 1, tzinfo=UTC)  # a recurring quest's end until a lead ends it


def quest_metric(kind: EventKind | str, *, channel: str | None = None, rating: str | None = None,
                 tag: str | None = None, priority: str | None = None, value: str = ONE) -> Metric:
    """A metric with the usual quest filters, e.g. ``quest_metric('resolved', channel='social')``.

    A tag filters a tagging event's ``tag``, or the ``tags`` a conversation had when resolved. A filter the event kind
    does not carry raises :class:`BadgeError` ("Rated events have no field 'priority' to filter on …").
    """
    where = [Filter(field=name, values=(wanted,)) for name, wanted in
             (('channel', channel), ('rating', rating), ('priority', priority)) if wanted]
    if tag:
        where.append(Filter(field='tag', values=(tag,)) if kind == EventKind.TAGGED
                     else Filter(field='tags', operator=FilterOperator.CONTAINS, values=(tag,)))
    return Metric(kind=kind, where=tuple(where), value=value)  # type: ignore[arg-type]  # a str kind is validated


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestDefinition:
    """A quest, as leads edit it; validated when made (:class:`QuestError`)."""
    key: str  # stable identity: progress and completions refer to it
    title: str  # e.g. 'Resolve 25 social tickets this week'
    metric: Metric
    target: int  # N: the count (or sum) to reach
    starts_at: datetime  # the period is [starts_at, ends_at), by the events' times
    ends_at: datetime
    aggregation: Aggregation = Aggregation.COUNT  # count or sum
    scope: QuestScope = QuestScope.INDIVIDUAL
    reward_points: int = 0
    reward_domain: Domain = Domain.PRODUCTIVITY
    reward_badge: str | None = None  # a badge key, given for good when the quest is completed
    description: str = ''
    repeat: Repeat = Repeat.NONE  # daily or weekly: a new round each day or week from ``starts_at``
    # the title and description in other languages (services/domain/i18n.py's ``localized``): not a rule, not compared
    translations: Translations = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, 'translations', translations_of(self.translations, QUEST_TEXTS, QuestError))
        for name, enum, message in (
                ('aggregation', Aggregation, N_("Unknown aggregation '{value}' (known: {known})")),
                ('scope', QuestScope, N_("Unknown scope '{value}' (known: {known})")),
                ('reward_domain', Domain, N_("Unknown reward domain '{value}' (known: {known})")),
                ('repeat', Repeat, N_("Unknown repeat '{value}' (known: {known})"))):
            try:
                object.__setattr__(self, name, enum_value(enum, getattr(self, name), message))
            except BadgeError as error:
                raise QuestError(error.phrase.message, **error.phrase.values) from None
        if not self.key.strip() or not self.title.strip():
            raise QuestError(N_('A quest needs a key and a title'))
        if self.aggregation not in (Aggregation.COUNT, Aggregation.SUM):
            raise QuestError(N_("A quest counts or sums, it cannot take the aggregation '{aggregation}'"),
                             aggregation=self.aggregation.value)
        if self.aggregation == Aggregation.SUM and self.metric.value == CONVERSATION:
            raise QuestError(N_('Conversations can only be counted'))
        if self.target < 1:
            raise QuestError(N_('The target is at least 1'))
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise QuestError(N_('The period needs times with a time zone'))
        if self.ends_at <= self.starts_at:
            raise QuestError(N_('The quest must end after it starts'))
        if self.reward_points < 0:
            raise QuestError(N_('A reward cannot take points away'))
        if not self.reward_points and not self.reward_badge:
            raise QuestError(N_('A quest needs a reward: points, a badge or both'))

    def running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def round_at(self, moment: datetime) -> int | None:
        """The round a moment falls in (0 for a quest that does not repeat), or None outside the quest's period."""
        if not self.starts_at <= moment < self.ends_at:
            return None
        if self.repeat == Repeat.NONE:
            return 0
        number = (moment - self.starts_at) // ROUND_LENGTHS[self.repeat]
        # rounds are the floor's calendar days or weeks: across a clock change one is an hour shorter or longer
        while number > 0 and self._round_start(number) > moment:
            number -= 1
        while self._round_start(number + 1) <= moment:
            number += 1
        return number

    def round_span(self, number: int) -> tuple[datetime, datetime]:
        """A round's [start, end): the whole period for a quest that does not repeat; a last round ends with it."""
        if self.repeat == Repeat.NONE:
            return self.starts_at, self.ends_at
        return self._round_start(number), min(self._round_start(number + 1), self.ends_at)

    def _round_start(self, number: int) -> datetime:
        """The start of round ``number``: the quest's start, that many days or weeks later on the floor's clock."""
        zone = floor_zone()
        step = number * ROUND_LENGTHS[self.repeat]
        if zone is UTC:
            return self.starts_at + step
        return (self.starts_at.astimezone(zone) + step).astimezone(UTC)  # aware + timedelta: wall-clock arithmetic

    def counted_from(self, moment: datetime) -> datetime:
        """From when an edit or a start-up at ``moment`` feeds the quest the log again: from its start, or for a
        recurring quest from the start of the round ``moment`` falls in (the rounds over stand as they were)."""
        number = self.round_at(moment)
        if self.repeat == Repeat.NONE or number is None:
            return self.starts_at if moment < self.ends_at else self.ends_at
        return self.round_span(number)[0]

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (read when shown), else the default one."""
        return localized(self.title, self.translations, 'title')

    @property
    def shown_description(self) -> str:
        return localized(self.description, self.translations, 'description')

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, read back by :func:`quest_from_dict`."""
        return {'key': self.key, 'title': self.title, 'description': self.description, 'target': self.target,
                'metric': {'kind': self.metric.kind.value, 'value': self.metric.value,
                           'where': [{'field': f.field, 'operator': f.operator.value, 'values': list(f.values)}
                                     for f in self.metric.where]},
                'starts_at': self.starts_at.isoformat(), 'ends_at': self.ends_at.isoformat(),
                'aggregation': self.aggregation.value, 'scope': self.scope.value, 'reward_points': self.reward_points,
                'reward_domain': self.reward_domain.value, 'reward_badge': self.reward_badge,
                'repeat': self.repeat.value,
                'translations': {language: dict(texts) for language, texts in self.translations.items()}}


def quest_from_dict(data: Mapping[str, Any]) -> QuestDefinition:
    """Read a quest from :meth:`QuestDefinition.as_dict` (or a lead's form); raise :class:`BadgeError` (or its
    :class:`QuestError`)."""
    return QuestDefinition(**{**data, 'metric': metric_from_dict(data['metric']),
                              'starts_at': datetime.fromisoformat(data['starts_at']),
                              'ends_at': datetime.fromisoformat(data['ends_at'])})


def quests_from_data(data: Mapping[str, Any]) -> tuple[QuestDefinition, ...]:
    """The definitions a ``QUESTS_CHANGED`` event carries."""
    return tuple(quest_from_dict(quest) for quest in data['quests'])


class Preset(str, Enum):
    """The periods a lead picks from (the floor's days, like the leaderboards'), or custom first and last days."""
    TODAY = 'today'
    THIS_WEEK = 'this_week'
    THIS_MONTH = 'this_month'
    CUSTOM = 'custom'


def period(preset: Preset | str, now: datetime, *, first_day: date | None = None,
           last_day: date | None = None) -> tuple[datetime, datetime]:
    """The [start, end) of a preset at ``now``, or of the custom days (both included)."""
    preset = enum_value(Preset, preset, N_("Unknown period '{value}' (known: {known})"))
    today = floor_day(now)
    if preset == Preset.TODAY:
        first, after = today, today + timedelta(days=1)
    elif preset == Preset.THIS_WEEK:
        first = week_start(today)
        after = first + timedelta(days=7)
    elif preset == Preset.THIS_MONTH:
        first = month_start(today)
        after = (first + timedelta(days=32)).replace(day=1)
    else:
        if first_day is None or last_day is None:
            raise QuestError(N_('A custom period needs its first and last day'))
        if last_day < first_day:
            raise QuestError(N_('The last day comes after the first'))
        first, after = first_day, last_day + timedelta(days=1)
    return day_start(first), day_start(after)


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestCompletion:
    """A quest completed: recorded as a ``QUEST_COMPLETED`` event (:meth:`as_data`) whose reward the projection folds
    into one ledger entry per agent."""
    quest: str
    title: str
    scope: QuestScope
    holder: int  # the agent, or the team of a mission
    agent_ids: tuple[int, ...]  # who are rewarded: the agent, or every agent of the team at completion
    team_id: int | None
    event_id: int  # the event that completed it: for the receipt
    conversation_id: int | None  # the completing event's
    by: int  # the agent of the completing event
    at: datetime
    value: float
    target: int
    points: int
    domain: Domain
    badge: str | None
    round: int | None = None  # a recurring quest's round (0, 1, …); None for a quest that does not repeat

    @property
    def key(self) -> str:
        """The idempotency key of its event: a quest (a recurring quest's round) is completed once per agent (or
        team), however often it is detected (a repeated event, a restart, an edit fed again)."""
        return completion_key(self.quest, self.scope, self.holder, self.round)

    def as_data(self) -> dict[str, Any]:
        return {'quest': self.quest, 'title': self.title, 'scope': self.scope.value, 'holder': self.holder,
                'round': self.round,
                'team_id': self.team_id, 'agent_ids': list(self.agent_ids), 'points': self.points,
                'domain': self.domain.value, 'badge': self.badge, 'value': self.value, 'target': self.target,
                'event_id': self.event_id, 'conversation_id': self.conversation_id, 'by': self.by}


def completion_key(quest: str, scope: QuestScope | str, holder: int, round_number: int | None = None) -> str:
    """``quest:{key}:{agent|team}:{id}``, and ``:round:{n}`` for a recurring quest's round."""
    suffix = '' if round_number is None else f':round:{round_number}'
    return f'quest:{quest}:{"team" if scope == QuestScope.TEAM else "agent"}:{holder}{suffix}'


def logged_key(data: Mapping[str, Any]) -> str:
    """The completion key of a ``QUEST_COMPLETED`` event's data (logged before rounds existed: no round)."""
    return completion_key(data['quest'], data['scope'], data['holder'], data.get('round'))


def round_label(quest: 'QuestDefinition', number: int | None) -> int | None:
    """What a completion records as its round: the number for a recurring quest, None otherwise."""
    return None if quest.repeat == Repeat.NONE else number


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestProgress:
    quest: QuestDefinition
    value: float
    share: float  # 0..1, for the progress bar
    completed: bool
    team_id: int | None = None
    round: int = 0  # the round shown (a recurring quest's)


class QuestBoard:
    """Each quest's progress per agent (or per team), fed committed events in id order (passed ids are ignored).

    ``team_of`` maps agent ids to team ids; it is read when an event arrives (keep it current), and agents without a
    team do not take part in team missions. A new or edited quest needs a new board fed the log from its start
    (:class:`QuestTracker` does that).
    """

    def __init__(self, quests: Sequence[QuestDefinition], *, team_of: Mapping[int, int | None] | None = None) -> None:
        self.quests = {quest.key: quest for quest in quests}
        if len(self.quests) < len(quests):
            raise QuestError(N_('Two quests have the same key'))
        self.team_of: Mapping[int, int | None] = team_of if team_of is not None else {}
        # key -> (round, agent/team id): a quest that does not repeat has round 0 only
        self.aggregates: dict[str, dict[tuple[int, int], Aggregate]] = {key: {} for key in self.quests}
        self.completed: dict[str, set[tuple[int, int]]] = {key: set() for key in self.quests}  # (round, holder) done
        self.latest_round: dict[str, int] = {key: 0 for key in self.quests}  # the latest round an event counted in
        self.counted_from: dict[str, datetime] = {}  # key -> events before this are not counted (see QuestTracker)
        self.last_event_id = 0
        self.kinds: dict[EventKind, list[QuestDefinition]] = {}
        for quest in quests:
            self.kinds.setdefault(quest.metric.kind, []).append(quest)

    def feed(self, event: GameEvent, *, capped: bool = False) -> list[QuestCompletion]:
        """Count one event; return the quests it completes (each only once per agent or team). A ``capped`` event,
        whose points a cap took (services/domain/scoring.py's :func:`capped`), counts for no quest either."""
        if event.id <= self.last_event_id:
            return []
        self.last_event_id = event.id
        if capped:
            return []
        completions = []
        for quest in self.kinds.get(event.kind, ()):
            number = quest.round_at(event.occurred_at)
            if number is None or event.occurred_at < self.counted_from.get(quest.key, quest.starts_at):
                continue
            value = quest.metric.fact(event)
            if value is None:
                continue
            assert event.agent_id is not None  # metrics only count events with an agent
            holder = event.agent_id if quest.scope == QuestScope.INDIVIDUAL else self.team_of.get(event.agent_id)
            if holder is None:
                continue
            self.latest_round[quest.key] = max(self.latest_round[quest.key], number)
            aggregate = self.aggregates[quest.key].get((number, holder))
            if aggregate is None:
                aggregate = self.aggregates[quest.key][number, holder] = Aggregate()
            aggregate.add(value, distinct=quest.metric.value == CONVERSATION)
            reached = aggregate.result(quest.aggregation, quest.metric)
            if (number, holder) not in self.completed[quest.key] and reached >= quest.target:
                self.completed[quest.key].add((number, holder))
                completions.append(self._complete(quest, holder, event, reached, number))
        return completions

    def feed_all(self, events: Iterable[GameEvent]) -> list[QuestCompletion]:
        return [completion for event in events for completion in self.feed(event)]

    def mark_done(self, quest: str, scope: QuestScope | str, holder: int, round_number: int | None = None) -> None:
        """Count a completion recorded before (under an earlier definition, or before a restart) as done."""
        if quest in self.quests and self.quests[quest].scope == scope:
            self.completed[quest].add((round_number or 0, holder))

    def progress(self, key: str, agent_id: int, now: datetime | None = None) -> QuestProgress:
        """An agent's progress in a quest (in the round running at ``now``, else the latest one counted): their own,
        or their team's shared progress in a team mission."""
        quest = self.quests[key]
        team_id = self.team_of.get(agent_id) if quest.scope == QuestScope.TEAM else None
        holder = agent_id if quest.scope == QuestScope.INDIVIDUAL else team_id
        return self.holder_progress(key, holder, team_id=team_id, now=now)

    def holder_progress(self, key: str, holder: int | None, *, team_id: int | None = None,
                        number: int | None = None, now: datetime | None = None) -> QuestProgress:
        """The progress of one holder (an agent in a quest, a team in a mission: the wall shows each team's) in round
        ``number``, else the round running at ``now``, else the latest one counted."""
        quest = self.quests[key]
        if number is None:
            number = quest.round_at(now) if now is not None else None
            number = self.latest_round[key] if number is None else number
        aggregate = self.aggregates[key].get((number, holder)) if holder is not None else None
        value = aggregate.result(quest.aggregation, quest.metric) if aggregate else 0
        return QuestProgress(quest=quest, value=value, share=min(1.0, max(0.0, value / quest.target)),
                             completed=(number, holder) in self.completed[key], team_id=team_id, round=number)

    def progress_for(self, agent_id: int, now: datetime) -> list[QuestProgress]:
        """The progress card's bars: every quest running at ``now`` the agent takes part in, by end time."""
        in_team = self.team_of.get(agent_id) is not None
        return [self.progress(quest.key, agent_id, now)
                for quest in sorted(self.quests.values(), key=lambda quest: _by_end(quest, now))
                if quest.running(now) and (quest.scope == QuestScope.INDIVIDUAL or in_team)]

    def _complete(self, quest: QuestDefinition, holder: int, event: GameEvent, value: float,
                  number: int) -> QuestCompletion:
        assert event.agent_id is not None
        if quest.scope == QuestScope.INDIVIDUAL:
            agent_ids, team_id = (holder,), None
        else:
            agent_ids, team_id = tuple(sorted(a for a, team in self.team_of.items() if team == holder)), holder
        return QuestCompletion(quest=quest.key, title=quest.title, scope=quest.scope, holder=holder,
                               agent_ids=agent_ids, team_id=team_id, event_id=event.id,
                               conversation_id=event.conversation_id, by=event.agent_id, at=event.occurred_at,
                               value=value, target=quest.target, points=quest.reward_points,
                               domain=quest.reward_domain, badge=quest.reward_badge,
                               round=round_label(quest, number))


class QuestTracker:
    """A :class:`QuestBoard` whose quests change at ``QUESTS_CHANGED`` events (pure: the caller reads the log).

    The live service and the replay (``rebuild --check``) run the same tracker over the same events, so they find the
    same completions. A quest over at the time of an edit is dropped from the board: its results stand.
    """

    def __init__(self, quests: Sequence[QuestDefinition] = (), *,
                 team_of: Mapping[int, int | None] | None = None) -> None:
        self.team_of: Mapping[int, int | None] = team_of if team_of is not None else {}
        self.board = QuestBoard(quests, team_of=self.team_of)
        # every completion found, under any definition: (quest, scope, holder, round or None)
        self.done: set[tuple[str, QuestScope, int, int | None]] = set()

    def apply(self, event: GameEvent, *, capped: bool = False) -> list[QuestCompletion]:
        """Feed an event other than ``QUESTS_CHANGED`` (see :meth:`redefine`); ``capped``: a cap took its points."""
        completions = self.board.feed(event, capped=capped)
        self.done.update((c.quest, c.scope, c.holder, c.round) for c in completions)
        return completions

    def mark_done(self, quest: str, scope: QuestScope | str, holder: int, round_number: int | None = None) -> None:
        scope = QuestScope(scope)
        self.done.add((quest, scope, holder, round_number))
        self.board.mark_done(quest, scope, holder, round_number)

    def count_from(self, moment: datetime) -> None:
        """Start-up feeds the log from ``moment`` on: a recurring quest counts from the start of its round then."""
        self.board.counted_from = {quest.key: quest.counted_from(moment) for quest in self.board.quests.values()}

    def to_feed(self, event: GameEvent) -> list[QuestDefinition]:
        """The quests of a ``QUESTS_CHANGED`` event that are new or edited: :meth:`redefine` needs the log's events
        before the edit from their earliest start (of their metrics' kinds)."""
        return [quest for quest in kept(event) if self.board.quests.get(quest.key) != quest]

    def redefine(self, event: GameEvent, earlier: Iterable[GameEvent]) -> list[QuestCompletion]:
        """Apply a ``QUESTS_CHANGED`` event; return the completions the new or edited quests reach at once (a lower
        target, an earlier start). ``earlier`` leaves out the capped events (the quests do not count them)."""
        if event.id <= self.board.last_event_id:
            return []
        quests = kept(event)
        fresh = QuestBoard([quest for quest in quests if self.board.quests.get(quest.key) != quest],
                           team_of=self.team_of)
        fresh.counted_from = {quest.key: quest.counted_from(event.occurred_at) for quest in fresh.quests.values()}
        for quest, scope, holder, number in self.done:
            fresh.mark_done(quest, scope, holder, number)
        completions = [completion for e in earlier if e.id < event.id for completion in fresh.feed(e)]
        board = QuestBoard(quests, team_of=self.team_of)
        for quest in quests:
            source = fresh if quest.key in fresh.quests else self.board
            board.aggregates[quest.key] = source.aggregates[quest.key]
            board.completed[quest.key] = source.completed[quest.key]
            board.latest_round[quest.key] = source.latest_round[quest.key]
            if quest.key in source.counted_from:
                board.counted_from[quest.key] = source.counted_from[quest.key]
        board.last_event_id = event.id
        self.board = board
        self.done.update((c.quest, c.scope, c.holder, c.round) for c in completions)
        return completions


def kept(event: GameEvent) -> list[QuestDefinition]:
    """The quests of a ``QUESTS_CHANGED`` event a board keeps: those not over at its time."""
    return [quest for quest in quests_from_data(event.data) if quest.ends_at > event.occurred_at]


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestBar:
    """One progress bar of the agent's card."""
    key: str
    title: str
    description: str
    value: float
    target: int
    share: float
    ends_at: datetime
    left: timedelta  # until ``ends_at``, when the bar was made
    team: bool  # a team mission: the team's shared progress
    done: bool
    reward_points: int
    reward_domain: Domain
    reward_badge: bool
    repeat: str = ''  # '' | 'daily' | 'weekly': the bar is this round's, ``ends_at`` the round's end
    translations: Translations = field(default_factory=dict, compare=False)  # the quest's, for the reader's language

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (read when shown), else the default one."""
        return localized(self.title, self.translations, 'title')

    @property
    def shown_description(self) -> str:
        return localized(self.description, self.translations, 'description')

    @property
    def time_left(self) -> str:
        """'3 days left', in the reader's language (a bar is made once for all its agent's tabs)."""
        return time_left(self.left)

    @property
    def reward(self) -> str:
        """'+50 productivity', '+20 quality and a badge', in the reader's language."""
        return reward_words(self.reward_points, self.reward_domain, self.reward_badge)


def quest_bars(progress: Iterable[QuestProgress], now: datetime) -> tuple[QuestBar, ...]:
    bars = []
    for p in progress:
        ends_at = p.quest.round_span(p.round)[1]
        bars.append(QuestBar(key=p.quest.key, title=p.quest.title, description=p.quest.description,
                             translations=p.quest.translations,
                             value=p.value, target=p.quest.target, share=p.share, ends_at=ends_at,
                             left=ends_at - now, team=p.quest.scope == QuestScope.TEAM, done=p.completed,
                             reward_points=p.quest.reward_points, reward_domain=p.quest.reward_domain,
                             reward_badge=bool(p.quest.reward_badge),
                             repeat='' if p.quest.repeat == Repeat.NONE else p.quest.repeat.value))
    return tuple(bars)


def time_left(left: timedelta) -> str:
    """'3 days left', '5 h left', '1 min left', in the language in force."""
    hours = left.total_seconds() / 3600
    if hours >= 48:
        days = int(hours // 24)
        return ngettext('{count} day left', '{count} days left', days).format(count=days)
    if hours >= 1:
        return ngettext('{count} h left', '{count} h left', int(hours)).format(count=int(hours))
    minutes = max(1, int(hours * 60))
    return ngettext('{count} min left', '{count} min left', minutes).format(count=minutes)  # as the boss bar's


# a quest's reward in short, each a whole phrase (a language may write the domain's word to agree with the number)
_REWARD = {
    (False, Domain.QUALITY): Nn_('+{points} quality', '+{points} quality'),
    (False, Domain.SPEED): Nn_('+{points} speed', '+{points} speed'),
    (False, Domain.PRODUCTIVITY): Nn_('+{points} productivity', '+{points} productivity'),
    (True, Domain.QUALITY): Nn_('+{points} quality and a badge', '+{points} quality and a badge'),
    (True, Domain.SPEED): Nn_('+{points} speed and a badge', '+{points} speed and a badge'),
    (True, Domain.PRODUCTIVITY): Nn_('+{points} productivity and a badge', '+{points} productivity and a badge')}


def reward_words(points: int, domain: Domain, badge: bool) -> str:
    """'+50 productivity', '+20 quality and a badge', 'a badge' (or '' for no reward), in the language in force."""
    if not points:
        return _('a badge') if badge else ''
    return ngettext(*_REWARD[badge, domain], points).format(points=points)


def reward_text(quest: QuestDefinition) -> str:
    return reward_words(quest.reward_points, quest.reward_domain, bool(quest.reward_badge))




def _by_end(quest: QuestDefinition, now: datetime) -> tuple[datetime, str]:
    """Sorts the bars by when they end: a recurring quest by its round's end."""
    number = quest.round_at(now)
    return quest.round_span(number or 0)[1], quest.key


# a completed quest's reward, each a whole sentence (the domain's word agrees with its number and case in each language)
_EARNED = {
    (False, Domain.QUALITY): Nn_('You earn {points} quality point.', 'You earn {points} quality points.'),
    (False, Domain.SPEED): Nn_('You earn {points} speed point.', 'You earn {points} speed points.'),
    (False, Domain.PRODUCTIVITY): Nn_('You earn {points} productivity point.',
                                   'You earn {points} productivity points.'),
    (True, Domain.QUALITY): Nn_('Everyone in the team earns {points} quality point.',
                             'Everyone in the team earns {points} quality points.'),
    (True, Domain.SPEED): Nn_('Everyone in the team earns {points} speed point.',
                           'Everyone in the team earns {points} speed points.'),
    (True, Domain.PRODUCTIVITY): Nn_('Everyone in the team earns {points} productivity point.',
                                  'Everyone in the team earns {points} productivity points.')}
_BADGE_EARNED = {False: N_('You earn a badge.'), True: N_('Everyone in the team earns a badge.')}


def completion_notice(completion: QuestCompletion) -> Phrase:
    """What the agents who completed a quest (or a team mission) are told, worded when their tab shows it."""
    mission = completion.scope == QuestScope.TEAM
    title: Phrase | str = completion.title if completion.round is None else \
        phrase(N_('{title} (round {round})'), title=completion.title, round=completion.round + 1)
    headline = phrase(N_("Team mission accomplished: '{title}'!") if mission else N_("Quest completed: '{title}'!"),
                      title=title)
    rewards = []
    if completion.points:
        singular, plural = _EARNED[mission, completion.domain]
        rewards.append(phrase(singular, plural, completion.points, points=f'+{completion.points}'))
    if completion.badge:
        rewards.append(phrase(_BADGE_EARNED[mission]))
    return phrase(N_('{headline} {rewards}'), headline=headline,
                  rewards=lambda: ' '.join(reward.text() for reward in rewards))
