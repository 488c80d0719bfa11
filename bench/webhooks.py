"""Webhook ingestion: signed Chatwoot deliveries from concurrent clients, acknowledged after their commit (issue 14).

Usage: ``.venv/bin/python bench/webhooks.py [--deliveries N] [--clients C] [--repeat R]``. Compares, in the same run
and each on a fresh SQLite file (WAL, synchronous=FULL: an fsync at every commit), one transaction per delivery with
the group commit (deliveries arriving while a commit is under way share the next one). Each delivery is a new
Chatwoot conversation (``conversation_created``, signed over its raw bytes): it is checked, stored, read, and applied
as a conversation, a customer and an event, then answered. The clients call the service in the process (the
``POST /webhooks/{token}`` route adds the HTTP server's own cost, the same for both variants); each client sends its
next delivery when the previous one is answered. Prints deliveries acknowledged per second and the latency
percentiles.
"""
import argparse
import asyncio
import hashlib
import hmac
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tortoise import Tortoise  # noqa: E402

from services.container import build  # noqa: E402
from services.platform.clock import ManualClock  # noqa: E402
from services.platform.settings import Settings  # noqa: E402

FIXTURE = ROOT / 'tests' / 'fixtures' / 'webhooks' / 'chatwoot' / 'conversation_created.json'
AT = datetime(2026, 11, 30, 10, 12, tzinfo=UTC)


async def run(deliveries: int, clients: int, *, group_commit: bool) -> tuple[float, list[float]]:
    db_url = f'sqlite://{tempfile.mkdtemp(prefix="deskquest-webhooks-")}/bench.sqlite3'
    clock = ManualClock(AT)
    services = build(Settings(db_url=db_url, demo=False, simulator=False, storage_secret='bench'), clock=clock)
    await services.start()
    services.connections.group_commit = group_commit
    new = await services.connections.connect('chatwoot', 'Bench')
    token = new.connection.url_path.rsplit('/', 1)[1]
    template = json.loads(FIXTURE.read_text())
    timestamp = str(int(clock.now().timestamp()))

    def signed(number: int) -> tuple[dict[str, str], bytes]:
        payload = template | {'id': 100_000 + number}
        body = json.dumps(payload, separators=(',', ':')).encode()
        signature = hmac.new(new.secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
        return {'X-Chatwoot-Signature': f'sha256={signature}', 'X-Chatwoot-Timestamp': timestamp,
                'X-Chatwoot-Delivery': f'bench-{number}'}, body

    requests = [signed(number) for number in range(deliveries)]
    latencies: list[float] = []

    async def client(first: int) -> None:
        for headers, body in requests[first::clients]:
            started = time.perf_counter()
            status, message = await services.connections.receive(token, headers, body)
            latencies.append(time.perf_counter() - started)
            assert status == 200 and message == 'applied', message

    started = time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    elapsed = time.perf_counter() - started
    _, rows = await Tortoise.get_connection('default').execute_query('PRAGMA synchronous')
    assert rows[0][0] == 2, 'synchronous is not FULL'
    await services.stop()
    return deliveries / elapsed, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--deliveries', type=int, default=3000)
    parser.add_argument('--clients', type=int, default=50)
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()
    print(f'{args.deliveries} signed Chatwoot deliveries from {args.clients} concurrent clients, SQLite WAL '
          f'synchronous=FULL, median of {args.repeat} rounds', flush=True)
    results: dict[str, list[tuple[float, list[float]]]] = {'one transaction each': [], 'group commit': []}
    for _ in range(args.repeat):  # interleaved: the machine's load falls on both alike
        results['one transaction each'].append(await run(args.deliveries, args.clients, group_commit=False))
        results['group commit'].append(await run(args.deliveries, args.clients, group_commit=True))
    medians = {}
    for name, rounds in results.items():
        rate = statistics.median(r for r, _ in rounds)
        p50 = statistics.median(percentile(lat, 0.5) for _, lat in rounds) * 1000
        p99 = statistics.median(percentile(lat, 0.99) for _, lat in rounds) * 1000
        medians[name] = rate
        print(f'  {name:<22} {rate:8,.0f} acknowledged/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms', flush=True)
    print(f'  group commit / one transaction each: {medians["group commit"] / medians["one transaction each"]:.2f}x')


if __name__ == '__main__':
    asyncio.run(main())
