"""The database: opened once per process, brought to this release's tables by Tortoise's migrations (models/migrations),
and refused when it belongs to a newer release or when SQLite does not run with the settings DeskQuest relies on."""
import fcntl
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tortoise import Tortoise
from tortoise.backends.base.config_generator import generate_config
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget
from tortoise.migrations.graph import MigrationGraph, MigrationKey
from tortoise.migrations.loader import MigrationLoader
from tortoise.migrations.operations import (
    AddField,
    AddIndex,
    AlterModelOptions,
    CreateModel,
    DeleteModel,
    RemoveField,
    RemoveIndex,
    RenameField,
    RenameModel,
)
from tortoise.migrations.recorder import MigrationRecorder
from tortoise.migrations.schema_editor import BaseSchemaEditor, SqliteSchemaEditor
from tortoise.migrations.schema_generator.state import State
from tortoise.migrations.schema_generator.state_apps import StateApps
from tortoise.transactions import in_transaction

from services.platform.settings import masked_url

log = logging.getLogger('deskquest')

APP = 'models'  # Tortoise's app label of DeskQuest's tables
MIGRATIONS = 'models.migrations'
INITIAL = '0001_initial'  # the tables of the release before migrations (7edbc86), which kept a table version instead
LEGACY_VERSION = 5  # that release's ``schema_info.version``: a database of this version is adopted as INITIAL


async def check_database(db_url: str) -> None:
    """Open (and so migrate) and close the database once, so an unusable one is reported before the server starts."""
    await open_database(db_url)
    await Tortoise.close_connections()


class IncompatibleDatabase(RuntimeError):
    pass


class UnsafeSqliteSettings(IncompatibleDatabase):
    """SQLite answered a pragma with another value than the one DeskQuest set (a file system without WAL, …)."""


class MigrationFailed(IncompatibleDatabase):
    """A migration raised an error: its transaction was rolled back, the ones before it stay applied."""


class DatabaseInUse(IncompatibleDatabase):
    """Another process serves (or rebuilds, or migrates) this SQLite file."""


_HELD: dict[Path, int] = {}  # the SQLite files this process has claimed: the lock file's descriptor by database path


def claim_sqlite_database(db_url: str, *, doing: str = 'serving') -> None:
    """Claim a SQLite database file for this process, or raise :class:`DatabaseInUse`.

    Each serving process keeps the boards, tallies and the game's trackers in its own memory, so a second server on the
    same file would show its own floor and miss the first one's events; a migration or a rebuild under a running server
    would change what that server believes. The claim is an exclusive ``flock`` on ``FILE.serving`` beside the database,
    held until the process ends: the kernel releases it then, after a ``kill -9`` too, so no stale lock outlives a
    crash. A claim is kept for the process's life; claiming the same file again in the same process is a no-op.
    PostgreSQL is not claimed here (several processes on one PostgreSQL floor are issue 17's).
    """
    path = sqlite_path(db_url)
    if path is None:
        return
    path = path.resolve()
    if path in _HELD:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(path.with_name(path.name + '.serving'), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(lock, 200, 0).decode(errors='replace').strip() or 'another process'
        os.close(lock)
        raise DatabaseInUse(
            f'{path} is in use by {holder}. On SQLite one DeskQuest process serves a floor, and migrating or '
            f'rebuilding waits until it stops; stop it first, or use PostgreSQL (--db-url postgres://…) for several '
            f'processes'
        ) from None
    os.ftruncate(lock, 0)
    os.pwrite(lock, f'DeskQuest {doing} (pid {os.getpid()})'.encode(), 0)
    _HELD[path] = lock


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


@dataclass(kw_only=True, slots=True, frozen=True)
class Pending:
    """The migrations a database lacks, in the order they apply."""
    migrations: tuple[str, ...]
    adopted: str | None = None
    """The first of them when its tables already exist (made by the release before migrations): it is recorded as
    applied, not run."""


async def open_database(db_url: str) -> Pending:
    """Connect, check SQLite's pragmas and apply the migrations the database lacks; return which they were.

    :raises IncompatibleDatabase: (the connection closed, the database unchanged) when SQLite does not take the pragmas,
        when a newer release migrated the database, or when its tables are not the ones a migration history implies.
    """
    executor = await _connect(db_url)
    try:
        pending = await _pending(executor, masked_url(db_url))
    except IncompatibleDatabase:
        await Tortoise.close_connections()
        raise
    try:
        if pending.migrations:
            await _apply(executor, pending, masked_url(db_url))
    except Exception:
        await Tortoise.close_connections()  # an open connection would keep the process alive
        raise
    return pending


async def pending_migrations(db_url: str) -> Pending:
    """The migrations :func:`open_database` would apply, without applying any (a SQLite file that does not exist is
    not created). Tortoise stays connected when the database exists; the caller closes the connections."""
    path = sqlite_path(db_url)
    if path is not None and not path.exists():
        loader = MigrationLoader(_apps_config(), _NoHistory())
        await loader.build_graph()
        return Pending(migrations=tuple(key.name for key in _in_order(loader.graph)))
    executor = await _connect(db_url)
    try:
        return await _pending(executor, masked_url(db_url))
    except IncompatibleDatabase:
        await Tortoise.close_connections()
        raise


def sqlite_path(db_url: str) -> Path | None:
    if not db_url.startswith('sqlite://') or ':memory:' in db_url:
        return None
    return Path(db_url.removeprefix('sqlite://').split('?', 1)[0])


def _config(db_url: str) -> dict:
    """Tortoise's configuration for the URL; on SQLite with DeskQuest's pragmas, which Tortoise's client sets on the
    connection it opens (they win over the same ones in the URL's query)."""
    config = generate_config(db_url, app_modules={APP: ['models']})
    config['apps'][APP]['migrations'] = MIGRATIONS
    if db_url.startswith('sqlite://'):
        config['connections']['default']['credentials'].update({pragma.name: pragma.value for pragma in SQLITE_PRAGMAS})
    return config


TORTOISE_ORM = _config('sqlite://:memory:')
"""For Tortoise's own command line (pyproject.toml's ``[tool.tortoise]``): ``python -m tortoise makemigrations``
compares the models with the migrations and touches no database."""


def _apps_config() -> dict[str, dict]:
    return {APP: {'models': ['models'], 'migrations': MIGRATIONS, 'default_connection': 'default'}}


async def _connect(db_url: str) -> MigrationExecutor:
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
    return _Executor(Tortoise.get_connection('default'), _apps_config())


async def _pending(executor: MigrationExecutor, shown: str) -> Pending:
    """What the database lacks; refuse (before anything is written) a database this release cannot bring up to date.
    ``shown`` is the URL with its password masked, for the messages."""
    plan = await executor.plan()  # builds the graph from models/migrations and reads the history
    names = tuple(step.migration.name for step in plan if not step.backward)
    history = set(await executor.recorder.applied_migrations())
    unknown = sorted(key.name for key in history if key.app_label == APP and key not in executor.loader.graph.nodes)
    if unknown:
        raise IncompatibleDatabase(
            f'{shown} was upgraded by a newer release of DeskQuest: its migrations {", ".join(unknown)} are unknown '
            'to this one. Run that release (or a newer one), or restore a backup made before the upgrade.')
    if history:
        return Pending(migrations=names)
    columns = await _columns(executor.connection)
    ours = sorted(set(columns) & ({model._meta.db_table for model in Tortoise.apps[APP].values()} | {'schema_info'}))
    if not ours:
        return Pending(migrations=names)  # a new database
    if 'schema_info' not in columns:
        raise IncompatibleDatabase(
            f'{shown} holds DeskQuest tables ({", ".join(ours[:3])}, …) but neither a migration history nor a table '
            'version: it was made by a release older than the one before migrations. Move it aside or use a new '
            'database.')
    _, rows = await executor.connection.execute_query('SELECT version FROM schema_info WHERE id = 1')
    version = rows[0][0] if rows else None
    if version != LEGACY_VERSION:
        raise IncompatibleDatabase(
            f'{shown} has tables version {version}; this release upgrades version {LEGACY_VERSION} (the release '
            'before migrations) and newer. Open it with that release first, or move it aside and use a new database.')
    initial = await _initial_tables(executor.loader.graph)
    wrong = [f'{table}: {_difference(columns.get(table, set()), expected)}'
             for table, expected in sorted(initial.items()) if columns.get(table) != expected]
    if wrong:
        raise IncompatibleDatabase(
            f'{shown} has tables version {LEGACY_VERSION} but not the tables that version had ({"; ".join(wrong)}). '
            'It was changed by hand or by another program: restore a backup, or move it aside and use a new '
            'database.')
    return Pending(migrations=names, adopted=INITIAL)


async def _apply(executor: MigrationExecutor, pending: Pending, shown: str) -> None:
    """Apply each pending migration in its own transaction, recorded in that same transaction.

    Tortoise rebuilds its picture of every table once per operation, which made a new database take 2.5 s instead of
    0.15 s (every test opens one). Migrations whose SQL cannot depend on what the database holds (creating, dropping,
    renaming tables and columns) are therefore compiled to SQL once per process and dialect and run as that SQL; any
    other (a data migration, a changed constraint) runs through Tortoise's executor.
    """
    await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
    compiled = await _compiled(executor)
    sqlite = executor.connection.capabilities.dialect == 'sqlite'
    for name in pending.migrations:
        statements = () if name == pending.adopted else compiled.get(name)
        try:
            if sqlite:  # SQLite changes a column by copying the table and dropping the old one: with foreign keys on,
                # that drop would cascade to every row pointing at it (it is a no-op inside a transaction, so here)
                await executor.connection.execute_query('PRAGMA foreign_keys = OFF')
            if statements is None:
                await executor.migrate([MigrationTarget(app_label=APP, name=name)])
                if sqlite:
                    await _check_foreign_keys(executor.connection)
            else:
                async with in_transaction('default') as connection:
                    for sql in statements:
                        if sqlite:  # one statement at a time: executescript() would commit the transaction
                            for statement in _statements(sql):
                                await connection.execute_query(statement)
                        else:
                            await connection.execute_script(sql)
                    if sqlite:
                        await _check_foreign_keys(connection)  # before the commit, so a violation rolls back
                    await MigrationRecorder(connection).record_applied(APP, name)
        except Exception as error:
            raise MigrationFailed(
                f'{shown}: migration {name} failed and was rolled back ({error}); the migrations before it stay '
                'applied. A new column that is not nullable needs a db_default= for the rows already stored.'
            ) from error
        finally:
            if sqlite:
                await executor.connection.execute_query('PRAGMA foreign_keys = ON')
        log.info('%s migration %s', 'adopted' if name == pending.adopted else 'applied', name)


async def _check_foreign_keys(connection) -> None:
    _, rows = await connection.execute_query('PRAGMA foreign_key_check')
    if rows:
        broken = sorted({f'{row[0]} → {row[2]}' for row in rows})
        raise IncompatibleDatabase(f'rows would point at rows that do not exist ({", ".join(broken)})')


_COMPILABLE = (CreateModel, DeleteModel, AddField, RemoveField, RenameField, RenameModel, AlterModelOptions, AddIndex,
               RemoveIndex)
_compiled_sql: dict[tuple[str, tuple[tuple[str, int], ...]], dict[str, tuple[str, ...]]] = {}
"""Per dialect and migration files (name and hash, so an edited file is compiled anew): each compilable migration's
SQL. Derived from the files alone, so keeping it across databases and tests leaks no state."""


async def _compiled(executor: MigrationExecutor) -> dict[str, tuple[str, ...]]:
    graph = executor.loader.graph
    order = list(_in_order(graph))
    migrations = [graph.nodes[key] for key in order]
    files = tuple((key.name, hash(Path(sys.modules[type(migration).__module__].__file__).read_bytes()))
                  for key, migration in zip(order, migrations, strict=True))
    cache_key = (executor.connection.capabilities.dialect, files)
    if cache_key not in _compiled_sql:
        state = State(models={}, apps=StateApps(default_connections={APP: 'default'}))
        sql: dict[str, tuple[str, ...]] = {}
        for migration in migrations:
            editor = executor._schema_editor(atomic=False, collect_sql=True)
            await migration.apply(state, schema_editor=editor, collect_sql=True)  # moves the state past it, too
            if all(isinstance(operation, _COMPILABLE) for operation in migration.operations):
                sql[migration.name] = tuple(entry for entry in editor.collected_sql if not entry.startswith('--'))
        _compiled_sql[cache_key] = sql
    return _compiled_sql[cache_key]


async def _initial_tables(graph: MigrationGraph) -> dict[str, set[str]]:
    """The tables and columns the initial migration creates, as its operations describe them."""
    state = State(models={}, apps=StateApps(default_connections={APP: 'default'}))
    await graph.nodes[MigrationKey(app_label=APP, name=INITIAL)].apply(state, dry_run=True)
    return {model._meta.db_table: set(model._meta.fields_db_projection.values())
            for model in (state.apps.get_model(*key) for key in state.models)}


async def _columns(connection) -> dict[str, set[str]]:
    """The database's tables (in the current schema) and their columns."""
    if connection.capabilities.dialect == 'sqlite':
        query = ("SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p "
                 "WHERE m.type = 'table'")
    else:
        query = 'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()'
    _, rows = await connection.execute_query(query)
    tables: dict[str, set[str]] = {}
    for table, column in (tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in rows):
        tables.setdefault(table, set()).add(column)
    return tables


def _difference(found: set[str], expected: set[str]) -> str:
    if not found:
        return 'missing'
    parts = [f'no column {", ".join(sorted(expected - found))}' if expected - found else '',
             f'unexpected column {", ".join(sorted(found - expected))}' if found - expected else '']
    return ', '.join(part for part in parts if part)


def _in_order(graph: MigrationGraph) -> Iterator[MigrationKey]:
    seen: set[MigrationKey] = set()
    for leaf in graph.leaf_nodes(APP):
        for key in graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                yield key


class _NoHistory(MigrationRecorder):
    """The history of a database that does not exist yet: empty, and nothing is read."""

    def __init__(self) -> None:
        super().__init__(connection=None)

    async def applied_migrations(self) -> list[MigrationKey]:
        return []


class _Executor(MigrationExecutor):
    """Tortoise's executor, with SQLite's statements split where SQLite says a statement ends."""

    def _schema_editor(self, atomic: bool = True, collect_sql: bool = False) -> BaseSchemaEditor:
        editor = super()._schema_editor(atomic=atomic, collect_sql=collect_sql)
        if isinstance(editor, SqliteSchemaEditor):
            return _SqliteSchemaEditor(self.connection, atomic=atomic, collect_sql=collect_sql)
        return editor


class _SqliteSchemaEditor(SqliteSchemaEditor):
    """Tortoise 1.1.9 splits a migration's SQL at every ``;`` to run it statement by statement inside the migration's
    transaction, also at one inside a table's comment (taken from the model's docstring): ``CREATE TABLE`` then fails
    with a syntax error. This one splits where :func:`sqlite3.complete_statement` finds a statement's end."""

    async def _run_sql(self, sql: str) -> None:
        if self.collect_sql or not self.atomic_migration:
            await super()._run_sql(sql)
            return
        for statement in _statements(sql):
            await self.client.execute_query(statement)


def _statements(sql: str) -> Iterator[str]:
    current = ''
    for piece in sql.split(';'):
        current += piece + ';'
        if sqlite3.complete_statement(current):
            if current.strip(' \t\r\n;'):
                yield current.strip()
            current = ''
    if current.strip(' \t\r\n;'):
        yield current.strip().removesuffix(';')


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
