"""End-to-end fixtures: the real server as a subprocess on a fresh SQLite file, and Debian's Chromium via Playwright."""
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Playwright, sync_playwright

from tests.conftest import MigratedTemplates
from tests.e2e.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    STOP_TIMEOUT,
    Server,
    Tab,
    free_port,
    stop,
    wait_until_serving,
)


def server_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('DESKQUEST_', 'NICEGUI_', 'PYTEST_'))}  # nothing leaks in from the test process
    env.update(DESKQUEST_ARGON2_MEMORY_KIB='1024', DESKQUEST_STORAGE_SECRET='e2e secret', PYTHONUNBUFFERED='1')
    return env


@dataclass(frozen=True, slots=True)
class SeededFloor:
    """A SQLite file with the demo floor plus one customer whose name is HTML, which every e2e server gets a copy of."""
    path: Path
    hostile_conversation_id: int


@pytest.fixture(scope='package')
def seeded_floor(tmp_path_factory: pytest.TempPathFactory, migrated: MigratedTemplates) -> SeededFloor:
    """Seed once for the whole package, by a separate process (the demo floor through the real services, as
    ``hostile_seed`` does it): starting Python and importing the app is most of its ~5 s, which each module paid.

    Reusing it later is safe because the demo server's clock continues from the last stored event when that is later
    than now (``start_demo``), and a seeding done on a Monday in working hours is at most this package's run old when a
    server opens its copy (well under the scoring's one-hour fast-resolution limit).
    """
    path = tmp_path_factory.mktemp('seeded') / 'seeded.sqlite3'
    migrated.copy_sqlite(path)  # neither the seeding process nor the servers migrate it again
    seeded = subprocess.run([sys.executable, '-m', 'tests.e2e.hostile_seed', f'sqlite://{path}'], cwd=ROOT,
                            env=server_env(), capture_output=True, text=True, timeout=60)
    assert seeded.returncode == 0, f'seeding failed:\n{seeded.stdout}\n{seeded.stderr}'
    with contextlib.closing(sqlite3.connect(path)) as connection:  # the log into the file: the file alone is the copy
        connection.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    return SeededFloor(path=path, hostile_conversation_id=int(seeded.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope='module')
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest,
           seeded_floor: SeededFloor) -> Iterator[Server]:
    """The app as users run it: ``python main.py`` on a free port and a fresh SQLite file (a copy of the seeded
    floor: demo floor plus one customer whose name is HTML), simulator off.

    A test module may set ``SERVER_ENV`` (a dict) to serve with more settings, and ``EXPECTED_ERRORS`` (strings) to
    name the log lines its tests provoke on purpose.
    """
    tmp = tmp_path_factory.mktemp('e2e')
    shutil.copyfile(seeded_floor.path, tmp / 'e2e.sqlite3')
    db_url = f'sqlite://{tmp / "e2e.sqlite3"}'
    env = server_env() | getattr(request.module, 'SERVER_ENV', {})
    port = free_port()
    log = tmp / 'server.log'
    with log.open('w') as log_file:
        command = [sys.executable, 'main.py', '--no-simulator', '--port', str(port), '--db-url', db_url]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        wait_until_serving(process, f'{url}/login', log)
        yield Server(url=url, log=log, hostile_conversation_id=seeded_floor.hostile_conversation_id)
    finally:
        returncode = stop(process)
    output = log.read_text()
    assert returncode is not None, f'the server did not exit within {STOP_TIMEOUT} s of SIGINT:\n{output}'
    running, stopped, after = output.partition('DeskQuest stopped cleanly')
    assert stopped, f'the server did not shut down cleanly:\n{output}'
    expected = getattr(request.module, 'EXPECTED_ERRORS', ())
    running = '\n'.join(line for line in running.splitlines() if not any(text in line for text in expected))
    assert 'Traceback' not in running and 'ERROR' not in running, f'the server logged an error:\n{output}'
    assert 'Traceback' not in after, f'error on exit:\n{output}'


@pytest.fixture(scope='package')
def playwright() -> Iterator[Playwright]:
    """Package-scoped on purpose, not session-scoped: sync Playwright runs an event loop in this thread while it is
    open, and the async tests that run after this package (pytest-asyncio) cannot start theirs until it is closed."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope='package')
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One Chromium for every e2e module; each tab still gets its own context (cookies, storage), see ``new_tab``."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_tab(browser: Browser, request: pytest.FixtureRequest) -> Iterator:
    """Open pages, each in its own browser context (its own session); screenshots of all of them if the test fails."""
    opened: list[tuple[BrowserContext, Tab]] = []

    def open_tab(*, width: int = 1440, height: int = 900) -> Tab:
        context = browser.new_context(viewport={'width': width, 'height': height})
        context.set_default_timeout(10_000)
        tab = Tab(page=context.new_page())

        def on_dialog(dialog: Dialog) -> None:
            tab.dialogs.append(f'{dialog.type}: {dialog.message}')
            dialog.dismiss()
        tab.page.on('dialog', on_dialog)
        opened.append((context, tab))
        return tab

    yield open_tab
    report = getattr(request.node, 'rep_call', None)
    for index, (context, tab) in enumerate(opened):
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                tab.page.screenshot(path=ARTIFACTS / f'{request.node.name}-{index}.png', full_page=True)
            except Exception as error:  # a screenshot must not hide the test's own failure
                print(f'could not save a screenshot: {error}')
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f'rep_{report.when}', report)  # lets the page fixture know whether the test failed
    return report
