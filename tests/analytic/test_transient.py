"""The exact time-varying queue agrees with Erlang C/A, M(t)/M/inf and an ODE solver.

``transient_queue`` solves the forward equations with matrix exponentials and averages with
Simpson's rule; here each of its figures is checked against something computed another way:
the stationary formulas after a long constant day, the closed form of the infinite-server
queue, and the same chain integrated by ``scipy.integrate.solve_ivp`` (BDF) with the time
averages carried as extra ODE states (no Simpson).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from blendsim.analytic import erlang_a, erlang_c, service_level
from blendsim.analytic.transient import MAX_STATES, transient_queue
from blendsim.errors import InputError

AHT = 240.0


def test_constant_day_settles_to_erlang_c():
    # 16 Erlangs on 24 servers relaxes in minutes: after 4 hours the chain is stationary.
    day = transient_queue([240.0] * 4, [24] * 4, interval=3600, aht=AHT, target_time=20)
    last = day.iloc[-1]
    assert last["p_wait"] == pytest.approx(float(erlang_c(24, 16.0)), abs=1e-6)
    assert last["service_level"] == pytest.approx(
        float(service_level(24, 16.0, AHT, 20)), abs=1e-6)
    assert last["mean_busy"] == pytest.approx(16.0, abs=1e-6)
    # The first hour, starting empty, waits less than the steady state.
    assert day["p_wait"].iloc[0] < last["p_wait"] - 0.005


def test_constant_day_with_patience_settles_to_erlang_a():
    rate = 320.0 / 3600  # 21.3 Erlangs on 20 servers: overloaded, held by abandonment
    day = transient_queue([320.0] * 5, [20] * 5, interval=3600, aht=AHT, patience=300,
                          target_time=20)
    exact = erlang_a(20, rate, AHT, 300, target=20)
    last = day.iloc[-1]
    assert last["p_wait"] == pytest.approx(exact.p_wait, abs=1e-6)
    assert last["service_level"] == pytest.approx(exact.service_level, abs=1e-6)
    assert last["mean_queue"] == pytest.approx(exact.mean_queue, abs=1e-5)


def test_infinite_servers_follow_the_closed_form():
    calls = np.array([20.0, 90.0, 45.0, 0.0, 60.0])
    interval = 900.0
    day = transient_queue(calls, [90] * len(calls), interval=interval, aht=AHT,
                          points_per_interval=120)
    mu = 1.0 / AHT
    m0, expected = 0.0, []
    for c in calls:
        a = c / interval / mu  # m(t) = a + (m0 - a) exp(-mu t) within the interval
        expected.append(a + (m0 - a) * (-math.expm1(-mu * interval)) / (mu * interval))
        m0 = a + (m0 - a) * math.exp(-mu * interval)
    np.testing.assert_allclose(day["mean_in_system"], expected, rtol=1e-6, atol=1e-9)
    assert day["p_wait"].max() < 1e-12  # 90 servers never fill


def _ode_reference(calls, servers, interval, aht, patience, states):
    """Interval averages of P(N >= s), N and the end distribution, by solve_ivp."""
    mu, theta = 1.0 / aht, 1.0 / patience
    n = np.arange(states, dtype=float)
    p = np.zeros(states)
    p[0] = 1.0
    out = []
    for c, s in zip(calls, servers, strict=True):
        lam = c / interval
        q = np.zeros((states, states))
        for i in range(states):
            up = lam if i + 1 < states else 0.0
            down = min(i, s) * mu + max(i - s, 0) * theta
            if up:
                q[i, i + 1] = up
            if i:
                q[i, i - 1] = down
            q[i, i] = -(up + down)
        busy = (n >= s).astype(float)

        def rhs(_t, y, q=q, busy=busy):
            x = y[:states]
            return np.concatenate([x @ q, [busy @ x, n @ x]])

        sol = solve_ivp(rhs, (0.0, interval), np.concatenate([p, [0.0, 0.0]]), method="BDF",
                        rtol=1e-11, atol=1e-13, jac=lambda _t, _y, q=q, busy=busy: np.block(
                            [[q.T, np.zeros((states, 2))],
                             [busy[None, :], np.zeros((1, 2))],
                             [n[None, :], np.zeros((1, 2))]]))
        y = sol.y[:, -1]
        p = y[:states]
        out.append((y[states] / interval, y[states + 1] / interval, p @ n, p[0]))
    return np.array(out)


def test_agrees_with_an_ode_solver():
    calls, servers = [30.0, 70.0, 50.0, 10.0], [4, 6, 5, 3]
    top = 60
    day = transient_queue(calls, servers, interval=900, aht=AHT, patience=200,
                          max_in_system=top, points_per_interval=120)
    ref = _ode_reference(calls, servers, 900.0, AHT, 200.0, top + 1)
    np.testing.assert_allclose(day["p_wait"], ref[:, 0], atol=1e-6)
    np.testing.assert_allclose(day["mean_in_system"], ref[:, 1], atol=1e-6)
    np.testing.assert_allclose(day["in_system_at_end"], ref[:, 2], atol=1e-6)
    np.testing.assert_allclose(day["p_empty_at_end"], ref[:, 3], atol=1e-6)
    assert day.attrs["max_in_system"] == top


def test_default_cut_grows_until_the_top_state_is_negligible():
    # Overloaded for an hour: the queue builds far beyond the first guess.
    day = transient_queue([200.0, 0.0], [5, 5], interval=3600, aht=AHT)
    assert day.attrs["max_in_system"] > 150
    assert day["mean_queue"].iloc[0] > 50


@pytest.mark.parametrize("kwargs, message", [
    ({"calls": [10, 20], "servers": [3]}, "same length"),
    ({"calls": [-1], "servers": [3]}, "calls must be >= 0 (got -1"),
    ({"calls": [10], "servers": [2.5]}, "servers must be a whole number"),
    ({"calls": [10], "servers": [3], "interval": 0}, "interval must be > 0"),
    ({"calls": [10], "servers": [3], "aht": -5}, "aht must be > 0"),
    ({"calls": [10], "servers": [3], "patience": 0}, "patience must be > 0"),
    ({"calls": [10], "servers": [3], "target_time": -1}, "target_time must be >= 0"),
    ({"calls": [10], "servers": [3], "points_per_interval": 7}, "must be even"),
    ({"calls": [10], "servers": [3], "max_in_system": MAX_STATES}, "max_in_system must be"),
    ({"calls": [], "servers": []}, "1 to"),
])
def test_bad_input_names_the_field(kwargs, message):
    args = {"interval": 900, "aht": AHT, **kwargs}
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        transient_queue(args.pop("calls"), args.pop("servers"), **args)


def test_too_small_a_cut_is_an_error():
    with pytest.raises(InputError, match="max_in_system=10 is too small"):
        transient_queue([200.0], [5], interval=3600, aht=AHT, max_in_system=10)


def test_too_many_states_is_an_error():
    with pytest.raises(InputError, match="more than the 50,000 allowed"):
        transient_queue([3_000_000.0], [10], interval=3600, aht=AHT)
