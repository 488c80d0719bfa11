"""Two real processes record at once on one PostgreSQL log (issue 17): both end with the state a replay of the log
gives, every event told to each exactly once and in order, and the stored projections equal ``rebuild --check``'s."""
import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from tortoise import Tortoise

from models import StoredEvent
from services.container import build
from services.domain.leaderboard import Period
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.database import open_database
from simulation.demo import start_demo
from tests.conftest import settings_for_test

ROOT = Path(__file__).resolve().parents[2]
UNITS = 150  # units of work per process, of 1 to 3 events each
TIMEOUT = 120.0


@pytest.mark.parametrize('db_url', ['postgres'], indirect=True)
async def test_two_processes_recording_at_once_equal_a_replay(db_url: str, clock: ManualClock) -> None:
    services = build(settings_for_test(db_url), clock=clock)
    await start_demo(services, quests=False)  # the demo floor's people, and its seeded events
    before = services.game.last_event_id
    await services.stop()

    processes = [await asyncio.create_subprocess_exec(
        sys.executable, '-m', 'tests.integration.shared_log_process', db_url, name, str(UNITS), cwd=ROOT,
        env={**os.environ, 'PYTHONPATH': str(ROOT)}, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        for name in ('first', 'second')]
    try:
        for process in processes:
            await expect(process, 'ready')
        for process in processes:  # both loaded: they record at once
            tell(process, 'go')
        for process in processes:
            await expect(process, 'done')
        for process in processes:
            tell(process, 'report')
        reports = [json.loads(await expect(process, 'report')) for process in processes]
        assert [await asyncio.wait_for(process.wait(), TIMEOUT) for process in processes] == [0, 0]
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()

    await open_database(db_url)
    try:
        ids = list(await StoredEvent.all().order_by('id').values_list('id', flat=True))
        assert ids == list(range(1, len(ids) + 1))  # no id lost to a collision
        rebuilt = await replay()
        assert await differences(rebuilt) == []  # the stored ledger, scores, days, badges, analytics: as replayed
    finally:
        await Tortoise.close_connections()
    first, second = (set(report['recorded']) for report in reports)
    assert not first & second and first | second == set(ids[before:])
    assert max(first) > min(second) and max(second) > min(first)  # interleaved, not one after the other
    today = clock.now().date()
    for report in reports:
        assert report['seen'] == ids[before:]  # every event told once, in the log's order
        assert report['last_event_id'] == ids[-1]
        assert report['metrics'] == {str(agent_id): metrics.as_dict() for agent_id, metrics in rebuilt.metrics.items()}
        assert report['today'] == {agent_id: rebuilt.tally.total(int(agent_id), Period.TODAY, today)
                                   for agent_id in report['today']}


async def expect(process: asyncio.subprocess.Process, word: str) -> str:
    """The rest of the process's next line that starts with ``word`` (lines of other output are skipped)."""
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), TIMEOUT)).decode()
        assert line, f'the process ended before saying {word!r}'
        if line.startswith(word):
            return line[len(word):].strip()


def tell(process: asyncio.subprocess.Process, word: str) -> None:
    assert process.stdin is not None
    process.stdin.write(f'{word}\n'.encode())
