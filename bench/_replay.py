"""Time one replay of the log (``replay`` of the checkout's rebuild module) of a given checkout, for bench/rebuild.py.

Run as ``python bench/_replay.py ROOT DB_URL [--check]``: ROOT is the checkout whose code replays (this one, or a
baseline exported from git), DB_URL the history to replay. Prints one JSON line: events, wall and CPU seconds (the
CPU time of this process, the database driver's thread included: less sensitive than wall time to other processes on
a shared machine), and with ``--check`` the seconds and number of differences of ``rebuild --check``'s comparison.
"""
import asyncio
import json
import os
import sys
import time


async def main(root: str, db_url: str, check: bool) -> None:
    sys.path.insert(0, root)
    os.chdir(root)
    from tortoise import Tortoise

    try:  # the layout since services/ was split into layers, then the flat one of older baselines
        from services.game.rebuild import differences, replay
    except ModuleNotFoundError:
        from services.rebuild import differences, replay  # type: ignore[no-redef]

    # not open_database: it would migrate the history to this checkout's tables, and a baseline's code replays it too
    await Tortoise.init(db_url=db_url, modules={'models': ['models']}, _enable_global_fallback=True)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        rebuilt = await replay()
        result = {'events': rebuilt.events, 'wall': time.perf_counter() - wall, 'cpu': time.process_time() - cpu}
        if check:
            start = time.perf_counter()
            lines = await differences(rebuilt)
            result |= {'check_seconds': result['wall'] + time.perf_counter() - start, 'differences': len(lines),
                       'first_differences': lines[:5]}
    finally:
        await Tortoise.close_connections()
    print(json.dumps(result))


if __name__ == '__main__':
    asyncio.run(main(sys.argv[1], sys.argv[2], '--check' in sys.argv[3:]))
