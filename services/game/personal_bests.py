"""Personal bests and streaks on the progress card (issue 20), kept as the card is: incrementally, from memory.

The rules are pure (services/domain/personal_bests.py). An agent's days come from the maintained aggregates the
boards and the card already hold (the leaderboard's points and resolutions per day, the analytics' ratings per day),
so nothing new is stored and ``rebuild --check`` covers them through those aggregates. The days before today are
folded once per agent and day; each change folds today on top of that. A record beaten today is told to the agent
alone, once per kind and day.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from services.domain.floor_calendar import floor_day
from services.domain.personal_bests import (
    Best,
    DayFigures,
    PersonalBests,
    Record,
    fold_days,
    fold_since,
    merged_days,
    new_best_notice,
    new_bests,
    with_today,
)
from services.domain.projection import Outcome
from services.game.analytics import AnalyticsService, ratings_per_day
from services.game.leaderboard import LeaderboardService
from services.platform.clock import Clock
from services.platform.directory import Directory
from services.platform.notices import Notice, Notices


@dataclass(frozen=True, kw_only=True, slots=True)
class BestsView:
    """What the card shows: the records so far (today included) and the streak running today."""
    bests: PersonalBests
    current_streak: int


class PersonalBestsService:
    def __init__(self, *, clock: Clock, leaderboard: LeaderboardService, analytics: AnalyticsService,
                 directory: Directory, notices: Notices) -> None:
        self.clock = clock
        self.leaderboard = leaderboard
        self.analytics = analytics
        self.directory = directory
        self.notices = notices
        self._closed: dict[int, tuple[date, PersonalBests]] = {}  # the days before today, folded once a day
        self._shown: dict[int, tuple[date, PersonalBests]] = {}  # the last live bests of each followed agent
        self._told: dict[int, set[tuple[Best, date]]] = {}  # the new bests already told, per agent

    def view(self, agent_id: int) -> BestsView:
        """The agent's bests as of now; a record beaten since the last view is told to the agent's tabs."""
        today = floor_day(self.clock.now())
        bests = self.live(agent_id, today)
        shown = self._shown.get(agent_id)
        self._shown[agent_id] = (today, bests)
        if shown is not None:
            before = shown[1] if shown[0] == today else self._closed[agent_id][1]
            self._tell(agent_id, new_bests(before, bests, today))
        return BestsView(bests=bests, current_streak=bests.current_streak(today))

    def live(self, agent_id: int, today: date) -> PersonalBests:
        closed = self._closed.get(agent_id)
        if closed is not None and closed[0] < today:  # a new day: the days since folded on, not the whole history
            closed = (today, fold_since(closed[1], closed[0], today, lambda day: self.day(agent_id, day)))
            self._closed[agent_id] = closed
        elif closed is None or closed[0] != today:
            closed = (today, fold_days(self.days(agent_id), until=today - timedelta(days=1)))
            self._closed[agent_id] = closed
        return with_today(closed[1], today, self.day(agent_id, today))

    def days(self, agent_id: int, ratings: dict[date, list[int]] | None = None) -> dict[date, DayFigures]:
        """The agent's days as the boards and the card hold them."""
        return merged_days(self.leaderboard.tally.by_agent.get(agent_id, {}),
                           self.leaderboard.resolved.by_agent.get(agent_id, {}),
                           ratings if ratings is not None else self.analytics.ratings_by_day(agent_id))

    async def stored_days(self, agent_id: int, until: date) -> dict[date, DayFigures]:
        """Any agent's days (a recap of someone whose card is not open): ratings read from the aggregates."""
        return self.days(agent_id, await ratings_per_day(agent_id, until=until))

    def day(self, agent_id: int, today: date) -> DayFigures:
        good, rated = self.analytics.ratings_by_day(agent_id).get(today, (0, 0))
        return DayFigures(points=self.leaderboard.tally.by_agent.get(agent_id, {}).get(today, 0),
                          resolved=self.leaderboard.resolved.by_agent.get(agent_id, {}).get(today, 0),
                          rated=rated, rated_good=good)

    def on_committed(self, outcomes: list[Outcome]) -> None:
        """A change dated before today (a helpdesk's late fact, a reopen) folds that agent's closed days again."""
        today = floor_day(self.clock.now())
        for outcome in outcomes:
            if floor_day(outcome.event.occurred_at) < today:
                for agent_id in outcome.touched_agents:
                    self._closed.pop(agent_id, None)

    def _tell(self, agent_id: int, beaten: list[tuple[Best, Record]]) -> None:
        told = self._told.setdefault(agent_id, set())
        today = floor_day(self.clock.now())
        told.difference_update({item for item in told if item[1] != today})
        for best, record in beaten:
            if (best, today) in told:
                continue
            told.add((best, today))
            self.notices.send(agent_id, Notice(words=new_best_notice(best, record), kind='positive'))

