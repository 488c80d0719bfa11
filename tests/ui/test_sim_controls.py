"""The lead's simulator controls: scenario and speed, changed in the header and checked inside every handler."""

from nicegui import ui
from nicegui.testing import User

from models import InternalNote
from simulation.traffic import PERSONA_TITLES, PERSONAS, TRIVIAL_NOTES
from tests.ui.support import demote, log_in, notified, services, set_value, simulator, until


async def test_lead_changes_the_scenario(user: User) -> None:
    await log_in(user, 'lead')
    await user.should_see(marker='simulator-controls', retries=50)
    await user.should_see('Normal day', retries=50)
    user.find(marker='sim-scenario').click()
    user.find(marker='scenario-sales_day').click()
    await user.should_see('Scenario: Sales day', retries=50)
    assert simulator().scenario == 'sales_day'
    assert simulator().status().scenario == 'sales_day'
    with user.scope(marker='sim-scenario'):
        await user.should_see('Sales day', retries=50)


async def test_a_lead_seats_the_personas_and_the_simulator_drives_them(user: User) -> None:
    """'Gaming the game' names who plays which persona; started, the simulator plays them: the note spammer's trivial
    notes appear (no honest simulated agent writes those)."""
    await log_in(user, 'lead')
    await user.should_see(marker='sim-scenario', retries=50)
    user.find(marker='sim-scenario').click()
    user.find(marker='scenario-gaming').click()
    await user.should_see('Scenario: Gaming the game', retries=50)
    seated = simulator().seated()
    assert [persona for _, persona in seated] == list(PERSONAS)
    notice = next(message for message in user.notify.messages if 'Gaming the game' in message)
    assert 'Playing personas: ' in notice  # who to watch, each with their persona
    assert all(f'{agent.name} ({PERSONA_TITLES[persona]})' in notice for agent, persona in seated), notice
    spammer = next(agent for agent, persona in seated if persona == 'note_spammer')
    set_value(user, 'sim-speed', 3600)
    user.find(marker='sim-toggle').click()
    await user.should_see('Stop simulator', retries=50)
    try:
        # at an hour a second, within a day's shifts the spammer is on the floor and notes what it handles
        await until(lambda: InternalNote.filter(agent_id=spammer.id, body__in=TRIVIAL_NOTES).exists(), timeout=90,
                    message=f'a trivial note by the note spammer ({spammer.name})')
    finally:
        await simulator().stop()


async def test_speeds_go_up_to_an_hour_a_second(user: User) -> None:
    await log_in(user, 'lead')
    await user.should_see(marker='sim-speed', retries=50)
    speed = user.find(marker='sim-speed').elements.pop()
    assert {60, 300, 900, 3600} <= set(speed.options)
    speed.set_value(3600)
    await user.should_see('Simulator speed: 3600×', retries=50)
    assert simulator().speed == 3600


async def test_the_scenario_handler_checks_the_role_again(user: User) -> None:
    """A lead demoted while the page is open can no longer steer the simulator from it."""
    await log_in(user, 'lead')
    await user.should_see(marker='sim-scenario', retries=50)
    demote('lead')
    user.find(marker='sim-scenario').click()
    user.find(marker='scenario-understaffed').click()
    await user.should_see('Only a lead can control the simulator.', retries=50)
    assert simulator().scenario == 'normal'


async def test_the_speed_and_start_handlers_check_the_role_again(user: User) -> None:
    await log_in(user, 'lead')
    await user.should_see(marker='sim-toggle', retries=50)
    demote('lead')
    set_value(user, 'sim-speed', 3600)
    await until(lambda: notified(user, 'Only a lead can control the simulator.') == 1,
                message='the demoted lead to be refused the speed')
    user.find(marker='sim-toggle').click()
    await until(lambda: notified(user, 'Only a lead can control the simulator.') == 2,
                message='the demoted lead to be refused the start')
    assert simulator().speed != 3600 and not simulator().running


async def test_a_tab_left_open_after_logging_out_steers_nothing(user: User) -> None:
    await log_in(user, 'lead')
    await user.should_see(marker='sim-scenario', retries=50)
    # the session gone without this tab being told (as if the push were lost): the handler's own check refuses
    services().sessions.live.clear()
    user.find(marker='sim-toggle').click()
    await user.should_see('Your session has ended. Please log in again.', retries=50)
    assert not notified(user, 'Only a lead can control the simulator.')  # told once, what happened
    assert not simulator().running


async def test_the_header_clock_ticks_from_one_application_timer(user: User) -> None:
    """The simulated time in the header moves without a timer of the tab's own."""
    await log_in(user, 'lead')
    await user.should_see(marker='sim-clock', retries=50)
    label = user.find(marker='sim-clock').elements.pop()
    shown = label.text
    services().clock.set_speed(3600)  # the tests' clock runs at 1×: its minute would take a minute to change
    await until(lambda: label.text != shown, message=f'the header clock still shows {shown!r}')
    # the inbox's one-shot timer (departments loaded after the page is shown) deletes itself; a clock's would stay
    await until(lambda: not [element for element in user.client.elements.values() if isinstance(element, ui.timer)],
                message='a timer stays in the tab')
