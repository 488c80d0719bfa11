"""``python main.py admin create``: the first lead of a real deployment, created from the command line."""

from tortoise import Tortoise

from models import Agent
from services.container import build
from services.platform.clock import ManualClock
from services.platform.database import open_database
from tests.conftest import settings_for_test
from tests.integration.support import run_main

PASSWORD = 'correct horse battery'


async def test_a_lead_is_created_on_a_production_database_and_logs_in(db_url: str, clock: ManualClock) -> None:
    production = build(settings_for_test(db_url, demo=False), clock=clock)
    await production.start()  # what serving with --no-demo leaves: the tables, and no account at all
    await production.stop()

    code, output = await run_cli('create', '--username', ' Rita ', '--role', 'lead', '--display-name', 'Rita  Real',
                                 '--db-url', db_url, stdin=f'{PASSWORD}\n')
    assert code == 0, output
    assert "created lead 'rita' (Rita Real, #" in output and db_url in output

    production = build(settings_for_test(db_url, demo=False), clock=clock)
    await production.start()
    try:
        stored = await Agent.get(username='rita')
        assert (stored.role, stored.display_name, stored.is_demo, stored.active) == ('lead', 'Rita Real', False, True)
        assert stored.password_hash.startswith('$argon2id$') and PASSWORD not in stored.password_hash
        agent = await production.auth.authenticate('rita', PASSWORD)
        assert agent is not None and agent.is_lead
    finally:
        await production.stop()


async def test_a_taken_name_or_a_short_password_is_refused_and_nothing_is_created(db_url: str) -> None:
    code, output = await run_cli('create', '--username', 'rita', '--role', 'agent', '--db-url', db_url,
                                 stdin=f'{PASSWORD}\n')
    assert code == 0, output
    code, output = await run_cli('create', '--username', 'RITA', '--role', 'lead', '--db-url', db_url,
                                 stdin='another long password\n')
    assert code == 1 and "admin create: The username 'rita' is taken. Nothing was created." in output
    code, output = await run_cli('create', '--username', 'sam', '--role', 'lead', '--db-url', db_url,
                                 stdin='too short\n')
    assert code == 1 and 'The password is too short: at least 12 characters. Nothing was created.' in output
    code, output = await run_cli('create', '--username', 'sam', '--role', 'lead', '--db-url', db_url, stdin='')
    assert code == 1 and 'no password on standard input' in output
    code, output = await run_cli('create', '--username', 'no spaces', '--role', 'lead', '--db-url', db_url,
                                 stdin=f'{PASSWORD}\n')
    assert code == 1 and "The username 'no spaces' is not usable" in output
    code, output = await run_cli('create', '--username', 'sam', '--role', 'admin', '--db-url', db_url,
                                 stdin=f'{PASSWORD}\n')
    assert code == 2 and "argument --role: invalid choice: 'admin'" in output
    code, output = await run_cli('--username', 'sam', '--db-url', db_url, stdin=f'{PASSWORD}\n')
    assert code == 2 and 'admin takes an action' in output
    await open_database(db_url)
    try:
        assert await Agent.all().values_list('username', 'role') == [('rita', 'agent')]
    finally:
        await Tortoise.close_connections()


async def run_cli(*args: str, stdin: str) -> tuple[int, str]:
    """Run ``python main.py admin ...`` as a person would, piping ``stdin``; return its exit code and output."""
    run = await run_main('admin', *args, env={'DESKQUEST_ARGON2_MEMORY_KIB': '1024'}, stdin=stdin)
    return run.code, run.output
