"""The app in a real headless Chromium: login, canned replies, resolution, two conversations and a transfer, the live
kiosk, the lead's live monitor, hostile data."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.hostile_seed import HOSTILE_BODY, HOSTILE_NAME, HOSTILE_SUBJECT
from tests.e2e.support import Server, Tab, log_in, pair_display

pytestmark = pytest.mark.e2e

POSITIVE = re.compile(r'^[1-9][\d,]*$')


def test_agent_logs_in_and_a_wrong_password_is_refused(server: Server, new_tab) -> None:
    page = new_tab().page
    log_in(page, server.url, 'ana')
    expect(page).to_have_url(f'{server.url}/')
    expect(page.get_by_role('banner').get_by_text('Ana Ozola', exact=True)).to_be_visible()
    expect(page.get_by_text('lifetime points')).to_be_visible()
    expect(page.get_by_text('Inbox', exact=True)).to_be_visible()
    expect(page.get_by_placeholder('Write a reply', exact=False)).to_be_hidden()  # until a conversation is picked

    page = new_tab().page
    log_in(page, server.url, 'ana', 'not the password')
    expect(page.get_by_text('Wrong username or password.')).to_be_visible()
    expect(page).to_have_url(f'{server.url}/login')
    expect(page.get_by_label('Password')).to_have_value('')
    page.goto(f'{server.url}/')
    expect(page).to_have_url(f'{server.url}/login')  # no session was created


def test_canned_reply_and_resolution_score_points_and_move_the_kiosk_live(server: Server, new_tab) -> None:
    page = new_tab().page
    log_in(page, server.url, 'ana')
    points = page.get_by_test_id('lifetime-points')
    expect(points).to_have_text('0')
    kiosk = new_tab(width=1920, height=1080).page
    pair_display(new_tab().page, kiosk, server.url)
    kiosk.evaluate('window.notReloaded = true')
    ana_on_kiosk = kiosk.locator('.dq-slide .dq-row').filter(has_text='Ana Ozola').first  # today's board

    item = page.locator('.q-item').filter(has_text='#1 ')
    customer = item.locator('.q-item__label').first.inner_text()
    first_name = customer.split()[0]
    item.click()
    expect(page.get_by_text(re.compile(rf'^{re.escape(customer)} · '))).to_be_visible()  # the conversation's header
    reply = page.get_by_placeholder('Write a reply, or type / and a shortcut for a canned reply')
    reply.fill('/hel')
    page.get_by_role('button', name='/hello · Greeting').click()
    expect(reply).to_have_value(re.compile(rf'^Hi {re.escape(first_name)}, thanks for reaching out!.*#1'))
    page.get_by_role('button', name='Send').click()
    expect(page.locator('.q-message-text').filter(has_text=f'Hi {first_name}, thanks for reaching out!')) \
        .to_be_visible()
    expect(reply).to_have_value('')

    page.get_by_role('button', name='Resolve').click()
    expect(points).to_have_text(POSITIVE)
    expect(page.get_by_text(re.compile(r'^Today \+[1-9]'))).to_be_visible()
    expect(page.get_by_test_id('receipts')).to_contain_text('fast resolution of #1')

    expect(ana_on_kiosk).to_have_text(re.compile(r'Ana Ozola.*Aurora\s*[1-9][\d,]*$'))  # live, without a reload
    assert kiosk.evaluate('window.notReloaded') is True


def test_kiosk_is_a_dark_read_only_leaderboard(server: Server, new_tab) -> None:
    page = new_tab(width=1920, height=1080).page
    page.goto(f'{server.url}/kiosk')
    expect(page.get_by_text('Pair this display')).to_be_visible()
    expect(page.get_by_text('Ana Ozola')).to_have_count(0)  # unpaired: no one's name
    pair_display(new_tab().page, page, server.url, name='Dark TV')
    expect(page.get_by_text('Customers waiting', exact=True)).to_have_count(1)  # the queue slide, in its turn
    background = page.evaluate('getComputedStyle(document.querySelector(".dq-kiosk")).backgroundColor')
    assert sum(map(int, re.findall(r'\d+', background)[:3])) < 3 * 64, f'not dark: {background}'
    expect(page.locator('input, textarea, button, select, [contenteditable="true"]')).to_have_count(0)
    assert page.evaluate('document.documentElement.scrollHeight <= innerHeight')


def test_customer_data_is_shown_as_text_never_run_as_html(server: Server, new_tab) -> None:
    tab: Tab = new_tab()
    page: Page = tab.page
    log_in(page, server.url, 'bruno')
    expect(page.get_by_text(HOSTILE_NAME, exact=True)).to_be_visible()  # in the inbox
    page.locator('.q-item').filter(has_text=HOSTILE_NAME).click()
    conversation = f'#{server.hostile_conversation_id}'
    expect(page.get_by_text(f'{conversation} {HOSTILE_SUBJECT}', exact=True)).to_have_count(2)  # inbox and header
    expect(page.get_by_text(f'{HOSTILE_NAME} · mallory@example.com', exact=False)).to_be_visible()
    expect(page.locator('.q-message-name').filter(has_text=HOSTILE_NAME)).to_be_visible()
    expect(page.locator('.q-message-text').filter(has_text=HOSTILE_BODY)).to_be_visible()

    reply = page.get_by_placeholder('Write a reply, or type / and a shortcut for a canned reply')
    reply.fill('/hel')
    page.get_by_role('button', name='/hello · Greeting').click()
    expect(reply).to_have_value(re.compile(r'^Hi <img, thanks for reaching out!'))
    page.get_by_role('button', name='Send').click()
    expect(page.locator('.q-message-text').filter(has_text='Hi <img, thanks for reaching out!')).to_be_visible()

    page.wait_for_timeout(300)  # an injected <img onerror> would fire as soon as its image fails to load
    assert tab.dialogs == []
    expect(page.locator('img[src="x"], img[src="y"]')).to_have_count(0)
    expect(page.locator('.q-message-text b')).to_have_count(0)



def test_an_agent_works_two_conversations_with_a_canned_reply_and_a_transfer(server: Server, new_tab) -> None:
    page = new_tab().page
    log_in(page, server.url, 'chloe')
    reply = page.get_by_placeholder('Write a reply, or type / and a shortcut for a canned reply')

    page.locator('.q-item').filter(has_text='#4 ').click()
    expect(page.get_by_role('button', name=re.compile(r'^#4 · '))).to_be_visible()  # its tab
    reply.fill('Let me check the invoice with billing')  # half-written, not sent

    page.locator('.q-item').filter(has_text='#5 ').click()
    expect(page.get_by_role('button', name=re.compile(r'^#5 · '))).to_be_visible()
    expect(reply).to_have_value('')  # the other conversation's draft stays with it
    reply.fill('/hel')
    page.get_by_role('button', name='/hello · Greeting').click()
    expect(reply).to_have_value(re.compile(r'^Hi .*thanks for reaching out!.*#5'))
    reply.press('Control+Enter')
    expect(page.locator('.q-message-text').filter(has_text='thanks for reaching out!')).to_be_visible()
    expect(reply).to_have_value('')

    page.get_by_role('button', name=re.compile(r'^#4 · .*✎')).click()  # the tab shows it holds a draft
    expect(reply).to_have_value('Let me check the invoice with billing')  # nothing typed was lost
    page.get_by_role('button', name='Transfer').click()
    dialog = page.get_by_role('dialog')
    dialog.get_by_label('To').click()
    page.get_by_role('option', name='Daan de Vries').click()
    dialog.get_by_label('Note for the receiver (internal)').fill('Daan knows this customer')
    dialog.get_by_role('button', name='Transfer').click()
    expect(page.get_by_text('Transferred to Daan de Vries: Daan knows this customer')).to_be_visible()

    daan = new_tab().page
    log_in(daan, server.url, 'daan')
    daan.locator('.q-item').filter(has_text='#4 ').click()
    expect(daan.get_by_text('Transferred to Daan de Vries: Daan knows this customer')).to_be_visible()
    daan.get_by_placeholder('Write a reply, or type / and a shortcut for a canned reply') \
        .fill('Hello, I am taking over from Chloé.')
    daan.get_by_role('button', name='Send').click()  # the receiver may now answer it
    expect(daan.locator('.q-message-text').filter(has_text='I am taking over from Chloé.')).to_be_visible()


def test_the_lead_monitor_shows_a_change_live_counts_the_presence_and_sorts_in_the_browser(server: Server,
                                                                                          new_tab) -> None:
    lead = new_tab().page
    log_in(lead, server.url, 'lead')
    expect(lead).to_have_url(f'{server.url}/', timeout=20_000)
    lead.goto(f'{server.url}/monitor')
    agents = lead.get_by_test_id('monitor-agents')
    bruno = agents.locator('tbody tr').filter(has_text='Bruno Dubois')
    expect(bruno).to_contain_text('Offline')
    lead.evaluate('window.notReloaded = true')

    log_in(new_tab().page, server.url, 'bruno')
    expect(bruno).to_contain_text('Online', timeout=20_000)  # his row alone was sent, and drawn without a reload
    for_how_long = bruno.locator('td').nth(3)
    expect(for_how_long).to_have_text(re.compile(r'^\d+ s$'))
    shown = for_how_long.inner_text()
    expect(for_how_long).not_to_have_text(shown)  # the browser counts the seconds on by itself
    assert lead.evaluate('window.notReloaded') is True

    names = agents.locator('tbody tr td:first-child')
    first = names.first.inner_text()
    agents.get_by_role('columnheader', name='Agent').click()  # sorted by name: now the other way round
    expect(names.first).not_to_have_text(first)
    listed = names.all_inner_texts()
    assert listed == sorted(listed, reverse=True) and len(listed) > 5
