"""Schema migrations on SQLite and PostgreSQL: a database of the release before migrations (7edbc86, with data) is
upgraded and loses nothing; a new one gets every migration and a second start changes nothing; a database migrated by
a newer release, or with tables that are not what its history says, is refused with a message and left as it was;
``python main.py migrate [--check]`` does the same from the command line; and the migrations describe the models."""
import asyncio
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from services.game.rebuild import backfill_analytics, differences, replay
from services.platform.database import INITIAL, IncompatibleDatabase, _apps_config, open_database, sqlite_path
from tests.integration.support import run_main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / 'tests' / 'fixtures'  # made by tests/fixtures/make_release_database.py running 7edbc86's code
MIGRATIONS = tuple(sorted(path.stem for path in (ROOT / 'models' / 'migrations').glob('[0-9]*.py')))
Rows = dict[str, list[tuple[tuple[str, object], ...]]]  # table: rows as (column, value) pairs, in a stable order


async def test_a_database_of_the_release_before_migrations_is_upgraded_and_loses_nothing(empty_db_url: str) -> None:
    await load_release_dump(empty_db_url)
    before = await table_rows(empty_db_url)
    assert len(before['event']) > 300 and all(before.values()), 'the fixture has rows in every table'

    upgraded = await open_database(empty_db_url)
    try:
        assert upgraded.migrations == MIGRATIONS and upgraded.adopted == INITIAL
        assert await backfill_analytics()  # as serving and `migrate` do after the migrations: once
        assert not await backfill_analytics()
        assert await differences(await replay()) == []  # rebuild --check: the projections still match the log
    finally:
        await Tortoise.close_connections()

    after = await table_rows(empty_db_url)
    assert set(before) - {'schema_info'} <= set(after) and 'schema_info' not in after  # retired by 0002
    added = set(after) - set(before) - {'tortoise_migrations'}  # tables later releases made: new, so empty, but
    filled = {'analytics_day', 'analytics_volume'}  # the aggregates a later release derives from the log
    assert filled <= added and all(after[table] for table in filled)
    assert not any(after[table] for table in added - filled), added
    for table in set(before) - {'schema_info'}:
        assert len(after[table]) == len(before[table]), table
        columns = {name for row in before[table][:1] for name, _ in row}  # a later migration may add a column
        kept = [tuple(pair for pair in row if pair[0] in columns) for row in after[table]]
        assert kept == before[table], f'{table} changed'
    assert after['event'] == before['event']  # the event log, row for row and column for column
    # the fair-play rules (0010) did not exist when the stored scoring values were in force: off there
    assert after['scoring_policy'] and all(dict(row)['queue_jump'] == dict(row)['aging_bounty'] == 0
                                           for row in after['scoring_policy'])
    # nor were notes and tags priced or capped (the migration after 0010)
    assert all(dict(row)['note_points'] == dict(row)['tag_points'] == dict(row)['low_value_daily_cap'] == 0
               for row in after['scoring_policy'])
    # nor was there a reopen window: a reopen always took back, as the log was scored
    assert all(dict(row)['reopen_window_hours'] == 0 for row in after['scoring_policy'])


async def test_a_new_database_gets_every_migration_and_a_second_start_changes_nothing(empty_db_url: str) -> None:
    created = await open_database(empty_db_url)
    await Tortoise.close_connections()
    assert created.migrations == MIGRATIONS and created.adopted is None
    tables = await table_rows(empty_db_url)
    applied = sorted((dict(row) for row in tables['tortoise_migrations']), key=lambda row: row['id'])  # in order
    assert [row['name'] for row in applied] == list(MIGRATIONS)
    assert 'schema_info' not in tables and {'event', 'agent', 'ledger_entry'} <= set(tables)

    again = await open_database(empty_db_url)
    await Tortoise.close_connections()
    assert again.migrations == ()
    assert await table_rows(empty_db_url) == tables


async def test_the_migrations_describe_the_models(tmp_path: Path) -> None:
    """A model changed without ``python -m tortoise makemigrations`` fails here, not on a deployment."""
    await open_database(f'sqlite://{tmp_path / "models.sqlite3"}')
    try:
        changes = await MigrationAutodetector(Tortoise.apps, _apps_config()).changes()
        assert not changes, 'models changed without a migration: run python -m tortoise makemigrations ' + \
            '; '.join(f'{change.name}: {change.operations}' for change in changes)
    finally:
        await Tortoise.close_connections()


async def test_a_database_migrated_by_a_newer_release_is_refused_and_left_as_it_was(empty_db_url: str) -> None:
    await open_database(empty_db_url)
    await Tortoise.get_connection('default').execute_query(
        "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ('models', '0099_from_the_future', "
        "'2027-01-01 00:00:00+00:00')")
    await Tortoise.close_connections()
    before = await table_rows(empty_db_url)

    with pytest.raises(IncompatibleDatabase, match=r'was upgraded by a newer release of DeskQuest: its migrations '
                                                   r'0099_from_the_future are unknown to this one\. Run that release'):
        await open_database(empty_db_url)
    assert await table_rows(empty_db_url) == before


@pytest.mark.parametrize(('change', 'message'), [
    ('ALTER TABLE customer RENAME COLUMN company TO firm',
     r'has tables version 5 but not the tables that version had \(customer: no column company, unexpected column '
     r'firm\)\. It was changed by hand'),
    ('UPDATE schema_info SET version = 4',
     r'has tables version 4; this release upgrades version 5 \(the release before migrations\)'),
    ('DROP TABLE schema_info',
     r'holds DeskQuest tables \(.*\) but neither a migration history nor a table version'),
], ids=['other columns', 'older version', 'no version'])
async def test_an_old_database_that_is_not_what_its_version_says_is_refused_unchanged(empty_db_url: str, change: str,
                                                                                      message: str) -> None:
    await load_release_dump(empty_db_url)
    await execute(empty_db_url, change)
    before = await table_rows(empty_db_url)
    with pytest.raises(IncompatibleDatabase, match=message):
        await open_database(empty_db_url)
    assert await table_rows(empty_db_url) == before  # no migration history was started either


async def test_migrate_on_the_command_line_applies_and_checks(empty_db_url: str) -> None:
    path = sqlite_path(empty_db_url)
    code, output = await run_migrate('--check', '--db-url', empty_db_url)
    assert code == 1 and output.count('pending: ') == len(MIGRATIONS) and f'{len(MIGRATIONS)} migration(s) pending' \
        in output, output
    assert path is None or not path.exists()  # checking a database that does not exist does not create it

    code, output = await run_migrate('--db-url', empty_db_url)
    assert code == 0 and f'up to date ({len(MIGRATIONS)} migration(s) applied)' in output, output
    code, output = await run_migrate('--check', '--db-url', empty_db_url)
    assert code == 0 and f'OK: {empty_db_url} is up to date' in output, output


async def test_migrate_check_names_the_adopted_migration_and_changes_nothing(empty_db_url: str) -> None:
    await load_release_dump(empty_db_url)
    before = await table_rows(empty_db_url)
    code, output = await run_migrate('--check', '--db-url', empty_db_url)
    assert code == 1 and f'pending: {INITIAL} (its tables exist, made by the release before migrations: recorded, ' \
        'not run)' in output, output
    assert await table_rows(empty_db_url) == before


async def test_a_newer_database_is_refused_on_the_command_line_without_a_traceback(empty_db_url: str) -> None:
    await open_database(empty_db_url)
    await Tortoise.get_connection('default').execute_query(
        "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ('models', '0099_from_the_future', "
        "'2027-01-01 00:00:00+00:00')")
    await Tortoise.close_connections()
    for args in (('--check',), ()):
        code, output = await run_migrate(*args, '--db-url', empty_db_url)
        assert code == 1 and 'DeskQuest cannot use this database' in output and 'newer release' in output, output
        assert 'Traceback' not in output


async def test_the_next_migration_is_made_by_the_tool_and_applies_to_a_database_with_data(empty_db_url: str,
                                                                                          tmp_path: Path) -> None:
    """The developer's loop (docs/ARCHITECTURE.md, "Migrations") on a copy of the code: add a field, make its
    migration with ``python -m tortoise makemigrations``, apply it to an upgraded database of the old release; then the
    same to take the field out again. Nothing of it is kept."""
    repo = tmp_path / 'repo'
    for part in ('models', 'services/__init__.py', 'services/platform/__init__.py', 'services/platform/database.py',
                 'services/platform/settings.py', 'services/domain/__init__.py', 'services/domain/i18n.py',
                 'pyproject.toml'):
        target = repo / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, target, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copy(ROOT / part, target)
    await load_release_dump(empty_db_url)
    assert await apply_in(repo, empty_db_url) == list(MIGRATIONS)
    people = repo / 'models' / 'people.py'
    original = people.read_text()
    before = await table_rows(empty_db_url)

    def with_nickname(options: str) -> str:
        return original.replace("    active = fields.BooleanField(default=True)\n",
                                "    active = fields.BooleanField(default=True)\n"
                                f"    nickname = fields.CharField(max_length=40, {options})\n", 1)

    # default= is Python's: the stored agents would have no value, and the failed migration is rolled back
    people.write_text(with_nickname("default=''"))
    await run_in(repo, '-m', 'tortoise', 'makemigrations', '-n', 'add_nickname')
    added = next((repo / 'models' / 'migrations').glob('*_add_nickname.py'))
    assert "ops.AddField(" in added.read_text()
    refusal = await run_in(repo, '-c', APPLY, empty_db_url, fails=True)
    assert f'migration {added.stem} failed and was rolled back' in refusal and 'needs a db_default=' in refusal
    assert await table_rows(empty_db_url) == before

    added.unlink()
    people.write_text(with_nickname("default='', db_default=''"))
    await run_in(repo, '-m', 'tortoise', 'makemigrations', '-n', 'add_nickname')
    assert await apply_in(repo, empty_db_url) == [f'{len(MIGRATIONS) + 1:04d}_add_nickname']
    agents = (await table_rows(empty_db_url))['agent']
    assert len(agents) == 13 and {dict(row)['nickname'] for row in agents} == {''}  # every agent kept, and filled

    people.write_text(original)
    await run_in(repo, '-m', 'tortoise', 'makemigrations', '-n', 'drop_nickname')
    assert await apply_in(repo, empty_db_url) == [f'{len(MIGRATIONS) + 2:04d}_drop_nickname']
    after = await table_rows(empty_db_url)
    assert after == before | {'tortoise_migrations': after['tortoise_migrations']}  # on SQLite, agent was copied
    assert 'No changes detected' in await run_in(repo, '-m', 'tortoise', 'makemigrations')


# --- helpers ---

APPLY = ('import asyncio, sys; from tortoise import Tortoise; from services.platform.database import open_database\n'
         'async def main():\n'
         '    print(*(await open_database(sys.argv[1])).migrations)\n'
         '    await Tortoise.close_connections()\n'
         'asyncio.run(main())')


async def apply_in(repo: Path, db_url: str) -> list[str]:
    """Open the database with the code in ``repo`` (so its migrations) in another process; the migrations applied."""
    return (await run_in(repo, '-c', APPLY, db_url)).split()


async def run_in(repo: Path, *args: str, fails: bool = False) -> str:
    """Run Python in ``repo``; its output, or with ``fails`` its error output (it must fail)."""
    env = {name: value for name, value in os.environ.items() if name != 'NICEGUI_USER_SIMULATION'}
    process = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=repo, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    output, errors = await asyncio.wait_for(process.communicate(), timeout=60)
    assert (process.returncode != 0) == fails, errors.decode()
    return errors.decode() if fails else output.decode()


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
    """Every table's rows, read with the plain driver (not through Tortoise); a column's place in its table does not
    count (SQLite's copy of a changed table may order them otherwise)."""
    path = sqlite_path(db_url)
    if path is not None:
        connection = sqlite3.connect(path)
        connection.row_factory = sqlite3.Row
        try:
            names = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            return {name: _stable(dict(row) for row in connection.execute(f'SELECT * FROM "{name}"'))
                    for name in names}
        finally:
            connection.close()
    connection = await asyncpg.connect(db_url)
    try:
        names = [row[0] for row in await connection.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        return {name: _stable(dict(row) for row in await connection.fetch(f'SELECT * FROM "{name}"')) for name in names}
    finally:
        await connection.close()


def _stable(rows: Iterable[dict[str, object]]) -> list[tuple[tuple[str, object], ...]]:
    return sorted((tuple(sorted(row.items())) for row in rows), key=repr)


async def run_migrate(*args: str) -> tuple[int, str]:
    """Run ``python main.py migrate ...`` as an operator would; return its exit code and output."""
    run = await run_main('migrate', *args)
    return run.code, run.output
