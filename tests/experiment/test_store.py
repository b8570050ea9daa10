"""The results store remembers scenario, seed and version and refuses to mix them; it reads back
the grid columns and exact figures, and more replications later compute only the extra ones."""

from __future__ import annotations

import json
import math
import sqlite3
from contextlib import closing

import numpy as np
import pandas as pd
import pytest
from builders import count_tasks
from pandas.testing import assert_frame_equal, assert_series_equal

import blendsim
from blendsim import InputError
from blendsim.experiment.store import read_store
from blendsim.experiment.sweep import point_scenario, replication_figures, sweep
from blendsim.scenario.file import scenario_to_dict, to_toml

# --------------------------------------------------------------------------------------------
# The store


def test_the_store_records_scenario_seed_and_version(blended, tmp_path):
    store = tmp_path / "s.sqlite"
    sweep(blended, {"reserve": [2]}, replications=1, seed=42, store=store, backend="serial")
    with closing(sqlite3.connect(store)) as db:
        meta = dict(db.execute("SELECT key, value FROM meta"))
    assert meta == {"scenario": to_toml(scenario_to_dict(blended)), "seed": "42",
                    "version": blendsim.__version__}


def test_the_store_refuses_another_scenario_seed_or_version(blended, tmp_path):
    store = tmp_path / "s.sqlite"
    grid = {"reserve": [2]}
    sweep(blended, grid, replications=1, seed=42, store=store, backend="serial")
    name = f"store '{store}'"
    other = blended.replace(name="another centre")
    with pytest.raises(InputError, match=f"{name} holds results of another scenario"):
        sweep(other, grid, replications=1, seed=42, store=store, backend="serial")
    with pytest.raises(InputError, match=f"{name} holds results with seed 42, not 43"):
        sweep(blended, grid, replications=1, seed=43, store=store, backend="serial")
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'version'")
    with pytest.raises(InputError, match=f"{name} was made by blendsim 0.0.1, this is "
                                         f"{blendsim.__version__}"):
        sweep(blended, grid, replications=1, seed=42, store=store, backend="serial")
    results, _ = read_store(store)
    assert len(results) == 1  # nothing was added by the refused sweeps


def test_a_file_that_is_not_a_store_is_refused(blended, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(InputError, match=f"store '{text}' is not a blendsim results store"):
        sweep(blended, {"reserve": [2]}, replications=1, seed=1, store=text, backend="serial")
    with pytest.raises(InputError, match=f"'{text}' is not a blendsim results store"):
        read_store(text)
    assert text.read_text().startswith("these are my notes")
    with pytest.raises(InputError, match=f"store '{tmp_path}' is a folder, not a file"):
        sweep(blended, {"reserve": [2]}, replications=1, seed=1, store=tmp_path,
              backend="serial")
    missing = tmp_path / "no" / "such" / "s.sqlite"
    with pytest.raises(InputError, match=f"store folder '{missing.parent}' does not exist"):
        sweep(blended, {"reserve": [2]}, replications=1, seed=1, store=missing,
              backend="serial")


def test_an_sqlite_database_of_another_program_is_refused_untouched(blended, tmp_path):
    path = tmp_path / "crm.sqlite"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(InputError, match="not a blendsim results store"):
        sweep(blended, {"reserve": [2]}, replications=1, seed=1, store=path, backend="serial")
    with closing(sqlite3.connect(path)) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"customers"}


def test_read_store_of_a_missing_file(tmp_path):
    missing = tmp_path / "nothing.sqlite"
    with pytest.raises(InputError, match=f"no such store file: '{missing}'"):
        read_store(missing)
    assert not missing.exists()  # reading never creates a file


def test_more_replications_later_computes_only_the_extra_ones(blended, tmp_path, monkeypatch):
    store = tmp_path / "s.sqlite"
    grid = {"reserve": [1, 3]}
    sweep(blended, grid, replications=2, seed=9, store=store, backend="serial")
    tasks = count_tasks(monkeypatch)
    more = sweep(blended, grid, replications=3, seed=9, store=store, backend="serial")
    assert sorted(tasks) == [(1, 2), (3, 2)]
    monkeypatch.undo()
    fresh = sweep(blended, grid, replications=3, seed=9, backend="serial")
    assert_frame_equal(more, fresh)
    # Asking for fewer than stored summarises the first ones only, computing nothing.
    tasks = count_tasks(monkeypatch)
    fewer = sweep(blended, grid, replications=2, seed=9, store=store, backend="serial")
    assert tasks == [] and (fewer["replications"] == 2).all()
    assert_frame_equal(fewer, sweep(blended, grid, replications=2, seed=9, backend="serial"))


def test_results_read_back_with_the_grid_columns_and_exact_figures(blended, tmp_path):
    store = tmp_path / "s.sqlite"
    grid = {"reserve": [1, 3], "outbound[0].connect_probability": [0.25]}
    sweep(blended, grid, replications=2, seed=4, store=store, backend="serial")
    results, failures = read_store(store)
    assert failures.empty
    assert list(results.columns[:4]) == ["outbound[0].connect_probability", "reserve",
                                         "point", "replication"]
    assert list(zip(results["reserve"], results["replication"], strict=True)) == [
        (1, 0), (1, 1), (3, 0), (3, 1)]
    assert (results["outbound[0].connect_probability"] == 0.25).all()
    for _, row in results.iterrows():
        params = {"reserve": int(row["reserve"]), "outbound[0].connect_probability": 0.25}
        expect = replication_figures(point_scenario(blended, params), 4,
                                     int(row["replication"]))
        got = row[list(expect)].astype(float)
        assert_series_equal(got, pd.Series(expect, name=got.name))  # exact, NaN included


def test_store_figures_are_json_with_nan_as_null(blended, tmp_path):
    # A figure that is undefined in a replication (NaN) is stored as null and read back NaN.
    store = tmp_path / "s.sqlite"
    sweep(blended, {"groups[blended team].headcount": [0]}, replications=1, seed=2,
          store=store, backend="serial")
    with closing(sqlite3.connect(store)) as db:
        [(text,)] = db.execute("SELECT figures FROM results").fetchall()
    raw = json.loads(text)
    assert raw["conversations"] == 0 and raw["conversations_per_agent_hour"] is None
    results, _ = read_store(store)
    assert results.at[0, "conversations_per_agent_hour"] is None or math.isnan(
        results.at[0, "conversations_per_agent_hour"])


def test_numpy_grid_values_work_with_a_store(blended, tmp_path):
    grid = {"outbound[0].list_size": np.array([200, 300])}
    plain = sweep(blended, grid, replications=1, seed=3, backend="serial")
    stored = sweep(blended, grid, replications=1, seed=3, store=tmp_path / "s.sqlite",
                   backend="serial")
    assert_frame_equal(stored, plain)
