"""Seasons of the boards live (issue 20): a lead's edit is one ``SEASONS_CHANGED`` event carrying every season; the
leaderboard service folds it into its tally (the "Season" boards), and the finished seasons' standings are read from
the same tally (services/domain/seasons.py holds the rules)."""
from collections.abc import Sequence

from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.floor_calendar import floor_day
from services.domain.i18n import _
from services.domain.seasons import Season, SeasonResult, check_seasons, current_season, past_results
from services.game.leaderboard import LeaderboardService
from services.platform.clock import Clock
from services.platform.directory import AgentView
from services.platform.event_log import GameService


class SeasonService:
    def __init__(self, *, clock: Clock, game: GameService, leaderboard: LeaderboardService) -> None:
        self.clock = clock
        self.game = game
        self.leaderboard = leaderboard

    @property
    def seasons(self) -> tuple[Season, ...]:
        """Every season in force, in date order."""
        return self.leaderboard.seasons

    def current(self) -> Season | None:
        """The season running today, if any."""
        return current_season(self.seasons, floor_day(self.clock.now()))

    def ended(self, season: Season) -> bool:
        """Whether a season is over (its standings final: a lead can no longer change it)."""
        return season.end < floor_day(self.clock.now())

    def past(self) -> list[SeasonResult]:
        """The finished seasons' final standings (the podium), the latest first."""
        return past_results(self.seasons, self.leaderboard.tally.by_season, floor_day(self.clock.now()))

    async def save(self, actor: AgentView, seasons: Sequence[Season]) -> tuple[Season, ...]:
        """Put a whole list of seasons in force: one ``SEASONS_CHANGED`` event, folded by the leaderboards.

        :raises ActionError: not a lead; a season without a name, ending before it starts, overlapping another; a
            finished season changed or removed, or a new one already over (see :func:`check_seasons`)
        """
        if not actor.is_lead:
            raise ActionError(_('Only a team lead can edit the seasons.'))
        async with self.game.unit_of_work() as work:
            checked = check_seasons(seasons, before=self.seasons, today=floor_day(work.moment()))
            if checked == self.seasons:
                return checked  # nothing changed: no event
            await work.record(EventKind.SEASONS_CHANGED, agent_id=actor.id,
                              data={'seasons': [season.as_dict() for season in checked], 'by': actor.id})
        return checked
