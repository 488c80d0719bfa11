"""The reasons of ledger entries ('fast resolution of Chatwoot #482'): written in English when the entry is folded and
stored so (the ledger, its exports and the API stay machine-readable, and a rebuild compares them byte for byte), and
worded again in the reader's language when a page shows them (issue 16).

Each reason is one :class:`ReasonTemplate`, used both ways: :meth:`ReasonTemplate.english` writes the stored text, and
:func:`reason_text` recognises a stored text by the templates of its award's kind and says it with the translated
template and the same values. Nothing new is stored: a text no template recognises (one cut at 200 characters, one
written by an older version) is shown as stored, in English.
"""
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from string import Formatter

from services.domain.i18n import DEFAULT_LANGUAGE, N_, Nn_, _, current_language, ngettext, supported

NUMBERS = frozenset({'count', 'minutes', 'cap', 'hits', 'health', 'beyond', 'hours', 'conversation'})
NUMBER = re.compile(r'-?\d+')
NESTED = 'reason'  # a placeholder holding another award's reason (a clawback's, a cancellation's), worded in turn


@dataclass(frozen=True, kw_only=True, slots=True)
class ReasonTemplate:
    message: str  # marked with N_(): the English stored, the msgid translated
    plural: str = ''  # the plural message, chosen by the number in the placeholder ``count``
    count: str = ''
    translated: frozenset[str] = field(default_factory=frozenset)  # values that are N_()-marked texts themselves

    def english(self, **values: object) -> str:
        """The reason as the ledger stores it."""
        template = self.plural if self.plural and int(str(values[self.count])) != 1 else self.message
        return template.format(**values)

    def word(self, values: dict[str, str], language: str) -> str:
        """The reason with these values (as read from its English text) in ``language``."""
        worded = {name: _(value, locale=language) if name in self.translated else value
                  for name, value in values.items()}
        template = ngettext(self.message, self.plural, int(values[self.count]), locale=language) if self.plural \
            else _(self.message, locale=language)
        return template.format(**worded)


def _forms(forms: tuple[str, str]) -> dict[str, str]:
    """An ``Nn_()`` pair as a template's ``message`` and ``plural`` (one plural entry in the catalogs)."""
    return {'message': forms[0], 'plural': forms[1]}


FAST_RESOLUTION = ReasonTemplate(message=N_('fast resolution of {ticket}'))
ON_TIME_RESOLUTION = ReasonTemplate(message=N_('on-time resolution of {ticket}'))
LATE_RESOLUTION = ReasonTemplate(message=N_('late resolution of {ticket}'))
FIRST_CONTACT = ReasonTemplate(message=N_('first-contact resolution of {ticket}'))
QUEUE_JUMP = ReasonTemplate(
    **_forms(Nn_('queue jump on {ticket}: taken while {count} older conversation waited (no fast points)',
    'queue jump on {ticket}: taken while {count} older conversations waited (no fast points)')), count='count')
AGING_BOUNTY = ReasonTemplate(message=N_('aging bounty for {ticket}: taken after waiting {minutes} min'))
BAD_RATING_CANCEL = ReasonTemplate(message=N_('bad rating of {ticket}: {reason} cancelled'))
REOPEN_PENALTY = ReasonTemplate(message=N_('reopened {ticket}: {reason} cost once more'))
NOTE = ReasonTemplate(message=N_('note on {ticket}'))
TAG = ReasonTemplate(message=N_('tag “{tag}” on {ticket}'))
UP_TO_CAP = ReasonTemplate(message=N_('{reason} (up to the daily cap of {cap})'))
CAP_REACHED = ReasonTemplate(**_forms(Nn_('{reason}: daily cap of {cap} points from notes and tags reached',
                             '{reason}: daily cap of {cap} points from notes and tags reached')), count='cap')
HAPPY_CUSTOMER = ReasonTemplate(message=N_('happy customer on {ticket}'))
UNHAPPY_CUSTOMER = ReasonTemplate(message=N_('unhappy customer on {ticket}'))
# a connected helpdesk's customer rated again (issue 14): one sentence per earlier rating (the adjective agrees)
HAPPY_AGAIN = {
    'good': ReasonTemplate(message=N_('happy customer on {ticket} (re-rated: replaces the earlier good rating)')),
    'neutral': ReasonTemplate(message=N_('happy customer on {ticket} (re-rated: replaces the earlier neutral rating)')),
    'bad': ReasonTemplate(message=N_('happy customer on {ticket} (re-rated: replaces the earlier bad rating)'))}
UNHAPPY_AGAIN = {
    'good': ReasonTemplate(message=N_('unhappy customer on {ticket} (re-rated: replaces the earlier good rating)')),
    'neutral': ReasonTemplate(
        message=N_('unhappy customer on {ticket} (re-rated: replaces the earlier neutral rating)')),
    'bad': ReasonTemplate(message=N_('unhappy customer on {ticket} (re-rated: replaces the earlier bad rating)'))}
CLAWBACK = ReasonTemplate(message=N_('reopened {ticket}: {reason} taken back'))
BANKED = ReasonTemplate(message=N_('{ticket}: banked on {when} UTC; reopened after the {hours} h window, nothing taken '
                                   'back'))
UNTAG = ReasonTemplate(message=N_('tag “{tag}” removed from {ticket}: its points taken back'))
RATING_REPLACED = ReasonTemplate(message=N_("replaced by the customer's new rating: {reason} taken back"))
RATING_INVALIDATED = ReasonTemplate(message=N_('rating invalidated: {reason} compensated'))
QUEST = ReasonTemplate(message=N_("quest '{title}' completed"))
MERGED_INTO = ReasonTemplate(message=N_('merged into {name}'))
MERGED_FROM = ReasonTemplate(message=N_('merged from {name}'))
KUDOS = ReasonTemplate(message=N_('thanks from {name}: “{message}”'))
# English says 'hits' whatever the number (as stored since the first boss); other languages choose their form
BOSS = ReasonTemplate(**_forms(Nn_('beat the queue boss “{name}” with the floor: {hits} of its {health} hits yours',
                      'beat the queue boss “{name}” with the floor: {hits} of its {health} hits yours')),
                      count='health', translated=frozenset({'name'}))  # the bosses' names are N_()-marked
WELLBEING_CAP = ReasonTemplate(message=N_('{ticket}: no points past your {hours}-hour day — take care'))
INCENTIVE_BONUS = ReasonTemplate(message=N_('{label}: resolution {count} this hour (#{conversation}), beyond {beyond}'))
INCENTIVE_MULTIPLIER = ReasonTemplate(message=N_('{label}: {reason}'))  # the lead's label, then the multiplied award
ASSIST = ReasonTemplate(message=N_('assist on {ticket} resolved by {name}'))
ASSIST_CONFIRMED = ReasonTemplate(message=N_('assist on {ticket} resolved by {name} (confirmed by them)'))
ASSIST_DECLINED = ReasonTemplate(message=N_('assist on {ticket} declined by {name}: its share taken back'))

_RATED_AGAIN = (*HAPPY_AGAIN.values(), *UNHAPPY_AGAIN.values())
# the templates that may have written an entry of each AwardKind (by value: the domain's scoring imports this module)
BY_KIND: dict[str, tuple[ReasonTemplate, ...]] = {
    'fast_resolution': (FAST_RESOLUTION,), 'on_time_resolution': (ON_TIME_RESOLUTION,),
    'late_resolution': (LATE_RESOLUTION,), 'first_contact': (FIRST_CONTACT,), 'queue_jump': (QUEUE_JUMP,),
    'aging_bounty': (AGING_BOUNTY,), 'bad_rating_cancel': (BAD_RATING_CANCEL,), 'reopen_penalty': (REOPEN_PENALTY,),
    'note': (UP_TO_CAP, NOTE), 'tag': (UP_TO_CAP, TAG), 'low_value_cap': (CAP_REACHED,),
    'banked': (BANKED,), 'untag': (UNTAG,),
    'happy_customer': (*HAPPY_AGAIN.values(), HAPPY_CUSTOMER),
    'unhappy_customer': (*UNHAPPY_AGAIN.values(), UNHAPPY_CUSTOMER), 'clawback': (CLAWBACK,),
    'dispute': (RATING_REPLACED, RATING_INVALIDATED), 'quest': (QUEST,), 'merge': (MERGED_INTO, MERGED_FROM),
    'kudos': (KUDOS,), 'boss': (BOSS,), 'wellbeing': (WELLBEING_CAP,),
    'incentive': (INCENTIVE_BONUS, INCENTIVE_MULTIPLIER),
    'assist': (UP_TO_CAP, ASSIST_CONFIRMED, ASSIST_DECLINED, ASSIST)}
# a nested reason may be any award's: the lead's label before a colon matches almost anything, so it is tried last
NOT_INCENTIVES = tuple(dict.fromkeys(template for kind, templates in BY_KIND.items() for template in templates
                                     if kind != 'incentive'))
ANY = NOT_INCENTIVES + (INCENTIVE_BONUS, INCENTIVE_MULTIPLIER)
# an incentive multiplies a base award, never another incentive's (a clawback may take either back)
NESTED_TEMPLATES = {INCENTIVE_MULTIPLIER: NOT_INCENTIVES}


def reason_text(reason: str, kind: str = '', *, locale: str | None = None) -> str:
    """A stored ledger reason in ``locale``'s words (else the language in force); as stored if no template knows it.

    :param kind: the entry's AwardKind value, which narrows the templates tried ('' tries them all)
    """
    language = supported(locale) if locale else current_language()
    if language == DEFAULT_LANGUAGE:
        return reason
    return _reworded(reason, kind, language)


def forget_wordings() -> None:
    """Word every reason afresh (the catalogs changed: a test's own)."""
    _reworded.cache_clear()


@lru_cache(maxsize=4096)  # a board of receipts shows the same few reasons to every tab of a language
def _reworded(reason: str, kind: str, language: str) -> str:
    return _recognised(reason, BY_KIND.get(kind, ANY), language) or reason


def _recognised(reason: str, templates: tuple[ReasonTemplate, ...], language: str) -> str | None:
    """``reason`` in ``language`` if one of ``templates`` wrote it, else None. Of the ways a template reads it (a
    lead's label or a ticket may hold a colon too), the first whose nested reason is recognised in turn wins."""
    for template in templates:
        for parts in _parts(template):
            fallback = None
            for values in _readings(parts, reason, 0):
                if NESTED not in values:
                    return template.word(values, language)
                if (nested := _recognised(values[NESTED], NESTED_TEMPLATES.get(template, ANY), language)) is not None:
                    return template.word(values | {NESTED: nested}, language)
                fallback = fallback or values
            if fallback is not None:  # a nested reason no template knows (cut short): kept as stored
                return template.word(fallback, language)
    return None


@cache
def _parts(template: ReasonTemplate) -> tuple[tuple[tuple[str, str | None], ...], ...]:
    """Each English message of ``template`` as (literal text, placeholder after it or None) pairs."""
    return tuple(tuple((literal, name or None) for literal, name, _spec, _conversion in Formatter().parse(message))
                 for message in (template.message, template.plural) if message)


def _readings(parts: tuple[tuple[str, str | None], ...], text: str, start: int) -> Iterator[dict[str, str]]:
    """Every way ``text[start:]`` is ``parts`` filled in, the shortest first values first."""
    if not parts:
        if start == len(text):
            yield {}
        return
    literal, name = parts[0]
    if not text.startswith(literal, start):
        return
    start += len(literal)
    if name is None:
        if start == len(text) and len(parts) == 1:
            yield {}
        return
    if len(parts) == 1:
        ends: Iterable[int] = (len(text),)
    else:
        following = parts[1][0]
        ends = (end for end in range(start + 1, len(text) + 1) if text.startswith(following, end))
    for end in ends:
        value = text[start:end]
        if name in NUMBERS and not NUMBER.fullmatch(value):
            continue
        for rest in _readings(parts[1:], text, end):
            yield {name: value} | rest
