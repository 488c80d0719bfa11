"""Validation messages are whole sentences translated with the field's label translated on its own (issue 16): a
French or Latvian lead reads the refusal in their language, and a caller without a person (an API call, a webhook)
reads the English one, whatever catalogs are loaded. A receipt's story lines and level steps likewise."""
from datetime import date

import pytest

from services.domain.canned import CannedReplyDraft
from services.domain.canned import problems_with as canned_problems
from services.domain.errors import ActionError
from services.domain.i18n import speaking
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.incentives import problems_with as incentive_problems
from services.domain.level_history import ReachedLevel
from services.domain.levels import DEFAULT_LEVELS
from services.domain.receipts import describe, level_steps
from services.domain.text import checked_text, checked_translations
from tests.extra_catalog import reading_in, translations

FRENCH = {
    'Badge name': 'Nom du badge',
    '{field}: too long ({length} characters, at most {max_length}).':
        '{field} : trop long ({length} caractères, au plus {max_length}).',
    '{field}: holds a character it may not hold ({character} at position {position}): remove it.':
        '{field} : contient un caractère interdit ({character} en position {position}) : retirez-le.',
    '{field}: must be text.': '{field} : doit être du texte.',
    'Name': 'Nom',
    '{field} ({language})': '{field} ({language})',
    '{metric}: {value} (needs {symbol} {target}) {mark}': '{metric} : {value} (il faut {symbol} {target}) {mark}',
    'Passed on the way to level {level}, by the same event.': 'Franchi en route vers le niveau {level}, par le même '
                                                              'événement.',
    ('The same event passed level {levels} on the way.', 'The same event passed levels {levels} on the way.'): (
        'Le même événement a franchi le niveau {levels} en route.',
        'Le même événement a franchi les niveaux {levels} en route.'),
}
LATVIAN = {
    'Badge name': 'Nozīmītes nosaukums',
    '{field}: too long ({length} characters, at most {max_length}).':
        '{field}: pārāk garš ({length} rakstzīmes, ne vairāk kā {max_length}).',
    'Title': 'Virsraksts',
    '{field}: cannot be empty.': '{field}: nedrīkst būt tukšs.',
    'Text': 'Teksts',
    ('Unknown placeholder {unknown}: use {known}.', 'Unknown placeholders {unknown}: use {known}.'): (
        'Nezināmu vietturu {unknown}: izmantojiet {known}.', 'Nezināms vietturis {unknown}: izmantojiet {known}.',
        'Nezināmi vietturi {unknown}: izmantojiet {known}.'),
    ('Bonus: between 1 and {max_bonus} point.', 'Bonus: between 1 and {max_bonus} points.'): (
        'Bonuss: no 1 līdz {max_bonus} punktu.', 'Bonuss: no 1 līdz {max_bonus} punktam.',
        'Bonuss: no 1 līdz {max_bonus} punktiem.'),
    ('{actor} replied ({length} character)', '{actor} replied ({length} characters)'): (
        '{actor} atbildēja ({length} rakstzīmju)', '{actor} atbildēja ({length} rakstzīme)',
        '{actor} atbildēja ({length} rakstzīmes)'),
    '{actor} went from {previous} to {status}': '{actor}: no statusa “{previous}” uz “{status}”',
    'online': 'tiešsaistē', 'on break': 'pārtraukumā',
}


@pytest.fixture
def catalogs(monkeypatch):
    with translations(monkeypatch, {'fr': FRENCH, 'lv': LATVIAN}):
        yield


def refusal(check) -> str:
    with pytest.raises(ActionError) as refused:
        check()
    return str(refused.value)


def test_a_refused_field_is_named_by_its_translated_label_in_a_translated_sentence(catalogs) -> None:
    with speaking('fr'):
        assert refusal(lambda: checked_text('x' * 81, 'Badge name', 80)) == \
            'Nom du badge : trop long (81 caractères, au plus 80).'
        assert refusal(lambda: checked_text('a\x00b', 'Badge name', 80)) == \
            'Nom du badge : contient un caractère interdit (U+0000 en position 2) : retirez-le.'
        assert refusal(lambda: checked_text(None, 'Badge name', 80)) == 'Nom du badge : doit être du texte.'
        assert refusal(lambda: checked_translations({'lv': {'name': 'x' * 11}}, {'name': 10})) == \
            'Nom (lv) : trop long (11 caractères, au plus 10).'
    with speaking('lv'):
        assert refusal(lambda: checked_text('x' * 81, 'Badge name', 80)) == \
            'Nozīmītes nosaukums: pārāk garš (81 rakstzīmes, ne vairāk kā 80).'


def test_a_forms_problems_are_worded_in_the_readers_language_with_its_plurals(catalogs) -> None:
    draft = CannedReplyDraft(title=' ', shortcut='thanks', body='Hello {order}')
    with speaking('lv'):
        assert canned_problems(draft) == [
            'Virsraksts: nedrīkst būt tukšs.',
            'Nezināms vietturis {order}: izmantojiet {customer_first_name}, {customer_name}, {ticket_number}, '
            '{agent_name}, {agent_first_name}, {company}, {agent_team}.']
        bonus = Incentive(name='Rush', kind=IncentiveKind.BONUS, starts_on=date(2026, 11, 5),
                          ends_on=date(2026, 11, 5), from_time='14:00', until_time='17:00', bonus_points=0)
        assert incentive_problems(bonus) == ['Bonuss: no 1 līdz 100 punktu.']  # 100: Latvian's "zero" form


def test_without_a_person_the_message_stays_english(catalogs) -> None:
    """An API call or a webhook runs outside any tab: its refusals are the English, machine-readable ones."""
    with reading_in(None):
        assert refusal(lambda: checked_text('x' * 81, 'Badge name', 80)) == \
            'Badge name: too long (81 characters, at most 80).'
    with reading_in('fr'):  # the same check in a French lead's tab
        assert refusal(lambda: checked_text('x' * 81, 'Badge name', 80)).startswith('Nom du badge : trop long')


def test_a_receipts_story_and_level_steps_are_worded_in_the_readers_language(catalogs) -> None:
    with speaking('lv'):
        assert describe('replied', {'length': 21}, 'Ana') == 'Ana atbildēja (21 rakstzīme)'
        assert describe('replied', {'length': 11}, 'Ana') == 'Ana atbildēja (11 rakstzīmju)'
        assert describe('presence_changed', {'previous': 'online', 'status': 'on_break'}, 'Ana') == \
            'Ana: no statusa “tiešsaistē” uz “pārtraukumā”'
    with reading_in(None):
        assert describe('replied', {'length': 21}, 'Ana') == 'Ana replied (21 characters)'
    reached = [ReachedLevel(agent_id=1, level=4, previous=1, event_id=7, at=None, title='Then',
                            condition='points >= 2000', metrics={'points': 2100})]
    with speaking('fr'):
        steps = {step.number: step for step in level_steps(reached, level=4, levels=DEFAULT_LEVELS)}
    assert steps[4].note == 'Le même événement a franchi les niveaux 2, 3 en route.'
    assert steps[4].checks == ['points : 2\u202f100 (il faut ≥ 2\u202f000) ✓']
    assert steps[3].note == 'Franchi en route vers le niveau 4, par le même événement.'
