"""What the end-to-end tests and their fixtures share: the browser's settings, the server's lifecycle, logging in,
pairing a wall display."""
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / 'test-artifacts'
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


@dataclass(kw_only=True, slots=True)
class Server:
    url: str
    log: Path
    hostile_conversation_id: int


@dataclass(kw_only=True, slots=True)
class Tab:
    """A browser page with the JavaScript dialogs it raised (none should ever appear)."""
    page: Page
    dialogs: list[str] = field(default_factory=list)


def connected(page: Page) -> None:
    """Wait until the page's socket has made its handshake. Before it, NiceGUI's page holds each event back and
    retries every 10 ms, one timer per event, so a field filled and a button clicked during that time can reach the
    server in either order (a display was created with an empty name in CI)."""
    page.wait_for_function('window.did_handshake === true')


def log_in(page: Page, base_url: str, username: str, password: str = 'demo') -> None:
    page.goto(f'{base_url}/login')
    connected(page)
    page.get_by_label('Username').fill(username)
    page.get_by_label('Password').fill(password)
    page.get_by_role('button', name='Log in').click()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'the server exited with {process.returncode}:\n{log.read_text()}')
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f'the server did not answer {url} within {START_TIMEOUT} s:\n{log.read_text()}')


def stop(process: subprocess.Popen) -> int | None:
    """Ctrl-C, as a person stops it; kill only if it hangs. Return the exit code, None if it had to be killed."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None


def pair_display(lead: Page, tv: Page, base_url: str, *, name: str = 'Lobby TV') -> str:
    """A lead creates a display at /admin/displays (every slide) and the TV types its code at /kiosk; returns the
    code the lead read."""
    log_in(lead, base_url, 'lead')
    expect(lead).to_have_url(f'{base_url}/')
    lead.goto(f'{base_url}/admin/displays')
    connected(lead)
    lead.get_by_label('Name').fill(name)
    lead.get_by_role('button', name='Create').click()
    shown = lead.locator('.font-mono.text-4xl')
    expect(shown).to_have_text(re.compile(r'^[A-Z2-9]{4}-[A-Z2-9]{4}$'))
    code = shown.inner_text()
    tv.goto(f'{base_url}/kiosk')
    expect(tv.get_by_text('Pair this display')).to_be_visible()
    connected(tv)
    tv.locator('.dq-pair input').fill(code)
    tv.get_by_role('button', name='Pair').click()
    expect(tv.locator('.dq-head').get_by_text(name)).to_be_visible()
    return code
