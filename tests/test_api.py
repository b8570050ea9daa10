"""The public API: what ``import blendsim`` promises."""

from __future__ import annotations

import dataclasses

import pytest

import blendsim

EXPECTED = {
    # formulas and staffing
    "BlendResult", "ErlangAResult", "StaffingResult", "asa", "best_reserve", "erlang_a",
    "erlang_b", "erlang_c", "occupancy", "required_agents", "required_blend_agents",
    "scheduled_agents", "service_level", "staffing_table", "threshold_blend",
    # days whose arrival rate changes
    "offered_load", "time_varying_staffing", "transient_queue",
    # scenarios and simulation
    "AgentGroup", "Day", "InboundType", "Scenario", "ServiceTarget", "Shift",
    "dump_scenario", "load_scenario", "simulate", "Result",
    "Deterministic", "Empirical", "Exponential", "Gamma", "Lognormal", "Uniform",
    # outbound and blending
    "OutboundCampaign", "Segment", "AllOf", "Dedicated", "ServiceLevelGuard", "Threshold",
    "TimeWindows", "tradeoff", "sweep", "read_store", "best_reserve_schedule",
    "ReserveSchedule", "staff_by_simulation", "SimulatedStaffing",
    # judging the service per interval
    "judge", "Judgement",
    # rosters: shift templates, the integer cover, rosters by simulation
    "BreakRule", "ShiftTemplate", "load_shift_templates", "Cover", "integer_cover",
    "Roster", "SimulatedRoster", "cover_roster", "roster_by_simulation",
    # the executive's page: paired comparisons, business assumptions, the pilot's case
    "Comparison", "compare", "Assumption", "Assumptions", "default_assumptions",
    "load_assumptions", "PilotCase", "business_case", "pilot_case", "tornado",
    # errors and version
    "BlendsimError", "InfeasibleError", "InputError", "Interrupted", "ScenarioError",
    "__version__",
}


def test_all_is_the_documented_api():
    assert set(blendsim.__all__) == EXPECTED
    for name in blendsim.__all__:
        assert hasattr(blendsim, name), name


def test_all_is_sorted():
    assert blendsim.__all__ == sorted(blendsim.__all__)


def test_the_time_varying_tools_are_the_modules_own():
    from blendsim import analytic
    from blendsim.analytic import timevarying, transient
    from blendsim.experiment import reserve_schedule, staffing
    from blendsim.metrics import judgement

    for name in ("offered_load", "time_varying_staffing"):
        assert getattr(blendsim, name) is getattr(analytic, name) is getattr(timevarying, name)
    assert blendsim.transient_queue is analytic.transient_queue is transient.transient_queue
    assert blendsim.best_reserve_schedule is reserve_schedule.best_reserve_schedule
    assert blendsim.ReserveSchedule is reserve_schedule.ReserveSchedule
    assert blendsim.staff_by_simulation is staffing.staff_by_simulation
    assert blendsim.judge is judgement.judge
    assert blendsim.Judgement is judgement.Judgement
    assert {"offered_load", "time_varying_staffing", "transient_queue"} <= set(analytic.__all__)
    for name in analytic.__all__:
        assert hasattr(analytic, name), name


def test_version_is_a_string():
    assert isinstance(blendsim.__version__, str) and blendsim.__version__[0].isdigit()


@pytest.mark.parametrize("cls", [blendsim.ErlangAResult, blendsim.BlendResult,
                                 blendsim.StaffingResult])
def test_results_are_frozen_keyword_only_dataclasses(cls):
    assert dataclasses.is_dataclass(cls)
    params = cls.__dataclass_params__
    assert params.frozen
    fields = dataclasses.fields(cls)
    assert all(f.kw_only for f in fields)


def test_results_cannot_be_changed():
    r = blendsim.required_agents(0.05, 240, target_sl=0.8, target_time=20)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.agents = 1  # type: ignore[misc]
    assert dataclasses.replace(r, agents=1).agents == 1


def test_error_hierarchy():
    assert issubclass(blendsim.InputError, blendsim.BlendsimError)
    assert issubclass(blendsim.InputError, ValueError)
    assert issubclass(blendsim.ScenarioError, blendsim.InputError)
    assert issubclass(blendsim.InfeasibleError, blendsim.BlendsimError)
