"""Progress of long runs: a bar on a terminal, none when quiet, off a terminal or for a single
task."""

from __future__ import annotations

import io
import sys

from blendsim.experiment.backends import _progress, run_tasks

# --------------------------------------------------------------------------------------------
# Progress


class Terminal(io.StringIO):
    """A standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_no_progress_bar_when_quiet_not_a_terminal_or_a_single_task(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert _progress(5, True, "simulating") is None
    assert _progress(1, False, "simulating") is None
    assert _progress(0, False, "simulating") is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal
    assert _progress(5, False, "simulating") is None
    assert sys.stderr.getvalue() == ""


def test_a_progress_bar_on_a_terminal(monkeypatch):
    from tqdm import tqdm

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    bar = _progress(5, False, "sweeping")
    try:
        assert isinstance(bar, tqdm)
        assert (bar.total, bar.desc, bar.unit) == (5, "sweeping", "run")
    finally:
        bar.close()
    assert "sweeping" in terminal.getvalue()


def test_run_tasks_draws_its_bar_on_the_terminal_unless_quiet(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    tasks = [(2, 3), (3, 2), (2, 5)]
    assert dict(run_tasks(pow, tasks, backend="serial", label="testing")) == {
        0: 8, 1: 9, 2: 32}
    assert "testing" in terminal.getvalue() and "/3" in terminal.getvalue()
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert dict(run_tasks(pow, tasks, backend="serial", quiet=True)) == {0: 8, 1: 9, 2: 32}
    assert quiet.getvalue() == ""
