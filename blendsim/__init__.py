"""blendsim: plan blended inbound/outbound contact centres.

Erlang B/C/A formulas, an exact Markov model of threshold blending, staffing
calculators, and a discrete-event simulation of a whole day (SimPy).  Times are in one
unit of your choice for the formulas; the simulation works in seconds.

The code lives in layered subpackages, bottom up: ``analytic`` and ``policies``,
``scenario``, ``metrics``, ``engine``, ``experiment``, ``outputs``, ``cli`` (README.md,
"Architecture", draws them); this module re-exports the names most users need.

>>> import blendsim
>>> blendsim.required_agents(rate=120 / 1800, aht=240, target_sl=0.8, target_time=20).agents
20
"""

from __future__ import annotations

from blendsim._version import __version__
from blendsim.analytic.blend import (
    BlendResult,
    best_reserve,
    required_blend_agents,
    threshold_blend,
)
from blendsim.analytic.cover import Cover, integer_cover
from blendsim.analytic.erlang import (
    ErlangAResult,
    asa,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)
from blendsim.analytic.staffing import (
    StaffingResult,
    required_agents,
    scheduled_agents,
    staffing_table,
)
from blendsim.analytic.timevarying import offered_load, time_varying_staffing
from blendsim.analytic.transient import transient_queue
from blendsim.errors import BlendsimError, InfeasibleError, InputError, ScenarioError
from blendsim.experiment.backends import Interrupted
from blendsim.experiment.business import PilotCase, business_case, pilot_case, tornado
from blendsim.experiment.compare import Comparison, compare
from blendsim.experiment.replications import Result, simulate
from blendsim.experiment.reserve_schedule import ReserveSchedule, best_reserve_schedule
from blendsim.experiment.roster import Roster, SimulatedRoster, cover_roster, roster_by_simulation
from blendsim.experiment.staffing import SimulatedStaffing, staff_by_simulation
from blendsim.experiment.store import read_store
from blendsim.experiment.sweep import sweep
from blendsim.experiment.tradeoff import tradeoff
from blendsim.metrics.judgement import Judgement, judge
from blendsim.policies.blending import AllOf, Dedicated, ServiceLevelGuard, Threshold, TimeWindows
from blendsim.scenario.assumptions import (
    Assumption,
    Assumptions,
    default_assumptions,
    load_assumptions,
)
from blendsim.scenario.campaign import OutboundCampaign, Segment
from blendsim.scenario.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
)
from blendsim.scenario.model import Scenario, dump_scenario, load_scenario
from blendsim.scenario.parts import AgentGroup, Day, InboundType, ServiceTarget, Shift
from blendsim.scenario.templates import BreakRule, ShiftTemplate, load_shift_templates

__all__ = [
    "AgentGroup",
    "AllOf",
    "Assumption",
    "Assumptions",
    "BlendResult",
    "BlendsimError",
    "BreakRule",
    "Comparison",
    "Cover",
    "Day",
    "Dedicated",
    "Deterministic",
    "Empirical",
    "ErlangAResult",
    "Exponential",
    "Gamma",
    "InboundType",
    "InfeasibleError",
    "InputError",
    "Interrupted",
    "Judgement",
    "Lognormal",
    "OutboundCampaign",
    "PilotCase",
    "ReserveSchedule",
    "Result",
    "Roster",
    "Scenario",
    "ScenarioError",
    "Segment",
    "ServiceLevelGuard",
    "ServiceTarget",
    "Shift",
    "ShiftTemplate",
    "SimulatedRoster",
    "SimulatedStaffing",
    "StaffingResult",
    "Threshold",
    "TimeWindows",
    "Uniform",
    "__version__",
    "asa",
    "best_reserve",
    "best_reserve_schedule",
    "business_case",
    "compare",
    "cover_roster",
    "default_assumptions",
    "dump_scenario",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "integer_cover",
    "judge",
    "load_assumptions",
    "load_scenario",
    "load_shift_templates",
    "occupancy",
    "offered_load",
    "pilot_case",
    "read_store",
    "required_agents",
    "required_blend_agents",
    "roster_by_simulation",
    "scheduled_agents",
    "service_level",
    "simulate",
    "staff_by_simulation",
    "staffing_table",
    "sweep",
    "threshold_blend",
    "time_varying_staffing",
    "tornado",
    "tradeoff",
    "transient_queue",
]
