"""November House generals (MEDSL 1976-2024): same-party generals, the second outcome, last margin.

In top-two states (CA from 2012, WA from 2008; AK top-four from 2022) an incumbent who advances
from the primary can still lose the seat to a rival of the same party in November: Stark (CA-15
2012), Baca (CA-35 2012), Honda (CA-17 2016), and member against member Berman (CA-30 2012) and
Richardson (CA-44 2012).  This module reads MEDSL's candidate-level general results and derives,
per row of the central table:

- ``general_share``, ``general_margin``: the incumbent's November share of all votes and margin over
  the best other candidate (fractions of the contest total); NA when the incumbent was not on the
  November ballot (lost the nomination, or Louisiana's jungle years, where November is the primary);
- ``general_rival``, ``general_rival_party``: the best other November candidate;
- ``same_party_general``: the November general was between the incumbent and a rival of the same
  party (the top two finishers both carry the incumbent's party);
- ``lost_general``: the incumbent did not finish first in November;
- ``lost_to_same_party``: lost the nomination (``lost``), or lost a same-party November general
  (NA for the live cycle, like ``lost``);
- ``prev_general_margin``: the member's margin in the previous cycle's November general (any
  district of the state: lines change), NA when they were not on that ballot (first elected in a
  special) -- known long before any primary, so it respects the as-of rule;
- ``prev_general_same_party``: that previous general was against a same-party rival.

Traps handled (see the folder's README): 2022 names are mojibake; nicknames carry backslash-escaped
quotes; fusion states list a candidate once per line (lines are added up by candidate); WA "Prefers X
Party" is mapped to X by MEDSL; CA no-party-preference is ``NONE``/``NO PARTY PREFERENCE``; there is
no incumbency flag, so members are matched by name, state, district and year; Louisiana's December
runoffs (``runoff`` True) and special elections are not regular Novembers and are dropped; unopposed
candidates in some states are recorded with 1 vote of 1.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.constants import louisiana_jungle
from features.kernel.errors import InputError
from features.kernel.names import fix_mojibake, name_tokens, names_match
from features.kernel.rawio import require_columns, require_file

FOLDER = "medsl-house-general-1976-2024"
RESULTS_FILE = f"{FOLDER}/1976-2024-house.tab"
CROSSCHECK_FILE = f"{FOLDER}/same_party_generals_CA_WA_2012_2024.csv"
COLUMNS = ["year", "state_po", "district", "stage", "runoff", "special", "candidate", "party", "writein",
           "candidatevotes", "totalvotes"]
PARTY = {"DEMOCRAT": "D", "DEMOCRATIC-FARMER-LABOR": "D", "DEMOCRATIC-NONPARTISAN LEAGUE": "D",
         "DEMOCRATIC-NPL": "D", "REPUBLICAN": "R"}
MATCH_MIN = 0.85         # names_match score to accept a MEDSL candidate as the member
GENERAL_COLUMNS = ["general_share", "general_margin", "general_rival", "general_rival_party",
                   "same_party_general", "lost_general", "lost_to_same_party", "general_source_row"]
PREV_COLUMNS = ["prev_general_margin", "prev_general_same_party"]


def read_generals(raw: Path) -> pd.DataFrame:
    """November House generals, one row per (year, state, district, special, candidate).

    ``special`` marks special elections held in November (TX 2006 after LULAC v. Perry); the
    December Louisiana runoffs and primary-stage rows are dropped.

    Returns
    -------
    DataFrame with ``year, state, district, candidate, party`` (D, R or other text), ``votes``
    (fusion lines added up), ``total`` (contest total, write-ins included), ``share``, ``rank``
    (1 = winner) and ``source_row`` (first 1-based data row of the candidate in the file).
    """
    path = require_file(Path(raw), RESULTS_FILE)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    require_columns(df, COLUMNS, path)
    df["source_row"] = np.arange(1, len(df) + 1)
    for col in ("year", "district", "candidatevotes", "totalvotes"):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, f"not a number: {df[col].iloc[i]!r}", row=i + 1, field=col)
        df[col] = num.astype(int)
    regular = ((df["stage"].str.upper() == "GEN")
               & (df["runoff"].str.upper() != "TRUE") & (df["writein"].str.upper() != "TRUE"))
    df = df[regular & (df["candidate"].str.strip() != "") & (df["candidate"].str.upper() != "WRITEIN")]
    df = df.assign(candidate=df["candidate"].map(_clean_name),
                   party=df["party"].str.strip().str.upper().map(lambda p: PARTY.get(p, p or "NONE")),
                   state=df["state_po"].str.strip().str.upper(),
                   special=df["special"].str.upper() == "TRUE")
    key = ["year", "state", "district", "special", "candidate"]
    # a fusion candidate appears once per line: add the lines, keep the D/R line as the party
    df["major"] = df["party"].isin(["D", "R"])
    df = df.sort_values(key + ["major", "source_row"], ascending=[True] * 5 + [False, True])
    out = df.groupby(key, sort=True).agg(party=("party", "first"), votes=("candidatevotes", "sum"),
                                         total=("totalvotes", "max"),
                                         source_row=("source_row", "min")).reset_index()
    out["share"] = out["votes"] / out["total"].where(out["total"] > 0)
    out["words"] = out["candidate"].map(name_tokens)
    out["rank"] = out.groupby(["year", "state", "district", "special"])["votes"].rank(ascending=False, method="first")
    return out


def _clean_name(s: str) -> str:
    s = fix_mojibake(str(s)).replace('\\"', '"').replace("\\", "")
    return " ".join(s.split())


def contest_results(gen: pd.DataFrame) -> pd.DataFrame:
    """One row per general: winner, runner-up, their parties and shares, and whether it was same-party."""
    key = ["year", "state", "district", "special"]
    top = gen[gen["rank"] <= 2].sort_values(key + ["rank"])
    first = top[top["rank"] == 1].set_index(key)
    second = top[top["rank"] == 2].set_index(key)
    out = first[["candidate", "party", "share", "votes"]].add_prefix("winner_").join(
        second[["candidate", "party", "share", "votes"]].add_prefix("second_"), how="left")
    out["same_party"] = (out["winner_party"] == out["second_party"]) & out["winner_party"].isin(["D", "R"])
    return out.reset_index()


def _records(gen: pd.DataFrame, key: list[str]) -> dict[tuple, list[dict]]:
    """Candidates as plain dicts grouped by ``key`` (the row loops below stay fast)."""
    out: dict[tuple, list[dict]] = {}
    for rec in gen.to_dict("records"):
        out.setdefault(tuple(rec[k] for k in key), []).append(rec)
    return out


def _match(candidates: list[dict], name: str, bioname: str | None = None,
           party: str | None = None) -> dict | None:
    """The candidate who is the member, else None.

    The best name score must reach ``MATCH_MIN`` and be unique; failing that, a unique candidate of
    the member's party with the same surname (score >= 0.5: 'DENNIS R REHBERG' for Denny Rehberg).
    """
    names = [n for n in (name, bioname) if isinstance(n, str) and n]
    if not candidates or not names:
        return None
    # only candidates sharing a name word with the member can score (a fast pre-filter)
    words = frozenset().union(*(name_tokens(n) for n in names))
    near = [c for c in candidates if c["words"] & words] or candidates
    scores = [max(names_match(c["candidate"], n) for n in names) for c in near]
    best = max(scores)
    if best >= MATCH_MIN and scores.count(best) == 1:
        return near[scores.index(best)]
    if party is not None:
        same = [c for c, sc in zip(near, scores) if sc >= 0.5 and c["party"] == party]
        if len(same) == 1:
            return same[0]
    return None


def incumbent_generals(rows: pd.DataFrame, gen: pd.DataFrame) -> pd.DataFrame:
    """The November outcome of each row of the central table (``GENERAL_COLUMNS``), indexed like ``rows``.

    A row whose incumbent lost the nomination normally has no November entry; nominees of past
    cycles not found in MEDSL are listed (row labels) in ``out.attrs["unmatched_nominees"]``.
    """
    by_race = _records(gen[~gen["special"]], ["year", "state", "district"])
    recs, unmatched = {}, []
    for idx, r in zip(rows.index, rows.to_dict("records")):
        cycle, state = int(r["cycle"]), str(r["state"])
        rec = dict.fromkeys(GENERAL_COLUMNS, pd.NA)
        rec["same_party_general"] = False if cycle < 2026 else pd.NA
        lost = r.get("lost")
        rec["lost_to_same_party"] = pd.NA if pd.isna(lost) else bool(lost)
        if cycle >= 2026 or louisiana_jungle(state, cycle):
            recs[idx] = rec
            continue
        cands = by_race.get((cycle, state, int(r["district"])), [])
        me = _match(cands, r["incumbent"], r.get("incumbent_source_name"), r["party"])
        if me is None:
            if pd.notna(lost) and not bool(lost):
                unmatched.append(idx)
            recs[idx] = rec
            continue
        others = sorted((c for c in cands if c is not me), key=lambda c: -c["votes"])
        rival = others[0] if others else None
        rival_votes = float(rival["votes"]) if rival else 0.0
        total = float(me["total"])
        rec["general_share"] = me["share"] if pd.notna(me["share"]) else pd.NA
        rec["general_margin"] = (float(me["votes"]) - rival_votes) / total if total > 0 else pd.NA
        rec["general_rival"] = rival["candidate"] if rival else pd.NA
        rec["general_rival_party"] = rival["party"] if rival else pd.NA
        same = rival is not None and rival["party"] == r["party"] and me["rank"] <= 2
        rec["same_party_general"] = bool(same)
        rec["lost_general"] = bool(me["rank"] != 1)
        rec["lost_to_same_party"] = bool(lost) or bool(same and me["rank"] != 1)
        rec["general_source_row"] = f"{RESULTS_FILE}:{int(me['source_row'])}"
        recs[idx] = rec
    out = pd.DataFrame.from_dict(recs, orient="index", columns=GENERAL_COLUMNS).reindex(rows.index)
    for col in ("same_party_general", "lost_general", "lost_to_same_party"):
        out[col] = out[col].astype("boolean")
    for col in ("general_share", "general_margin"):
        out[col] = pd.to_numeric(out[col]).astype(float)
    for col in ("general_rival", "general_rival_party", "general_source_row"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out.attrs["unmatched_nominees"] = unmatched
    return out


def previous_general(rows: pd.DataFrame, gen: pd.DataFrame) -> pd.DataFrame:
    """``prev_general_margin`` and ``prev_general_same_party`` of each row: the member's November two
    years earlier, anywhere in the state (a regular general first, then a November special)."""
    contests = contest_results(gen).set_index(["year", "state", "district", "special"])["same_party"].to_dict()
    by_party = _records(gen, ["year", "state", "special", "party"])
    by_race = _records(gen, ["year", "state", "special", "district"])
    margin = pd.Series(np.nan, index=rows.index)
    same = pd.Series(pd.NA, index=rows.index, dtype="boolean")
    for idx, r in zip(rows.index, rows.to_dict("records")):
        prev, state = int(r["cycle"]) - 2, str(r["state"])
        for special in (False, True):
            # the member's own party statewide (lines change), then anyone in the row's district
            me = _match(by_party.get((prev, state, special, r["party"]), []), r["incumbent"],
                        r.get("incumbent_source_name"))
            if me is None:
                me = _match(by_race.get((prev, state, special, int(r["district"])), []), r["incumbent"],
                            r.get("incumbent_source_name"), r["party"])
            if me is None:
                continue
            race = by_race[(prev, state, special, me["district"])]
            best_other = max((c["votes"] for c in race if c["source_row"] != me["source_row"]), default=0)
            if me["total"] > 0:
                margin[idx] = (float(me["votes"]) - best_other) / float(me["total"])
            same[idx] = bool(contests[(prev, state, me["district"], special)])
            break
    return pd.DataFrame({"prev_general_margin": margin, "prev_general_same_party": same})


def general_features(raw: Path, rows: pd.DataFrame) -> pd.DataFrame:
    """``GENERAL_COLUMNS`` and ``PREV_COLUMNS`` for the rows of the central table (indexed like it)."""
    gen = read_generals(raw)
    return incumbent_generals(rows, gen).join(previous_general(rows, gen))


def read_crosscheck(raw: Path) -> pd.DataFrame:
    """The curated same-party generals of CA and WA 2012-2024 (README in the folder)."""
    path = require_file(Path(raw), CROSSCHECK_FILE)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    require_columns(df, ["year", "state", "district", "party", "incumbent", "winner", "loser",
                         "incumbent_lost"], path)
    df["year"] = df["year"].astype(int)
    df["district"] = df["district"].astype(int)
    return df
