"""A lead's own texts per language (issue 16): the reader's language first, the default text as fallback, and what
a translation may hold."""
import pytest

from services.domain.canned import CannedReplyView, visible_replies
from services.domain.errors import ActionError
from services.domain.i18n import localized, speaking
from services.domain.levels import Level, level_as_dict, levels_from_dicts
from services.domain.text import checked_translations

LIMITS = {'name': 10, 'description': 30}


def test_the_readers_language_else_the_default_text() -> None:
    translations = {'lv': {'name': 'Tīrītājs'}, 'fr': {'name': '   '}}
    assert localized('Cleaner', translations, 'name', locale='lv') == 'Tīrītājs'
    assert localized('Cleaner', translations, 'name', locale='lv-LV') == 'Tīrītājs'
    assert localized('Cleaner', translations, 'name', locale='fr') == 'Cleaner'  # blank: the default
    assert localized('Cleaner', translations, 'description', locale='lv') == 'Cleaner'
    assert localized('Cleaner', None, 'name', locale='nl') == 'Cleaner'
    with speaking('lv'):
        assert localized('Cleaner', translations, 'name') == 'Tīrītājs'
    assert localized('Cleaner', translations, 'name') == 'Cleaner'  # nobody's language: English


def test_translations_are_checked_and_empty_ones_dropped() -> None:
    assert checked_translations({'fr': {'name': ' Balai ', 'description': ''}, 'nl': {'name': ''}},
                                LIMITS) == {'fr': {'name': 'Balai'}}
    assert checked_translations(None, LIMITS) == {}
    for bad, message in (({'en': {'name': 'x'}}, 'Unknown translation language'),
                         ({'de': {'name': 'x'}}, 'Unknown translation language'),
                         ({'fr': {'colour': 'x'}}, "no text 'colour'"),
                         ({'fr': {'name': 'x' * 11}}, 'too long'),
                         ({'fr': {'name': 'a\nb'}}, 'may not hold'),
                         ({'fr': 'Balai'}, 'object of texts'),
                         (['fr'], 'object of languages')):
        with pytest.raises(ActionError, match=message):
            checked_translations(bad, LIMITS)


def test_a_level_keeps_its_translations_through_its_dict_form() -> None:
    level = Level(number=2, title='Rookie', icon='egg', condition='points >= 200',
                  translations={'lv': {'title': 'Jauniņais'}})
    assert levels_from_dicts([level_as_dict(level)])[0].translations == {'lv': {'title': 'Jauniņais'}}
    older = {key: value for key, value in level_as_dict(level).items() if key != 'translations'}
    assert levels_from_dicts([older])[0].translations == {}
    assert levels_from_dicts([older])[0] == level  # translations are no rule: not compared


def test_canned_replies_in_the_customers_language_first() -> None:
    replies = [CannedReplyView(id=i, shortcut=shortcut, title=shortcut, body='', language=language)
               for i, (shortcut, language) in enumerate((('a', 'en'), ('b', 'lv'), ('c', 'fr'), ('d', 'lv')))]
    assert [r.shortcut for r in visible_replies(replies, 1, language='lv')] == ['b', 'd', 'a', 'c']
    assert [r.shortcut for r in visible_replies(replies, 1, language='nl')] == ['a', 'b', 'c', 'd']
    assert [r.shortcut for r in visible_replies(replies, 1)] == ['a', 'b', 'c', 'd']
