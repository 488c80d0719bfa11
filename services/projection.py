"""The game as a pure fold over the event log: feeding it every event in order gives the whole live state."""
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from services.events import Channel, EventKind, GameEvent, Rating
from services.levels import DEFAULT_LEVELS, Level, level_after
from services.scoring import Award, ScoringPolicy, rating_awards, reopen_clawbacks, resolution_awards


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
        return asdict(self)


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


class GameProjection:
    """Folds events into agent metrics, awards and levels; holds no I/O and no clock."""

    def __init__(self, *, policy: ScoringPolicy | None = None, levels: Sequence[Level] = DEFAULT_LEVELS) -> None:
        self.policy = policy or ScoringPolicy()
        self.levels = levels
        self.agents: dict[int, AgentMetrics] = {}
        self._resolution: dict[int, tuple[int, str, list[Award]]] = {}  # conversation -> resolver, channel, awards

    def apply(self, event: GameEvent) -> Outcome:
        """Apply one event and return what it changed."""
        awards: list[Award] = []
        touched: set[int] = set()
        if event.kind == EventKind.REPLIED and event.agent_id is not None:
            self._metrics(event.agent_id).replies += 1
            touched.add(event.agent_id)
        elif event.kind == EventKind.RESOLVED and event.agent_id is not None and event.conversation_id is not None:
            awards = resolution_awards(event, policy=self.policy)
            channel = event.data['channel']
            metrics = self._metrics(event.agent_id)
            metrics.resolved += 1
            metrics.chats += channel == Channel.CHAT.value
            metrics.calls += channel == Channel.PHONE.value
            self._resolution[event.conversation_id] = (event.agent_id, channel, awards)
            touched.add(event.agent_id)
        elif event.kind == EventKind.REOPENED and event.conversation_id in self._resolution:
            resolver, channel, given = self._resolution.pop(event.conversation_id)
            awards = reopen_clawbacks(event, given)
            metrics = self._metrics(resolver)
            metrics.resolved -= 1
            metrics.chats -= channel == Channel.CHAT.value
            metrics.calls -= channel == Channel.PHONE.value
            touched.add(resolver)
        elif event.kind == EventKind.RATED and event.agent_id is not None:
            awards = rating_awards(event, policy=self.policy)
            rating = Rating(event.data['rating'])
            metrics = self._metrics(event.agent_id)
            metrics.positive_ratings += rating == Rating.GOOD
            metrics.negative_ratings += rating == Rating.BAD
            touched.add(event.agent_id)
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
        return Outcome(event=event, awards=awards, level_ups=level_ups, touched_agents=frozenset(touched))

    def apply_all(self, events: Iterable[GameEvent]) -> list[Outcome]:
        return [self.apply(event) for event in events]

    def _metrics(self, agent_id: int) -> AgentMetrics:
        metrics = self.agents.get(agent_id)
        if metrics is None:
            metrics = self.agents[agent_id] = AgentMetrics(agent_id=agent_id)
        return metrics
