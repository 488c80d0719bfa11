"""The checkout under test, whatever its layout: ``main.py``'s own ``parse`` and the demo started by
``simulation.demo.start_demo`` (now), the settings' ``parse`` in ``services/platform`` (the first layered commit), or
the flat ``services/`` of older baselines. Import it after the checkout is first on ``sys.path``."""
import importlib
from typing import Any

STORAGE_SECRET = 'bench'


def serve_settings(argv: list[str]) -> Any:
    """The settings the checkout's ``main.serve()`` takes, from its own command line."""
    main = importlib.import_module('main')
    if hasattr(main, 'CommandLine'):  # main.py parses its own command line (older ones import the settings' parse)
        return main.parse(argv).settings
    try:
        from services.platform.settings import parse
    except ModuleNotFoundError:
        from services.settings import parse  # type: ignore[no-redef]
    return parse(argv)


async def start_services(db_url: str, *, demo: bool, clock: Any = None) -> Any:
    """The checkout's services started on ``db_url`` (the simulator not running): on the demo floor, or on an empty
    floor; on ``clock`` (a manual clock: the caller moves time), or the demo's accelerated clock."""
    from services.container import build
    try:
        from services.platform.clock import AcceleratedClock
        from services.platform.settings import Settings
        from simulation.demo import start_demo
    except ImportError:  # before the composition root chose the clock and started the demo
        return await _start_before_the_root(build, db_url, demo=demo, clock=clock)
    settings = Settings(db_url=db_url, demo=demo, simulator=False, storage_secret=STORAGE_SECRET)
    accelerated = AcceleratedClock() if clock is None else None
    services = build(settings, clock=clock or accelerated)
    if demo:
        await start_demo(services, quests=False, clock=accelerated)
    else:
        await services.start()
    return services


async def _start_before_the_root(build: Any, db_url: str, *, demo: bool, clock: Any) -> Any:
    try:
        from services.platform.settings import parse
    except ModuleNotFoundError:
        from services.settings import parse  # type: ignore[no-redef]
    settings = parse(['--db-url', db_url, '--no-simulator' if demo else '--no-demo'],
                     env={'DESKQUEST_STORAGE_SECRET': STORAGE_SECRET})
    services = build(settings, clock=clock) if clock is not None else build(settings)
    await services.start()
    return services
