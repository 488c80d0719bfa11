"""The leads' queue boss tab (issue 20) on /admin/game: start a fight now, and set when the queue starts one itself and
how long a fight lasts. Every handler asks for the lead again (UI actions bypass HTTP middleware)."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.boss import BOSS_POINTS, MAX_MINUTES, MAX_THRESHOLD
from services.domain.i18n import _
from services.platform.directory import AgentView
from ui.actions import attempt, attempt_result


class BossTab:
    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        settings = services.boss.settings
        ui.label(_('When the waiting queue reaches the threshold, or when you start one, the whole floor fights a boss '
                   'whose health is the waiting work. Every resolution is a hit; beaten before its deadline, everyone '
                   'who hit it gets {points:+d} productivity. A lost fight costs nothing.')
                 .format(points=BOSS_POINTS)).classes('text-sm text-grey-8')
        with ui.card().classes('w-full gap-2'):
            ui.label(_('Fight now')).classes('text-md font-bold')
            with ui.row().classes('items-center gap-3'):
                ui.button(_('Start a boss fight'), icon='local_fire_department', on_click=self.start) \
                    .props('no-caps color=deep-orange').mark('boss-start')
                self.status = ui.label().classes('text-sm').mark('boss-status')
        with ui.card().classes('w-full gap-2'):
            ui.label(_('Settings')).classes('text-md font-bold')
            with ui.row().classes('items-end gap-4'):
                self.automatic = ui.switch(_('The queue starts a fight'), value=settings.automatic) \
                    .mark('boss-automatic')
                self.threshold = ui.number(_('Waiting conversations'), value=settings.threshold, min=1,
                                           max=MAX_THRESHOLD, step=1, precision=0).classes('w-48') \
                    .mark('boss-threshold')
                self.minutes = ui.number(_('Minutes to beat it'), value=settings.minutes, min=5, max=MAX_MINUTES,
                                         step=5, precision=0).classes('w-40').mark('boss-minutes')
                ui.button(_('Save'), icon='save', on_click=self.save).props('no-caps').mark('boss-save')
            self.error = ui.label().classes('text-negative text-sm').mark('boss-error')
            self.error.set_visibility(False)
        self.show_status()

    def show_status(self) -> None:
        view = self.services.boss.view()
        if view is not None and view.running:
            self.status.set_text(_('{name} is being fought: {remaining} of {health} to go.')
                                 .format(name=_(view.name), remaining=view.remaining, health=view.health))
        else:
            self.status.set_text(_('No fight is running.'))

    async def start(self) -> None:
        if (lead := self.lead()) is None:
            return
        view = await attempt_result(self.services.boss.start(lead))
        if view is not None:
            ui.notify(_('{name} attacks: {health} waiting to beat!').format(name=_(view.name), health=view.health),
                      type='positive')
        self.show_status()

    async def save(self) -> None:
        if (lead := self.lead()) is None:
            return
        await attempt(self.services.boss.save_settings(lead, automatic=bool(self.automatic.value),
                                                       threshold=_whole(self.threshold.value),
                                                       minutes=_whole(self.minutes.value)),
                      done=_('Boss settings saved.'), error_label=self.error)


def _whole(value: object) -> object:
    """A number field's value as the whole number it shows, else as typed (the service says what is allowed)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
