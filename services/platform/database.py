"""The database: opened once per process, its tables created, and refused when they are of another version or when
SQLite does not run with the settings DeskQuest relies on."""
from dataclasses import dataclass
from pathlib import Path

from tortoise import Tortoise
from tortoise.backends.base.config_generator import generate_config

from models import Agent, SchemaInfo


async def check_database(db_url: str) -> None:
    """Open and close the database once, so an unusable one is reported before the server starts."""
    await open_database(db_url)
    await Tortoise.close_connections()


SCHEMA_VERSION = 6  # raise with every change to the tables; there are no migrations yet (6: agent.email, API tokens)


class IncompatibleDatabase(RuntimeError):
    pass


class UnsafeSqliteSettings(IncompatibleDatabase):
    """SQLite answered a pragma with another value than the one DeskQuest set (a file system without WAL, …)."""


@dataclass(kw_only=True, slots=True, frozen=True)
class Pragma:
    name: str
    value: str | int
    """As it is set: ``PRAGMA name=value``."""
    reads_back: str | int
    """As ``PRAGMA name`` answers when the setting took."""
    why: str


SQLITE_PRAGMAS = (
    Pragma(name='journal_mode', value='WAL', reads_back='wal',
           why='readers never wait for the writer, and a crash leaves the last commits in the write-ahead log'),
    Pragma(name='synchronous', value='FULL', reads_back=2,
           why='every commit is on disk before it is acknowledged, so a power loss keeps it'),
    Pragma(name='busy_timeout', value=5000, reads_back=5000,
           why='another process holding the lock (rebuild, admin) makes a write wait instead of fail'),
    Pragma(name='foreign_keys', value='ON', reads_back=1,
           why='a row never points at one that does not exist'),
)


async def open_database(db_url: str) -> None:
    """Connect, check SQLite's pragmas, create missing tables, and refuse a database whose tables are of another
    version."""
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    await Tortoise.init(config=_config(db_url), _enable_global_fallback=True)
    if db_url.startswith('sqlite://'):
        try:
            await _check_pragmas(db_url)
        except UnsafeSqliteSettings:
            await Tortoise.close_connections()
            raise
    await Tortoise.generate_schemas(safe=True)
    info = await SchemaInfo.get_or_none(id=1)
    if info is None and not await Agent.exists():
        await SchemaInfo.create(id=1, version=SCHEMA_VERSION)
    elif info is None or info.version != SCHEMA_VERSION:
        await Tortoise.close_connections()
        raise IncompatibleDatabase(
            f'{db_url} was created by another version of DeskQuest (tables version {info.version if info else 1}, '
            f'this version needs {SCHEMA_VERSION}). Move the file aside (the demo creates a new one) or use a new '
            'database; automatic migrations are not available yet.')


def sqlite_path(db_url: str) -> Path | None:
    if not db_url.startswith('sqlite://') or ':memory:' in db_url:
        return None
    return Path(db_url.removeprefix('sqlite://'))


def _config(db_url: str) -> dict:
    """Tortoise's configuration for the URL; on SQLite with DeskQuest's pragmas, which Tortoise's client sets on the
    connection it opens (they win over the same ones in the URL's query)."""
    config = generate_config(db_url, app_modules={'models': ['models']})
    if db_url.startswith('sqlite://'):
        config['connections']['default']['credentials'].update({pragma.name: pragma.value for pragma in SQLITE_PRAGMAS})
    return config


async def _check_pragmas(db_url: str) -> None:
    connection = Tortoise.get_connection('default')
    in_memory = sqlite_path(db_url) is None
    wrong: list[str] = []
    for pragma in SQLITE_PRAGMAS:
        if in_memory and pragma.name == 'journal_mode':
            continue  # an in-memory database has no journal file: 'memory' is all it can be
        _, rows = await connection.execute_query(f'PRAGMA {pragma.name}')
        answer = rows[0][0] if rows else None
        if answer != pragma.reads_back:
            wrong.append(f'{pragma.name} is {answer!r} instead of {pragma.reads_back!r} ({pragma.why})')
    if wrong:
        raise UnsafeSqliteSettings(
            f'{db_url}: SQLite did not take the settings DeskQuest relies on: {"; ".join(wrong)}. Put the database '
            'on a local disk (network file systems do not support WAL) and make sure nothing else opens it.')
