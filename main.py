"""DeskQuest's composition root: builds the clock, the services and the pages, then serves them (or rebuilds)."""
import argparse
import asyncio
import getpass
import json
import logging
import os
import secrets
import sys
from argparse import SUPPRESS
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from nicegui import app, ui
from pydantic import SecretStr
from tortoise import Tortoise

from services.container import Services, build
from services.domain.connectors.setup import setup_steps
from services.domain.errors import ActionError
from services.domain.events import Channel
from services.domain.i18n import set_floor_timezone
from services.domain.whatif import MAX_DAYS, RulesError, WhatIf, rules_as_document, rules_from_document
from services.game.rebuild import backfill_analytics, differences, overwrite, replay
from services.game.whatif import Preview, live_rules, log_now
from services.platform import collector
from services.platform.accounts import create_account
from services.platform.api_tokens import ApiTokenService
from services.platform.catalogs import compile_catalogs
from services.platform.clock import AcceleratedClock, SystemClock
from services.platform.database import (
    IncompatibleDatabase,
    Pending,
    check_database,
    claim_sqlite_database,
    open_database,
    pending_migrations,
)
from services.platform.directory import Directory
from services.platform.event_log import GameService
from services.platform.settings import (
    CONFIG_ENV,
    DEFAULT_DB_URL,
    NEGATED,
    Configuration,
    ConfigurationError,
    Settings,
    load,
    masked_url,
)
from simulation import core
from simulation.demo import DEMO_PASSWORD, LEAD, TEAMS, start_demo
from simulation.report import describe, report
from simulation.simulator import MAX_SPEED, MIN_SPEED, Simulator, simulator_for
from simulation.traffic import DEMO_ARRIVALS_PER_AGENT_HOUR, DEMO_HANDLE_SECONDS, PERSONAS, SCENARIOS
from ui import api, http_security, pages, webhooks
from ui.session import SessionRecall

log = logging.getLogger('deskquest')
ASSETS = Path(__file__).parent / 'assets'
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
    personas: tuple[str, ...] = ()  # adversarial styles on the floor (issue 18), one agent each


@dataclass(frozen=True, kw_only=True, slots=True)
class NewAccount:
    """``python main.py admin create``: the account to create (the password is asked for, never an option)."""
    username: str
    role: str
    display_name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TokenCommand:
    """``python main.py token create|list|revoke``: REST API tokens (issue 14)."""
    action: str  # create | list | revoke
    name: str = ''
    scope: str = ''
    token_id: int | None = None
    json: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class NewConnectionRequest:
    """``python main.py connect KIND --name NAME [--secret S]`` (issue 14); ``listing``: ``connect --list``."""
    kind: str | None
    name: str
    secret: str | None
    signed: bool
    listing: bool
    json: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class CommandLine:
    command: str  # serve | rebuild | simulate | admin | migrate | token
    check: bool  # rebuild --check, migrate --check
    settings: Settings
    simulate: SimulateSettings
    account: NewAccount | None = None  # admin create
    token: TokenCommand | None = None  # token create | list | revoke
    configuration: Configuration | None = None  # the settings with their sources, for --show-config
    show_config: bool = False  # print the configuration and exit
    connection: NewConnectionRequest | None = None  # connect
    whatif: 'WhatIfCommand | None' = None  # rules export, whatif


@dataclass(frozen=True, kw_only=True, slots=True)
class WhatIfCommand:
    """``python main.py rules export`` (``rules`` None) or ``whatif --rules FILE --days N [--json]`` (issue 18)."""
    rules: str | None
    days: int
    json: bool


def serve(settings: Settings) -> None:
    """Serve the app: on the wall clock in production, on the demo floor with its simulator otherwise."""
    simulator: Simulator | None = None
    compile_catalogs()  # the translations' .mo files, from the .po files a clone holds (issue 16)
    ephemeral_secret = not settings.storage_secret.get_secret_value()  # the banner says what that means
    settings = with_storage_secret(settings)  # the sessions' secret, and the key of the helpdesks' signing secrets
    if settings.demo:  # the demo floor, on a clock its simulator accelerates
        clock = AcceleratedClock()
        services = build(settings, clock=clock)
        simulator = simulator_for(services, clock=clock, pace=clock, seed=settings.seed, speed=settings.sim_speed,
                                  scenario=settings.scenario)
    else:
        services = build(settings, clock=SystemClock())
    app.state.services = services  # lets tests driving the app reach the services it built
    app.state.simulator = simulator
    install_lifespan(services, simulator, ephemeral_secret=ephemeral_secret)
    pages.register(services, simulator=simulator)
    api_mount = api.mount(app, services)  # the REST API v1 at /api, with its own OpenAPI document and docs (issue 14)
    collector.install(app)  # after the lifespan above: the collector is tuned once the services run
    app.add_static_files('/assets', ASSETS)
    # several processes (issue 17): each page's websocket names the process holding the page, for the proxy to route it
    # there (deploy/nginx.conf), and a login another process started is taken from the database before a page is built
    app.config.socket_io_js_query_params['dq_process'] = settings.process
    app.add_middleware(SessionRecall, sessions=services.sessions)
    # security headers on every response, the websocket's allowed origins; the helpdesks' webhooks and the REST API
    # answered before NiceGUI's session and page middlewares (ui/webhooks.py says why)
    http_security.install(app, settings, before_middleware={webhooks.PREFIX: webhooks.asgi_app(services),
                                                            api.PREFIX: api_mount})
    try:
        ui.run(host=settings.host, port=settings.port, title='DeskQuest', favicon=ASSETS / 'logo.svg',
               storage_secret=settings.storage_secret.get_secret_value(),
               session_middleware_kwargs=http_security.session_cookie(settings), reload=False, show=False,
               show_welcome_message=False,
               # every socket compressing its own copy of each small update cost CPU, latency and ~0.3 MB per open
               # tab (docs/PERFORMANCE.md); the page itself is still gzipped over HTTP
               ws_per_message_deflate=False,
               # uvicorn takes the client's address and scheme from these proxies' X-Forwarded-* headers only
               forwarded_allow_ips=','.join(settings.trusted_proxies))
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown has already run
        pass


def install_lifespan(services: Services, simulator: Simulator | None, *, ephemeral_secret: bool = False) -> None:
    """Start and stop the services inside the app's lifespan (async ``on_startup`` handlers are not awaited).

    NiceGUI's test fixtures run this file once per test, so the original lifespan is kept and wrapped afresh each time
    instead of stacking one wrapper per run.
    """
    router = app.router
    original = getattr(router, 'deskquest_original_lifespan', router.lifespan_context)
    router.deskquest_original_lifespan = original
    running: dict[str, Any] = {}  # NiceGUI's state while the app runs

    @asynccontextmanager
    async def lifespan(application) -> AsyncIterator:
        if running:  # NiceGUI's create_user fixture enters again while the app runs: it shares the running app, and
            yield running['state']  # its exit must not shut NiceGUI down (that cancels the services' background work)
            return
        async with original(application) as state:  # NiceGUI first: the services need its event loop
            running['state'] = state
            await start(services, simulator)
            announce(services.settings, ephemeral_secret=ephemeral_secret)
            try:
                yield state
            finally:
                if simulator is not None:
                    await simulator.stop()
                await services.stop()
                running.clear()
                log.info('DeskQuest stopped cleanly')
    router.lifespan_context = lifespan


async def start(services: Services, simulator: Simulator | None) -> None:
    """Open and load, seed the demo floor in demo mode, then start the periodic checks and the simulator."""
    if simulator is None:
        await services.start()
    else:  # the demo: its floor, on the clock the simulator accelerates
        await start_demo(services, quests=services.settings.simulator, clock=simulator.pace)
    services.scheduler.start()
    if simulator is not None and services.settings.simulator:
        simulator.start()


def announce(settings: Settings, *, ephemeral_secret: bool) -> None:
    if 'pytest' in sys.modules:
        return
    print(f'\nDeskQuest is running on http://{settings.host}:{settings.port}  '
          f'(database: {masked_url(settings.db_url)})', flush=True)
    if ephemeral_secret:
        print('No DESKQUEST_STORAGE_SECRET: this run signs sessions with a random secret it keeps in memory only, so '
              'logins do not survive a restart (and connected helpdesks\' secrets must be entered again).', flush=True)
    if settings.demo:
        agents = ', '.join(username for members in TEAMS.values() for username, _, _ in members)
        print(f'Demo accounts, password "{DEMO_PASSWORD}": lead "{LEAD[0]}"; agents {agents}', flush=True)
        print(f'Simulator: {"running at " + format(settings.sim_speed, "g") + "x" if settings.simulator else "off"}. '
              'Wall screen: /kiosk. Stop with Ctrl-C.\n', flush=True)


async def rebuild(settings: Settings, *, check: bool) -> int:
    """Recompute every projection from the event log; with --check compare only and fail on any difference."""
    await open_database(settings.db_url)
    try:
        rebuilt = await replay()
        lines = await differences(rebuilt)
        print(f'replayed {rebuilt.events} events for {len(rebuilt.metrics)} agents')
        for line in lines:
            print(line)
        if check:
            print('OK: the stored projections match the event log' if not lines else
                  f'FAILED: {len(lines)} difference(s) between the stored projections and the event log')
            return 1 if lines else 0
        if lines:
            await overwrite(rebuilt)
            print(f'rewrote the projections ({len(lines)} difference(s) repaired)')
        else:
            print('nothing to repair')
        return 0
    finally:
        await Tortoise.close_connections()


async def migrate(settings: Settings, *, check: bool) -> int:
    """Apply the migrations the database lacks (serving does too, at start); with --check only list them and exit 1
    if there are any."""
    try:
        if check:
            pending = await pending_migrations(settings.db_url)
            print_migrations(pending, 'pending')
            print(f'{len(pending.migrations)} migration(s) pending' if pending.migrations else
                  f'OK: {masked_url(settings.db_url)} is up to date')
            return 1 if pending.migrations else 0
        applied = await open_database(settings.db_url)
        print_migrations(applied, 'applied')
        if await backfill_analytics():  # as serving would at start: the upgrade is whole when this returns
            print('filled: the analytics\' daily aggregates, from the event log')
        print(f'{masked_url(settings.db_url)} is up to date' + (f' ({len(applied.migrations)} migration(s) applied)'
                                                                if applied.migrations else ''))
        return 0
    finally:
        await Tortoise.close_connections()


def print_migrations(migrations: Pending, done: str) -> None:
    for name in migrations.migrations:
        print(f'{done}: {name}' + (' (its tables exist, made by the release before migrations: recorded, not run)'
                                   if name == migrations.adopted else ''))


async def create_admin_account(settings: Settings, account: NewAccount) -> int:
    """Create an account (the first lead of a real deployment) with a password read from the terminal or stdin."""
    password = read_password()
    if password is None:
        return 1
    await open_database(settings.db_url)
    try:
        created = await create_account(PasswordHasher(memory_cost=settings.argon2_memory_kib),
                                       username=account.username, display_name=account.display_name,
                                       role=account.role, password=password)
    except ActionError as refusal:
        print(f'admin create: {refusal} Nothing was created.', file=sys.stderr)
        return 1
    finally:
        await Tortoise.close_connections()
    print(f'created {created.role} {created.username!r} ({created.display_name}, #{created.id}) in '
          f'{masked_url(settings.db_url)}; it can log in at once, a running DeskQuest included')
    return 0


async def manage_tokens(settings: Settings, command: TokenCommand) -> int:
    """Create (printing the token once), list or revoke REST API tokens in the database; a running server honours the
    change at its next request. The command line records no event: the event log has one writer, the server."""
    await open_database(settings.db_url)
    tokens = ApiTokenService(clock=SystemClock(), game=GameService(clock=SystemClock()), directory=Directory())
    try:
        await tokens.directory.load()
        if command.action == 'create':
            created = await tokens.create_for(name=command.name, scope=command.scope, lead=None)
            view = created.view
            if command.json:
                print(json.dumps({'id': view.id, 'name': view.name, 'scope': view.scope.value, 'token': created.token,
                                  'prefix': view.prefix, 'created_at': view.created_at.isoformat()}))
            else:
                print(f'created {view.scope.value} token #{view.id} {view.name!r}; it is shown this once, keep it '
                      f'safe:\n{created.token}')
        elif command.action == 'revoke':
            assert command.token_id is not None
            view = await tokens.revoke_for(command.token_id, lead=None)
            print(f'revoked token #{view.id} {view.name!r} ({view.prefix}…)')
        else:
            views = await tokens.tokens()
            if command.json:
                print(json.dumps([{'id': v.id, 'name': v.name, 'scope': v.scope.value, 'prefix': v.prefix,
                                   'created_by': v.created_by, 'created_at': v.created_at.isoformat(),
                                   'last_used_at': v.last_used_at.isoformat() if v.last_used_at else None,
                                   'revoked_at': v.revoked_at.isoformat() if v.revoked_at else None} for v in views]))
            for v in [] if command.json else views:
                state = f'revoked {v.revoked_at:%Y-%m-%d %H:%M}' if v.revoked_at else \
                    f'last used {v.last_used_at:%Y-%m-%d %H:%M}' if v.last_used_at else 'never used'
                print(f'#{v.id}  {v.prefix}…  {v.scope.value:5}  {v.name}  (by {v.created_by}; {state})')
    except ActionError as refusal:
        print(f'token {command.action}: {refusal} Nothing was changed.', file=sys.stderr)
        return 1
    finally:
        await Tortoise.close_connections()
    return 0


async def connect(settings: Settings, request: NewConnectionRequest) -> int:
    """Connect a helpdesk from the command line and print its URL path and secret (once), or list the connections."""
    if not request.listing and not settings.storage_secret.get_secret_value():
        print('connect: set DESKQUEST_STORAGE_SECRET to the server\'s: the connection\'s secret is stored encrypted '
              'with a key derived from it. Nothing was created.', file=sys.stderr)
        return 2
    await open_database(settings.db_url)
    try:
        connections = build(settings, clock=SystemClock()).connections
        if request.listing:
            rows = await connections.all_connections()
            if request.json:
                print(json.dumps([{'id': c.id, 'kind': c.kind, 'name': c.name, 'url_path': c.url_path,
                                   'signed': c.signed, 'active': c.active, 'created_at': c.created_at.isoformat()}
                                  for c in rows], ensure_ascii=False))
            else:
                for c in rows:
                    print(f'#{c.id} {c.helpdesk} {c.name!r} {c.url_path}' + ('' if c.signed else ' (unsigned)')
                          + ('' if c.active else ' (switched off)'))
                if not rows:
                    print('no helpdesk is connected')
            return 0
        assert request.kind is not None
        try:
            new = await connections.connect(request.kind, request.name, secret=request.secret, signed=request.signed)
        except ActionError as refusal:
            print(f'connect: {refusal} Nothing was created.', file=sys.stderr)
            return 1
    finally:
        await Tortoise.close_connections()
    made = new.connection
    if request.json:
        print(json.dumps({'id': made.id, 'kind': made.kind, 'name': made.name, 'url_path': made.url_path,
                          'secret': new.secret, 'signed': made.signed}, ensure_ascii=False))
        return 0
    print(f'connected {made.helpdesk} {made.name!r} (#{made.id})\nwebhook URL path: {made.url_path}\n'
          f'secret (shown once): {new.secret}\n')
    url = f'https://YOUR-DESKQUEST-HOST{made.url_path}'
    for number, step in enumerate(setup_steps(made.kind, url=url, secret=new.secret, signed=made.signed), 1):
        print(f'{number}. {step}')
    return 0


def with_storage_secret(settings: Settings) -> Settings:
    """The settings with the secret that signs session cookies and keys the helpdesks' signing secrets: the configured
    one, else (the demo; parse() refuses --no-demo without one) a random one held in memory only, so the code never
    writes a secret to disk."""
    if settings.storage_secret.get_secret_value():
        return settings
    return settings.model_copy(update={'storage_secret': SecretStr(secrets.token_urlsafe(32))})


def read_password() -> str | None:
    """Twice from a terminal (not echoed), else one line from stdin; None (and why, on stderr) when unusable."""
    if sys.stdin.isatty():
        try:
            password = getpass.getpass('Password: ')
            if getpass.getpass('Password again: ') != password:
                print('admin create: the two passwords differ. Nothing was created.', file=sys.stderr)
                return None
        except (EOFError, KeyboardInterrupt):
            print('\nadmin create: no password given. Nothing was created.', file=sys.stderr)
            return None
        return password
    line = sys.stdin.readline()
    if not line:
        print('admin create: no password on standard input. Nothing was created.', file=sys.stderr)
        return None
    return line.removesuffix('\n').removesuffix('\r')


def simulate(settings: Settings, run: SimulateSettings) -> int:
    """Simulate a floor headless (no server, no database) and print its figures; with --json only one JSON object."""
    try:
        config = core.RunConfig(agents=run.agents, arrivals_per_hour=run.arrival_rate, mean_handle_seconds=run.aht,
                                patience_seconds=run.patience, channels=tuple(Channel(name) for name in run.channels),
                                hours=run.hours, sl_target_seconds=run.sl_target, seed=settings.seed,
                                scenario=settings.scenario, personas=run.personas)
        config.traffic()  # checks the rates before anything runs
    except ValueError as error:
        print(f'simulate: {error}', file=sys.stderr)
        return 2
    document = report(core.simulate(config))
    print(json.dumps(document, ensure_ascii=False) if run.json else describe(document), flush=True)
    return 0


async def preview_rules(settings: Settings, command: WhatIfCommand) -> int:
    """``rules export``: print the live rules as one JSON document. ``whatif``: replay the last days of the log under
    the rules of a file beside the live ones and print the difference; a bad file is one line on stderr, exit 2."""
    draft = None
    if command.rules is not None:
        try:
            draft = rules_from_document(json.loads(Path(command.rules).read_text(encoding='utf-8')))
        except OSError as error:
            print(f'whatif: cannot read {command.rules}: {error.strerror or error}', file=sys.stderr)
            return 2
        except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError and RulesError are ValueErrors
            reason = str(error) if isinstance(error, RulesError) else f'not JSON ({str(error).splitlines()[0]})'
            print(f'whatif: {command.rules}: {reason}', file=sys.stderr)
            return 2
    await open_database(settings.db_url)
    try:
        if draft is None:
            print(json.dumps(rules_as_document(await live_rules()), ensure_ascii=False, indent=2))
            return 0
        result = await Preview(draft, days=command.days, now=await log_now(SystemClock().now())).run(in_thread=False)
    finally:
        await Tortoise.close_connections()
    print(json.dumps(result.as_dict(), ensure_ascii=False) if command.json else describe_what_if(result), flush=True)
    return 0


def describe_what_if(result: WhatIf) -> str:
    """The preview as a table a person reads in a terminal."""
    def rank(ranks: dict[str, int | None], board: str) -> str:
        return '-' if ranks.get(board) is None else f'#{ranks[board]}'

    lines = [f'What-if over the last {result.days} days ({result.events} events since {result.since:%Y-%m-%d %H:%M} '
             'UTC): points, ranks (all time / month) and levels, live -> draft', '',
             f'{"agent":24} {"points":>17} {"quality":>15} {"speed":>15} {"productivity":>15} {"all time":>10} '
             f'{"month":>10} {"level":>7}']
    for agent in result.agents:
        domains = ' '.join(f'{agent.points_by_domain_before[d]:>6}->{agent.points_by_domain_after[d]:<7}'
                           for d in ('quality', 'speed', 'productivity'))
        lines.append(f'{agent.name[:24]:24} {agent.points_before:>7} -> {agent.points_after:<7} {domains} '
                     f'{rank(agent.rank_before, "all_time"):>4}->{rank(agent.rank_after, "all_time"):<4} '
                     f'{rank(agent.rank_before, "month"):>4}->{rank(agent.rank_after, "month"):<4} '
                     f'{agent.level_before:>2}->{agent.level_after:<2}')
    lines.append('')
    for change in result.badges:
        lines.append(f'badge {change["name"]}: gained by {", ".join(change["gained_by_names"]) or "nobody"}; '
                     f'lost by {", ".join(change["lost_by_names"]) or "nobody"}')
    for change in result.levels:
        lines.append(f'level: {change["name"]} {change["before"]} -> {change["after"]}')
    for change in result.quests:
        lines.append(f'quest {change["title"]} ({change["scope"]} {change["holder"]}): '
                     f'{"completed" if change["after"] else "not completed"} under the draft')
    if not (result.badges or result.levels or result.quests):
        lines.append('No badge, level or quest would change hands.')
    return '\n'.join(lines)


def parse(argv: list[str], env: dict[str, str] | None = None) -> CommandLine:
    """Read the command line over the configuration file and the environment; a flag wins over its variable, which wins
    over the file. A bad value ends the program with a one-line message per setting and exit status 2."""
    env = dict(os.environ if env is None else env)
    parser = argparse.ArgumentParser(prog='python main.py', description='DeskQuest: a gamified support workspace.')
    parser.add_argument('command', nargs='?', default='serve',
                        choices=['serve', 'rebuild', 'simulate', 'admin', 'migrate', 'token', 'connect', 'rules',
                                 'whatif'],
                        help='serve the app (default), rebuild the projections from the event log, simulate a '
                             'floor headless and print its figures, manage accounts (admin create) or REST API '
                             'tokens (token create|list|revoke), apply the database migrations (serve applies them '
                             'at start too), or connect a helpdesk (connect chatwoot|zendesk|freshdesk --name NAME, '
                             'connect --list), export the game\'s rules as JSON (rules export) or preview a draft of '
                             'them against the last days of the log (whatif --rules FILE --days N)')
    parser.add_argument('action', nargs='?', choices=['create', 'list', 'revoke', 'chatwoot', 'zendesk', 'freshdesk',
                                                      'export'],
                        help='with admin: create an account; with token: create, list or revoke API tokens; with '
                             'connect: the helpdesk; with rules: export')
    parser.add_argument('token_id', nargs='?', type=int, metavar='ID', help='with token revoke: the token\'s id')
    parser.add_argument('--check', action='store_true',
                        help='with rebuild: only compare, print differences, exit 1 on any; with migrate: only '
                             'list the pending migrations, exit 1 if any')
    parser.add_argument('--config', metavar='FILE',
                        help=f'a TOML file of settings (file keys as in --show-config; {CONFIG_ENV}); the environment '
                             'and the options override it')
    parser.add_argument('--show-config', action='store_true',
                        help='print the effective configuration, each setting with its source (secrets masked), and '
                             'exit without starting anything')
    # the settings' options default to SUPPRESS: only the flags given override the environment and the file
    parser.add_argument('--port', default=SUPPRESS, help='HTTP port (DESKQUEST_PORT, default 8080)')
    parser.add_argument('--host', default=SUPPRESS, help='interface to listen on (DESKQUEST_HOST, default 127.0.0.1)')
    parser.add_argument('--process-id', default=SUPPRESS,
                        help='this process\'s name for the reverse proxy\'s sticky routing: letters, digits, . _ - '
                             '(DESKQUEST_PROCESS_ID, default HOSTNAME-PORT)')
    parser.add_argument('--db-url', default=SUPPRESS,
                        help='sqlite://PATH or postgres://USER[:PASSWORD]@HOST:PORT/DB '
                             f'(DESKQUEST_DB_URL, default {DEFAULT_DB_URL})')
    parser.add_argument('--no-demo', dest='demo', action='store_const', const=False, default=SUPPRESS,
                        help='production mode: no demo floor, demo accounts cannot log in; needs '
                             'DESKQUEST_STORAGE_SECRET (DESKQUEST_NO_DEMO=1)')
    parser.add_argument('--no-simulator', dest='simulator', action='store_const', const=False, default=SUPPRESS,
                        help='do not start the traffic simulator (DESKQUEST_NO_SIMULATOR=1)')
    parser.add_argument('--sim-speed', default=SUPPRESS,
                        help='simulated seconds per real second (DESKQUEST_SIM_SPEED, default 60)')
    parser.add_argument('--seed', default=SUPPRESS, help='random seed of the simulator (DESKQUEST_SEED, default 1)')
    parser.add_argument('--scenario', choices=list(SCENARIOS), default=SUPPRESS,
                        help='the simulated traffic (DESKQUEST_SCENARIO; default normal in the app, steady for '
                             'simulate): ' + '; '.join(f'{s.name}: {s.description}' for s in SCENARIOS.values()))
    parser.add_argument('--https', action='store_const', const=True, default=SUPPRESS,
                        help='the app is served over HTTPS (itself or behind a proxy): Secure session cookie, HSTS, '
                             'https origins only (DESKQUEST_HTTPS=1)')
    parser.add_argument('--allowed-origins', default=SUPPRESS, metavar='ORIGINS',
                        help='comma-separated origins besides the app\'s own whose pages may open its websocket, e.g. '
                             'a reverse proxy\'s https://desk.example.com (DESKQUEST_ALLOWED_ORIGINS, default none)')
    parser.add_argument('--trusted-proxies', default=SUPPRESS, metavar='ADDRESSES',
                        help='comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For is '
                             'believed (DESKQUEST_TRUSTED_PROXIES, default 127.0.0.1)')
    parser.add_argument('--kiosk-frame-origins', default=SUPPRESS,
                        metavar='ORIGINS', help='comma-separated origins whose pages may embed /kiosk in a frame '
                                                '(DESKQUEST_KIOSK_FRAME_ORIGINS, default none)')
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
    run.add_argument('--personas', default='', metavar='STYLES',
                     help='comma-separated adversarial agents to put on the floor, one each, among --agents (default '
                          'scenario then: normal): ' + ', '.join(PERSONAS))
    accounts = parser.add_argument_group('admin create', 'create an account; the password is asked for twice on a '
                                         'terminal, else read as one line from standard input')
    accounts.add_argument('--username', help='the login name (lower case)')
    accounts.add_argument('--role', choices=['lead', 'agent'], help='lead (manages the floor) or agent')
    accounts.add_argument('--display-name', default='', help='the name others see (default: the username)')
    parser.add_argument('--name', help='with token create: what the token is for; with connect: the connection\'s '
                                       'name, e.g. "Support EU"')
    tokens = parser.add_argument_group('token', 'REST API tokens; create prints the token once (with --json: an object '
                                       'with id, name, scope and token)')
    tokens.add_argument('--scope', choices=['read', 'write'], help='with token create: read (every GET) or write '
                                                                   '(also POST /api/v1/events)')
    helpdesks = parser.add_argument_group('connect', 'connect a helpdesk\'s webhooks; prints the URL path and the '
                                          'secret once (--json: one object), or lists the connections (--list)')
    helpdesks.add_argument('--secret', help='a secret of your own (at least 16 characters; default: a random one)')
    helpdesks.add_argument('--unsigned', action='store_true',
                           help='an old Chatwoot (before 4.11.2) that signs nothing')
    helpdesks.add_argument('--list', action='store_true', help='list the connections')
    previews = parser.add_argument_group('whatif', 'replay the last days of the log under a draft of the rules, beside '
                                         'the live ones; writes nothing')
    previews.add_argument('--rules', metavar='FILE', help='the draft: a rules document, as "rules export" writes it')
    previews.add_argument('--days', type=int, default=30, help=f'the days replayed, 1 to {MAX_DAYS} (default 30)')
    args = parser.parse_args(argv)
    if args.action == 'export' and args.command != 'rules' or args.command == 'whatif' and args.action is not None:
        parser.error(f'{args.command} takes no action {args.action!r}')
    whatif_command = None
    account = None
    token = None
    connection = None
    if args.command == 'admin' and not args.show_config:
        if args.action != 'create':
            parser.error('admin takes an action: admin create --username NAME --role lead|agent')
        if not args.username or not args.role:
            parser.error('admin create needs --username NAME and --role lead|agent')
        account = NewAccount(username=args.username, role=args.role, display_name=args.display_name)
    elif args.command == 'token' and not args.show_config:
        if args.action is None:
            parser.error('token takes an action: token create --name N --scope read|write [--json], token list, '
                         'token revoke ID')
        if args.action == 'create' and (not args.name or not args.scope):
            parser.error('token create needs --name N and --scope read|write')
        if args.action == 'revoke' and args.token_id is None:
            parser.error('token revoke needs the token\'s ID (see token list)')
        token = TokenCommand(action=args.action, name=args.name or '', scope=args.scope or '',
                             token_id=args.token_id, json=args.json)
    elif args.command == 'connect' and not args.show_config:
        if args.list == (args.action is not None) or args.action not in (None, 'chatwoot', 'zendesk', 'freshdesk'):
            parser.error('connect takes a helpdesk and a name (connect chatwoot|zendesk|freshdesk --name NAME) or '
                         '--list')
        if args.action is not None and not args.name:
            parser.error('connect needs --name NAME')
        connection = NewConnectionRequest(kind=args.action, name=args.name or '', secret=args.secret,
                                          signed=not args.unsigned, listing=args.list, json=args.json)
    elif args.command == 'rules' and not args.show_config:
        if args.action != 'export':
            parser.error('rules takes an action: rules export > rules.json')
        whatif_command = WhatIfCommand(rules=None, days=args.days, json=True)
    elif args.command == 'whatif' and not args.show_config:
        if not args.rules:
            parser.error('whatif needs --rules FILE (a rules document, as "rules export" writes it)')
        if not 1 <= args.days <= MAX_DAYS:
            parser.error(f'--days takes 1 to {MAX_DAYS}')
        whatif_command = WhatIfCommand(rules=args.rules, days=args.days, json=args.json)
    elif args.action is not None and args.command not in ('admin', 'token', 'connect', 'rules'):
        parser.error(f'{args.command} takes no action {args.action!r}')
    channels = tuple(dict.fromkeys(name.strip() for names in args.channels for name in names.split(',')
                                   if name.strip()))
    if not channels or set(channels) - set(CHANNELS):
        parser.error(f'--channels takes some of: {", ".join(CHANNELS)}')
    if args.agents < 1:
        parser.error('--agents must be at least 1')
    personas = tuple(dict.fromkeys(name.strip() for name in args.personas.split(',') if name.strip()))  # one each
    if set(personas) - set(PERSONAS):
        parser.exit(2, f'{parser.prog}: unknown persona {next(n for n in personas if n not in PERSONAS)!r}; the '
                       f'personas: {", ".join(PERSONAS)}\n')
    flags = {name: value for name, value in vars(args).items() if name in Settings.model_fields}
    try:
        configuration = load(flags=flags, env=env, config_file=args.config, flag_names=FLAGS,
                             defaults={'scenario': 'normal' if personas else 'steady'} if args.command == 'simulate'
                             else {},
                             checks={'scenario': known_scenario, 'sim_speed': usable_speed})
    except ConfigurationError as error:
        parser.exit(2, ''.join(f'{parser.prog}: {line}\n' for line in str(error).splitlines()))
    settings = configuration.settings
    if args.command == 'serve' and not settings.demo and not settings.storage_secret.get_secret_value() \
            and not args.show_config:
        parser.exit(2, f'{parser.prog}: a real deployment (--no-demo) needs DESKQUEST_STORAGE_SECRET (or '
                       'storage_secret in the --config file): a long random string that signs the session cookies, '
                       'e.g. from: python -c "import secrets; print(secrets.token_urlsafe(32))"\n')
    simulate = SimulateSettings(
        agents=args.agents, aht=args.aht, patience=args.patience, channels=channels, hours=args.hours,
        arrival_rate=args.arrival_rate if args.arrival_rate is not None else DEMO_ARRIVALS_PER_AGENT_HOUR * args.agents,
        sl_target=args.sl_target, json=args.json, personas=personas)
    return CommandLine(command=args.command, check=args.check, settings=settings, simulate=simulate, account=account,
                       configuration=configuration, show_config=args.show_config, token=token,
                       connection=connection, whatif=whatif_command)


def show_config(configuration: Configuration) -> str:
    """``--show-config``: the configuration file, then one ``name = value (source)`` line per setting."""
    file = f'# configuration file: {configuration.file}' if configuration.file else \
        f'# no configuration file (--config FILE or {CONFIG_ENV})'
    return '\n'.join([file, *configuration.lines()])


FLAGS = {name: '--' + NEGATED.get(name, name).lower().replace('_', '-') for name in Settings.model_fields}


def known_scenario(name: str) -> None:
    if name not in SCENARIOS:
        raise ValueError(f'not a scenario; the scenarios: {", ".join(SCENARIOS)}')


def usable_speed(speed: float) -> None:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f'the speed must be between {MIN_SPEED:g} and {MAX_SPEED:g}')


if __name__ == '__main__':
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    # NiceGUI's test fixtures execute this file inside their event loop, with pytest's own arguments
    simulated = bool(os.environ.get('NICEGUI_USER_SIMULATION'))
    command_line = parse([] if simulated else sys.argv[1:])
    if command_line.show_config and command_line.configuration is not None:
        print(show_config(command_line.configuration), flush=True)
        sys.exit(0)
    # every command buckets the game's days in the floor's time zone, as the server does (a rebuild must match it)
    set_floor_timezone(command_line.settings.floor_timezone)
    try:
        if command_line.command == 'rebuild':
            if not command_line.check:  # a rebuild rewrites the projections a running server holds in memory
                claim_sqlite_database(command_line.settings.db_url, doing='rebuilding')
            sys.exit(asyncio.run(rebuild(command_line.settings, check=command_line.check)))
        if command_line.command == 'migrate':
            if not command_line.check:  # not under a running server: it reads the tables as they were at its start
                claim_sqlite_database(command_line.settings.db_url, doing='migrating')
            sys.exit(asyncio.run(migrate(command_line.settings, check=command_line.check)))
        if command_line.command == 'simulate':
            sys.exit(simulate(command_line.settings, command_line.simulate))
        if command_line.command == 'admin' and command_line.account is not None:
            sys.exit(asyncio.run(create_admin_account(command_line.settings, command_line.account)))
        if command_line.command == 'token' and command_line.token is not None:
            sys.exit(asyncio.run(manage_tokens(command_line.settings, command_line.token)))
        if command_line.command in ('rules', 'whatif') and command_line.whatif is not None:
            sys.exit(asyncio.run(preview_rules(command_line.settings, command_line.whatif)))
        if command_line.command == 'connect' and command_line.connection is not None:
            sys.exit(asyncio.run(connect(command_line.settings, command_line.connection)))
        if not simulated:
            claim_sqlite_database(command_line.settings.db_url)  # one server per SQLite file, claimed before migrating
            asyncio.run(check_database(command_line.settings.db_url))  # report an unusable database before serving
        serve(command_line.settings)
    except IncompatibleDatabase as error:
        sys.exit(f'DeskQuest cannot use this database: {error}')
