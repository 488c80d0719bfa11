"""Fixtures for the integration tests: the demo floor's people as the services see them."""
from collections.abc import AsyncIterator

import pytest

pytest.register_assert_rewrite('tests.integration.support')

from services.container import Services, build  # noqa: E402 - after the assert rewrite is registered
from services.platform.clock import ManualClock  # noqa: E402
from services.platform.directory import AgentView  # noqa: E402
from tests.conftest import settings_for_test  # noqa: E402
from tests.integration.support import agent  # noqa: E402


@pytest.fixture
def ana(services: Services) -> AgentView:
    """A fast agent of team Aurora."""
    return agent(services, 'ana')


@pytest.fixture
def bruno(services: Services) -> AgentView:
    """A careful agent of team Aurora."""
    return agent(services, 'bruno')


@pytest.fixture
def lead(services: Services) -> AgentView:
    return agent(services, 'lead')


@pytest.fixture
async def elsewhere(services: Services, db_url: str, clock: ManualClock) -> AsyncIterator[Services]:
    """A second process on the floor ``services`` started (which holds every lease: it started first), sharing only
    the database: the tests of several processes on PostgreSQL in one Python process."""
    other = build(settings_for_test(db_url), clock=clock)
    await other.load()
    try:
        yield other
    finally:
        await other.stop(close_database=False)  # the first one's connections
