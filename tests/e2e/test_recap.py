"""An agent's month and season recaps in a real headless Chromium (issue 20): opened from the workspace, downloaded
as a PNG that the browser draws from the server's SVG."""
import re
import struct
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.support import ARTIFACTS, Server, connected, log_in

pytestmark = pytest.mark.e2e

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def test_an_agent_opens_their_recap_and_downloads_it_as_an_image(server: Server, new_tab, tmp_path: Path) -> None:
    tab = new_tab()
    page = tab.page
    log_in(page, server.url, 'ana')
    expect(page).to_have_url(f'{server.url}/')
    item = page.locator('.q-item').filter(has_text='#1 ')  # a resolution, so the month has a day to show
    expect(item).to_be_visible()
    item.click(timeout=30_000)  # a loaded machine: the list may still be settling
    page.get_by_placeholder('Write a reply', exact=False).fill('All sorted, have a good day!')
    page.get_by_role('button', name='Send').click()
    page.get_by_role('button', name='Resolve').click()
    expect(page.get_by_test_id('lifetime-points')).to_have_text(re.compile(r'^[1-9]'))

    page.locator('.q-btn').filter(has=page.locator('i', has_text='auto_stories')).first.click()  # the header's link
    expect(page).to_have_url(f'{server.url}/recap')
    expect(page.get_by_text('Ana Ozola’s month')).to_be_visible()
    expect(page.get_by_text('Best day:', exact=False)).to_be_visible()
    expect(page.locator('.js-plotly-plot')).to_be_visible()  # the chart of the month's days
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / 'recap-page.png', full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role('button', name='Download as image').click()
    download = download_info.value
    assert re.fullmatch(r'deskquest-recap-\d{4}-\d{2}\.png', download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content[:8] == PNG_SIGNATURE, 'not a PNG'
    width, height = struct.unpack('>II', content[16:24])  # the IHDR chunk comes first
    assert (width, height) == (2400, 1350)  # the 1200 × 675 card drawn at twice its size
    assert len(content) > 20_000, 'a blank image'  # a drawn card, not an empty canvas
    (ARTIFACTS / 'recap-card.png').write_bytes(content)
    assert tab.dialogs == []  # the script alerts the server's refusal: there was none

    other = new_tab().page  # someone else's card is refused over plain HTTP too
    log_in(other, server.url, 'bruno')
    expect(other).to_have_url(f'{server.url}/')
    answer = other.request.get(f'{server.url}/recap/image/2026-01.svg?agent=1')
    assert answer.status in (403, 422) and answer.headers['content-type'].startswith('text/plain')


def test_an_agent_opens_their_season_recap_and_downloads_it_as_an_image(server: Server, new_tab,
                                                                        tmp_path: Path) -> None:
    lead = new_tab().page  # a lead starts a season that runs from today (the form's first day) for a month
    log_in(lead, server.url, 'lead')
    expect(lead).to_have_url(f'{server.url}/')
    lead.goto(f'{server.url}/admin/game')
    connected(lead)
    lead.get_by_role('tab', name='Seasons').click()
    new_season = lead.get_by_role('button', name='New season')
    expect(new_season).to_be_in_viewport()  # the Seasons panel has slid in
    new_season.click()
    form = lead.locator('.q-dialog')
    # the server opens the dialog: a CI run timed out at 10 s here while a second browser run loaded the machine
    expect(form.get_by_label('Name')).to_be_visible(timeout=30_000)
    form.get_by_label('Name').fill('Browser cup')
    start = date.fromisoformat(form.get_by_label('First day').input_value())  # the server's floor day
    form.get_by_label('Last day').fill((start + timedelta(days=30)).isoformat())
    form.get_by_role('button', name='Save').click()
    expect(lead.get_by_text('Saved Browser cup')).to_be_visible()

    tab = new_tab(width=1366, height=768)  # a laptop's screen
    page = tab.page
    log_in(page, server.url, 'bruno')
    expect(page).to_have_url(f'{server.url}/')
    item = page.locator('.q-item').filter(has_text='#2 ')  # a resolution in the season, so it has a best day
    expect(item).to_be_visible()
    item.click(timeout=30_000)
    page.get_by_placeholder('Write a reply', exact=False).fill('Done, thank you for waiting!')
    page.get_by_role('button', name='Send').click()
    page.get_by_role('button', name='Resolve').click()
    expect(page.get_by_test_id('lifetime-points')).to_have_text(re.compile(r'^[1-9]'))

    page.locator('.q-btn').filter(has=page.locator('i', has_text='auto_stories')).first.click()
    expect(page).to_have_url(f'{server.url}/recap')
    connected(page)
    page.get_by_label('Period').click()  # the season, chosen beside the months
    page.get_by_role('option', name='Browser cup').click()
    expect(page).to_have_url(f'{server.url}/recap?season={start.isoformat()}')
    expect(page.get_by_text('Bruno Dubois’s season')).to_be_visible()
    expect(page.get_by_text('Browser cup (', exact=False)).to_be_visible()
    expect(page.get_by_text('Best day:', exact=False)).to_be_visible()
    expect(page.locator('.js-plotly-plot')).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / 'season-recap-page.png', full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role('button', name='Download as image').click()
    download = download_info.value
    assert download.suggested_filename == f'deskquest-recap-season-{start.isoformat()}.png'
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content[:8] == PNG_SIGNATURE, 'not a PNG'
    width, height = struct.unpack('>II', content[16:24])
    assert (width, height) == (2400, 1350)
    assert 20_000 < len(content) < 5_000_000, f'{len(content)} bytes: blank or not the card'
    (ARTIFACTS / 'season-recap-card.png').write_bytes(content)
    assert tab.dialogs == []
