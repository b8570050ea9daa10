"""``blendsim sweep`` on the command line: ``--vary`` parsing, the table and sweep.csv it writes,
and its error lines (options, paths, stores)."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import BLENDED, error_line, run
from pandas.testing import assert_frame_equal

from blendsim import InputError
from blendsim.cli.app import main
from blendsim.cli.sim import parse_vary
from blendsim.experiment.sweep import sweep
from blendsim.outputs.tables import pct, secs

# --------------------------------------------------------------------------------------------
# The command line


@pytest.mark.parametrize("text, expected", [
    ("reserve=0..3", ("reserve", [0, 1, 2, 3])),
    ("reserve=2", ("reserve", [2])),
    (" reserve = 4, 1 ", ("reserve", [4, 1])),
    ("outbound[0].connect_probability=0.3,0.45", ("outbound[0].connect_probability",
                                                   [0.3, 0.45])),
    ("groups[blended team].headcount=4,6", ("groups[blended team].headcount", [4, 6])),
    ("day.open=08:00,09:30", ("day.open", ["08:00", "09:30"])),
    ("x=1,2.5,lognormal", ("x", [1, 2.5, "lognormal"])),
])
def test_parse_vary_forms(text, expected):
    path, values = parse_vary(text)
    assert (path, values) == expected
    assert [type(v) for v in values] == [type(v) for v in expected[1]]


@pytest.mark.parametrize("text, message", [
    ("reserve", r"--vary must look like PATH=0\.\.6 or PATH=a,b,c \(got 'reserve'\)"),
    ("=1,2", r"--vary must look like PATH=0\.\.6 or PATH=a,b,c \(got '=1,2'\)"),
    ("reserve=", r"--vary must look like PATH=0\.\.6 or PATH=a,b,c \(got 'reserve='\)"),
    ("reserve=4..1", r"--vary reserve range must run upwards, like 0\.\.5 \(got '4\.\.1'\)"),
    ("reserve=a..b", r"--vary reserve must be a range like 0\.\.5 or a list like 0,2,4"),
])
def test_parse_vary_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_vary(text)


def test_cli_sweep_prints_every_point_and_writes_sweep_csv(blended, capsys, tmp_path):
    out_dir = tmp_path / "out"
    status, out, err = run(capsys, "sweep", BLENDED, "--vary", "reserve=1,3",
                               "--vary", "outbound[0].connect_probability=0.3",
                               "--replications", "2", "--seed", "12", "--backend", "serial",
                               "--quiet", "--out", out_dir)
    assert (status, err) == (0, "")
    table = sweep(blended, {"reserve": [1, 3], "outbound[0].connect_probability": [0.3]},
                  replications=2, seed=12, backend="serial")
    assert "2 points x 2 replications, seed 12 for every point" in out
    lines = [line.split() for line in out.splitlines()]
    for _, r in table.iterrows():
        expect = [str(int(r["reserve"])), "0.3", "2", pct(r["service_level"]), secs(r["asa"]),
                  pct(r["abandon_rate"], 2), f"{r['conversations']:.1f}",
                  pct(r["mismatch_rate"], 2), pct(r["occupancy"])]
        assert expect in lines
    assert f"written: {out_dir / 'sweep.csv'}" in out
    written = pd.read_csv(out_dir / "sweep.csv")
    assert list(written.columns) == list(table.columns)
    assert_frame_equal(written, table, check_dtype=False, rtol=1e-5)


def test_cli_sweep_needs_a_vary(capsys):
    assert error_line(capsys, "sweep", BLENDED, "--backend", "serial") == (
        "blendsim: error: give at least one --vary PATH=VALUES (e.g. --vary reserve=0..4)")


def test_cli_sweep_reports_a_bad_path_on_one_line(capsys, tmp_path):
    line = error_line(capsys, "sweep", BLENDED, "--vary", "outbound[0].list_sise=100",
                      "--backend", "serial", "--out", tmp_path / "out")
    assert line.startswith("blendsim: error: grid path 'outbound[0].list_sise': ")
    assert "did you mean outbound[0].list_size" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("options, message", [
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --backend dask"),
    (["--backend", "pool", "--scheduler", "tcp://127.0.0.1:8786"],
     "--scheduler needs --backend dask"),
    (["--workers", "0"], "--workers must be a whole number and >= 1 (got '0')"),
    (["--workers", "1.5"], "--workers must be a whole number and >= 1 (got '1.5')"),
    (["--backend", "cloud"], "argument --backend: invalid choice: 'cloud' (choose from "
                             "'pool', 'serial', 'dask')"),
    (["--replications", "0"], "--replications must be a whole number and >= 1 (got '0')"),
])
def test_cli_sweep_option_errors(capsys, tmp_path, options, message):
    store = tmp_path / "s.sqlite"
    line = error_line(capsys, "sweep", BLENDED, "--vary", "reserve=1", "--store", store,
                      *options)
    assert line == f"blendsim: error: {message}"
    assert not store.exists()


def test_cli_sweep_refuses_a_store_of_another_seed(capsys, tmp_path):
    store = tmp_path / "s.sqlite"
    args = ["sweep", BLENDED, "--vary", "reserve=1", "--replications", "1", "--backend",
            "serial", "--quiet", "--store", store]
    status, out, _ = run(capsys, *args, "--seed", "1")
    assert status == 0 and f"; store {store}" in out
    assert error_line(capsys, *args, "--seed", "2") == (
        f"blendsim: error: store '{store}' holds results with seed 1, not 2: use that seed to "
        "add to it, or a new store file")


def test_cli_sweep_with_a_repeated_value_and_a_store_does_not_crash(capsys, tmp_path):
    status = main(["sweep", str(BLENDED), "--vary", "reserve=1,1", "--replications", "1",
                   "--seed", "1", "--backend", "serial", "--quiet",
                   "--store", str(tmp_path / "s.sqlite")])
    assert status in (0, 1)
