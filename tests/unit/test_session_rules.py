"""The pure rules of a login session: when it ends, how its browser is named, which new passwords are refused, and
the two settings that configure it."""
from datetime import UTC, datetime, timedelta

import pytest

from main import parse
from services.domain.sessions import (
    MAX_PASSWORD,
    MAX_USER_AGENT,
    Ended,
    SessionPolicy,
    device_name,
    ended,
    ends_at,
    password_problem,
    user_agent_kept,
)

LOGIN = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
POLICY = SessionPolicy(idle=timedelta(minutes=480), lifetime=timedelta(hours=24))
CHROME_LINUX = ('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 '
                'Safari/537.36')


def at(**delta: float) -> datetime:
    return LOGIN + timedelta(**delta)


@pytest.mark.parametrize(('now', 'last_seen', 'expected'), [
    (at(hours=7, minutes=59), at(), None),  # idle just under a shift
    (at(hours=8), at(), Ended.IDLE),  # idle a whole shift
    (at(hours=23, minutes=59), at(hours=16), None),  # in use all day
    (at(hours=24), at(hours=23, minutes=59), Ended.EXPIRED),  # however busy, a day after the login
])
def test_a_session_ends_idle_or_at_its_lifetime(now: datetime, last_seen: datetime, expected: Ended | None) -> None:
    assert ended(now=now, last_seen_at=last_seen, expires_at=LOGIN + POLICY.lifetime, policy=POLICY) == expected


def test_it_ends_at_the_first_of_its_two_limits() -> None:
    expires = LOGIN + POLICY.lifetime
    assert ends_at(last_seen_at=at(hours=1), expires_at=expires, policy=POLICY) == at(hours=9)
    assert ends_at(last_seen_at=at(hours=20), expires_at=expires, policy=POLICY) == expires


@pytest.mark.parametrize(('user_agent', 'name'), [
    (CHROME_LINUX, 'Chrome on Linux'),
    ('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'),
    ('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 '
     'Safari/537.36 Edg/131.0.0.0', 'Edge on Windows'),
    ('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 '
     'Mobile/15E148 Safari/604.1', 'Safari on iOS'),
    ('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile '
     'Safari/537.36', 'Chrome on Android'),
    ('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 '
     'Safari/605.1.15', 'Safari on macOS'),
    ('python-httpx/0.28.1', 'a script'),
    ('', 'Unknown browser'),
    ('SomethingElse/1.0 ' + 'x' * 60, 'SomethingElse/1.0 ' + 'x' * 22 + '…'),
])
def test_a_browser_is_named_as_a_person_would(user_agent: str, name: str) -> None:
    assert device_name(user_agent) == name


def test_the_user_agent_is_cleaned_and_cut_not_refused() -> None:
    assert user_agent_kept('Evil\x00Agent\u202e/1.0\n') == 'EvilAgent/1.0'
    assert len(user_agent_kept('A' * 10_000)) == MAX_USER_AGENT
    assert user_agent_kept(None) == ''


@pytest.mark.parametrize(('new', 'repeated', 'problem'), [
    ('a long new passphrase', 'a long new passphrase', None),
    ('  spaces count too  ', '  spaces count too  ', None),  # taken as typed: nothing trimmed
    ('a long new passphrase', 'a long new passphrasE', 'The two new passwords are not the same.'),
    ('short', 'short', 'The new password is too short: at least 12 characters.'),
    ('x' * (MAX_PASSWORD + 1), 'x' * (MAX_PASSWORD + 1), f'The new password is too long: at most {MAX_PASSWORD} '
                                                         'characters.'),
    ('with a NUL\x00 inside', 'with a NUL\x00 inside', 'The new password holds a control character: type it again '
                                                       'without.'),
    ('the current password', 'the current password', 'The new password is the current one: choose another.'),
    (None, None, 'The password must be text.'),
])
def test_a_new_password_is_refused_with_the_reason(new: object, repeated: object, problem: str | None) -> None:
    assert password_problem(new=new, repeated=repeated, current='the current password', min_length=12) == problem


def test_the_session_limits_are_read_from_the_environment(capsys: pytest.CaptureFixture[str]) -> None:
    defaults = parse([], env={}).settings
    assert (defaults.session_idle_minutes, defaults.session_lifetime_hours) == (480, 24)
    env = {'DESKQUEST_SESSION_IDLE_MINUTES': '30', 'DESKQUEST_SESSION_LIFETIME_HOURS': '12'}
    settings = parse([], env=env).settings
    assert (settings.session_idle_minutes, settings.session_lifetime_hours) == (30, 12)
    for bad in ('0', '-5', 'eight', '1.5'):
        with pytest.raises(SystemExit) as exited:
            parse([], env={'DESKQUEST_SESSION_IDLE_MINUTES': bad})
        assert exited.value.code == 2
        assert f'session_idle_minutes from DESKQUEST_SESSION_IDLE_MINUTES is "{bad}": ' in capsys.readouterr().err
