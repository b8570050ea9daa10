"""Shrinkage (``scheduled_agents``) and ``staffing_table``: a forecast becomes one requirement
per interval.

Times are in seconds; ``calls`` are per 30-minute interval, ``rate = calls / 1800``."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from builders import (
    HALF_HOUR,
    calls_per_half_hour,
    handle_times,
    service_levels,
    unordered_forecast,
)
from hypothesis import given
from hypothesis import strategies as st

from blendsim import (
    required_agents,
    scheduled_agents,
    staffing_table,
)

# Shrinkage: scheduled agents


def test_seven_agents_at_thirty_percent_shrinkage_schedule_ten_not_eleven():
    assert scheduled_agents(7, 0.3) == 10
    assert scheduled_agents(8, 0.3) == 12  # 11.43 rounds up
    assert required_agents(rate=0, aht=1, target_asa=1, min_agents=7,
                           shrinkage=0.3).scheduled == 10


@pytest.mark.parametrize(("agents", "shrinkage", "expected"), [
    (1, 0.8, 5), (2, 0.8, 10), (8, 0.68, 25), (9, 0.55, 20)])
def test_scheduled_agents_survive_floating_point_overshoot(agents, shrinkage, expected):
    # e.g. 2 / (1 - 0.8) is 10.000000000000002 in floating point: a bare ceil gives 11
    assert math.ceil(agents / (1 - shrinkage)) == expected + 1
    assert scheduled_agents(agents, shrinkage) == expected


@given(agents=st.integers(0, 20_000), percent=st.integers(0, 95))
def test_scheduled_is_ceil_of_agents_over_one_minus_shrinkage(agents, percent):
    # Exact rational arithmetic on the shrinkage the planner typed (percent / 100).
    exact = math.ceil(Fraction(agents) / (1 - Fraction(percent, 100)))
    assert scheduled_agents(agents, percent / 100) == exact


@given(agents=st.integers(0, 20_000), shrinkage=st.floats(0.0, 0.99))
def test_scheduled_agents_cover_the_phones_and_one_fewer_would_not(agents, shrinkage):
    m = scheduled_agents(agents, shrinkage)
    on_phones = Fraction(1) - Fraction(shrinkage)
    assert m * on_phones >= agents - Fraction(1, 10**6)
    assert (m - 1) * on_phones < agents


@given(calls=calls_per_half_hour, aht=handle_times, sl=service_levels,
       shrinkage=st.floats(0.0, 0.9))
def test_required_agents_schedules_for_shrinkage(calls, aht, sl, shrinkage):
    r = required_agents(calls / HALF_HOUR, aht, target_sl=sl, target_time=20,
                        shrinkage=shrinkage)
    assert r.scheduled == scheduled_agents(r.agents, shrinkage)
    assert r.scheduled == math.ceil(r.agents / (1 - shrinkage) - 1e-9)
    assert r.agents == required_agents(calls / HALF_HOUR, aht, target_sl=sl,
                                       target_time=20).agents


def test_scheduled_agents_of_an_array_is_elementwise():
    got = scheduled_agents(np.array([0, 7, 8, 100]), 0.3)
    assert isinstance(got, np.ndarray)
    assert got.tolist() == [scheduled_agents(n, 0.3) for n in (0, 7, 8, 100)] == [0, 10, 12, 143]


# --------------------------------------------------------------------------------------------
# staffing_table


@pytest.mark.parametrize("kw", [
    dict(target_sl=0.8, target_time=20),
    dict(target_sl=0.9, target_time=15, target_asa=10, max_occupancy=0.85, shrinkage=0.35,
         min_agents=1),
    dict(target_sl=0.8, target_time=20, model="erlang_a", patience=90, max_abandon=0.05),
])
def test_staffing_table_rows_equal_required_agents(kw):
    table = staffing_table(unordered_forecast(), interval=HALF_HOUR, **kw)
    assert list(table.columns) == ["interval_start", "calls", "aht", "load", "agents",
                                   "scheduled", "service_level", "asa", "p_wait", "p_abandon",
                                   "occupancy"]
    assert table["interval_start"].tolist() == ["09:00", "08:00", "08:30", "09:30"]
    assert table["calls"].tolist() == [200, 120, 0, 35.5]
    for row, calls, aht in zip(table.itertuples(), [200, 120, 0, 35.5], [250, 240, 1, 300],
                               strict=True):
        r = required_agents(calls / HALF_HOUR, aht, **kw)
        assert (row.agents, row.scheduled) == (r.agents, r.scheduled)
        assert row.load == pytest.approx(r.load)
        assert row.service_level == pytest.approx(r.service_level)
        assert row.asa == pytest.approx(r.asa)
        assert row.p_abandon == pytest.approx(r.p_abandon)
        assert row.occupancy == pytest.approx(r.occupancy)


def test_staffing_table_zero_call_row_gets_min_agents_and_keeps_aht_missing():
    table = staffing_table(unordered_forecast(), interval=HALF_HOUR, target_sl=0.8, target_time=20,
                           min_agents=1)
    quiet = table.iloc[2]
    assert quiet["interval_start"] == "08:30"
    assert quiet["agents"] == 1
    assert np.isnan(quiet["aht"])
    assert quiet["service_level"] == 1.0
    assert quiet["occupancy"] == 0.0


def test_staffing_table_without_time_target_has_nan_service_level():
    table = staffing_table(unordered_forecast(), interval=HALF_HOUR, target_asa=20)
    assert table["service_level"].isna().all()
    assert table["agents"].tolist() == [
        required_agents(c / HALF_HOUR, h, target_asa=20).agents
        for c, h in [(200, 250), (120, 240), (0, 1), (35.5, 300)]]


def test_staffing_table_accepts_a_mapping_and_keeps_timestamp_labels():
    starts = pd.date_range("2024-03-04 08:00", periods=3, freq="15min")
    table = staffing_table({"interval_start": starts, "calls": [60, 70, 80],
                            "aht": [200, 200, 200]}, interval=900, target_sl=0.8,
                           target_time=20)
    assert table["interval_start"].tolist() == list(starts)
    assert table["agents"].tolist() == [
        required_agents(c / 900, 200, target_sl=0.8, target_time=20).agents
        for c in (60, 70, 80)]


def test_staffing_table_interval_length_sets_the_rate():
    day = {"interval_start": ["08:00"], "calls": [120], "aht": [240]}
    half = staffing_table(day, interval=1800, target_sl=0.8, target_time=20)
    quarter = staffing_table(day, interval=900, target_sl=0.8, target_time=20)
    assert half["load"].item() == pytest.approx(16.0)
    assert quarter["load"].item() == pytest.approx(32.0)
    assert quarter["agents"].item() > half["agents"].item()


def test_staffing_table_of_numeric_strings_equals_numbers():
    text = {"interval_start": ["08:00", "08:30"], "calls": ["120", "0"], "aht": ["240", ""]}
    numbers = {"interval_start": ["08:00", "08:30"], "calls": [120, 0], "aht": [240, np.nan]}
    kw = dict(interval=HALF_HOUR, target_sl=0.8, target_time=20)
    assert (staffing_table(text, **kw)["agents"].tolist()
            == staffing_table(numbers, **kw)["agents"].tolist() == [20, 0])


# --------------------------------------------------------------------------------------------
