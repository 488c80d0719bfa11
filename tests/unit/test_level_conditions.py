"""Levels reached by conditions in the expression language, beyond the older minimums shorthand."""
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.expressions import ExpressionError
from services.domain.levels import DEFAULT_LEVELS, LEVEL_METRICS, Level, check_condition, level_after, progress_to_next
from services.domain.projection import METRIC_NAMES


def test_level_metrics_are_the_projections_counters() -> None:
    assert set(LEVEL_METRICS) <= set(METRIC_NAMES)
    assert {'agent_id', 'level', 'last_event_id'}.isdisjoint(LEVEL_METRICS)  # bookkeeping, not achievements


def test_presets_keep_canonical_conditions() -> None:
    assert DEFAULT_LEVELS[0].condition == ''
    assert DEFAULT_LEVELS[3].condition == 'points >= 2000 and resolved >= 100'
    assert all(check_condition(level.condition) == level.condition for level in DEFAULT_LEVELS)


def test_minimums_shorthand_becomes_a_condition() -> None:
    level = Level(number=2, title='Rookie', icon='egg', minimums={'points': 50, 'resolved': 3})
    assert level.condition == 'points >= 50 and resolved >= 3'
    assert level == Level(number=2, title='Rookie', icon='egg', condition='points>=50 AND resolved>=3')


LEVELS = (
    Level(number=1, title='Novice', icon='spa'),
    Level(number=2, title='Talker', icon='forum', condition='positive_ratings >= 25 or (chats >= 50 and calls >= 20)'),
    Level(number=3, title='Hero', icon='shield', condition='points >= 1000 and not negative_ratings > 10'),
)


@pytest.mark.parametrize(('metrics', 'expected'), [
    ({}, 1),
    ({'positive_ratings': 25}, 2),
    ({'chats': 50, 'calls': 19}, 1),
    ({'chats': 50, 'calls': 20}, 2),
    ({'points': 1000, 'negative_ratings': 11}, 1),
    ({'points': 1000, 'negative_ratings': 10}, 3),
])
def test_conditions_with_or_and_not(metrics: dict[str, int], expected: int) -> None:
    assert level_after(1, metrics, levels=LEVELS) == expected


def test_progress_follows_the_condition() -> None:
    assert progress_to_next(1, {'positive_ratings': 5, 'chats': 40, 'calls': 10}, levels=LEVELS) == (LEVELS[1], 0.5)
    assert LEVELS[1].minimums == {}  # an 'or' requires no single metric


def test_an_invalid_condition_is_refused_with_its_message() -> None:
    with pytest.raises(ExpressionError, match="Unknown metric 'level' at column 1"):
        Level(number=2, title='Rookie', icon='egg', condition='level >= 2')
    with pytest.raises(ExpressionError, match="Expected a number after '>=' at column 11"):
        check_condition('points >= and')


def test_levels_pickle_for_other_processes() -> None:
    levels = pickle.loads(pickle.dumps(LEVELS))
    assert levels == LEVELS
    assert level_after(1, {'chats': 50, 'calls': 20}, levels=levels) == 2


# --- level_after's gate and top-down search against checking every level ----------------------------------------------

comparisons = st.builds(lambda metric, operator, value: f'{metric} {operator} {value}',
                        st.sampled_from(['points', 'resolved', 'positive_ratings']),
                        st.sampled_from(['>=', '>', '<=', '<', '==', '!=']), st.integers(-1, 6))
conditions = st.recursive(comparisons, lambda inner: st.one_of(
    st.builds(lambda a, b: f'({a}) and ({b})', inner, inner), st.builds(lambda a, b: f'({a}) or ({b})', inner, inner),
    st.builds(lambda a: f'not ({a})', inner)), max_leaves=4)
# most levels need some points (as the presets do), so that the gate (a bound every higher level shares) comes into play
gated = st.builds(lambda operator, value, rest: f'points {operator} {value}' + (f' and ({rest})' if rest else ''),
                  st.sampled_from(['>=', '>']), st.integers(-1, 6), st.one_of(st.just(''), conditions))
tables = st.lists(st.one_of(gated, gated, st.just(''), conditions), min_size=1, max_size=6).map(
    lambda texts: tuple(Level(number=number, title=f'L{number}', icon='spa', condition=text)
                        for number, text in enumerate(texts, start=1)))


@settings(max_examples=400)
@given(tables, st.integers(0, 7), st.fixed_dictionaries({name: st.integers(-2, 7)  # near the thresholds: ties
                                                        for name in ('points', 'resolved', 'positive_ratings')}),
       st.booleans())
def test_level_after_is_the_highest_level_reached_above_the_current_one(table: tuple[Level, ...], current: int,
                                                                         metrics: dict[str, int],
                                                                         as_list: bool) -> None:
    reached = [level.number for level in table if level.number > current and level.compiled.holds(metrics)]
    levels = list(table) if as_list else table
    assert level_after(current, metrics, levels=levels) == max(reached, default=max(current, 1))
    assert level_after(current, metrics, levels=levels) == max(reached, default=max(current, 1))  # prepared once
