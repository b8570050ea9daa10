"""Sweeps: one scenario at every point of a grid of changes, with common random numbers.

``sweep(scenario, grid={"groups[blended team].headcount": [4, 6], "reserve": [1, 2]})``
simulates every combination, all with one seed (so every point sees the same callers and the
same customer lists), on the chosen backend, and returns one row per point with each figure's
mean and 95% confidence interval.  With ``store=`` every finished replication is committed to
an SQLite file as it completes, and a sweep started again on that file computes only what is
missing.

Grid keys are field paths into the scenario file's layout: ``day.open``,
``inbound[0].volume``, ``groups[blended team].headcount`` (a list item by position or by its
``name``), ``outbound[0].connect_probability``, ``blending[0].reserve``.  A single value for a
list field sets every element.  Two knobs need no path: ``reserve`` (the threshold policy's
reserve) and ``blended_agents`` (agents moved into the blended group; see
:func:`blendsim.scenario.variants.with_blended_agents`).
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from contextlib import closing
from itertools import product

import pandas as pd

from blendsim._validate import whole
from blendsim._version import __version__
from blendsim.errors import InputError, ScenarioError
from blendsim.experiment.backends import (
    MAX_REPLICATIONS,
    MAX_TASKS,
    Interrupted,
    TaskError,
    check_backend,
    run_tasks,
)
from blendsim.experiment.replications import (
    Result,
    checked_seed,
    day_figures,
    default_backend,
    interval_figures,
    interval_levels,
    replication_records,
)
from blendsim.experiment.store import Store
from blendsim.metrics.ci import mean_ci
from blendsim.scenario.file import scenario_to_dict, to_toml
from blendsim.scenario.model import Scenario
from blendsim.scenario.variants import with_blended_agents, with_reserve

__all__ = ["KNOBS", "field_paths", "point_scenario", "sweep"]

KNOBS = {"reserve": with_reserve, "blended_agents": with_blended_agents}
MAX_POINTS = 10_000  # a grid's points; each is a scenario built and checked up front
_STEP = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)(?:\[([^\]]+)\])?$")


def field_paths(scenario: Scenario) -> list[str]:
    """Every field path a grid may vary, in the scenario file's layout."""
    out: list[str] = list(KNOBS)

    def walk(node, prefix):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{prefix}.{k}" if prefix else k)
        elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
            for i, item in enumerate(node):
                walk(item, f"{prefix}[{i}]")
        else:
            out.append(prefix)

    walk(scenario.to_dict(), "")
    return out


def _unknown(path: str, scenario: Scenario, why: str) -> InputError:
    known = field_paths(scenario)
    close = difflib.get_close_matches(path, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else (
        f"; paths look like {', '.join(known[2:5])}")
    return InputError(f"grid path {path!r}: {why}{hint}")


def _set(data: dict, path: str, value, scenario: Scenario) -> None:
    steps = path.split(".")
    node = data
    for n, step in enumerate(steps):
        m = _STEP.match(step)
        if m is None:
            raise _unknown(path, scenario, f"{step!r} is not a field name")
        key, sel = m.group(1), m.group(2)
        last = n == len(steps) - 1 and sel is None
        if not isinstance(node, dict) or key not in node:
            raise _unknown(path, scenario, f"there is no field {key!r} there")
        if last:
            old = node[key]
            node[key] = [value] * len(old) if isinstance(old, list) and not isinstance(
                value, list) else value
            return
        node = node[key]
        if sel is not None:
            if not isinstance(node, list):
                raise _unknown(path, scenario, f"{key!r} is not a list")
            if sel.isdigit():
                if int(sel) >= len(node):
                    raise _unknown(path, scenario, f"{key} has {len(node)} item(s), no [{sel}]")
                node = node[int(sel)]
            else:
                named = [x for x in node if isinstance(x, dict) and x.get("name") == sel]
                if not named:
                    names = [x.get("name") for x in node if isinstance(x, dict)]
                    raise _unknown(path, scenario, f"no {key} item is named {sel!r} "
                                                   f"(names: {', '.join(map(str, names))})")
                node = named[0]
            if n == len(steps) - 1:
                raise _unknown(path, scenario, "a path must end at a field, not a list item")
    raise _unknown(path, scenario, "the path does not end at a field")  # pragma: no cover


def point_scenario(scenario: Scenario, params: dict) -> Scenario:
    """The scenario at one grid point (field paths first, then the knobs)."""
    fields = {k: v for k, v in params.items() if k not in KNOBS}
    sc = scenario
    if fields:
        # A policy written in Python has no file form: vary the rest, then put it back.
        written = all(hasattr(p, "to_dict") for p in scenario.blending)
        base = scenario if written else scenario.replace(blending=())
        if not written and any(path.startswith("blending") for path in fields):
            raise InputError("the scenario's blending policies are written in Python: vary "
                             "them in Python, not by grid path")
        data = copy.deepcopy(base.to_dict())
        for path, value in fields.items():
            _set(data, path, value, base)
        try:
            sc = Scenario.from_dict(data)
        except ScenarioError as e:
            where = ", ".join(f"{k}={v!r}" for k, v in params.items())
            raise InputError(f"at the point {where}: " + "; ".join(e.problems)) from None
        if not written:
            sc = sc.replace(blending=scenario.blending)
    for knob in ("blended_agents", "reserve"):
        if knob in params:
            sc = KNOBS[knob](sc, params[knob])
    return sc


def replication_figures(scenario: Scenario, seed: int, replication: int) -> dict:
    """The day's figures of one replication (a pure function: any backend may run it)."""
    frames = replication_records(scenario, seed, replication)
    # Summarised as a one-day result of its own (whose only replication is number 0).
    contacts, agents, ready = (f.assign(replication=0) for f in frames)
    result = Result(scenario=scenario, seed=seed, replications=1, contacts=contacts,
                    agents=agents, ready=ready)
    row = result.replication_summary().iloc[0].to_dict()
    row.pop("replication", None)
    return {**{k: float(v) for k, v in row.items()}, **interval_levels(result)}


def _plain(v):
    """Numpy numbers (and lists of them) as plain Python values."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v.item() if hasattr(v, "item") and not isinstance(v, (str, bytes)) else v


def _grid(grid) -> list[dict]:
    if not isinstance(grid, dict):
        raise InputError(f"grid must be a mapping of field paths to lists of values "
                         f"(got {grid!r})")
    axes = []
    for path, values in grid.items():
        if not isinstance(path, str):
            raise InputError(f"grid keys must be field paths (got {path!r})")
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise InputError(f"grid[{path!r}] must be a list of values (got {values!r})")
        values = [_plain(v) for v in values]
        if not values:
            raise InputError(f"grid[{path!r}] must list at least one value")
        seen = []
        for v in values:
            if v in seen:
                raise InputError(f"grid[{path!r}] lists the value {v!r} twice")
            seen.append(v)
        axes.append([(path, v) for v in values])
    size = math.prod(len(a) for a in axes)
    if size > MAX_POINTS:
        counts = " x ".join(str(len(a)) for a in axes)
        raise InputError(f"a grid may have at most {MAX_POINTS} points (got {counts} = "
                         f"{size}); sweep a coarser grid first")
    return [dict(combo) for combo in product(*axes)]  # an empty grid: one point, as given


def sweep(scenario: Scenario, grid: dict, *, replications: int = 20, seed: int | None = None,
          store=None, backend: str | None = None, workers: int | None = None,
          scheduler: str | None = None, quiet: bool = False) -> pd.DataFrame:
    """Simulate ``scenario`` at every point of ``grid``; one row per point.

    Parameters
    ----------
    scenario : Scenario
    grid : dict
        Field path (or knob) -> list of values; every combination is a point (an empty grid
        is one point: the scenario as given).
    replications, seed
        As in :func:`blendsim.simulate`; one seed for all points (common random numbers).
    store : path, optional
        An SQLite results store: finished replications are committed as they arrive, and
        those already there are not computed again.
    backend, workers, scheduler, quiet
        Where to run (see :func:`blendsim.simulate`).

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, once the workers are stopped: an
        :class:`blendsim.experiment.backends.Interrupted` saying what was finished and stored
        (a rerun on the store resumes).

    Returns
    -------
    DataFrame
        One row per point: the grid's columns, ``replications`` (how many finished) and each
        figure's mean with ``_ci_low`` / ``_ci_high``.  ``attrs["failures"]`` lists the points
        whose simulation raised, with their parameters and the error; their other
        replications and every other point are kept.
    """
    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a Scenario (got {type(scenario).__name__})")
    reps = whole("replications", replications, low=1, high=MAX_REPLICATIONS)
    seed = checked_seed(seed)
    backend = default_backend(backend, *scenario.blending)
    check_backend(backend, workers, scheduler)
    points = _grid(grid)
    if len(points) * reps > MAX_TASKS:
        raise InputError(f"a sweep may run at most {MAX_TASKS} replications in all (points x "
                         f"replications); this grid has {len(points)} points x {reps} "
                         f"replications = {len(points) * reps}")
    scenarios = [point_scenario(scenario, p) for p in points]  # every path checked up front

    db = None
    if store is not None:
        try:
            text = to_toml(scenario_to_dict(scenario))
        except ScenarioError:  # a policy written in Python has no file form
            text = repr(scenario)
        db = Store(store, scenario_text=text, seed=seed, version=__version__,
                   axes=list(points[0]),
                   figures=[*day_figures(scenario), *interval_figures(scenario)])
    figures: dict[tuple[int, int], dict] = {}
    try:
        ids = [db.point(p) if db is not None else i for i, p in enumerate(points)]
        done = db.done() if db is not None else set()
        tasks, where = [], []
        for i, sc in enumerate(scenarios):
            for r in range(reps):
                if (ids[i], r) not in done:
                    tasks.append((sc, seed, r))
                    where.append((i, r))
        failures = []
        try:
            with closing(run_tasks(replication_figures, tasks, backend=backend,
                                   workers=workers, scheduler=scheduler, quiet=quiet,
                                   label="sweeping")) as finished:
                for n, value in finished:
                    i, r = where[n]
                    if isinstance(value, TaskError):
                        failures.append({**points[i], "replication": r, "error": repr(value)})
                        if db is not None:
                            db.fail(ids[i], r, repr(value))
                    else:
                        figures[(i, r)] = value
                        if db is not None:
                            db.add(ids[i], r, value)
        except KeyboardInterrupt as e:
            if isinstance(e, Interrupted):
                raise
            raise Interrupted(_interrupted(db, ids, figures, len(tasks), reps)) \
                from None
        if db is not None:  # what earlier runs stored counts too
            for i, point_id in enumerate(ids):
                for r, f in db.figures(point_id, reps).items():
                    figures.setdefault((i, r), f)
    finally:
        if db is not None:
            db.close()
    return _aggregate(points, figures, failures, seed, reps,
                      [*day_figures(scenario), *interval_figures(scenario)])


def _interrupted(db, ids, figures, n_tasks, reps) -> str:
    """What an interrupted sweep finished, and what it kept."""
    new = len(figures)
    if db is None:
        return (f"{new} of {n_tasks} replications finished; nothing kept (a sweep with a "
                "store keeps every finished replication)")
    mine = set(ids)
    stored = {(p, r) for p, r in db.done() if p in mine and r < reps}  # what the file holds
    complete = sum(all((pid, r) in stored for r in range(reps)) for pid in ids)
    return (f"{complete} of {len(ids)} points complete, {len(stored)} of {len(ids) * reps} "
            f"replications stored in {db.path}; run the same sweep again to resume")


def _aggregate(points, figures, failures, seed, reps, names_of_figures) -> pd.DataFrame:
    rows = [{"_point": i, **points[i], **f} for (i, _r), f in sorted(figures.items())]
    names = list(points[0])
    if not names:  # one point without parameters
        points = [{"_": None}]
    if not rows:
        out = pd.DataFrame(points)
        out["replications"] = 0
        out = out.drop(columns="_", errors="ignore")
    else:
        table = pd.DataFrame(rows)
        measured = [c for c in table.columns if c not in ("_point", *names)]
        stats = mean_ci(table, ["_point"], measured)
        counts = table.groupby("_point").size().rename("replications")
        out = pd.DataFrame(points)
        out = out.join(counts, how="left").join(stats, how="left")
        out["replications"] = out["replications"].fillna(0).astype(int)
    for fig in names_of_figures:  # a point whose every replication failed has none
        for suffix in ("", "_ci_low", "_ci_high"):
            if fig + suffix not in out:
                out[fig + suffix] = float("nan")
    out.attrs.update(seed=seed, replications=reps, failures=pd.DataFrame(failures))
    return out.drop(columns="_", errors="ignore")
