"""Staffing errors, one test per ``InputError`` branch, and the staffing problems found in
review (now fixed), each with the test that showed it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from builders import HALF_HOUR, unordered_forecast

from blendsim import (
    InfeasibleError,
    InputError,
    required_agents,
    scheduled_agents,
    staffing_table,
)

# Errors: every InputError branch, one test each

ONE_INTERVAL = dict(rate=120 / HALF_HOUR, aht=240)
SL = dict(target_sl=0.8, target_time=20)


@pytest.mark.parametrize(("kw", "match"), [
    # _targets
    ({**SL, "model": "erlang_b"}, r"model must be one of erlang_c, erlang_a \(got 'erlang_b'\)"),
    ({"target_sl": 0, "target_time": 20}, r"target_sl must be > 0 \(got 0\)"),
    ({"target_sl": 1, "target_time": 20}, r"target_sl must be < 1 \(got 1\)"),
    ({"target_sl": 80, "target_time": 20}, r"target_sl must be < 1 \(got 80\)"),
    ({"target_sl": "80%", "target_time": 20}, r"target_sl must be a single number \(got '80%'\)"),
    ({"target_sl": math.nan, "target_time": 20}, r"target_sl must be a number, not NaN"),
    ({"target_sl": 0.8, "target_time": -1}, r"target_time must be >= 0 \(got -1\)"),
    ({"target_sl": 0.8}, r"target_sl and target_time go together .*got target_sl=0\.8, "
                         r"target_time=None"),
    ({"target_time": 20}, r"target_sl and target_time go together .*got target_sl=None, "
                          r"target_time=20"),
    ({"target_asa": 0}, r"target_asa must be > 0 \(got 0\)"),
    ({"model": "erlang_a", "patience": 60, "max_abandon": 0},
     r"max_abandon must be > 0 \(got 0\)"),
    ({"model": "erlang_a", "patience": 60, "max_abandon": 1},
     r"max_abandon must be < 1 \(got 1\)"),
    ({"max_occupancy": 0}, r"max_occupancy must be > 0 \(got 0\)"),
    ({"max_occupancy": 1.5}, r"max_occupancy must be <= 1 \(got 1\.5\)"),
    ({**SL, "model": "erlang_a"}, r"model='erlang_a' needs patience"),
    ({**SL, "model": "erlang_a", "patience": 0}, r"patience must be > 0 \(got 0\)"),
    ({**SL, "model": "erlang_a", "patience": -math.inf},
     r"patience must be finite or \+inf \(got -inf\)"),
    ({**SL, "patience": 120}, r"patience is only used with model='erlang_a' "
                              r"\(got patience=120 with model='erlang_c'\)"),
    ({"max_abandon": 0.05}, r"max_abandon needs model='erlang_a': Erlang C has no abandonment"),
    ({}, r"give at least one target: target_sl with target_time, target_asa, max_abandon or "
         r"max_occupancy"),
    # _shrinkage
    ({**SL, "shrinkage": 1}, r"shrinkage must be < 1 \(got 1\)"),
    ({**SL, "shrinkage": -0.1}, r"shrinkage must be >= 0 \(got -0\.1\)"),
    # required_agents itself
    ({**SL, "min_agents": 1.5}, r"min_agents must be a whole number \(got 1\.5\)"),
    ({**SL, "min_agents": -1}, r"min_agents must be >= 0 \(got -1\)"),
])
def test_required_agents_refuses(kw, match):
    with pytest.raises(InputError, match=match):
        required_agents(**ONE_INTERVAL, **kw)


@pytest.mark.parametrize(("rate", "aht", "match"), [
    (-1, 240, r"rate must be >= 0 \(got -1\)"),
    (math.nan, 240, r"rate must be a number, not NaN \(got nan\)"),
    (math.inf, 240, r"rate must be finite \(got inf\)"),
    ("1", 240, r"rate must be a single number \(got '1'\)"),
    (0.1, 0, r"aht must be > 0 \(got 0\)"),
    (0.1, -240, r"aht must be > 0 \(got -240\)"),
])
def test_required_agents_refuses_rate_and_aht(rate, aht, match):
    with pytest.raises(InputError, match=match):
        required_agents(rate, aht, **SL)


def test_input_error_is_a_value_error():
    with pytest.raises(ValueError):
        required_agents(-1, 240, **SL)


@pytest.mark.parametrize(("agents", "shrinkage", "match"), [
    (7, 1.0, r"shrinkage must be < 1 \(got 1\)"),
    (7, -0.5, r"shrinkage must be >= 0 \(got -0\.5\)"),
    (-3, 0.3, r"agents must be >= 0 \(got -3\)"),
    (np.array([3, -1]), 0.3, r"agents must be >= 0 \(got -1 at index 1\)"),
])
def test_scheduled_agents_refuses(agents, shrinkage, match):
    with pytest.raises(InputError, match=match):
        scheduled_agents(agents, shrinkage)


@pytest.mark.parametrize("column", ["interval_start", "calls", "aht"])
def test_staffing_table_names_the_missing_column(column):
    forecast = unordered_forecast().drop(columns=column)
    others = ", ".join(c for c in ("interval_start", "calls", "aht") if c != column)
    with pytest.raises(InputError, match=rf"forecast is missing the column '{column}' "
                                         rf"\(it has: {others}\); need interval_start"):
        staffing_table(forecast, interval=HALF_HOUR, **SL)


def test_staffing_table_of_no_columns_says_so():
    with pytest.raises(InputError, match=r"missing the column 'interval_start' "
                                         r"\(it has: no columns\)"):
        staffing_table(pd.DataFrame(), interval=HALF_HOUR, **SL)


@pytest.mark.parametrize(("change", "kw", "match"), [
    ({}, {"interval": 0}, r"interval must be > 0 \(got 0\)"),
    ({"calls": [200, -5, 0, 1]}, {}, r"'calls' must be >= 0 \(got -5 at row 1\)"),
    ({"calls": [200, 120, 0, math.nan]}, {}, r"'calls' is empty at row 3"),
    ({"aht": [250, 0, np.nan, 300]}, {}, r"'aht' must be > 0 where there are calls \(got 0 "
                                         r"at row 1, which has 120 calls\)"),
    ({"aht": [np.nan, 240, np.nan, 300]}, {}, r"'aht' must be > 0 where there are calls "
                                              r"\(got nan at row 0, which has 200 calls\)"),
    ({}, {"shrinkage": 1}, r"shrinkage must be < 1 \(got 1\)"),
    ({}, {"min_agents": 0.5}, r"min_agents must be a whole number \(got 0\.5\)"),
    ({}, {"target_sl": None, "target_time": None}, r"give at least one target"),
    ({}, {"model": "erlang_a"}, r"model='erlang_a' needs patience"),
])
def test_staffing_table_refuses(change, kw, match):
    forecast = unordered_forecast().assign(**change)
    with pytest.raises(InputError, match=match):
        staffing_table(forecast, **{"interval": HALF_HOUR, **SL, **kw})


# --------------------------------------------------------------------------------------------
# Problems found in review, now fixed: each keeps the test that showed it


def test_erlang_c_requirement_beyond_ten_million_agents_is_infeasible_like_erlang_a():
    with pytest.raises(InfeasibleError, match="10,000,000"):
        required_agents(rate=1, aht=1, model="erlang_a", patience=60, max_occupancy=1e-9)
    with pytest.raises(InfeasibleError, match="10,000,000"):
        required_agents(rate=1, aht=1, max_occupancy=1e-9)


def test_staffing_table_reports_the_non_numeric_value_it_was_given():
    forecast = unordered_forecast().assign(calls=[200, "lots", 0, 1])
    with pytest.raises(InputError, match=r"'calls' must hold numbers \(got 'lots' at row 1\)"):
        staffing_table(forecast, interval=HALF_HOUR, **SL)


@pytest.mark.parametrize("offset", [-40, -3, -1, 1, 3, 40])
def test_exact_walk_corrects_a_poor_starting_guess(monkeypatch, offset):
    # The square-root-staffing guess only saves work: from any starting point the exact steps
    # along Erlang B's recurrence (up or down) must land on the same fewest agents.
    import blendsim.analytic.staffing as staffing

    kw = dict(target_sl=0.8, target_time=20)
    want = required_agents(rate=950 / 240, aht=240, **kw)
    real_guess = staffing._qed_guess
    monkeypatch.setattr(staffing, "_qed_guess",
                        lambda a, h, tg: max(1, real_guess(a, h, tg) + offset))
    got = required_agents(rate=950 / 240, aht=240, **kw)
    assert got.agents == want.agents
    assert got.service_level == pytest.approx(want.service_level, rel=1e-10)
