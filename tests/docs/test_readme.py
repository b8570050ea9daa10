"""README.md stays true: its Python examples and command-line transcripts are re-run here."""

from __future__ import annotations

import doctest
import re
import shlex

import pytest
from builders import ROOT

from blendsim.cli.app import main

README = (ROOT / "README.md").read_text()
TRANSCRIPTS = re.findall(r"```text\n\$ (blendsim[^\n]*)\n(.*?)```", README, flags=re.S)
TEST_COMMAND = 'pip install -e ".[dev,dask]" && python -m pytest'


def test_python_examples_run_as_written():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10
    assert result.failed == 0


@pytest.mark.parametrize("command, expected", TRANSCRIPTS, ids=[c for c, _ in TRANSCRIPTS])
def test_command_line_transcripts_are_current(command, expected, capsys):
    argv = shlex.split(command)[1:]
    try:
        status = main(argv)
    except SystemExit as e:  # --help exits through argparse
        status = e.code
    assert status == 0
    out = capsys.readouterr().out
    assert out.strip() == expected.strip()


def test_transcripts_were_found():
    assert len(TRANSCRIPTS) >= 3


def test_the_two_commands_are_shown_and_ci_runs_the_test_command():
    assert "blendsim run scenarios/bank_blended.toml" in README
    assert "blendsim tradeoff scenarios/bank_blended.toml --reserve 0..6" in README
    assert TEST_COMMAND in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert TEST_COMMAND in ci
