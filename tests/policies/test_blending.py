"""Blending: inbound agents calling out in the troughs, checked in the layers STYLE.md asks.

1. Agreement with the exact Markov chain of threshold blending (:func:`blendsim.threshold_blend`):
   a long stationary day with one blended team, Poisson inbound, exponential handle times,
   an unlimited list that always connects at once.  Each figure is estimated per replication
   (after a warm-up hour) and the exact value must lie in the 99% t interval of the
   replications' mean; the seeds are fixed, so the tests are deterministic.
2. Exact event logs of tiny deterministic days: what each blending policy decides, how the
   dialler spends an agent's time (failed attempts, retries, lists, windows, predictive
   mismatches, segments), and that outbound work is never pre-empted.
3. Hypothesis properties over small random blended days and seeds: every attempt has a final
   outcome, no agent does two things at once, attempts per record, windows, the summary and
   by-group figures add up, same seed gives the same records, and the per-record luck of
   common random numbers.
4. :func:`blendsim.tradeoff`: the reserve trades outreach for inbound service, its errors,
   and :func:`with_blended_agents` keeps the head count.

Times in the event logs are seconds after an ``open_at`` of 0, so they read as offsets.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from blendsim import (
    AgentGroup,
    Day,
    Dedicated,
    Deterministic,
    Exponential,
    InboundType,
    InputError,
    OutboundCampaign,
    Scenario,
    ScenarioError,
    Segment,
    ServiceLevelGuard,
    Shift,
    Threshold,
    TimeWindows,
    erlang_c,
    simulate,
    threshold_blend,
    tradeoff,
)
from blendsim.scenario.variants import with_blended_agents

# --------------------------------------------------------------------------------------------
# 1. Agreement with the exact Markov chain

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


# --------------------------------------------------------------------------------------------
# 2. Exact event logs of tiny days


def fixed(value):
    return None if value is None else Deterministic(value=value)


def calls(times=(), *, handle=100, patience=None, **kw):
    """Inbound calls at fixed instants with deterministic durations (seconds)."""
    return InboundType(name="calls", arrival_times=tuple(times), handle_time=fixed(handle),
                       patience=fixed(patience), **kw)


def campaign(*, talk=100, p=1.0, attempt=0, connect=0, patience=2, **kw):
    """A campaign with deterministic durations: connects with probability ``p``."""
    return OutboundCampaign(name="list", talk_time=fixed(talk), connect_probability=p,
                            attempt_time=fixed(attempt), connect_time=fixed(connect),
                            connected_patience=fixed(patience), **kw)


def blended(name="blend", n=1):
    return AgentGroup(name=name, skills=("calls",), outbound=("list",), headcount=(n,))


def inbound_only(name="inb", n=1):
    return AgentGroup(name=name, skills=("calls",), headcount=(n,))


def outbound_only(name="out", n=1):
    return AgentGroup(name=name, outbound=("list",), headcount=(n,))


def tiny(inbound, groups, camp, policies=(), *, close=3600):
    return Scenario(name="tiny", day=Day(open_at=0, close_at=close, interval=3600),
                    inbound=[inbound], groups=list(groups), outbound=[camp],
                    blending=list(policies))


def _plain(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x) if isinstance(x, (float, np.floating, int, np.integer)) else str(x)


def _rows(frame, columns):
    return [tuple(_plain(v) for v in row) for row in frame[list(columns)].itertuples(index=False)]


class Log:
    """Replication 0 (seed 0) of a tiny day, as tuples.

    ``inbound``: (arrival_at, outcome, agent, answered_at, end_at);
    ``outbound``: (dialled at, attempt, outcome, agent, answered_at, end_at);
    ``ready``: (agent, from_at, to_at).
    """

    def __init__(self, scenario):
        res = simulate(scenario, replications=1, seed=0)
        c = res.contacts
        self.contacts = c
        self.inbound = _rows(c[c["kind"] == "inbound"],
                             ("arrival_at", "outcome", "agent", "answered_at", "end_at"))
        self.out_frame = c[c["kind"] == "outbound"]
        self.outbound = _rows(self.out_frame, ("arrival_at", "attempt", "outcome", "agent",
                                               "answered_at", "end_at"))
        self.ready = _rows(res.ready, ("agent", "from_at", "to_at"))

    def dials(self, agent=None):
        """Instants outbound conversations started, by ``agent`` (or anyone)."""
        return [r[0] for r in self.outbound if agent is None or r[3] == agent]


def every(start, stop, step):
    return [float(t) for t in range(start, stop, step)]


def test_threshold_keeps_the_reserve_idle_and_dials_with_the_rest():
    # Two blended agents, reserve 1, calls that connect at once and last 100 s.  At 0 blend-1
    # would leave nobody idle (it stays); blend-2 would leave blend-1 idle (it dials, and
    # redials at each end).  At 150 blend-1 answers a caller: from 200 blend-2 may no longer
    # dial, and stays idle; at 450 blend-1 finds blend-2 idle and dials in its turn.
    log = Log(tiny(calls((150,), handle=300), [blended(n=2)], campaign(talk=100),
                   [Threshold(reserve=1)]))
    assert log.inbound == [(150.0, "served", "blend-1", 150.0, 450.0)]
    assert log.dials("blend-2") == [0.0, 100.0]
    assert log.dials("blend-1") == every(450, 3600, 100)
    assert log.outbound[:3] == [
        (0.0, 1.0, "served", "blend-2", 0.0, 100.0),
        (100.0, 1.0, "served", "blend-2", 100.0, 200.0),
        (450.0, 1.0, "served", "blend-1", 450.0, 550.0),
    ]
    # a connect at once: each dial is a ready span of length 0 just before the talk
    assert log.ready[:3] == [("blend-2", 0.0, 0.0), ("blend-2", 100.0, 100.0),
                             ("blend-1", 450.0, 450.0)]


def test_threshold_counts_idle_inbound_only_agents_in_the_reserve():
    # An idle inbound-only agent is the reserve, so both blended agents dial at 0.  When it
    # answers a caller (50-350), the first blended agent to finish (blend-1 at 100) stays in
    # reserve and blend-2, finding blend-1 idle, dials on.
    log = Log(tiny(calls((50,), handle=300), [inbound_only(), blended(n=2)],
                   campaign(talk=100), [Threshold(reserve=1)]))
    assert log.inbound == [(50.0, "served", "inb-1", 50.0, 350.0)]
    assert log.dials("blend-1") == [0.0]
    assert log.dials("blend-2") == every(0, 3600, 100)


def test_threshold_reserve_zero_dials_with_everyone():
    log = Log(tiny(calls(()), [blended(n=2)], campaign(talk=100), [Threshold(reserve=0)]))
    assert log.dials("blend-1") == log.dials("blend-2") == every(0, 3600, 100)


def test_threshold_min_idle_blended():
    # reserve 0 but at least 2 idle blended agents (counting the one asking): an idle
    # inbound-only agent does not count, so with two blended agents only one dials.
    log = Log(tiny(calls(()), [inbound_only(), blended(n=2)], campaign(talk=100),
                   [Threshold(reserve=0, min_idle_blended=2)]))
    assert log.dials("blend-1") == []
    assert log.dials("blend-2") == every(0, 3600, 100)


def test_dedicated_never_dials_with_blended_agents_but_outbound_agents_do():
    log = Log(Scenario(name="tiny", day=Day(open_at=0, close_at=3600, interval=3600),
                       inbound=[calls((50,), handle=100)],
                       groups=[blended(), outbound_only()], outbound=[campaign(talk=400)],
                       blending=[Dedicated()]))
    assert log.inbound == [(50.0, "served", "blend-1", 50.0, 150.0)]
    assert log.dials("out-1") == every(0, 3600, 400)
    assert log.dials() == log.dials("out-1")
    assert {r[0] for r in log.ready} == {"out-1"}  # the blended agent never waited to dial


def test_time_windows_dial_only_inside_the_window():
    # The agent is idle from 0; at 600 the window opens with nothing else happening, and it
    # dials.  The call started at 1100 runs past the window's end (not pre-empted); after it
    # the agent stays idle.
    log = Log(tiny(calls(()), [blended()], campaign(talk=250),
                   [TimeWindows(windows=((600, 1200),))]))
    assert log.outbound == [
        (600.0, 1.0, "served", "blend-1", 600.0, 850.0),
        (850.0, 1.0, "served", "blend-1", 850.0, 1100.0),
        (1100.0, 1.0, "served", "blend-1", 1100.0, 1350.0),
    ]


def test_time_windows_with_a_threshold_must_both_agree():
    log = Log(tiny(calls(()), [blended(n=2)], campaign(talk=250),
                   [TimeWindows(windows=((600, 1200), (2000, 2500))), Threshold(reserve=1)]))
    # Nothing before 600.  When a window opens the longest-idle agent dials (250 s calls
    # back to back) and the other stays in reserve; blend-1 went idle last at 1350.
    assert log.dials("blend-1") == [600.0, 850.0, 1100.0]
    assert log.dials("blend-2") == [2000.0, 2250.0]


def test_service_level_guard_pauses_while_a_caller_waits():
    # The blended agent may answer only after a 120 s overflow delay.  The second caller
    # waits for it from 20 (the inbound agent is busy until 510): from 30 to 140 the guard
    # keeps the agent idle although it could dial; it answers at 140 and dials again at 640.
    guard = ServiceLevelGuard(level=0.5, seconds=1000, window=1800)  # the level is met
    sc = Scenario(name="tiny", day=Day(open_at=0, close_at=3600, interval=3600),
                  inbound=[calls((10, 20), handle=500, groups=("inb", "blend"),
                                 overflow_after=(0, 120))],
                  groups=[inbound_only(), blended()], outbound=[campaign(talk=30)],
                  blending=[guard])
    log = Log(sc)
    assert log.inbound == [(10.0, "served", "inb-1", 10.0, 510.0),
                           (20.0, "served", "blend-1", 140.0, 640.0)]
    assert log.dials()[:3] == [0.0, 640.0, 670.0]
    # Without the guard the agent dials while the caller waits, and answers late.
    free = Log(sc.replace(blending=(Threshold(reserve=0),)))
    assert free.dials()[:6] == [0.0, 30.0, 60.0, 90.0, 120.0, 650.0]
    assert free.inbound[1] == (20.0, "served", "blend-1", 150.0, 650.0)


def test_service_level_guard_pauses_while_the_recent_level_is_low_and_resumes():
    # One agent dials 0-100 and 100-200; a caller arriving at 150 waits 50 s (> 20 s) and is
    # answered at 200.  From 300 the level of the last 600 s is 0 (< 0.8): no dialling.  That
    # answer leaves the window at 800; the guard looks every minute and dials again at 840.
    log = Log(tiny(calls((150,), handle=100), [blended()], campaign(talk=100),
                   [ServiceLevelGuard(level=0.8, seconds=20, window=600)]))
    assert log.inbound == [(150.0, "served", "blend-1", 200.0, 300.0)]
    assert log.dials() == [0.0, 100.0, *every(840, 3600, 100)]
    # A caller who hangs up (at 160, while the agent talks outbound) counts against the
    # level too: paused from 200 until that hang-up leaves the window (tick at 780).
    log = Log(tiny(calls((150,), handle=100, patience=10), [blended()], campaign(talk=100),
                   [ServiceLevelGuard(level=0.8, seconds=20, window=600)]))
    assert log.inbound == [(150.0, "abandoned", None, None, 160.0)]
    assert log.dials() == [0.0, 100.0, *every(780, 3600, 100)]


def test_a_free_blended_agent_takes_a_connected_customer_before_a_waiting_caller():
    # Predictive dialling (2 calls for the one outbound agent) connects two customers at 10:
    # one talks to out-1, the other waits (patience 30).  blend-1 (reserve 1: it never dials
    # itself) frees up at 21 and takes that customer, although a caller has waited since 5;
    # at 121 it takes the next surplus customer again, and the caller only at 221.
    log = Log(Scenario(name="tiny", day=Day(open_at=0, close_at=3600, interval=3600),
                       inbound=[calls((1, 5), handle=20)],
                       groups=[outbound_only(), blended()],
                       outbound=[campaign(talk=100, connect=10, patience=30, dial_ratio=2)],
                       blending=[Threshold(reserve=1)]))
    assert log.inbound == [(1.0, "served", "blend-1", 1.0, 21.0),
                           (5.0, "served", "blend-1", 221.0, 241.0)]
    assert log.outbound[:4] == [
        (0.0, 1.0, "served", "out-1", 10.0, 110.0),
        (0.0, 1.0, "served", "blend-1", 21.0, 121.0),
        (110.0, 1.0, "served", "out-1", 120.0, 220.0),
        (110.0, 1.0, "served", "blend-1", 121.0, 221.0),
    ]
    assert "blend-1" not in {r[0] for r in log.ready}


def test_outbound_is_not_pre_empted():
    # The only agent talks outbound 0-300: the caller arriving at 50 waits until it ends.
    log = Log(tiny(calls((50,), handle=100), [blended()], campaign(talk=300),
                   [Threshold(reserve=0)]))
    assert log.inbound == [(50.0, "served", "blend-1", 300.0, 400.0)]
    assert log.outbound[:2] == [(0.0, 1.0, "served", "blend-1", 0.0, 300.0),
                                (400.0, 1.0, "served", "blend-1", 400.0, 700.0)]


def test_failed_attempts_cost_attempt_time_and_retry_later_at_most_max_attempts():
    # Two records, never reached, 25 s per attempt, retried 600 s after each failure, three
    # attempts each.  The caller at 10 waits while the agent dials (it is not available to
    # inbound) and is answered when the attempt fails at 25.  After the sixth attempt the
    # list is exhausted: no more dialling, the agent stays idle.
    log = Log(tiny(calls((10,), handle=50), [blended()],
                   campaign(p=0.0, attempt=25, list_size=2, max_attempts=3, retry_after=600)))
    assert log.inbound == [(10.0, "served", "blend-1", 25.0, 75.0)]
    assert log.outbound == [
        (0.0, 1.0, "failed", None, None, 25.0),  # record 0
        (75.0, 1.0, "failed", None, None, 100.0),  # record 1
        (625.0, 2.0, "failed", None, None, 650.0),  # record 0, 600 s after its failure
        (700.0, 2.0, "failed", None, None, 725.0),  # record 1
        (1250.0, 3.0, "failed", None, None, 1275.0),
        (1325.0, 3.0, "failed", None, None, 1350.0),
    ]
    assert log.ready == [("blend-1", 0.0, 25.0), ("blend-1", 75.0, 100.0),
                         ("blend-1", 625.0, 650.0), ("blend-1", 700.0, 725.0),
                         ("blend-1", 1250.0, 1275.0), ("blend-1", 1325.0, 1350.0)]
    assert log.out_frame["wait"].isna().all() and log.out_frame["handle"].isna().all()


def test_a_reached_record_is_not_called_again_and_the_list_runs_out():
    log = Log(tiny(calls((500,), handle=100), [blended()], campaign(talk=100, list_size=3)))
    assert log.dials() == [0.0, 100.0, 200.0]
    assert (log.out_frame["attempt"] == 1).all()
    assert log.inbound == [(500.0, "served", "blend-1", 500.0, 600.0)]


def test_campaign_windows_are_respected():
    log = Log(tiny(calls(()), [blended()], campaign(talk=250, windows=((600, 1200),))))
    assert log.dials() == [600.0, 850.0, 1100.0]


def test_stop_before_close_ends_dialling_early():
    # Closing at 3600, stop 2700 s before: nothing is dialled from 900 on.
    log = Log(tiny(calls(()), [blended()], campaign(talk=250, stop_before_close=2700)))
    assert log.dials() == [0.0, 250.0, 500.0, 750.0]
    # ...also with a window that would allow more
    log = Log(tiny(calls(()), [blended()],
                   campaign(talk=250, windows=((600, 3000),), stop_before_close=2700)))
    assert log.dials() == [600.0, 850.0]


def test_a_retry_falling_after_the_stop_is_not_dialled():
    log = Log(tiny(calls(()), [blended()],
                   campaign(p=0.0, attempt=25, list_size=1, retry_after=1000,
                            stop_before_close=2000)))  # dialling stops at 1600
    assert log.outbound == [(0.0, 1.0, "failed", None, None, 25.0),
                            (1025.0, 2.0, "failed", None, None, 1050.0)]


def test_predictive_dialling_mismatches_when_more_connect_than_agents_are_ready():
    # Two calls per ready agent; both connect 10 s later, one agent is ready: the second
    # customer hangs up at connect + connected_patience = 15, a mismatch.
    log = Log(tiny(calls(()), [outbound_only(), inbound_only()],
                   campaign(talk=100, connect=10, patience=5, dial_ratio=2)))
    assert log.outbound[:4] == [
        (0.0, 1.0, "served", "out-1", 10.0, 110.0),
        (0.0, 1.0, "mismatch", None, None, 15.0),
        (110.0, 1.0, "served", "out-1", 120.0, 220.0),
        (110.0, 1.0, "mismatch", None, None, 125.0),
    ]
    mis = log.out_frame[log.out_frame["outcome"] == "mismatch"]
    assert (mis["wait"] == 5.0).all()  # the customer's time on the line
    assert len(mis) == len(log.out_frame) // 2  # every cycle: one talk, one mismatch
    # progressive dialling of the same day: no mismatch at all
    prog = Log(tiny(calls(()), [outbound_only(), inbound_only()],
                    campaign(talk=100, connect=10, patience=5, dial_ratio=1)))
    assert set(prog.out_frame["outcome"]) == {"served"}


def _segment_day(**kw):
    return Scenario(
        name="tiny", day=Day(open_at=0, close_at=3600, interval=3600), inbound=[calls(())],
        groups=[outbound_only("experts"), outbound_only("general"), inbound_only()],
        outbound=[campaign(talk=100, connect=10, **kw, segments=(
            Segment(name="vip", groups=("experts",)),
            Segment(name="mass", groups=("general", "experts"))))])


def test_a_segment_preferring_a_group_is_called_by_that_group():
    log = Log(_segment_day())
    out = log.out_frame
    served = out[out["outcome"] == "served"]
    vip = served[served["segment"] == "vip"]
    mass = served[served["segment"] == "mass"]
    assert len(vip) > 20 and len(mass) > 20
    assert set(vip["agent"].astype(str)) == {"experts-1"}
    assert set(mass["agent"].astype(str)) == {"general-1"}  # experts prefer their own


def test_progressive_dialling_with_segments_calls_one_customer_per_ready_agent():
    # experts-1 and general-1 are both ready at 0: progressive dialling (an agent per call)
    # calls one vip customer for the expert and one mass customer for general-1, and nobody
    # connects without an agent.  (Regression: the dialler once dialled both calls from
    # the first ready agent's segment, and the second vip customer hung up at 12.)
    log = Log(_segment_day())
    assert (log.out_frame["outcome"] == "served").all()
    first = log.out_frame[log.out_frame["arrival_at"] == 0.0]
    assert sorted(first["segment"].astype(str)) == ["mass", "vip"]
    # and at every instant at most one call in progress per ready agent: 2 agents, 2 calls
    dial = log.out_frame["arrival_at"].to_numpy()
    connect = (log.out_frame["answered_at"] - log.out_frame["wait"]).to_numpy()
    for t in dial:
        assert ((dial <= t) & (connect > t)).sum() <= 2


def test_a_calling_window_opening_keeps_the_longest_idle_agent_first():
    # Agents free up at 101, 102 and 103.  The window opening at 600 wakes them, but the
    # reserve (3) lets none dial: they stay idle in their order, and the caller at 700 goes
    # to blend-1, idle since 101.  (Regression: waking them once reversed the idle queue.)
    log = Log(tiny(calls((1, 2, 3, 700), handle=100), [blended(n=3)],
                   campaign(talk=100, windows=((600, 1200),)), [Threshold(reserve=3)]))
    assert log.inbound == [(1.0, "served", "blend-1", 1.0, 101.0),
                           (2.0, "served", "blend-2", 2.0, 102.0),
                           (3.0, "served", "blend-3", 3.0, 103.0),
                           (700.0, "served", "blend-1", 700.0, 800.0)]
    assert log.outbound == []


def test_attempts_that_take_no_time_are_refused_when_they_can_fail():
    # A failed attempt of zero seconds would let the dialler call an endless list for ever
    # at one instant; attempts that always connect (the exact chain's model) may take none.
    with pytest.raises(ScenarioError, match="attempt_time must take some time"):
        campaign(p=0.5, attempt=0)
    with pytest.raises(ScenarioError, match="attempt_time must take some time"):
        campaign(p=(1.0, 0.0), attempt=0)
    with pytest.raises(ScenarioError, match="talk_time must have a mean > 0"):
        campaign(talk=0)
    assert campaign(p=1.0, attempt=0).attempt_time.mean == 0


# --------------------------------------------------------------------------------------------
# 3. Properties over random small blended days and seeds

OPEN = 8 * 3600.0
INTERVAL = 1800.0
REPS = 2
OUTBOUND_OUTCOMES = {"failed", "served", "mismatch"}


@st.composite
def durations(draw, *, low, high, zero=True):
    if draw(st.booleans()):
        return Deterministic(value=draw(st.integers(0 if zero else 1, high)))
    return Exponential(mean=draw(st.integers(low, high)))


def _clock(draw, n_int):
    """A window (start, end) inside the day, whole minutes."""
    start = draw(st.integers(0, n_int * 30 - 1))
    end = draw(st.integers(start + 1, n_int * 30))
    return (OPEN + 60.0 * start, OPEN + 60.0 * end)


@st.composite
def blended_days(draw):
    n_int = draw(st.integers(1, 2))
    close = OPEN + n_int * INTERVAL

    def headcount(low, high):
        return tuple(draw(st.lists(st.integers(low, high), min_size=n_int, max_size=n_int)))

    inbound = InboundType(
        name="calls", volume=headcount(0, 25), handle_time=draw(durations(low=30, high=400)),
        wrap_up=draw(st.none() | durations(low=1, high=30)),
        patience=draw(st.none() | durations(low=10, high=300)))
    groups = []
    if draw(st.booleans()):
        groups.append(AgentGroup(name="B", skills=("calls",), outbound=("list",),
                                 headcount=headcount(0, 3)))
    else:
        start = OPEN + 60 * draw(st.integers(-10, n_int * 30 - 1))
        groups.append(AgentGroup(name="B", skills=("calls",), outbound=("list",), shifts=(
            Shift(start_at=start, end_at=start + 60 * draw(st.integers(1, 90)),
                  count=draw(st.integers(1, 3))),)))
    if draw(st.booleans()):
        groups.append(AgentGroup(name="I", skills=("calls",), headcount=headcount(0, 2)))
    if draw(st.booleans()):
        groups.append(AgentGroup(name="O", outbound=("list",), headcount=headcount(0, 2)))
    dialling = [g.name for g in groups if g.outbound]
    segments = ()
    if draw(st.booleans()):
        segments = (Segment(name="s1", share=draw(st.sampled_from([0.3, 1.0, 3.0])),
                            groups=(draw(st.sampled_from(dialling)),)),
                    Segment(name="s2", groups=tuple(draw(st.permutations(dialling)))))
    if draw(st.booleans()):
        p = draw(st.sampled_from([0.0, 0.3, 0.7, 1.0]))
    else:
        p = tuple(draw(st.lists(st.sampled_from([0.0, 0.2, 0.5, 1.0]), min_size=n_int,
                                max_size=n_int)))
    camp = OutboundCampaign(
        name="list", talk_time=draw(durations(low=20, high=300, zero=False)),
        list_size=draw(st.none() | st.integers(0, 30)), segments=segments,
        windows=(_clock(draw, n_int),) if draw(st.booleans()) else None,
        stop_before_close=draw(st.sampled_from([0.0, 0.0, 300.0, 1200.0])),
        connect_probability=p, attempt_time=draw(durations(low=5, high=40, zero=False)),
        connect_time=draw(durations(low=2, high=15)),
        wrap_up=draw(st.none() | durations(low=1, high=30)),
        max_attempts=draw(st.integers(1, 3)),
        retry_after=draw(st.sampled_from([0.0, 120.0, 600.0])),
        dial_ratio=draw(st.sampled_from([1.0, 1.0, 1.5, 2.0, 3.0])),
        connected_patience=draw(durations(low=1, high=6)))
    kind = draw(st.sampled_from(["default", "threshold", "dedicated", "guard", "windows",
                                 "windows+threshold"]))
    policies = {
        "default": [],
        "threshold": [Threshold(reserve=draw(st.integers(0, 3)),
                                min_idle_blended=draw(st.integers(1, 2)))],
        "dedicated": [Dedicated()],
        "guard": [ServiceLevelGuard(level=draw(st.sampled_from([0.5, 0.8])),
                                    seconds=draw(st.sampled_from([0.0, 20.0, 60.0])),
                                    window=draw(st.sampled_from([300.0, 900.0])))],
        "windows": [TimeWindows(windows=(_clock(draw, n_int),))],
        "windows+threshold": [TimeWindows(windows=(_clock(draw, n_int),)),
                              Threshold(reserve=draw(st.integers(0, 2)))],
    }[kind]
    return Scenario(name="random blend", day=Day(open_at=OPEN, close_at=close,
                                                 interval=INTERVAL),
                    inbound=[inbound], groups=groups, outbound=[camp], blending=policies)


seeds = st.integers(0, 2**32 - 1)


@functools.lru_cache(maxsize=128)
def _simulated(sc: Scenario, seed: int):
    return simulate(sc, replications=REPS, seed=seed)


def _one(frame, r):
    return frame[frame["replication"] == r].reset_index(drop=True)


def record_ids(out: pd.DataFrame, max_attempts: int) -> np.ndarray:
    """The record each outbound row (one replication) belongs to, within its segment.

    Records are numbered in the order of their first attempt.  A retry is due
    ``retry_after`` after the failure and the dialler takes due retries earliest first, so
    the k-th attempts of a segment, in dialling order, are the retries of its failed
    (k-1)-th attempts in order of failure (ties by record).
    """
    ids = np.full(len(out), -1)
    attempt = out["attempt"].to_numpy()
    failed = (out["outcome"] == "failed").to_numpy()
    end = out["end_at"].to_numpy(dtype=float)
    segment = out["segment"].astype(str).to_numpy()
    for s in np.unique(segment):
        mine = segment == s
        first = np.flatnonzero(mine & (attempt == 1))
        ids[first] = np.arange(first.size)
        for k in range(2, max_attempts + 1):
            prev = np.flatnonzero(mine & (attempt == k - 1) & failed)
            prev = prev[np.lexsort((ids[prev], end[prev]))]
            now = np.flatnonzero(mine & (attempt == k))
            assert now.size <= prev.size, "more retries than failed attempts before them"
            ids[now] = ids[prev[:now.size]]
    assert (ids >= 0).all()
    return ids


def _luck(out: pd.DataFrame) -> pd.DataFrame:
    """What chance decided about each attempt: connected or not, and its durations."""
    outcome = out["outcome"].astype(str).to_numpy()
    dial = out["arrival_at"].to_numpy(dtype=float)
    end = out["end_at"].to_numpy(dtype=float)
    wait = out["wait"].to_numpy(dtype=float)
    answered = out["answered_at"].to_numpy(dtype=float)
    connected = outcome != "failed"
    connect_at = np.where(outcome == "served", answered - wait, end - wait)
    return pd.DataFrame({
        "connected": connected,
        "attempt_time": np.where(connected, np.nan, end - dial),
        "connect_time": np.where(connected, connect_at - dial, np.nan),
        "talk": np.where(outcome == "served", out["handle"].to_numpy(dtype=float), np.nan),
    })


def _spans_by_agent(c: pd.DataFrame, ready: pd.DataFrame) -> dict[str, list]:
    """Per agent: (start, end, what) of every inbound call, outbound talk and ready span."""
    spans: dict[str, list] = {}
    served = c[c["outcome"] == "served"]
    for r in served.itertuples(index=False):
        spans.setdefault(str(r.agent), []).append(
            (float(r.answered_at), float(r.end_at), str(r.kind)))
    for r in ready.itertuples(index=False):
        spans.setdefault(str(r.agent), []).append((float(r.from_at), float(r.to_at), "ready"))
    return spans


@given(sc=blended_days(), seed=seeds)
def test_outbound_rows_are_complete_and_records_follow_the_campaign_rules(sc, seed):
    camp = sc.outbound[0]
    res = _simulated(sc, seed)
    stop_at = sc.day.close_at - camp.stop_before_close
    windows = camp.windows or ((sc.day.open_at, sc.day.close_at),)
    for r in range(REPS):
        c = _one(res.contacts, r)
        out = c[c["kind"] == "outbound"].reset_index(drop=True)
        outcome = out["outcome"].astype(str)
        assert set(outcome) <= OUTBOUND_OUTCOMES  # every attempt ended one way
        dial = out["arrival_at"].to_numpy(dtype=float)
        # dialling only inside the calling windows and before the stop
        assert all(dial < stop_at)
        assert all(any(a <= t < b for a, b in windows) for t in dial)
        assert (np.diff(dial) >= 0).all()  # rows in the order they were dialled
        # what each outcome fills in
        served = (outcome == "served").to_numpy()
        assert out["agent"][served].notna().all() and out["agent"][~served].isna().all()
        end = out["end_at"].to_numpy(dtype=float)
        answered = out["answered_at"].to_numpy(dtype=float)
        np.testing.assert_allclose(
            end[served], answered[served] + out["handle"].to_numpy(float)[served]
            + out["wrap_up"].to_numpy(float)[served])
        assert (end >= dial).all()
        assert (out["wait"][~(outcome == "failed")].to_numpy(float) >= 0).all()
        # per record: at most max_attempts, a retry only after a failure, retry_after apart
        assert out["attempt"].between(1, camp.max_attempts).all()
        ids = record_ids(out, camp.max_attempts)
        seg = out["segment"].cat.codes.to_numpy()
        order = np.lexsort((out["attempt"].to_numpy(), ids, seg))
        seg, rec = seg[order], ids[order]
        att = out["attempt"].to_numpy()[order]
        same = (seg[1:] == seg[:-1]) & (rec[1:] == rec[:-1])  # row i+1 retries row i's record
        assert att[:1].tolist() in ([], [1]) and (att[1:][~same] == 1).all()
        assert (att[1:][same] == att[:-1][same] + 1).all()
        assert (outcome.to_numpy()[order][:-1][same] == "failed").all()  # a reached one rests
        gaps = dial[order][1:][same] - end[order][:-1][same]
        assert (gaps >= camp.retry_after - 1e-6).all()
        if camp.list_size is not None:  # no more records than the list holds
            assert len(set(zip(seg, rec, strict=True))) <= camp.list_size


@given(sc=blended_days(), seed=seeds)
def test_no_agent_does_two_things_at_once_and_policies_hold(sc, seed):
    res = _simulated(sc, seed)
    group_of = {a: g for a, g, _, _ in sc.agent_periods()}
    policy_windows = [w for p in sc.blending if isinstance(p, TimeWindows) for w in p.windows]
    dedicated = any(isinstance(p, Dedicated) for p in sc.blending)
    for r in range(REPS):
        c = _one(res.contacts, r)
        ready = _one(res.ready, r)
        agents = _one(res.agents, r)
        logs: dict[str, list] = {}
        for a in agents.itertuples(index=False):
            logs.setdefault(str(a.agent), []).append((float(a.on_at), float(a.off_at)))
        for agent, spans in _spans_by_agent(c, ready).items():
            spans.sort()
            for (s1, e1, w1), (s2, e2, w2) in zip(spans, spans[1:], strict=False):
                assert e1 <= s2 + 1e-9, f"{agent}: {w1} [{s1}, {e1}) overlaps {w2} [{s2}, {e2})"
            for s, e, what in spans:  # and only while logged on
                assert any(on <= s and e <= off + 1e-9 for on, off in logs[agent]), (
                    agent, s, e, what)
        # who may dial: outbound-capable agents, blended ones only as the policies allow
        for a in ready.itertuples(index=False):
            g = group_of[str(a.agent)]
            assert sc.group(g).outbound
            if sc.group(g).skills:
                assert not dedicated
                if policy_windows:
                    assert any(s <= a.from_at < e for s, e in policy_windows)
        # inbound calls only for skilled agents
        inbound = c[(c["kind"] == "inbound") & (c["outcome"] == "served")]
        assert all(sc.group(group_of[str(a)]).skills for a in inbound["agent"])


@given(sc=blended_days(), seed=seeds)
def test_summary_and_group_figures_add_up(sc, seed):
    res = _simulated(sc, seed)
    per = res.replication_summary().set_index("replication")
    for r in range(REPS):
        out = res.contacts[(res.contacts["replication"] == r)
                           & (res.contacts["kind"] == "outbound")]
        row = per.loc[r]
        assert row["attempts"] == len(out)
        assert row["conversations"] == (out["outcome"] == "served").sum()
        assert row["mismatches"] == (out["outcome"] == "mismatch").sum()
        assert row["connects"] == row["conversations"] + row["mismatches"]
        if row["attempts"]:
            assert row["connect_rate"] == pytest.approx(row["connects"] / row["attempts"])
        else:
            assert math.isnan(row["connect_rate"])
        if row["connects"]:
            assert row["mismatch_rate"] == pytest.approx(row["mismatches"] / row["connects"])
        else:
            assert math.isnan(row["mismatch_rate"])
    s = res.summary()
    for fig in ("attempts", "connects", "conversations", "mismatches", "connect_rate",
                "mismatch_rate", "occupancy"):
        values = per[fig].dropna()
        if len(values):
            assert s.loc[fig, "mean"] == pytest.approx(values.mean())
    assert s.loc["connects", "mean"] == pytest.approx(
        s.loc["conversations", "mean"] + s.loc["mismatches", "mean"])
    occ = per["occupancy"].dropna()
    assert ((occ >= 0) & (occ <= 1 + 1e-9)).all()
    occ = res.by_interval()["occupancy"].dropna()
    assert ((occ >= 0) & (occ <= 1 + 1e-9)).all()

    g = res.by_group().set_index("group")
    np.testing.assert_allclose(g["inbound_hours"] + g["outbound_hours"] + g["idle_hours"],
                               g["agent_hours"], atol=1e-9)
    for col in ("inbound_hours", "outbound_hours", "idle_hours"):
        assert (g[col] >= -1e-9).all(), col
    # outbound hours: outbound conversations (wrap-up included) and ready spans, per group
    group_of = {a: grp for a, grp, _, _ in sc.agent_periods()}
    c = res.contacts
    talk = c[(c["kind"] == "outbound") & (c["outcome"] == "served")]
    hours = {}
    for name in g.index:
        mine = talk["group"].astype(str) == name
        seconds = (talk["end_at"] - talk["answered_at"])[mine].sum()
        rd = res.ready[res.ready["agent"].astype(str).map(group_of) == name]
        seconds += (rd["to_at"] - rd["from_at"]).sum()
        hours[name] = seconds / 3600.0 / REPS
    np.testing.assert_allclose(g["outbound_hours"], pd.Series(hours)[g.index], atol=1e-9)
    answered = c[(c["kind"] == "inbound") & (c["outcome"] == "served")]
    for name in g.index:
        assert g.loc[name, "answered"] == pytest.approx(
            (answered["group"].astype(str) == name).sum() / REPS)
        assert g.loc[name, "conversations"] == pytest.approx(
            (talk["group"].astype(str) == name).sum() / REPS)


@given(sc=blended_days(), seed=seeds)
def test_same_seed_same_records(sc, seed):
    a = _simulated(sc, seed)
    b = simulate(sc, replications=REPS, seed=seed)
    pd.testing.assert_frame_equal(a.contacts, b.contacts)
    pd.testing.assert_frame_equal(a.ready, b.ready)
    pd.testing.assert_frame_equal(a.agents, b.agents)


@st.composite
def crn_days(draw):
    """A blended day with luck in every attempt: two segments, retries, random durations."""
    n_int = 2
    segments = (Segment(name="s1", share=1.0), Segment(name="s2", share=2.0))
    camp = OutboundCampaign(
        name="list", talk_time=Exponential(mean=draw(st.integers(30, 200))),
        list_size=draw(st.none() | st.integers(10, 60)), segments=segments,
        connect_probability=draw(st.sampled_from([0.2, 0.5, 0.8])),
        attempt_time=Exponential(mean=draw(st.integers(5, 30))),
        connect_time=Exponential(mean=draw(st.integers(1, 10))),
        max_attempts=draw(st.integers(1, 3)),
        retry_after=draw(st.sampled_from([60.0, 300.0])),
        dial_ratio=draw(st.sampled_from([1.0, 2.0])),
        connected_patience=Exponential(mean=3.0))
    inbound = InboundType(name="calls", volume=tuple(draw(st.lists(
        st.integers(0, 20), min_size=n_int, max_size=n_int))),
        handle_time=Exponential(mean=draw(st.integers(60, 300))))
    blend = draw(st.integers(1, 3))
    return Scenario(name="crn", day=Day(open_at=OPEN, close_at=OPEN + n_int * INTERVAL,
                                        interval=INTERVAL),
                    inbound=[inbound],
                    groups=[AgentGroup(name="B", skills=("calls",), outbound=("list",),
                                       headcount=(blend,) * n_int)],
                    outbound=[camp], blending=[Threshold(reserve=draw(st.integers(0, 1)))])


def luck_table(contacts: pd.DataFrame, max_attempts: int) -> pd.DataFrame:
    """Each outbound attempt's luck, indexed by (segment, record, attempt)."""
    out = contacts[contacts["kind"] == "outbound"].reset_index(drop=True)
    luck = _luck(out)
    luck["segment"] = out["segment"].astype(str).to_numpy()
    luck["record"] = record_ids(out, max_attempts)
    luck["attempt"] = out["attempt"].to_numpy()
    return luck.set_index(["segment", "record", "attempt"])


def compare_luck(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The attempts dialled in both runs, side by side (columns ``*_a`` and ``*_b``)."""
    return a.add_suffix("_a").join(b.add_suffix("_b"), how="inner")


def assert_same_luck(both: pd.DataFrame):
    assert (both["connected_a"] == both["connected_b"]).all()
    for col in ("attempt_time", "connect_time"):
        np.testing.assert_allclose(both[f"{col}_a"], both[f"{col}_b"], rtol=1e-9, atol=1e-6)
    # the talk time shows only where both runs held the conversation (not a mismatch)
    talked = both["talk_a"].notna() & both["talk_b"].notna()
    np.testing.assert_allclose(both["talk_a"][talked], both["talk_b"][talked], rtol=1e-9,
                               atol=1e-6)


def _more_blended(sc: Scenario, more: int) -> Scenario:
    g = sc.groups[0]
    return sc.replace(groups=(AgentGroup(name=g.name, skills=g.skills, outbound=g.outbound,
                                         headcount=tuple(h + more for h in g.headcount)),))


@given(sc=crn_days(), seed=seeds, more=st.integers(1, 3))
def test_common_random_numbers_give_each_attempt_the_same_luck(sc, seed, more):
    # Two staffing plans (more blended agents in the second) call records in a different
    # order and number; the k-th attempt of record r of a segment must have the same luck in
    # both: connected or not, and the same attempt, connect and talk times.
    k = sc.outbound[0].max_attempts
    small, large = (luck_table(simulate(x, replications=1, seed=seed).contacts, k)
                    for x in (sc, _more_blended(sc, more)))
    both = compare_luck(small, large)
    if len(small):
        assert len(both) > 0  # the first record of a segment is called in both plans
    assert_same_luck(both)


def test_common_random_numbers_a_fixed_example_shares_most_records():
    # The property above on one day where both plans dial many of the same records, so the
    # comparison is not vacuous; and the luck really differs between records.
    sc = Scenario(
        name="crn", day=Day(open_at=OPEN, close_at=OPEN + 2 * INTERVAL, interval=INTERVAL),
        inbound=[InboundType(name="calls", volume=(10, 10), handle_time=Exponential(mean=200))],
        groups=[AgentGroup(name="B", skills=("calls",), outbound=("list",), headcount=(2, 2))],
        outbound=[OutboundCampaign(
            name="list", talk_time=Exponential(mean=120),
            segments=(Segment(name="s1"), Segment(name="s2", share=2.0)),
            connect_probability=0.4, attempt_time=Exponential(mean=20),
            connect_time=Exponential(mean=5), max_attempts=3, retry_after=300.0)])
    small, large = (luck_table(simulate(x, replications=1, seed=7).contacts, 3)
                    for x in (sc, _more_blended(sc, 2)))
    both = compare_luck(small, large)
    assert len(large) > len(small) > 50
    assert len(both) > 0.8 * len(small)
    assert (both.reset_index()["attempt"] > 1).any()  # retries are compared too
    assert 0 < both["connected_a"].mean() < 1
    assert_same_luck(both)
    for col in ("attempt_time", "connect_time", "talk"):
        assert both[f"{col}_a"].dropna().nunique() > 5  # the luck differs between records
    # and a wrong pairing would be caught: shifting the records by one breaks the match
    shifted = small.reset_index()
    shifted["record"] += 1
    with pytest.raises(AssertionError):
        assert_same_luck(compare_luck(shifted.set_index(["segment", "record", "attempt"]),
                                      large))


# --------------------------------------------------------------------------------------------
# 4. tradeoff()


def tradeoff_day(blend=(6, 6, 6, 6), partner=None):
    groups = [AgentGroup(name="blend", skills=("calls",), outbound=("list",),
                         headcount=tuple(blend))]
    if partner is not None:
        groups.append(AgentGroup(name="inbound", skills=("calls",), headcount=tuple(partner)))
    return Scenario(
        name="trade", day=Day(open_at=OPEN, close_at=OPEN + 4 * 3600, interval=3600),
        inbound=[InboundType(name="calls", volume=(50, 50, 50, 50),
                             handle_time=Exponential(mean=240))],
        groups=groups,
        outbound=[OutboundCampaign(name="list", talk_time=Exponential(mean=240),
                                   connect_probability=0.5,
                                   attempt_time=Deterministic(value=15),
                                   connect_time=Deterministic(value=5))],
        blending=[Threshold(reserve=0)])


def test_a_larger_reserve_buys_inbound_service_with_outreach():
    t = tradeoff(tradeoff_day(), reserve=[0, 2, 4, 6], replications=8, seed=3)
    assert t["reserve"].tolist() == [0, 2, 4, 6]
    assert t["blended_agents"].isna().all()
    assert t["service_level"].is_monotonic_increasing
    assert t["service_level"].iloc[-1] - t["service_level"].iloc[0] > 0.3
    assert t["conversations"].is_monotonic_decreasing
    assert t["conversations"].iloc[-1] == 0  # every agent kept back: no outbound at all
    assert t["conversations"].iloc[0] > 50
    assert t["asa"].is_monotonic_decreasing
    assert (t["service_level_ci_low"] <= t["service_level"]).all()
    assert (t["service_level"] <= t["service_level_ci_high"]).all()
    assert t.attrs["seed"] == 3 and t.attrs["replications"] == 8


def test_tradeoff_points_are_the_simulation_of_each_scenario():
    # A point is exactly what simulate() gives for that reserve with the same seed.
    sc = tradeoff_day()
    t = tradeoff(sc, reserve=[1], replications=3, seed=5)
    s = simulate(sc.replace(blending=(Threshold(reserve=1),)), replications=3,
                 seed=5).summary()
    assert t.loc[0, "service_level"] == pytest.approx(s.loc["service_level", "mean"])
    assert t.loc[0, "conversations"] == pytest.approx(s.loc["conversations", "mean"])


def test_tradeoff_errors():
    sc = tradeoff_day()
    no_outbound = Scenario(name="in", day=sc.day, inbound=sc.inbound, groups=[
        AgentGroup(name="team", skills=("calls",), headcount=(6, 6, 6, 6))])
    with pytest.raises(InputError, match="needs an outbound campaign"):
        tradeoff(no_outbound, reserve=[0, 1], replications=2, seed=1)
    with pytest.raises(InputError, match="reserve must list at least one value"):
        tradeoff(sc, reserve=[], replications=2, seed=1)
    with pytest.raises(InputError, match=r"reserve values must be whole numbers >= 0 \(got -1\)"):
        tradeoff(sc, reserve=[0, -1], replications=2, seed=1)
    with pytest.raises(InputError, match=r"reserve values must be whole numbers >= 0 \(got 1.5\)"):
        tradeoff(sc, reserve=[1.5], replications=2, seed=1)
    with pytest.raises(InputError, match="reserve must be a list of whole numbers"):
        tradeoff(sc, reserve=2.0, replications=2, seed=1)
    with pytest.raises(InputError, match="scenario must be a Scenario"):
        tradeoff("trade.toml", reserve=[1])
    with pytest.raises(InputError, match="one inbound-only group with the same skills"):
        tradeoff(sc, blended_agents=[2, 4], replications=2, seed=1)
    with pytest.raises(InputError, match="reserve needs blending"):
        tradeoff(sc.replace(blending=(Dedicated(),)), reserve=[1], replications=2, seed=1)


def test_with_blended_agents_keeps_the_head_count_of_every_interval():
    sc = tradeoff_day(blend=(2, 0, 3, 1), partner=(3, 4, 1, 5))
    for n in (0, 1, 4, 10):
        moved = with_blended_agents(sc, n)
        b, p = moved.group("blend").headcount, moved.group("inbound").headcount
        assert [x + y for x, y in zip(b, p, strict=True)] == [5, 4, 4, 6]
        # blended agents only where the blended group works, at most everyone there
        assert list(b) == [min(n, 5), 0, min(n, 4), min(n, 6)]
    t = tradeoff(sc, blended_agents=[0, 4], replications=2, seed=2)
    assert t["blended_agents"].tolist() == [0, 4]
    assert t.loc[0, "conversations"] == 0  # nobody blended: no outbound
    assert t.loc[1, "conversations"] > 0
