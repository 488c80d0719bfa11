"""Checking that a delivery comes from the helpdesk it claims: each helpdesk signs differently, and every signature is
computed over the raw bytes as received (re-serialising JSON changes them: Rails escapes ``<``, ``>`` and ``&``)."""
import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

MAX_AGE = timedelta(minutes=5)  # an older delivery may be a replay of a captured one


class Refused(Exception):
    """The delivery is not accepted; ``status`` is the HTTP answer (401) and the message says why."""

    def __init__(self, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


def check_chatwoot(secret: str, body: bytes, *, signature: str | None, timestamp: str | None,
                   now: datetime) -> None:
    """Chatwoot 4.11.2+: ``X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`` with
    ``X-Chatwoot-Timestamp`` in Unix seconds.

    :raises Refused: when a header is missing, the timestamp is too old or in the future, or the signature differs.
    """
    if not signature or not timestamp:
        raise Refused('The delivery is not signed (X-Chatwoot-Signature and X-Chatwoot-Timestamp are required for '
                      'this connection).')
    try:
        sent = datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        raise Refused(f'X-Chatwoot-Timestamp is not a Unix time: {timestamp[:40]!r}.') from None
    _check_age(sent, now)
    expected = hmac.new(secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.strip().removeprefix('sha256='), expected):
        raise Refused('The signature does not match: check the secret pasted into Chatwoot.')


def check_zendesk(secret: str, body: bytes, *, signature: str | None, timestamp: str | None,
                  now: datetime) -> None:
    """Zendesk: ``X-Zendesk-Webhook-Signature`` = base64 HMAC-SHA256(secret, timestamp + body), no separator, with
    ``X-Zendesk-Webhook-Signature-Timestamp`` in ISO 8601.

    :raises Refused: as :func:`check_chatwoot`.
    """
    if not signature or not timestamp:
        raise Refused('The delivery is not signed (X-Zendesk-Webhook-Signature and '
                      'X-Zendesk-Webhook-Signature-Timestamp are required).')
    try:
        sent = datetime.fromisoformat(timestamp.replace('Z', '+00:00'))
    except ValueError:
        raise Refused(f'X-Zendesk-Webhook-Signature-Timestamp is not an ISO 8601 time: {timestamp[:40]!r}.') from None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    _check_age(sent, now)
    expected = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Refused('The signature is not base64.') from None
    if not hmac.compare_digest(given, expected):
        raise Refused('The signature does not match: check the signing secret copied from Zendesk.')


def check_shared_secret(secret: str, *, authorization: str | None, header: str | None) -> None:
    """Freshdesk signs nothing: its webhook sends the secret DeskQuest gave, either as HTTP Basic authentication
    (any user name, the secret as the password) or in an ``X-DeskQuest-Secret`` header.

    :raises Refused: when neither carries the secret.
    """
    candidates = _shared_secret_candidates(authorization=authorization, header=header)
    # every candidate compared, so the time taken does not tell which one was tried
    if not any([hmac.compare_digest(candidate.encode(), secret.encode()) for candidate in candidates]):
        raise Refused('The secret does not match: check the password or header in the Freshdesk rule.')


def secret_digest(secret: str) -> str:
    """How a shared secret is stored: its SHA-256 (the secrets DeskQuest makes are random, 32 bytes)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _shared_secret_candidates(*, authorization: str | None, header: str | None) -> list[str]:
    candidates = [header] if header else []
    if authorization and authorization.lower().startswith('basic '):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise Refused('The Authorization header is not valid Basic authentication.') from None
        candidates.append(decoded.partition(':')[2])
    if not candidates:
        raise Refused('The delivery carries no secret: set "Requires authentication" (the secret as the password) '
                      'or the X-DeskQuest-Secret header in the Freshdesk rule.')
    return candidates


def check_shared_secret_digest(digest: str, *, authorization: str | None, header: str | None) -> None:
    """:func:`check_shared_secret` against a stored SHA-256 of the secret (DeskQuest keeps no clear copy of it).

    :raises Refused: as :func:`check_shared_secret`.
    """
    candidates = _shared_secret_candidates(authorization=authorization, header=header)
    if not any([hmac.compare_digest(secret_digest(candidate), digest) for candidate in candidates]):
        raise Refused('The secret does not match: check the password or header in the Freshdesk rule.')


def _check_age(sent: datetime, now: datetime) -> None:
    if now - sent > MAX_AGE:
        raise Refused(f'The delivery is too old (signed {_minutes(now - sent)} ago; at most 5 minutes): '
                      'check the helpdesk server\'s clock, or replay it from DeskQuest.')
    if sent - now > MAX_AGE:
        raise Refused(f'The delivery is signed {_minutes(sent - now)} in the future: check the clocks.')


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return '1 minute' if minutes == 1 else f'{minutes} minutes'
