"""2022 House incumbent renomination contests from FiveThirtyEight's primary-project-2022 (+ Louisiana).

Sources
-------
- ``fivethirtyeight/primary-project-2022/{dem,rep}_candidates.csv``: every 2022 D/R primary candidate
  (Office ``Representative`` kept), except Louisiana.
- Louisiana (absent from 538's primary files): its House "primary" is the November all-party (jungle)
  election, read from ``fivethirtyeight-election-results/election_results_house.csv.gz`` (stage
  ``jungle primary``, with votes) and dated from ``races.csv``.
- Identity: bioguide ids by name match to the 117th-Congress rows of
  ``fivethirtyeight/congress-demographics/data_aging_congress.csv``; FEC ids from congress-legislators
  (prefer the id that has a House row in ``fec_weball/weball22.txt``).

Rules and judgment calls
------------------------
- Contest = (state, district, party).  In all-candidate primaries (CA, WA top-two; AK top-four) every
  candidate in the district across both files forms one contest.  The 538 files hold only D and R
  candidates, so the all-candidate share there omits minor-party / no-party-preference candidates.
- Shares are rebuilt from ``Primary Votes`` (the ``Primary %`` column is rounded, and party-only in
  top-two states).  In top-two/top-four states the all-candidate share goes in both ``incumbent_share``
  and ``incumbent_share_all``; elsewhere ``incumbent_share_all`` is NA.
- Unopposed (one candidate in the contest; 538 codes canceled races as ``Primary Votes`` 1 / 100%):
  ``contested`` False and ``incumbent_share`` **NA** (no contest, no share; never a made-up 1.0).
- Outcome: party primaries: ``Primary Outcome`` Lost -> lost; ``Made runoff`` -> the runoff decides
  (nominee = runoff winner).  Top-two/top-four: ``Won`` and ``Made runoff`` both mean "advanced";
  ``Lost`` = failed to advance = lost.
- Conventions: VA-5 R (Good) was nominated at a convention (no votes): contested True, shares NA,
  ``primary_system_hint`` 'convention'.
- Withdrawals (``WITHDRAWN_2022``): Van Taylor (TX-3) is kept and counted as lost: sitting member, 48.7%
  in the first round, withdrew before the runoff (538 codes him Lost).  Jeff Fortenberry (NE-1) is
  dropped: he resigned his seat on 2022-03-31, before the May 10 primary, and had ended his campaign;
  he was not an incumbent on primary day (the rule the curated 2024 roster uses).  Result: **15 losers**.
- Incumbent-vs-incumbent: two or more ``Incumbent == 'Yes'`` rows in one contest (six pairs in 2022).
- Special-election members: the member's House term covering primary day began after 2021-01-03
  (congress-legislators term dates; Tenney's late seating after a contested count is not a special).
  Members absent from the legislators snapshots: False if they sat in the 116th Congress or their state
  held no House special election in 2021-22 before the primary (races.csv), else NA.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from features.contests.roster_2026 import (
    LEGISLATORS_SNAPSHOTS,
    _tokens,
    fec_ids_by_bioguide,
    finalize_contest_rows,
    first_names_compatible,
    house_terms,
    read_weball,
)
from features.kernel.constants import RUNOFF_STATES, STATE_BY_NAME, STATES, top_two_rule
from features.kernel.errors import InputError
from features.kernel.rawio import parse_date, read_csv, require_file, to_number

CYCLE = 2022
FOLDER = "fivethirtyeight/primary-project-2022"
FILES = {"D": f"{FOLDER}/dem_candidates.csv", "R": f"{FOLDER}/rep_candidates.csv"}
LA_RESULTS = "fivethirtyeight-election-results/election_results_house.csv.gz"
RACES = "fivethirtyeight-election-results/races.csv"
AGING = "fivethirtyeight/congress-demographics/data_aging_congress.csv"
WEBALL22 = "fec_weball/weball22.txt"
CONGRESS_START = pd.Timestamp("2021-01-03")       # 117th Congress
REQUIRED = ["Candidate", "Incumbent", "State", "Primary Date", "Office", "District", "Primary Votes",
            "Primary Outcome", "Runoff Votes", "Runoff Outcome"]

# (state, district, party, candidate as in 538) -> (decision, reason)
WITHDRAWN_2022 = {
    ("TX", 3, "R", "Van Taylor"): (
        "keep-lost", "finished first with 48.7% on Mar 1, withdrew Mar 2 before the May 24 runoff"),
    ("NE", 1, "R", "Jeff Fortenberry"): (
        "drop", "resigned 2022-03-31 after his conviction, before the May 10 primary; campaign ended, name "
                "stayed on the ballot: not an incumbent on primary day"),
}
ADVANCED = {"Won", "Made runoff"}


def _na_mask(s: pd.Series) -> pd.Series:
    return s.mask(s.str.strip().isin(["", "N/A", "NA"]))


def read_538_2022(raw: Path) -> pd.DataFrame:
    """Both 538 candidate files, House rows only, cleaned: state code, district int, votes float, date."""
    frames = []
    for party, rel in FILES.items():
        path = require_file(raw, rel)
        df = read_csv(raw, rel, required=REQUIRED, dtype=str, keep_default_na=False)
        df["party"] = party
        df["file"] = rel
        df["line"] = np.arange(2, len(df) + 2)          # line in the file (header = line 1)
        # parse on the whole file so error rows are file rows (1-based data row = line - 1)
        df["votes"] = to_number(_na_mask(df["Primary Votes"]), path, "Primary Votes")
        df["runoff_votes"] = to_number(_na_mask(df["Runoff Votes"]), path, "Runoff Votes")
        df["primary_date"] = parse_date(df["Primary Date"], path, "Primary Date", fmt="%m/%d/%y")
        df = df[df["Office"].str.strip() == "Representative"].copy()
        state = df["State"].str.strip().map(STATE_BY_NAME)
        if state.isna().any():
            i = int(np.flatnonzero(state.isna().to_numpy())[0])
            raise InputError(path, f"unknown state {df['State'].iloc[i]!r}", row=int(df["line"].iloc[i]) - 1,
                             field="State")
        df["state"] = state
        dist = df["District"].str.strip().replace({"At-Large": "0"})
        num = pd.to_numeric(dist, errors="coerce")
        if num.isna().any():
            i = int(np.flatnonzero(num.isna().to_numpy())[0])
            raise InputError(path, f"bad district {dist.iloc[i]!r}", row=int(df["line"].iloc[i]) - 1,
                             field="District")
        df["district"] = num.astype(int)
        df["candidate"] = df["Candidate"].str.strip().str.replace(r"\s+", " ", regex=True)
        df["is_inc"] = df["Incumbent"].str.strip() == "Yes"
        df["outcome"] = df["Primary Outcome"].str.strip()
        df["runoff_outcome"] = _na_mask(df["Runoff Outcome"].str.strip())
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["all_candidate"] = out["state"].map(lambda s: top_two_rule(s, CYCLE) is not None)
    out["contest"] = np.where(out["all_candidate"], out["state"] + "-" + out["district"].astype(str) + "-ALL",
                              out["state"] + "-" + out["district"].astype(str) + "-" + out["party"])
    return out


# --------------------------------------------------------------------------------------------------
# identity
# --------------------------------------------------------------------------------------------------
@lru_cache(maxsize=2)
def _aging_all(path_str: str, mtime_ns: int) -> pd.DataFrame:
    return pd.read_csv(path_str, dtype=str, keep_default_na=False)


def _aging_members(raw: Path, congress: int) -> pd.DataFrame:
    """House rows of one Congress from 538's data_aging_congress, with name tokens for matching."""
    path = require_file(raw, AGING)
    a = _aging_all(str(path), path.stat().st_mtime_ns)
    a = a[(a["congress"] == str(congress)) & (a["chamber"] == "House")].copy()
    a["last_tokens"] = a["bioname"].map(lambda s: _tokens(s.split(",")[0]))
    a["given"] = a["bioname"].map(lambda s: _tokens(s.split(",", 1)[1]) if "," in s else [])
    return a


def match_bioguide(members: pd.DataFrame, state: str, name: str):
    """bioguide of the member (data_aging rows) in ``state`` whose name matches ``name``, else NA.

    The member's last name must end the candidate's name (suffixes ignored); when several members of
    the state share it, a given name (or quoted nickname) must agree too.
    """
    nick = _tokens(" ".join(re.findall(r'"([^"]*)"', name)))
    toks = _tokens(re.sub(r'"[^"]*"', " ", name)) or nick
    if not toks:
        return pd.NA
    cands = members[members["state_abbrev"] == state]
    same_last = [r for r in cands.itertuples()
                 if r.last_tokens and toks[-len(r.last_tokens):] == r.last_tokens]
    if len(same_last) > 1:
        same_last = [r for r in same_last
                     if first_names_compatible(toks[:-len(r.last_tokens)] + nick, r.given)]
    ids = list(dict.fromkeys(r.bioguide_id for r in same_last))
    return ids[0] if len(ids) == 1 else pd.NA


def _pick_fec_id(ids, state: str, house_ids_by_state: dict[str, set[str]]):
    house = [i for i in ids if i.startswith("H")]
    in_file = [i for i in house if i in house_ids_by_state.get(state, set())]
    if in_file:
        return in_file[0]
    return house[-1] if house else pd.NA


def identity_lookup(raw: Path, weball_rel: str, congress: int):
    """Return (bioguide matcher, fec-id picker, special-member test) for a past cycle."""
    members = _aging_members(raw, congress)
    ids_by_bio = fec_ids_by_bioguide(raw)
    house_ids: dict[str, set[str]] = {}
    if (Path(raw) / weball_rel).is_file():
        w = read_weball(raw, weball_rel)
        w = w[w["office"] == "H"]
        for st, cid in zip(w["CAND_OFFICE_ST"], w["CAND_ID"]):
            house_ids.setdefault(st, set()).add(cid)
    terms = house_terms(raw, LEGISLATORS_SNAPSHOTS)
    previous = _aging_members(raw, congress - 1)
    return members, ids_by_bio, house_ids, terms, frozenset(previous["bioguide_id"])


# Members seated after the Congress opened who were NOT elected in a special election.
LATE_SEATED = {"T000478": "Claudia Tenney, NY-22 2020 regular election, seated 2021-02-11 after the contested count"}


def house_specials(raw: Path) -> pd.DataFrame:
    """House special-election races in 538's races.csv: state, seat, date (Timestamp)."""
    races = read_csv(raw, RACES, required=["type", "special", "state_abbrev", "date"], dtype=str,
                     keep_default_na=False)
    sp = races[(races["type"] == "HouseRace") & (races["special"] == "true")].copy()
    sp["date"] = pd.to_datetime(sp["date"].mask(sp["date"] == ""), format="%m/%d/%y")
    return sp[["state_abbrev", "office_seat_name", "stage", "date"]].dropna(subset=["date"])


def special_member(terms: pd.DataFrame, bioguide, on, congress_start: pd.Timestamp,
                   previous_members: frozenset = frozenset(), state=None,
                   specials: pd.DataFrame | None = None):
    """True if the member's House term covering ``on`` began after the Congress opened (special election).

    Members absent from the legislators snapshots: False if they sat in the previous Congress (a
    continuing member) or if their state held no House special election between the Congress's start
    and ``on`` (538 races.csv); else NA (unknown).
    """
    if bioguide is pd.NA or pd.isna(bioguide) or pd.isna(on):
        return pd.NA
    if bioguide in LATE_SEATED:
        return False
    t = terms[(terms["bioguide_id"] == bioguide) & (terms["start"] <= on) & (on < terms["end"])]
    if t.empty:
        if bioguide in previous_members:
            return False
        if specials is not None and state is not None:
            held = specials[(specials["state_abbrev"] == state) & (specials["date"] > congress_start)
                            & (specials["date"] <= on)]
            if held.empty:
                return False
        return pd.NA
    return bool(t["term_start"].min() > congress_start)


# --------------------------------------------------------------------------------------------------
# contest rows
# --------------------------------------------------------------------------------------------------
def _share(num, den):
    return float(num) / float(den) if pd.notna(num) and pd.notna(den) and den > 0 else np.nan


def _rows_from_538(cands: pd.DataFrame) -> list[dict]:
    cols = ["contest", "state", "district", "party", "candidate", "is_inc", "votes", "runoff_votes", "outcome",
            "runoff_outcome", "primary_date", "all_candidate", "file", "line"]
    contests: dict[str, list[dict]] = {}
    for rec in cands[cols].astype(object).to_dict("records"):
        for k in ("votes", "runoff_votes"):
            rec[k] = np.nan if rec[k] is None or pd.isna(rec[k]) else float(rec[k])
        rec["runoff_outcome"] = None if pd.isna(rec["runoff_outcome"]) else rec["runoff_outcome"]
        contests.setdefault(rec["contest"], []).append(rec)
    rows = []
    for g in contests.values():
        n = len(g)
        votes = [c["votes"] for c in g]
        total = float(np.sum(votes)) if not np.isnan(votes).any() else np.nan
        runoff_total = float(np.nansum([c["runoff_votes"] for c in g]))
        for inc in (c for c in g if c["is_inc"]):
            key = (inc["state"], int(inc["district"]), inc["party"], inc["candidate"])
            decision = WITHDRAWN_2022.get(key, (None, None))[0]
            if decision == "drop":
                continue
            others = [c for c in g if c is not inc]
            all_cand = bool(inc["all_candidate"])
            contested = n > 1
            share = _share(inc["votes"], total) if contested else np.nan
            top = max(others, key=lambda c: -1 if np.isnan(c["votes"]) else c["votes"]) if others else None
            if all_cand:
                lost = inc["outcome"] not in ADVANCED
                went = False
                adv = any(c["party"] == inc["party"] and c["outcome"] in ADVANCED for c in others)
            else:
                went = inc["outcome"] == "Made runoff" and inc["runoff_outcome"] is not None
                lost = inc["outcome"] == "Lost" or (went and inc["runoff_outcome"] == "Lost")
                adv = pd.NA
            other_incs = [c["candidate"] for c in others if c["is_inc"]]
            no_votes = all(np.isnan(v) for v in votes)
            hint = top_two_rule(inc["state"], CYCLE) or (
                "convention" if no_votes and inc["state"] in ("VA", "UT", "CT") else
                "runoff" if inc["state"] in RUNOFF_STATES else pd.NA)
            rows.append({
                "cycle": CYCLE, "state": inc["state"], "district": int(inc["district"]), "party": inc["party"],
                "incumbent": inc["candidate"], "primary_date": inc["primary_date"],
                "primary_system_hint": hint, "contested": contested, "n_candidates": n,
                "incumbent_vs_incumbent": bool(other_incs),
                "other_incumbent": ";".join(other_incs) if other_incs else pd.NA,
                "lost": bool(lost), "incumbent_share": share,
                "incumbent_share_all": share if all_cand else np.nan,
                "top_challenger": top["candidate"] if top else pd.NA,
                "top_challenger_party": top["party"] if top else pd.NA,
                "top_challenger_share": _share(top["votes"], total) if top else np.nan,
                "went_to_runoff": bool(went),
                "runoff_share": _share(inc["runoff_votes"], runoff_total) if went else np.nan,
                "challenger_advanced": adv, "result_source": "538-2022",
                "source_row": f"{inc['file']}:line {inc['line']}",
                "withdrew": decision == "keep-lost",
                "unopposed_canceled": bool(n == 1 and inc["votes"] == 1),
            })
    return rows


def louisiana_rows_2022(raw: Path, members: pd.DataFrame | None = None) -> pd.DataFrame:
    """LA 2022: the Nov 8 all-party House election (538 election_results_house, stage 'jungle primary')."""
    path = require_file(raw, LA_RESULTS)
    try:
        res = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise InputError(path, f"cannot parse: {exc}") from exc
    for col in ("race_id", "state_abbrev", "cycle", "stage", "special", "office_seat_name", "candidate_name",
                "ballot_party", "votes", "unopposed", "winner"):
        if col not in res.columns:
            raise InputError(path, "expected column missing", field=col)
    res["line"] = np.arange(2, len(res) + 2)
    la = res[(res["state_abbrev"] == "LA") & (res["cycle"] == str(CYCLE)) & (res["special"] != "true")].copy()
    la = la[la["stage"].isin(["jungle primary", "runoff"])]
    la["votes_n"] = to_number(la["votes"], path, "votes").to_numpy()
    la["district"] = la["office_seat_name"].str.extract(r"(\d+)")[0].astype(int)
    la["candidate"] = la["candidate_name"].str.replace('"', "", regex=False).str.strip()
    races = read_csv(raw, RACES, required=["id", "date"], dtype=str, keep_default_na=False)
    date_of = dict(zip(races["id"], races["date"]))
    if members is None:
        members = _aging_members(raw, 117)
    rows = []
    first = la[la["stage"] == "jungle primary"]
    for race_id, g in first.groupby("race_id"):
        total = g["votes_n"].sum(min_count=1)
        for idx, c in g.iterrows():
            bio = match_bioguide(members, "LA", c["candidate"])
            if bio is pd.NA:
                continue
            others = g.drop(index=idx)
            contested = len(g) > 1
            share = _share(c["votes_n"], total) if contested else np.nan
            top = others.sort_values("votes_n", ascending=False).iloc[0] if len(others) else None
            runoff = la[(la["stage"] == "runoff") & (la["district"] == c["district"])]
            in_runoff = runoff[runoff["candidate"] == c["candidate"]]
            went = len(in_runoff) > 0
            won = c["winner"] == "true"
            lost = not won and not (went and (in_runoff["winner"] == "true").any())
            party = {"DEM": "D", "REP": "R"}.get(c["ballot_party"], c["ballot_party"])
            rows.append({
                "cycle": CYCLE, "state": "LA", "district": int(c["district"]), "party": party,
                "incumbent": c["candidate"], "bioguide_id": bio,
                "primary_date": pd.to_datetime(date_of.get(race_id), format="%m/%d/%y"),
                "primary_system_hint": "louisiana-jungle", "contested": contested, "n_candidates": len(g),
                "incumbent_vs_incumbent": False, "other_incumbent": pd.NA, "lost": bool(lost),
                "incumbent_share": share, "incumbent_share_all": share,
                "top_challenger": top["candidate"] if top is not None else pd.NA,
                "top_challenger_party": {"DEM": "D", "REP": "R"}.get(top["ballot_party"], top["ballot_party"])
                if top is not None else pd.NA,
                "top_challenger_share": _share(top["votes_n"], total) if top is not None else np.nan,
                "went_to_runoff": went, "runoff_share": np.nan, "challenger_advanced": pd.NA,
                "result_source": "538-election-results-la-2022", "source_row": f"{LA_RESULTS}:line {c['line']}",
                "withdrew": False, "unopposed_canceled": c["unopposed"] == "true",
            })
    return pd.DataFrame(rows)


def contest_rows_2022(raw: Path) -> pd.DataFrame:
    """Contest rows (TEAM_NOTES contract) for 2022: 538 primaries for 49 states plus Louisiana.

    Extra columns: ``withdrew`` (Van Taylor), ``unopposed_canceled`` (538's 1-vote canceled races).
    """
    raw = Path(raw)
    cands = read_538_2022(raw)
    members, ids_by_bio, house_ids, terms, previous = identity_lookup(raw, WEBALL22, 117)
    df = pd.DataFrame(_rows_from_538(cands))
    df["bioguide_id"] = [match_bioguide(members, s, n) for s, n in zip(df["state"], df["incumbent"])]
    la = louisiana_rows_2022(raw, members)
    df = pd.concat([df, la], ignore_index=True)
    df["fec_id"] = [_pick_fec_id(ids_by_bio.get(b, ()) if isinstance(b, str) else (), s, house_ids)
                    for b, s in zip(df["bioguide_id"], df["state"])]
    specials = house_specials(raw)
    df["special_election_member"] = [special_member(terms, b, d, CONGRESS_START, previous, s, specials)
                                     for b, d, s in zip(df["bioguide_id"], df["primary_date"], df["state"])]
    bad = ~df["state"].isin(list(STATES))
    if bad.any():
        raise InputError(FILES["D"], f"unknown state {df.loc[bad, 'state'].iloc[0]!r}", field="State")
    return finalize_contest_rows(df)
