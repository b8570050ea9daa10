"""A sweep killed with SIGKILL and started again on its store ends with exactly the results of
an uninterrupted run: nothing lost, nothing duplicated, nothing computed twice."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from builders import BLENDED, count_tasks
from pandas.testing import assert_frame_equal, assert_series_equal

from blendsim.experiment.store import read_store
from blendsim.experiment.sweep import sweep

# --------------------------------------------------------------------------------------------
# Kill and resume

KILL_GRID = ["--vary", "reserve=0..4"]
KILL_REPS, KILL_SEED = 12, 11
KILL_TOTAL = 5 * KILL_REPS


@pytest.fixture(scope="module")
def uninterrupted(blended, tmp_path_factory):
    """The store and table of the kill tests' sweep, run without interruption."""
    path = tmp_path_factory.mktemp("uninterrupted") / "store.sqlite"
    table = sweep(blended, {"reserve": [0, 1, 2, 3, 4]}, replications=KILL_REPS,
                  seed=KILL_SEED, store=path, backend="serial", quiet=True)
    return path, table


def sweep_command(store: Path, *backend: str) -> list[str]:
    return [sys.executable, "-m", "blendsim", "sweep", str(BLENDED), *KILL_GRID,
            "--replications", str(KILL_REPS), "--seed", str(KILL_SEED), "--store", str(store),
            "--quiet", *backend]


def stored_count(path: Path) -> int:
    """Results committed so far (0 while the file or its tables do not exist yet)."""
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(path, timeout=5)) as db:
            return db.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def kill_midway(cmd: list[str], store: Path, log: Path) -> None:
    """Start ``cmd`` in its own session; SIGKILL its process group once some results are in."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while stored_count(store) == 0:
            assert proc.poll() is None, "the sweep ended before any result was seen: " + \
                log.read_text()
            assert time.monotonic() < deadline, "no result stored in 120 s"
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and every worker it started
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def check_kill_and_resume(tmp_path, uninterrupted, *backend: str) -> None:
    store = tmp_path / "store.sqlite"
    cmd = sweep_command(store, *backend)
    kill_midway(cmd, store, tmp_path / "killed.log")

    partial, fails = read_store(store)  # readable after SIGKILL, holding what it finished
    assert fails.empty
    assert 0 < len(partial) < KILL_TOTAL
    assert not partial.duplicated(["point", "replication"]).any()
    reference, _ = read_store(uninterrupted[0])
    kept = partial.merge(reference, on=["point", "replication"], suffixes=("", "_ref"))
    assert len(kept) == len(partial)
    for col in partial.columns.drop(["point", "replication"]):
        assert_series_equal(kept[col], kept[f"{col}_ref"], check_names=False)

    # Start the same command again.  It must only add what is missing: adding a (point,
    # replication) already stored would break the results table's primary key and crash.
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert f"5 points x {KILL_REPS} replications, seed {KILL_SEED}" in done.stdout
    resumed, fails = read_store(store)
    assert fails.empty
    assert_frame_equal(resumed, reference)  # the same rows, the same figures, nothing more
    after_kill = partial.set_index(["point", "replication"])
    assert_frame_equal(resumed.set_index(["point", "replication"]).loc[after_kill.index],
                       after_kill)


def test_a_killed_serial_sweep_resumes_to_the_uninterrupted_result(tmp_path, uninterrupted):
    check_kill_and_resume(tmp_path, uninterrupted, "--backend", "serial")


def test_a_killed_pool_sweep_resumes_to_the_uninterrupted_result(tmp_path, uninterrupted):
    check_kill_and_resume(tmp_path, uninterrupted)  # the default backend: the process pool


def test_a_rerun_on_a_complete_store_computes_nothing(blended, uninterrupted, tmp_path,
                                                      monkeypatch):
    store = tmp_path / "complete.sqlite"
    shutil.copy(uninterrupted[0], store)
    before, _ = read_store(store)
    tasks = count_tasks(monkeypatch)
    table = sweep(blended, {"reserve": [0, 1, 2, 3, 4]}, replications=KILL_REPS,
                  seed=KILL_SEED, store=store, backend="serial")
    assert tasks == []
    assert_frame_equal(table, uninterrupted[1])
    assert_frame_equal(read_store(store)[0], before)


def test_a_resumed_sweep_computes_exactly_the_missing_replications(blended, tmp_path,
                                                                   monkeypatch):
    store = tmp_path / "store.sqlite"
    grid = {"reserve": [1, 3]}
    whole = sweep(blended, grid, replications=3, seed=5, store=store, backend="serial")
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("DELETE FROM results WHERE (point, replication) IN ((1, 0), (2, 2))")
    tasks = count_tasks(monkeypatch)
    again = sweep(blended, grid, replications=3, seed=5, store=store, backend="serial")
    assert sorted(tasks) == [(1, 0), (3, 2)]
    assert_frame_equal(again, whole)
