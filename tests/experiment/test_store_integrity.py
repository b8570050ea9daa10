"""A damaged results store is refused whole, with a clean message; nothing of it is used.

Stores are damaged on purpose: one flipped bit at many offsets (deterministic), truncation,
wrong tables and columns, rows edited behind the store's back (with and without fixing their
checksum), wrong marks.  Every case must end in an ``InputError`` naming the file, or, when
the flip hits bytes SQLite does not use, in exactly the undamaged result; never another
exception, never different numbers.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from blendsim import InputError
from blendsim.experiment.store import _digest, read_store
from blendsim.experiment.sweep import sweep

GRID = {"reserve": [1, 2]}
REPS, SEED = 2, 7


@pytest.fixture(scope="module")
def reference(blended, tmp_path_factory):
    """An undamaged store (with a failure row too), its sweep table and what it reads back."""
    path = tmp_path_factory.mktemp("reference") / "store.sqlite"
    table = sweep(blended, GRID, replications=REPS, seed=SEED, store=path, backend="serial",
                  quiet=True)
    with closing(sqlite3.connect(path)) as db, db:
        text = "RuntimeError: an old failure, since retried"
        db.execute("INSERT INTO failures VALUES (1, 5, ?, ?)",
                   (text, _digest("failures", 1, 5, text)))
    return path, table, read_store(path)


def run_on(blended, path):
    return sweep(blended, GRID, replications=REPS, seed=SEED, store=path, backend="serial",
                 quiet=True)


def check_case(blended, reference, path: Path, messages=None) -> str:
    """'refused' or 'same' for read_store, then for a sweep; anything else fails the test."""
    _, table, (results, failures) = reference
    outcomes = []
    for call in (lambda: read_store(path), lambda: run_on(blended, path)):
        try:
            got = call()
        except InputError as e:
            assert f"'{path}'" in str(e)
            outcomes.append("refused")
            if messages is not None:
                messages.append(str(e))
            continue
        if isinstance(got, tuple):
            assert_frame_equal(got[0], results)
            assert_frame_equal(got[1], failures)
        else:
            assert_frame_equal(got, table)
        outcomes.append("same")
    return "/".join(outcomes)


def damaged_copy(reference, tmp_path, name="store.sqlite") -> Path:
    path = tmp_path / name
    shutil.copy(reference[0], path)
    return path


def test_the_reference_store_reads_back_what_the_sweep_gave(blended, reference, tmp_path):
    assert check_case(blended, reference, damaged_copy(reference, tmp_path)) == "same/same"


def test_one_flipped_bit_anywhere_is_refused_or_harmless(blended, reference, tmp_path):
    data = reference[0].read_bytes()
    offsets = sorted(set(range(100)) | set(range(100, len(data), 131)))
    seen = {}
    for n, offset in enumerate(offsets):
        path = tmp_path / f"flip{n}.sqlite"
        damaged = bytearray(data)
        damaged[offset] ^= 1 << (offset % 8)
        path.write_bytes(bytes(damaged))
        messages: list[str] = []
        outcome = check_case(blended, reference, path, messages)
        seen[outcome] = seen.get(outcome, 0) + 1
        if outcome == "same/refused":
            # read_store does not use the scenario, seed and version the store remembers; a
            # sweep compares them with its own and refuses a store whose copy differs.
            assert re.search("holds results of another scenario|holds results with seed|"
                             "was made by blendsim", messages[0]), messages
        path.unlink()
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
    # Most of a small store's pages are unused space, where a flip changes nothing.
    assert seen.get("refused/refused", 0) > len(offsets) // 6, seen
    assert set(seen) <= {"refused/refused", "same/same", "same/refused"}, seen


@pytest.mark.parametrize("keep", [100, 1024, 4096, 4097, 20000, -1])
def test_a_truncated_store_is_refused(blended, reference, tmp_path, keep):
    path = damaged_copy(reference, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:keep])
    with pytest.raises(InputError, match=f"store '{path}' is (damaged|not a blendsim)"):
        run_on(blended, path)
    with pytest.raises(InputError, match=f"store '{path}' is (damaged|not a blendsim)"):
        read_store(path)


def test_an_emptied_store_starts_afresh(blended, reference, tmp_path):
    # A file of no bytes is a new store to SQLite too: the sweep computes everything again.
    path = damaged_copy(reference, tmp_path)
    path.write_bytes(b"")
    assert_frame_equal(run_on(blended, path), reference[1])


def edit(path: Path, *sql: str) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        for s in sql:
            db.execute(s)


@pytest.mark.parametrize("sql, message", [
    (["CREATE TABLE notes (text TEXT)"], r"its tables differ .*table notes"),
    (["DROP TABLE failures"], r"its tables differ .*table failures"),
    (["ALTER TABLE results ADD COLUMN extra TEXT"], r"its tables differ .*table results"),
    (["CREATE INDEX by_rep ON results (replication)"], r"its tables differ .*index by_rep"),
    (["CREATE VIEW v AS SELECT * FROM results"], r"its tables differ .*view v"),
    (["PRAGMA user_version = 7"], r"its store layout is 7, this blendsim reads 2"),
    (["PRAGMA application_id = 5"], r"its application id is 0x5"),
])
def test_wrong_tables_or_marks_are_refused(blended, reference, tmp_path, sql, message):
    path = damaged_copy(reference, tmp_path)
    edit(path, *sql)
    before = path.read_bytes()
    with pytest.raises(InputError, match=f"store '{path}' is damaged: {message}"):
        run_on(blended, path)
    with pytest.raises(InputError, match=f"store '{path}' is damaged: {message}"):
        read_store(path)
    assert path.read_bytes() == before  # refused untouched


def edited(path: Path, sql: str, table: str) -> None:
    """Run ``sql``, then give every row of ``table`` a correct checksum again."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(sql)
        if table == "points":
            for pid, params in db.execute("SELECT id, params FROM points").fetchall():
                db.execute("UPDATE points SET digest = ? WHERE id = ?",
                           (_digest("points", pid, params), pid))
        else:
            column = "figures" if table == "results" else "error"
            for pid, rep, text in db.execute(
                    f"SELECT point, replication, {column} FROM {table}").fetchall():
                db.execute(f"UPDATE {table} SET digest = ? WHERE point = ? AND replication = ?",
                           (_digest(table, pid, rep, text), pid, rep))


@pytest.mark.parametrize("sql, message", [
    ("UPDATE results SET figures = replace(figures, '\"offered\":', '\"offered\": 1') "
     "WHERE point = 1 AND replication = 0",
     r"results row \(point 1, replication 0\) does not match its checksum"),
    ("UPDATE results SET replication = 9 WHERE point = 2 AND replication = 1",
     r"results row \(point 2, replication 9\) does not match its checksum"),
    ("UPDATE points SET params = '{\"reserve\":3}' WHERE id = 2",
     r"point 2 does not match its checksum"),
    ("UPDATE failures SET error = 'edited' WHERE point = 1",
     r"failures row \(point 1, replication 5\) does not match its checksum"),
])
def test_rows_edited_behind_its_back_are_refused(blended, reference, tmp_path, sql, message):
    path = damaged_copy(reference, tmp_path)
    edit(path, sql)
    with pytest.raises(InputError, match=f"store '{path}' is damaged: {message}; nothing in "
                                         "it was used"):
        run_on(blended, path)
    with pytest.raises(InputError, match=message):
        read_store(path)


@pytest.mark.parametrize("table, sql, message", [
    ("results", "UPDATE results SET figures = '{\"offered\": ' WHERE replication = 0",
     r"results row \(point 1, replication 0\) is not valid JSON"),
    ("results", "UPDATE results SET figures = '[1, 2]' WHERE replication = 0",
     r"results row \(point 1, replication 0\) is not a JSON object"),
    ("results", "UPDATE results SET figures = replace(figures, '\"offered\": ', "
                "'\"offered\": NaN, \"x\": ') WHERE point = 1 AND replication = 0",
     r"results row \(point 1, replication 0\) has offered = nan, not a finite number"),
    ("results", "UPDATE results SET figures = replace(figures, '\"offered\": ', "
                "'\"offered\": \"many\", \"x\": ') WHERE point = 1 AND replication = 0",
     r"results row \(point 1, replication 0\) has offered = 'many', not a finite number"),
    ("results", "UPDATE results SET figures = replace(figures, '\"offered\"', '\"ofered\"') "
                "WHERE point = 2 AND replication = 1",
     r"results row \(point 2, replication 1\) has other figures than the rest "
     r"\(ofered, offered\)"),
    ("results", "UPDATE results SET replication = -1 WHERE point = 1 AND replication = 0",
     r"results row \(point 1, replication -1\) has a replication number out of range"),
    ("results", "UPDATE results SET replication = 100000 WHERE point = 1 AND replication = 0",
     r"results row \(point 1, replication 100000\) has a replication number out of range"),
    ("results", "UPDATE results SET point = 9 WHERE point = 2 AND replication = 0",
     r"results row \(point 9, replication 0\) names no stored point"),
    ("results", "UPDATE results SET replication = '1x' WHERE point = 1 AND replication = 1",
     r"results row \(point 1, replication 1x\) does not match its checksum"),  # not a number
    ("points", "UPDATE points SET params = '{\"blended_agents\":2}' WHERE id = 2",
     r"point 2 varies blended_agents, the others reserve"),
    ("points", "UPDATE points SET params = '{\"reserve\": 2}' WHERE id = 2",
     r"point 2 has parameters"),  # not the canonical text of its parameters
    ("points", "UPDATE points SET params = 'null' WHERE id = 2",
     r"point 2 is not a JSON object"),
])
def test_checksummed_rows_with_bad_content_are_refused(blended, reference, tmp_path, table,
                                                       sql, message):
    path = damaged_copy(reference, tmp_path)
    edited(path, sql, table)
    with pytest.raises(InputError, match=f"store '{path}' is damaged: {message}"):
        run_on(blended, path)
    with pytest.raises(InputError, match=message):
        read_store(path)


@pytest.mark.parametrize("sql, message", [
    ("INSERT INTO meta VALUES ('colour', 'blue')", r"meta has an unexpected row 'colour'"),
    ("DELETE FROM meta WHERE key = 'seed'", r"meta lacks seed"),
    ("UPDATE meta SET value = '7x' WHERE key = 'seed'", r"meta seed is '7x', not a whole"),
])
def test_a_damaged_meta_table_is_refused(blended, reference, tmp_path, sql, message):
    path = damaged_copy(reference, tmp_path)
    edit(path, sql)
    with pytest.raises(InputError, match=f"store '{path}' is damaged: {message}"):
        run_on(blended, path)
    with pytest.raises(InputError, match=message):
        read_store(path)


def test_a_store_of_another_grid_is_refused(blended, reference, tmp_path):
    path = damaged_copy(reference, tmp_path)
    with pytest.raises(InputError, match=f"store '{path}' holds a sweep over reserve, not over "
                                         r"blended_agents, reserve: use a new store file"):
        sweep(blended, {**GRID, "blended_agents": [2]}, replications=REPS, seed=SEED,
              store=path, backend="serial")


def test_a_store_of_the_layout_before_checksums_is_refused(blended, tmp_path):
    path = tmp_path / "old.sqlite"
    edit(path,
         "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
         "CREATE TABLE points (id INTEGER PRIMARY KEY, params TEXT NOT NULL UNIQUE)",
         "CREATE TABLE results (point INTEGER NOT NULL REFERENCES points(id), replication "
         "INTEGER NOT NULL, figures TEXT NOT NULL, PRIMARY KEY (point, replication))",
         "CREATE TABLE failures (point INTEGER NOT NULL REFERENCES points(id), replication "
         "INTEGER NOT NULL, error TEXT NOT NULL, PRIMARY KEY (point, replication))")
    with pytest.raises(InputError, match=f"store '{path}' was made by an older blendsim "
                                         r"\(before store layout 2\): use a new store file"):
        run_on(blended, path)


def test_read_store_never_writes(reference, tmp_path):
    path = damaged_copy(reference, tmp_path)
    before = path.read_bytes()
    read_store(path)
    assert path.read_bytes() == before


def test_a_store_that_cannot_be_created_is_a_clear_error(blended):
    # /proc takes no new files: SQLite cannot open (or make) the database there.
    with pytest.raises(InputError, match=r"cannot open store '/proc/blendsim-test\.sqlite'"):
        run_on(blended, Path("/proc/blendsim-test.sqlite"))
