"""Crash harness: kill -9 the real server at random moments under load, restart it, and check what the kill left.

Usage: ``.venv/bin/python bench/crash_harness.py [--kills N] [--baseline REF] [--baseline-kills M] [--only VARIANT]
[--sim-speed S] [--senders K] [--pause P] [--run-seconds MIN MAX] [--seed S] [--json] [--keep]``.

Each variant (this checkout, and the baseline exported from git: main before issue 19's crash work) gets a fresh
SQLite file and, for every kill:

1. its server (``bench/_serve.py`` running ``main.py`` with the demo floor and its simulator at ``--sim-speed``, plus
   ``bench/_crash_hooks.py``) is started, deliveries left unacknowledged by the last kill are delivered again, and
   ``--senders`` threads post webhook-like deliveries (``POST /_bench/deliver``: an inbound e-mail, acknowledged with
   its conversation's id only after its commit) while the simulator works the floor;
2. after a random time (uniform in ``--run-seconds``) the server gets SIGKILL, whatever it is doing;
3. on the file the kill left: ``PRAGMA integrity_check`` must say ok, and every acknowledged delivery must be there,
   once, under the id it was acknowledged with;
4. the server is started again without the simulator: the time until it serves is the *restart time* (start-up
   recovery included); the unacknowledged deliveries are delivered again; it is stopped with SIGINT;
5. ``python main.py rebuild --check`` must be clean, and the acknowledged deliveries (the re-delivered ones too) are
   checked again.

A kill is *clean* when all of that holds. The figures printed: kills, clean kills, each check's count, acknowledged
deliveries, median restart time, and the first kill that was not clean with its first differences. Stdlib only (the
slow test runs it where the benchmark extras are not installed).
"""
import argparse
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVE = ROOT / 'bench' / '_serve.py'
HOOKS = ROOT / 'bench' / '_crash_hooks.py'
BASELINE_REF = '9a34e0b'  # main before this work: badge holders stored in a transaction after their event's
SUBJECT_PREFIX = 'Delivery '  # bench/_crash_hooks.py's DELIVERY_SUBJECT
START_TIMEOUT = 90.0
REQUEST_TIMEOUT = 30.0


@dataclass(kw_only=True, slots=True)
class Kill:
    """One kill and what the checks found."""
    number: int
    ran: float  # seconds of load before the kill
    acknowledged: int  # deliveries acknowledged so far (all rounds)
    integrity: str  # PRAGMA integrity_check on the file the kill left
    missing: list[str] = field(default_factory=list)  # acknowledged deliveries not found as acknowledged
    restart: float = 0.0  # seconds from starting the server again to its first answer
    rebuild: list[str] = field(default_factory=list)  # rebuild --check's differences after the restart

    @property
    def clean(self) -> bool:
        return self.integrity == 'ok' and not self.missing and not self.rebuild


@dataclass(kw_only=True, slots=True)
class Figures:
    variant: str
    kills: list[Kill]
    events: int  # in the log at the end
    badge_changes: int  # rows of the holders' history at the end
    seconds: float

    def summary(self) -> dict:
        kills = self.kills
        first = next((kill for kill in kills if not kill.clean), None)
        return {
            'variant': self.variant, 'kills': len(kills), 'clean': sum(kill.clean for kill in kills),
            'integrity_ok': sum(kill.integrity == 'ok' for kill in kills),
            'acknowledged_present': sum(not kill.missing for kill in kills),
            'rebuild_clean': sum(not kill.rebuild for kill in kills),
            # a rebuild difference stays until a repair: the kills whose check found one the kill before had not
            'damaging': sum(bool(set(kill.rebuild) - set(before.rebuild if before else ()))
                            for before, kill in zip([None, *kills], kills, strict=False)),
            'acknowledged': kills[-1].acknowledged if kills else 0,
            'median_restart_s': round(statistics.median(kill.restart for kill in kills), 2) if kills else None,
            'events': self.events, 'badge_history_rows': self.badge_changes, 'seconds': round(self.seconds, 1),
            'first_unclean': None if first is None else {'kill': first.number, 'integrity': first.integrity,
                                                         'missing': first.missing[:5], 'rebuild': first.rebuild[:5]},
        }


class Deliveries:
    """The webhook-like writes: tokens sent, those acknowledged (with their conversation id), those still owed."""

    def __init__(self) -> None:
        self.acknowledged: dict[str, int] = {}
        self.pending: set[str] = set()
        self._next = 0
        self._lock = threading.Lock()

    def new(self) -> str:
        with self._lock:
            self._next += 1
            token = f'd{self._next}'
            self.pending.add(token)
            return token

    def acknowledge(self, token: str, conversation_id: int) -> None:
        with self._lock:
            self.acknowledged[token] = conversation_id
            self.pending.discard(token)


class Harness:
    """Kills one variant's server ``kills`` times (see the module docstring)."""

    def __init__(self, *, variant: str, root: Path, workdir: Path, sim_speed: float, senders: int, pause: float,
                 run_seconds: tuple[float, float], rng: random.Random) -> None:
        self.variant = variant
        self.root = root
        self.workdir = workdir
        self.db_path = workdir / 'crash.sqlite3'
        self.db_url = f'sqlite://{self.db_path}'
        self.sim_speed = sim_speed
        self.senders = senders
        self.pause = pause
        self.run_seconds = run_seconds
        self.rng = rng
        self.deliveries = Deliveries()
        self.log = workdir / 'server.log'

    def run(self, kills: int, *, progress: bool = True) -> Figures:
        started = time.monotonic()
        results = []
        for number in range(1, kills + 1):
            kill = self.one_kill(number)
            results.append(kill)
            if progress:
                state = 'clean' if kill.clean else f'NOT CLEAN: {(kill.missing + kill.rebuild)[:2]}'
                print(f'  {self.variant} kill {number}/{kills}: after {kill.ran:.1f} s, restart {kill.restart:.2f} s, '
                      f'{kill.acknowledged} acknowledged, integrity {kill.integrity}, {state}', flush=True)
        with sqlite3.connect(self.db_path) as db:
            events = db.execute('SELECT COUNT(*) FROM event').fetchone()[0]
            changes = db.execute('SELECT COUNT(*) FROM badge_holding').fetchone()[0]
        return Figures(variant=self.variant, kills=results, events=events, badge_changes=changes,
                       seconds=time.monotonic() - started)

    def one_kill(self, number: int) -> Kill:
        server, port, _ = self.start(simulator=True)
        try:
            self.redeliver(port)
            ran = self.rng.uniform(*self.run_seconds)
            self.load_then_kill(server, port, ran)
        finally:
            if server.poll() is None:
                server.kill()
            server.wait()
        kill = Kill(number=number, ran=ran, acknowledged=len(self.deliveries.acknowledged),
                    integrity=integrity(self.db_path), missing=missing(self.db_path, self.deliveries.acknowledged))
        server, port, kill.restart = self.start(simulator=False)
        try:
            self.redeliver(port)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        kill.rebuild = rebuild_check(self.root, self.db_url, self.env())
        kill.missing += [line for line in missing(self.db_path, self.deliveries.acknowledged)
                         if line not in kill.missing]
        kill.acknowledged = len(self.deliveries.acknowledged)
        return kill

    def start(self, *, simulator: bool) -> tuple[subprocess.Popen, int, float]:
        """The variant's server on a free port; returns once it answers, with the seconds that took."""
        port = free_port()
        command = [sys.executable, str(SERVE), '--hooks', str(HOOKS), '--db-url', self.db_url, '--port', str(port),
                   '--sim-speed', f'{self.sim_speed:g}', '--output', str(self.workdir / 'output')]
        if not simulator:
            command.append('--no-simulator')
        started = time.monotonic()
        with self.log.open('a') as log:
            log.write(f'\n==== {" ".join(command)}\n')
            log.flush()
            server = subprocess.Popen(command, cwd=self.root, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)  # Ctrl-C on the harness reaches it only through us
        wait_until_serving(server, port, self.log)
        return server, port, time.monotonic() - started

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(('DESKQUEST_', 'NICEGUI_', 'PYTEST_'))}  # nothing leaks in from a test run
        env.update(DESKQUEST_ARGON2_MEMORY_KIB='1024', DESKQUEST_STORAGE_SECRET='crash harness', PYTHONUNBUFFERED='1',
                   NICEGUI_STORAGE_PATH=str(self.workdir / 'storage'))
        return env

    def redeliver(self, port: int) -> None:
        """Deliver again what got no answer before a kill, as a webhook sender retries (the same token)."""
        for token in sorted(self.deliveries.pending):
            self.deliveries.acknowledge(token, deliver(port, token))

    def load_then_kill(self, server: subprocess.Popen, port: int, seconds: float) -> None:
        stop = threading.Event()
        threads = [threading.Thread(target=self.send, args=(port, stop), daemon=True) for _ in range(self.senders)]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        server.send_signal(signal.SIGKILL)  # whatever it is doing: no handler, no flush, no goodbye
        stop.set()
        server.wait()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT)

    def send(self, port: int, stop: threading.Event) -> None:
        while not stop.is_set():
            token = self.deliveries.new()
            try:
                self.deliveries.acknowledge(token, deliver(port, token))
            except (OSError, http.client.HTTPException):
                if stop.is_set():
                    return  # killed: the token stays owed
            stop.wait(self.pause)


def deliver(port: int, token: str) -> int:
    """One delivery; its conversation id once the server has committed it (raises on anything else)."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request('POST', f'/_bench/deliver?token={token}')
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise http.client.HTTPException(f'{response.status}: {body[:200]!r}')
        return int(json.loads(body)['conversation_id'])
    finally:
        connection.close()


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return '; '.join(row[0] for row in db.execute('PRAGMA integrity_check'))


def missing(path: Path, acknowledged: dict[str, int]) -> list[str]:
    """Acknowledged deliveries that are not stored exactly once under the conversation id they were given."""
    stored: dict[str, list[int]] = {}
    with sqlite3.connect(path) as db:
        for conversation_id, subject in db.execute('SELECT id, subject FROM conversation WHERE subject LIKE ?',
                                                   (SUBJECT_PREFIX + '%',)):
            stored.setdefault(subject.removeprefix(SUBJECT_PREFIX), []).append(conversation_id)
    return [f'delivery {token}: acknowledged as conversation {conversation_id}, stored as {stored.get(token, [])}'
            for token, conversation_id in sorted(acknowledged.items()) if stored.get(token) != [conversation_id]]


def rebuild_check(root: Path, db_url: str, env: dict[str, str]) -> list[str]:
    """``python main.py rebuild --check``'s differences (none: clean); its output when it fails otherwise."""
    done = subprocess.run([sys.executable, 'main.py', 'rebuild', '--check', '--db-url', db_url], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line and not line.startswith(('replayed ', 'OK:', 'FAILED:'))]
    if done.returncode != 0 and not lines:
        lines = [f'rebuild --check exited with {done.returncode}: {(done.stdout + done.stderr)[-500:]}']
    return lines


def wait_until_serving(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f'the server exited with {server.returncode}; see {log}')
        try:
            with urllib.request.urlopen(f'http://127.0.0.1:{port}/_bench/stats', timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.05)
    server.kill()
    raise RuntimeError(f'the server did not answer within {START_TIMEOUT:g} s; see {log}')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def export(ref: str) -> Path:
    """The files of ``ref`` in a temporary directory (bench/_support.py's ``export`` needs the benchmark extras)."""
    target = Path(tempfile.mkdtemp(prefix=f'deskquest-{ref}-'))
    archive = subprocess.run(['git', 'archive', '--format=tar', ref], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter='data')
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--kills', type=int, default=100, help='kills of this checkout (default 100)')
    parser.add_argument('--baseline', default=BASELINE_REF,
                        help=f'git ref to compare with (default {BASELINE_REF}: main before the crash work); "" '
                             'skips it')
    parser.add_argument('--baseline-kills', type=int, default=20, help='kills of the baseline (default 20)')
    parser.add_argument('--only', choices=['current', 'baseline'], help='run one variant only')
    parser.add_argument('--sim-speed', type=float, default=3600, help='the simulator\'s speed (default 3600: a day in '
                                                                      '24 s, so midnights and quests come often)')
    parser.add_argument('--senders', type=int, default=2, help='threads posting deliveries at once (default 2)')
    parser.add_argument('--pause', type=float, default=0.02,
                        help='seconds each sender waits between deliveries (default 0.02)')
    parser.add_argument('--run-seconds', type=float, nargs=2, default=(0.5, 4.0), metavar=('MIN', 'MAX'),
                        help='load before each kill, uniform between MIN and MAX seconds (default 0.5 4)')
    parser.add_argument('--seed', type=int, default=19, help='seed of the kill times (default 19)')
    parser.add_argument('--json', action='store_true', help='print only one JSON object per variant')
    parser.add_argument('--keep', action='store_true', help='keep the databases and server logs')
    args = parser.parse_args()
    variants = []
    if args.only != 'baseline':
        variants.append(('current', ROOT, args.kills))
    if args.only != 'current' and args.baseline:
        variants.append((f'baseline {args.baseline}', export(args.baseline), args.baseline_kills))
    failed = False
    for name, root, kills in variants:
        workdir = Path(tempfile.mkdtemp(prefix='deskquest-crash-'))
        harness = Harness(variant=name, root=root, workdir=workdir, sim_speed=args.sim_speed, senders=args.senders,
                          pause=args.pause, run_seconds=tuple(args.run_seconds), rng=random.Random(args.seed))
        figures = harness.run(kills, progress=not args.json)
        summary = figures.summary()
        failed |= name == 'current' and summary['clean'] < summary['kills']
        if args.json:
            print(json.dumps(summary), flush=True)
        else:
            print(describe(summary), flush=True)
        if args.keep or summary['clean'] < summary['kills']:
            print(f'  (kept {workdir})' if not args.json else '', file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        if root != ROOT:
            shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if failed else 0)


def describe(summary: dict) -> str:
    lines = [f"{summary['variant']}: {summary['clean']} of {summary['kills']} kills clean "
             f"(integrity_check ok {summary['integrity_ok']}, every acknowledged delivery present "
             f"{summary['acknowledged_present']}, rebuild --check clean {summary['rebuild_clean']}; "
             f"kills that left a new difference {summary['damaging']}); "
             f"{summary['acknowledged']} deliveries acknowledged; median restart {summary['median_restart_s']} s; "
             f"{summary['events']} events, {summary['badge_history_rows']} badge history rows; "
             f"{summary['seconds']} s"]
    if summary['first_unclean']:
        first = summary['first_unclean']
        lines.append(f"  first kill not clean: #{first['kill']}: " + '; '.join(
            [f"integrity {first['integrity']}"] * (first['integrity'] != 'ok') + first['missing'] + first['rebuild']))
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
