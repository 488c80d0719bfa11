"""The NiceGUI element-cycle fix (services/platform/element_cycles.py): it frees what it claims, NiceGUI still needs
it, and it is applied to exactly the NiceGUI versions it was checked on."""
import gc
import logging
import weakref
from collections.abc import Callable, Iterator

import nicegui
import pytest
from nicegui import Client, ui
from nicegui.element import Element
from nicegui.page import page

from services.platform.element_cycles import CHECKED, break_element_cycles, checked


@pytest.fixture
def client() -> Iterator[Client]:
    """A client of its own, without a server: elements need one to live in."""
    client = Client(page('/element-cycles'))
    try:
        yield client
    finally:
        client.delete()


@pytest.fixture
def unpatched(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """NiceGUI's own ``_handle_delete`` for the duration of a test (the patch is process-wide and stays on)."""
    assert break_element_cycles()
    monkeypatch.setattr(Element, '_handle_delete', Element._handle_delete.__wrapped__)
    return Element._handle_delete


def freed_by_reference_counting(client: Client) -> list[bool]:
    """Delete a label and tell, for its props, classes and style, whether they are gone without the collector."""
    with client.content:
        label = ui.label('short-lived')
    parts = [weakref.ref(part) for part in (label._props, label._classes, label._style)]
    gc.disable()  # only reference counting may free them
    try:
        label.delete()
        del label
        return [part() is None for part in parts]
    finally:
        gc.enable()


def test_the_installed_nicegui_is_a_version_the_fix_was_checked_on() -> None:
    assert checked(nicegui.__version__), (
        f'NiceGUI {nicegui.__version__} is outside CHECKED {CHECKED}, so the element-cycle fix is not applied: move '
        'the pin in services/platform/element_cycles.py, and keep it moved if the other tests of this file pass')


def test_a_deleted_element_is_freed_by_reference_counting(client: Client) -> None:
    assert break_element_cycles()
    assert Element._handle_delete.breaks_cycles
    assert freed_by_reference_counting(client) == [True, True, True]


def test_without_the_fix_nicegui_still_leaves_the_cycles(client: Client, unpatched: Callable[[], None]) -> None:
    """When this fails, NiceGUI frees deleted elements by itself: the fix can go."""
    assert freed_by_reference_counting(client) == [False, False, False]


def test_on_a_version_it_was_not_checked_on_nicegui_is_left_alone(monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture,
                                                                 unpatched: Callable[[], None]) -> None:
    monkeypatch.setattr(nicegui, '__version__', '4.0.0')
    with caplog.at_level(logging.WARNING, logger='services.platform.element_cycles'):
        assert not break_element_cycles()
    assert Element._handle_delete is unpatched
    assert 'NiceGUI 4.0.0 is not a version the element-cycle fix was checked on' in caplog.text


@pytest.mark.parametrize(('version', 'expected'), [('3.17.9', False), ('3.18.0', True), ('3.18', True),
                                                    ('3.19.0rc1', True), ('3.99.2', True), ('4.0.0', False),
                                                    ('4.0.0rc1', False), ('2.24.1', False)])
def test_the_pin_reads_versions_as_numbers(version: str, expected: bool) -> None:
    assert checked(version) is expected
