"""The lead's "Wellbeing" tab (issue 20): the daily hours limit past which work earns no points, and the streak online
after which an agent is gently told to take a break. Saving is a ``WELLBEING_CHANGED`` event, in force from then on.
Every handler checks the role again (UI actions bypass HTTP middleware), and so does the service.
"""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.errors import ActionError
from services.domain.i18n import _, floor_timezone
from services.domain.wellbeing import WellbeingPolicy
from services.platform.directory import AgentView


class WellbeingTab:
    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        ui.label(_('Hours worked are the time an agent is online or away in a day ({zone}, like the boards); breaks '
                   'do not count. Past the limit, resolutions still count as work but earn no points, and the receipt '
                   'says why. Breaks never cost a badge: Siesta and Coffee stay private to their holder unless you let '
                   'a team show its teasing badges (Badges & levels).').format(zone=floor_timezone())) \
            .classes('text-sm text-grey-8')
        with ui.column().classes('w-full gap-1 bg-white rounded p-3').mark('wellbeing-values'):
            self.current = {}
            self.inputs: dict[str, ui.number] = {}
            for name, label, meaning, unit in (
                    ('daily_hours', _('Daily hours limit'),
                     _('No points for work past this many hours in a day. 0 switches it off.'), _('hours')),
                    ('break_after_minutes', _('Suggest a break after'),
                     _('After this long online without a break or time away, the agent is told once. 0 switches it '
                       'off.'), _('min'))):
                with ui.row().classes('w-full items-center no-wrap gap-3 py-1 border-b border-gray-200') \
                        .mark(f'wellbeing-{name}'):
                    with ui.column().classes('gap-0 grow min-w-0'):
                        ui.label(label).classes('font-medium')
                        ui.label(meaning).classes('text-xs text-grey-7')
                    self.current[name] = ui.label().classes('text-sm text-grey-8 w-32 shrink-0 text-right') \
                        .mark(f'wellbeing-now-{name}')
                    # no min/max: the browser would clamp an entry silently, the service says what is allowed
                    self.inputs[name] = ui.number(unit, step=1).classes('w-28').mark(f'wellbeing-input-{name}')
        self.error = ui.label().classes('text-negative text-sm').mark('wellbeing-error')
        with ui.row().classes('w-full justify-end'):
            ui.button(_('Save'), icon='save', on_click=self.save).props('no-caps').mark('wellbeing-save')
        ui.label(_('Breaks never cost a badge')).classes('text-base font-bold mt-2')
        self.risks = ui.column().classes('w-full gap-1').mark('break-risks')
        self.show(services.wellbeing.policy)
        self.show_risks()
        services.wellbeing.changed.subscribe(self.show)  # another lead's edit; unsubscribed with the tab
        services.badges.changed.subscribe(lambda _holders: self.show_risks())  # a badge edited (holders follow)

    def show(self, policy: WellbeingPolicy) -> None:
        for name, value in policy.as_dict().items():
            self.current[name].set_text(_('now {value}').format(value=value) if value else _('now off'))
            self.inputs[name].set_value(value)

    def show_risks(self) -> None:
        self.risks.clear()
        with self.risks:
            risks = self.services.wellbeing.break_risks()
            if not risks:
                ui.label(_('No badge counts a break against anyone.')).classes('text-sm text-grey-8') \
                    .mark('no-break-risks')
            for risk in risks:
                with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1') \
                        .mark(f'break-risk-{risk.definition.key}'):
                    with ui.column().classes('gap-0 grow min-w-0'):
                        ui.label(risk.definition.name).classes('font-medium')
                        ui.label(_('A break can cost it: {reason}.').format(reason=risk.reason)) \
                            .classes('text-xs text-grey-7')
                    if risk.fixable:
                        ui.button(_('Count breaks as time at work'), icon='spa',
                                  on_click=lambda key=risk.definition.key: self.fix(key)).props('no-caps dense') \
                            .mark(f'break-fix-{risk.definition.key}')
                    else:
                        ui.label(_('Change or delete it in Badges & levels.')).classes('text-xs text-grey-8')

    async def fix(self, key: str) -> None:
        if (who := self.lead()) is None:
            return
        try:
            definition = await self.services.wellbeing.make_break_neutral(who, key)
        except ActionError as error:
            ui.notify(str(error), type='warning', multi_line=True)
            return
        self.show_risks()
        ui.notify(_('{name} counts breaks as time at work from now on.').format(name=definition.name), type='positive')

    async def save(self) -> None:
        if (who := self.lead()) is None:
            return
        try:
            policy = await self.services.wellbeing.save(who, {name: number.value
                                                              for name, number in self.inputs.items()})
        except ActionError as error:
            self.error.set_text(str(error))
            ui.notify(str(error), type='warning', multi_line=True)
            return
        self.error.set_text('')
        self.show(policy)
        ui.notify(_('Wellbeing caps saved: they apply from now on.'), type='positive')
