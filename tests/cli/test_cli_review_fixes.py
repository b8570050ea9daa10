"""Command-line problems found in review, now fixed: each keeps the test that showed it."""

from __future__ import annotations

import json

import pytest
from builders import DAY, ERLANG, error_line, marked, ok, write

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
