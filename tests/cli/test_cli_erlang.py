"""``blendsim erlang``, run in-process: every figure it prints is the library's own answer for
the same question."""

from __future__ import annotations

import json

import pytest
from builders import ERLANG, marked, ok, pct, table_rows

from blendsim import (
    asa,
    erlang_a,
    erlang_c,
    occupancy,
    required_agents,
    scheduled_agents,
    service_level,
)

# --------------------------------------------------------------------------------------------
# erlang


@pytest.mark.parametrize(("calls", "interval", "seconds", "aht", "aht_s", "target", "sl", "t"), [
    ("120", "30m", 1800, "240", 240, "80/20", 0.8, 20),
    ("45", "15m", 900, "4m", 240, "90/15", 0.9, 15),
    ("3000", "1h", 3600, "180s", 180, "95/30", 0.95, 30),
    ("2", "30m", 1800, "600", 600, "80/20", 0.8, 20),
])
def test_erlang_marks_the_required_row(capsys, calls, interval, seconds, aht, aht_s, target,
                                       sl, t):
    out = ok(capsys, "erlang", "--calls", calls, "--interval", interval, "--aht", aht,
             "--target", target)
    rate = float(calls) / seconds
    r = required_agents(rate, aht_s, target_sl=sl, target_time=t)
    rows = marked(out, "<- required")
    assert len(rows) == 1
    agents, sl_cell, asa_cell, wait_cell, occ_cell = rows[0]
    assert int(agents) == r.agents
    assert sl_cell == pct(r.service_level)
    assert asa_cell == f"{r.asa:.1f}"
    assert wait_cell == pct(r.p_wait)
    assert occ_cell == pct(r.occupancy)
    assert f"required: {r.agents} agents on the phones" in out
    assert f"target: {100 * sl:g}% answered within {t:g} s" in out


def test_erlang_table_runs_from_below_to_above_the_requirement(capsys):
    out = ok(capsys, *ERLANG, "--target", "80/20", "--below", "2", "--above", "1")
    assert [int(r[0]) for r in table_rows(out, "agents")] == [18, 19, 20, 21]
    # rows at or below the load (16 Erlangs) would have no steady state: never shown
    out = ok(capsys, *ERLANG, "--target", "80/20", "--below", "10", "--above", "0")
    assert [int(r[0]) for r in table_rows(out, "agents")] == [17, 18, 19, 20]


def test_erlang_rows_around_the_requirement_show_the_library_figures(capsys):
    out = ok(capsys, *ERLANG, "--target", "80/20")
    for cells in table_rows(out, "agents"):
        n = int(cells[0])
        assert cells[1:5] == [pct(service_level(n, 16, 240, 20)), f"{asa(n, 16, 240):.1f}",
                              pct(erlang_c(n, 16)), pct(occupancy(n, 16))]


def test_erlang_json_equals_the_library(capsys):
    doc = json.loads(ok(capsys, *ERLANG, "--target", "80/20", "--json"))
    r = required_agents(120 / 1800, 240, target_sl=0.8, target_time=20)
    assert doc["inputs"] == {"calls": 120.0, "interval_seconds": 1800.0, "aht_seconds": 240.0,
                             "load_erlangs": pytest.approx(16.0), "model": "erlang_c",
                             "shrinkage": 0.0, "target_sl": 0.8, "target_time": 20.0}
    req = doc["required"]
    assert (req["agents"], req["scheduled"]) == (r.agents, r.scheduled)
    for key in ("service_level", "asa", "p_wait", "occupancy", "p_abandon"):
        assert req[key] == pytest.approx(getattr(r, key), rel=1e-12)
    assert [row["agents"] for row in doc["rows"]] == list(range(r.agents - 3, r.agents + 5))
    for row in doc["rows"]:
        n = row["agents"]
        assert row["service_level"] == pytest.approx(service_level(n, 16, 240, 20), rel=1e-9)
        assert row["asa"] == pytest.approx(asa(n, 16, 240), rel=1e-9)
        assert row["p_wait"] == pytest.approx(erlang_c(n, 16), rel=1e-9)
        assert row["occupancy"] == pytest.approx(occupancy(n, 16), rel=1e-12)
        assert row["p_abandon"] == 0.0


@pytest.mark.parametrize(("options", "kw", "goal"), [
    (["--target-asa", "10"], dict(target_asa=10), "ASA <= 10 s"),
    (["--max-occupancy", "0.7"], dict(max_occupancy=0.7), "occupancy <= 70%"),
    (["--target", "80/20", "--target-asa", "5"], dict(target_sl=0.8, target_time=20,
                                                      target_asa=5),
     "80% answered within 20 s, ASA <= 5 s"),
])
def test_erlang_other_targets_equal_the_library(capsys, options, kw, goal):
    r = required_agents(120 / 1800, 240, **kw)
    out = ok(capsys, *ERLANG, *options)
    assert f"target: {goal}" in out
    assert int(marked(out, "<- required")[0][0]) == r.agents
    doc = json.loads(ok(capsys, *ERLANG, *options, "--json"))
    assert doc["required"]["agents"] == r.agents


def test_erlang_patience_switches_to_erlang_a(capsys):
    r = required_agents(120 / 1800, 240, target_sl=0.8, target_time=20, model="erlang_a",
                        patience=120)
    out = ok(capsys, *ERLANG, "--target", "80/20", "--patience", "2m")
    assert "(Erlang A, mean patience 120 s)" in out
    header = next(line for line in out.splitlines() if line.split()[:1] == ["agents"])
    assert header.split()[-1] == "abandoned"
    row = marked(out, "<- required")[0]
    assert int(row[0]) == r.agents
    assert row[-1] == pct(r.p_abandon, 2)

    doc = json.loads(ok(capsys, *ERLANG, "--target", "80/20", "--patience", "120", "--json"))
    assert doc["inputs"]["model"] == "erlang_a"
    assert doc["inputs"]["patience"] == 120.0
    assert doc["required"]["agents"] == r.agents
    assert doc["required"]["p_abandon"] == pytest.approx(r.p_abandon, rel=1e-12)
    for row in doc["rows"]:
        exact = erlang_a(row["agents"], 120 / 1800, 240, 120, target=20)
        for key in ("service_level", "asa", "p_wait", "occupancy", "p_abandon"):
            assert row[key] == pytest.approx(getattr(exact, key), rel=1e-12)


def test_erlang_max_abandon_with_patience(capsys):
    r = required_agents(120 / 1800, 240, model="erlang_a", patience=60, max_abandon=0.02)
    out = ok(capsys, *ERLANG, "--patience", "60", "--max-abandon", "0.02")
    assert "target: abandonment <= 2%" in out
    assert int(marked(out, "<- required")[0][0]) == r.agents


def test_erlang_shrinkage_adds_scheduled(capsys):
    r = required_agents(120 / 1800, 240, target_sl=0.8, target_time=20, shrinkage=0.3)
    out = ok(capsys, *ERLANG, "--target", "80/20", "--shrinkage", "0.3")
    assert "scheduled @30% shrinkage" in out
    rows = table_rows(out, "agents")
    assert all(int(cells[-1]) == scheduled_agents(int(cells[0]), 0.3) for cells in rows)
    assert int(marked(out, "<- required")[0][-1]) == r.scheduled == 29
    assert f"required: {r.agents} agents on the phones, schedule {r.scheduled}" in out
    doc = json.loads(ok(capsys, *ERLANG, "--target", "80/20", "--shrinkage", "0.3", "--json"))
    assert doc["required"]["scheduled"] == r.scheduled
    assert [row["scheduled"] for row in doc["rows"]] == [
        scheduled_agents(row["agents"], 0.3) for row in doc["rows"]]


def test_erlang_without_shrinkage_has_no_scheduled_column(capsys):
    out = ok(capsys, *ERLANG, "--target", "80/20")
    assert "scheduled" not in out
    assert "schedule " not in out
