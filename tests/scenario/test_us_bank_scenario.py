"""The US bank weekday in scenarios/: the shipped files agree with each other and with the
script that derives them from the 5-minute counts (when the shared data is present)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
from builders import ROOT, SCENARIOS

from blendsim import load_scenario
from blendsim.analytic import read_forecast, service_level
from blendsim.analytic.timevarying import time_varying_staffing

FORECAST = SCENARIOS / "us_bank_weekday.csv"
SCENARIO = SCENARIOS / "us_bank_weekday.toml"
SHARED_COUNTS = ROOT.parent / "shared" / "data" / "us_bank_2003_5min_calls_handled.csv"


def _derive_module():
    spec = importlib.util.spec_from_file_location("derive_us_bank",
                                                  SCENARIOS / "derive_us_bank.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    return derive


def test_the_forecast_is_a_weekday_of_half_hours_with_the_assumed_aht():
    forecast = read_forecast(FORECAST)
    df = forecast.table
    assert forecast.interval == 1800
    assert len(df) == 28
    assert df["interval_start"].iloc[0] == "07:00" and df["interval_start"].iloc[-1] == "20:30"
    assert (df["aht"] == 240).all()
    # The data's README: 5,323,661 calls over 164 weekdays, 169 bins a day; the 21:00-21:05
    # bin is left out, so a little under 32,461 calls a day.
    assert 32_000 < df["calls"].sum() < 5_323_661 / 164
    assert df["calls"].idxmax() in range(4, 10)  # the morning peak, 09:00-11:30


def test_the_scenario_carries_the_forecast_and_its_sipp_staffing():
    sc = load_scenario(SCENARIO)
    forecast = pd.read_csv(FORECAST)
    assert (sc.day.open_at, sc.day.close_at, sc.day.interval) == (7 * 3600, 21 * 3600, 1800)
    assert sc.day.n_intervals == 28
    assert (sc.service_target.level, sc.service_target.seconds) == (0.8, 20.0)
    [calls] = sc.inbound
    assert calls.name == "calls" and calls.patience is None
    assert type(calls.handle_time).__name__ == "Exponential"
    assert calls.handle_time.mean == 240.0
    np.testing.assert_array_equal(calls.volume, forecast["calls"].to_numpy())
    [agents] = sc.groups
    need = time_varying_staffing(forecast, interval=1800, method="sipp", target_sl=0.8,
                                 target_time=20)
    assert list(agents.headcount) == need["agents"].tolist()
    # Each half hour on its own (Erlang C at its mean load) meets 80/20, one agent fewer not.
    load = forecast["calls"].to_numpy() * 240 / 1800
    heads = np.asarray(agents.headcount)
    assert (service_level(heads, load, 240, 20) >= 0.8).all()
    assert (service_level(heads - 1, load, 240, 20) < 0.8).all()


@pytest.mark.skipif(not SHARED_COUNTS.exists(),
                    reason="the shared US bank counts are not available here")
def test_the_shipped_files_are_what_the_script_derives(tmp_path):
    derive = _derive_module()
    forecast, scenario, facts = derive.write(SHARED_COUNTS, tmp_path)
    assert facts["weekdays"] == 164
    assert forecast.read_bytes() == FORECAST.read_bytes()
    assert scenario.read_text(encoding="utf-8") == SCENARIO.read_text(encoding="utf-8")


def test_the_script_refuses_a_missing_data_file(tmp_path, capsys):
    derive = _derive_module()
    missing = tmp_path / "nowhere.csv"
    assert derive.main(["--data", str(missing), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"data file not found: {missing}" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
