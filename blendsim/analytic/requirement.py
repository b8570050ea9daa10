"""The table around a requirement: what a few agents fewer and more than required achieve.

A planner rarely staffs exactly the requirement; :func:`requirement_table` shows the service
level, ASA, P(wait), occupancy and abandonment from ``below`` agents under the requirement
(never an overloaded team under Erlang C) to ``above`` agents over it, so the cost of one
agent more or less is in view.

>>> t = requirement_table(120 / 1800, 240, target_sl=0.8, target_time=20, below=1, above=1)
>>> [r["agents"] for r in t.rows], t.required.agents
([19, 20, 21], 20)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from blendsim._validate import whole
from blendsim.analytic.erlang import (
    QueueTooLongError,
    asa,
    erlang_a,
    erlang_c,
    occupancy,
    service_level,
)
from blendsim.analytic.staffing import StaffingResult, required_agents, scheduled_agents

__all__ = ["MAX_ROWS", "RequirementTable", "requirement_table"]

MAX_ROWS = 1_000  # rows below / above the requirement


@dataclass(frozen=True, kw_only=True, slots=True)
class RequirementTable:
    """The requirement and the staffing levels around it.

    Attributes
    ----------
    required : StaffingResult
        The fewest agents that meet every target (:func:`blendsim.analytic.required_agents`).
    rows : list of dict
        One per staffing level, fewest agents first: ``agents``, ``service_level`` (None
        without a service-level target), ``asa``, ``p_wait``, ``occupancy``, ``p_abandon``
        and ``scheduled`` (agents to schedule for the shrinkage).  Empty without calls.
    skipped : int
        Erlang A levels up to this many agents are left out (0: none): with so few agents
        the queue grows past the places Erlang A sums over.
    """

    required: StaffingResult
    rows: list[dict]
    skipped: int


def requirement_table(rate, aht, *, below=3, above=4, target_sl=None, target_time=None,
                      model="erlang_c", patience=None, target_asa=None, max_abandon=None,
                      max_occupancy=None, shrinkage=0.0) -> RequirementTable:
    """The requirement for one interval and the figures ``below``/``above`` agents around it.

    Parameters
    ----------
    rate, aht, target_sl, target_time, model, patience, target_asa, max_abandon, \
max_occupancy, shrinkage
        As in :func:`blendsim.analytic.required_agents`.
    below, above : int
        Staffing levels to show under and over the requirement, ``0 .. MAX_ROWS``.  Under
        Erlang C the table starts at the smallest team that keeps up with the load.
    """
    few = whole("below", below, low=0, high=MAX_ROWS)
    more = whole("above", above, low=0, high=MAX_ROWS)
    req = required_agents(rate, aht, target_sl=target_sl, target_time=target_time,
                          model=model, patience=patience, target_asa=target_asa,
                          max_abandon=max_abandon, max_occupancy=max_occupancy,
                          shrinkage=shrinkage)
    rows: list[dict] = []
    skipped = 0
    if rate != 0:
        lowest = 1 if model == "erlang_a" else max(1, math.floor(rate * aht) + 1)
        for n in range(max(lowest, req.agents - few), req.agents + more + 1):
            try:
                rows.append(_row(n, rate, aht, model, patience, target_time))
            except QueueTooLongError:  # far below the requirement with very patient callers
                skipped = n
    for r in rows:
        r["scheduled"] = scheduled_agents(r["agents"], shrinkage)
    return RequirementTable(required=req, rows=rows, skipped=skipped)


def _row(n: int, rate: float, aht: float, model: str, patience, t) -> dict:
    """Figures for one staffing level (Erlang C, or Erlang A with patience)."""
    if model == "erlang_a":
        r = erlang_a(n, rate, aht, patience, target=t)
        return {"agents": n, "service_level": r.service_level, "asa": r.asa,
                "p_wait": r.p_wait, "occupancy": r.occupancy, "p_abandon": r.p_abandon}
    a = rate * aht
    return {"agents": n, "service_level": None if t is None else service_level(n, a, aht, t),
            "asa": asa(n, a, aht), "p_wait": erlang_c(n, a), "occupancy": occupancy(n, a),
            "p_abandon": 0.0}
