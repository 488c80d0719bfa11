"""Two real DeskQuest processes on one PostgreSQL floor (issue 17): a login made on one is valid on the other and a
logout there ends it here too; through nginx with deploy/nginx.conf, an action recorded by one process reaches a tab
the other serves, and a tab whose process is killed reloads onto the live one."""
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.platform.sessions import CLOCK_SLACK_SECONDS, WATCH_SECONDS
from tests.conftest import PG_URL, MigratedTemplates
from tests.e2e.conftest import server_env
from tests.e2e.support import ROOT, free_port, log_in, stop, wait_until_serving

pytestmark = pytest.mark.e2e

NGINX = shutil.which('nginx') or next((path for path in ('/usr/sbin/nginx',) if Path(path).exists()), None)
PROCESS_OF_TAB = 'window.socket && window.socket.io.opts.query.dq_process'


@dataclass(kw_only=True, slots=True)
class Process:
    name: str  # its process id, as deploy/nginx.conf names it
    url: str
    port: int
    popen: subprocess.Popen
    log: Path


@dataclass(kw_only=True, slots=True)
class Floor:
    processes: list[Process]
    db_url: str


@pytest.fixture(scope='module')
def floor(tmp_path_factory: pytest.TempPathFactory, migrated: MigratedTemplates) -> Iterator[Floor]:
    """A fresh PostgreSQL database (a copy of the session's migrated template) served by two processes, ``app1`` and
    ``app2`` (demo floor, no simulator): the first seeds the floor, the second starts once it serves, as a person
    adding a process would."""
    if not PG_URL:
        pytest.skip('set DESKQUEST_TEST_PG_URL: several processes share a floor on PostgreSQL only')
    tmp = tmp_path_factory.mktemp('several')
    name = f'deskquest_e2e_{uuid.uuid4().hex[:12]}'
    subprocess.run(['psql', PG_URL, '-q', '-c', f'CREATE DATABASE {name} TEMPLATE {migrated.postgres()}'], check=True,
                   timeout=30)
    db_url = PG_URL.rsplit('/', 1)[0] + f'/{name}'
    processes: list[Process] = []
    try:
        for index in (1, 2):
            port = free_port()
            log = tmp / f'app{index}.log'
            with log.open('w') as output:
                popen = subprocess.Popen(
                    [sys.executable, 'main.py', '--no-simulator', '--port', str(port), '--db-url', db_url,
                     '--process-id', f'app{index}'], cwd=ROOT, env=server_env(), stdout=output,
                    stderr=subprocess.STDOUT)
            processes.append(Process(name=f'app{index}', url=f'http://127.0.0.1:{port}', port=port, popen=popen,
                                     log=log))
            wait_until_serving(popen, f'{processes[-1].url}/login', log)
        yield Floor(processes=processes, db_url=db_url)
    finally:
        for process in processes:
            stop(process.popen)
        subprocess.run(['psql', PG_URL, '-q', '-c', f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'], timeout=30)


def test_a_login_made_on_one_process_is_valid_on_the_other_until_logged_out(floor: Floor, new_tab) -> None:
    first, second = floor.processes
    owner = new_tab().page
    log_in(owner, first.url, 'ana')
    expect(owner).to_have_url(f'{first.url}/')
    expect(owner.get_by_role('banner').get_by_text('Ana Ozola', exact=True)).to_be_visible()
    cookie = next(c['value'] for c in owner.context.cookies() if c['name'] == 'session')

    # the same browser's next request reaches the other process: its page is built for Ana, not sent to /login
    assert 'Ana Ozola' in account_page(second, cookie)
    assert 'Ana Ozola' not in account_page(second, 'not a signed cookie')

    owner.locator('button', has=owner.locator('i', has_text='logout')).click()
    expect(owner).to_have_url(f'{first.url}/login')
    deadline = time.monotonic() + WATCH_SECONDS + CLOCK_SLACK_SECONDS / 6  # a few looks of the other process
    while 'Ana Ozola' in account_page(second, cookie):  # the logout, made on the first process, ends it here too
        assert time.monotonic() < deadline, 'the other process still lets the logged-out cookie in'
        time.sleep(0.2)


def account_page(process: Process, cookie: str) -> str:
    return httpx.get(f'{process.url}/account', cookies={'session': cookie}, timeout=10).text


@pytest.fixture(scope='module')
def nginx(floor: Floor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """deploy/nginx.conf as shipped, its two processes' addresses replaced by the floor's, on a free port."""
    if NGINX is None:
        pytest.skip('nginx is not installed (apt-get install -y nginx): the proxy test needs it')
    prefix = tmp_path_factory.mktemp('nginx')
    (prefix / 'logs').mkdir()
    port = free_port()
    config = (ROOT / 'deploy' / 'nginx.conf').read_text()
    for process in floor.processes:
        config = config.replace(f'{process.name}:8080', f'127.0.0.1:{process.port}')
    config = config.replace('listen 80;', f'listen 127.0.0.1:{port};').replace('worker_processes auto;',
                                                                               'worker_processes 1;')
    assert 'app1:8080' not in config and 'app2:8080' not in config
    (prefix / 'nginx.conf').write_text(config)
    popen = subprocess.Popen([NGINX, '-p', str(prefix), '-c', str(prefix / 'nginx.conf'), '-e',
                              str(prefix / 'logs' / 'error.log'), '-g', f'daemon off; pid {prefix / "nginx.pid"};'])
    url = f'http://127.0.0.1:{port}'
    try:
        wait_until_serving(popen, f'{url}/login', prefix / 'logs' / 'error.log')
        yield url
    finally:
        popen.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        popen.wait(timeout=10)


def test_through_nginx_an_action_on_one_process_reaches_a_tab_of_the_other_which_survives_its_death(
        floor: Floor, nginx: str, new_tab) -> None:
    board = new_tab().page
    log_in(board, nginx, 'ana')
    expect(board).to_have_url(f'{nginx}/')
    expect(board.get_by_role('banner').get_by_text('Ana Ozola', exact=True)).to_be_visible()
    board.wait_for_function('window.did_handshake === true')
    served_by = board.evaluate(PROCESS_OF_TAB)
    holder = next(process for process in floor.processes if process.name == served_by)
    other = next(process for process in floor.processes if process is not holder)
    points = board.get_by_test_id('lifetime-points')
    expect(points).to_have_text('0')

    # Ana's second tab, straight on the other process with the same cookie: he resolves a conversation there
    worker = new_tab().page
    worker.context.add_cookies([{**cookie, 'domain': '127.0.0.1', 'path': '/'}
                                for cookie in board.context.cookies() if cookie['name'] == 'session'])
    worker.goto(f'{other.url}/')
    expect(worker.get_by_role('banner').get_by_text('Ana Ozola', exact=True)).to_be_visible()
    resolve_first_conversation(worker)
    expect(worker.get_by_test_id('lifetime-points')).to_have_text(re.compile(r'^[1-9][\d,]*$'))

    # recorded by the other process, shown live in the tab the holder serves through nginx
    expect(points).to_have_text(re.compile(r'^[1-9][\d,]*$'))
    shown = points.inner_text()

    holder.popen.send_signal(signal.SIGKILL)
    holder.popen.wait(timeout=10)
    # its socket fails over to the live process, which does not know the tab: NiceGUI reloads it, onto the live one
    board.wait_for_function(f'({PROCESS_OF_TAB}) === {other.name!r} && window.did_handshake === true',
                            timeout=30_000)
    expect(board.get_by_role('banner').get_by_text('Ana Ozola', exact=True)).to_be_visible()  # still logged in
    expect(board.get_by_test_id('lifetime-points')).to_have_text(shown)


def resolve_first_conversation(page: Page) -> None:
    page.wait_for_function('window.did_handshake === true')
    page.locator('.q-item').filter(has_text='#1 ').click()  # the demo's first conversation is Ana's
    reply = page.get_by_placeholder('Write a reply, or type / and a shortcut for a canned reply')
    reply.fill('Sorted, thank you.')
    page.get_by_role('button', name='Send').click()
    expect(reply).to_have_value('')
    page.get_by_role('button', name='Resolve').click()
