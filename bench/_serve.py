"""Start the app of the current directory as ``python main.py`` does, plus the benchmark hooks of ``bench/hooks.py``.

Run by the benchmarks with the checkout under test as the working directory (this one, or a baseline exported from
git). The checkout runs as it ships, its own collector policy included (``DESKQUEST_GC=off`` in the environment keeps
CPython's defaults); the hooks are this checkout's, whatever the checkout under test, so every variant is measured by
the same instruments. ``--hooks PATH`` loads them from another file. Every other argument goes to ``main.py``'s own
parser.
"""
import argparse
import importlib.util
import logging
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, os.getcwd())  # the checkout under test, not bench/
HOOKS = Path(__file__).with_name('hooks.py')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--hooks', type=Path, default=HOOKS,
                        help='load the hooks from this file (default: %(default)s)')
    parser.add_argument('--output', type=Path,
                        help='the only directory the hooks write files to (profiles); default: a new temporary one')
    parser.add_argument('--no-deflate', action='store_true',
                        help="answer browsers without permessage-deflate (as main.py does since it was measured; for "
                             "the baseline)")
    args, rest = parser.parse_known_args()
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    hooks = load_hooks(args.hooks)
    output = args.output or Path(tempfile.mkdtemp(prefix='deskquest-bench-output-'))

    from _checkout import serve_settings
    from nicegui import app, ui

    import main as app_main  # the checkout's composition root

    register_pages = app_main.pages.register
    built: list[Any] = []

    def register(services: Any, **kwargs: Any) -> None:  # main.serve() registers the pages once the services are built
        register_pages(services, **kwargs)
        built.append(services)

    run = ui.run

    def run_with_hooks(*run_args: Any, **kwargs: Any) -> None:
        # installed when main.serve() has set up everything else: its collector policy starts before the stall monitor
        hooks.install(app, built[-1], output=output)
        if args.no_deflate:
            kwargs['ws_per_message_deflate'] = False
        run(*run_args, **kwargs)

    app_main.pages.register = register
    ui.run = run_with_hooks
    app_main.serve(serve_settings(rest))


def load_hooks(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location('deskquest_bench_hooks', path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == '__main__':
    assert Path('main.py').exists(), 'run from the checkout under test'
    main()
