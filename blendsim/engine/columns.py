"""The day's :class:`~blendsim.metrics.records.Records`, built from a finished ACD's arrays.

Inbound contacts come first (in arrival order), then the dialler's call attempts (in dialling
order); the arrays share memory with the engine's own where they can (no copies: a day of a
million contacts must fit comfortably in memory).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from blendsim.engine.dialler import ROW_FIELDS
from blendsim.metrics.records import Outcome, Records

if TYPE_CHECKING:
    from blendsim.engine.acd import ACD
    from blendsim.engine.dialler import Dialler

__all__ = ["day_records"]

SERVED, ABANDONED = int(Outcome.SERVED), int(Outcome.ABANDONED)
BLOCKED, BALKED, MISMATCH = int(Outcome.BLOCKED), int(Outcome.BALKED), int(Outcome.MISMATCH)


def day_records(acd: ACD, replication: int) -> Records:
    """The contacts and the agents' logged periods of a finished run, as columnar records."""
    src = acd.inbound
    arrival = np.frombuffer(src.arrival_at, dtype=float)
    answered = np.frombuffer(src.answered_at, dtype=float)
    end = np.frombuffer(src.end_at, dtype=float)
    outcome = np.frombuffer(src.outcome, dtype=np.uint8)
    agent = np.frombuffer(src.agent_of, dtype=np.int32)
    served = outcome == SERVED
    wait = answered - arrival  # NaN where not answered
    gave_up = outcome == ABANDONED
    wait[gave_up] = end[gave_up] - arrival[gave_up]
    wait[(outcome == BLOCKED) | (outcome == BALKED)] = 0.0
    handle = np.frombuffer(src.handle, dtype=float)
    handle = np.where(served, handle, np.nan)
    wrap = np.where(served, np.frombuffer(src.wrap_up, dtype=float), np.nan)
    groups = np.asarray([*acd.agent_group, -1], dtype=np.int32)
    n = arrival.size
    cols = {"arrival_at": arrival, "type": np.frombuffer(src.contact_type, dtype=np.int32),
            "answered_at": answered, "end_at": end, "wait": wait, "handle": handle,
            "wrap_up": wrap, "outcome": outcome, "agent": agent,
            "kind": np.zeros(n, np.uint8), "segment": np.full(n, -1, np.int16),
            "attempt": np.zeros(n, np.int16)}
    segment_names: list[str] = []
    ready = np.zeros((0, 3))
    scenario = acd.scenario
    if acd.dialler is not None:
        out, segment_names = _outbound_columns(acd.dialler, len(scenario.inbound))
        cols = {k: np.concatenate([v, out[k]]) for k, v in cols.items()}
        ready = np.array(acd.dialler.ready_log, dtype=float).reshape(-1, 3)
    log = np.array(acd.log, dtype=float).reshape(-1, 3)
    log_agent = log[:, 0].astype(np.int32)
    return Records(
        replication=replication,
        type_names=tuple(t.name for t in scenario.inbound)
        + tuple(c.name for c in scenario.outbound),
        group_names=tuple(g.name for g in scenario.groups),
        agent_names=tuple(acd.agent_names), segment_names=tuple(segment_names),
        group=groups[cols["agent"]],  # agent -1 (nobody) picks the trailing -1
        **cols,
        agent_log_agent=log_agent, agent_log_on_at=log[:, 1], agent_log_off_at=log[:, 2],
        agent_log_group=groups[log_agent] if len(log) else np.zeros(0, np.int32),
        ready_agent=ready[:, 0].astype(np.int32), ready_from=ready[:, 1],
        ready_to=ready[:, 2],
    )


def _outbound_columns(d: Dialler, n_in: int) -> tuple[dict, list[str]]:
    """The dialler's attempts as record columns (one row per call attempt)."""
    rows = d.rows
    names: list[str] = []
    code = {}
    for run in d.runs:
        for s in run.segments:
            if s.name not in code:
                code[s.name] = len(names)
                names.append(s.name)
    seg_code = [[code[s.name] for s in run.segments] for run in d.runs]
    if not rows:
        empty = np.zeros(0)
        return ({"arrival_at": empty, "type": np.zeros(0, np.int32), "answered_at": empty,
                 "end_at": empty, "wait": empty, "handle": empty, "wrap_up": empty,
                 "outcome": np.zeros(0, np.uint8), "agent": np.zeros(0, np.int32),
                 "kind": np.zeros(0, np.uint8), "segment": np.zeros(0, np.int16),
                 "attempt": np.zeros(0, np.int16)}, names)
    col = dict(zip(ROW_FIELDS, (np.asarray(c) for c in zip(*rows, strict=True)), strict=True))
    k, s = col["campaign"], col["segment"]
    outcome = col["outcome"].astype(np.uint8)
    served = outcome == SERVED
    mismatch = outcome == MISMATCH
    connect, answered = col["connect_at"], col["answered_at"]
    wait = np.where(served, answered - connect, np.nan)
    wait[mismatch] = (col["give_up_at"] - connect)[mismatch]
    return ({"arrival_at": col["dial_at"].astype(float), "type": (n_in + k).astype(np.int32),
             "answered_at": answered.astype(float), "end_at": col["end_at"].astype(float),
             "wait": wait, "handle": np.where(served, col["talk"], np.nan),
             "wrap_up": np.where(served, col["wrap"], np.nan), "outcome": outcome,
             "agent": col["agent"].astype(np.int32), "kind": np.ones(len(rows), np.uint8),
             "segment": np.array([seg_code[a][b] for a, b in zip(k, s, strict=True)],
                                 dtype=np.int16),
             "attempt": col["attempt"].astype(np.int16)}, names)
