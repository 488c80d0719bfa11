"""Webhook ingestion: signed Chatwoot deliveries from concurrent clients, acknowledged after their commit (issue 14).

Usage: ``.venv/bin/python bench/webhooks.py [--deliveries N] [--clients C] [--repeat R] [--http] [--only single|group]
[--loop auto|asyncio|uvloop]``.

Compares, in the same run and each on a fresh SQLite file (WAL, synchronous=FULL: an fsync at every commit), one
transaction per delivery with the group commit (deliveries arriving while a commit is under way share the next one).
Each delivery is a new Chatwoot conversation (``conversation_created``, signed over its raw bytes): it is checked,
stored, read, and applied as a conversation, a customer and an event, then answered. The clients call the service in
the process; with ``--http`` they post to ``POST /webhooks/{token}`` served by uvicorn in this process (the app's own
handler), from another process (aiohttp, one keep-alive connection per client), so the HTTP server's cost is counted
and the clients' is not in the server's process. Each client sends its next delivery when the previous one is
answered. Prints deliveries acknowledged per second, the latency percentiles and this process's CPU time per delivery
(less at the mercy of the machine's load than the rates). Runs on the event loop the app serves on (uvloop, when
installed), unless ``--loop`` says otherwise.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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


async def run(deliveries: int, clients: int, *, group_commit: bool,
              http: bool = False) -> tuple[float, list[float], float]:
    """One round on a fresh database: deliveries acknowledged a second, each one's latency, and this process's CPU
    seconds (every thread: the event loop and aiosqlite's) over the timed part, per delivery."""
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
    if http:
        rate, latencies, cpu = await over_http(services, token, requests, clients)
    else:
        rate, latencies, cpu = await in_process(services, token, requests, clients)
    _, rows = await Tortoise.get_connection('default').execute_query('PRAGMA synchronous')
    assert rows[0][0] == 2, 'synchronous is not FULL'
    await services.stop()
    return rate, latencies, cpu / deliveries


async def in_process(services, token: str, requests: list[tuple[dict[str, str], bytes]],
                     clients: int) -> tuple[float, list[float], float]:
    latencies: list[float] = []

    async def client(first: int) -> None:
        for headers, body in requests[first::clients]:
            started = time.perf_counter()
            status, message = await services.connections.receive(token, headers, body)
            latencies.append(time.perf_counter() - started)
            assert status == 200 and message == 'applied', message

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(number) for number in range(clients)))
    return len(requests) / (time.perf_counter() - started), latencies, time.process_time() - cpu


async def over_http(services, token: str, requests: list[tuple[dict[str, str], bytes]],
                    clients: int) -> tuple[float, list[float], float]:
    """Serve the app's webhook handler with uvicorn here; post from a client process (see :func:`client_process`)."""
    import uvicorn
    from fastapi import FastAPI

    from ui.webhooks import endpoint

    api = FastAPI()
    api.add_route('/webhooks/{token}', endpoint(services), methods=['POST'])  # as ui/webhooks.py registers it

    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api, host='127.0.0.1', port=port, log_level='warning', access_log=False))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    with tempfile.NamedTemporaryFile('w', suffix='.jsonl', delete=False) as batch:
        for headers, body in requests:
            batch.write(json.dumps([headers, base64.b64encode(body).decode()]) + '\n')
    cpu = time.process_time()  # from here the server only waits for the client process, then serves it
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, '--client', f'http://127.0.0.1:{port}/webhooks/{token}', batch.name,
        '--clients', str(clients), stdout=asyncio.subprocess.PIPE)
    out, _ = await child.communicate()
    cpu = time.process_time() - cpu
    server.should_exit = True
    await serving
    Path(batch.name).unlink()
    assert child.returncode == 0, 'the client process failed'
    result = json.loads(out)
    return len(requests) / result['elapsed'], result['latencies'], cpu


async def client_process(url: str, path: str, clients: int) -> None:
    """The HTTP clients, in their own process: print the elapsed time and every latency as JSON."""
    import aiohttp
    lines = Path(path).read_text().splitlines()
    requests = [(headers, base64.b64decode(body)) for headers, body in map(json.loads, lines)]
    latencies: list[float] = []

    async def client(session: aiohttp.ClientSession, first: int) -> None:
        for headers, body in requests[first::clients]:
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                answer = await response.json()
            latencies.append(time.perf_counter() - started)
            assert response.status == 200 and answer['message'] == 'applied', answer

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
        await asyncio.gather(*(client(session, number) for number in range(clients)))
    print(json.dumps({'elapsed': time.perf_counter() - started, 'latencies': latencies}))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--deliveries', type=int, default=3000)
    parser.add_argument('--clients', type=int, default=50)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--http', action='store_true', help='post them to POST /webhooks/{token} through uvicorn')
    parser.add_argument('--loop', choices=('auto', 'asyncio', 'uvloop'), default='auto',
                        help="the event loop (default: uvicorn's choice, as the app runs: uvloop when installed)")
    parser.add_argument('--only', choices=('single', 'group'), help='run one variant: one transaction each, or group')
    parser.add_argument('--client', nargs=2, metavar=('URL', 'FILE'), help=argparse.SUPPRESS)  # the client process
    args = parser.parse_args()
    if args.client:
        await client_process(*args.client, args.clients)
        return
    print(f'{args.deliveries} signed Chatwoot deliveries from {args.clients} concurrent clients'
          f'{" over HTTP (uvicorn)" if args.http else " in the process"}, SQLite WAL synchronous=FULL, '
          f'{type(asyncio.get_running_loop()).__module__.split(".")[0]} event loop, '
          f'median of {args.repeat} rounds', flush=True)
    variants = {'one transaction each': False, 'group commit': True}
    if args.only:
        variants = {name: group for name, group in variants.items() if group == (args.only == 'group')}
    results: dict[str, list[tuple[float, list[float], float]]] = {name: [] for name in variants}
    for _ in range(args.repeat):  # interleaved: the machine's load falls on both alike
        for name, group_commit in variants.items():
            results[name].append(await run(args.deliveries, args.clients, group_commit=group_commit, http=args.http))
    medians = {}
    for name, rounds in results.items():
        rate = statistics.median(r for r, _, _ in rounds)
        p50 = statistics.median(percentile(lat, 0.5) for _, lat, _ in rounds) * 1000
        p99 = statistics.median(percentile(lat, 0.99) for _, lat, _ in rounds) * 1000
        cpu = statistics.median(c for _, _, c in rounds) * 1e6
        medians[name] = rate
        print(f'  {name:<22} {rate:8,.0f} acknowledged/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   '
              f'CPU {cpu:5.0f} µs a delivery', flush=True)
    if len(medians) == 2:
        print(f'  group commit / one transaction each: '
              f'{medians["group commit"] / medians["one transaction each"]:.2f}x')


def event_loop_factory(argv: list[str]) -> Callable[[], asyncio.AbstractEventLoop]:
    """The event loop the app serves on: uvicorn's 'auto' choice, as ``ui.run`` leaves it (uvloop when installed);
    ``--loop asyncio`` for the standard library's."""
    from uvicorn.config import Config
    loop = argv[argv.index('--loop') + 1] if '--loop' in argv else 'auto'
    return Config(app=None, loop=loop).get_loop_factory()


if __name__ == '__main__':
    from uvicorn._compat import asyncio_run
    asyncio_run(main(), loop_factory=event_loop_factory(sys.argv))
