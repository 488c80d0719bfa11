"""The failed-login limits: per account and per client address, on a moving window, with a message saying when."""
import time

import pytest

from services.platform.auth import LoginLimits, TooManyFailures


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The wall clock ``limits`` reads, held still and moved by the test (``now[0] += seconds``)."""
    moment = [time.time()]
    monkeypatch.setattr(time, 'time', lambda: moment[0])
    return moment


def test_the_sixth_attempt_on_an_account_is_refused_with_when_to_try_again(now: list[float]) -> None:
    limits = LoginLimits()
    for _ in range(5):
        limits.check('ana', None)
        limits.failed('ana', None)
        now[0] += 10
    with pytest.raises(TooManyFailures) as refusal:
        limits.check('ana', None)
    # the first failure leaves the 15-minute window in 850 s (14 min 10 s): one attempt is allowed again then
    assert str(refusal.value) == 'Too many failed logins for this account. Try again in 15 minutes.'
    now[0] += 14 * 60
    with pytest.raises(TooManyFailures, match=r'Try again in 1 minute\.$'):
        limits.check('ana', None)
    now[0] += 11
    limits.check('ana', None)  # the oldest failure has left the window
    limits.failed('ana', None)
    with pytest.raises(TooManyFailures, match='Try again in 1 minute'):  # the second one leaves 10 s later
        limits.check('ana', None)


def test_accounts_are_counted_apart(now: list[float]) -> None:
    limits = LoginLimits()
    for _ in range(5):
        limits.failed('ana', None)
    assert limits.account_locked('ana') and not limits.account_locked('bruno')
    limits.check('bruno', None)


def test_an_address_is_counted_across_accounts(now: list[float]) -> None:
    limits = LoginLimits()
    for number in range(20):
        limits.check(f'user{number}', '198.51.100.4')
        limits.failed(f'user{number}', '198.51.100.4')
    with pytest.raises(TooManyFailures, match=r'^Too many failed logins from this address\. Try again in 15 minutes'):
        limits.check('someone-else', '198.51.100.4')
    limits.check('someone-else', '198.51.100.5')
    limits.check('someone-else', None)


def test_a_success_clears_the_account_but_not_the_address(now: list[float]) -> None:
    limits = LoginLimits(per_address=LoginLimits().per_account)
    for _ in range(4):
        limits.failed('ana', '203.0.113.9')
    limits.succeeded('ana')
    limits.failed('ana', '203.0.113.9')
    assert not limits.account_locked('ana')
    with pytest.raises(TooManyFailures, match='from this address'):
        limits.check('ana', '203.0.113.9')


def test_unlock_clears_only_that_account(now: list[float]) -> None:
    limits = LoginLimits()
    for _ in range(5):
        limits.failed('ana', None)
        limits.failed('bruno', None)
    limits.unlock('ana')
    assert not limits.account_locked('ana') and limits.account_locked('bruno')


def test_each_instance_counts_its_own_failures() -> None:
    first, second = LoginLimits(), LoginLimits()
    for _ in range(5):
        first.failed('ana', None)
    assert first.account_locked('ana') and not second.account_locked('ana')
