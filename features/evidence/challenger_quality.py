"""Challenger quality: is someone in the incumbent's primary field a former member of Congress, or a
(former) state legislator / statewide official / big-city mayor?

The field is what a forecaster knows once the filing deadline has passed: the ballot, not the vote.
``top_challenger`` (the best vote-getter) is never read -- it is chosen by the outcome.
- 2002-2020: every candidate on the incumbent's party primary ballot (FEC results workbooks / fec20;
  every candidate in top-two and Louisiana all-party primaries); 2022: every candidate in 538's
  primary project; 2024: FEC pre-primary snapshot filers in the district and party with receipts
  over $5,000 and coverage ending before the primary (the curated 2024 file names only the top
  challenger); 2026: the live FEC field (``challengers``).

Experience, dated so that only service *before the primary* counts:
- ``chal_former_member``: the challenger sat in the House in a Congress that had ended before the
  primary (Voteview member files, 107th Congress on: service before 2001 is not seen), same state;
  sitting members (member-vs-member primaries) are the ``incumbent_vs_incumbent`` feature instead.
- ``chal_state_office``: a same-state Open States person with a matching name held a legislative,
  statewide or mayoral role that started before the primary.  Open States starts about 2009-2013
  (README trap a), so the flag is NA before 2012 (unknown, not "no").  City councils, county offices
  and prosecutors are not covered (Bowman, Bush, Ocasio-Cortez, Bell come out 0).
- ``chal_quality_date``: the date the field is known (the filing deadline, else 90 days before the
  primary): ``features.view.asof`` blanks the group before it.

Names are matched with ``features.kernel.names.names_match`` at ``MATCH_MIN`` (same surname and a
compatible given name); homonyms in the same state remain possible.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from features.evidence.ideology import FIRST_CONGRESS, congress_end
from features.kernel.constants import STATES, congress_for_cycle, louisiana_jungle, top_two_rule
from features.kernel.names import names_match, parse_name
from features.kernel.rawio import read_csv, require_columns

OPENSTATES = "openstates-people-roles/openstates_people_roles.csv"
OPENSTATES_FROM = 2012
MATCH_MIN = 0.85
FIELD_MIN_RECEIPTS = 5_000.0
COLUMNS = ["chal_former_member", "chal_state_office", "chal_quality_names", "chal_quality_date"]


def _surname(name) -> str:
    last = parse_name(name).last
    return last.split()[-1] if last else ""


# ---- the field -------------------------------------------------------------------------------------
def field_names(raw: Path, rows: pd.DataFrame) -> pd.Series:
    """Same-party (all-party in top-two / jungle primaries) challenger names per row, a list each."""
    out = pd.Series([[] for _ in range(len(rows))], index=rows.index, dtype=object)
    for cycle, idx in rows.groupby("cycle").groups.items():
        cycle = int(cycle)
        sub = rows.loc[idx]
        pool = _ballot(raw, cycle, sub)
        for i, r in sub.iterrows():
            all_party = bool(top_two_rule(r["state"], cycle)) or louisiana_jungle(r["state"], cycle)
            cands = pool.get((r["state"], int(r["district"])), [])
            names = [n for n, p in cands if (all_party or p == r["party"])
                     and names_match(n, r["incumbent"]) < MATCH_MIN
                     and not (isinstance(r.get("incumbent_source_name"), str)
                              and names_match(n, r["incumbent_source_name"]) >= MATCH_MIN)]
            out.at[i] = list(dict.fromkeys(names))
    return out


def _ballot(raw: Path, cycle: int, rows: pd.DataFrame) -> dict[tuple[str, int], list[tuple[str, str]]]:
    pool: dict[tuple[str, int], list[tuple[str, str]]] = {}
    if cycle <= 2020:
        from features.contests.results_fec import load_fec_candidates
        c = load_fec_candidates(raw, cycle)
        on_ballot = c["primary_votes"].notna() | c["primary_unopposed"].astype(bool)
        for r in c[on_ballot & ~c["incumbent_flag"].astype(bool)].itertuples():
            pool.setdefault((r.state, int(r.district)), []).append((r.name, r.party))
    elif cycle == 2022:
        from features.contests.results_538_2022 import read_538_2022
        c = read_538_2022(raw)
        for r in c[~c["is_inc"].astype(bool)].itertuples():
            pool.setdefault((r.state, int(r.district)), []).append((r.candidate, r.party))
    elif cycle == 2024:
        from features.evidence.money import candidate_money
        m = candidate_money(raw, 2024, "preprimary")
        m = m[(m["receipts"] > FIELD_MIN_RECEIPTS) & m["inactive"].isna() & m["district"].notna()
              & (m["ici"] != "I").fillna(True) & ~m["fec_id"].isin(set(rows["fec_id"].dropna()))]
        first = pd.to_datetime(rows.groupby("state")["primary_date"].min())
        m = m[m["cvg_end"].notna() & (m["cvg_end"] < m["state"].map(first))]
        for r in m.itertuples():
            pool.setdefault((r.state, int(r.district)), []).append((r.name, r.party))
    else:       # the live cycle: the FEC field the roster kept (features.contests.roster_2026)
        for r in rows.itertuples():
            for col in ("challengers", "challengers_other_party"):
                cell = getattr(r, col, None)
                for n in (cell.split(";") if isinstance(cell, str) else []):
                    party = col_party(n) or r.party
                    pool.setdefault((r.state, int(r.district)), []).append((n.rsplit(" (", 1)[0], party))
    return pool


def col_party(name: str) -> str | None:
    """'Name (R)' in ``challengers_other_party`` -> 'R'; plain names -> None."""
    if name.endswith(")") and " (" in name:
        return name.rsplit(" (", 1)[1][:-1]
    return None


# ---- experience ------------------------------------------------------------------------------------
@lru_cache(maxsize=2)
def _former_members(raw_str: str) -> pd.DataFrame:
    from features.evidence.ideology import LAST_CONGRESS
    parts = []
    for congress in range(FIRST_CONGRESS, LAST_CONGRESS + 1):
        path = Path(raw_str) / f"voteview-house-members/H{congress}_members.csv"
        df = pd.read_csv(path, usecols=["chamber", "state_abbrev", "bioname", "bioguide_id"])
        df = df[(df["chamber"] == "House") & df["state_abbrev"].isin(list(STATES))]
        parts.append(df.assign(congress=congress, ended=congress_end(congress)))
    out = pd.concat(parts, ignore_index=True)
    out["surname"] = [_surname(n) for n in out["bioname"]]
    return out


@lru_cache(maxsize=2)
def _state_officials(raw_str: str) -> pd.DataFrame:
    df = read_csv(Path(raw_str), OPENSTATES, required=["name", "other_names", "state", "role_type", "start_date"],
                  dtype=str, keep_default_na=False)
    df["state"] = df["state"].str.upper()
    df["start"] = pd.to_datetime(df["start_date"].str[:10], errors="coerce")
    rows = []
    for r in df.itertuples():
        for n in [r.name] + [x for x in r.other_names.split("|") if x]:
            rows.append((r.state, n, r.start, r.role_type))
    out = pd.DataFrame(rows, columns=["state", "name", "start", "role_type"])
    out["surname"] = [_surname(n) for n in out["name"]]
    return out


def challenger_quality(raw: Path, rows: pd.DataFrame, field: pd.Series | None = None) -> pd.DataFrame:
    """``COLUMNS`` for contest rows (cycle, state, district, party, incumbent, primary_date, ...)."""
    require_columns(rows, ["cycle", "state", "district", "party", "incumbent", "primary_date"], "contest rows")
    raw = Path(raw)
    field = field_names(raw, rows) if field is None else field
    former = _former_members(str(raw))
    officials = _state_officials(str(raw))
    fm_by = {k: g for k, g in former.groupby(["state_abbrev", "surname"])}
    so_by = {k: g for k, g in officials.groupby(["state", "surname"])}
    from features.contests.calendar import effective_deadline
    deadline = effective_deadline(rows)
    primary = pd.to_datetime(rows["primary_date"])
    live_first = pd.Timestamp("2026-03-03")      # no 2026 primary is earlier (TX, NC, AR)
    out = pd.DataFrame(index=rows.index, columns=COLUMNS, dtype=object)
    for i, r in rows.iterrows():
        day = primary.loc[i] if pd.notna(primary.loc[i]) else live_first
        others = {str(r.get("other_incumbent"))} if isinstance(r.get("other_incumbent"), str) else set()
        fm, so, hits = 0.0, 0.0, []
        for name in field.loc[i]:
            if any(names_match(name, o) >= MATCH_MIN for o in others):
                continue
            g = fm_by.get((r["state"], _surname(name)))
            if g is not None:
                past = g[(g["ended"] <= day) & (g["congress"] < congress_for_cycle(int(r["cycle"])))]
                if any(names_match(name, b) >= MATCH_MIN for b in past["bioname"].unique()):
                    fm = 1.0
                    hits.append(f"{name} (former member)")
            g = so_by.get((r["state"], _surname(name)))
            if g is not None:
                past = g[g["start"].notna() & (g["start"] < day)]
                if any(names_match(name, b) >= MATCH_MIN for b in past["name"].unique()):
                    so = 1.0
                    hits.append(f"{name} (state office)")
        out.at[i, "chal_former_member"] = fm
        out.at[i, "chal_state_office"] = so if int(r["cycle"]) >= OPENSTATES_FROM else np.nan
        out.at[i, "chal_quality_names"] = "; ".join(dict.fromkeys(hits)) or pd.NA
        out.at[i, "chal_quality_date"] = deadline.loc[i]
    for c in ("chal_former_member", "chal_state_office"):
        out[c] = pd.to_numeric(out[c]).astype(float)
    out["chal_quality_names"] = out["chal_quality_names"].astype("string")
    out["chal_quality_date"] = pd.to_datetime(out["chal_quality_date"]).astype("datetime64[ns]")
    return out
