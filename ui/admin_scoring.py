"""The lead's "Scoring" tab: the points each event earns, the fast-resolution limit and the minimum volume to rank.

Every value is shown with what it means and the value in force; saving puts the whole set in force from now on (a
``SCORING_CHANGED`` event: points already given stay). Every handler checks the role again (UI actions bypass HTTP
middleware), and so does the service.
"""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.errors import ActionError
from services.domain.i18n import N_, _
from services.domain.scoring import MAX_BOUNTY_STEPS, POLICY_FIELDS, PolicyField, ScoringPolicy, policy_as_dict
from services.domain.wording import number, points
from services.platform.directory import AgentView

UNITS = {'points': N_('points'), 'minutes': N_('min'), 'resolved': N_('resolved'), 'percent': '%',
         'points a day': N_('points a day'), 'hours': N_('h')}  # through _()


class ScoringTab:
    """One number per value of the policy, saved together; a refusal names each value out of range."""

    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        defaults = policy_as_dict(ScoringPolicy())
        ui.label(_('Points are given by the values in force when an event happens: a change applies from now on, '
                   'and the points already given stay, each receipt explaining them with the values of its time.')) \
            .classes('text-sm text-grey-8')
        self.inputs: dict[str, ui.number] = {}
        self.current: dict[str, ui.label] = {}
        with ui.column().classes('w-full gap-1 bg-white rounded p-3').mark('scoring-values'):
            for spec in POLICY_FIELDS:
                with ui.row().classes('w-full items-center no-wrap gap-3 py-1 border-b border-gray-200') \
                        .mark(f'scoring-{spec.name}'):
                    with ui.column().classes('gap-0 grow min-w-0'):
                        ui.label(_(spec.label)).classes('font-medium')
                        ui.label(_('{meaning} Default {value}.').format(
                            meaning=_(spec.meaning).format(steps=MAX_BOUNTY_STEPS),
                            value=_value(spec, defaults[spec.name]))) \
                            .classes('text-xs text-grey-7')
                    self.current[spec.name] = ui.label().classes('text-sm text-grey-8 w-48 shrink-0 text-right') \
                        .props(f'data-testid=scoring-now-{spec.name}').mark(f'scoring-now-{spec.name}')
                    # no min/max: the browser would clamp an entry silently, the service says what is allowed
                    self.inputs[spec.name] = ui.number(_(UNITS[spec.unit]), step=1).classes('w-28') \
                        .mark(f'scoring-input-{spec.name}')
        self.error = ui.label().classes('text-negative text-sm').mark('scoring-error')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(_('Reset to defaults'), icon='restart_alt', on_click=self.reset).props('flat no-caps') \
                .mark('scoring-reset')
            ui.button(_('Save'), icon='save', on_click=self.save).props('no-caps').mark('scoring-save')
        self.show(services.scoring.policy)
        services.scoring.changed.subscribe(self.show)  # another lead's edit; unsubscribed with the tab

    def show(self, policy: ScoringPolicy) -> None:
        values = policy_as_dict(policy)
        for spec in POLICY_FIELDS:
            self.current[spec.name].set_text(_('now {value}').format(value=_value(spec, values[spec.name])))
            self.inputs[spec.name].set_value(values[spec.name])

    async def save(self) -> None:
        if (who := self.lead()) is None:
            return
        values = {name: number.value for name, number in self.inputs.items()}
        try:
            policy = await self.services.scoring.save(who, values)
        except ActionError as error:
            self.error.set_text(str(error))
            ui.notify(str(error), type='warning', multi_line=True)
            return
        self._saved(policy, _('Scoring saved: it applies from now on.'))

    async def reset(self) -> None:
        if (who := self.lead()) is None:
            return
        try:
            policy = await self.services.scoring.reset(who)
        except ActionError as error:
            ui.notify(str(error), type='warning')
            return
        self._saved(policy, _('The default scoring applies again from now on.'))

    def _saved(self, policy: ScoringPolicy, message: str) -> None:
        self.error.set_text('')
        self.show(policy)
        ui.notify(message, type='positive')


def _value(spec: PolicyField, value: int) -> str:
    if spec.unit == 'points':
        return points(value, signed=True) if value else _('0 (off)')
    if spec.unit == 'minutes':
        return _('{count} min').format(count=number(value))
    if spec.unit == 'percent':
        return _('{percent} %').format(percent=number(value)) if value else _('0 (off)')
    if spec.unit == 'points a day':
        return _('{count} points a day').format(count=number(value)) if value else _('0 (no cap)')
    if spec.unit == 'hours':
        return _('{count} h').format(count=number(value)) if value else _('0 (no window)')
    return _('{count} resolved').format(count=number(value)) if value else _('0 (everyone ranked)')
