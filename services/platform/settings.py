"""What the app is configured with. ``main.py`` reads it from the command line and the environment; tests build it."""
from dataclasses import dataclass
from urllib.parse import urlsplit

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
    https: bool = False  # served over HTTPS (directly or behind a proxy): Secure cookies, HSTS, https origins only
    allowed_origins: tuple[str, ...] = ()  # origins besides the app's own whose pages may open its websocket
    kiosk_frame_origins: tuple[str, ...] = ()  # origins whose pages may embed /kiosk in a frame; none by default
    # login sessions (services/platform/sessions.py): a session unused this long ends (a shift: a break or a meeting
    # never logs anyone out, a night does); however busy, it ends this long after the login: one login a day, and a
    # copied cookie that is kept in use still dies within a day
    session_idle_minutes: int = 480
    session_lifetime_hours: int = 24


def origins(value: str) -> tuple[str, ...]:
    """Parse a comma-separated list of web origins (``https://desk.example.com``, ``http://10.0.0.5:8080``).

    :raises ValueError: naming the first entry that is not a bare http(s) origin (a path, a query or a wildcard would
        be ambiguous in an Origin comparison and could smuggle directives into a security header).
    """
    parsed: list[str] = []
    for entry in (part.strip() for part in value.split(',')):
        if not entry:
            continue
        try:
            url = urlsplit(entry)
            port = url.port  # a malformed port raises here
        except ValueError:
            url, port = None, None
        if (url is None or url.scheme not in ('http', 'https') or not url.hostname or url.path not in ('', '/')
                or url.query or url.fragment or url.username or url.password or any(c in entry for c in ' ;*\'"')):
            raise ValueError(f'"{entry}" is not an origin like https://desk.example.com or http://10.0.0.5:8080')
        host = url.hostname if ':' not in url.hostname else f'[{url.hostname}]'
        default_port = {'http': 80, 'https': 443}[url.scheme]  # browsers leave it out of the Origin header
        parsed.append(f'{url.scheme}://{host}' + (f':{port}' if port not in (None, default_port) else ''))
    return tuple(dict.fromkeys(parsed))
