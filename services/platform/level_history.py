"""The levels each agent reached, kept as a projection of the log: by the live unit of work and by a replay alike.

A level-up is taken from the projection right after the event that tipped it was folded, with the level's title and
condition in force then and the agent's metrics at that moment: what a level's receipt shows.
"""
from collections import Counter
from collections.abc import Iterable

from models import LevelReached
from services.domain.level_history import ReachedLevel
from services.domain.levels import LEVEL_METRICS, level_info
from services.domain.projection import GameProjection, Outcome


def reached_levels(outcome: Outcome, projection: GameProjection) -> list[ReachedLevel]:
    """The level-ups of ``outcome``, read from ``projection`` right after it folded the outcome's event."""
    reached = []
    for level_up in outcome.level_ups:
        metrics = projection.agents[level_up.agent_id]
        level = level_info(level_up.new, levels=projection.levels)
        reached.append(ReachedLevel(agent_id=level_up.agent_id, level=level_up.new, previous=level_up.old,
                                    event_id=outcome.event.id, at=outcome.event.occurred_at, title=level.title,
                                    condition=level.condition,
                                    metrics={name: getattr(metrics, name) for name in LEVEL_METRICS}))
    return reached


def level_rows(reached: Iterable[ReachedLevel]) -> list[LevelReached]:
    return [LevelReached(agent_id=r.agent_id, level=r.level, previous=r.previous, event_id=r.event_id,
                         reached_at=r.at, title=r.title, condition=r.condition, metrics=dict(r.metrics))
            for r in reached]


def from_row(row: LevelReached) -> ReachedLevel:
    return ReachedLevel(agent_id=row.agent_id, level=row.level, previous=row.previous, event_id=row.event_id,
                        at=row.reached_at, title=row.title, condition=row.condition, metrics=dict(row.metrics))


async def stored_levels_reached() -> list[ReachedLevel]:
    return [from_row(row) for row in await LevelReached.all().order_by('agent_id', 'level')]


def level_differences(stored: Iterable[ReachedLevel], rebuilt: Iterable[ReachedLevel]) -> list[str]:
    """The stored level-ups against the replayed ones, as lines a person can read."""
    stored_keys, rebuilt_keys = Counter(r.key() for r in stored), Counter(r.key() for r in rebuilt)
    lines = [f'levels reached: stored level {key[1]} of agent {key[0]} at event {key[3]} not in the replay'
             for key in sorted((stored_keys - rebuilt_keys).elements(), key=str)]
    lines += [f'levels reached: replayed level {key[1]} of agent {key[0]} at event {key[3]} not stored'
              for key in sorted((rebuilt_keys - stored_keys).elements(), key=str)]
    return lines
