"""Layer 5 -- experiments on top of the engine: replications and confidence intervals,
backends (serial, process pool, Dask), sweeps, the resumable store, the trade-off.

The functions :func:`blendsim.sweep` and :func:`blendsim.tradeoff` live in the modules of the
same names (``blendsim.experiment.sweep``, ``blendsim.experiment.tradeoff``), which this
package does not shadow.
"""

from __future__ import annotations

from blendsim.experiment.backends import (
    BACKENDS,
    MAX_REPLICATIONS,
    MAX_TASKS,
    Interrupted,
    TaskError,
    max_workers,
    run_tasks,
)
from blendsim.experiment.replications import Result, simulate
from blendsim.experiment.store import LAYOUT, Store, read_store
from blendsim.experiment.sweep import KNOBS, field_paths, point_scenario
from blendsim.experiment.tradeoff import TRADEOFF_FIGURES, VERDICTS, best_point, verdicts

__all__ = [
    "BACKENDS",
    "KNOBS",
    "LAYOUT",
    "MAX_REPLICATIONS",
    "MAX_TASKS",
    "TRADEOFF_FIGURES",
    "VERDICTS",
    "best_point",
    "field_paths",
    "max_workers",
    "point_scenario",
    "read_store",
    "run_tasks",
    "simulate",
    "verdicts",
    "Interrupted",
    "Result",
    "Store",
    "TaskError",
]
