"""The lock files keep up with pyproject.toml: every dependency pinned with hashes, and the run lock the same versions
as the tested one. A dependency added without `bash .ci/lock` fails here, not on a deployment."""
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text())
PIN = re.compile(r'^([A-Za-z0-9._-]+)==(\S+?)(?: ;.*?)? \\$')


def pins(lock: str) -> dict[str, set[str]]:
    """Package name to the versions pinned (one per environment marker), each line checked to carry hashes."""
    text = (ROOT / lock).read_text()
    pinned: dict[str, set[str]] = {}
    for entry in re.split(r'\n(?=[A-Za-z0-9])', text):
        first = entry.splitlines()[0]
        if first.startswith('#'):
            continue
        match = PIN.match(first)
        assert match, f'{lock}: not an exact pin: {first}'
        assert '--hash=sha256:' in entry, f'{lock}: {first} has no hash'
        pinned.setdefault(canonicalize_name(match[1]), set()).add(match[2])
    return pinned


@pytest.mark.parametrize('lock, requirements', [
    ('requirements.lock', PYPROJECT['project']['dependencies'] + PYPROJECT['build-system']['requires']),
    ('requirements-test.lock', PYPROJECT['project']['dependencies'] + PYPROJECT['build-system']['requires']
     + PYPROJECT['project']['optional-dependencies']['test']),
])
def test_every_dependency_is_pinned_within_its_range(lock: str, requirements: list[str]) -> None:
    pinned = pins(lock)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f'{requirement} is not in {lock}: run bash .ci/lock'
        assert all(requirement.specifier.contains(version) for version in pinned[name]), \
            f'{lock} pins {name} {pinned[name]}, outside {requirement.specifier}: run bash .ci/lock'


def test_the_run_lock_is_the_tested_versions() -> None:
    run, tested = pins('requirements.lock'), pins('requirements-test.lock')
    assert {name: versions for name, versions in run.items() if tested.get(name) != versions} == {}
