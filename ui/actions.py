"""One way for every page to run what a person asked for and show why a service refused it."""
from collections.abc import Awaitable
from typing import TypeVar

from nicegui import ui

from services.domain.errors import ActionError

T = TypeVar('T')


async def attempt(call: Awaitable[object], *, done: str | None = None, error_label: ui.label | None = None,
                  multi_line: bool = False) -> bool:
    """Await a service call a person asked for; True once it went through (``done`` then shows as a positive
    notification), False when the service refused it (:func:`show_refusal` shows why)."""
    try:
        await call
    except ActionError as error:
        show_refusal(error, error_label=error_label, multi_line=multi_line)
        return False
    if error_label is not None:
        error_label.set_visibility(False)
    if done:
        ui.notify(done, type='positive')
    return True


async def attempt_result(call: Awaitable[T], *, multi_line: bool = False) -> T | None:
    """Like :func:`attempt` for a call whose result the page uses: the result, or None when the service refused it."""
    try:
        return await call
    except ActionError as error:
        show_refusal(error, multi_line=multi_line)
        return None


def show_refusal(error: ActionError, *, error_label: ui.label | None = None, multi_line: bool = False) -> None:
    """The service's reason, in the form's own error line when it has one, else as a negative notification."""
    if error_label is not None:
        error_label.set_text(str(error))
        error_label.set_visibility(True)
    else:
        ui.notify(str(error), type='negative', multi_line=multi_line)
