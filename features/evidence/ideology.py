"""Roll-call ideology of each incumbent in the Congress before the primary (Voteview Nokken-Poole).

Source: ``voteview-house-members/H1xx_members.csv`` (107th-119th Congress).  Only
``nokken_poole_dim1`` is read: a per-Congress score.  ``nominate_dim1`` is career-constant
(estimated from every vote up to the download, 2026) and would leak later votes into old cycles.

The as-of rule: the score of the Congress *sitting during* the primary (the 117th for 2022) includes
votes cast after the primary (a lame-duck member's too), so only the previous, completed Congress is
used (the 116th for 2022), dated the day it ended (``ideology_date``: 3 January of the year before the
cycle).  A member new to the House (no House row in the previous Congress) gets no value.

Features (party-directed, so both parties read the same way; D scores are sign-flipped):
- ``np_dim1_prev``: the member's score towards their party's side (positive = further from the other party).
- ``np_party_median_prev``: the party's median in that Congress (50 states, delegates dropped).
- ``np_extremity``: ``np_dim1_prev`` minus the party median; negative = more moderate than the
  median (Gilchrest 2008: -0.29; Schrader 2022: -0.25), positive = further out.
- ``np_moderate_pct``: the member's within-party rank from the most moderate (0) to the most
  extreme (1).
- ``np_cross_party``: 1 when the member sits closer to the other party's median than to their own.

Traps handled (README): the ``President`` rows are dropped; party switchers have a second row
(new icpsr) in the same Congress -- the row with the incumbent's party on the primary day is used,
else the last one.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.constants import STATES, congress_for_cycle
from features.kernel.errors import InputError
from features.kernel.rawio import read_csv, require_columns

FOLDER = "voteview-house-members"
FIRST_CONGRESS, LAST_CONGRESS = 107, 119
PARTY_CODES = {100: "D", 200: "R"}
COLUMNS = ["np_dim1_prev", "np_party_median_prev", "np_extremity", "np_moderate_pct", "np_cross_party",
           "ideology_congress", "ideology_date"]
_NEEDED = ["congress", "chamber", "bioguide_id", "state_abbrev", "party_code", "nokken_poole_dim1"]


def congress_end(congress: int) -> pd.Timestamp:
    """The day a Congress ends (3 January after its second year): the 116th -> 2021-01-03."""
    return pd.Timestamp(year=1789 + 2 * congress, month=1, day=3)


def members(raw: Path, congress: int) -> pd.DataFrame:
    """House members of one Congress (50 states): bioguide_id, party (D/R/other), np (party-directed)."""
    return _members(str(raw), congress).copy()


@lru_cache(maxsize=16)
def _members(raw_str: str, congress: int) -> pd.DataFrame:
    rel = f"{FOLDER}/H{congress}_members.csv"
    df = read_csv(Path(raw_str), rel, required=_NEEDED)
    path = Path(raw_str) / rel
    df = df[df["chamber"] == "House"].copy()
    df = df[df["state_abbrev"].isin(list(STATES))]
    if df["bioguide_id"].isna().any():
        i = int(np.flatnonzero(df["bioguide_id"].isna().to_numpy())[0])
        raise InputError(path, "House row without a bioguide id", row=int(df.index[i]) + 1, field="bioguide_id")
    score = pd.to_numeric(df["nokken_poole_dim1"], errors="coerce")
    df["party"] = df["party_code"].map(PARTY_CODES).fillna("other")
    df["np_raw"] = score
    df["np"] = np.where(df["party"] == "D", -score, score)     # towards the party's own side
    df["row"] = np.arange(len(df))
    return df[["congress", "bioguide_id", "party", "np_raw", "np", "row"]].reset_index(drop=True)


def party_scores(raw: Path, congress: int) -> pd.DataFrame:
    """Per (bioguide, party) in a Congress: np, party median, extremity, moderation rank, cross-party."""
    m = members(raw, congress)
    m = m[m["party"].isin(["D", "R"])].dropna(subset=["np"])
    med = m.groupby("party")["np"].median()
    m = m.drop_duplicates(["bioguide_id", "party"], keep="last").copy()
    m["np_party_median_prev"] = m["party"].map(med)
    m["np_extremity"] = m["np"] - m["np_party_median_prev"]
    m["np_moderate_pct"] = m.groupby("party")["np"].rank(pct=True, method="average")
    # distance to the other party's median, on the raw (left-right) scale
    raw_med = {p: (-v if p == "D" else v) for p, v in med.items()}
    own = m["party"].map(raw_med)
    other = m["party"].map({"D": raw_med.get("R"), "R": raw_med.get("D")})
    m["np_cross_party"] = ((m["np_raw"] - other).abs() < (m["np_raw"] - own).abs()).astype(float)
    return m.rename(columns={"np": "np_dim1_prev"})


def ideology_features(raw: Path, rows: pd.DataFrame) -> pd.DataFrame:
    """Ideology columns (``COLUMNS``) for contest rows with ``cycle``, ``party`` and ``bioguide_id``.

    Returns a frame on ``rows.index``; NaN where the member had no House row (or too few votes) in
    the Congress before the primary's, or that Congress is outside the files (2002 needs the 106th).
    """
    require_columns(rows, ["cycle", "party", "bioguide_id"], "contest rows")
    out = pd.DataFrame(index=rows.index, columns=COLUMNS, dtype=float)
    out["ideology_congress"] = pd.array([pd.NA] * len(rows), dtype="Int64")
    out["ideology_date"] = pd.NaT
    for cycle, idx in rows.groupby("cycle").groups.items():
        prev = congress_for_cycle(int(cycle)) - 1
        if not FIRST_CONGRESS <= prev <= LAST_CONGRESS:
            continue
        scores = party_scores(raw, prev)
        any_party = scores.sort_values("row").drop_duplicates("bioguide_id", keep="last")
        sub = rows.loc[idx, ["bioguide_id", "party"]]
        exact = sub.merge(scores, on=["bioguide_id", "party"], how="left").set_index(sub.index)
        fallback = sub[["bioguide_id"]].merge(any_party, on="bioguide_id", how="left").set_index(sub.index)
        for col in COLUMNS[:5]:
            out.loc[idx, col] = exact[col].fillna(fallback[col]).to_numpy(dtype=float)
        has = out.loc[idx, "np_dim1_prev"].notna()
        out.loc[has[has].index, "ideology_congress"] = prev
        out.loc[has[has].index, "ideology_date"] = congress_end(prev)
    out["ideology_date"] = pd.to_datetime(out["ideology_date"]).astype("datetime64[ns]")
    return out
