"""The leads' seasons of the boards (issue 20), a tab of the game settings: name a season and its first and last days;
while it runs, the leaderboards' "Season" tab counts the points earned since its first day, and once it is over its
final standings are kept (on the trophies page)."""
from collections.abc import Callable
from datetime import date

from nicegui import ui

from services.container import Services
from services.domain.floor_calendar import floor_day
from services.domain.i18n import _, floor_timezone
from services.domain.seasons import Season
from services.platform.directory import AgentView
from ui.actions import attempt


class SeasonsTab:
    """The seasons in force as rows; a dialog adds or edits one, and every change saves the whole list at once."""

    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        self.editing: Season | None = None
        self._build_form()
        with ui.row().classes('w-full items-center'):
            ui.label(_('A season is a stretch of days ({zone}) with a board of its own: the leaderboards\' "Season" '
                       'tab counts the points earned since the running season\'s first day, while lifetime points and '
                       'levels stay. A finished season keeps its final standings.').format(zone=floor_timezone())) \
                .classes('text-sm text-grey-8 grow')
            ui.button(_('New season'), icon='add', on_click=lambda: self._open(None)).props('no-caps') \
                .mark('new-season')
        self.rows = ui.column().classes('w-full gap-1').mark('admin-seasons')
        self.show()

    def show(self) -> None:
        self.rows.clear()
        seasons = self.services.seasons
        current = seasons.current()
        with self.rows:
            if not seasons.seasons:
                ui.label(_('No seasons yet: the leaderboards have no "Season" tab.')).classes('text-sm text-grey-6')
            for index, season in enumerate(seasons.seasons):
                with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1') \
                        .mark(f'season-{index}'):
                    ui.icon('emoji_events', color='amber-8' if season == current else 'grey')
                    with ui.column().classes('gap-0 grow'):
                        ui.label(season.name).classes('font-medium')
                        ui.label(season.dates()).classes('text-xs text-grey-7')
                    if season == current:
                        ui.badge(_('running'), color='amber-8')
                    if seasons.ended(season):
                        ui.badge(_('finished'), color='grey-6').tooltip(_('Its final standings are kept'))
                        continue
                    ui.button(icon='edit', on_click=lambda s=season: self._open(s)).props('flat round dense') \
                        .tooltip(_('Edit')).mark(f'edit-season-{index}')
                    ui.button(icon='delete', on_click=lambda s=season: self._delete(s)).props('flat round dense') \
                        .tooltip(_('Remove')).mark(f'delete-season-{index}')

    def _build_form(self) -> None:
        with ui.dialog() as self.dialog, ui.card().classes('w-[32rem] gap-2').mark('season-form'):
            self.form_title = ui.label().classes('text-lg font-bold')
            self.name = ui.input(_('Name'), placeholder=_('Winter cup')).classes('w-full').mark('season-name')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.start = ui.input(_('First day')).props('type=date').classes('grow').mark('season-start')
                self.end = ui.input(_('Last day')).props('type=date').classes('grow').mark('season-end')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Cancel'), on_click=self.dialog.close).props('flat no-caps')
                ui.button(_('Save'), icon='save', on_click=self._save).props('no-caps').mark('season-save')

    def _open(self, season: Season | None) -> None:
        self.editing = season
        today = floor_day(self.services.clock.now())
        self.form_title.set_text(_('New season') if season is None else _('Edit {name}').format(name=season.name))
        self.name.set_value(season.name if season else '')
        self.start.set_value((season.start if season else today).isoformat())
        self.end.set_value((season.end if season else today).isoformat())
        self.dialog.open()

    async def _save(self) -> None:
        if (lead := self.lead()) is None:
            return
        start, end = _day(self.start.value), _day(self.end.value)
        if start is None or end is None:
            ui.notify(_('Pick the first and the last day.'), type='negative')
            return
        edited = Season(name=self.name.value or '', start=start, end=end)
        seasons = [season for season in self.services.seasons.seasons if season != self.editing] + [edited]
        if await self._put(lead, seasons, _('Saved {name}').format(name=' '.join(edited.name.split()))):
            self.dialog.close()

    async def _delete(self, season: Season) -> None:
        if (lead := self.lead()) is None:
            return
        await self._put(lead, [s for s in self.services.seasons.seasons if s != season],
                        _('Removed {name}').format(name=season.name))

    async def _put(self, lead: AgentView, seasons: list[Season], done: str) -> bool:
        if not await attempt(self.services.seasons.save(lead, seasons), done=done, multi_line=True):
            return False
        self.show()
        return True


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or '')
    except ValueError:
        return None
