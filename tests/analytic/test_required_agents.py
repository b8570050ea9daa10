"""``required_agents``: the fewest agents that meet every target, checked against brute force.

The brute force evaluates the vectorised formulas of ``blendsim.analytic.erlang``
(``service_level``, ``asa``, ``occupancy``, ``erlang_a``) over a whole numpy range of agent
counts and takes the first count that meets every target.  The search in ``staffing.py``
(square-root-staffing guess, Erlang B recurrence, bisection) shares none of that code path, so
agreement means the search found the true minimum.  Sections: a worked example, Erlang C and
Erlang A against brute force, monotonicity, combined targets, occupancy and ASA targets, no
calls and the staffing floor.

Times are in seconds; ``calls`` are per 30-minute interval, ``rate = calls / 1800``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import HALF_HOUR, Oracle, calls_per_half_hour, handle_times, service_levels
from hypothesis import given
from hypothesis import strategies as st

from blendsim import (
    asa,
    erlang_a,
    erlang_c,
    occupancy,
    required_agents,
    scheduled_agents,
    service_level,
)

# Two evaluations of the same quantity by different code paths (recurrence vs direct Erlang B)
# agree to ~1e-12; a requirement may differ from brute force only when the target sits within
# this margin of the achieved value, i.e. a tie that rounding decides.
TIE = 1e-9


def erlang_c_oracle(rate, aht, *, target_sl=None, target_time=None, target_asa=None,
                    max_occupancy=None) -> Oracle:
    """Fewest M/M/n agents meeting the targets, by evaluating every agent count."""
    load = rate * aht

    def gap_of(n):
        # Erlang C has a steady state only with more agents than Erlangs of load.
        gap = np.where(n > load, np.inf, -np.inf)
        if target_sl is not None:
            gap = np.minimum(gap, service_level(n, load, aht, target_time) - target_sl)
        if target_asa is not None:
            gap = np.minimum(gap, (target_asa - asa(n, load, aht)) / target_asa)
        if max_occupancy is not None:
            gap = np.minimum(gap, (max_occupancy - occupancy(n, load)) / max_occupancy)
        return gap

    return Oracle(gap_of)


def erlang_a_oracle(rate, aht, patience, *, target_sl=None, target_time=None, target_asa=None,
                    max_abandon=None, max_occupancy=None) -> Oracle:
    """Fewest M/M/n+M agents meeting the targets, by evaluating every agent count."""

    def gap_of(n):
        r = erlang_a(n, rate, aht, patience, target=target_time)
        gap = np.full(n.shape, np.inf)
        if target_sl is not None:
            gap = np.minimum(gap, r.service_level - target_sl)
        if target_asa is not None:
            gap = np.minimum(gap, (target_asa - r.asa) / target_asa)
        if max_abandon is not None:
            gap = np.minimum(gap, (max_abandon - r.p_abandon) / max_abandon)
        if max_occupancy is not None:
            gap = np.minimum(gap, (max_occupancy - r.occupancy) / max_occupancy)
        return gap

    return Oracle(gap_of)


def assert_fewest(agents: int, oracle: Oracle) -> None:
    """``agents`` is the oracle's fewest count, except for a tie at the target."""
    if agents != oracle.fewest:
        assert abs(agents - oracle.fewest) == 1
        tie = oracle.gap_at(min(agents, oracle.fewest))
        assert abs(tie) < TIE, (agents, oracle.fewest, tie)


answer_times = st.floats(min_value=0.0, max_value=180.0)


asa_goals = st.floats(min_value=0.5, max_value=300.0)


occupancy_caps = st.floats(min_value=0.4, max_value=1.0)


@st.composite
def erlang_c_targets(draw) -> dict:
    """One to three Erlang C targets, drawn together."""
    kw = {}
    if draw(st.booleans()):
        kw["target_sl"] = draw(service_levels)
        kw["target_time"] = draw(answer_times)
    if draw(st.booleans()):
        kw["target_asa"] = draw(asa_goals)
    if not kw or draw(st.booleans()):
        kw["max_occupancy"] = draw(occupancy_caps)
    return kw


@st.composite
def erlang_a_targets(draw) -> dict:
    """One to four Erlang A targets, drawn together."""
    kw = {}
    if draw(st.booleans()):
        kw["target_sl"] = draw(st.floats(0.3, 0.99))
        kw["target_time"] = draw(answer_times)
    if draw(st.booleans()):
        kw["target_asa"] = draw(asa_goals)
    if draw(st.booleans()):
        kw["max_abandon"] = draw(st.floats(0.005, 0.5))
    if not kw or draw(st.booleans()):
        kw["max_occupancy"] = draw(st.floats(0.5, 1.0))
    return kw


# --------------------------------------------------------------------------------------------
# A worked example (figures checked by hand against the Erlang C table in erlang.py's tests)


def test_eighty_twenty_example_needs_twenty_agents_and_nineteen_miss():
    r = required_agents(rate=120 / HALF_HOUR, aht=240, target_sl=0.8, target_time=20)
    assert r.agents == 20
    assert r.service_level >= 0.8
    assert service_level(19, 16, 240, 20) < 0.8
    assert r.load == pytest.approx(16.0)
    assert r.model == "erlang_c"
    assert r.p_abandon == 0.0


def test_reported_figures_are_those_of_the_required_agents():
    r = required_agents(rate=200 / HALF_HOUR, aht=250, target_sl=0.8, target_time=20,
                        shrinkage=0.3)
    a = 200 / HALF_HOUR * 250
    assert r.service_level == pytest.approx(service_level(r.agents, a, 250, 20), rel=1e-10)
    assert r.asa == pytest.approx(asa(r.agents, a, 250), rel=1e-10)
    assert r.p_wait == pytest.approx(erlang_c(r.agents, a), rel=1e-10)
    assert r.occupancy == pytest.approx(occupancy(r.agents, a), rel=1e-12)
    assert r.scheduled == scheduled_agents(r.agents, 0.3)


# --------------------------------------------------------------------------------------------
# Erlang C: the fewest agents, against brute force


@given(calls=calls_per_half_hour, aht=handle_times, sl=service_levels, t=answer_times)
def test_service_level_target_met_and_one_fewer_agent_misses(calls, aht, sl, t):
    rate = calls / HALF_HOUR
    r = required_agents(rate, aht, target_sl=sl, target_time=t)
    load = rate * aht
    assert r.service_level >= sl - TIE
    assert service_level(r.agents, load, aht, t) >= sl - TIE
    assert r.agents - 1 <= load or service_level(r.agents - 1, load, aht, t) < sl + TIE


@given(calls=calls_per_half_hour, aht=handle_times, targets=erlang_c_targets())
def test_erlang_c_requirement_equals_brute_force(calls, aht, targets):
    rate = calls / HALF_HOUR
    r = required_agents(rate, aht, **targets)
    assert_fewest(r.agents, erlang_c_oracle(rate, aht, **targets))


@pytest.mark.parametrize("load", [0.05, 0.999, 1.0, 7.5, 100.0, 1000.0, 5000.0])
@pytest.mark.parametrize(("sl", "t"), [(0.5, 0.0), (0.8, 20.0), (0.95, 10.0), (0.999, 60.0)])
def test_erlang_c_requirement_equals_brute_force_from_tiny_to_large_loads(load, sl, t):
    aht = 300.0
    rate = load / aht
    r = required_agents(rate, aht, target_sl=sl, target_time=t)
    assert_fewest(r.agents, erlang_c_oracle(rate, aht, target_sl=sl, target_time=t))


@pytest.mark.parametrize("load", [0.05, 3.0, 250.0, 4000.0])
@pytest.mark.parametrize("goal", [0.5, 5.0, 30.0, 600.0])
def test_asa_target_equals_brute_force(load, goal):
    aht = 240.0
    r = required_agents(load / aht, aht, target_asa=goal)
    assert_fewest(r.agents, erlang_c_oracle(load / aht, aht, target_asa=goal))
    assert r.asa <= goal * (1 + TIE)


@pytest.mark.parametrize("n", [3, 20, 57, 400])
def test_target_a_hair_either_side_of_what_n_agents_achieve(n):
    # The achieved value at n agents is the sharpest boundary: a goal just below (SL) or
    # above (ASA) it is met by n agents, a goal just beyond it needs n + 1.
    aht, load, t = 180.0, 0.85 * n, 15.0
    rate = load / aht
    sl_n = service_level(n, load, aht, t)
    assert required_agents(rate, aht, target_sl=sl_n - 1e-9, target_time=t).agents == n
    assert required_agents(rate, aht, target_sl=sl_n + 1e-9, target_time=t).agents == n + 1
    asa_n = asa(n, load, aht)
    assert required_agents(rate, aht, target_asa=asa_n * (1 + 1e-9)).agents == n
    assert required_agents(rate, aht, target_asa=asa_n * (1 - 1e-9)).agents == n + 1


# --------------------------------------------------------------------------------------------
# Erlang A: the fewest agents, against brute force


@given(calls=st.floats(0.5, 300.0), aht=st.floats(30.0, 600.0),
       patience=st.floats(10.0, 900.0), targets=erlang_a_targets())
def test_erlang_a_requirement_equals_brute_force(calls, aht, patience, targets):
    rate = calls / HALF_HOUR
    r = required_agents(rate, aht, model="erlang_a", patience=patience, **targets)
    assert_fewest(r.agents, erlang_a_oracle(rate, aht, patience, **targets))
    exact = erlang_a(r.agents, rate, aht, patience, target=targets.get("target_time"))
    assert r.p_abandon == pytest.approx(exact.p_abandon, rel=1e-12, abs=1e-300)
    assert r.occupancy == pytest.approx(exact.occupancy, rel=1e-12)
    assert r.model == "erlang_a"


def test_erlang_a_with_abandonment_needs_fewer_agents_than_erlang_c():
    c = required_agents(120 / HALF_HOUR, 240, target_sl=0.8, target_time=20)
    a = required_agents(120 / HALF_HOUR, 240, target_sl=0.8, target_time=20,
                        model="erlang_a", patience=60)
    assert a.agents < c.agents
    assert a.p_abandon > 0


def test_erlang_a_with_infinite_patience_is_erlang_c():
    kw = dict(rate=200 / HALF_HOUR, aht=250, target_sl=0.85, target_time=15)
    c = required_agents(**kw)
    a = required_agents(**kw, model="erlang_a", patience=math.inf)
    assert a.agents == c.agents
    assert a.service_level == pytest.approx(c.service_level, rel=1e-9)
    assert a.p_abandon == 0.0


def test_max_abandon_equals_brute_force():
    rate, aht, patience = 150 / HALF_HOUR, 300, 90
    r = required_agents(rate, aht, model="erlang_a", patience=patience, max_abandon=0.03)
    assert r.p_abandon <= 0.03
    assert erlang_a(r.agents - 1, rate, aht, patience).p_abandon > 0.03
    assert_fewest(r.agents, erlang_a_oracle(rate, aht, patience, max_abandon=0.03))


# --------------------------------------------------------------------------------------------
# Monotonicity


@given(calls=st.lists(calls_per_half_hour, min_size=2, max_size=2), aht=handle_times,
       targets=erlang_c_targets())
def test_more_calls_never_need_fewer_agents(calls, aht, targets):
    low, high = sorted(calls)
    assert (required_agents(low / HALF_HOUR, aht, **targets).agents
            <= required_agents(high / HALF_HOUR, aht, **targets).agents)


@given(calls=calls_per_half_hour, ahts=st.lists(handle_times, min_size=2, max_size=2),
       sl=service_levels, t=answer_times)
def test_longer_handle_time_never_needs_fewer_agents(calls, ahts, sl, t):
    short, long = sorted(ahts)
    kw = dict(target_sl=sl, target_time=t)
    assert (required_agents(calls / HALF_HOUR, short, **kw).agents
            <= required_agents(calls / HALF_HOUR, long, **kw).agents)


@given(calls=calls_per_half_hour, aht=handle_times,
       sls=st.lists(service_levels, min_size=2, max_size=2),
       times=st.lists(answer_times, min_size=2, max_size=2))
def test_stricter_service_level_never_needs_fewer_agents(calls, aht, sls, times):
    rate = calls / HALF_HOUR
    lax_sl, strict_sl = sorted(sls)
    strict_t, lax_t = sorted(times)
    lax = required_agents(rate, aht, target_sl=lax_sl, target_time=lax_t).agents
    assert lax <= required_agents(rate, aht, target_sl=strict_sl, target_time=lax_t).agents
    assert lax <= required_agents(rate, aht, target_sl=lax_sl, target_time=strict_t).agents


@given(calls=calls_per_half_hour, aht=handle_times,
       goals=st.lists(asa_goals, min_size=2, max_size=2))
def test_stricter_asa_never_needs_fewer_agents(calls, aht, goals):
    strict, lax = sorted(goals)
    rate = calls / HALF_HOUR
    assert (required_agents(rate, aht, target_asa=lax).agents
            <= required_agents(rate, aht, target_asa=strict).agents)


# --------------------------------------------------------------------------------------------
# Combined targets take the strictest


@given(calls=calls_per_half_hour, aht=handle_times, sl=service_levels, t=answer_times,
       goal=asa_goals, occ=occupancy_caps)
def test_combined_targets_need_the_most_any_single_target_needs(calls, aht, sl, t, goal, occ):
    rate = calls / HALF_HOUR
    alone = [required_agents(rate, aht, target_sl=sl, target_time=t).agents,
             required_agents(rate, aht, target_asa=goal).agents,
             required_agents(rate, aht, max_occupancy=occ).agents]
    both = required_agents(rate, aht, target_sl=sl, target_time=t, target_asa=goal,
                           max_occupancy=occ)
    assert both.agents == max(alone)


def test_combined_example_each_target_binding_in_turn():
    rate, aht = 120 / HALF_HOUR, 240  # 16 Erlangs; 80/20 alone needs 20
    assert required_agents(rate, aht, target_sl=0.8, target_time=20, target_asa=20).agents == 20
    # ASA at 21 agents is 8.2 s, at 22 agents 4.4 s: the ASA target binds
    assert required_agents(rate, aht, target_sl=0.8, target_time=20, target_asa=5).agents == 22
    # 16 / 0.7 = 22.9: the occupancy cap binds
    assert required_agents(rate, aht, target_sl=0.8, target_time=20,
                           max_occupancy=0.7).agents == 23


# --------------------------------------------------------------------------------------------
# Occupancy and ASA targets on their own


def test_max_occupancy_alone_gives_ceil_of_load_over_cap():
    # 16 Erlangs exactly (0.5 calls/s x 32 s): 16 / 0.8 = 20 agents, occupancy exactly 0.8
    r = required_agents(rate=0.5, aht=32, max_occupancy=0.8)
    assert r.agents == 20
    assert r.occupancy == pytest.approx(0.8)
    assert r.service_level is None
    assert required_agents(rate=0.5, aht=32, max_occupancy=0.79).agents == 21


def test_max_occupancy_of_one_still_needs_more_agents_than_erlangs():
    # occupancy 16/16 = 1 meets the cap, but 16 agents cannot carry 16 Erlangs
    assert required_agents(rate=0.5, aht=32, max_occupancy=1.0).agents == 17


@pytest.mark.parametrize("occ", [0.5, 0.75, 0.9, 0.95])
def test_max_occupancy_under_erlang_a_equals_brute_force(occ):
    rate, aht, patience = 100 / HALF_HOUR, 300, 120
    r = required_agents(rate, aht, model="erlang_a", patience=patience, max_occupancy=occ)
    assert r.occupancy <= occ
    assert_fewest(r.agents, erlang_a_oracle(rate, aht, patience, max_occupancy=occ))


def test_target_asa_alone_is_met_and_one_fewer_misses():
    rate, aht = 120 / HALF_HOUR, 240
    r = required_agents(rate, aht, target_asa=20)
    assert r.agents == 20  # ASA 15.4 s; 19 agents give 29.9 s
    assert r.asa == pytest.approx(asa(20, 16, 240), rel=1e-10)
    assert asa(19, 16, 240) > 20
    assert r.service_level is None


def test_target_asa_under_erlang_a_is_the_answered_calls_mean_wait():
    rate, aht, patience = 120 / HALF_HOUR, 240, 120
    r = required_agents(rate, aht, model="erlang_a", patience=patience, target_asa=10)
    assert r.asa <= 10
    assert erlang_a(r.agents - 1, rate, aht, patience).asa > 10


# --------------------------------------------------------------------------------------------
# No calls, a staffing floor


def test_no_calls_needs_min_agents_and_serves_everyone():
    r = required_agents(rate=0, aht=240, target_sl=0.8, target_time=20, min_agents=2,
                        shrinkage=0.5)
    assert (r.agents, r.scheduled) == (2, 4)
    assert r.service_level == 1.0
    assert (r.load, r.asa, r.p_wait, r.p_abandon, r.occupancy) == (0, 0, 0, 0, 0)


def test_no_calls_without_a_time_target_has_no_service_level():
    r = required_agents(rate=0, aht=240, target_asa=10)
    assert r.agents == 0
    assert r.service_level is None


def test_no_calls_under_erlang_a_keeps_the_model():
    r = required_agents(rate=0, aht=240, target_sl=0.8, target_time=20, model="erlang_a",
                        patience=60)
    assert (r.agents, r.service_level, r.model) == (0, 1.0, "erlang_a")


@pytest.mark.parametrize("model_kw", [{}, {"model": "erlang_a", "patience": 120}])
def test_min_agents_above_the_requirement_raises_it_and_recomputes_the_figures(model_kw):
    rate, aht = 120 / HALF_HOUR, 240
    r = required_agents(rate, aht, target_sl=0.8, target_time=20, min_agents=25, **model_kw)
    assert r.agents == 25
    if model_kw:
        exact = erlang_a(25, rate, aht, 120, target=20)
        assert r.service_level == pytest.approx(exact.service_level, rel=1e-12)
        assert r.occupancy == pytest.approx(exact.occupancy, rel=1e-12)
    else:
        assert r.service_level == pytest.approx(service_level(25, 16, 240, 20), rel=1e-10)
        assert r.p_wait == pytest.approx(erlang_c(25, 16), rel=1e-10)
        assert r.occupancy == pytest.approx(16 / 25)


def test_min_agents_below_the_requirement_changes_nothing():
    kw = dict(rate=120 / HALF_HOUR, aht=240, target_sl=0.8, target_time=20)
    assert required_agents(**kw, min_agents=5) == required_agents(**kw)


# --------------------------------------------------------------------------------------------
