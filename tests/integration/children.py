"""The test's side of the line protocol with the DeskQuest processes it starts (``shared_log_process.py``,
``lease_process.py``): start one, read every line it prints, wait until what it printed says something."""
import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
LINE_LIMIT = 2 ** 22  # a report line lists every event id folded: asyncio's default 64 KiB is too few for 10,000


class Child:
    """A child process and every line it printed so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self.changed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, module: str, *args: str) -> 'Child':
        """``python -m module args…`` in the project's root, talking over its stdin and stdout."""
        return cls(await asyncio.create_subprocess_exec(
            sys.executable, '-m', module, *args, cwd=ROOT, env={**os.environ, 'PYTHONPATH': str(ROOT)},
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=LINE_LIMIT))

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.lines.append(line.decode().strip())
            self.changed.set()
        self.changed.set()  # it ended: a waiter sees it at once

    def tell(self, word: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f'{word}\n'.encode())

    def said(self, word: str) -> list[str]:
        """The rest of every line it printed that starts with ``word``, in order."""
        return [line[len(word):].strip() for line in self.lines if line.startswith(word)]

    def held(self) -> str | None:
        """What it said it holds last."""
        return next((line[len('held'):].strip() for line in reversed(self.lines) if line.startswith('held')), None)

    def sweeps(self) -> int:
        return sum(line.startswith('swept') for line in self.lines)

    async def until(self, condition: Callable[[], object], *, within: float = TIMEOUT) -> float:
        """Wait until ``condition()`` holds (checked at each line printed); return when, by ``time.monotonic``."""
        return await until(condition, [self], within=within)


async def until(condition: Callable[[], object], children: list[Child], *, within: float = TIMEOUT) -> float:
    """Wait until ``condition()`` holds, checked at each line any of ``children`` prints (none of them may end before);
    return when, by ``time.monotonic``."""
    deadline = time.monotonic() + within
    while not condition():
        remaining = deadline - time.monotonic()
        assert remaining > 0, f'not within {within} s; they printed {[child.lines[-5:] for child in children]}'
        for child in children:
            child.changed.clear()
        waits = [asyncio.create_task(child.changed.wait()) for child in children]
        await asyncio.wait(waits, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
        for child in children:
            assert not child.reader.done() or condition(), f'a process ended: {child.lines[-10:]}'
    return time.monotonic()
