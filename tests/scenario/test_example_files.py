"""The example files in scenarios/: they load, they run, and they match their source."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest
from builders import ROOT

from blendsim import load_scenario, required_agents, simulate, staffing_table

FORECAST = ROOT / "scenarios" / "anonymous_bank_weekday.csv"
SCENARIO_FILES = sorted(p for p in (ROOT / "scenarios").glob("*.toml")
                        if not p.name.endswith(("_shifts.toml", "_assumptions.toml")))
# (shift templates and business assumptions are not scenarios)
SHARED_LOG = ROOT.parent / "shared" / "data" / "anonymous_bank_1999_january.txt"


def test_bank_forecast_is_a_working_day():
    df = pd.read_csv(FORECAST)
    assert list(df.columns) == ["interval_start", "calls", "aht"]
    assert df["interval_start"].iloc[0] == "07:00" and df["interval_start"].iloc[-1] == "23:30"
    assert len(df) == 34
    # About 1,400 calls a working day with a mean service time near three minutes
    # (the log's README: served calls' ser_time mean 183.5 s over all days).
    assert 1300 < df["calls"].sum() < 1550
    mean_aht = (df["calls"] * df["aht"]).sum() / df["calls"].sum()
    assert 170 < mean_aht < 200


def test_bank_forecast_staffs_end_to_end():
    df = pd.read_csv(FORECAST)
    table = staffing_table(df, interval=1800, target_sl=0.8, target_time=20, shrinkage=0.3)
    assert (table["service_level"] >= 0.8).all()
    peak = table["calls"].idxmax()
    row = table.loc[peak]
    r = required_agents(row["calls"] / 1800, row["aht"], target_sl=0.8, target_time=20)
    assert row["agents"] == r.agents
    assert table["agents"].max() >= table["agents"].iloc[0]


def test_every_scenario_file_loads_and_simulates_a_sensible_day():
    assert {p.name for p in SCENARIO_FILES} >= {
        "anonymous_bank_day.toml", "two_skill_centre.toml", "bank_blended.toml",
        "pilot_baseline.toml", "pilot_blended.toml"}
    for path in SCENARIO_FILES:
        sc = load_scenario(path)
        result = simulate(sc, replications=3, seed=1)
        s = result.summary()
        expected = sum(t.expected_calls(sc.day.interval, sc.day).sum() for t in sc.inbound)
        assert abs(s.loc["offered", "mean"] - expected) < 0.1 * expected, path.name
        assert 0.3 < s.loc["service_level", "mean"] < 1.0, path.name
        assert 0.2 < s.loc["occupancy", "mean"] < 1.0, path.name
        assert (result.contacts["outcome"] != "pending").all()


def test_the_bank_day_loses_callers_like_the_log():
    # Calibrated so that the simulated day abandons as many calls as the 1999 log (10.9%).
    s = simulate(load_scenario(ROOT / "scenarios" / "anonymous_bank_day.toml"),
                 replications=10, seed=3).summary()
    assert s.loc["abandon_rate", "ci_low"] < 0.109 + 0.01
    assert s.loc["abandon_rate", "ci_high"] > 0.109 - 0.01


def _derive_module():
    spec = importlib.util.spec_from_file_location(
        "derive_anonymous_bank", ROOT / "scenarios" / "derive_anonymous_bank.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    return derive


@pytest.mark.skipif(not SHARED_LOG.exists(), reason="the shared call log is not available here")
def test_forecast_and_scenarios_are_reproduced_from_the_call_log():
    derive = _derive_module()
    log = derive.load_log(SHARED_LOG)
    table, facts = derive.derive(log)
    committed = pd.read_csv(FORECAST)
    pd.testing.assert_frame_equal(table.reset_index(drop=True), committed, check_dtype=False)
    assert facts["working days"] == 19
    baseline, pilot = derive.pilot_pair(log)
    for name, built in (("anonymous_bank_day.toml", derive.bank_day(log)),
                        ("two_skill_centre.toml", derive.two_skill_centre(log)),
                        ("bank_blended.toml", derive.bank_blended(log)),
                        ("pilot_baseline.toml", baseline), ("pilot_blended.toml", pilot)):
        assert built == load_scenario(ROOT / "scenarios" / name), name
