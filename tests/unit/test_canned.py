"""Canned replies: recognising ``/shortcut`` and filling placeholders."""
import pytest

from services.domain.canned import (
    PLACEHOLDERS,
    CannedReplyDraft,
    CannedReplyView,
    placeholder_values,
    problems_with,
    render,
    shortcut_in,
    unknown_placeholders,
    visible_replies,
)


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
    values = placeholder_values(customer_name='Jānis Bērziņš', ticket_id=7, agent_name='Līga Liepa',
                                company='SIA Dzintars Tech', agent_team='Comet')
    assert values == {'customer_first_name': 'Jānis', 'customer_name': 'Jānis Bērziņš', 'ticket_number': '#7',
                      'agent_name': 'Līga Liepa', 'agent_first_name': 'Līga', 'company': 'SIA Dzintars Tech',
                      'agent_team': 'Comet'}
    assert set(values) == set(PLACEHOLDERS)


def test_placeholder_values_of_single_and_empty_names() -> None:
    values = placeholder_values(customer_name='Cher', ticket_id=1, agent_name='')
    assert (values['customer_first_name'], values['agent_first_name'], values['agent_name']) == ('Cher', '', '')


def draft(**changes) -> CannedReplyDraft:
    return CannedReplyDraft(**({'title': 'Greeting', 'shortcut': 'hi', 'body': 'Hi {customer_first_name}!'} | changes))


def test_a_good_draft_has_no_problems() -> None:
    assert problems_with(draft()) == []
    assert problems_with(draft(shortcut='/more-info_2', body='{company} {agent_team} {ticket_number}')) == []


@pytest.mark.parametrize(('changes', 'problem'), [
    ({'shortcut': ''}, 'Shortcut: cannot be empty.'),
    ({'shortcut': '/'}, 'Shortcut: cannot be empty.'),
    ({'shortcut': 'two words'}, 'Shortcut: /two words may only hold letters, digits, "-" and "_".'),
    ({'shortcut': 'x' * 41}, 'Shortcut: too long (41 characters, at most 40).'),
    ({'title': '  '}, 'Title: cannot be empty.'),
    ({'body': ''}, 'Text: cannot be empty.'),
    ({'body': 'x' * 5001}, 'Text: too long (5001 characters, at most 5000).'),
    ({'language': 'xx'}, "Unknown language 'xx'"),
])
def test_draft_problems(changes: dict, problem: str) -> None:
    assert any(found.startswith(problem) for found in problems_with(draft(**changes))), problems_with(draft(**changes))


def test_unknown_placeholders_are_refused_by_name() -> None:
    body = 'Hi {customer_first_name}, your {order_id} ({order_id}) and {Customer_Name}'
    assert unknown_placeholders(body) == ['order_id', 'Customer_Name']
    [problem] = problems_with(draft(body=body))
    assert problem.startswith('Unknown placeholders {order_id}, {Customer_Name}: use {customer_first_name}')


def test_own_reply_wins_a_shared_shortcut_and_others_own_are_hidden() -> None:
    shared_hi = CannedReplyView(id=1, shortcut='hi', title='Hi', body='shared', language='en')
    shared_bye = CannedReplyView(id=2, shortcut='bye', title='Bye', body='shared', language='en')
    mine = CannedReplyView(id=3, shortcut='hi', title='My hi', body='mine', language='en', owner_id=7)
    theirs = CannedReplyView(id=4, shortcut='zz', title='Theirs', body='theirs', language='en', owner_id=8)
    for order in ([shared_hi, shared_bye, mine, theirs], [theirs, mine, shared_bye, shared_hi]):
        assert visible_replies(order, 7) == [shared_bye, mine]
        assert visible_replies(order, 8) == [shared_bye, shared_hi, theirs]
