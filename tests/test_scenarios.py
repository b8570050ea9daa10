"""The example files in scenarios/: they load, they run, and they match their source."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from blendsim import required_agents, staffing_table

ROOT = Path(__file__).resolve().parents[1]
FORECAST = ROOT / "scenarios" / "anonymous_bank_weekday.csv"
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


@pytest.mark.skipif(not SHARED_LOG.exists(), reason="the shared call log is not available here")
def test_forecast_is_reproduced_from_the_call_log(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "derive_anonymous_bank", ROOT / "scenarios" / "derive_anonymous_bank.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    table, facts = derive.derive(derive.load_log(SHARED_LOG))
    committed = pd.read_csv(FORECAST)
    pd.testing.assert_frame_equal(table.reset_index(drop=True), committed, check_dtype=False)
    assert facts["working days"] == 19
