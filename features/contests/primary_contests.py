"""Incumbent renomination contests (the "contest rows" contract) from candidate-level results.

``incumbent_contests(candidates, cycle, sitting=None)`` turns the long candidate table of
``features.contests.results_fec.load_fec_candidates`` into one row per House incumbent (voting member, D or R)
who sought renomination that cycle, contested or not.

Rules (SOURCES.md sections 1-2; each has a test on the real row that shows it):
- Renomination is judged on the incumbent's D/R primary ballot line only; fusion lines (WF, IDP,
  CRV ...) and write-in lines (``W(D)``) never decide it. Write-in and 'Scattered' votes do count in
  the primary total the shares are computed on (as the FEC does).
- Party primary: the nominee is the runoff winner when a runoff was held, else the top vote-getter;
  ``Unopposed`` / convention marks (``*``, ``Winner``) make the marked candidate the nominee.
  Candidates marked ``#`` were put on the ballot after the primary (not primary candidates); an
  incumbent whose own primary cell is ``#`` or ``Withdrew`` did not seek renomination (NJ-1 2008
  Andrews ran for the Senate) and gets no row.
- No primary held / no primary cell (CT convention endorsements, the 2006 Texas court-ordered
  specials, fec20 where 'Unopposed' became NA, VA conventions): the nominee is the same-party
  candidate on the November ballot; an incumbent absent from it while a same-party candidate is on it
  lost the nomination (VA-5 2020 Riggleman lost the convention to Bob Good).
- Top-two (``constants.top_two_rule``: CA from 2012, WA from 2008): all candidates in one contest;
  lost = not in the top two; ``incumbent_share`` = ``incumbent_share_all`` = share of all votes;
  ``challenger_advanced`` = a same-party candidate took the other November slot.
- Louisiana (``constants.louisiana_jungle``): the November all-party election is the 'primary' and
  the December runoff its second round. lost = finished outside the top two without a majority
  (LA-5 2014 McAllister) or lost a December runoff to a candidate of the incumbent's own party
  (LA-3 2012 Landry vs Boustany). Losing to the other party is a general-election defeat, not a lost
  renomination. Rows are kept with ``primary_system_hint = 'louisiana-jungle'``; headline counts that
  compare with the usual lists of primary losers exclude them (see the tests).
- Incumbent-vs-incumbent (redistricting): both rows are kept, each naming the other.
- Unflagged incumbents: the FEC (I) flag misses a few sitting members (MI-7 2006 Schwarz, members
  who moved district: TX-32 2002 Sessions, FL-21 2010 Diaz-Balart, PA-2 2018 Boyle) and sits on a
  few former members in rematches (FL-26 2016 Garcia, NH-1 2016 Shea-Porter). With a ``sitting``
  frame (members of the Congress sitting during the primaries: cycle, state, fec_ids, name,
  bioguide_id; optional last_name/first_name/nickname/middle_name/party):
  * an (I)-flagged candidate who matches no sitting member of the state is dropped (reported in
    ``attrs['dropped_unsitting_flags']``); matching tolerates the FEC's typos ('Synder, Vic');
  * an unflagged D/R candidate is added (``incumbent_source = 'sitting-match'``) when matched
    strictly: FEC ID with the same surname (an ID is now and then printed on the wrong person), or
    name only for members without FEC IDs on file (so Gus Bilirakis is not taken for his father);
    never a member of the other party; not when an FEC footnote says the candidate won a special
    election; and, with ``prior_winners``, only if the candidate won the previous November election.
    A per-Congress roster also holds members elected in specials *after* the primary (VA-7 2014
    Brat, PA-2 2016 Evans, MI-13 2018 Brenda Jones ...): the prior-winner rule keeps them out, at
    the price of missing members elected in a special *before* the primary (LA-6 2008 Cazayoux,
    MD-7 2020 Mfume).
- Curated facts the files cannot give come from ``data/overrides/contests_overrides.csv`` and are
  flagged in ``override_fields``.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.constants import DELEGATE_STATES, RUNOFF_STATES, louisiana_jungle, top_two_rule
from features.kernel.errors import InputError
from features.kernel.paths import DATA_DIR

OVERRIDES_CSV = DATA_DIR / "overrides" / "contests_overrides.csv"
OVERRIDE_COLUMNS = ["cycle", "state", "district", "party", "incumbent", "field", "value", "source_url",
                    "reason"]

CONTEST_COLUMNS = [
    "cycle", "state", "district", "party", "incumbent", "fec_id", "bioguide_id", "primary_date",
    "primary_system_hint", "contested", "n_candidates", "incumbent_vs_incumbent", "other_incumbent",
    "special_election_member", "lost", "incumbent_share", "incumbent_share_all", "top_challenger",
    "top_challenger_party", "top_challenger_share", "went_to_runoff", "runoff_share",
    "challenger_advanced", "result_source", "source_row",
    # extras
    "nominee", "incumbent_source", "override_fields",
]
_BOOL = ["contested", "incumbent_vs_incumbent", "special_election_member", "lost", "went_to_runoff",
         "challenger_advanced"]
_NOT_PRIMARY = ("substituted",)              # '#': put on the ballot after the primary
_NOT_SEEKING = ("substituted", "withdrew")   # incumbent's own primary cell -> no renomination bid
_MARKED_WINNER = ("unopposed", "winner", "convention")
_CONVENTION_STATES = ("CT", "UT", "VA")       # party conventions may replace the primary


# ---------------------------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------------------------
def incumbent_contests(candidates: pd.DataFrame, cycle: int, sitting: pd.DataFrame | None = None,
                       prior_winners: pd.DataFrame | None = None,
                       overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per D/R House incumbent who sought renomination in ``cycle``.

    Parameters
    ----------
    candidates : the long table of ``load_fec_candidates`` (other cycles are ignored)
    cycle : election cycle
    sitting : optional members sitting in the Congress of that cycle's primaries
        (columns cycle, state, fec_ids (list or ';'-joined), name, bioguide_id); adds unflagged
        incumbents and fills ``bioguide_id``
    prior_winners : optional November winners of the previous cycle (``results_fec.general_winners``):
        an unflagged sitting member is added only if they won it, i.e. sat since January (members
        elected in a special election after the primary are in the Congress but were not incumbents
        in the primary: VA-7 2014 Brat, PA-2 2016 Evans ...)
    overrides : curated facts (default: ``data/overrides/contests_overrides.csv``); pass an empty
        frame to switch them off

    Returns
    -------
    DataFrame with the contest-rows contract columns (see docs/TEAM_NOTES.md) plus ``nominee``,
    ``incumbent_source`` ('fec-flag' / 'sitting-match') and ``override_fields``.
    """
    missing = [c for c in _NEEDED if c not in candidates.columns]
    if missing:
        raise InputError("candidates", "expected column missing", field=missing[0])
    cands = candidates[(candidates["cycle"] == cycle) & ~candidates["fusion_total"].astype(bool)
                       & ~candidates["state"].isin(DELEGATE_STATES)]
    if cands.empty:
        raise InputError("candidates", f"no candidate rows for cycle {cycle}", field="cycle")
    # plain Python objects: row-wise contest logic on DataFrames is ~20x slower
    cands = cands[_NEEDED].astype(object).where(cands[_NEEDED].notna(), None)
    # a '#'-marked name without any primary cell: put on the ballot after the primary (VA-5 2018
    # Riggleman after Garrett withdrew), not a primary candidate
    late = cands["name_footnote"].astype(bool) & cands["primary_status"].eq("none")
    cands.loc[late, "primary_status"] = "substituted"
    cands["_cand"] = _candidate_keys(cands)
    cands["_ballot_dr"] = cands["party"].isin(["D", "R"]) & ~cands["write_in"].astype(bool)

    flagged = cands["_ballot_dr"] & cands["incumbent_flag"].astype(bool)
    source = pd.Series(None, index=cands.index, dtype=object)
    source[flagged] = "fec-flag"
    bioguide = pd.Series(None, index=cands.index, dtype=object)
    dropped: list[str] = []
    if sitting is not None:
        m = _match_sitting(cands, sitting, cycle).reindex(cands.index)
        bioguide = m["bioguide_id"]
        matched_cands = set(cands.loc[m["member"].fillna(-1) >= 0, "_cand"])
        # (I) flags on people who were not sitting (2016 FL-26 Joe Garcia, NH-1 Carol Shea-Porter:
        # former members in a rematch) are dropped; rows without a usable name are kept
        bad = flagged & ~cands["_cand"].isin(matched_cands) & cands["name"].notna()
        dropped = [f"{r.state}-{r.district} {r.name}" for r in cands[bad].itertuples()]
        source[bad] = None
        flagged_members = set(m.loc[flagged & ~bad, "member"].dropna())
        add = (~flagged & m["strict"].fillna(False).astype(bool) & ~m["member"].isin(flagged_members)
               & ~cands["_cand"].isin(cands.loc[flagged & ~bad, "_cand"]))
        if add.any():
            add[add] = ~cands[add].apply(_special_after_primary, axis=1).astype(bool)
        if prior_winners is not None and add.any():
            add[add] = _is_prior_winner(cands[add], prior_winners)
        source[add] = "sitting-match"
    is_inc = source.notna() & ~cands["primary_status"].isin(_NOT_SEEKING)
    cands["_is_inc"] = cands["_cand"].isin(cands.loc[is_inc, "_cand"])

    rows = cands.to_dict("index")
    by_district: dict[tuple, list[dict]] = {}
    for r in rows.values():
        by_district.setdefault((r["state"], r["district"]), []).append(r)
    records = []
    for idx in cands.index[is_inc]:
        inc = rows[idx]
        district_rows = by_district[(inc["state"], inc["district"])]
        rec = _contest(inc, district_rows, cycle)
        rec["bioguide_id"] = bioguide.get(idx)
        rec["incumbent_source"] = source[idx]
        rec["special_election_member"] = _special_member(inc, district_rows)
        records.append(rec)
    out = pd.DataFrame.from_records(records, columns=[c for c in CONTEST_COLUMNS if c != "override_fields"])
    out["override_fields"] = None
    out = apply_overrides(out, overrides)
    out = _types(out).sort_values(["state", "district", "party", "incumbent"]).reset_index(drop=True)
    out.attrs["dropped_unsitting_flags"] = dropped
    return out


_NEEDED = ["cycle", "state", "district", "fec_id", "name", "party", "incumbent_flag", "primary_votes",
           "primary_pct", "runoff_votes", "general_votes", "source_file", "source_row", "write_in",
           "fusion_total", "primary_status", "runoff_status", "ge_runoff_votes", "ge_winner", "footnote",
           "name_footnote"]


# ---------------------------------------------------------------------------------------------
# one contest (rows are plain dicts; missing numbers are None)
# ---------------------------------------------------------------------------------------------
def _contest(inc: dict, rows: list[dict], cycle: int) -> dict:
    state = inc["state"]
    rec = {
        "cycle": cycle, "state": state, "district": int(inc["district"]), "party": inc["party"],
        "incumbent": inc["name"], "fec_id": inc["fec_id"], "primary_date": pd.NaT,
        "primary_system_hint": None, "result_source": _result_source(inc),
        "source_row": f"{inc['source_file']}:{inc['source_row']}",
        "went_to_runoff": False, "runoff_share": None, "challenger_advanced": None,
        "incumbent_share_all": None, "other_incumbent": None,
    }
    if louisiana_jungle(state, cycle):
        rec.update(_jungle(inc, rows))
        rec["primary_system_hint"] = "louisiana-jungle"
    elif top_two_rule(state, cycle):
        rec.update(_top_two(inc, rows))
        rec["primary_system_hint"] = top_two_rule(state, cycle)
    else:
        rec.update(_party_primary(inc, rows))
    return rec


def _is_num(x) -> bool:
    return x is not None and not (isinstance(x, float) and np.isnan(x))


def _total(rows: list[dict], col: str):
    vals = [r[col] for r in rows if _is_num(r[col])]
    return float(sum(vals)) if vals else None


def _argmax(rows: list[dict], col: str) -> dict | None:
    with_votes = [r for r in rows if _is_num(r[col])]
    return max(with_votes, key=lambda r: r[col]) if with_votes else None


def _others(inc: dict, contest: list[dict]) -> list[dict]:
    """Ballot candidates in the contest other than the incumbent (write-in lines excluded)."""
    return [r for r in contest if not r["write_in"] and r["_cand"] != inc["_cand"]]


def _common(inc: dict, contest: list[dict]) -> dict:
    others = _others(inc, contest)
    other_inc = list(dict.fromkeys(str(r["name"]) for r in others if r["_is_inc"]))
    return {"contested": bool(others),
            "n_candidates": len({r["_cand"] for r in contest if not r["write_in"]}),
            "incumbent_vs_incumbent": bool(other_inc),
            "other_incumbent": "; ".join(other_inc) if other_inc else None}


def _party_primary(inc: dict, rows: list[dict]) -> dict:
    contest = [r for r in rows if r["party"] == inc["party"] and r["primary_status"] not in _NOT_PRIMARY]
    if inc["primary_status"] == "unopposed":
        # the FEC says nobody opposed the incumbent: a same-party name without votes was put on the
        # November ballot later (VA-2 2004 Drake for Schrock, FL-16 2006 Negron for Foley)
        contest = [r for r in contest if r["_cand"] == inc["_cand"] or _is_num(r["primary_votes"])]
    ballot = [r for r in contest if not r["write_in"]]
    rec = _common(inc, contest)
    total = _total(contest, "primary_votes")
    status = inc["primary_status"]
    if inc["state"] in RUNOFF_STATES:
        rec["primary_system_hint"] = "runoff"
    if status == "convention" or (status in ("winner", "none") and total is None and (
            inc["state"] in _CONVENTION_STATES or "convention" in str(inc["footnote"] or "").lower())):
        rec["primary_system_hint"] = "convention"

    runoff = [r for r in contest if _is_num(r["runoff_votes"]) or r["runoff_status"] == "winner"]
    marked = [r for r in ballot if r["primary_status"] in _MARKED_WINNER and not _is_num(r["primary_votes"])]
    if runoff:
        winners = [r for r in runoff if r["runoff_status"] == "winner"]
        nominee = winners[0] if winners else _argmax(runoff, "runoff_votes")
        in_runoff = inc["_cand"] in {r["_cand"] for r in runoff}
        rec["went_to_runoff"] = in_runoff
        rtot = _total(runoff, "runoff_votes")
        mine = _total([r for r in runoff if r["_cand"] == inc["_cand"]], "runoff_votes")
        if in_runoff and mine is not None and rtot:
            rec["runoff_share"] = mine / rtot
        if inc["state"] not in RUNOFF_STATES:
            rec["primary_system_hint"] = "convention"     # Iowa: nobody >= 35% -> district convention
    elif _is_num(inc["primary_votes"]):
        nominee = _argmax(contest, "primary_votes")
    elif status == "loser":
        nominee = next((r for r in ballot if r["primary_status"] in _MARKED_WINNER), None)
    elif status in _MARKED_WINNER:
        nominee = inc
    elif total is not None:
        # the incumbent has no primary cell but same-party rivals have votes: the file says no more
        raise InputError(inc["source_file"], "incumbent has no primary result while same-party rivals "
                         "have votes", row=int(inc["source_row"]), field="primary_votes")
    elif marked:
        nominee = marked[0]
    else:
        nominee = _general_nominee(inc, contest)

    lost = status == "loser" or (nominee is not None and nominee["_cand"] != inc["_cand"])
    rec["lost"] = lost
    rec["nominee"] = None if nominee is None else nominee["name"]
    # share of the first round of the party primary; never invented when the file prints no votes
    if _is_num(inc["primary_votes"]) and total:
        rec["incumbent_share"] = inc["primary_votes"] / total
    elif _is_num(inc["primary_pct"]):
        rec["incumbent_share"] = float(inc["primary_pct"])
    else:
        rec["incumbent_share"] = None
    rec.update(_top_challenger(_others(inc, contest), total, nominee if lost else None, "primary_votes"))
    return rec


def _general_nominee(inc: dict, contest: list[dict]) -> dict:
    """No primary result anywhere in the contest: the nominee is the same-party ballot candidate on
    the November ballot (general votes or GE winner); if nobody is, the incumbent (unopposed)."""
    on_ballot = [r for r in contest if not r["write_in"] and (_is_num(r["general_votes"]) or r["ge_winner"])]
    if not on_ballot or inc["_cand"] in {r["_cand"] for r in on_ballot}:
        return inc
    return max(on_ballot, key=lambda r: r["general_votes"] if _is_num(r["general_votes"]) else -1)


def _top_challenger(others: list[dict], total, nominee: dict | None, col: str) -> dict:
    out = {"top_challenger": None, "top_challenger_party": None, "top_challenger_share": None}
    if not others:
        return out
    top = _argmax(others, col)
    if top is not None:
        if total:
            out["top_challenger_share"] = top[col] / total
    else:
        top = nominee if nominee is not None else others[0]
    out["top_challenger"] = top["name"]
    out["top_challenger_party"] = top["party"]
    return out


def _top_two(inc: dict, rows: list[dict]) -> dict:
    contest = [r for r in rows if r["primary_status"] not in _NOT_PRIMARY]
    rec = _common(inc, contest)
    total = _total(contest, "primary_votes")
    ranked, seen = [], set()
    for r in sorted((r for r in contest if _is_num(r["primary_votes"])), key=lambda r: -r["primary_votes"]):
        if r["_cand"] not in seen:
            seen.add(r["_cand"])
            ranked.append(r)
    top2 = ranked[:2]
    # no vote printed for the incumbent (not seen in CA/WA): nothing says the incumbent failed
    advanced = not _is_num(inc["primary_votes"]) or inc["_cand"] in {r["_cand"] for r in top2}
    rec["lost"] = not advanced
    rec["challenger_advanced"] = any(r["party"] == inc["party"] for r in top2 if r["_cand"] != inc["_cand"])
    rec["nominee"] = inc["name"] if advanced else "; ".join(str(r["name"]) for r in top2)
    share = inc["primary_votes"] / total if _is_num(inc["primary_votes"]) and total else None
    rec["incumbent_share"] = rec["incumbent_share_all"] = share
    rec.update(_top_challenger(_others(inc, contest), total, None, "primary_votes"))
    return rec


def _jungle(inc: dict, rows: list[dict]) -> dict:
    contest = rows
    rec = _common(inc, contest)
    rec["challenger_advanced"] = False
    total = _total(contest, "general_votes")
    mine = inc["general_votes"]
    share = mine / total if _is_num(mine) and total else None
    rec["incumbent_share"] = rec["incumbent_share_all"] = share
    rec.update(_top_challenger(_others(inc, contest), total, None, "general_votes"))
    runoff = [r for r in contest if _is_num(r["ge_runoff_votes"])]
    if total is None:
        rec.update(lost=False, nominee=inc["name"])        # unopposed: no November vote printed
    elif share is not None and share > 0.5:
        rec.update(lost=False, nominee=inc["name"])
    elif not runoff:
        rec.update(lost=None, nominee=None)                # no December result in the file
    elif inc["_cand"] not in {r["_cand"] for r in runoff}:
        rec.update(lost=True, nominee="; ".join(str(r["name"]) for r in runoff))
    else:
        rec["went_to_runoff"] = True
        rtot = _total(runoff, "ge_runoff_votes")
        rec["runoff_share"] = inc["ge_runoff_votes"] / rtot if rtot else None
        winner = _argmax(runoff, "ge_runoff_votes")
        same_party = any(r["party"] == inc["party"] for r in runoff if r["_cand"] != inc["_cand"])
        rec["challenger_advanced"] = same_party
        rec["lost"] = winner["_cand"] != inc["_cand"] and same_party
        rec["nominee"] = winner["name"] if same_party else inc["name"]
    return rec


# ---------------------------------------------------------------------------------------------
# incumbents missing the (I) flag
# ---------------------------------------------------------------------------------------------
def _norm(text) -> str:
    text = "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c))
    return re.sub(r"[^A-Z ]", "", text.upper().replace("-", " ")).strip()


_SUFFIX = {"JR", "SR", "II", "III", "IV"}


def _split_name(name) -> tuple[str, set[str]]:
    """'Schwarz, Joe' / 'SCHWARZ, John J. H. (Joe)' / 'Joe Schwarz' -> ('SCHWARZ', {'JOE', 'JOHN', ...})."""
    if not isinstance(name, str) or not name.strip():
        return "", set()
    nick = set(_norm(n) for n in re.findall(r"[(\"“]([^)\"”]+)[)\"”]", name))
    plain = re.sub(r"[(\"“][^)\"”]*[)\"”]", " ", name)
    if "," in plain:
        last, rest = plain.split(",", 1)
    else:
        parts = [p for p in plain.split() if _norm(p) not in _SUFFIX]
        last, rest = (parts[-1], " ".join(parts[:-1])) if parts else ("", "")
    firsts = {t for t in _norm(rest).split() if t not in _SUFFIX and len(t) > 1} | nick
    return _norm(last).replace(" ", ""), firsts


def _fec_id_list(value) -> list[str]:
    if isinstance(value, (list, tuple, set, np.ndarray)):
        items = list(value)
    elif isinstance(value, str):
        items = re.split(r"[;,|\s]+", value)
    else:
        items = []
    return [str(i).strip().upper() for i in items if str(i).strip()]


def _last_tokens(last: str) -> set[str]:
    return {t for t in re.split(r"[ ]+", last) if len(t) > 1}


def _member_index(sitting: pd.DataFrame, cycle: int) -> list[dict]:
    need = ["state", "name"]
    missing = [c for c in need if c not in sitting.columns]
    if missing:
        raise InputError("sitting", "expected column missing", field=missing[0])
    sit = sitting if "cycle" not in sitting.columns else sitting[sitting["cycle"] == cycle]
    members = []
    for s in sit.to_dict("records"):
        last, firsts = _split_name(s.get("name"))
        lasts = {last}
        if isinstance(s.get("last_name"), str):
            lasts = {_norm(s["last_name"]).replace(" ", "")} | _last_tokens(_norm(s["last_name"]))
        for col in ("first_name", "nickname", "middle_name"):
            if isinstance(s.get(col), str):
                firsts |= {t for t in _norm(s[col]).split() if len(t) > 1}
        party = s.get("party") if isinstance(s.get("party"), str) else None
        members.append({"state": s["state"], "ids": set(_fec_id_list(s.get("fec_ids"))), "lasts": lasts,
                        "firsts": firsts, "party": party, "bioguide_id": s.get("bioguide_id")})
    return members


def _cand_names(name) -> tuple[set[str], set[str]]:
    """Candidate 'Beutler, Jaime Herrera' -> last tokens {'BEUTLER'} plus all tokens (compound
    surnames are split differently across sources)."""
    if not isinstance(name, str) or not name.strip():
        return set(), set()
    last, firsts = _split_name(name)
    return {last} | _last_tokens(_norm(name.split(",")[0])), firsts


def _first_ok(a: set[str], b: set[str], fuzzy: bool = False) -> bool:
    """First names agree: a shared token, a prefix ('Chris'/'Christopher'), or (fuzzy) a near match
    ('Jamie'/'Jaime')."""
    for x in a:
        for y in b:
            if x == y or (min(len(x), len(y)) >= 3 and (x.startswith(y) or y.startswith(x))):
                return True
            if fuzzy and SequenceMatcher(None, x, y).ratio() >= 0.75:
                return True
    return False


def _last_ok(a: set[str], b: set[str], fuzzy: bool = False) -> bool:
    if a & b:
        return True
    return fuzzy and any(SequenceMatcher(None, x, y).ratio() >= 0.8 for x in a for y in b if x and y)


def _match_sitting(cands: pd.DataFrame, sitting: pd.DataFrame, cycle: int) -> pd.DataFrame:
    """Match D/R ballot rows to sitting members of the same state.

    Returns a frame indexed like the D/R ballot rows of ``cands`` with ``member`` (position in the
    member list or -1), ``strict`` (good enough to add an unflagged incumbent) and ``bioguide_id``.
    Confirming an (I) flag is lenient (FEC ID, or a surname and first name that agree allowing the
    typos of the FEC files: 'Synder, Vic', 'Gallegy, Elton'); adding an unflagged member is strict
    (FEC ID with the same surname; by name only for members without FEC IDs on file, so that Gus
    Bilirakis is not taken for his father); a member of the other party is never added.
    """
    members = _member_index(sitting, cycle)
    by_state: dict[str, list[int]] = {}
    for i, m in enumerate(members):
        by_state.setdefault(m["state"], []).append(i)
    out = {"member": [], "strict": [], "bioguide_id": []}
    index = []
    for idx, row in cands[cands["_ballot_dr"]].iterrows():
        lasts, firsts = _cand_names(row["name"])
        fid = row["fec_id"] if isinstance(row["fec_id"], str) else None
        hit, strict = -1, False
        pool = by_state.get(row["state"], [])
        for i in pool:                                    # 1. FEC ID
            if fid and fid in members[i]["ids"]:
                hit, strict = i, _last_ok(members[i]["lasts"], lasts | firsts)
                break
        if hit < 0:
            for i in pool:                                # 2. exact surname + first name
                m = members[i]
                if _last_ok(m["lasts"], lasts) and _first_ok(m["firsts"], firsts):
                    hit, strict = i, not m["ids"]
                    break
        if hit < 0 and row["incumbent_flag"]:
            for i in pool:                                # 3. near surname + first name (confirm only)
                m = members[i]
                if lasts and _last_ok(m["lasts"], lasts, fuzzy=True) and _first_ok(m["firsts"], firsts, True):
                    hit = i
                    break
        if hit >= 0 and members[hit]["party"] and members[hit]["party"] != row["party"]:
            strict = False
        index.append(idx)
        out["member"].append(hit)
        out["strict"].append(strict)
        out["bioguide_id"].append(members[hit]["bioguide_id"] if hit >= 0 else None)
    return pd.DataFrame(out, index=index)


def _is_prior_winner(cands: pd.DataFrame, prior: pd.DataFrame) -> pd.Series:
    """Candidate won the previous regular November election (by FEC ID; by state + surname + first
    name when either side has no ID)."""
    ids = set(prior["fec_id"].dropna().astype(str))
    names = {}
    for r in prior.to_dict("records"):
        lasts, firsts = _cand_names(r["name"])
        names.setdefault(r["state"], []).append((lasts, firsts, r["fec_id"]))
    def one(row) -> bool:
        fid = row["fec_id"] if isinstance(row["fec_id"], str) else None
        if fid and fid in ids:
            return True
        lasts, firsts = _cand_names(row["name"])
        return any((pl & lasts) and (pf & firsts) and (fid is None or not isinstance(pid, str))
                   for pl, pf, pid in names.get(row["state"], []))
    return cands.apply(one, axis=1).astype(bool)


_SPECIAL_AFTER = re.compile(r"elected in a special (general )?election", re.I)


def _special_after_primary(row: pd.Series) -> bool:
    """An FEC footnote says the candidate was elected in a special election (MD-4 2008 Edwards,
    MS-1 2008 Childers: after the primary). Used only to keep such candidates from being *added*
    as unflagged incumbents; flagged ones (AZ-8 2018 Lesko, special before the primary) stay."""
    note = row.get("footnote")
    if not isinstance(note, str) or not _SPECIAL_AFTER.search(note):
        return False
    name = str(row.get("name") or "").split(",")[0].strip()
    return bool(name) and name.lower() in note.lower()


def _special_member(inc: dict, rows: list[dict]) -> bool:
    """The FEC footnote on the member's rows says they won a special election this Congress."""
    notes = [str(r["footnote"]) for r in rows if r["_cand"] == inc["_cand"] and r["footnote"]]
    last = str(inc["name"]).split(",")[0].strip().lower()
    return any(_SPECIAL_AFTER.search(n) and last in n.lower() for n in notes)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _candidate_keys(df: pd.DataFrame) -> pd.Series:
    last = (df["name"].fillna("").map(lambda n: _norm(str(n).split(",")[0])).str.replace(" ", ""))
    key = df["state"] + "|" + df["district"].astype(str) + "|" + df["fec_id"].fillna("") + "|" + last
    return key.where(df["fec_id"].notna(), "row|" + df["source_row"].astype(str))


def _result_source(inc: dict) -> str:
    if str(inc["source_file"]).startswith("fec20"):
        return "fec20"
    return f"fec-{int(inc['cycle'])}-workbook"


_STR = ["state", "party", "incumbent", "fec_id", "bioguide_id", "primary_system_hint", "other_incumbent",
        "top_challenger", "top_challenger_party", "result_source", "source_row", "nominee",
        "incumbent_source", "override_fields"]


def _types(out: pd.DataFrame) -> pd.DataFrame:
    out = out.copy()
    for col in _STR:
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    for col in _BOOL:
        out[col] = out[col].astype("boolean")
    for col in ("incumbent_share", "incumbent_share_all", "top_challenger_share", "runoff_share"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["n_candidates"] = out["n_candidates"].astype("Int64")
    out["cycle"] = out["cycle"].astype(int)
    out["district"] = out["district"].astype(int)
    out["primary_date"] = pd.to_datetime(out["primary_date"]).astype("datetime64[ns]")
    return out


# ---------------------------------------------------------------------------------------------
# curated overrides
# ---------------------------------------------------------------------------------------------
def load_overrides(path: Path = OVERRIDES_CSV) -> pd.DataFrame:
    """Read the curated overrides (one fact per row, with a source URL and a reason)."""
    path = Path(path)
    if not path.is_file():
        return pd.DataFrame(columns=OVERRIDE_COLUMNS)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in OVERRIDE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(path, "expected column missing", field=missing[0])
    for i, r in df.iterrows():
        if not r["source_url"].startswith("http"):
            raise InputError(path, "every override needs a source URL", row=i + 1, field="source_url")
        if r["field"] not in CONTEST_COLUMNS:
            raise InputError(path, f"unknown field {r['field']!r}", row=i + 1, field="field")
    return df


def apply_overrides(rows: pd.DataFrame, overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Apply curated facts to the matching contest row and list the overridden fields in
    ``override_fields``. A row is matched on (cycle, state, district, party, incumbent) as produced
    from the source (an empty ``incumbent`` matches a row whose name the source does not give); all
    matches are resolved before any value changes. An override for this cycle matching no row is an
    error (the source changed: review the override)."""
    ov = load_overrides() if overrides is None else overrides
    if ov is None or ov.empty or rows.empty:
        return rows
    rows = rows.copy()
    cycle = int(rows["cycle"].iloc[0])
    plan = []
    for i, r in ov.reset_index(drop=True).iterrows():
        if int(r["cycle"]) != cycle:
            continue
        name = str(r["incumbent"]).strip()
        who = rows["incumbent"].isna() if name == "" else rows["incumbent"].eq(name)
        hit = ((rows["state"] == r["state"]) & (rows["district"] == int(r["district"]))
               & (rows["party"] == r["party"]) & who)
        if not hit.any():
            raise InputError(OVERRIDES_CSV, "override matches no contest row", row=i + 1, field="incumbent")
        plan.append((hit, r["field"], r["value"]))
    for hit, field, value in plan:
        if field in _BOOL:
            value = {"true": True, "false": False, "": None}[str(value).strip().lower()]
        elif field in ("incumbent_share", "incumbent_share_all", "top_challenger_share", "runoff_share"):
            value = float(value) if value != "" else np.nan
        rows.loc[hit, field] = value
        prev = rows.loc[hit, "override_fields"]
        rows.loc[hit, "override_fields"] = [field if p is None or p != p else f"{p};{field}" for p in prev]
    return rows
