"""Writing results: CSV and JSON text, files and output folders written atomically.

A folder of outputs carries a manifest of the files blendsim wrote there, so that a later run
replaces its own files (and removes the stale ones) but never touches anyone else's.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from blendsim.errors import BlendsimError, InputError

# --------------------------------------------------------------------------------------------
# Parsing helpers: each raises InputError naming the option, the value and the allowed form

def _reason(e: OSError) -> str:
    """``PermissionError(13, 'Permission denied')`` -> ``"permission denied"``."""
    text = e.strerror or str(e) or type(e).__name__
    return text[:1].lower() + text[1:]


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file, so a failure leaves nothing half done.

    A missing folder, a folder where the file should be, or a write the system refuses
    (permission denied, disk full) is a :class:`BlendsimError` naming the path.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise InputError(f"--out folder does not exist: {str(path.parent)!r}")
    if path.is_dir():
        raise InputError(f"--out {str(path)!r} is a folder; give a file name inside it, "
                         f"e.g. {str(path / 'staffing.csv')!r}")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a report is not
        os.replace(tmp, path)
    except OSError as e:
        raise BlendsimError(f"cannot write {str(path)!r}: {_reason(e)}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(v):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v


def csv_text(frame) -> str:
    """``frame`` as CSV text: floats in full precision (reading it back gives the same
    numbers), text cells that a spreadsheet would take for a formula (``=``, ``+``, ``-``,
    ``@``) prefixed with an apostrophe."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object
                    or str(frame[c].dtype) in ("category", "string", "str")]
    if text_columns:
        frame = frame.assign(**{str(c): frame[c].astype(object).map(_safe_cell)
                                for c in text_columns})
    return frame.to_csv(index=False)


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if type(x).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    raise TypeError(repr(x))


def dumps(obj) -> str:
    """``obj`` as indented JSON: numpy numbers as plain ones, NaN as null, infinities as
    ``"inf"``/``"-inf"`` (JSON has neither)."""

    def clean(v):
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, tuple):
            v = list(v)
        if isinstance(v, float) and not math.isfinite(v):
            return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(obj), indent=2, default=_json_default)


# An --out folder keeps a list of the files blendsim wrote there, per command, so that a run
# into a folder used before replaces blendsim's own earlier outputs (a stale contacts.csv from
# another scenario must not sit beside the new files) and never deletes a file it did not
# write.  A non-empty folder without that list is refused.
MANIFEST = ".blendsim-outputs.json"


@dataclass(frozen=True)
class Written:
    """What :func:`write_folder_atomically` did: files written, removed and left alone."""

    files: list[Path]
    removed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def __iter__(self):  # ``for p in written`` lists the files written, as before
        return iter(self.files)


def _read_manifest(folder: Path) -> dict | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("commands"), dict) and all(
        isinstance(v, dict) and isinstance(v.get("files"), list)
        for v in data["commands"].values())
    return data if ok else None


def _plain_name(name) -> bool:
    """A file name blendsim could have written: no folder part, not hidden."""
    return isinstance(name, str) and name == Path(name).name and not name.startswith(".")


def check_out_folder(folder: Path) -> tuple[dict | None, list[str]]:
    """Refuse an ``--out`` folder blendsim cannot write (before any long computation).

    Returns the folder's list of blendsim outputs (None if there is none) and the names of
    the visible files in it.
    """
    folder = Path(folder)
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"--out: the folder {str(parent)!r} does not exist")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out: {str(folder)!r} exists and is not a folder")
    try:
        present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    except OSError as e:
        raise BlendsimError(f"cannot write results to {str(folder)!r}: {_reason(e)}") from None
    manifest = _read_manifest(folder) if present else None
    visible = [n for n in present if not n.startswith(".")]
    if manifest is None and visible:
        shown = ", ".join(visible[:5]) + (", ..." if len(visible) > 5 else "")
        raise InputError(f"--out: {str(folder)!r} holds files blendsim did not write "
                         f"({shown}); give a new or empty folder (blendsim replaces only its "
                         f"own earlier outputs, listed in {MANIFEST} of a folder it wrote)")
    return manifest, visible


def write_folder_atomically(folder: Path, files: dict[str, str | bytes], *,
                            command: str = "run", scenario: str | None = None,
                            seed: int | None = None) -> Written:
    """Write ``files`` (name -> text or bytes) into ``folder``: all of them or none.

    The folder then holds this run's files and nothing else blendsim wrote: the files an
    earlier run of the same ``command`` wrote there and this one does not are removed, and
    so are other commands' files when they came from another ``scenario`` (a digest of it).
    Files blendsim did not write are never touched; a non-empty folder that blendsim did not
    write (no ``.blendsim-outputs.json``) is refused.  The files are written to a hidden
    staging folder inside ``folder`` first and moved in only when every one is complete; a
    write the system refuses (permission denied, disk full) leaves the folder as it was.
    """
    folder = Path(folder)
    manifest, visible = check_out_folder(folder)
    commands = dict(manifest["commands"]) if manifest else {}
    stale: set[str] = set()
    for name, entry in list(commands.items()):
        if name == command or entry.get("scenario") != scenario:
            stale.update(n for n in entry["files"] if _plain_name(n))
            del commands[name]
        else:  # a file this run writes belongs to this run from now on
            commands[name] = {**entry, "files": [n for n in entry["files"] if n not in files]}
    ours = stale | {n for e in commands.values() for n in e["files"]}
    stale -= set(files)
    commands[command] = {"files": list(files), "scenario": scenario, "seed": seed}
    listing = json.dumps({"format": 1, "commands": commands}, indent=2) + "\n"
    created = not folder.exists()
    staging = None
    try:
        folder.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=".blendsim-staging-"))
        for name, content in [*files.items(), (MANIFEST, listing)]:
            if isinstance(content, bytes):
                (staging / name).write_bytes(content)
            else:
                (staging / name).write_text(content, newline="")
        written = []
        for name in files:
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        os.replace(staging / MANIFEST, folder / MANIFEST)
        removed = []
        for name in sorted(stale):
            if (folder / name).is_file():
                (folder / name).unlink()
                removed.append(name)
    except OSError as e:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
            staging = None
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise BlendsimError(f"cannot write results to {str(folder)!r}: {_reason(e)}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    foreign = [n for n in visible if n not in ours and n not in files]
    return Written(files=written, removed=removed, foreign=foreign)
