"""Layer 1 -- the ACD's decisions: routing (who answers whom) and blending (who may go outbound).

Policies are small objects with one decision each; they see the centre through the read-only
:class:`~blendsim.policies.state.CentreState`, never the engine itself.
"""

from __future__ import annotations

from blendsim.policies.blending import (
    AllOf,
    BlendingPolicy,
    Dedicated,
    ServiceLevelGuard,
    Threshold,
    TimeWindows,
    policy_from_dict,
)
from blendsim.policies.routing import GroupOrder, LongestIdle, Routing
from blendsim.policies.state import CentreState

__all__ = [
    "policy_from_dict",
    "AllOf",
    "BlendingPolicy",
    "CentreState",
    "Dedicated",
    "GroupOrder",
    "LongestIdle",
    "Routing",
    "ServiceLevelGuard",
    "Threshold",
    "TimeWindows",
]
