"""Every backend (this process, the local process pool, a real Dask cluster on loopback) gives
identical records and tables for the same seed.

Grids and replication counts are small: these tests check plumbing, not statistics."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from builders import BLENDED
from pandas.testing import assert_frame_equal

import blendsim
from blendsim import Threshold, load_scenario, simulate, tradeoff
from blendsim.experiment.backends import TaskError, run_tasks
from blendsim.experiment.sweep import point_scenario, sweep

# --------------------------------------------------------------------------------------------
# Identical numbers on every backend

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
