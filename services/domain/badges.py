"""Badges: definitions built from data-driven metrics over the event log, and their pure, incremental evaluation.

A :class:`Metric` says which facts an event contributes: an event kind, optional filters on its ``data`` and which
value counts (1, a numeric data field, or the conversation, counted once). Badges aggregate an agent's facts over a
window of the floor's days (in its time zone: ``floor_calendar.py``) and go to the agents with the highest (or lowest)
result. The same metrics drive quests (services/domain/quests.py), so leads build both from the same parts.

Windows are whole days: ``rolling_7d`` is now's day and the six days before it, ``previous_day`` is the day before
now's day. Holders can therefore only change when an event arrives or at the floor's midnight, so :class:`BadgeBoard`
records the complete history of who held what when, the same live and in a rebuild.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from services.domain.errors import PROBLEM, ActionError, PhrasedError
from services.domain.events import EventKind, GameEvent
from services.domain.floor_calendar import day_bounds, day_start, floor_day, next_day_start
from services.domain.i18n import N_, Translations, localized
from services.domain.text import MAX_BADGE_DESCRIPTION, MAX_NAME, checked_translations

E = TypeVar('E', bound=Enum)


class BadgeError(PhrasedError, ValueError):
    """An invalid badge or metric definition; the message is meant for the lead who edits it (worded where read:
    :class:`PhrasedError`)."""


def enum_value(enum: type[E], value: Any, message: str) -> E:
    """``enum(value)``, or a :class:`BadgeError` with ``message`` (a whole sentence marked with ``N_()``, its
    placeholders ``{value}`` and ``{known}``: the choices)."""
    try:
        return enum(value)
    except ValueError:
        raise BadgeError(message, value=value, known=', '.join(member.value for member in enum)) from None


class Aggregation(str, Enum):
    COUNT = 'count'
    SUM = 'sum'
    AVERAGE = 'average'
    MAX = 'max'
    MIN = 'min'


class Window(str, Enum):
    ROLLING_7D = 'rolling_7d'
    PREVIOUS_DAY = 'previous_day'


class Direction(str, Enum):
    HIGHEST = 'highest'
    LOWEST = 'lowest'


class BadgeKind(str, Enum):
    METRIC = 'metric'  # the best result of a metric
    RANDOM = 'random'  # a lucky draw among the agents active on a day (Quatrefoil)
    AWARDED = 'awarded'  # given for good as a quest's reward: never ranked, held by the agents of QUEST_COMPLETED


class FilterOperator(str, Enum):
    IS = 'is'  # the field is one of the values
    IS_NOT = 'is_not'  # the field is none of the values (a missing field is none of them)
    CONTAINS = 'contains'  # a list field holds at least one of the values
    PRESENT = 'present'  # the field is there and not null


BADGE_TEXTS = {'name': MAX_NAME, 'description': MAX_BADGE_DESCRIPTION}  # what a badge's translations hold


def translations_of(value: object, limits: Mapping[str, int], error: type[PhrasedError]) -> Translations:
    """A definition's translations, checked (:func:`services.domain.text.checked_translations`), or ``error``."""
    try:
        return checked_translations(value, limits)
    except ActionError as problem:  # worded already, in the language in force
        raise error(PROBLEM, problem=str(problem)) from None


ONE = 'one'  # Metric.value: each matching event counts 1
CONVERSATION = 'conversation'  # Metric.value: each conversation counts once (only with count)

NUMBER, TEXT, TEXTS = 'number', 'text', 'texts'
# the data fields each event kind carries (see services/domain/events.py and the services that record them), by type
EVENT_FIELDS: dict[EventKind, dict[str, str]] = {
    EventKind.CONVERSATION_CREATED: {'channel': TEXT, 'priority': TEXT},
    EventKind.CUSTOMER_MESSAGE: {'length': NUMBER},
    EventKind.ASSIGNED: {'channel': TEXT},
    EventKind.REPLIED: {'length': NUMBER, 'channel': TEXT, 'canned': TEXT, 'first_response_seconds': NUMBER},
    EventKind.RESOLVED: {'channel': TEXT, 'inbound_count': NUMBER, 'duration_seconds': NUMBER, 'priority': TEXT,
                         'tags': TEXTS},
    EventKind.REOPENED: {'reason': TEXT},
    EventKind.RATED: {'rating': TEXT, 'channel': TEXT},
    EventKind.ABANDONED: {'channel': TEXT, 'waited_seconds': NUMBER},
    EventKind.TAGGED: {'tag': TEXT},
    EventKind.UNTAGGED: {'tag': TEXT},
    EventKind.NOTE_ADDED: {'length': NUMBER},
    EventKind.TRANSFERRED: {'note_length': NUMBER, 'channel': TEXT, 'status': TEXT},
    EventKind.VIEWED: {'seconds': NUMBER},
    EventKind.PRIORITY_CHANGED: {'priority': TEXT, 'previous': TEXT, 'by': TEXT},
    EventKind.ESCALATED: {'policy': TEXT, 'target': TEXT, 'action': TEXT},
    EventKind.RULE_APPLIED: {'rule': TEXT, 'action': TEXT},
    EventKind.PRESENCE_CHANGED: {'status': TEXT, 'previous': TEXT, 'seconds': NUMBER},
    EventKind.CHAT_MESSAGE: {'length': NUMBER},
    EventKind.CUSTOMER_UPDATED: {},
    EventKind.CANNED_REPLY_SAVED: {'shortcut': TEXT, 'length': NUMBER},
    EventKind.CANNED_REPLY_DELETED: {'shortcut': TEXT},
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Filter:
    """A condition on one data field of an event, e.g. ``Filter(field='rating', values=('bad',))``."""
    field: str
    operator: FilterOperator = FilterOperator.IS
    values: tuple[str | int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, 'operator', enum_value(FilterOperator, self.operator,
                                                        N_("Unknown filter '{value}' (known: {known})")))
        object.__setattr__(self, 'values', tuple(self.values))

    def matches(self, data: Mapping[str, Any]) -> bool:
        value = data.get(self.field)
        if self.operator == FilterOperator.IS:
            return value in self.values
        if self.operator == FilterOperator.IS_NOT:
            return value not in self.values
        if self.operator == FilterOperator.CONTAINS:
            return isinstance(value, (list, tuple)) and any(item in value for item in self.values)
        return value is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class Metric:
    """Which facts events contribute to their agent (``event.agent_id``); validated when made."""
    kind: EventKind
    where: tuple[Filter, ...] = ()
    value: str = ONE  # ONE, CONVERSATION or the name of a numeric data field

    def __post_init__(self) -> None:
        object.__setattr__(self, 'kind', enum_value(EventKind, self.kind,
                                                    N_("Unknown event kind '{value}' (known: {known})")))
        fields = EVENT_FIELDS.get(self.kind, {})
        kind, known = self.kind.value, ', '.join(fields) or '-'
        object.__setattr__(self, 'where', tuple(self.where))
        for condition in self.where:
            field_type = fields.get(condition.field)
            if field_type is None:
                raise BadgeError(N_("Events '{kind}' have no field '{field}' to filter on (known: {known})"),
                                 kind=kind, field=condition.field, known=known)
            if condition.operator == FilterOperator.CONTAINS and field_type != TEXTS:
                raise BadgeError(N_("'{field}' of the events '{kind}' is not a list: use 'is' instead of 'contains'"),
                                 field=condition.field, kind=kind)
            if condition.operator in (FilterOperator.IS, FilterOperator.CONTAINS) and not condition.values:
                raise BadgeError(N_("The filter on '{field}' needs at least one value"), field=condition.field)
            if field_type == NUMBER:  # a form sends text: compare numbers with numbers
                object.__setattr__(condition, 'values', tuple(_number(condition.field, v) for v in condition.values))
        if self.value not in (ONE, CONVERSATION):
            field_type = fields.get(self.value)
            if field_type is None:
                raise BadgeError(N_("Events '{kind}' have no field '{field}' to measure (known: {known}; or '{one}' "
                                    "to count events, '{conversation}' to count conversations)"),
                                 kind=kind, field=self.value, known=known, one=ONE, conversation=CONVERSATION)
            if field_type != NUMBER:
                raise BadgeError(N_("'{field}' of the events '{kind}' is not a number: it can only filter"),
                                 field=self.value, kind=kind)

    def fact(self, event: GameEvent) -> float | int | None:
        """The value ``event`` contributes (the conversation id for CONVERSATION), or None if it contributes nothing."""
        if event.kind != self.kind or event.agent_id is None:
            return None
        data = event.data
        for condition in self.where:
            if not condition.matches(data):
                return None
        if self.value == ONE:
            return 1
        if self.value == CONVERSATION:
            return event.conversation_id
        value = data.get(self.value)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True, kw_only=True, slots=True)
class BadgeDefinition:
    """One badge, as leads edit it; validated when made (:class:`BadgeError`)."""
    key: str  # stable identity: holders and history refer to it
    name: str
    description: str
    image: str  # an asset name (built in or uploaded)
    metric: Metric | None = None  # None only for RANDOM badges
    aggregation: Aggregation = Aggregation.COUNT
    window: Window = Window.ROLLING_7D
    direction: Direction = Direction.HIGHEST
    minimum_volume: int = 1  # contributing facts in the window an agent needs to qualify
    teasing: bool = False  # shown only to its holder and leads unless the team opts in
    kind: BadgeKind = BadgeKind.METRIC
    rarity: float = 0.0  # RANDOM: the chance of each active agent on each day
    # the name and description in other languages (services/domain/i18n.py's ``localized``): not a rule, so not compared
    translations: Translations = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, 'translations', translations_of(self.translations, BADGE_TEXTS, BadgeError))
        for name, enum, message in (
                ('aggregation', Aggregation, N_("Unknown aggregation '{value}' (known: {known})")),
                ('window', Window, N_("Unknown window '{value}' (known: {known})")),
                ('direction', Direction, N_("Unknown direction '{value}' (known: {known})")),
                ('kind', BadgeKind, N_("Unknown kind of badge '{value}' (known: {known})"))):
            object.__setattr__(self, name, enum_value(enum, getattr(self, name), message))
        if not self.key.strip() or not self.name.strip():
            raise BadgeError(N_('A badge needs a key and a name'))
        if self.minimum_volume < 1:
            raise BadgeError(N_('The minimum volume is at least 1'))
        if self.kind == BadgeKind.AWARDED:
            object.__setattr__(self, 'metric', None)  # nothing to measure: quests give it
            return
        if self.kind == BadgeKind.RANDOM:
            if not 0 < self.rarity <= 1:
                raise BadgeError(N_('The chance of a random badge is between 0 and 1, not {rarity}'),
                                 rarity=self.rarity)
            return
        if self.metric is None:
            raise BadgeError(N_("The badge '{name}' needs a metric"), name=self.name)
        if self.metric.value == CONVERSATION and self.aggregation != Aggregation.COUNT:
            raise BadgeError(N_("Conversations can only be counted, not given the aggregation '{aggregation}'"),
                             aggregation=self.aggregation.value)
        if self.metric.value == ONE and self.aggregation not in (Aggregation.COUNT, Aggregation.SUM):
            raise BadgeError(N_("Each event counts 1, so the aggregation '{aggregation}' means nothing: count them, "
                                'or measure a number field'), aggregation=self.aggregation.value)

    @property
    def shown_name(self) -> str:
        """The name in the reader's language (read when shown), else the default one."""
        return localized(self.name, self.translations, 'name')

    @property
    def shown_description(self) -> str:
        return localized(self.description, self.translations, 'description')

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, read back by :func:`badge_from_dict`."""
        metric = None if self.metric is None else {
            'kind': self.metric.kind.value, 'value': self.metric.value,
            'where': [{'field': f.field, 'operator': f.operator.value, 'values': list(f.values)}
                      for f in self.metric.where]}
        return {'key': self.key, 'name': self.name, 'description': self.description, 'image': self.image,
                'metric': metric, 'aggregation': self.aggregation.value, 'window': self.window.value,
                'direction': self.direction.value, 'minimum_volume': self.minimum_volume, 'teasing': self.teasing,
                'kind': self.kind.value, 'rarity': self.rarity,
                'translations': {language: dict(texts) for language, texts in self.translations.items()}}


def badge_from_dict(data: Mapping[str, Any]) -> BadgeDefinition:
    """Read a definition from :meth:`BadgeDefinition.as_dict` (or a lead's form); raise :class:`BadgeError`."""
    return BadgeDefinition(**{**data, 'metric': metric_from_dict(data['metric']) if data.get('metric') else None})


def metric_from_dict(data: Mapping[str, Any]) -> Metric:
    where = tuple(Filter(field=f['field'], operator=f.get('operator', FilterOperator.IS),
                         values=tuple(f.get('values', ()))) for f in data.get('where', ()))
    return Metric(kind=data['kind'], where=where, value=data.get('value', ONE))


# LiveAgent's fifteen defaults; presence statuses are services/helpdesk/presence.py's: online, away, on_break, offline.
# The set a log starts with, before its first BADGES_CHANGED: never change it, every floor's history replays with it (a
# new default goes into DEFAULT_BADGES, which a new floor records as its first badge edit).
FIRST_BADGES: tuple[BadgeDefinition, ...] = (
    BadgeDefinition(key='traffic_controller', name='Traffic controller', description='Most transfers in 7 days',
                    image='badges/traffic_controller.svg', metric=Metric(kind=EventKind.TRANSFERRED)),
    BadgeDefinition(key='siesta', name='Siesta', description='Longest total break time in 7 days',
                    image='badges/siesta.svg', teasing=True, aggregation=Aggregation.SUM,
                    metric=Metric(kind=EventKind.PRESENCE_CHANGED, value='seconds',
                                  where=(Filter(field='previous', values=('on_break',)),))),
    BadgeDefinition(key='rebel', name='Rebel without a cause', description='Most negative ratings in 7 days',
                    image='badges/rebel.svg', teasing=True,
                    metric=Metric(kind=EventKind.RATED, where=(Filter(field='rating', values=('bad',)),))),
    BadgeDefinition(key='inspector', name='Inspector', description='Longest average viewing time yesterday',
                    image='badges/inspector.svg', aggregation=Aggregation.AVERAGE, window=Window.PREVIOUS_DAY,
                    minimum_volume=3, metric=Metric(kind=EventKind.VIEWED, value='seconds')),
    BadgeDefinition(key='speedy_gonzales', name='Speedy Gonzales',
                    description='Fastest average first reaction to incoming chats yesterday',
                    image='badges/speedy_gonzales.svg', aggregation=Aggregation.AVERAGE, window=Window.PREVIOUS_DAY,
                    direction=Direction.LOWEST, minimum_volume=3,
                    metric=Metric(kind=EventKind.REPLIED, value='first_response_seconds',
                                  where=(Filter(field='channel', values=('chat',)),
                                         Filter(field='first_response_seconds', operator=FilterOperator.PRESENT)))),
    BadgeDefinition(key='rewarded', name='Rewarded', description='Most positive ratings in 7 days',
                    image='badges/rewarded.svg',
                    metric=Metric(kind=EventKind.RATED, where=(Filter(field='rating', values=('good',)),))),
    BadgeDefinition(key='coffee', name='Coffee', description='Most breaks in 7 days', image='badges/coffee.svg',
                    teasing=True,
                    metric=Metric(kind=EventKind.PRESENCE_CHANGED,
                                  where=(Filter(field='status', values=('on_break',)),))),
    BadgeDefinition(key='novelist', name='Novelist', description='Longest reply yesterday',
                    image='badges/novelist.svg', aggregation=Aggregation.MAX, window=Window.PREVIOUS_DAY,
                    metric=Metric(kind=EventKind.REPLIED, value='length')),
    BadgeDefinition(key='tagger', name='Tagger', description='Most tagged conversations in 7 days',
                    image='badges/tagger.svg', metric=Metric(kind=EventKind.TAGGED, value=CONVERSATION)),
    BadgeDefinition(key='quatrefoil', name='Quatrefoil', description='Random and rare: it brings luck for a week',
                    image='badges/quatrefoil.svg', kind=BadgeKind.RANDOM, rarity=0.05),
    BadgeDefinition(key='express', name='Express', description='Shortest average viewing time yesterday',
                    image='badges/express.svg', aggregation=Aggregation.AVERAGE, window=Window.PREVIOUS_DAY,
                    direction=Direction.LOWEST, minimum_volume=3,
                    metric=Metric(kind=EventKind.VIEWED, value='seconds')),
    BadgeDefinition(key='worker', name='Worker', description='Most time online in 7 days', image='badges/worker.svg',
                    aggregation=Aggregation.SUM,
                    metric=Metric(kind=EventKind.PRESENCE_CHANGED, value='seconds',  # breaks are Siesta's
                                  where=(Filter(field='previous', values=('online', 'away')),))),
    BadgeDefinition(key='chatty', name='Chatty', description='Longest chat yesterday', image='badges/chatty.svg',
                    aggregation=Aggregation.MAX, window=Window.PREVIOUS_DAY,
                    metric=Metric(kind=EventKind.RESOLVED, value='duration_seconds',
                                  where=(Filter(field='channel', values=('chat',)),))),
    BadgeDefinition(key='cleaner', name='Cleaner', description='Most resolved conversations in 7 days',
                    image='badges/cleaner.svg', metric=Metric(kind=EventKind.RESOLVED)),
    BadgeDefinition(key='talker', name='Talker', description='Longest call yesterday', image='badges/talker.svg',
                    aggregation=Aggregation.MAX, window=Window.PREVIOUS_DAY,
                    metric=Metric(kind=EventKind.RESOLVED, value='duration_seconds',
                                  where=(Filter(field='channel', values=('phone',)),))),
)

# Worker as first shipped ranked time online and away but not on a break, so a break alone could cost it (issue 20:
# breaks never cost a badge). It counts the whole shift, breaks included: the time an agent is at work, however they
# pace it. Offline stays out.
WORKER = BadgeDefinition(key='worker', name='Worker', description='Most time at work in 7 days, breaks included',
                         image='badges/worker.svg', aggregation=Aggregation.SUM,
                         metric=Metric(kind=EventKind.PRESENCE_CHANGED, value='seconds',
                                       where=(Filter(field='previous', values=('online', 'away', 'on_break')),)))
# What a new floor starts with (services/game/badges.py records it as the floor's first badge edit).
DEFAULT_BADGES: tuple[BadgeDefinition, ...] = tuple(WORKER if badge.key == WORKER.key else badge
                                                    for badge in FIRST_BADGES)


@dataclass(frozen=True, kw_only=True, slots=True)
class BadgeResult:
    key: str
    holders: frozenset[int]
    best: float | None  # the holders' result (None for random badges and when nobody qualifies)
    values: Mapping[int, float]  # every qualifying agent's result (none for random badges)


@dataclass(frozen=True, kw_only=True, slots=True)
class HolderChange:
    """One line of the holders' history."""
    badge: str
    agent_id: int
    gained: bool  # False: lost it
    at: datetime


KEPT_DAYS = 8  # the longest window (7 days) and one more, for an evaluation at a time before the newest event's day


class BadgeBoard:
    """Every badge's standing, fed committed events in id order (ids already passed are ignored).

    Per metric it keeps per-agent, per-day partial aggregates (never the events; days older than :data:`KEPT_DAYS`
    before the newest event are dropped) and, for the current day, each window's aggregate per agent, updated as facts
    arrive and rebuilt from at most seven days of partials when the day changes. Each badge's :class:`Standing` in its
    window follows those aggregates one agent at a time, so an event re-ranks no one but its agent (a full ranking
    only when the day changes or the only holder drops).

    Two ways to use it:

    - :meth:`apply` each event, and :meth:`advance` when the clock passes midnight without events: both return the
      :class:`HolderChange` lines of the history and keep :attr:`current` up to date. Changes happen at an event's
      time or at a midnight only, so a rebuild that applies the same events gives the same history.
    - :meth:`feed` events (e.g. the last :data:`KEPT_DAYS` days of the log, for a new set of definitions) and
      :meth:`evaluate` at any time.
    """

    def __init__(self, definitions: Sequence[BadgeDefinition] = DEFAULT_BADGES, *, seed: int = 0) -> None:
        self.definitions = tuple(definitions)
        self.seed = seed
        # each distinct metric once, by position (Inspector and Express share theirs), and the metrics of each kind
        self.metrics = tuple(dict.fromkeys(d.metric for d in self.definitions if d.metric is not None))
        keys = [d.key for d in self.definitions]
        if len(set(keys)) < len(keys):
            raise BadgeError(N_('Two badges have the key {key}'), key=repr(next(k for k in keys if keys.count(k) > 1)))
        self._metric_of: dict[str, int] = {}  # badge key -> metric index
        self._windows_of: dict[int, set[Window]] = {}  # metric index -> the windows its badges use
        self._badges_in: dict[tuple[int, Window], list[str]] = {}  # (metric index, window) -> the keys of its badges
        for definition in self.definitions:
            if definition.metric is not None:
                index = self._metric_of[definition.key] = self.metrics.index(definition.metric)
                self._windows_of.setdefault(index, set()).add(definition.window)
                self._badges_in.setdefault((index, definition.window), []).append(definition.key)
        self._random = [d.key for d in self.definitions if d.kind == BadgeKind.RANDOM]
        self._awarded: dict[str, set[int]] = {d.key: set() for d in self.definitions if d.kind == BadgeKind.AWARDED}
        self._by_key = {d.key: d for d in self.definitions}
        # per event kind, what feed() needs of each metric of that kind: its index, its fact reader, whether it counts
        # conversations, and each window its badges use with their keys
        self._by_kind: dict[EventKind, list[tuple[int, Callable[[GameEvent], float | None], bool,
                                                  tuple[tuple[Window, tuple[str, ...]], ...]]]] = {}
        for index, metric in enumerate(self.metrics):
            windows = tuple((window, tuple(self._badges_in[index, window]))
                            for window in sorted(self._windows_of.get(index, ())))
            self._by_kind.setdefault(metric.kind, []).append(
                (index, _fact_reader(metric), metric.value == CONVERSATION, windows))
        self.days: dict[date, _Day] = {}
        self.last_event_id = 0
        self.latest_day: date | None = None
        self._window_day: date | None = None  # the day the window aggregates are for
        self._windows: dict[tuple[int, Window], dict[int, Aggregate]] = {}
        self._window_days: dict[Window, frozenset[date]] = {}  # the days of each window on that day
        self._standings: dict[str, Standing] = {}  # metric badges ranked in the windows of that day, made on demand
        self.current: dict[str, frozenset[int]] = {}  # the holders as of :attr:`evaluated_at` (see :meth:`apply`)
        self.evaluated_at: datetime | None = None
        never = datetime.max.replace(tzinfo=UTC)
        self._day_bounds: tuple[datetime, datetime, date] = (never, never, date.max)  # see _day()
        self._dirty: set[str] = set(d.key for d in self.definitions)  # badges whose holders may have changed

    def apply(self, event: GameEvent) -> list[HolderChange]:
        """Feed one event and return the history lines it causes (first those of any midnight passed before it)."""
        if event.id <= self.last_event_id:
            return []
        start, midnight, _ = self._day_bounds
        evaluated, now = self.evaluated_at, event.occurred_at
        # mostly the event and the last evaluation are of one day: no midnight to pass, without a call
        changes = [] if evaluated is None or start <= evaluated < midnight and now < midnight else \
            self._pass_midnights(now)
        self.feed(event)
        settled = self._settle(max(event.occurred_at, self.evaluated_at or event.occurred_at))
        return changes + settled if changes else settled

    def advance(self, now: datetime) -> list[HolderChange]:
        """Let the clock pass to ``now`` without events: the history lines of each midnight passed (and of events fed
        since the last evaluation)."""
        changes = self._pass_midnights(now)
        return changes + self._settle(max(now, self.evaluated_at or now)) if self._dirty else changes

    def feed(self, event: GameEvent) -> None:
        """Add an event's facts, without evaluating."""
        if event.id <= self.last_event_id:
            return
        self.last_event_id = event.id
        if event.kind == EventKind.QUEST_COMPLETED and event.data.get('badge') in self._awarded:
            self._awarded[event.data['badge']].update(event.data['agent_ids'])
            self._dirty.add(event.data['badge'])
        agent_id = event.agent_id
        if agent_id is None:
            return
        day = self._day(event.occurred_at)
        latest = self.latest_day
        if latest is None or day > latest:
            self.latest_day = day
            oldest = day - timedelta(days=KEPT_DAYS - 1)
            for old in [d for d in self.days if d < oldest]:
                del self.days[old]
        elif day < latest and day <= latest - timedelta(days=KEPT_DAYS):
            return  # too old for any window still evaluated
        bucket = self.days.get(day)
        if bucket is None:
            bucket = self.days[day] = _Day(metrics=[{} for _ in self.metrics])
        if agent_id not in bucket.active:
            bucket.active.add(agent_id)
            self._dirty.update(self._random)  # one more agent in today's lucky draw
        for index, read, distinct, windows in self._by_kind.get(event.kind, ()):
            value = read(event)
            if value is None:
                continue
            partials = bucket.metrics[index]
            partial = partials.get(agent_id)
            if partial is None:
                partial = partials[agent_id] = Aggregate()
            partial.add(value, distinct=distinct)
            if self._window_day is None:  # nothing evaluated yet: the first evaluation ranks every badge anyway
                continue
            for window, keys in windows:
                # only a window holding the event's day can change (today's facts leave "yesterday" alone until
                # midnight, when every badge is ranked again): most events rank one or two badges, not six
                if day in self._window_days[window]:
                    aggregates = self._windows[index, window]
                    aggregate = aggregates.get(agent_id)
                    if aggregate is None:
                        aggregate = aggregates[agent_id] = Aggregate()
                    aggregate.add(value, distinct=distinct)
                    for key in keys:
                        standing = self._standings.get(key)
                        if standing is not None:
                            standing.update(agent_id, aggregate)
                    self._dirty.update(keys)

    def _day(self, moment: datetime) -> date:
        """``floor_day(moment)``, remembered with the day's bounds: consecutive events are mostly of one day."""
        start, end, day = self._day_bounds
        if not start <= moment < end:
            self._day_bounds = day_bounds(moment)
            day = self._day_bounds[2]
        return day

    def feed_all(self, events: Iterable[GameEvent]) -> None:
        for event in events:
            self.feed(event)

    def evaluate(self, now: datetime, keys: Iterable[str] | None = None) -> dict[str, BadgeResult]:
        """The badges' results at ``now`` (all, or those of ``keys``), from the events fed so far."""
        wanted = None if keys is None else set(keys)
        windows = self._windows_at(floor_day(now))
        results = {}
        for definition in self.definitions:
            if wanted is not None and definition.key not in wanted:
                continue
            if definition.kind == BadgeKind.RANDOM:
                results[definition.key] = self._draw(definition, window_days(definition.window, now))
            elif definition.kind == BadgeKind.AWARDED:  # for good: the holders so far (a new board takes them over)
                holders = frozenset(self._awarded[definition.key]) | self.current.get(definition.key, frozenset())
                results[definition.key] = BadgeResult(key=definition.key, holders=holders, best=None, values={})
            else:
                partials = windows[self._metric_of[definition.key], definition.window]
                results[definition.key] = _rank(definition, partials)
        return results

    def holders(self, now: datetime) -> dict[str, frozenset[int]]:
        return {key: result.holders for key, result in self.evaluate(now).items()}

    def _pass_midnights(self, now: datetime) -> list[HolderChange]:
        changes: list[HolderChange] = []
        evaluated = self.evaluated_at
        if evaluated is None:
            return changes
        self._day(evaluated)  # evaluated_at moves with every event, its day rarely
        midnight = self._day_bounds[1]
        while midnight <= now:  # every window moves at midnight: all badges again
            self._dirty.update(d.key for d in self.definitions)
            changes += self._settle(midnight)
            midnight = next_day_start(midnight)  # a calendar day: 23 or 25 hours across a clock change
        return changes

    def _settle(self, at: datetime) -> list[HolderChange]:
        """Take the holders of the badges that may have changed (:attr:`_dirty`) as :attr:`current`, at ``at``; what
        :meth:`evaluate` would say, read from the standings kept as facts arrived instead of ranking every agent."""
        self.evaluated_at = at
        if not self._dirty:  # most events count for no badge whose window holds their day
            return []
        self._windows_at(self._day(at))
        before: dict[str, frozenset[int]] = {}
        after: dict[str, frozenset[int]] = {}
        for key in self._dirty:
            definition = self._by_key[key]
            if definition.kind == BadgeKind.METRIC:
                holders: set[int] | frozenset[int] = self._standing(definition).holders
            else:  # the lucky draw (and any kind not ranked by a metric): as evaluate() says
                holders = self.evaluate(at, (key,))[key].holders
            old = self.current.get(key)
            if old is None or old != holders:
                after[key] = self.current[key] = frozenset(holders)
                before[key] = old or frozenset()
        self._dirty.clear()
        return holder_changes(before, after, at=at) if after else []

    def _standing(self, definition: BadgeDefinition) -> Standing:
        """A metric badge's standing in the windows of :attr:`_window_day`, ranked in full the first time asked."""
        standing = self._standings.get(definition.key)
        if standing is None:
            partials = self._windows[self._metric_of[definition.key], definition.window]
            standing = self._standings[definition.key] = Standing(definition, partials)
        return standing

    def _windows_at(self, day: date) -> dict[tuple[int, Window], dict[int, Aggregate]]:
        """Each (metric, window)'s aggregate per agent on ``day``: kept for the current day, rebuilt when it moves."""
        if day != self._window_day:
            self._windows = {(index, window): self._merge(index, _days_of(window, day))
                             for index, windows in self._windows_of.items() for window in windows}
            self._window_day = day
            self._window_days = {window: frozenset(_days_of(window, day)) for window in Window}
            self._standings = {}  # ranked again from the new windows when next asked
        return self._windows

    def _merge(self, index: int, days: Sequence[date]) -> dict[int, Aggregate]:
        merged: dict[int, Aggregate] = {}
        for day in days:
            bucket = self.days.get(day)
            if bucket is None:
                continue
            for agent_id, partial in bucket.metrics[index].items():
                _aggregate(merged, agent_id).merge(partial)
        return merged

    def _draw(self, definition: BadgeDefinition, days: Sequence[date]) -> BadgeResult:
        """The agents who were active and lucky on a day of the window."""
        lucky = set()
        for day in days:
            bucket = self.days.get(day)
            if bucket is None:
                continue
            draws = bucket.draws
            for agent_id in bucket.active:
                draw = draws.get(agent_id)
                if draw is None:  # a draw is a hash: once per agent and day, not at every evaluation
                    draw = draws[agent_id] = lucky_draw(self.seed, day, agent_id)
                if draw < definition.rarity:
                    lucky.add(agent_id)
        return BadgeResult(key=definition.key, holders=frozenset(lucky), best=None, values={})


def holder_changes(before: Mapping[str, frozenset[int]], after: Mapping[str, frozenset[int]], *,
                   at: datetime) -> list[HolderChange]:
    """What changed between two evaluations, in a stable order: the lines to append to the holders' history."""
    changes = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key, frozenset()), after.get(key, frozenset())
        changes += [HolderChange(badge=key, agent_id=agent_id, gained=False, at=at) for agent_id in sorted(old - new)]
        changes += [HolderChange(badge=key, agent_id=agent_id, gained=True, at=at) for agent_id in sorted(new - old)]
    return changes


def window_days(window: Window, now: datetime) -> tuple[date, ...]:
    """The floor's days a window covers at ``now``, oldest first."""
    return _days_of(window, floor_day(now))


def window_bounds(window: Window, now: datetime) -> tuple[datetime, datetime]:
    """The window's days at ``now`` as [start, end): to read the events behind a badge (its receipt) from the log."""
    days = window_days(window, now)
    return day_start(days[0]), day_start(days[-1] + timedelta(days=1))


def next_midnight(now: datetime) -> datetime:
    """When windows next move: holders may change then even without events."""
    return next_day_start(now)


def lucky_draw(seed: int, day: date, agent_id: int) -> float:
    """A reproducible number in [0, 1) for one agent on one day."""
    digest = hashlib.sha256(f'{seed}:{day.isoformat()}:{agent_id}'.encode()).digest()
    return int.from_bytes(digest[:8], 'big') / 2 ** 64


# --- aggregates -----------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Aggregate:
    """Facts of one metric aggregated as they come (per agent and day in badges, per agent or team in quests)."""
    count: int = 0
    total: float = 0
    maximum: float | None = None
    minimum: float | None = None
    conversations: set[int] = field(default_factory=set)

    def add(self, value: float | int, *, distinct: bool) -> None:
        self.count += 1
        if distinct:
            self.conversations.add(int(value))
            return
        self.total += value
        self.maximum = value if self.maximum is None or value > self.maximum else self.maximum
        self.minimum = value if self.minimum is None or value < self.minimum else self.minimum

    def merge(self, other: Aggregate) -> None:
        self.count += other.count
        self.total += other.total
        if other.maximum is not None:
            self.maximum = other.maximum if self.maximum is None else max(self.maximum, other.maximum)
        if other.minimum is not None:
            self.minimum = other.minimum if self.minimum is None else min(self.minimum, other.minimum)
        self.conversations |= other.conversations

    def result(self, aggregation: Aggregation, metric: Metric) -> float:
        """The aggregate's value; ``count`` of a CONVERSATION metric counts each conversation once."""
        if aggregation == Aggregation.COUNT:
            return len(self.conversations) if metric.value == CONVERSATION else self.count
        if aggregation == Aggregation.SUM:
            return self.count if metric.value == ONE else self.total
        if aggregation == Aggregation.AVERAGE:
            return self.total / self.count if self.count else 0.0
        value = self.maximum if aggregation == Aggregation.MAX else self.minimum
        return 0.0 if value is None else value


@dataclass(slots=True)
class _Day:
    metrics: list[dict[int, Aggregate]]  # by the board's metric index: agent id -> partial
    active: set[int] = field(default_factory=set)  # agents with any event that day
    draws: dict[int, float] = field(default_factory=dict)  # the board's lucky_draw of each active agent, once made


def _number(field_name: str, value: Any) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise BadgeError(N_("'{field}' is a number, not {value}"), field=field_name, value=repr(value)) from None


def _days_of(window: Window, today: date) -> tuple[date, ...]:
    if window == Window.PREVIOUS_DAY:
        return (today - timedelta(days=1),)
    return tuple(today - timedelta(days=back) for back in range(6, -1, -1))


def _fact_reader(metric: Metric) -> Callable[[GameEvent], float | None]:
    """:meth:`Metric.fact` for events known to be of the metric's kind and to have an agent (the board asks per event
    kind): the filters as bound methods, no checks of the kind and the agent again."""
    tests = tuple(condition.matches for condition in metric.where)
    name = metric.value

    def read(event: GameEvent) -> float | None:
        data = event.data
        for test in tests:
            if not test(data):
                return None
        if name == ONE:
            return 1
        if name == CONVERSATION:
            return event.conversation_id
        value = data.get(name)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return read


def _aggregate(aggregates: dict[int, Aggregate], agent_id: int) -> Aggregate:
    aggregate = aggregates.get(agent_id)
    if aggregate is None:
        aggregate = aggregates[agent_id] = Aggregate()
    return aggregate


def _rank(definition: BadgeDefinition, partials: Mapping[int, Aggregate]) -> BadgeResult:
    return Standing(definition, partials).result()


class Standing:
    """A metric badge's ranking in one window: every qualifying agent's result, the best one and its holders, kept up
    to date one agent at a time as that agent's window aggregate grows (:meth:`update`).

    Equal at every moment to ranking all agents again from the aggregates: an agent's new result either beats the
    best (it alone holds), ties it (it joins), or falls short (it leaves the holders, and only when the last holder
    leaves are all results searched for the new best).
    """
    __slots__ = ('best', 'definition', 'highest', 'holders', 'values')

    def __init__(self, definition: BadgeDefinition, partials: Mapping[int, Aggregate]) -> None:
        assert definition.metric is not None
        self.definition = definition
        self.highest = definition.direction == Direction.HIGHEST
        self.values: dict[int, float] = {
            agent_id: partial.result(definition.aggregation, definition.metric)
            for agent_id, partial in partials.items() if partial.count >= definition.minimum_volume}
        self.best: float | None = None
        self.holders: set[int] = set()
        self._rank_all()

    def update(self, agent_id: int, aggregate: Aggregate) -> None:
        """The agent's window aggregate changed (it is the one the standing was made from, or an equal one)."""
        definition = self.definition
        if aggregate.count < definition.minimum_volume:  # aggregates only grow: it never qualified
            return
        assert definition.metric is not None
        value = self.values[agent_id] = aggregate.result(definition.aggregation, definition.metric)
        best = self.best
        if best is None or (value > best if self.highest else value < best):
            self.best = value
            self.holders = {agent_id}
        elif value == best:
            self.holders.add(agent_id)
        elif agent_id in self.holders:  # a holder whose result got worse (an average can fall)
            self.holders.discard(agent_id)
            if not self.holders:
                self._rank_all()

    def result(self) -> BadgeResult:
        return BadgeResult(key=self.definition.key, holders=frozenset(self.holders), best=self.best,
                           values=dict(self.values))

    def _rank_all(self) -> None:
        if not self.values:
            self.best, self.holders = None, set()
            return
        best = self.best = (max if self.highest else min)(self.values.values())
        self.holders = {agent_id for agent_id, value in self.values.items() if value == best}
