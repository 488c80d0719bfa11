"""The lead's simulator controls in the header: start, stop, speed, scenario and the simulated time."""
from collections.abc import Callable

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from services.domain.i18n import _
from services.domain.wording import weekday_time
from services.platform.directory import AgentView
from simulation.simulator import MAX_SPEED, MIN_SPEED, SPEEDS, Simulator, SimulatorStatus
from simulation.traffic import PERSONA_TITLES, SCENARIOS
from ui.clock_ticker import ClockTicker


class SimulatorControls:
    """The controls a lead's header shows; every handler asks ``actor`` (the page's
    :func:`ui.session.handler_actor`) again, so a tab left open after a logout or a demotion steers nothing."""

    def __init__(self, simulator: Simulator, *, ticker: ClockTicker, actor: Callable[[], AgentView | None]) -> None:
        self.simulator = simulator
        self.actor = actor
        with ui.row().classes('items-center gap-3 no-wrap bg-blue-grey-8 rounded px-3 py-1').mark('simulator-controls'):
            ui.label(_('Simulator')).classes('text-sm')
            self.clock = ui.label().classes('text-sm font-mono').mark('sim-clock')
            self.speed = ui.select({s: f'{s}×' for s in SPEEDS} | {simulator.speed: f'{simulator.speed:g}×'},
                                   value=simulator.speed, on_change=self._set_speed) \
                .props('dense options-dense dark borderless').classes('w-16').mark('sim-speed')
            # a menu rather than a second select: the header keeps one select, which the screenshot script relies on
            self.scenario = ui.dropdown_button(icon='tune', auto_close=True) \
                .props('dense flat no-caps color=white').classes('text-sm').mark('sim-scenario')
            with self.scenario:
                for scenario in SCENARIOS.values():
                    with ui.item(on_click=lambda name=scenario.name: self._set_scenario(name)) \
                            .mark(f'scenario-{scenario.name}'):
                        with ui.item_section():
                            ui.item_label(_(scenario.title))
                            ui.item_label(_(scenario.description)).props('caption')
            self.toggle = ui.button(on_click=self._toggle).props('dense unelevated no-caps').mark('sim-toggle')
        self.show(simulator.status())
        simulator.status_changed.subscribe(self.show)
        ticker.ticked.subscribe(lambda now: self.clock.set_text(weekday_time(now)))

    def show(self, status: SimulatorStatus) -> None:
        self.clock.set_text(weekday_time(status.sim_time))
        self.scenario.set_text(_(SCENARIOS[status.scenario].title))
        self.toggle.set_text(_('Stop simulator') if status.running else _('Start simulator'))
        self.toggle.props(f'icon={"stop" if status.running else "play_arrow"} '
                          f'color={"negative" if status.running else "positive"}')

    def _is_lead(self) -> bool:
        actor = self.actor()
        if actor is None:
            return False  # no longer logged in on this browser: the actor check told them and sent them to log in
        if not actor.is_lead:
            ui.notify(_('Only a lead can control the simulator.'), type='negative')
            return False
        return True

    async def _toggle(self) -> None:
        if not self._is_lead():
            return
        if self.simulator.running:
            await self.simulator.stop()
            ui.notify(_('Simulator stopped'))
        else:
            self.simulator.start()
            ui.notify(_('Simulator running at {speed}×').format(speed=f'{self.simulator.speed:g}'))

    def _set_speed(self, event: ValueChangeEventArguments) -> None:
        if not self._is_lead():
            return
        try:
            self.simulator.set_speed(float(event.value))
        except ValueError:  # the simulator's own message is for the command line: this one in the lead's language
            ui.notify(_('The speed must be between {low}× and {high}×.').format(low=f'{MIN_SPEED:g}',
                                                                           high=f'{MAX_SPEED:g}'), type='negative')
            return
        ui.notify(_('Simulator speed: {speed}×').format(speed=f'{event.value:g}'))

    def _set_scenario(self, name: str) -> None:
        if not self._is_lead():
            return
        self.simulator.set_scenario(name)
        notice = _('Scenario: {title}').format(title=_(SCENARIOS[name].title))
        if seated := self.simulator.seated():  # say who games the points, so the lead knows whom to watch
            notice += ' · ' + _('Playing personas: {seats}').format(seats=', '.join(
                f'{agent.name} ({_(PERSONA_TITLES[persona])})' for agent, persona in seated))
        ui.notify(notice, multi_line=True)
