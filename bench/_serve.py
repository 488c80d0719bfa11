"""Start the app of the current directory as ``python main.py`` does, plus the benchmark hooks of ``bench/hooks.py``.

Run by the benchmarks with the checkout under test as the working directory (this one, or a baseline exported from
git). ``--hooks PATH`` loads the hooks from a file (the baseline has none of its own); ``--no-tuning`` installs only the
measuring hooks and leaves the garbage collector at CPython's defaults, as the baseline ran. Every other argument goes
to ``main.py``'s own parser.
"""
import argparse
import importlib.util
import logging
import os
import sys
from pathlib import Path
from types import ModuleType

sys.path.insert(0, os.getcwd())  # the checkout under test, not bench/
HOOKS = Path(__file__).with_name('hooks.py')


def load_hooks(path: str | None) -> ModuleType:
    spec = importlib.util.spec_from_file_location('deskquest_bench_hooks', path or HOOKS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--hooks', help='load the hooks from this file instead of bench/hooks.py')
    parser.add_argument('--no-tuning', action='store_true', help='measure only; keep the default garbage collector')
    parser.add_argument('--no-deflate', action='store_true',
                        help="answer browsers without permessage-deflate (as main.py does since it was measured; for "
                             "the baseline)")
    args, rest = parser.parse_known_args()
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    os.environ['DESKQUEST_BENCH'] = '1'
    hooks = load_hooks(args.hooks)

    import main as app_main  # the checkout's composition root
    from nicegui import app
    from services.platform.settings import parse

    register_pages = app_main.pages.register

    if args.no_tuning:
        os.environ['DESKQUEST_GC'] = 'off'  # CPython's default collector, as the baseline ran

    def register(services) -> None:  # main.serve() registers the pages once the services are built
        register_pages(services)
        hooks.install(app, services)  # for a checkout whose main.py installs them too, that second call does nothing

    app_main.pages.register = register
    if args.no_deflate:
        from nicegui import ui
        run = ui.run
        ui.run = lambda *run_args, **kwargs: run(*run_args, **{**kwargs, 'ws_per_message_deflate': False})
    app_main.serve(parse(rest))


if __name__ == '__main__':
    assert Path('main.py').exists(), 'run from the checkout under test'
    main()
