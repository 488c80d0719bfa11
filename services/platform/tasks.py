"""Background tasks: NiceGUI's own while the app serves, so each is referenced until it ends and its exception reaches
the app's handlers; headless runs (integration tests, ``rebuild``, benchmarks) have no NiceGUI loop and get a plain
task on the running loop whose exception is logged the same way."""
import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from nicegui import background_tasks, core

log = logging.getLogger(__name__)


def start_task(coroutine: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task:
    loop = asyncio.get_running_loop()
    if core.loop is loop:
        return background_tasks.create(coroutine, name=name)
    task = loop.create_task(coroutine, name=name)  # the caller keeps the task, as NiceGUI would
    task.add_done_callback(_log_failure)
    return task


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error('background task %s failed', task.get_name(), exc_info=error)
