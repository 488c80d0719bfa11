"""SQLite runs with the pragmas DeskQuest sets (WAL, synchronous=FULL, busy_timeout, foreign_keys), on a fresh
database and a reopened one, and a database where one does not take is refused with a message, its tables untouched."""
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from tortoise import Tortoise

from services.platform import database
from services.platform.database import SQLITE_PRAGMAS, IncompatibleDatabase, UnsafeSqliteSettings, open_database


@pytest.fixture
async def closing() -> AsyncIterator[None]:
    yield
    await Tortoise.close_connections()


async def test_the_pragmas_read_back_as_set_on_a_fresh_and_a_reopened_database(tmp_path: Path, closing: None) -> None:
    url = f'sqlite://{tmp_path / "fresh.sqlite3"}'
    await open_database(url)
    assert await _pragmas() == _expected()
    await Tortoise.close_connections()

    await open_database(url)
    assert await _pragmas() == _expected()
    with sqlite3.connect(tmp_path / 'fresh.sqlite3') as plain:  # WAL is stored in the file, the others per connection
        assert plain.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'


async def test_deskquests_pragmas_win_over_the_urls(tmp_path: Path, closing: None) -> None:
    await open_database(f'sqlite://{tmp_path / "query.sqlite3"}?journal_mode=DELETE&synchronous=OFF&foreign_keys=OFF')
    assert await _pragmas() == _expected()


async def test_a_pragma_that_does_not_take_is_refused_with_a_message(tmp_path: Path, closing: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # set synchronous=NORMAL while still expecting FULL: the read-back is a real one, and differs
    weakened = tuple(replace(pragma, value='NORMAL') if pragma.name == 'synchronous' else pragma
                     for pragma in SQLITE_PRAGMAS)
    monkeypatch.setattr(database, 'SQLITE_PRAGMAS', weakened)
    path = tmp_path / 'weak.sqlite3'
    with pytest.raises(UnsafeSqliteSettings, match=r"synchronous is 1 instead of 2 \(every commit is on disk") as error:
        await open_database(f'sqlite://{path}')
    assert isinstance(error.value, IncompatibleDatabase)  # so main.py reports it and exits without a traceback
    assert 'journal_mode' not in str(error.value)  # only what is wrong is named
    with sqlite3.connect(path) as plain:  # refused before any table was created
        assert plain.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0


async def _pragmas() -> dict[str, object]:
    connection = Tortoise.get_connection('default')
    answers: dict[str, object] = {}
    for pragma in SQLITE_PRAGMAS:
        _, rows = await connection.execute_query(f'PRAGMA {pragma.name}')
        answers[pragma.name] = rows[0][0]
    return answers


def _expected() -> dict[str, object]:
    return {'journal_mode': 'wal', 'synchronous': 2, 'busy_timeout': 5000, 'foreign_keys': 1}
