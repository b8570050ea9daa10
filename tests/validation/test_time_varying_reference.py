"""The engine's time-dependent P(wait) and service level match the exact time-varying queue.

``blendsim.analytic.transient.transient_queue`` solves the M(t)/M/s(t)(+M) chain exactly
(forward equations), independently of the engine.  Here the engine simulates the same days
-- a sinusoidal arrival rate on constant servers, a ramp with rising staffing, and the
sinusoid with exponential patience -- and each interval's pooled estimate (waited or answered
within 20 s, over the calls that arrived in it, all replications together: the ratio of
expectations the reference gives; the mean over days of the daily ratio, what
``Result.by_interval`` reports, differs from it by O(1/calls) and would bias a sharp test)
must agree with the reference within its standard error.

The standard errors come from the replications (independent days) by the delta method for a
ratio.  Two checks, with fixed seeds so the test is deterministic:

- every interval: ``|z| < 4`` (with up to 32 intervals, a correct reference fails this by
  chance with probability below 32 * 6e-5 = 0.2%);
- the mean z over intervals: adjacent intervals share their backlog, so the z are positively
  correlated and the mean's standard deviation is ``sqrt(1' C 1) / n`` with ``C`` their
  correlation matrix, estimated from the same replications (about 0.35 here, not
  ``1/sqrt(n)`` = 0.25); the mean must lie within 3 of those.

Intervals where the reference is below 2% (or above 98%) are too rare-event-like for the normal
approximation (a handful of congested days carry every wait) and are checked on the absolute
difference instead (< 0.01).  A wrong reference (one server fewer; or the stationary Erlang C of
each interval, SIPP's view) is rejected by the same checks.

Last, without the engine: on a strongly varying day, SIPP staffing swings the exact service
level far around the target while modified-offered-load (MOL) staffing holds it.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from blendsim import AgentGroup, Day, Exponential, InboundType, Scenario, simulate
from blendsim.analytic import erlang_c, required_agents, service_level, staffing_table
from blendsim.analytic.transient import transient_queue
from blendsim.metrics.kpi import interval_of

INTERVAL = 900.0
AHT = 240.0
TARGET = 20.0
REPLICATIONS = 400
SEED = 20261203
RARE = 0.02  # below this share (or above 1 - RARE), an interval is judged on |difference|
MAX_Z = 4.0
MAX_MEAN_Z = 3.0  # in standard deviations of the mean z
MAX_RARE_DIFF = 0.01


def sinusoid(n: int, mean: float, amplitude: float, period: int | None = None) -> np.ndarray:
    """Expected calls per interval: ``mean * (1 + amplitude * sin(2 pi k / period))``."""
    k = np.arange(n)
    return mean * (1.0 + amplitude * np.sin(2.0 * np.pi * k / (period or n)))


def _ramp() -> tuple[np.ndarray, np.ndarray]:
    calls = np.linspace(20.0, 110.0, 24)
    load = calls / INTERVAL * AHT
    return calls, np.maximum.accumulate(np.ceil(load + 0.8 * np.sqrt(load))).astype(int)


SINE = sinusoid(32, 60.0, 0.5)
CASES = {  # name: (calls per interval, servers per interval, mean patience)
    "constant": (SINE, np.full(32, 26), None),
    "rising": (*_ramp(), None),
    "patience": (SINE, np.full(32, 22), 180.0),
}


def scenario(calls, servers, patience) -> Scenario:
    n = len(calls)
    return Scenario(
        name="time_varying",
        day=Day(open_at=0.0, close_at=n * INTERVAL, interval=INTERVAL),
        inbound=[InboundType(name="calls", volume=[float(c) for c in calls],
                             handle_time=Exponential(mean=AHT),
                             patience=None if patience is None else Exponential(mean=patience))],
        groups=[AgentGroup(name="agents", skills=["calls"], headcount=[int(s) for s in servers])],
    )


@functools.cache
def engine_counts(case: str) -> dict[str, np.ndarray]:
    """Per replication and interval of arrival: calls offered, waited, answered in time."""
    calls, servers, patience = CASES[case]
    sc = scenario(calls, servers, patience)
    result = simulate(sc, replications=REPLICATIONS, seed=SEED, quiet=True)
    c = result.contacts[result.contacts["kind"] == "inbound"]
    rep = c["replication"].to_numpy()
    k = interval_of(c["arrival_at"].to_numpy(), sc.day)
    wait = c["wait"].to_numpy(dtype=float)
    flags = {"offered": np.ones(len(c), bool), "p_wait": wait > 0,
             "service_level": (c["outcome"].to_numpy() == "served") & (wait <= TARGET)}
    out = {}
    for name, flag in flags.items():
        table = np.zeros((REPLICATIONS, len(calls)))
        np.add.at(table, (rep, k), flag.astype(float))
        out[name] = table
    return out


@functools.cache
def reference(case: str, fewer: int = 0):
    calls, servers, patience = CASES[case]
    return transient_queue(calls, servers - fewer, interval=INTERVAL, aht=AHT,
                           patience=patience, target_time=TARGET)


def judge(offered: np.ndarray, hits: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """The z of each interval's pooled ratio against ``ref``, and the checks' statistics."""
    estimate = hits.sum(0) / offered.sum(0)
    rare = np.minimum(ref, 1.0 - ref) < RARE
    y, x, r, p = offered[:, ~rare], hits[:, ~rare], estimate[~rare], ref[~rare]
    reps = len(y)
    resid = x - r * y  # delta method: the ratio's error is mean(resid) / mean(y)
    se = np.sqrt((resid**2).sum(0) / (reps * (reps - 1))) / y.mean(0)
    z = (r - p) / se
    corr = np.corrcoef(resid, rowvar=False)
    sd_mean = math.sqrt(corr.sum()) / len(z)
    return {"max_z": float(np.abs(z).max()), "mean_z": float(z.mean() / sd_mean),
            "sd_mean_z": sd_mean, "tested": len(z),
            "rare_diff": float(np.abs(estimate - ref)[rare].max(initial=0.0))}


def passes(stats: dict[str, float]) -> bool:
    return (stats["max_z"] < MAX_Z and abs(stats["mean_z"]) < MAX_MEAN_Z
            and stats["rare_diff"] < MAX_RARE_DIFF)


@pytest.mark.parametrize("figure", ["p_wait", "service_level"])
@pytest.mark.parametrize("case", list(CASES))
def test_engine_matches_the_exact_reference(case, figure):
    counts = engine_counts(case)
    stats = judge(counts["offered"], counts[figure], reference(case)[figure].to_numpy())
    assert stats["tested"] >= 12, stats  # the day has many intervals worth testing
    assert passes(stats), stats


@pytest.mark.parametrize("figure", ["p_wait", "service_level"])
@pytest.mark.parametrize("case", list(CASES))
def test_one_server_fewer_is_rejected(case, figure):
    counts = engine_counts(case)
    stats = judge(counts["offered"], counts[figure],
                  reference(case, fewer=1)[figure].to_numpy())
    assert stats["max_z"] > MAX_Z and abs(stats["mean_z"]) > 2 * MAX_MEAN_Z, stats


def test_stationary_erlang_per_interval_is_rejected():
    # SIPP's picture of the constant-server day ignores the backlog and the lag behind the
    # rate: the engine tells it from the exact reference.
    calls, servers, _ = CASES["constant"]
    load = calls / INTERVAL * AHT
    counts = engine_counts("constant")
    for figure, stationary in (("p_wait", erlang_c(servers, load)),
                               ("service_level", service_level(servers, load, AHT, TARGET))):
        stats = judge(counts["offered"], counts[figure], np.asarray(stationary))
        assert stats["max_z"] > 1.5 * MAX_Z, (figure, stats)
        assert not passes(stats)


# --- staffing rules on the reference itself (no engine) ----------------------------------

SLOW_AHT = 600.0  # ten-minute calls: the load lags the rate by a good part of an interval
SWING = sinusoid(32, 100.0, 0.8)
SL_GOAL = 0.8


def sipp_staffing(calls: np.ndarray) -> np.ndarray:
    table = {"interval_start": list(range(len(calls))), "calls": calls,
             "aht": [SLOW_AHT] * len(calls)}
    return staffing_table(table, interval=INTERVAL, target_sl=SL_GOAL,
                          target_time=TARGET)["agents"].to_numpy()


def mol_staffing(calls: np.ndarray) -> np.ndarray:
    """Modified offered load, written here: the M(t)/M/inf mean m(t) (exact for
    piecewise-constant rates), and in each interval the fewest agents whose stationary
    Erlang C service level, averaged over m(t) across the interval, reaches the goal."""
    mu = 1.0 / SLOW_AHT
    t = np.linspace(0.0, INTERVAL, 31)
    m0, agents = 0.0, []
    for c in calls:
        a = c / INTERVAL / mu
        m = a + (m0 - a) * np.exp(-mu * t)
        s = max(1, int(required_agents(float(m.min()) / SLOW_AHT, SLOW_AHT, target_sl=SL_GOAL,
                                       target_time=TARGET).agents))
        while np.mean(service_level(s, m, SLOW_AHT, TARGET)) < SL_GOAL:
            s += 1
        agents.append(s)
        m0 = float(m[-1])
    return np.array(agents)


def test_sipp_swings_while_mol_holds_the_target():
    sipp = transient_queue(SWING, sipp_staffing(SWING), interval=INTERVAL, aht=SLOW_AHT,
                           target_time=TARGET)["service_level"].to_numpy()
    mol = transient_queue(SWING, mol_staffing(SWING), interval=INTERVAL, aht=SLOW_AHT,
                          target_time=TARGET)["service_level"].to_numpy()
    # SIPP: the rising half lags far below the goal, the falling half is far above it.
    assert sipp.min() < SL_GOAL - 0.3
    assert sipp.max() > SL_GOAL + 0.1
    assert np.count_nonzero(sipp < SL_GOAL - 0.1) >= 8
    # MOL: every interval meets the goal, and none by more than the rounding of whole agents
    # buys (one agent at these loads moves the service level by up to about 0.1).
    assert sipp.max() - sipp.min() > 4 * (mol.max() - mol.min())
    assert mol.min() >= SL_GOAL
    assert mol.max() < SL_GOAL + 0.12
