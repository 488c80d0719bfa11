"""Fixtures for the integration tests: the demo floor's people as the services see them."""
import pytest

pytest.register_assert_rewrite('tests.integration.support')

from services.container import Services  # noqa: E402 - after the assert rewrite is registered
from services.platform.directory import AgentView  # noqa: E402
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
