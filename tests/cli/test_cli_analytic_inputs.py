"""Issue 9, the analytic commands: bad input to ``erlang``, ``staff`` and ``blend`` (and to the
formulas behind them) is refused with one line naming the option, the value and the rule,
or gives a correct answer -- never a traceback, a runaway run or a nonsense result.

Forecasts out of time order are sorted; repeated interval starts, an ``--interval`` that
disagrees with the file, infinite or empty cells and other delimiters are named.  Every
size has an upper bound, checked before anything large is allocated.
"""

from __future__ import annotations

import json
import math
import tracemalloc
import warnings
from pathlib import Path

import pandas as pd
import pytest
from builders import ROOT, error_line, ok, run

from blendsim import (
    best_reserve,
    erlang_a,
    erlang_b,
    erlang_c,
    required_agents,
    scheduled_agents,
    service_level,
    staffing_table,
    threshold_blend,
)
from blendsim.analytic.blend import chain_states
from blendsim.cli._args import number_option, parse_duration, parse_int_range, parse_target
from blendsim.errors import InfeasibleError, InputError

ERLANG = ["erlang", "--calls", "120", "--interval", "30m", "--aht", "240", "--target", "80/20"]
BLEND = ["blend", "--calls", "60", "--interval", "30m", "--aht", "300", "--outbound-aht", "300",
         "--agents", "12"]
DAY = [("08:00", 120, 240), ("08:30", 150, 240), ("09:00", 200, 250), ("09:30", 180, 240),
       ("10:00", 60, 240)]


def forecast(path: Path, rows, header="interval_start,calls,aht") -> str:
    path.write_text(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return str(path)


def agents_of(doc) -> list[tuple[str, int]]:
    return [(r["interval_start"], r["agents"]) for r in doc["rows"]]


# --------------------------------------------------------------------------------------------
# staff: the order of the rows, repeated starts and the interval length


@pytest.mark.parametrize("order", [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3]], ids=["newest-first",
                                                                           "shuffled"])
def test_forecast_out_of_time_order_is_sorted(capsys, tmp_path, order):
    # Newest-first gave 1,410-minute intervals and "peak 1 agents"; shuffled was refused.
    good = json.loads(ok(capsys, "staff", forecast(tmp_path / "a.csv", DAY), "--target",
                         "80/20", "--json"))
    path = forecast(tmp_path / "b.csv", [DAY[i] for i in order])
    doc = json.loads(ok(capsys, "staff", path, "--target", "80/20", "--json"))
    assert doc["interval_seconds"] == 1800
    assert agents_of(doc) == agents_of(good)
    assert max(a for _, a in agents_of(doc)) == 33
    out = ok(capsys, "staff", path, "--target", "80/20", "--out", str(tmp_path / "plan.csv"))
    assert "lists its intervals out of time order; they are sorted by interval_start" in out
    assert "5 intervals of 30 min; 710 calls; peak 33 agents" in out
    written = pd.read_csv(tmp_path / "plan.csv")
    assert written["interval_start"].tolist() == [r[0] for r in DAY]


def test_a_forecast_in_time_order_gets_no_note(capsys, tmp_path):
    out = ok(capsys, "staff", forecast(tmp_path / "a.csv", DAY), "--target", "80/20")
    assert "note:" not in out


def test_sorting_keeps_a_night_together(capsys, tmp_path):
    rows = [("00:00", 20, 240), ("23:00", 40, 240), ("00:30", 10, 240), ("23:30", 30, 240)]
    doc = json.loads(ok(capsys, "staff", forecast(tmp_path / "n.csv", rows), "--target",
                        "80/20", "--json"))
    assert [r["interval_start"] for r in doc["rows"]] == ["23:00", "23:30", "00:00", "00:30"]
    assert doc["interval_seconds"] == 1800


def test_a_whole_day_starting_at_noon_keeps_its_order(capsys, tmp_path):
    starts = [f"{h:02d}:{m:02d}" for h in (*range(12, 24), *range(12)) for m in (0, 30)]
    path = forecast(tmp_path / "d.csv", [(s, 10, 200) for s in starts])
    out = ok(capsys, "staff", path, "--target", "80/20")
    assert "note:" not in out
    assert out.splitlines()[1].split()[0] == "12:00"
    assert "48 intervals of 30 min" in out


def test_dated_starts_are_sorted_too(capsys, tmp_path):
    rows = [("2024-03-04 09:00", 60, 240), ("2024-03-04 08:00", 40, 240),
            ("2024-03-04 10:00", 50, 240)]
    doc = json.loads(ok(capsys, "staff", forecast(tmp_path / "t.csv", rows), "--target",
                        "80/20", "--json"))
    assert [r["interval_start"][11:] for r in doc["rows"]] == ["08:00", "09:00", "10:00"]
    assert doc["interval_seconds"] == 3600


@pytest.mark.parametrize(("rows", "match"), [
    ([("08:00", 1, 240), ("08:30", 2, 240), ("08:30", 3, 240)],
     "interval_start '08:30' appears twice; each interval must have one row"),
    ([("08:00", 1, 240), ("8:00", 2, 240)],
     "interval_start '8:00' appears twice (the same time as '08:00')"),
    ([("morning", 1, 240), ("morning", 2, 240)], "interval_start 'morning' appears twice"),
], ids=["same-label", "same-time", "not-times"])
def test_repeated_interval_start_is_refused_by_name(capsys, tmp_path, rows, match):
    line = error_line(capsys, "staff", forecast(tmp_path / "f.csv", rows), "--target", "80/20",
                      "--interval", "30m")
    assert match in line


def test_interval_option_disagreeing_with_the_file_is_refused(capsys, tmp_path):
    # --interval 15m on a 30-minute file was accepted (peak 527 agents with the bank data).
    path = forecast(tmp_path / "f.csv", DAY)
    line = error_line(capsys, "staff", path, "--target", "80/20", "--interval", "15m")
    assert ("--interval 15m (15 min) disagrees with the file, whose interval_start values "
            "are 30 min apart") in line
    doc = json.loads(ok(capsys, "staff", path, "--target", "80/20", "--interval", "0.5h",
                        "--json"))
    assert doc["interval_seconds"] == 1800


def test_interval_option_allows_missing_intervals(capsys, tmp_path):
    rows = [("08:00", 40, 240), ("08:30", 60, 240), ("09:30", 60, 240)]
    path = forecast(tmp_path / "f.csv", rows)
    line = error_line(capsys, "staff", path, "--target", "80/20")
    assert "not evenly spaced (steps of 30 and 60 min); give --interval" in line
    doc = json.loads(ok(capsys, "staff", path, "--target", "80/20", "--interval", "30m",
                        "--json"))
    assert [r["agents"] for r in doc["rows"]] == staffing_table(
        {"interval_start": [r[0] for r in rows], "calls": [r[1] for r in rows],
         "aht": [r[2] for r in rows]}, interval=1800, target_sl=0.8,
        target_time=20)["agents"].tolist()


def test_hours_past_23_are_not_clock_times(capsys, tmp_path):
    line = error_line(capsys, "staff", forecast(tmp_path / "f.csv", [("23:30", 1, 240),
                                                                    ("24:00", 1, 240)]),
                      "--target", "80/20")
    assert "cannot tell the interval length from interval_start" in line


# --------------------------------------------------------------------------------------------
# staff: cells and delimiters


@pytest.mark.parametrize(("row", "match"), [
    (("08:30", "inf", 240), "row 3, column calls must be a finite number (got inf)"),
    (("08:30", "-inf", 240), "row 3, column calls must be a finite number (got -inf)"),
    (("08:30", 50, "inf"), "row 3, column aht must be a finite number (got inf)"),
    (("08:30", 50, ""), "row 3, column aht is empty but the interval has 50 calls: give its "
                        "average handle time in seconds (or --aht for every interval)"),
    (("08:30", "1e12", 240), "row 3, column calls must be at most 1,000,000,000 "
                             "(got 1000000000000)"),
    (("08:30", "1e300", 240), "row 3, column calls must be at most 1,000,000,000 (got 1e+300)"),
    (("08:30", 50, "1e9"), "row 3, column aht must be at most 31,622,400 seconds"),
    (("08:30", 50, "1e-7"), "row 3, column aht must be at least 0.001 seconds (got 1e-07)"),
], ids=["calls-inf", "calls-minus-inf", "aht-inf", "aht-empty", "calls-huge", "calls-1e300",
        "aht-huge", "aht-tiny"])
def test_bad_cells_are_named_by_row_and_column(capsys, tmp_path, row, match):
    path = forecast(tmp_path / "f.csv", [("08:00", 120, 240), row, ("09:00", 80, 200)])
    assert match in error_line(capsys, "staff", path, "--target", "80/20")


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab")])
def test_other_delimiters_are_recognised(capsys, tmp_path, sep, name):
    path = tmp_path / "f.csv"
    path.write_text(sep.join(["interval_start", "calls", "aht"]) + "\n"
                    + sep.join(["08:00", "10", "240"]) + "\n")
    line = error_line(capsys, "staff", str(path), "--target", "80/20")
    assert f"looks {name}-separated" in line
    assert "blendsim reads comma-separated CSV" in line


def test_rows_longer_than_the_header_are_refused(capsys, tmp_path):
    # pandas would drop the extra cells with only a warning.
    path = tmp_path / "f.csv"
    path.write_text("interval_start,calls,aht\n08:00,120,240,5,6\n08:30,100,240\n")
    line = error_line(capsys, "staff", str(path), "--target", "80/20")
    assert "not a readable CSV file (a row has more cells than the header names)" in line


def test_out_onto_a_folder_is_one_line(capsys, tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    line = error_line(capsys, "staff", forecast(tmp_path / "f.csv", DAY), "--target", "80/20",
                      "--out", str(folder))
    assert "is a folder; give a file name inside it" in line


def test_staffing_table_names_the_row_of_an_infinite_cell():
    day = {"interval_start": ["08:00", "08:30"], "calls": [10, math.inf], "aht": [240, 240]}
    with pytest.raises(InputError, match=r"forecast column 'calls' must hold finite numbers "
                                         r"\(got inf at row 1\)"):
        staffing_table(day, interval=1800, target_sl=0.8, target_time=20)


def test_staffing_table_names_the_interval_it_cannot_staff():
    day = {"interval_start": ["08:00", "08:30"], "calls": [10, 1e12], "aht": [240, 240]}
    with pytest.raises(InfeasibleError, match=r"forecast row 1 \(interval_start '08:30'\): no "
                                              r"staffing up to 10,000,000 agents"):
        staffing_table(day, interval=1800, target_sl=0.8, target_time=20)


# --------------------------------------------------------------------------------------------
# The option parsers: finite, bounded, with a hint for percentages given as fractions


@pytest.mark.parametrize(("text", "match"), [
    ("1e999s", r"--interval must be at most a year \(31,622,400 seconds\) \(got '1e999s'\)"),
    ("1e300s", r"--interval must be at most a year .*\(got '1e300s'\)"),
    ("400d", r"--interval must be a duration such as 30m, 1h or 900s"),
    ("9000h", r"--interval must be at most a year"),
    ("1e-300s", r"--interval must be at least 0.001 seconds \(got '1e-300s'\)"),
    ("0.0001s", r"--interval must be at least 0.001 seconds"),
])
def test_durations_are_between_a_millisecond_and_a_year(text, match):
    with pytest.raises(InputError, match=match):
        parse_duration("--interval", text, default_unit=None)


def test_erlang_huge_interval_is_refused_not_zero_agents(capsys):
    # "erlang --interval 1e999s" printed "required: 0 agents", exit 0.
    line = error_line(capsys, "erlang", "--calls", "120", "--interval", "1e999s", "--aht",
                      "240", "--target", "80/20")
    assert "--interval must be at most a year" in line and "'1e999s'" in line


def test_zero_durations_where_allowed_still_parse():
    assert parse_duration("--x", "0", positive=False) == 0.0
    with pytest.raises(InputError, match=r"--x must be at least 0.001 seconds \(or 0\)"):
        parse_duration("--x", "0.0001", positive=False)


@pytest.mark.parametrize(("text", "match"), [
    ("80/" + "9" * 400, r"--target seconds must be at most a year"),
    ("80/40000000", r"--target seconds must be at most a year"),
    ("80/0.0001", r"--target seconds must be at least 0.001 seconds \(or 0\)"),
])
def test_target_seconds_are_bounded(text, match):
    with pytest.raises(InputError, match=match):
        parse_target(text)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999", "NaN"])
def test_numbers_must_be_finite(text):
    with pytest.raises(InputError, match=rf"--calls must be a finite number \(got '{text}'\)"):
        number_option("--calls", text, low=0)


@pytest.mark.parametrize(("option", "value", "hint"), [
    ("--shrinkage", "30", "did you mean 0.3?"),
    ("--max-occupancy", "85", "did you mean 0.85?"),
    ("--max-abandon", "5", "did you mean 0.05?"),
])
def test_a_percentage_for_a_fraction_gets_a_hint(capsys, option, value, hint):
    argv = [*ERLANG, option, value] + (["--patience", "60"] if option == "--max-abandon" else [])
    line = error_line(capsys, *argv)
    assert f"{option} must be" in line and f"(got '{value}')" in line
    assert f"it is a fraction, not a percentage; {hint}" in line


def test_no_hint_for_values_that_are_not_percentages(capsys):
    line = error_line(capsys, *ERLANG, "--shrinkage", "1")
    assert "did you mean" not in line
    line = error_line(capsys, *ERLANG, "--shrinkage", "250")
    assert "did you mean" not in line


@pytest.mark.parametrize(("argv", "match"), [
    (["erlang", "--calls", "1e300", "--interval", "30m", "--aht", "240", "--target", "80/20"],
     "--calls must be >= 0 and <= 1,000,000,000 (got '1e300')"),
    (["erlang", "--calls", "nan", "--interval", "30m", "--aht", "240", "--target", "80/20"],
     "--calls must be a finite number (got 'nan')"),
    ([*ERLANG, "--below", "1e9"], "--below must be a whole number and >= 0 and <= 1000"),
    ([*ERLANG, "--above", "99999999999999999999999"], "--above must be a whole number"),
    ([*BLEND[:-2], "--agents", "1e9"],
     "--agents must be a whole number and >= 1 and <= 1000 (got '1e9'): the exact blending "
     "chain has (agents + 1) x queue levels states"),
    ([*BLEND, "--outbound-aht", "1e-300s"],
     "--outbound-aht must be at least 0.001 seconds (got '1e-300s')"),
    ([*BLEND, "--patience", "1e-9"], "--patience must be at least 0.001 seconds"),
    ([*BLEND, "--target="], "--target must look like 80/20"),
    ([*BLEND, "--reserve="], "--reserve must be a range like 0..5 or a list like 0,2,4"),
    ([*BLEND, "--reserve", "0..99999999999"], "--reserve values must be at most 1,000,000,000"),
    ([*BLEND, "--reserve", "0," + "9" * 5000], "--reserve values must be at most"),
], ids=["calls-huge", "calls-nan", "below-huge", "above-huge-int", "agents-1e9",
        "outbound-aht-tiny", "patience-tiny", "empty-target", "empty-reserve",
        "reserve-range-huge", "reserve-5000-digits"])
def test_bad_options_are_one_error_line(capsys, argv, match):
    assert match in error_line(capsys, *argv)


def test_min_agents_is_bounded(capsys, tmp_path):
    line = error_line(capsys, "staff", forecast(tmp_path / "f.csv", DAY), "--target", "80/20",
                      "--min-agents", "1e300")
    assert "--min-agents must be a whole number and >= 0 and <= 10,000,000" in line


@pytest.mark.parametrize(("text", "match"), [
    ("0..20000", r"--reserve range holds 20,001 values; at most 10,000"),
    ("0..1000000001", r"--reserve values must be at most 1,000,000,000"),
])
def test_ranges_are_bounded(text, match):
    with pytest.raises(InputError, match=match):
        parse_int_range("--reserve", text)


# --------------------------------------------------------------------------------------------
# blend: the work of one command is bounded before anything is solved


def test_blend_refuses_a_command_of_many_large_solves(capsys):
    line = error_line(capsys, "blend", "--calls", "60", "--interval", "30m", "--agents", "400",
                      "--aht", "300", "--outbound-aht", "300", "--target", "80/20")
    assert "--agents 400 with every reserve 0..400 means 411 exact solves" in line
    assert "blendsim solves up to 5,000,000 states per command" in line
    assert "--reserve" in line


def test_blend_tiny_patience_is_refused_with_the_reason(capsys):
    line = error_line(capsys, *BLEND, "--patience", "0.001", "--target", "80/20",
                      "--reserve", "2")
    assert "the service level within --target seconds = 20 would take about" in line
    assert "shorten the target or lengthen the patience" in line


def test_blend_library_refusals_name_the_options(capsys):
    line = error_line(capsys, "blend", "--calls", "6", "--interval", "30m", "--agents", "3",
                      "--aht", "0.001", "--outbound-aht", "1h", "--reserve", "1")
    assert ("--aht = 0.001 is more than 1,000,000 times shorter than --outbound-aht = 3600"
            in line)


def test_erlang_rows_whose_queue_cannot_be_summed_are_left_out_and_said(capsys):
    # Patience of 8,000 hours: teams well below the load of 83 Erlangs would need queues of
    # millions; those rows are left out (they were a traceback-free but fatal error).
    argv = ["erlang", "--calls", "1250", "--interval", "1h", "--aht", "240", "--patience",
            "8000h", "--target", "80/20", "--below", "100"]
    out = ok(capsys, *argv)
    assert ("(rows up to 74 agents left out: with so few agents the queue grows past the "
            "million places Erlang A sums over)") in out
    doc = json.loads(ok(capsys, *argv, "--json"))
    r = required_agents(1250 / 3600, 240, target_sl=0.8, target_time=20, model="erlang_a",
                        patience=8000 * 3600)
    assert doc["required"]["agents"] == r.agents == 91
    assert [row["agents"] for row in doc["rows"]] == list(range(75, 96))


def test_chain_states_counts_the_states_threshold_blend_solves():
    kw = dict(agents=5, rate=0.01, aht=300, outbound_aht=120)
    # Level 0 holds (i, o) with 5 - k <= i + o <= 5; each queue level has 6 phases.
    for k in range(6):
        level0 = sum(b + 1 for b in range(5 - k, 6))
        assert (chain_states(**kw, reserve=k) - level0) % 6 == 0
    assert chain_states(agents=5, rate=1.0, aht=300, outbound_aht=120, reserve=1) == 0


# --------------------------------------------------------------------------------------------
# The formulas: InputError naming the argument, before allocating anything large


def peak_bytes(call) -> int:
    """The largest traced allocation while ``call()`` runs (numpy arrays included)."""
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize(("call", "match"), [
    (lambda: erlang_c(1e300, 8), r"agents must be <= 10000000 \(got 1e\+300\)"),
    (lambda: erlang_b([1.0, 1e300], 8), r"agents must be <= 10000000 \(got 1e\+300 at index 1\)"),
    (lambda: service_level(10, 1e300, 180, 20), r"load must be <= 10000000"),
    (lambda: erlang_a(1e300, 0.1, 180, 60), r"agents must be <= 10000000"),
    (lambda: scheduled_agents([1, 1e300], 0.3), r"agents must be <= 10000000"),
    (lambda: required_agents(0.1, 240, target_sl=0.8, target_time=20, min_agents=1e300),
     r"min_agents must be <= 10000000"),
])
def test_sizes_are_bounded(call, match):
    with pytest.raises(InputError, match=match):
        call()


@pytest.mark.parametrize(("kw", "match"), [
    (dict(rate=1e9), r"Erlang A would need more than 1,000,000 queue positions"),
    (dict(rate=1e300), r"Erlang A would need more than 1,000,000 queue positions"),
    (dict(patience=None, rate=1.0, capacity=10**9),
     r"Erlang A would need more than 1,000,000 queue positions .*patience none"),
    (dict(patience=1e300), r"patience = 1e\+300 is more than 1e\+15 times longer than aht = "
                           r"240: .*give patience=None"),
    (dict(patience=1e-300), r"patience = 1e-300 is more than 1e\+15 times shorter"),
])
def test_erlang_a_refuses_what_it_cannot_sum_before_allocating(kw, match):
    args = {**dict(agents=10, rate=2 / 60, aht=240, patience=120, target=20), **kw}
    with pytest.raises(InputError, match=match):
        erlang_a(**args)

    def refused():
        with pytest.raises(InputError):
            erlang_a(**args)

    assert peak_bytes(refused) < 40_000_000  # it used to ask for gigabytes


def test_erlang_a_tiny_rate_is_quiet_and_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = erlang_a(10, 1e-300, 240, 120, target=20)
        small = erlang_a(10, 1e-300, 1e-3, 1e-3, target=20)
    assert r.p_wait == pytest.approx(0.0, abs=1e-300) and r.service_level == 1.0
    assert small.service_level == 1.0 and math.isfinite(small.asa)


def test_required_agents_huge_load_is_infeasible_in_plain_words():
    for model in ({}, dict(model="erlang_a", patience=120)):
        with pytest.raises(InfeasibleError) as e:
            required_agents(1e300, 240, target_sl=0.8, target_time=20, **model)
        msg = str(e.value)
        assert "rate * aht = 2.4e+302 Erlangs is more than 10,000,000 agents can carry" in msg
        assert len(msg) < 200  # it printed a 300-digit head count


def test_erlang_a_staffing_with_very_patient_callers_matches_erlang_c():
    # Patience 100,000 times aht: teams far below the load need queues of millions, taken as
    # missing the target during the search; the answer is Erlang C's.
    rate, aht = 50 / 240, 240.0
    a = required_agents(rate, aht, target_sl=0.8, target_time=20, model="erlang_a",
                        patience=aht * 1e5)
    c = required_agents(rate, aht, target_sl=0.8, target_time=20)
    assert a.agents == c.agents
    assert a.p_abandon < 1e-4


BLEND_KW = dict(agents=12, rate=60 / 1800, aht=300, outbound_aht=300, reserve=2)


@pytest.mark.parametrize(("kw", "match"), [
    (dict(agents=1001), r"agents = 1,001 is beyond the exact model: .*up to 1,000 agents"),
    (dict(agents=10**9), r"agents = 1,000,000,000 is beyond the exact model"),
    (dict(outbound_aht=1e-300), r"outbound_aht = 1e-300 is more than 1,000,000 times shorter "
                                r"than aht = 300"),
    (dict(aht=1e-300), r"aht = 1e-300 is more than 1,000,000 times shorter than "
                       r"outbound_aht = 300"),
    (dict(patience=1e-9), r"patience = 1e-09 is more than 1,000,000 times shorter"),
    (dict(rate=1e6, patience=1e5), r"the blending chain would need more than [0-9,]+ states"),
    (dict(rate=299 / 300, agents=300, patience=1e300),
     r"the blending chain would need [0-9,]+ states \(agents=300, [0-9,]+ queue levels\)"),
    (dict(patience=120, target=1e9), r"the service level within target = 1000000000 would "
                                     r"take about"),
])
def test_threshold_blend_refuses_before_allocating(kw, match):
    args = {**BLEND_KW, **kw}

    def refused():
        with pytest.raises(InputError, match=match):
            threshold_blend(**args)

    assert peak_bytes(refused) < 40_000_000  # agents=1e9 asked for 5 GB


def test_threshold_blend_with_endless_patience_is_erlang_c_like():
    none = threshold_blend(**BLEND_KW, target=20)
    huge = threshold_blend(**BLEND_KW, patience=1e300, target=20)
    assert huge.service_level == pytest.approx(none.service_level, rel=1e-9)
    assert huge.outbound_rate == pytest.approx(none.outbound_rate, rel=1e-9)


def test_best_reserve_names_target_time():
    with pytest.raises(InputError, match=r"target_time must be a number, not NaN"):
        best_reserve(agents=5, rate=0.01, aht=300, outbound_aht=120, target_sl=0.8,
                     target_time=math.nan)


# --------------------------------------------------------------------------------------------
# A small fuzz of every option: exit 0 with output, or exit 1 with one error line

ODD = ["-5", "0", "nan", "inf", "1e300", "1e-300", "", "abc", "99999999999999999999999",
       "\u0661\u0662\u0660", "1e999", "2.5"]


def fuzz_cases():
    erlang = dict(zip(ERLANG[1::2], ERLANG[2::2], strict=True))
    blend = {**dict(zip(BLEND[1::2], BLEND[2::2], strict=True)), "--target": "80/20"}
    for cmd, base, extra in (
            ("erlang", erlang, ["--shrinkage", "--below", "--patience", "--target-asa"]),
            ("blend", blend, ["--reserve", "--patience"])):
        for option in [*base, *extra]:
            for value in ODD:
                argv = [f"{k}={v}" for k, v in {**base, option: value}.items()]
                yield pytest.param([cmd, *argv], id=f"{cmd}{option}={value}")


@pytest.mark.parametrize("argv", list(fuzz_cases()))
def test_fuzzed_options_never_crash(capsys, argv):
    status, out, err = run(capsys, *argv)
    if status == 0:
        assert err == "" and out.strip()
        assert "nan" not in out.lower().split()
    else:
        assert status == 1 and out == ""
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("blendsim: error: ")


# --------------------------------------------------------------------------------------------
# Real data (skipped without ../shared/data beside the repository): one day of a bank's
# 5-minute counts

BANK = (ROOT.parent / "shared" / "data"
        / "us_bank_2003_5min_calls_handled.csv")


@pytest.mark.skipif(not BANK.is_file(), reason="real call-centre data not available")
def test_real_day_newest_first_and_a_wrong_interval(capsys, tmp_path):
    d = pd.read_csv(BANK)
    day = d[d["date"] == "2003-03-03"][["start_time", "calls"]].rename(
        columns={"start_time": "interval_start"})
    day.to_csv(tmp_path / "day.csv", index=False)
    day.iloc[::-1].to_csv(tmp_path / "newest_first.csv", index=False)
    options = ["--aht", "240", "--target", "80/20", "--json"]
    good = json.loads(ok(capsys, "staff", str(tmp_path / "day.csv"), *options))
    newest = json.loads(ok(capsys, "staff", str(tmp_path / "newest_first.csv"), *options))
    assert good["interval_seconds"] == newest["interval_seconds"] == 300
    assert agents_of(newest) == agents_of(good)
    line = error_line(capsys, "staff", str(tmp_path / "day.csv"), *options, "--interval", "15m")
    assert "disagrees with the file, whose interval_start values are 5 min apart" in line


def test_required_blend_agents_is_bounded():
    from blendsim import required_blend_agents

    kw = dict(rate=6 / 300, aht=300, outbound_aht=180, target_sl=0.8, target_time=20)
    with pytest.raises(InputError, match=r"max_agents must be <= 1000 \(got 10000\)"):
        required_blend_agents(**kw, outbound_rate=0.01, max_agents=10_000)
    # Both loads overflowing used to be an OverflowError.
    with pytest.raises(InfeasibleError, match=r"the two loads alone need inf agents"):
        required_blend_agents(**{**kw, "rate": 1e300, "aht": 1e300}, outbound_rate=0.01)
    r = required_blend_agents(**kw, outbound_rate=60 / 3600)
    assert (r.agents, r.reserve) == (11, 2)  # the same team as the one-by-one search found


def test_forecast_size_is_bounded(capsys, tmp_path, monkeypatch):
    import blendsim.analytic.forecast as reader

    monkeypatch.setattr(reader, "MAX_FORECAST_ROWS", 4)
    line = error_line(capsys, "staff", forecast(tmp_path / "f.csv", DAY), "--target", "80/20")
    assert "5 intervals; blendsim staffs at most 4 from one file" in line
    monkeypatch.setattr(reader, "MAX_FORECAST_BYTES", 10)
    line = error_line(capsys, "staff", forecast(tmp_path / "f.csv", DAY), "--target", "80/20")
    assert "is more than a forecast holds (at most 0 MB" in line
