"""What services write for later (notices, ledger reasons) is worded when it is read, in the reader's language, and
refusals are whole sentences (issue 16): the same notice reads in French in one tab and Latvian in another, a stored
English reason is said again in the reader's words, and English stays English byte for byte."""
from string import Formatter

import pytest

from services.domain import reasons
from services.domain.i18n import N_, _, ngettext, phrase
from services.domain.quests import QuestCompletion, QuestScope, completion_notice
from services.domain.reasons import BY_KIND, NESTED, NUMBERS, ReasonTemplate, reason_text
from services.domain.scoring import AwardKind, Domain
from services.platform.notices import Notice
from tests.extra_catalog import reading_in, translations

FR = {
    '{name} thanked you: “{message}” ({points} quality)': '{name} vous a remercié : « {message} » ({points} qualité)',
    ('{reward} was denied and its {cost} point refunded.', '{reward} was denied and its {cost} points refunded.'): (
        '{reward} a été refusé et son {cost} point remboursé.',
        '{reward} a été refusé et ses {cost} points remboursés.'),
    'fast resolution of {ticket}': 'résolution rapide de {ticket}',
    'reopened {ticket}: {reason} taken back': '{ticket} rouvert : {reason} repris',
    ('queue jump on {ticket}: taken while {count} older conversation waited (no fast points)',
     'queue jump on {ticket}: taken while {count} older conversations waited (no fast points)'): (
        'passe-droit sur {ticket} : pris alors que {count} conversation plus ancienne attendait (pas de points de '
        'rapidité)',
        'passe-droit sur {ticket} : pris alors que {count} conversations plus anciennes attendaient (pas de points de '
        'rapidité)'),
}
LV = {
    '{name} thanked you: “{message}” ({points} quality)': '{name} jums pateicās: “{message}” ({points} kvalitāte)',
    ('{reward} was denied and its {cost} point refunded.', '{reward} was denied and its {cost} points refunded.'): (
        '{reward}: atteikts, atmaksāti {cost} punktu.', '{reward}: atteikts, atmaksāts {cost} punkts.',
        '{reward}: atteikts, atmaksāti {cost} punkti.'),
    'fast resolution of {ticket}': 'ātrs {ticket} atrisinājums',
    'reopened {ticket}: {reason} taken back': '{ticket} atvērts atkārtoti: {reason} atņemts',
    ('queue jump on {ticket}: taken while {count} older conversation waited (no fast points)',
     'queue jump on {ticket}: taken while {count} older conversations waited (no fast points)'): (
        'rindas apiešana {ticket}: paņemts, kamēr gaidīja {count} vecāku sarunu (bez ātruma punktiem)',
        'rindas apiešana {ticket}: paņemts, kamēr gaidīja {count} vecāka saruna (bez ātruma punktiem)',
        'rindas apiešana {ticket}: paņemts, kamēr gaidīja {count} vecākas sarunas (bez ātruma punktiem)'),
}


@pytest.fixture
def catalogs(monkeypatch):
    with translations(monkeypatch, {'fr': FR, 'lv': LV}):
        yield


def test_one_notice_reads_in_the_language_of_each_tab_that_shows_it(catalogs) -> None:
    notice = Notice(words=phrase(N_('{name} thanked you: “{message}” ({points} quality)'), name='Ana',
                                 message='Merci !', points='+3'), kind='positive')
    with reading_in(None):
        assert notice.text == 'Ana thanked you: “Merci !” (+3 quality)'
    with reading_in('fr'):
        assert notice.text == 'Ana vous a remercié : « Merci ! » (+3 qualité)'
    with reading_in('lv'):
        assert notice.text == 'Ana jums pateicās: “Merci !” (+3 kvalitāte)'
    assert notice.words.text(locale='fr') == 'Ana vous a remercié : « Merci ! » (+3 qualité)'


def test_a_notice_takes_the_plural_its_number_takes_in_the_readers_language(catalogs) -> None:
    def denied(cost: int) -> Notice:
        return Notice(words=phrase(N_('{reward} was denied and its {cost} point refunded.'),
                                   N_('{reward} was denied and its {cost} points refunded.'), cost,
                                   reward='Kafija', cost=cost))
    with reading_in('lv'):
        assert [denied(cost).text for cost in (1, 10, 11, 21, 22)] == [
            'Kafija: atteikts, atmaksāts 1 punkts.', 'Kafija: atteikts, atmaksāti 10 punktu.',
            'Kafija: atteikts, atmaksāti 11 punktu.', 'Kafija: atteikts, atmaksāts 21 punkts.',
            'Kafija: atteikts, atmaksāti 22 punkti.']
    with reading_in('fr'):
        assert [denied(cost).text for cost in (1, 2)] == ['Kafija a été refusé et son 1 point remboursé.',
                                                          'Kafija a été refusé et ses 2 points remboursés.']
    assert denied(1).text == 'Kafija was denied and its 1 point refunded.'


def test_a_nested_phrase_or_a_callable_is_worded_in_the_same_language_as_its_sentence() -> None:
    inner = phrase(N_('Log in'))
    outer = phrase(N_('{headline} {rewards}'), headline=inner, rewards=lambda: _('Log in'))
    assert outer.text(locale='fr') == 'Se connecter Se connecter'
    assert outer.text(locale='lv') == 'Pieteikties Pieteikties'
    assert outer.text() == 'Log in Log in'


def test_a_completed_quest_is_told_in_whole_sentences() -> None:
    def completion(**changes) -> QuestCompletion:
        values = dict(quest='q', title='Reply twice', scope=QuestScope.INDIVIDUAL, holder=1, agent_ids=(1,),
                      team_id=None, event_id=1, conversation_id=None, by=1, at=None, value=2, target=2, points=20,
                      domain=Domain.PRODUCTIVITY, badge=None)
        return QuestCompletion(**(values | changes))
    assert completion_notice(completion()).text() == "Quest completed: 'Reply twice'! You earn +20 productivity points."
    assert completion_notice(completion(points=1, domain=Domain.SPEED, badge='b', round=2)).text() == \
        "Quest completed: 'Reply twice (round 3)'! You earn +1 speed point. You earn a badge."
    assert completion_notice(completion(scope=QuestScope.TEAM, points=0, badge='b')).text() == \
        "Team mission accomplished: 'Reply twice'! Everyone in the team earns a badge."


def test_a_stored_reason_is_said_again_in_the_readers_words_and_kept_as_stored_in_english(catalogs) -> None:
    fast = reasons.FAST_RESOLUTION.english(ticket='Chatwoot #482')
    assert fast == 'fast resolution of Chatwoot #482'  # the stored text, as before the templates
    clawback = reasons.CLAWBACK.english(ticket='#7', reason=reasons.INCENTIVE_MULTIPLIER.english(
        label='Double Friday', reason='fast resolution of #7'))
    assert clawback == 'reopened #7: Double Friday: fast resolution of #7 taken back'
    assert reason_text(fast, 'fast_resolution', locale='fr') == 'résolution rapide de Chatwoot #482'
    assert reason_text(fast, 'fast_resolution', locale='lv') == 'ātrs Chatwoot #482 atrisinājums'
    assert reason_text(fast, 'fast_resolution', locale='en') == fast
    with reading_in('fr'):
        assert reason_text(clawback, 'clawback') == '#7 rouvert : Double Friday: résolution rapide de #7 repris'
    with reading_in(None):
        assert reason_text(clawback, 'clawback') == clawback  # no tab (the API, an export): English
    cut = (clawback * 10)[:200]  # what a 200-character cut left: no template knows it, so it is shown as stored
    assert reason_text(cut, 'clawback', locale='fr') == cut
    assert reason_text(fast, 'kudos', locale='fr') == fast  # the kind says which templates may have written it


def test_a_reasons_number_takes_the_readers_plural(catalogs) -> None:
    def jumped(count: int) -> str:
        return reasons.QUEUE_JUMP.english(ticket='#3', count=count)
    assert [jumped(count) for count in (1, 2)] == [
        'queue jump on #3: taken while 1 older conversation waited (no fast points)',
        'queue jump on #3: taken while 2 older conversations waited (no fast points)']
    assert [reason_text(jumped(count), 'queue_jump', locale='lv').split('gaidīja ')[1].split(' (')[0]
            for count in (1, 10, 11, 21, 22)] == ['1 vecāka saruna', '10 vecāku sarunu', '11 vecāku sarunu',
                                                 '21 vecāka saruna', '22 vecākas sarunas']
    assert reason_text(jumped(2), 'queue_jump', locale='fr') == \
        'passe-droit sur #3 : pris alors que 2 conversations plus anciennes attendaient (pas de points de rapidité)'


@pytest.mark.parametrize('kind', sorted(BY_KIND))
def test_every_template_recognises_what_it_wrote_with_its_values(monkeypatch, kind: str) -> None:
    """Each template, as a catalog that brackets every message would translate it: the values come back unchanged
    (and a nested reason is worded in turn), so no template of a kind is taken for another."""
    assert kind in {award.value for award in AwardKind}
    every = {template.message: f'[{template.message}]' for templates in BY_KIND.values() for template in templates}
    plurals = {(t.message, t.plural): (f'[{t.message}]',) * 3 for ts in BY_KIND.values() for t in ts if t.plural}
    with translations(monkeypatch, {'fr': every | plurals}):
        for template in BY_KIND[kind]:
            values = sample_values(template)
            inner = values.get(NESTED)
            expected = f'[{template.message}]'.format(**values | (
                {NESTED: '[fast resolution of {ticket}]'.format(ticket='#9')} if inner else {}))
            assert reason_text(template.english(**values), kind, locale='fr') == expected, template.message


def sample_values(template: ReasonTemplate) -> dict[str, object]:
    names = {name for _literal, name, _spec, _conversion in Formatter().parse(template.message) if name}
    values: dict[str, object] = {name: 7 if name in NUMBERS else f'Chatwoot #48{len(name)}' for name in names}
    if NESTED in names:
        values[NESTED] = 'fast resolution of #9'
    if 'label' in names:
        values['label'] = 'Double: Friday'  # a lead's label may hold a colon itself
    return values


def test_every_plural_pair_is_one_plural_entry_in_the_catalogs() -> None:
    """A singular and its plural are read with ngettext, which finds them only as one entry (msgid and msgid_plural):
    marked as two N_() they were two unrelated entries, and never shown translated (so they are marked with Nn_())."""
    import polib

    from services.domain.i18n import LOCALES_DIR
    from services.domain.quests import _EARNED
    pairs = {(t.message, t.plural) for templates in BY_KIND.values() for t in templates if t.plural}
    pairs |= set(_EARNED.values())
    assert len(pairs) >= 9
    for language in ('fr', 'nl', 'lv'):
        catalog = polib.pofile(str(LOCALES_DIR / language / 'LC_MESSAGES' / 'deskquest.po'))
        for singular, plural in pairs:
            entry = catalog.find(singular)
            assert entry is not None and entry.msgid_plural == plural, (language, singular)
            assert all(entry.msgstr_plural.values()), (language, singular)
        with reading_in(language):
            assert ngettext(*next(iter(sorted(_EARNED.values()))), 2) != sorted(_EARNED.values())[0][1]
