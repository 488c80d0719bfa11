"""Languages in a real headless Chromium (issue 16): a Latvian or Dutch browser gets the login page, Quasar's own texts
and NiceGUI's reconnect popup in its language, and a Latvian agent's account page in Latvian."""
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import Server

pytestmark = pytest.mark.e2e

POPUP = "[...document.querySelectorAll('#popup span')].map(span => span.textContent)"


def speaks(page: Page, pack: str) -> None:
    """Quasar switched to ``pack`` once the socket connected (NiceGUI itself loads the English pack only)."""
    page.wait_for_function(f"window.Quasar && Quasar.Lang.props.isoName === '{pack}'")


def test_a_latvian_browser_gets_latvian_pages_quasar_texts_and_reconnect_popup(server: Server, new_tab) -> None:
    page = new_tab().page
    page.context.set_extra_http_headers({'Accept-Language': 'lv-LV,lv;q=0.9,en;q=0.5'})
    page.goto(f'{server.url}/login')
    expect(page.get_by_text('Klientu atbalsts nākamajā līmenī.')).to_be_visible()
    speaks(page, 'lv')
    assert page.evaluate('Quasar.Lang.props.table.noData') == 'Nav datu'
    assert page.evaluate(POPUP) == ['Savienojums zaudēts.', 'Mēģinām atjaunot savienojumu…']
    page.get_by_label('Lietotājvārds').fill('ana')
    page.get_by_label('Parole', exact=True).fill('demo')
    page.get_by_role('button', name='Pieteikties').click()
    expect(page).to_have_url(f'{server.url}/')
    page.goto(f'{server.url}/account')
    expect(page.get_by_text('Jūsu sesijas', exact=True)).to_be_visible()
    expect(page.get_by_text('pēdējā aktivitāte: tikko')).to_be_visible()
    expect(page.get_by_text(' gada ').first).to_be_visible()  # Babel's Latvian date: "2026. gada 6. dec. …"
    speaks(page, 'lv')


def test_a_dutch_browser_gets_the_reconnect_popup_in_dutch(server: Server, new_tab) -> None:
    page = new_tab().page
    page.context.set_extra_http_headers({'Accept-Language': 'nl-BE,nl;q=0.9'})
    page.goto(f'{server.url}/login')
    expect(page.get_by_role('button', name='Inloggen')).to_be_visible()
    speaks(page, 'nl')
    assert page.evaluate(POPUP) == ['Verbinding verbroken.', 'Opnieuw verbinden…']
