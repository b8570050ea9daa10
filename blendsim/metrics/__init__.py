"""Layer 3 -- records and every figure computed from them, once.

``records`` holds one row per contact (with the one :class:`Outcome` enum) and per agent
period; ``kpi`` turns rows into service level, ASA, abandonment, occupancy and outbound
figures; ``ci`` averages a figure over replications with its 95% Student-t interval.  The
same functions measure a simulated day and a real call log.
"""

from __future__ import annotations

from blendsim.metrics.ci import SHARES, mean_ci, summary_ci, t_half_width
from blendsim.metrics.kpi import (
    CONTACT_METRICS,
    COUNTS,
    OUTBOUND_METRICS,
    busy_time,
    contact_flags,
    contact_metrics,
    contact_table,
    group_time_metrics,
    interval_of,
    outbound_table,
    overlap_by_interval,
    service_level,
    service_level_base,
)
from blendsim.metrics.records import OUTCOMES, Outcome, Records

__all__ = [
    "CONTACT_METRICS",
    "COUNTS",
    "OUTBOUND_METRICS",
    "OUTCOMES",
    "Outcome",
    "SHARES",
    "busy_time",
    "contact_flags",
    "contact_metrics",
    "contact_table",
    "group_time_metrics",
    "interval_of",
    "outbound_table",
    "overlap_by_interval",
    "mean_ci",
    "service_level",
    "service_level_base",
    "summary_ci",
    "t_half_width",
    "Records",
]
