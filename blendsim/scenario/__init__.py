"""Layer 2 -- the input model: a day of a contact centre and its file form.

``parts`` (day, target, inbound types, shifts, groups), ``distributions``, ``campaign``
(outbound lists and diallers), ``model`` (the :class:`Scenario` that checks how they fit),
``file`` (plain data and TOML), ``variants`` (the same centre with another reserve...),
``keys`` and ``reference`` (the scenario-file reference, generated from the code).
"""

from __future__ import annotations

from blendsim.scenario.campaign import OutboundCampaign, Segment
from blendsim.scenario.distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
    distribution_from_dict,
)
from blendsim.scenario.model import Scenario, dump_scenario, load_scenario
from blendsim.scenario.parts import (
    AGENTS_WHY,
    INTERVALS,
    MAX_DAY,
    SCHEMA_VERSION,
    SL_DEFINITIONS,
    AgentGroup,
    Day,
    InboundType,
    ServiceTarget,
    Shift,
)
from blendsim.scenario.variants import reserve_cap, with_blended_agents, with_reserve

__all__ = [
    "AGENTS_WHY",
    "INTERVALS",
    "MAX_DAY",
    "SCHEMA_VERSION",
    "SL_DEFINITIONS",
    "distribution_from_dict",
    "dump_scenario",
    "load_scenario",
    "reserve_cap",
    "with_blended_agents",
    "with_reserve",
    "AgentGroup",
    "Day",
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "InboundType",
    "Lognormal",
    "OutboundCampaign",
    "Scenario",
    "Segment",
    "ServiceTarget",
    "Shift",
    "Uniform",
]
