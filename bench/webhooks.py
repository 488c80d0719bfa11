"""Webhook ingestion: signed Chatwoot deliveries from concurrent clients, acknowledged after their commit (issue 14).

Usage: ``.venv/bin/python bench/webhooks.py [--deliveries N] [--clients C] [--repeat R] [--only single|group]
[--loop auto|asyncio|uvloop] [--http [--baseline REF]]``.

Compares, in the same run and each on a fresh SQLite file (WAL, synchronous=FULL: an fsync at every commit), one
transaction per delivery with the group commit (deliveries arriving while a commit is under way share the next one).
Each delivery is a new Chatwoot conversation (``conversation_created``, signed over its raw bytes): it is checked,
stored, read, and applied as a conversation, a customer and an event, then answered. The clients call the service in
the process. With ``--http`` they post to ``POST /webhooks/{token}`` of the real app: ``main.py``'s own server
(``bench/_serve.py``: every middleware the app serves with, NiceGUI's included, on uvloop) started on a fresh database
for every round, pinned to one CPU, the clients in this process (aiohttp, one keep-alive connection per client) on the
other; and the code of ``--baseline REF`` (exported from git; ``""`` to skip it) against this checkout's, interleaved.
Each client sends its next delivery when the previous one is answered. Prints deliveries acknowledged per second, the
latency percentiles and the CPU time per delivery of the process that serves them (in the process: every thread of
this one; over HTTP: the server's, read from /proc), which the machine's load disturbs less than the rates, and the
load average before and after. Runs on the event loop the app serves on (uvloop, when installed), unless ``--loop``
says otherwise.
"""
import argparse
import asyncio
import hashlib
import hmac
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _support import Variant, bench_post, pin_to_client_cpus, start_server, stop_server, variants  # noqa: E402
from tortoise import Tortoise  # noqa: E402

from services.container import build  # noqa: E402
from services.platform.clock import ManualClock  # noqa: E402
from services.platform.settings import Settings  # noqa: E402

FIXTURE = ROOT / 'tests' / 'fixtures' / 'webhooks' / 'chatwoot' / 'conversation_created.json'
AT = datetime(2026, 11, 30, 10, 12, tzinfo=UTC)
# the code before the webhook route was answered before NiceGUI's middlewares
BASELINE_REF = '5a45ae4'


async def run(deliveries: int, clients: int, *, group_commit: bool) -> tuple[float, list[float], float]:
    """One round in the process on a fresh database: deliveries acknowledged a second, each one's latency, and this
    process's CPU seconds (every thread: the event loop and aiosqlite's) over the timed part, per delivery."""
    db_url = f'sqlite://{tempfile.mkdtemp(prefix="deskquest-webhooks-")}/bench.sqlite3'
    clock = ManualClock(AT)
    services = build(Settings(db_url=db_url, demo=False, simulator=False, storage_secret='bench'), clock=clock)
    await services.start()
    services.connections.group_commit = group_commit
    new = await services.connections.connect('chatwoot', 'Bench')
    token = new.connection.url_path.rsplit('/', 1)[1]
    requests = signed_deliveries(new.secret, deliveries, at=int(clock.now().timestamp()))
    latencies: list[float] = []

    async def client(first: int) -> None:
        for headers, body in requests[first::clients]:
            started = time.perf_counter()
            status, message = await services.connections.receive(token, headers, body)
            latencies.append(time.perf_counter() - started)
            assert status == 200 and message == 'applied', message

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(number) for number in range(clients)))
    rate, cpu = len(requests) / (time.perf_counter() - started), time.process_time() - cpu
    _, rows = await Tortoise.get_connection('default').execute_query('PRAGMA synchronous')
    assert rows[0][0] == 2, 'synchronous is not FULL'
    await services.stop()
    return rate, latencies, cpu / deliveries


def signed_deliveries(secret: str, count: int, *, at: int) -> list[tuple[dict[str, str], bytes]]:
    """``count`` new conversations as Chatwoot signs them (at Unix time ``at``), each with its own delivery id."""
    template = json.loads(FIXTURE.read_text())
    timestamp = str(at)

    def signed(number: int) -> tuple[dict[str, str], bytes]:
        body = json.dumps(template | {'id': 100_000 + number}, separators=(',', ':')).encode()
        signature = hmac.new(secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
        return {'X-Chatwoot-Signature': f'sha256={signature}', 'X-Chatwoot-Timestamp': timestamp,
                'X-Chatwoot-Delivery': f'bench-{number}', 'Content-Type': 'application/json'}, body
    return [signed(number) for number in range(count)]


async def over_http(variant: Variant, deliveries: int, clients: int, *, group_commit: bool,
                    profile: Path | None = None) -> tuple[float, list[float], float]:
    """One round against the variant's real server on a fresh database (see the module's docstring); ``profile``: a
    directory where the server's cProfile statistics of the timed part are kept (the CPU figure then counts it)."""
    import aiohttp
    server = await asyncio.to_thread(start_server, variant, agents=0, conversations=0)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
            made = await bench_post(session, server, 'webhooks', group_commit=str(group_commit).lower())
            assert made['url_path'], f'{variant.name} has no connected helpdesks'
            assert made['synchronous'] in (None, 2), 'synchronous is not FULL'
            url = server.url + made['url_path']
            requests = signed_deliveries(made['secret'], deliveries, at=int(time.time()))  # checked by the wall clock
            latencies: list[float] = []

            async def client(first: int) -> None:
                for headers, body in requests[first::clients]:
                    started = time.perf_counter()
                    async with session.post(url, data=body, headers=headers) as response:
                        answer = await response.json()
                    latencies.append(time.perf_counter() - started)
                    assert response.status == 200 and answer['message'] == 'applied', answer

            if profile:
                await bench_post(session, server, 'profile')
            cpu, started = server.cpu_seconds(), time.perf_counter()
            await asyncio.gather(*(client(number) for number in range(clients)))
            elapsed, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
            if profile:
                name = f'{variant.name}-{"group" if group_commit else "single"}-{int(time.time())}.prof'
                written = await bench_post(session, server, 'profile', name=name)
                profile.mkdir(parents=True, exist_ok=True)
                shutil.copy(written['path'], profile / name)  # the server's directory goes with it
                print(f'  (profile: {profile / name})', flush=True)
    finally:
        await asyncio.to_thread(stop_server, server)
    return len(requests) / elapsed, latencies, cpu / deliveries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--deliveries', type=int, default=3000)
    parser.add_argument('--clients', type=int, default=50)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--http', action='store_true',
                        help="post them to POST /webhooks/{token} of main.py's own server, every middleware included")
    parser.add_argument('--baseline', default=BASELINE_REF,
                        help=f'with --http: the git ref whose code is measured beside this checkout\'s (default '
                             f'{BASELINE_REF}, before the webhook route was answered before NiceGUI\'s middlewares); '
                             f'"" for this checkout only')
    parser.add_argument('--profile', type=Path, metavar='DIR',
                        help='with --http: keep the server\'s cProfile statistics of each round in DIR')
    parser.add_argument('--loop', choices=('auto', 'asyncio', 'uvloop'), default='auto',
                        help="the event loop (default: uvicorn's choice, as the app runs: uvloop when installed)")
    parser.add_argument('--only', choices=('single', 'group'), help='run one variant: one transaction each, or group')
    args = parser.parse_args()
    modes = {'one transaction each': False, 'group commit': True}
    if args.only:
        modes = {name: group for name, group in modes.items() if group == (args.only == 'group')}
    if args.http:
        pin_to_client_cpus()
        code = variants(args.baseline or None)
        where = f'over HTTP to the real app ({", ".join(variant.name for variant in code)}; server pinned to one CPU)'
    else:
        code = [None]
        where = f'in the process, {type(asyncio.get_running_loop()).__module__.split(".")[0]} event loop'
    print(f'{args.deliveries} signed Chatwoot deliveries from {args.clients} concurrent clients {where}, SQLite WAL '
          f'synchronous=FULL, median of {args.repeat} rounds; load average {os.getloadavg()[0]:.1f}', flush=True)
    results: dict[str, list[tuple[float, list[float], float]]] = {}
    for _ in range(args.repeat):  # interleaved: the machine's load falls on every variant alike
        for variant in code:
            for mode, group_commit in modes.items():
                name = f'{variant.name}: {mode}' if variant else mode
                if variant:
                    outcome = await over_http(variant, args.deliveries, args.clients, group_commit=group_commit,
                                              profile=args.profile)
                else:
                    outcome = await run(args.deliveries, args.clients, group_commit=group_commit)
                results.setdefault(name, []).append(outcome)
    for name, rounds in results.items():
        rate = statistics.median(r for r, _, _ in rounds)
        p50 = statistics.median(percentile(lat, 0.5) for _, lat, _ in rounds) * 1000
        p99 = statistics.median(percentile(lat, 0.99) for _, lat, _ in rounds) * 1000
        cpu = statistics.median(c for _, _, c in rounds) * 1e6
        print(f'  {name:<36} {rate:8,.0f} acknowledged/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   '
              f'CPU {cpu:5.0f} µs a delivery', flush=True)
    print(f'  load average at the end {os.getloadavg()[0]:.1f}')


def event_loop_factory(argv: list[str]) -> Callable[[], asyncio.AbstractEventLoop]:
    """The event loop the app serves on: uvicorn's 'auto' choice, as ``ui.run`` leaves it (uvloop when installed);
    ``--loop asyncio`` for the standard library's."""
    from uvicorn.config import Config
    loop = argv[argv.index('--loop') + 1] if '--loop' in argv else 'auto'
    return Config(app=None, loop=loop).get_loop_factory()


if __name__ == '__main__':
    from uvicorn._compat import asyncio_run
    asyncio_run(main(), loop_factory=event_loop_factory(sys.argv))
