"""The boards' payloads: worded once per language in use, and again only for the boards whose rows changed."""
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pytest
from nicegui import Event

from services.domain.leaderboard import BoardRow, Period, TeamRow
from services.domain.levels import DEFAULT_LEVELS
from services.game.leaderboard import LeaderboardSnapshot
from ui import leaderboard_card
from ui.leaderboard_card import BoardFeed


def row(rank: int, agent_id: int, name: str, points: int) -> BoardRow:
    return BoardRow(rank=rank, agent_id=agent_id, name=name, team_name='Aurora', level=1, points=points)


def snapshot(version: int, week: list[BoardRow]) -> LeaderboardSnapshot:
    """A floor whose today boards never change (new lists, equal rows) and whose week board is ``week``."""
    today = [row(1, 1, 'Ana Ozola', 1500), row(2, 2, 'Bruno Dubois', 30)]
    return LeaderboardSnapshot(
        version=version, today=date(2026, 12, 7),
        agents={period: list(today) if period == Period.TODAY else week if period == Period.WEEK else []
                for period in Period},
        teams={period: [TeamRow(rank=1, team_id=7, name='Aurora', points=1530, members=2)]
               if period == Period.TODAY else [] for period in Period},
        unranked={period: [] for period in Period},
        team_agents={period: {7: list(today)} if period == Period.TODAY else {} for period in Period})


@pytest.fixture
def worded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (board, language) of every payload worded."""
    calls: list[tuple[str, str]] = []
    really = BoardFeed._word

    def word(self, version, key, source, language):
        calls.append((key, language))
        return really(self, version, key, source, language)
    monkeypatch.setattr(BoardFeed, '_word', word)
    return calls


def test_only_the_boards_whose_rows_changed_are_worded_again(worded: list[tuple[str, str]]) -> None:
    latest = [snapshot(1, [])]
    leaderboard = SimpleNamespace(changed=Event(), snapshot=lambda: latest[0],
                                  game=SimpleNamespace(projection=SimpleNamespace(levels=DEFAULT_LEVELS)))
    feed = BoardFeed(leaderboard)  # type: ignore[arg-type]
    assert feed.current(Period.TODAY, language='fr')['rows'][0][5] == '1\u202f500'
    assert feed.current(Period.TODAY, 7, language='lv')['rows'][0][5] == '1\xa0500'
    boards = len(leaderboard_card.board_sources(latest[0]))
    assert sorted(worded) == sorted([(key, 'fr') for key in feed.payloads['fr']] +
                                    [(key, 'lv') for key in feed.payloads['lv']]) and boards == len(feed.payloads['fr'])
    today = feed.payloads['fr']['today']

    worded.clear()
    latest[0] = snapshot(2, [row(1, 3, 'Chloe Martin', 2000)])  # only the week's floor board moved
    week = feed.current(Period.WEEK, language='fr')
    assert sorted(worded) == [('week', 'fr'), ('week', 'lv')]
    assert week['v'] == 2 and week['rows'][0][2] == 'Chloe Martin' and week['rows'][0][5] == '2\u202f000'
    kept = feed.payloads['fr']['today']
    assert kept['v'] == 2 and kept['rows'] is today['rows'] and kept['teams'] == (('1.', 'Aurora', '765'),)

    worded.clear()
    leaderboard.game.projection.levels = tuple(replace(level, title=f'{level.title}!') for level in DEFAULT_LEVELS)
    latest[0] = snapshot(3, [row(1, 3, 'Chloe Martin', 2000)])  # the same rows, but leads renamed the levels
    assert feed.current(Period.TODAY, language='lv')['rows'][0][3].endswith('!')
    assert len(worded) == 2 * boards
