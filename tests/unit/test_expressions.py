"""The condition language: parsing, errors with their column, compiled evaluation, progress and canonical text."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.expressions import And, Comparison, ExpressionError, Node, Not, Or, parse_condition
from services.domain.i18n import speaking

KNOWN = ('points', 'quality', 'resolved', 'chats', 'calls', 'positive_ratings')


def parse(text: str):
    return parse_condition(text, known=KNOWN)


@pytest.mark.parametrize(('text', 'metrics', 'holds'), [
    ('points >= 2000 and resolved >= 100', {'points': 2000, 'resolved': 100}, True),
    ('points >= 2000 and resolved >= 100', {'points': 2000, 'resolved': 99}, False),
    ('positive_ratings >= 250 or (chats >= 500 and calls >= 200)', {'chats': 500, 'calls': 200}, True),
    ('positive_ratings >= 250 or (chats >= 500 and calls >= 200)', {'chats': 500, 'calls': 199}, False),
    ('positive_ratings >= 250 or chats >= 500 and calls >= 200', {'positive_ratings': 250}, True),  # and binds tighter
    ('not points > 5', {'points': 5}, True),
    ('not (points > 5 or calls < 3)', {'points': 5, 'calls': 3}, True),
    ('points == 3 and calls != 3 and chats <= 0 and quality < 1', {'points': 3}, True),
    ('points >= -10', {'points': -10}, True),
    ('points >= -10', {'points': -11}, False),
    ('POINTS >= 1 AND Resolved>=1', {'points': 1, 'resolved': 1}, True),  # keywords and names in any case
    ('', {}, True),  # the empty condition always holds
    ('   ', {'points': -5}, True),
])
def test_holds(text: str, metrics: dict[str, int], holds: bool) -> None:
    assert parse(text).holds(metrics) is holds


@pytest.mark.parametrize(('text', 'message', 'column'), [
    ('pointz >= 1', "Unknown metric 'pointz' at column 1 (known: points, quality, resolved, chats, calls, "
                    "positive_ratings); did you mean 'points'?", 1),
    ('points >= 2000 and xyz >= 1', "Unknown metric 'xyz' at column 20", 20),
    ('points >=', "Expected a number after '>=' at column 10, found the end", 10),
    ('points >= many', "Expected a number after '>=' at column 11, found 'many'", 11),
    ('points = 3', "Unexpected character '=' at column 8: write '==' to compare", 8),
    ('points >= 3 && calls >= 1', "Unexpected character '&' at column 13: write 'and'", 13),
    ('(points >= 1', "Missing ')' at column 13 for the '(' at column 1", 13),
    ('points >= 1)', "Unexpected ')' at column 12", 12),
    ('points', "Expected a comparison (>=, >, <=, <, ==, !=) after 'points' at column 7, found the end", 7),
    ('and points >= 1', "Expected a metric name at column 1, found 'and'", 1),
    ('points >= 1 calls >= 2', "Expected 'and', 'or' or the end at column 13, found 'calls'", 13),
    ('points >= 1 and', 'Expected a metric name at column 16, found the end', 16),
    ('3 <= points', "Expected a metric name at column 1, found '3'", 1),
    ("__import__('os')", "Unknown metric '__import__' at column 1", 1),
    ('not ' * 31 + 'points >= 1', 'Nested too deeply at column 121', 121),
    ('points >= 1 or ' * 100 + 'points >= 1', 'The condition is too long', 1000),
])
def test_errors_say_what_and_where(text: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionError) as error:
        parse(text)
    assert str(error.value).startswith(message)
    assert error.value.column == column


@pytest.mark.parametrize(('text', 'canonical'), [
    ('points>=2000   AND resolved >=100', 'points >= 2000 and resolved >= 100'),
    ('positive_ratings >= 250 or chats >= 500 and calls >= 200',
     'positive_ratings >= 250 or (chats >= 500 and calls >= 200)'),
    ('((points >= 1))', 'points >= 1'),
    ('points >= 1 and (calls >= 2 and (chats >= 3))', 'points >= 1 and calls >= 2 and chats >= 3'),
    ('(points >= 1 or calls >= 2) and chats >= 3', '(points >= 1 or calls >= 2) and chats >= 3'),
    ('NOT (points >= 1 or calls >= 2)', 'not (points >= 1 or calls >= 2)'),
    ('not not points >= 1', 'not not points >= 1'),
    ('', ''),
])
def test_canonical_text(text: str, canonical: str) -> None:
    assert parse(text).text == canonical


@pytest.mark.parametrize(('text', 'metrics', 'share'), [
    ('points >= 200', {'points': 50}, 0.25),
    ('points >= 200', {'points': -50}, 0.0),  # negative counts as none
    ('points >= 200', {'points': 900}, 1.0),  # capped
    ('points > 99', {'points': 50}, 0.5),
    ('points >= 200 and resolved >= 10', {'points': 100, 'resolved': 2}, 0.2),  # and: the furthest behind
    ('points >= 200 or resolved >= 10', {'points': 100, 'resolved': 2}, 0.5),  # or: the closest
    ('positive_ratings >= 250 or (chats >= 500 and calls >= 200)', {'chats': 400, 'calls': 50}, 0.25),
    ('calls <= 3', {'calls': 4}, 0.0),
    ('not points >= 1', {'points': 3}, 0.0),
    ('', {}, 1.0),
])
def test_progress(text: str, metrics: dict[str, int], share: float) -> None:
    assert parse(text).progress(metrics) == pytest.approx(share)


def test_minimums_and_metrics() -> None:
    assert parse('points >= 2000 and resolved > 99 and calls <= 5').minimums == {'points': 2000, 'resolved': 100}
    assert parse('points >= 2000 or resolved >= 100').minimums == {}  # neither is required
    assert parse('positive_ratings >= 2 or (chats >= 5 and not calls >= 2)').metrics == {'positive_ratings', 'chats',
                                                                                          'calls'}


# --- properties over random conditions ------------------------------------------------------------------------------

comparisons = st.builds(Comparison, st.sampled_from(KNOWN), st.sampled_from(['>=', '>', '<=', '<', '==', '!=']),
                        st.integers(-1000, 10 ** 6))
nodes: st.SearchStrategy[Node] = st.recursive(
    comparisons,
    lambda children: st.one_of(st.builds(Not, children),
                               st.builds(And, st.lists(children, min_size=2, max_size=4).map(tuple)),
                               st.builds(Or, st.lists(children, min_size=2, max_size=4).map(tuple))),
    max_leaves=12)
metric_values = st.fixed_dictionaries({}, optional={name: st.integers(-1000, 10 ** 6) for name in KNOWN})


def reference(node: Node, metrics: dict[str, int]) -> bool:
    """A slow, obviously right interpreter to check the compiled closures against."""
    if isinstance(node, Comparison):
        value = metrics.get(node.metric, 0)
        return {'>=': value >= node.value, '>': value > node.value, '<=': value <= node.value,
                '<': value < node.value, '==': value == node.value, '!=': value != node.value}[node.operator]
    if isinstance(node, Not):
        return not reference(node.term, metrics)
    if isinstance(node, And):
        return all(reference(term, metrics) for term in node.terms)
    return any(reference(term, metrics) for term in node.terms)


def text_of(node: Node) -> str:
    """Fully parenthesised and with extra spaces: the parser must not care."""
    if isinstance(node, Comparison):
        return f'{node.metric}{node.operator}  {node.value}'
    if isinstance(node, Not):
        return f'NOT ({text_of(node.term)})'
    word = ' and ' if isinstance(node, And) else ' Or '
    return '(' + word.join(text_of(term) for term in node.terms) + ')'


@given(nodes, metric_values)
def test_compiled_evaluation_and_progress_agree_with_the_meaning(node: Node, metrics: dict[str, int]) -> None:
    condition = parse(text_of(node))
    assert condition.holds(metrics) is reference(node, metrics)
    progress = condition.progress(metrics)
    assert 0.0 <= progress <= 1.0
    assert (progress == 1.0) is condition.holds(metrics)


@given(nodes)
def test_canonical_text_keeps_the_meaning_and_is_stable(node: Node) -> None:
    condition = parse(text_of(node))
    again = parse(condition.text)
    assert again.node == condition.node  # the same tree
    assert again.text == condition.text


@given(st.text(alphabet=st.sampled_from(list('points>=<!()&|andorcl 0123456789-_x\t')), max_size=60))
def test_any_text_parses_or_fails_with_a_column(text: str) -> None:
    try:
        parse(text)
    except ExpressionError as error:
        assert 1 <= error.column <= len(text) + 1


def test_a_parse_error_is_worded_in_the_readers_language() -> None:
    with pytest.raises(ExpressionError) as raised:
        parse_condition('points >= 3 && calls >= 1', known=KNOWN)
    assert raised.value.args[0] == "Unexpected character '&' at column 13: write 'and'"
    with speaking('fr'):
        assert str(raised.value) == "Caractère inattendu '&' à la colonne 13 : écrivez 'and'"
    with speaking('lv'):
        assert str(raised.value) == "Negaidīta rakstzīme '&' 13. kolonnā: rakstiet 'and'"
    with pytest.raises(ExpressionError) as raised:
        parse_condition('points >=', known=KNOWN)
    with speaking('fr'):
        assert str(raised.value) == "Nombre attendu après '>=' à la colonne 10, trouvé : la fin"
    with speaking('lv'):
        assert str(raised.value) == "Pēc '>=' 10. kolonnā gaidīja skaitli, atrasts: beigas"
