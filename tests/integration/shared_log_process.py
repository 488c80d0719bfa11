"""One DeskQuest process of ``test_shared_log_processes.py``: the whole service layer on a shared PostgreSQL log,
recording events from several tasks at once, then reporting what its projections hold.

``python -m tests.integration.shared_log_process DB_URL NAME UNITS``; it talks to the test over stdin and stdout:
prints ``ready`` once loaded, records after ``go``, prints ``done``, and after ``report`` (every process is done)
catches up and prints ``report {json}``.
"""
import asyncio
import json
import random
import sys

from services.container import build
from services.domain.events import EventKind
from services.domain.leaderboard import Period
from services.domain.projection import Outcome
from services.platform.clock import ManualClock
from tests.conftest import START, settings_for_test

TASKS = 4  # writers at once inside the process, besides the other processes
AGENTS = 3  # the awards go to the same few agents, in every process


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
    say('ready')
    await heard('go')

    async def write(task: int) -> None:
        for _ in range(task, units, TASKS):
            async with services.game.unit_of_work() as work:
                for _ in range(draw.randint(1, 3)):
                    agent_id, conversation_id = draw.choice(agents), draw.randint(1, 40)
                    kind = draw.choice([EventKind.RATED, EventKind.RATED, EventKind.REPLIED, EventKind.KUDOS_SENT])
                    data: dict = {'rating': draw.choice(['good', 'good', 'bad']), 'channel': 'chat'} \
                        if kind == EventKind.RATED else {}
                    if kind == EventKind.KUDOS_SENT:
                        data = {'by': agents[0], 'from_name': name, 'message': 'thanks', 'points': 5}
                    await work.record(kind, agent_id=agent_id, conversation_id=conversation_id, data=data)

    await asyncio.gather(*(write(task) for task in range(TASKS)))
    say('done')
    await heard('report')
    await services.game.catch_up()
    today = services.clock.now().date()
    say('report ' + json.dumps({
        'last_event_id': services.game.last_event_id, 'seen': seen, 'recorded': recorded,
        'metrics': {agent_id: metrics.as_dict() for agent_id, metrics in services.game.projection.agents.items()},
        'today': {agent_id: services.leaderboard.tally.total(agent_id, Period.TODAY, today) for agent_id in agents},
    }))
    await services.stop()


def say(line: str) -> None:
    print(line, flush=True)


async def heard(word: str) -> None:
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    assert line.strip() == word, f'expected {word!r}, got {line!r}'


if __name__ == '__main__':
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
