"""Take the README screenshots: the agent's screen, the lead's screen and the kiosk, from a live simulated floor.

Run from anywhere with ``.venv/bin/python docs/screenshots.py``. It starts the app on a free port with a fresh
SQLite file and the simulator on, lets the boards move for a while, then drives Debian's Chromium with Playwright.
Then the agent's screen at 1366×768 and the kiosk at 1920×1080 in each other language (``agent-screen-fr.png``,
``kiosk-fr.png``, …; issue 16): French and Latvian run longer than English, and a key figure must not be cut.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from services.domain.i18n import LANGUAGES, _, pgettext, speaking  # noqa: E402 - the app's words, to click them

DOCS = ROOT / 'docs'
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--warm-up', type=float, default=20.0, help='real seconds the simulator runs first (20)')
    parser.add_argument('--sim-speed', type=float, default=600.0, help='simulated seconds per real second (600)')
    parser.add_argument('--languages', default='fr,nl,lv',
                        help='the other languages to take the agent screen and the kiosk in (fr,nl,lv; "" for none)')
    args = parser.parse_args()
    languages = [code for code in args.languages.split(',') if code]
    if unknown := [code for code in languages if code not in LANGUAGES or code == 'en']:
        parser.error(f'no such other language: {", ".join(unknown)} (choose among fr, nl, lv)')
    with tempfile.TemporaryDirectory(prefix='deskquest-screenshots-') as tmp:
        port = free_port()
        url = f'http://127.0.0.1:{port}'
        log = Path(tmp) / 'server.log'
        env = {**os.environ, 'DESKQUEST_ARGON2_MEMORY_KIB': '1024', 'DESKQUEST_STORAGE_SECRET': 'screenshots',
               'PYTHONUNBUFFERED': '1'}
        with log.open('w') as log_file:
            command = [sys.executable, 'main.py', '--port', str(port), '--sim-speed', f'{args.sim_speed:g}',
                       '--db-url', f'sqlite://{Path(tmp) / "screenshots.sqlite3"}']
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(server, f'{url}/login', log)
            print(f'serving on {url}; letting the simulator run for {args.warm_up:g} s', flush=True)
            time.sleep(args.warm_up)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    lead = logged_in(browser, url, 'lead', width=1440, height=900)
                    # at hundreds of x the simulated colleagues claim every arrival within a blink: slow the floor
                    # down while Ana takes a conversation, as a lead would, then put the original speed back
                    set_speed(lead, '10×')
                    agent_screen(browser, url)
                    kiosk(browser, url, lead)  # still slowed down: a celebration now and then, not one after another
                    lead_screen(lead)
                    for language in languages:
                        agent_screen_in(browser, url, language)
                        kiosk_in(browser, url, lead, language)
                finally:
                    browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def agent_screen(browser: Browser, url: str) -> None:
    page = logged_in(browser, url, 'ana', width=1440, height=900)
    take_a_conversation(page)
    settle(page)
    save(page, 'agent-screen.png')


def agent_screen_in(browser: Browser, url: str, language: str) -> None:
    """Ana's screen in ``language``, chosen from the header's menu as she would, at a laptop's 1366×768."""
    page = logged_in(browser, url, 'ana', width=1366, height=768)
    page.locator('header').get_by_role('button', name='EN', exact=True).click()
    page.locator('.q-menu').get_by_text(LANGUAGES[language], exact=True).click()
    with speaking(language):
        inbox = _('Inbox')
    page.locator('header').get_by_role('button', name=language.upper(), exact=True).wait_for()
    page.get_by_text(inbox, exact=True).wait_for()
    take_a_conversation(page, language=language)
    settle(page)
    save(page, f'agent-screen-{language}.png')
    page.locator('header').get_by_role('button', name=language.upper(), exact=True).click()
    page.locator('.q-menu').get_by_text(LANGUAGES['en'], exact=True).click()  # her account's language back
    page.locator('header').get_by_role('button', name='EN', exact=True).wait_for()
    page.context.close()


# the queue keeps rows it is not showing, hidden, for the next conversations: only a shown row can be clicked
SHOWN_ROW = '.q-item:not(.hidden)'


def take_a_conversation(page: Page, *, attempts: int = 60, language: str = 'en') -> None:
    """Open a waiting conversation and take it, so the simulated colleagues leave it alone while Ana looks at it.

    At high simulator speeds they clear the queue within moments: retry until one is Ana's, else show any.
    """
    with speaking(language):
        badges = (pgettext('conversation status', 'new'), pgettext('conversation status', 'mine'))
        take_word, resolve_word = _('Take'), _('Resolve')
    waiting = page.locator(SHOWN_ROW).filter(has=page.locator(
        '.q-badge', has_text=re.compile('^(' + '|'.join(map(re.escape, badges)) + ')$')))
    resolve = page.get_by_role('button', name=re.compile(rf'\b{re.escape(resolve_word)}$'))  # not '#12 resolved'
    for _attempt in range(attempts):
        if waiting.count():
            waiting.first.click()
            take = page.get_by_role('button', name=re.compile(rf'\b{re.escape(take_word)}$'))
            try:
                take.or_(resolve).first.wait_for(timeout=2000)
                if take.is_visible():
                    take.click()
                resolve.wait_for(timeout=2000)
                return
            except PlaywrightTimeout:
                pass  # someone else was quicker
        page.wait_for_timeout(500)
    print('warning: no conversation could be taken; the screenshot shows whatever is open', flush=True)
    if page.locator(SHOWN_ROW).count():
        page.locator(SHOWN_ROW).first.click()


KIOSK_SIZES = {'kiosk-1366.png': (1366, 768), 'kiosk-1080p.png': (1920, 1080), 'kiosk-4k.png': (3840, 2160)}


def kiosk(browser: Browser, url: str, lead: Page) -> None:
    """The wall display as an office hangs it: paired with the code a lead makes at /admin/displays (an unpaired
    /kiosk shows only the code screen), at the README's size and at the three screen sizes it is made for."""
    for name, (width, height) in {'kiosk.png': (1920, 1080), **KIOSK_SIZES}.items():
        page = paired_display(browser, url, lead, f'Lobby TV {width}', width=width, height=height)
        try:  # the slide itself, not a celebration over its title
            page.locator('.dq-banner').wait_for(state='hidden', timeout=30_000)
        except PlaywrightTimeout:
            print(f'warning: {name} shows a celebration banner', flush=True)
        save(page, name)
        page.close()
    lead.goto(f'{url}/')
    lead.get_by_text('Team lead').wait_for()


def kiosk_in(browser: Browser, url: str, lead: Page, language: str) -> None:
    """A wall display its lead set to ``language`` when creating it, at 1920×1080."""
    page = paired_display(browser, url, lead, f'Lobby TV {language.upper()}', width=1920, height=1080,
                          language=language)
    with speaking(language):
        leaders = page.locator('.dq-title', has_text=_("Today's leaders"))
    for _attempt in range(3):  # the leaders' slide (points: the longest figures), between celebrations
        leaders.wait_for(timeout=180_000)
        try:
            page.locator('.dq-banner').wait_for(state='hidden', timeout=30_000)
        except PlaywrightTimeout:
            continue
        if leaders.is_visible():
            break
    else:
        print(f'warning: kiosk-{language}.png may show another slide or a celebration banner', flush=True)
    save(page, f'kiosk-{language}.png')
    page.close()


def paired_display(browser: Browser, url: str, lead: Page, name: str, *, width: int, height: int,
                   language: str | None = None) -> Page:
    """A new wall display the lead creates at /admin/displays (speaking ``language``, else the floor's), paired in a
    new page of that size through the kiosk's pairing screen, its first slide shown."""
    page = browser.new_page(viewport={'width': width, 'height': height})
    lead.goto(f'{url}/admin/displays')
    lead.get_by_label('Name').fill(name)
    if language is not None:
        lead.get_by_label('Language').click()
        lead.get_by_role('option', name=LANGUAGES[language], exact=True).click()
    lead.get_by_role('button', name='Create').click()
    shown = lead.locator('.font-mono.text-4xl')
    shown.wait_for()
    page.goto(f'{url}/kiosk')
    page.locator('.dq-pair input').fill(shown.inner_text())
    page.get_by_role('button', name='Pair').click()
    page.locator('.dq-head').get_by_text(name).wait_for()
    settle(page)
    return page


def lead_screen(page: Page) -> None:
    page.get_by_text('Team lead').wait_for()
    settle(page)
    save(page, 'lead-screen.png')


def set_speed(lead: Page, speed: str) -> None:
    lead.locator('header .q-select').click()
    lead.get_by_role('option', name=speed, exact=True).click()
    lead.get_by_text(f'Simulator speed: {speed}').wait_for()


def logged_in(browser: Browser, url: str, username: str, *, width: int, height: int) -> Page:
    page = browser.new_context(viewport={'width': width, 'height': height}).new_page()
    page.goto(f'{url}/login')
    page.get_by_label('Username').fill(username)
    page.get_by_label('Password').fill('demo')
    page.get_by_role('button', name='Log in').click()
    page.wait_for_url(f'{url}/')
    page.get_by_text('Inbox', exact=True).wait_for()
    return page


def settle(page: Page) -> None:
    """Let fonts, charts and the first live updates arrive; no hover highlight, no toast in the picture."""
    page.mouse.move(0, 0)
    page.wait_for_load_state('networkidle')
    page.wait_for_timeout(1500)
    page.locator('.q-notification').last.wait_for(state='detached', timeout=15_000)


def save(page: Page, name: str) -> None:
    path = DOCS / name
    page.screenshot(path=path)
    print(f'saved {path.relative_to(ROOT)}', flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_until_serving(process: subprocess.Popen, url: str, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f'the server exited with {process.returncode}:\n{log.read_text()}')
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f'the server did not answer {url} within {timeout:g} s:\n{log.read_text()}')


if __name__ == '__main__':
    main()
