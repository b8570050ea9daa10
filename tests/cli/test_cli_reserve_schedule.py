"""``blendsim tradeoff --reserve-schedule``: the schedule per interval (in spans), the best
constant reserve, the confirmed comparison and the gain; ``--out`` writes the schedule and a
scenario that runs it; ``--json``; errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from builders import BLENDED, INBOUND_ONLY, error_line, ok, table_rows

from blendsim import load_scenario
from blendsim.cli.sim import schedule_spans
from blendsim.experiment.reserve_schedule import best_reserve_schedule
from blendsim.scenario.variants import reserve_cap

FAST = ["--replications", "3", "--seed", "7", "--backend", "serial", "--quiet"]
COMMAND = ["tradeoff", BLENDED, "--reserve-schedule", *FAST]


@pytest.fixture(scope="module")
def found(blended):
    """What the library finds with the command's settings (the command is a thin shell)."""
    return best_reserve_schedule(blended, replications=3, seed=7, backend="serial", quiet=True)


def _expand(rows, labels) -> list[int]:
    """The spans ``from to reserve`` back to one reserve per interval start."""
    out = []
    for start, end, reserve in rows:
        k0 = labels.index(start)
        k1 = labels.index(end) if end in labels else len(labels)  # the last ends at closing
        out += [int(reserve)] * (k1 - k0)
    return out


def test_the_schedule_is_printed_in_spans(capsys, blended, found):
    out = ok(capsys, *COMMAND)
    labels = blended.day.interval_labels()
    rows = table_rows(out, "from")
    assert len(rows) < len(labels)  # compressed: repeats are one span
    assert _expand(rows, labels) == list(found.reserve)
    # a span ends where the reserve changes, or where the roster's own shortfall starts or ends
    marked = [line.split()[0] for line in out.splitlines()
              if line.endswith("<- short even without blending")]
    short = set(found.short_anyway)
    assert marked and set(marked) <= short
    for a, b in zip(rows, rows[1:], strict=False):
        assert a[2] != b[2] or (a[0] in marked) != (b[0] in marked)
    spans = schedule_spans(blended, found.reserve, found.short_anyway)
    assert {s["start"] for s in spans if s["short_anyway"]} == set(marked)
    covered = [lab for s in spans if s["short_anyway"] for lab in labels
               if s["start"] <= lab < s["end"]]
    assert sorted(covered) == sorted(short)
    assert rows[0][0] == "07:00" and rows[-1][1] == "24:00"
    assert f"tuning seed 7, confirmed on fresh days with seed {found.confirm_seed}" in out
    assert f"best constant reserve (keeps every interval a reserve can keep): " \
           f"{found.constant}\n" in out
    assert f"a reserve of {reserve_cap(blended)} or more: no blended agent dials" in out
    assert "short even without blending" in out and ", ".join(found.short_anyway) in out


def test_the_confirmed_comparison_and_the_gain(capsys, found):
    out = ok(capsys, *COMMAND)
    c = found.confirmed.set_index("policy")
    for name, key in (("schedule", "schedule"),
                      (f"constant reserve {found.constant}", "constant")):
        [line] = [x for x in out.splitlines() if x.strip().startswith(name + "  ")]
        r = c.loc[key]
        assert (f"{r['conversations']:.1f} [{r['conversations_ci_low']:.1f}, "
                f"{r['conversations_ci_high']:.1f}]") in line
        cells = line.split()
        assert cells[-3:] == [str(r["intervals_below"]), str(r["intervals_missed"]),
                              r["every_interval_verdict"]]
    gain = c.loc["schedule", "conversations"] - c.loc["constant", "conversations"]
    assert gain > 0
    assert (f"gain: {gain:+.1f} conversations a day with the schedule over reserve "
            f"{found.constant} all day") in out


def test_out_writes_the_schedule_and_a_scenario_that_runs_it(capsys, tmp_path, blended, found):
    folder = tmp_path / "plan"
    out = ok(capsys, *COMMAND, "--out", folder)
    assert "written: " in out
    table = pd.read_csv(folder / "reserve_schedule.csv", dtype={"interval_start": str})
    assert list(table.columns) == ["interval_start", "reserve"]
    assert list(table["interval_start"]) == blended.day.interval_labels()
    assert list(table["reserve"]) == list(found.reserve)
    planned = load_scenario(folder / "scenario_with_schedule.toml")
    assert planned.blending_policy().reserve == found.reserve
    assert planned == found.scenario
    assert ok(capsys, "validate", folder / "scenario_with_schedule.toml").startswith("ok: ")
    confirmed = pd.read_csv(folder / "reserve_schedule_confirmed.csv")
    assert list(confirmed["policy"]) == ["schedule", "constant"]


def test_json(capsys, blended, found):
    doc = json.loads(ok(capsys, *COMMAND, "--json"))
    assert doc["command"] == "tradeoff" and doc["mode"] == "reserve_schedule"
    assert (doc["seed"], doc["confirm_seed"], doc["replications"]) == (7, found.confirm_seed,
                                                                        3)
    assert [r["reserve"] for r in doc["schedule"]] == list(found.reserve)
    assert [r["interval_start"] for r in doc["schedule"]] == blended.day.interval_labels()
    assert doc["spans"] == schedule_spans(blended, found.reserve, found.short_anyway)
    assert doc["constant"] == found.constant
    assert doc["short_anyway"] == list(found.short_anyway)
    assert doc["gain"] == pytest.approx(found.gain())
    assert [r["policy"] for r in doc["confirmed"]] == ["schedule", "constant"]
    assert doc["written"] == []


def test_spans_join_repeats(blended):
    day = blended.day
    reserve = [3] * 6 + [1] * 4 + [2] * (day.n_intervals - 10)
    assert schedule_spans(blended, reserve) == [
        {"start": "07:00", "end": "10:00", "reserve": 3, "short_anyway": False},
        {"start": "10:00", "end": "12:00", "reserve": 1, "short_anyway": False},
        {"start": "12:00", "end": "24:00", "reserve": 2, "short_anyway": False}]
    # an interval short even without blending is a span of its own
    assert schedule_spans(blended, reserve, ("08:00",))[:3] == [
        {"start": "07:00", "end": "08:00", "reserve": 3, "short_anyway": False},
        {"start": "08:00", "end": "08:30", "reserve": 3, "short_anyway": True},
        {"start": "08:30", "end": "10:00", "reserve": 3, "short_anyway": False}]


@pytest.mark.parametrize(("extra", "message"), [
    (["--reserve", "0..3"], "--reserve-schedule chooses the reserve of every interval itself "
                            "(judged interval by interval): leave out --reserve"),
    (["--blended", "2..4", "--rule", "day"], "leave out --blended, --rule"),
])
def test_options_that_clash(capsys, tmp_path, extra, message):
    line = error_line(capsys, *COMMAND, *extra, "--out", tmp_path / "x")
    assert message in line
    assert not (tmp_path / "x").exists()


def test_a_scenario_without_an_outbound_campaign(capsys, tmp_path):
    line = error_line(capsys, "tradeoff", INBOUND_ONLY, "--reserve-schedule", *FAST,
                      "--out", tmp_path / "x")
    assert line == ("blendsim: error: a reserve schedule needs an outbound campaign in the "
                    "scenario")
    assert not (tmp_path / "x").exists()


def test_bad_replications_are_refused_before_simulating(capsys):
    line = error_line(capsys, "tradeoff", BLENDED, "--reserve-schedule", "--replications", "0")
    assert "--replications" in line
