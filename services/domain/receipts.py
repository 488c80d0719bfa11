"""Score receipts in words: the rule behind a ledger entry, a badge or a level, with the numbers of the events that met
it, and one line per event of the story (services/game/receipts.py finds the entries and the events).

The facts are worked out from the event's own data with the same policy the fold used, so a receipt says exactly what
the rule saw (how long the resolution took, the SLA due time, the number of customer messages, the rating).
"""
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.domain.badges import (
    CONVERSATION,
    ONE,
    Aggregation,
    BadgeDefinition,
    BadgeKind,
    BadgeResult,
    Direction,
    Filter,
    FilterOperator,
    Window,
    window_days,
)
from services.domain.business_hours import WorkingCalendar
from services.domain.events import EventKind, GameEvent
from services.domain.expressions import OPERATORS, Comparison, Condition, Node, Not, parse_condition
from services.domain.floor_calendar import floor_time
from services.domain.i18n import N_, Nn_, _, current_language, floor_timezone, ngettext
from services.domain.level_history import ReachedLevel
from services.domain.levels import LEVEL_METRICS, Level
from services.domain.reasons import reason_text
from services.domain.scoring import MAX_BOUNTY_STEPS, AwardKind, ScoringPolicy, timing
from services.domain.wording import duration, ordinal, weekday_clock, weekday_time
from services.domain.wording import number as number_text


@dataclass(frozen=True, kw_only=True, slots=True)
class EventLine:
    at: datetime
    text: str
    scored: bool  # the event the points came from (the one that set a badge's figure, tipped a level)
    conversation_id: int | None = None  # where the event happened, to open it


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceiptDetail:
    title: str  # '+10 fast resolution of #12', as stored (English: the API's)
    domain: str
    facts: list[str]  # the rule in words, with the event's numbers
    events: list[EventLine]  # oldest first
    points: int = 0
    reason: str = ''  # the ledger entry's, as stored
    kind: str = ''  # its AwardKind value

    def worded_title(self) -> str:
        """The title in the language in force: the reason worded again from what is stored."""
        return f'{self.points:+d} {reason_text(self.reason, self.kind)}' if self.reason else self.title


# what a rating's value is called (ui/my_ratings.py marks the words); another value is shown as it is stored
RATING_VALUES = frozenset({'good', 'neutral', 'bad'})


def facts(kind: str, event_kind: str, data: Mapping[str, Any], occurred_at: datetime, *,
          policy: ScoringPolicy = ScoringPolicy(), calendar: WorkingCalendar | None = None) -> list[str]:
    """The rule behind one award, with the numbers of the event it was given for, in the language in force (a receipt
    is worded when it is opened; an API call, with no reader, gets English).

    :param calendar: the resolving team's working hours in force then (issue 18), which timed a resolution
    """
    if calendar is not None and kind in TIMED_KINDS:
        return [_working_hours_fact(kind, data, occurred_at, policy=policy, calendar=calendar)]
    if kind == AwardKind.FAST_RESOLUTION.value:
        minutes = _minutes(occurred_at - datetime.fromisoformat(data['created_at']))
        return [_('Resolved {minutes} min after the customer wrote in; under {limit} min counts as fast '
                  '({points} speed).').format(minutes=minutes, limit=_minutes(policy.fast_limit),
                                              points=f'{policy.fast_resolution:+d}')]
    if kind in (AwardKind.ON_TIME_RESOLUTION.value, AwardKind.LATE_RESOLUTION.value):
        due = datetime.fromisoformat(data['sla_due_at'])
        if kind == AwardKind.ON_TIME_RESOLUTION.value:
            return [_('Resolved at {resolved}, before its SLA due time {due} ({points} productivity).').format(
                resolved=weekday_time(occurred_at), due=weekday_time(due), points=f'{policy.on_time_resolution:+d}')]
        return [_('Resolved at {resolved}, after its SLA due time {due} ({points} productivity).').format(
            resolved=weekday_time(occurred_at), due=weekday_time(due), points=f'{policy.late_resolution:+d}')]
    if kind == AwardKind.FIRST_CONTACT.value:
        return [_('Resolved after a single customer message: first-contact resolution ({points} quality).').format(
            points=f'{policy.first_contact:+d}')]
    if kind in (AwardKind.HAPPY_CUSTOMER.value, AwardKind.UNHAPPY_CUSTOMER.value):
        rating = str(data.get('rating', ''))
        rating = _(rating) if rating in RATING_VALUES else rating
        if data.get('comment'):
            return [_('The customer rated the resolution {rating} and wrote: “{comment}”.').format(
                rating=rating, comment=data['comment'])]
        return [_('The customer rated the resolution {rating}.').format(rating=rating)]
    if kind == AwardKind.CLAWBACK.value:
        reason = data.get('reason', '')
        if policy.reopen_window:
            return [_('The conversation was reopened within the {hours} h reopen window ({reason}), so what its '
                      'resolution earned is taken back with a new entry; the original entry stays in the history.')
                    .format(hours=_hours(policy.reopen_window), reason=reason)]
        return [_('The conversation was reopened ({reason}), so what its resolution earned is taken back with a new '
                  'entry; the original entry stays in the history.').format(reason=reason)]
    if kind == AwardKind.BANKED.value:
        return [_('The conversation was reopened ({reason}) after its resolution\'s {hours} h reopen window had '
                  'passed: the resolution\'s points were pending for that window, then banked, so this reopen takes '
                  'nothing back and costs no penalty.').format(reason=data.get('reason', ''),
                                                               hours=_hours(policy.reopen_window))]
    if kind == AwardKind.UNTAG.value:
        return [_('The tag “{tag}” was removed, so the points putting it earned are taken back with a new entry (the '
                  'day\'s cap on notes and tags counts them as given back): tagging and untagging earns nothing.')
                .format(tag=data.get('tag', ''))]
    if kind == AwardKind.DISPUTE.value and data.get('replaced'):
        return [_('The customer rated the conversation again: the new rating replaces this one, so what it caused is '
                  'taken back with a new entry; the original entry stays in the history.')]
    if kind == AwardKind.DISPUTE.value:
        return [_('A lead invalidated the rating: {reason}. What it caused is compensated with a new entry; the '
                  'original entry stays in the history.').format(reason=data.get('reason') or _('no reason given'))]
    if kind == AwardKind.MERGE.value:
        return [_('A lead merged {merged} into {kept}: their points moved with new entries; the earlier entries stay '
                  'in the history.').format(merged=data.get('from_name') or _('an agent a helpdesk named'),
                                            kept=data.get('into_name') or _('this agent'))]
    if kind == AwardKind.QUEST.value:
        return [quest_fact(data)]
    if kind == AwardKind.KUDOS.value:
        return [_('{name} said thanks: “{message}”. A colleague’s thanks is worth {points} quality.').format(
            name=data.get('from_name') or _('A colleague'), message=data.get('message', ''),
            points=f'{data.get("points", 0):+d}')]
    if kind == AwardKind.BOSS.value:
        return [_('This resolution was the last hit on the queue boss before its deadline: everyone who resolved a '
                  'conversation during the fight gets the same victory award, whatever their share.')]
    if kind == AwardKind.WELLBEING.value:
        return [_('You had worked more hours that day than the daily limit a lead set (time online or away counts, '
                  'breaks do not): past it, work earns no points, so that nobody is rewarded for overwork.')]
    if kind == AwardKind.QUEUE_JUMP.value:
        waited = int(data.get('passed_over', 0))
        return [ngettext('Taken while {count} older {channel} conversation waited unassigned: a queue jump earns no '
                         'fast-resolution points, and {points} speed. Taking the oldest waiting conversation first '
                         'avoids it.',
                         'Taken while {count} older {channel} conversations waited unassigned: a queue jump earns no '
                         'fast-resolution points, and {points} speed. Taking the oldest waiting conversation first '
                         'avoids it.', waited)
                .format(count=waited, channel=data.get('channel', ''), points=f'{policy.queue_jump:+d}')]
    if kind == AwardKind.AGING_BOUNTY.value:
        waited, limit = _minutes(timedelta(seconds=data.get('waited_seconds', 0))), _minutes(policy.aging_limit)
        return [ngettext('It waited {waited} min before anyone took it; each whole {limit} min of waiting pays '
                         '{points} productivity (at most {count} time).',
                         'It waited {waited} min before anyone took it; each whole {limit} min of waiting pays '
                         '{points} productivity (at most {count} times).', MAX_BOUNTY_STEPS)
                .format(waited=waited, limit=limit, points=f'{policy.aging_bounty:+d}', count=MAX_BOUNTY_STEPS)]
    if kind == AwardKind.BAD_RATING_CANCEL.value:
        return [_('The customer rated the resolution bad, so {percent} % of the fast and on-time points it earned are '
                  'cancelled with a new entry: volume pays only with quality.')
                .format(percent=policy.bad_rating_cancel_percent)]
    if kind == AwardKind.REOPEN_PENALTY.value:
        return [_('The conversation was reopened: beside taking back what its resolution earned, it costs {percent} % '
                  'of the fast and on-time points once more.').format(percent=policy.reopen_penalty_percent)]
    if kind in (AwardKind.NOTE.value, AwardKind.TAG.value):
        return [_low_value_fact(kind == AwardKind.NOTE.value, policy)]
    if kind == AwardKind.LOW_VALUE_CAP.value:
        cap = policy.low_value_daily_cap
        return [ngettext('Notes and tags together earn at most {count} point a day; that day\'s were already earned, '
                         'so this one earned nothing. The cap keeps trivial notes and tags from paying: resolving '
                         'conversations well is what scores.',
                         'Notes and tags together earn at most {count} points a day; that day\'s were already earned, '
                         'so this one earned nothing. The cap keeps trivial notes and tags from paying: resolving '
                         'conversations well is what scores.', cap).format(count=cap)]
    if kind == AwardKind.ASSIST.value:
        return [_assist_fact(data, policy)]
    if kind == AwardKind.INCENTIVE.value:
        return [_('A lead’s incentive was running when this event happened; its extra points are their own entry.')]
    return [_('Given for the {event} event.').format(event=event_kind.replace('_', ' '))]


def _assist_fact(data: Mapping[str, Any], policy: ScoringPolicy) -> str:
    """Why an assist share was given or taken back: the resolver's note, decision or the inference."""
    name = data.get('resolver_name') or _('a colleague')
    if 'confirmed' in data and not data['confirmed']:
        return _('{name} resolved the conversation and said your help was not an assist, so the share it gave you is '
                 'taken back with a new entry.').format(name=name)
    if 'confirmed' in data:
        return _('{name} resolved the conversation and confirmed that you helped: an assist earns {percent} % of the '
                 'points the resolution earned them, once per conversation. A reopen within the window takes it back.'
                 ).format(name=name, percent=policy.assist_percent)
    return _('{name} resolved the conversation after you helped on it (an internal note, a transfer note or a '
             'team-chat answer naming it): an assist earns {percent} % of the points the resolution earned them, once '
             'per conversation, within the daily cap on notes and tags. It is pending like theirs, a reopen within '
             'the window takes it back, and {name} can decline it.').format(name=name, percent=policy.assist_percent)


def _low_value_fact(note: bool, policy: ScoringPolicy) -> str:
    """What a note or a tag earns, and the day's cap on both when there is one."""
    points, cap = f'{policy.note_points if note else policy.tag_points:+d}', policy.low_value_daily_cap
    if not cap:
        return (_('Each internal note earns {points} productivity.') if note
                else _('Each tag earns {points} productivity.')).format(points=points)
    return ngettext(*(_NOTE_CAPPED if note else _TAG_CAPPED), cap).format(points=points, count=cap)


_NOTE_CAPPED = Nn_('Each internal note earns {points} productivity up to {count} point a day from notes and tags '
                   'together.',
                   'Each internal note earns {points} productivity up to {count} points a day from notes and tags '
                   'together.')
_TAG_CAPPED = Nn_('Each tag earns {points} productivity up to {count} point a day from notes and tags together.',
                  'Each tag earns {points} productivity up to {count} points a day from notes and tags together.')
# a completed quest, by (a team mission, the target reached exactly, a conversation to name), each a whole sentence
_QUEST_FACTS = {
    (False, True, True): N_("Completed '{title}': {value} of {target}, the {nth} was #{ticket}."),
    (False, True, False): N_("Completed '{title}': {value} of {target}, the {nth} was event {event}."),
    (False, False, True): N_("Completed '{title}': {value} of {target}, the last was #{ticket}."),
    (False, False, False): N_("Completed '{title}': {value} of {target}, the last was event {event}."),
    (True, True, True): N_("Completed '{title}', together as a team: {value} of {target}, the {nth} was #{ticket}."),
    (True, True, False): N_("Completed '{title}', together as a team: {value} of {target}, the {nth} was event "
                            "{event}."),
    (True, False, True): N_("Completed '{title}', together as a team: {value} of {target}, the last was #{ticket}."),
    (True, False, False): N_("Completed '{title}', together as a team: {value} of {target}, the last was event "
                             "{event}."),
}


def quest_fact(data: Mapping[str, Any]) -> str:
    """'Completed 'Resolve 25 social tickets this week': 25 of 25, the 25th was #123.'"""
    value = f'{data["value"]:g}' if isinstance(data['value'], float) else str(data['value'])
    exact = value == str(data['target'])
    sentence = _QUEST_FACTS[data.get('team_id') is not None, exact, bool(data.get('conversation_id'))]
    return _(sentence).format(title=data['title'], value=value, target=data['target'],
                              nth=ordinal(data['target'], locale=current_language()),
                              ticket=data.get('conversation_id'), event=data.get('event_id'))


def describe(event_kind: str, data: Mapping[str, Any], actor: str) -> str:
    """One line of the conversation's story, for the receipt's list of events, in the reader's language (the API's
    reader has none: English)."""
    channel = data.get('channel', '')
    match event_kind:
        case 'conversation_created':
            return _('The customer wrote in ({channel})').format(channel=channel)
        case 'customer_message':
            return _('The customer wrote again')
        case 'assigned':
            return (_('Assigned to {actor} by routing') if data.get('by') == 'routing' else
                    _('Assigned to {actor}')).format(actor=actor)
        case 'replied':
            length = data.get('length', 0)
            if data.get('canned'):
                return ngettext('{actor} replied ({length} character, canned reply /{canned})',
                                '{actor} replied ({length} characters, canned reply /{canned})', length) \
                    .format(actor=actor, length=length, canned=data['canned'])
            return ngettext('{actor} replied ({length} character)', '{actor} replied ({length} characters)', length) \
                .format(actor=actor, length=length)
        case 'resolved':
            return _('{actor} resolved it').format(actor=actor)
        case 'reopened':
            return _('Reopened ({reason})').format(reason=data.get('reason', ''))
        case 'rated':
            return _('The customer rated it {rating}').format(rating=data.get('rating', ''))
        case 'transferred':
            return _('{actor} transferred it').format(actor=actor)
        case 'quest_completed':
            return (_("The team completed '{title}'") if data.get('team_id') is not None else
                    _("The agent completed '{title}'")).format(title=data['title'])
        case 'kudos_sent':
            if data.get('from_name'):
                return _('{sender} thanked {actor}').format(sender=data['from_name'], actor=actor)
            return _('A colleague thanked {actor}').format(actor=actor)
        case 'rating_invalidated':
            return _('A lead invalidated the rating: {reason}').format(reason=data.get('reason', ''))
        case 'presence_changed':
            return _('{actor} went from {previous} to {status}').format(
                actor=actor, previous=_status_words(data.get('previous', '')),
                status=_status_words(data.get('status', '')))
        case 'viewed':
            return _('{actor} had it open').format(actor=actor)
        case 'tagged':
            return _('{actor} tagged it “{tag}”').format(actor=actor, tag=data.get('tag', ''))
        case 'untagged':
            return _('{actor} removed the tag “{tag}”').format(actor=actor, tag=data.get('tag', ''))
        case 'note_added':
            length = data.get('length', 0)
            return ngettext('{actor} wrote an internal note ({length} character)',
                            '{actor} wrote an internal note ({length} characters)', length) \
                .format(actor=actor, length=length)
        case 'levels_changed':
            return _('A lead changed the levels')
    return f'{event_kind.replace("_", " ").capitalize()} ({actor})' if actor else \
        event_kind.replace('_', ' ').capitalize()


# a presence status as a story line says it ("went from online to on break"); services/helpdesk/presence.py's statuses
_STATUS_WORDS = {'online': N_('online'), 'away': N_('away'), 'on_break': N_('on break'), 'offline': N_('offline')}


def _status_words(status: str) -> str:
    return _(_STATUS_WORDS[status]) if status in _STATUS_WORDS else _words(status)


# --- badges ---------------------------------------------------------------------------------------------------------

EVIDENCE_SHOWN = 50  # a badge's events behind it: the most telling ones
DURATION_FIELDS = frozenset({'seconds', 'duration_seconds', 'first_response_seconds', 'waited_seconds'})
# what one event of a kind is called when a badge counts it (else "<kind> event")
EVENT_NOUNS = {'transferred': 'transfer', 'rated': 'rating', 'presence_changed': 'status change', 'viewed': 'view',
               'replied': 'reply', 'resolved': 'resolution', 'tagged': 'tag', 'untagged': 'removed tag',
               'conversation_created': 'new conversation', 'customer_message': 'customer message',
               'assigned': 'assignment', 'reopened': 'reopen', 'abandoned': 'abandoned contact', 'note_added': 'note',
               'chat_message': 'chat message', 'escalated': 'escalation', 'priority_changed': 'priority change',
               'released': 'return to the queue'}
OPERATOR_WORDS = {FilterOperator.IS: 'is', FilterOperator.IS_NOT: 'is not', FilterOperator.CONTAINS: 'contain'}


@dataclass(frozen=True, kw_only=True, slots=True)
class BadgeReceipt:
    """Why an agent holds (or held) a badge: the rule, the window, the figures, and the events behind them."""
    badge_key: str
    name: str
    description: str
    image: str
    holder: str
    rule: list[str]  # the badge's rule in words
    window: str  # the days it was judged on
    standing: list[str]  # the holder's figure against the others'
    gained: str  # when it was gained (and lost)
    events: list[EventLine]  # the most telling events behind it, oldest first
    events_total: int  # how many events counted (more than shown when capped)


def badge_rule(definition: BadgeDefinition) -> list[str]:
    """A badge's definition in words: what is measured, who wins, over which days, and who may take part."""
    window = WINDOW_WORDS[definition.window]
    if definition.kind == BadgeKind.RANDOM:
        lines = [f'A lucky draw: every day, each agent active that day (any event counts) has a '
                 f'{_percent(definition.rarity)} chance to draw it, and keeps it while that day is in the window, '
                 f'{window}. Nothing anyone does changes the odds.']
    else:
        best = 'highest' if definition.direction == Direction.HIGHEST else 'lowest'
        if (definition.aggregation, definition.direction) in ((Aggregation.MAX, Direction.HIGHEST),
                                                              (Aggregation.MIN, Direction.LOWEST)):
            best = ''  # "the largest length of one reply" says it already
        lines = [f'Won by the {best + " " if best else ""}{_measure(definition)}, over {window}.']
        if definition.minimum_volume > 1:
            noun = _noun(definition.metric.kind.value) if definition.metric else 'event'
            lines.append(f'Only agents with at least {definition.minimum_volume} {_plural(noun)} counted in the '
                         'window take part.')
        lines.append('Agents with the same figure share it.')
    if definition.teasing:
        lines.append('A teasing badge: only its holder and the leads see it, unless the team chose to show them.')
    return lines


def figure_text(definition: BadgeDefinition, value: float) -> str:
    """A badge's figure with its unit: '12 transfers', '4 conversations', '25 min 10 s', '420 characters'."""
    metric = definition.metric
    if metric is None:
        return _number(value)
    if definition.aggregation == Aggregation.COUNT or metric.value == ONE:
        noun = 'conversation' if metric.value == CONVERSATION else _noun(metric.kind.value)
        return f'{_number(value)} {_plural(noun) if value != 1 else noun}'
    return _value_text(metric.value, value)


def window_text(window: Window, at: datetime) -> str:
    """The days a badge was judged on, and when."""
    days = window_days(window, at)
    span = f'{days[0]:%a %d %b}' if len(days) == 1 else f'{days[0]:%a %d %b} – {days[-1]:%a %d %b}'
    zone = floor_timezone()
    return f'Judged on {span} ({zone} days), as of {floor_time(at):%a %d %b %H:%M} {zone}.'


def badge_standing(definition: BadgeDefinition, result: BadgeResult, holder_id: int, *, who: str,
                   name: Callable[[int], str], show_names: bool) -> list[str]:
    """The holder's figure against the others': those sharing it and the runner-up, or that nobody else qualified.

    :param who: how the holder is called ('you' for their own receipt, else their name)
    :param show_names: whether other agents may be named (not on a teasing badge: their figures are no one's business)
    """
    figure = result.values.get(holder_id)
    if figure is None:
        return [f'{_upper(who)} did not qualify in this window any more (the window moves every day).']
    lines = [f'{_upper(who)}: {figure_text(definition, figure)}.']
    sharing = sorted(result.holders - {holder_id})
    if sharing:
        lines.append(f'Shared with {", ".join(name(a) for a in sharing)} (the same figure).' if show_names else
                     f'Shared with {len(sharing)} other agent{"s" if len(sharing) > 1 else ""} with the same figure.')
    others = [value for agent_id, value in result.values.items() if agent_id not in result.holders]
    if others:
        highest = definition.direction == Direction.HIGHEST
        runner_value = max(others) if highest else min(others)
        runners = sorted(a for a, value in result.values.items() if value == runner_value and a not in result.holders)
        runner = f'{" and ".join(name(a) for a in runners)} with ' if show_names else ''
        lines.append(f'The runner-up: {runner}{figure_text(definition, runner_value)} '
                     f'({len(result.values)} agents took part).')
    else:
        minimum = f'at least {definition.minimum_volume}' if definition.minimum_volume > 1 else 'any'
        noun = _plural(_noun(definition.metric.kind.value)) if definition.metric else 'events'
        only = 'you were' if who == 'you' else f'{who} was'
        together = ' together' if sharing else ''
        lines.append(f'Nobody else had {minimum} {noun} in the window: {only} the only one above the minimum'
                     f'{together}.')
    return lines


def lucky_standing(who: str, drawn: Sequence[datetime]) -> list[str]:
    """The days a lucky draw's holder drew it, by the first event that made them active each day ('you' or their
    name); none left means the day it was drawn has left the window."""
    days = ', '.join(f'{moment:%a %d %b}' for moment in drawn)
    return [f'{_upper(who)} drew it on {days}.' if drawn else
            f'{_upper(who)} drew it on a day that has left the window.']


def evidence_text(definition: BadgeDefinition, event: GameEvent, value: float, actor: str) -> str:
    """One event behind a badge's figure: what happened and, unless the badge counts events, the value it gave."""
    text = describe(event.kind.value, event.data, actor)
    if definition.metric is None or definition.metric.value in (ONE, CONVERSATION):
        return text
    return f'{text} · {_value_text(definition.metric.value, value)}'


def telling_facts(definition: BadgeDefinition, facts_: Sequence[tuple[GameEvent, float]], *,
                  limit: int = EVIDENCE_SHOWN) -> list[tuple[GameEvent, float]]:
    """The events that say most about a badge's figure, oldest first: the latest ones of a count, else the largest
    (or smallest) values, as the badge is won by the highest (or lowest)."""
    metric = definition.metric
    if metric is None or metric.value in (ONE, CONVERSATION):
        chosen = sorted(facts_, key=lambda fact: fact[0].id)[-limit:]
    else:
        smallest = definition.aggregation == Aggregation.MIN or (
            definition.aggregation != Aggregation.MAX and definition.direction == Direction.LOWEST)
        chosen = sorted(facts_, key=lambda fact: (fact[1] if smallest else -fact[1], fact[0].id))[:limit]
    return sorted(chosen, key=lambda fact: fact[0].id)


# --- levels ---------------------------------------------------------------------------------------------------------

SYMBOLS = {'>=': '≥', '>': '>', '<=': '≤', '<': '<', '==': '=', '!=': '≠'}


@dataclass(frozen=True, kw_only=True, slots=True)
class LevelStep:
    """One level an agent reached, with the condition and the metrics that reached it."""
    number: int
    title: str
    icon: str
    reached_at: datetime | None  # None: where everyone starts, or reached before receipts were kept
    condition: str  # as it was when reached
    checks: list[str]  # each term of the condition against the agent's metrics then
    note: str  # levels passed on the way, or why there is no event
    event: EventLine | None  # the event that tipped it


@dataclass(frozen=True, kw_only=True, slots=True)
class LevelReceipt:
    agent: str
    level: int
    title: str
    steps: list[LevelStep]  # the highest level first
    next_title: str | None  # the next level, and where the agent stands against its condition now
    next_checks: list[str]


def condition_checks(condition: Condition, metrics: Mapping[str, int]) -> list[str]:
    """Each comparison of a level condition with the agent's figure: 'points: 812 (needs ≥ 800) ✓'."""
    lines = []

    def walk(node: Node, negated: bool) -> None:
        if isinstance(node, Comparison):
            value = metrics.get(node.metric, 0)
            holds = OPERATORS[node.operator](value, node.value) != negated
            check = _('{metric}: {value} (needs not {symbol} {target}) {mark}') if negated else \
                _('{metric}: {value} (needs {symbol} {target}) {mark}')
            lines.append(check.format(metric=_words(node.metric), value=number_text(value),
                                      symbol=SYMBOLS[node.operator], target=number_text(node.value),
                                      mark='✓' if holds else '✗'))
        elif isinstance(node, Not):
            walk(node.term, not negated)
        else:
            for term in node.terms:
                walk(term, negated)

    walk(condition.node, False)
    return lines


def level_steps(reached: Sequence[ReachedLevel], *, level: int, levels: Sequence[Level]) -> list[LevelStep]:
    """The levels up to ``level`` as steps, the highest first: each stored level-up with its condition and metrics
    then; a level passed by the same event says so; one without a stored level-up was reached before they were kept.
    The steps' events are filled in by the service."""
    by_level = {r.level: r for r in reached}
    passed = {number: r for r in reached for number in range(r.previous + 1, r.level)}
    current = {lvl.number: lvl for lvl in levels}
    steps = []
    for number in range(level, 0, -1):
        row, table = by_level.get(number), current.get(number)
        if row is not None:
            condition = parse_condition(row.condition, known=LEVEL_METRICS)
            skipped = list(range(row.previous + 1, row.level))
            note = ngettext('The same event passed level {levels} on the way.',
                            'The same event passed levels {levels} on the way.', len(skipped)).format(
                levels=', '.join(map(str, skipped))) if skipped else ''
            # the title in force then; in the reader's language while the level is still called so
            title = table.shown_title if table is not None and table.title == row.title else row.title
            steps.append(LevelStep(number=number, title=title, icon=table.icon if table else 'military_tech',
                                   reached_at=row.at, condition=row.condition or _('none'),
                                   checks=condition_checks(condition, row.metrics), note=note, event=None))
            continue
        title, icon = (table.shown_title, table.icon) if table else (_('Level {number}').format(number=number),
                                                                     'military_tech')
        if number == 1:
            note, when = _('Where everyone starts.'), None
        elif number in passed:
            note = _('Passed on the way to level {level}, by the same event.').format(level=passed[number].level)
            when = passed[number].at
        else:
            note, when = _('Reached before receipts were kept.'), None
        steps.append(LevelStep(number=number, title=title, icon=icon, reached_at=when,
                               condition=table.condition if table and table.condition else _('none'), checks=[],
                               note=note, event=None))
    return steps


WINDOW_WORDS = {Window.ROLLING_7D: 'the last 7 days (today and the 6 days before)',
                Window.PREVIOUS_DAY: 'yesterday (the whole previous day)'}


def _measure(definition: BadgeDefinition) -> str:
    """'number of transfers', 'total seconds of status changes where previous is on break', …"""
    metric = definition.metric
    assert metric is not None
    noun = _noun(metric.kind.value)
    where = ' where ' + ' and '.join(_condition(f) for f in metric.where) if metric.where else ''
    if metric.value == CONVERSATION:
        return f'number of conversations with a {noun}{where}'
    if metric.value == ONE:
        return f'number of {_plural(noun)}{where}'
    measured = _words(metric.value)
    if definition.aggregation == Aggregation.SUM:
        return f'total {measured} of {_plural(noun)}{where}'
    if definition.aggregation == Aggregation.AVERAGE:
        return f'average {measured} of {_plural(noun)}{where}'
    if definition.aggregation == Aggregation.COUNT:
        return f'number of {_plural(noun)} with a {measured}{where}'
    return f'{"largest" if definition.aggregation == Aggregation.MAX else "smallest"} {measured} of one {noun}{where}'


def _condition(condition: Filter) -> str:
    if condition.operator == FilterOperator.PRESENT:
        return f'{_words(condition.field)} is known'
    values = ' or '.join(_words(str(value)) for value in condition.values)
    return f'{_words(condition.field)} {OPERATOR_WORDS[condition.operator]} {values}'


def _value_text(field_name: str, value: float) -> str:
    if field_name in DURATION_FIELDS:
        return duration(value, precise=True)
    if field_name.endswith('length'):
        return f'{_number(value)} characters'
    return f'{_number(value)} {_words(field_name)}'


def _number(value: float) -> str:
    return f'{value:,.0f}' if float(value).is_integer() else f'{value:,.1f}'


def _noun(event_kind: str) -> str:
    return EVENT_NOUNS.get(event_kind, f'{_words(event_kind)} event')


def _plural(noun: str) -> str:
    return noun[:-1] + 'ies' if noun.endswith('y') and noun[-2:-1] not in 'aeiou' else noun + 's'


def _percent(share: float) -> str:
    return f'{share * 100:g} %'


def _upper(text: str) -> str:
    """The first letter in upper case (``str.capitalize`` would lower the rest of a name)."""
    return text[:1].upper() + text[1:]


def _words(name: str) -> str:
    return name.replace('_', ' ')


TIMED_KINDS = frozenset({AwardKind.FAST_RESOLUTION.value, AwardKind.ON_TIME_RESOLUTION.value,
                         AwardKind.LATE_RESOLUTION.value})


def _working_hours_fact(kind: str, data: Mapping[str, Any], occurred_at: datetime, *, policy: ScoringPolicy,
                        calendar: WorkingCalendar) -> str:
    """A resolution timed in its team's working hours: '2 h 10 min in working hours (Fri 17:50 → Mon 09:20)' and the
    limit it was measured against."""
    created_at = datetime.fromisoformat(data['created_at'])
    worked, target = timing(GameEvent(id=0, key='', kind=EventKind.RESOLVED, occurred_at=occurred_at, data=data),
                            calendar)
    span = _('{worked} in working hours ({start} → {end})').format(
        worked=duration(worked.total_seconds(), precise=True), start=weekday_clock(created_at),
        end=weekday_clock(occurred_at))
    if kind == AwardKind.FAST_RESOLUTION.value:
        return _('Resolved {span} after the customer wrote in; under {limit} min of working hours counts as fast '
                 '({points} speed). Nights, weekends, breaks and holidays of the team do not count.').format(
            span=span, limit=_minutes(policy.fast_limit), points=f'{policy.fast_resolution:+d}')
    if kind == AwardKind.ON_TIME_RESOLUTION.value:
        return _('Resolved {span}, within its SLA target of {target} in working hours ({points} productivity).').format(
            span=span, target=duration(target.total_seconds(), precise=True),
            points=f'{policy.on_time_resolution:+d}')
    return _('Resolved {span}, past its SLA target of {target} in working hours ({points} productivity).').format(
        span=span, target=duration(target.total_seconds(), precise=True), points=f'{policy.late_resolution:+d}')


def _minutes(delta) -> int:
    return round(delta.total_seconds() / 60)


def _hours(span: timedelta) -> int:
    return int(span.total_seconds() // 3600)
