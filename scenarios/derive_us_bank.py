"""Derive the US bank weekday forecast and scenario from its 5-minute counts of calls handled.

Source: 5-minute counts of calls handled by a large North American commercial bank, weekdays
07:00-21:05, 3 March to 24 October 2003 (164 days): the ``calls`` data of the R package fpp2
(R. Hyndman; GPL-3), used in De Livera, Hyndman & Snyder (2011, JASA 106:1513-1527), as kept
in GitHub ``vincentarelbundock/Rdatasets`` -> ``csv/fpp2/calls.csv``.  This project's copy,
reshaped to ``date,interval_5min,start_time,calls``, lives in ``../shared/data``.

What is derived (an average weekday, Monday to Friday):

* ``calls``: calls handled per 30-minute interval, 07:00-21:00: the six 5-minute bins of each
  half hour summed (bins 1..168; bin 169, 21:00-21:05, lies past the day and is left out),
  averaged over the weekdays.  Calls handled stand in for calls offered: the data counts no
  abandoned calls.
* ``aht``: 240 seconds in every interval, an ASSUMPTION: the data has no handle times.

From the same day it writes ``us_bank_weekday.toml``: one queue of those calls, handle times
exponential with mean 240 s, no patience (nobody hangs up: the Erlang C world), and one group
"agents" whose head count in each half hour is that half hour's Erlang C requirement for
80/20 on its own (SIPP, ``time_varying_staffing(..., method="sipp")``).

Usage::

    python scenarios/derive_us_bank.py [--data ../shared/data/us_bank_2003_5min_calls_handled.csv]
        [--out scenarios]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "us_bank_2003_5min_calls_handled.csv"
OPEN_AT, CLOSE_AT = 7 * 3600, 21 * 3600
INTERVAL = 1800
BINS = 6  # 5-minute bins in a half hour
AHT = 240.0  # seconds: assumed, the data has no handle times
TARGET_SL, TARGET_TIME = 0.8, 20.0
FORECAST_NAME, SCENARIO_NAME = "us_bank_weekday.csv", "us_bank_weekday.toml"


def load_counts(path: Path) -> pd.DataFrame:
    """The 5-minute counts, with ``date`` parsed."""
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


def derive(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The average weekday's forecast (``interval_start, calls, aht``) and a few facts."""
    work = df[df["date"].dt.day_of_week < 5]
    days = work["date"].nunique()
    slots = (CLOSE_AT - OPEN_AT) // INTERVAL
    inside = work[work["interval_5min"] <= slots * BINS]
    half_hour = (inside["interval_5min"] - 1) // BINS
    calls = inside.groupby(half_hour)["calls"].sum().reindex(range(slots), fill_value=0) / days
    starts = np.arange(OPEN_AT, CLOSE_AT, INTERVAL)
    table = pd.DataFrame({
        "interval_start": [f"{s // 3600:02d}:{s % 3600 // 60:02d}" for s in starts],
        "calls": calls.round(1).to_numpy(),
        "aht": np.full(slots, AHT),
    })
    facts = {"weekdays": days, "first day": work["date"].min().date().isoformat(),
             "last day": work["date"].max().date().isoformat(),
             "calls handled per day (07:00-21:00)": round(float(calls.sum()), 1),
             "calls left out (21:00-21:05), all days": int(
                 work.loc[work["interval_5min"] > slots * BINS, "calls"].sum())}
    return table, facts


def weekday_scenario(table: pd.DataFrame, days: int):
    """The weekday as one Erlang C queue, staffed per half hour by SIPP for 80/20."""
    import blendsim as bs
    from blendsim.analytic.timevarying import time_varying_staffing

    need = time_varying_staffing(table, interval=INTERVAL, method="sipp",
                                 target_sl=TARGET_SL, target_time=TARGET_TIME)
    return bs.Scenario(
        name="US bank, a weekday",
        description=(
            "A large North American commercial bank's call centre on an average weekday "
            f"(Monday-Friday) of 3 March - 24 October 2003 ({days} weekdays; 5-minute counts "
            "of calls handled, the calls data of R package fpp2 by R. Hyndman), summed into "
            "half hours 07:00-21:00. Assumptions: calls handled stand in for calls offered; "
            f"handle times exponential with mean {AHT:.0f} s (the data has no handle times); "
            "no abandonment (Erlang C). Head count: each half hour's own Erlang C requirement "
            "for 80% answered within 20 seconds (SIPP)."),
        day=bs.Day(open_at=OPEN_AT, close_at=CLOSE_AT, interval=INTERVAL),
        service_target=bs.ServiceTarget(level=TARGET_SL, seconds=TARGET_TIME),
        inbound=[bs.InboundType(name="calls", volume=table["calls"].tolist(),
                                handle_time=bs.Exponential(mean=AHT))],
        groups=[bs.AgentGroup(name="agents", skills=["calls"],
                              headcount=[int(n) for n in need["agents"]])],
    )


def write(data: Path, out: Path) -> tuple[Path, Path, dict]:
    """Derive from ``data`` and write the forecast and the scenario into the folder ``out``."""
    import blendsim as bs

    table, facts = derive(load_counts(data))
    forecast, scenario = out / FORECAST_NAME, out / SCENARIO_NAME
    table.to_csv(forecast, index=False)
    bs.dump_scenario(weekday_scenario(table, facts["weekdays"]), scenario)
    return forecast, scenario, facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the 5-minute counts CSV (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder to write the forecast and scenario to "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"derive_us_bank: data file not found: {args.data} (give its path with --data)",
              file=sys.stderr)
        return 1
    if not args.out.is_dir():
        print(f"derive_us_bank: --out must be an existing folder (got {args.out})",
              file=sys.stderr)
        return 1
    forecast, scenario, facts = write(args.data, args.out)
    for k, v in facts.items():
        print(f"{k}: {v}")
    print(f"written: {forecast}")
    print(f"written: {scenario}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
