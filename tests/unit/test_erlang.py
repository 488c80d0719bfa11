"""Erlang C and Erlang A: against published figures, closed forms in limiting cases, and their own identities."""
import math

import pytest

from simulation.erlang import _hypoexponential_cdfs, _stationary, erlang_a, erlang_b, erlang_c


def test_erlang_c_published_example() -> None:
    """The standard worked Erlang C example: 200 calls/h, 180 s handling, 14 agents, 20 s target give
    P(wait) 0.174, service level 0.888 and ASA 7.8 s."""
    theory = erlang_c(agents=14, arrivals_per_hour=200, mean_handle_seconds=180, target_seconds=20)
    assert round(theory.delay_probability, 3) == 0.174
    assert round(theory.service_level, 3) == 0.888
    assert round(theory.asa_seconds, 1) == 7.8
    assert theory.occupancy == pytest.approx(10 / 14)
    assert theory.abandon_rate == 0.0


def test_erlang_b_published_values() -> None:
    """Erlang B tables: 5 erlangs on 10 lines block 1.84 %; 1 erlang on 1 line blocks half."""
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=1e-6)
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(0, 3.0) == 1.0


def test_erlang_c_single_agent_is_mm1() -> None:
    """With one agent Erlang C is M/M/1: P(wait) = ρ, ASA = ρ/(μ - λ), P(W ≤ t) = 1 - ρ e^{-(μ-λ)t}."""
    rate, mu = 30 / 3600, 1 / 60
    theory = erlang_c(agents=1, arrivals_per_hour=30, mean_handle_seconds=60, target_seconds=45)
    assert theory.delay_probability == pytest.approx(0.5)
    assert theory.asa_seconds == pytest.approx(0.5 / (mu - rate))
    assert theory.service_level == pytest.approx(1 - 0.5 * math.exp(-(mu - rate) * 45))


def test_erlang_c_refuses_an_overloaded_floor() -> None:
    with pytest.raises(ValueError, match='without end'):
        erlang_c(agents=10, arrivals_per_hour=200, mean_handle_seconds=180, target_seconds=20)


def test_erlang_a_becomes_erlang_c_as_patience_grows() -> None:
    c = erlang_c(agents=14, arrivals_per_hour=200, mean_handle_seconds=180, target_seconds=20)
    a = erlang_a(agents=14, arrivals_per_hour=200, mean_handle_seconds=180, mean_patience_seconds=1e9,
                 target_seconds=20)
    assert a.delay_probability == pytest.approx(c.delay_probability, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-5)
    assert a.abandon_rate < 1e-7


def test_erlang_a_with_patience_equal_to_handling_is_an_infinite_server_queue() -> None:
    """When customers leave the queue at the service rate, everyone in the system leaves at rate μ: the number present
    is Poisson(A). So P(wait) = P(X ≥ N) and the abandon rate is E[(X - N)+] / A."""
    agents, load = 8, 10.0
    theory = erlang_a(agents=agents, arrivals_per_hour=200, mean_handle_seconds=180, mean_patience_seconds=180,
                      target_seconds=20)
    poisson = [math.exp(-load + n * math.log(load) - math.lgamma(n + 1)) for n in range(200)]
    assert theory.delay_probability == pytest.approx(sum(poisson[agents:]), rel=1e-9)
    excess = sum((n - agents) * p for n, p in enumerate(poisson) if n > agents)
    assert theory.abandon_rate == pytest.approx(excess / load, rel=1e-9)


def test_erlang_a_identities() -> None:
    """Customers hang up at rate θ each while queued, so abandon rate = θ·E[queue]/λ; agents are busy with exactly
    the answered load; and the service level can never exceed the share answered."""
    agents, rate, mu, theta = 10, 200 / 3600, 1 / 180, 1 / 120
    theory = erlang_a(agents=agents, arrivals_per_hour=200, mean_handle_seconds=180, mean_patience_seconds=120,
                      target_seconds=20)
    weights = _stationary(agents, rate, mu, theta)
    queue = sum((n - agents) * p for n, p in enumerate(weights) if n > agents)
    assert theory.abandon_rate == pytest.approx(theta * queue / rate, rel=1e-9)
    assert theory.occupancy == pytest.approx((1 - theory.abandon_rate) * rate / mu / agents, rel=1e-9)
    assert theory.service_level < 1 - theory.abandon_rate
    # the figures this project's tests compare the simulator with (M/M/10+M, 200/h, 180 s, patience 120 s)
    assert (round(theory.service_level, 4), round(theory.asa_seconds, 2), round(theory.abandon_rate, 4)) == \
        (0.6399, 14.55, 0.1375)


def test_erlang_a_service_level_grows_with_the_target_and_the_floor() -> None:
    def sl(agents: int, target: float) -> float:
        return erlang_a(agents=agents, arrivals_per_hour=200, mean_handle_seconds=180, mean_patience_seconds=120,
                        target_seconds=target).service_level
    assert sl(10, 0) < sl(10, 20) < sl(10, 60) < sl(10, 600)
    assert sl(10, 0) == pytest.approx(1 - erlang_a(agents=10, arrivals_per_hour=200, mean_handle_seconds=180,
                                                   mean_patience_seconds=120, target_seconds=0).delay_probability)
    assert sl(8, 20) < sl(10, 20) < sl(12, 20)


def test_hypoexponential_cdfs_match_the_closed_form() -> None:
    """For distinct rates, P(E_0 + … + E_k ≤ t) = 1 - Σ_i e^{-r_i t} Π_{j≠i} r_j / (r_j - r_i)."""
    rates, t = [0.1, 0.2, 0.35, 0.6], 7.0
    expected = []
    for k in range(len(rates)):
        part = rates[:k + 1]
        expected.append(1 - sum(math.exp(-r * t) * math.prod(s / (s - r) for s in part if s != r) for r in part))
    assert _hypoexponential_cdfs(rates, t) == pytest.approx(expected, abs=1e-12)
    assert _hypoexponential_cdfs(rates, 0.0) == [0.0] * 4
    # a long target with fast phases: the Poisson weights start far below the float range and must still sum to one
    assert _hypoexponential_cdfs([2.0, 3.0], 600.0) == pytest.approx([1.0, 1.0])
