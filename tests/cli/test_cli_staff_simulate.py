"""``blendsim staff SCENARIO.toml --simulate``: the library's staffing by simulation from the
command line, its files (a head-count CSV and a scenario ready to run), JSON and refusals."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from builders import BLENDED, SCENARIOS, error_line, ok, table_rows

from blendsim import load_scenario, simulate
from blendsim.experiment.staffing import staff_by_simulation
from blendsim.scenario import AgentGroup, Day, InboundType, Scenario, dump_scenario
from blendsim.scenario.distributions import Exponential

FAST = ["--replications", "4", "--max-replications", "4", "--seed", "7", "--backend",
        "serial", "--quiet"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    sc = Scenario(
        name="small", day=Day(open_at=9 * 3600, close_at=11 * 3600, interval=1800),
        inbound=[InboundType(name="calls", volume=[40, 90, 90, 40],
                             handle_time=Exponential(mean=240),
                             patience=Exponential(mean=300))],
        groups=[AgentGroup(name="team", skills=["calls"], headcount=[1] * 4)])
    path = tmp_path_factory.mktemp("staff") / "small.toml"
    dump_scenario(sc, path)
    return path


def test_the_command_gives_the_librarys_staffing(capsys, small):
    out = ok(capsys, "staff", str(small), "--simulate", *FAST)
    plan = staff_by_simulation(load_scenario(small), replications=4, max_replications=4,
                               seed=7, backend="serial", quiet=True)
    rows = table_rows(out, "interval")
    assert [r[0] for r in rows] == plan.headcount["start"].tolist()
    assert [int(r[2]) for r in rows] == plan.headcount["total"].tolist()
    assert [int(r[1]) for r in rows] == plan.start["total"].tolist()
    assert "staffed by simulation: team" in out
    assert f"confirmed on seed {plan.confirm_seed}" in out


def test_out_writes_a_headcount_and_a_scenario_ready_to_run(capsys, small, tmp_path):
    out_dir = tmp_path / "staffed"
    ok(capsys, "staff", str(small), "--simulate", *FAST, "--out", str(out_dir))
    head = pd.read_csv(out_dir / "headcount.csv")
    assert list(head.columns) == ["interval_start", "team", "total"]
    staffed = load_scenario(out_dir / "staffed.toml")
    assert list(staffed.group("team").headcount) == head["team"].tolist()
    assert staffed.service_target.rule == "every_interval"
    assert (out_dir / "service_level.png").read_bytes()[:4] == b"\x89PNG"
    history = pd.read_csv(out_dir / "history.csv")
    assert history["iteration"].tolist() == list(range(1, len(history) + 1))
    # The written scenario runs and gives the confirmation's figures with its seed.
    again = simulate(staffed, replications=4, seed=7 + 1_000_003, backend="serial",
                     quiet=True)
    confirmed = pd.read_csv(out_dir / "intervals.csv")
    assert again.interval_service()["service_level"].round(9).tolist() == \
        confirmed["service_level"].round(9).tolist()


def test_json(capsys, small):
    doc = json.loads(ok(capsys, "staff", str(small), "--simulate", *FAST, "--json"))
    assert doc["mode"] == "simulate" and doc["rule"] == "every_interval"
    assert len(doc["headcount"]) == 4
    assert doc["judgement"]["judged"] == 4
    assert doc["agent_hours"] == pytest.approx(sum(r["total"] for r in doc["headcount"]) / 2)


def test_share_rule_and_target(capsys, small):
    doc = json.loads(ok(capsys, "staff", str(small), "--simulate", *FAST, "--json",
                        "--target", "50/20", "--rule", "share_of_intervals", "--share", "0.5"))
    strict = json.loads(ok(capsys, "staff", str(small), "--simulate", *FAST, "--json"))
    assert doc["rule"] == "share_of_intervals"
    assert doc["agent_hours"] < strict["agent_hours"]


@pytest.mark.parametrize("extra, words", [
    (["--method", "mol"], "--method is for staffing a forecast CSV"),
    (["--patience", "300"], "--patience is for staffing a forecast CSV"),
    (["--shrinkage", "0.3"], "--shrinkage is for staffing a forecast CSV"),
    (["--margin", "3"], "--margin must be >= 0 and <= 1 (got '3')"),
    (["--replications", "1"], "--replications"),
    (["--group", "nobody"], "groups: there is no agent group 'nobody'"),
    (["--target", "80"], "--target must look like 80/20"),
])
def test_bad_options_are_refused(capsys, small, extra, words):
    assert words in error_line(capsys, "staff", str(small), "--simulate", *FAST, *extra)


def test_simulation_options_need_simulate(capsys):
    line = error_line(capsys, "staff", str(SCENARIOS / "anonymous_bank_weekday.csv"),
                      "--seed", "3")
    assert "--seed needs --simulate" in line


def test_a_forecast_csv_is_not_a_scenario(capsys):
    line = error_line(capsys, "staff", str(SCENARIOS / "anonymous_bank_weekday.csv"),
                      "--simulate", *FAST)
    assert "anonymous_bank_weekday.csv" in line


def test_blending_the_blended_team_is_kept(capsys):
    doc = json.loads(ok(capsys, "staff", str(BLENDED), "--simulate", *FAST, "--json"))
    assert doc["groups"] == ["inbound team"]
