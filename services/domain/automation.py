"""The automation rules' language: a rule's trigger, its conditions (field, operator, values; all must hold) and its
action, checked before a rule is saved (:func:`validate_rule` says what is wrong) and matched against a conversation's
facts (:func:`matches`). The service that stores and runs rules is services/helpdesk/automation.py.
"""
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from services.domain.errors import PROBLEM, ActionError, PhrasedError
from services.domain.events import Channel
from services.domain.i18n import N_, Phrase, _, phrase
from services.domain.inbox import PRIORITIES, normalise_tag
from services.domain.text import MAX_NAME, checked_text

ACTION_TRIGGERS = {'conversation_created': N_('A new conversation arrives'),
                   'customer_message': N_('The customer writes')}  # the labels here are shown through _()
TIME_TRIGGERS = {'after_resolution': N_('Time after resolution'),
                 'pending_without_reply': N_('Pending without a reply')}
TRIGGERS = ACTION_TRIGGERS | TIME_TRIGGERS
OPERATORS = {'contains_any': N_('contains any of'), 'contains_none': N_('contains none of'), 'is': N_('is one of'),
             'is_not': N_('is none of')}
FIELDS = {'text': ('contains_any', 'contains_none'), 'channel': ('is', 'is_not'), 'priority': ('is', 'is_not'),
          'language': ('is', 'is_not'), 'department': ('is', 'is_not')}
FIELD_LABELS = {'text': N_('Subject or message'), 'channel': N_('Channel'), 'priority': N_('Priority'),
                'language': N_('Customer language'), 'department': N_('Department')}
QUOTED = N_('“{text}”')  # a label quoted inside a sentence, with the reader's quotation marks
MAX_CONDITIONS = 10
MAX_VALUES = 30
MAX_DELAY_MINUTES = 365 * 24 * 60
MAX_MESSAGE = 2000


class RuleError(PhrasedError, ActionError):
    """A rule that cannot be saved; the message says what is wrong (worded where read: :class:`PhrasedError`)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Condition:
    field: str
    operator: str
    values: tuple[str, ...]

    def as_json(self) -> dict:
        return {'field': self.field, 'operator': self.operator, 'value': list(self.values)}


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleSpec:
    """A rule as a lead writes it."""
    name: str
    trigger: str
    action: str
    value: str = ''
    conditions: tuple[Condition, ...] = ()
    delay_minutes: int = 0
    enabled: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleView:
    id: int
    spec: RuleSpec
    last_error: str | Phrase = ''  # a run's failure as stored, or why a stored rule cannot be read (worded when shown)


@dataclass(frozen=True, kw_only=True, slots=True)
class Facts:
    """What conditions look at."""
    text: str
    channel: str
    priority: str
    language: str
    department_id: int | None


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleContext:
    """What validation checks values against."""
    departments: Mapping[int, str] = field(default_factory=dict)
    agents: Mapping[int, str] = field(default_factory=dict)


# an action's run: (work, conversation, value) -> details for the rule_applied event; the unit of work and the
# conversation are the service's (services/helpdesk/automation.py), which the rules never look into
ActionRun = Callable[[Any, Any, str], Awaitable[dict]]


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleAction:
    label: str
    triggers: tuple[str, ...]
    check: Callable[[str, RuleContext], str]  # the value as stored, or RuleError
    run: ActionRun


def conditions_from(raw: object) -> tuple[Condition, ...]:
    """Read stored or submitted conditions (``[{'field', 'operator', 'value'}]``), checking them.

    :raises RuleError: naming the condition and what is wrong with it.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleError(N_('The conditions must be a list.'))
    if len(raw) > MAX_CONDITIONS:
        raise RuleError(N_('A rule has at most {count} conditions.'), count=MAX_CONDITIONS)
    conditions = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise RuleError(N_('Condition {number} must be a field, an operator and values.'), number=number)
        field_name, operator, value = item.get('field'), item.get('operator'), item.get('value')
        if field_name not in FIELDS:
            raise RuleError(N_('Condition {number}: {field} is not a field a rule can test; use one of {known}.'),
                            number=number, field=repr(field_name), known=', '.join(FIELDS))
        if operator not in FIELDS[field_name]:
            raise RuleError(N_('Condition {number}: {label}: the operators are {known}, not {operator}.'),
                            number=number, label=phrase(FIELD_LABELS[field_name]),
                            known=' | '.join(repr(o) for o in FIELDS[field_name]), operator=repr(operator))
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RuleError(N_('Condition {number}: the values must be text.'), number=number)
        label = _('Condition {number}, value').format(number=number)
        values = [' '.join(_checked(v, label, 60).split()) for v in values if v.strip()]
        if not values:
            raise RuleError(N_('Condition {number}: {label}: give at least one value to compare with.'),
                            number=number, label=phrase(FIELD_LABELS[field_name]))
        if len(values) > MAX_VALUES or any(len(v) > 60 for v in values):
            raise RuleError(N_('Condition {number}: at most {count} values of at most 60 characters each.'),
                            number=number, count=MAX_VALUES)
        conditions.append(Condition(field=field_name, operator=operator, values=tuple(values)))
    return tuple(conditions)


def validate_rule(spec: RuleSpec, *, actions: Mapping[str, RuleAction], context: RuleContext) -> RuleSpec:
    """Check a rule before it is saved; return it with its values as they are stored.

    :raises RuleError: saying what is wrong.
    """
    name = ' '.join(_checked(spec.name, N_('Name'), MAX_NAME, name=True, empty=_('Give the rule a name.')).split())
    if spec.trigger not in TRIGGERS:
        raise RuleError(N_('Unknown trigger {trigger}: one of {known}.'), trigger=repr(spec.trigger),
                        known=', '.join(TRIGGERS))
    conditions = conditions_from([condition.as_json() for condition in spec.conditions])  # fields and operators
    for number, condition in enumerate(conditions, start=1):
        check_condition_values(condition, context, number=number)
    action = actions.get(spec.action)
    if not spec.action:
        raise RuleError(N_('Pick what the rule does.'))
    if action is None:
        raise RuleError(N_('Unknown action {action}: one of {known}.'), action=repr(spec.action),
                        known=', '.join(actions))
    if spec.trigger not in action.triggers:
        raise RuleError(N_('“{action}” cannot run on the trigger “{trigger}”; it runs on: {triggers}.'),
                        action=phrase(action.label), trigger=phrase(TRIGGERS[spec.trigger]),
                        triggers=lambda: ', '.join(_(QUOTED).format(text=_(TRIGGERS[t])) for t in action.triggers))
    value = action.check(_checked(spec.value, N_('Value'), MAX_MESSAGE, multiline=True), context)
    delay = spec.delay_minutes
    if spec.trigger in TIME_TRIGGERS:
        if not isinstance(delay, int) or not 1 <= delay <= MAX_DELAY_MINUTES:
            raise RuleError(N_('A time rule waits from 1 minute to 365 days.'))
    else:
        delay = 0
    return replace(spec, name=name, value=value, delay_minutes=delay, conditions=conditions)


def check_condition_values(condition: Condition, context: RuleContext, *, number: int) -> None:
    """The values a condition compares with must exist: channels, priorities, departments, languages."""
    allowed: Iterable[str] | None = None
    if condition.field == 'channel':
        allowed = [channel.value for channel in Channel]
    elif condition.field == 'priority':
        allowed = PRIORITIES
    elif condition.field == 'department':
        unknown = [v for v in condition.values if not v.isdigit() or int(v) not in context.departments]
        if unknown:
            raise RuleError(N_('Condition {number}: there is no department {values}.'), number=number,
                            values=', '.join(unknown))
    elif condition.field == 'language':
        if bad := [v for v in condition.values if not (2 <= len(v) <= 8 and v.replace('-', '').isalpha())]:
            raise RuleError(N_('Condition {number}: {values} is not a language code such as en, fr or nl.'),
                            number=number, values=', '.join(bad))
    if allowed is not None and (unknown := [v for v in condition.values if v not in allowed]):
        message = N_('Condition {number}: {values} is not a channel; use one of {known}.') \
            if condition.field == 'channel' else \
            N_('Condition {number}: {values} is not a priority; use one of {known}.')
        raise RuleError(message, number=number, values=', '.join(unknown), known=', '.join(allowed))


def matches(conditions: Iterable[Condition], facts: Facts) -> bool:
    """Whether every condition holds (no conditions: always)."""
    return all(_holds(condition, facts) for condition in conditions)


def _holds(condition: Condition, facts: Facts) -> bool:
    if condition.field == 'text':
        text = facts.text.casefold()
        found = any(value.casefold() in text for value in condition.values)
        return found if condition.operator == 'contains_any' else not found
    actual = {'channel': facts.channel, 'priority': facts.priority, 'language': facts.language.casefold(),
              'department': str(facts.department_id) if facts.department_id is not None else ''}[condition.field]
    listed = actual in {value.casefold() if condition.field == 'language' else value for value in condition.values}
    return listed if condition.operator == 'is' else not listed


# --- checking actions' values: each RuleAction's check (the service registers the actions) ---

def department_value(value: str, context: RuleContext) -> str:
    if not value.isdigit() or int(value) not in context.departments:
        raise RuleError(N_('Pick the department the conversations go to.'))
    return value


def priority_value(value: str, _context: RuleContext) -> str:
    if value not in PRIORITIES:
        raise RuleError(N_('Pick a priority: one of {known}.'), known=', '.join(PRIORITIES))
    return value


def agent_value(value: str, context: RuleContext) -> str:
    if not value.isdigit() or int(value) not in context.agents:
        raise RuleError(N_('Pick the agent the conversations are assigned to.'))
    return value


def tag_value(value: str, _context: RuleContext) -> str:
    try:
        return normalise_tag(value)  # the same rules as an agent's tag
    except ActionError as error:  # worded already, in the language in force
        raise RuleError(PROBLEM, problem=str(error)) from None


def message_value(value: str, _context: RuleContext) -> str:
    if not value:
        raise RuleError(N_('Write the message to send.'))
    if len(value) > MAX_MESSAGE:
        raise RuleError(N_('The message is too long ({length} characters, at most {max_length}).'),
                        length=len(value), max_length=MAX_MESSAGE)
    return value


def no_value(_value: str, _context: RuleContext) -> str:
    return ''


def _checked(text: str, label: str, max_length: int, **options: Any) -> str:
    """:func:`checked_text`, refusing as a rule does (with a :class:`RuleError`)."""
    try:
        return checked_text(text, label, max_length, **options)
    except ActionError as error:  # worded already, in the language in force
        raise RuleError(PROBLEM, problem=str(error)) from None
