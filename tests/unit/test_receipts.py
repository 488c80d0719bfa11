"""Receipts in words: the rule behind an award, a badge or a level with the numbers that met it, one line per event."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.domain.badges import DEFAULT_BADGES, BadgeResult, Window
from services.domain.events import EventKind, GameEvent
from services.domain.expressions import parse_condition
from services.domain.i18n import speaking
from services.domain.level_history import ReachedLevel
from services.domain.levels import DEFAULT_LEVELS, LEVEL_METRICS
from services.domain.receipts import (
    badge_rule,
    badge_standing,
    condition_checks,
    describe,
    evidence_text,
    facts,
    figure_text,
    level_steps,
    lucky_standing,
    telling_facts,
    window_text,
)
from services.domain.scoring import ScoringPolicy

RESOLVED_AT = datetime(2026, 11, 2, 9, 42, tzinfo=UTC)
RESOLUTION = {'channel': 'chat', 'created_at': '2026-11-02T09:00:00+00:00', 'sla_due_at': '2026-11-02T10:00:00+00:00',
              'inbound_count': 1}


def test_a_fast_resolution_says_how_long_it_took_and_the_limit() -> None:
    assert facts('fast_resolution', 'resolved', RESOLUTION, RESOLVED_AT) == [
        'Resolved 42 min after the customer wrote in; under 60 min counts as fast (+10 speed).']
    assert facts('fast_resolution', 'resolved', RESOLUTION, RESOLVED_AT, policy=ScoringPolicy(fast_resolution=7)) \
        == ['Resolved 42 min after the customer wrote in; under 60 min counts as fast (+7 speed).']


def test_on_time_and_late_resolutions_name_the_sla_due_time() -> None:
    assert facts('on_time_resolution', 'resolved', RESOLUTION, RESOLVED_AT) == [
        'Resolved at Mon, Nov 2 09:42, before its SLA due time Mon, Nov 2 10:00 (+5 productivity).']
    late = datetime(2026, 11, 2, 10, 5, tzinfo=UTC)
    assert facts('late_resolution', 'resolved', RESOLUTION, late) == [
        'Resolved at Mon, Nov 2 10:05, after its SLA due time Mon, Nov 2 10:00 (-5 productivity).']


def test_ratings_clawbacks_and_disputes_are_explained() -> None:
    assert facts('happy_customer', 'rated', {'rating': 'good', 'comment': 'Thanks!'}, RESOLVED_AT) == [
        'The customer rated the resolution good and wrote: “Thanks!”.']
    assert 'reopened within the 72 h reopen window (customer wrote again)' in facts(
        'clawback', 'reopened', {'reason': 'customer wrote again'}, RESOLVED_AT)[0]
    assert facts('dispute', 'rating_invalidated', {'reason': 'spam rating'}, RESOLVED_AT)[0].startswith(
        'A lead invalidated the rating: spam rating.')
    assert facts('first_contact', 'resolved', RESOLUTION, RESOLVED_AT) == [
        'Resolved after a single customer message: first-contact resolution (+5 quality).']


def test_each_event_is_one_line_of_the_story() -> None:
    assert describe('conversation_created', {'channel': 'phone'}, '') == 'The customer wrote in (phone)'
    assert describe('replied', {'length': 42, 'canned': 'hello'}, 'Ana Ozola') == \
        'Ana Ozola replied (42 characters, canned reply /hello)'
    assert describe('assigned', {'by': 'routing'}, 'Ana Ozola') == 'Assigned to Ana Ozola by routing'
    assert describe('resolved', {}, 'Ana Ozola') == 'Ana Ozola resolved it'
    assert describe('tagged', {'tag': 'vip'}, 'Ana Ozola') == 'Ana Ozola tagged it “vip”'
    assert describe('untagged', {'tag': 'vip'}, 'Ana Ozola') == 'Ana Ozola removed the tag “vip”'
    assert describe('presence_changed', {'status': 'online', 'previous': 'on_break'}, 'Ana Ozola') == \
        'Ana Ozola went from on break to online'


# --- badges ---------------------------------------------------------------------------------------------------------

BADGES = {definition.key: definition for definition in DEFAULT_BADGES}
NAMES = {1: 'Ana Ozola', 2: 'Bruno Dubois', 3: 'Cara Silva'}


def event(event_id: int, *, agent_id: int = 1, **data: object) -> GameEvent:
    return GameEvent(id=event_id, key=f'e{event_id}', kind=EventKind.REPLIED, agent_id=agent_id, conversation_id=7,
                     occurred_at=RESOLVED_AT + timedelta(minutes=event_id), data=data)


def test_a_badges_rule_is_told_in_words_from_its_definition() -> None:
    assert badge_rule(BADGES['traffic_controller']) == [
        'Events counted: transfers.', 'Won by whoever has the most of these events.',
        'Judged over the last 7 days: today and the 6 days before.', 'Agents with the same figure share it.']
    assert badge_rule(BADGES['speedy_gonzales']) == [
        'Events counted: replies.', 'Only those where channel is chat.',
        'Only those where time to the first reply is known.', 'The figure: time to the first reply.',
        'Won by the lowest average of the figure.', 'Judged over yesterday: the whole previous day.',
        'Only agents with at least 3 of these events in the window take part.',
        'Agents with the same figure share it.']
    assert badge_rule(BADGES['siesta'])[:4] == [
        'Events counted: status changes.', 'Only those where previous status is on break.',
        'The figure: time spent.', 'Won by the highest total of the figure.']
    assert badge_rule(BADGES['siesta'])[-1].startswith('A teasing badge: only its holder and the leads see it')
    assert badge_rule(BADGES['tagger'])[1] == 'Won by whoever has the most conversations with one of these events.'
    assert badge_rule(BADGES['novelist'])[1:3] == ['The figure: length in characters.',
                                                   'Won by the largest figure in one of these events.']
    assert badge_rule(BADGES['quatrefoil']) == [
        'A lucky draw: every day, each agent active that day (any event counts) has a 5% chance to draw it, and '
        'keeps it while that day is in the window. Nothing anyone does changes the odds.',
        'Judged over the last 7 days: today and the 6 days before.']


def test_a_badges_rule_and_window_are_worded_in_the_readers_language() -> None:
    with speaking('fr'):
        assert badge_rule(BADGES['siesta'])[:4] == [
            'Événements comptés : changements de statut.', 'Seulement ceux où « statut précédent » vaut en pause.',
            'Le chiffre : temps passé.', 'Gagné par le total du chiffre le plus élevé.']
        assert window_text(Window.PREVIOUS_DAY, RESOLVED_AT) == \
            'Jugé sur le dim. 1 nov. (jours UTC), état au lun. 2 nov. 09:42 UTC.'
        assert figure_text(BADGES['novelist'], 1420) == '1\u202f420 caractères'
    with speaking('lv'):
        assert badge_rule(BADGES['quatrefoil'])[0].startswith('Laimes izloze: katru dienu katram aģentam')
        assert '5%' in badge_rule(BADGES['quatrefoil'])[0]
        assert window_text(Window.PREVIOUS_DAY, RESOLVED_AT) == \
            'Vērtētā diena: svētd., 1. nov. (pēc UTC laika), stāvoklis uz pirmd., 2. nov. 09:42 UTC.'


@pytest.mark.parametrize(('language', 'expected'), [
    ('fr', {0: '0 transfert', 1: '1 transfert', 2: '2 transferts', 10: '10 transferts', 21: '21 transferts',
            22: '22 transferts'}),
    ('lv', {0: '0 pārsūtīšanu', 1: '1 pārsūtīšana', 2: '2 pārsūtīšanas', 10: '10 pārsūtīšanu',
            21: '21 pārsūtīšana', 22: '22 pārsūtīšanas'}),
])
def test_a_rule_line_and_a_figure_take_the_plural_the_number_asks_for(language: str,
                                                                      expected: dict[int, str]) -> None:
    with speaking(language):
        for count, figure in expected.items():
            assert figure_text(BADGES['traffic_controller'], count) == figure
            badge = replace(BADGES['traffic_controller'], minimum_volume=max(count, 2))
            assert badge_rule(badge)[3] == _MINIMUM_LINES[language][max(count, 2)]


_MINIMUM_LINES = {
    'fr': {2: 'Seuls les agents ayant au moins 2 de ces événements dans la fenêtre participent.',
           10: 'Seuls les agents ayant au moins 10 de ces événements dans la fenêtre participent.',
           21: 'Seuls les agents ayant au moins 21 de ces événements dans la fenêtre participent.',
           22: 'Seuls les agents ayant au moins 22 de ces événements dans la fenêtre participent.'},
    'lv': {2: 'Piedalās tikai aģenti, kuriem logā ir vismaz 2 šādi notikumi.',
           10: 'Piedalās tikai aģenti, kuriem logā ir vismaz 10 šādu notikumu.',
           21: 'Piedalās tikai aģenti, kuriem logā ir vismaz 21 šāds notikums.',
           22: 'Piedalās tikai aģenti, kuriem logā ir vismaz 22 šādi notikumi.'},
}


def test_figures_carry_their_unit() -> None:
    assert figure_text(BADGES['traffic_controller'], 1) == '1 transfer'
    assert figure_text(BADGES['traffic_controller'], 12) == '12 transfers'
    assert figure_text(BADGES['tagger'], 4) == '4 conversations'
    assert figure_text(BADGES['siesta'], 45) == '45 s'
    assert figure_text(BADGES['siesta'], 310) == '5 min 10 s'
    assert figure_text(BADGES['siesta'], 1520) == '25 min'
    assert figure_text(BADGES['worker'], 7 * 3600 + 5 * 60) == '7 h 05 min'
    assert figure_text(BADGES['novelist'], 1420) == '1,420 characters'
    assert figure_text(BADGES['inspector'], 37.25) == '37 s'
    assert window_text(Window.PREVIOUS_DAY, RESOLVED_AT) == \
        'Judged on Sun, Nov 1 (UTC days), as of Mon, Nov 2 09:42 UTC.'


def test_the_standing_names_the_runner_up_or_says_nobody_else_qualified() -> None:
    cleaner, speedy = BADGES['cleaner'], BADGES['speedy_gonzales']
    result = BadgeResult(key='cleaner', holders=frozenset({1}), best=9, values={1: 9, 2: 7, 3: 7})
    assert badge_standing(cleaner, result, 1, holder=None, name=NAMES.get, show_names=True) == [
        'You: 9 resolutions.', 'The runner-up: Bruno Dubois and Cara Silva with 7 resolutions (3 agents took part).']
    shared = BadgeResult(key='cleaner', holders=frozenset({1, 2}), best=9, values={1: 9, 2: 9, 3: 4})
    assert badge_standing(cleaner, shared, 2, holder='Bruno Dubois', name=NAMES.get, show_names=True) == [
        'Bruno Dubois: 9 resolutions.', 'Shared with Ana Ozola (the same figure).',
        'The runner-up: Cara Silva with 4 resolutions (3 agents took part).']
    fastest = BadgeResult(key='speedy_gonzales', holders=frozenset({3}), best=40, values={1: 95, 2: 61, 3: 40})
    assert badge_standing(speedy, fastest, 3, holder=None, name=NAMES.get, show_names=True)[1] == \
        'The runner-up: Bruno Dubois with 1 min 1 s (3 agents took part).'  # the lowest wins, the next lowest is second
    alone = BadgeResult(key='speedy_gonzales', holders=frozenset({3}), best=40, values={3: 40})
    assert badge_standing(speedy, alone, 3, holder='Cara Silva', name=NAMES.get, show_names=True)[1] == \
        'Nobody else had at least 3 of these events in the window.'
    teasing = BadgeResult(key='rebel', holders=frozenset({1, 2}), best=3, values={1: 3, 2: 3, 3: 1})
    assert badge_standing(BADGES['rebel'], teasing, 1, holder=None, name=NAMES.get, show_names=False) == [
        'You: 3 ratings.', 'Shared with 1 other agent with the same figure.',
        'The runner-up: 1 rating (3 agents took part).']
    gone = BadgeResult(key='cleaner', holders=frozenset({2}), best=3, values={2: 3})
    assert badge_standing(cleaner, gone, 1, holder=None, name=NAMES.get, show_names=True) == [
        'You did not qualify in this window any more (the window moves every day).']
    with speaking('lv'):
        assert badge_standing(cleaner, result, 1, holder=None, name=NAMES.get, show_names=True) == [
            'Jūsu rezultāts: 9 atrisinājumi.',
            'Otrā vieta: Bruno Dubois un Cara Silva — 7 atrisinājumi (piedalījās 3 aģenti).']


def test_the_most_telling_events_are_the_latest_of_a_count_and_the_extremes_of_a_value() -> None:
    counted = [(event(n), 1) for n in range(1, 8)]
    assert [e.id for e, _ in telling_facts(BADGES['traffic_controller'], counted, limit=3)] == [5, 6, 7]
    lengths = [(event(1), 300), (event(2), 1400), (event(3), 90), (event(4), 800)]
    assert [e.id for e, _ in telling_facts(BADGES['novelist'], lengths, limit=2)] == [2, 4]  # oldest first
    assert [e.id for e, _ in telling_facts(BADGES['speedy_gonzales'], lengths, limit=2)] == [1, 3]  # the fastest


def test_evidence_adds_the_value_a_badge_counted_and_a_lucky_draw_names_its_days() -> None:
    reply = event(3, length=1420)
    assert evidence_text(BADGES['novelist'], reply, 1420, 'Ana Ozola') == \
        'Ana Ozola replied (1420 characters) · 1,420 characters'
    assert evidence_text(BADGES['traffic_controller'], reply, 1, 'Ana Ozola') == 'Ana Ozola replied (1420 characters)'
    assert lucky_standing(None, [RESOLVED_AT, RESOLVED_AT + timedelta(days=2)]) == [
        'You drew it on Mon, Nov 2 and Wed, Nov 4.']
    assert lucky_standing('Cara', []) == ['Cara drew it on a day that has left the window.']
    with speaking('fr'):
        assert lucky_standing(None, [RESOLVED_AT]) == ["Vous l'avez tiré le lun. 2 nov."]


# --- levels ---------------------------------------------------------------------------------------------------------

def test_a_level_condition_is_checked_term_by_term() -> None:
    condition = parse_condition('points >= 800 and (resolved >= 40 or chats > 10) and not negative_ratings > 5',
                                known=LEVEL_METRICS)
    assert condition_checks(condition, {'points': 812, 'resolved': 12, 'chats': 11, 'negative_ratings': 2}) == [
        'points: 812 (needs ≥ 800) ✓', 'resolved conversations: 12 (needs ≥ 40) ✗', 'chats: 11 (needs > 10) ✓',
        'negative ratings: 2 (needs not > 5) ✓']


def reached(level: int, previous: int, event_id: int) -> ReachedLevel:
    return ReachedLevel(agent_id=1, level=level, previous=previous, event_id=event_id, at=RESOLVED_AT, title='Then',
                        condition='points >= 200', metrics={'points': 210})


def test_level_steps_tell_each_level_reached_passed_or_from_before_receipts() -> None:
    steps = level_steps([reached(3, 1, 42), reached(5, 4, 57)], level=6, levels=DEFAULT_LEVELS)
    assert [(s.number, s.title, s.reached_at is not None) for s in steps] == [
        (6, 'Customer whisperer', False), (5, 'Then', True), (4, 'Problem solver', False), (3, 'Then', True),
        (2, 'Rookie', True), (1, 'Novice', False)]
    by_number = {step.number: step for step in steps}
    assert by_number[6].note == 'Reached before receipts were kept.' and by_number[6].checks == []
    assert by_number[6].condition == 'points >= 7000 and positive_ratings >= 250'  # today's, as nothing was kept
    assert by_number[5].checks == ['points: 210 (needs ≥ 200) ✓'] and by_number[5].note == ''
    assert by_number[3].note == 'The same event passed level 2 on the way.'
    assert by_number[2].note == 'Passed on the way to level 3, by the same event.'
    assert by_number[4].note == 'Reached before receipts were kept.'
    assert by_number[1].note == 'Where everyone starts.'


def test_a_latvian_reader_gets_the_plural_form_of_each_number(monkeypatch) -> None:
    """A receipt's and a quest bar's numbers pick Latvian's plural form (zero for 10 and 11–19, one for 1 and 21,
    other for 2–9 and 22), worded as they are read."""
    from datetime import timedelta

    from services.domain.quests import time_left
    from tests.extra_catalog import reading_in, translations
    jumped = ('Taken while {count} older {channel} conversation waited unassigned: a queue jump earns no '
              'fast-resolution points, and {points} speed. Taking the oldest waiting conversation first avoids it.',
              'Taken while {count} older {channel} conversations waited unassigned: a queue jump earns no '
              'fast-resolution points, and {points} speed. Taking the oldest waiting conversation first avoids it.')
    latvian = {jumped: tuple(f'Paņemta, kamēr nepiešķirt{ending} gaidīja {{count}} vecāk{ending} {{channel}} '
                             f'sarun{ending}: rindas apiešana nedod ātra atrisinājuma punktus, un {{points}} ātrums. '
                             'Ņemiet vispirms vecāko gaidošo sarunu.' for ending in ('u', 'a', 'as')),
               ('{count} day left', '{count} days left'): ('atlikušas {count} dienu', 'atlikusi {count} diena',
                                                           'atlikušas {count} dienas')}
    with translations(monkeypatch, {'lv': latvian}), reading_in('lv'):
        said = {count: facts('queue_jump', 'assigned', {'passed_over': count, 'channel': 'chat'}, RESOLVED_AT)[0]
                for count in (1, 3, 11, 21)}
        left = [time_left(timedelta(days=days, hours=1)) for days in (2, 10, 21)]
    assert said[1].startswith('Paņemta, kamēr nepiešķirta gaidīja 1 vecāka chat saruna:')
    assert said[3].startswith('Paņemta, kamēr nepiešķirtas gaidīja 3 vecākas chat sarunas:')
    assert said[11].startswith('Paņemta, kamēr nepiešķirtu gaidīja 11 vecāku chat sarunu:')
    assert said[21].startswith('Paņemta, kamēr nepiešķirta gaidīja 21 vecāka chat saruna:')
    assert left == ['atlikušas 2 dienas', 'atlikušas 10 dienu', 'atlikusi 21 diena']
    with reading_in(None):  # nobody's language: English, with its two forms
        assert facts('queue_jump', 'assigned', {'passed_over': 1, 'channel': 'chat'}, RESOLVED_AT)[0].startswith(
            'Taken while 1 older chat conversation waited unassigned')
        assert time_left(timedelta(days=2, hours=1)) == '2 days left'
