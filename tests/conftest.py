"""Shared fixtures: a real database per test (SQLite always; PostgreSQL too when DESKQUEST_TEST_PG_URL is set)."""
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from tortoise.backends.base import executor

from services.container import Services, build
from services.platform.clock import ManualClock
from services.platform.settings import Settings
from simulation.demo import start_demo
from simulation.simulator import Simulator, simulator_for

PG_URL = os.environ.get('DESKQUEST_TEST_PG_URL', '')  # e.g. postgres://postgres@127.0.0.1:5432/test
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday morning

BACKENDS = ['sqlite', 'postgres']


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get('CI') and not PG_URL:
        raise pytest.UsageError('CI must run the PostgreSQL tests: set DESKQUEST_TEST_PG_URL')


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    # Tortoise caches SQL per connection name, not per dialect: clear it when one process switches backends
    executor.EXECUTOR_CACHE.clear()
    if request.param == 'sqlite':
        yield f'sqlite://{tmp_path / "test.sqlite3"}'
        return
    if not PG_URL:
        pytest.skip('set DESKQUEST_TEST_PG_URL to run against PostgreSQL')
    name = f'deskquest_test_{uuid.uuid4().hex[:12]}'
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE {name}')
    try:
        yield PG_URL.rsplit('/', 1)[0] + f'/{name}'
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        await admin.close()


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
def app_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """How main.py is configured when NiceGUI's user fixtures run it: a fresh SQLite file, no simulator."""
    monkeypatch.setenv('DESKQUEST_DB_URL', f'sqlite://{tmp_path / "app.sqlite3"}')
    monkeypatch.setenv('DESKQUEST_NO_SIMULATOR', '1')
    monkeypatch.setenv('DESKQUEST_STORAGE_SECRET', 'test secret')
    monkeypatch.setenv('DESKQUEST_ARGON2_MEMORY_KIB', '1024')  # still Argon2id, just cheap enough for many tests
