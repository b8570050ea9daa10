"""offered_load (the modified offered load of each interval) and time_varying_staffing
(SIPP, lagged SIPP, MOL).

Times are in seconds; 30-minute intervals unless a test says otherwise."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from blendsim.analytic.staffing import TABLE_COLUMNS, staffing_table
from blendsim.analytic.timevarying import (
    LOAD_FLOOR,
    MAX_INTERVALS,
    offered_load,
    time_varying_staffing,
)
from blendsim.errors import InputError

T = 1800.0
EIGHTY_TWENTY = {"target_sl": 0.8, "target_time": 20}
# A morning that climbs, dips and stops: the rate and the aht change every interval.
CALLS = np.array([12.0, 80, 250, 400, 310, 0, 0, 150, 90, 0])
AHT = np.array([300.0, 240, 200, 260, 600, 1, 1, 180, 420, 1])


def day(calls=CALLS, aht=AHT):
    starts = [f"{8 + i // 2:02d}:{30 * (i % 2):02d}" for i in range(len(calls))]
    return pd.DataFrame({"interval_start": starts, "calls": calls,
                         "aht": np.where(np.asarray(calls) > 0, aht, np.nan)})


def exponential_mol(calls, aht, length):
    """The closed form: G(x) = integral of H = h x - h^2 (1 - exp(-x/h)) for x > 0."""
    def g(x, h):
        x = max(x, 0.0)
        return h * x + h * h * math.expm1(-x / h)

    out = []
    for k in range(len(calls)):
        a_k, b_k = k * length, (k + 1) * length
        total = 0.0
        for j in range(k + 1):
            if calls[j] == 0:
                continue
            a_j, b_j, h = j * length, (j + 1) * length, aht[j]
            total += calls[j] / length * (g(b_k - a_j, h) - g(a_k - a_j, h)
                                          - g(b_k - b_j, h) + g(a_k - b_j, h))
        out.append(total / length)
    return np.array(out)


# offered_load


@pytest.mark.parametrize(("cv", "filled"), [(None, 2), (1.25, 15)])
def test_a_constant_rate_gives_rate_times_aht_once_the_queue_has_filled(cv, filled):
    # lognormal handle times have a long tail: the queue takes hours to fill to 1e-6
    m = offered_load([60] * 48, 240, interval=T, handle_cv=cv)
    np.testing.assert_allclose(m[filled:], 60 / T * 240, rtol=1e-6)
    assert abs(m[filled - 1] / 8 - 1) > 1e-6
    assert m[0] < 60 / T * 240 * 0.95  # the day starts empty


@pytest.mark.parametrize("length", [1800.0, 300.0, 60.0])
def test_the_quadrature_matches_the_exponential_closed_form(length):
    m = offered_load(CALLS, AHT, interval=length)
    np.testing.assert_allclose(m, exponential_mol(CALLS, AHT, length), rtol=1e-8)


def test_lognormal_matches_integrating_its_survival_function_directly():
    calls, aht, cv = [40.0, 200.0, 0.0], [300.0, 200.0, 1.0], 1.25
    sigma = math.sqrt(math.log1p(cv * cv))

    def survival(u, h):  # P(S > u), S lognormal of mean h (checked against scipy.stats)
        return 0.5 * math.erfc((math.log(u) - math.log(h) + 0.5 * sigma * sigma)
                               / (sigma * math.sqrt(2))) if u > 0 else 1.0

    dist = stats.lognorm(s=sigma, scale=300 * math.exp(-0.5 * sigma * sigma))
    assert survival(123.0, 300) == pytest.approx(dist.sf(123.0), rel=1e-12)

    def busy(t):
        total = 0.0
        for j in range(2):
            lo, hi = max(t - (j + 1) * T, 0.0), max(t - j * T, 0.0)
            if hi > lo:
                total += calls[j] / T * integrate.quad(survival, lo, hi, args=(aht[j],),
                                                       epsabs=0, epsrel=1e-10)[0]
        return total

    expected = [integrate.quad(busy, k * T, (k + 1) * T, epsabs=0, epsrel=1e-8)[0] / T
                for k in range(3)]
    np.testing.assert_allclose(offered_load(calls, aht, interval=T, handle_cv=cv), expected,
                               rtol=1e-7)


def test_the_load_peaks_about_one_handle_time_after_the_arrivals():
    # 5-minute intervals, a daily sinusoid peaking at the middle of interval 144, aht 900 s:
    # m(t) lags the rate by atan(w h) / w = 899 s, three intervals.
    length, h, w = 300.0, 900.0, 2 * math.pi / 86400
    start = np.arange(288) * length
    peak = 144.5 * length

    def cumulative(t):
        return 100 * (t + 0.8 * math.sin(w * (t - peak)) / w)  # rate 100 (1 + 0.8 cos)

    calls = np.array([cumulative(a + length) - cumulative(a) for a in start])
    assert int(np.argmax(calls)) == 144
    m = offered_load(calls, h, interval=length)
    assert int(np.argmax(m)) - 144 == 3
    np.testing.assert_allclose(m, exponential_mol(calls, np.full(288, h), length), rtol=1e-8)


def test_no_calls_give_no_load_and_the_load_decays_after_the_last_call():
    assert offered_load([0, 0, 0], 240, interval=T).tolist() == [0.0, 0.0, 0.0]
    m = offered_load([100, 0, 0, 0], 240, interval=T)
    assert m[0] > m[1] > m[2] > m[3] >= 0


# time_varying_staffing


def test_sipp_is_exactly_staffing_table():
    got = time_varying_staffing(day(), interval=T, **EIGHTY_TWENTY)
    pd.testing.assert_frame_equal(got, staffing_table(day(), interval=T, **EIGHTY_TWENTY))
    assert got.attrs["method"] == "sipp"


@pytest.mark.parametrize("targets", [EIGHTY_TWENTY, {"target_asa": 30, "model": "erlang_a",
                                                     "patience": 368, "shrinkage": 0.3}])
def test_lag_zero_is_exactly_sipp(targets):
    got = time_varying_staffing(day(), interval=T, method="lag", lag=0, **targets)
    want = staffing_table(day(), interval=T, **targets)
    assert got.attrs == {"method": "lag", "lag": 0.0}
    got.attrs = {}
    pd.testing.assert_frame_equal(got, want)


def test_a_lag_of_one_interval_staffs_each_interval_for_the_calls_before_it():
    got = time_varying_staffing(day(), interval=T, method="lag", lag=T, **EIGHTY_TWENTY)
    assert list(got.columns) == list(TABLE_COLUMNS)
    assert got["calls"].tolist() == CALLS.tolist()
    # interval 5 has no calls but 310 arrived just before: staffed with interval 4's aht
    carried = [np.nan, 240, 200, 260, 600, 600, 600, 180, 420, 420]
    staffed_calls = [0.0, *CALLS[:-1]]
    expected = [c / T * h if c > 0 else 0.0 for c, h in zip(staffed_calls, carried, strict=True)]
    np.testing.assert_allclose(got["load"], expected, rtol=1e-12)
    assert got["agents"].iloc[5] > 0 and got["agents"].iloc[6] == 0


def test_the_default_lag_is_the_calls_weighted_mean_aht():
    got = time_varying_staffing(day(), interval=T, method="lag", **EIGHTY_TWENTY)
    busy = CALLS > 0
    assert got.attrs["lag"] == pytest.approx((CALLS[busy] * AHT[busy]).sum() / CALLS.sum())
    half = time_varying_staffing(day(), interval=T, method="lag", lag=got.attrs["lag"],
                                 **EIGHTY_TWENTY)
    pd.testing.assert_frame_equal(got, half)


def test_mol_staffs_for_the_modified_offered_load():
    got = time_varying_staffing(day(), interval=T, method="mol", **EIGHTY_TWENTY)
    assert got.attrs == {"method": "mol"}
    assert got["calls"].tolist() == CALLS.tolist()
    m = offered_load(CALLS, np.where(CALLS > 0, AHT, 1.0), interval=T)
    np.testing.assert_allclose(got["load"], m, rtol=1e-12)
    for i in range(len(CALLS)):  # each row is Erlang C at its load, as staffing_table gives it
        one = staffing_table({"interval_start": ["x"], "calls": [m[i] / got["aht"][i] * T],
                              "aht": [got["aht"][i]]}, interval=T, **EIGHTY_TWENTY)
        assert got["agents"][i] == one["agents"][0]
    # calls still in service after the busy interval 4 (aht 600): staffed with its aht
    assert got["aht"][5] == 600 and got["agents"][5] > 0
    # the rise is staffed below SIPP
    sipp = staffing_table(day(), interval=T, **EIGHTY_TWENTY)
    assert got["agents"][1] < sipp["agents"][1] and got["agents"][2] < sipp["agents"][2]


def test_mol_forgets_a_load_below_the_floor():
    calls = [100.0] + [0.0] * 10
    got = time_varying_staffing(day(calls, [240.0] * 11), interval=T, method="mol",
                                **EIGHTY_TWENTY)
    m = offered_load(calls, 240, interval=T)
    assert (m[-1] < LOAD_FLOOR) and got["agents"].iloc[-1] == 0
    assert got["agents"].iloc[1] >= 1


def test_mol_with_lognormal_handle_times_uses_them():
    expo = time_varying_staffing(day(), interval=T, method="mol", **EIGHTY_TWENTY)
    logn = time_varying_staffing(day(), interval=T, method="mol", handle_cv=1.25,
                                 **EIGHTY_TWENTY)
    m = offered_load(CALLS, np.where(CALLS > 0, AHT, 1.0), interval=T, handle_cv=1.25)
    np.testing.assert_allclose(logn["load"], m, rtol=1e-12)
    assert not np.allclose(logn["load"], expo["load"])


# errors


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"method": "pointwise"}, "method must be one of sipp, lag, mol (got 'pointwise')"),
    ({"method": None}, "method must be one of sipp, lag, mol (got None)"),
    ({"method": "lag", "lag": -1}, "lag must be >= 0 (got -1)"),
    ({"method": "lag", "lag": 1e9}, "lag must be <= 604800 (got 1000000000)"),
    ({"method": "lag", "lag": "10m"}, "lag must be a single number (got '10m')"),
    ({"method": "mol", "lag": 60}, "lag is only used with method='lag'"),
    ({"method": "lag", "handle_cv": 1.0}, "handle_cv is only used with method='mol'"),
    ({"method": "mol", "handle_cv": 0}, "handle_cv must be >= 0.001 (got 0)"),
    ({"method": "mol", "handle_cv": 50}, "handle_cv must be <= 5 (got 50)"),
    ({"method": "mol", "model": "erlang_x"}, "model must be one of"),
])
def test_bad_arguments_are_named(kwargs, message):
    targets = {**EIGHTY_TWENTY, **kwargs}
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        time_varying_staffing(day(), interval=T, **targets)


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (([[1, 2]], 240), {}, "calls must be a list"),
    (([], 240), {}, "calls must have 1 to 2,016 intervals (got 0)"),
    (([1] * (MAX_INTERVALS + 1), 240), {}, "calls must have 1 to 2,016 intervals"),
    (([1, -1], 240), {}, "calls must be >= 0 (got -1 at index 1)"),
    (([1, 5], [240, 0]), {}, "aht must be > 0 and <= 604800 where there are calls (got 0 at "
                             "index 1"),
    (([1, 5], [240, 1, 3]), {}, "aht must be one number or one per interval"),
    (([1, 5], 240), {"interval": 0}, "interval must be > 0 (got 0)"),
    (([1, 5], 240), {"points": 1}, "points must be >= 2 (got 1)"),
    (([1, 5], 240), {"handle_cv": -1}, "handle_cv must be >= 0.001 (got -1)"),
])
def test_offered_load_names_bad_input(args, kwargs, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        offered_load(*args, **{"interval": T, **kwargs})


def test_an_interval_without_calls_may_have_no_aht():
    m = offered_load([10, 0, 10], [240, math.nan, 240], interval=T)
    np.testing.assert_allclose(m, offered_load([10, 0, 10], 240, interval=T))
