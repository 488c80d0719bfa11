"""The REST API's contract (issue 14): schemathesis generates requests from /api/v1/openapi.json, valid ones and broken
ones, for every operation; each is sent to the API in-process, on a real database, and its answer checked against the
document (status codes, content types, headers and bodies) and for server errors.

Hypothesis only draws the cases (no I/O in its loop); they are then sent on the test's own event loop, where the
database lives. The checks that send requests of their own (ignored_auth, …) are left out: the authentication is
tested in tests/integration/test_api.py."""
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from limits import RateLimitItemPerMinute
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.container import Services
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from simulation.simulator import Simulator
from ui.api import mount

EXAMPLES = 25  # per operation and mode: about 700 requests, well under a minute
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
async def http(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    mount(app, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test') as client:
        yield client


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)  # the contract is the same on both databases
async def test_every_operation_answers_as_its_openapi_document_says(
        services: Services, simulator: Simulator, clock: ManualClock, lead: AgentView,
        http: httpx.AsyncClient) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=1))  # agents with points, ledgers, a log to page
    services.api_tokens.limit = RateLimitItemPerMinute(100_000)  # the rate limit is tested on its own
    token = (await services.api_tokens.create(lead, name='schemathesis', scope='write')).token
    document = (await http.get('/api/v1/openapi.json')).json()
    assert document['openapi'].startswith('3.') and '/v1/events' in document['paths']
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12

    checked = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for case in _draw(operation.as_strategy(generation_mode=mode)):
                # a case about a missing or broken Authorization header is sent as drawn (and must get 401)
                headers = {} if _negative(case, 'header') else {'Authorization': f'Bearer {token}'}
                kwargs = case.as_transport_kwargs(base_url='http://test/api', headers=headers)
                response = await http.request(kwargs['method'], kwargs['url'], params=kwargs.get('params'),
                                              headers=kwargs.get('headers'), json=kwargs.get('json'),
                                              content=kwargs.get('data'))
                checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])
                case.validate_response(response, checks=checks, headers=headers)
                checked += 1
    assert checked > 200


def _negative(case: Case, location: str) -> bool:
    return case.meta is not None and any(where.value == location and info.mode == GenerationMode.NEGATIVE
                                         for where, info in case.meta.components.items())


def _draw(strategy) -> list[Case]:
    """Up to EXAMPLES cases of the strategy (drawn only: nothing is sent inside Hypothesis' loop)."""
    cases: list[Case] = []

    @settings(max_examples=EXAMPLES, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(case: Case) -> None:
        cases.append(case)
    collect()
    return cases
