"""An agent's month recap in a real headless Chromium (issue 20): opened from the workspace, downloaded as a PNG that
the browser draws from the server's SVG."""
import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.support import ARTIFACTS, Server, log_in

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
