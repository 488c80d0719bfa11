"""DeskQuest's composition root: builds the clock, the services and the pages, then serves them (or rebuilds)."""
import asyncio
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from nicegui import app, ui
from tortoise import Tortoise

from services.container import IncompatibleDatabase, Services, build, check_database, open_database
from simulation.demo import DEMO_PASSWORD, LEAD, TEAMS
from services.game.rebuild import differences, overwrite, replay
from services.domain.events import Channel
from services.platform import collector
from services.platform.settings import Settings, parse
from simulation import core
from simulation.report import describe, report
from ui import pages

log = logging.getLogger('deskquest')
ASSETS = Path(__file__).parent / 'assets'


def serve(settings: Settings) -> None:
    services = build(settings)
    app.state.services = services  # lets tests driving the app reach the services it built
    install_lifespan(services)
    pages.register(services)
    collector.install(app)  # after the lifespan above: the collector is tuned once the services run
    app.add_static_files('/assets', ASSETS)
    try:
        ui.run(host=settings.host, port=settings.port, title='DeskQuest', favicon=ASSETS / 'logo.svg',
               storage_secret=settings.storage_secret, reload=False, show=False, show_welcome_message=False,
               # every socket compressing its own copy of each small update cost CPU, latency and ~0.3 MB per open
               # tab (docs/PERFORMANCE.md); the page itself is still gzipped over HTTP
               ws_per_message_deflate=False)
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown has already run
        pass


def install_lifespan(services: Services) -> None:
    """Start and stop the services inside the app's lifespan (async ``on_startup`` handlers are not awaited).

    NiceGUI's test fixtures run this file once per test, so the original lifespan is kept and wrapped afresh each time
    instead of stacking one wrapper per run.
    """
    router = app.router
    original = getattr(router, 'deskquest_original_lifespan', router.lifespan_context)
    router.deskquest_original_lifespan = original
    users = 0  # the test fixtures may enter the lifespan again while it runs: start and stop only once

    @asynccontextmanager
    async def lifespan(application) -> AsyncIterator:
        nonlocal users
        async with original(application) as state:  # NiceGUI first: the services need its event loop
            users += 1
            if users == 1:
                await services.start()
                announce(services.settings)
            try:
                yield state
            finally:
                users -= 1
                if users == 0:
                    await services.stop()
                    log.info('DeskQuest stopped cleanly')
    router.lifespan_context = lifespan


def announce(settings: Settings) -> None:
    if 'pytest' in sys.modules:
        return
    print(f'\nDeskQuest is running on http://{settings.host}:{settings.port}  (database: {settings.db_url})', flush=True)
    if settings.demo:
        agents = ', '.join(username for members in TEAMS.values() for username, _, _ in members)
        print(f'Demo accounts, password "{DEMO_PASSWORD}": lead "{LEAD[0]}"; agents {agents}', flush=True)
        print(f'Simulator: {"running at " + format(settings.sim_speed, "g") + "x" if settings.simulator else "off"}. '
              'Wall screen: /kiosk. Stop with Ctrl-C.\n', flush=True)


async def rebuild(settings: Settings) -> int:
    """Recompute every projection from the event log; with --check compare only and fail on any difference."""
    await open_database(settings.db_url)
    try:
        rebuilt = await replay()
        lines = await differences(rebuilt)
        print(f'replayed {rebuilt.events} events for {len(rebuilt.metrics)} agents')
        for line in lines:
            print(line)
        if settings.check:
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


def simulate(settings: Settings) -> int:
    """Simulate a floor headless (no server, no database) and print its figures; with --json only one JSON object."""
    run = settings.simulate
    try:
        config = core.RunConfig(agents=run.agents, arrivals_per_hour=run.arrival_rate, mean_handle_seconds=run.aht,
                                patience_seconds=run.patience, channels=tuple(Channel(name) for name in run.channels),
                                hours=run.hours, sl_target_seconds=run.sl_target, seed=settings.seed,
                                scenario=settings.scenario)
        config.traffic()  # checks the rates before anything runs
    except ValueError as error:
        print(f'simulate: {error}', file=sys.stderr)
        return 2
    document = report(core.simulate(config))
    print(json.dumps(document, ensure_ascii=False) if run.json else describe(document), flush=True)
    return 0


if __name__ == '__main__':
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    # NiceGUI's test fixtures execute this file inside their event loop, with pytest's own arguments
    simulated = bool(os.environ.get('NICEGUI_USER_SIMULATION'))
    settings = parse([] if simulated else sys.argv[1:])
    try:
        if settings.command == 'rebuild':
            sys.exit(asyncio.run(rebuild(settings)))
        if settings.command == 'simulate':
            sys.exit(simulate(settings))
        if not simulated:
            asyncio.run(check_database(settings.db_url))  # report an unusable database before serving
        serve(settings)
    except IncompatibleDatabase as error:
        sys.exit(f'DeskQuest cannot use this database: {error}')
