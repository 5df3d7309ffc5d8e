"""Scandal as dated events: GovTrack's misconduct database, aggregated per incumbent as of a date.

Source: ``govtrack-misconduct/misconduct_consequences_long.csv`` (one row per recorded consequence:
ethics referrals and findings, indictments, pleas, convictions, censures, fines), keyed by bioguide id.

The as-of rule (README traps 3 and 4):
- an event is known on ``known_by``: its date; a month-only date (``2016-06``) is known at the end of
  that month, a year-only date (``2016``) at the end of that year.  Only events with
  ``known_by <= as_of`` count, so an entry recording the outcome itself or a later event can never
  reach a forecast made before it;
- consequences that describe the electoral or career outcome or later relief ("defeated in the
  primary", "did not run for reelection", "was reelected", resignations, pardons, dismissed
  indictments) are dropped outright: they are not evidence of a scandal, they are what followed it;
- House Sergeant at Arms fines (masks, metal detectors, 2021-22) are minor and dropped.

Coverage (README trap 1-2): dates are of recorded consequences, not of when a scandal became public,
and 2002-2008 is thin (the OCE began in 2009).  Fattah 2016 has nothing before his primary; Grimm's
first entry is 2014-11-26.  Absence of an event is not proof of no scandal.

Features per row as of a date: ``misconduct_n_2y`` (events in the two years before the as-of date),
``misconduct_serious_4y`` (1 if, within four years, an indictment, arrest, plea, conviction, censure,
reprimand, expulsion vote, an investigative subcommittee, or an instance tagged crime, corruption or
sexual harassment/abuse), ``misconduct_last_date`` (the latest event used).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from features.evidence.event_tables import read_event_csv, write_event_csv
from features.kernel.errors import InputError
from features.kernel.rawio import read_csv, require_columns

SOURCE = "govtrack-misconduct/misconduct_consequences_long.csv"
EVENT_COLUMNS = ["bioguide_id", "name", "date", "known_by", "date_precision", "serious", "body", "action",
                 "instance_tags", "consequence_tags", "source_row"]
COLUMNS = ["misconduct_n_2y", "misconduct_serious_4y", "misconduct_last_date"]
RECENT_DAYS, SERIOUS_DAYS = 730, 1461

_OUTCOME = re.compile(
    r"defeated|lost (?:the|his|her|a) |lost re|did not (?:run|seek)|not (?:to )?run for|retire|re-?elected|won "
    r"|resign|pardon|commut|dismissed the (?:indictment|charges against)|charges were dropped|released from prison"
    r"|reversed|overturned|vacated|acquitted|sentenced|served .* in prison|term ended|end of the member|"
    r"left (?:office|congress)|died|lost the", re.I)
_SERIOUS_ACTION = re.compile(r"indict|arrest|plead|pleaded|guilty|convict|censur|reprimand|expel|expulsion"
                             r"|investigative subcommittee|charged|criminal", re.I)
_SERIOUS_TAGS = re.compile(r"crime|corruption|sexual-harassment-abuse", re.I)
_SERIOUS_CONSEQ = re.compile(r"conviction|plea|censure|reprimand|expulsion", re.I)
_MINOR_BODIES = re.compile(r"sergeant at arms", re.I)


def _known_by(value: str, path, row: int) -> tuple[pd.Timestamp, str]:
    s = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return pd.Timestamp(s), "day"
    if re.fullmatch(r"\d{4}-\d{2}", s):
        return pd.Timestamp(s + "-01") + pd.offsets.MonthEnd(0), "month"
    if re.fullmatch(r"\d{4}", s):
        return pd.Timestamp(f"{s}-12-31"), "year"
    raise InputError(path, f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {s!r}", row=row, field="date")


def misconduct_events(raw: Path) -> pd.DataFrame:
    """Scandal events (``EVENT_COLUMNS``) from 2000 on, outcome entries and minor fines dropped."""
    path = Path(raw) / SOURCE
    df = read_csv(raw, SOURCE, required=["bioguide_id", "name", "date", "body", "action", "consequence_tags",
                                         "instance_tags"], dtype=str, keep_default_na=False)
    rows = []
    for i, r in enumerate(df.itertuples(index=False), start=1):
        if not r.date.strip() or r.date.strip()[:4] < "2000":
            continue
        if not r.bioguide_id.strip():
            raise InputError(path, "consequence without a bioguide id", row=i, field="bioguide_id")
        known_by, precision = _known_by(r.date, path, i)
        text = f"{r.action}"
        if _OUTCOME.search(text) or "resignation" in r.consequence_tags or _MINOR_BODIES.search(r.body):
            continue
        serious = bool(_SERIOUS_ACTION.search(text) or _SERIOUS_TAGS.search(r.instance_tags)
                       or _SERIOUS_CONSEQ.search(r.consequence_tags))
        rows.append({"bioguide_id": r.bioguide_id.strip(), "name": r.name, "date": r.date.strip(),
                     "known_by": known_by, "date_precision": precision, "serious": serious, "body": r.body,
                     "action": r.action, "instance_tags": r.instance_tags, "consequence_tags": r.consequence_tags,
                     "source_row": i})
    ev = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    return _typed(ev).sort_values(["bioguide_id", "known_by", "source_row"]).reset_index(drop=True)


def _typed(ev: pd.DataFrame) -> pd.DataFrame:
    ev = ev.copy()
    ev["known_by"] = pd.to_datetime(ev["known_by"]).astype("datetime64[ns]")
    ev["serious"] = ev["serious"].astype(bool)
    ev["source_row"] = pd.to_numeric(ev["source_row"]).astype(int)
    for c in ("bioguide_id", "name", "date", "date_precision", "body", "action", "instance_tags",
              "consequence_tags"):
        ev[c] = ev[c].astype("string")
    return ev[EVENT_COLUMNS]


def write_events(df: pd.DataFrame, path) -> None:
    """Write the event table (one CSV round-trip with ``read_events``)."""
    write_event_csv(df, path, EVENT_COLUMNS, date_cols=("known_by",), bool_cols=("serious",),
                    sort_by=("bioguide_id", "known_by", "source_row"))


def read_events(path) -> pd.DataFrame:
    """Read the committed event table (``data/processed/misconduct_events.csv``)."""
    ev = read_event_csv(path, EVENT_COLUMNS, "misconduct", bool_cols=("serious",))
    ev["serious"] = ev["serious"].fillna(False)
    return _typed(ev)


def aggregate_misconduct(events: pd.DataFrame, rows: pd.DataFrame, as_of) -> pd.DataFrame:
    """``COLUMNS`` for each row (``bioguide_id``) from events known on or before its as-of date.

    ``as_of`` is a Timestamp or a Series aligned with ``rows``.  Rows without events get 0 counts and
    no date (a known-by-as-of absence of recorded events).
    """
    require_columns(rows, ["bioguide_id"], "contest rows")
    when = (pd.to_datetime(as_of).reindex(rows.index) if isinstance(as_of, pd.Series)
            else pd.Series(pd.Timestamp(as_of), index=rows.index))
    by_bio = {b: g for b, g in events.groupby("bioguide_id")}
    n2 = np.zeros(len(rows))
    serious = np.zeros(len(rows))
    last = np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, (bio, w) in enumerate(zip(rows["bioguide_id"], when)):
        g = by_bio.get(bio)
        if g is None or pd.isna(w):
            continue
        known = g[g["known_by"] <= w]
        if known.empty:
            continue
        age = (w - known["known_by"]).dt.days
        recent = known[age <= RECENT_DAYS]
        n2[i] = len(recent)
        serious[i] = float((known["serious"] & (age <= SERIOUS_DAYS)).any())
        used = known[(age <= SERIOUS_DAYS)]
        if len(used):
            last[i] = used["known_by"].max().to_datetime64()
    out = pd.DataFrame({"misconduct_n_2y": n2, "misconduct_serious_4y": serious,
                        "misconduct_last_date": last}, index=rows.index)
    out["misconduct_last_date"] = out["misconduct_last_date"].astype("datetime64[ns]")
    return out
