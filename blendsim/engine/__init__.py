"""Layer 4 -- the simulation of one day: the SimPy clock, the ACD and its work sources.

The only package that imports SimPy.  :func:`run_day` simulates one replication and returns
its :class:`~blendsim.metrics.records.Records`.
"""

from __future__ import annotations

from blendsim.engine.acd import ACD, draw_contacts, run_day

__all__ = [
    "ACD",
    "draw_contacts",
    "run_day",
]
