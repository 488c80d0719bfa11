"""What the app is configured with, typed and validated (pydantic-settings).

A setting comes from, each overriding the one before: its default, the TOML file named by ``--config`` or
``DESKQUEST_CONFIG``, a ``DESKQUEST_*`` environment variable, a command-line flag. :func:`load` layers them and
refuses a bad value with one line naming the setting, where the value came from and what is wrong; tests build
:class:`Settings` directly, which reads nothing but its keyword arguments. The code never writes a secret anywhere.
"""
import socket
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, SecretStr, TypeAdapter, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from services.domain.i18n import LANGUAGES

DEFAULT_DB_URL = 'sqlite://data/deskquest.sqlite3'
ENV_PREFIX = 'DESKQUEST_'
CONFIG_ENV = 'DESKQUEST_CONFIG'  # names the configuration file when --config does not
MASK = '**********'


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


def _origin_list(value: object) -> object:
    """A flag or a variable gives one comma-separated string, a TOML file a string or a list of strings."""
    if isinstance(value, str):
        return origins(value)
    if isinstance(value, (list, tuple)) and all(isinstance(entry, str) for entry in value):
        return origins(','.join(value))
    return value  # pydantic refuses it with its own message


Origins = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_origin_list)]


def proxies(value: str) -> tuple[str, ...]:
    """Parse a comma-separated list of proxy addresses or networks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``).

    :raises ValueError: naming the first entry that is not one; a wildcard is refused, as it would let any client
        name its own address and so slip out of the per-address login limit.
    """
    parsed: list[str] = []
    for entry in (part.strip() for part in value.split(',')):
        if not entry:
            continue
        try:
            parsed.append(str(ip_network(entry, strict=False)).removesuffix('/32').removesuffix('/128'))
        except ValueError:
            raise ValueError(f'"{entry}" is not an address or a network like 10.0.0.5 or 10.0.0.0/8') from None
    return tuple(dict.fromkeys(parsed))


def _proxy_list(value: object) -> object:
    if isinstance(value, str):
        return proxies(value)
    if isinstance(value, (list, tuple)) and all(isinstance(entry, str) for entry in value):
        return proxies(','.join(value))
    return value


Proxies = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_proxy_list)]


class Settings(BaseSettings):
    """The app's configuration. ``Settings(port=…)`` validates its keyword arguments and reads nothing else."""
    model_config = SettingsConfigDict(frozen=True, extra='forbid', env_prefix=ENV_PREFIX, env_ignore_empty=True)

    port: int = Field(8080, ge=1, le=65535)
    host: str = Field('127.0.0.1', min_length=1)
    db_url: str = DEFAULT_DB_URL
    demo: bool = True  # the demo floor is seeded and its accounts may log in
    simulator: bool = True  # the demo's simulator starts with the app (never without the demo)
    sim_speed: float = 60.0
    seed: int = 1
    scenario: str = 'normal'  # the simulator's traffic
    storage_secret: SecretStr = SecretStr('')  # signs browser sessions; empty: a random one for this run (demo only)
    argon2_memory_kib: int = Field(65536, ge=1024, le=4 * 1024 * 1024)
    https: bool = False  # served over HTTPS (directly or behind a proxy): Secure cookies, HSTS, https origins only
    allowed_origins: Origins = ()  # origins besides the app's own whose pages may open its websocket
    kiosk_frame_origins: Origins = ()  # origins whose pages may embed /kiosk in a frame; none by default
    # login sessions (services/platform/sessions.py): a session unused this long ends (a shift: a break or a meeting
    # never logs anyone out, a night does); however busy, it ends this long after the login: one login a day, and a
    # copied cookie that is kept in use still dies within a day
    session_idle_minutes: int = Field(480, ge=1, le=7 * 24 * 60)
    session_lifetime_hours: int = Field(24, ge=1, le=90 * 24)
    # the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: the client address the login limits
    # count comes from them (anyone else's forwarded headers are ignored)
    trusted_proxies: Proxies = ('127.0.0.1',)
    # the REST API (issue 14)
    api_requests_per_minute: int = Field(600, ge=1, le=1_000_000)  # each API token's rate limit, then 429
    # the time zone the floor works in (an IANA name: Europe/Riga): the times the pages show are in it (issue 16)
    floor_timezone: str = 'UTC'
    # several processes on PostgreSQL (issue 17): how often a process not doing a piece of once-only work (the sweep,
    # routing, quests, the badges' midnight, the simulator) tries to take it over (services/platform/leases.py)
    lease_retry_seconds: float = Field(3.0, ge=0.1, le=60)
    # this process's name among several serving one floor (issue 17): its pages' websockets carry it so that a reverse
    # proxy routes each socket to the process holding its page (characters a URL carries as they are); empty: HOST-PORT
    process_id: str = Field('', pattern=r'^[A-Za-z0-9._-]{0,100}$')

    @property
    def process(self) -> str:
        """This process's name: ``process_id``, or the host's name and the port."""
        return self.process_id or f'{socket.gethostname()}-{self.port}'
    # the floor's language (en, fr, nl, lv): a new wall display speaks it unless the lead chooses another (issue 16)
    floor_language: str = 'en'

    @field_validator('db_url')
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(('sqlite://', 'postgres://')) or value in ('sqlite://', 'postgres://'):
            raise ValueError('not a database URL like sqlite://data/deskquest.sqlite3 or '
                             'postgres://USER[:PASSWORD]@HOST:PORT/DB')
        return value

    @field_validator('floor_timezone')
    @classmethod
    def _time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'"{value}" is not a time zone like UTC or Europe/Riga') from None
        return value

    @field_validator('floor_language')
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f'"{value}" is not one of the languages DeskQuest speaks: {", ".join(LANGUAGES)}')
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   **_: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # never the process's environment on its own: load() layers the sources

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, masked_url(value) if name == 'db_url' else value


Source = Literal['default', 'file', 'env', 'flag']
# Settings whose variable (and flag) turns them off: DESKQUEST_NO_DEMO=1 is demo = false
NEGATED = {'demo': 'NO_DEMO', 'simulator': 'NO_SIMULATOR'}


@dataclass(frozen=True, kw_only=True, slots=True)
class Configuration:
    """The settings in force and where each came from."""
    settings: Settings
    sources: dict[str, Source]
    places: dict[str, str]  # setting name: the variable, flag or file that gave it ('' for a default)
    file: Path | None

    def lines(self) -> list[str]:
        """One ``name = value (source)`` line per setting, secrets and the database password masked."""
        return [f'{name} = {shown(name, getattr(self.settings, name))} ({self._origin(name)})'
                for name in Settings.model_fields]

    def _origin(self, name: str) -> str:
        source, place = self.sources[name], self.places[name]
        return source if source in ('default', 'file') else f'{source} {place}'


class ConfigurationError(ValueError):
    """One or more settings are unusable; each line of the message names one, its origin and the problem."""


def load(*, flags: Mapping[str, Any], env: Mapping[str, str], config_file: str | None = None,
         flag_names: Mapping[str, str] | None = None, defaults: Mapping[str, Any] | None = None,
         checks: Mapping[str, Callable[[Any], None]] | None = None) -> Configuration:
    """Layer the defaults, the TOML file, the ``DESKQUEST_*`` variables and the flags, then validate.

    :param flags: setting name to the value a command-line flag gave (only the flags given)
    :param env: the environment (``DESKQUEST_CONFIG`` names the file when ``config_file`` is None)
    :param config_file: the ``--config`` file, if given
    :param flag_names: setting name to its flag, for messages (``--port``)
    :param defaults: defaults other than the settings' own (a command's: ``simulate`` runs the steady scenario)
    :param checks: setting name to a check of the composition root for values only a higher layer knows (the
        simulator's scenarios), raising ``ValueError`` with the reason
    :raises ConfigurationError: naming every bad setting, where its value came from and why
    """
    places: dict[str, str] = {name: '' for name in Settings.model_fields}
    sources: dict[str, Source] = dict.fromkeys(Settings.model_fields, 'default')
    values: dict[str, Any] = dict(defaults or {})
    named = config_file if config_file is not None else env.get(CONFIG_ENV, '')
    file = Path(named).expanduser() if named else None
    if file is not None:
        for name, value in _read_file(file).items():
            values[name], sources[name], places[name] = value, 'file', str(file)
    for name, (variable, value) in _Environment(env).found().items():
        values[name], sources[name], places[name] = value, 'env', variable
    for name, value in flags.items():
        values[name], sources[name], places[name] = value, 'flag', (flag_names or {}).get(name, name)
    problems: list[str] = []
    try:
        settings = Settings(**values)
    except ValidationError as error:
        for detail in error.errors():
            name = str(detail['loc'][0]) if detail['loc'] else ''
            if detail['type'] == 'extra_forbidden':
                problems.append(f'{name} in {places[name]} is not a setting (the settings: '
                                f'{", ".join(Settings.model_fields)})')
            else:
                problems.append(_problem(name, values.get(name), sources[name], places[name], detail['msg']))
        raise ConfigurationError('\n'.join(problems)) from None
    for name, check in (checks or {}).items():
        try:
            check(getattr(settings, name))
        except ValueError as error:
            problems.append(_problem(name, values.get(name, getattr(settings, name)), sources[name], places[name],
                                     str(error)))
    if problems:
        raise ConfigurationError('\n'.join(problems))
    if not settings.demo and settings.simulator:  # the simulator only ever drives the demo floor
        settings = settings.model_copy(update={'simulator': False})
        sources['simulator'], places['simulator'] = sources['demo'], places['demo']
    return Configuration(settings=settings, sources=sources, places=places, file=file)


def masked_url(db_url: str) -> str:
    """The database URL with its password, if any, replaced by asterisks: for logs, banners and --show-config."""
    try:
        url = urlsplit(db_url)
        if url.password is None:
            return db_url
    except ValueError:
        return db_url
    user_and_password, _, host = url.netloc.rpartition('@')
    user = user_and_password.partition(':')[0]
    return urlunsplit(url._replace(netloc=f'{user}:{MASK}@{host}'))


def shown(name: str, value: object) -> str:
    """A setting's value as TOML writes it, secrets masked."""
    if isinstance(value, SecretStr):
        return f'"{MASK}"' if value.get_secret_value() else '""'
    if name == 'db_url' and isinstance(value, str):
        value = masked_url(value)
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, tuple):
        return '[' + ', '.join(shown(name, entry) for entry in value) + ']'
    if isinstance(value, str):
        return '"' + value.replace('\\', '\\\\').replace('"', '\\"') + '"'
    return format(value, 'g') if isinstance(value, float) else str(value)


def _problem(name: str, value: object, source: Source, place: str, reason: str) -> str:
    reason = reason.removeprefix('Value error, ')
    where = {'default': 'its default', 'file': f'the file {place}', 'env': place, 'flag': place}[source]
    if name == 'storage_secret':
        return f'{name} from {where}: {reason}'  # never echo a secret
    return f'{name} from {where} is {shown(name, value)}: {reason}'


def _read_file(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise ConfigurationError(f'the configuration file {file} does not exist (given by --config or {CONFIG_ENV})')
    try:
        return TomlConfigSettingsSource(Settings, toml_file=file)()
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f'the configuration file {file} is not valid TOML: {error}') from None
    except OSError as error:
        raise ConfigurationError(f'the configuration file {file} cannot be read: {error.strerror}') from None


class _Environment(EnvSettingsSource):
    """pydantic-settings' reading of the ``DESKQUEST_*`` variables, from a given environment (tests pass theirs)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.given = env
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self.given.items() if value != ''}  # case-insensitive, as set

    def found(self) -> dict[str, tuple[str, Any]]:
        """Setting name to (the variable that set it, its value), negated variables already turned round."""
        found = {name: (ENV_PREFIX + name.upper(), value) for name, value in self().items() if name not in NEGATED}
        for name, suffix in NEGATED.items():
            variable = ENV_PREFIX + suffix
            if (raw := self.env_vars.get(variable.lower())) is not None:
                try:
                    found[name] = (variable, not TypeAdapter(bool).validate_python(raw))
                except ValidationError:
                    raise ConfigurationError(f'{variable} is "{raw}": use 1 or 0 (or true/false, yes/no, on/off)') \
                        from None
        return found
