"""Score receipts in words: the rule behind a ledger entry, a badge or a level, with the numbers of the events that met
it, and one line per event of the story (services/game/receipts.py finds the entries and the events).

The facts are worked out from the event's own data with the same policy the fold used, so a receipt says exactly what
the rule saw (how long the resolution took, the SLA due time, the number of customer messages, the rating).
"""
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.lists import format_list

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
from services.domain.i18n import N_, Nn_, _, current_language, floor_timezone, ngettext
from services.domain.labels import value_text
from services.domain.level_history import ReachedLevel
from services.domain.levels import LEVEL_METRIC_NAMES, LEVEL_METRICS, Level
from services.domain.reasons import reason_text
from services.domain.scoring import MAX_BOUNTY_STEPS, AwardKind, ScoringPolicy, timing
from services.domain.wording import duration, ordinal, percent, weekday_clock, weekday_date, weekday_time
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

# A badge's rule is told in whole sentences, each with at most a name or a figure in it: what is counted is a line of
# its own ("Events counted: transfers."), because a noun put into a sentence composed around it cannot take the case
# and number the sentence needs in French or Latvian.

EVIDENCE_SHOWN = 50  # a badge's events behind it: the most telling ones
DURATION_FIELDS = frozenset({'seconds', 'duration_seconds', 'first_response_seconds', 'waited_seconds'})
# the events of a kind, as a badge's rule names them (else "events: <kind>")
EVENT_NAMES = {'transferred': N_('transfers'), 'rated': N_('ratings'), 'presence_changed': N_('status changes'),
               'viewed': N_('views'), 'replied': N_('replies'), 'resolved': N_('resolutions'), 'tagged': N_('tags'),
               'untagged': N_('removed tags'), 'conversation_created': N_('new conversations'),
               'customer_message': N_('customer messages'), 'assigned': N_('assignments'),
               'reopened': N_('reopens'), 'abandoned': N_('abandoned contacts'), 'note_added': N_('internal notes'),
               'chat_message': N_('team chat messages'), 'escalated': N_('escalations'),
               'priority_changed': N_('priority changes'), 'released': N_('returns to the queue')}
# a number of events of a kind, as a figure says it ("12 transfers")
EVENT_COUNTS = {
    'transferred': Nn_('{count} transfer', '{count} transfers'), 'rated': Nn_('{count} rating', '{count} ratings'),
    'presence_changed': Nn_('{count} status change', '{count} status changes'),
    'viewed': Nn_('{count} view', '{count} views'), 'replied': Nn_('{count} reply', '{count} replies'),
    'resolved': Nn_('{count} resolution', '{count} resolutions'), 'tagged': Nn_('{count} tag', '{count} tags'),
    'untagged': Nn_('{count} removed tag', '{count} removed tags'),
    'conversation_created': Nn_('{count} new conversation', '{count} new conversations'),
    'customer_message': Nn_('{count} customer message', '{count} customer messages'),
    'assigned': Nn_('{count} assignment', '{count} assignments'), 'reopened': Nn_('{count} reopen', '{count} reopens'),
    'abandoned': Nn_('{count} abandoned contact', '{count} abandoned contacts'),
    'note_added': Nn_('{count} internal note', '{count} internal notes'),
    'chat_message': Nn_('{count} team chat message', '{count} team chat messages'),
    'escalated': Nn_('{count} escalation', '{count} escalations'),
    'priority_changed': Nn_('{count} priority change', '{count} priority changes'),
    'released': Nn_('{count} return to the queue', '{count} returns to the queue')}
_CONVERSATIONS = Nn_('{count} conversation', '{count} conversations')
_EVENTS = Nn_('{count} event', '{count} events')
# an event's data field, as a badge's rule and a figure name it (services/domain/badges.py's EVENT_FIELDS)
FIELD_NAMES = {'length': N_('length in characters'), 'note_length': N_('length of the note in characters'),
               'first_response_seconds': N_('time to the first reply'), 'duration_seconds': N_('handling time'),
               'waited_seconds': N_('time waited'), 'seconds': N_('time spent'),
               'inbound_count': N_('customer messages'),
               'channel': N_('channel'), 'priority': N_('priority'), 'canned': N_('canned reply'), 'tags': N_('tags'),
               'reason': N_('reason'), 'rating': N_('rating'), 'tag': N_('tag'), 'status': N_('status'),
               'previous': N_('previous status'), 'by': N_('changed by'), 'policy': N_('policy'),
               'target': N_('target'), 'action': N_('action'), 'rule': N_('rule'), 'shortcut': N_('shortcut')}
FILTER_LINES = {FilterOperator.IS: N_('Only those where {field} is {values}.'),
                FilterOperator.IS_NOT: N_('Only those where {field} is not {values}.'),
                FilterOperator.CONTAINS: N_('Only those where {field} contains {values}.'),
                FilterOperator.PRESENT: N_('Only those where {field} is known.')}
WINDOW_LINES = {Window.ROLLING_7D: N_('Judged over the last 7 days: today and the 6 days before.'),
                Window.PREVIOUS_DAY: N_('Judged over yesterday: the whole previous day.')}
# who wins, by what is measured and the direction that wins
_WON_BY = {
    ('events', Direction.HIGHEST): N_('Won by whoever has the most of these events.'),
    ('events', Direction.LOWEST): N_('Won by whoever has the fewest of these events.'),
    ('conversations', Direction.HIGHEST): N_('Won by whoever has the most conversations with one of these events.'),
    ('conversations', Direction.LOWEST): N_('Won by whoever has the fewest conversations with one of these events.'),
    (Aggregation.COUNT, Direction.HIGHEST): N_('Won by whoever has the most of these events with a figure.'),
    (Aggregation.COUNT, Direction.LOWEST): N_('Won by whoever has the fewest of these events with a figure.'),
    (Aggregation.SUM, Direction.HIGHEST): N_('Won by the highest total of the figure.'),
    (Aggregation.SUM, Direction.LOWEST): N_('Won by the lowest total of the figure.'),
    (Aggregation.AVERAGE, Direction.HIGHEST): N_('Won by the highest average of the figure.'),
    (Aggregation.AVERAGE, Direction.LOWEST): N_('Won by the lowest average of the figure.'),
    (Aggregation.MAX, Direction.HIGHEST): N_('Won by the largest figure in one of these events.'),
    (Aggregation.MAX, Direction.LOWEST): N_('Won by whoever has the smallest largest figure in one of these events.'),
    (Aggregation.MIN, Direction.LOWEST): N_('Won by the smallest figure in one of these events.'),
    (Aggregation.MIN, Direction.HIGHEST): N_('Won by whoever has the largest smallest figure in one of these events.')}


@dataclass(frozen=True, kw_only=True, slots=True)
class BadgeReceipt:
    """Why an agent holds (or held) a badge: the rule, the window, the figures, and the events behind them, worded in
    the reader's language when the receipt is opened."""
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
    if definition.kind == BadgeKind.RANDOM:
        lines = [_('A lucky draw: every day, each agent active that day (any event counts) has a {chance} chance to '
                   'draw it, and keeps it while that day is in the window. Nothing anyone does changes the odds.')
                 .format(chance=percent(definition.rarity, exact=True)), _(WINDOW_LINES[definition.window])]
    else:
        metric = definition.metric
        assert metric is not None
        lines = [_('Events counted: {events}.').format(events=event_name(metric.kind.value))]
        lines += [_filter_line(condition) for condition in metric.where]
        if metric.value not in (ONE, CONVERSATION):
            lines.append(_('The figure: {field}.').format(field=field_name(metric.value)))
        lines += [_(_WON_BY[_measured(definition), definition.direction]), _(WINDOW_LINES[definition.window])]
        if definition.minimum_volume > 1:
            lines.append(ngettext('Only agents with at least {count} of these events in the window take part.',
                                  'Only agents with at least {count} of these events in the window take part.',
                                  definition.minimum_volume).format(count=number_text(definition.minimum_volume)))
        lines.append(_('Agents with the same figure share it.'))
    if definition.teasing:
        lines.append(_('A teasing badge: only its holder and the leads see it, unless the team chose to show them.'))
    return lines


def figure_text(definition: BadgeDefinition, value: float) -> str:
    """A badge's figure with its unit: '12 transfers', '4 conversations', '25 min 10 s', '420 characters'."""
    metric = definition.metric
    if metric is None:
        return _number(value)
    if definition.aggregation == Aggregation.COUNT or metric.value == ONE:
        singular, plural = _CONVERSATIONS if metric.value == CONVERSATION else \
            EVENT_COUNTS.get(metric.kind.value, _EVENTS)
        return ngettext(singular, plural, _plural_count(value)).format(count=_number(value))
    return _value_text(metric.value, value)


def window_text(window: Window, at: datetime) -> str:
    """The days a badge was judged on, and when, on the floor's clock."""
    days, zone = window_days(window, at), floor_timezone()
    if len(days) == 1:
        return _('Judged on {day} ({zone} days), as of {moment} {zone}.').format(
            day=weekday_date(days[0]), zone=zone, moment=weekday_time(at))
    return _('Judged on {first} – {last} ({zone} days), as of {moment} {zone}.').format(
        first=weekday_date(days[0]), last=weekday_date(days[-1]), zone=zone, moment=weekday_time(at))


def badge_standing(definition: BadgeDefinition, result: BadgeResult, holder_id: int, *, holder: str | None,
                   name: Callable[[int], str], show_names: bool) -> list[str]:
    """The holder's figure against the others': those sharing it and the runner-up, or that nobody else qualified.

    :param holder: the holder's name, None on their own receipt (the sentences say "you")
    :param show_names: whether other agents may be named (not on a teasing badge: their figures are no one's business)
    """
    figure = result.values.get(holder_id)
    if figure is None:
        return [_('You did not qualify in this window any more (the window moves every day).') if holder is None else
                _('{name} did not qualify in this window any more (the window moves every day).').format(name=holder)]
    shown = figure_text(definition, figure)
    lines = [_('You: {figure}.').format(figure=shown) if holder is None else
             _('{name}: {figure}.').format(name=holder, figure=shown)]
    sharing = sorted(result.holders - {holder_id})
    if sharing:
        lines.append(_('Shared with {names} (the same figure).').format(names=_names(name(a) for a in sharing))
                     if show_names else
                     ngettext('Shared with {count} other agent with the same figure.',
                              'Shared with {count} other agents with the same figure.', len(sharing))
                     .format(count=len(sharing)))
    others = [value for agent_id, value in result.values.items() if agent_id not in result.holders]
    if others:
        highest = definition.direction == Direction.HIGHEST
        runner_value = max(others) if highest else min(others)
        runners = sorted(a for a, value in result.values.items() if value == runner_value and a not in result.holders)
        taking_part = len(result.values)
        if show_names:
            lines.append(ngettext('The runner-up: {names} with {figure} ({count} agent took part).',
                                  'The runner-up: {names} with {figure} ({count} agents took part).', taking_part)
                         .format(names=_names(name(a) for a in runners), figure=figure_text(definition, runner_value),
                                 count=taking_part))
        else:
            lines.append(ngettext('The runner-up: {figure} ({count} agent took part).',
                                  'The runner-up: {figure} ({count} agents took part).', taking_part)
                         .format(figure=figure_text(definition, runner_value), count=taking_part))
    elif definition.minimum_volume > 1:
        lines.append(ngettext('Nobody else had at least {count} of these events in the window.',
                              'Nobody else had at least {count} of these events in the window.',
                              definition.minimum_volume).format(count=number_text(definition.minimum_volume)))
    else:
        lines.append(_('Nobody else had any of these events in the window.'))
    return lines


def lucky_standing(holder: str | None, drawn: Sequence[datetime]) -> list[str]:
    """The days a lucky draw's holder drew it, by the first event that made them active each day (``holder`` their
    name, None on their own receipt); none left means the day it was drawn has left the window."""
    if not drawn:
        return [_('You drew it on a day that has left the window.') if holder is None else
                _('{name} drew it on a day that has left the window.').format(name=holder)]
    days = _names(weekday_date(moment) for moment in drawn)
    return [_one_stop(_('You drew it on {days}.').format(days=days) if holder is None else
                      _('{name} drew it on {days}.').format(name=holder, days=days))]


def gained_text(gained_at: datetime, lost_at: datetime | None) -> str:
    """When a badge was gained and, if it was, lost, on the floor's clock."""
    zone = floor_timezone()
    if lost_at is None:
        return _('Gained on {moment} {zone}, still held.').format(moment=weekday_time(gained_at), zone=zone)
    return _('Gained on {moment} {zone}, held until {until} {zone}.').format(
        moment=weekday_time(gained_at), until=weekday_time(lost_at), zone=zone)


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
            lines.append(check.format(metric=_metric_name(node.metric), value=number_text(value),
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


def _measured(definition: BadgeDefinition) -> str | Aggregation:
    """What a metric badge measures, as ``_WON_BY`` tells it: events counted, conversations, or its aggregation of a
    figure."""
    metric = definition.metric
    assert metric is not None
    return 'conversations' if metric.value == CONVERSATION else 'events' if metric.value == ONE else \
        definition.aggregation


def _filter_line(condition: Filter) -> str:
    values = format_list([field_value(condition.field, value) for value in condition.values] or [''], style='or',
                         locale=current_language())
    return _(FILTER_LINES[condition.operator]).format(field=field_name(condition.field), values=values)


def field_value(field_name: str, value: str | int) -> str:
    """A value a filter compares with, in words: a presence status, a channel, a priority, a rating; a number in the
    reader's way; another (a tag, a shortcut) as written."""
    if field_name in ('status', 'previous'):
        return _status_words(str(value))
    if (words := value_text(field_name, value)) is not None:
        return words
    return number_text(value) if isinstance(value, int) else str(value)


def _value_text(field_name: str, value: float) -> str:
    if field_name in DURATION_FIELDS:
        return duration(value, precise=True)
    if field_name.endswith('length'):
        return ngettext('{count} character', '{count} characters', _plural_count(value)).format(count=_number(value))
    return _('{figure} ({field})').format(figure=_number(value), field=field_name(field_name))


def _number(value: float) -> str:
    """A figure in the reader's way: whole, or to one decimal (an average)."""
    return number_text(round(value)) if float(value).is_integer() else number_text(round(value, 1))


def _plural_count(value: float) -> int:
    """The number a figure's noun agrees with (1.5 takes the plural, as 2 does)."""
    return int(value) if float(value).is_integer() else 2


def event_name(event_kind: str) -> str:
    """The events of a kind as a badge's rule and the lead's badge list name them ('transfers')."""
    return _(EVENT_NAMES[event_kind]) if event_kind in EVENT_NAMES else _words(event_kind)


def field_name(name: str) -> str:
    """An event's data field as a badge's rule and the lead's badge list name it ('handling time')."""
    return _(FIELD_NAMES[name]) if name in FIELD_NAMES else _words(name)


def _metric_name(metric: str) -> str:
    return _(LEVEL_METRIC_NAMES[metric]) if metric in LEVEL_METRIC_NAMES else _words(metric)


def _one_stop(sentence: str) -> str:
    """A sentence ending on an abbreviated date ('lun. 2 nov.') keeps one full stop, not two."""
    return sentence[:-1] if sentence.endswith('..') else sentence


def _names(names: Iterable[str]) -> str:
    """'Ana, Bruno and Cara' in the reader's language."""
    return format_list(list(names), locale=current_language())


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
