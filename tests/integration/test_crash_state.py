"""Crash-proof state (issue 19): the badge holders' history is written in the transaction of the events that change it,
so what a kill -9 leaves on disk right after any commit already matches a replay of the log."""
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from models import BadgeHolding, StoredEvent
from services.container import Services
from services.domain.events import EventKind
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.database import sqlite_path
from services.platform.directory import AgentView
from services.platform.event_log import UnitOfWork
from simulation.simulator import Simulator
from tests.integration.support import agent
from tests.integration.test_rebuild import run_cli

SNAPSHOTS = 3  # commits that changed holders, each copied as a crash right after it would leave the file


async def test_holder_changes_are_stored_by_the_unit_of_work_that_causes_them(services: Services) -> None:
    ana, bruno = agent(services, 'ana'), agent(services, 'bruno')
    await resolve(services, ana)
    assert ('cleaner', ana.id) in await open_holdings()  # read at once: nothing is left for later
    assert await open_holdings() == live_holders(services)
    await resolve(services, bruno)
    await resolve(services, bruno)
    assert ('cleaner', bruno.id) in await open_holdings() and ('cleaner', ana.id) not in await open_holdings()
    assert await open_holdings() == live_holders(services)
    assert await differences(await replay()) == []


async def test_a_rolled_back_transaction_leaves_no_holder_change_behind(services: Services) -> None:
    ana, bruno = agent(services, 'ana'), agent(services, 'bruno')
    failing = FailingProjection()
    services.game.store_with_events(failing)  # stored after the badges: the board has taken the events when it fails
    events = await StoredEvent.all().count()
    failing.armed = True
    with pytest.raises(RuntimeError, match='the disk is full'):
        await resolve(services, ana)
    assert await StoredEvent.all().count() == events
    assert await open_holdings() == set()  # the unit's holder change went with it
    failing.armed = False
    await resolve(services, bruno)  # the board is rebuilt from the database before it takes these events
    assert await open_holdings() == live_holders(services)
    assert ('cleaner', bruno.id) in await open_holdings() and ('cleaner', ana.id) not in await open_holdings()
    assert await differences(await replay()) == []


@pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)
async def test_the_file_right_after_any_commit_passes_rebuild_check(services: Services, simulator: Simulator,
                                                                    clock: ManualClock, db_url: str,
                                                                    tmp_path: Path) -> None:
    """A copy of the SQLite file taken synchronously as a commit's outcomes are published, before any other task runs,
    is what a kill -9 at that moment leaves; ``rebuild --check`` must pass on it without a restart or a repair."""
    path = sqlite_path(db_url)
    assert path is not None
    await simulator.run_until(clock.now() + timedelta(hours=3))  # a history to change holders against
    copies: list[Path] = []

    def snapshot(_: object) -> None:  # called right after the commit, before the loop runs anything else
        if len(copies) < SNAPSHOTS:
            copies.append(tmp_path / f'crash{len(copies)}.sqlite3')
            with sqlite3.connect(path) as source, sqlite3.connect(copies[-1]) as target:
                source.backup(target)

    services.badges.changed.subscribe(snapshot)
    await simulator.run_until(clock.now() + timedelta(hours=30))  # past midnight: changes at events and at midnight
    assert len(copies) == SNAPSHOTS
    for copy in copies:
        code, output = await run_cli('--check', '--db-url', f'sqlite://{copy}')
        assert code == 0, output
        assert 'OK: the stored projections match the event log' in output


class FailingProjection:
    """A projection stored with the events that fails while armed (a full disk, say), after the badges took them."""

    def __init__(self) -> None:
        self.armed = False

    async def store(self, work: UnitOfWork) -> None:
        if self.armed:
            raise RuntimeError('the disk is full')

    def discard(self) -> None:
        pass


async def resolve(services: Services, actor: AgentView) -> None:
    """One e-mail resolution by ``actor``, recorded as the write path records any event."""
    now = services.clock.now()
    async with services.game.unit_of_work() as work:
        await work.record(EventKind.RESOLVED, agent_id=actor.id, conversation_id=None, data={
            'channel': 'email', 'created_at': (now - timedelta(minutes=30)).isoformat(),
            'sla_due_at': (now + timedelta(hours=4)).isoformat(), 'inbound_count': 1})


async def open_holdings() -> set[tuple[str, int]]:
    return set(await BadgeHolding.filter(lost_at=None).values_list('badge_key', 'agent_id'))


def live_holders(services: Services) -> set[tuple[str, int]]:
    return {(key, agent_id) for key, holders in services.badges.tracker.board.current.items() for agent_id in holders}
