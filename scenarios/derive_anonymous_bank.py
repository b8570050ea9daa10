"""Derive the "Anonymous Bank" weekday forecast from the real call log.

Source: the call-level log of an Israeli bank's call centre, January 1999 ("Anonymous Bank",
Technion SEE Center, Mandelbaum; organised by Ilan Guedj; distributed free for research with
a request to acknowledge the source), as kept in GitHub ``keguoh/hospital`` ->
``CallCenter/january.txt``.  This project's copy lives in ``../shared/data``.

What is derived (an average working day, Sunday to Thursday, the Israeli working week):

* ``calls``: calls offered to the agents per 30-minute interval, by the time the caller left
  the voice-response unit (``vru_exit``): served calls (``outcome == AGENT``) plus calls that
  hung up while queueing (``outcome == HANG`` with a queue start).  Averaged over the days.
* ``aht``: the mean service time (``ser_time``, seconds) of the served calls of that interval
  (the log records no separate wrap-up time).

It also prints the mean patience estimated from the queue (abandoned calls divided by the
total time callers spent queueing: the maximum-likelihood estimate for exponential patience
with censoring by service).

Usage::

    python scenarios/derive_anonymous_bank.py ../shared/data/anonymous_bank_1999_january.txt \
        scenarios/anonymous_bank_weekday.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

WORKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday")
OPEN_AT, CLOSE_AT = 7 * 3600, 24 * 3600  # the centre's staffed hours on working days
INTERVAL = 1800


def clock_seconds(col: pd.Series) -> np.ndarray:
    hms = col.str.strip().str.split(":", expand=True).astype(int)
    return (hms[0] * 3600 + hms[1] * 60 + hms[2]).to_numpy()


def load_log(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, sep="\t", dtype=str)
    df.columns = [c.strip() for c in df.columns]
    df["date"] = pd.to_datetime(df["date"].str.strip(), format="%y%m%d")
    df["outcome"] = df["outcome"].str.strip()
    for col in ("q_time", "ser_time"):
        df[col] = df[col].astype(int)
    df["offered_at"] = clock_seconds(df["vru_exit"])
    df["queued"] = df["q_start"].str.strip() != "0:00:00"
    return df


def derive(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    work = df[df["date"].dt.day_name().isin(WORKDAYS)]
    offered = work[(work["outcome"] == "AGENT") | ((work["outcome"] == "HANG") & work["queued"])]
    offered = offered[(offered["offered_at"] >= OPEN_AT) & (offered["offered_at"] < CLOSE_AT)]
    days = work["date"].nunique()
    slot = (offered["offered_at"] // INTERVAL) * INTERVAL
    starts = np.arange(OPEN_AT, CLOSE_AT, INTERVAL)
    calls = offered.groupby(slot).size().reindex(starts, fill_value=0) / days
    served = offered[offered["outcome"] == "AGENT"]
    aht = served.groupby(slot.loc[served.index])["ser_time"].mean().reindex(starts)
    table = pd.DataFrame({
        "interval_start": [f"{s // 3600:02d}:{s % 3600 // 60:02d}" for s in starts],
        "calls": calls.round(1).to_numpy(),
        "aht": aht.round(0).to_numpy(),
    })
    queued = offered[offered["queued"]]
    abandoned = (queued["outcome"] == "HANG").sum()
    facts = {
        "working days": days,
        "calls offered per day": round(float(calls.sum()), 1),
        "mean service time (s)": round(float(served["ser_time"].mean()), 1),
        "queued calls": len(queued),
        "abandoned in queue": int(abandoned),
        "mean patience estimate (s)": round(float(queued["q_time"].sum() / abandoned), 1),
    }
    return table, facts


def main(argv: list[str]) -> int:
    default = "../shared/data/anonymous_bank_1999_january.txt"
    src = Path(argv[1]) if len(argv) > 1 else Path(default)
    dst = Path(argv[2]) if len(argv) > 2 else Path("scenarios/anonymous_bank_weekday.csv")
    table, facts = derive(load_log(src))
    table.to_csv(dst, index=False)
    for k, v in facts.items():
        print(f"{k}: {v}")
    print(f"written: {dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
