"""Layer 6 -- what people read: tables as text, files and folders of results, plots.

Plots are :class:`matplotlib.figure.Figure` objects; nothing here touches pyplot's global
state or calls ``matplotlib.use``.  Import ``blendsim.outputs.plots`` explicitly: it is the
only module that loads matplotlib.
"""

from __future__ import annotations

from blendsim.outputs.tables import format_table, pct, secs

__all__ = [
    "format_table",
    "pct",
    "secs",
]
