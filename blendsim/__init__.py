"""blendsim: plan blended inbound/outbound contact centres.

Erlang B/C/A formulas, an exact Markov model of threshold blending, and staffing
calculators.  Times are in one unit of your choice (seconds throughout the examples).

>>> import blendsim
>>> blendsim.required_agents(rate=120 / 1800, aht=240, target_sl=0.8, target_time=20).agents
20
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .blend import BlendResult, best_reserve, required_blend_agents, threshold_blend
from .erlang import ErlangAResult, asa, erlang_a, erlang_b, erlang_c, occupancy, service_level
from .errors import BlendsimError, InfeasibleError, InputError, ScenarioError
from .staffing import StaffingResult, required_agents, scheduled_agents, staffing_table

try:
    __version__ = version("blendsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "BlendResult",
    "BlendsimError",
    "ErlangAResult",
    "InfeasibleError",
    "InputError",
    "ScenarioError",
    "StaffingResult",
    "__version__",
    "asa",
    "best_reserve",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "required_agents",
    "required_blend_agents",
    "scheduled_agents",
    "service_level",
    "staffing_table",
    "threshold_blend",
]
