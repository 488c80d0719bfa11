"""Every text the UI modules hand to a label, a button, a notification, a tooltip or a field goes through ``_()``
(issue 16): the source is parsed (ast) and a literal with words in it, passed straight to an element, fails the test.

Icons, CSS classes, props other than texts, markers and values are not texts and are not looked at. Modules not swept
yet are listed in ``NOT_YET_SWEPT``: the list only shrinks (a module on it that is clean already fails, so it is taken
off), and every new module is checked from its first line.
"""
import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / 'ui'

# the sweep to come (docs/ARCHITECTURE.md, "Languages"): remove a module once its texts are wrapped
NOT_YET_SWEPT = frozenset({
})

# element factories (``ui.x(...)``) whose first positional argument is a text a person reads
TEXT_FIRST = frozenset({'label', 'button', 'notify', 'badge', 'chip', 'tab', 'checkbox', 'switch', 'input', 'textarea',
                        'number', 'input_chips', 'expansion', 'menu_item', 'link', 'item_label', 'tooltip', 'markdown',
                        'dropdown_button', 'step', 'timeline_entry', 'chat_message', 'page_title'})
# methods of any element whose first positional argument is a text
TEXT_METHODS = frozenset({'set_text', 'tooltip', 'notify'})
# keyword arguments that carry a text, whatever the call
TEXT_KEYWORDS = frozenset({'text', 'label', 'placeholder', 'caption', 'title', 'message', 'hint', 'subtitle',
                           'confirm_text', 'prefix', 'suffix', 'error', 'done',
                           'lead_only'})
# Quasar props that carry a text: .props('label="Due"')
TEXT_PROPS = re.compile(r'(?<![\w-])(label|placeholder|hint|title|caption|prefix|suffix|aria-label|error-message|'
                        r'no-data-label|no-results-label|loading-label|rows-per-page-label)=(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
NAMES = frozenset({'DeskQuest', 'DeskQuest API', 'CSV', 'JSON'})  # the product's and formats' names: every language's
WORD = re.compile(r'[^\W\d_]{2,}')  # two letters in a row: 'Save', 'Résolu'; not '#', '·', '%', '{count}'


def ui_modules() -> list[str]:
    return sorted(path.relative_to(ROOT).as_posix() for path in UI.rglob('*.py'))


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, text) of each literal text handed straight to an element in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for argument in text_arguments(node):
            found.extend((argument.lineno, text) for text in literal_texts(argument))
        if _method(node) == 'props':
            for argument in node.args[:1]:
                for chunk in literal_texts(argument, words_only=False):
                    for match in TEXT_PROPS.finditer(chunk):
                        value = next(group for group in match.groups()[1:] if group is not None)
                        if WORD.search(value.replace('{', ' {').split('{')[0] if '{' in value else value):
                            found.append((argument.lineno, match.group(0)))
    return sorted(set(found))


def text_arguments(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments of ``call`` that a person reads."""
    method = _method(call)
    factory = isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
        and call.func.value.id == 'ui'
    if call.args and ((factory and method in TEXT_FIRST) or (not factory and method in TEXT_METHODS)):
        yield call.args[0]
    for keyword in call.keywords:
        if keyword.arg in TEXT_KEYWORDS:
            yield keyword.value
        elif keyword.arg == 'validation' and isinstance(keyword.value, ast.Dict):  # {'Too long': lambda v: ...}
            yield from (key for key in keyword.value.keys if key is not None)
    for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:  # a table's columns: [{'label': ...}]
        for element in argument.elts if isinstance(argument, ast.List) else ():
            if isinstance(element, ast.Dict):
                for key, value in zip(element.keys, element.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value in {'label', 'headerName'}:
                        yield value


def literal_texts(node: ast.expr, *, words_only: bool = True) -> Iterator[str]:
    """The literal pieces of ``node`` that reach the screen as they are written (a translated call yields none)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if not words_only or WORD.search(node.value) and node.value not in NAMES:
            yield node.value
    elif isinstance(node, ast.JoinedStr):
        text = ''.join(part.value if isinstance(part, ast.Constant) else '{}' for part in node.values)
        if not words_only or WORD.search(text.replace('{}', ' ')):
            yield text
    elif isinstance(node, ast.IfExp):
        yield from literal_texts(node.body, words_only=words_only)
        yield from literal_texts(node.orelse, words_only=words_only)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from literal_texts(node.left, words_only=words_only)
        yield from literal_texts(node.right, words_only=words_only)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from literal_texts(value, words_only=words_only)


def _method(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


@pytest.mark.parametrize('module', [module for module in ui_modules() if module not in NOT_YET_SWEPT])
def test_a_swept_ui_module_hands_no_literal_text_to_an_element(module: str) -> None:
    problems = untranslated((ROOT / module).read_text(encoding='utf-8'))
    assert not problems, f'{module}: wrap these in _() / ngettext() (services/domain/i18n.py):\n' + '\n'.join(
        f'  line {line}: {text!r}' for line, text in problems)


def test_the_list_of_modules_not_yet_swept_only_shrinks() -> None:
    modules = set(ui_modules())
    assert NOT_YET_SWEPT <= modules, f'gone, take them off the list: {sorted(NOT_YET_SWEPT - modules)}'
    clean = sorted(module for module in NOT_YET_SWEPT if not untranslated((ROOT / module).read_text(encoding='utf-8')))
    assert not clean, f'swept already, take them off NOT_YET_SWEPT: {clean}'


def test_the_checker_flags_literal_texts_and_leaves_the_rest() -> None:
    flagged = untranslated('''
ui.label('Waiting')
ui.button('Send', icon='send').props('flat color=primary')
ui.notify(f'{count} conversations moved', type='positive')
ui.input(placeholder='Search')
ui.select(options, label='Priority')
element.tooltip('Close the conversation')
label.set_text('Due soon' if late else f'{n} left')
ui.input(validation={'Too long': lambda value: len(value) < 10})
ui.table(columns=[{'name': 'agent', 'label': 'Agent', 'field': 'agent'}], rows=[])
ui.input().props('label="Due date" outlined')
ui.button(text='Save')
''')
    assert [text for _line, text in flagged] == [
        'Waiting', 'Send', '{} conversations moved', 'Search', 'Priority', 'Close the conversation', 'Due soon',
        '{} left', 'Too long', 'Agent', 'label="Due date"', 'Save']
    assert untranslated('''
ui.label(_('Waiting'))
ui.button(_('Send'), icon='send', color='primary').props('flat dense no-caps').classes('text-sm font-bold')
ui.notify(ngettext('{count} moved', '{count} moved', n).format(count=n), type='positive')
ui.input(placeholder=_('Search')).props('outlined dense clearable').mark('search')
ui.icon('schedule', size='xs')
ui.label(f'#{ticket.id}')
ui.label(name)
ui.label('·')
element.tooltip(pgettext('ticket', 'Open'))
ui.input().props(f'label="{_("Due")}" outlined')
ui.table(columns=[{'name': 'agent', 'label': _('Agent'), 'field': 'agent'}], rows=[])
''') == []
