"""The simulation agrees with queueing theory, inside confidence intervals, at fixed seeds.

A long stationary day (constant arrival rate, the same agents all day) must reproduce:
Erlang C for M/M/c (P(wait), ASA, service level), Erlang A for M/M/c+M (also P(abandon)),
Erlang B for a system without waiting places, and the M/M/c/K queue with a finite waiting
room, at light and heavy load.  Each figure is estimated per replication (after a warm-up
hour) and the exact value must lie in the 99% confidence interval of the replications' mean.
The seeds are fixed, so the tests are deterministic; a wrong model misses by many intervals.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from blendsim import (
    AgentGroup,
    Day,
    Exponential,
    InboundType,
    Scenario,
    Shift,
    asa,
    erlang_a,
    erlang_b,
    erlang_c,
    service_level,
    simulate,
)

WARMUP = 3600.0
TARGET = 20.0


def stationary(agents: int, rate: float, aht: float, *, hours: int = 24, patience=None,
               capacity=None) -> Scenario:
    """A day of ``hours`` hours with a constant rate and ``agents`` on all day."""
    close = hours * 3600.0
    return Scenario(
        name="stationary",
        day=Day(open_at=0.0, close_at=close, interval=3600.0),
        inbound=[InboundType(name="calls", volume=[rate * 3600.0] * hours,
                             handle_time=Exponential(mean=aht),
                             patience=None if patience is None else Exponential(mean=patience),
                             queue_capacity=capacity)],
        groups=[AgentGroup(name="agents", skills=["calls"],
                           shifts=[Shift(start_at=0.0, end_at=close, count=agents)])],
    )


def per_replication(result) -> dict[str, np.ndarray]:
    """Figures of each replication, from contacts arriving after the warm-up."""
    c = result.contacts[result.contacts["arrival_at"] >= WARMUP]
    out = {k: [] for k in ("p_wait", "p_abandon", "p_block", "sl", "asa", "asa_all")}
    for _, day in c.groupby("replication"):
        served = (day["outcome"] == "served").to_numpy()
        wait = day["wait"].to_numpy()
        outcome = day["outcome"].to_numpy()
        n = len(day)
        queued = (outcome == "abandoned") | (served & (wait > 0))
        out["p_wait"].append(queued.sum() / n)
        out["p_abandon"].append((outcome == "abandoned").sum() / n)
        out["p_block"].append((outcome == "blocked").sum() / n)
        out["sl"].append((served & (wait <= TARGET)).sum() / n)
        out["asa"].append(wait[served].mean())
    return {k: np.asarray(v) for k, v in out.items() if v}


def assert_inside(name: str, samples: np.ndarray, exact: float, level: float = 0.99):
    n = samples.size
    mean = samples.mean()
    half = stats.t.ppf(0.5 + level / 2, n - 1) * samples.std(ddof=1) / math.sqrt(n)
    assert mean - half <= exact <= mean + half, (
        f"{name}: exact {exact:.5g} outside the {level:.0%} interval "
        f"[{mean - half:.5g}, {mean + half:.5g}] (mean of {n} replications {mean:.5g})")


@pytest.mark.parametrize("agents, load, seed", [(5, 2.5, 11), (20, 18.0, 12)],
                         ids=["light", "heavy"])
def test_mmc_matches_erlang_c(agents, load, seed):
    aht = 240.0
    result = simulate(stationary(agents, load / aht, aht), replications=30, seed=seed)
    f = per_replication(result)
    assert_inside("P(wait)", f["p_wait"], erlang_c(agents, load))
    assert_inside("ASA", f["asa"], asa(agents, load, aht))
    assert_inside("service level", f["sl"], service_level(agents, load, aht, TARGET))
    assert (f["p_abandon"] == 0).all()


@pytest.mark.parametrize("agents, load, patience, seed", [
    (6, 3.0, 60.0, 21), (20, 19.0, 180.0, 22), (10, 12.0, 120.0, 23)],
    ids=["light", "heavy", "overloaded"])
def test_mmc_with_patience_matches_erlang_a(agents, load, patience, seed):
    aht = 240.0
    rate = load / aht
    result = simulate(stationary(agents, rate, aht, patience=patience), replications=30,
                      seed=seed)
    f = per_replication(result)
    exact = erlang_a(agents, rate, aht, patience, target=TARGET)
    assert_inside("P(abandon)", f["p_abandon"], exact.p_abandon)
    assert_inside("P(wait)", f["p_wait"], exact.p_wait)
    assert_inside("service level", f["sl"], exact.service_level)
    assert_inside("ASA", f["asa"], exact.asa)


@pytest.mark.parametrize("agents, load, seed", [(4, 1.5, 31), (10, 12.0, 32)],
                         ids=["light", "heavy"])
def test_no_waiting_room_matches_erlang_b(agents, load, seed):
    aht = 180.0
    result = simulate(stationary(agents, load / aht, aht, capacity=0), replications=30,
                      seed=seed)
    f = per_replication(result)
    assert_inside("P(blocked)", f["p_block"], erlang_b(agents, load))
    assert (f["p_wait"] == 0).all()


def test_finite_waiting_room_matches_mmck():
    agents, load, aht, room = 5, 5.5, 180.0, 4
    result = simulate(stationary(agents, load / aht, aht, capacity=room), replications=30,
                      seed=41)
    f = per_replication(result)
    exact = erlang_a(agents, load / aht, aht, None, target=TARGET, capacity=room)
    assert_inside("P(blocked)", f["p_block"], exact.p_block)
    assert_inside("P(wait)", f["p_wait"], exact.p_wait)
    assert_inside("service level", f["sl"], exact.service_level)


def test_a_wrong_model_would_be_caught():
    # The same check on a mismatched pair (one agent fewer in theory) fails by far: the
    # intervals are narrow enough to tell neighbouring staffing levels apart.
    agents, load, aht = 20, 18.0, 240.0
    result = simulate(stationary(agents, load / aht, aht), replications=30, seed=12)
    f = per_replication(result)
    with pytest.raises(AssertionError):
        assert_inside("P(wait)", f["p_wait"], erlang_c(agents - 1, load))
    with pytest.raises(AssertionError):
        assert_inside("P(wait)", f["p_wait"], erlang_c(agents + 1, load))


def test_common_random_numbers_cut_the_variance_of_a_comparison():
    # Service level with 11 vs 12 agents, per replication: with one seed both staffing
    # levels see the same contacts, so their difference varies far less than with
    # independent seeds.
    aht, rate = 240.0, 10.0 / 240.0

    def sl(agents, seed):
        r = simulate(stationary(agents, rate, aht, hours=8), replications=30, seed=seed)
        return np.asarray(per_replication(r)["sl"])

    same = sl(12, 5) - sl(11, 5)
    independent = sl(12, 6) - sl(11, 5)
    assert same.mean() > 0  # one more agent helps...
    assert same.var(ddof=1) < 0.25 * independent.var(ddof=1)  # ...and CRN shows it sharply
