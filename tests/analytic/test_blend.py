"""Exact threshold blending: limits, conservation laws, monotonicity, decisions, errors.

The chain is checked three independent ways here: against Erlang C/A in the limit
reserve = agents, against exact identities (work conservation, Little's law for hang-ups)
that tie the stationary distribution to the tagged-caller computations, and (in
test_reference_values.py) against an independently built chain.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blendsim import (
    InfeasibleError,
    InputError,
    asa,
    best_reserve,
    erlang_a,
    erlang_c,
    required_blend_agents,
    service_level,
    threshold_blend,
)

team_st = st.integers(min_value=1, max_value=12)
occ_st = st.floats(min_value=0.2, max_value=0.95)
aht_st = st.sampled_from([60.0, 180.0, 300.0, 900.0])
patience_st = st.one_of(st.none(), st.floats(min_value=20, max_value=2000))


@pytest.mark.parametrize("s, occ", [(1, 0.5), (3, 0.7), (10, 0.85), (25, 0.95)])
def test_full_reserve_is_erlang_c(s, occ):
    aht = 300.0
    rate = s * occ / aht
    r = threshold_blend(agents=s, rate=rate, aht=aht, outbound_aht=120, reserve=s, target=20)
    a = rate * aht
    assert r.p_wait == pytest.approx(erlang_c(s, a), rel=1e-10)
    assert r.asa == pytest.approx(asa(s, a, aht), rel=1e-10)
    assert r.service_level == pytest.approx(service_level(s, a, aht, 20), rel=1e-10)
    assert r.outbound_rate == 0.0
    assert r.occupancy == pytest.approx(occ, rel=1e-10)


@pytest.mark.parametrize("s, occ, patience", [(1, 0.8, 60), (4, 1.2, 120), (12, 0.9, 600)])
def test_full_reserve_is_erlang_a(s, occ, patience):
    aht = 240.0
    rate = s * occ / aht
    r = threshold_blend(agents=s, rate=rate, aht=aht, outbound_aht=90, reserve=s,
                        patience=patience, target=20)
    e = erlang_a(s, rate, aht, patience, target=20)
    for name in ("p_wait", "p_abandon", "asa", "service_level", "mean_queue", "occupancy"):
        assert getattr(r, name) == pytest.approx(getattr(e, name), rel=1e-10), name
    assert r.outbound_rate == 0.0


@given(s=team_st, occ=occ_st, aht_in=aht_st, aht_out=aht_st)
def test_zero_reserve_keeps_everyone_busy(s, occ, aht_in, aht_out):
    rate = s * occ / aht_in
    r = threshold_blend(agents=s, rate=rate, aht=aht_in, outbound_aht=aht_out, reserve=0,
                        target=20)
    assert r.p_wait == pytest.approx(1.0, abs=1e-12)
    assert r.occupancy == pytest.approx(1.0, abs=1e-12)
    # Every agent is always busy; inbound takes a = rate * aht of them on average, so the
    # rest, s - a agents, make outbound calls back to back.
    assert r.outbound_rate == pytest.approx((s - rate * aht_in) / aht_out, rel=1e-9)


@given(s=team_st, occ=st.floats(min_value=0.1, max_value=1.6), k=st.integers(0, 12),
       aht_in=aht_st, aht_out=aht_st, patience=patience_st,
       t=st.floats(min_value=0, max_value=120))
def test_conservation_laws(s, occ, k, aht_in, aht_out, patience, t):
    k = min(k, s)
    rate = s * occ / aht_in
    if patience is None and occ >= 0.97:
        patience = 300.0  # keep the queue stable
    r = threshold_blend(agents=s, rate=rate, aht=aht_in, outbound_aht=aht_out, reserve=k,
                        patience=patience, target=t)
    for name in ("p_wait", "p_abandon", "service_level", "occupancy"):
        assert -1e-12 <= getattr(r, name) <= 1 + 1e-12, name
    # Inbound agents finish calls as fast as answered calls arrive.
    assert r.inbound_occupancy * s / aht_in == pytest.approx(rate * (1 - r.p_abandon), rel=1e-8)
    # Callers hang up at rate 1/patience each: rate * P(abandon) = E[queue] / patience.
    if patience is not None:
        assert r.p_abandon == pytest.approx(r.mean_queue / patience / rate, rel=1e-8, abs=1e-13)
    assert r.occupancy == pytest.approx(r.inbound_occupancy + r.outbound_occupancy, rel=1e-12)
    assert r.outbound_rate == pytest.approx(r.outbound_occupancy * s / aht_out, rel=1e-12)
    assert r.mean_wait == pytest.approx(r.mean_queue / rate, rel=1e-12)
    assert 1 - r.p_wait - 1e-12 <= r.service_level <= 1 - r.p_abandon + 1e-12


@given(s=st.integers(2, 10), occ=st.floats(0.2, 0.9), aht_out=aht_st, patience=patience_st)
def test_a_larger_reserve_trades_outbound_for_inbound_service(s, occ, aht_out, patience):
    aht = 300.0
    rate = s * occ / aht
    runs = [threshold_blend(agents=s, rate=rate, aht=aht, outbound_aht=aht_out, reserve=k,
                            patience=patience, target=20) for k in range(s + 1)]
    for lo, hi in zip(runs, runs[1:], strict=False):
        assert hi.service_level >= lo.service_level - 1e-10
        assert hi.p_wait <= lo.p_wait + 1e-10
        assert hi.outbound_rate <= lo.outbound_rate + 1e-12


def test_no_inbound_traffic_means_outbound_for_all_but_the_reserve():
    r = threshold_blend(agents=6, rate=0.0, aht=300, outbound_aht=120, reserve=2, target=20)
    assert r.outbound_rate == pytest.approx(4 / 120)
    assert (r.p_wait, r.service_level, r.occupancy) == (0.0, 1.0, pytest.approx(4 / 6))


def test_unstable_without_patience_reports_the_limit():
    r = threshold_blend(agents=4, rate=5 / 300, aht=300, outbound_aht=60, reserve=1, target=20)
    assert r.p_wait == 1.0 and r.asa == math.inf and r.service_level == 0.0
    assert r.outbound_rate == 0.0


def test_long_outbound_calls_cost_more_inbound_service():
    common = dict(agents=10, rate=7 / 300, aht=300, reserve=2, target=20)
    short = threshold_blend(outbound_aht=60, **common)
    long_ = threshold_blend(outbound_aht=1200, **common)
    assert long_.service_level < short.service_level
    assert long_.asa > short.asa


# --- decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize("s, occ, aht_out, patience", [(10, 0.6, 180, None), (8, 0.7, 600, 120),
                                                        (20, 0.75, 240, None)])
def test_best_reserve_is_the_smallest_that_meets_the_target(s, occ, aht_out, patience):
    rate = s * occ / 300
    best = best_reserve(agents=s, rate=rate, aht=300, outbound_aht=aht_out, target_sl=0.8,
                        target_time=20, patience=patience)
    assert best.service_level >= 0.8
    if best.reserve > 0:
        below = threshold_blend(agents=s, rate=rate, aht=300, outbound_aht=aht_out,
                                reserve=best.reserve - 1, patience=patience, target=20)
        assert below.service_level < 0.8
        assert below.outbound_rate >= best.outbound_rate


def test_best_reserve_with_abandonment_cap():
    common = dict(agents=8, rate=5 / 300, aht=300, outbound_aht=300, target_sl=0.7,
                  target_time=20, patience=300)
    loose = best_reserve(**common)
    tight = best_reserve(max_abandon=0.03, **common)
    assert loose.reserve == 2  # service level 73% at reserve 2, 57% at 1
    assert tight.p_abandon <= 0.03
    assert tight.reserve == 5  # abandonment 2.8% at reserve 5, 3.3% at 4


def test_best_reserve_infeasible():
    with pytest.raises(InfeasibleError, match=r"reserve = agents = 5\) the service level"):
        best_reserve(agents=5, rate=4.5 / 300, aht=300, outbound_aht=120, target_sl=0.9,
                     target_time=10)
    with pytest.raises(InfeasibleError, match=r"abandonment .* > max_abandon 0.001"):
        best_reserve(agents=5, rate=4.5 / 300, aht=300, outbound_aht=120, target_sl=0.1,
                     target_time=10, patience=30, max_abandon=0.001)


def test_required_blend_agents_is_minimal():
    rate, aht, aht_out = 6 / 300, 300.0, 180.0
    want = 60 / 3600  # 60 outbound calls an hour
    r = required_blend_agents(rate=rate, aht=aht, outbound_aht=aht_out, outbound_rate=want,
                              target_sl=0.8, target_time=20)
    assert r.service_level >= 0.8 and r.outbound_rate >= want
    try:
        smaller = best_reserve(agents=r.agents - 1, rate=rate, aht=aht, outbound_aht=aht_out,
                               target_sl=0.8, target_time=20)
    except InfeasibleError:
        return
    assert smaller.outbound_rate < want


def test_required_blend_agents_gives_up_clearly():
    with pytest.raises(InfeasibleError, match="max_agents = 12"):
        required_blend_agents(rate=6 / 300, aht=300, outbound_aht=180, outbound_rate=1.0,
                              target_sl=0.8, target_time=20, max_agents=12)


# --- errors ----------------------------------------------------------------------------------

GOOD = dict(agents=5, rate=0.01, aht=300, outbound_aht=120, reserve=1)


@pytest.mark.parametrize("change, message", [
    (dict(agents=0), r"agents must be >= 1 \(got 0\)"),
    (dict(agents=2.5), r"agents must be a whole number \(got 2.5\)"),
    (dict(rate=-1), r"rate must be >= 0 \(got -1\)"),
    (dict(aht=0), r"aht must be > 0 \(got 0\)"),
    (dict(outbound_aht=float("nan")), r"outbound_aht must be a number, not NaN"),
    (dict(reserve=6), r"reserve must be <= 5 \(got 6\)"),
    (dict(reserve=-1), r"reserve must be >= 0 \(got -1\)"),
    (dict(patience=0), r"patience must be > 0 \(got 0\)"),
    (dict(target=-5), r"target must be >= 0 \(got -5\)"),
    (dict(agents="5"), r"agents must be a single number \(got '5'\)"),
])
def test_threshold_blend_errors(change, message):
    with pytest.raises(InputError, match=message):
        threshold_blend(**{**GOOD, **change})


def test_decision_errors():
    base = dict(agents=5, rate=0.01, aht=300, outbound_aht=120)
    with pytest.raises(InputError, match=r"target_sl must be < 1 \(got 1\)"):
        best_reserve(target_sl=1, target_time=20, **base)
    with pytest.raises(InputError, match="target_time is required"):
        best_reserve(target_sl=0.8, target_time=None, **base)
    with pytest.raises(InputError, match=r"max_abandon must be > 0 \(got 0\)"):
        best_reserve(target_sl=0.8, target_time=20, max_abandon=0, **base)
    with pytest.raises(InputError, match=r"outbound_rate must be >= 0 \(got -1\)"):
        required_blend_agents(rate=0.01, aht=300, outbound_aht=120, outbound_rate=-1,
                              target_sl=0.8, target_time=20)
    with pytest.raises(InputError, match=r"max_agents must be >= 1 \(got 0\)"):
        required_blend_agents(rate=0.01, aht=300, outbound_aht=120, outbound_rate=0.01,
                              target_sl=0.8, target_time=20, max_agents=0)


def test_state_space_guard():
    with pytest.raises(InputError, match="beyond the exact model"):
        threshold_blend(agents=2000, rate=1999.9 / 300, aht=300, outbound_aht=120, reserve=5)
