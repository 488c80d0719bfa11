"""Levels: twelve presets reached by conditions over lifetime metrics; once reached, never lost."""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True, slots=True)
class Level:
    number: int
    title: str
    icon: str  # a Material icon name: emoji do not render on every kiosk screen
    minimums: Mapping[str, int] = field(default_factory=dict)  # metric name -> lifetime minimum

    def reached_by(self, metrics: Mapping[str, int]) -> bool:
        for metric, minimum in self.minimums.items():  # a plain loop: this runs for every event of a replay
            if metrics.get(metric, 0) < minimum:
                return False
        return True


# an agent earning ~150 points an hour climbs a level every day or two at first, and reaches the top in months
DEFAULT_LEVELS: tuple[Level, ...] = (
    Level(number=1, title='Novice', icon='spa'),
    Level(number=2, title='Rookie', icon='egg', minimums={'points': 200}),
    Level(number=3, title='Apprentice', icon='menu_book', minimums={'points': 800, 'resolved': 40}),
    Level(number=4, title='Problem solver', icon='extension', minimums={'points': 2000, 'resolved': 100}),
    Level(number=5, title='Ticket tamer', icon='gps_fixed', minimums={'points': 4000, 'resolved': 200}),
    Level(number=6, title='Customer whisperer', icon='forum', minimums={'points': 7000, 'positive_ratings': 250}),
    Level(number=7, title='Support ninja', icon='sports_martial_arts', minimums={'points': 11000, 'resolved': 600}),
    Level(number=8, title='Queue master', icon='explore', minimums={'points': 16000, 'resolved': 900}),
    Level(number=9, title='Support hero', icon='shield', minimums={'points': 23000, 'positive_ratings': 800}),
    Level(number=10, title='Legend of the desk', icon='emoji_events', minimums={'points': 32000, 'resolved': 1800}),
    Level(number=11, title='Grand master of support', icon='auto_awesome', minimums={'points': 45000, 'resolved': 2500}),
    Level(number=12, title='King of customer support', icon='workspace_premium', minimums={'points': 60000, 'resolved': 3500}),
)


def level_after(current: int, metrics: Mapping[str, int], *, levels: Sequence[Level] = DEFAULT_LEVELS) -> int:
    """Return the level an agent holds after these metrics: the highest one reached, never below ``current``."""
    return max((level.number for level in levels if level.number > current and level.reached_by(metrics)),
               default=max(current, 1))


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
