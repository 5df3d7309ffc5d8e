"""Members of Congress: who they are, when they sat in the House, and matching contest rows to them.

Sources (all under the raw folder):
- ``congress-legislators/legislators-current.csv`` / ``legislators-historical.csv``: one row per person
  (names, birthday, gender, FEC ids); ``legislators-current.yaml``: every term and leadership role of
  members sitting in mid-2026 (snapshot dated 2026-06-15); the 2025-01-04 snapshot in
  ``curated-2024-primaries/raw`` adds the 119th-Congress terms of members who left before then.
- ``fivethirtyeight/congress-demographics/data_aging_congress.csv``: one row per member per Congress,
  66th-118th (as of 2023-03-29), voting members only; no districts.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from features.kernel.constants import DELEGATE_STATES, STATES, congress_for_cycle
from features.kernel.errors import InputError
from features.kernel.names import fix_mojibake, names_match
from features.kernel.rawio import parse_date, read_csv, require_file

CURRENT_CSV = "congress-legislators/legislators-current.csv"
HISTORICAL_CSV = "congress-legislators/legislators-historical.csv"
CURRENT_YAML = "congress-legislators/legislators-current.yaml"
AGING_CSV = "fivethirtyeight/congress-demographics/data_aging_congress.csv"
# Roster at the start of the 119th Congress (optional): members who left before the 2026-06-15 snapshot.
START_119_YAML = ("curated-2024-primaries/raw/"
                  "congress-legislators_legislators-current_d266ff11_2025-01-04.yaml.gz")

STRONG_MATCH = 0.85      # names_match score for a confident same-person match
FUZZY_MATCH = 0.5        # surname agrees; given name differs or missing
PARTY_CODES = {100: "D", 200: "R"}
YAML_PARTY = {"Democrat": "D", "Republican": "R", "Democratic-Farmer-Labor": "D"}


def congress_of_date(date) -> int:
    """The Congress in session on a date (a term starting 2023-01-03 -> 118; 2023-11-13 -> 118)."""
    d = pd.Timestamp(date)
    c = (d.year - 1789) // 2 + 1
    if d.year % 2 == 1 and (d.month, d.day) < (1, 3):   # 1-2 January of an odd year: previous Congress
        c -= 1
    return c


def congress_start(congress: int) -> pd.Timestamp:
    """Nominal first day of a Congress (3 January of the odd year, 74th Congress on)."""
    return pd.Timestamp(year=1789 + 2 * (congress - 1), month=1, day=3)


# --------------------------------------------------------------------------------------------------
# people


def _split_ids(s) -> list[str]:
    if s is None or (not isinstance(s, str) and pd.isna(s)):
        return []
    return [x.strip() for x in str(s).split(",") if x.strip()]


def _stamp(raw: Path, *rels: str) -> tuple[str, tuple[float, ...]]:
    """Cache key: the raw folder and the modification times of the files read."""
    return str(Path(raw).resolve()), tuple(require_file(raw, r).stat().st_mtime for r in rels)


def load_people(raw: Path) -> pd.DataFrame:
    """One row per person ever in Congress (current first).

    Returns
    -------
    DataFrame [bioguide_id, first, middle, last, suffix, nickname, full_name, birthday (datetime),
    gender ('M'/'F'), fec_ids (list of str), current (bool)]
    """
    return _load_people(*_stamp(raw, CURRENT_CSV, HISTORICAL_CSV)).copy()


@lru_cache(maxsize=2)
def _load_people(root: str, _mtimes: tuple) -> pd.DataFrame:
    raw = Path(root)
    cols = ["bioguide_id", "first_name", "middle_name", "last_name", "suffix", "nickname", "full_name",
            "birthday", "gender", "fec_ids"]
    frames = []
    for rel, current in ((CURRENT_CSV, True), (HISTORICAL_CSV, False)):
        df = read_csv(raw, rel, required=cols, dtype=str, keep_default_na=False, na_values=[""])
        path = Path(raw) / rel
        if df["bioguide_id"].isna().any():
            i = int(np.flatnonzero(df["bioguide_id"].isna())[0])
            raise InputError(path, "missing bioguide id", row=i + 1, field="bioguide_id")
        out = pd.DataFrame({
            "bioguide_id": df["bioguide_id"].str.strip(),
            "first": df["first_name"].map(fix_mojibake),
            "middle": df["middle_name"].map(fix_mojibake),
            "last": df["last_name"].map(fix_mojibake),
            "suffix": df["suffix"],
            "nickname": df["nickname"].map(fix_mojibake),
            "full_name": df["full_name"].map(fix_mojibake),
            "birthday": parse_date(df["birthday"], path, "birthday", fmt="%Y-%m-%d"),
            "gender": df["gender"],
            "fec_ids": df["fec_ids"].map(_split_ids),
            "current": current,
        })
        frames.append(out)
    people = pd.concat(frames, ignore_index=True)
    dup = people["bioguide_id"].duplicated(keep="first")
    return people.loc[~dup].reset_index(drop=True)


@lru_cache(maxsize=4)
def _read_yaml(path: str, mtime: float) -> dict[str, dict]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            recs = yaml.load(fh, Loader=loader)
    except yaml.YAMLError as exc:
        raise InputError(path, f"cannot parse yaml: {exc}") from exc
    out: dict[str, dict] = {}
    for i, rec in enumerate(recs):
        try:
            out[rec["id"]["bioguide"]] = rec
        except (KeyError, TypeError) as exc:
            raise InputError(path, "entry without id.bioguide", row=i + 1, field="id.bioguide") from exc
    return out


def _yaml_people(raw: Path) -> dict[str, dict]:
    """bioguide -> legislators-current.yaml record (members sitting in mid-2026, all their terms)."""
    path = require_file(raw, CURRENT_YAML)
    return _read_yaml(str(path), path.stat().st_mtime)


@lru_cache(maxsize=4)
def _aging(path: str, mtime: float) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"bioguide_id": str})
    return df


def _load_aging(raw: Path) -> pd.DataFrame:
    path = require_file(raw, AGING_CSV)
    df = _aging(str(path), path.stat().st_mtime)
    need = ["congress", "start_date", "chamber", "state_abbrev", "party_code", "bioname", "bioguide_id",
            "birthday"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError(path, "expected column missing (header changed?)", field=missing[0])
    return df


# --------------------------------------------------------------------------------------------------
# House service


def house_service(raw: Path) -> pd.DataFrame:
    """One row per (bioguide_id, congress) of House service.

    538's per-Congress rows (66th-118th as of March 2023) plus the House terms of members sitting in
    mid-2026 from legislators-current.yaml, which add the 119th Congress, districts, exact term starts
    (special elections) and members who joined the 118th after March 2023; plus the 119th terms of members
    on the January 2025 roster (curated-2024-primaries/raw) who left before mid-2026 (e.g. David Scott,
    GA-13). Former members who arrived in the 118th after March 2023 and left before 2025 (e.g. Erica Lee
    Carter) are missing.
    Delegates appear only through the yaml.

    Returns
    -------
    DataFrame [bioguide_id, congress, state, district (Int64, NA if unknown), party ('D'/'R'/other/NA),
    start_date (the member's first day in that Congress: Congress start unless the yaml gives a later
    term start, e.g. a special election), bioname, source]
    """
    return _house_service(*_stamp(raw, AGING_CSV, CURRENT_YAML)).copy()


@lru_cache(maxsize=2)
def _house_service(root: str, _mtimes: tuple) -> pd.DataFrame:
    raw = Path(root)
    ag = _load_aging(raw)
    ag = ag[ag["chamber"] == "House"]
    a = pd.DataFrame({
        "bioguide_id": ag["bioguide_id"].astype("string"),
        "congress": ag["congress"].astype(int),
        "state": ag["state_abbrev"].astype("string"),
        "party_538": ag["party_code"].map(PARTY_CODES).fillna(ag["party_code"].astype(str)),
        "start_538": pd.to_datetime(ag["start_date"]),
        "bioname": ag["bioname"].astype("string"),
    })
    rows = []
    records = list(_yaml_people(raw).items())
    start119 = Path(raw) / START_119_YAML
    if start119.is_file():                       # 119th-Congress terms of members gone by mid-2026
        current = _yaml_people(raw)
        records += [(b, {"terms": [t for t in rec.get("terms", []) if t.get("start", "") >= "2025-01-03"]})
                    for b, rec in _read_yaml(str(start119), start119.stat().st_mtime).items()
                    if b not in current]
    for bid, rec in records:
        for t in rec.get("terms", []):
            if t.get("type") != "rep":
                continue
            start = pd.Timestamp(t["start"])
            rows.append({"bioguide_id": bid, "congress": congress_of_date(start), "state_y": t.get("state"),
                         "district": t.get("district"), "party_y": YAML_PARTY.get(t.get("party"), t.get("party")),
                         "start_y": start})
    y = pd.DataFrame(rows).drop_duplicates(["bioguide_id", "congress"], keep="first")
    y["bioguide_id"] = y["bioguide_id"].astype("string")
    m = a.merge(y, on=["bioguide_id", "congress"], how="outer", indicator=True)
    out = pd.DataFrame({
        "bioguide_id": m["bioguide_id"],
        "congress": m["congress"].astype(int),
        "state": m["state"].fillna(m["state_y"]).astype("string"),
        "district": pd.array(m["district"], dtype="Int64"),
        "party": m["party_538"].fillna(m["party_y"]).astype("string"),
        "start_date": m["start_y"].where(m["start_y"].notna(), m["start_538"]),
        "bioname": m["bioname"].astype("string"),
        "source": m["_merge"].map({"left_only": "538-aging", "right_only": "yaml",
                                   "both": "538-aging+yaml"}).astype("string"),
    })
    cs = out["congress"].map(congress_start)
    out["start_date"] = out["start_date"].fillna(cs).where(lambda s: s >= cs, cs)
    return out.sort_values(["bioguide_id", "congress"]).reset_index(drop=True)


def _display_name(p: pd.Series) -> str:
    first = p["nickname"] if isinstance(p["nickname"], str) else p["first"]
    name = f"{first} {p['last']}"
    if isinstance(p["suffix"], str):
        name += f" {p['suffix']}"
    return name


def sitting_members(raw: Path, cycle: int, *, people: pd.DataFrame | None = None,
                    service: pd.DataFrame | None = None) -> pd.DataFrame:
    """Voting House members who sat at any time in the Congress in session during ``cycle``'s primaries.

    Includes members who left or arrived (special elections) during that Congress, so a few of them
    were not sitting on a given primary date. Catches incumbents the FEC (I) flag misses, e.g.
    Joe Schwarz (MI-7) in 2006.

    Returns
    -------
    DataFrame [cycle, bioguide_id, state, district (Int64, NA unless the yaml has it), name,
    fec_ids (';'-joined str), party]
    """
    people = load_people(raw) if people is None else people
    service = house_service(raw) if service is None else service
    c = congress_for_cycle(cycle)
    s = service[(service["congress"] == c) & service["state"].isin(list(STATES))
                & ~service["state"].isin(list(DELEGATE_STATES))]
    s = s.merge(people, on="bioguide_id", how="left")
    names = [(_display_name(r) if isinstance(r["last"], str) else r["bioname"]) for _, r in s.iterrows()]
    return pd.DataFrame({
        "cycle": cycle,
        "bioguide_id": s["bioguide_id"].to_numpy(),
        "state": s["state"].to_numpy(),
        "district": pd.array(s["district"], dtype="Int64"),
        "name": pd.array(names, dtype="string"),
        "fec_ids": [";".join(x) if isinstance(x, list) else "" for x in s["fec_ids"]],
        "party": s["party"].to_numpy(),
    }).reset_index(drop=True)


def member_fec_ids(raw: Path) -> dict[str, dict[int, pd.Timestamp]]:
    """FEC candidate ID -> {Congress: the holder's first day in it} for every member, either chamber,
    whose IDs congress-legislators lists (current and historical members).

    Days come from the current yaml's terms where it has them (exact: special elections, e.g. Dwight
    Evans from 2016-11-14 in the 114th) and from 538's per-Congress rows otherwise (the Congress's
    first day).  Used to tell a sitting member's House committee from a challenger's
    (``features.evidence.money.race_money``).
    """
    people = load_people(raw)
    ag = _load_aging(raw)
    days: dict[str, dict[int, pd.Timestamp]] = {}
    for bid, c, start in zip(ag["bioguide_id"].astype(str), ag["congress"].astype(int),
                             pd.to_datetime(ag["start_date"])):
        days.setdefault(bid, {})[c] = start
    for bid, rec in _yaml_people(raw).items():
        exact: dict[int, pd.Timestamp] = {}
        for t in rec.get("terms", []):
            if t.get("start"):
                start = pd.Timestamp(t["start"])
                c = congress_of_date(start)
                exact[c] = min(exact.get(c, start), start)
        days.setdefault(bid, {}).update(exact)
    out: dict[str, dict[int, pd.Timestamp]] = {}
    for bid, ids in zip(people["bioguide_id"], people["fec_ids"]):
        if bid in days and isinstance(ids, list):
            for f in ids:
                out[f.strip().upper()] = days[bid]
    return out


# --------------------------------------------------------------------------------------------------
# matching contest rows to bioguide ids


def _aliases(p, bioname) -> list[str]:
    """Name spellings of one member: 'Last, First Middle', 'Last, Nickname', full name, 538 bioname."""
    out = []
    if p is not None and isinstance(p.last, str):
        mid = f" {p.middle}" if isinstance(p.middle, str) else ""
        for x in (p.first, p.nickname):
            if isinstance(x, str):
                out.append(f"{p.last}, {x}{mid}")
        if isinstance(p.full_name, str):
            out.append(p.full_name)
    if isinstance(bioname, str):
        out.append(bioname)
    return out


class _Matcher:
    """Indexes people and service once; scores a row against members sitting in a Congress."""

    def __init__(self, raw: Path):
        self.people = load_people(raw)
        self.service = house_service(raw)
        self.fec = {}
        for bid, ids in zip(self.people["bioguide_id"], self.people["fec_ids"]):
            for f in ids:
                self.fec.setdefault(f.upper(), set()).add(bid)
        # name spellings per bioguide, built on first use
        self._people_rows = {p.bioguide_id: p for p in self.people.itertuples(index=False)}
        self._bionames = self.service.dropna(subset=["bioname"]).drop_duplicates("bioguide_id").set_index(
            "bioguide_id")["bioname"].to_dict()
        self.aliases: dict[str, list[str]] = {}
        self._sitting = {c: g for c, g in self.service.groupby("congress")}

    def candidates(self, congress: int, state: str) -> pd.DataFrame:
        g = self._sitting.get(congress)
        if g is None:
            return self.service.iloc[0:0]
        return g[g["state"] == state]

    def score(self, name: str, bid: str) -> float:
        if bid not in self.aliases:
            self.aliases[bid] = _aliases(self._people_rows.get(bid), self._bionames.get(bid))
        return max((names_match(name, a) for a in self.aliases[bid]), default=0.0)

    def best(self, name: str, party, cands: pd.DataFrame) -> tuple[str | None, float, bool]:
        """Best bioguide among ``cands`` for ``name``: (id, score, unique)."""
        scored = []
        for bid, cparty in zip(cands["bioguide_id"], cands["party"]):
            sc = self.score(name, bid)
            if sc > 0:
                bonus = 0.001 if isinstance(party, str) and cparty == party else 0.0
                scored.append((sc + bonus, sc, bid))
        if not scored:
            return None, 0.0, False
        scored.sort(reverse=True)
        top = scored[0]
        unique = len(scored) == 1 or scored[1][0] < top[0]
        return top[2], top[1], unique


def match_bioguide(rows: pd.DataFrame, raw: Path) -> pd.DataFrame:
    """Fill ``bioguide_id`` on contest rows and say how each was found.

    Parameters
    ----------
    rows : DataFrame with cycle, state, party, incumbent (name), and optionally fec_id, bioguide_id
    raw : raw-data folder

    Returns
    -------
    Copy of ``rows`` with ``bioguide_id`` filled where possible, ``match_method`` in {'given', 'fec_id',
    'name+state+congress', 'fuzzy', 'unmatched'} and ``match_score`` (names_match score; 1 for given/fec)
    and ``sitting_in_congress`` (the member has House service in the Congress in session during the
    cycle: False exposes a wrongly flagged former member, e.g. the FEC's 2016 "(I)" on Joe Garcia FL-26
    and Carol Shea-Porter NH-1).
    'fuzzy' = same surname (or close) and the only such member of that party in the state's delegation,
    or a confident name match in the adjacent Congress (member missing from the sitting Congress's
    data, e.g. a special-election arrival after March 2023).
    """
    for col in ("cycle", "state", "incumbent"):
        if col not in rows.columns:
            raise InputError("contest rows", "expected column missing", field=col)
    out = rows.copy()
    if "bioguide_id" not in out.columns:
        out["bioguide_id"] = pd.NA
    out["bioguide_id"] = out["bioguide_id"].astype("string")
    m = _Matcher(raw)
    methods, scores, ids = [], [], []
    fec_col = out["fec_id"] if "fec_id" in out.columns else pd.Series(pd.NA, index=out.index)
    party_col = out["party"] if "party" in out.columns else pd.Series(pd.NA, index=out.index)
    for bid, fec, cycle, state, name, party in zip(out["bioguide_id"], fec_col, out["cycle"], out["state"],
                                                   out["incumbent"], party_col):
        if isinstance(bid, str) and bid.strip():
            ids.append(bid.strip()); methods.append("given"); scores.append(1.0)
            continue
        if isinstance(fec, str) and fec.strip().upper() in m.fec:
            hit = m.fec[fec.strip().upper()]
            if len(hit) == 1:
                ids.append(next(iter(hit))); methods.append("fec_id"); scores.append(1.0)
                continue
        if not isinstance(name, str) or pd.isna(cycle):
            ids.append(pd.NA); methods.append("unmatched"); scores.append(0.0)
            continue
        c = congress_for_cycle(int(cycle))
        best, sc, unique = m.best(name, party, m.candidates(c, state))
        if best is not None and sc >= STRONG_MATCH and unique:
            ids.append(best); methods.append("name+state+congress"); scores.append(sc)
            continue
        if best is not None and sc >= FUZZY_MATCH and unique:
            cands = m.candidates(c, state)
            if isinstance(party, str):
                cands = cands[cands["party"] == party]
            near = [b for b in cands["bioguide_id"] if m.score(name, b) >= FUZZY_MATCH]
            if near == [best]:
                ids.append(best); methods.append("fuzzy"); scores.append(sc)
                continue
        found = False
        for c2 in (c + 1, c - 1):                       # member missing from the sitting Congress's data
            b2, s2, u2 = m.best(name, party, m.candidates(c2, state))
            if b2 is not None and s2 >= STRONG_MATCH and u2:
                ids.append(b2); methods.append("fuzzy"); scores.append(s2)
                found = True
                break
        if not found:
            ids.append(pd.NA); methods.append("unmatched"); scores.append(sc)
    out["bioguide_id"] = pd.array(ids, dtype="string")
    out["match_method"] = pd.array(methods, dtype="string")
    out["match_score"] = np.asarray(scores, dtype=float)
    sat = set(zip(m.service["bioguide_id"], m.service["congress"]))
    out["sitting_in_congress"] = pd.array(
        [pd.NA if not isinstance(b, str) else (b, congress_for_cycle(int(c))) in sat
         for b, c in zip(out["bioguide_id"], out["cycle"])], dtype="boolean")
    return out


def match_rate(matched: pd.DataFrame) -> dict:
    """Summary of ``match_bioguide`` output: counts by method, overall rate, unmatched rows."""
    n = len(matched)
    by = matched["match_method"].value_counts().to_dict()
    unmatched = matched[matched["match_method"] == "unmatched"]
    keep = [c for c in ("cycle", "state", "district", "party", "incumbent") if c in matched.columns]
    return {
        "n": n,
        "matched": int(n - len(unmatched)),
        "rate": float((n - len(unmatched)) / n) if n else float("nan"),
        "by_method": {k: int(v) for k, v in by.items()},
        "unmatched": unmatched[keep].to_dict("records"),
    }


# --------------------------------------------------------------------------------------------------
# incumbent attributes


def _leadership_on(rec: dict | None, date: pd.Timestamp):
    if not rec:
        return pd.NA
    titles = []
    for r in rec.get("leadership_roles", []) or []:
        if r.get("chamber") != "house":
            continue
        start = pd.Timestamp(r["start"])
        end = pd.Timestamp(r["end"]) if r.get("end") else pd.Timestamp.max
        if start <= date < end:
            titles.append(r["title"])
    return "; ".join(titles) if titles else pd.NA


def incumbent_attributes(matched: pd.DataFrame, raw: Path) -> pd.DataFrame:
    """Add age, House tenure, gender and leadership to matched contest rows.

    Rows need cycle, bioguide_id and primary_date (NaT allowed: then 1 July of the cycle is used and
    ``age_date_imputed`` is True).

    Added columns
    -------------
    incumbent_age : years (birthday to primary date / 365.25)
    tenure_terms : House Congresses served up to and including the one in session (gaps not counted)
    tenure_years : time served in the House before the primary date, Congress by Congress (a Congress
        counts from the member's start in it -- the yaml term start for special elections when known,
        else 3 January -- to the next Congress's start; the current one up to the primary date)
    gender : 'M'/'F'
    leadership : House leadership title held on the primary date, from the yaml ``leadership_roles``.
        Only members still sitting in mid-2026 carry roles: former members (Cantor, Crowley) are NA,
        so this column is survivor-biased -- do not use ``leadership.notna()`` as a feature.
    first_house_congress, age_date_imputed, source_incumbent
    """
    out = matched.copy()
    for col in ("cycle", "bioguide_id"):
        if col not in out.columns:
            raise InputError("contest rows", "expected column missing", field=col)
    ids = set(out["bioguide_id"].dropna())
    people = load_people(raw)
    people = people[people["bioguide_id"].isin(ids)]
    bdays = dict(zip(people["bioguide_id"], people["birthday"]))
    genders_by = dict(zip(people["bioguide_id"], people["gender"]))
    ag = _load_aging(raw)
    ag = ag[ag["bioguide_id"].isin(ids)].drop_duplicates("bioguide_id")
    ag_bday = dict(zip(ag["bioguide_id"], pd.to_datetime(ag["birthday"], errors="coerce")))
    service = house_service(raw)
    service = service[service["bioguide_id"].isin(ids)]
    by_member: dict[str, list[tuple[int, pd.Timestamp, str]]] = {}
    for r in service.itertuples(index=False):
        by_member.setdefault(r.bioguide_id, []).append((int(r.congress), r.start_date, str(r.source)))
    ymap = _yaml_people(raw)

    asof = pd.to_datetime(out["primary_date"]) if "primary_date" in out.columns else \
        pd.Series(pd.NaT, index=out.index)
    imputed = asof.isna()
    fallback = pd.to_datetime(out["cycle"].astype(int).astype(str) + "-07-01")
    asof = asof.where(~imputed, fallback)
    ages, terms, years, genders, leads, firsts, srcs = [], [], [], [], [], [], []
    for bid, cycle, d in zip(out["bioguide_id"], out["cycle"], asof):
        if not isinstance(bid, str) or pd.isna(bid):
            ages.append(np.nan); terms.append(pd.NA); years.append(np.nan); genders.append(pd.NA)
            leads.append(pd.NA); firsts.append(pd.NA); srcs.append(pd.NA)
            continue
        src = []
        bday = bdays.get(bid, pd.NaT)
        if pd.isna(bday):
            bday = ag_bday.get(bid, pd.NaT)
            if not pd.isna(bday):
                src.append("birthday:538-aging")
        else:
            src.append("congress-legislators")
        ages.append((d - bday).days / 365.25 if not pd.isna(bday) else np.nan)
        genders.append(genders_by.get(bid, pd.NA))
        c = congress_for_cycle(int(cycle))
        g = by_member.get(bid, [])
        if not g:
            terms.append(pd.NA); years.append(np.nan); firsts.append(pd.NA)
            src.append("service:none")
        else:
            past = {k: s0 for k, s0, _ in g if k < c}
            cur = [s0 for k, s0, _ in g if k == c]
            if cur:
                start = cur[0]
            else:
                start = congress_start(c)
                src.append("service:current-congress-missing")
            past_days = sum((congress_start(k + 1) - s0).days for k, s0 in past.items())
            terms.append(len(past) + 1)
            years.append((past_days + max((d - start).days, 0)) / 365.25)
            firsts.append(min(k for k, _, _ in g))
            tokens = sorted({t for _, _, x in g for t in x.split("+")})
            src.append("service:" + "+".join(tokens))
        leads.append(_leadership_on(ymap.get(bid), d))
        srcs.append(";".join(src))
    out["incumbent_age"] = np.asarray(ages, dtype=float)
    out["tenure_terms"] = pd.array(terms, dtype="Int64")
    out["tenure_years"] = np.asarray(years, dtype=float)
    out["gender"] = pd.array(genders, dtype="string")
    out["leadership"] = pd.array(leads, dtype="string")
    out["first_house_congress"] = pd.array(firsts, dtype="Int64")
    out["age_date_imputed"] = pd.array(imputed.to_numpy(), dtype="boolean")
    out["source_incumbent"] = pd.array(srcs, dtype="string")
    return out


# --------------------------------------------------------------------------------------------------
# history-derived flags on the central table


def beat_incumbent_flags(table: pd.DataFrame) -> pd.Series:
    """True for incumbents who first won their seat by beating an incumbent in a primary.

    For every row with ``lost`` True in cycle t (excluding incumbent-vs-incumbent contests), the
    ``top_challenger`` is looked for among incumbent rows of cycle t+2 in the same state (names_match
    >= 0.85); that member's rows from t+2 on are flagged (followed by bioguide_id when present, else by
    name and state). Left-censored: upsets before 2002 are not in the table, so they read False.
    """
    need = ["cycle", "state", "incumbent", "lost", "top_challenger"]
    for col in need:
        if col not in table.columns:
            raise InputError("central table", "expected column missing", field=col)
    flag = pd.Series(False, index=table.index, dtype="boolean")
    lost = table[table["lost"].fillna(False).astype(bool) & table["top_challenger"].notna()]
    if "incumbent_vs_incumbent" in table.columns:
        lost = lost[~lost["incumbent_vs_incumbent"].fillna(False).astype(bool)]
    bids = table["bioguide_id"] if "bioguide_id" in table.columns else pd.Series(pd.NA, index=table.index)
    for _, r in lost.iterrows():
        t, st, chal = int(r["cycle"]), r["state"], r["top_challenger"]
        same_cycle = table[(table["cycle"] == t) & (table["state"] == st)]
        if any(names_match(chal, n) >= STRONG_MATCH for n in same_cycle["incumbent"]):
            continue                                   # the challenger was already an incumbent
        nxt = table[(table["cycle"] == t + 2) & (table["state"] == st)]
        hits = [i for i, n in zip(nxt.index, nxt["incumbent"]) if names_match(chal, n) >= STRONG_MATCH]
        if not hits:
            continue
        i0 = hits[0]
        later = table["cycle"] >= t + 2
        bid = bids.loc[i0]
        if isinstance(bid, str) and not pd.isna(bid):
            same = bids.eq(bid).fillna(False)
        else:
            same = (table["state"] == st) & table["incumbent"].map(
                lambda n: names_match(chal, n) >= STRONG_MATCH)
        flag[later & same] = True
    return flag


def last_primary_share(table: pd.DataFrame) -> pd.Series:
    """The same member's ``incumbent_share`` in their row of the previous cycle (by bioguide_id); NA if none."""
    for col in ("cycle", "bioguide_id", "incumbent_share"):
        if col not in table.columns:
            raise InputError("central table", "expected column missing", field=col)
    prev = table[["cycle", "bioguide_id", "incumbent_share"]].dropna(subset=["bioguide_id"])
    prev = prev.drop_duplicates(["cycle", "bioguide_id"]).assign(cycle=lambda d: d["cycle"] + 2)
    prev = prev.rename(columns={"incumbent_share": "_last"})
    j = table[["cycle", "bioguide_id"]].merge(prev, on=["cycle", "bioguide_id"], how="left")
    return pd.Series(j["_last"].to_numpy(dtype=float, na_value=np.nan), index=table.index,
                     name="last_primary_share")


def display_names(raw: Path) -> pd.Series:
    """The name a reader knows each member by ('Joe Crowley'), indexed by bioguide id."""
    people = load_people(raw)
    return pd.Series([_display_name(p) for _, p in people.iterrows()], index=people["bioguide_id"].to_numpy())
