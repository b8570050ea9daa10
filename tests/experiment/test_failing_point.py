"""A sweep point whose simulation raises is reported with its parameters; the others are kept."""

from __future__ import annotations

import importlib

import pytest
from builders import BLENDED, count_tasks, run
from pandas.testing import assert_frame_equal

from blendsim import Threshold
from blendsim.experiment.store import read_store
from blendsim.experiment.sweep import sweep
from blendsim.outputs.tables import pct

cli_sim = importlib.import_module("blendsim.cli.sim")


class FailsAtReserve:
    """A blending policy that raises once the scenario's threshold reserve is ``reserve``.

    Otherwise it always agrees, leaving the decision to the threshold beside it.
    """

    def __init__(self, reserve: int):
        self.reserve = reserve

    def __repr__(self) -> str:  # stable: a store compares scenarios by their text
        return f"FailsAtReserve(reserve={self.reserve})"

    def may_start_outbound(self, acd, agent: int) -> bool:
        if any(isinstance(p, Threshold) and p.reserve == self.reserve
               for p in acd.scenario.blending):
            raise RuntimeError(f"policy broke at reserve {self.reserve}")
        return True


class FailsAtListSize:
    """A blending policy that raises when the first campaign's list has ``list_size`` names."""

    def __init__(self, list_size: int):
        self.list_size = list_size

    def __repr__(self) -> str:
        return f"FailsAtListSize(list_size={self.list_size})"

    def may_start_outbound(self, acd, agent: int) -> bool:
        if acd.scenario.outbound[0].list_size == self.list_size:
            raise RuntimeError(f"policy broke at list size {self.list_size}")
        return True


# --------------------------------------------------------------------------------------------
# A failing point


@pytest.fixture(scope="module")
def fragile(blended):
    """The blended scenario with a Python policy that breaks at reserve 3."""
    return blended.replace(blending=(FailsAtReserve(3), *blended.blending))


def test_a_failing_point_is_reported_and_the_others_kept(fragile, tmp_path):
    store = tmp_path / "s.sqlite"
    table = sweep(fragile, {"reserve": [1, 3, 2]}, replications=2, seed=6, store=store,
                  backend="serial")
    assert list(table["reserve"]) == [1, 3, 2]
    assert list(table["replications"]) == [2, 0, 2]
    assert table.loc[1, ["service_level", "conversations", "occupancy"]].isna().all()
    failures = table.attrs["failures"]
    assert list(failures.columns) == ["reserve", "replication", "error"]
    assert sorted(failures["replication"]) == [0, 1] and (failures["reserve"] == 3).all()
    assert (failures["error"] == "RuntimeError: policy broke at reserve 3").all()
    # The points that ran are exactly what they are without the failing one beside them.
    alone = sweep(fragile, {"reserve": [1, 2]}, replications=2, seed=6, backend="serial")
    assert_frame_equal(table.drop(index=1).reset_index(drop=True), alone)

    results, stored_failures = read_store(store)
    assert sorted(set(results["reserve"])) == [1, 2] and len(results) == 4
    assert list(stored_failures.columns) == ["reserve", "point", "replication", "error"]
    assert list(zip(stored_failures["reserve"], stored_failures["replication"],
                    stored_failures["error"], strict=True)) == [
        (3, 0, "RuntimeError: policy broke at reserve 3"),
        (3, 1, "RuntimeError: policy broke at reserve 3")]


def test_a_rerun_retries_only_the_failed_replications(fragile, tmp_path, monkeypatch):
    store = tmp_path / "s.sqlite"
    sweep(fragile, {"reserve": [1, 3]}, replications=2, seed=6, store=store, backend="serial")
    tasks = count_tasks(monkeypatch)
    table = sweep(fragile, {"reserve": [1, 3]}, replications=2, seed=6, store=store,
                  backend="serial")
    assert sorted(tasks) == [(3, 0), (3, 1)]
    assert len(table.attrs["failures"]) == 2
    assert len(read_store(store)[1]) == 2  # still two failures, replaced, not added


def test_a_python_policy_failing_at_one_list_size_fails_only_that_point(blended):
    sc = blended.replace(blending=(FailsAtListSize(200), *blended.blending))
    table = sweep(sc, {"outbound[0].list_size": [200, 300]}, replications=2, seed=6,
                  backend="serial")
    assert list(table["replications"]) == [0, 2]
    failures = table.attrs["failures"]
    assert list(failures["outbound[0].list_size"]) == [200, 200]


def test_the_cli_reports_each_failure_on_one_line_and_exits_1(fragile, capsys, monkeypatch,
                                                              tmp_path):
    monkeypatch.setattr(cli_sim, "load_scenario", lambda path: fragile)
    status, out, err = run(capsys, "sweep", BLENDED, "--vary", "reserve=1,3",
                               "--replications", "2", "--seed", "6", "--backend", "serial",
                               "--quiet", "--store", tmp_path / "s.sqlite")
    assert status == 1
    assert err.splitlines() == [
        f"blendsim: error: point reserve=3, replication {r}: RuntimeError: policy broke at "
        f"reserve 3" for r in (0, 1)]
    table = sweep(fragile, {"reserve": [1]}, replications=2, seed=6, backend="serial")
    row = next(line.split() for line in out.splitlines() if line.split()[:2] == ["1", "2"])
    assert row[2] == pct(table.at[0, "service_level"])  # the good point is still shown
    assert any(line.split()[:2] == ["3", "0"] for line in out.splitlines())


def test_the_cli_shows_a_failed_points_figures_as_dashes(fragile, capsys, monkeypatch):
    monkeypatch.setattr(cli_sim, "load_scenario", lambda path: fragile)
    status, out, _ = run(capsys, "sweep", BLENDED, "--vary", "reserve=3",
                             "--replications", "1", "--seed", "6", "--backend", "serial")
    assert status == 1
    row = next(line.split() for line in out.splitlines() if line.split()[:2] == ["3", "0"])
    assert row[2:] == ["-"] * 6
