"""Layer 3 -- records and every figure computed from them, once.

``records`` holds one row per contact (with the one :class:`Outcome` enum) and per agent
period; ``kpi`` turns rows into service level, ASA, abandonment, occupancy and outbound
figures.  The same functions measure a simulated day and a real call log.
"""

from __future__ import annotations

from blendsim.metrics.kpi import (
    CONTACT_METRICS,
    OUTBOUND_METRICS,
    busy_time,
    contact_metrics,
    group_time_metrics,
    interval_of,
    outbound_table,
    overlap_by_interval,
    service_level,
)
from blendsim.metrics.records import OUTCOMES, Records

__all__ = [
    "CONTACT_METRICS",
    "OUTBOUND_METRICS",
    "OUTCOMES",
    "busy_time",
    "contact_metrics",
    "group_time_metrics",
    "interval_of",
    "outbound_table",
    "overlap_by_interval",
    "service_level",
    "Records",
]
