"""Tests of the ``blendsim`` command line, run in-process through ``blendsim.cli.app``.

The CLI is a thin shell over the library, so every figure it prints or writes is compared
with the library's own answer for the same question.  Errors must come out as one line,
``blendsim: error: ...`` naming the option (or file field) and the value, with exit status 1,
no traceback and no output file.  One test runs the installed console script.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import blendsim
from blendsim import (
    asa,
    best_reserve,
    erlang_a,
    erlang_c,
    occupancy,
    required_agents,
    scheduled_agents,
    service_level,
    staffing_table,
    threshold_blend,
)
from blendsim.cli.app import main, parse_duration, parse_int_range, parse_target
from blendsim.errors import InputError

# --------------------------------------------------------------------------------------------
# Helpers


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``blendsim ARGV``."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def ok(capsys, *argv: str) -> str:
    """Stdout of a run that must succeed quietly."""
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    return out


def error_line(capsys, *argv: str) -> str:
    """The one error line of a run that must fail cleanly."""
    status, out, err = run(capsys, *argv)
    assert status == 1
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("blendsim: error: ")
    return lines[0]


def marked(out: str, mark: str) -> list[list[str]]:
    """The table lines carrying ``mark``, split into cells (the mark removed)."""
    return [line.split(mark)[0].split() for line in out.splitlines() if mark in line]


def table_rows(out: str, header_start: str) -> list[list[str]]:
    """The lines of the table under the header starting with ``header_start``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == [header_start])
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        rows.append(line.split("<-")[0].split())  # without any mark
    return rows


def pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


ERLANG = ["erlang", "--calls", "120", "--interval", "30m", "--aht", "240"]
# 60 calls per 30 min of 300 s: 10 Erlangs on a blended team
BLEND = ["blend", "--calls", "60", "--interval", "30m", "--aht", "300", "--outbound-aht", "300"]
BLEND_KW = dict(rate=60 / 1800, aht=300, outbound_aht=300)

DAY = ("interval_start,calls,aht\n"
       "08:00,120,240\n"
       "08:30,0,\n"
       "09:00,200,250\n"
       "09:30,35,300\n")
DAY_FRAME = pd.DataFrame({"interval_start": ["08:00", "08:30", "09:00", "09:30"],
                          "calls": [120, 0, 200, 35], "aht": [240, math.nan, 250, 300]})


# --------------------------------------------------------------------------------------------
# Parsing helpers


@pytest.mark.parametrize(("text", "seconds"), [
    ("240", 240.0), ("240s", 240.0), ("4m", 240.0), ("4 min", 240.0), ("30m", 1800.0),
    ("1h", 3600.0), ("1.5h", 5400.0), (" 30M ", 1800.0), ("2 hours", 7200.0), ("2e2", 200.0),
    (".5m", 30.0),
])
def test_parse_duration(text, seconds):
    assert parse_duration("--aht", text) == seconds


def test_parse_duration_zero_only_where_allowed():
    assert parse_duration("--aht", "0", positive=False) == 0.0
    with pytest.raises(InputError, match=r"--aht must be longer than 0 seconds \(got '0'\)"):
        parse_duration("--aht", "0")


def test_parse_duration_without_default_unit_needs_a_unit():
    assert parse_duration("--interval", "15m", default_unit=None) == 900.0
    with pytest.raises(InputError, match=r"--interval must be a duration such as 30m, 1h or "
                                         r"900s \(got '30'\)"):
        parse_duration("--interval", "30", default_unit=None)


@pytest.mark.parametrize("text", ["abc", "-5", "5 parsecs", "", "4m30s", "1,5h"])
def test_parse_duration_refuses(text):
    with pytest.raises(InputError, match=rf"--aht must be a duration such as 240, 240s, 4m or "
                                         rf"1h \(got '{text}'\)"):
        parse_duration("--aht", text)


@pytest.mark.parametrize(("text", "target"), [
    ("80/20", (0.8, 20.0)), ("80%/20s", (0.8, 20.0)), (" 90 / 15 ", (0.9, 15.0)),
    ("99.5/60", (0.995, 60.0)), ("50/0", (0.5, 0.0)),
])
def test_parse_target(text, target):
    assert parse_target(text) == pytest.approx(target)


@pytest.mark.parametrize(("text", "match"), [
    ("180/20", r"--target percentage must be between 0 and 100, exclusive \(got 180 in "
               r"'180/20'\)"),
    ("100/20", r"--target percentage .* \(got 100 in '100/20'\)"),
    ("0/20", r"--target percentage .* \(got 0 in '0/20'\)"),
    ("abc", r"--target must look like 80/20 \(80% answered within 20 s\) \(got 'abc'\)"),
    ("80", r"--target must look like 80/20 .*\(got '80'\)"),
    ("80/-20", r"--target must look like 80/20 .*\(got '80/-20'\)"),
])
def test_parse_target_refuses(text, match):
    with pytest.raises(InputError, match=match):
        parse_target(text)


@pytest.mark.parametrize(("text", "values"), [
    ("0..5", [0, 1, 2, 3, 4, 5]), ("3..3", [3]), (" 2 .. 4 ", [2, 3, 4]), ("7", [7]),
    ("0,2,4", [0, 2, 4]), ("4, 2,2", [2, 4]),
])
def test_parse_int_range(text, values):
    assert parse_int_range("--reserve", text) == values


@pytest.mark.parametrize(("text", "match"), [
    ("5..2", r"--reserve range must run upwards, like 0..5 \(got '5..2'\)"),
    ("a", r"--reserve must be a range like 0..5 or a list like 0,2,4 \(got 'a'\)"),
    ("-1..3", r"--reserve must be a range .*\(got '-1..3'\)"),
    ("1.5", r"--reserve must be a range .*\(got '1.5'\)"),
    ("", r"--reserve must be a range .*\(got ''\)"),
])
def test_parse_int_range_refuses(text, match):
    with pytest.raises(InputError, match=match):
        parse_int_range("--reserve", text)


# --------------------------------------------------------------------------------------------
# erlang


@pytest.mark.parametrize(("calls", "interval", "seconds", "aht", "aht_s", "target", "sl", "t"), [
    ("120", "30m", 1800, "240", 240, "80/20", 0.8, 20),
    ("45", "15m", 900, "4m", 240, "90/15", 0.9, 15),
    ("3000", "1h", 3600, "180s", 180, "95/30", 0.95, 30),
    ("2", "30m", 1800, "600", 600, "80/20", 0.8, 20),
])
def test_erlang_marks_the_required_row(capsys, calls, interval, seconds, aht, aht_s, target,
                                       sl, t):
    out = ok(capsys, "erlang", "--calls", calls, "--interval", interval, "--aht", aht,
             "--target", target)
    rate = float(calls) / seconds
    r = required_agents(rate, aht_s, target_sl=sl, target_time=t)
    rows = marked(out, "<- required")
    assert len(rows) == 1
    agents, sl_cell, asa_cell, wait_cell, occ_cell = rows[0]
    assert int(agents) == r.agents
    assert sl_cell == pct(r.service_level)
    assert asa_cell == f"{r.asa:.1f}"
    assert wait_cell == pct(r.p_wait)
    assert occ_cell == pct(r.occupancy)
    assert f"required: {r.agents} agents on the phones" in out
    assert f"target: {100 * sl:g}% answered within {t:g} s" in out


def test_erlang_table_runs_from_below_to_above_the_requirement(capsys):
    out = ok(capsys, *ERLANG, "--target", "80/20", "--below", "2", "--above", "1")
    assert [int(r[0]) for r in table_rows(out, "agents")] == [18, 19, 20, 21]
    # rows at or below the load (16 Erlangs) would have no steady state: never shown
    out = ok(capsys, *ERLANG, "--target", "80/20", "--below", "10", "--above", "0")
    assert [int(r[0]) for r in table_rows(out, "agents")] == [17, 18, 19, 20]


def test_erlang_rows_around_the_requirement_show_the_library_figures(capsys):
    out = ok(capsys, *ERLANG, "--target", "80/20")
    for cells in table_rows(out, "agents"):
        n = int(cells[0])
        assert cells[1:5] == [pct(service_level(n, 16, 240, 20)), f"{asa(n, 16, 240):.1f}",
                              pct(erlang_c(n, 16)), pct(occupancy(n, 16))]


def test_erlang_json_equals_the_library(capsys):
    doc = json.loads(ok(capsys, *ERLANG, "--target", "80/20", "--json"))
    r = required_agents(120 / 1800, 240, target_sl=0.8, target_time=20)
    assert doc["inputs"] == {"calls": 120.0, "interval_seconds": 1800.0, "aht_seconds": 240.0,
                             "load_erlangs": pytest.approx(16.0), "model": "erlang_c",
                             "shrinkage": 0.0, "target_sl": 0.8, "target_time": 20.0}
    req = doc["required"]
    assert (req["agents"], req["scheduled"]) == (r.agents, r.scheduled)
    for key in ("service_level", "asa", "p_wait", "occupancy", "p_abandon"):
        assert req[key] == pytest.approx(getattr(r, key), rel=1e-12)
    assert [row["agents"] for row in doc["rows"]] == list(range(r.agents - 3, r.agents + 5))
    for row in doc["rows"]:
        n = row["agents"]
        assert row["service_level"] == pytest.approx(service_level(n, 16, 240, 20), rel=1e-9)
        assert row["asa"] == pytest.approx(asa(n, 16, 240), rel=1e-9)
        assert row["p_wait"] == pytest.approx(erlang_c(n, 16), rel=1e-9)
        assert row["occupancy"] == pytest.approx(occupancy(n, 16), rel=1e-12)
        assert row["p_abandon"] == 0.0


@pytest.mark.parametrize(("options", "kw", "goal"), [
    (["--target-asa", "10"], dict(target_asa=10), "ASA <= 10 s"),
    (["--max-occupancy", "0.7"], dict(max_occupancy=0.7), "occupancy <= 70%"),
    (["--target", "80/20", "--target-asa", "5"], dict(target_sl=0.8, target_time=20,
                                                      target_asa=5),
     "80% answered within 20 s, ASA <= 5 s"),
])
def test_erlang_other_targets_equal_the_library(capsys, options, kw, goal):
    r = required_agents(120 / 1800, 240, **kw)
    out = ok(capsys, *ERLANG, *options)
    assert f"target: {goal}" in out
    assert int(marked(out, "<- required")[0][0]) == r.agents
    doc = json.loads(ok(capsys, *ERLANG, *options, "--json"))
    assert doc["required"]["agents"] == r.agents


def test_erlang_patience_switches_to_erlang_a(capsys):
    r = required_agents(120 / 1800, 240, target_sl=0.8, target_time=20, model="erlang_a",
                        patience=120)
    out = ok(capsys, *ERLANG, "--target", "80/20", "--patience", "2m")
    assert "(Erlang A, mean patience 120 s)" in out
    header = next(line for line in out.splitlines() if line.split()[:1] == ["agents"])
    assert header.split()[-1] == "abandoned"
    row = marked(out, "<- required")[0]
    assert int(row[0]) == r.agents
    assert row[-1] == pct(r.p_abandon, 2)

    doc = json.loads(ok(capsys, *ERLANG, "--target", "80/20", "--patience", "120", "--json"))
    assert doc["inputs"]["model"] == "erlang_a"
    assert doc["inputs"]["patience"] == 120.0
    assert doc["required"]["agents"] == r.agents
    assert doc["required"]["p_abandon"] == pytest.approx(r.p_abandon, rel=1e-12)
    for row in doc["rows"]:
        exact = erlang_a(row["agents"], 120 / 1800, 240, 120, target=20)
        for key in ("service_level", "asa", "p_wait", "occupancy", "p_abandon"):
            assert row[key] == pytest.approx(getattr(exact, key), rel=1e-12)


def test_erlang_max_abandon_with_patience(capsys):
    r = required_agents(120 / 1800, 240, model="erlang_a", patience=60, max_abandon=0.02)
    out = ok(capsys, *ERLANG, "--patience", "60", "--max-abandon", "0.02")
    assert "target: abandonment <= 2%" in out
    assert int(marked(out, "<- required")[0][0]) == r.agents


def test_erlang_shrinkage_adds_scheduled(capsys):
    r = required_agents(120 / 1800, 240, target_sl=0.8, target_time=20, shrinkage=0.3)
    out = ok(capsys, *ERLANG, "--target", "80/20", "--shrinkage", "0.3")
    assert "scheduled @30% shrinkage" in out
    rows = table_rows(out, "agents")
    assert all(int(cells[-1]) == scheduled_agents(int(cells[0]), 0.3) for cells in rows)
    assert int(marked(out, "<- required")[0][-1]) == r.scheduled == 29
    assert f"required: {r.agents} agents on the phones, schedule {r.scheduled}" in out
    doc = json.loads(ok(capsys, *ERLANG, "--target", "80/20", "--shrinkage", "0.3", "--json"))
    assert doc["required"]["scheduled"] == r.scheduled
    assert [row["scheduled"] for row in doc["rows"]] == [
        scheduled_agents(row["agents"], 0.3) for row in doc["rows"]]


def test_erlang_without_shrinkage_has_no_scheduled_column(capsys):
    out = ok(capsys, *ERLANG, "--target", "80/20")
    assert "scheduled" not in out
    assert "schedule " not in out


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
# blend


def test_blend_prints_one_row_per_reserve_and_marks_the_best(capsys):
    best = best_reserve(agents=14, **BLEND_KW, target_sl=0.8, target_time=20).reserve
    out = ok(capsys, *BLEND, "--agents", "14", "--target", "80/20")
    rows = table_rows(out, "reserve")
    assert [int(r[0]) for r in rows] == list(range(15))
    best_rows = marked(out, "<- best for 80/20")
    assert len(best_rows) == 1
    assert int(best_rows[0][0]) == best
    assert f"best reserve: {best} (the smallest that meets 80/20)" in out
    for cells in rows:
        r = threshold_blend(agents=14, **BLEND_KW, reserve=int(cells[0]), target=20)
        assert cells[1] == pct(r.service_level)
        assert cells[4] == f"{r.outbound_rate * 3600:.1f}"  # outbound per hour


def test_blend_reserve_option_picks_the_rows(capsys):
    out = ok(capsys, *BLEND, "--agents", "14", "--reserve", "4,0,2")
    assert [int(r[0]) for r in table_rows(out, "reserve")] == [0, 2, 4]
    out = ok(capsys, *BLEND, "--agents", "14", "--reserve", "3..6")
    assert [int(r[0]) for r in table_rows(out, "reserve")] == [3, 4, 5, 6]
    assert "<- best" not in out  # no target, no best


def test_blend_best_outside_the_shown_reserves_is_still_named(capsys):
    best = best_reserve(agents=14, **BLEND_KW, target_sl=0.8, target_time=20).reserve
    assert best > 2
    out = ok(capsys, *BLEND, "--agents", "14", "--target", "80/20", "--reserve", "0..2")
    assert "<- best" not in out
    assert f"best reserve: {best} " in out


def test_blend_json_equals_threshold_blend(capsys):
    doc = json.loads(ok(capsys, *BLEND, "--agents", "14", "--target", "80/20", "--patience",
                        "2m", "--json"))
    assert doc["best_reserve"] == best_reserve(agents=14, **BLEND_KW, target_sl=0.8,
                                               target_time=20, patience=120).reserve
    assert doc["inputs"]["patience_seconds"] == 120.0
    assert [row["reserve"] for row in doc["rows"]] == list(range(15))
    for row in doc["rows"]:
        r = threshold_blend(agents=14, **BLEND_KW, reserve=row["reserve"], patience=120,
                            target=20)
        for key in ("service_level", "asa", "p_wait", "p_abandon", "occupancy"):
            assert row[key] == pytest.approx(getattr(r, key), rel=1e-12)
        assert row["outbound_per_hour"] == pytest.approx(r.outbound_rate * 3600, rel=1e-12)


def test_blend_patience_adds_the_abandoned_column(capsys):
    out = ok(capsys, *BLEND, "--agents", "14", "--patience", "120", "--reserve", "2")
    (cells,) = table_rows(out, "reserve")
    r = threshold_blend(agents=14, **BLEND_KW, reserve=2, patience=120)
    assert cells[4] == pct(r.p_abandon, 2)
    assert "mean patience 120 s" in out


def test_blend_with_no_feasible_reserve_says_add_agents(capsys):
    out = ok(capsys, *BLEND, "--agents", "12", "--target", "80/20")
    assert "no reserve meets 80/20 with 12 agents: add agents" in out
    assert "<- best" not in out
    doc = json.loads(ok(capsys, *BLEND, "--agents", "12", "--target", "80/20", "--json"))
    assert doc["best_reserve"] is None


def test_blend_overloaded_team_json_writes_infinite_wait_as_text(capsys):
    doc = json.loads(ok(capsys, "blend", "--calls", "600", "--interval", "30m", "--aht", "300",
                        "--outbound-aht", "300", "--agents", "9", "--reserve", "0", "--json"))
    (row,) = doc["rows"]
    assert row["asa"] == "inf"
    assert row["outbound_per_hour"] == 0.0


# --------------------------------------------------------------------------------------------
# Usage


def test_no_command_is_one_error_line(capsys):
    status, out, err = run(capsys)
    assert status == 1
    assert out == ""
    assert err.strip() == ("blendsim: error: no command given: choose erlang, staff, blend, run, "
                           "tradeoff, sweep or validate (blendsim --help explains them)")


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"blendsim {blendsim.__version__}"


def test_installed_console_script_runs_and_reports_errors(tmp_path):
    script = Path(sys.executable).with_name("blendsim")
    script = script if script.exists() else Path(shutil.which("blendsim") or "blendsim")
    done = subprocess.run([str(script), *ERLANG, "--target", "80/20", "--json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["required"]["agents"] == 20
    failed = subprocess.run([str(script), "erlang", "--calls", "120", "--interval", "30",
                             "--aht", "240", "--target", "80/20"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        "blendsim: error: --interval must be a duration such as 30m, 1h or 900s (got '30')"]


# --------------------------------------------------------------------------------------------
# Errors: one line naming the option and the value, exit status 1


@pytest.mark.parametrize(("argv", "expected"), [
    pytest.param(["erlang", "--calls", "120", "--interval", "30", "--aht", "240", "--target",
                  "80/20"], ["--interval must be a duration such as 30m, 1h or 900s",
                             "'30'"], id="interval-without-unit"),
    pytest.param([*ERLANG, "--target", "180/20"],
                 ["--target percentage must be between 0 and 100", "180"], id="target-180"),
    pytest.param([*ERLANG, "--target", "abc"], ["--target must look like 80/20", "'abc'"],
                 id="target-abc"),
    pytest.param(["erlang", "--calls", "lots", "--interval", "30m", "--aht", "240",
                  "--target", "80/20"], ["--calls must be a number", "'lots'"], id="calls-text"),
    pytest.param(["erlang", "--calls", "-5", "--interval", "30m", "--aht", "240",
                  "--target", "80/20"], ["--calls must be >= 0", "'-5'"], id="calls-negative"),
    pytest.param(["erlang", "--calls", "120", "--interval", "30m", "--aht", "0",
                  "--target", "80/20"], ["--aht must be longer than 0 seconds", "'0'"],
                 id="aht-zero"),
    pytest.param(["erlang", "--calls", "120", "--interval", "30m", "--aht", "4 parsecs",
                  "--target", "80/20"], ["--aht must be a duration", "'4 parsecs'"],
                 id="aht-unit"),
    pytest.param([*ERLANG, "--target", "80/20", "--shrinkage", "1"],
                 ["--shrinkage must be >= 0 and < 1", "'1'"], id="shrinkage-1"),
    pytest.param([*ERLANG, "--max-occupancy", "1.5"],
                 ["--max-occupancy must be > 0 and <= 1", "'1.5'"], id="occupancy-1.5"),
    pytest.param([*ERLANG, "--patience", "60", "--max-abandon", "2"],
                 ["--max-abandon must be > 0 and < 1", "'2'"], id="abandon-2"),
    pytest.param([*ERLANG, "--target", "80/20", "--target-asa", "soon"],
                 ["--target-asa must be a duration", "'soon'"], id="asa-text"),
    pytest.param([*ERLANG, "--target", "80/20", "--patience", "0"],
                 ["--patience must be longer than 0 seconds", "'0'"], id="patience-zero"),
    pytest.param([*ERLANG, "--target", "80/20", "--bogus"],
                 ["unrecognized arguments: --bogus"], id="unknown-option"),
    pytest.param(["erlang", "--calls", "120", "--interval", "30m", "--target", "80/20"],
                 ["the following arguments are required: --aht"], id="missing-aht"),
    pytest.param([*ERLANG, "--target", "80/20", "--below", "x"],
                 ["--below must be a number", "'x'"], id="below-text"),
    pytest.param(["frobnicate"], ["invalid choice: 'frobnicate'"], id="unknown-command"),
    pytest.param([*BLEND, "--agents", "12", "--reserve", "0,13"],
                 ["--reserve values must be between 0 and --agents = 12", "(got 13)"],
                 id="reserve-beyond-agents"),
    pytest.param([*BLEND, "--agents", "12", "--reserve", "5..2"],
                 ["--reserve range must run upwards", "'5..2'"], id="reserve-5..2"),
    pytest.param([*BLEND, "--agents", "12", "--reserve", "two"],
                 ["--reserve must be a range like 0..5 or a list like 0,2,4", "'two'"],
                 id="reserve-text"),
    pytest.param([*BLEND, "--agents", "0"], ["--agents must be a whole number and >= 1", "'0'"],
                 id="agents-zero"),
    pytest.param([*BLEND, "--agents", "2.5"], ["--agents must be a whole number", "'2.5'"],
                 id="agents-fraction"),
    pytest.param(["blend", "--calls", "60", "--interval", "30m", "--aht", "300",
                  "--outbound-aht", "0", "--agents", "12"],
                 ["--outbound-aht must be longer than 0 seconds", "'0'"], id="outbound-aht-zero"),
    pytest.param([*BLEND, "--agents", "12", "--patience", "abc"],
                 ["--patience must be a duration", "'abc'"], id="blend-patience"),
    pytest.param(["blend", "--calls", "60", "--interval", "30m", "--aht", "300",
                  "--agents", "12"], ["the following arguments are required: --outbound-aht"],
                 id="missing-outbound-aht"),
])
def test_bad_input_is_one_error_line(capsys, argv, expected):
    line = error_line(capsys, *argv)
    for text in expected:
        assert text in line


STAFF_FAILURES = [
    pytest.param(None, [], ["forecast file not found", "forecast.csv'"], id="missing-file"),
    pytest.param("interval_start,calls\n08:00,120\n08:30,100\n", [],
                 ["forecast.csv: missing column(s) aht (or give --aht)",
                  "the file has interval_start, calls"], id="missing-column"),
    pytest.param("start,calls,aht\n08:00,120,240\n", [],
                 ["forecast.csv: missing column(s) interval_start;"], id="missing-start"),
    pytest.param("interval_start,calls,aht\n08:00,120,240\n08:30,lots,240\n", [],
                 ["forecast.csv: row 3, column calls must be a number", "'lots'"],
                 id="calls-text"),
    pytest.param("interval_start,calls,aht\n08:00,120,240\n08:30,-5,240\n", [],
                 ["forecast.csv: row 3, column calls must be >= 0", "-5"], id="calls-negative"),
    pytest.param("interval_start,calls,aht\n08:00,120,240\n08:30,10,0\n", [],
                 ["forecast.csv: row 3, column aht must be > 0 seconds where there are calls",
                  "0"], id="aht-zero"),
    pytest.param("interval_start,calls,aht\n08:00,120,240\n08:30,10,-3.5\n", [],
                 ["forecast.csv: row 3, column aht must be >= 0", "-3.5"], id="aht-negative"),
    pytest.param("interval_start,calls,aht\n08:00,40,240\n08:30,60,240\n09:15,60,240\n", [],
                 ["forecast.csv: interval_start values are not evenly spaced",
                  "give --interval"], id="uneven-spacing"),
    pytest.param("interval_start,calls,aht\nmorning,40,240\nnoon,60,240\n", [],
                 ["forecast.csv: cannot tell the interval length from interval_start",
                  "give --interval"], id="labels-not-times"),
    pytest.param("interval_start,calls,aht\n08:00,40,240\n", [],
                 ["forecast.csv: cannot tell the interval length"], id="one-row"),
    pytest.param("interval_start,calls,aht\n", [],
                 ["forecast.csv: no intervals (the file has a header but no rows)"],
                 id="header-only"),
    pytest.param(b"\xff\xfe\x00garbage\n\xff", [],
                 ["forecast.csv: not a readable CSV file"], id="not-text"),
    pytest.param("interval_start,calls,aht\n08:00,120,240\n08:30,100,240,5\n", [],
                 ["forecast.csv: not a readable CSV file", "Expected 3 fields"],
                 id="ragged-row"),
    pytest.param(DAY, ["--interval", "30"], ["--interval must be a duration", "'30'"],
                 id="interval-without-unit"),
    pytest.param(DAY, ["--aht", "0"],
                 ["--aht must be longer than 0 seconds", "'0'"],
                 id="aht-option-zero"),
    pytest.param(DAY, ["--min-agents", "1.5"],
                 ["--min-agents must be a whole number and >= 0", "'1.5'"], id="min-agents"),
    pytest.param(DAY, ["--shrinkage", "-0.1"], ["--shrinkage must be >= 0", "'-0.1'"],
                 id="shrinkage"),
    pytest.param(DAY, ["--target", "abc"], ["--target must look like 80/20", "'abc'"],
                 id="target"),
]


@pytest.mark.parametrize(("content", "options", "expected"), STAFF_FAILURES)
def test_staff_bad_input_is_one_error_line_and_writes_nothing(capsys, tmp_path, content,
                                                              options, expected):
    forecast = tmp_path / "forecast.csv"
    if isinstance(content, bytes):
        forecast.write_bytes(content)
    elif content is not None:
        forecast.write_text(content)
    before = sorted(tmp_path.iterdir())
    out_csv = tmp_path / "plan.csv"
    line = error_line(capsys, "staff", str(forecast), "--target", "80/20", "--out",
                      str(out_csv), *options)
    for text in expected:
        assert text in line
    assert not out_csv.exists()
    assert sorted(tmp_path.iterdir()) == before  # no temporary file left behind


def test_staff_failure_leaves_an_existing_out_file_untouched(capsys, tmp_path):
    forecast = write(tmp_path / "forecast.csv",
                     "interval_start,calls,aht\n08:00,120,240\n08:30,lots,240\n")
    out_csv = write(tmp_path / "plan.csv", "yesterday's plan\n")
    error_line(capsys, "staff", str(forecast), "--target", "80/20", "--out", str(out_csv))
    assert out_csv.read_text() == "yesterday's plan\n"


def test_staff_out_into_a_missing_folder_is_refused(capsys, tmp_path):
    forecast = write(tmp_path / "forecast.csv", DAY)
    line = error_line(capsys, "staff", str(forecast), "--target", "80/20", "--out",
                      str(tmp_path / "nowhere" / "plan.csv"))
    assert "--out folder does not exist" in line
    assert "nowhere" in line
    assert not (tmp_path / "nowhere").exists()


# --------------------------------------------------------------------------------------------
# Problems found in review, now fixed: each keeps the test that showed it


@pytest.mark.parametrize("argv", [
    ["erlang", "--calls", "120", "--interval", "0m", "--aht", "240", "--target", "80/20"],
    ["blend", "--calls", "60", "--interval", "0m", "--aht", "300", "--outbound-aht", "300",
     "--agents", "12"],
], ids=["erlang", "blend"])
def test_zero_interval_is_an_input_error(capsys, argv):
    line = error_line(capsys, *argv)
    assert "--interval" in line and "0m" in line


def test_negative_below_never_hides_the_required_row(capsys):
    line = error_line(capsys, *ERLANG, "--target", "80/20", "--below", "-2")
    assert "--below must be a whole number and >= 0" in line and "'-2'" in line


def test_zero_calls_needs_no_agents_and_says_so(capsys):
    out = ok(capsys, "erlang", "--calls", "0", "--interval", "30m", "--aht", "240", "--target",
             "80/20")
    assert "required: 0 agents on the phones" in out
    assert "no calls offered" in out
    assert marked(out, "<- required") == []


@pytest.mark.parametrize(("content", "shown"), [
    ("interval_start,calls,aht\n08:00,120,240\n08:30,-5,240\n", "(got -5)"),
    ("interval_start,calls,aht\n08:00,120,240\n08:30,10,0\n", "(got 0)"),
], ids=["calls-negative", "aht-zero"])
def test_csv_errors_show_the_cell_as_written(capsys, tmp_path, content, shown):
    forecast = write(tmp_path / "forecast.csv", content)
    line = error_line(capsys, "staff", str(forecast), "--target", "80/20")
    assert line.endswith(shown)


def test_empty_calls_cell_error_names_the_file_and_row(capsys, tmp_path):
    forecast = write(tmp_path / "forecast.csv",
                     "interval_start,calls,aht\n08:00,120,240\n08:30,,240\n")
    line = error_line(capsys, "staff", str(forecast), "--target", "80/20")
    assert "forecast.csv" in line and "row 3" in line


def test_trailing_commas_do_not_shift_the_columns(capsys, tmp_path):
    forecast = write(tmp_path / "forecast.csv",
                     "interval_start,calls,aht\n08:00,120,240,\n08:30,200,250,\n")
    doc = json.loads(ok(capsys, "staff", str(forecast), "--target", "80/20", "--json"))
    assert [row["agents"] for row in doc["rows"]] == [20, 33]


def test_interval_is_inferred_across_midnight(capsys, tmp_path):
    forecast = write(tmp_path / "forecast.csv",
                     "interval_start,calls,aht\n23:00,40,240\n23:30,30,240\n00:00,20,240\n")
    doc = json.loads(ok(capsys, "staff", str(forecast), "--target", "80/20", "--json"))
    assert doc["interval_seconds"] == 1800


def test_fractional_target_is_not_silently_read_as_a_percentage(capsys):
    line = error_line(capsys, *ERLANG, "--target", "0.8/20")
    assert "looks like a fraction: write 80/20" in line


@pytest.mark.parametrize(("argv", "option"), [
    ([*ERLANG], "--target"),
    ([*ERLANG, "--max-abandon", "0.05"], "--patience"),
    (["staff", "{forecast}", "--target", "80/20", "--interval", "0m"], "--interval"),
], ids=["no-target", "abandon-without-patience", "staff-zero-interval"])
def test_library_errors_name_the_cli_option(capsys, tmp_path, argv, option):
    forecast = write(tmp_path / "forecast.csv", DAY)
    line = error_line(capsys, *(a.format(forecast=forecast) for a in argv))
    assert option in line
