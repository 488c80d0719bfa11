"""Configuration: each command-line option has an environment variable of the same meaning."""
import argparse
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from simulation.traffic import SCENARIOS

DEFAULT_DB_URL = 'sqlite://data/deskquest.sqlite3'


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    command: str  # serve | rebuild
    check: bool
    port: int
    host: str
    db_url: str
    demo: bool
    simulator: bool
    sim_speed: float
    seed: int
    scenario: str  # the simulator's traffic: the app starts with it
    storage_secret: str
    argon2_memory_kib: int


def parse(argv: list[str], env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    parser = argparse.ArgumentParser(prog='python main.py', description='DeskQuest: a gamified support workspace.')
    parser.add_argument('command', nargs='?', default='serve', choices=['serve', 'rebuild'],
                        help='serve the app (default) or rebuild the projections from the event log')
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
    parser.add_argument('--scenario', choices=list(SCENARIOS), default=env.get('DESKQUEST_SCENARIO', 'normal'),
                        help='the simulated traffic (DESKQUEST_SCENARIO, default normal): '
                             + '; '.join(f'{s.name}: {s.description}' for s in SCENARIOS.values()))
    args = parser.parse_args(argv)
    demo = not args.no_demo
    return Settings(command=args.command, check=args.check, port=args.port, host=args.host, db_url=args.db_url,
                    demo=demo, simulator=demo and not args.no_simulator, sim_speed=args.sim_speed, seed=args.seed,
                    scenario=args.scenario, storage_secret=env.get('DESKQUEST_STORAGE_SECRET') or _stored_secret(args.db_url),
                    argon2_memory_kib=int(env.get('DESKQUEST_ARGON2_MEMORY_KIB', '65536')))


def sqlite_path(db_url: str) -> Path | None:
    if not db_url.startswith('sqlite://') or ':memory:' in db_url:
        return None
    return Path(db_url.removeprefix('sqlite://'))


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
