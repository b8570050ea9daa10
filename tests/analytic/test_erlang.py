"""Erlang B, C and A: properties, limits, scalar/array agreement and every error message.

Agreement with high-precision references lives in test_reference_values.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import blendsim
from blendsim import InputError, asa, erlang_a, erlang_b, erlang_c, occupancy, service_level

agents_st = st.floats(min_value=0.5, max_value=5000, allow_nan=False)
int_agents_st = st.integers(min_value=1, max_value=300)
ratio_st = st.floats(min_value=0.01, max_value=3.0)


def erlang_b_recurrence(s: int, a: float) -> float:
    """The textbook recurrence, exact enough in floating point for small s."""
    b = 1.0
    for k in range(1, s + 1):
        b = a * b / (k + a * b)
    return b


# --- Erlang B and C --------------------------------------------------------------------------


@pytest.mark.parametrize("s, a", [(1, 0.5), (5, 3.0), (10, 8.0), (30, 35.0), (50, 10.0)])
def test_erlang_b_matches_recurrence(s, a):
    assert erlang_b(s, a) == pytest.approx(erlang_b_recurrence(s, a), rel=1e-13)


def test_erlang_b_textbook_value():
    # 5 trunks, 3 Erlangs: B = (3^5/5!) / sum_{k<=5} 3^k/k! = 0.11005434...
    assert erlang_b(5, 3) == pytest.approx(2.025 / 18.4, rel=1e-14)


def test_erlang_c_textbook_value():
    # M/M/2 with a = 1: C = 1/3 (from B = 0.2: C = 2*0.2/(2-1+0.2)).
    assert erlang_c(2, 1) == pytest.approx(1 / 3, rel=1e-14)
    # 10 agents, 8 Erlangs: C = 0.409180..., computed by hand from the recurrence.
    b = erlang_b_recurrence(10, 8.0)
    assert erlang_c(10, 8) == pytest.approx(10 * b / (10 - 8 + 8 * b), rel=1e-13)


def test_edges_zero_agents_and_zero_load():
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(0, 0.0) == 1.0
    assert erlang_b(4, 0.0) == 0.0
    assert erlang_c(4, 0.0) == 0.0
    assert erlang_c(0, 2.0) == 1.0
    assert service_level(4, 0.0, 180, 20) == 1.0
    assert asa(4, 0.0, 180) == 0.0


def test_overload_gives_certain_wait_and_infinite_asa():
    assert erlang_c(10, 10) == 1.0
    assert erlang_c(10, 25) == 1.0
    assert service_level(10, 12, 180, 20) == 0.0
    assert asa(10, 10, 180) == math.inf
    assert occupancy(10, 12) == 1.0
    # Erlang B stays a probability in deep overload (continued-fraction branch).
    assert erlang_b(10, 1e6) == pytest.approx(1 - 10 / 1e6, rel=1e-9)


@given(s=agents_st, r=ratio_st)
def test_probabilities_in_unit_interval_and_c_above_b(s, r):
    a = s * r
    b, c = erlang_b(s, a), erlang_c(s, a)
    assert 0.0 <= b <= 1.0
    assert 0.0 <= c <= 1.0
    assert c >= b * (1 - 1e-12)
    assert 0.0 <= service_level(s, a, 180, 20) <= 1.0


@given(s=st.floats(min_value=1, max_value=2000), r=st.floats(min_value=0.05, max_value=0.98),
       ds=st.floats(min_value=0.01, max_value=5))
def test_more_agents_never_hurt(s, r, ds):
    a = s * r
    assert erlang_b(s + ds, a) <= erlang_b(s, a) * (1 + 1e-12)
    assert erlang_c(s + ds, a) <= erlang_c(s, a) * (1 + 1e-12)
    assert service_level(s + ds, a, 200, 15) >= service_level(s, a, 200, 15) - 1e-12
    assert asa(s + ds, a, 200) <= asa(s, a, 200) * (1 + 1e-12)


@given(s=st.floats(min_value=1, max_value=2000), r=st.floats(min_value=0.05, max_value=0.95),
       dr=st.floats(min_value=0.001, max_value=0.5))
def test_more_load_never_helps(s, r, dr):
    a, a2 = s * r, s * (r + dr)
    assert erlang_b(s, a2) >= erlang_b(s, a) * (1 - 1e-12)
    assert erlang_c(s, a2) >= erlang_c(s, a) * (1 - 1e-12)
    assert service_level(s, a2, 200, 15) <= service_level(s, a, 200, 15) + 1e-12


@given(s=st.integers(min_value=1, max_value=500), r=ratio_st,
       frac=st.floats(min_value=0.05, max_value=0.95))
def test_fractional_agents_lie_between_neighbours(s, r, frac):
    a = s * r
    lo, hi = erlang_b(s, a), erlang_b(s + 1, a)
    assert hi * (1 - 1e-12) <= erlang_b(s + frac, a) <= lo * (1 + 1e-12)


def test_service_level_formula_and_limits():
    s, a, h = 12, 9.0, 180.0
    c = erlang_c(s, a)
    assert service_level(s, a, h, 0) == pytest.approx(1 - c, rel=1e-13)
    assert service_level(s, a, h, 30) == pytest.approx(1 - c * math.exp(-(s - a) * 30 / h),
                                                       rel=1e-13)
    assert service_level(s, a, h, 1e7) == 1.0
    assert asa(s, a, h) == pytest.approx(c * h / (s - a), rel=1e-13)
    assert occupancy(s, a) == pytest.approx(0.75)


def test_large_centres_stay_finite_and_accurate():
    s = np.array([20_000.0, 50_000.0, 100_000.0])
    for r in (0.5, 0.9, 0.99, 0.999, 1.0, 1.01, 2.0):
        b = erlang_b(s, s * r)
        c = erlang_c(s, s * r)
        assert np.all(np.isfinite(b)) and np.all((b >= 0) & (b <= 1))
        assert np.all(np.isfinite(c)) and np.all((c >= 0) & (c <= 1))


def test_scalar_and_array_paths_agree():
    rng = np.random.default_rng(7)
    s = np.concatenate([rng.uniform(0.3, 50, 200), rng.uniform(50, 30_000, 200)])
    a = s * rng.uniform(0.05, 3.0, s.size)
    h = rng.uniform(30, 600, s.size)
    t = rng.uniform(0, 120, s.size)
    for fn, args in [(erlang_b, (s, a)), (erlang_c, (s, a)), (asa, (s, a, h)),
                     (service_level, (s, a, h, t)), (occupancy, (s, a))]:
        vec = fn(*args)
        one = np.array([fn(*(float(x[i]) for x in args)) for i in range(s.size)])
        np.testing.assert_allclose(vec, one, rtol=1e-12, atol=0, err_msg=fn.__name__)


def test_broadcasting_shapes():
    out = erlang_c(np.arange(1, 11)[:, None], np.array([[0.5, 1.0, 2.0]]))
    assert out.shape == (10, 3)
    assert isinstance(erlang_c(10, 8), float)
    assert isinstance(erlang_c([10], [8]), np.ndarray)


# --- Erlang A --------------------------------------------------------------------------------


def test_erlang_a_closed_form_reference():
    # Mandelbaum & Zeltyn's closed forms, evaluated in mpmath at 40 digits for this case.
    r = erlang_a(10, 2 / 60, 240, 120, target=20)
    assert r.p_wait == pytest.approx(0.2475191896670825, rel=1e-12)
    assert r.p_abandon == pytest.approx(0.06840535289533901, rel=1e-12)
    assert r.service_level == pytest.approx(0.8251571029680815, rel=1e-12)


@given(n=int_agents_st, r=st.floats(min_value=0.05, max_value=2.5),
       pat=st.floats(min_value=5, max_value=5000), t=st.floats(min_value=0, max_value=300),
       cap=st.one_of(st.none(), st.integers(min_value=0, max_value=60)))
def test_erlang_a_accounts_for_every_arrival(n, r, pat, t, cap):
    aht = 200.0
    rate = n * r / aht
    res = erlang_a(n, rate, aht, pat, target=t, capacity=cap)
    for name in ("p_wait", "p_abandon", "p_block", "service_level", "occupancy"):
        assert 0.0 <= getattr(res, name) <= 1.0 + 1e-12, name
    p_now = 1 - res.p_wait - res.p_block
    assert p_now >= -1e-12
    assert res.p_abandon <= res.p_wait + 1e-12
    # Abandonment happens at rate theta per waiting caller: lam P(ab) = theta E[queue].
    assert res.p_abandon == pytest.approx(res.mean_queue / pat / rate, rel=1e-9, abs=1e-15)
    # Agents are busy with the answered calls: occupancy = a P(answered) / n.
    answered = 1 - res.p_abandon - res.p_block
    assert res.occupancy == pytest.approx(rate * aht * answered / n, rel=1e-9)
    assert res.mean_wait == pytest.approx(res.mean_queue / rate, rel=1e-12)
    assert p_now - 1e-12 <= res.service_level <= answered + 1e-12


@given(n=int_agents_st, r=st.floats(min_value=0.05, max_value=0.97),
       t=st.floats(min_value=0, max_value=120))
def test_erlang_a_tends_to_erlang_c_as_patience_grows(n, r, t):
    aht = 240.0
    rate = n * r / aht
    res = erlang_a(n, rate, aht, 1e12, target=t)
    a = rate * aht
    assert res.p_wait == pytest.approx(erlang_c(n, a), rel=1e-6, abs=1e-12)
    assert res.service_level == pytest.approx(service_level(n, a, aht, t), rel=1e-6, abs=1e-9)
    assert res.asa == pytest.approx(asa(n, a, aht), rel=1e-6, abs=1e-9)
    assert res.p_abandon < 1e-6


def test_erlang_a_without_patience_is_erlang_c_exactly():
    res = erlang_a(10, 8 / 180, 180, None, target=20)
    assert res.p_wait == pytest.approx(erlang_c(10, 8), rel=1e-14)
    assert res.service_level == pytest.approx(service_level(10, 8, 180, 20), rel=1e-14)
    assert res.asa == pytest.approx(asa(10, 8, 180), rel=1e-14)
    assert res.p_abandon == 0.0 and res.p_block == 0.0
    over = erlang_a(10, 12 / 180, 180, math.inf, target=20)
    assert over.p_wait == 1.0 and over.asa == math.inf and over.service_level == 0.0


@given(n=int_agents_st, r=st.floats(min_value=0.05, max_value=3.0),
       pat=st.floats(min_value=5, max_value=5000))
def test_no_waiting_room_is_erlang_b(n, r, pat):
    aht = 150.0
    res = erlang_a(n, n * r / aht, aht, pat, target=10, capacity=0)
    assert res.p_block == pytest.approx(erlang_b(n, n * r), rel=1e-12)
    assert res.p_wait == 0.0 and res.p_abandon == 0.0


def test_huge_capacity_is_unlimited_and_finite_capacity_without_patience_works():
    a = erlang_a(20, 18 / 240, 240, 90, target=20)
    b = erlang_a(20, 18 / 240, 240, 90, target=20, capacity=100_000)
    for name in ("p_wait", "p_abandon", "asa", "service_level", "mean_queue"):
        assert getattr(b, name) == pytest.approx(getattr(a, name), rel=1e-12)
    # M/M/n/n+K: overload is fine with a finite room, and the queue length is bounded.
    k = erlang_a(5, 10 / 240, 240, None, target=20, capacity=4)
    assert 0 < k.p_block < 1 and k.mean_queue <= 4 and k.p_abandon == 0.0


@given(n=int_agents_st, r=st.floats(min_value=0.1, max_value=1.5),
       pat=st.floats(min_value=10, max_value=1000))
def test_erlang_a_improves_with_agents(n, r, pat):
    aht = 240.0
    rate = n * r / aht
    x, y = erlang_a(n, rate, aht, pat, target=20), erlang_a(n + 1, rate, aht, pat, target=20)
    assert y.p_abandon <= x.p_abandon + 1e-12
    assert y.service_level >= x.service_level - 1e-12
    assert y.asa <= x.asa * (1 + 1e-12) + 1e-12


def test_erlang_a_large_centre_overload_is_finite():
    res = erlang_a(20_000, 22_000 / 240, 240, 120, target=20)
    assert 0.05 < res.p_abandon < 0.2
    assert res.occupancy == pytest.approx(1.0, abs=1e-3)
    assert math.isfinite(res.asa)


def test_erlang_a_arrays_match_scalars():
    n = np.array([5, 10, 40])
    pat = np.array([[60.0], [600.0]])
    res = erlang_a(n, 0.05, 200, pat, target=20)
    assert res.p_wait.shape == (2, 3)
    for i, p in enumerate(pat[:, 0]):
        for j, agents in enumerate(n):
            one = erlang_a(int(agents), 0.05, 200, float(p), target=20)
            assert res.p_wait[i, j] == pytest.approx(one.p_wait, rel=1e-14)
            assert res.service_level[i, j] == pytest.approx(one.service_level, rel=1e-14)
    assert erlang_a(5, 0.01, 200, 60).service_level is None
    assert erlang_a([5, 6], 0.01, 200, 60).service_level is None


def test_erlang_a_zero_rate():
    res = erlang_a(3, 0.0, 200, 60, target=20)
    assert (res.p_wait, res.p_abandon, res.occupancy, res.service_level) == (0, 0, 0, 1.0)


# --- Errors: one test per message ------------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda: erlang_c(-1, 3), r"agents must be >= 0 \(got -1\)"),
    (lambda: erlang_b(5, -0.5), r"load must be >= 0 \(got -0.5\)"),
    (lambda: erlang_c(5, float("nan")), r"load must be a number, not NaN \(got nan\)"),
    (lambda: erlang_c(float("inf"), 3), r"agents must be finite \(got inf\)"),
    (lambda: erlang_c([5, -2, 3], 1), r"agents must be >= 0 \(got -2 at index 1\)"),
    (lambda: erlang_c([[1, 2], [3, -4]], 1), r"agents must be >= 0 \(got -4 at index \(1, 1\)\)"),
    (lambda: erlang_c("ten", 3), r"agents must be a number \(got 'ten'\)"),
    (lambda: erlang_c(None, 3), r"agents must be a number \(got None\)"),
    (lambda: erlang_c(["a", 1], 3), r"agents must be a number or an array of numbers"),
    (lambda: service_level(5, 3, 0, 20), r"aht must be > 0 \(got 0\)"),
    (lambda: service_level(5, 3, 180, -1), r"target must be >= 0 \(got -1\)"),
    (lambda: asa(5, 3, -180), r"aht must be > 0 \(got -180\)"),
    (lambda: occupancy(0, 3), r"agents must be > 0 \(got 0\)"),
    (lambda: erlang_a(2.5, 0.1, 180, 60), r"agents must be a whole number \(got 2.5\)"),
    (lambda: erlang_a(0, 0.1, 180, 60), r"agents must be >= 1 \(got 0\)"),
    (lambda: erlang_a(3, -0.1, 180, 60), r"rate must be >= 0 \(got -0.1\)"),
    (lambda: erlang_a(3, 0.1, 180, 0), r"patience must be > 0 \(got 0\)"),
    (lambda: erlang_a(3, 0.1, 180, -math.inf), r"patience must be finite or \+inf"),
    (lambda: erlang_a(3, 0.1, 180, 60, capacity=-1), r"capacity must be >= 0 \(got -1\)"),
    (lambda: erlang_a(3, 0.1, 180, 60, capacity=1.5), r"capacity must be a whole number"),
    (lambda: erlang_a(3, 0.1, 180, 60, target=-2), r"target must be >= 0 \(got -2\)"),
    (lambda: erlang_a(3, True, 180, 60), r"rate must be a number"),
])
def test_error_messages(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_errors_are_value_errors_and_blendsim_errors():
    with pytest.raises(ValueError):
        erlang_c(-1, 1)
    with pytest.raises(blendsim.BlendsimError):
        erlang_c(-1, 1)
