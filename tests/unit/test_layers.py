"""The layers, kept: which package may import which (docs/ARCHITECTURE.md draws them).

ui ──> services ──> models;  simulation ──> services;  inside services: container ──> game | helpdesk ──> platform
──> domain. A failure names the file, the line and the rule it breaks.
"""
import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = 'the domain is pure: no Tortoise, NiceGUI or models, and nothing of the layers above it'
# (package, what it must not import, why): a forbidden name also forbids everything below it (models.game, …)
RULES = [
    ('services.domain', ('tortoise', 'nicegui', 'fastapi', 'models', 'services.platform', 'services.game',
                         'services.helpdesk', 'services.container'), PURE),
    ('services.platform', ('services.game', 'services.helpdesk', 'services.container'),
     'the platform serves the game and the helpdesk and knows neither'),
    ('services.game', ('services.helpdesk', 'services.container'),
     "the game's and the helpdesk's services do not import each other; the container wires them"),
    ('services.helpdesk', ('services.game', 'services.container'),
     "the game's and the helpdesk's services do not import each other; the container wires them"),
    ('services', ('simulation', 'ui'), 'services import neither the simulation nor the pages: main.py wires them'),
    ('ui', ('models',), 'the pages get view dataclasses from services, never models'),
    ('models', ('services', 'simulation', 'ui'), 'the models are the bottom layer'),
]


def test_every_import_follows_the_layers() -> None:
    broken = [f'{path}:{line} imports {name}: {why}' for path, line, name, why in violations()]
    assert not broken, 'imports that break the layers:\n' + '\n'.join(broken)


def test_the_domain_has_no_async_code() -> None:
    found = [f'{path}:{node.lineno}: {type(node).__name__} in the domain ({PURE})'
             for path, tree in modules('services/domain') for node in ast.walk(tree)
             if isinstance(node, (ast.AsyncFunctionDef, ast.Await, ast.AsyncFor, ast.AsyncWith))]
    assert not found, '\n'.join(found)


@pytest.mark.parametrize('module', ['simulation.core', 'simulation.report', 'simulation.erlang', 'services.domain'])
def test_the_headless_core_loads_neither_nicegui_nor_tortoise(module: str) -> None:
    """``python main.py simulate`` and the pure rules run without the web framework or the ORM."""
    code = (f'import sys, {module}; '
            "loaded = sorted(name for name in ('nicegui', 'tortoise', 'models') if name in sys.modules); "
            'print(",".join(loaded))')
    result = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == '', f'importing {module} loads {result.stdout.strip()}'


def test_only_the_clock_asks_which_clock_it_is() -> None:
    """Code that asks ``isinstance(clock, AcceleratedClock)`` grows a second notion of time; the clock module answers
    it once (``wall_clock_for``)."""
    found = [f'{path}:{node.lineno}: isinstance(..., AcceleratedClock) outside services/platform/clock.py'
             for folder in ('services', 'ui', 'simulation')
             for path, tree in modules(folder) if path.as_posix() != 'services/platform/clock.py'
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'isinstance'
             and 'AcceleratedClock' in ast.unparse(node)]
    assert not found, '\n'.join(found)


def test_the_rules_see_every_layer() -> None:
    """The check is not vacuous: each layer has files and imports, and a made-up breach is caught."""
    for package in ('services/domain', 'services/platform', 'services/game', 'services/helpdesk', 'ui', 'models'):
        assert len(list(modules(package))) >= 3, package
    tree = ast.parse('from models import Agent\n')
    assert [name for _, name in imports(tree)] == ['models']
    assert breaks('ui.kiosk', 'models.game') and breaks('services.domain.badges', 'tortoise.fields')
    assert not breaks('services.game.badges', 'services.platform.event_log')
    assert not breaks('services.domain.scoring', 'services.domain.events')


def violations() -> Iterator[tuple[Path, int, str, str]]:
    for folder in ('services', 'ui', 'models', 'simulation'):
        for path, tree in modules(folder):
            module = '.'.join(path.with_suffix('').parts)
            for line, name in imports(tree):
                if why := breaks(module, name):
                    yield path, line, name, why


def breaks(module: str, imported: str) -> str | None:
    """Why ``module`` must not import ``imported``, or None when it may."""
    for package, forbidden, why in RULES:
        if within(module, package) and any(within(imported, name) for name in forbidden):
            return why
    return None


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + '.')


def modules(folder: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((ROOT / folder).rglob('*.py')):
        yield path.relative_to(ROOT), ast.parse(path.read_text(), filename=str(path))


def imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every import in the file, also inside functions and ``if TYPE_CHECKING`` (a layer's arrow is its arrow)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == 'services':  # from services import x: the submodule is what is imported
                for alias in node.names:
                    yield node.lineno, f'services.{alias.name}'
            else:
                yield node.lineno, node.module
