"""The command line stops when told to, and leaves no process behind.

- Ctrl-C (SIGINT to the whole process group, as a terminal sends it) and SIGTERM stop a run
  or a sweep within a second or two: one line says what was finished and kept, no traceback,
  exit status 130 / 143, and every worker process is gone.
- A parent killed with SIGKILL cannot clean up: its pool workers notice and exit.

These tests run the CLI in a subprocess on the blended bank with many replications; they
assert on exit status, output and processes, never on timings."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from builders import BLENDED, RUN, assert_gone, descendants

from blendsim.experiment.store import read_store

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads processes from /proc")


def start(args: list[str]) -> subprocess.Popen:
    """The CLI in its own process group, without standard input (as in CI)."""
    def default_ctrl_c():  # a background job may inherit SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    return subprocess.Popen([sys.executable, "-m", "blendsim", *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=default_ctrl_c)


def wait_for_workers(proc: subprocess.Popen, n: int, settle: float = 1.0) -> set[int]:
    """The process's descendants once ``n`` are running (then a moment more of work)."""
    deadline = time.monotonic() + 60
    while len(descendants(proc.pid)) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.05)
    time.sleep(settle)
    return descendants(proc.pid)


def stop(proc: subprocess.Popen, sig: int, *, group: bool) -> tuple[int, str, str]:
    (os.killpg if group else os.kill)(proc.pid, sig)
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"still running 20 s after the signal: {err[-2000:]}")
    return proc.returncode, out, err


@pytest.mark.parametrize("sig, group, status", [
    (signal.SIGINT, True, 130),   # Ctrl-C in a terminal: the whole process group
    (signal.SIGTERM, False, 143),  # kill PID
])
def test_a_pool_run_stops_on_a_signal_with_one_line_and_no_worker_left(sig, group, status):
    proc = start(RUN)
    workers = wait_for_workers(proc, 2)
    code, out, err = stop(proc, sig, group=group)
    assert code == status
    assert "Traceback" not in err
    assert re.fullmatch(r"blendsim: interrupted: \d+ of 1000 replications finished; "
                        r"nothing written\n", err), err
    assert out == ""
    assert_gone(workers)


@pytest.mark.parametrize("settle", [0.3, 0.8, 1.5, 2.5])
def test_sigterm_to_the_whole_process_group_stops_cleanly(settle):
    # A service manager or ``kill -- -PGID`` reaches the workers too: they leave it to the
    # parent, which stops them (no false "a worker stopped" error, no hang mid-result).
    proc = start(RUN)
    workers = wait_for_workers(proc, 2, settle=settle)
    code, out, err = stop(proc, signal.SIGTERM, group=True)
    assert code == 143, err
    assert re.fullmatch(r"blendsim: interrupted: \d+ of 1000 replications finished; "
                        r"nothing written\n", err), err
    assert_gone(workers)


def test_a_serial_run_stops_on_sigterm():
    proc = start([*RUN, "--backend", "serial"])
    time.sleep(3.0)  # imported and simulating by then (no workers to wait for)
    assert proc.poll() is None
    code, _, err = stop(proc, signal.SIGTERM, group=False)
    assert code == 143 and "Traceback" not in err
    assert re.fullmatch(r"blendsim: interrupted: \d+ of 1000 replications finished; "
                        r"nothing written\n", err), err


@pytest.mark.parametrize("sig, group, status", [(signal.SIGINT, True, 130),
                                                (signal.SIGTERM, False, 143)])
def test_a_sweep_stops_saying_what_its_store_keeps(tmp_path, sig, group, status):
    store = tmp_path / "sweep.sqlite"
    proc = start(["sweep", str(BLENDED), "--vary", "reserve=0..4", "--replications", "100",
                  "--seed", "3", "--store", str(store)])
    workers = wait_for_workers(proc, 2, settle=2.0)
    code, _, err = stop(proc, sig, group=group)
    assert code == status and "Traceback" not in err
    m = re.fullmatch(r"blendsim: interrupted: (\d+) of 5 points complete, (\d+) of 500 "
                     rf"replications stored in {re.escape(str(store))}; run the same sweep "
                     r"again to resume\n", err)
    assert m, err
    assert_gone(workers)
    results, failures = read_store(store)  # what the line says is what the store holds
    assert len(results) == int(m.group(2)) and failures.empty
    per_point = results.groupby("point").size()
    assert int((per_point == 100).sum()) == int(m.group(1))


def test_workers_exit_when_their_parent_is_killed():
    proc = start(RUN)
    workers = wait_for_workers(proc, 2)
    os.kill(proc.pid, signal.SIGKILL)  # no chance to clean up
    proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGKILL
    assert_gone(workers)


def test_a_local_dask_cluster_stops_on_sigterm():
    pytest.importorskip("dask.distributed")
    proc = start([*RUN, "--backend", "dask", "--workers", "2"])
    workers = wait_for_workers(proc, 3, settle=1.0)
    code, _, err = stop(proc, signal.SIGTERM, group=False)
    assert code == 143 and "Traceback" not in err
    assert re.search(r"^blendsim: interrupted: \d+ of 1000 replications finished; nothing "
                     r"written$", err, re.M), err
    assert_gone(workers, within=10.0)
