"""A wall display's pairing across processes (issues 15 and 17): two ``Services`` on one PostgreSQL database stand for
two processes. The pairing is kept in the table, bound to the browser's id, so a TV paired through one process is
recognised by the other (at once, from the table, when its tab reloads there before the other followed the pairing),
and a revocation or a new TV paired through one lets the old TV go in the other's tabs too.
"""

import pytest

from services.container import Services
from tests.integration.support import agent, until

pytestmark = pytest.mark.parametrize('db_url', ['postgres'], indirect=True)

LOBBY_TV = 'browser-id-of-the-lobby-tv'
NEW_TV = 'browser-id-of-the-new-tv'



async def test_a_display_paired_in_one_process_is_recognised_in_the_other(services: Services,
                                                                         elsewhere: Services) -> None:
    lead = agent(services, 'lead')
    display, code = await services.displays.create(lead, name='Lobby', team_ids=[], slides=['today'],
                                                   slide_seconds=20)
    await until(lambda: display.id in elsewhere.displays.displays, message='the other process has the display')
    await services.displays.pair(code, device=LOBBY_TV)
    await until(lambda: elsewhere.displays.check(LOBBY_TV) is not None, message='the other process followed it')
    assert elsewhere.displays.check(LOBBY_TV) == services.displays.check(LOBBY_TV)
    assert elsewhere.displays.check('browser-id-of-someone-else') is None


async def test_a_tab_reloading_onto_a_process_that_has_not_followed_yet_finds_its_display_in_the_table(
        services: Services, elsewhere: Services) -> None:
    await elsewhere.game.stop_following()  # the other process lags behind: only the table knows of the pairing
    display, code = await services.displays.create(agent(services, 'lead'), name='Lobby', team_ids=[],
                                                   slides=['today'], slide_seconds=20)
    await services.displays.pair(code, device=LOBBY_TV)
    assert elsewhere.displays.check(LOBBY_TV) is None
    await elsewhere.displays.recall('browser-id-of-someone-else')
    await elsewhere.displays.recall(LOBBY_TV)
    assert elsewhere.displays.check(LOBBY_TV) is not None and elsewhere.displays.check(LOBBY_TV).id == display.id
    assert elsewhere.displays.check('browser-id-of-someone-else') is None

    await services.displays.revoke(agent(services, 'lead'), display.id)
    await elsewhere.displays.recall(LOBBY_TV)  # a revoked display is not taken back from the table
    let_go: list[frozenset[int]] = []
    elsewhere.displays.let_go.subscribe(let_go.append)
    await elsewhere.game.catch_up()
    assert let_go == [frozenset({display.id})] and elsewhere.displays.check(LOBBY_TV) is None
    await elsewhere.displays.recall(LOBBY_TV)
    assert elsewhere.displays.check(LOBBY_TV) is None


async def test_a_revocation_in_one_process_lets_the_tv_go_in_the_other(services: Services,
                                                                       elsewhere: Services) -> None:
    lead = agent(services, 'lead')
    display, code = await services.displays.create(lead, name='Lobby', team_ids=[], slides=['today'],
                                                   slide_seconds=20)
    await elsewhere.displays.pair(code, device=LOBBY_TV)  # the TV's tab is served by the other process
    await until(lambda: services.displays.check(LOBBY_TV) is not None, message='this process followed the pairing')
    let_go: list[frozenset[int]] = []
    elsewhere.displays.let_go.subscribe(let_go.append)

    # a new TV paired through this process takes the display's place: the old one is let go there
    await services.displays.pair(await services.displays.issue_code(lead, display.id), device=NEW_TV)
    await until(lambda: let_go == [frozenset({display.id})], message=lambda: f'the old TV let go there: {let_go}')
    assert elsewhere.displays.check(LOBBY_TV) is None and elsewhere.displays.check(NEW_TV)

    await services.displays.revoke(lead, display.id)
    await until(lambda: len(let_go) == 2, message=lambda: f'the revoked display let go there: {let_go}')
    assert elsewhere.displays.check(NEW_TV) is None
    assert elsewhere.displays.displays[display.id].revoked_at is not None
