"""The wall display in a real headless Chromium (issue 15): a lead creates a display and reads its code, the TV pairs
with it and celebrates what the floor does, and after the server restarts it comes back paired by itself."""
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import MigratedTemplates
from tests.e2e.conftest import server_env
from tests.e2e.support import ROOT, free_port, pair_display, stop, wait_until_serving

pytestmark = pytest.mark.e2e


class KioskServer:
    """The app with its simulator running (the floor earns levels and badges), restartable on the same database."""

    def __init__(self, tmp: Path, migrated: MigratedTemplates) -> None:
        migrated.copy_sqlite(tmp / 'kiosk.sqlite3')  # the server seeds the demo floor, but migrates nothing
        self.db_url = f'sqlite://{tmp / "kiosk.sqlite3"}'
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.log = tmp / 'server.log'
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open('a') as log_file:
            self.process = subprocess.Popen(
                [sys.executable, 'main.py', '--port', str(self.port), '--db-url', self.db_url, '--sim-speed', '60'],
                cwd=ROOT, env=server_env(), stdout=log_file, stderr=subprocess.STDOUT)
        wait_until_serving(self.process, f'{self.url}/login', self.log)

    def stop(self) -> None:
        if self.process is not None:
            assert stop(self.process) is not None, f'the server did not stop on SIGINT:\n{self.log.read_text()}'


@pytest.fixture
def kiosk_server(tmp_path: Path, migrated: MigratedTemplates) -> Iterator[KioskServer]:
    server = KioskServer(tmp_path, migrated)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert 'Traceback' not in server.log.read_text(), server.log.read_text()


def test_a_paired_tv_celebrates_and_comes_back_paired_after_a_restart(kiosk_server: KioskServer, new_tab) -> None:
    tv = new_tab(width=1920, height=1080).page
    code = pair_display(new_tab().page, tv, kiosk_server.url)
    assert code.replace('-', '') not in tv.url
    # the simulated floor levels up and wins badges: a celebration comes within a minute
    expect(tv.locator('.dq-banner')).to_be_visible(timeout=60_000)
    expect(tv.locator('.dq-banner')).to_contain_text('!')
    assert tv.evaluate('document.documentElement.scrollHeight <= innerHeight')

    tv.evaluate('window.beforeRestart = true')
    kiosk_server.stop()
    kiosk_server.start()
    # nobody touches the TV: NiceGUI reconnects, the page is loaded again, and the display is still paired
    tv.wait_for_function('window.beforeRestart === undefined', timeout=30_000)
    expect(tv.get_by_text('Lobby TV')).to_be_visible(timeout=30_000)
    expect(tv.get_by_text('Pair this display')).to_have_count(0)
