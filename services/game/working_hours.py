"""Each team's working hours as leads edit them (issue 18; the rules are services/domain/business_hours.py).

An edit is a ``WORKING_HOURS_CHANGED`` event carrying the team's whole calendar (or None: 24/7), so the game's fold,
live and on replay, times each later resolution of the team in those hours; points already given stay. The calendar is
written in the floor's time zone of the moment and keeps it.
"""
from nicegui import Event

from models import StoredEvent
from services.domain.business_hours import CalendarError, WorkingCalendar, calendar_from_dict, parse_calendar
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import _, floor_timezone
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService


class WorkingHoursService:
    def __init__(self, *, game: GameService, directory: Directory) -> None:
        self.game = game
        self.directory = directory
        self.changed: Event[int] = Event()  # a team's hours, after the commit of an edit: open admin tabs show them

    def calendar(self, team_id: int) -> WorkingCalendar | None:
        """The team's hours in force (None: 24/7)."""
        return self.game.projection.calendars.get(team_id)

    async def load(self) -> None:
        """Give the live fold each team's hours in force, as a replay would have them (call after
        ``GameService.load``, before any event is recorded)."""
        for team_id, calendar in (await calendars_before(None)).items():
            self.game.projection.set_calendar(team_id, calendar.as_dict())

    async def save(self, actor: AgentView, team_id: int, text: str) -> WorkingCalendar | None:
        """Put a team's hours (a lead's lines; none: 24/7) in force from now on; a calendar that does not hold together
        is refused with every wrong line and why, and nothing changes."""
        if not actor.is_lead:
            raise ActionError(_('Only a team lead can change the working hours.'))
        if team_id not in self.directory.teams:
            raise ActionError(_('There is no such team.'))
        try:
            calendar = parse_calendar(text, zone=floor_timezone())
        except CalendarError as error:
            raise ActionError(str(error)) from None
        return await self.put(actor, team_id, calendar)

    async def put(self, actor: AgentView, team_id: int, calendar: WorkingCalendar | None) -> WorkingCalendar | None:
        """Put a checked calendar (a published what-if draft's, or :meth:`save`'s) in force for a team from now on."""
        if not actor.is_lead:
            raise ActionError(_('Only a team lead can change the working hours.'))
        if team_id not in self.directory.teams:
            raise ActionError(_('There is no such team.'))
        if calendar == self.calendar(team_id):
            raise ActionError(_('These are the working hours in force already: nothing to save.'))
        async with self.game.unit_of_work() as work:  # a refusal rolls the fold's calendar back with it
            await work.record(EventKind.WORKING_HOURS_CHANGED, agent_id=actor.id,
                              data={'team_id': team_id, 'team': self.directory.teams[team_id],
                                    'calendar': calendar.as_dict() if calendar is not None else None, 'by': actor.id})
            work.after_commit(lambda: self.changed.emit(team_id))
        return calendar


async def calendars_before(event_id: int | None) -> dict[int, WorkingCalendar]:
    """Each team's hours in force before the event with this id (None: now), as the fold had them: its receipt's."""
    query = StoredEvent.filter(kind=EventKind.WORKING_HOURS_CHANGED.value)
    if event_id is not None:
        query = query.filter(id__lt=event_id)
    calendars: dict[int, WorkingCalendar] = {}
    for data in await query.order_by('id').values_list('data', flat=True):  # a few edits a year
        if data['calendar'] is None:
            calendars.pop(data['team_id'], None)
        else:
            calendars[data['team_id']] = calendar_from_dict(data['calendar'])
    return calendars
