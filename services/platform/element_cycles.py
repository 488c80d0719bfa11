"""A fix for NiceGUI, pinned to the versions it was checked on: a deleted element's classes, style and props are freed
by reference counting instead of waiting in reference cycles for the garbage collector.

It replaces a private method, ``nicegui.element.Element._handle_delete`` (NiceGUI calls it for every element a page
deletes), and clears a private attribute, the ``_change_handlers`` list of NiceGUI's observable collections. Either may
change in any NiceGUI release, so the patch is applied only to the versions in :data:`CHECKED`; on any other it logs a
warning and leaves NiceGUI alone (the app works the same, deleted elements just wait for the collector again).
``tests/unit/test_element_cycles.py`` proves the fix on the installed NiceGUI and fails when that version is outside
the pin: once the tests pass on a new version, move the pin.
"""
import functools
import logging
import re

log = logging.getLogger(__name__)

CHECKED = ((3, 18), (4, 0))  # NiceGUI >= 3.18, < 4 (as pyproject.toml requires); checked on 3.18.0


def break_element_cycles() -> bool:
    """Let a deleted element's classes, style and props be freed by reference counting, not only by the collector;
    return whether the fix is in place.

    Each of them keeps its own bound ``_update`` method as its change handler: a reference cycle. Every element a page
    deletes (a list rebuilt, a tab closed) left three such cycles behind, which under the tab collector
    (``services/platform/collector.py``) survive a second, get frozen and then wait for a full collection (measured:
    250,000 objects, 26 MB, in 30 s of 5 events/s on 500 dashboards). Dropping the handlers when the element is
    deleted breaks the cycles; a deleted element is never updated again anyway.
    """
    import nicegui
    from nicegui.element import Element
    if not checked(nicegui.__version__):
        log.warning('NiceGUI %s is not a version the element-cycle fix was checked on (%s to %s): not applied',
                    nicegui.__version__, *('.'.join(map(str, bound)) for bound in CHECKED))
        return False
    if getattr(Element._handle_delete, 'breaks_cycles', False):
        return True  # once per process: main.py may run again in the same process (NiceGUI's test fixtures do)
    handle_delete = Element._handle_delete

    @functools.wraps(handle_delete)  # keeps NiceGUI's method as __wrapped__
    def _handle_delete(self: Element) -> None:
        handle_delete(self)
        for observable in (self._classes, self._style, self._props):
            observable._change_handlers.clear()

    _handle_delete.breaks_cycles = True  # type: ignore[attr-defined]
    Element._handle_delete = _handle_delete  # type: ignore[method-assign]
    return True


def checked(version: str) -> bool:
    """Whether a NiceGUI version (``3.18.0``, ``3.19.0rc1``, …) lies within :data:`CHECKED`."""
    low, high = CHECKED
    return low <= tuple(int(number) for number in re.findall(r'\d+', version)[:2]) < high
