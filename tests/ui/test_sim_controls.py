"""The lead's simulator controls: scenario and speed, changed in the header and checked inside every handler."""
import dataclasses

from nicegui.testing import User

from tests.ui.support import log_in, services, simulator


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
    directory = services().directory
    lead = next(agent for agent in directory.agents.values() if agent.username == 'lead')
    directory.agents[lead.id] = dataclasses.replace(lead, role='agent')
    user.find(marker='sim-scenario').click()
    user.find(marker='scenario-understaffed').click()
    await user.should_see('Only a lead can control the simulator.', retries=50)
    assert simulator().scenario == 'normal'
