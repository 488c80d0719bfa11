"""Queueing theory for one channel: Erlang C (M/M/N) and Erlang A (M/M/N+M, exponential patience).

What the simulator's ``steady`` scenario must agree with. All rates are per second, times in seconds.
"""
import math
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueTheory:
    delay_probability: float  # share of the contacts who have to wait at all
    service_level: float  # share of the offered contacts answered within the target
    asa_seconds: float  # mean wait of the answered contacts
    abandon_rate: float  # share of the offered contacts who hang up
    occupancy: float  # share of the agents' time spent handling


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of N servers offered ``load`` erlangs (the stable recursion, no factorials)."""
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def erlang_c(*, agents: int, arrivals_per_hour: float, mean_handle_seconds: float,
             target_seconds: float) -> QueueTheory:
    """The M/M/N queue: Poisson arrivals, exponential handling, everyone waits as long as it takes, first come first
    served. Needs fewer erlangs than agents, else the queue grows without end."""
    rate = arrivals_per_hour / 3600.0
    load = rate * mean_handle_seconds
    if load >= agents:
        raise ValueError(f'{load:g} erlangs on {agents} agents: the queue grows without end')
    blocking = erlang_b(agents, load)
    delay = agents * blocking / (agents - load * (1.0 - blocking))
    drain = (agents - load) / mean_handle_seconds  # how fast a queue empties once everyone is busy
    return QueueTheory(delay_probability=delay, service_level=1.0 - delay * math.exp(-drain * target_seconds),
                       asa_seconds=delay / drain, abandon_rate=0.0, occupancy=load / agents)


def erlang_a(*, agents: int, arrivals_per_hour: float, mean_handle_seconds: float, mean_patience_seconds: float,
             target_seconds: float) -> QueueTheory:
    """The M/M/N+M (Palm, Erlang A) queue: as Erlang C, but each waiting customer hangs up after an exponential
    patience. Always stable.

    The number in the system is a birth-death chain (births at the arrival rate; deaths at ``min(n, N)·μ`` for
    services plus ``max(n - N, 0)·θ`` for customers hanging up), solved numerically and cut where its tail is
    negligible. A customer arriving behind ``k`` others (all agents busy) moves up one place at rate ``N·μ + j·θ`` while
    ``j`` are ahead and hangs up at rate ``θ``: it is answered with probability ``N·μ / (N·μ + (k + 1)·θ)``, and given
    that, its wait is a sum of independent exponentials with rates ``N·μ + (j + 1)·θ``, ``j = 0…k``.
    """
    if mean_patience_seconds <= 0:
        raise ValueError('the patience must be positive')
    rate = arrivals_per_hour / 3600.0
    mu = 1.0 / mean_handle_seconds
    theta = 1.0 / mean_patience_seconds
    weights = _stationary(agents, rate, mu, theta)
    below = sum(weights[:agents])
    queued = weights[agents:]  # queued[k]: an arrival finds all agents busy and k customers waiting
    served_rates = agents * mu
    answered_after_wait = [served_rates / (served_rates + (k + 1) * theta) for k in range(len(queued))]
    mean_waits = []
    total = 0.0
    for k in range(len(queued)):
        total += 1.0 / (served_rates + (k + 1) * theta)
        mean_waits.append(total)
    within = _hypoexponential_cdfs([served_rates + (j + 1) * theta for j in range(len(queued))], target_seconds)
    answered = below + sum(p * a for p, a in zip(queued, answered_after_wait, strict=True))
    busy = sum(min(n, agents) * weight for n, weight in enumerate(weights))
    return QueueTheory(
        delay_probability=1.0 - below,
        service_level=below + sum(p * a * f for p, a, f in zip(queued, answered_after_wait, within, strict=True)),
        asa_seconds=sum(p * a * w for p, a, w in zip(queued, answered_after_wait, mean_waits, strict=True)) / answered,
        abandon_rate=1.0 - answered,
        occupancy=busy / agents)


def _stationary(agents: int, rate: float, mu: float, theta: float) -> list[float]:
    """The chain's stationary distribution, normalised, up to where the rest weighs less than 1e-16."""
    weights = [1.0]
    n = 0
    while True:
        n += 1
        death = min(n, agents) * mu + max(n - agents, 0) * theta
        weights.append(weights[-1] * rate / death)
        if weights[-1] > 1e250:  # rescale before a large floor overflows; only the proportions matter
            weights = [weight * 1e-250 for weight in weights]
        # past the agents and past the point where deaths outpace births the tail shrinks faster than geometrically
        if n > agents and death > rate and weights[-1] < 1e-18 * sum(weights):
            break
    total = sum(weights)
    return [weight / total for weight in weights]


def _hypoexponential_cdfs(rates: list[float], t: float) -> list[float]:
    """``P(E_0 + … + E_k <= t)`` for every ``k``, with independent ``E_j ~ Exp(rates[j])``, by uniformization.

    One chain walks through the phases 0, 1, 2, … in order; a clock ticks at the largest rate ``Λ`` and each tick
    completes the phase in progress ``j`` with probability ``rates[j] / Λ``. After ``m`` ticks, ``done[k]`` is the
    probability that phases 0…k are all complete; weighting by the Poisson number of ticks by ``t`` gives the CDFs,
    exact up to the Poisson tail cut at 1e-15.
    """
    if t <= 0:
        return [0.0] * len(rates)
    uniform = max(rates)
    step = [r / uniform for r in rates]
    mean_ticks = uniform * t
    # done[k]: probability that k+1 phases are complete after m ticks; one pass per tick updates every k at once
    done = [0.0] * len(rates)
    cdfs = [0.0] * len(rates)
    m = 0
    weight_sum = 0.0
    while True:
        weight = math.exp(-mean_ticks + m * math.log(mean_ticks) - math.lgamma(m + 1))
        weight_sum += weight
        for k in range(len(rates)):
            cdfs[k] += weight * done[k]
        if weight_sum > 1.0 - 1e-15 or m > mean_ticks + 50.0 * math.sqrt(mean_ticks) + 50:
            break
        # one more tick: the mass with exactly phases 0…k-1 done (phase k in progress) completes phase k with
        # probability step[k]; ``previous`` keeps done[k-1] from before this tick
        previous = 1.0
        for k in range(len(rates)):
            in_phase_k = previous - done[k]
            previous = done[k]
            done[k] += in_phase_k * step[k]
        m += 1
    return cdfs
