"""Layer 4 -- the simulation of one day: the SimPy clock, the ACD and its work sources.

The only package that imports SimPy (and ``_simpy.py`` the only module that touches its
internals).  :func:`run_day` simulates one replication and returns its
:class:`~blendsim.metrics.records.Records`.  The :class:`ACD` (``acd.py``) dispatches free
agents to its work sources (``sources.py``): inbound contacts (``inbound.py``) and the
outbound dialler (``dialler.py``, with ``campaign_run.py``); the day's contacts are drawn
before the run (``contacts.py``) and its records built after it (``columns.py``); policies
see the day through ``view.py``'s read-only state.
"""

from __future__ import annotations

from blendsim.engine.acd import ACD, draw_contacts, run_day

__all__ = [
    "ACD",
    "draw_contacts",
    "run_day",
]
