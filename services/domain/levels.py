"""Levels: twelve presets reached by conditions over lifetime metrics; once reached, never lost."""
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from services.domain.errors import ActionError
from services.domain.expressions import And, Comparison, Condition, condition_from_minimums, parse_condition
from services.domain.i18n import N_, Translations, localized
from services.domain.text import MAX_NAME, checked_translations

# the lifetime metrics a level condition may read: services/domain/projection.py's AgentMetrics counters (named here
# because projection imports this module; tests/unit/test_levels.py checks that the two agree)
LEVEL_METRICS = ('points', 'quality', 'speed', 'productivity', 'resolved', 'replies', 'chats', 'calls',
                 'positive_ratings', 'negative_ratings')
# what a level condition's metric is called where a person reads it (a receipt's checks); the condition keeps the name
LEVEL_METRIC_NAMES = {'points': N_('points'), 'quality': N_('quality points'), 'speed': N_('speed points'),
                      'productivity': N_('productivity points'), 'resolved': N_('resolved conversations'),
                      'replies': N_('replies'), 'chats': N_('chats'), 'calls': N_('calls'),
                      'positive_ratings': N_('positive ratings'), 'negative_ratings': N_('negative ratings')}


@dataclass(frozen=True, kw_only=True, slots=True)
class Level:
    """A level and the condition reaching it, e.g. ``points >= 2000 and resolved >= 100``
    (see services/domain/expressions.py).

    An invalid condition raises :class:`services.expressions.ExpressionError` when the level is made. ``minimums`` is
    the older shorthand for a condition of ``>=`` terms: used only when ``condition`` is empty, else derived from it.
    """
    number: int
    title: str
    icon: str  # a Material icon name: emoji do not render on every kiosk screen
    condition: str = ''  # kept in canonical form; an empty condition is always reached
    minimums: Mapping[str, int] = field(default_factory=dict)  # metric name -> lifetime minimum
    # the title in other languages (services/domain/i18n.py's ``localized``): not a rule, so not compared
    translations: Translations = field(default_factory=dict, compare=False)
    compiled: Condition = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, 'translations', checked_translations(self.translations, LEVEL_TEXTS))
        except ActionError as error:
            raise ValueError(str(error)) from None
        text = self.condition if self.condition.strip() or not self.minimums else condition_from_minimums(self.minimums)
        compiled = parse_condition(text, known=LEVEL_METRICS)
        object.__setattr__(self, 'compiled', compiled)
        object.__setattr__(self, 'condition', compiled.text)
        object.__setattr__(self, 'minimums', compiled.minimums)

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (read when shown), else the default one."""
        return localized(self.title, self.translations, 'title')

    def reached_by(self, metrics: Mapping[str, int]) -> bool:
        return self.compiled.holds(metrics)


def check_condition(text: str) -> str:
    """Return a level condition in canonical form, or raise :class:`ExpressionError` with a message for the editor."""
    return parse_condition(text, known=LEVEL_METRICS).text


LEVEL_TEXTS = {'title': MAX_NAME}  # what a level's translations hold

# an agent earning ~150 points an hour climbs a level every day or two at first, and reaches the top in months
DEFAULT_LEVELS: tuple[Level, ...] = (
    Level(number=1, title='Novice', icon='spa'),
    Level(number=2, title='Rookie', icon='egg', condition='points >= 200'),
    Level(number=3, title='Apprentice', icon='menu_book', condition='points >= 800 and resolved >= 40'),
    Level(number=4, title='Problem solver', icon='extension', condition='points >= 2000 and resolved >= 100'),
    Level(number=5, title='Ticket tamer', icon='gps_fixed', condition='points >= 4000 and resolved >= 200'),
    Level(number=6, title='Customer whisperer', icon='forum', condition='points >= 7000 and positive_ratings >= 250'),
    Level(number=7, title='Support ninja', icon='sports_martial_arts', condition='points >= 11000 and resolved >= 600'),
    Level(number=8, title='Queue master', icon='explore', condition='points >= 16000 and resolved >= 900'),
    Level(number=9, title='Support hero', icon='shield', condition='points >= 23000 and positive_ratings >= 800'),
    Level(number=10, title='Legend of the desk', icon='emoji_events', condition='points >= 32000 and resolved >= 1800'),
    Level(number=11, title='Grand master of support', icon='auto_awesome',
          condition='points >= 45000 and resolved >= 2500'),
    Level(number=12, title='King of customer support', icon='workspace_premium',
          condition='points >= 60000 and resolved >= 3500'),
)


def level_after(current: int, metrics: Mapping[str, int], *, levels: Sequence[Level] = DEFAULT_LEVELS) -> int:
    """Return the level an agent holds after these metrics: the highest one reached, never below ``current``."""
    return _ladder(levels).after(current, metrics)


class _Ladder:
    """A level table prepared for :func:`level_after`, which a replay runs for every agent an event touches.

    For each current level, a plan: the levels above it, ordered by a lower bound that all of them share (``points >=
    n`` in the presets; a top-level ``metric >= n`` or ``metric > n`` term of each condition). An agent's value of that
    metric then selects, by bisection, the only levels it can reach (none, mostly: an agent is usually below the next
    level's points), which are searched from the top, so the first reached is the highest.
    """

    def __init__(self, levels: Sequence[Level]) -> None:
        self.levels = levels
        self._plans: dict[int, _Plan] = {}

    def after(self, current: int, metrics: Mapping[str, int]) -> int:
        plan = self._plans.get(current)
        if plan is None:
            plan = self._plans[current] = _Plan(self.levels, current)
        candidates = plan.candidates[bisect_right(plan.bounds, metrics.get(plan.metric, 0))] if plan.metric \
            else plan.candidates[0]
        for level in candidates:
            if level.compiled.holds(metrics):
                return level.number
        return max(current, 1)


class _Plan:
    """The levels above ``current`` that an agent can reach, by its value of one shared bounded metric."""

    def __init__(self, levels: Sequence[Level], current: int) -> None:
        above = [level for level in levels if level.number > current]
        bounds = [_lower_bounds(level) for level in above]
        shared = set(bounds[0]).intersection(*bounds[1:]) if bounds else set()
        # the metric to bisect on: points if every level above bounds it, else any shared one, else none (all levels
        # above are candidates whatever the metrics)
        self.metric = 'points' if 'points' in shared else min(shared, default='')
        if not self.metric:
            self.bounds: list[int] = []
            self.candidates = [_from_the_top(above)]
            return
        by_bound = sorted(zip((bound[self.metric] for bound in bounds), range(len(above)), strict=True))
        self.bounds = [bound for bound, _ in by_bound]
        # candidates[k]: the levels of the k lowest bounds (those an agent whose value reaches the k-th bound may hold)
        self.candidates = [_from_the_top([above[index] for _, index in by_bound[:count]])
                           for count in range(len(above) + 1)]


def _from_the_top(levels: Sequence[Level]) -> tuple[Level, ...]:
    return tuple(sorted(levels, key=lambda level: level.number, reverse=True))


def _lower_bounds(level: Level) -> dict[str, int]:
    """Per metric, a value below which the level's condition cannot hold (``metric > n`` gives n: right for any
    number, not only integers)."""
    node = level.compiled.node
    terms = node.terms if isinstance(node, And) else (node,)
    bounds: dict[str, int] = {}
    for term in terms:
        if isinstance(term, Comparison) and term.operator in ('>=', '>'):
            bounds[term.metric] = max(bounds.get(term.metric, term.value), term.value)
    return bounds


_LADDERS: dict[int, _Ladder] = {}  # by id() of a level table (a tuple: immutable, so its ladder stays right)


def _ladder(levels: Sequence[Level]) -> _Ladder:
    if not isinstance(levels, tuple):
        return _Ladder(levels)  # a list could change between calls: prepared each time
    ladder = _LADDERS.get(id(levels))
    if ladder is None or ladder.levels is not levels:
        if len(_LADDERS) >= 32:  # lead edits make new tables; old ones are forgotten
            _LADDERS.clear()
        ladder = _LADDERS[id(levels)] = _Ladder(levels)
    return ladder


def level_info(number: int, *, levels: Sequence[Level] = DEFAULT_LEVELS) -> Level:
    return next(level for level in levels if level.number == number)


def progress_to_next(number: int, metrics: Mapping[str, int], *,
                     levels: Sequence[Level] = DEFAULT_LEVELS) -> tuple[Level | None, float]:
    """Return the next level and how far (0..1) the metrics are towards its condition (see ``Condition.progress``)."""
    following = [level for level in levels if level.number > number]
    if not following:
        return None, 1.0
    target = min(following, key=lambda level: level.number)
    return target, target.compiled.progress(metrics)


def level_as_dict(level: Level) -> dict[str, object]:
    """A JSON-ready form (a LEVELS_CHANGED event's data, a stored row), read back by :func:`levels_from_dicts`."""
    return {'number': level.number, 'title': level.title, 'icon': level.icon, 'condition': level.condition,
            'translations': {language: dict(texts) for language, texts in level.translations.items()}}


def levels_from_dicts(rows: Sequence[Mapping[str, object]]) -> tuple[Level, ...]:
    """Levels from :func:`level_as_dict` forms, by number; raise ``ExpressionError`` for an invalid condition."""
    return tuple(sorted((Level(number=int(row['number']), title=str(row['title']), icon=str(row['icon']),
                               condition=str(row['condition']), translations=row.get('translations') or {})
                         for row in rows), key=lambda level: level.number))
