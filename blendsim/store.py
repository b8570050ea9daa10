"""The results store: every finished (point, replication) of a sweep, in an SQLite file.

Each replication's figures are committed as soon as they arrive, in a transaction of their
own, so a sweep that is killed loses nothing it finished, and one started again on the same
store computes only what is missing.  The store remembers the scenario, the seed and the
blendsim version it was made with, and refuses to mix in results of another.

Tables: ``meta(key, value)``; ``points(id, params)`` (the point's parameters as canonical
JSON); ``results(point, replication, figures)`` (JSON) and ``failures(point, replication,
error)``.
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pandas as pd

from .errors import InputError

__all__ = ["Store", "read_store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (id INTEGER PRIMARY KEY, params TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS results (
    point INTEGER NOT NULL REFERENCES points(id), replication INTEGER NOT NULL,
    figures TEXT NOT NULL, PRIMARY KEY (point, replication));
CREATE TABLE IF NOT EXISTS failures (
    point INTEGER NOT NULL REFERENCES points(id), replication INTEGER NOT NULL,
    error TEXT NOT NULL, PRIMARY KEY (point, replication));
"""


def params_key(params: dict) -> str:
    """A point's parameters as canonical JSON (the same text for the same point)."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def _clean(figures: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in figures.items()}


class Store:
    """An open results store for one scenario and seed (see the module docstring)."""

    def __init__(self, path, *, scenario_text: str, seed: int, version: str):
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise InputError(f"store {str(self.path)!r} is a folder, not a file")
        if not self.path.parent.exists():
            raise InputError(f"store folder {str(self.path.parent)!r} does not exist")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            tables = {t for (t,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables - {"meta", "points", "results", "failures"} or (
                    tables and "meta" not in tables):
                self.db.close()
                raise InputError(f"store {str(self.path)!r} is another program's database, "
                                 "not a blendsim results store: use a new file")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise InputError(f"store {str(self.path)!r} is not a blendsim results store "
                             f"({e})") from None
        self.db.execute("PRAGMA journal_mode=WAL")
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        want = {"scenario": scenario_text, "seed": str(seed), "version": version}
        if not meta:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT INTO meta VALUES (?, ?)", list(want.items()))
        else:
            if meta.get("scenario") != scenario_text:
                raise InputError(f"store {str(self.path)!r} holds results of another scenario; "
                                 "use a new store file for this one")
            if meta.get("seed") != str(seed):
                raise InputError(f"store {str(self.path)!r} holds results with seed "
                                 f"{meta.get('seed')}, not {seed}: use that seed to add to "
                                 "it, or a new store file")
            if meta.get("version") != version:
                raise InputError(f"store {str(self.path)!r} was made by blendsim "
                                 f"{meta.get('version')}, this is {version}: results of two "
                                 "versions are not mixed; use a new store file")

    def point(self, params: dict) -> int:
        """The id of a point, adding it if new."""
        key = params_key(params)
        row = self.db.execute("SELECT id FROM points WHERE params = ?", (key,)).fetchone()
        if row:
            return row[0]
        with self.db:
            self.db.execute("BEGIN")
            cur = self.db.execute("INSERT INTO points (params) VALUES (?)", (key,))
        return cur.lastrowid

    def done(self) -> set[tuple[int, int]]:
        """``(point, replication)`` pairs already stored."""
        return set(self.db.execute("SELECT point, replication FROM results"))

    def add(self, point: int, replication: int, figures: dict) -> None:
        """Store one replication's figures, in a transaction of its own."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT INTO results VALUES (?, ?, ?)",
                            (point, replication, json.dumps(_clean(figures))))
            self.db.execute("DELETE FROM failures WHERE point = ? AND replication = ?",
                            (point, replication))

    def figures(self, point: int, replications: int) -> dict[int, dict]:
        """The stored figures of a point's first ``replications`` replications."""
        rows = self.db.execute("SELECT replication, figures FROM results WHERE point = ? AND "
                               "replication < ?", (point, replications))
        return {rep: {k: (math.nan if v is None else v) for k, v in json.loads(f).items()}
                for rep, f in rows}

    def fail(self, point: int, replication: int, error: str) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?)",
                            (point, replication, error))

    def close(self) -> None:
        self.db.close()


def read_store(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a store back: ``(results, failures)``.

    ``results`` has one row per (point, replication): the point's parameters, ``point``,
    ``replication`` and the day's figures; ``failures`` the point, its parameters, the
    replication and the error.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such store file: {str(p)!r}")
    db = sqlite3.connect(p)
    try:
        points = {pid: json.loads(params) for pid, params in
                  db.execute("SELECT id, params FROM points")}
        rows = []
        for pid, rep, figures in db.execute(
                "SELECT point, replication, figures FROM results ORDER BY point, replication"):
            rows.append({**points[pid], "point": pid, "replication": rep,
                         **json.loads(figures)})
        fails = [{**points[pid], "point": pid, "replication": rep, "error": err}
                 for pid, rep, err in db.execute("SELECT * FROM failures ORDER BY 1, 2")]
    except sqlite3.DatabaseError as e:
        raise InputError(f"{str(p)!r} is not a blendsim results store ({e})") from None
    finally:
        db.close()
    return pd.DataFrame(rows), pd.DataFrame(fails)
