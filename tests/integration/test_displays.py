"""Wall displays and public names on a real database (issue 15): pairing once with a live code, revocation and a new
pairing letting the old TV go, what is stored (hashes only) and logged, a restart keeping the paired display, the
agent's own public name, and the floor's CSAT today."""
from datetime import timedelta

import pytest

from models import Display, StoredEvent
from services.container import Services, build
from services.domain.errors import ActionError
from services.domain.events import EventKind, Rating
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.displays import digest
from tests.integration.support import agent


async def test_a_code_pairs_once_and_a_revocation_lets_the_tv_go(services: Services, ana: AgentView) -> None:
    lead = agent(services, 'lead')
    let_go: list[frozenset[int]] = []
    services.displays.let_go.subscribe(let_go.append)
    display, code = await services.displays.create(lead, name='Lobby', team_ids=[], slides=['today', 'queue'],
                                                   slide_seconds=15)
    row = await Display.get(id=display.id)
    assert code not in (row.code_hash or '') and row.device_hash is None
    token = 'browser-id-of-the-lobby-tv'
    assert await services.displays.pair(code, device=token) == services.displays.displays[display.id]
    assert services.displays.check(token) == services.displays.displays[display.id]
    with pytest.raises(ActionError, match='not valid'):
        await services.displays.pair(code, device='another-browser')  # used up
    row = await Display.get(id=display.id)
    assert token not in (row.device_hash or '') and row.code_hash is None

    # a new code for another TV: the first keeps showing until the code is used, then is let go
    second = 'browser-id-of-the-new-tv'
    await services.displays.pair(await services.displays.issue_code(lead, display.id), device=second)
    assert services.displays.check(token) is None and services.displays.check(second) is not None
    assert let_go == [frozenset({display.id})]
    await services.displays.revoke(lead, display.id)
    assert services.displays.check(second) is None and let_go[-1] == frozenset({display.id})
    with pytest.raises(ActionError, match='was revoked'):
        await services.displays.issue_code(lead, display.id)
    kinds = [kind for kind in await StoredEvent.filter(kind__startswith='display_').order_by('id')
             .values_list('kind', flat=True)]
    assert kinds == ['display_created', 'display_paired', 'display_code_issued', 'display_paired', 'display_revoked']


async def test_a_paired_display_survives_a_restart(services: Services, clock: ManualClock) -> None:
    display, code = await services.displays.create(agent(services, 'lead'), name='Lobby', team_ids=[],
                                                   slides=['today'], slide_seconds=20)
    token = 'browser-id-of-the-lobby-tv'
    await services.displays.pair(code, device=token)
    again = build(services.settings, clock=clock)
    await again.load()
    assert again.displays.check(token) is not None and again.displays.check(token).id == display.id


async def test_a_browser_showing_a_display_cannot_pair_another(services: Services) -> None:
    lead = agent(services, 'lead')
    lobby, code = await services.displays.create(lead, name='Lobby', team_ids=[], slides=['today'], slide_seconds=20)
    await services.displays.pair(code, device='browser-id-of-the-lobby-tv')
    hall, code = await services.displays.create(lead, name='Hall', team_ids=[], slides=['today'], slide_seconds=20)
    with pytest.raises(ActionError, match='already paired'):  # typed in a second tab opened before the first paired
        await services.displays.pair(code, device='browser-id-of-the-lobby-tv')
    assert services.displays.check('browser-id-of-the-lobby-tv').id == lobby.id
    row = await Display.get(id=hall.id)
    assert row.device_hash is None and row.code_hash is not None  # the code still pairs another TV
    assert await StoredEvent.filter(kind=EventKind.DISPLAY_PAIRED.value).count() == 1


async def test_a_tv_paired_with_a_device_token_is_bound_to_its_browser_at_its_next_visit(services: Services) -> None:
    display, _code = await services.displays.create(agent(services, 'lead'), name='Lobby', team_ids=[],
                                                    slides=['today'], slide_seconds=20)
    # paired before pairings were bound to browsers: the table holds the hash of a token kept in the user storage
    await Display.filter(id=display.id).update(device_hash=digest('old-device-token'), code_hash=None,
                                               paired_at=services.clock.now())
    await services.displays.load()
    assert await services.displays.adopt('a-token-pairing-nothing', device='browser-id-of-the-tv') is None
    adopted = await services.displays.adopt('old-device-token', device='browser-id-of-the-tv')
    assert adopted is not None and adopted.id == display.id
    assert services.displays.check('browser-id-of-the-tv') == adopted
    assert await services.displays.adopt('old-device-token', device='browser-id-of-a-copy') is None  # once only
    assert (await Display.get(id=display.id)).device_hash == digest('browser-id-of-the-tv')


async def test_an_expired_code_is_refused(services: Services) -> None:
    display, code = await services.displays.create(agent(services, 'lead'), name='Lobby', team_ids=[],
                                                   slides=['today'], slide_seconds=20)
    await Display.filter(id=display.id).update(code_expires_at=services.displays.clock.now() - timedelta(seconds=1))
    with pytest.raises(ActionError, match='expired'):
        await services.displays.pair(code, device='browser-id-of-the-lobby-tv')


async def test_an_agent_names_themselves_for_public_screens(services: Services, ana: AgentView) -> None:
    assert services.displays.public_name(ana.id) == ana.name
    await services.displays.set_profile(ana, alias='  Captain A  ', opted_out=False)
    assert services.displays.public_name(ana.id) == 'Captain A'
    await services.displays.set_profile(ana, alias='Captain A', opted_out=True)
    assert services.displays.public_name(ana.id) is None and services.displays.opted_out() == [ana]
    with pytest.raises(ActionError, match='character'):
        await services.displays.set_profile(ana, alias='Bad\x00name', opted_out=False)
    assert services.displays.public_name(ana.id) is None
    assert await StoredEvent.filter(kind=EventKind.PUBLIC_PROFILE_CHANGED.value, agent_id=ana.id).count() == 2


async def test_the_floors_csat_today_counts_good_ratings(services: Services, ana: AgentView) -> None:
    since = services.clock.now() - timedelta(minutes=1)
    assert await services.ratings.floor_since(since) == (0, 0)
    for rating in (Rating.GOOD, Rating.BAD):
        conversation_id = next(item.id for item in services.inbox.items() if item.assignee_id is None)
        await services.inbox.reply(ana, conversation_id, 'Hello!')
        await services.inbox.resolve(ana, conversation_id)
        await services.inbox.rate(conversation_id, rating)
    assert await services.ratings.floor_since(since) == (1, 2)


async def test_a_display_speaks_the_floors_language_unless_its_lead_chooses_another(
        services: Services, ana: AgentView) -> None:
    lead = agent(services, 'lead')
    floor, _code = await services.displays.create(lead, name='Hall', team_ids=[], slides=['today'], slide_seconds=20)
    riga, _code = await services.displays.create(lead, name='Riga', team_ids=[], slides=['today'], slide_seconds=20,
                                                  language='lv')
    assert floor.language == services.displays.default_language == 'en' and riga.language == 'lv'
    assert (await Display.get(id=riga.id)).language == 'lv'
    created = await StoredEvent.filter(kind='display_created').order_by('id').values_list('data', flat=True)
    assert [data['language'] for data in created] == ['en', 'lv']
    with pytest.raises(ActionError, match='languages offered'):
        await services.displays.create(lead, name='Berlin', team_ids=[], slides=['today'], slide_seconds=20,
                                       language='de')
    assert await Display.filter(name='Berlin').count() == 0

    changed: list[int] = []
    services.displays.displays_changed.subscribe(changed.append)
    assert (await services.displays.set_language(lead, riga.id, 'fr')).language == 'fr'
    await services.displays.set_language(lead, riga.id, 'fr')  # the same again: nothing to record
    assert services.displays.displays[riga.id].language == 'fr' and changed == [riga.id]
    for refused, who, language, message in ((riga.id, ana, 'nl', 'Only a lead'), (riga.id, lead, 'xx', 'offered'),
                                            (999, lead, 'nl', 'no display #999'), ('1', lead, 'nl', 'no display')):
        with pytest.raises(ActionError, match=message):
            await services.displays.set_language(who, refused, language)
    events = await StoredEvent.filter(kind=EventKind.DISPLAY_LANGUAGE_CHANGED.value)
    assert [(event.agent_id, event.data['id'], event.data['language']) for event in events] == [(lead.id, riga.id,
                                                                                                 'fr')]
    # a display made before displays had a language speaks the floor's, and follows the setting
    await Display.filter(id=floor.id).update(language=None)
    services.displays.default_language = 'nl'
    await services.displays.load()
    assert [services.displays.displays[display.id].language for display in (floor, riga)] == ['nl', 'fr']
