"""Threshold blending against its exact Markov chain (:func:`blendsim.threshold_blend`).

A long stationary day with one blended team, Poisson inbound, exponential handle times, an
unlimited list that always connects at once.  Each figure is estimated per replication (after
a warm-up hour) and the exact value must lie in the 99% t interval of the replications' mean;
the seeds are fixed, so the tests are deterministic."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from blendsim import (
    AgentGroup,
    Day,
    Deterministic,
    Exponential,
    InboundType,
    OutboundCampaign,
    Scenario,
    Shift,
    Threshold,
    erlang_c,
    simulate,
    threshold_blend,
)

# --------------------------------------------------------------------------------------------
# Agreement with the exact Markov chain

WARMUP = 3600.0
TARGET = 20.0
HOURS = 24
CLOSE = HOURS * 3600.0
# Inbound callers arriving in the last half hour meet agents who no longer dial (dialling
# stops at closing): they are left out so every measured caller sees the stationary centre.
LAST_ARRIVAL = CLOSE - 1800.0


def stationary_blend(agents: int, rate: float, aht: float, outbound_aht: float, reserve: int,
                     *, patience=None) -> Scenario:
    """The chain's model as a day: one blended team on all day, an endless list that always
    connects at once (no ringing, no failed attempts, no wrap-up), progressive dialling."""
    return Scenario(
        name="stationary blend",
        day=Day(open_at=0.0, close_at=CLOSE, interval=3600.0),
        inbound=[InboundType(name="calls", volume=[rate * 3600.0] * HOURS,
                             handle_time=Exponential(mean=aht),
                             patience=None if patience is None else Exponential(mean=patience))],
        groups=[AgentGroup(name="team", skills=["calls"], outbound=["list"],
                           shifts=[Shift(start_at=0.0, end_at=CLOSE, count=agents)])],
        outbound=[OutboundCampaign(name="list", talk_time=Exponential(mean=outbound_aht),
                                   connect_probability=1.0,
                                   attempt_time=Deterministic(value=0),
                                   connect_time=Deterministic(value=0), dial_ratio=1.0)],
        blending=[Threshold(reserve=reserve)],
    )


def chain_figures(result) -> dict[str, np.ndarray]:
    """Per replication: inbound P(wait), service level, ASA, P(abandon) of callers arriving
    after the warm-up, and outbound conversations per second dialled after it."""
    c = result.contacts
    out = {k: [] for k in ("p_wait", "service_level", "asa", "p_abandon", "outbound_rate")}
    for _, day in c.groupby("replication"):
        inbound = day[(day["kind"] == "inbound") & (day["arrival_at"] >= WARMUP)
                      & (day["arrival_at"] < LAST_ARRIVAL)]
        outcome = inbound["outcome"].to_numpy()
        wait = inbound["wait"].to_numpy(dtype=float)
        served = outcome == "served"
        abandoned = outcome == "abandoned"
        assert ((outcome == "served") | abandoned).all()
        out["p_wait"].append((abandoned | (served & (wait > 0))).mean())
        out["service_level"].append((served & (wait <= TARGET)).mean())
        out["asa"].append(wait[served].mean())
        out["p_abandon"].append(abandoned.mean())
        dialled = day[(day["kind"] == "outbound") & (day["arrival_at"] >= WARMUP)]
        out["outbound_rate"].append((dialled["outcome"] == "served").sum() / (CLOSE - WARMUP))
    return {k: np.asarray(v) for k, v in out.items()}


def assert_inside(name: str, samples: np.ndarray, exact: float, level: float = 0.99):
    n = samples.size
    mean = samples.mean()
    half = stats.t.ppf(0.5 + level / 2, n - 1) * samples.std(ddof=1) / math.sqrt(n)
    half += 1e-12  # a degenerate interval (every caller waits) still holds its value
    assert mean - half <= exact <= mean + half, (
        f"{name}: exact {exact:.5g} outside the {level:.0%} interval "
        f"[{mean - half:.5g}, {mean + half:.5g}] (mean of {n} replications {mean:.5g})")


def exact_blend(agents, rate, aht, outbound_aht, reserve, patience=None):
    return threshold_blend(agents=agents, rate=rate, aht=aht, outbound_aht=outbound_aht,
                           reserve=reserve, patience=patience, target=TARGET)


def assert_matches_chain(f, exact):
    assert_inside("P(wait)", f["p_wait"], exact.p_wait)
    assert_inside("service level", f["service_level"], exact.service_level)
    assert_inside("ASA", f["asa"], exact.asa)
    assert_inside("outbound conversations per second", f["outbound_rate"], exact.outbound_rate)
    if np.all(f["p_abandon"] == 0):
        assert exact.p_abandon == 0
    else:
        assert_inside("P(abandon)", f["p_abandon"], exact.p_abandon)


# (agents, inbound load in Erlangs, inbound aht, outbound aht, reserve, patience, seed)
CHAIN_CASES = [
    pytest.param(6, 3.6, 240.0, 240.0, 0, None, 101, id="equal-reserve-0"),
    pytest.param(6, 3.6, 240.0, 240.0, 2, None, 102, id="equal-reserve-2"),
    pytest.param(6, 3.6, 240.0, 240.0, 2, 150.0, 103, id="equal-reserve-2-patience"),
    pytest.param(6, 3.6, 240.0, 90.0, 1, None, 104, id="outbound-shorter-reserve-1"),
    pytest.param(6, 3.6, 240.0, 90.0, 3, 120.0, 105, id="outbound-shorter-reserve-3-patience"),
    pytest.param(6, 3.6, 240.0, 600.0, 3, None, 106, id="outbound-longer-reserve-3"),
    pytest.param(6, 4.2, 240.0, 600.0, 2, 180.0, 107, id="outbound-longer-reserve-2-patience"),
    pytest.param(6, 4.5, 240.0, 300.0, 0, 150.0, 108, id="reserve-0-patience"),
    pytest.param(12, 9.0, 180.0, 300.0, 4, 240.0, 109, id="twelve-agents-reserve-4-patience"),
]


@pytest.mark.parametrize("agents, load, aht, outbound_aht, reserve, patience, seed",
                         CHAIN_CASES)
def test_threshold_blending_matches_the_exact_chain(agents, load, aht, outbound_aht, reserve,
                                                    patience, seed):
    rate = load / aht
    result = simulate(stationary_blend(agents, rate, aht, outbound_aht, reserve,
                                       patience=patience), replications=25, seed=seed)
    f = chain_figures(result)
    exact = exact_blend(agents, rate, aht, outbound_aht, reserve, patience)
    assert exact.outbound_rate > 0
    assert_matches_chain(f, exact)


@pytest.mark.parametrize("patience, seed", [(None, 111), (150.0, 112)],
                         ids=["no-patience", "patience"])
def test_full_reserve_makes_no_outbound_and_matches_the_chain(patience, seed):
    agents, load, aht = 6, 4.5, 240.0
    rate = load / aht
    result = simulate(stationary_blend(agents, rate, aht, 300.0, agents, patience=patience),
                      replications=25, seed=seed)
    assert (result.contacts["kind"] == "inbound").all()  # not one attempt all day
    assert len(result.ready) == 0
    f = chain_figures(result)
    exact = exact_blend(agents, rate, aht, 300.0, agents, patience)
    assert exact.outbound_rate == 0
    assert_matches_chain(f, exact)
    if patience is None:  # and the chain is Erlang C, as it should be
        assert exact.p_wait == pytest.approx(erlang_c(agents, load), rel=1e-9)


def test_reserve_zero_without_patience_keeps_everyone_busy():
    # Nobody is ever idle: every caller waits, and the chain says so exactly.
    agents, load, aht = 6, 3.6, 240.0
    result = simulate(stationary_blend(agents, load / aht, aht, 240.0, 0), replications=5,
                      seed=113)
    f = chain_figures(result)
    assert (f["p_wait"] == 1.0).all()
    assert exact_blend(agents, load / aht, aht, 240.0, 0).p_wait == pytest.approx(1.0)


def test_a_wrong_model_would_be_caught():
    # The intervals are narrow enough that the neighbouring reserves' exact values fall
    # outside: a simulation off by one agent of reserve would fail the tests above.
    agents, load, aht, outbound_aht, reserve = 6, 3.6, 240.0, 240.0, 2
    rate = load / aht
    result = simulate(stationary_blend(agents, rate, aht, outbound_aht, reserve),
                      replications=25, seed=102)
    f = chain_figures(result)
    assert_matches_chain(f, exact_blend(agents, rate, aht, outbound_aht, reserve))
    for wrong in (reserve - 1, reserve + 1):
        exact = exact_blend(agents, rate, aht, outbound_aht, wrong)
        with pytest.raises(AssertionError):
            assert_inside("P(wait)", f["p_wait"], exact.p_wait)
        with pytest.raises(AssertionError):
            assert_inside("outbound rate", f["outbound_rate"], exact.outbound_rate)
        with pytest.raises(AssertionError):
            assert_inside("service level", f["service_level"], exact.service_level)
