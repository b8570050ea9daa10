"""Where replications run: in this process, on a local process pool, or on a Dask cluster.

Every replication is a pure function of (scenario, seed, replication number): it draws all its
chance from streams spawned from those, so the same seed gives identical numbers whichever
backend computes it and in whatever order the results come back.

- ``"serial"``: one after the other in this process.
- ``"pool"`` (the default): a local process pool with one worker per core; the pool is started
  once and reused by later calls.
- ``"dask"``: a Dask cluster (``pip install "blendsim[dask]"``): the scheduler at
  ``scheduler=`` (``"tcp://host:8786"``), or a local cluster on this machine's loopback.

:func:`run_tasks` runs a list of tasks and yields ``(index, outcome)`` as each finishes, where
``outcome`` is the task's value or the exception it raised, so one failing task never loses
the others.  A progress bar shows on standard error when it is a terminal, with the time
left; otherwise a line with an estimate is printed now and then on long runs.

Bounded and interruptible: at most a few tasks per worker are queued at any time (so memory
stays bounded however many tasks there are), and Ctrl-C (``KeyboardInterrupt``) cancels what
is queued and terminates the pool's workers before it reaches the caller.  Each pool worker
also watches its parent and exits when the parent is gone, even after ``SIGKILL``.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from blendsim.errors import BlendsimError, InputError

__all__ = ["BACKENDS", "MAX_REPLICATIONS", "MAX_TASKS", "Interrupted", "TaskError",
           "max_workers", "run_tasks"]

BACKENDS = ("serial", "pool", "dask")

# Bounds on what a user may type.  100,000 simulated days already take hours and keep every
# record in memory; a run of more tasks than MAX_TASKS (a sweep's points x replications) is
# split by the user into runs they can look at.
MAX_REPLICATIONS = 100_000
MAX_TASKS = 1_000_000

_ADDRESS = re.compile(r"(tcp|tls|ws|wss)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")
_WATCH_EVERY = 0.25  # seconds between a worker's checks that its parent is alive
_TERM_GRACE = 5.0  # seconds a worker outlives a SIGTERM, for the parent to stop the pool

_pool: ProcessPoolExecutor | None = None
_pool_workers = 0


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; ``str()`` says what was finished and what was kept.

    A :class:`KeyboardInterrupt`, so code that catches that keeps working; raised after the
    queued work is cancelled and the workers are stopped.
    """


class TaskError:
    """A task that raised: the exception's type and message, kept to report it."""

    __slots__ = ("kind", "message")

    def __init__(self, exc: BaseException):
        self.kind = type(exc).__name__
        self.message = str(exc)

    def __repr__(self) -> str:
        return f"{self.kind}: {self.message}"


def _guarded(func, args):
    """Run ``func(*args)``, returning a TaskError instead of raising (so results flow on)."""
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - reported per task, never swallowed silently
        return TaskError(exc)


def max_workers() -> int:
    """The most worker processes a local pool or cluster may have: 4 per core, at most 256.

    More processes than cores do not finish sooner (they take turns on the cores) but each
    holds a Python interpreter, the scenario and a day's records; a few per core leave room
    for workers that wait, and 256 keeps far below the system's process limits.
    """
    return min(256, 4 * (os.cpu_count() or 1))


def check_scheduler(scheduler, name: str = "scheduler") -> None:
    """A Dask scheduler address must read ``tcp://HOST:PORT``."""
    m = _ADDRESS.fullmatch(scheduler) if isinstance(scheduler, str) else None
    if m is None or not 1 <= int(m.group(3)) <= 65535:
        raise InputError(f"{name} must be a Dask scheduler address of the form "
                         f"tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786 (got {scheduler!r})")


def check_backend(backend: str, workers, scheduler) -> None:
    if backend not in BACKENDS:
        raise InputError(f"backend must be one of {', '.join(BACKENDS)} (got {backend!r})")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool)
                                or workers < 1):
        raise InputError(f"workers must be a whole number >= 1 (got {workers!r})")
    if workers is not None and workers > max_workers():
        raise InputError(f"workers must be <= {max_workers()} (4 per core on this machine, at "
                         f"most 256; got {workers!r})")
    if scheduler is not None and backend != "dask":
        raise InputError(f"scheduler is for backend='dask' (got backend={backend!r})")
    if scheduler is not None:
        check_scheduler(scheduler)
    if scheduler is not None and workers is not None:
        raise InputError("workers is for the local pool or a local Dask cluster; a Dask "
                         "scheduler has its own workers (got both workers and scheduler)")


def _start_method() -> str:
    """How the pool's workers start.

    ``fork`` on Linux while this process runs a single thread: workers begin as copies of it,
    so a script without an ``if __name__ == "__main__":`` guard works and nothing is imported
    twice.  Otherwise ``forkserver`` (clean processes, safe beside the threads of Dask, Jupyter
    or a GUI), or ``spawn`` where that is all there is.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and threading.active_count() == 1 and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _worker_start(parent: int) -> None:
    """Each pool worker: leave Ctrl-C (and, for a while, SIGTERM) to the parent; watch it.

    Ctrl-C in a terminal, and a SIGTERM sent to the process group (``kill -- -PGID``, a
    service manager), reach every process of the group.  A worker dying of it on its own
    would leave the parent a "broken pool" to report, or half a result in the pipe to wait
    for; so the parent alone decides, and kills the workers (:func:`_kill_pool`).  A forked
    worker inherits the parent's handlers, so both are set here.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _later_exit)
    threading.Thread(target=_watch_parent, args=(parent, os.getppid()), daemon=True,
                     name="blendsim-watch-parent").start()


def _later_exit(signum, frame) -> None:
    """SIGTERM in a worker: exit a few seconds later, unless the parent has killed us first.

    The delay gives the parent time to stop the pool in order; the exit still comes when the
    SIGTERM was the pool's own (``ProcessPoolExecutor`` terminates the workers of a broken
    pool and waits for them).
    """
    def leave():
        time.sleep(_TERM_GRACE)
        os._exit(128 + signum)

    threading.Thread(target=leave, daemon=True, name="blendsim-term").start()


def _watch_parent(parent: int, ppid: int) -> None:
    """Exit as soon as the process that started the pool is gone (even killed by SIGKILL).

    The worker's parent changes when it dies (the worker is adopted); with ``forkserver`` the
    parent is the fork server, which exits with the main process.  On POSIX the main process
    is also probed directly.
    """
    while True:
        time.sleep(_WATCH_EVERY)
        gone = os.getppid() != ppid
        if not gone and os.name == "posix":
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                gone = True
            except PermissionError:  # it exists (as another user's process): not gone
                gone = False
        if gone:
            os._exit(1)


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_workers
    if _pool is None or _pool_workers != workers:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
        _pool = ProcessPoolExecutor(max_workers=workers,
                                    mp_context=multiprocessing.get_context(_start_method()),
                                    initializer=_worker_start, initargs=(os.getpid(),))
        _pool_workers = workers
    return _pool


def _drop_pool() -> None:
    """Forget a broken pool, so that the next call starts a fresh one."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None


def _kill_pool() -> None:
    """Stop the pool now: cancel what is queued, terminate its workers, forget it.

    Tasks already running are abandoned (their results are not wanted: the caller stopped).
    """
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    # (ProcessPoolExecutor has no public way to stop its workers before Python 3.14.)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    # A worker killed while sending a result leaves half a message in the results pipe, and
    # the pool's manager thread waits for the rest forever (and Python's exit with it).  So
    # hold the pipe's write lock first: a result being sent finishes, no other starts.
    lock = getattr(getattr(pool, "_result_queue", None), "_wlock", None)
    held = lock is not None and lock.acquire(timeout=2.0)
    try:
        for p in processes:  # workers put SIGTERM off (see _worker_start): SIGKILL them
            with contextlib.suppress(OSError, ValueError):
                p.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + 2.0
        for p in processes:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                p.join(max(0.0, deadline - time.monotonic()))
    finally:
        if held:
            lock.release()
    # Its manager thread notices the dead workers and cleans up; let it finish, or it races
    # with the executor's own exit hook ("Bad file descriptor" printed at exit).
    if manager is not None and manager is not threading.current_thread():
        manager.join(max(0.1, deadline - time.monotonic()))


@atexit.register
def _shutdown_pool() -> None:
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)


def _progress(total: int, quiet: bool, label: str):
    """A progress bar with the time left, on standard error when it is a terminal."""
    if quiet or total <= 1 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm  # here for import time only (~0.08 s), when a bar is shown

    return tqdm(total=total, desc=label, unit="run", file=sys.stderr, leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                           "[{elapsed}, about {remaining} left]")


def about(seconds: float) -> str:
    """A rough duration for people: ``"about 40 s"``, ``"about 4 min"``, ``"about 2.5 h"``."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"


class _Lines:
    """Progress where standard error is not a terminal (a log, CI): a line now and then.

    The first line comes once the run has taken ``first`` seconds, then one every ``every``
    seconds, each with the time left estimated from the pace so far.
    """

    def __init__(self, total: int, label: str, first: float = 10.0, every: float = 60.0):
        self.total, self.label, self.every = total, label, every
        self.done = 0
        self.start = time.monotonic()
        self.next_at = self.start + first

    def update(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now < self.next_at or self.done >= self.total:
            return
        left = (now - self.start) / self.done * (self.total - self.done)
        print(f"{self.label}: {self.done} of {self.total} done, {about(left)} left",
              file=sys.stderr, flush=True)
        self.next_at = now + self.every

    def close(self) -> None:
        """Nothing to close: every estimate is a line already printed (tqdm's bar has one)."""


def run_tasks(func: Callable, tasks: Sequence[tuple], *, backend: str = "pool",
              workers: int | None = None, scheduler: str | None = None, quiet: bool = False,
              label: str = "simulating") -> Iterator[tuple[int, object]]:
    """Run ``func(*task)`` for every task; yield ``(index, value or TaskError)`` as each ends.

    ``func`` must be importable (a module-level function) for the pool and Dask backends.
    Stopping early (Ctrl-C, an exception in the caller's loop, or closing the generator)
    cancels the queued tasks and stops the workers before the exception goes on.
    """
    check_backend(backend, workers, scheduler)
    n = len(tasks)
    if n > MAX_TASKS:
        raise InputError(f"at most {MAX_TASKS} tasks (replications) may run in one call "
                         f"(got {n})")
    in_process = backend == "serial" or (backend == "pool" and n <= 1)
    # The pool starts before the progress bar, whose monitor thread would rule out fork.
    size = workers or os.cpu_count() or 1
    pool = _get_pool(size) if backend == "pool" and not in_process else None
    bar = _progress(n, quiet, label)
    if bar is None and not quiet and n > 1:
        bar = _Lines(n, label)
    try:
        if in_process:
            for i, task in enumerate(tasks):
                yield i, _guarded(func, task)
                if bar is not None:
                    bar.update()
        elif pool is not None:
            yield from _run_pool(pool, size, func, tasks, bar)
        else:
            yield from _run_dask(func, tasks, workers, scheduler, bar)
    finally:
        if bar is not None:
            bar.close()


@contextlib.contextmanager
def _signals_at_safe_points():
    """Inside: Ctrl-C (and SIGTERM if Python handles it) waits for a safe point.

    A ``KeyboardInterrupt`` raised at any instant could strike inside the pool's or Dask's
    own code while it holds a lock, which then deadlocks at exit.  So while work runs on
    other processes, a signal is only noted, and ``check()`` calls the original handler
    (which raises) where the loop may stop.  Outside the main thread nothing changes.
    """
    noted: list = []
    old: dict = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGINT", "SIGTERM"):
            sig = getattr(signal, name, None)
            handler = signal.getsignal(sig) if sig is not None else None
            if callable(handler):
                old[sig] = handler
                signal.signal(sig, lambda signum, frame: noted.append((signum, frame)))

    def check() -> None:
        if noted:
            signum, frame = noted.pop(0)
            old[signum](signum, frame)

    raised = False
    try:
        yield check
    except BaseException:
        raised = True
        raise
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        if noted and not raised:  # a signal came as the work ended: deliver it now
            signum, frame = noted[0]
            old[signum](signum, frame)


def _run_pool(pool, size, func, tasks, bar):
    # A window of 2 tasks per worker keeps every worker busy while memory stays bounded, and
    # leaves little to cancel when the caller stops.
    todo = iter(enumerate(tasks))
    running: dict = {}

    def submit(k: int) -> None:
        for i, task in islice(todo, k):
            running[pool.submit(_guarded, func, task)] = i

    with _signals_at_safe_points() as check:
        yield from _pool_loop(running, submit, size, bar, check)


def _pool_loop(running, submit, size, bar, check):
    try:
        submit(2 * size)
        while running:
            check()
            finished, _ = wait(running, timeout=0.1, return_when=FIRST_COMPLETED)
            for future in finished:
                i = running.pop(future)
                value = future.result()
                submit(1)
                yield i, value
                if bar is not None:
                    bar.update()
    except BrokenProcessPool:
        _drop_pool()
        raise BlendsimError(
            "a worker of the process pool stopped before finishing its task. A policy or "
            "routing object defined in __main__ (a notebook, `python -c`, or a script) that "
            "the workers cannot import must run with backend='serial' (or move it to a "
            "module); a script that starts worker processes needs its code under "
            "`if __name__ == \"__main__\":`; or the machine ran out of memory") from None
    except BaseException:  # Ctrl-C, SIGTERM made an exception, the caller stopped early
        _kill_pool()
        raise


@contextlib.contextmanager
def _ctrl_c_ignored():
    """Start processes (a local Dask cluster's) that ignore Ctrl-C, as a pool's workers do.

    Ctrl-C in a terminal reaches every process of the group, and Dask's workers would stop
    with tracebacks; this process stops them instead.  An ignored signal stays ignored in the
    processes started meanwhile (a handler would not).  The price: Ctrl-C during the few
    seconds a local cluster takes to start is not seen (press it again once it runs).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _run_dask(func, tasks, workers, scheduler, bar):
    # Ctrl-C while Dask starts or runs waits for a safe point (a cluster starts in seconds).
    with _signals_at_safe_points() as check:
        yield from _dask_body(func, tasks, workers, scheduler, bar, check)


def _dask_body(func, tasks, workers, scheduler, bar, check):
    try:  # Dask is an optional extra: imported only when asked for
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise InputError('backend="dask" needs Dask: pip install "blendsim[dask]"') from None
    cluster = None
    if scheduler is None:
        try:
            with _ctrl_c_ignored():
                cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                       threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None,
                                       # A stop mid-start makes workers log heartbeat
                                       # tracebacks; a task's own error reaches us anyway.
                                       silence_logs=logging.CRITICAL)
        except Exception as exc:  # noqa: BLE001 - Dask raises RuntimeError, OSError, ...
            raise BlendsimError(
                f"could not start a local Dask cluster ({exc}). Dask starts its workers as "
                "fresh processes that import your main module: a script needs its code under "
                "`if __name__ == \"__main__\":`; or pass scheduler= (--scheduler) to use "
                "a running cluster") from None
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc})") \
                from None
    running: dict = {}
    try:
        # As with the pool, a bounded window of tasks in flight (a few per worker).
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or workers or 1)
        todo = iter(enumerate(tasks))

        def submit(k: int) -> list:
            new = []
            for i, task in islice(todo, k):
                f = client.submit(_guarded, func, task, pure=False)
                running[f.key] = (i, f)
                new.append(f)
            return new

        queue = dask_completed(submit(window))
        while not queue.is_empty():
            check()
            batch = queue.next_batch(block=False)
            if not batch:
                time.sleep(0.05)
            for future in batch:
                i, _ = running.pop(future.key)
                value = future.result()
                for f in submit(1):
                    queue.add(f)
                yield i, value
                if bar is not None:
                    bar.update()
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel([f for _, f in running.values()], force=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextlib.contextmanager
def interrupt_on_signals():
    """While in the block, SIGTERM (and Ctrl-C) raise :class:`KeyboardInterrupt`.

    So a command line program stops the same clean way on both: queued work cancelled,
    workers stopped.  Yields a dict whose ``"signal"`` is the signal number that came.  A
    second signal while cleaning up ends the process at once (its pool workers notice and
    exit).  SIGINT ignored on entry (a background job) stays ignored.  Outside the main
    thread, signals cannot be handled: nothing changes.
    """
    caught: dict = {"signal": None}
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    names = [s for s in ("SIGINT", "SIGTERM") if hasattr(signal, s)]
    old = {s: signal.getsignal(getattr(signal, s)) for s in names}

    def handler(signum, frame):
        if caught["signal"] is not None:
            os._exit(128 + caught["signal"])
        caught["signal"] = signum
        raise KeyboardInterrupt

    for s in names:
        if old[s] is not signal.SIG_IGN:
            signal.signal(getattr(signal, s), handler)
    try:
        yield caught
    finally:
        for s in names:
            with contextlib.suppress(TypeError, ValueError):
                signal.signal(getattr(signal, s), old[s] if old[s] is not None
                              else signal.SIG_DFL)
