"""An agent's recap of a month or a season (issue 20): their days, bests, streaks, badges, skills, quests and kind
words, compared with themselves only (the month before, the season before). An agent reads their own; a lead reads
anyone's. The period is a pair of dates (services/domain/personal_bests.py's ``RecapPeriod``), so a season reads the
same way as a month.

When a season ends, each agent's dashboard offers its recap for a few days, until they open it: the opening is a
``SEASON_RECAP_OPENED`` event keyed by agent and season (recorded once), so whether it is still offered is read from
the log like everything else.
"""
from datetime import date, datetime, timedelta

from models import AnalyticsDay, BadgeHolding, QuestRow, StoredEvent
from services.domain.errors import ActionError
from services.domain.events import EventKind, Rating
from services.domain.floor_calendar import day_start, floor_day
from services.domain.i18n import _, localized
from services.domain.personal_bests import (
    DayFigures,
    RecapPeriod,
    best_day_in,
    bests_set_in,
    fold_days,
    longest_streak_in,
    month_period,
)
from services.domain.recap import KIND_WORDS_SHOWN, SKILLS, KindWord, Recap, recap_svg
from services.domain.seasons import Season, previous_season, recap_due
from services.game.badges import BadgeService
from services.game.personal_bests import PersonalBestsService
from services.game.seasons import SeasonService
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService

FIRST_YEAR = 2000


class RecapService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, bests: PersonalBestsService,
                 badges: BadgeService, seasons: SeasonService) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.bests = bests
        self.badges = badges
        self.seasons = seasons

    def month(self, text: str | None = None) -> RecapPeriod:
        """The month ``text`` names ('2026-11'), or this month.

        :raises ActionError: not a month, or one that has not begun
        """
        today = floor_day(self.clock.now())
        if not text:
            return month_period(today.year, today.month)
        try:
            year, month = (int(part) for part in text.split('-'))
            if year < FIRST_YEAR:
                raise ValueError(year)
            period = month_period(year, month)
        except ValueError:
            raise ActionError(_('Choose a month as YYYY-MM, for example 2026-11.')) from None
        if period.start > today:
            raise ActionError(_('That month has not begun: choose this month or an earlier one.'))
        return period

    def season(self, text: str) -> RecapPeriod:
        """The season that starts on the day ``text`` names ('2026-10-01').

        :raises ActionError: no season starts that day, or it has not begun
        """
        try:
            start = date.fromisoformat(text)
        except ValueError:
            start = None
        season = next((season for season in self.seasons.seasons if season.start == start), None)
        if season is None:
            raise ActionError(_('No season starts on that day: choose one of the seasons listed.'))
        if season.start > floor_day(self.clock.now()):
            raise ActionError(_('That season has not begun: choose one that has.'))
        return season_period(season)

    def period(self, month: str | None = None, season: str | None = None) -> RecapPeriod:
        """The season starting on the day ``season`` names if given, else the month ``month`` names (or this month).

        :raises ActionError: as :meth:`month` and :meth:`season`
        """
        return self.season(season) if season else self.month(month)

    def season_periods(self) -> list[RecapPeriod]:
        """The seasons begun (the running one too), the latest first: the recap's choices beside the months."""
        today = floor_day(self.clock.now())
        return [season_period(season) for season in reversed(self.seasons.seasons) if season.start <= today]

    async def season_ready(self, agent_id: int) -> RecapPeriod | None:
        """The season whose recap the agent's dashboard offers: one that ended in the last few days, its recap not
        opened yet by the agent (one indexed read, and only in the days after a season's end)."""
        season = recap_due(self.seasons.seasons, floor_day(self.clock.now()))
        if season is None or await StoredEvent.filter(key=opened_key(agent_id, season)).exists():
            return None
        return season_period(season)

    async def opened(self, actor: AgentView, period: RecapPeriod) -> None:
        """The agent opened their own recap of the season their dashboard offers: the offer goes (recorded once; a
        lead reading an agent's recap, a month's or an older season's records nothing)."""
        season = recap_due(self.seasons.seasons, floor_day(self.clock.now()))
        if actor.is_lead or season is None or (season.start, season.end) != (period.start, period.end):
            return
        key = opened_key(actor.id, season)
        if await StoredEvent.filter(key=key).exists():
            return
        async with self.game.unit_of_work() as work:
            if not await StoredEvent.filter(key=key).exists():  # another tab may have recorded it meanwhile
                await work.record(EventKind.SEASON_RECAP_OPENED, agent_id=actor.id, key=key,
                                  data={'season': season.name, 'start': season.start.isoformat(),
                                        'end': season.end.isoformat()})

    async def recap(self, actor: AgentView, period: RecapPeriod, agent_id: int | None = None) -> Recap:
        """The recap of ``agent_id`` (the actor, when None) over ``period``.

        :raises ActionError: an agent asking for someone else's recap, an unknown agent, a period not begun
        """
        subject = self._subject(actor, agent_id)
        today = floor_day(self.clock.now())
        if period.start > today:
            raise ActionError(_('That month has not begun: choose this month or an earlier one.'))
        end = min(period.end, today)
        days = await self.bests.stored_days(subject.id, end)
        start, finish = _moment(period.start), _moment(end + timedelta(days=1))
        previous = self._previous(period)
        return Recap(
            agent_id=subject.id, agent_name=subject.name, period=period,
            days=tuple((day, days.get(day, DayFigures())) for day in period.days() if day <= end),
            best_day=best_day_in(days, period), bests_set=tuple(bests_set_in(days, period).items()),
            longest_streak=longest_streak_in(days, period),
            current_streak=fold_days(days, until=end).current_streak(end),
            skills=await _skills(subject.id, period.start, end),
            previous_skills=await _skills(subject.id, previous.start, previous.end), previous=previous,
            badges=await self._badges(subject.id, start, finish),
            quests=await _quests(subject.id, start, finish),
            kind_words=await _kind_words(subject.id, start, finish))

    async def image(self, actor: AgentView, period: RecapPeriod, agent_id: int | None = None) -> str:
        """The recap as an SVG image (the browser turns it into a PNG to download)."""
        return recap_svg(await self.recap(actor, period, agent_id))

    def _previous(self, period: RecapPeriod) -> RecapPeriod:
        """What a period is compared with: the season before a season, the month before a month, else as many days
        just before."""
        if period.season:
            season = Season(name=period.season, start=period.start, end=period.end)
            if (before := previous_season(self.seasons.seasons, season)) is not None:
                return season_period(before)
        previous = RecapPeriod(start=period.start - (period.end - period.start) - timedelta(days=1),
                               end=period.start - timedelta(days=1))
        if period.start.day == 1 and not period.season:  # a month compares with the month before, whatever its length
            previous = month_period(previous.end.year, previous.end.month)
        return previous

    def _subject(self, actor: AgentView, agent_id: int | None) -> AgentView:
        if agent_id is None or agent_id == actor.id:
            return self.directory.agent(actor.id) or actor
        if not actor.is_lead:
            raise ActionError(_('A recap is personal: you can open only your own.'))
        subject = self.directory.agent(agent_id)
        if subject is None:
            raise ActionError(_('No active agent has that id.'))
        return subject

    async def _badges(self, agent_id: int, start: datetime, finish: datetime) -> tuple[tuple[str, date], ...]:
        won = await BadgeHolding.filter(agent_id=agent_id, gained_at__gte=start, gained_at__lt=finish) \
            .order_by('gained_at', 'id').values_list('badge_key', 'gained_at')
        names = {definition.key: definition.shown_name for definition in self.badges.definitions}  # reader's language
        return tuple((names.get(key, key), floor_day(gained)) for key, gained in won)


def season_period(season: Season) -> RecapPeriod:
    return RecapPeriod(start=season.start, end=season.end, season=season.name)


def opened_key(agent_id: int, season: Season) -> str:
    """The idempotency key of an agent's opening of a season's recap (a finished season's dates never change)."""
    return f'season_recap_opened:{agent_id}:{season.start.isoformat()}'


async def _skills(agent_id: int, first: date, last: date) -> dict[str, int]:
    """Points by domain over the days, from the analytics' daily aggregates."""
    sums = dict.fromkeys(SKILLS, 0)
    for row in await AnalyticsDay.filter(agent_id=agent_id, day__gte=first, day__lte=last) \
            .values_list(*(f'points_{skill}' for skill in SKILLS)):
        for skill, points in zip(SKILLS, row, strict=True):
            sums[skill] += points or 0
    return sums


async def _quests(agent_id: int, start: datetime, finish: datetime) -> tuple[tuple[str, date], ...]:
    """The quests and team missions completed with the agent among those rewarded (few a month: filtered here, the
    agents being inside the JSON data)."""
    completed = await StoredEvent.filter(kind=EventKind.QUEST_COMPLETED.value, occurred_at__gte=start,
                                         occurred_at__lt=finish).order_by('id').values_list('data', 'occurred_at')
    completed = [(data, moment) for data, moment in completed if agent_id in (data.get('agent_ids') or ())]
    # the title the quest had then; in the reader's language while the quest is still called so
    keys = {str(data.get('quest', '')) for data, _moment in completed}
    texts = {key: (title, translations) for key, title, translations in
             await QuestRow.filter(key__in=keys).values_list('key', 'title', 'translations')}
    shown = []
    for data, moment in completed:
        title = str(data.get('title', ''))
        current, translations = texts.get(str(data.get('quest', '')), ('', {}))
        shown.append((localized(title, translations, 'title') if current == title else title, floor_day(moment)))
    return tuple(shown)


async def _kind_words(agent_id: int, start: datetime, finish: datetime) -> tuple[KindWord, ...]:
    """Good ratings' comments (not those a lead invalidated) and colleagues' thanks, in time order."""
    events = await StoredEvent.filter(agent_id=agent_id, kind__in=(EventKind.RATED.value, EventKind.KUDOS_SENT.value),
                                      occurred_at__gte=start, occurred_at__lt=finish) \
        .order_by('occurred_at', 'id').values_list('id', 'kind', 'data', 'occurred_at')
    invalidated = {data.get('rated_event_id') for data in await StoredEvent.filter(
        agent_id=agent_id, kind=EventKind.RATING_INVALIDATED.value, occurred_at__gte=start)
        .values_list('data', flat=True)}
    words = []
    for event_id, kind, data, moment in events:
        if kind == EventKind.KUDOS_SENT.value and data.get('message'):
            words.append(KindWord(text=str(data['message']), by=str(data.get('from_name', '')), day=floor_day(moment)))
        elif kind == EventKind.RATED.value and data.get('rating') == Rating.GOOD.value and data.get('comment') \
                and event_id not in invalidated:
            words.append(KindWord(text=str(data['comment']), by='', day=floor_day(moment)))
    return tuple(words[-KIND_WORDS_SHOWN:])


def _moment(day: date) -> datetime:
    return day_start(day)
