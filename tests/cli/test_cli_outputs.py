"""What the simulation commands print and write: --json, --out folders, CSV precision, charts,
and the trade-off's collapsed reserves and best point judged with its confidence interval.

Every command runs in-process through ``blendsim.cli.app`` and is compared with the library's
own answer for the same seed.
"""

from __future__ import annotations

import ast
import errno
import json
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import ROOT, error_line, run

import blendsim
from blendsim.cli.app import main
from blendsim.errors import BlendsimError, InputError
from blendsim.experiment.tradeoff import best_point, tradeoff, verdicts
from blendsim.outputs import plots
from blendsim.outputs.files import (
    MANIFEST,
    csv_text,
    dumps,
    write_atomically,
    write_folder_atomically,
)
from blendsim.policies.blending import Threshold
from blendsim.scenario.campaign import OutboundCampaign
from blendsim.scenario.distributions import Deterministic, Exponential
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import AgentGroup, Day, InboundType
from blendsim.scenario.variants import reserve_cap

BLENDED = str(ROOT / "scenarios" / "bank_blended.toml")
PILOT = str(ROOT / "scenarios" / "pilot_blended.toml")
BASELINE = str(ROOT / "scenarios" / "pilot_baseline.toml")
PLAIN = str(ROOT / "scenarios" / "anonymous_bank_day.toml")
FAST = ["--backend", "serial", "--quiet"]


def small_blend(*, inbound_only=3, blended=2, calls=40.0) -> Scenario:
    """Two hours; ``inbound_only`` + ``blended`` agents on all day, an endless call list."""
    groups = [AgentGroup(name="inbound team", skills=["calls"], headcount=[inbound_only] * 2)]
    groups.append(AgentGroup(name="blended team", skills=["calls"], outbound=["list"],
                             headcount=[blended] * 2))
    return Scenario(
        name="small blend", day=Day(open_at=9 * 3600.0, close_at=11 * 3600.0, interval=3600.0),
        inbound=[InboundType(name="calls", volume=[calls, calls],
                             handle_time=Exponential(mean=240.0))],
        groups=groups,
        outbound=[OutboundCampaign(name="list", talk_time=Exponential(mean=180.0),
                                   connect_probability=0.5, attempt_time=Deterministic(value=20),
                                   connect_time=Deterministic(value=5))],
        blending=[Threshold(reserve=1)])


# --------------------------------------------------------------------------------------------
# --json: one document with the same figures as the text, the seed included


def test_run_json_has_the_libraries_figures_and_the_seed(capsys):
    status, out, err = run(capsys, "run", PILOT, "--replications", "2", "--seed", "7", "--json",
                           *FAST)
    assert (status, err) == (0, "")
    doc = json.loads(out)
    result = blendsim.simulate(blendsim.load_scenario(PILOT), replications=2, seed=7,
                               backend="serial")
    s = result.summary()
    assert doc["seed"] == 7 and doc["replications"] == 2 and doc["command"] == "run"
    for key in ("service_level", "conversations", "asa", "occupancy"):
        assert doc["summary"][key]["mean"] == pytest.approx(s.loc[key, "mean"], rel=1e-12)
        assert doc["summary"][key]["ci_low"] == pytest.approx(s.loc[key, "ci_low"], rel=1e-12)
    t = result.by_interval()
    assert [r["start"] for r in doc["intervals"]] == list(t["start"])
    np.testing.assert_allclose([r["service_level"] for r in doc["intervals"]],
                               t["service_level"], rtol=1e-12)
    assert doc["intervals_under_target"]["count"] == int((t["service_level"] < 0.8).sum())
    assert doc["scenario"]["name"] == "Pilot: four agents blended"
    assert doc["written"] == []


def test_tradeoff_json_lists_points_verdicts_and_best(capsys):
    status, out, err = run(capsys, "tradeoff", BLENDED, "--reserve", "1..3", "--replications",
                           "3", "--seed", "4", "--json", *FAST)
    assert (status, err) == (0, "")
    doc = json.loads(out)
    table = tradeoff(blendsim.load_scenario(BLENDED), reserve=[1, 2, 3], replications=3, seed=4,
                     backend="serial")
    assert doc["seed"] == 4
    assert [p["reserve"] for p in doc["points"]] == [1, 2, 3]
    np.testing.assert_allclose([p["conversations"] for p in doc["points"]],
                               table["conversations"], rtol=1e-12)
    assert [p["verdict"] for p in doc["points"]] == list(verdicts(table, 0.8))
    best = best_point(table, 0.8)
    assert (doc["best"] is None) == (best is None)
    if best is not None:
        assert doc["best"]["reserve"] == table.loc[best, "reserve"]


def test_sweep_json_lists_every_point(capsys, tmp_path):
    status, out, err = run(capsys, "sweep", BLENDED, "--vary", "reserve=1,3", "--replications",
                           "2", "--seed", "12", "--json", "--out", tmp_path / "s", *FAST)
    assert (status, err) == (0, "")
    doc = json.loads(out)
    assert doc["seed"] == 12 and doc["grid"] == {"reserve": [1, 3]}
    assert [p["reserve"] for p in doc["points"]] == [1, 3]
    assert doc["failures"] == []
    assert doc["written"] == [str(tmp_path / "s" / "sweep.csv")]
    written = pd.read_csv(tmp_path / "s" / "sweep.csv")
    assert list(written["service_level"]) == [p["service_level"] for p in doc["points"]]


def test_validate_json(capsys):
    status, out, err = run(capsys, "validate", PILOT, "--json")
    assert (status, err) == (0, "")
    doc = json.loads(out)
    assert doc["ok"] is True and doc["scenario"]["agents"] == 14
    assert doc["scenario"]["service_target"]["level"] == 0.8


def test_json_documents_are_strict_json():
    text = dumps({"nan": np.float32("nan"), "inf": float("inf"), "flag": np.bool_(True),
                  "pair": (1, np.int64(2)), "missing": pd.NA})
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert doc == {"nan": None, "inf": "inf", "flag": True, "pair": [1, 2], "missing": None}


def test_run_help_shows_a_plain_percent_sign(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    assert "95% confidence" in text and "%%" not in text


# --------------------------------------------------------------------------------------------
# CSV files: full precision, formula-safe text


def test_contacts_csv_reads_back_as_the_exact_floats(capsys, tmp_path):
    out = tmp_path / "r"
    assert run(capsys, "run", BLENDED, "--replications", "2", "--seed", "3", "--contacts",
               "--out", out, *FAST)[0] == 0
    result = blendsim.simulate(blendsim.load_scenario(BLENDED), replications=2, seed=3,
                               backend="serial")
    back = pd.read_csv(out / "contacts.csv")
    for col in ("arrival_at", "answered_at", "end_at", "wait", "handle"):
        np.testing.assert_array_equal(back[col].to_numpy(dtype=float),
                                      result.contacts[col].to_numpy(dtype=float))
    arrivals = result.contacts["arrival_at"]
    assert back["arrival_at"].nunique() == arrivals.nunique()  # no two arrivals merge


def test_csv_text_defuses_spreadsheet_formulas():
    frame = pd.DataFrame({"name": ["=HYPERLINK(1)", "+1", "-x", "@SUM(A1)", "calls"],
                          "value": [-1.5, 2.0, 0.1, -3.0, 1 / 3]})
    back = pd.read_csv(pd.io.common.StringIO(csv_text(frame)))
    assert list(back["name"]) == ["'=HYPERLINK(1)", "'+1", "'-x", "'@SUM(A1)", "calls"]
    assert list(back["value"]) == [-1.5, 2.0, 0.1, -3.0, 1 / 3]  # numbers untouched, exact


# --------------------------------------------------------------------------------------------
# --out folders: this run's files, blendsim's own earlier outputs replaced, others untouched


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_folder_used_before_holds_only_this_runs_files(capsys, tmp_path):
    out = tmp_path / "results"
    assert run(capsys, "run", BLENDED, "--replications", "2", "--seed", "1", "--contacts",
               "--out", out, *FAST)[0] == 0
    assert {"contacts.csv", "segments.csv"} <= set(names(out))
    status, text, _ = run(capsys, "run", PLAIN, "--replications", "2", "--seed", "1",
                          "--out", out, *FAST)
    assert status == 0
    assert names(out) == [MANIFEST, "groups.csv", "intervals.csv", "intraday.png",
                          "service_level.png", "summary.csv", "types.csv"]
    assert "removed from" in text and "contacts.csv, segments.csv" in text
    manifest = json.loads((out / MANIFEST).read_text())
    assert list(manifest["commands"]) == ["run"]


def test_run_and_tradeoff_of_one_scenario_share_a_folder(capsys, tmp_path):
    out = tmp_path / "results"
    assert run(capsys, "run", BLENDED, "--replications", "2", "--seed", "1", "--out", out,
               *FAST)[0] == 0
    assert run(capsys, "tradeoff", BLENDED, "--reserve", "1,2", "--replications", "2",
               "--seed", "1", "--out", out, *FAST)[0] == 0
    assert {"summary.csv", "intraday.png", "tradeoff.csv", "frontier.png"} <= set(names(out))
    # A run of another scenario replaces the run's files and drops the old trade-off.
    assert run(capsys, "run", PLAIN, "--replications", "2", "--seed", "1", "--out", out,
               *FAST)[0] == 0
    assert "tradeoff.csv" not in names(out) and "frontier.png" not in names(out)


def test_files_blendsim_did_not_write_are_never_touched(tmp_path):
    out = tmp_path / "results"
    write_folder_atomically(out, {"a.csv": "x\n1\n"}, command="run", scenario="s1")
    (out / "notes.txt").write_text("mine")
    w = write_folder_atomically(out, {"b.csv": "y\n2\n"}, command="run", scenario="s1")
    assert names(out) == [MANIFEST, "b.csv", "notes.txt"]
    assert w.removed == ["a.csv"] and w.foreign == ["notes.txt"]
    assert [p.name for p in w] == ["b.csv"]
    # A manifest naming a path outside the folder is not followed.
    (out / MANIFEST).write_text(json.dumps(
        {"format": 1, "commands": {"run": {"files": ["../victim.txt"], "scenario": "s1"}}}))
    (tmp_path / "victim.txt").write_text("keep")
    write_folder_atomically(out, {"c.csv": "z\n3\n"}, command="run", scenario="s1")
    assert (tmp_path / "victim.txt").read_text() == "keep"


def test_a_folder_blendsim_did_not_write_is_refused_before_simulating(capsys, tmp_path,
                                                                       monkeypatch):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "budget.xlsx").write_text("numbers")
    monkeypatch.setattr(blendsim.cli.sim, "simulate",
                        lambda *a, **k: pytest.fail("simulated before checking --out"))
    line = error_line(capsys, "run", BLENDED, "--replications", "2", "--out", out, *FAST)
    assert f"--out: {str(out)!r} holds files blendsim did not write (budget.xlsx)" in line
    assert names(out) == ["budget.xlsx"]


@pytest.mark.parametrize("existing", [False, True])
def test_permission_denied_is_one_line_and_nothing_is_written(capsys, tmp_path, monkeypatch,
                                                              existing):
    out = tmp_path / "results"
    if existing:
        write_folder_atomically(out, {"summary.csv": "old\n"}, command="run", scenario="x")
    before = names(out) if existing else None

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    line = error_line(capsys, "run", BLENDED, "--replications", "2", "--seed", "1",
                      "--out", out, *FAST)
    assert line == f"blendsim: error: cannot write results to {str(out)!r}: permission denied"
    if existing:
        assert names(out) == before and (out / "summary.csv").read_text() == "old\n"
    else:
        assert not out.exists()


def test_a_full_disk_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "results"
    write_folder_atomically(out, {"a.csv": "old\n"}, command="run", scenario="x")
    real = Path.write_bytes

    def full(self, data):
        if self.name == "b.png":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(BlendsimError, match="cannot write results to .*: no space left on "
                                            "device"):
        write_folder_atomically(out, {"a.csv": "new\n", "b.png": b"\x89PNG"}, command="run",
                                scenario="x")
    assert names(out) == [MANIFEST, "a.csv"]  # no staging folder left, old file kept
    assert (out / "a.csv").read_text() == "old\n"


def test_out_that_is_a_file_or_has_no_parent_is_refused(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match="exists and is not a folder"):
        write_folder_atomically(tmp_path / "f", {"a.csv": ""})
    with pytest.raises(InputError, match="does not exist"):
        write_folder_atomically(tmp_path / "no" / "such", {"a.csv": ""})


def test_staff_out_onto_a_folder_is_a_clear_error(capsys, tmp_path):
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("interval_start,calls,aht\n08:00,100,200\n08:30,120,200\n")
    folder = tmp_path / "plans"
    folder.mkdir()
    line = error_line(capsys, "staff", forecast, "--target", "80/20", "--out", folder)
    assert f"--out {str(folder)!r} is a folder; give a file name inside it" in line
    assert names(folder) == []


def test_write_atomically_reports_a_refused_write(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(BlendsimError, match=r"cannot write '.*plan.csv': permission denied"):
        write_atomically(tmp_path / "plan.csv", "x\n")
    assert names(tmp_path) == []


# --------------------------------------------------------------------------------------------
# The trade-off: reserves that cannot differ, and the best judged with its interval


def test_reserve_cap_counts_agents_who_answer_inbound_while_blended_ones_work():
    assert reserve_cap(small_blend(inbound_only=3, blended=2)) == 5
    assert reserve_cap(small_blend(inbound_only=3, blended=0)) == 0
    assert reserve_cap(blendsim.load_scenario(PILOT)) == 14  # 10 + 4 at the 16:00 change


def test_reserves_at_or_above_the_cap_are_simulated_once_and_equal_any_of_them():
    sc = small_blend()
    table = tradeoff(sc, reserve=list(range(0, 51)), replications=3, seed=5, backend="serial")
    assert list(table["reserve"]) == [0, 1, 2, 3, 4, 5]
    assert list(table["reserve_up_to"]) == [0, 1, 2, 3, 4, 50]
    assert table.attrs["collapsed"] == [{"blended_agents": None, "reserves": list(range(5, 51)),
                                         "as": 5, "cap": 5}]
    assert table["conversations"].iloc[-1] == 0
    # The day at reserve 50 is the day at reserve 5: the same figures, to the last digit.
    far = tradeoff(sc, reserve=[50], replications=3, seed=5, backend="serial")
    cols = ["service_level", "asa", "conversations", "occupancy"]
    assert far[cols].iloc[0].tolist() == table[cols].iloc[-1].tolist()
    assert far.attrs["collapsed"] == []  # a single value stands for itself


def test_a_team_of_no_blended_agents_collapses_every_reserve():
    table = tradeoff(small_blend(), reserve=[0, 1, 2], blended_agents=[0, 2], replications=2,
                     seed=5, backend="serial")
    pairs = list(zip(table["reserve"], table["blended_agents"], strict=True))
    assert pairs == [(0, 0), (0, 2), (1, 2), (2, 2)]
    assert table.attrs["collapsed"][0]["blended_agents"] == 0
    assert table.attrs["collapsed"][0]["reserves"] == [0, 1, 2]


def test_tradeoff_command_says_which_reserves_behave_alike(capsys):
    status, out, err = run(capsys, "tradeoff", PILOT, "--reserve", "12..100", "--replications",
                           "2", "--seed", "1", *FAST)
    assert (status, err) == (0, "")
    assert "reserves 14..100 behave like 14" in out and "simulated once" in out
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["reserve"])
    rows = [line.split()[0] for line in lines[start + 1:start + 4]]
    assert rows == ["12", "13", "14..100"]
    assert lines[start + 4] == ""  # and no more rows


def table_of(sl, low, high, conversations):
    return pd.DataFrame({"reserve": range(len(sl)), "blended_agents": None,
                         "service_level": sl, "service_level_ci_low": low,
                         "service_level_ci_high": high, "conversations": conversations,
                         "conversations_ci_low": conversations,
                         "conversations_ci_high": conversations})


def test_best_point_needs_the_whole_interval_at_the_target():
    t = table_of([0.82, 0.85, 0.90], [0.546, 0.81, 0.70], [1.0, 0.89, 0.99], [150, 120, 60])
    assert list(verdicts(t, 0.8)) == ["unclear", "meets", "unclear"]
    assert best_point(t, 0.8) == 1
    assert plots.best_point(t, 0.8) == 1  # the chart marks the same point
    wide = table_of([0.82], [0.546], [1.0], [150])
    assert best_point(wide, 0.8) is None
    below = table_of([0.7], [0.65], [0.75], [150])
    assert list(verdicts(below, 0.8)) == ["misses"]
    one_rep = table_of([0.9], [np.nan], [np.nan], [10])
    assert list(verdicts(one_rep, 0.8)) == ["unclear"] and best_point(one_rep, 0.8) is None


def test_tradeoff_command_says_when_more_replications_are_needed(capsys):
    status, out, _ = run(capsys, "tradeoff", PILOT, "--reserve", "0,1", "--replications", "2",
                         "--seed", "1", *FAST)
    assert status == 0
    # Reserve 0 meets the target on average (80.7%), but its interval is [54.6%, 100%]: it
    # is not the best; reserve 1, whose interval lies above 80%, is.
    best = [line.split()[0] for line in out.splitlines() if line.endswith("<- best")]
    assert best == ["1"]
    assert "not conclusive: reserve 0 (149 conversations, 80.7% [54.6%, 100.0%]) may also " \
           "meet it" in out
    assert "try --replications 8" in out
    # With only such points, there is no best at all.
    status, out, _ = run(capsys, "tradeoff", PILOT, "--reserve", "0", "--replications", "2",
                         "--seed", "1", *FAST)
    assert status == 0 and "<- best" not in out
    assert "not conclusive: no point is shown to meet the 80% target in 20 s" in out


# --------------------------------------------------------------------------------------------
# Charts: Figure objects (no pyplot state), readable labels, honest legends


def test_charts_use_no_pyplot_state_and_no_backend_switch():
    import matplotlib.pyplot as plt

    for module in (plots, blendsim.cli.sim):
        tree = ast.parse(Path(module.__file__).read_text())
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "matplotlib.pyplot" not in imported
        calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        assert "matplotlib.use" not in calls
    before = plt.get_fignums()
    result = blendsim.simulate(small_blend(), replications=2, seed=1, backend="serial")
    for ax in (plots.intraday(result), plots.service_level_by_interval(result)):
        assert type(ax.figure).__name__ == "Figure"
        assert ax.figure.savefig is not None
    assert plt.get_fignums() == before  # nothing registered with pyplot


def _renderer(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg(fig).get_renderer()


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_frontier_labels_do_not_overlap_and_the_legend_is_below_the_axes():
    table = tradeoff(blendsim.load_scenario(PILOT), reserve=list(range(0, 20)),
                     replications=2, seed=1, backend="serial")
    ax = plots.frontier(table)
    r = _renderer(ax.figure)
    boxes = [t.get_window_extent(r) for t in ax.texts]
    assert len(boxes) < len(table)  # points drawn on one spot share one label
    assert any(re.fullmatch(r"reserves \d+\.\.14\+", t.get_text()) for t in ax.texts)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap(a, b)
    legend = ax.get_legend().get_window_extent(r)
    assert legend.y1 <= ax.get_window_extent(r).y0  # never over the target line


def test_time_labels_do_not_overlap_and_the_day_ends_at_24(capsys):
    result = blendsim.simulate(blendsim.load_scenario(BASELINE), replications=2, seed=1,
                               backend="serial")
    for draw in (plots.service_level_by_interval, plots.intraday):
        ax = draw(result)
        r = _renderer(ax.figure)
        ax.figure.draw(r)
        lo, hi = ax.get_xlim()
        labels = [t for t in ax.get_xticklabels()
                  if t.get_text() and lo <= t.get_position()[0] <= hi]
        assert 4 <= len(labels) <= 9
        assert labels[-1].get_text() == "24:00"
        boxes = [t.get_window_extent(r) for t in labels]
        for a, b in zip(boxes, boxes[1:], strict=False):
            assert a.x1 < b.x0


def test_intraday_lists_outbound_only_when_someone_dialled():
    base = blendsim.simulate(blendsim.load_scenario(BASELINE), replications=2, seed=1,
                             backend="serial")
    labels = [t.get_text() for t in plots.intraday(base).get_legend().get_texts()]
    assert "agents on outbound" not in labels and "agents on inbound" in labels
    pilot = blendsim.simulate(blendsim.load_scenario(PILOT), replications=2, seed=1,
                              backend="serial")
    labels = [t.get_text() for t in plots.intraday(pilot).get_legend().get_texts()]
    assert "agents on outbound" in labels


def test_baseline_run_says_no_outbound_call_was_made(capsys):
    status, out, _ = run(capsys, "run", BASELINE, "--replications", "2", "--seed", "1", *FAST)
    assert status == 0
    assert "outbound: no call attempts on any simulated day (blending policy: Dedicated)" in out
    assert "outbound, the day" not in out
    header = next(line for line in out.splitlines() if line.startswith("start"))
    assert header.split() == ["start", "offered", "SL", "ASA", "(s)", "abandoned", "agents",
                              "occupancy"]
    assert "intervals under the 80% target (by their mean):" in out


# --------------------------------------------------------------------------------------------
# The printed seed replays the run; warnings are one line


def test_the_seed_a_run_prints_replays_it_exactly(capsys):
    assert main(["run", BASELINE, "--replications", "2", "--json", "--quiet"]) == 0
    first = json.loads(capsys.readouterr().out)
    seed = first["seed"]
    assert seed > 2**53  # fresh entropy has more digits than a float keeps
    assert main(["run", BASELINE, "--replications", "2", "--seed", str(seed), "--json",
                 "--quiet"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["seed"] == seed
    assert again["summary"] == first["summary"]


@pytest.mark.parametrize("text", ["1.5", "-1", "1e3", "nan", "٣", "1" * 41])
def test_a_seed_that_is_not_plain_digits_is_refused(text, capsys):
    assert main(["run", BASELINE, "--replications", "1", "--seed", text]) == 1
    err = capsys.readouterr().err
    assert err.startswith("blendsim: error: --seed must") and err.count("\n") == 1


def test_a_warning_is_one_plain_line(tmp_path, capsys):
    text = Path(BASELINE).read_text().replace('windows = [["10:00", "16:00"]]',
                                              'windows = [["05:00", "06:00"]]')
    path = tmp_path / "early.toml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines and all(line.startswith("blendsim: warning: ") for line in lines), err
    assert "UserWarning" not in err and "05:00" in err


def test_a_day_without_inbound_calls_counts_zero_contacts(capsys):
    sc = small_blend(calls=0.0)
    result = blendsim.simulate(sc, replications=2, seed=3, backend="serial", quiet=True)
    day = result.summary()
    assert (day.loc[["offered", "answered", "abandoned"], "mean"] == 0).all()
    assert np.isnan(day.loc["service_level", "mean"])  # no contact: no service level
    assert (result.by_interval()["offered"] == 0).all()
    path = Path(tempfile.mkdtemp()) / "no_calls.toml"
    path.write_text(blendsim.dump_scenario(sc))
    assert main(["run", str(path), "--replications", "2", "--seed", "3", "--quiet",
                 "--backend", "serial"]) == 0
    out = capsys.readouterr().out
    assert "contacts offered    0.0" in out and "nan" not in out
    assert "no interval had an inbound contact: nothing to judge" in out


def test_a_type_without_contacts_on_some_days_counts_zero_on_those_days():
    sc = Scenario(name="t", day=Day(open_at=0, close_at=3600, interval=1800),
                  inbound=[InboundType(name="busy", volume=[20, 20],
                                       handle_time=Exponential(mean=60)),
                           InboundType(name="rare", volume=[0.3, 0.3],
                                       handle_time=Exponential(mean=60))],
                  groups=[AgentGroup(name="g", skills=["busy", "rare"], headcount=[3, 3])])
    result = blendsim.simulate(sc, replications=20, seed=1, backend="serial", quiet=True)
    per_day = (result.inbound.groupby(["replication", "type"], observed=True).size()
               .unstack(fill_value=0).reindex(range(20), fill_value=0))
    assert (per_day["rare"] == 0).any()  # the case under test: days without a rare call
    table = result.by_type().set_index("type")
    for name in ("busy", "rare"):
        assert table.loc[name, "offered"] == pytest.approx(per_day[name].mean())
