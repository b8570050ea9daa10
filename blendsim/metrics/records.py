"""Records: what happened to every contact, one row each, in columns.

The engine writes :class:`Records`; every figure (service level, occupancy...) is computed
from them by the pure functions of :mod:`blendsim.metrics.kpi`, which never look inside the
engine.  The same functions can measure a real call log turned into the same columns.

Contact columns (one row per inbound contact and per outbound call attempt): ``contact``
(index within the replication), ``kind`` (``"inbound"`` or ``"outbound"``), ``type`` (the
inbound type or the campaign), ``segment`` and ``attempt`` (outbound only), ``arrival_at``
(arrival, or the instant an outbound attempt was dialled), ``answered_at``, ``end_at``
(instants, seconds after midnight), ``wait``, ``handle``, ``wrap_up`` (durations, seconds),
``outcome``, ``group``, ``agent``, ``replication``.

- ``outcome`` is ``served``, ``abandoned`` (hung up while waiting), ``blocked`` (the queue was
  full), ``balked`` (hung up at once rather than wait) or ``unserved`` (still waiting when no
  agent was left, with no patience limit).
- ``end_at``: served contacts, when the agent finished wrap-up; abandoned, when the caller hung
  up; blocked and balked, the arrival instant.
- ``wait``: time in queue (until answered, or until hanging up); 0 for blocked and balked.
- ``handle`` and ``wrap_up`` are NaN for contacts not served.
- Outbound attempts end ``failed`` (no right-party connect: no answer, busy, voicemail),
  ``served`` (a conversation: ``answered_at`` is when an agent took the connected customer,
  ``wait`` how long the customer waited for it) or ``mismatch`` (connected, but no agent came
  within the customer's patience: an outbound abandonment).

Ready spans (one row per span): ``agent``, ``from_at``, ``to_at``: time an agent spent
waiting for the dialler to connect a call (outbound work without a conversation).

Agent-log columns (one row per logged-on period): ``agent``, ``group``, ``on_at``, ``off_at``
(``off_at`` includes finishing the last contact after the end of the shift).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

__all__ = ["OUTCOMES", "Outcome", "Records"]


class Outcome(IntEnum):
    """How a contact ended: the codes of the ``outcome`` column (written here only).

    ``PENDING`` is the engine's mark for a contact still in progress; no finished record
    carries it.
    """

    PENDING = 0
    SERVED = 1
    ABANDONED = 2
    BLOCKED = 3
    BALKED = 4
    UNSERVED = 5
    FAILED = 6
    MISMATCH = 7


OUTCOMES = tuple(o.name.lower() for o in Outcome)  # outcome code -> its name
KINDS = ("inbound", "outbound")


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Records:
    """The columns of one simulated day (one replication)."""

    replication: int
    type_names: tuple[str, ...]  # inbound types, then outbound campaigns
    group_names: tuple[str, ...]
    agent_names: tuple[str, ...]
    segment_names: tuple[str, ...]
    arrival_at: np.ndarray
    type: np.ndarray
    answered_at: np.ndarray
    end_at: np.ndarray
    wait: np.ndarray
    handle: np.ndarray
    wrap_up: np.ndarray
    outcome: np.ndarray
    agent: np.ndarray
    group: np.ndarray
    kind: np.ndarray
    segment: np.ndarray
    attempt: np.ndarray
    agent_log_agent: np.ndarray
    agent_log_group: np.ndarray
    agent_log_on_at: np.ndarray
    agent_log_off_at: np.ndarray
    ready_agent: np.ndarray
    ready_from: np.ndarray
    ready_to: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival_at.size)

    def contacts(self) -> pd.DataFrame:
        """The contacts as a DataFrame with readable categorical columns."""
        def names(codes, labels):
            return pd.Categorical.from_codes(np.where(codes >= 0, codes, -1),
                                             categories=list(labels))

        n = len(self)
        # copy=False: the columns are the records' own arrays, not a second copy of them.
        return pd.DataFrame({
            "replication": np.full(n, self.replication, dtype=np.int32),
            "contact": np.arange(n, dtype=np.int64),
            "kind": pd.Categorical.from_codes(self.kind.astype(np.int8), categories=list(KINDS)),
            "type": names(self.type, self.type_names),
            "segment": names(self.segment.astype(np.int32), self.segment_names),
            "attempt": self.attempt,
            "arrival_at": self.arrival_at,
            "answered_at": self.answered_at,
            "end_at": self.end_at,
            "wait": self.wait,
            "handle": self.handle,
            "wrap_up": self.wrap_up,
            "outcome": pd.Categorical.from_codes(self.outcome.astype(np.int64),
                                                 categories=list(OUTCOMES)),
            "group": names(self.group, self.group_names),
            "agent": names(self.agent, self.agent_names),
        }, copy=False)

    def ready(self) -> pd.DataFrame:
        """Spans agents spent waiting for an outbound connect (dialling), per agent."""
        return pd.DataFrame({
            "replication": np.full(self.ready_agent.size, self.replication, dtype=np.int32),
            "agent": pd.Categorical.from_codes(self.ready_agent,
                                               categories=list(self.agent_names)),
            "from_at": self.ready_from,
            "to_at": self.ready_to,
        })

    def agents(self) -> pd.DataFrame:
        """The agents' logged-on periods as a DataFrame."""
        return pd.DataFrame({
            "replication": np.full(self.agent_log_agent.size, self.replication, dtype=np.int32),
            "agent": pd.Categorical.from_codes(self.agent_log_agent,
                                               categories=list(self.agent_names)),
            "group": pd.Categorical.from_codes(self.agent_log_group,
                                               categories=list(self.group_names)),
            "on_at": self.agent_log_on_at,
            "off_at": self.agent_log_off_at,
        })
