"""The service-versus-outreach trade-off: what each reserve (and blended team size) buys.

:func:`tradeoff` simulates a scenario at every combination of a threshold ``reserve`` and a
number of ``blended_agents``, all with one seed, so that every point sees the same callers and
the same customer lists (common random numbers: the differences between points are sharp).
It returns one row per point with the inbound service and the outbound conversations, each
with a 95% confidence interval; :func:`blendsim.plots.frontier` draws it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .blending import AllOf, Dedicated, Threshold
from .errors import InputError, ScenarioError
from .scenario import AgentGroup, Scenario

__all__ = ["TRADEOFF_FIGURES", "tradeoff", "with_blended_agents", "with_reserve"]

TRADEOFF_FIGURES = ("service_level", "asa", "abandon_rate", "conversations", "mismatch_rate",
                    "occupancy", "outbound_share")


def with_reserve(scenario: Scenario, reserve: int) -> Scenario:
    """The scenario with its threshold policy's reserve set to ``reserve``.

    Other policies (time windows, a service-level guard) are kept; without a threshold one is
    added.
    """
    if isinstance(reserve, np.integer):
        reserve = int(reserve)
    if not isinstance(reserve, int) or isinstance(reserve, bool) or reserve < 0:
        raise InputError(f"reserve must be a whole number >= 0 (got {reserve!r})")
    policies = []
    for p in scenario.blending:
        if isinstance(p, AllOf):
            policies += list(p.policies)
        else:
            policies.append(p)
    if any(isinstance(p, Dedicated) for p in policies):
        raise InputError("a reserve needs blending, but the scenario's policy is Dedicated "
                         "(no blending)")
    found = False
    for i, p in enumerate(policies):
        if isinstance(p, Threshold):
            policies[i] = Threshold(reserve=reserve, min_idle_blended=p.min_idle_blended)
            found = True
    if not found:
        policies.append(Threshold(reserve=reserve))
    return scenario.replace(blending=tuple(policies))


def with_blended_agents(scenario: Scenario, agents: int) -> Scenario:
    """The scenario with ``agents`` agents in its blended group, taken from its partner.

    The scenario must have one blended group (inbound skills and outbound campaigns) and one
    inbound-only group with the same skills, both staffed by head count.  In every interval
    where the blended group works, ``agents`` of the two groups' agents (at most all of them)
    are blended and the rest answer inbound only; the total stays the same.
    """
    if isinstance(agents, np.integer):
        agents = int(agents)
    if not isinstance(agents, int) or isinstance(agents, bool) or agents < 0:
        raise InputError(f"blended_agents must be a whole number >= 0 (got {agents!r})")
    blended = [g for g in scenario.groups if g.skills and g.outbound]
    if len(blended) != 1:
        raise InputError(f"blended_agents needs exactly one blended group (inbound skills and "
                         f"outbound campaigns); the scenario has {len(blended)}")
    b = blended[0]
    partners = [g for g in scenario.groups if not g.outbound and set(g.skills) == set(b.skills)]
    if len(partners) != 1:
        raise InputError(f"blended_agents needs one inbound-only group with the same skills "
                         f"as {b.name!r} to take agents from; the scenario has {len(partners)}")
    p = partners[0]
    if b.headcount is None or p.headcount is None:
        raise InputError(f"blended_agents moves agents between head counts: give groups "
                         f"{b.name!r} and {p.name!r} a headcount, not shifts")
    new_b, new_p = [], []
    for hb, hp in zip(b.headcount, p.headcount, strict=True):
        total = hb + hp
        moved = min(agents, total) if hb > 0 else 0
        new_b.append(moved)
        new_p.append(total - moved)
    groups = tuple(AgentGroup(name=g.name, skills=g.skills, outbound=g.outbound,
                              headcount=tuple(new_b if g is b else new_p))
                   if g is b or g is p else g for g in scenario.groups)
    try:
        return scenario.replace(groups=groups)
    except ScenarioError as e:  # pragma: no cover - the totals are unchanged
        raise InputError(str(e)) from None


def tradeoff(scenario: Scenario, *, reserve=None, blended_agents=None, replications: int = 20,
             seed: int | None = None, backend: str | None = None, workers: int | None = None,
             scheduler: str | None = None, quiet: bool = False) -> pd.DataFrame:
    """Inbound service and outbound conversations for each reserve and blended team size.

    Parameters
    ----------
    scenario : Scenario
        A scenario with an outbound campaign.
    reserve : list of int, optional
        Threshold reserves to try (agents kept idle for inbound); default: the scenario's.
    blended_agents : list of int, optional
        Blended team sizes to try (see :func:`with_blended_agents`); default: as given.
    replications, seed, backend, workers, scheduler, quiet
        As in :func:`blendsim.simulate`; one seed for every point (common random numbers).

    Returns
    -------
    DataFrame
        One row per point: ``reserve``, ``blended_agents`` (None where not varied), and for
        each of ``TRADEOFF_FIGURES`` its mean and ``_ci_low``/``_ci_high``; conversations are
        per simulated day.
    """
    from .sweep import sweep

    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a Scenario (got {type(scenario).__name__})")
    if not scenario.outbound:
        raise InputError("a trade-off needs an outbound campaign in the scenario")
    grid = {}
    if reserve is not None:
        grid["reserve"] = _values("reserve", reserve)
    if blended_agents is not None:
        grid["blended_agents"] = _values("blended_agents", blended_agents)
    points = sweep(scenario, grid, replications=replications, seed=seed, backend=backend,
                   workers=workers, scheduler=scheduler, quiet=quiet)
    out = pd.DataFrame(index=points.index)
    for knob in ("reserve", "blended_agents"):
        out[knob] = points[knob] if knob in points else None
    for fig in TRADEOFF_FIGURES:
        for suffix in ("", "_ci_low", "_ci_high"):
            out[fig + suffix] = points[fig + suffix]
    out.attrs.update(seed=points.attrs["seed"], replications=replications,
                     target=scenario.service_target.level,
                     target_seconds=scenario.service_target.seconds, scenario=scenario.name,
                     failures=points.attrs["failures"])
    return out


def _values(name: str, values) -> list:
    if values is None:
        return [None]
    if isinstance(values, int) and not isinstance(values, bool):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        raise InputError(f"{name} must be a list of whole numbers (got {values!r})") from None
    if not values:
        raise InputError(f"{name} must list at least one value (got an empty list)")
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise InputError(f"{name} values must be whole numbers >= 0 (got {v!r})")
    return values
