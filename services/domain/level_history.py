"""A level an agent reached, as the log tells it: the event that tipped it, and the level and metrics then
(services/platform/level_history.py keeps them)."""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class ReachedLevel:
    agent_id: int
    level: int
    previous: int  # the level held before: levels between the two were passed by the same event
    event_id: int
    at: datetime
    title: str
    condition: str
    metrics: Mapping[str, int]

    def key(self) -> tuple:
        """What a stored row and a replayed one must agree on."""
        return (self.agent_id, self.level, self.previous, self.event_id, self.at, self.title, self.condition,
                tuple(sorted(self.metrics.items())))
