"""The headless core agrees with queueing theory, and these comparisons would catch a real mistake.

One channel, the ``steady`` scenario: Poisson arrivals, exponential handling, exponential patience (Erlang A) or none
(Erlang C), one line served in order. The theory comes from ``simulation/erlang.py`` (checked against published and
closed-form values in ``test_erlang.py``).

How the tolerance is set. One run is noisy, and how noisy depends on the load: measured over replications of 40,000
contacts, the run-to-run standard deviation of the service level is 0.009 at 71 % occupancy, 0.023 at 87 % and 0.006
with abandonment (patience 120 s), that of the ASA 9 %, 13 % and 2 %. So every case runs R replications (seeds 1…R,
taken in order, never picked) of n contacts each and asks that the theory lie inside the 99.9 % Student-t confidence
interval of their mean, ``mean ± t(R-1; 0.9995) · s / √R`` with ``s`` the replications' standard deviation. With
about a dozen such comparisons, a correct simulator fails one by chance about once in a hundred seed choices; the seeds
are fixed, so the outcome is the same on every run.

An interval can also be too wide to mean anything, so each case states the resolution it needs: the half-width of each
interval must stay below a bound derived from the noise above (it would grow if the simulator got noisier or the runs
shorter). The mutation tests then build the three mistakes the issue names, run them through the very same check, and
require it to fail: the service level counted over answered instead of offered contacts, a line served out of order
(last come, first served), and wrong distributions (lognormal handling times with the same mean; a fixed patience with
the same mean).
"""
import math
import statistics
from dataclasses import dataclass
from functools import cache

from services.domain.events import Channel
from simulation.core import RunConfig, Simulation, WaitingLine
from simulation.erlang import QueueTheory, erlang_a, erlang_c
from simulation.report import QueueStats, summarize
from simulation.traffic import AgentStyle, TrafficModel, lognormal

TARGET = 20.0
METRICS = ('service_level', 'asa_seconds', 'abandon_rate', 'delay_probability', 'occupancy')
T_99_9 = {5: 6.869, 9: 4.781, 11: 4.437}  # two-sided 99.9 % Student-t quantiles by degrees of freedom


@dataclass(frozen=True, kw_only=True)
class Case:
    agents: int
    arrivals_per_hour: float
    mean_handle_seconds: float
    patience_seconds: float | None
    replications: int
    contacts: int  # per replication
    resolution: tuple[tuple[str, float], ...]  # the largest confidence half-width each metric may have

    def theory(self) -> QueueTheory:
        if self.patience_seconds is None:
            return erlang_c(agents=self.agents, arrivals_per_hour=self.arrivals_per_hour,
                            mean_handle_seconds=self.mean_handle_seconds, target_seconds=TARGET)
        return erlang_a(agents=self.agents, arrivals_per_hour=self.arrivals_per_hour,
                        mean_handle_seconds=self.mean_handle_seconds, mean_patience_seconds=self.patience_seconds,
                        target_seconds=TARGET)

    def config(self, seed: int) -> RunConfig:
        return RunConfig(agents=self.agents, arrivals_per_hour=self.arrivals_per_hour,
                         mean_handle_seconds=self.mean_handle_seconds, patience_seconds=self.patience_seconds,
                         channels=(Channel.CHAT,), hours=self.contacts / self.arrivals_per_hour,
                         sl_target_seconds=TARGET, seed=seed, scenario='steady')


# the published Erlang C example: 71 % occupancy; 10 × 50,000 contacts
PUBLISHED = Case(agents=14, arrivals_per_hour=200, mean_handle_seconds=180, patience_seconds=None, replications=10,
                 contacts=50_000, resolution=(('service_level', 0.02), ('asa_seconds', 1.5),
                                              ('delay_probability', 0.025), ('occupancy', 0.01)))
# near full load, 87 % occupancy, where a run is noisiest: 12 × 100,000 contacts
HEAVY = Case(agents=10, arrivals_per_hour=174, mean_handle_seconds=180, patience_seconds=None, replications=12,
             contacts=100_000, resolution=(('service_level', 0.03), ('asa_seconds', 12.0),
                                           ('delay_probability', 0.03), ('occupancy', 0.01)))
# Erlang A: 10 erlangs offered to 10 agents, kept stable by customers who hang up; 10 × 50,000 contacts
PATIENCE = Case(agents=10, arrivals_per_hour=200, mean_handle_seconds=180, patience_seconds=120, replications=10,
                contacts=50_000, resolution=(('service_level', 0.012), ('asa_seconds', 0.7), ('abandon_rate', 0.006),
                                             ('delay_probability', 0.015), ('occupancy', 0.006)))


def test_published_erlang_c_example() -> None:
    assert_agrees(PUBLISHED, replicate(PUBLISHED))


def test_erlang_c_near_full_load() -> None:
    assert_agrees(HEAVY, replicate(HEAVY))


def test_erlang_a_with_customers_who_hang_up() -> None:
    assert_agrees(PATIENCE, replicate(PATIENCE))


# --- the mistakes these tests must catch ---

def test_catches_service_level_counted_over_answered_contacts() -> None:
    """Counting the answered-in-time share of the *answered* contacts flatters the floor by the abandon rate."""
    wrong = [stats_with(stats, service_level=stats.service_level * stats.offered / stats.answered)
             for stats in replicate(PATIENCE)]
    assert 'service_level' in misses(PATIENCE, wrong)


class LastComeFirstServed(WaitingLine):
    def _take(self, line):  # noqa: ANN001, ANN202 - the deque of the parent class
        return line.pop()


class OutOfOrder(Simulation):
    waiting_line = LastComeFirstServed


def test_catches_a_line_served_out_of_order() -> None:
    """Out of order, the total waiting is the same (so without abandonment the ASA cannot tell), but who waits how long
    changes: the service level moves far outside the interval, with and without abandonment."""
    assert {'service_level', 'asa_seconds'} <= set(misses(PATIENCE, replicate(PATIENCE, OutOfOrder, runs=6)))
    heavy = misses(HEAVY, replicate(HEAVY, OutOfOrder, runs=6, contacts=50_000))
    assert 'service_level' in heavy and 'asa_seconds' not in heavy


@dataclass(frozen=True, kw_only=True, slots=True)
class LognormalHandling(TrafficModel):
    def handle_seconds(self, channel: Channel, style: AgentStyle, rng) -> float:  # noqa: ANN001
        return lognormal(self.mean_handle_seconds, 0.5, rng)


@dataclass(frozen=True, kw_only=True, slots=True)
class FixedPatience(TrafficModel):
    def patience(self, channel: Channel, rng) -> float:  # noqa: ANN001
        assert self.patience_seconds is not None
        return self.patience_seconds


def with_traffic(model: type[TrafficModel]) -> type[Simulation]:
    class Wrong(Simulation):
        def __init__(self, config: RunConfig) -> None:
            super().__init__(config)
            right = self.traffic
            self.traffic = model(scenario=right.scenario, arrivals_per_hour=right.arrivals_per_hour,
                                 mean_handle_seconds=right.mean_handle_seconds,
                                 patience_seconds=right.patience_seconds, channels=right.channels)
    Wrong.__name__ = model.__name__
    return Wrong


def test_catches_a_wrong_handling_time_distribution() -> None:
    """Handling times with the right mean but less spread (lognormal, CV 0.5): queues are shorter than theory says."""
    assert 'asa_seconds' in misses(PUBLISHED, replicate(PUBLISHED, with_traffic(LognormalHandling), runs=6))
    assert {'asa_seconds', 'abandon_rate'} <= set(misses(PATIENCE, replicate(PATIENCE, with_traffic(LognormalHandling),
                                                                              runs=6)))


def test_catches_a_wrong_patience_distribution() -> None:
    """Everyone waiting exactly the mean patience instead of an exponential one: far fewer hang up early."""
    assert {'service_level', 'abandon_rate'} <= set(misses(PATIENCE, replicate(PATIENCE, with_traffic(FixedPatience),
                                                                                runs=6)))


# --- helpers ---

@cache
def replicate(case: Case, simulation: type[Simulation] = Simulation, *, runs: int | None = None,
              contacts: int | None = None) -> tuple[QueueStats, ...]:
    """The queue's figures of independent replications (seeds 1, 2, …), cached across the tests of this module."""
    sized = case if contacts is None else Case(**{**case.__dict__, 'contacts': contacts})
    return tuple(summarize(simulation(sized.config(seed)).run()).overall
                 for seed in range(1, (runs or case.replications) + 1))


def interval(values: list[float]) -> tuple[float, float]:
    """The mean and the half-width of its 99.9 % confidence interval."""
    spread = statistics.stdev(values) if len(values) > 1 else math.inf
    return statistics.fmean(values), T_99_9[len(values) - 1] * spread / math.sqrt(len(values))


def misses(case: Case, replications: tuple[QueueStats, ...] | list[QueueStats]) -> dict[str, str]:
    """The metrics whose theory value lies outside the replications' confidence interval."""
    theory = case.theory()
    found = {}
    for metric in METRICS:
        mean, half = interval([getattr(stats, metric) for stats in replications])
        expected = getattr(theory, metric)
        if abs(mean - expected) > half:
            found[metric] = f'{metric}: simulated {mean:.4f} ± {half:.4f}, theory {expected:.4f}'
    return found


def assert_agrees(case: Case, replications: tuple[QueueStats, ...]) -> None:
    assert not misses(case, replications), '\n'.join(misses(case, replications).values())
    for metric, bound in case.resolution:
        _, half = interval([getattr(stats, metric) for stats in replications])
        assert half < bound, f'{metric}: the interval (± {half:.4f}) is too wide to catch a mistake (bound {bound})'
    assert all(stats.offered > 0.97 * case.contacts for stats in replications)


def stats_with(stats: QueueStats, **changes: float) -> QueueStats:
    return QueueStats(**{**{name: getattr(stats, name) for name in QueueStats.__slots__}, **changes})
