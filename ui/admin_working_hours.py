"""The lead's "Working hours" tab (issue 18): each team's week, breaks and holidays, in which its resolutions are timed
fast, on time or late. Saving is a ``WORKING_HOURS_CHANGED`` event, in force from then on; no lines is 24/7. Every
handler checks the role again (UI actions bypass HTTP middleware), and so does the service.
"""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.business_hours import format_calendar
from services.domain.errors import ActionError
from services.domain.i18n import _, floor_timezone
from services.platform.directory import AgentView


class WorkingHoursTab:
    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        ui.label(_('Fast, on-time and late are measured in the resolving agent\'s team\'s working hours ({zone}): a '
                   'night, a weekend, a break or a holiday does not count against anyone. One line per rule, like '
                   '“Mon-Fri 09:00-17:00”, “Sat 10:00-14:00, 15:00-16:00”, “break 12:00-12:30” (every day) or '
                   '“holiday 2026-12-25”. No lines: the team works around the clock (24/7).')
                 .format(zone=floor_timezone())).classes('text-sm text-grey-8')
        teams = services.directory.teams
        with ui.column().classes('w-full gap-2 bg-white rounded p-3').mark('working-hours'):
            self.team = ui.select({team_id: name for team_id, name in sorted(teams.items(), key=lambda t: t[1])},
                                  label=_('Team'), value=min(teams, key=teams.get) if teams else None,
                                  on_change=lambda: self.show(self.team.value)).classes('w-64').mark('hours-team')
            self.current = ui.label().classes('text-sm text-grey-8 whitespace-pre-line').mark('hours-now')
            self.text = ui.textarea(_('Working hours')).props('autogrow outlined').classes('w-full font-mono') \
                .mark('hours-text')
            self.error = ui.label().classes('text-negative text-sm').mark('hours-error')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Save'), icon='save', on_click=self.save).props('no-caps').mark('hours-save')
        if self.team.value is not None:
            self.show(self.team.value)
        services.working_hours.changed.subscribe(self.changed)  # another lead's edit; unsubscribed with the tab

    def show(self, team_id: int | None) -> None:
        if team_id is None:
            return
        lines = format_calendar(self.services.working_hours.calendar(team_id))
        self.current.set_text(_('In force: {hours}').format(hours=lines) if lines else _('In force: 24/7'))
        self.text.set_value(lines)
        self.error.set_text('')

    def changed(self, team_id: int) -> None:
        if team_id == self.team.value:
            self.show(team_id)

    async def save(self) -> None:
        if (who := self.lead()) is None or self.team.value is None:
            return
        try:
            calendar = await self.services.working_hours.save(who, self.team.value, self.text.value or '')
        except ActionError as error:
            self.error.set_text(str(error))
            ui.notify(str(error), type='warning', multi_line=True)
            return
        self.show(self.team.value)
        ui.notify(_('Working hours saved: they time resolutions from now on.') if calendar is not None else
                  _('Working hours cleared: the team works 24/7 from now on.'), type='positive')
