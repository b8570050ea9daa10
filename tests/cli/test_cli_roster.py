"""``blendsim roster SCENARIO.toml --shifts SHIFTS.toml``: the library's rosters from the command
line, the files it writes (a roster CSV, a scenario ready to run, the chart), JSON and refusals."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from builders import BLENDED, SCENARIOS, error_line, ok, table_rows

from blendsim import load_scenario, simulate
from blendsim.experiment.roster import cover_roster, roster_by_simulation
from blendsim.scenario import AgentGroup, Day, InboundType, Scenario, dump_scenario
from blendsim.scenario.distributions import Exponential
from blendsim.scenario.templates import load_shift_templates

SHIFTS = SCENARIOS / "bank_shifts.toml"
FAST = ["--replications", "4", "--max-replications", "4", "--seed", "7", "--backend",
        "serial", "--quiet"]
TEMPLATES = """
[[templates]]
name = "2 hours"
hours = 2
earliest_start = "09:00"
latest_start = "09:00"
cost_per_hour = 20
groups = ["team"]

[[templates]]
name = "1 hour"
hours = 1
earliest_start = "09:00"
latest_start = "10:00"
cost_per_hour = 25
groups = ["team"]
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roster")
    sc = Scenario(
        name="small", day=Day(open_at=9 * 3600, close_at=11 * 3600, interval=1800),
        inbound=[InboundType(name="calls", volume=[40, 90, 90, 40],
                             handle_time=Exponential(mean=240),
                             patience=Exponential(mean=300))],
        groups=[AgentGroup(name="team", skills=["calls"], headcount=[1] * 4)])
    dump_scenario(sc, folder / "small.toml")
    (folder / "shifts.toml").write_text(TEMPLATES)
    return folder


def test_two_step_prints_the_librarys_roster(capsys):
    out = ok(capsys, "roster", str(BLENDED), "--shifts", str(SHIFTS), "--two-step")
    roster = cover_roster(load_scenario(BLENDED), load_shift_templates(SHIFTS))
    assert f"cost {roster.cost:,.2f} (optimal)" in out
    rows = table_rows(out, "template")
    assert len(rows) == len(roster.shifts)
    assert sum(int(r[-3]) for r in rows) == roster.shifts["count"].sum()


def test_the_simulated_roster_is_the_librarys_and_its_files_run(capsys, small, tmp_path):
    out_dir = tmp_path / "out"
    out = ok(capsys, "roster", str(small / "small.toml"), "--shifts",
             str(small / "shifts.toml"), *FAST, "--out", str(out_dir))
    plan = roster_by_simulation(load_scenario(small / "small.toml"),
                                load_shift_templates(small / "shifts.toml"), replications=4,
                                max_replications=4, seed=7, backend="serial", quiet=True)
    assert f"cost {plan.roster.cost:,.2f}" in out
    assert f"confirmed on seed {plan.confirm_seed}" in out
    written = {p.name for p in out_dir.iterdir()}
    assert {"roster.csv", "two_step_roster.csv", "intervals.csv", "history.csv",
            "rostered.toml", "roster.png"} <= written
    table = pd.read_csv(out_dir / "roster.csv")
    assert table["count"].sum() == plan.roster.shifts["count"].sum()
    assert (out_dir / "roster.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rostered = load_scenario(out_dir / "rostered.toml")
    assert rostered.group("team").shifts == plan.scenario.group("team").shifts
    assert simulate(rostered, replications=2, seed=1, backend="serial").replications == 2


def test_json_holds_the_figures(capsys, small):
    out = ok(capsys, "roster", str(small / "small.toml"), "--shifts",
             str(small / "shifts.toml"), *FAST, "--json")
    doc = json.loads(out)
    assert doc["command"] == "roster" and doc["mode"] == "simulate" and doc["seed"] == 7
    assert doc["cost"] >= doc["two_step_cost"]
    assert len(doc["intervals"]) == 4
    assert sum(s["count"] for s in doc["shifts"]) > 0


def test_an_uncoverable_interval_is_listed_not_a_failure(capsys, small, tmp_path):
    late = tmp_path / "late.toml"
    late.write_text('[[templates]]\nname = "late"\nhours = 1\nearliest_start = "10:00"\n'
                    'latest_start = "10:00"\ncost_per_hour = 20\ngroups = ["team"]\n')
    out = ok(capsys, "roster", str(small / "small.toml"), "--shifts", str(late), "--two-step")
    assert "2 interval(s) cannot be covered: 09:00 short" in out
    assert "(shortfall)" in out


@pytest.mark.parametrize("extra, message", [
    (["--outreach", "-5"], "--outreach must be >= 0 (got '-5')"),
    (["--outreach", "x=1,x=2"], "--outreach must be N or CAMPAIGN=N,CAMPAIGN=N"),
    (["--outreach", "100"], "outreach needs a rostered group that calls out"),
    (["--replications", "1"], "--replications must be a whole number and >= 2"),
    (["--curve", "-1"], "--curve must be a whole number and >= 0"),
])
def test_bad_options_are_one_clear_line(capsys, small, extra, message):
    line = error_line(capsys, "roster", str(small / "small.toml"), "--shifts",
                      str(small / "shifts.toml"), *FAST, *extra)
    assert message in line


def test_a_bad_template_file_is_one_clear_line_per_problem(capsys, small, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[templates]]\nname = "x"\nhours = 30\nearliest_start = "9"\n'
                   'latest_start = "10:00"\ngroups = ["nobody"]\n')
    status = None
    try:
        from blendsim.cli.app import main
        status = main(["roster", str(small / "small.toml"), "--shifts", str(bad),
                       "--two-step"])
    except SystemExit as e:
        status = e.code
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert "templates[0].hours must be <= 24 (got 30)" in err
    assert "templates[0].earliest_start must be a clock time" in err


def test_a_template_naming_an_unknown_group_is_refused(capsys, small, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(TEMPLATES.replace('groups = ["team"]', 'groups = ["nobody"]'))
    line = error_line(capsys, "roster", str(small / "small.toml"), "--shifts", str(other),
                      "--two-step")
    assert "there is no agent group 'nobody'" in line
