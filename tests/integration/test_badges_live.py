"""Badges, levels and trophies live: fed after commit, stored, edited by leads, and equal to a replay of the log."""
import asyncio
import copy
import inspect
from datetime import timedelta

import pytest

from models import BadgeDefinitionRow, BadgeHolding, Conversation, LevelRow, StoredEvent
from services.container import Services
from services.domain.badges import DEFAULT_BADGES
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.game.rebuild import differences, overwrite, replay
from services.platform.clock import ManualClock
from simulation.simulator import Simulator
from tests.integration.support import agent, until


async def settled_differences(services: Services) -> list[str]:
    await services.badges.settle()
    return await differences(await replay())


async def test_a_simulated_day_gives_badges_that_the_replay_agrees_with(services: Services, simulator: Simulator,
                                                                        clock: ManualClock) -> None:
    assert await BadgeDefinitionRow.all().count() == len(DEFAULT_BADGES)
    assert await LevelRow.all().count() == 12
    await simulator.run_until(clock.now() + timedelta(hours=20))  # past midnight: yesterday's badges too
    assert await settled_differences(services) == []
    holders = services.badges.tracker.board.current
    assert holders['cleaner'] and holders['novelist']
    open_rows = await BadgeHolding.filter(lost_at=None).values_list('badge_key', 'agent_id')
    assert {(key, agent_id) for key, agent_id in open_rows} == \
        {(key, agent_id) for key, agents in holders.items() for agent_id in agents}
    cleaner = next(iter(holders['cleaner']))
    assert 'cleaner' in {d.key for d in services.badges.held_by(cleaner)}

    clock.advance(timedelta(days=1, hours=2))  # a quiet night and day: the windows move at midnight all the same
    await services.badges.settle()
    assert await settled_differences(services) == []

    # a restart rebuilds the board from the last days of the log and takes the stored holders
    before = dict(services.badges.tracker.board.current)
    await services.badges.stop()
    await services.badges.load()
    await services.badges.settle()
    assert services.badges.tracker.board.current == before

    # tampering is found, and rebuild repairs it
    row = await BadgeHolding.filter(lost_at=None).first()
    await row.delete()
    lines = await differences(await replay())
    assert any(line.startswith('badges: the replay says') for line in lines)
    await overwrite(await replay())
    assert await differences(await replay()) == []


async def test_a_lead_edits_a_badge_and_the_board_follows_with_the_replay(services: Services, simulator: Simulator,
                                                                          clock: ManualClock) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=6))
    lead, ana = agent(services, 'lead'), agent(services, 'ana')
    cleaner = next(d for d in services.badges.definitions if d.key == 'cleaner').as_dict()
    with pytest.raises(ActionError, match='team lead'):
        await services.badges.save(ana, cleaner)
    with pytest.raises(ActionError, match="no field 'colour'"):
        await services.badges.save(lead, {**cleaner, 'metric': {'kind': 'resolved', 'value': 'colour'}})
    with pytest.raises(ActionError, match='image'):
        await services.badges.save(lead, {**cleaner, 'image': '../../etc/passwd'})
    await services.badges.save(lead, {**cleaner, 'name': 'Sweeper', 'direction': 'lowest'})
    await services.badges.save(lead, {**cleaner, 'key': 'chat_closer', 'name': 'Chat closer',
                                      'metric': {'kind': 'resolved', 'where': [{'field': 'channel',
                                                                                'values': ['chat']}]}})
    await services.badges.settle()
    assert services.badges.definition('cleaner').name == 'Sweeper'
    assert services.badges.tracker.board.current.get('chat_closer')
    assert (await BadgeDefinitionRow.get(key='cleaner')).name == 'Sweeper'
    await simulator.run_until(clock.now() + timedelta(hours=2))
    assert await settled_differences(services) == []


async def test_teasing_badges_stay_private_unless_the_team_opts_in(services: Services) -> None:
    lead, ana, ben = agent(services, 'lead'), agent(services, 'ana'), agent(services, 'emma')
    siesta = services.badges.definition('siesta')
    assert siesta.teasing
    assert services.badges.visible(siesta, ana.id, ana) and services.badges.visible(siesta, ana.id, lead)
    assert not services.badges.visible(siesta, ana.id, ben) and not services.badges.visible(siesta, ana.id, None)
    with pytest.raises(ActionError):
        await services.badges.set_team_teasing(ana, ana.team_id, True)
    await services.badges.set_team_teasing(lead, ana.team_id, True)
    assert services.badges.visible(siesta, ana.id, None)


async def test_a_lead_edits_a_level_and_the_replay_uses_the_same_table(services: Services, simulator: Simulator,
                                                                       clock: ManualClock) -> None:
    lead, ana = agent(services, 'lead'), agent(services, 'ana')
    with pytest.raises(ActionError, match='team lead'):
        await services.levels.save(ana, 2, title='Rookie', icon='egg', condition='points >= 1')
    with pytest.raises(ActionError, match='Level 2'):
        await services.levels.save(lead, 2, title='Rookie', icon='egg', condition='points >= ')
    await simulator.run_until(clock.now() + timedelta(hours=3))
    level_ups = []
    services.levels.level_ups.subscribe(level_ups.extend)
    await services.levels.save(lead, 2, title='First steps', icon='egg', condition='replies >= 1')
    assert (await LevelRow.get(number=2)).condition == 'replies >= 1'
    assert any(up.new >= 2 for up in level_ups)  # easier: who replied once levels up at once
    await services.levels.save(lead, 2, title='First steps', icon='egg', condition='points >= 100000')
    levels = {a: m.level for a, m in services.game.projection.agents.items()}
    assert max(levels.values()) >= 2  # permanent once reached
    await simulator.run_until(clock.now() + timedelta(hours=1))
    assert await settled_differences(services) == []
    await LevelRow.filter(number=3).update(title='Tampered')
    await BadgeDefinitionRow.filter(key='siesta').update(teasing=False)
    lines = await differences(await replay())
    assert 'levels: the stored level table is not the one the log ends with' in lines
    assert 'badges: the stored badge definitions are not the ones the log ends with' in lines
    await overwrite(await replay())
    assert await differences(await replay()) == []
    assert (await LevelRow.get(number=3)).title == 'Apprentice'
    assert (await BadgeDefinitionRow.get(key='siesta')).teasing


async def test_trophies_follow_the_ledger_and_reload_the_same(services: Services, simulator: Simulator,
                                                              clock: ManualClock) -> None:
    await simulator.run_until(clock.now() + timedelta(hours=8))
    snapshot = services.trophies.snapshot()
    assert snapshot.standings['mvp'] and snapshot.standings['mvp'][0].points > 0
    live = dict(services.trophies.board.totals)
    await services.trophies.load()
    assert services.trophies.board.totals == live


PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64


async def test_uploaded_images_are_checked_by_content(services: Services) -> None:
    lead, ana = agent(services, 'lead'), agent(services, 'ana')
    with pytest.raises(ActionError, match='team lead'):
        await services.badges.upload_image(ana, PNG)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for refused in (svg, b'GIF89a' + b'\x00' * 10, b'\xff\xd8'):
        with pytest.raises(ActionError, match='Only PNG and JPEG'):
            await services.badges.upload_image(lead, refused)
    with pytest.raises(ActionError, match='too large'):
        await services.badges.upload_image(lead, PNG + b'\x00' * 200 * 1024)
    name = await services.badges.upload_image(lead, PNG)
    assert name.startswith('uploaded/') and name.endswith('.png')
    assert await services.badges.upload_image(lead, PNG) == name  # the same image once
    jpeg = await services.badges.upload_image(lead, b'\xff\xd8\xff\xe0' + b'\x00' * 32)
    assert jpeg.endswith('.jpg') and services.badges.images()[-2:] == [name, jpeg]
    cleaner = services.badges.definition('cleaner').as_dict()
    await services.badges.save(lead, {**cleaner, 'image': name})
    assert services.badges.definition('cleaner').image == name


async def test_the_first_reply_carries_the_seconds_since_the_conversation_began(services: Services,
                                                                                clock: ManualClock) -> None:
    ana = agent(services, 'ana')
    conversation = await Conversation.filter(status='new').order_by('id').first()
    clock.advance(timedelta(minutes=3))
    await services.inbox.reply(ana, conversation.id, 'Hello, looking into it')
    await services.inbox.reply(ana, conversation.id, 'Found it')
    first, second = await StoredEvent.filter(kind='replied', conversation_id=conversation.id).order_by('id')
    assert first.data['first_response_seconds'] == round((clock.now() - conversation.created_at).total_seconds())
    assert first.data['first_response_seconds'] >= 180
    assert 'first_response_seconds' not in second.data


async def test_a_midnight_never_overtakes_an_event_still_being_written(services: Services,
                                                                       clock: ManualClock) -> None:
    ana = agent(services, 'ana')
    clock.set(clock.now().replace(hour=23, minute=50))
    await services.badges.settle()
    written, release = asyncio.Event(), asyncio.Event()

    async def transfer() -> None:
        async with services.game.unit_of_work() as work:
            await work.record(EventKind.TRANSFERRED, agent_id=ana.id, conversation_id=1,
                              data={'note_length': 12, 'channel': 'email', 'status': 'open'})
            written.set()
            await release.wait()

    writing = asyncio.create_task(transfer())
    await written.wait()
    clock.advance(timedelta(minutes=20))  # midnight passes while the 23:50 transfer is still being written
    moving = asyncio.create_task(services.badges.settle())
    # its first await that suspends is the writer's lock, which the transfer holds: the move reads the clock after it
    await until(lambda: inspect.getcoroutinestate(moving.get_coro()) == inspect.CORO_SUSPENDED,
                message='the move of the board to start and wait for the transfer being written')
    release.set()
    await writing
    await moving
    await services.badges.settle()
    assert ana.id in services.badges.tracker.board.current['traffic_controller']
    gained = await BadgeHolding.get(badge_key='traffic_controller', agent_id=ana.id)
    assert gained.gained_at.hour == 23  # at the transfer's time, not at the midnight after it
    assert await differences(await replay()) == []


async def test_a_process_without_the_lease_never_stores_a_midnight_the_holder_stored(
        services: Services, simulator: Simulator, clock: ManualClock) -> None:
    """Several processes (issue 17): the badge lease's holder moves the board past a quiet midnight and stores its
    lines; another process's board has not passed it (no event told it), so its first event after it must not store
    them a second time."""
    await services.leases.stop()  # the test says who holds the lease (on PostgreSQL no round takes it back)
    services.badges.lease.held = True
    await simulator.run_until(clock.now() + timedelta(hours=20))
    await services.badges.settle()
    elsewhere = copy.deepcopy(services.badges.tracker)  # the other process's board: fed the same events
    before = await BadgeHolding.all().count(), await BadgeHolding.exclude(lost_at=None).count()
    clock.advance(timedelta(days=1, hours=2))  # a quiet night and day
    await services.badges.settle()  # the holder's tick: the midnights' lines stored
    assert (await BadgeHolding.all().count(), await BadgeHolding.exclude(lost_at=None).count()) != before
    services.badges.tracker = elsewhere
    services.badges.lease.held = False
    agent_id = next(iter(services.game.projection.agents))
    async with services.game.unit_of_work() as work:  # the other process records the next event
        await work.record(EventKind.REPLIED, agent_id=agent_id, data={})
    services.badges.lease.held = True
    assert await differences(await replay()) == []
