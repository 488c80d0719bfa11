"""Automation rules and SLA policies as pure values: conditions, validation with messages, escalation moments."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.domain.automation import (
    Condition,
    Facts,
    RuleAction,
    RuleContext,
    RuleError,
    RuleSpec,
    conditions_from,
    matches,
    validate_rule,
)
from services.domain.errors import ActionError
from services.domain.events import Channel
from services.domain.i18n import speaking
from services.domain.inbox import InboxItem
from services.helpdesk.sla import SlaPolicyView, escalation_moment, escalations_due, raised, validate_policy

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
FACTS = Facts(text='Please UPGRADE my subscription', channel='email', priority='normal', language='fr',
              department_id=None)
CONTEXT = RuleContext(departments={3: 'Sales'}, agents={7: 'Ana Ozola'})


async def _noop(*_args) -> dict:
    return {}


def _action(*triggers: str, check=lambda value, _context: value) -> RuleAction:
    return RuleAction(label='Test', triggers=triggers, check=check, run=_noop)


def _department(value: str, context: RuleContext) -> str:
    if not value.isdigit() or int(value) not in context.departments:
        raise RuleError('Pick a department.')
    return value


ACTIONS = {'set_department': _action('conversation_created', 'customer_message', check=_department),
           'send_message': _action('after_resolution')}


def test_text_conditions_match_any_word_case_insensitively() -> None:
    keywords = Condition(field='text', operator='contains_any', values=('subscription', 'payment'))
    assert matches([keywords], FACTS)
    assert not matches([Condition(field='text', operator='contains_none', values=('upgrade',))], FACTS)
    assert not matches([Condition(field='text', operator='contains_any', values=('refund',))], FACTS)


def test_all_conditions_must_hold() -> None:
    email = Condition(field='channel', operator='is', values=('email', 'social'))
    french = Condition(field='language', operator='is', values=('FR',))
    urgent = Condition(field='priority', operator='is', values=('urgent',))
    assert matches([email, french], FACTS)
    assert not matches([email, french, urgent], FACTS)
    assert matches([Condition(field='priority', operator='is_not', values=('urgent',))], FACTS)
    assert matches([], FACTS)


def test_department_condition_compares_ids() -> None:
    in_sales = Condition(field='department', operator='is', values=('3',))
    assert not matches([in_sales], FACTS)
    assert matches([in_sales], Facts(text='', channel='chat', priority='low', language='en', department_id=3))


@pytest.mark.parametrize(('raw', 'message'), [
    ([{'field': 'colour', 'operator': 'is', 'value': ['red']}], "Condition 1: 'colour' is not a field"),
    ([{'field': 'text', 'operator': 'is', 'value': ['x']}],
     "Condition 1: Subject or message: the operators are 'contains_any'"),
    ([{'field': 'text', 'operator': 'contains_any', 'value': ['  ']}],
     'Condition 1: Subject or message: give at least one value'),
    ([{'field': 'text', 'operator': 'contains_any', 'value': [3]}], 'Condition 1: the values must be text'),
    ('text contains upgrade', 'The conditions must be a list'),
    ([{'field': 'text', 'operator': 'contains_any', 'value': ['ok']}, 'x'], 'Condition 2 must be'),
])
def test_malformed_conditions_are_refused_with_a_message(raw: object, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        conditions_from(raw)


def _spec(**changes) -> RuleSpec:
    values = {'name': 'Sales words', 'trigger': 'conversation_created', 'action': 'set_department', 'value': '3',
              'conditions': (Condition(field='text', operator='contains_any', values=('upgrade',)),)}
    return RuleSpec(**(values | changes))


@pytest.mark.parametrize(('changes', 'message'), [
    ({'name': '  '}, 'Give the rule a name'),
    ({'trigger': 'sometimes'}, "Unknown trigger 'sometimes'"),
    ({'action': 'explode'}, "Unknown action 'explode'"),
    ({'value': '9'}, 'Pick a department'),
    ({'conditions': (Condition(field='channel', operator='is', values=('fax',)),)},
     'Condition 1: fax is not a channel; use one of email, chat, phone, social'),
    ({'conditions': (Condition(field='priority', operator='is', values=('asap',)),)}, 'asap is not a priority'),
    ({'conditions': (Condition(field='department', operator='is', values=('8',)),)}, 'there is no department 8'),
    ({'conditions': (Condition(field='language', operator='is', values=('french!',)),)}, 'is not a language code'),
    ({'trigger': 'after_resolution'}, '“Test” cannot run on the trigger “Time after resolution”'),
    ({'trigger': 'after_resolution', 'action': 'send_message', 'value': 'Hi', 'delay_minutes': 0},
     'A time rule waits from 1 minute to 365 days'),
])
def test_invalid_rules_are_refused_with_what_is_wrong(changes: dict, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        validate_rule(_spec(**changes), actions=ACTIONS, context=CONTEXT)


def test_a_valid_rule_is_tidied() -> None:
    spec = validate_rule(_spec(name='  Sales   words ', delay_minutes=30), actions=ACTIONS, context=CONTEXT)
    assert spec.name == 'Sales words' and spec.delay_minutes == 0  # an action rule has no delay
    time_rule = validate_rule(_spec(trigger='after_resolution', action='send_message', value=' Hi ', conditions=(),
                                    delay_minutes=1440), actions=ACTIONS, context=CONTEXT)
    assert time_rule.value == 'Hi' and time_rule.delay_minutes == 1440


POLICY = SlaPolicyView(priority='normal', first_response_minutes=60, resolution_minutes=600, escalate_at_percent=80,
                       escalation='notify_lead')


def _item(**changes) -> InboxItem:
    values = {'id': 1, 'channel': Channel.EMAIL, 'customer_name': 'Marie', 'subject': '', 'status': 'new',
              'priority': 'normal', 'assignee_id': None, 'created_at': T0, 'waiting_since': T0,
              'sla_due_at': T0 + timedelta(minutes=600), 'first_response_due_at': T0 + timedelta(minutes=60)}
    return InboxItem(**(values | changes))


def test_escalation_comes_once_the_share_of_the_target_has_passed() -> None:
    assert escalation_moment(T0 + timedelta(minutes=60), timedelta(minutes=60), 80) == T0 + timedelta(minutes=48)
    item = _item()
    assert escalations_due(item, POLICY, answered=False, escalated=set(), now=T0 + timedelta(minutes=47)) == []
    assert escalations_due(item, POLICY, answered=False, escalated=set(),
                           now=T0 + timedelta(minutes=48)) == ['first_response']
    assert escalations_due(item, POLICY, answered=True, escalated=set(), now=T0 + timedelta(minutes=48)) == []
    assert escalations_due(item, POLICY, answered=True, escalated=set(),
                           now=T0 + timedelta(minutes=480)) == ['resolution']
    assert escalations_due(item, POLICY, answered=False, escalated={(1, 'first_response'), (1, 'resolution')},
                           now=T0 + timedelta(hours=20)) == []
    silent = SlaPolicyView(priority='low', first_response_minutes=1, resolution_minutes=2, escalation='none')
    assert escalations_due(item, silent, answered=False, escalated=set(), now=T0 + timedelta(days=2)) == []


def test_priority_is_raised_one_step_up_to_urgent() -> None:
    assert [raised(p) for p in ('low', 'normal', 'high', 'urgent')] == ['normal', 'high', 'urgent', None]


@pytest.mark.parametrize(('changes', 'message'), [
    ({'first_response_minutes': 0}, 'First-response target: a whole number of minutes'),
    ({'resolution_minutes': 50}, 'cannot be longer than the resolution target'),
    ({'escalate_at_percent': 100}, 'from 10 % to 99 %'),
    ({'escalation': 'panic'}, "Unknown escalation 'panic'"),
    ({'priority': 'asap'}, "Unknown priority 'asap'"),
])
def test_invalid_sla_policies_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ActionError, match=message):
        validate_policy(replace(POLICY, **changes))


def test_a_rules_error_is_worded_where_it_is_read() -> None:
    """The API and the logs get the English sentence, a person's tab theirs, from the same error."""
    with pytest.raises(RuleError) as caught:
        validate_rule(_spec(conditions=(Condition(field='channel', operator='is', values=('fax',)),)),
                      actions=ACTIONS, context=CONTEXT)
    error = caught.value
    assert error.args[0] == str(error) == 'Condition 1: fax is not a channel; use one of email, chat, phone, social.'
    with speaking('fr'):
        assert str(error) == "Condition 1 : fax n'est pas un canal ; utilisez l'un de ceux-ci : email, chat, phone, " \
                             'social.'
    with speaking('lv'):
        assert str(error) == '1. nosacījums: fax nav kanāls; izmantojiet kādu no šiem: email, chat, phone, social.'
    with pytest.raises(RuleError) as caught:
        validate_rule(_spec(trigger='after_resolution'), actions=ACTIONS, context=CONTEXT)
    with speaking('fr'):
        assert str(caught.value) == "« Test » ne peut pas s'exécuter sur le déclencheur « Délai après résolution » ; " \
                                    "il s'exécute sur : « Une nouvelle conversation arrive », « Le client écrit »."
