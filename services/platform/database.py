"""The database: opened once per process, its tables created, and refused when they are of another version."""
from pathlib import Path

from tortoise import Tortoise

from models import Agent, SchemaInfo


async def check_database(db_url: str) -> None:
    """Open and close the database once, so an unusable one is reported before the server starts."""
    await open_database(db_url)
    await Tortoise.close_connections()


SCHEMA_VERSION = 5  # raise with every change to the tables; there are no migrations yet


class IncompatibleDatabase(RuntimeError):
    pass


async def open_database(db_url: str) -> None:
    """Connect, create missing tables, and refuse a database whose tables are of another version."""
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    await Tortoise.init(db_url=db_url, modules={'models': ['models']}, _enable_global_fallback=True)
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
