"""A small, safe condition language over named integer metrics, e.g. ``points >= 2000 and resolved >= 100``.

Grammar (keywords are case-insensitive; an empty condition always holds)::

    condition  := [or] END
    or         := and ('or' and)*
    and        := not ('and' not)*
    not        := 'not' not | '(' or ')' | comparison
    comparison := METRIC ('>=' | '>' | '<=' | '<' | '==' | '!=') INTEGER

User text is tokenized and parsed by hand, never given to ``eval``: a parsed condition is compiled into closures,
because levels are checked on every event of a replay.
"""
import difflib
import operator
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field

from services.domain.errors import PhrasedError
from services.domain.i18n import N_, phrase

MAX_LENGTH = 1000
MAX_DEPTH = 30  # nested parentheses and 'not's; deeper would only be a way to exhaust the recursion limit

OPERATORS: dict[str, Callable[[int, int], bool]] = {
    '>=': operator.ge, '>': operator.gt, '<=': operator.le, '<': operator.lt, '==': operator.eq, '!=': operator.ne,
}
KEYWORDS = ('and', 'or', 'not')

Metrics = Mapping[str, int]


class ExpressionError(PhrasedError, ValueError):
    """An invalid condition; ``column`` (1-based) is where the problem is (and a placeholder of the message)."""

    def __init__(self, message: str, /, *, column: int, **values: object) -> None:
        super().__init__(message, column=column, **values)
        self.column = column


@dataclass(frozen=True, slots=True)
class Comparison:
    metric: str
    operator: str
    value: int


@dataclass(frozen=True, slots=True)
class And:
    """Every term holds (``and``); no terms at all is the empty condition, which always holds."""
    terms: tuple['Node', ...] = ()


@dataclass(frozen=True, slots=True)
class Or:
    """At least one term holds (``or``)."""
    terms: tuple['Node', ...]


@dataclass(frozen=True, slots=True)
class Not:
    term: 'Node'


Node = Comparison | And | Or | Not


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed condition: its tree, its canonical text and a compiled test."""
    node: Node
    holds: Callable[[Metrics], bool] = field(compare=False, repr=False)

    def __reduce__(self) -> tuple[Callable[[Node], 'Condition'], tuple[Node]]:
        return _from_node, (self.node,)  # closures do not pickle: compile again (e.g. in another process)

    @property
    def text(self) -> str:
        """The canonical form: single spaces, lower-case names, parentheses around every nested ``and``/``or``."""
        return _text(self.node, False)

    def progress(self, metrics: Metrics) -> float:
        """How far (0..1) the metrics are towards the condition: the minimum share of an ``and``, the maximum of an
        ``or``; a comparison that holds is 1, ``metric >= n`` below it is ``metric / n`` (negative counts as 0)."""
        return _progress(self.node, metrics)

    @property
    def metrics(self) -> frozenset[str]:
        """The metric names the condition reads."""
        return frozenset(_metrics(self.node))

    @property
    def minimums(self) -> dict[str, int]:
        """The lower bounds every agent reaching the condition must have: its top-level ``>=`` and ``>`` terms."""
        terms = self.node.terms if isinstance(self.node, And) else (self.node,)
        minimums: dict[str, int] = {}
        for term in terms:
            if isinstance(term, Comparison) and term.operator in ('>=', '>'):
                minimum = term.value + (term.operator == '>')
                minimums[term.metric] = max(minimums.get(term.metric, minimum), minimum)
        return minimums


ALWAYS = Condition(And(), lambda metrics: True)


def parse_condition(text: str, *, known: Collection[str]) -> Condition:
    """Parse and compile a condition over the ``known`` metric names; raise :class:`ExpressionError` if invalid."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(N_('The condition is too long ({length} characters, at most {max_length})'),
                              column=MAX_LENGTH, length=len(text), max_length=MAX_LENGTH)
    return _from_node(_Parser(text, known).parse())


def _from_node(node: Node) -> Condition:
    return Condition(node, _compile(node))


def condition_from_minimums(minimums: Mapping[str, int]) -> str:
    """The condition text meaning "each metric at least its minimum"."""
    return ' and '.join(f'{metric} >= {minimum}' for metric, minimum in minimums.items())


# --- tokenizer and parser -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # 'name', 'number', 'operator', '(', ')', 'end'
    text: str
    column: int


_TOKEN = re.compile(r'\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<number>-?[0-9]+)|(?P<operator>>=|<=|==|!=|>|<)'
                    r'|(?P<paren>[()]))')
_HINTS = {'=': N_("write '==' to compare"), '&': N_("write 'and'"), '|': N_("write 'or'"),
          '!': N_("write 'not' or '!='")}
_THE_END = phrase(N_('the end'))  # what is found after the last token


def _tokenize(text: str) -> Iterator[_Token]:
    """Yield the tokens one by one, so that the first problem from the left is the one reported."""
    position = 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            rest = text[position:]
            stripped = rest.lstrip()
            column = len(text) - len(stripped) + 1
            if not stripped:
                while True:
                    yield _Token('end', '', column)
            character = stripped[0]
            if character in _HINTS:
                raise ExpressionError(N_('Unexpected character {character} at column {column}: {hint}'),
                                      column=column, character=repr(character), hint=phrase(_HINTS[character]))
            raise ExpressionError(N_('Unexpected character {character} at column {column}'), column=column,
                                  character=repr(character))
        kind = match.lastgroup
        token_text = match.group(kind)
        column = match.start(kind) + 1
        yield _Token(kind if kind != 'paren' else token_text, token_text, column)
        position = match.end()


def _found(token: _Token) -> object:
    return _THE_END if token.kind == 'end' else repr(token.text)


class _Parser:
    def __init__(self, text: str, known: Collection[str]) -> None:
        self.tokens = _tokenize(text)
        self.token = next(self.tokens)
        self.known = known
        self.depth = 0

    def parse(self) -> Node:
        if self._peek().kind == 'end':
            return And()
        node = self._or()
        token = self._peek()
        if token.kind == ')':
            raise ExpressionError(N_("Unexpected ')' at column {column}: no '(' to close"), column=token.column)
        if token.kind != 'end':
            raise ExpressionError(N_("Expected 'and', 'or' or the end at column {column}, found {found}"),
                                  column=token.column, found=repr(token.text))
        return node

    def _or(self) -> Node:
        terms = [self._and()]
        while self._keyword('or'):
            terms.append(self._and())
        return terms[0] if len(terms) == 1 else Or(_flatten(terms, Or))

    def _and(self) -> Node:
        terms = [self._not()]
        while self._keyword('and'):
            terms.append(self._not())
        return terms[0] if len(terms) == 1 else And(_flatten(terms, And))

    def _not(self) -> Node:
        token = self._peek()
        if self._keyword('not'):
            return Not(self._nested(token, self._not))
        if token.kind == '(':
            self._next()
            node = self._nested(token, self._or)
            closing = self._peek()
            if closing.kind != ')':
                raise ExpressionError(N_("Missing ')' at column {column} for the '(' at column {opening}"),
                                      column=closing.column, opening=token.column)
            self._next()
            return node
        return self._comparison()

    def _nested(self, token: _Token, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(N_('Nested too deeply at column {column} (at most {depth} levels)'),
                                  column=token.column, depth=MAX_DEPTH)
        node = parse()
        self.depth -= 1
        return node

    def _comparison(self) -> Node:
        token = self._next()
        if token.kind != 'name' or token.text.lower() in KEYWORDS:
            raise ExpressionError(N_('Expected a metric name at column {column}, found {found}'),
                                  column=token.column, found=_found(token))
        metric = token.text.lower()
        if metric not in self.known:
            close = difflib.get_close_matches(metric, list(self.known), n=1)
            if close:
                raise ExpressionError(N_("Unknown metric '{metric}' at column {column} (known: {known}); did you mean "
                                         "'{suggestion}'?"), column=token.column, metric=token.text,
                                      known=', '.join(self.known), suggestion=close[0])
            raise ExpressionError(N_("Unknown metric '{metric}' at column {column} (known: {known})"),
                                  column=token.column, metric=token.text, known=', '.join(self.known))
        comparison = self._next()
        if comparison.kind != 'operator':
            raise ExpressionError(N_("Expected a comparison (>=, >, <=, <, ==, !=) after '{metric}' at column "
                                     '{column}, found {found}'), column=comparison.column, metric=metric,
                                  found=_found(comparison))
        number = self._next()
        if number.kind != 'number':
            raise ExpressionError(N_("Expected a number after '{comparison}' at column {column}, found {found}"),
                                  column=number.column, comparison=comparison.text, found=_found(number))
        return Comparison(metric, comparison.text, int(number.text))

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token.kind == 'name' and token.text.lower() == word:
            self._next()
            return True
        return False

    def _peek(self) -> _Token:
        return self.token

    def _next(self) -> _Token:
        token = self.token
        self.token = next(self.tokens)
        return token


def _flatten(terms: list[Node], kind: type[And] | type[Or]) -> tuple[Node, ...]:
    """``a and (b and c)`` is ``a and b and c``: one canonical tree for one meaning."""
    flat: list[Node] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, kind) else (term,))
    return tuple(flat)


# --- compiling, progress, text --------------------------------------------------------------------------------------

def _compile(node: Node) -> Callable[[Metrics], bool]:
    if isinstance(node, Comparison):
        metric, value, compare = node.metric, node.value, OPERATORS[node.operator]
        return lambda metrics: compare(metrics.get(metric, 0), value)
    if isinstance(node, Not):
        term = _compile(node.term)
        return lambda metrics: not term(metrics)
    tests = [_compile(term) for term in node.terms]
    if not tests:
        return lambda metrics: True
    combined = tests[0]
    for test in tests[1:]:  # nested two-term closures: no generator or loop per evaluation
        if isinstance(node, And):
            combined = (lambda first, second: lambda metrics: first(metrics) and second(metrics))(combined, test)
        else:
            combined = (lambda first, second: lambda metrics: first(metrics) or second(metrics))(combined, test)
    return combined


def _progress(node: Node, metrics: Metrics) -> float:
    if isinstance(node, Comparison):
        value = metrics.get(node.metric, 0)
        if OPERATORS[node.operator](value, node.value):
            return 1.0
        target = node.value + (node.operator == '>')
        if node.operator in ('>=', '>', '==') and target > 0 and value < target:
            return max(0, value) / target
        return 0.0
    if isinstance(node, Not):
        return 0.0 if _compile(node.term)(metrics) else 1.0
    if isinstance(node, And):
        return min((_progress(term, metrics) for term in node.terms), default=1.0)
    return max(_progress(term, metrics) for term in node.terms)


def _text(node: Node, nested: bool) -> str:
    if isinstance(node, Comparison):
        return f'{node.metric} {node.operator} {node.value}'
    if isinstance(node, Not):
        return f'not {_text(node.term, True)}'
    text = f" {'and' if isinstance(node, And) else 'or'} ".join(_text(term, True) for term in node.terms)
    return f'({text})' if nested and node.terms else text


def _metrics(node: Node) -> list[str]:
    if isinstance(node, Comparison):
        return [node.metric]
    if isinstance(node, Not):
        return _metrics(node.term)
    return [name for term in node.terms for name in _metrics(term)]
