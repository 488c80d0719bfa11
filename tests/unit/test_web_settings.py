"""The web settings: HTTPS, the websocket's extra origins and who may frame the kiosk, with a clear refusal of bad
origins."""
import pytest

from main import parse
from services.platform.settings import origins

SECRET = {'DESKQUEST_STORAGE_SECRET': 'fixed'}


def test_defaults_are_plain_http_with_no_other_origin() -> None:
    settings = parse([], env=SECRET).settings
    assert (settings.https, settings.allowed_origins, settings.kiosk_frame_origins) == (False, (), ())


def test_environment_and_options() -> None:
    env = {**SECRET, 'DESKQUEST_HTTPS': '1', 'DESKQUEST_ALLOWED_ORIGINS': 'https://desk.example.com, http://10.0.0.5:8080',
           'DESKQUEST_KIOSK_FRAME_ORIGINS': 'https://wall.example.com'}
    settings = parse([], env=env).settings
    assert settings.https
    assert settings.allowed_origins == ('https://desk.example.com', 'http://10.0.0.5:8080')
    assert settings.kiosk_frame_origins == ('https://wall.example.com',)
    settings = parse(['--allowed-origins', 'https://proxy.example.org', '--kiosk-frame-origins', ''], env=env).settings
    assert (settings.allowed_origins, settings.kiosk_frame_origins) == (('https://proxy.example.org',), ())


@pytest.mark.parametrize('value, parsed', [
    ('HTTPS://Desk.Example.com/', ('https://desk.example.com',)),  # as a browser writes the Origin header
    ('https://desk.example.com:443,http://desk.example.com:80', ('https://desk.example.com', 'http://desk.example.com')),
    ('http://[::1]:8080, ,http://[::1]:8080', ('http://[::1]:8080',)),
    ('', ()),
])
def test_origins_are_normalised(value: str, parsed: tuple[str, ...]) -> None:
    assert origins(value) == parsed


@pytest.mark.parametrize('value', ['desk.example.com', 'ftp://desk.example.com', 'https://desk.example.com/path',
                                   'https://*.example.com', "https://a.example.com; script-src 'unsafe-inline'",
                                   'https://user@desk.example.com', 'https://desk.example.com:99999', 'https://',
                                   'https://desk.example.com?x=1', '*'])
def test_a_bad_origin_is_refused_with_a_message(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match='is not an origin like https://desk.example.com'):
        origins(value)
    with pytest.raises(SystemExit) as exited:
        parse(['--allowed-origins', value], env=SECRET)
    assert exited.value.code == 2
    assert 'python main.py: allowed_origins from --allowed-origins is "' in capsys.readouterr().err
