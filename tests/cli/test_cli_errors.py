"""Command-line errors: one line ``blendsim: error: ...`` naming the option (or file field) and
the value, exit status 1, no traceback and no output file."""

from __future__ import annotations

import pytest
from builders import BLEND, DAY, ERLANG, error_line, write

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
