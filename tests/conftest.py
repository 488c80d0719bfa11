"""Shared fixtures: a real database per test (SQLite always; PostgreSQL too when DESKQUEST_TEST_PG_URL is set)."""
import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from tortoise.backends.base import executor

from services.container import Services, build
from services.platform.catalogs import compile_catalogs
from services.platform.clock import ManualClock
from services.platform.settings import Settings
from simulation.demo import start_demo
from simulation.simulator import Simulator, simulator_for

PG_URL = os.environ.get('DESKQUEST_TEST_PG_URL', '')  # e.g. postgres://postgres@127.0.0.1:5432/test
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday morning

BACKENDS = ['sqlite', 'postgres']
ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get('CI') and not PG_URL:
        raise pytest.UsageError('CI must run the PostgreSQL tests: set DESKQUEST_TEST_PG_URL')


@pytest.fixture(scope='session', autouse=True)
def compiled_catalogs() -> None:
    """The .mo files from the clone's .po files, as the app's start makes them: a test that reads French or Latvian
    must not depend on an earlier test having started the app (nothing to do when they are up to date)."""
    compile_catalogs()


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path, migrated: 'MigratedTemplates') -> AsyncIterator[str]:
    """A database brought to this release's tables, nothing in them: a copy of the session's migrated template (a
    SQLite file, or a PostgreSQL database dropped afterwards). Opening it applies no migration."""
    async with _database(request.param, tmp_path, template=migrated) as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL, for tests of what opening a new or an old database does (migrations, upgrades)."""
    async with _database(request.param, tmp_path, template=None) as url:
        yield url


@contextlib.asynccontextmanager
async def _database(backend: str, tmp_path: Path, *, template: 'MigratedTemplates | None') -> AsyncIterator[str]:
    # Tortoise caches SQL per connection name, not per dialect: clear it when one process switches backends
    executor.EXECUTOR_CACHE.clear()
    if backend == 'sqlite':
        path = tmp_path / 'test.sqlite3'
        if template is not None:
            template.copy_sqlite(path)
        yield f'sqlite://{path}'
        return
    if not PG_URL:
        pytest.skip('set DESKQUEST_TEST_PG_URL to run against PostgreSQL')
    name = f'deskquest_test_{uuid.uuid4().hex[:12]}'
    admin = await asyncpg.connect(PG_URL)
    try:
        if template is None:
            await admin.execute(f'CREATE DATABASE {name}')
        else:
            await admin.execute(f'CREATE DATABASE {name} TEMPLATE {template.postgres()}')
        yield PG_URL.rsplit('/', 1)[0] + f'/{name}'
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        await admin.close()


class MigratedTemplates:
    """One database per backend migrated at the start of the test session, which tests get copies of.

    Migrating a new database costs ~0.8 s and the integration tests open one each; copying a migrated SQLite file or
    creating a PostgreSQL database from a template costs milliseconds. Each template is made on first use by a separate
    Python process that opens (and so migrates) it with the checkout's migrations and then exits, which closes every
    connection: PostgreSQL copies only a template nobody is connected to, and SQLite's write-ahead log is checkpointed
    into the file then. Nothing is kept across test sessions, so an edited migration is always the one tested.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    def copy_sqlite(self, destination: Path) -> None:
        """Copy the migrated SQLite template to ``destination`` (a new file)."""
        if self._sqlite is None:
            path = self.directory / 'template.sqlite3'
            _migrate(f'sqlite://{path}')
            with contextlib.closing(sqlite3.connect(path)) as connection:  # the log into the file: the file alone is it
                connection.execute('PRAGMA wal_checkpoint(TRUNCATE)')
            self._sqlite = path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._sqlite, destination)

    def postgres(self) -> str:
        """The name of the migrated PostgreSQL template database."""
        if self._postgres is None:
            name = f'deskquest_template_{uuid.uuid4().hex[:12]}'
            _in_own_loop(_admin(f'CREATE DATABASE {name}'))
            self._postgres = name  # from here on it is dropped at the session's end, also when migrating it fails
            _migrate(PG_URL.rsplit('/', 1)[0] + f'/{name}')
        return self._postgres

    def drop(self) -> None:
        if self._postgres is not None:
            _in_own_loop(_admin(f'DROP DATABASE IF EXISTS {self._postgres} WITH (FORCE)'))


@pytest.fixture(scope='session')
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp('templates'))
    yield templates
    templates.drop()


def _migrate(db_url: str) -> None:
    code = 'import asyncio, sys; from services.platform.database import check_database; ' \
           'asyncio.run(check_database(sys.argv[1]))'
    run = subprocess.run([sys.executable, '-c', code, db_url], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f'migrating the template {db_url} failed:\n{run.stdout}\n{run.stderr}'


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _in_own_loop(coroutine: Coroutine) -> None:
    """Run a coroutine to its end from synchronous code that may itself be called inside a test's event loop."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, coroutine).result()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def services(db_url: str, clock: ManualClock) -> AsyncIterator[Services]:
    """The whole service layer on a real database with the demo floor seeded (without the simulator's quests)."""
    services = build(settings_for_test(db_url), clock=clock)
    await start_demo(services, quests=False)
    try:
        yield services
    finally:
        await services.stop()


@pytest.fixture
def simulator(services: Services, clock: ManualClock) -> Simulator:
    """The demo's simulator, headless: :meth:`Simulator.run_until` moves the manual clock."""
    return simulator_for(services, clock=clock)


def settings_for_test(db_url: str, **overrides: object) -> Settings:
    """The app's settings for a test: the demo floor, no simulator started, a cheap Argon2."""
    return Settings(**{'db_url': db_url, 'simulator': False, 'storage_secret': 'test', 'argon2_memory_kib': 1024,
                       **overrides})


@pytest.fixture(autouse=True)
def app_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """How main.py is configured when NiceGUI's user fixtures run it: a new SQLite file, no simulator.

    For those tests the file is a copy of the migrated template, so main.py's start applies no migration (the other
    tests never open it and get no copy)."""
    path = tmp_path / 'app.sqlite3'
    if {'user', 'create_user'} & set(request.fixturenames):
        request.getfixturevalue('migrated').copy_sqlite(path)
    monkeypatch.setenv('DESKQUEST_DB_URL', f'sqlite://{path}')
    monkeypatch.setenv('DESKQUEST_NO_SIMULATOR', '1')
    monkeypatch.setenv('DESKQUEST_STORAGE_SECRET', 'test secret')
    monkeypatch.setenv('DESKQUEST_ARGON2_MEMORY_KIB', '1024')  # still Argon2id, just cheap enough for many tests
