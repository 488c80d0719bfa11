"""The translation catalogs, the Latvian plural rule, choosing a language and the locale's formatting (issue 16)."""
import os
import re
from datetime import UTC, datetime

import polib
import pytest

from services.domain import i18n, wording
from services.domain.i18n import LANGUAGES, LOCALES_DIR, _, negotiate, ngettext, speaking, supported
from services.platform.catalogs import compile_catalogs

TRANSLATED = ('fr', 'nl', 'lv')
PLACEHOLDER = re.compile(r'\{[^{}]*\}|%\(\w+\)[a-z]|%[a-z]')
LV_PLURAL = 'nplurals=3; plural=(n%10==1 && n%100!=11 ? 1 : n%10==0 || (n%100>=11 && n%100<=19) ? 0 : 2);'


@pytest.fixture(scope='module', autouse=True)
def compiled() -> None:
    compile_catalogs()


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALES_DIR / language / 'LC_MESSAGES' / 'deskquest.po'))


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize('language', TRANSLATED)
def test_every_message_of_the_template_is_translated_with_the_same_placeholders(language: str) -> None:
    template = {entry.msgid for entry in polib.pofile(str(LOCALES_DIR / 'deskquest.pot'))}
    po = catalog(language)
    assert {entry.msgid for entry in po if not entry.obsolete} == template, 'run pybabel update (ARCHITECTURE.md)'
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if 'fuzzy' in entry.flags or not entry.translated():
            problems.append(f'{entry.msgid!r} is not translated')
            continue
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            if placeholders(form) != placeholders(entry.msgid):
                problems.append(f'{entry.msgid!r}: {form!r} has other placeholders')
    assert not problems, '\n'.join(problems)


def test_the_latvian_catalog_follows_cldr_not_what_pybabel_init_writes() -> None:
    assert catalog('lv').metadata['Plural-Forms'] == LV_PLURAL
    expected = {0: 'punktu', 1: 'punkts', 2: 'punkti', 10: 'punktu', 11: 'punktu', 19: 'punktu', 20: 'punktu',
                21: 'punkts', 22: 'punkti', 100: 'punktu', 111: 'punktu'}
    for count, noun in expected.items():
        assert ngettext('{count} point', '{count} points', count, locale='lv') == f'{{count}} {noun}', count
        assert wording.points(count, locale='lv') == f'{count} {noun}'
    assert wording.points(1234, locale='lv') == '1\u00a0234 punkti'
    assert [wording.points(count, locale='fr') for count in (0, 1, 2)] == ['0 point', '1 point', '2 points']
    assert [wording.points(count, locale='nl') for count in (0, 1, 2)] == ['0 punten', '1 punt', '2 punten']
    assert wording.points(1, locale='en') == '1 point' and wording.points(0, locale='en') == '0 points'


def test_the_language_in_force_is_the_explicit_one_then_the_resolvers_then_english() -> None:
    try:
        i18n.install_resolver(None)
        assert _('Log in') == 'Log in'
        i18n.install_resolver(lambda: 'fr')
        assert _('Log in') == 'Se connecter'
        assert _('Log in', locale='lv') == 'Pieteikties'
        with speaking('nl'):  # background work says whose language it writes in
            assert _('Log in') == 'Inloggen'
        i18n.install_resolver(lambda: 'xx')  # nonsense from a resolver is English, never an error
        assert _('Log in') == 'Log in'
    finally:
        i18n.install_resolver(None)


def test_a_browsers_accept_language_picks_the_best_language_the_app_speaks() -> None:
    assert negotiate('lv-LV,lv;q=0.9,en;q=0.8') == 'lv'
    assert negotiate('de-DE,de;q=0.9,nl;q=0.5,fr;q=0.4') == 'nl'
    assert negotiate('fr-BE') == 'fr'
    assert negotiate('en;q=0.1, fr;q=0.9') == 'fr'
    assert negotiate('de, es') == 'en' and negotiate('') == 'en' and negotiate(None) == 'en'
    assert negotiate('fr;q=0, nl;q=x') == 'en'  # refused or malformed weights count for nothing
    assert negotiate(',' * 10_000 + 'lv') == 'en'  # a hostile header is read no further than a real one
    assert supported('NL_be') == 'nl' and supported('zz') == 'en' and supported(None) == 'en'
    assert set(LANGUAGES) == {'en', 'fr', 'nl', 'lv'}


def test_numbers_dates_times_and_relative_durations_follow_the_locale_and_the_floor() -> None:
    moment = datetime(2026, 10, 14, 9, 2, 11)  # naive: UTC, as the clock and the database give it
    try:
        i18n.set_floor_timezone('Europe/Riga')
        assert wording.clock_time(moment, locale='lv') == '12:02'
        assert wording.clock_time(moment.replace(tzinfo=UTC), locale='en') == '12:02\u202fPM'
        assert wording.moment_text(moment, locale='lv') == '2026. gada 14. okt. 12:02:11'
        assert wording.day(moment, style='full', locale='fr') == 'mercredi 14 octobre 2026'
        assert wording.day(datetime(2026, 10, 14, 22, 30), locale='nl') == '15 okt 2026'  # already the 15th in Riga
        i18n.set_floor_timezone('UTC')
        assert wording.clock_time(moment, locale='fr') == '09:02'
    finally:
        i18n.set_floor_timezone('UTC')
    assert wording.number(1234567.891, locale='lv') == '1\u00a0234\u00a0567,891'
    assert wording.number(1234567.891, locale='nl') == '1.234.567,891'
    assert wording.number(1234567.891, locale='en') == '1,234,567.891'
    assert wording.percent(0.874, locale='fr') == '87\u00a0%' and wording.percent(0.874, locale='lv') == '87%'
    assert wording.ago(180, locale='lv') == 'pirms 3 minūtēm'
    assert wording.ago(180, locale='fr') == 'il y a 3 minutes'
    assert wording.ago(180, locale='nl') == '3 minuten geleden'
    assert wording.ago(180, locale='en') == '3 minutes ago'
    with speaking('lv'):
        assert wording.ago(7200) == 'pirms 2 stundām'


def test_a_stale_catalog_is_compiled_again_and_a_fresh_one_is_left(tmp_path) -> None:
    folder = tmp_path / 'lv' / 'LC_MESSAGES'
    folder.mkdir(parents=True)
    po = folder / 'deskquest.po'
    po.write_bytes((LOCALES_DIR / 'lv' / 'LC_MESSAGES' / 'deskquest.po').read_bytes())
    assert compile_catalogs(tmp_path) == [folder / 'deskquest.mo']
    assert compile_catalogs(tmp_path) == []  # up to date
    os.utime(po, (po.stat().st_mtime + 10, po.stat().st_mtime + 10))
    assert compile_catalogs(tmp_path) == [folder / 'deskquest.mo']
