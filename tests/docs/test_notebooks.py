"""The notebooks in notebooks/: they run top to bottom in a Jupyter kernel, every cell that draws
a figure shows it (once), they are committed with their outputs, and they follow the inputs a
student changes.

The notebooks are executed in memory by nbclient in a real kernel, as Jupyter and
``nbconvert --execute`` run them; the files are never rewritten here (``notebooks/run_all.sh``
does that).  nbclient and ipykernel come with the ``dev`` extras; without them these tests skip
locally and fail in CI.
"""

from __future__ import annotations

import json
import os
import re
from math import floor
from pathlib import Path

import pytest
from builders import ROOT

if os.environ.get("CI"):
    import nbformat
else:
    nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[dev]'")

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]

# A cell draws a figure if it is tagged "figure" or calls pyplot, an Axes/Figure method or a
# blendsim plot function; each such cell must show exactly one PNG.
DRAWS = re.compile(r"\b(plt|ax|fig|plots)\.\w+\(")
# Where a path of the machine that executed a notebook could leak into its outputs.
MACHINE_PATHS = re.compile(r"(/work/|/tmp/|/home/|/Users/|/root/|/private/var/|[A-Za-z]:\\\\)")


PROGRESS = re.compile(r"^[\w ]+: \d+ of \d+ done, about .+ left$")

def _kernel_or_skip():
    """nbclient and a kernel are needed to execute; CI must have them (the dev extras)."""
    if os.environ.get("CI"):
        import ipykernel  # noqa: F401
        import nbclient
    else:
        nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[dev]'")
        pytest.importorskip("ipykernel", reason="pip install -e '.[dev]'")
    return nbclient


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _is_figure_cell(cell) -> bool:
    return cell.cell_type == "code" and (
        "figure" in cell.metadata.get("tags", []) or bool(DRAWS.search(cell.source)))


def _images(cell) -> int:
    return sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def _execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Run ``nb`` top to bottom in a fresh kernel, in notebooks/ as Jupyter would."""
    nbclient = _kernel_or_skip()
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=600, record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()
    return nb


def _check_outputs(nb, name: str) -> None:
    """Every figure cell shows one PNG, no other cell shows one, and nothing went to stderr."""
    figures = [n for n, c in enumerate(nb.cells) if _is_figure_cell(c)]
    assert figures, f"{name}: no figure cells"
    for n, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        shown = _images(cell)
        if n in figures:
            assert shown == 1, f"{name} cell {n} draws a figure but shows {shown} images"
        else:
            assert shown == 0, f"{name} cell {n} shows an image but is not a figure cell"
        for out in cell.outputs:
            assert out.output_type != "error", f"{name} cell {n}: {out.get('evalue')}"
            if out.output_type == "stream" and out.name == "stderr":
                # Only a long run's time-left lines may go there (a slow machine prints them).
                other = [line for line in out.text.splitlines() if not PROGRESS.match(line)]
                assert not other, f"{name} cell {n} wrote to stderr (a warning?): {other[:3]}"


# What the notebooks tell a student must be what their cells compute: run in the kernel after
# the last cell, on whatever names the notebook defines.
CHECKS = '''
g = globals()
if "theory" in g and "p_wait" in g:
    assert abs(p_wait.mean() - theory) < half, (p_wait.mean(), theory, half)
if "exact" in g and "per_day" in g:
    assert abs(per_day.mean() - exact.outbound_rate * 3600) < half, \
        (per_day.mean(), exact.outbound_rate * 3600, half)
if "same_seed" in g:
    assert same_seed.std() < 0.5 * other_seed.std(), (same_seed.std(), other_seed.std())
if "frontier" in g:  # the blending frontier it draws shows the trade-off it talks about
    assert frontier["outbound per hour"].is_monotonic_decreasing
    assert frontier["service level"].is_monotonic_increasing
if "by_sim" in g and "outreach" in g:  # the rosters of 05: what its prose says of them
    assert len(capped.unmet) and not len(roster.unmet) and not len(uncapped.unmet)
    assert roster.paid_hours() > (roster.intervals["requirement"].sum()
                                  + roster.intervals["slack"].sum()) * day.interval / 3600
    assert by_sim.roster.cost > by_sim.two_step.cost
    for judged in (by_sim.judgement, by_sim.two_step_judgement):
        assert judged.below == judged.missed == 0, judged
    assert by_sim.judgement.unclear < by_sim.two_step_judgement.unclear
    assert 2 * higher.sum() > len(higher)
    assert outreach.two_step.cost > outreach.roster.cost > by_sim.roster.cost
    assert outreach.conversations["met"].all()
    assert float(first["conversations"]) > max(planned, 150)  # the first yields: cautious
    inside = (edges[:-1] >= window[0][0]) & (edges[1:] <= window[0][1])  # dialling window
    extra = on["inbound team"] + on["blended team"] - outreach.intervals["requirement"]
    assert (extra[inside] > 0).mean() > 0.5
    assert len(beyond) and (beyond["extra_cost"] == 0).all()
    assert curve.loc[curve["goal"] == 150, "conversations"].iloc[0] > 150
if "pair" in g and "apart" in g:  # 06: what its prose says of paired and independent days
    day, other = pair.day(), apart.day()
    assert day.loc["offered", "difference"] == 0 and day.loc["paid_hours", "difference"] == 0
    for f in ("service_level", "abandon_rate", "asa"):
        assert width.loc[f, "narrower by"] > 2, width  # "several times narrower"
        assert other.loc[f, "ci_low"] <= day.loc[f, "difference"] <= other.loc[f, "ci_high"]
    assert width.loc["conversations", "narrower by"] < 2  # "gain little from pairing"
    assert value.loc["net", "per_day"] < 0 < ours_value.loc["net", "per_day"]  # loses / gains
    assert sens.iloc[0]["key"] == "conversation_value"  # swings the answer most
    changed = blendsim.business_case(pair, assumptions.replace("conversation_value", break_even))
    assert abs(changed.loc["net", "per_day"]) < 1e-6  # the break-even it prints is one
    assert case.scale.attrs["largest"] == case.scale["blended_agents"].max()
    sl = case.design.set_index("figure").loc["service_level"]
    assert sl["days_paired"] < 10 and sl["days_parallel"] > 60  # "a few" vs "months"
    import re as _re
    assert html.count("<svg") == 3
    assert not _re.search(r"(src|href) *= *.?(https?:)?//|@import|<script", html)
'''


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_lets_jupyter_show_figures(path):
    """matplotlib.use("Agg") (or any backend) would stop Jupyter and nbconvert showing charts."""
    nb = _read(path)
    for n, cell in enumerate(nb.cells):
        assert "matplotlib.use(" not in cell.source, f"{path.name} cell {n} picks a backend"
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source.startswith("%matplotlib inline"), f"{path.name}: no %matplotlib inline"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_top_to_bottom_and_shows_every_figure(path):
    nb = _read(path)
    nb.cells.append(nbformat.v4.new_code_cell(CHECKS))
    _check_outputs(_execute(nb), path.name)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_notebook_has_its_outputs(path):
    """Committed executed in one go (run_all.sh), figures included, with nothing of the machine."""
    nb = _read(path)
    _check_outputs(nb, path.name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), \
        f"{path.name}: commit it as notebooks/run_all.sh leaves it (execution counts {counts})"
    assert sum(bool(c.outputs) for c in code) >= len(code) - 1, f"{path.name}: outputs stripped"
    for n, cell in enumerate(code):
        assert "execution" not in cell.metadata, f"{path.name}: cell timings recorded"
        shown = [{k: v for k, v in out.items() if k != "data"} | {"data": {
            kind: v for kind, v in out.get("data", {}).items() if not kind.startswith("image/")}}
            for out in cell.outputs]  # base64 images could hold any short string
        text = json.dumps(shown)
        assert not MACHINE_PATHS.search(text), f"{path.name} code cell {n} shows a local path"
        assert str(ROOT) not in text


def _staffing_table_after(change: tuple[str, str]) -> tuple[dict, nbformat.NotebookNode]:
    """Notebook 01 run with one input line replaced; its staffing table, read from the kernel."""
    path = NOTEBOOK_DIR / "01_erlang_and_blending.ipynb"
    nb = _read(path)
    old, new = change
    inputs = next(c for c in nb.cells if old in c.source)  # fails if the input line moved
    inputs.source = inputs.source.replace(old, new)
    nb.cells.append(nbformat.v4.new_code_cell(
        'import json\n'
        'print(json.dumps({"load": load, "needed": int(needed.agents), "target": target_sl,\n'
        '    "agents": [int(n) for n in table["agents"]],\n'
        '    "sl": [float(s) for s in table.iloc[:, 2]],\n'
        '    "erlang_a_sl": [float(s) for s in compare["SL Erlang A"]]}))'))
    _execute(nb)
    out = nb.cells[-1].outputs[0]
    assert out.output_type == "stream", out
    return json.loads(out.text), nb


@pytest.mark.parametrize("change, load", [
    (("calls_per_half_hour = 120", "calls_per_half_hour = 480"), 480 / 1800 * 240),
    (("aht = 240.0 ", "aht = 60.0 "), 120 / 1800 * 60),
    (("calls_per_half_hour = 120", "calls_per_half_hour = 12000"), 12000 / 1800 * 240),
], ids=["calls x4", "aht / 4", "calls x100"])
def test_notebook_01_staffing_table_follows_its_inputs(change, load):
    """A student who changes the volume or the AHT still sees the requirement and both sides of
    the target, not a table of zeros (the agents used to be 17 to 26 whatever the load)."""
    got, nb = _staffing_table_after(change)
    assert got["load"] == pytest.approx(load)
    agents = got["agents"]
    assert agents[0] == floor(load) + 1  # the fewest agents that keep up
    assert agents == list(range(agents[0], agents[-1] + 1))
    assert agents[0] <= got["needed"] < agents[-1]
    sl = got["sl"]
    assert min(sl) < got["target"] <= max(sl)
    assert all(0 < s < 1 for s in sl)
    assert sl == sorted(sl)
    assert all(0 < s <= 1 for s in got["erlang_a_sl"])
    _check_outputs(nb, "01 with " + change[1])
