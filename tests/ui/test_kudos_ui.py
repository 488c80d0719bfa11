"""Thank a colleague from the header (issue 20), through NiceGUI's simulated users: the colleague is told at once and
their receipt is the message."""
from collections.abc import Callable

from nicegui.testing import User

from models import LedgerEntry, StoredEvent
from services.domain.kudos import KUDOS_PER_DAY, KUDOS_POINTS
from tests.ui.support import agent, log_in, services, set_value, until


async def test_an_agent_thanks_a_colleague_who_is_told_and_gets_the_receipt(create_user: Callable[[], User]) -> None:
    ana_tab, bruno_tab = create_user(), create_user()
    await log_in(bruno_tab, 'bruno')
    await log_in(ana_tab, 'ana')
    bruno = agent('bruno')
    ana_tab.find(marker='kudos-button').click()
    await ana_tab.should_see(marker='kudos', retries=50)
    await ana_tab.should_see(f'{KUDOS_PER_DAY} thanks left today', retries=50)

    ana_tab.find(marker='kudos-send').click()  # nobody chosen yet: said, nothing sent
    await ana_tab.should_see('Choose the colleague to thank.', retries=50)
    set_value(ana_tab, 'kudos-colleague', bruno.id)
    ana_tab.find(marker='kudos-send').click()  # no message: the service's reason in the form
    await ana_tab.should_see('Say what you are thanking them for', retries=50)
    assert not await StoredEvent.filter(kind='kudos_sent').exists()

    ana_tab.find(marker='kudos-message').type('You calmed the customer down like a pro')
    ana_tab.find(marker='kudos-send').click()
    await ana_tab.should_see(f'Thanks sent to {bruno.name}.', retries=50)
    await until(lambda: LedgerEntry.filter(agent_id=bruno.id, kind='kudos').exists(),
                message='the kudos entry in the ledger')
    await bruno_tab.should_see(f'+{KUDOS_POINTS} thanks from', retries=50)  # the progress card's receipts

    ana_tab.find(marker='kudos-button').click()  # opened again: one fewer left
    await ana_tab.should_see(f'{KUDOS_PER_DAY - 1} thanks left today', retries=50)


async def test_the_colleague_thanked_is_told_in_their_open_tab(user: User) -> None:
    await log_in(user, 'bruno')
    await services().kudos.send(agent('ana'), agent('bruno').id, 'Merci pour le coup de main !')
    await user.should_see(f'thanked you: “Merci pour le coup de main !” (+{KUDOS_POINTS} quality)', retries=50)
