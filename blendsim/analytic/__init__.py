"""Layer 1 -- exact formulas: Erlang B/C/A, the threshold-blending chain, staffing rules.

Pure functions of numbers (no scenario, no simulation): ``erlang`` for one queue, ``blend``
for the exact Markov chain of threshold blending, ``staffing`` for the agents a target needs.
"""

from __future__ import annotations

from blendsim.analytic.blend import (
    BlendResult,
    best_reserve,
    chain_states,
    required_blend_agents,
    threshold_blend,
)
from blendsim.analytic.erlang import (
    ErlangAResult,
    asa,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)
from blendsim.analytic.forecast import Forecast, read_forecast
from blendsim.analytic.requirement import RequirementTable, requirement_table
from blendsim.analytic.staffing import (
    StaffingResult,
    required_agents,
    scheduled_agents,
    staffing_table,
)

__all__ = [
    "asa",
    "best_reserve",
    "chain_states",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "read_forecast",
    "required_agents",
    "required_blend_agents",
    "requirement_table",
    "scheduled_agents",
    "service_level",
    "staffing_table",
    "threshold_blend",
    "BlendResult",
    "ErlangAResult",
    "Forecast",
    "RequirementTable",
    "StaffingResult",
]
