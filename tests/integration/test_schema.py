"""A database of another table version is refused with a message saying what to do, and changes nothing."""
import pytest
from tortoise import Tortoise

from models import SchemaInfo
from services.container import Services
from services.platform.database import SCHEMA_VERSION, IncompatibleDatabase, open_database


async def test_a_database_of_another_version_is_refused(services: Services) -> None:
    assert (await SchemaInfo.get(id=1)).version == SCHEMA_VERSION
    await SchemaInfo.filter(id=1).update(version=SCHEMA_VERSION - 1)
    url = services.settings.db_url
    await Tortoise.close_connections()
    with pytest.raises(IncompatibleDatabase, match=rf'this version needs {SCHEMA_VERSION}\). Move the file aside'):
        await open_database(url)
    await Tortoise.init(db_url=url, modules={'models': ['models']}, _enable_global_fallback=True)
    assert (await SchemaInfo.get(id=1)).version == SCHEMA_VERSION - 1  # the file is as it was
    await SchemaInfo.filter(id=1).update(version=SCHEMA_VERSION)
