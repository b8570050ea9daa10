"""Usage of the command line: no command, ``--version``, and the installed console script runs
and reports errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import ERLANG, run

import blendsim
from blendsim.cli.app import main

# --------------------------------------------------------------------------------------------
# Usage


def test_no_command_is_one_error_line(capsys):
    status, out, err = run(capsys)
    assert status == 1
    assert out == ""
    assert err.strip() == ("blendsim: error: no command given: choose erlang, staff, blend, run, "
                           "tradeoff, sweep, roster, compare, report, assumptions or validate "
                           "(blendsim --help explains them)")


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
