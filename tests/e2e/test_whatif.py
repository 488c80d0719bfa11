"""What-if (issue 18) in a real headless Chromium: a lead drafts a scoring value, previews what it would have done to
the floor's last days, discards it (nothing changes), then previews it again and publishes it (the live value changes).
"""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import Server, log_in

pytestmark = pytest.mark.e2e

PREVIEW_TIMEOUT = 60_000  # the replay runs in a worker thread: a loaded machine may take a while
BEFORE_AFTER = re.compile(r'^(-?\d+) → (-?\d+)$')


def before_after(cell_text: str) -> tuple[int, int]:
    found = BEFORE_AFTER.match(cell_text.strip())
    assert found, f'not a before → after figure: {cell_text!r}'
    return int(found[1]), int(found[2])


def preview_fast_resolution(lead: Page, points: int) -> None:
    """Set the draft's fast-resolution points, run the preview and wait for its table."""
    draft = lead.get_by_label('Fast resolution', exact=True)
    draft.fill(str(points))
    lead.get_by_role('button', name='Preview').click()
    expect(lead.get_by_text(re.compile(r'^Replayed [\d,]+ events of the last 30 days'))) \
        .to_be_visible(timeout=PREVIEW_TIMEOUT)


def expect_live_fast_resolution(lead: Page, shown: str) -> None:
    """What the Scoring tab says is in force, in a freshly loaded page."""
    lead.reload()
    lead.get_by_role('tab', name='Scoring').click()
    expect(lead.get_by_test_id('scoring-now-fast_resolution')).to_have_text(shown)


def test_a_lead_previews_a_scoring_change_discards_it_then_publishes_it(server: Server, new_tab) -> None:
    agent = new_tab().page  # something to replay: Ana resolves #1 fast
    log_in(agent, server.url, 'ana')
    expect(agent).to_have_url(f'{server.url}/')
    agent.locator('.q-item').filter(has_text='#1 ').click(timeout=30_000)  # a loaded machine: the list may settle
    agent.get_by_placeholder('Write a reply', exact=False).fill('All sorted, have a good day!')
    agent.get_by_role('button', name='Send').click()
    agent.get_by_role('button', name='Resolve').click()
    expect(agent.get_by_test_id('receipts')).to_contain_text('fast resolution of #1')

    lead = new_tab().page
    log_in(lead, server.url, 'lead')
    expect(lead).to_have_url(f'{server.url}/')
    lead.goto(f'{server.url}/admin/game')
    lead.get_by_role('tab', name='What-if').click()
    expect(lead.get_by_label('Fast resolution', exact=True)).to_have_value('10')  # the draft starts from the live

    preview_fast_resolution(lead, 40)
    ana = lead.locator('.q-table tbody tr').filter(has_text='Ana Ozola')
    expect(ana).to_have_count(1)
    cells = ana.locator('td')  # agent, points, quality, speed, productivity, ranks, level
    speed_before, speed_after = before_after(cells.nth(3).inner_text())
    assert speed_after - speed_before == 30, cells.all_inner_texts()  # her one fast resolution: 10 → 40
    points_before, points_after = before_after(cells.nth(1).inner_text())
    assert points_after - points_before == 30 and points_before > 0
    expect(lead.get_by_text('Most affected:')).to_be_visible()
    expect(lead.locator('.js-plotly-plot')).to_be_visible()

    lead.get_by_role('button', name='Discard').click()
    expect(lead.get_by_text('Draft discarded: the live rules are unchanged.')).to_be_visible()
    expect(lead.get_by_label('Fast resolution', exact=True)).to_have_value('10')
    expect(lead.locator('.q-table')).to_have_count(0)
    expect_live_fast_resolution(lead, 'now +10 points')

    lead.get_by_role('tab', name='What-if').click()
    expect(lead.get_by_label('Fast resolution', exact=True)).to_have_value('10')
    preview_fast_resolution(lead, 40)
    lead.get_by_role('button', name='Publish').click()
    expect(lead.get_by_text('Published (scoring values): the draft applies from now on.')).to_be_visible()
    expect(lead.get_by_label('Fast resolution', exact=True)).to_have_value('40')  # the new draft: the live values
    expect_live_fast_resolution(lead, 'now +40 points')
