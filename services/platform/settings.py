"""What the app is configured with. ``main.py`` reads it from the command line and the environment; tests build it."""
from dataclasses import dataclass

DEFAULT_DB_URL = 'sqlite://data/deskquest.sqlite3'


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    port: int = 8080
    host: str = '127.0.0.1'
    db_url: str = DEFAULT_DB_URL
    demo: bool = True  # the demo floor is seeded and its accounts may log in
    simulator: bool = True  # the demo's simulator starts with the app (never without the demo)
    sim_speed: float = 60.0
    seed: int = 1
    scenario: str = 'normal'  # the simulator's traffic
    storage_secret: str = ''  # signs browser sessions; empty: main.py keeps a random one beside the SQLite file
    argon2_memory_kib: int = 65536
