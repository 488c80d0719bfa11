"""Wall displays' pure rules (issue 15): a lead's setup checked, pairing codes read as typed, the slide shown."""
import pytest

from services.domain.displays import (
    CODE_LENGTH,
    MAX_SLIDE_SECONDS,
    Slide,
    checked_setup,
    normalized_code,
    shown_code,
    slide_at,
)
from services.domain.errors import ActionError

TEAMS = {1: 'Aurora', 2: 'Borealis'}


def test_a_setup_keeps_the_slides_order_once_each_and_sorts_the_teams() -> None:
    setup = checked_setup(name='Lobby', team_ids=[2, 1, 2], slides=['queue', 'today', 'queue'], slide_seconds=15.0,
                          language='lv', teams=TEAMS)
    assert setup.team_ids == (1, 2) and setup.slides == (Slide.QUEUE, Slide.TODAY) and setup.slide_seconds == 15
    assert setup.language == 'lv'


@pytest.mark.parametrize(('team_ids', 'slides', 'seconds', 'message'), [
    ([3], ['today'], 20, 'teams that exist'),
    ('1', ['today'], 20, 'teams that exist'),
    ([], [], 20, 'at least one slide'),
    ([], ['ticker'], 20, 'must be among'),
    ([], ['today'], 4, 'between'),
    ([], ['today'], MAX_SLIDE_SECONDS + 1, 'between'),
    ([], ['today'], True, 'between'),
    ([], ['today'], 'ten', 'between'),
])
def test_a_bad_setup_is_refused_with_a_reason(team_ids: object, slides: object, seconds: object,
                                              message: str) -> None:
    with pytest.raises(ActionError, match=message):
        checked_setup(name='Lobby', team_ids=team_ids, slides=slides, slide_seconds=seconds, language='en',
                      teams=TEAMS)


@pytest.mark.parametrize('language', ['de', '', None, 'FR', ['fr']])
def test_a_language_the_app_does_not_speak_is_refused(language: object) -> None:
    with pytest.raises(ActionError, match='languages offered'):
        checked_setup(name='Lobby', team_ids=[], slides=['today'], slide_seconds=20, language=language, teams=TEAMS)


def test_a_code_is_read_whatever_its_case_spaces_and_dash() -> None:
    assert normalized_code(' abcd-ef23 ') == 'ABCDEF23' == normalized_code('ABCD EF23')
    assert shown_code('ABCDEF23') == 'ABCD-EF23'
    for typed in ('ABCDEF2', 'ABCDEF230', 'ABCDEF2O', 'ABCDEF21', None, 12345678, 'A' * 100):
        assert normalized_code(typed) is None, typed  # 0, O, 1, I, L are never issued
    assert len(normalized_code('23456789') or '') == CODE_LENGTH


def test_every_tab_of_a_display_agrees_on_the_slide_from_the_time() -> None:
    slides = (Slide.TODAY, Slide.WEEK, Slide.QUEUE)
    assert [slide_at(slides, 10, elapsed) for elapsed in (0, 9.9, 10, 25, 30, 61)] == [0, 0, 1, 2, 0, 0]
    assert slide_at((), 10, 5) == 0
