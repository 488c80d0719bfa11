"""Levels: twelve presets reached by conditions over lifetime metrics; once reached, never lost."""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True, slots=True)
class Level:
    number: int
    title: str
    icon: str
    minimums: Mapping[str, int] = field(default_factory=dict)  # metric name -> lifetime minimum

    def reached_by(self, metrics: Mapping[str, int]) -> bool:
        return all(metrics.get(metric, 0) >= minimum for metric, minimum in self.minimums.items())


DEFAULT_LEVELS: tuple[Level, ...] = (
    Level(number=1, title='Novice', icon='🌱'),
    Level(number=2, title='Rookie', icon='🐣', minimums={'points': 50}),
    Level(number=3, title='Apprentice', icon='📘', minimums={'points': 150, 'resolved': 10}),
    Level(number=4, title='Problem solver', icon='🧩', minimums={'points': 300, 'resolved': 25}),
    Level(number=5, title='Ticket tamer', icon='🎯', minimums={'points': 500, 'resolved': 40}),
    Level(number=6, title='Customer whisperer', icon='💬', minimums={'points': 800, 'positive_ratings': 20}),
    Level(number=7, title='Support ninja', icon='🥷', minimums={'points': 1200, 'resolved': 100}),
    Level(number=8, title='Queue master', icon='🧭', minimums={'points': 1700, 'resolved': 150}),
    Level(number=9, title='Support hero', icon='🦸', minimums={'points': 2400, 'positive_ratings': 80}),
    Level(number=10, title='Legend of the desk', icon='🏆', minimums={'points': 3300, 'resolved': 300}),
    Level(number=11, title='Grand master of support', icon='🧙', minimums={'points': 4500, 'resolved': 450}),
    Level(number=12, title='King of customer support', icon='👑', minimums={'points': 6000, 'resolved': 600}),
)


def level_after(current: int, metrics: Mapping[str, int], *, levels: Sequence[Level] = DEFAULT_LEVELS) -> int:
    """Return the level an agent holds after these metrics: the highest one reached, never below ``current``."""
    reached = max((level.number for level in levels if level.reached_by(metrics)), default=1)
    return max(current, reached)


def level_info(number: int, *, levels: Sequence[Level] = DEFAULT_LEVELS) -> Level:
    return next(level for level in levels if level.number == number)


def progress_to_next(number: int, metrics: Mapping[str, int], *,
                     levels: Sequence[Level] = DEFAULT_LEVELS) -> tuple[Level | None, float]:
    """Return the next level and how far (0..1) the metrics are towards all of its minimums."""
    following = [level for level in levels if level.number > number]
    if not following:
        return None, 1.0
    target = min(following, key=lambda level: level.number)
    if not target.minimums:
        return target, 1.0
    shares = [min(1.0, max(0, metrics.get(metric, 0)) / minimum) for metric, minimum in target.minimums.items()]
    return target, min(shares)
