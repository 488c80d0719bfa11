"""The rules of a login session, pure: when one has ended, and how its browser is named on the account page."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

MAX_USER_AGENT = 200  # what is kept of the User-Agent header: enough to name the browser, bounded in the database
MAX_PASSWORD = 256  # beyond any passphrase a person types; Argon2 hashes what it is given, a megabyte included
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often: not one write per click


class Ended(str, Enum):
    """Why a session no longer lets anyone in (stored as ``revoked_reason``)."""
    LOGOUT = 'logout'
    ENDED = 'ended'  # ended from the account page (one session, or all the others)
    IDLE = 'idle'
    EXPIRED = 'expired'  # past its absolute lifetime
    ROLE_CHANGED = 'role_changed'
    DISABLED = 'disabled'
    PASSWORD_RESET = 'password_reset'
    PASSWORD_CHANGED = 'password_changed'


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=480)  # a shift without a page opened or a button pressed
    lifetime: timedelta = timedelta(hours=24)  # however busy: a stolen cookie kept in use dies within a day


def ended(*, now: datetime, last_seen_at: datetime, expires_at: datetime, policy: SessionPolicy) -> Ended | None:
    """Why a session that was not revoked has ended by ``now``, or None while it is live."""
    if now >= expires_at:
        return Ended.EXPIRED
    if now - last_seen_at >= policy.idle:
        return Ended.IDLE
    return None


def ends_at(*, last_seen_at: datetime, expires_at: datetime, policy: SessionPolicy) -> datetime:
    """When a live session ends if nobody uses it any more: the idle limit or the absolute one, whichever is first."""
    return min(expires_at, last_seen_at + policy.idle)


def user_agent_kept(user_agent: str | None) -> str:
    """The User-Agent header as stored: control and bidirectional characters dropped, at most ``MAX_USER_AGENT``.

    It is sent by the browser, not typed by the person, so it is cleaned rather than refused: a login never fails on it.
    """
    return _UNPRINTABLE.sub('', user_agent or '').strip()[:MAX_USER_AGENT]


def device_name(user_agent: str) -> str:
    """A person's name for the browser behind a User-Agent header: 'Firefox on Windows', 'Chrome on Android'."""
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f'{browser} on {system}'
    return browser or system or (user_agent[:40] + ('…' if len(user_agent) > 40 else '') if user_agent
                                 else 'Unknown browser')


def password_problem(*, new: object, repeated: object, current: str, min_length: int) -> str | None:
    """Why ``new`` cannot become a person's password (``repeated`` is what they typed the second time), or None.

    Passwords are taken as typed: not trimmed and no characters removed, since that would change what is checked at
    the next login; only control characters, which no keyboard types, are refused.
    """
    if not isinstance(new, str) or not isinstance(repeated, str):
        return 'The password must be text.'
    if new != repeated:
        return 'The two new passwords are not the same.'
    if len(new) < min_length:
        return f'The new password is too short: at least {min_length} characters.'
    if len(new) > MAX_PASSWORD:
        return f'The new password is too long: at most {MAX_PASSWORD} characters.'
    if _CONTROL.search(new):
        return 'The new password holds a control character: type it again without.'
    if new == current:
        return 'The new password is the current one: choose another.'
    return None


_CONTROL = re.compile('[\x00-\x1f\x7f-\x9f\ud800-\udfff]')
_UNPRINTABLE = re.compile('[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]')
# the order matters: Edge and Opera also say Chrome, Chrome also says Safari, Android also says Linux
_BROWSERS = [(re.compile(pattern), name) for pattern, name in (
    (r'Edg(e|A|iOS)?/', 'Edge'), (r'OPR/|Opera', 'Opera'), (r'Firefox/|FxiOS/', 'Firefox'),
    (r'Chrome/|Chromium/|CriOS/', 'Chrome'), (r'Safari/', 'Safari'), (r'curl/', 'curl'),
    (r'python-httpx|python-requests|aiohttp', 'a script'))]
_SYSTEMS = [(re.compile(pattern), name) for pattern, name in (
    (r'Android', 'Android'), (r'iPhone|iPad|iPod', 'iOS'), (r'CrOS', 'ChromeOS'), (r'Windows', 'Windows'),
    (r'Mac OS X|Macintosh', 'macOS'), (r'Linux|X11', 'Linux'))]
