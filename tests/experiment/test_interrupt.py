"""Runs are bounded and interruptible in Python, and tell how long is left.

- In Python, Ctrl-C raises ``KeyboardInterrupt`` (an ``Interrupted`` saying what finished)
  after the workers are stopped.
- Sizes a user types are bounded (workers, replications, grid points) and a Dask scheduler
  address is checked, each with a message naming the option and what is allowed.
- Long runs tell how long is left, on a line of standard error when it is not a terminal.

The process-watching helpers are shared with tests/cli/test_cli_interrupt.py (in builders)."""

from __future__ import annotations

import io
import os
import signal
import sys

import pytest
from builders import RUN, assert_gone

from blendsim import InputError, simulate
from blendsim.cli.app import main
from blendsim.experiment import backends as backends_module
from blendsim.experiment.backends import Interrupted, about, run_tasks
from blendsim.experiment.sweep import sweep

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads processes from /proc")


# --------------------------------------------------------------------------------------------
# In Python


def test_simulate_says_how_many_finished_when_interrupted(blended, monkeypatch):
    def three_then_ctrl_c(func, tasks, **kwargs):
        for i in range(3):
            yield i, func(*tasks[i])
        raise KeyboardInterrupt

    experiment = sys.modules["blendsim.experiment.replications"]
    monkeypatch.setattr(experiment, "run_tasks", three_then_ctrl_c)
    with pytest.raises(Interrupted, match=r"^3 of 10 replications finished; nothing written$"):
        simulate(blended, replications=10, seed=1, backend="serial")
    with pytest.raises(KeyboardInterrupt):  # what API users catch
        simulate(blended, replications=10, seed=1, backend="serial")


def test_a_sweep_without_a_store_says_nothing_was_kept(blended, monkeypatch):
    def two_then_ctrl_c(func, tasks, **kwargs):
        for i in range(2):
            yield i, func(*tasks[i])
        raise KeyboardInterrupt

    monkeypatch.setattr(sys.modules["blendsim.experiment.sweep"], "run_tasks", two_then_ctrl_c)
    with pytest.raises(Interrupted, match=r"^2 of 4 replications finished; nothing kept"):
        sweep(blended, {"reserve": [1, 2]}, replications=2, seed=1, backend="serial")


def test_stopping_the_loop_early_stops_the_pool_workers():
    results = run_tasks(pow, [(2, k) for k in range(200)], backend="pool", workers=2,
                        quiet=True)
    next(results)
    pool = backends_module._pool
    pids = set(pool._processes)
    assert len(pids) == 2
    results.close()  # what an exception in the caller's loop (or Ctrl-C) does
    assert backends_module._pool is None
    assert_gone(pids)
    # The next run starts a fresh pool and gets every result.
    assert dict(run_tasks(pow, [(2, 3), (3, 2)], backend="pool", workers=2, quiet=True)) == {
        0: 8, 1: 9}


def test_a_signal_during_pool_work_is_raised_at_a_safe_point():
    results = run_tasks(pow, [(2, k) for k in range(400)], backend="pool", workers=2,
                        quiet=True)
    got = [next(results)]
    pids = set(backends_module._pool._processes)
    os.kill(os.getpid(), signal.SIGINT)  # noted by the loop, raised on its next turn
    with pytest.raises(KeyboardInterrupt):
        for item in results:
            got.append(item)
    assert len(got) < 400
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    assert_gone(pids)


# --------------------------------------------------------------------------------------------
# Bounds


def test_bounds_on_replications_workers_and_grids(blended):
    limit = backends_module.max_workers()
    with pytest.raises(InputError, match=r"replications must be .*<= 100000 \(got 1000000\)"):
        simulate(blended, replications=10**6, seed=1)
    with pytest.raises(InputError, match=rf"workers must be <= {limit} \(4 per core on this "
                                         r"machine, at most 256; got 1000000\)"):
        simulate(blended, replications=2, seed=1, workers=10**6)
    with pytest.raises(InputError, match=r"a grid may have at most 10000 points \(got 101 x "
                                         r"101 = 10201\)"):
        sweep(blended, {"reserve": range(101), "outbound[0].list_size": range(100, 201)},
              replications=1, seed=1)
    with pytest.raises(InputError, match=r"at most 1000000 replications in all .* 100 points "
                                         r"x 20000 replications = 2000000"):
        sweep(blended, {"reserve": range(100)}, replications=20000, seed=1)
    with pytest.raises(InputError, match=r"replications must be .*<= 100000"):
        sweep(blended, {"reserve": [1]}, replications=100_001, seed=1)
    with pytest.raises(InputError, match="at most 1000000 tasks"):
        next(run_tasks(pow, [(1, 1)] * 1_000_001, backend="serial"))
    assert 1 <= limit <= 256


@pytest.mark.parametrize("address", ["not an address", "127.0.0.1", "tcp://127.0.0.1",
                                     "tcp://127.0.0.1:0", "tcp://127.0.0.1:99999",
                                     "http://127.0.0.1:8786", "tcp://:8786", ""])
def test_a_scheduler_address_must_read_tcp_host_port(blended, capsys, address):
    with pytest.raises(InputError, match=r"^scheduler must be a Dask scheduler address of the "
                                         r"form tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786 "):
        simulate(blended, replications=2, seed=1, backend="dask", scheduler=address)
    status = main([*RUN[:2], "--backend", "dask", "--scheduler", address])
    err = capsys.readouterr().err
    assert status == 1
    assert err == (f"blendsim: error: --scheduler must be a Dask scheduler address of the "
                   f"form tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786 (got {address!r})\n")


def test_cli_bounds_name_their_options(capsys):
    limit = backends_module.max_workers()
    assert main([*RUN[:2], "--workers", str(10**6)]) == 1
    assert capsys.readouterr().err == (
        f"blendsim: error: --workers must be <= {limit} (4 per core on this machine, at most "
        "256; got '1000000')\n")
    assert main([*RUN[:2], "--replications", str(10**6), "--backend", "serial"]) == 1
    assert "replications must be" in capsys.readouterr().err
    assert main([*RUN[:2], "--backend", "dask", "--scheduler", "tcp://127.0.0.1:8786",
                 "--workers", "2"]) == 1
    assert capsys.readouterr().err == (
        "blendsim: error: --workers is for the pool or a local Dask cluster; the cluster at "
        "--scheduler has its own workers\n")
    with pytest.raises(InputError, match="a Dask scheduler has its own workers"):
        run_tasks(pow, [(1, 1)], backend="dask", workers=2,
                  scheduler="tcp://127.0.0.1:8786").__next__()


# --------------------------------------------------------------------------------------------
# Progress


@pytest.mark.parametrize("seconds, text", [(0.2, "about 1 s"), (42, "about 42 s"),
                                           (240, "about 4 min"), (9000, "about 2.5 h")])
def test_about(seconds, text):
    assert about(seconds) == text


def test_an_estimate_line_when_standard_error_is_not_a_terminal(monkeypatch):
    clock = iter([0.0, 5.0, 12.0, 13.0, 80.0, 81.0])
    monkeypatch.setattr(backends_module.time, "monotonic", lambda: next(clock))
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    lines = backends_module._Lines(100, "simulating")  # starts at 0 s
    lines.update()  # 5 s: too early
    lines.update()  # 12 s: 2 done, 98 left at 6 s each
    lines.update()  # 13 s: a minute has not passed
    lines.update()  # 80 s
    assert err.getvalue().splitlines() == [
        "simulating: 2 of 100 done, about 10 min left",
        "simulating: 4 of 100 done, about 32 min left"]


def test_quiet_runs_print_no_estimate(monkeypatch):
    monkeypatch.setattr(backends_module._Lines.__init__, "__defaults__", (0.0, 0.0))
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    tasks = [(2, k) for k in range(4)]
    assert dict(run_tasks(pow, tasks, backend="serial", quiet=True)) == {
        k: 2 ** k for k in range(4)}
    assert err.getvalue() == ""
    assert dict(run_tasks(pow, tasks, backend="serial", label="testing")) == {
        k: 2 ** k for k in range(4)}
    assert err.getvalue().splitlines()[0].startswith("testing: 1 of 4 done, about ")
