"""One DeskQuest process of ``test_shared_log_processes.py``: the whole service layer on a shared PostgreSQL log,
recording events from several tasks at once, then reporting what its projections hold.

``python -m tests.integration.shared_log_process DB_URL NAME UNITS``; it talks to the test over stdin and stdout:
prints ``ready`` once loaded and ``held A,B,…`` whenever the set of leases it holds changes; records after ``go``,
printing ``acked UNIT`` as each unit of work commits (its events' keys are ``NAME:UNIT:INDEX/COUNT``), then ``done``;
after ``report`` (every process is done) it catches up and prints ``report {json}``.
"""
import asyncio
import json
import random
import sys
from datetime import datetime, timedelta

from services.container import Services, build
from services.domain.events import EventKind
from services.domain.leaderboard import Period
from services.domain.projection import Outcome
from services.platform.clock import ManualClock
from tests.conftest import START, settings_for_test

TASKS = 4  # writers at once inside the process, besides the other processes
AGENTS = 3  # the awards go to the same few agents, in every process
UNIT_SIZES = (2, 6)  # events per unit of work (one transaction), 4 on average
KINDS = [EventKind.RATED, EventKind.RATED, EventKind.REPLIED, EventKind.KUDOS_SENT, EventKind.RESOLVED]


async def main(db_url: str, name: str, units: int) -> None:
    services = build(settings_for_test(db_url), clock=ManualClock(START))
    await services.start()
    seen: list[int] = []  # every event this process folded after its start, in the order it was told of them
    recorded: list[int] = []

    def told(outcomes: list[Outcome]) -> None:
        seen.extend(outcome.event.id for outcome in outcomes)

    services.game.committed.subscribe(told)
    services.game.committed.subscribe(lambda outcomes: recorded.extend(outcome.event.id for outcome in outcomes))
    services.game.followed.subscribe(told)
    agents = sorted(agent.id for agent in services.directory.floor())[:AGENTS]
    draw = random.Random(name)
    watcher = asyncio.create_task(watch_leases(services))
    say('ready')
    await heard('go')

    async def write(task: int) -> None:
        for unit in range(task, units, TASKS):
            async with services.game.unit_of_work() as work:
                count = draw.randint(*UNIT_SIZES)
                for index in range(count):
                    agent_id, conversation_id = draw.choice(agents), draw.randint(1, 40)
                    kind = draw.choice(KINDS)
                    await work.record(kind, agent_id=agent_id, conversation_id=conversation_id,
                                      data=event_data(kind, draw, name, agents, work.moment()),
                                      key=f'{name}:{unit}:{index}/{count}')
            say(f'acked {unit}')  # committed: from here on the test may count on its events being in the log

    await asyncio.gather(*(write(task) for task in range(TASKS)))
    say('done')
    await heard('report')
    await services.game.catch_up()
    today = services.clock.now().date()
    holders = services.badges.tracker.board.current
    say('report ' + json.dumps({
        'last_event_id': services.game.last_event_id, 'seen': seen, 'recorded': recorded,
        'metrics': {agent_id: metrics.as_dict() for agent_id, metrics in services.game.projection.agents.items()},
        'totals': {period.value: services.leaderboard.tally.totals(period, today)
                   for period in (Period.TODAY, Period.WEEK, Period.MONTH, Period.ALL)},
        'holders': {key: sorted(agent_ids) for key, agent_ids in holders.items() if agent_ids},
    }))
    watcher.cancel()
    await services.stop()


def event_data(kind: EventKind, draw: random.Random, name: str, agents: list[int], now: datetime) -> dict:
    """What an event of ``kind`` carries: a rating, a kudos from the first agent, a chat resolved in 20 minutes."""
    if kind == EventKind.RATED:
        return {'rating': draw.choice(['good', 'good', 'bad']), 'channel': 'chat'}
    if kind == EventKind.KUDOS_SENT:
        return {'by': agents[0], 'from_name': name, 'message': 'thanks', 'points': 5}
    if kind == EventKind.RESOLVED:
        return {'channel': 'chat', 'created_at': (now - timedelta(minutes=20)).isoformat(),
                'sla_due_at': (now + timedelta(hours=4)).isoformat(), 'inbound_count': 2}
    return {}


async def watch_leases(services: Services) -> None:
    """Print ``held A,B,…`` (the once-only work this process holds) at the start and whenever it changes."""
    shown: set | None = None
    while True:
        if services.leases.held != shown:
            shown = services.leases.held
            say('held ' + ','.join(sorted(work.name for work in shown)))
        await asyncio.sleep(0.05)


def say(line: str) -> None:
    print(line, flush=True)


async def heard(word: str) -> None:
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    assert line.strip() == word, f'expected {word!r}, got {line!r}'


if __name__ == '__main__':
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
