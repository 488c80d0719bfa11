"""Rebuild: events per second replayed through the game rules from the log (what `main.py rebuild` does).

Usage: ``.venv/bin/python bench/rebuild.py [--events N]``. The baseline, in the same run, is the same fold fed by
model instances (how the log was first read) instead of plain rows.
"""
import argparse
import asyncio
import time

from history import event_stream, fresh_services, ingest, stop
from models import StoredEvent
from services.events import EventKind, GameEvent
from services.projection import GameProjection
from services.rebuild import differences, replay


async def fold_from_instances(batch_size: int = 10_000) -> int:
    projection, last_id, count = GameProjection(), 0, 0
    while rows := await StoredEvent.filter(id__gt=last_id).order_by('id').limit(batch_size):
        for row in rows:
            projection.apply(GameEvent(id=row.id, key=row.key, kind=EventKind(row.kind), occurred_at=row.occurred_at,
                                       agent_id=row.agent_id, conversation_id=row.conversation_id, data=row.data))
            count += 1
        last_id = rows[-1].id
    return count


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--events', type=int, default=200_000)
    parser.add_argument('--db-url', default=None, help='a PostgreSQL server URL; default: a fresh SQLite file')
    args = parser.parse_args()
    services, clock = await fresh_services(args.db_url)
    await ingest(services, clock, event_stream(), args.events, batch=1000)
    rates = {}
    for name, action in (('model instances (baseline)', fold_from_instances), ('plain rows (replay)', replay)):
        start = time.perf_counter()
        await action()
        rates[name] = args.events / (time.perf_counter() - start)
        print(f'  {name:28} {rates[name]:9,.0f} events/s')
    start = time.perf_counter()
    lines = await differences(await replay())
    print(f'  full check (replay + compare every projection): {time.perf_counter() - start:.2f} s, '
          f'{len(lines)} difference(s)')
    ratio = rates['plain rows (replay)'] / rates['model instances (baseline)']
    print(f'rebuild of {args.events:,} events: {rates["plain rows (replay)"]:,.0f} events/s, {ratio:.1f}x the baseline; '
          f'target >= 50,000 events/s: {"met" if rates["plain rows (replay)"] >= 50_000 else "NOT met"}')
    await stop(services, args.db_url)


if __name__ == '__main__':
    asyncio.run(main())
