"""``blendsim staff``, run in-process: the table it prints, writes and gives as JSON is
``staffing_table`` for the same forecast (interval, shrinkage, floors, patience, AHT), and
with ``--method lag|mol`` it is ``time_varying_staffing``'s, the SIPP agents beside it."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from builders import DAY, SCENARIOS, error_line, ok, pct, table_rows, write

from blendsim import (
    staffing_table,
    time_varying_staffing,
)
from blendsim.outputs.tables import staffing_report

DAY_FRAME = pd.DataFrame({"interval_start": ["08:00", "08:30", "09:00", "09:30"],
                          "calls": [120, 0, 200, 35], "aht": [240, math.nan, 250, 300]})


# --------------------------------------------------------------------------------------------
# staff


def test_staff_prints_one_row_per_interval_and_writes_the_table(capsys, tmp_path):
    forecast = write(tmp_path / "day.csv", DAY)
    out_csv = tmp_path / "plan.csv"
    expected = staffing_table(DAY_FRAME, interval=1800, target_sl=0.8, target_time=20)

    out = ok(capsys, "staff", str(forecast), "--target", "80/20", "--out", str(out_csv))
    rows = table_rows(out, "start")
    assert [r[0] for r in rows] == ["08:00", "08:30", "09:00", "09:30"]
    assert [int(r[4]) for r in rows] == expected["agents"].tolist()
    assert "4 intervals of 30 min; 355 calls" in out
    assert f"peak {expected['agents'].max()} agents" in out
    assert f"written: {out_csv}" in out

    written = pd.read_csv(out_csv)
    assert list(written.columns) == list(expected.columns)
    assert written["agents"].tolist() == expected["agents"].tolist()
    assert written["interval_start"].tolist() == expected["interval_start"].tolist()
    for col in ("load", "service_level", "asa", "occupancy"):
        assert written[col].tolist() == pytest.approx(expected[col].tolist(), rel=1e-5)


def test_staff_day_service_level_is_weighted_by_calls(capsys, tmp_path):
    out = ok(capsys, "staff", str(write(tmp_path / "day.csv", DAY)), "--target", "80/20")
    t = staffing_table(DAY_FRAME, interval=1800, target_sl=0.8, target_time=20)
    day = (t["service_level"] * t["calls"]).sum() / t["calls"].sum()
    assert f"service level over the day (weighted by calls): {pct(day)}" in out


def test_staff_json_equals_staffing_table(capsys, tmp_path):
    doc = json.loads(ok(capsys, "staff", str(write(tmp_path / "day.csv", DAY)), "--target",
                        "80/20", "--patience", "90", "--json"))
    expected = staffing_table(DAY_FRAME, interval=1800, target_sl=0.8, target_time=20,
                              model="erlang_a", patience=90)
    assert doc["interval_seconds"] == 1800.0
    assert [row["agents"] for row in doc["rows"]] == expected["agents"].tolist()
    assert [row["p_abandon"] for row in doc["rows"]] == pytest.approx(
        expected["p_abandon"].tolist(), rel=1e-12)
    assert doc["rows"][1]["aht"] is None  # the quiet interval had no AHT


def test_staff_shrinkage_min_agents_and_patience_pass_through(capsys, tmp_path):
    forecast = write(tmp_path / "day.csv", DAY)
    out_csv = tmp_path / "plan.csv"
    out = ok(capsys, "staff", str(forecast), "--target", "80/20", "--shrinkage", "0.3",
             "--min-agents", "1", "--patience", "90", "--out", str(out_csv))
    expected = staffing_table(DAY_FRAME, interval=1800, target_sl=0.8, target_time=20,
                              shrinkage=0.3, min_agents=1, model="erlang_a", patience=90)
    assert table_rows(out, "start")[0][-1] == pct(expected["p_abandon"][0], 2)  # "aband"
    written = pd.read_csv(out_csv)
    assert written["agents"].tolist() == expected["agents"].tolist()
    assert written["scheduled"].tolist() == expected["scheduled"].tolist()
    assert written["agents"][1] == 1


@pytest.mark.parametrize(("starts", "seconds", "label"), [
    (["08:00", "08:15", "08:30"], 900, "15 min"),
    (["2024-03-04 08:00", "2024-03-04 09:00", "2024-03-04 10:00"], 3600, "60 min"),
])
def test_staff_infers_the_interval_from_interval_start(capsys, tmp_path, starts, seconds,
                                                       label):
    text = "interval_start,calls,aht\n" + "".join(
        f"{s},{c},240\n" for s, c in zip(starts, [40, 60, 50], strict=True))
    doc = json.loads(ok(capsys, "staff", str(write(tmp_path / "f.csv", text)), "--target",
                        "80/20", "--json"))
    assert doc["interval_seconds"] == seconds
    expected = staffing_table({"interval_start": starts, "calls": [40, 60, 50],
                               "aht": [240] * 3}, interval=seconds, target_sl=0.8,
                              target_time=20)
    assert [row["agents"] for row in doc["rows"]] == expected["agents"].tolist()
    out = ok(capsys, "staff", str(tmp_path / "f.csv"), "--target", "80/20")
    assert f"3 intervals of {label}" in out


def test_staff_interval_option_must_agree_with_the_spacing(capsys, tmp_path):
    # Issue 9: --interval 30m on a 15-minute file was used silently (twice the load).
    text = "interval_start,calls,aht\n08:00,40,240\n08:15,60,240\n"
    line = error_line(capsys, "staff", str(write(tmp_path / "f.csv", text)), "--target",
                      "80/20", "--interval", "30m", "--json")
    assert "--interval 30m (30 min) disagrees with the file" in line
    assert "15 min apart" in line
    doc = json.loads(ok(capsys, "staff", str(tmp_path / "f.csv"), "--target", "80/20",
                        "--interval", "15m", "--json"))
    expected = staffing_table({"interval_start": ["08:00", "08:15"], "calls": [40, 60],
                               "aht": [240, 240]}, interval=900, target_sl=0.8,
                              target_time=20)
    assert doc["interval_seconds"] == 900
    assert [row["agents"] for row in doc["rows"]] == expected["agents"].tolist()


def test_staff_uneven_spacing_works_with_interval_given(capsys, tmp_path):
    text = "interval_start,calls,aht\n08:00,40,240\n08:30,60,240\n09:15,60,240\n"
    doc = json.loads(ok(capsys, "staff", str(write(tmp_path / "f.csv", text)), "--target",
                        "80/20", "--interval", "30m", "--json"))
    assert len(doc["rows"]) == 3


@pytest.mark.parametrize("text", [
    "interval_start,calls,aht\n08:00,120,240\n08:30,200,999\n",  # --aht replaces the column
    "interval_start,calls\n08:00,120\n08:30,200\n",  # --aht supplies the missing column
])
def test_staff_aht_option_sets_every_interval(capsys, tmp_path, text):
    doc = json.loads(ok(capsys, "staff", str(write(tmp_path / "f.csv", text)), "--target",
                        "80/20", "--aht", "5m", "--json"))
    expected = staffing_table({"interval_start": ["08:00", "08:30"], "calls": [120, 200],
                               "aht": [300, 300]}, interval=1800, target_sl=0.8,
                              target_time=20)
    assert [row["aht"] for row in doc["rows"]] == [300.0, 300.0]
    assert [row["agents"] for row in doc["rows"]] == expected["agents"].tolist()


def test_staff_columns_may_be_padded_with_spaces(capsys, tmp_path):
    text = "interval_start, calls, aht\n08:00,120,240\n08:30,200,250\n"
    doc = json.loads(ok(capsys, "staff", str(write(tmp_path / "f.csv", text)), "--target",
                        "80/20", "--json"))
    assert [row["agents"] for row in doc["rows"]] == [20, 33]


# --------------------------------------------------------------------------------------------
# staff --method: lagged SIPP and the modified offered load (time_varying_staffing)

BANK = SCENARIOS / "anonymous_bank_weekday.csv"  # a weekday of 30-minute intervals


def bank_staffing(**kw) -> pd.DataFrame:
    return time_varying_staffing(pd.read_csv(BANK), interval=1800, target_sl=0.8,
                                 target_time=20, **kw)


@pytest.mark.parametrize(("options", "kw"), [
    (["--method", "sipp"], {"method": "sipp"}),
    (["--method", "lag"], {"method": "lag"}),
    (["--method", "lag", "--lag", "5m"], {"method": "lag", "lag": 300}),
    (["--method", "mol"], {"method": "mol"}),
    (["--method", "mol", "--handle-cv", "0.8"], {"method": "mol", "handle_cv": 0.8}),
])
def test_staff_method_gives_the_agents_of_time_varying_staffing(capsys, tmp_path, options,
                                                                 kw):
    expected = bank_staffing(**kw)
    sipp = staffing_table(pd.read_csv(BANK), interval=1800, target_sl=0.8, target_time=20)
    out_csv = tmp_path / "plan.csv"
    doc = json.loads(ok(capsys, "staff", str(BANK), "--target", "80/20", *options, "--json",
                        "--out", str(out_csv)))
    assert doc["method"] == kw["method"]
    assert [row["agents"] for row in doc["rows"]] == expected["agents"].tolist()
    assert [row["load"] for row in doc["rows"]] == pytest.approx(expected["load"].tolist(),
                                                                 rel=1e-12)
    written = pd.read_csv(out_csv)
    assert list(written.columns) == list(expected.columns)
    assert written["agents"].tolist() == expected["agents"].tolist()

    out = ok(capsys, "staff", str(BANK), "--target", "80/20", *options)
    assert out.startswith(f"method: {kw['method']} (")
    rows = table_rows(out, "start")
    assert len(rows) == len(expected) == 34
    if kw["method"] == "sipp":  # the plain SIPP table
        assert "sipp_agents" not in doc
        assert [int(r[4]) for r in rows] == expected["agents"].tolist()
        return
    # start calls AHT | SIPP load, agents | the method's load, agents | change | SL ASA occ
    assert doc["sipp_agents"] == sipp["agents"].tolist()
    assert [int(r[4]) for r in rows] == sipp["agents"].tolist()
    assert [float(r[5]) for r in rows] == pytest.approx(expected["load"].tolist(), abs=0.006)
    assert [int(r[6]) for r in rows] == expected["agents"].tolist()
    assert [int(r[7]) for r in rows] == (expected["agents"] - sipp["agents"]).tolist()
    assert f"peak {expected['agents'].max()} agents" in out
    assert f"SIPP instead: peak {sipp['agents'].max()} agents" in out


def test_staff_the_methods_differ_on_the_bank_day():
    # Otherwise the tests above could not tell the methods apart.
    sipp, lag, mol = (bank_staffing(method=m)["agents"] for m in ("sipp", "lag", "mol"))
    assert (sipp != lag).any() and (sipp != mol).any() and (lag != mol).any()


def test_staff_lag_defaults_to_the_calls_weighted_aht(capsys):
    bank = pd.read_csv(BANK)
    mean_aht = (bank["calls"] * bank["aht"]).sum() / bank["calls"].sum()
    doc = json.loads(ok(capsys, "staff", str(BANK), "--target", "80/20", "--method", "lag",
                        "--json"))
    assert doc["lag_seconds"] == pytest.approx(mean_aht, rel=1e-12)
    out = ok(capsys, "staff", str(BANK), "--target", "80/20", "--method", "lag")
    assert f"arrived {round(mean_aht, 1):g} s earlier" in out
    assert "calls-weighted mean AHT" in out
    out = ok(capsys, "staff", str(BANK), "--target", "80/20", "--method", "lag", "--lag", "0")
    assert "arrived 0 s earlier" in out
    # a lag of 0 is SIPP
    assert [int(r[6]) for r in table_rows(out, "start")] == bank_staffing()["agents"].tolist()


def test_staff_method_passes_the_other_options_through(capsys):
    doc = json.loads(ok(capsys, "staff", str(BANK), "--target", "80/20", "--patience", "90",
                        "--shrinkage", "0.3", "--min-agents", "4", "--method", "mol",
                        "--json"))
    expected = bank_staffing(method="mol", model="erlang_a", patience=90, shrinkage=0.3,
                             min_agents=4)
    assert [row["agents"] for row in doc["rows"]] == expected["agents"].tolist()
    assert [row["scheduled"] for row in doc["rows"]] == expected["scheduled"].tolist()
    assert min(row["agents"] for row in doc["rows"]) == 4


@pytest.mark.parametrize(("options", "words"), [
    (["--method", "foo"], ["--method", "'foo'", "'sipp', 'lag', 'mol'"]),
    (["--method", "lag", "--lag", "-5"], ["--lag", "'-5'", "0 or more"]),
    (["--method", "lag", "--lag=-5"], ["--lag", "'-5'", "0 or more"]),
    (["--method", "lag", "--lag", "soon"], ["--lag", "'soon'", "a duration such as"]),
    (["--method", "lag", "--lag", "8d"], ["--lag", "a duration such as"]),
    (["--method", "lag", "--lag", "700000"], ["--lag", "'700000'", "at most a week"]),
    (["--method", "mol", "--handle-cv", "0"], ["--handle-cv", "'0'", ">= 0.001", "<= 5"]),
    (["--method", "mol", "--handle-cv", "9"], ["--handle-cv", "'9'", "<= 5"]),
    (["--method", "mol", "--handle-cv", "x"], ["--handle-cv", "'x'", "a number"]),
    (["--lag", "60"], ["--lag 60", "only used with --method lag", "no --method"]),
    (["--method", "mol", "--lag", "60"], ["--lag 60", "only used with --method lag",
                                          "--method mol"]),
    (["--handle-cv", "0.5"], ["--handle-cv 0.5", "only used with --method mol"]),
    (["--method", "lag", "--handle-cv", "0.5"], ["--handle-cv 0.5", "--method lag"]),
])
def test_staff_method_options_are_checked(capsys, options, words):
    line = error_line(capsys, "staff", str(BANK), "--target", "80/20", *options)
    for w in words:
        assert w in line, (w, line)


def test_staff_without_method_is_unchanged(capsys):
    # Exactly the SIPP report of staffing_table: no method line, no SIPP column, same JSON.
    bank = pd.read_csv(BANK)
    expected = staffing_table(bank, interval=1800, target_sl=0.8, target_time=20)
    out = ok(capsys, "staff", str(BANK), "--target", "80/20")
    assert out == staffing_report(expected, interval=1800.0, shrinkage=0.0,
                                  targets={"target_sl": 0.8, "target_time": 20.0}) + "\n"
    doc = json.loads(ok(capsys, "staff", str(BANK), "--target", "80/20", "--json"))
    assert set(doc) == {"interval_seconds", "rows"}
    assert [row["agents"] for row in doc["rows"]] == expected["agents"].tolist()
    assert [row["load"] for row in doc["rows"]] == pytest.approx(expected["load"].tolist(),
                                                                 rel=1e-12)
