"""Fuzzing the shipped scenarios: every mutated file is refused clearly or runs sanely.

Each case takes one of ``scenarios/*.toml``, applies one to three mutations (a value set to
0, -1, NaN, a huge or tiny number, a wrong type; a key deleted; a list entry duplicated; a
list emptied; two strings swapped) and then either

- ``Scenario.from_dict`` raises :class:`ScenarioError` and every problem names a field path
  (or the file as a whole), or
- one replication runs, within a time guard, and its figures are finite and in range:
  occupancy, service level and rates in [0, 1], waits >= 0, and every inbound arrival is
  accounted for by exactly one outcome.

A sample of cases also goes through ``blendsim.cli.app(["validate" | "run", file])``, which
must return 0 or 1 and never raise.

The CI profile runs ``BLENDSIM_FUZZ_EXAMPLES`` cases (default 150);
``BLENDSIM_FUZZ_EXAMPLES=3000 pytest tests/scenario/test_fuzz_scenarios.py -s`` is the large
profile and prints the count of each outcome at the end.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import os
import re
import signal
import tomllib
import warnings
from collections import Counter

import numpy as np
import pytest
from builders import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import blendsim
from blendsim.cli.app import main
from blendsim.errors import ScenarioError
from blendsim.scenario.file import to_toml
from blendsim.scenario.model import Scenario

SCENARIOS = sorted(p for p in SCENARIOS.glob("*.toml")
                   if not p.name.endswith(("_shifts.toml", "_assumptions.toml")))
# (shift templates and business assumptions, not scenarios)
BASES = [tomllib.loads(p.read_text(encoding="utf-8")) for p in SCENARIOS]
EXAMPLES = int(os.environ.get("BLENDSIM_FUZZ_EXAMPLES", "150"))
TIME_GUARD = 60  # seconds one case may take before it counts as a runaway
STATS: Counter = Counter()

# A problem names a field path of the file (or the file itself): ``inbound[0].volume[3]...``
FIELD = re.compile(r"^(schema_version|name|description|day|service_target|inbound|groups"
                   r"|outbound|blending|the file)\b")

VALUES = [0, -1, 1, 0.5, 2.5, 7, 1e4, 1e9, 1e300, -1e300, 1e-300, 10**20, math.nan, math.inf,
          -math.inf, True, "", "x", "nan", "25:00", "=HYPERLINK(1)", "a\x1bb", [], {},
          [1, 2], {"dist": "gamma", "mean": 1e-9, "cv": 1e-9}, "99:99", "00:00", "23:59"]


def _paths(node, prefix=()):
    """Every path into the data: (keys/indices...) of each value, containers included."""
    out = []
    items = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, list) else ())
    for k, v in items:
        out.append((*prefix, k))
        out += _paths(v, (*prefix, k))
    return out


def _get(data, path):
    for k in path:
        data = data[k]
    return data


@st.composite
def mutated(draw):
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(data, path[:-1]), path[-1]
        op = draw(st.sampled_from(["set", "set", "delete", "duplicate", "empty", "swap",
                                   "scale", "scale"]))
        value = parent[key]
        if op == "set":
            parent[key] = draw(st.sampled_from(VALUES))
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(value))
        elif op == "empty" and isinstance(value, (list, dict, str)):
            parent[key] = type(value)()
        elif op == "swap":
            strings = [p for p in paths if isinstance(_get(data, p), str)]
            if strings:
                other = draw(st.sampled_from(strings))
                parent[key] = _get(data, other)
        elif op == "scale" and isinstance(value, (int, float)) and not isinstance(value, bool):
            parent[key] = value * draw(st.sampled_from([0, -1, 1e-6, 0.5, 2, 10, 1000, 1e6]))
    return data


@contextlib.contextmanager
def _time_guard(seconds: int):
    def fail(signum, frame):
        raise TimeoutError(f"a case took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, fail)
    # Then again every second: an exception raised inside a gc callback is swallowed.
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _in_unit(name, values):
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    assert np.all((v >= 0) & (v <= 1 + 1e-9)), f"{name} outside [0, 1]: {v[(v < 0) | (v > 1)]}"


def _check_run(sc: Scenario) -> None:
    r = blendsim.simulate(sc, replications=1, seed=20240, backend="serial")
    s = r.replication_summary()
    numeric = s.select_dtypes("number").to_numpy(dtype=float)
    assert not np.isinf(numeric).any(), f"infinite figure in {s.T}"
    for col in ("service_level", "abandon_rate", "occupancy", "utilisation", "connect_rate",
                "mismatch_rate", "outbound_share"):
        if col in s:  # outbound figures only when there is a campaign
            _in_unit(col, s[col])
    for col in ("asa", "aht", "longest_wait"):
        v = s[col].to_numpy(dtype=float)
        assert np.all(np.isnan(v) | (v >= 0)), f"{col} negative: {v}"
    inbound = r.contacts[r.contacts["kind"] == "inbound"]
    counts = inbound["outcome"].value_counts()
    row = s.iloc[0]
    assert row["offered"] == len(inbound)
    assert row["answered"] == counts.get("served", 0)
    assert (row["answered"] + row["abandoned"] + row["blocked"] + row["balked"]
            + row["unserved"] + counts.get("pending", 0)) == len(inbound)
    c = r.contacts
    for col in ("wait", "handle"):
        v = c[col].to_numpy(dtype=float)
        assert np.all(np.isnan(v) | ((v >= 0) & np.isfinite(v))), f"bad {col}"
    assert np.isfinite(c["arrival_at"].to_numpy(dtype=float)).all()
    served = c["outcome"] == "served"
    assert (c.loc[served, "answered_at"] >= c.loc[served, "arrival_at"] - 1e-9).all()
    _in_unit("interval occupancy", r.by_interval()["occupancy"])


def _classify(data) -> str:
    """Validate, then run; the outcome's kind (an assertion error for a failure)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            sc = Scenario.from_dict(data)
        except ScenarioError as e:
            bad = [p for p in e.problems if not FIELD.match(p)]
            assert not bad, f"problems naming no field: {bad}"
            return "scenario_error"
        with _time_guard(TIME_GUARD):
            _check_run(sc)
    return "clean_run"


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if STATS:
        print("\nfuzz outcomes:", dict(STATS))


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated())
def test_a_mutated_scenario_is_refused_by_field_or_runs_sanely(data):
    try:
        kind = _classify(data)
    except AssertionError:
        STATS["failure: bad figures or message"] += 1
        raise
    except TimeoutError:
        STATS["failure: runaway"] += 1
        raise
    except Exception as e:
        STATS[f"failure: {type(e).__name__}"] += 1
        raise
    STATS[kind] += 1


@settings(max_examples=max(10, EXAMPLES // 10), deadline=None, database=None,
          derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=mutated())
def test_the_cli_validates_and_runs_a_mutated_file_without_an_exception(data, tmp_path):
    try:
        text = to_toml(data)
    except (TypeError, IndexError):
        return  # not writable as TOML (e.g. a list of tables emptied to a non-table)
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings(), _time_guard(TIME_GUARD):
        warnings.simplefilter("ignore")
        rc_validate = main(["validate", str(path)])
        rc_run = main(["run", str(path), "--replications", "1", "--seed", "7",
                       "--backend", "serial", "--quiet"])
    assert rc_validate in (0, 1) and rc_run in (0, 1)
    assert rc_run == rc_validate  # a file that validates runs; one refused is refused
    assert "Traceback" not in err.getvalue()
    if rc_validate == 1:
        assert str(path) in err.getvalue() + out.getvalue()
