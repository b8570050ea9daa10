"""Agreement with independently computed high-precision references.

``tests/validation/reference/make_reference.py`` recomputes every value below with mpmath
(Erlang B/C/A) or with an independently built chain (blending) and never imports blendsim.
blendsim must match Erlang B and C to 1e-10 relative error from 1 to 100,000 agents, loads
close to the agents included.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from blendsim import asa, erlang_a, erlang_b, erlang_c, service_level, threshold_blend

REF = Path(__file__).resolve().parent / "reference"


def load(name: str) -> list[dict]:
    return json.loads((REF / name).read_text())["rows"]


def num(v) -> float:
    return math.inf if v == "inf" else float(v)


def rel_err(got, want) -> float:
    got, want = float(got), num(want)
    if got == want:
        return 0.0
    if math.isinf(want) or math.isinf(got):
        return math.inf
    return abs(got - want) / abs(want)


def test_erlang_b_reference_vectorised_and_scalar():
    rows = load("erlang_b.json")
    assert len(rows) > 300
    s = np.array([r["agents"] for r in rows], dtype=float)
    a = np.array([r["load"] for r in rows], dtype=float)
    want = np.array([num(r["value"]) for r in rows])
    np.testing.assert_allclose(erlang_b(s, a), want, rtol=1e-10, atol=0)
    scalar = np.array([erlang_b(float(x), float(y)) for x, y in zip(s, a, strict=True)])
    np.testing.assert_allclose(scalar, want, rtol=1e-10, atol=0)
    assert s.max() == 100_000 and (s != np.floor(s)).any()  # the whole range is covered


def test_erlang_c_sl_asa_reference():
    rows = load("erlang_c.json")
    assert len(rows) > 900
    worst = {"erlang_c": 0.0, "service_level": 0.0, "asa": 0.0}
    for r in rows:
        s, a, h, t = r["agents"], r["load"], r["aht"], r["target"]
        got = {"erlang_c": erlang_c(s, a), "service_level": service_level(s, a, h, t),
               "asa": asa(s, a, h)}
        for key in worst:
            if num(r[key]) == 0.0:
                assert got[key] == 0.0 or abs(got[key]) < 1e-300, (r, key)
                continue
            worst[key] = max(worst[key], rel_err(got[key], r[key]))
    assert max(worst.values()) <= 1e-10, worst


FIELDS_A = ("p_wait", "p_block", "p_abandon", "service_level", "asa", "mean_wait",
            "mean_queue", "occupancy")


def test_erlang_a_reference():
    rows = load("erlang_a.json")
    assert len(rows) >= 50
    assert any(r["capacity"] is not None for r in rows)
    assert any(r["agents"] >= 2000 for r in rows)
    worst = dict.fromkeys(FIELDS_A, 0.0)
    for r in rows:
        res = erlang_a(r["agents"], r["rate"], r["aht"], num(r["patience"]),
                       target=r["target"], capacity=r["capacity"])
        for key in FIELDS_A:
            want = num(r[key])
            got = getattr(res, key)
            if abs(want) < 1e-280:
                assert abs(got) < 1e-250, (r, key, got)
                continue
            worst[key] = max(worst[key], rel_err(got, want))
    assert max(worst.values()) <= 1e-10, worst


FIELDS_BLEND = ("p_wait", "p_abandon", "service_level", "asa", "mean_wait", "occupancy",
                "outbound_rate")


def test_threshold_blend_matches_an_independently_built_chain():
    rows = load("blend.json")
    assert len(rows) >= 100
    assert {r["patience"] is None for r in rows} == {True, False}
    assert any(r["aht_in"] != r["aht_out"] for r in rows)
    worst = dict.fromkeys(FIELDS_BLEND, 0.0)
    for r in rows:
        res = threshold_blend(agents=r["agents"], rate=r["rate"], aht=r["aht_in"],
                              outbound_aht=r["aht_out"], reserve=r["reserve"],
                              patience=r["patience"], target=r["target"])
        for key in FIELDS_BLEND:
            want = num(r[key])
            got = getattr(res, key)
            if abs(want) < 1e-14:  # e.g. outbound with a full reserve, abandonment without
                assert abs(got) < 1e-12, (r, key, got)
                continue
            worst[key] = max(worst[key], rel_err(got, want))
    # The reference is itself a float64 computation (about 1e-13 relative).
    assert max(worst.values()) <= 1e-9, worst


@pytest.mark.parametrize("name", ["erlang_b.json", "erlang_c.json", "erlang_a.json",
                                  "blend.json"])
def test_reference_files_say_how_they_were_made(name):
    meta = json.loads((REF / name).read_text())["meta"]
    assert "description" in meta and len(meta["description"]) > 100
