"""The integer cover: the cheapest numbers of shifts whose coverage meets each interval's need.

Given the shifts a planner may post (columns: each covers some share of each interval and
costs something) and a requirement per interval, :func:`integer_cover` solves

    minimise    sum_j cost[j] * x[j]
    subject to  sum_j counts_for[r, j] * coverage[j, i] * x[j] >= requirement[r, i]
                low_b <= sum_{j in b} x[j] <= high_b         for every bound b
                sum_j weights_e[j] * x[j] >= goal_e           for every extra goal e
                x[j] whole numbers >= 0

with ``scipy.optimize.milp`` (the HiGHS branch and cut in SciPy).  Row ``r`` is one group's
need (or several groups' pooled need: ``counts_for`` says which columns count towards it).

When no roster meets every row, the answer is still a roster: the one with the least total
shortfall (agent-intervals short, summed), and among those the cheapest, with the shortfall
of every row and interval listed.  It is never a bare "infeasible".

>>> import numpy as np
>>> coverage = np.array([[1, 1, 0], [0, 1, 1], [1, 1, 1]])  # three shifts over 3 intervals
>>> cover = integer_cover(coverage, cost=[2, 2, 3], requirement=[1, 2, 1])
>>> cover.counts.tolist(), cover.cost
([1, 1, 0], 4.0)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from blendsim._validate import as_array, number
from blendsim.errors import InputError
from blendsim.limits import safe

__all__ = ["MAX_COLUMNS", "Cover", "integer_cover"]

MAX_COLUMNS = 200_000  # shifts x groups: the solver's columns
MAX_COUNT = 5_000  # agents on one shift (the scenario's MAX_HEADCOUNT)
_TOL = 1e-6


@dataclass(frozen=True, eq=False)
class Cover:
    """What :func:`integer_cover` found.

    Attributes
    ----------
    counts : ndarray of int
        Shifts posted per column.
    covered : ndarray, shape (rows, intervals)
        The coverage the roster gives each row.
    requirement : ndarray, shape (rows, intervals)
    shortfall : ndarray
        ``max(requirement - covered, 0)``: zero everywhere when ``met``.
    slack : ndarray
        ``max(covered - requirement, 0)``: coverage beyond the need.
    cost : float
    goals, goal_values, goal_shortfall : ndarray
        Per extra goal: what was asked, what the roster gives, and how much it falls short.
    status : str
        ``"optimal"`` (within ``gap`` of the optimum); ``"shortfall"`` (the best roster
        cannot meet every row: the least shortfall, then the least cost); ``"time_limit"``
        (the best roster found in the time allowed, within ``gap`` of the optimum).
    gap : float
        Relative gap between the cost and the solver's lower bound when it stopped.
    seconds : float
        Wall time of the solves.
    """

    counts: np.ndarray
    covered: np.ndarray
    requirement: np.ndarray
    shortfall: np.ndarray
    slack: np.ndarray
    cost: float
    goals: np.ndarray
    goal_values: np.ndarray
    goal_shortfall: np.ndarray
    status: str
    gap: float
    seconds: float

    @property
    def met(self) -> bool:
        """Whether every row and every goal is met."""
        return not (self.shortfall > _TOL).any() and not (self.goal_shortfall > _TOL).any()


def integer_cover(coverage, cost, requirement, *, counts_for=None, bounds=(), goals=(),
                  time_limit: float = 60.0, gap: float = 1e-4) -> Cover:
    """The cheapest whole numbers of shifts that cover every row's requirement.

    Parameters
    ----------
    coverage : array, shape (columns, intervals)
        Share of each interval each column works (0 to 1; a whole shift over an interval is 1).
    cost : array, shape (columns,)
        Cost of one shift of each column.
    requirement : array, shape (intervals,) or (rows, intervals)
        Agents needed per interval, per row.
    counts_for : array of bool, shape (rows, columns), optional
        Which columns count towards which row (default: every column towards every row).
    bounds : list of (columns, low, high)
        The sum of the counts of ``columns`` (indices) must lie in ``[low, high]`` (``high``
        None for no bound): a template's minimum and maximum.
    goals : list of (weights, goal)
        ``sum(weights * counts) >= goal``: an outreach goal, with each column's yield.
    time_limit : float
        Seconds the solver may take (per solve; at most two solves run when the rows
        cannot all be met).
    gap : float
        The relative gap at which the solver stops: the cost is within this share of the
        optimum (HiGHS's ``mip_rel_gap``; 0 proves optimality, which a goal row with
        fractional yields can make slow).
    """
    a = as_array("coverage", coverage, low=0, high=1)
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise InputError(f"coverage must be a table of columns x intervals (got shape "
                         f"{a.shape})")
    k, n = a.shape
    if k > MAX_COLUMNS:
        raise InputError(f"coverage must have at most {MAX_COLUMNS:,} columns (got {k:,})")
    c = as_array("cost", cost, low=0)
    if c.shape != (k,):
        raise InputError(f"cost must have one value per column ({k}) (got shape {c.shape})")
    req = as_array("requirement", requirement, low=0, high=1e7)
    if req.ndim == 1:
        req = req[None, :]
    if req.ndim != 2 or req.shape[1] != n:
        raise InputError(f"requirement must have one value per interval ({n}) per row (got "
                         f"shape {req.shape})")
    rows = req.shape[0]
    if counts_for is None:
        member = np.ones((rows, k), dtype=bool)
    else:
        raw = np.asarray(counts_for)
        member = as_array("counts_for", raw.astype(float) if raw.dtype == bool else raw,
                          low=0, high=1).astype(bool)
        if member.shape != (rows, k):
            raise InputError(f"counts_for must have shape (rows, columns) = ({rows}, {k}) "
                             f"(got {member.shape})")
    limit = number("time_limit", time_limit, low=0, low_open=True, high=24 * 3600)
    gap = number("gap", gap, low=0, high=0.5)
    checked_bounds = []
    for b, item in enumerate(bounds):
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise InputError(f"bounds[{b}] must be (columns, low, high) (got {safe(item)})")
        cols, low, high = item
        cols = as_array(f"bounds[{b}] columns", np.atleast_1d(cols), low=0, high=k - 1,
                        integer=True).astype(np.int64)
        low = number(f"bounds[{b}] low", low, low=0)
        high = math.inf if high is None else number(f"bounds[{b}] high", high, low=low)
        checked_bounds.append((cols, low, high))
    checked_goals = []
    for e, item in enumerate(goals):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InputError(f"goals[{e}] must be (weights, goal) (got {safe(item)})")
        w, goal = item
        w = as_array(f"goals[{e}] weights", w, low=0)
        if w.shape != (k,):
            raise InputError(f"goals[{e}] weights must have one value per column ({k})")
        checked_goals.append((w, number(f"goals[{e}] goal", goal, low=0)))

    # The cover rows (only those with a need: the others hold whatever the shifts give).
    blocks, lower, where = [], [], []
    for r in range(rows):
        need = np.flatnonzero(req[r] > 0)
        if need.size:
            blocks.append(sparse.csr_array(a[:, need].T * member[r][None, :]))
            lower.append(req[r, need])
            where += [(r, int(i)) for i in need]
    cover_rows = sparse.vstack(blocks, format="csr") if blocks else \
        sparse.csr_array((0, k))
    need_low = np.concatenate(lower) if lower else np.zeros(0)
    # Goals are scaled so that one unit short weighs like one agent-interval of the best
    # column (their units differ from the cover's).
    goal_rows, goal_low = [], []
    for w, goal in checked_goals:
        scale = float(w.max()) if w.max() > 0 else 1.0
        goal_rows.append(w / scale)
        goal_low.append(goal / scale)
    bound_rows = []
    for cols, _low, _high in checked_bounds:
        row = np.zeros(k)
        row[cols] = 1.0
        bound_rows.append(row)

    started = time.perf_counter()
    n_short = cover_rows.shape[0] + len(goal_rows)
    hard = _solve(c, cover_rows, need_low, goal_rows, goal_low, bound_rows, checked_bounds,
                  (limit, gap), short=None)
    status = "optimal"
    if hard is None:
        # Phase 1: the least shortfall; phase 2: the cheapest roster with that shortfall.
        least = _solve(np.zeros(k), cover_rows, need_low, goal_rows, goal_low, bound_rows,
                       checked_bounds, (limit, gap), short=(np.ones(n_short), None))
        if least is None:
            raise InputError("the shift bounds contradict each other (min_count and "
                             "max_count of overlapping templates): no roster exists")
        best = float(least.x[k:].sum())
        hard = _solve(c, cover_rows, need_low, goal_rows, goal_low, bound_rows,
                      checked_bounds, (limit, gap),
                      short=(np.ones(n_short), best + _TOL * (1 + best)))
        hard = hard if hard is not None else least
        status = "shortfall"
    x = np.round(hard.x[:k]).astype(np.int64)
    if hard.status == 1:
        status = "time_limit" if status == "optimal" else status
    reached = float(getattr(hard, "mip_gap", 0.0) or 0.0)
    seconds = time.perf_counter() - started

    covered = np.array([(a * member[r][:, None] * x[:, None]).sum(axis=0)
                        for r in range(rows)])
    values = np.array([float(w @ x) for w, _ in checked_goals])
    asked = np.array([g for _, g in checked_goals])
    return Cover(counts=x, covered=covered, requirement=req,
                 shortfall=np.maximum(req - covered, 0.0) * (req - covered > _TOL),
                 slack=np.maximum(covered - req, 0.0), cost=float(c @ x),
                 goals=asked, goal_values=values,
                 goal_shortfall=np.maximum(asked - values, 0.0) * (asked - values > _TOL),
                 status=status, gap=reached, seconds=seconds)


def _solve(c, cover_rows, need_low, goal_rows, goal_low, bound_rows, bounds, limits, short):
    """One milp solve; ``short`` = (weights of shortfall columns, their sum's upper bound) adds
    a shortfall column per cover and goal row.  None when infeasible."""
    k = c.size
    n_short = 0 if short is None else short[0].size
    parts = [cover_rows]
    if goal_rows:
        parts.append(sparse.csr_array(np.array(goal_rows)))
    demand = sparse.vstack(parts, format="csr") if len(parts) > 1 else cover_rows
    low = np.concatenate([need_low, np.array(goal_low, dtype=float)])
    constraints = []
    if short is not None:
        demand = sparse.hstack([demand, sparse.identity(n_short, format="csr")],
                               format="csr")
    if demand.shape[0]:
        constraints.append(LinearConstraint(demand, low - _TOL, np.inf))
    if bound_rows:
        b = np.array(bound_rows)
        if n_short:
            b = np.hstack([b, np.zeros((b.shape[0], n_short))])
        constraints.append(LinearConstraint(b, [lo for _, lo, _ in bounds],
                                            [hi for _, _, hi in bounds]))
    weights = c
    if short is not None:
        weights, cap = np.concatenate([c, np.zeros(n_short)]), short[1]
        if cap is None:
            weights = np.concatenate([c, short[0]])
        else:
            constraints.append(LinearConstraint(
                np.concatenate([np.zeros(k), short[0]])[None, :], -np.inf, cap))
    integrality = np.concatenate([np.ones(k), np.zeros(n_short)])
    upper = np.concatenate([np.full(k, float(MAX_COUNT)), np.full(n_short, np.inf)])
    res = milp(weights, integrality=integrality, bounds=Bounds(np.zeros(k + n_short), upper),
               constraints=constraints,
               options={"time_limit": limits[0], "mip_rel_gap": limits[1], "disp": False})
    if res.status == 0 or (res.status == 1 and res.x is not None):
        return res
    if res.status == 2:
        return None
    raise InputError(f"the integer cover could not be solved ({safe(res.message)})")
