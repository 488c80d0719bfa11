"""Schema migrations on SQLite and PostgreSQL: a database of the release before migrations (7edbc86, with data) is
upgraded and loses nothing; a new one gets every migration and a second start changes nothing; a database migrated by
a newer release, or with tables that are not what its history says, is refused with a message and left as it was;
``python main.py migrate [--check]`` does the same from the command line; and the migrations describe the models."""
import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from services.game.rebuild import differences, replay
from services.platform.database import INITIAL, IncompatibleDatabase, _apps_config, open_database, sqlite_path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / 'tests' / 'fixtures'  # made by tests/fixtures/make_release_database.py running 7edbc86's code
MIGRATIONS = tuple(sorted(path.stem for path in (ROOT / 'models' / 'migrations').glob('[0-9]*.py')))
Rows = dict[str, list[tuple]]


async def test_a_database_of_the_release_before_migrations_is_upgraded_and_loses_nothing(db_url: str) -> None:
    await load_release_dump(db_url)
    before = await table_rows(db_url)
    assert len(before['event']) > 300 and all(before.values()), 'the fixture has rows in every table'

    upgraded = await open_database(db_url)
    try:
        assert upgraded.migrations == MIGRATIONS and upgraded.adopted == INITIAL
        assert await differences(await replay()) == []  # rebuild --check: the projections still match the log
    finally:
        await Tortoise.close_connections()

    after = await table_rows(db_url)
    assert set(after) == set(before) - {'schema_info'} | {'tortoise_migrations'}  # schema_info is retired by 0002
    for table in set(before) - {'schema_info'}:
        assert len(after[table]) == len(before[table]), table
        assert after[table] == before[table], f'{table} changed'
    assert after['event'] == before['event']  # the event log, row for row and column for column


async def test_a_new_database_gets_every_migration_and_a_second_start_changes_nothing(db_url: str) -> None:
    created = await open_database(db_url)
    await Tortoise.close_connections()
    assert created.migrations == MIGRATIONS and created.adopted is None
    tables = await table_rows(db_url)
    assert [row[2] for row in tables['tortoise_migrations']] == list(MIGRATIONS)  # (id, app, name, applied_at)
    assert 'schema_info' not in tables and {'event', 'agent', 'ledger_entry'} <= set(tables)

    again = await open_database(db_url)
    await Tortoise.close_connections()
    assert again.migrations == ()
    assert await table_rows(db_url) == tables


async def test_the_migrations_describe_the_models(tmp_path: Path) -> None:
    """A model changed without ``python -m tortoise makemigrations`` fails here, not on a deployment."""
    await open_database(f'sqlite://{tmp_path / "models.sqlite3"}')
    try:
        changes = await MigrationAutodetector(Tortoise.apps, _apps_config()).changes()
        assert not changes, 'models changed without a migration: run python -m tortoise makemigrations ' + \
            '; '.join(f'{change.name}: {change.operations}' for change in changes)
    finally:
        await Tortoise.close_connections()


async def test_a_database_migrated_by_a_newer_release_is_refused_and_left_as_it_was(db_url: str) -> None:
    await open_database(db_url)
    await Tortoise.get_connection('default').execute_query(
        "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ('models', '0099_from_the_future', "
        "'2027-01-01 00:00:00+00:00')")
    await Tortoise.close_connections()
    before = await table_rows(db_url)

    with pytest.raises(IncompatibleDatabase, match=r'was upgraded by a newer release of DeskQuest: its migrations '
                                                   r'0099_from_the_future are unknown to this one\. Run that release'):
        await open_database(db_url)
    assert await table_rows(db_url) == before


@pytest.mark.parametrize(('change', 'message'), [
    ('ALTER TABLE customer RENAME COLUMN company TO firm',
     r'has tables version 5 but not the tables that version had \(customer: no column company, unexpected column '
     r'firm\)\. It was changed by hand'),
    ('UPDATE schema_info SET version = 4',
     r'has tables version 4; this release upgrades version 5 \(the release before migrations\)'),
    ('DROP TABLE schema_info',
     r'holds DeskQuest tables \(.*\) but neither a migration history nor a table version'),
], ids=['other columns', 'older version', 'no version'])
async def test_an_old_database_that_is_not_what_its_version_says_is_refused_unchanged(db_url: str, change: str,
                                                                                      message: str) -> None:
    await load_release_dump(db_url)
    await execute(db_url, change)
    before = await table_rows(db_url)
    with pytest.raises(IncompatibleDatabase, match=message):
        await open_database(db_url)
    assert await table_rows(db_url) == before  # no migration history was started either


async def test_migrate_on_the_command_line_applies_and_checks(db_url: str) -> None:
    path = sqlite_path(db_url)
    code, output = await run_migrate('--check', '--db-url', db_url)
    assert code == 1 and output.count('pending: ') == len(MIGRATIONS) and f'{len(MIGRATIONS)} migration(s) pending' \
        in output, output
    assert path is None or not path.exists()  # checking a database that does not exist does not create it

    code, output = await run_migrate('--db-url', db_url)
    assert code == 0 and f'up to date ({len(MIGRATIONS)} migration(s) applied)' in output, output
    code, output = await run_migrate('--check', '--db-url', db_url)
    assert code == 0 and f'OK: {db_url} is up to date' in output, output


async def test_migrate_check_names_the_adopted_migration_and_changes_nothing(db_url: str) -> None:
    await load_release_dump(db_url)
    before = await table_rows(db_url)
    code, output = await run_migrate('--check', '--db-url', db_url)
    assert code == 1 and f'pending: {INITIAL} (its tables exist, made by the release before migrations: recorded, ' \
        'not run)' in output, output
    assert await table_rows(db_url) == before


async def test_a_newer_database_is_refused_on_the_command_line_without_a_traceback(db_url: str) -> None:
    await open_database(db_url)
    await Tortoise.get_connection('default').execute_query(
        "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ('models', '0099_from_the_future', "
        "'2027-01-01 00:00:00+00:00')")
    await Tortoise.close_connections()
    for args in (('--check',), ()):
        code, output = await run_migrate(*args, '--db-url', db_url)
        assert code == 1 and 'DeskQuest cannot use this database' in output and 'newer release' in output, output
        assert 'Traceback' not in output


# --- helpers ---

async def load_release_dump(db_url: str) -> None:
    """Fill the fresh database with the release's dump of the same dialect."""
    path = sqlite_path(db_url)
    if path is not None:
        with sqlite3.connect(path) as connection:
            connection.executescript((FIXTURES / 'release_7edbc86.sqlite.sql').read_text())
        connection.close()
        return
    await execute(db_url, (FIXTURES / 'release_7edbc86.postgres.sql').read_text())


async def execute(db_url: str, sql: str) -> None:
    path = sqlite_path(db_url)
    if path is not None:
        connection = sqlite3.connect(path)
        with connection:
            connection.executescript(sql)
        connection.close()
        return
    connection = await asyncpg.connect(db_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def table_rows(db_url: str) -> Rows:
    """Every table's rows, in a stable order, read with the plain driver (not through Tortoise)."""
    path = sqlite_path(db_url)
    if path is not None:
        connection = sqlite3.connect(path)
        try:
            names = [name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            return {name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                    for name in names}
        finally:
            connection.close()
    connection = await asyncpg.connect(db_url)
    try:
        names = [row[0] for row in await connection.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        return {name: sorted((tuple(row) for row in await connection.fetch(f'SELECT * FROM "{name}"')), key=repr)
                for name in names}
    finally:
        await connection.close()


async def run_migrate(*args: str) -> tuple[int, str]:
    """Run ``python main.py migrate ...`` as an operator would; return its exit code and output."""
    env = {name: value for name, value in os.environ.items() if name != 'NICEGUI_USER_SIMULATION'}
    process = await asyncio.create_subprocess_exec(sys.executable, 'main.py', 'migrate', *args, cwd=ROOT, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    except TimeoutError:
        process.kill()
        raise
    assert process.returncode is not None
    return process.returncode, output.decode()
