"""``blendsim blend``, run in-process: its rows per reserve, the best reserve, the JSON form and
the abandoned column agree with ``threshold_blend`` and ``best_reserve``."""

from __future__ import annotations

import json

import pytest
from builders import BLEND, marked, ok, pct, table_rows

from blendsim import (
    best_reserve,
    threshold_blend,
)

BLEND_KW = dict(rate=60 / 1800, aht=300, outbound_aht=300)


# --------------------------------------------------------------------------------------------
# blend


def test_blend_prints_one_row_per_reserve_and_marks_the_best(capsys):
    best = best_reserve(agents=14, **BLEND_KW, target_sl=0.8, target_time=20).reserve
    out = ok(capsys, *BLEND, "--agents", "14", "--target", "80/20")
    rows = table_rows(out, "reserve")
    assert [int(r[0]) for r in rows] == list(range(15))
    best_rows = marked(out, "<- best for 80/20")
    assert len(best_rows) == 1
    assert int(best_rows[0][0]) == best
    assert f"best reserve: {best} (the smallest that meets 80/20)" in out
    for cells in rows:
        r = threshold_blend(agents=14, **BLEND_KW, reserve=int(cells[0]), target=20)
        assert cells[1] == pct(r.service_level)
        assert cells[4] == f"{r.outbound_rate * 3600:.1f}"  # outbound per hour


def test_blend_reserve_option_picks_the_rows(capsys):
    out = ok(capsys, *BLEND, "--agents", "14", "--reserve", "4,0,2")
    assert [int(r[0]) for r in table_rows(out, "reserve")] == [0, 2, 4]
    out = ok(capsys, *BLEND, "--agents", "14", "--reserve", "3..6")
    assert [int(r[0]) for r in table_rows(out, "reserve")] == [3, 4, 5, 6]
    assert "<- best" not in out  # no target, no best


def test_blend_best_outside_the_shown_reserves_is_still_named(capsys):
    best = best_reserve(agents=14, **BLEND_KW, target_sl=0.8, target_time=20).reserve
    assert best > 2
    out = ok(capsys, *BLEND, "--agents", "14", "--target", "80/20", "--reserve", "0..2")
    assert "<- best" not in out
    assert f"best reserve: {best} " in out


def test_blend_json_equals_threshold_blend(capsys):
    doc = json.loads(ok(capsys, *BLEND, "--agents", "14", "--target", "80/20", "--patience",
                        "2m", "--json"))
    assert doc["best_reserve"] == best_reserve(agents=14, **BLEND_KW, target_sl=0.8,
                                               target_time=20, patience=120).reserve
    assert doc["inputs"]["patience_seconds"] == 120.0
    assert [row["reserve"] for row in doc["rows"]] == list(range(15))
    for row in doc["rows"]:
        r = threshold_blend(agents=14, **BLEND_KW, reserve=row["reserve"], patience=120,
                            target=20)
        for key in ("service_level", "asa", "p_wait", "p_abandon", "occupancy"):
            assert row[key] == pytest.approx(getattr(r, key), rel=1e-12)
        assert row["outbound_per_hour"] == pytest.approx(r.outbound_rate * 3600, rel=1e-12)


def test_blend_patience_adds_the_abandoned_column(capsys):
    out = ok(capsys, *BLEND, "--agents", "14", "--patience", "120", "--reserve", "2")
    (cells,) = table_rows(out, "reserve")
    r = threshold_blend(agents=14, **BLEND_KW, reserve=2, patience=120)
    assert cells[4] == pct(r.p_abandon, 2)
    assert "mean patience 120 s" in out


def test_blend_with_no_feasible_reserve_says_add_agents(capsys):
    out = ok(capsys, *BLEND, "--agents", "12", "--target", "80/20")
    assert "no reserve meets 80/20 with 12 agents: add agents" in out
    assert "<- best" not in out
    doc = json.loads(ok(capsys, *BLEND, "--agents", "12", "--target", "80/20", "--json"))
    assert doc["best_reserve"] is None


def test_blend_overloaded_team_json_writes_infinite_wait_as_text(capsys):
    doc = json.loads(ok(capsys, "blend", "--calls", "600", "--interval", "30m", "--aht", "300",
                        "--outbound-aht", "300", "--agents", "9", "--reserve", "0", "--json"))
    (row,) = doc["rows"]
    assert row["asa"] == "inf"
    assert row["outbound_per_hour"] == 0.0
