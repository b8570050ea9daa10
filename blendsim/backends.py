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
the others.  A progress bar shows on standard error when it is a terminal.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from .errors import BlendsimError, InputError

__all__ = ["BACKENDS", "TaskError", "run_tasks"]

BACKENDS = ("serial", "pool", "dask")

_pool: ProcessPoolExecutor | None = None
_pool_workers = 0


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


def check_backend(backend: str, workers, scheduler) -> None:
    if backend not in BACKENDS:
        raise InputError(f"backend must be one of {', '.join(BACKENDS)} (got {backend!r})")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool)
                                or workers < 1):
        raise InputError(f"workers must be a whole number >= 1 (got {workers!r})")
    if scheduler is not None and backend != "dask":
        raise InputError(f"scheduler is for backend='dask' (got backend={backend!r})")
    if scheduler is not None and not isinstance(scheduler, str):
        raise InputError(f"scheduler must be an address like 'tcp://127.0.0.1:8786' "
                         f"(got {scheduler!r})")


def _start_method() -> str:
    """How the pool's workers start.

    ``fork`` on Linux while this process runs a single thread: workers begin as copies of it,
    so a script without an ``if __name__ == "__main__":`` guard works and nothing is imported
    twice.  Otherwise ``forkserver`` (clean processes, safe beside the threads of Dask, Jupyter
    or a GUI), or ``spawn`` where that is all there is.
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and threading.active_count() == 1 and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_workers
    if _pool is None or _pool_workers != workers:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
        import multiprocessing

        _pool = ProcessPoolExecutor(max_workers=workers,
                                    mp_context=multiprocessing.get_context(_start_method()))
        _pool_workers = workers
    return _pool


def _drop_pool() -> None:
    """Forget a broken pool, so that the next call starts a fresh one."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None


@atexit.register
def _shutdown_pool() -> None:
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)


def _progress(total: int, quiet: bool, label: str):
    if quiet or total <= 1 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="run", file=sys.stderr, leave=False)


def run_tasks(func: Callable, tasks: Sequence[tuple], *, backend: str = "pool",
              workers: int | None = None, scheduler: str | None = None, quiet: bool = False,
              label: str = "simulating") -> Iterator[tuple[int, object]]:
    """Run ``func(*task)`` for every task; yield ``(index, value or TaskError)`` as each ends.

    ``func`` must be importable (a module-level function) for the pool and Dask backends.
    """
    check_backend(backend, workers, scheduler)
    n = len(tasks)
    in_process = backend == "serial" or (backend == "pool" and n <= 1)
    # The pool starts before the progress bar, whose monitor thread would rule out fork.
    pool = _get_pool(workers or os.cpu_count() or 1) if backend == "pool" and not in_process \
        else None
    bar = _progress(n, quiet, label)
    try:
        if in_process:
            for i, task in enumerate(tasks):
                yield i, _guarded(func, task)
                if bar is not None:
                    bar.update()
        elif pool is not None:
            yield from _run_pool(pool, func, tasks, bar)
        else:
            yield from _run_dask(func, tasks, workers, scheduler, bar)
    finally:
        if bar is not None:
            bar.close()


def _run_pool(pool, func, tasks, bar):
    try:
        futures = {pool.submit(_guarded, func, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], future.result()
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


def _run_dask(func, tasks, workers, scheduler, bar):
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise InputError('backend="dask" needs Dask: pip install "blendsim[dask]"') from None
    cluster = None
    if scheduler is None:
        try:
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                   threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None)
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
    try:
        futures = [client.submit(_guarded, func, task, pure=False) for task in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()
            if bar is not None:
                bar.update()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
