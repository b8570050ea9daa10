"""Every notebook in notebooks/ runs top to bottom (its code cells, in order, in one namespace).

No Jupyter kernel is needed: the cells are plain Python, executed as a reader would.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    import matplotlib.pyplot as plt

    cells = json.loads(path.read_text())["cells"]
    code = [("".join(c["source"])) for c in cells if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    for cell in cells:
        assert not cell.get("outputs"), "commit notebooks without outputs"
    monkeypatch.chdir(path.parent)
    namespace: dict = {"__name__": "__main__"}
    try:
        for n, source in enumerate(code):
            exec(compile(source, f"{path.name}[cell {n}]", "exec"), namespace)
    finally:
        plt.close("all")
    # What the notebooks tell a student must be what their cells compute.
    if "theory" in namespace and "p_wait" in namespace:
        assert abs(namespace["p_wait"].mean() - namespace["theory"]) < namespace["half"]
    if "exact" in namespace and "per_day" in namespace:
        assert abs(namespace["per_day"].mean() - namespace["exact"].outbound_rate * 3600) \
            < namespace["half"]
    if "same_seed" in namespace:
        assert namespace["same_seed"].std() < 0.5 * namespace["other_seed"].std()
    # The blending frontier it draws must show the trade-off it talks about.
    if "frontier" in namespace:
        frontier = namespace["frontier"]
        assert frontier["outbound per hour"].is_monotonic_decreasing
        assert frontier["service level"].is_monotonic_increasing
