"""Tests of running at scale: backends, sweeps, the results store, resuming, progress.

- Every backend (this process, the local process pool, a real Dask cluster on loopback) gives
  identical records and tables for the same seed.
- A sweep killed with SIGKILL and started again on its store ends with exactly the results of
  an uninterrupted run: nothing lost, nothing duplicated, nothing computed twice.
- The store remembers scenario, seed and version and refuses to mix; grid paths name fields
  of the scenario file and every mistake is an ``InputError`` saying what is wrong and where.
- A point whose simulation raises is reported with its parameters; the others are kept.

Grids and replication counts are small: these tests check plumbing, not statistics.  Some
tests pin problems found in review (since fixed) with the smallest reproduction.
"""

from __future__ import annotations

import importlib
import io
import json
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

import blendsim
from blendsim import InputError, Threshold, load_scenario, simulate, tradeoff
from blendsim.cli.app import main
from blendsim.cli.sim import parse_vary
from blendsim.experiment.backends import TaskError, _progress, run_tasks
from blendsim.experiment.store import read_store
from blendsim.experiment.sweep import field_paths, point_scenario, replication_figures, sweep
from blendsim.outputs.tables import pct, secs
from blendsim.scenario.file import scenario_to_dict, to_toml

sweep_module = importlib.import_module("blendsim.experiment.sweep")
cli_sim = importlib.import_module("blendsim.cli.sim")

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BLENDED = SCENARIOS / "bank_blended.toml"
INBOUND_ONLY = SCENARIOS / "anonymous_bank_day.toml"


@pytest.fixture(scope="module")
def blended():
    return load_scenario(BLENDED)


@pytest.fixture(scope="module")
def inbound_only():
    return load_scenario(INBOUND_ONLY)


def reserve_of(scenario) -> int:
    """The reserve of the scenario's threshold policy."""
    [reserve] = [p.reserve for p in scenario.blending if isinstance(p, Threshold)]
    return reserve


def count_tasks(monkeypatch) -> list[tuple[int, int]]:
    """``(reserve, replication)`` of each task sweep() hands to its backend from now on (it
    still runs them)."""
    seen: list[tuple[int, int]] = []
    real = sweep_module.run_tasks

    def counting(func, tasks, **kwargs):
        seen.extend((reserve_of(sc), r) for sc, _seed, r in tasks)
        return real(func, tasks, **kwargs)

    monkeypatch.setattr(sweep_module, "run_tasks", counting)
    return seen


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def error_line(capsys, *argv) -> str:
    """The one error line of a command that must fail cleanly (exit 1, nothing on stdout)."""
    status, out, err = run_cli(capsys, *argv)
    assert (status, out) == (1, "")
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("blendsim: error: "), err
    return lines[0]


class FailsAtReserve:
    """A blending policy that raises once the scenario's threshold reserve is ``reserve``.

    Otherwise it always agrees, leaving the decision to the threshold beside it.
    """

    def __init__(self, reserve: int):
        self.reserve = reserve

    def __repr__(self) -> str:  # stable: a store compares scenarios by their text
        return f"FailsAtReserve(reserve={self.reserve})"

    def may_start_outbound(self, acd, agent: int) -> bool:
        if any(isinstance(p, Threshold) and p.reserve == self.reserve
               for p in acd.scenario.blending):
            raise RuntimeError(f"policy broke at reserve {self.reserve}")
        return True


class FailsAtListSize:
    """A blending policy that raises when the first campaign's list has ``list_size`` names."""

    def __init__(self, list_size: int):
        self.list_size = list_size

    def __repr__(self) -> str:
        return f"FailsAtListSize(list_size={self.list_size})"

    def may_start_outbound(self, acd, agent: int) -> bool:
        if acd.scenario.outbound[0].list_size == self.list_size:
            raise RuntimeError(f"policy broke at list size {self.list_size}")
        return True


# --------------------------------------------------------------------------------------------
# 1. Identical numbers on every backend

REPS, SEED = 3, 20240611
SWEEP_GRID = {"reserve": [1, 3], "groups[blended team].headcount": [4, 6]}
TRADEOFF = {"reserve": [0, 2], "blended_agents": [4, 6]}


@pytest.fixture(scope="module")
def serial_result(blended):
    return simulate(blended, replications=REPS, seed=SEED, backend="serial")


@pytest.fixture(scope="module")
def serial_sweep(blended):
    return sweep(blended, SWEEP_GRID, replications=REPS, seed=SEED, backend="serial")


@pytest.fixture(scope="module")
def serial_tradeoff(blended):
    return tradeoff(blended, **TRADEOFF, replications=REPS, seed=SEED, backend="serial")


@pytest.fixture(scope="module")
def distributed():
    return pytest.importorskip(
        "dask.distributed",
        reason='Dask is not installed (pip install "blendsim[dask]"); CI installs it')


@pytest.fixture(scope="module")
def dask_cluster(distributed):
    """One real local Dask cluster on loopback, shared by this module's Dask tests."""
    cluster = distributed.LocalCluster(host="127.0.0.1", n_workers=2, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
    yield cluster
    cluster.close()


def assert_same_records(a, b) -> None:
    assert (a.seed, a.replications) == (b.seed, b.replications)
    assert_frame_equal(a.contacts, b.contacts)
    assert_frame_equal(a.agents, b.agents)
    assert_frame_equal(a.ready, b.ready)


def test_the_reference_run_has_every_kind_of_record(serial_result):
    # So that the comparisons below compare something: inbound and outbound contacts of
    # every replication, agents' periods, and spans of waiting for the dialler.
    c = serial_result.contacts
    assert set(c["replication"]) == set(range(REPS))
    assert {"inbound", "outbound"} <= set(c["kind"])
    assert len(serial_result.agents) > 0 and len(serial_result.ready) > 0


def test_the_pool_gives_the_serial_records(blended, serial_result):
    pooled = simulate(blended, replications=REPS, seed=SEED, backend="pool", workers=2)
    assert_same_records(pooled, serial_result)


def test_a_dask_cluster_at_an_address_gives_the_serial_records(blended, serial_result,
                                                                 dask_cluster):
    before = dask_cluster.scheduler.transition_counter
    result = simulate(blended, replications=REPS, seed=SEED, backend="dask",
                      scheduler=dask_cluster.scheduler_address)
    assert dask_cluster.scheduler.transition_counter > before  # the cluster did the work
    assert_same_records(result, serial_result)


# (Its HTTP server moves off port 8787 when the shared cluster holds it, and says so.)
@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")
def test_dask_without_a_scheduler_starts_and_stops_a_loopback_cluster(
        blended, serial_result, distributed, monkeypatch):
    made = []

    class Recorded(distributed.LocalCluster):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append((kwargs, self))

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    result = simulate(blended, replications=REPS, seed=SEED, backend="dask", workers=2)
    assert_same_records(result, serial_result)
    [(kwargs, cluster)] = made
    assert kwargs["host"] == "127.0.0.1" and kwargs["n_workers"] == 2
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert cluster.status.name == "closed"  # nothing left running after the call


def test_the_sweep_table_is_the_same_on_the_pool(blended, serial_sweep):
    assert len(serial_sweep) == 4 and (serial_sweep["replications"] == REPS).all()
    assert serial_sweep["service_level"].nunique() > 1  # the points differ
    pooled = sweep(blended, SWEEP_GRID, replications=REPS, seed=SEED, backend="pool",
                   workers=2)
    assert_frame_equal(pooled, serial_sweep)
    assert pooled.attrs["failures"].empty and pooled.attrs["seed"] == SEED


def test_the_sweep_table_is_the_same_on_dask(blended, serial_sweep, dask_cluster):
    dasked = sweep(blended, SWEEP_GRID, replications=REPS, seed=SEED, backend="dask",
                   scheduler=dask_cluster.scheduler_address)
    assert_frame_equal(dasked, serial_sweep)
    assert dasked.attrs["failures"].empty and dasked.attrs["seed"] == SEED


def test_the_tradeoff_table_is_the_same_on_the_pool(blended, serial_tradeoff):
    assert len(serial_tradeoff) == 4
    assert serial_tradeoff["conversations"].nunique() > 1
    pooled = tradeoff(blended, **TRADEOFF, replications=REPS, seed=SEED, backend="pool",
                      workers=2)
    assert_frame_equal(pooled, serial_tradeoff)


def test_the_tradeoff_table_is_the_same_on_dask(blended, serial_tradeoff, dask_cluster):
    dasked = tradeoff(blended, **TRADEOFF, replications=REPS, seed=SEED, backend="dask",
                      scheduler=dask_cluster.scheduler_address)
    assert_frame_equal(dasked, serial_tradeoff)


def test_a_sweep_point_is_the_simulation_of_that_scenario(blended, serial_sweep):
    # Each row summarises simulate() of the point's scenario with the sweep's seed.
    row = serial_sweep.iloc[3]
    params = {k: int(serial_sweep.at[3, k]) for k in SWEEP_GRID}
    assert params == {"reserve": 3, "groups[blended team].headcount": 6}
    result = simulate(point_scenario(blended, params), replications=REPS, seed=SEED,
                      backend="serial")
    s = result.summary()
    for fig in ("offered", "service_level", "asa", "conversations", "occupancy"):
        assert row[fig] == pytest.approx(s.loc[fig, "mean"], rel=1e-12)
        assert row[f"{fig}_ci_low"] == pytest.approx(s.loc[fig, "ci_low"], rel=1e-9)
        assert row[f"{fig}_ci_high"] == pytest.approx(s.loc[fig, "ci_high"], rel=1e-9)


def test_a_failing_task_is_reported_and_the_others_kept_on_serial_and_pool():
    for backend in ("serial", "pool"):
        out = dict(run_tasks(math.sqrt, [(4.0,), (-1.0,), (9.0,)], backend=backend,
                             workers=2, quiet=True))
        assert out[0] == 2.0 and out[2] == 3.0
        assert isinstance(out[1], TaskError)
        assert (out[1].kind, out[1].message) == ("ValueError", "math domain error")


# What students write: a plain script, a policy class of their own.  Each runs in a fresh
# interpreter, because how pool workers start depends on the main module and its threads.

JUPYTER_LIKE = '''
import threading, time
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
'''
LUNCH_POLICY = '''
import blendsim as bs

class NotAtLunch:
    def may_start_outbound(self, acd, agent):
        return not 12 * 3600 <= acd.now < 13 * 3600
'''


def run_python(tmp_path, code: str) -> subprocess.CompletedProcess:
    script = tmp_path / "student.py"
    script.write_text(code)
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)


def run_python_c(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)


def test_a_script_without_a_main_guard_runs_on_the_default_pool(tmp_path, serial_result):
    done = run_python(tmp_path, f'''
import blendsim as bs
from blendsim.experiment import backends
r = bs.simulate(bs.load_scenario({str(BLENDED)!r}), replications=4, seed=5)
print(backends._pool is not None, r.contacts.shape[0], r.summary().loc["answered", "mean"])
''')
    assert done.returncode == 0, done.stderr
    started_pool, rows, answered = done.stdout.split()
    assert started_pool == "True"
    expected = simulate(load_scenario(BLENDED), replications=4, seed=5, backend="serial")
    assert int(rows) == len(expected.contacts)
    assert float(answered) == expected.summary().loc["answered", "mean"]


def test_a_policy_class_of_the_main_module_stays_in_process_by_default(monkeypatch):
    from blendsim.experiment.replications import default_backend

    main_module = sys.modules["__main__"]
    cls = type("NotAtLunch", (), {"__module__": "__main__",
                                  "may_start_outbound": lambda self, acd, agent: True})
    monkeypatch.setattr(main_module, "NotAtLunch", cls, raising=False)
    assert default_backend(None, cls()) == "serial"
    assert default_backend(None, blendsim.AllOf((Threshold(reserve=1), cls()))) == "serial"
    assert default_backend(None, Threshold(reserve=1), None) == "pool"
    assert default_backend("dask", cls()) == "dask"  # asked for: as asked


def test_a_notebook_policy_runs_by_default_and_gives_the_serial_numbers():
    # As in Jupyter: the main module has no file and threads are running, so pool workers
    # could not import the class; by default the work stays in this process.
    code = JUPYTER_LIKE + LUNCH_POLICY + f'''
sc = bs.load_scenario({str(BLENDED)!r})
a = bs.simulate(sc, replications=3, seed=2, blending=bs.AllOf((NotAtLunch(),)))
b = bs.simulate(sc, replications=3, seed=2, blending=bs.AllOf((NotAtLunch(),)),
                backend="serial")
print(a.contacts.equals(b.contacts), a.summary().loc["conversations", "mean"])
'''
    done = run_python_c(code)
    assert done.returncode == 0, done.stderr
    same, conversations = done.stdout.split()
    assert same == "True" and float(conversations) > 0


def test_a_local_dask_cluster_in_a_script_without_a_main_guard_is_a_clear_error(
        tmp_path, distributed):
    done = run_python(tmp_path, f'''
import blendsim as bs
try:
    bs.simulate(bs.load_scenario({str(BLENDED)!r}), replications=2, seed=1, backend="dask")
except bs.BlendsimError as e:
    print("ERROR:", e)
''')
    assert done.returncode == 0, done.stderr
    error = next(line for line in done.stdout.splitlines() if line.startswith("ERROR:"))
    assert error.startswith("ERROR: could not start a local Dask cluster (")
    assert 'a script needs its code under `if __name__ == "__main__":`' in error


def test_a_pool_whose_worker_cannot_load_the_task_is_a_clear_error_then_recovers():
    # A thread already running (as in Jupyter) makes the pool start clean processes, which
    # cannot import a class defined in __main__ by `python -c` or a notebook.
    done = run_python_c(JUPYTER_LIKE + LUNCH_POLICY + f'''
sc = bs.load_scenario({str(BLENDED)!r})
try:
    bs.simulate(sc, replications=2, seed=1, blending=NotAtLunch(), backend="pool")
except bs.BlendsimError as e:
    print("ERROR:", e)
print("AFTER:", bs.simulate(sc, replications=2, seed=1).contacts.shape[0])
''')
    assert done.returncode == 0, done.stderr
    error = next(line for line in done.stdout.splitlines() if line.startswith("ERROR:"))
    assert "a worker of the process pool stopped before finishing its task" in error
    assert "backend='serial'" in error and 'if __name__ == "__main__":' in error
    after = next(line for line in done.stdout.splitlines() if line.startswith("AFTER:"))
    assert int(after.split()[1]) > 0


# --------------------------------------------------------------------------------------------
# 2. Kill and resume

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


# --------------------------------------------------------------------------------------------
# 3. The store


def test_the_store_records_scenario_seed_and_version(blended, tmp_path):
    store = tmp_path / "s.sqlite"
    sweep(blended, {"reserve": [2]}, replications=1, seed=42, store=store, backend="serial")
    with closing(sqlite3.connect(store)) as db:
        meta = dict(db.execute("SELECT key, value FROM meta"))
    assert meta == {"scenario": to_toml(scenario_to_dict(blended)), "seed": "42",
                    "version": blendsim.__version__}


def test_the_store_refuses_another_scenario_seed_or_version(blended, tmp_path):
    store = tmp_path / "s.sqlite"
    grid = {"reserve": [2]}
    sweep(blended, grid, replications=1, seed=42, store=store, backend="serial")
    name = f"store '{store}'"
    other = blended.replace(name="another centre")
    with pytest.raises(InputError, match=f"{name} holds results of another scenario"):
        sweep(other, grid, replications=1, seed=42, store=store, backend="serial")
    with pytest.raises(InputError, match=f"{name} holds results with seed 42, not 43"):
        sweep(blended, grid, replications=1, seed=43, store=store, backend="serial")
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'version'")
    with pytest.raises(InputError, match=f"{name} was made by blendsim 0.0.1, this is "
                                         f"{blendsim.__version__}"):
        sweep(blended, grid, replications=1, seed=42, store=store, backend="serial")
    results, _ = read_store(store)
    assert len(results) == 1  # nothing was added by the refused sweeps


def test_a_file_that_is_not_a_store_is_refused(blended, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(InputError, match=f"store '{text}' is not a blendsim results store"):
        sweep(blended, {"reserve": [2]}, replications=1, seed=1, store=text, backend="serial")
    with pytest.raises(InputError, match=f"'{text}' is not a blendsim results store"):
        read_store(text)
    assert text.read_text().startswith("these are my notes")
    with pytest.raises(InputError, match=f"store '{tmp_path}' is a folder, not a file"):
        sweep(blended, {"reserve": [2]}, replications=1, seed=1, store=tmp_path,
              backend="serial")
    missing = tmp_path / "no" / "such" / "s.sqlite"
    with pytest.raises(InputError, match=f"store folder '{missing.parent}' does not exist"):
        sweep(blended, {"reserve": [2]}, replications=1, seed=1, store=missing,
              backend="serial")


def test_an_sqlite_database_of_another_program_is_refused_untouched(blended, tmp_path):
    path = tmp_path / "crm.sqlite"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(InputError, match="not a blendsim results store"):
        sweep(blended, {"reserve": [2]}, replications=1, seed=1, store=path, backend="serial")
    with closing(sqlite3.connect(path)) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"customers"}


def test_read_store_of_a_missing_file(tmp_path):
    missing = tmp_path / "nothing.sqlite"
    with pytest.raises(InputError, match=f"no such store file: '{missing}'"):
        read_store(missing)
    assert not missing.exists()  # reading never creates a file


def test_more_replications_later_computes_only_the_extra_ones(blended, tmp_path, monkeypatch):
    store = tmp_path / "s.sqlite"
    grid = {"reserve": [1, 3]}
    sweep(blended, grid, replications=2, seed=9, store=store, backend="serial")
    tasks = count_tasks(monkeypatch)
    more = sweep(blended, grid, replications=3, seed=9, store=store, backend="serial")
    assert sorted(tasks) == [(1, 2), (3, 2)]
    monkeypatch.undo()
    fresh = sweep(blended, grid, replications=3, seed=9, backend="serial")
    assert_frame_equal(more, fresh)
    # Asking for fewer than stored summarises the first ones only, computing nothing.
    tasks = count_tasks(monkeypatch)
    fewer = sweep(blended, grid, replications=2, seed=9, store=store, backend="serial")
    assert tasks == [] and (fewer["replications"] == 2).all()
    assert_frame_equal(fewer, sweep(blended, grid, replications=2, seed=9, backend="serial"))


def test_results_read_back_with_the_grid_columns_and_exact_figures(blended, tmp_path):
    store = tmp_path / "s.sqlite"
    grid = {"reserve": [1, 3], "outbound[0].connect_probability": [0.25]}
    sweep(blended, grid, replications=2, seed=4, store=store, backend="serial")
    results, failures = read_store(store)
    assert failures.empty
    assert list(results.columns[:4]) == ["outbound[0].connect_probability", "reserve",
                                         "point", "replication"]
    assert list(zip(results["reserve"], results["replication"], strict=True)) == [
        (1, 0), (1, 1), (3, 0), (3, 1)]
    assert (results["outbound[0].connect_probability"] == 0.25).all()
    for _, row in results.iterrows():
        params = {"reserve": int(row["reserve"]), "outbound[0].connect_probability": 0.25}
        expect = replication_figures(point_scenario(blended, params), 4,
                                     int(row["replication"]))
        got = row[list(expect)].astype(float)
        assert_series_equal(got, pd.Series(expect, name=got.name))  # exact, NaN included


def test_store_figures_are_json_with_nan_as_null(blended, tmp_path):
    # A figure that is undefined in a replication (NaN) is stored as null and read back NaN.
    store = tmp_path / "s.sqlite"
    sweep(blended, {"groups[blended team].headcount": [0]}, replications=1, seed=2,
          store=store, backend="serial")
    with closing(sqlite3.connect(store)) as db:
        [(text,)] = db.execute("SELECT figures FROM results").fetchall()
    raw = json.loads(text)
    assert raw["conversations"] == 0 and raw["conversations_per_agent_hour"] is None
    results, _ = read_store(store)
    assert results.at[0, "conversations_per_agent_hour"] is None or math.isnan(
        results.at[0, "conversations_per_agent_hour"])


def test_numpy_grid_values_work_with_a_store(blended, tmp_path):
    grid = {"outbound[0].list_size": np.array([200, 300])}
    plain = sweep(blended, grid, replications=1, seed=3, backend="serial")
    stored = sweep(blended, grid, replications=1, seed=3, store=tmp_path / "s.sqlite",
                   backend="serial")
    assert_frame_equal(stored, plain)


# --------------------------------------------------------------------------------------------
# 4. Grid paths


@pytest.mark.parametrize("path, message", [
    ("outbound[0].list_sise", r"grid path 'outbound\[0\]\.list_sise': there is no field "
                              r"'list_sise' there; did you mean outbound\[0\]\.list_size"),
    ("day.opens", r"there is no field 'opens' there; did you mean day\.open"),
    ("zzz", r"grid path 'zzz': there is no field 'zzz' there; paths look like "),
    ("groups[5].headcount", r"groups has 2 item\(s\), no \[5\]; did you mean "
                            r"groups\[1\]\.headcount"),
    ("groups[night team].headcount", r"no groups item is named 'night team' \(names: "
                                     r"inbound team, blended team\)"),
    ("day[0].open", r"'day' is not a list; did you mean day\.open"),
    ("groups[1]", r"a path must end at a field, not a list item"),
    ("groups[blended team]", r"a path must end at a field, not a list item"),
    ("groups..headcount", r"'' is not a field name"),
    ("day.open.hour", r"there is no field 'hour' there"),
])
def test_a_bad_grid_path_is_an_input_error_saying_why(blended, tmp_path, path, message):
    store = tmp_path / "s.sqlite"
    with pytest.raises(InputError, match=message):
        sweep(blended, {path: [1]}, replications=1, seed=1, store=store, backend="serial")
    assert not store.exists()  # every path is checked before anything starts


def test_a_list_item_is_selected_by_index_or_by_name(blended):
    by_name = point_scenario(blended, {"groups[blended team].headcount": 4})
    by_index = point_scenario(blended, {"groups[1].headcount": 4})
    assert by_name == by_index
    n = blended.day.n_intervals
    assert by_name.group("blended team").headcount == (4,) * n  # a scalar sets every interval
    assert by_name.group("inbound team") == blended.group("inbound team")
    assert by_name.replace(groups=blended.groups) == blended  # nothing else changed


def test_a_scalar_is_broadcast_to_a_list_field_and_a_list_kept_as_given(blended):
    n = blended.day.n_intervals
    flat = point_scenario(blended, {"inbound[0].volume": 40.0})
    assert tuple(flat.inbound[0].volume) == (40.0,) * n
    ramp = list(range(1, n + 1))
    given = point_scenario(blended, {"inbound[0].volume": ramp})
    assert list(given.inbound[0].volume) == ramp


def test_nested_paths_into_campaigns_and_policies(blended):
    sc = point_scenario(blended, {"outbound[0].connect_probability": 0.5,
                                  "outbound[0].segments[1].share": 0.5,
                                  "outbound[0].segments[0].share": 0.5,
                                  "blending[0].reserve": 4})
    assert sc.outbound[0].connect_probability == 0.5
    assert [s.share for s in sc.outbound[0].segments] == [0.5, 0.5]
    assert sc.blending == (Threshold(reserve=4, min_idle_blended=1),)


def test_a_value_that_makes_the_scenario_invalid_names_the_point(blended, tmp_path):
    store = tmp_path / "s.sqlite"
    grid = {"outbound[0].connect_probability": [0.3, 1.5], "reserve": [1]}
    with pytest.raises(InputError, match=r"^at the point outbound\[0\]\.connect_probability="
                                         r"1\.5, reserve=1: outbound\[0\]\."
                                         r"connect_probability must be <= 1 \(got 1\.5\)$"):
        sweep(blended, grid, replications=1, seed=1, store=store, backend="serial")
    assert not store.exists()


def test_the_reserve_knob(blended):
    sc = point_scenario(blended, {"reserve": 5})
    assert sc.blending == (Threshold(reserve=5, min_idle_blended=1),)
    assert sc.replace(blending=blended.blending) == blended
    with pytest.raises(InputError, match=r"reserve must be a whole number >= 0 \(got -1\)"):
        sweep(blended, {"reserve": [1, -1]}, replications=1, seed=1, backend="serial")


def test_the_blended_agents_knob_moves_agents_keeping_the_total(blended):
    sc = point_scenario(blended, {"blended_agents": 2, "reserve": 1})
    before_b = np.array(blended.group("blended team").headcount)
    before_i = np.array(blended.group("inbound team").headcount)
    after_b = np.array(sc.group("blended team").headcount)
    after_i = np.array(sc.group("inbound team").headcount)
    np.testing.assert_array_equal(after_b + after_i, before_b + before_i)
    np.testing.assert_array_equal(after_b, np.where(before_b > 0, 2, 0))
    assert sc.blending == (Threshold(reserve=1, min_idle_blended=1),)


def test_the_blended_agents_knob_needs_a_blended_group(inbound_only):
    with pytest.raises(InputError, match="blended_agents needs exactly one blended group"):
        sweep(inbound_only, {"blended_agents": [1]}, replications=1, seed=1, backend="serial")


def test_an_empty_grid_is_one_point_the_scenario_as_given(blended):
    table = sweep(blended, {}, replications=2, seed=8, backend="serial")
    assert len(table) == 1 and table.at[0, "replications"] == 2
    assert "_" not in table.columns and "_point" not in table.columns
    s = simulate(blended, replications=2, seed=8, backend="serial").summary()
    for fig in s.index:
        assert table.at[0, fig] == pytest.approx(s.loc[fig, "mean"], rel=1e-12, nan_ok=True)


@pytest.mark.parametrize("grid, message", [
    ({"reserve": []}, r"grid\['reserve'\] must list at least one value"),
    ({"reserve": 3}, r"grid\['reserve'\] must be a list of values \(got 3\)"),
    ({"day.open": "09:00"}, r"grid\['day\.open'\] must be a list of values"),
    ({3: [1]}, r"grid keys must be field paths \(got 3\)"),
    ([("reserve", [1])], r"grid must be a mapping of field paths to lists of values"),
])
def test_a_malformed_grid_is_an_input_error(blended, grid, message):
    with pytest.raises(InputError, match=message):
        sweep(blended, grid, replications=1, seed=1, backend="serial")


def test_field_paths_lists_what_a_grid_may_vary(blended):
    paths = field_paths(blended)
    assert paths[:2] == ["reserve", "blended_agents"]
    for p in ("day.open", "inbound[0].volume", "groups[1].headcount",
              "outbound[0].list_size", "outbound[0].segments[1].share", "blending[0].reserve"):
        assert p in paths
        point_scenario(blended, {p: point_scenario_value(blended, p)})  # each one settable


def point_scenario_value(scenario, path):
    """The value a path has in the scenario (setting it again must be accepted)."""
    node = scenario.to_dict()
    for step in path.replace("]", "").split("."):
        key, _, index = step.partition("[")
        node = node[key]
        if index:
            node = node[int(index)]
    return node


# --------------------------------------------------------------------------------------------
# 5. A failing point


@pytest.fixture(scope="module")
def fragile(blended):
    """The blended scenario with a Python policy that breaks at reserve 3."""
    return blended.replace(blending=(FailsAtReserve(3), *blended.blending))


def test_a_failing_point_is_reported_and_the_others_kept(fragile, tmp_path):
    store = tmp_path / "s.sqlite"
    table = sweep(fragile, {"reserve": [1, 3, 2]}, replications=2, seed=6, store=store,
                  backend="serial")
    assert list(table["reserve"]) == [1, 3, 2]
    assert list(table["replications"]) == [2, 0, 2]
    assert table.loc[1, ["service_level", "conversations", "occupancy"]].isna().all()
    failures = table.attrs["failures"]
    assert list(failures.columns) == ["reserve", "replication", "error"]
    assert sorted(failures["replication"]) == [0, 1] and (failures["reserve"] == 3).all()
    assert (failures["error"] == "RuntimeError: policy broke at reserve 3").all()
    # The points that ran are exactly what they are without the failing one beside them.
    alone = sweep(fragile, {"reserve": [1, 2]}, replications=2, seed=6, backend="serial")
    assert_frame_equal(table.drop(index=1).reset_index(drop=True), alone)

    results, stored_failures = read_store(store)
    assert sorted(set(results["reserve"])) == [1, 2] and len(results) == 4
    assert list(stored_failures.columns) == ["reserve", "point", "replication", "error"]
    assert list(zip(stored_failures["reserve"], stored_failures["replication"],
                    stored_failures["error"], strict=True)) == [
        (3, 0, "RuntimeError: policy broke at reserve 3"),
        (3, 1, "RuntimeError: policy broke at reserve 3")]


def test_a_rerun_retries_only_the_failed_replications(fragile, tmp_path, monkeypatch):
    store = tmp_path / "s.sqlite"
    sweep(fragile, {"reserve": [1, 3]}, replications=2, seed=6, store=store, backend="serial")
    tasks = count_tasks(monkeypatch)
    table = sweep(fragile, {"reserve": [1, 3]}, replications=2, seed=6, store=store,
                  backend="serial")
    assert sorted(tasks) == [(3, 0), (3, 1)]
    assert len(table.attrs["failures"]) == 2
    assert len(read_store(store)[1]) == 2  # still two failures, replaced, not added


def test_a_python_policy_failing_at_one_list_size_fails_only_that_point(blended):
    sc = blended.replace(blending=(FailsAtListSize(200), *blended.blending))
    table = sweep(sc, {"outbound[0].list_size": [200, 300]}, replications=2, seed=6,
                  backend="serial")
    assert list(table["replications"]) == [0, 2]
    failures = table.attrs["failures"]
    assert list(failures["outbound[0].list_size"]) == [200, 200]


def test_the_cli_reports_each_failure_on_one_line_and_exits_1(fragile, capsys, monkeypatch,
                                                              tmp_path):
    monkeypatch.setattr(cli_sim, "load_scenario", lambda path: fragile)
    status, out, err = run_cli(capsys, "sweep", BLENDED, "--vary", "reserve=1,3",
                               "--replications", "2", "--seed", "6", "--backend", "serial",
                               "--quiet", "--store", tmp_path / "s.sqlite")
    assert status == 1
    assert err.splitlines() == [
        f"blendsim: error: point reserve=3, replication {r}: RuntimeError: policy broke at "
        f"reserve 3" for r in (0, 1)]
    table = sweep(fragile, {"reserve": [1]}, replications=2, seed=6, backend="serial")
    row = next(line.split() for line in out.splitlines() if line.split()[:2] == ["1", "2"])
    assert row[2] == pct(table.at[0, "service_level"])  # the good point is still shown
    assert any(line.split()[:2] == ["3", "0"] for line in out.splitlines())


def test_the_cli_shows_a_failed_points_figures_as_dashes(fragile, capsys, monkeypatch):
    monkeypatch.setattr(cli_sim, "load_scenario", lambda path: fragile)
    status, out, _ = run_cli(capsys, "sweep", BLENDED, "--vary", "reserve=3",
                             "--replications", "1", "--seed", "6", "--backend", "serial")
    assert status == 1
    row = next(line.split() for line in out.splitlines() if line.split()[:2] == ["3", "0"])
    assert row[2:] == ["-"] * 6


# --------------------------------------------------------------------------------------------
# 6. The command line


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
    status, out, err = run_cli(capsys, "sweep", BLENDED, "--vary", "reserve=1,3",
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
    status, out, _ = run_cli(capsys, *args, "--seed", "1")
    assert status == 0 and f"; store {store}" in out
    assert error_line(capsys, *args, "--seed", "2") == (
        f"blendsim: error: store '{store}' holds results with seed 1, not 2: use that seed to "
        "add to it, or a new store file")


def test_cli_sweep_with_a_repeated_value_and_a_store_does_not_crash(capsys, tmp_path):
    status = main(["sweep", str(BLENDED), "--vary", "reserve=1,1", "--replications", "1",
                   "--seed", "1", "--backend", "serial", "--quiet",
                   "--store", str(tmp_path / "s.sqlite")])
    assert status in (0, 1)


# --------------------------------------------------------------------------------------------
# 7. Progress


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
