"""Cross-check of the FEC-derived contest rows against Miller & Camberg (2012-2018).

Miller & Camberg, "U.S. House Primary Election Results (2012-2018)" (Harvard Dataverse
doi:10.7910/DVN/CXVMSY) is an independent coding of the same primaries. It excludes CA, WA and LA
(top-two / jungle). Its file is latin-1 with some mojibake ('castanï¿½ï¿½eda'); names are
compared on their ASCII letters. ``stcd`` = ICPSR state code + district, at-large seats coded 01.
``inc = 1`` is meant to mark the sitting member but is not reliable: NY-11 2018 codes the former
member Michael Grimm as the incumbent and Rep. Dan Donovan as a challenger, AZ-6 2012 codes Rep. Ben
Quayle (who lost to Rep. Schweikert) inc = 0, a few unopposed members are inc = 0 or absent. So each
FEC incumbent is compared with the same *person* in the Miller & Camberg race (by surname, whatever
their ``inc``), and Miller & Camberg ``inc = 1`` people matched to no FEC incumbent are reported
('only-mc'), except the documented former/non members in ``MC_NOT_SITTING``.
Shares: the FEC total includes write-in ('Scattered') votes, Miller & Camberg's mostly not (PA),
so a few shares differ by 0.5-1.5 points.

``miller_camberg_disagreements(raw, rows)`` lists every disagreement (loser set, incumbent share
beyond a tolerance, incumbents found on one side only); ``miller_camberg_agreement`` summarises.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.constants import STATE_BY_NAME
from features.kernel.rawio import read_csv

MC_FILE = "miller-camberg-house-primary-2012-2018/house_primary_2012_2018.tab"
MC_CYCLES = (2012, 2014, 2016, 2018)
MC_EXCLUDED_STATES = ("CA", "WA", "LA")
# (cycle, state, district, party, surname): inc = 1 rows that are not a sitting member
MC_NOT_SITTING = {
    (2018, "NY", 11, "R", "grimm"),        # Michael Grimm, former member, lost to Rep. Donovan
    (2012, "AL", 7, "R", "chamberlain"),   # Don Chamberlain, R nominee vs Rep. Sewell (D), never a member
}
_REQUIRED = ["raceid", "year", "stcd", "state", "party", "candidate", "candvotes", "tvotes", "candpct",
             "winner", "inc", "runoff"]


def load_miller_camberg_people(raw: Path) -> pd.DataFrame:
    """One row per candidate and race in Miller & Camberg (first round and runoff folded together).

    Returns cycle, state, district (as coded: at-large = 1), party ('D'/'R'), candidate (as printed),
    surname (ASCII letters of the first name part), inc (the file's ``inc`` = 1), share (first-round
    ``candpct``; NaN when the race was uncontested and coded 1 vote of 1), lost (did not win the final
    round), source_row (1-based data row of the first-round record).
    """
    df = read_csv(raw, MC_FILE, required=_REQUIRED, sep="\t", encoding="latin-1", dtype=str,
                  keep_default_na=False)
    df["source_row"] = np.arange(len(df)) + 1
    df["cycle"] = df["year"].astype(int)
    df["state"] = df["state"].str.strip().str.title().map(STATE_BY_NAME)
    df["district"] = df["stcd"].str.strip().str[-2:].astype(int)
    df["party"] = df["party"].str.strip().map({"1": "D", "0": "R"})
    df["race"] = df["raceid"].str.replace(r"_[pr]$", "", regex=True)
    df["round"] = df["runoff"].str.strip().astype(int)
    for col in ("candvotes", "tvotes", "candpct"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df["winner"] = df["winner"].str.strip() == "1"
    df["is_inc"] = df["inc"].str.strip() == "1"

    key = ["race", "candidate"]
    first = (df[df["round"].isin([0, 1])].drop_duplicates(key)
             .set_index(key)[["cycle", "state", "district", "party", "candvotes", "tvotes", "candpct", "winner",
                              "source_row"]])
    g = df.groupby(key, sort=False)
    runoff_held = g["round"].apply(lambda r: bool((r == 1).any()))
    won_runoff = df[df["round"] == 2].groupby(key)["winner"].any()
    people = first.join(runoff_held.rename("runoff_held")).join(won_runoff.rename("won_runoff"))
    people = people.join(g["is_inc"].any().rename("inc")).reset_index()
    # a runoff was held: the runoff decides (absent from it = eliminated in the first round)
    lost = ~people["winner"].astype(bool)
    held = people["runoff_held"].astype(bool)
    lost[held] = ~people.loc[held, "won_runoff"].fillna(False).astype(bool)
    uncontested = (people["candvotes"] == 1) & (people["tvotes"] == 1)
    people = pd.DataFrame({
        "cycle": people["cycle"], "state": people["state"], "district": people["district"],
        "party": people["party"], "candidate": people["candidate"],
        "surname": people["candidate"].map(lambda c: _ascii_letters(str(c).split("_")[0])),
        "tokens": people["candidate"].map(_tokens), "inc": people["inc"].astype(bool),
        "share": people["candpct"].where(~uncontested), "lost": lost.astype(bool),
        "source_row": people["source_row"].astype(int)})
    quirk = people.apply(lambda r: any((r["cycle"], r["state"], r["district"], r["party"]) == k[:4]
                                       and r["surname"].startswith(k[4]) for k in MC_NOT_SITTING), axis=1)
    people.loc[quirk, "inc"] = False
    return people


def miller_camberg_disagreements(raw: Path, rows: pd.DataFrame, tol: float = 0.005) -> pd.DataFrame:
    """Every disagreement between contest ``rows`` (2012-2018, CA/WA/LA excluded) and Miller & Camberg.

    kind: 'lost' (loser flag differs), 'share' (both shares known, |diff| > tol),
    'only-fec' / 'only-mc' (an incumbent found on one side only).
    """
    matched, only_fec, only_mc = _match(raw, rows)
    issues = []
    for r in matched.itertuples():
        if bool(r.lost) != bool(r.mc_lost):
            issues.append(_issue(r, "lost", r.lost, r.mc_lost))
        if pd.notna(r.incumbent_share) and pd.notna(r.mc_share) and abs(r.incumbent_share - r.mc_share) > tol:
            issues.append(_issue(r, "share", r.incumbent_share, r.mc_share))
    for r in only_fec.itertuples():
        issues.append(_issue(r, "only-fec", r.lost, None))
    for r in only_mc.itertuples():
        issues.append({"cycle": r.cycle, "state": r.state, "district": r.district, "party": r.party,
                       "incumbent": r.candidate, "kind": "only-mc", "fec": None, "mc": r.lost,
                       "mc_source_row": r.source_row})
    cols = ["cycle", "state", "district", "party", "incumbent", "kind", "fec", "mc", "mc_source_row"]
    return pd.DataFrame(issues, columns=cols)


def miller_camberg_agreement(raw: Path, rows: pd.DataFrame, tol: float = 0.005) -> dict:
    """Summary: loser sets per side, share agreement rate among incumbents with a share on both sides."""
    matched, only_fec, only_mc = _match(raw, rows)
    both = matched[matched["incumbent_share"].notna() & matched["mc_share"].notna()]
    agree = (both["incumbent_share"] - both["mc_share"]).abs() <= tol
    key = lambda d, name: set(zip(d["cycle"], d["state"], d["district"], d[name]))  # noqa: E731
    fec_losers = key(matched[matched["lost"].astype(bool)], "incumbent") | \
        key(only_fec[only_fec["lost"].astype(bool)], "incumbent")
    mc_losers = key(matched[matched["mc_lost"].astype(bool)], "incumbent") | \
        key(only_mc[only_mc["lost"].astype(bool)], "candidate")
    return {
        "matched": int(len(matched)), "only_fec": int(len(only_fec)), "only_mc": int(len(only_mc)),
        "shares_compared": int(len(both)), "shares_agree": int(agree.sum()),
        "share_agreement_rate": float(agree.mean()) if len(both) else float("nan"),
        "fec_losers": sorted(fec_losers), "mc_losers": sorted(mc_losers),
        "loser_sets_agree": fec_losers == mc_losers,
    }


# ---------------------------------------------------------------------------------------------
def _ascii_letters(text) -> str:
    return re.sub(r"[^a-z]", "", str(text).lower())


def _tokens(text) -> set[str]:
    """ASCII name tokens ('wasserman-schultz_debbie' -> {'wasserman', 'schultz', 'debbie'})."""
    return {t for t in (_ascii_letters(x) for x in re.split(r"[\s_,\-.()]+", str(text).lower())) if len(t) > 1}


def _same_person(incumbent: str, person: pd.Series) -> bool:
    """FEC 'Last, First' vs Miller & Camberg 'last_first': the FEC surname tokens all appear in the
    other name ('Schultz, Debbie Wasserman' / 'wasserman_schultz_debbie'), or the surnames are close
    ('Valezquez' / 'velazquez', a typo in the FEC file)."""
    last = str(incumbent).split(",")[0]
    last_tokens = _tokens(last)
    if last_tokens and last_tokens <= person["tokens"]:
        return True
    ours = _ascii_letters(last)
    return bool(ours) and SequenceMatcher(None, ours, person["surname"]).ratio() >= 0.75


def _match(raw: Path, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    mc = load_miller_camberg_people(raw)
    ours = rows[rows["cycle"].isin(MC_CYCLES) & ~rows["state"].isin(MC_EXCLUDED_STATES)].copy()
    # at-large seats: district 0 here, 01 in Miller & Camberg
    at_large = set(zip(ours.loc[ours["district"] == 0, "cycle"], ours.loc[ours["district"] == 0, "state"]))
    mc["district"] = [0 if (c, s) in at_large else d for c, s, d in zip(mc["cycle"], mc["state"], mc["district"])]
    by_race = {k: g for k, g in mc.groupby(["cycle", "state", "district", "party"])}
    used: set[int] = set()
    pairs = []
    for i, r in ours.iterrows():
        pool = by_race.get((r["cycle"], r["state"], r["district"], r["party"]))
        hit = None
        if pool is not None:
            # prefer the person Miller & Camberg flag as incumbent when several names fit
            for j, m in pool.sort_values("inc", ascending=False).iterrows():
                if j not in used and _same_person(r["incumbent"], m):
                    hit = j
                    break
        if hit is not None:
            used.add(hit)
        pairs.append((i, hit))
    matched_idx = [(i, j) for i, j in pairs if j is not None]
    matched = ours.loc[[i for i, _ in matched_idx]].copy()
    for col in ("share", "lost", "source_row", "inc"):
        matched[f"mc_{col}"] = mc.loc[[j for _, j in matched_idx], col].to_numpy()
    only_fec = ours.loc[[i for i, j in pairs if j is None]]
    only_mc = mc[mc["inc"] & ~mc.index.isin(list(used))]
    return matched, only_fec, only_mc


def _issue(r, kind: str, fec, mc) -> dict:
    return {"cycle": r.cycle, "state": r.state, "district": r.district, "party": r.party,
            "incumbent": r.incumbent, "kind": kind, "fec": fec, "mc": mc,
            "mc_source_row": getattr(r, "mc_source_row", None)}
