"""Canned replies: recognising ``/shortcut`` and filling placeholders."""
import pytest

from services.canned import PLACEHOLDERS, placeholder_values, render, shortcut_in


@pytest.mark.parametrize(('text', 'expected'), [
    ('/hello', 'hello'),
    ('  /hello \n', 'hello'),
    ('/more-info', 'more-info'),
    ('/reset_2', 'reset_2'),
    ('hello', None),
    ('/', None),
    ('/hello there', None),  # only when the whole text is the shortcut
    ('say /hello', None),
    ('//hello', None),
    ('', None),
])
def test_shortcut_in(text: str, expected: str | None) -> None:
    assert shortcut_in(text) == expected


def test_render_fills_known_placeholders() -> None:
    values = placeholder_values(customer_name='Marie Laurent', ticket_id=42, agent_name='Ana Ozola')
    body = 'Hi {customer_first_name} ({customer_name}), about {ticket_number}: – {agent_first_name} / {agent_name}'
    assert render(body, values) == 'Hi Marie (Marie Laurent), about #42: – Ana / Ana Ozola'


def test_render_leaves_unknown_placeholders_as_written() -> None:
    values = {'customer_first_name': 'Marie'}
    assert render('Hi {customer_first_name}, your {order_id} and {ticket_number}', values) == \
        'Hi Marie, your {order_id} and {ticket_number}'
    assert render('{ customer_first_name } {} {{x}}', values) == '{ customer_first_name } {} {{x}}'
    assert render('no placeholders', values) == 'no placeholders'


def test_render_does_not_expand_placeholders_inside_values() -> None:
    assert render('{customer_name}', {'customer_name': '{ticket_number}', 'ticket_number': '#1'}) == '{ticket_number}'


def test_placeholder_values() -> None:
    values = placeholder_values(customer_name='Jānis Bērziņš', ticket_id=7, agent_name='Līga Liepa')
    assert values == {'customer_first_name': 'Jānis', 'customer_name': 'Jānis Bērziņš', 'ticket_number': '#7',
                      'agent_name': 'Līga Liepa', 'agent_first_name': 'Līga'}
    assert set(values) == set(PLACEHOLDERS)


def test_placeholder_values_of_single_and_empty_names() -> None:
    values = placeholder_values(customer_name='Cher', ticket_id=1, agent_name='')
    assert (values['customer_first_name'], values['agent_first_name'], values['agent_name']) == ('Cher', '', '')
