"""An agent's standing under a board: their place found in one pass over the boards, for the agents asked about only,
then worded in the reader's language."""
from datetime import date

from services.domain.i18n import speaking
from services.domain.leaderboard import BoardRow, Period, UnrankedRow
from services.game.leaderboard import LeaderboardSnapshot
from ui.leaderboard_card import Place, places_of, standing_line


def row(rank: int, agent_id: int, name: str, points: int) -> BoardRow:
    return BoardRow(rank=rank, agent_id=agent_id, name=name, team_name='Aurora', level=1, points=points)


FLOOR = [row(1, 1, 'Ana Ozola', 50), row(2, 2, 'Bruno Dubois', 30), row(2, 3, 'Chloe Martin', 30),
         row(4, 4, 'Daan Visser', 10)]
SNAPSHOT = LeaderboardSnapshot(
    version=1, today=date(2026, 12, 7), minimum=2,
    agents={period: FLOOR if period == Period.TODAY else [] for period in Period},
    teams={period: [] for period in Period},
    unranked={period: [UnrankedRow(agent_id=5, name='Emma Jansen', team_id=7, team_name='Aurora', resolved=1)]
              if period == Period.TODAY else [] for period in Period},
    team_agents={period: {7: [row(1, 2, 'Bruno Dubois', 30), row(2, 4, 'Daan Visser', 10)]}
                 if period == Period.TODAY else {} for period in Period})


def test_only_the_agents_asked_about_get_places() -> None:
    found = places_of(SNAPSHOT, (3, 4, 5, 6))
    assert found.keys() == {3, 4, 5, 6}
    assert found[3] == {'today': Place(rank=2, behind=20, ahead='Ana')}
    assert found[4] == {'today': Place(rank=4, behind=20, ahead='Bruno'),  # the first of the tied group above
                        'today:team': Place(rank=2, behind=20, ahead='Bruno')}
    assert found[5] == {'today': Place(resolved=1, minimum=2), 'today:team': Place(resolved=1, minimum=2)}
    assert found[6] == {}  # on no board


def test_a_place_is_worded_in_the_readers_language() -> None:
    found = places_of(SNAPSHOT, (1, 4, 5))
    assert standing_line(found[1]['today'], Period.TODAY, in_team=False) == \
        'You are 1st: nobody is ahead of you. Keep it up!'
    assert standing_line(found[4]['today:team'], Period.TODAY, in_team=True) == \
        'You are 2nd in your team, 20 points behind Bruno.'
    assert standing_line(found[5]['today'], Period.TODAY, in_team=False) == 'Not ranked yet: 1 of 2 resolved today.'
    assert standing_line(None, Period.TODAY, in_team=False) == ''
    with speaking('fr'):
        assert standing_line(found[4]['today'], Period.TODAY, in_team=False) == 'Vous êtes 4e, à 20 points de Bruno.'
