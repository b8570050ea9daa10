"""Layer 1 -- exact formulas: Erlang B/C/A, the threshold-blending chain, staffing rules.

Pure functions of numbers (no scenario, no simulation): ``erlang`` for one queue, ``blend``
for the exact Markov chain of threshold blending, ``staffing`` for the agents a target needs,
``timevarying`` for staffing a day whose arrival rate changes (lagged SIPP, modified offered
load) and ``transient`` for the exact figures of such a day's queue.
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
from blendsim.analytic.timevarying import offered_load, time_varying_staffing
from blendsim.analytic.transient import transient_queue

__all__ = [
    "asa",
    "best_reserve",
    "chain_states",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "offered_load",
    "read_forecast",
    "required_agents",
    "required_blend_agents",
    "requirement_table",
    "scheduled_agents",
    "service_level",
    "staffing_table",
    "threshold_blend",
    "time_varying_staffing",
    "transient_queue",
    "BlendResult",
    "ErlangAResult",
    "Forecast",
    "RequirementTable",
    "StaffingResult",
]
