"""The package's layers: imports point down, siblings stay apart, nothing goes round in a circle.

The layers, from the bottom (see README, "Architecture")::

    0  errors, streams, limits, _validate, _units, _version
    1  analytic/   policies/        (siblings: neither imports the other)
    2  scenario/
    3  metrics/
    4  engine/                      (the only importer of SimPy)
    5  experiment/
    6  outputs/                     (the only importer of matplotlib)
    7  cli/
    8  blendsim/__init__.py, __main__.py

Every ``import`` of a blendsim module found anywhere in the package's source (at the top of a
module or inside a function; only imports under ``if TYPE_CHECKING:`` are left out, as they
never run) must point to the same layer or one below, never across to a sibling package of
its layer, and the graph of them must have no cycle.  A cycle is ended by moving code, not by
hiding an import inside a function: such imports count here like any other.  The checks are
read from the source text, so they run in a fraction of a second.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "blendsim"

LAYERS = {
    "errors": 0, "streams": 0, "limits": 0, "_validate": 0, "_units": 0, "_version": 0,
    "analytic": 1, "policies": 1,
    "scenario": 2,
    "metrics": 3,
    "engine": 4,
    "experiment": 5,
    "outputs": 6,
    "cli": 7,
    "__init__": 8, "__main__": 8,
}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def part_of(module: str) -> str:
    """The layer's part a module belongs to: ``blendsim.engine.acd`` -> ``engine``."""
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path, known: set[str], root: Path = PACKAGE
               ) -> list[tuple[str, int, list[str]]]:
    """``(module imported, line, names taken)`` for every blendsim import that can run."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "blendsim":
                    found.append((alias.name, node.lineno, []))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "blendsim":
                names = [a.name for a in node.names]
                # "from blendsim.outputs import plots": the import is of the module plots
                subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
                found.append((target, node.lineno, names))
                for s in subs:
                    found.append((s, node.lineno, []))
        visit(node)

    visit(tree)
    return found


def package_graph(root: Path = PACKAGE) -> tuple[dict[str, set[str]], list[str]]:
    """The import graph of the package's modules, and where each edge was seen."""
    files = sorted(root.rglob("*.py"))
    known = {module_name(p, root) for p in files}
    graph: dict[str, set[str]] = {m: set() for m in known}
    where: dict[tuple[str, str], str] = {}
    for p in files:
        here = module_name(p, root)
        for target, line, _ in imports_of(p, known, root):
            if target in known and target != here:
                graph[here].add(target)
                where.setdefault((here, target), f"{p.relative_to(root.parent)}:{line}")
    return graph, where


def layer_problems(graph: dict[str, set[str]], where: dict) -> list[str]:
    problems = []
    for src, targets in graph.items():
        a = part_of(src)
        for dst in sorted(targets):
            b = part_of(dst)
            if b == "__init__" and dst == "blendsim":
                problems.append(f"{where[src, dst]}: {src} imports the package root")
                continue
            la, lb = LAYERS.get(a), LAYERS.get(b)
            if la is None or lb is None:
                problems.append(f"{where[src, dst]}: {src} -> {dst}: a part with no layer "
                                f"({a if la is None else b}); add it to LAYERS and README")
            elif lb > la:
                problems.append(f"{where[src, dst]}: {src} (layer {la}) imports {dst} "
                                f"(layer {lb}): upward")
            elif lb == la and a != b and la > 0:
                problems.append(f"{where[src, dst]}: {src} imports its sibling {dst}")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []
    counter = [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(out)


# --------------------------------------------------------------------------------------------
# The package as it is


GRAPH, WHERE = package_graph()


def test_every_part_of_the_package_has_a_layer():
    parts = {part_of(m) for m in GRAPH}
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))
    # and the layers name folders that exist (a renamed folder must rename its entry)
    assert {p for p in LAYERS if not p.startswith("__")} <= parts


def test_imports_point_down_and_never_to_a_sibling():
    assert layer_problems(GRAPH, WHERE) == []


def test_no_import_cycle():
    assert cycles(GRAPH) == []


def test_no_private_name_crosses_modules():
    """A helper two modules share is a public name (in a private module), not ``_name``."""
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(p) for p in files}
    crossing = []
    for p in files:
        for target, line, names in imports_of(p, known):
            for n in names:
                if n.startswith("_") and not n.startswith("__") and f"{target}.{n}" not in known:
                    crossing.append(f"{p.relative_to(PACKAGE.parent)}:{line}: {n} from {target}")
    assert crossing == []


def _third_party_importers(top: str) -> set[str]:
    users = set()
    for p in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not
                     node.level else [])
            if any(n.split(".")[0] == top for n in names):
                users.add(module_name(p))
    return users


def test_only_the_engine_touches_simpy():
    users = _third_party_importers("simpy")
    assert users and all(part_of(m) == "engine" for m in users), sorted(users)


def test_only_outputs_draws_and_no_one_sets_a_matplotlib_backend():
    users = _third_party_importers("matplotlib")
    assert users and all(part_of(m) == "outputs" for m in users), sorted(users)
    for p in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert not (node.func.attr == "use" and isinstance(node.func.value, ast.Name)
                            and node.func.value.id in ("matplotlib", "mpl")), \
                    f"{p}:{node.lineno} calls matplotlib.use"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [f"{node.module}.{a.name}" for a in node.names])
                assert not any(n.startswith("matplotlib.pyplot") for n in names), \
                    f"{p}:{node.lineno} imports pyplot (global state)"


# --------------------------------------------------------------------------------------------
# The checks themselves can fail


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "blendsim"
    for name, text in files.items():
        f = root / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    return root


def test_an_upward_import_a_sibling_import_and_a_cycle_are_each_caught(tmp_path):
    root = _fake_package(tmp_path, {
        "__init__.py": "",
        "errors.py": "",
        "analytic/__init__.py": "",
        "analytic/erlang.py": "from blendsim.scenario.model import Scenario\n",  # upward
        "policies/__init__.py": "",
        "policies/routing.py": "def f():\n    from blendsim.analytic import erlang\n",  # sibling
        "scenario/__init__.py": "",
        "scenario/model.py": "from blendsim.scenario import file\n",
        "scenario/file.py": "from typing import TYPE_CHECKING\n"
                            "if TYPE_CHECKING:\n    from blendsim.engine import acd\n"
                            "def g():\n    from .model import Scenario\n",  # deferred: a cycle
        "engine/__init__.py": "",
        "engine/acd.py": "from ..errors import _hidden\n",
    })
    graph, where = package_graph(root)
    problems = layer_problems(graph, where)
    assert any("blendsim.analytic.erlang (layer 1) imports blendsim.scenario.model (layer 2)"
               in p for p in problems), problems
    assert any("blendsim.policies.routing imports its sibling blendsim.analytic" in p
               for p in problems), problems
    assert not any("engine" in p for p in problems)  # under TYPE_CHECKING: never runs
    assert cycles(graph) == [["blendsim.scenario.file", "blendsim.scenario.model"]]
    assert "blendsim.errors" in graph["blendsim.engine.acd"]  # relative imports resolved


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_every_module_has_a_docstring_naming_its_question(module):
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and len(doc.splitlines()[0]) > 10, f"{path} has no docstring line"
