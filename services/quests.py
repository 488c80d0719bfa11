"""Quests and team missions: "N of a metric within a period", with a reward, from the event log.

A quest's metric is a badge metric (services/badges.py: an event kind, filters on its data and a value), so leads
build quests from the same parts as badges; :func:`quest_metric` builds one from the usual filters (channel, rating,
tag, priority). An individual quest is completed by each agent on their own; a team mission by a team together, all
its agents adding to one shared progress. Completion is detected once and returned as a value: the caller turns it
into ledger entries and a notification.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from services.badges import (CONVERSATION, ONE, Aggregate, Aggregation, BadgeError, Filter, FilterOperator, Metric,
                             enum_value, metric_from_dict)
from services.events import EventKind, GameEvent
from services.scoring import Domain


class QuestError(BadgeError):
    """An invalid quest; the message is meant for the lead who edits it."""


class QuestScope(str, Enum):
    INDIVIDUAL = 'individual'
    TEAM = 'team'


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

    def __post_init__(self) -> None:
        for name, enum in (('aggregation', Aggregation), ('scope', QuestScope), ('reward_domain', Domain)):
            try:
                object.__setattr__(self, name, enum_value(enum, getattr(self, name), name.replace('_', ' ')))
            except BadgeError as error:
                raise QuestError(str(error)) from None
        if not self.key.strip() or not self.title.strip():
            raise QuestError('A quest needs a key and a title')
        if self.aggregation not in (Aggregation.COUNT, Aggregation.SUM):
            raise QuestError(f'A quest counts or sums, it cannot take the {self.aggregation.value}')
        if self.aggregation == Aggregation.SUM and self.metric.value == CONVERSATION:
            raise QuestError('Conversations can only be counted')
        if self.target < 1:
            raise QuestError('The target is at least 1')
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise QuestError('The period needs times with a time zone')
        if self.ends_at <= self.starts_at:
            raise QuestError('The quest must end after it starts')
        if self.reward_points < 0:
            raise QuestError('A reward cannot take points away')
        if not self.reward_points and not self.reward_badge:
            raise QuestError('A quest needs a reward: points, a badge or both')

    def running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, read back by :func:`quest_from_dict`."""
        return {'key': self.key, 'title': self.title, 'description': self.description, 'target': self.target,
                'metric': {'kind': self.metric.kind.value, 'value': self.metric.value,
                           'where': [{'field': f.field, 'operator': f.operator.value, 'values': list(f.values)}
                                     for f in self.metric.where]},
                'starts_at': self.starts_at.isoformat(), 'ends_at': self.ends_at.isoformat(),
                'aggregation': self.aggregation.value, 'scope': self.scope.value, 'reward_points': self.reward_points,
                'reward_domain': self.reward_domain.value, 'reward_badge': self.reward_badge}


def quest_from_dict(data: Mapping[str, Any]) -> QuestDefinition:
    """Read a quest from :meth:`QuestDefinition.as_dict` (or a lead's form); raise :class:`BadgeError` (or its
    :class:`QuestError`)."""
    return QuestDefinition(**{**data, 'metric': metric_from_dict(data['metric']),
                              'starts_at': datetime.fromisoformat(data['starts_at']),
                              'ends_at': datetime.fromisoformat(data['ends_at'])})


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestCompletion:
    """A quest completed: the caller writes the reward to the ledger (one entry per agent) and notifies them."""
    quest: str
    agent_ids: tuple[int, ...]  # who are rewarded: the agent, or every agent of the team at completion
    team_id: int | None
    event_id: int  # the event that completed it: for the receipt and the ledger entries' idempotency keys
    at: datetime
    points: int
    domain: Domain
    badge: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class QuestProgress:
    quest: QuestDefinition
    value: float
    share: float  # 0..1, for the progress bar
    completed: bool
    team_id: int | None = None


class QuestBoard:
    """Each quest's progress per agent (or per team), fed committed events in id order (passed ids are ignored).

    ``team_of`` maps agent ids to team ids; it is read when an event arrives (keep it current), and agents without a
    team do not take part in team missions. A new or edited quest needs a new board fed the log from its start.
    """

    def __init__(self, quests: Sequence[QuestDefinition], *, team_of: Mapping[int, int | None] | None = None) -> None:
        self.quests = {quest.key: quest for quest in quests}
        if len(self.quests) < len(quests):
            raise QuestError('Two quests have the same key')
        self.team_of: Mapping[int, int | None] = team_of if team_of is not None else {}
        self.aggregates: dict[str, dict[int, Aggregate]] = {key: {} for key in self.quests}  # key -> agent/team id
        self.completions: dict[str, dict[int, QuestCompletion]] = {key: {} for key in self.quests}
        self.last_event_id = 0
        self._by_kind: dict[EventKind, list[QuestDefinition]] = {}
        for quest in quests:
            self._by_kind.setdefault(quest.metric.kind, []).append(quest)

    def feed(self, event: GameEvent) -> list[QuestCompletion]:
        """Count one event; return the quests it completes (each only once per agent or team)."""
        if event.id <= self.last_event_id:
            return []
        self.last_event_id = event.id
        completions = []
        for quest in self._by_kind.get(event.kind, ()):
            if not quest.starts_at <= event.occurred_at < quest.ends_at:
                continue
            value = quest.metric.fact(event)
            if value is None:
                continue
            assert event.agent_id is not None  # metrics only count events with an agent
            holder = event.agent_id if quest.scope == QuestScope.INDIVIDUAL else self.team_of.get(event.agent_id)
            if holder is None:
                continue
            aggregate = self.aggregates[quest.key].get(holder)
            if aggregate is None:
                aggregate = self.aggregates[quest.key][holder] = Aggregate()
            aggregate.add(value, distinct=quest.metric.value == CONVERSATION)
            if holder not in self.completions[quest.key] \
                    and aggregate.result(quest.aggregation, quest.metric) >= quest.target:
                completion = self._complete(quest, holder, event)
                self.completions[quest.key][holder] = completion
                completions.append(completion)
        return completions

    def feed_all(self, events: Iterable[GameEvent]) -> list[QuestCompletion]:
        return [completion for event in events for completion in self.feed(event)]

    def progress(self, key: str, agent_id: int) -> QuestProgress:
        """An agent's progress in a quest: their own, or their team's shared progress in a team mission."""
        quest = self.quests[key]
        team_id = self.team_of.get(agent_id) if quest.scope == QuestScope.TEAM else None
        holder = agent_id if quest.scope == QuestScope.INDIVIDUAL else team_id
        aggregate = self.aggregates[key].get(holder) if holder is not None else None
        value = aggregate.result(quest.aggregation, quest.metric) if aggregate else 0
        return QuestProgress(quest=quest, value=value, share=min(1.0, max(0.0, value / quest.target)),
                             completed=holder in self.completions[key], team_id=team_id)

    def progress_for(self, agent_id: int, now: datetime) -> list[QuestProgress]:
        """The progress card's bars: every quest running at ``now`` the agent takes part in, by end time."""
        in_team = self.team_of.get(agent_id) is not None
        return [self.progress(quest.key, agent_id) for quest in sorted(self.quests.values(), key=_by_end)
                if quest.running(now) and (quest.scope == QuestScope.INDIVIDUAL or in_team)]

    def _complete(self, quest: QuestDefinition, holder: int, event: GameEvent) -> QuestCompletion:
        if quest.scope == QuestScope.INDIVIDUAL:
            agent_ids, team_id = (holder,), None
        else:
            agent_ids, team_id = tuple(sorted(a for a, team in self.team_of.items() if team == holder)), holder
        return QuestCompletion(quest=quest.key, agent_ids=agent_ids, team_id=team_id, event_id=event.id,
                               at=event.occurred_at, points=quest.reward_points, domain=quest.reward_domain,
                               badge=quest.reward_badge)


def _by_end(quest: QuestDefinition) -> tuple[datetime, str]:
    return quest.ends_at, quest.key

