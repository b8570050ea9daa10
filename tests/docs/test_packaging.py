"""The wheel holds the whole package: pyproject.toml finds every subpackage, SimPy is bounded,
and CI builds, installs and imports the wheel (.ci/check_wheel.sh, run by .ci/run)."""

from __future__ import annotations

import importlib.util
import os
import pkgutil
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import setuptools
from packaging.requirements import Requirement

import blendsim

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
CI_RUN = ROOT / ".ci" / "run"
CHECK_WHEEL = ROOT / ".ci" / "check_wheel.sh"


def source_packages() -> set[str]:
    """Every directory under blendsim/ (itself included) that holds an __init__.py."""
    return {".".join(init.parent.relative_to(ROOT).parts)
            for init in (ROOT / "blendsim").rglob("__init__.py")}


def found_packages() -> set[str]:
    """What setuptools puts in the wheel, read from pyproject.toml's find configuration."""
    setup = PYPROJECT["tool"]["setuptools"]
    assert "packages" in setup and isinstance(setup["packages"], dict), (
        "a fixed list under [tool.setuptools] packages drops every package not named in it; "
        "use [tool.setuptools.packages.find]")
    find = setup["packages"]["find"]
    where = ROOT.joinpath(*find.get("where", ["."]))
    return set(setuptools.find_packages(where=str(where), include=find.get("include", ("*",)),
                                        exclude=find.get("exclude", ())))


def load_import_all():
    spec = importlib.util.spec_from_file_location("import_all", ROOT / ".ci" / "import_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def command_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_every_subpackage_is_found_for_the_wheel():
    expected = source_packages()
    assert {"blendsim", "blendsim.engine", "blendsim.scenario", "blendsim.cli"} <= expected
    found = found_packages()
    assert expected - found == set(), "packages the wheel would drop"
    assert found - expected == set(), "packages outside blendsim/ the wheel would carry"


def test_every_folder_of_modules_is_a_package():
    # find_packages skips a folder without __init__.py, and every module in it with it.
    folders = {path.parent for path in (ROOT / "blendsim").rglob("*.py")
               if "__pycache__" not in path.parts}
    assert [f for f in folders if not (f / "__init__.py").is_file()] == []


def test_simpy_has_an_upper_bound_that_the_installed_version_meets():
    # The engine relies on SimPy's private attributes, which a minor release may change.
    (simpy,) = [Requirement(d) for d in PYPROJECT["project"]["dependencies"]
                if Requirement(d).name == "simpy"]
    assert {s.operator for s in simpy.specifier} & {"<", "<=", "==", "~="}, str(simpy)
    assert simpy.specifier.contains(version("simpy")), (str(simpy), version("simpy"))


def test_ci_runs_the_wheel_check_after_the_tests():
    lines = command_lines(CI_RUN)
    tests = next(i for i, line in enumerate(lines) if "python -m pytest" in line)
    check = [i for i, line in enumerate(lines) if line == ".ci/check_wheel.sh"]
    assert check and check[0] > tests, lines
    assert os.access(CHECK_WHEEL, os.X_OK)


def test_the_wheel_check_builds_installs_and_imports_outside_the_repository():
    lines = command_lines(CHECK_WHEEL)
    assert lines[0] == "set -euo pipefail"
    steps = ["python3 -m venv", "pip wheel", "pip install", 'cd "$tmp"', ".ci/import_all.py"]
    at = [next(i for i, line in enumerate(lines) if step in line) for step in steps]
    assert at == sorted(at), dict(zip(steps, at, strict=True))
    assert re.search(r'"blendsim --version" "python -m blendsim --version"', "\n".join(lines))


def test_the_wheel_check_sees_the_modules_the_import_system_sees():
    # The CI check compares the installed wheel with source_modules() of the tree it was
    # built from; here the package is imported from the tree itself, so both must agree.
    walked = {"blendsim"} | {m.name for m in pkgutil.walk_packages(blendsim.__path__,
                                                                   "blendsim.")}
    modules = load_import_all().source_modules(ROOT)
    assert modules == walked
    assert source_packages() <= modules
    assert {"blendsim.__main__", "blendsim.engine.acd", "blendsim.cli.app"} <= modules
