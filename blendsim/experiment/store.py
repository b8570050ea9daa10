"""The results store: every finished (point, replication) of a sweep, in an SQLite file.

Each replication's figures are committed as soon as they arrive, in a transaction of their
own, so a sweep that is killed loses nothing it finished, and one started again on the same
store computes only what is missing.  The store remembers the scenario, the seed and the
blendsim version it was made with, and refuses to mix in results of another.

Tables: ``meta(key, value)``; ``points(id, params, digest)`` (the point's parameters as
canonical JSON); ``results(point, replication, figures, digest)`` (JSON) and
``failures(point, replication, error, digest)``.  ``digest`` is a checksum of the row.

A store is checked whole before anything in it is used: SQLite's own integrity check, the
file's marks (``application_id``, ``user_version`` = the store layout), the exact tables and
columns, and every row (its checksum, JSON that parses, finite numbers, replication numbers in
range, the same parameters and figures on every row).  A damaged store is refused with a
message naming the file and the first thing wrong; nothing of it is used.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from pathlib import Path

import pandas as pd

from blendsim.errors import InputError
from blendsim.experiment.backends import MAX_REPLICATIONS

__all__ = ["LAYOUT", "Store", "read_store"]

LAYOUT = 2  # the store's layout (PRAGMA user_version); 2 added the row checksums
_APPLICATION_ID = 0x626C6E64  # "blnd": PRAGMA application_id of every blendsim store

_TABLES = {
    "meta": "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "points": "CREATE TABLE points (id INTEGER PRIMARY KEY, params TEXT NOT NULL UNIQUE, "
              "digest TEXT NOT NULL)",
    "results": "CREATE TABLE results (point INTEGER NOT NULL REFERENCES points(id), "
               "replication INTEGER NOT NULL, figures TEXT NOT NULL, digest TEXT NOT NULL, "
               "PRIMARY KEY (point, replication))",
    "failures": "CREATE TABLE failures (point INTEGER NOT NULL REFERENCES points(id), "
                "replication INTEGER NOT NULL, error TEXT NOT NULL, digest TEXT NOT NULL, "
                "PRIMARY KEY (point, replication))",
}
# Every object SQLite keeps in the schema: the tables and the indexes of their keys.
_OBJECTS = {("table", name, _TABLES[name]) for name in _TABLES} | {
    ("index", f"sqlite_autoindex_{name}_1", None) for name in _TABLES}
_META_KEYS = {"scenario", "seed", "version"}


def params_key(params: dict) -> str:
    """A point's parameters as canonical JSON (the same text for the same point)."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _digest(*parts) -> str:
    """The checksum of a row: any changed byte of it changes this."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _clean(figures: dict) -> dict:
    """Figures as JSON can hold them: a figure that is not a finite number is missing."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in figures.items()}


class Damaged(InputError):
    """A store that fails its checks (raised with the file and what is wrong)."""


def _finite(value) -> bool:
    """JSON values of a point or figures: text, booleans, finite numbers, lists of them."""
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


class _Checker:
    """Checks one store, row by row (see the module docstring); raises :class:`Damaged`."""

    def __init__(self, db: sqlite3.Connection, path: Path, axes=None, figures=None):
        self.db, self.path = db, path
        self.axes = None if axes is None else sorted(axes)
        self.figures = None if figures is None else sorted(figures)
        self.points: dict[int, dict] = {}

    def damaged(self, what: str) -> Damaged:
        return Damaged(f"store {str(self.path)!r} is damaged: {what}; nothing in it was used "
                       "(move it away, or delete it, and run the sweep again)")

    def check_file(self) -> None:
        db = self.db
        problems = [r[0] for r in db.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise self.damaged(f"SQLite's integrity check says {problems[0]!r}")
        objects = {(t, n, s) for t, n, s in db.execute(
            "SELECT type, name, sql FROM sqlite_master")}
        app = db.execute("PRAGMA application_id").fetchone()[0]
        layout = db.execute("PRAGMA user_version").fetchone()[0]
        names = {n for t, n, _ in objects if t == "table"}
        if app != _APPLICATION_ID:
            if app == 0 and names == set(_TABLES):
                raise InputError(f"store {str(self.path)!r} was made by an older blendsim "
                                 "(before store layout 2): use a new store file")
            if app == 0 and "meta" not in names:
                raise InputError(f"store {str(self.path)!r} is another program's database, "
                                 "not a blendsim results store: use a new file")
            raise self.damaged(f"its application id is {app:#x}, not {_APPLICATION_ID:#x}")
        if layout != LAYOUT:
            raise self.damaged(f"its store layout is {layout}, this blendsim reads {LAYOUT}")
        if objects != _OBJECTS:
            odd = sorted(f"{t} {n}" for t, n, _ in objects ^ _OBJECTS)
            raise self.damaged(f"its tables differ from a blendsim store's ({', '.join(odd)})")

    def check_meta(self) -> dict:
        rows = self.db.execute("SELECT key, value, typeof(key), typeof(value) FROM meta")
        meta = {}
        for key, value, tk, tv in rows:
            if (tk, tv) != ("text", "text") or key not in _META_KEYS:
                raise self.damaged(f"meta has an unexpected row {key!r}")
            meta[key] = value
        if set(meta) != _META_KEYS:
            raise self.damaged(f"meta lacks {', '.join(sorted(_META_KEYS - set(meta)))}")
        if not meta["seed"].isdigit() or not meta["seed"].isascii():
            raise self.damaged(f"meta seed is {meta['seed']!r}, not a whole number")
        return meta

    def check_points(self) -> dict[int, dict]:
        keys = None
        for pid, text, digest, tp, tt in self.db.execute(
                "SELECT id, params, digest, typeof(id), typeof(params) FROM points"):
            where = f"point {pid}"
            if (tp, tt) != ("integer", "text") or digest != _digest("points", pid, text):
                raise self.damaged(f"{where} does not match its checksum")
            params = self._json(text, where)
            if not all(_finite(v) for v in params.values()) or params_key(params) != text:
                raise self.damaged(f"{where} has parameters {text!r}")
            keys = sorted(params) if keys is None else keys
            if sorted(params) != keys:
                raise self.damaged(f"{where} varies {', '.join(sorted(params)) or 'nothing'}, "
                                   f"the others {', '.join(keys) or 'nothing'}")
            self.points[pid] = params
        if keys is not None and self.axes is not None and keys != self.axes:
            raise InputError(f"store {str(self.path)!r} holds a sweep over "
                             f"{', '.join(keys) or 'no grid'}, not over "
                             f"{', '.join(self.axes) or 'no grid'}: use a new store file")
        return self.points

    def row(self, table: str, pid, rep, text, digest, types) -> None:
        """One row of ``results`` or ``failures``: types, checksum, point and replication."""
        where = f"{table} row (point {pid}, replication {rep})"
        if types != ("integer", "integer", "text") or digest != _digest(table, pid, rep, text):
            raise self.damaged(f"{where} does not match its checksum")
        if pid not in self.points:
            raise self.damaged(f"{where} names no stored point")
        if not 0 <= rep < MAX_REPLICATIONS:
            raise self.damaged(f"{where} has a replication number out of range")

    def figures_of(self, pid, rep, text, digest, types) -> dict:
        self.row("results", pid, rep, text, digest, types)
        where = f"results row (point {pid}, replication {rep})"
        figures = self._json(text, where)
        for k, v in figures.items():
            if isinstance(v, bool) or not (v is None or isinstance(v, (int, float))) or (
                    isinstance(v, float) and not math.isfinite(v)):
                raise self.damaged(f"{where} has {k} = {v!r}, not a finite number")
        if self.figures is None:
            self.figures = sorted(figures)
        if sorted(figures) != self.figures:
            raise self.damaged(f"{where} has other figures than the rest "
                               f"({', '.join(sorted(set(figures) ^ set(self.figures)))})")
        return {k: (math.nan if v is None else v) for k, v in figures.items()}

    def results(self, point: int | None = None, below: int = MAX_REPLICATIONS):
        sql = ("SELECT point, replication, figures, digest, typeof(point), "
               "typeof(replication), typeof(figures) FROM results")
        rows = (self.db.execute(sql + " WHERE point = ? AND replication < ?", (point, below))
                if point is not None else self.db.execute(sql + " ORDER BY point, replication"))
        for pid, rep, text, digest, *types in rows:
            yield pid, rep, self.figures_of(pid, rep, text, digest, tuple(types))

    def failures(self):
        for pid, rep, error, digest, *types in self.db.execute(
                "SELECT point, replication, error, digest, typeof(point), typeof(replication), "
                "typeof(error) FROM failures ORDER BY point, replication"):
            self.row("failures", pid, rep, error, digest, tuple(types))
            yield pid, rep, error

    def _json(self, text: str, where: str) -> dict:
        try:
            value = json.loads(text, parse_constant=lambda c: math.nan)
        except ValueError:
            raise self.damaged(f"{where} is not valid JSON") from None
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise self.damaged(f"{where} is not a JSON object")
        return value

    def check_all(self) -> None:
        """Everything, row by row (results are parsed and dropped: memory stays small)."""
        self.check_file()
        self.check_meta()
        self.check_points()
        self.check_rows()

    def check_rows(self) -> int:
        """Check every result and failure row, one at a time; returns how many there are."""
        return sum(1 for _ in self.results()) + sum(1 for _ in self.failures())


_UNREADABLE = (sqlite3.Error, UnicodeDecodeError)  # what SQLite raises on a damaged file


def _sqlite_error(path: Path, e: Exception) -> InputError:
    what = "text that is not UTF-8" if isinstance(e, UnicodeDecodeError) else str(e)
    return InputError(f"store {str(path)!r} is not a blendsim results store, or is damaged "
                      f"({what}); nothing in it was used")


class Store:
    """An open results store for one scenario and seed (see the module docstring).

    ``axes`` (the grid's parameter names) and ``figures`` (the figure names), when given, must
    be those of the store's points and results.
    """

    def __init__(self, path, *, scenario_text: str, seed: int, version: str,
                 axes=None, figures=None):
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise InputError(f"store {str(self.path)!r} is a folder, not a file")
        if not self.path.parent.exists():
            raise InputError(f"store folder {str(self.path.parent)!r} does not exist")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as e:
            raise InputError(f"cannot open store {str(self.path)!r}: {e} (a store must be a "
                             f"file blendsim can create and write)") from None
        self._check = _Checker(self.db, self.path, axes, figures)
        try:
            self._open(scenario_text, seed, version)
        except _UNREADABLE as e:
            self.db.close()
            raise _sqlite_error(self.path, e) from None
        except BaseException:
            self.db.close()
            raise

    def _open(self, scenario_text: str, seed: int, version: str) -> None:
        db = self.db
        want = {"scenario": scenario_text, "seed": str(seed), "version": version}
        empty = (db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
                 and db.execute("PRAGMA application_id").fetchone()[0] == 0)
        if empty:  # a new file (or an empty one): make the store
            db.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {LAYOUT}")
            with db:
                db.execute("BEGIN")
                for sql in _TABLES.values():
                    db.execute(sql)
                db.executemany("INSERT INTO meta VALUES (?, ?)", list(want.items()))
        else:
            check = self._check
            check.check_file()
            meta = check.check_meta()
            if meta["scenario"] != scenario_text:
                raise InputError(f"store {str(self.path)!r} holds results of another scenario; "
                                 "use a new store file for this one")
            if meta["seed"] != str(seed):
                raise InputError(f"store {str(self.path)!r} holds results with seed "
                                 f"{meta['seed']}, not {seed}: use that seed to add to "
                                 "it, or a new store file")
            if meta["version"] != version:
                raise InputError(f"store {str(self.path)!r} was made by blendsim "
                                 f"{meta['version']}, this is {version}: results of two "
                                 "versions are not mixed; use a new store file")
            check.check_points()
            check.check_rows()
        db.execute("PRAGMA journal_mode=WAL")

    def point(self, params: dict) -> int:
        """The id of a point, adding it if new."""
        key = params_key(params)
        row = self.db.execute("SELECT id FROM points WHERE params = ?", (key,)).fetchone()
        if row:
            return row[0]
        with self.db:
            self.db.execute("BEGIN")
            pid = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM points").fetchone()[0]
            self.db.execute("INSERT INTO points VALUES (?, ?, ?)",
                            (pid, key, _digest("points", pid, key)))
        self._check.points[pid] = params
        return pid

    def done(self) -> set[tuple[int, int]]:
        """``(point, replication)`` pairs already stored."""
        return set(self.db.execute("SELECT point, replication FROM results"))

    def add(self, point: int, replication: int, figures: dict) -> None:
        """Store one replication's figures, in a transaction of its own."""
        text = json.dumps(_clean(figures), allow_nan=False)
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT INTO results VALUES (?, ?, ?, ?)",
                            (point, replication, text,
                             _digest("results", point, replication, text)))
            self.db.execute("DELETE FROM failures WHERE point = ? AND replication = ?",
                            (point, replication))

    def figures(self, point: int, replications: int) -> dict[int, dict]:
        """The stored figures of a point's first ``replications`` replications (checked)."""
        try:
            return {rep: f for _, rep, f in self._check.results(point, replications)}
        except _UNREADABLE as e:
            raise _sqlite_error(self.path, e) from None

    def fail(self, point: int, replication: int, error: str) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?)",
                            (point, replication, error,
                             _digest("failures", point, replication, error)))

    def close(self) -> None:
        self.db.close()


def read_store(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a store back: ``(results, failures)``, after checking all of it.

    ``results`` has one row per (point, replication): the point's parameters, ``point``,
    ``replication`` and the day's figures; ``failures`` the point, its parameters, the
    replication and the error.  A damaged store raises :class:`InputError`.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such store file: {str(p)!r}")
    try:
        # Read-only: reading never changes the file (nor makes one).
        db = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
    except _UNREADABLE as e:
        raise _sqlite_error(p, e) from None
    try:
        check = _Checker(db, p)
        check.check_file()
        check.check_meta()
        points = check.check_points()
        rows = [{**points[pid], "point": pid, "replication": rep, **figures}
                for pid, rep, figures in check.results()]
        fails = [{**points[pid], "point": pid, "replication": rep, "error": err}
                 for pid, rep, err in check.failures()]
    except _UNREADABLE as e:
        raise _sqlite_error(p, e) from None
    finally:
        db.close()
    return pd.DataFrame(rows), pd.DataFrame(fails)
