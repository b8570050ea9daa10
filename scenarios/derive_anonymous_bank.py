"""Derive the "Anonymous Bank" forecast and scenarios from the real call log.

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

From the same days it writes two scenario files:

* ``anonymous_bank_day.toml``: the bank's working day as one queue: the calls above, a
  lognormal service time with the log's mean and coefficient of variation, exponential
  patience with the estimated mean, and the head count the log shows (the mean number of
  distinct agents who served a call in each half hour) times an availability factor
  calibrated so that the simulated day abandons as many calls as the log (the log does not
  say how much of each half hour the agents spent on the phones);
* ``two_skill_centre.toml``: the two biggest call types, regular customers (``PS``) and
  prospects (``NW``), each with its own volume, service time and patience from the log,
  answered by a team each and a shared pool of generalists working shifts (prospects reach the
  pool at once, regular customers after 20 seconds in queue).  Each team's head count is
  its type's Erlang A requirement (80/20) less the type's share, by workload, of the pool
  agents on duty; a planning example, not the bank's roster.

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


def _offered(df: pd.DataFrame) -> pd.DataFrame:
    work = df[df["date"].dt.day_name().isin(WORKDAYS)]
    offered = work[(work["outcome"] == "AGENT") | ((work["outcome"] == "HANG") & work["queued"])]
    return offered[(offered["offered_at"] >= OPEN_AT) & (offered["offered_at"] < CLOSE_AT)]


def _profile(offered: pd.DataFrame, days: int) -> dict:
    """Calls per interval, service-time mean and CV, and patience of some offered calls."""
    starts = np.arange(OPEN_AT, CLOSE_AT, INTERVAL)
    slot = (offered["offered_at"] // INTERVAL) * INTERVAL
    calls = offered.groupby(slot).size().reindex(starts, fill_value=0) / days
    service = offered.loc[offered["outcome"] == "AGENT", "ser_time"]
    queued = offered[offered["queued"]]
    abandoned = int((queued["outcome"] == "HANG").sum())
    return {"volume": [round(float(x), 1) for x in calls],
            "mean": round(float(service.mean()), 0),
            "cv": round(float(service.std() / service.mean()), 2),
            "patience": round(float(queued["q_time"].sum() / abandoned), 0)}


def log_figures(df: pd.DataFrame) -> dict:
    """What the log itself says about the offered calls of a working day (07:00-24:00)."""
    offered = _offered(df)
    served = offered["outcome"] == "AGENT"
    return {"abandon_rate": float((~served).mean()),
            "service_level": float((served & (offered["q_time"] <= 20)).mean()),
            "asa": float(offered.loc[served, "q_time"].mean())}


def bank_day(df: pd.DataFrame, *, calibrate: bool = True):
    """The bank's working day as one queue, staffed as the log shows.

    The log shows which agents served calls in each half hour, not how much of that half hour
    they were on the phones (they also did other work), so the head count is the mean number
    of distinct agents seen serving, times an availability factor chosen so that the
    simulated day loses as many callers as the log did.
    """
    import blendsim as bs

    work = df[df["date"].dt.day_name().isin(WORKDAYS)]
    days = work["date"].nunique()
    p = _profile(_offered(df), days)
    served = work[work["outcome"] == "AGENT"]
    start = clock_seconds(served["ser_start"])
    slot = (start // INTERVAL) * INTERVAL
    agents = served.assign(slot=slot).groupby(["date", "slot"])["server"].nunique()
    per_slot = agents.groupby("slot").sum() / days
    seen = np.array([float(per_slot.get(t, 0.0)) for t in range(OPEN_AT, CLOSE_AT, INTERVAL)])

    def scenario(availability: float):
        headcount = np.maximum(1, np.round(seen * availability)).astype(int).tolist()
        return bs.Scenario(
            name="Anonymous Bank, a working day",
            description=(
                "An Israeli bank's call centre on an average working day of January 1999 "
                "(Technion SEE Center's Anonymous Bank log): calls, service times and patience "
                "from the log. Head count: the mean number of distinct agents seen serving "
                f"calls in each half hour times {availability:.2f}, the share of their time "
                "on the phones that makes the simulated day lose as many callers as the log "
                "did."),
            day=bs.Day(open_at=OPEN_AT, close_at=CLOSE_AT, interval=INTERVAL),
            inbound=[bs.InboundType(name="calls", volume=p["volume"],
                                    handle_time=bs.Lognormal(mean=p["mean"], cv=p["cv"]),
                                    patience=bs.Exponential(mean=p["patience"]))],
            groups=[bs.AgentGroup(name="agents", skills=["calls"], headcount=headcount)],
        )

    if not calibrate:
        return scenario(1.0)
    goal = log_figures(df)["abandon_rate"]
    best = min((abs(bs.simulate(scenario(f), replications=10, seed=1).summary().loc[
        "abandon_rate", "mean"] - goal), f) for f in np.arange(0.50, 1.001, 0.02))
    return scenario(round(float(best[1]), 2))


def two_skill_centre(df: pd.DataFrame):
    """Regular customers and prospects: a team each and a shared pool on shifts."""
    import blendsim as bs

    work = df[df["date"].dt.day_name().isin(WORKDAYS)]
    days = work["date"].nunique()
    offered = _offered(df)
    types = {"regular": _profile(offered[offered["type"].str.strip() == "PS"], days),
             "prospects": _profile(offered[offered["type"].str.strip() == "NW"], days)}
    starts = [f"{t // 3600:02d}:{t % 3600 // 60:02d}" for t in range(OPEN_AT, CLOSE_AT,
                                                                      INTERVAL)]
    pool_shifts = [bs.Shift(start_at=8 * 3600, end_at=16 * 3600, count=2),
                   bs.Shift(start_at=14 * 3600, end_at=22 * 3600, count=2)]
    pool_on = np.zeros(len(starts))
    for sh in pool_shifts:
        on = (np.arange(OPEN_AT, CLOSE_AT, INTERVAL) >= sh.start_at) & (
            np.arange(OPEN_AT, CLOSE_AT, INTERVAL) < sh.end_at)
        pool_on += on * sh.count
    load = {name: np.asarray(p["volume"]) * p["mean"] for name, p in types.items()}
    total = sum(load.values())
    heads = {}
    for name, p in types.items():
        need = bs.staffing_table({"interval_start": starts, "calls": p["volume"],
                                  "aht": [p["mean"]] * len(starts)},
                                 interval=INTERVAL, target_sl=0.8, target_time=20,
                                 model="erlang_a", patience=p["patience"], min_agents=1)
        # The pool stands in for the type's share (by workload) of the pool agents on duty.
        share = np.where(total > 0, load[name] / np.maximum(total, 1e-9), 0.5)
        heads[name] = [max(1, int(n - round(float(on * sh)))) for n, on, sh in
                       zip(need["agents"], pool_on, share, strict=True)]
    return bs.Scenario(
        name="Two skills and a shared pool",
        description=("Regular customers (type PS) and prospects (type NW) of the Anonymous "
                     "Bank's working day, each with its volume, service time and patience "
                     "from the 1999 log; a team per type staffed from Erlang A, and a pool "
                     "of generalists on two shifts who take prospects at once and regular "
                     "customers after 20 seconds."),
        day=bs.Day(open_at=OPEN_AT, close_at=CLOSE_AT, interval=INTERVAL),
        inbound=[
            bs.InboundType(name="regular", volume=types["regular"]["volume"],
                           handle_time=bs.Lognormal(mean=types["regular"]["mean"],
                                                    cv=types["regular"]["cv"]),
                           patience=bs.Exponential(mean=types["regular"]["patience"]),
                           groups=["regular team", "pool"], overflow_after=[0, 20]),
            bs.InboundType(name="prospects", volume=types["prospects"]["volume"],
                           handle_time=bs.Lognormal(mean=types["prospects"]["mean"],
                                                    cv=types["prospects"]["cv"]),
                           patience=bs.Exponential(mean=types["prospects"]["patience"]),
                           priority=1, groups=["prospects team", "pool"],
                           overflow_after=[0, 0]),
        ],
        groups=[
            bs.AgentGroup(name="regular team", skills=["regular"], headcount=heads["regular"]),
            bs.AgentGroup(name="prospects team", skills=["prospects"],
                          headcount=heads["prospects"]),
            bs.AgentGroup(name="pool", skills=["prospects", "regular"], shifts=pool_shifts),
        ],
    )


def _planned_bank(df: pd.DataFrame, *, name: str, description: str, blended: int,
                  blending: list, hours: tuple[float, float]):
    """The bank's working day on a planned roster, with a blended team and a campaign.

    The roster covers the Erlang A requirement (80/20, the log's patience) of each half hour
    in two-hour blocks, as shifts do, which leaves spare capacity in the troughs; during
    ``hours`` ``blended`` of those agents also make proactive service calls.
    """
    import blendsim as bs

    work = df[df["date"].dt.day_name().isin(WORKDAYS)]
    p = _profile(_offered(df), work["date"].nunique())
    starts = np.arange(OPEN_AT, CLOSE_AT, INTERVAL)
    labels = [f"{t // 3600:02d}:{t % 3600 // 60:02d}" for t in starts]
    need = bs.staffing_table({"interval_start": labels, "calls": p["volume"],
                              "aht": [p["mean"]] * len(starts)},
                             interval=INTERVAL, target_sl=0.8, target_time=20,
                             model="erlang_a", patience=p["patience"], min_agents=1)
    need = need["agents"].to_numpy()
    block = 4  # two hours of half hours
    roster = np.array([need[(i // block) * block:(i // block + 1) * block].max()
                       for i in range(len(need))])
    on = (starts >= hours[0]) & (starts < hours[1])
    team = np.where(on, np.minimum(blended, roster), 0)
    return bs.Scenario(
        name=name, description=description,
        day=bs.Day(open_at=OPEN_AT, close_at=CLOSE_AT, interval=INTERVAL),
        inbound=[bs.InboundType(name="calls", volume=p["volume"],
                                handle_time=bs.Lognormal(mean=p["mean"], cv=p["cv"]),
                                patience=bs.Exponential(mean=p["patience"]))],
        groups=[bs.AgentGroup(name="inbound team", skills=["calls"],
                              headcount=(roster - team).tolist()),
                bs.AgentGroup(name="blended team", skills=["calls"],
                              outbound=["service calls"], headcount=team.tolist())],
        outbound=[bs.OutboundCampaign(
            name="service calls", list_size=300, windows=[(hours[0], hours[1])],
            connect_probability=0.35, attempt_time=bs.Deterministic(value=25.0),
            connect_time=bs.Deterministic(value=8.0),
            talk_time=bs.Lognormal(mean=300.0, cv=0.6), wrap_up=bs.Deterministic(value=60.0),
            max_attempts=3, retry_after=7200.0,
            segments=[bs.Segment(name="card renewals", share=0.7),
                      bs.Segment(name="mortgage follow-ups", share=0.3)])],
        blending=blending,
    )


_CAMPAIGN_WORDS = (
    "Proactive service calls (card renewals, mortgage follow-ups) to a list of 300 customers "
    "a day: 35% right-party connects, 25 s lost on a failed attempt, 8 s of ringing on a "
    "connect, conversations of 5 minutes (lognormal, CV 0.6) and 1 minute of wrap-up, up to "
    "3 attempts 2 hours apart, progressive dialling.")


def bank_blended(df: pd.DataFrame):
    """The main example: six agents blend from 10:00 to 17:00, keeping a reserve of two."""
    import blendsim as bs

    return _planned_bank(
        df, name="Anonymous Bank, blended", blended=6, hours=(10 * 3600.0, 17 * 3600.0),
        blending=[bs.Threshold(reserve=2)],
        description=("The Anonymous Bank's working day (calls, service times and patience "
                     "from its 1999 log) on a planned roster that meets 80/20 in two-hour "
                     "blocks. From 10:00 to 17:00 six of its agents also call customers "
                     "while at least two agents stay idle for inbound. " + _CAMPAIGN_WORDS))


def pilot_pair(df: pd.DataFrame):
    """The executive's question: the day as it is, and with a handful of agents blended."""
    import blendsim as bs

    common = "The Anonymous Bank's working day on a planned roster that meets 80/20. "
    baseline = _planned_bank(
        df, name="Pilot: baseline", blended=4, hours=(10 * 3600.0, 16 * 3600.0),
        blending=[bs.Dedicated()],
        description=common + "Baseline: the four pilot agents answer inbound calls only.")
    pilot = _planned_bank(
        df, name="Pilot: four agents blended", blended=4, hours=(10 * 3600.0, 16 * 3600.0),
        blending=[bs.Threshold(reserve=2)],
        description=common + "Pilot: from 10:00 to 16:00 four agents also call customers "
        "while at least two agents stay idle for inbound. " + _CAMPAIGN_WORDS)
    return baseline, pilot


def main(argv: list[str]) -> int:
    default = "../shared/data/anonymous_bank_1999_january.txt"
    src = Path(argv[1]) if len(argv) > 1 else Path(default)
    dst = Path(argv[2]) if len(argv) > 2 else Path("scenarios/anonymous_bank_weekday.csv")
    df = load_log(src)
    table, facts = derive(df)
    table.to_csv(dst, index=False)
    for k, v in {**facts, **{f"log {k}": round(v, 4) for k, v in log_figures(df).items()}
                 }.items():
        print(f"{k}: {v}")
    print(f"written: {dst}")
    import blendsim as bs

    baseline, pilot = pilot_pair(df)
    for name, sc in (("anonymous_bank_day.toml", bank_day(df)),
                     ("two_skill_centre.toml", two_skill_centre(df)),
                     ("bank_blended.toml", bank_blended(df)),
                     ("pilot_baseline.toml", baseline), ("pilot_blended.toml", pilot)):
        path = dst.parent / name
        bs.dump_scenario(sc, path)
        print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
