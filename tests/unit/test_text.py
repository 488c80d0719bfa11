"""The one check every typed field goes through (services/domain/text.py)."""
import pytest

from services.domain.errors import ActionError
from services.domain.text import checked_text


@pytest.mark.parametrize(('text', 'options', 'expected'), [
    ('  Ana  ', {}, 'Ana'),
    ('x' * 80, {}, 'x' * 80),
    ('Ünïcödé — 日本語 😀', {}, 'Ünïcödé — 日本語 😀'),
    ('first\nsecond\ttabbed\r\n', {'multiline': True}, 'first\nsecond\ttabbed'),
    ('\u202eTidy\u202c \u2066desk\u2069', {'name': True}, 'Tidy desk'),
    ('\u202a\u202b\u202d\u2067\u2068', {'name': True}, ''),
    ('see \u2067שלום\u2069', {'multiline': True}, 'see \u2067שלום\u2069'),  # not a name: quoted as it is
    ('', {}, ''),  # optional fields may stay empty
])
def test_accepted_text_comes_back_trimmed(text: str, options: dict, expected: str) -> None:
    assert checked_text(text, 'Badge name', 80, **options) == expected


@pytest.mark.parametrize(('text', 'options', 'message'), [
    ('x' * 81, {}, r'Badge name: too long \(81 characters, at most 80\)\.'),
    ('x' * 100_000, {'multiline': True}, r'Badge name: too long \(100000 characters, at most 80\)\.'),
    ('  ' + 'x' * 80 + '  ', {}, None),  # trimmed first: fits
    ('a\x00b', {'multiline': True}, r'Badge name: holds a character it may not hold \(U\+0000 at position 2\)'),
    ('bell\x07', {}, r'\(U\+0007 at position 5\)'),
    ('\x1b[31m', {}, r'\(U\+001B at position 1\)'),
    ('del\x7f', {}, r'U\+007F'),
    ('c1\x85x', {}, r'U\+0085'),
    ('a\x0bb', {'multiline': True}, r'U\+000B'),  # a vertical tab is no line break
    ('lone \ud800', {}, r'U\+D800'),
    ('low \udfff surrogate', {'multiline': True}, r'U\+DFFF'),
    ('first\nsecond', {}, r'U\+000A at position 6'),
    ('left\tright', {}, r'U\+0009'),
    ('', {'empty': 'A badge needs a name.'}, 'A badge needs a name.'),
    (' \n\t ', {'empty': 'A badge needs a name.'}, 'A badge needs a name.'),
    ('\u202e\u2066', {'name': True, 'empty': 'A badge needs a name.'}, 'A badge needs a name.'),
    (None, {}, 'Badge name: must be text.'),
    (b'bytes', {}, 'Badge name: must be text.'),
])
def test_refused_text_says_which_field_and_why(text: object, options: dict, message: str | None) -> None:
    if message is None:
        assert checked_text(text, 'Badge name', 80, **options) == 'x' * 80
        return
    with pytest.raises(ActionError, match=message):
        checked_text(text, 'Badge name', 80, **options)


def test_every_control_character_is_refused_and_only_tab_and_line_breaks_pass_where_lines_are_allowed() -> None:
    controls = [chr(code) for code in (*range(0x20), *range(0x7f, 0xa0))]
    for character in controls:
        with pytest.raises(ActionError):
            checked_text(f'a{character}b', 'name', 10)
        if character not in '\t\n\r':
            with pytest.raises(ActionError):
                checked_text(f'a{character}b', 'text', 10, multiline=True)
        else:
            assert checked_text(f'a{character}b', 'text', 10, multiline=True) == f'a{character}b'

