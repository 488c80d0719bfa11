"""Does a flood of wrong logins slow everyone else down? Other people's page times without and with one.

Starts ``main.py`` (demo floor, no simulator, the production Argon2 cost) on a free loopback port with a fresh SQLite
file, then measures GET /login as other people's browsers load it (20 a second) in phases of ``--seconds`` each:

- **quiet**: nobody attacks;
- **flood**: ``--attackers`` clients on one address type wrong passwords for demo accounts through the real login form
  (the websocket, as a browser does) as fast as they are answered; the per-account and per-address limits soon refuse
  them unchecked;
- **spray**: the same clients, each page from a new loopback address (127.0.0.0/8) and each attempt for a new name, so
  that no limit applies and every attempt costs a full Argon2 verification: what the thread and the one core it may
  use are for.

Runs ``--rounds`` rounds of quiet, flood, quiet, spray (the machine's own load drifts; a settling pause after each
phase) and prints p50/p95 per phase, the ratio to the quiet phases and how the attempts were answered. Bounded in
time (phases of ``--seconds``), loopback only::

    .venv/bin/python bench/login_flood.py [--seconds 10] [--attackers 4]
"""
import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from _support import PYTHON, ROOT, SimTab, free_port, page_elements

TARGET = 1.20  # the flood may raise others' p95 by 20 % at most
USERNAMES = ('ana', 'bruno', 'chloe', 'daan', 'emma', 'lead')
PHASES = ('quiet', 'flood', 'spray')
PROBE_INTERVAL = 0.05  # another person's page loads: 20 a second, each a fresh page as a browser's reload is
# NiceGUI drops the clients of pages that never connected a few seconds after they were built: the probes' own
# leftovers are pruned between phases rather than inside the next one
SETTLE_SECONDS = 5.0


@dataclass(kw_only=True, slots=True)
class Answers:
    """How the server answered the attackers' attempts."""
    counts: Counter = field(default_factory=Counter)

    def note(self, frames: list[str]) -> bool:
        for frame in frames:
            for text, kind in (('Wrong username or password', 'wrong'), ('Too many failed logins', 'refused')):
                if text in frame:
                    self.counts[kind] += 1
                    return True
        return False


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=10.0, help='length of each phase (default 10)')
    parser.add_argument('--attackers', type=int, default=4, help='concurrent attacking clients (default 4)')
    parser.add_argument('--rounds', type=int, default=2, help='rounds of quiet, flood, quiet, spray (default 2)')
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix='deskquest-login-flood-'))
    port = free_port()
    url = f'http://127.0.0.1:{port}'
    env = {key: value for key, value in os.environ.items() if not key.startswith(('DESKQUEST_', 'NICEGUI_'))}
    env.update(DESKQUEST_STORAGE_SECRET='bench secret', NICEGUI_STORAGE_PATH=str(workdir / 'storage'),
               PYTHONUNBUFFERED='1')  # the default Argon2 cost (64 MiB): the one production pays
    log = workdir / 'server.log'
    with log.open('w') as log_file:
        server = subprocess.Popen([str(PYTHON), 'main.py', '--no-simulator', '--host', '127.0.0.1', '--port', str(port),
                                   '--db-url', f'sqlite://{workdir / "bench.sqlite3"}'],
                                  cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        await wait_until_serving(url, server, log)
        results: dict[str, dict] = {phase: {'times': [], 'answers': Counter()} for phase in PHASES}
        for _ in range(args.rounds):
            for phase in ('quiet', 'flood', 'quiet', 'spray'):  # quiet twice a round: the machine's load drifts
                measured = await measure(url, phase=phase, seconds=args.seconds, attackers=args.attackers)
                results[phase]['times'] += measured['times']
                results[phase]['answers'].update(measured['answers'])
                await asyncio.sleep(SETTLE_SECONDS)
        report(results, attackers=args.attackers, rounds=args.rounds)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        errors = [line for line in log.read_text().splitlines() if 'Traceback' in line or ' ERROR ' in line]
        if errors:
            print(f'the server logged {len(errors)} error line(s): see {log}')
        else:
            shutil.rmtree(workdir, ignore_errors=True)


async def measure(url: str, *, phase: str, seconds: float, attackers: int) -> dict:
    """Other people's GET /login times for ``seconds`` while the phase's attackers (if any) work."""
    answers = Answers()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(attack(url, number, spray=phase == 'spray', answers=answers, stop=stop))
             for number in range(attackers)] if phase != 'quiet' else []
    if tasks:
        await asyncio.sleep(1.0)  # let the attack get going (and, in the flood, reach its limits)
    times: list[float] = []
    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            async with session.get(f'{url}/login') as response:
                await response.read()
                assert response.status == 200, response.status
            times.append(time.perf_counter() - started)
            await asyncio.sleep(max(0.0, PROBE_INTERVAL - times[-1]))
    stop.set()
    await asyncio.gather(*tasks)
    return {'times': times, 'answers': dict(answers.counts)}


async def attack(url: str, number: int, *, spray: bool, answers: Answers, stop: asyncio.Event) -> None:
    """Type wrong passwords into the login form until told to stop: 19 attempts per page (under the address limit)."""
    page = 0
    while not stop.is_set():
        page += 1
        # a spray comes from a new address for every page; the flood from the one loopback address everyone uses
        source = f'127.{number + 1}.{page // 250 % 250 + 1}.{page % 250 + 1}' if spray else '127.0.0.1'
        connector = aiohttp.TCPConnector(local_addr=(source, 0))
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.get(f'{url}/login') as response:
                html = await response.text()
            elements = page_elements(html)
            user, secret, button = (_listener(elements, label, event) for label, event in
                                    (('Username', 'update:value'), ('Password', 'update:value'), ('Log in', 'click')))
            frames: list[str] = []
            tab = SimTab(session, f'{url}/login', kind='attacker', on_frame=lambda _t, _a, data, seen=frames:
                         seen.append(data))
            await tab.open(html)
            try:
                for attempt in range(19):
                    if stop.is_set():
                        break
                    name = f'spray{number}x{page}x{attempt}' if spray else USERNAMES[number % len(USERNAMES)]
                    frames.clear()
                    for (element_id, listener_id), value in ((user, name), (secret, f'wrong {attempt}')):
                        await tab.emit('event', {'id': element_id, 'client_id': tab.client_id,
                                                 'listener_id': listener_id, 'args': [json.dumps(value)]})
                    await tab.emit('event', {'id': button[0], 'client_id': tab.client_id, 'listener_id': button[1],
                                             'args': []})
                    deadline = time.monotonic() + 30
                    while not answers.note(frames) and time.monotonic() < deadline:
                        await asyncio.sleep(0.005)
            finally:
                await tab.close()


def report(results: dict[str, dict], *, attackers: int, rounds: int) -> None:
    quiet = _percentiles(results['quiet']['times'])
    print(f'GET /login as another person, 20 a second; {attackers} attacking clients in the flood and the spray; '
          f'{rounds} round(s) of quiet, flood, quiet, spray')
    print(f'{"phase":<8}{"requests":>10}{"p50 ms":>10}{"p95 ms":>10}{"p95 / quiet":>14}  attempts answered')
    for phase, result in results.items():
        p50, p95 = _percentiles(result['times'])
        answered = ', '.join(f'{count} {kind}' for kind, count in sorted(result['answers'].items())) or '-'
        print(f'{phase:<8}{len(result["times"]):>10}{p50 * 1000:>10.1f}{p95 * 1000:>10.1f}{p95 / quiet[1]:>13.2f}x'
              f'  {answered}')
    ratio = _percentiles(results['flood']['times'])[1] / quiet[1]
    print(f'flood: p95 {ratio:.2f}x the quiet p95, target at most {TARGET:.2f}x: '
          f'{"met" if ratio <= TARGET else "NOT met"}')


async def wait_until_serving(url: str, server: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f'the server exited with {server.returncode}:\n{log.read_text()}')
            try:
                async with session.get(f'{url}/login') as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f'the server did not start within {timeout} s:\n{log.read_text()}')


def _listener(elements: dict, label: str, event: str) -> tuple[int, str]:
    for element_id, element in elements.items():
        if element.get('props', {}).get('label') == label:
            return int(element_id), next(e['listener_id'] for e in element.get('events', []) if e['type'] == event)
    raise AssertionError(f'no {label!r} element on the login page')


def _percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=20)
    return statistics.median(times), cuts[18]


if __name__ == '__main__':
    asyncio.run(main())
