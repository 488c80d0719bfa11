"""Configuration: each command-line option has an environment variable of the same meaning."""
import argparse
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from services.platform.database import sqlite_path
from simulation.traffic import DEMO_ARRIVALS_PER_AGENT_HOUR, DEMO_HANDLE_SECONDS, SCENARIOS

DEFAULT_DB_URL = 'sqlite://data/deskquest.sqlite3'
CHANNELS = ('email', 'chat', 'phone', 'social')


@dataclass(frozen=True, kw_only=True, slots=True)
class SimulateSettings:
    """One headless run of ``python main.py simulate``."""
    agents: int
    arrival_rate: float  # contacts per hour, averaged over a day
    aht: float  # mean handling time, seconds
    patience: float | None  # mean patience of chat and phone customers, seconds; None: nobody hangs up
    channels: tuple[str, ...]
    hours: float
    sl_target: float  # seconds
    json: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    command: str  # serve | rebuild | simulate
    check: bool
    port: int
    host: str
    db_url: str
    demo: bool
    simulator: bool
    sim_speed: float
    seed: int
    scenario: str  # the simulator's traffic: the app starts with it, a headless run uses it
    storage_secret: str
    argon2_memory_kib: int
    simulate: SimulateSettings


def parse(argv: list[str], env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    parser = argparse.ArgumentParser(prog='python main.py', description='DeskQuest: a gamified support workspace.')
    parser.add_argument('command', nargs='?', default='serve', choices=['serve', 'rebuild', 'simulate'],
                        help='serve the app (default), rebuild the projections from the event log, or simulate a '
                             'floor headless and print its figures')
    parser.add_argument('--check', action='store_true',
                        help='with rebuild: only compare, print differences, exit 1 on any')
    parser.add_argument('--port', type=int, default=int(env.get('DESKQUEST_PORT', '8080')),
                        help='HTTP port (DESKQUEST_PORT, default 8080)')
    parser.add_argument('--host', default=env.get('DESKQUEST_HOST', '127.0.0.1'),
                        help='interface to listen on (DESKQUEST_HOST, default 127.0.0.1)')
    parser.add_argument('--db-url', default=env.get('DESKQUEST_DB_URL', DEFAULT_DB_URL),
                        help=f'sqlite://PATH or postgres://USER@HOST:PORT/DB (DESKQUEST_DB_URL, default {DEFAULT_DB_URL})')
    parser.add_argument('--no-demo', action='store_true', default=_flag(env, 'DESKQUEST_NO_DEMO'),
                        help='production mode: no demo floor, demo accounts cannot log in (DESKQUEST_NO_DEMO=1)')
    parser.add_argument('--no-simulator', action='store_true', default=_flag(env, 'DESKQUEST_NO_SIMULATOR'),
                        help='do not start the traffic simulator (DESKQUEST_NO_SIMULATOR=1)')
    parser.add_argument('--sim-speed', type=float, default=float(env.get('DESKQUEST_SIM_SPEED', '60')),
                        help='simulated seconds per real second (DESKQUEST_SIM_SPEED, default 60)')
    parser.add_argument('--seed', type=int, default=int(env.get('DESKQUEST_SEED', '1')),
                        help='random seed of the simulator (DESKQUEST_SEED, default 1)')
    parser.add_argument('--scenario', choices=list(SCENARIOS), default=env.get('DESKQUEST_SCENARIO'),
                        help='the simulated traffic (DESKQUEST_SCENARIO; default normal in the app, steady for '
                             'simulate): ' + '; '.join(f'{s.name}: {s.description}' for s in SCENARIOS.values()))
    run = parser.add_argument_group('simulate', 'a headless run: no server, no database, figures on stdout')
    run.add_argument('--agents', type=int, default=12, help='agents on the floor (default 12)')
    run.add_argument('--arrival-rate', type=float, metavar='R',
                     help=f'contacts per hour, averaged over a day (default {DEMO_ARRIVALS_PER_AGENT_HOUR:g} per '
                          'agent)')
    run.add_argument('--aht', type=float, default=DEMO_HANDLE_SECONDS, metavar='S',
                     help=f'mean handling time in seconds (default {DEMO_HANDLE_SECONDS:g})')
    run.add_argument('--patience', type=float, metavar='P',
                     help='mean patience of chat and phone customers in seconds (default: nobody hangs up; on a '
                          'realistic day chat customers wait longer than callers)')
    run.add_argument('--channels', nargs='+', default=list(CHANNELS), metavar='CHANNEL',
                     help=f'channels with traffic, by name or comma-separated (default all: {" ".join(CHANNELS)})')
    run.add_argument('--hours', type=float, default=24.0, help='hours during which contacts arrive (default 24)')
    run.add_argument('--sl-target', type=float, default=float(env.get('DESKQUEST_SL_TARGET', '20')), metavar='T',
                     help='service-level target: answered within T seconds (DESKQUEST_SL_TARGET, default 20)')
    run.add_argument('--json', action='store_true', help='print one JSON object and nothing else on stdout')
    args = parser.parse_args(argv)
    channels = tuple(dict.fromkeys(name.strip() for names in args.channels for name in names.split(',')
                                   if name.strip()))
    if not channels or set(channels) - set(CHANNELS):
        parser.error(f'--channels takes some of: {", ".join(CHANNELS)}')
    if args.agents < 1:
        parser.error('--agents must be at least 1')
    demo = not args.no_demo
    simulate = SimulateSettings(
        agents=args.agents, aht=args.aht, patience=args.patience, channels=channels, hours=args.hours,
        arrival_rate=args.arrival_rate if args.arrival_rate is not None else DEMO_ARRIVALS_PER_AGENT_HOUR * args.agents,
        sl_target=args.sl_target, json=args.json)
    scenario = args.scenario or ('steady' if args.command == 'simulate' else 'normal')
    # a headless run needs no session secret: do not create one beside a database it never opens
    secret = env.get('DESKQUEST_STORAGE_SECRET') or ('' if args.command == 'simulate' else _stored_secret(args.db_url))
    return Settings(command=args.command, check=args.check, port=args.port, host=args.host, db_url=args.db_url,
                    demo=demo, simulator=demo and not args.no_simulator, sim_speed=args.sim_speed, seed=args.seed,
                    scenario=scenario, storage_secret=secret,
                    argon2_memory_kib=int(env.get('DESKQUEST_ARGON2_MEMORY_KIB', '65536')), simulate=simulate)


def _flag(env: dict[str, str], name: str) -> bool:
    return env.get(name, '').lower() in ('1', 'true', 'yes', 'on')


def _stored_secret(db_url: str) -> str:
    """A random session secret kept beside the SQLite file, so logins survive a restart."""
    path = sqlite_path(db_url)
    if path is None:
        return secrets.token_urlsafe(32)
    secret_file = path.parent / '.storage_secret'
    if not secret_file.exists():
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_urlsafe(32))
        secret_file.chmod(0o600)
    return secret_file.read_text().strip()
