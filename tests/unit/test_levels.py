"""Levels: twelve presets, reached by lifetime metrics and never lost.

The presets' thresholds are product tuning and change; the mechanics are tested on a small table of their own.
"""
import pytest

from services.domain.levels import DEFAULT_LEVELS, Level, level_after, level_info, progress_to_next

LEVELS = (
    Level(number=1, title='Novice', icon='spa'),
    Level(number=2, title='Rookie', icon='egg', minimums={'points': 50}),
    Level(number=3, title='Apprentice', icon='menu_book', minimums={'points': 150, 'resolved': 10}),
    Level(number=4, title='Whisperer', icon='forum', minimums={'points': 300, 'positive_ratings': 20}),
    Level(number=5, title='King', icon='workspace_premium', minimums={'points': 600, 'resolved': 60}),
)


def test_twelve_presets_from_novice_to_king() -> None:
    assert len(DEFAULT_LEVELS) == 12
    assert [level.number for level in DEFAULT_LEVELS] == list(range(1, 13))
    assert DEFAULT_LEVELS[0].title == 'Novice' and not DEFAULT_LEVELS[0].minimums
    assert DEFAULT_LEVELS[-1].title == 'King of customer support'
    assert len({level.title for level in DEFAULT_LEVELS}) == 12
    assert all(level.icon and level.minimums for level in DEFAULT_LEVELS[1:])
    points = [level.minimums.get('points', 0) for level in DEFAULT_LEVELS]
    assert points == sorted(points) and len(set(points)) == 12  # each level asks for more points than the last
    known_metrics = {'points', 'resolved', 'positive_ratings', 'quality', 'speed', 'productivity', 'replies',
                     'chats', 'calls'}
    assert all(set(level.minimums) <= known_metrics for level in DEFAULT_LEVELS)


@pytest.mark.parametrize('level', DEFAULT_LEVELS[1:], ids=lambda level: level.title)
def test_each_preset_is_reached_exactly_by_its_minimums(level: Level) -> None:
    assert level_after(1, level.minimums) == level.number
    just_short = {**level.minimums, 'points': level.minimums['points'] - 1}
    assert level_after(1, just_short) < level.number


def test_level_info() -> None:
    assert level_info(1).title == 'Novice'
    assert level_info(12) is DEFAULT_LEVELS[-1]
    assert level_info(4, levels=LEVELS).title == 'Whisperer'
    with pytest.raises(StopIteration):
        level_info(13)


@pytest.mark.parametrize(('metrics', 'expected'), [
    ({}, 1),
    ({'points': 49}, 1),
    ({'points': 50}, 2),
    ({'points': 150, 'resolved': 9}, 2),  # every minimum must be met
    ({'points': 150, 'resolved': 10}, 3),
    ({'points': 300, 'resolved': 0, 'positive_ratings': 20}, 4),  # the highest reached, even skipping one
    ({'points': 600, 'resolved': 60}, 5),
    ({'points': 10 ** 6, 'resolved': 10 ** 4, 'positive_ratings': 10 ** 4}, 5),
])
def test_level_after_is_the_highest_reached(metrics: dict[str, int], expected: int) -> None:
    assert level_after(1, metrics, levels=LEVELS) == expected


def test_levels_are_permanent() -> None:
    assert level_after(4, {}, levels=LEVELS) == 4
    assert level_after(4, {'points': -100, 'resolved': 0}, levels=LEVELS) == 4
    assert level_after(5, {'points': 50}, levels=LEVELS) == 5
    assert level_after(2, {'points': 150, 'resolved': 10}, levels=LEVELS) == 3
    assert level_after(12, {}) == 12


@pytest.mark.parametrize(('number', 'metrics', 'title', 'share'), [
    (1, {}, 'Rookie', 0.0),
    (1, {'points': 25}, 'Rookie', 0.5),
    (1, {'points': -40}, 'Rookie', 0.0),  # negative points count as none, never below 0
    (1, {'points': 500}, 'Rookie', 1.0),  # capped at 1
    (2, {'points': 75, 'resolved': 10}, 'Apprentice', 0.5),  # the share of the furthest-behind minimum
    (2, {'points': 150, 'resolved': 5}, 'Apprentice', 0.5),
    (2, {'points': 15, 'resolved': 50}, 'Apprentice', 0.1),
    (4, {'points': 300, 'resolved': 15}, 'King', 0.25),
])
def test_progress_to_next(number: int, metrics: dict[str, int], title: str, share: float) -> None:
    level, progress = progress_to_next(number, metrics, levels=LEVELS)
    assert level is not None and level.title == title
    assert progress == pytest.approx(share)


def test_progress_to_next_preset() -> None:
    rookie = DEFAULT_LEVELS[1]
    assert progress_to_next(1, {'points': rookie.minimums['points'] // 2}) == (rookie, 0.5)


def test_no_next_level_at_the_top() -> None:
    assert progress_to_next(5, {'points': 0}, levels=LEVELS) == (None, 1.0)
    assert progress_to_next(12, {'points': 0}) == (None, 1.0)


def test_a_next_level_without_minimums_is_complete() -> None:
    levels = (Level(number=1, title='One', icon='a'), Level(number=2, title='Two', icon='b'))
    assert level_after(1, {}, levels=levels) == 2
    assert progress_to_next(1, {}, levels=levels) == (levels[1], 1.0)
