"""The live 2026 cycle: sitting House members seeking renomination, with the field FEC shows as of a date.

Sources
-------
- Roster: ``congress-legislators/legislators-current.yaml`` (snapshot 2026-06-15: every term with start/end
  dates and ``party_affiliations``) plus the 119th-Congress opening snapshot kept with the curated 2024
  folder (``curated-2024-primaries/raw/...d266ff11_2025-01-04.yaml.gz``) for members who left before
  mid-2026.  A member is on the roster on ``as_of`` when a House term covers that date
  (``start <= as_of < end``) and they had not left (``DEPARTURES``).  Voting members, D or R on that date.
- Field: ``fec_weball/weball26.txt`` (FEC all-candidate summary, snapshot ~March 2026, modal coverage end
  2025-12-31).  **As-of rule:** a weball row whose ``CVG_END_DT`` is after ``as_of`` is never used, for
  anything (money, challenger, candidacy or open-seat evidence).  Rows with coverage ending on or before
  ``as_of`` are "usable".

Roster rules (who "appears to be seeking renomination"), in order
-----------------------------------------------------------------
1. ``running-for-senate``: a usable 2026 Senate registration (ID ``S6...``, ICI C/O) in the member's state for the
   same person (name match, or identical receipts to the member's House committee: two IDs, one
   committee) with receipts > ``CHALLENGER_MIN_RECEIPTS``  -> excluded.
2. ``open-seat-per-fec``: at least two distinct usable House rows in the member's state/district flagged
   ``O`` (open seat) by the FEC, registered for the 2026 cycle (ID ``H6...``), receipts > threshold -> excluded:
   the FEC treats the seat as open, i.e. the member is retiring or running for another office (this is
   how governor runs, invisible in FEC federal data, show up).  Not applied in seats with a special
   election in the 119th Congress by ``as_of`` (their ``O`` rows are left over from the special), nor when
   the member's own registration is itself ``O`` or in another district (an incumbent moving to an open
   seat under new lines, e.g. TX Casar 35->37, J. Johnson 32->33: still seeking renomination).
3. ``no-2026-house-committee``: no House row for the member anywhere in weball26 -> excluded.
4. ``fec-house-row``: the member's own usable House row (matched by the FEC ids in congress-legislators,
   whatever its ``CAND_ICI``, which lags for new members; else by name within the state) -> running.
5. ``presumed``: the member's House row exists but only with coverage after ``as_of`` (e.g. TX/IL/NC/AR/MS
   pre-primary reports to Feb 2026) and nothing usable says otherwise -> running (sitting members are
   presumed to run); the late row itself is not used.

Field rules
-----------
- Known challengers: usable ``CAND_ICI == 'C'`` House rows in the same state/district and party, receipts
  > $5,000 (``CHALLENGER_MIN_RECEIPTS``; the FECA threshold at which a person legally becomes a candidate,
  and the proxy the curated 2024 file uses), not the member's own ids, de-duplicated (two ids, one
  committee), and not a committee ``features.contests.fec_active`` finds inactive (a sitting senator's twin ID,
  a twin of a 2026 Senate registration, or a dormant committee that raised <= $5k from anyone:
  Mullin OK-2, Heinrich NM-1, Kennedy MA-8); those are listed in ``field_dropped_fec``.
  ``challengers`` lists them by receipts, ``;``-joined; ``top_challenger`` is the first.
  In top-two/top-four states other-party candidates are on the same ballot: they are listed in
  ``challengers_other_party`` and count towards ``contested``.
- ``contested`` = True if any known challenger, else NA: before the filing deadline the field is not final,
  and a ballot challenger can raise less than $5k, so absence in FEC data is not evidence of no contest.
- Districts are the ones weball26 / legislators give (the member's usable House registration, else the
  119th-Congress district).  Mid-decade 2026 maps (CA Prop 50, TX, MO, NC, OH, UT, FL) do not re-key the
  rows; the TX and FL rows get their new-plan lean in ``features.districts.redistricting_2026``.
- ``lost``, shares, runoff and ``challenger_advanced`` are NA: the cycle is live.
"""
from __future__ import annotations

import gzip
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from features.contests.fec_active import inactive_reasons
from features.kernel.constants import DELEGATE_STATES, LIVE_AS_OF, LIVE_CYCLE, RUNOFF_STATES, STATES, top_two_rule
from features.kernel.errors import InputError
from features.kernel.rawio import check_last_row, require_file, to_number

LEGISLATORS_CURRENT = "congress-legislators/legislators-current.yaml"
LEGISLATORS_CURRENT_CSV = "congress-legislators/legislators-current.csv"
LEGISLATORS_HISTORICAL_CSV = "congress-legislators/legislators-historical.csv"
LEGISLATORS_SNAPSHOTS = (
    "curated-2024-primaries/raw/congress-legislators_legislators-current_d266ff11_2025-01-04.yaml.gz",
    "curated-2024-primaries/raw/congress-legislators_legislators-current_54cbc290_2024-06-03.yaml.gz",
)
WEBALL26 = "fec_weball/weball26.txt"
WEBALL_HEADER = "fec_weball/weball_header_file.csv"

CYCLE = LIVE_CYCLE
DEFAULT_AS_OF = LIVE_AS_OF
CONGRESS_START = "2025-01-03"           # 119th Congress
CHALLENGER_MIN_RECEIPTS = 5_000.0        # FECA candidate threshold; curated-2024 proxy
# A single 'O' filer is often an FEC mislabel (e.g. FL-10 Grayson vs Frost, HI-2 Hannemann vs Tokuda);
# two or more distinct ones matched every real 2026 retirement checked (Pelosi, Nadler, Bacon, Golden ...).
MIN_OPEN_SEAT_FILERS = 2

# Members of the 119th Congress who left before the legislators snapshot (2026-06-15); the yaml keeps no
# end date for them.  Dates are public record (resignation / death); a successor's sworn-in date also
# bounds them.  Members who left with no date known here are assumed to sit until the snapshot.
DEPARTURES = {
    "W000823": ("2025-01-20", "Michael Waltz resigned (national security adviser)"),
    "T000489": ("2025-03-05", "Sylvester Turner died"),
    "G000551": ("2025-03-13", "Raul Grijalva died"),
    "C001078": ("2025-05-21", "Gerald Connolly died"),
    "G000590": ("2025-07-20", "Mark Green resigned"),
    "S001207": ("2025-11-20", "Mikie Sherrill resigned (NJ governor-elect)"),
    "G000596": ("2026-01-05", "Marjorie Taylor Greene resigned"),
    "L000578": ("2026-01-06", "Doug LaMalfa died"),
}

PARTY_CODE = {"Democrat": "D", "Republican": "R"}
FEC_PARTY = {"DEM": "D", "DFL": "D", "REP": "R"}
NICKNAMES = {
    "MIKE": "MICHAEL", "BILL": "WILLIAM", "BOB": "ROBERT", "BOBBY": "ROBERT", "JIM": "JAMES", "JIMMY": "JAMES",
    "TOM": "THOMAS", "CHUCK": "CHARLES", "DICK": "RICHARD", "RICK": "RICHARD", "TONY": "ANTHONY",
    "ANDY": "ANDREW", "DAN": "DANIEL", "DAVE": "DAVID", "JOE": "JOSEPH", "PAT": "PATRICK", "BEN": "BENJAMIN",
    "GREG": "GREGORY", "JEFF": "JEFFREY", "STEVE": "STEVEN", "CHRIS": "CHRISTOPHER", "MATT": "MATTHEW",
    "NICK": "NICHOLAS", "TED": "THEODORE", "DON": "DONALD", "RON": "RONALD", "LIZ": "ELIZABETH",
}
SUFFIXES = {"JR", "SR", "II", "III", "IV", "MR", "MRS", "MS", "DR", "HON", "THE", "REP", "PHD", "MD", "ESQ"}


# --------------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------------
def norm_name(text) -> str:
    """Upper-case ASCII, punctuation to spaces, single-spaced (for matching only)."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().upper()
    s = re.sub(r"[^A-Z ,\-']", " ", s).replace("-", " ").replace("'", "")
    return re.sub(r"\s+", " ", s).strip()


def _tokens(text: str) -> list[str]:
    return [t for t in norm_name(text).replace(",", " ").split() if t not in SUFFIXES and len(t) > 1]


def first_names_compatible(a: list[str], b: list[str]) -> bool:
    """True when some given-name token of ``a`` and ``b`` agree (exact, nickname, or 3+ letter prefix)."""
    for x in a:
        for y in b:
            if x == y or NICKNAMES.get(x) == y or NICKNAMES.get(y) == x:
                return True
            if min(len(x), len(y)) >= 3 and (x.startswith(y) or y.startswith(x)):
                return True
    return False


def fec_name_parts(cand_name: str) -> tuple[list[str], list[str]]:
    """FEC 'LAST, FIRST MIDDLE SUFFIX' -> (last-name tokens, given-name tokens)."""
    last, _, first = str(cand_name).partition(",")
    return _tokens(last), _tokens(first)


def display_name(cand_name: str) -> str:
    """FEC 'GONZALES-TORRES, ANGELA' -> 'Angela Gonzales-Torres' (for tables and pages)."""
    last, _, first = str(cand_name).partition(",")
    words = [w for w in first.split() if w.strip(".").upper() not in SUFFIXES] + last.split()

    def cap(w: str) -> str:
        w = "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-"))
        if re.match(r"^Mc[a-z]", w):
            w = "Mc" + w[2:3].upper() + w[3:]
        if re.match(r"^O'[a-z]", w):
            w = "O'" + w[2:3].upper() + w[3:]
        return w

    return " ".join(cap(w) for w in words if w)


# --------------------------------------------------------------------------------------------------
# congress-legislators
# --------------------------------------------------------------------------------------------------
def _load_yaml(path: Path) -> list:
    """Parse a (gzipped) legislators YAML; cached per file and modification time."""
    return _load_yaml_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_yaml_cached(path_str: str, mtime_ns: int) -> list:
    path = Path(path_str)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot parse YAML: {exc}") from exc
    if not isinstance(data, list):
        raise InputError(path, "expected a list of legislators")
    return data


def _person_name(person: dict) -> str:
    name = person.get("name", {})
    return name.get("official_full") or " ".join(
        p for p in (name.get("first"), name.get("middle"), name.get("last"), name.get("suffix")) if p)


def house_terms(raw: Path, snapshots: tuple[str, ...] = LEGISLATORS_SNAPSHOTS[:1]) -> pd.DataFrame:
    """Every House term (split by party affiliation) in the legislators files, one row per segment.

    Columns: bioguide_id, incumbent, first, last, nickname, middle, state, district, party (D/R, else the
    yaml party name), start, end, term_start (start of the whole term; Timestamps), fec_ids (tuple), source.
    The current yaml wins for a person; the older ``snapshots`` add people who have since left.
    """
    raw = Path(raw)
    paths = [require_file(raw, LEGISLATORS_CURRENT)] + [raw / p for p in snapshots if (raw / p).is_file()]
    key = tuple((str(p), p.stat().st_mtime_ns) for p in paths)
    return _house_terms(str(raw), key).copy()


@lru_cache(maxsize=4)
def _house_terms(raw_str: str, key: tuple) -> pd.DataFrame:
    raw = Path(raw_str)
    paths = [Path(p) for p, _ in key]
    seen: set[str] = set()
    rows = []
    for path in paths:
        rel = str(path.relative_to(raw))
        for i, person in enumerate(_load_yaml(path)):
            ids = person.get("id", {})
            bio = ids.get("bioguide")
            if not bio:
                raise InputError(path, "legislator without a bioguide id", row=i + 1, field="id.bioguide")
            if bio in seen:
                continue
            seen.add(bio)
            name = person.get("name", {})
            fec = tuple(ids.get("fec", []) or [])
            for term in person.get("terms", []):
                if term.get("type") != "rep":
                    continue
                segments = term.get("party_affiliations") or [
                    {"start": term["start"], "end": term["end"], "party": term.get("party")}]
                for seg in segments:
                    rows.append({
                        "bioguide_id": bio, "incumbent": _person_name(person),
                        "first": name.get("first"), "last": name.get("last"),
                        "nickname": name.get("nickname"), "middle": name.get("middle"),
                        "state": term.get("state"), "district": term.get("district"),
                        "party": PARTY_CODE.get(seg.get("party"), seg.get("party")),
                        "start": seg["start"], "end": seg["end"], "term_start": term["start"],
                        "fec_ids": fec, "source": rel,
                    })
    df = pd.DataFrame(rows)
    for col in ("start", "end", "term_start"):
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    df["district"] = pd.to_numeric(df["district"]).astype("Int64")
    return df


def fec_ids_by_bioguide(raw: Path) -> dict[str, tuple[str, ...]]:
    """bioguide -> FEC candidate ids, from the yaml files and both legislators CSVs."""
    raw = Path(raw)
    files = [raw / LEGISLATORS_CURRENT, raw / LEGISLATORS_CURRENT_CSV, raw / LEGISLATORS_HISTORICAL_CSV]
    files += [raw / p for p in LEGISLATORS_SNAPSHOTS]
    key = tuple((str(p), p.stat().st_mtime_ns) for p in files if p.is_file())
    return dict(_fec_ids_by_bioguide(str(raw), key))


@lru_cache(maxsize=4)
def _fec_ids_by_bioguide(raw_str: str, key: tuple) -> dict[str, tuple[str, ...]]:
    raw = Path(raw_str)
    out: dict[str, list[str]] = {}
    terms = house_terms(raw, LEGISLATORS_SNAPSHOTS)
    for bio, ids in terms.groupby("bioguide_id")["fec_ids"].first().items():
        out.setdefault(bio, []).extend(ids)
    for rel in (LEGISLATORS_CURRENT_CSV, LEGISLATORS_HISTORICAL_CSV):
        path = Path(raw) / rel
        if not path.is_file():
            continue
        csv = pd.read_csv(path, usecols=["bioguide_id", "fec_ids"], dtype=str)
        for bio, ids in csv.dropna().itertuples(index=False):
            out.setdefault(bio, []).extend(i.strip() for i in ids.split(",") if i.strip())
    return {b: tuple(dict.fromkeys(v)) for b, v in out.items()}


def members_on(raw: Path, as_of) -> pd.DataFrame:
    """Voting House members (D or R) sitting on ``as_of``, one row each, with their 119th-Congress seat."""
    when = pd.Timestamp(as_of)
    terms = house_terms(raw)
    on = terms[(terms["start"] <= when) & (when < terms["end"])].copy()
    gone = {b for b, (d, _) in DEPARTURES.items() if pd.Timestamp(d) <= when}
    on = on[~on["bioguide_id"].isin(gone)]
    on = on[~on["state"].isin(DELEGATE_STATES) & on["state"].isin(list(STATES))]
    on = on[on["party"].isin(["D", "R"])]
    on = on.sort_values(["bioguide_id", "start"]).drop_duplicates("bioguide_id", keep="last")
    on["special_election_member"] = on["term_start"] > pd.Timestamp(CONGRESS_START)
    on["roster_note"] = pd.NA
    departed_unknown = set(on.loc[on["source"] != LEGISLATORS_CURRENT, "bioguide_id"]) - set(DEPARTURES)
    on.loc[on["bioguide_id"].isin(departed_unknown), "roster_note"] = (
        "left before the 2026-06-15 legislators snapshot; departure date unknown, assumed sitting on as-of")
    return on.reset_index(drop=True)


def special_election_seats(raw: Path, as_of) -> set[tuple[str, int]]:
    """(state, district) seats vacated or filled by a special election in the 119th Congress by ``as_of``."""
    when = pd.Timestamp(as_of)
    terms = house_terms(raw)
    new = terms[(terms["term_start"] > pd.Timestamp(CONGRESS_START)) & (terms["term_start"] <= when)]
    seats = {(s, int(d)) for s, d in zip(new["state"], new["district"])}
    gone = {b for b, (d, _) in DEPARTURES.items() if pd.Timestamp(d) <= when}
    left = terms[terms["bioguide_id"].isin(gone) & (terms["end"] > pd.Timestamp(CONGRESS_START))]
    return seats | {(s, int(d)) for s, d in zip(left["state"], left["district"])}


# --------------------------------------------------------------------------------------------------
# FEC weball
# --------------------------------------------------------------------------------------------------
def read_weball_file(raw: Path, relpath: str, **kwargs) -> tuple[pd.DataFrame, Path]:
    """An FEC all-candidate summary as text columns named by ``WEBALL_HEADER`` (pipe-delimited, no header
    row, Latin-1), refused when cut inside its last line; ``kwargs`` go to ``pandas.read_csv``."""
    names = pd.read_csv(require_file(raw, WEBALL_HEADER)).columns.tolist()
    path = require_file(raw, relpath)
    check_last_row(path, sep="|", n_fields=len(names), header=False)
    try:
        df = pd.read_csv(path, sep="|", header=None, names=names, dtype=str, encoding="latin-1",
                         keep_default_na=False, **kwargs)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(path, f"cannot parse: {exc}") from exc
    return df, path


def read_weball(raw: Path, relpath: str = WEBALL26) -> pd.DataFrame:
    """Read an FEC all-candidate summary (pipe-delimited, no header) with parsed money and dates.

    Adds ``line`` (1-based line in the file), ``party`` (D/R/other code), ``district`` (int; 0 = at-large,
    NA when blank) and ``cvg_end`` (Timestamp).  Raises InputError naming row and field on bad cells.
    """
    df, path = read_weball_file(raw, relpath)
    names = df.columns.tolist()
    if df.shape[1] != len(names):
        raise InputError(path, f"expected {len(names)} fields, found {df.shape[1]}")
    df["line"] = np.arange(1, len(df) + 1)
    for col in ("TTL_RECEIPTS", "TTL_DISB", "COH_COP", "COH_BOP", "TTL_INDIV_CONTRIB"):
        df[col] = to_number(df[col], path, col).fillna(0.0)
    cvg = df["CVG_END_DT"].str.strip()
    parsed = pd.to_datetime(cvg.mask(cvg == ""), format="%m/%d/%Y", errors="coerce")
    bad = parsed.isna() & (cvg != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"not a date: {cvg.iloc[i]!r}", row=i + 1, field="CVG_END_DT")
    df["cvg_end"] = parsed
    df["party"] = df["CAND_PTY_AFFILIATION"].str.strip().map(FEC_PARTY).fillna(
        df["CAND_PTY_AFFILIATION"].str.strip())
    dist = df["CAND_OFFICE_DISTRICT"].str.strip()
    df["district"] = pd.to_numeric(dist.mask(dist == ""), errors="coerce").astype("Int64")
    df["CAND_ICI"] = df["CAND_ICI"].str.strip()
    df["office"] = df["CAND_ID"].str[0]
    return df


def usable_rows(weball: pd.DataFrame, as_of) -> pd.DataFrame:
    """The as-of rule: only rows whose coverage ends on or before ``as_of`` (undated rows are dropped)."""
    when = pd.Timestamp(as_of)
    return weball[weball["cvg_end"].notna() & (weball["cvg_end"] <= when)]


# --------------------------------------------------------------------------------------------------
# roster decisions
# --------------------------------------------------------------------------------------------------
def _member_given(m) -> list[str]:
    out = []
    for key in ("first", "nickname", "middle"):
        out += _tokens(m[key]) if isinstance(m[key], str) else []
    out += _tokens(str(m["incumbent"]))[:1]
    return out


def _same_person(m, cand_name: str) -> bool:
    last_tokens, given = fec_name_parts(cand_name)
    member_last = _tokens(m["last"])
    if not member_last or not last_tokens:
        return False
    last_ok = member_last[-1] in last_tokens or last_tokens[-1] in member_last
    return last_ok and first_names_compatible(_member_given(m), given)


_FIELDS = ["line", "CAND_ID", "CAND_NAME", "CAND_ICI", "party", "CAND_OFFICE_ST", "district", "office",
           "TTL_RECEIPTS", "CVG_END_DT", "cvg_end"]


def _records(df: pd.DataFrame) -> list[dict]:
    """Plain dict records (fast to filter in Python loops; the frames here are small per state)."""
    out = df[_FIELDS].astype(object).to_dict("records")
    for r in out:
        r["district"] = None if pd.isna(r["district"]) else int(r["district"])
        r["receipts"] = round(float(r["TTL_RECEIPTS"]), 2)
    return out


def _by_state(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        out.setdefault(r["CAND_OFFICE_ST"], []).append(r)
    return out


def _dedupe(records: list[dict]) -> list[dict]:
    """Two ids sharing one committee show up twice with identical money: keep the first."""
    seen, out = set(), []
    for r in records:
        key = (norm_name(r["CAND_NAME"]), r["receipts"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def roster_2026_audit(raw: Path, as_of=DEFAULT_AS_OF) -> pd.DataFrame:
    """Every voting D/R member sitting on ``as_of`` with the renomination decision and its evidence.

    Columns: bioguide_id, incumbent, state, district_held, party, special_election_member, roster_note,
    fec_ids, decision ('running'/'excluded'), reason (see module docstring), fec_match
    ('fec-id'/'name'/'none'), house_row_id / house_row_line / house_row_cvg_end (the usable own House
    row, NA if none), race_district, evidence (text).
    """
    raw = Path(raw)
    when = pd.Timestamp(as_of)
    members = members_on(raw, when)
    weball = read_weball(raw)
    recs = _records(weball)
    for r in recs:
        r["usable"] = r["cvg_end"] is not pd.NaT and pd.notna(r["cvg_end"]) and r["cvg_end"] <= when
    by_id: dict[str, list[dict]] = {}
    for r in recs:
        by_id.setdefault(r["CAND_ID"], []).append(r)
    house_by_state = _by_state([r for r in recs if r["office"] == "H"])
    # S6 = first registered for a 2006/2016/2026 race; a sitting senator's row ('I') is never a House member's
    senate6 = _by_state([r for r in recs if r["usable"] and r["office"] == "S" and r["CAND_ID"].startswith("S6")
                         and r["CAND_ICI"] in ("C", "O") and r["receipts"] > CHALLENGER_MIN_RECEIPTS])
    open6 = _by_state([r for r in recs if r["usable"] and r["office"] == "H" and r["CAND_ICI"] == "O"
                       and r["CAND_ID"].startswith("H6") and r["receipts"] > CHALLENGER_MIN_RECEIPTS])
    ids_by_bio = fec_ids_by_bioguide(raw)
    specials = special_election_seats(raw, when)
    out = []
    for _, m in members.iterrows():
        ids = tuple(dict.fromkeys(tuple(m["fec_ids"]) + ids_by_bio.get(m["bioguide_id"], ())))
        own = [r for i in ids if i.startswith("H") for r in by_id.get(i, [])]
        how = "fec-id"
        if not own:
            own = [r for r in house_by_state.get(m["state"], []) if _same_person(m, r["CAND_NAME"])]
            how = "name" if own else "none"
        own_ok = [r for r in own if r["usable"]]
        row = max(own_ok, key=lambda r: r["receipts"]) if own_ok else None
        race_district = row["district"] if row is not None and row["district"] is not None \
            else int(m["district"])
        house_money = {r["receipts"] for r in own_ok}
        sen = [r for r in senate6.get(m["state"], [])
               if r["CAND_ID"] in ids or r["receipts"] in house_money or _same_person(m, r["CAND_NAME"])]
        opn = _dedupe(sorted((r for r in open6.get(m["state"], []) if r["district"] == race_district),
                             key=lambda r: -r["receipts"]))
        if sen:
            decision, reason = "excluded", "running-for-senate"
            evidence = "; ".join(f"{r['CAND_ID']} {r['CAND_NAME']} ${r['receipts']:,.0f} to {r['CVG_END_DT']}"
                                 for r in sen)
        elif (len(opn) >= MIN_OPEN_SEAT_FILERS and (m["state"], race_district) not in specials
              and not (row is not None and (row["CAND_ICI"] == "O" or race_district != int(m["district"])))):
            decision, reason = "excluded", "open-seat-per-fec"
            evidence = f"{len(opn)} FEC open-seat filer(s): " + "; ".join(
                f"{r['CAND_ID']} {r['CAND_NAME']}" for r in opn[:3])
        elif not own:
            decision, reason, evidence = "excluded", "no-2026-house-committee", "no House row in weball26"
        elif row is not None:
            decision, reason = "running", "fec-house-row"
            evidence = (f"{row['CAND_ID']} ({row['CAND_ICI']}) {row['CAND_OFFICE_ST']}-{row['district']} "
                        f"receipts ${row['receipts']:,.0f} to {row['CVG_END_DT']}")
        else:
            decision, reason = "running", "presumed"
            late = max(own, key=lambda r: r["cvg_end"])
            evidence = f"own House row {late['CAND_ID']} covers to {late['CVG_END_DT']} (after as-of; not used)"
        out.append({
            "bioguide_id": m["bioguide_id"], "incumbent": m["incumbent"], "state": m["state"],
            "district_held": int(m["district"]), "party": m["party"],
            "special_election_member": bool(m["special_election_member"]), "roster_note": m["roster_note"],
            "fec_ids": ids, "decision": decision, "reason": reason, "fec_match": how,
            "house_row_id": row["CAND_ID"] if row is not None else pd.NA,
            # identity only (which FEC id is the member's), never a dated value
            "fec_row_id": max(own, key=lambda r: r["cvg_end"])["CAND_ID"] if own else pd.NA,
            "house_row_line": row["line"] if row is not None else pd.NA,
            "house_row_cvg_end": row["cvg_end"] if row is not None else pd.NaT,
            "race_district": int(race_district), "evidence": evidence,
        })
    audit = pd.DataFrame(out)
    audit["house_row_cvg_end"] = pd.to_datetime(audit["house_row_cvg_end"])
    return audit


def _system_hint(state: str) -> object:
    rule = top_two_rule(state, CYCLE)
    if rule:
        return rule
    if state in RUNOFF_STATES:
        return "runoff"
    return pd.NA        # LA 2026: first cycle of closed party primaries (constants.louisiana_jungle is out of date)


def contest_rows_2026(raw: Path, as_of=DEFAULT_AS_OF) -> pd.DataFrame:
    """Contest rows (TEAM_NOTES contract) for the live 2026 cycle as of ``as_of``.

    One row per sitting voting D/R member who appears to be seeking renomination (module docstring),
    with the known field from weball26 rows dated on or before ``as_of``.  Extra columns: challengers,
    challenger_ids, top_challenger_receipts, n_challengers_fec, challengers_other_party, district_held,
    running_evidence, inc_fec_cvg_end, as_of, roster_note.
    """
    raw = Path(raw)
    when = pd.Timestamp(as_of)
    audit = roster_2026_audit(raw, when)
    weball = read_weball(raw)
    weball["inactive"] = inactive_reasons(weball, CYCLE, live=True, file=WEBALL26)
    usable = usable_rows(weball, when)
    member_ids = {i for ids in audit["fec_ids"] for i in ids}
    candidates = usable[(usable["office"] == "H") & (usable["CAND_ICI"] == "C")]
    inactive = {r.CAND_ID: (r.CAND_NAME, r.CAND_OFFICE_ST, r.district, r.party, r.inactive)
                for r in candidates[candidates["inactive"].notna()].itertuples()
                if r.TTL_RECEIPTS > CHALLENGER_MIN_RECEIPTS and r.CAND_ID not in member_ids}
    field_recs = [r for r in _records(candidates)
                  if r["receipts"] > CHALLENGER_MIN_RECEIPTS and r["CAND_ID"] not in member_ids
                  and r["CAND_ID"] not in inactive]
    field_by_seat: dict[tuple, list[dict]] = {}
    for r in sorted(field_recs, key=lambda r: -r["receipts"]):
        field_by_seat.setdefault((r["CAND_OFFICE_ST"], r["district"]), []).append(r)
    running = audit[audit["decision"] == "running"].reset_index(drop=True)
    seats = list(zip(running["state"], running["race_district"], running["party"], running["incumbent"]))
    rows = []
    for m in running.itertuples():
        all_candidate = top_two_rule(m.state, CYCLE) is not None
        field = _dedupe(field_by_seat.get((m.state, m.race_district), []))
        same = [r for r in field if r["party"] == m.party]
        other = [r for r in field if r["party"] != m.party] if all_candidate else []
        others_inc = [name for st, d, p, name in seats
                      if st == m.state and d == m.race_district and name != m.incumbent
                      and (p == m.party or all_candidate)]
        top = same[0] if same else None
        ghosts = [f"{display_name(name)} ({why})" for name, st, d, p, why in inactive.values()
                  if st == m.state and d == m.race_district and (p == m.party or all_candidate)]
        rows.append({
            "cycle": CYCLE, "state": m.state, "district": int(m.race_district), "party": m.party,
            "incumbent": m.incumbent,
            "fec_id": m.house_row_id if pd.notna(m.house_row_id) else m.fec_row_id if pd.notna(m.fec_row_id)
            else next((i for i in m.fec_ids if i.startswith("H")), pd.NA),
            "bioguide_id": m.bioguide_id, "primary_date": pd.NaT, "primary_system_hint": _system_hint(m.state),
            "contested": True if (same or other or others_inc) else pd.NA, "n_candidates": pd.NA,
            "incumbent_vs_incumbent": bool(others_inc),
            "other_incumbent": others_inc[0] if others_inc else pd.NA,
            "special_election_member": m.special_election_member, "lost": pd.NA,
            "incumbent_share": np.nan, "incumbent_share_all": np.nan,
            "top_challenger": display_name(top["CAND_NAME"]) if top else pd.NA,
            "top_challenger_party": m.party if top else pd.NA, "top_challenger_share": np.nan,
            "went_to_runoff": pd.NA, "runoff_share": np.nan, "challenger_advanced": pd.NA,
            "result_source": "fec-weball26-field",
            "source_row": f"{WEBALL26}:line {m.house_row_line}" if pd.notna(m.house_row_line)
            else f"{LEGISLATORS_CURRENT} ({m.bioguide_id}); weball26 row after as-of not used",
            "challengers": ";".join(display_name(r["CAND_NAME"]) for r in same) or pd.NA,
            "challenger_ids": ";".join(r["CAND_ID"] for r in same) or pd.NA,
            "top_challenger_receipts": top["receipts"] if top else np.nan,
            "n_challengers_fec": len(same),
            "challengers_other_party": ";".join(
                f"{display_name(r['CAND_NAME'])} ({r['party']})" for r in other) or pd.NA,
            "district_held": m.district_held, "running_evidence": m.reason,
            "field_dropped_fec": ";".join(ghosts) or pd.NA,
            "inc_fec_cvg_end": m.house_row_cvg_end, "as_of": when, "roster_note": m.roster_note,
        })
    return finalize_contest_rows(pd.DataFrame(rows))


def departure_dates() -> dict[str, pd.Timestamp]:
    """bioguide -> the day the member left the House (``DEPARTURES``; gone from that day on)."""
    return {b: pd.Timestamp(d) for b, (d, _) in DEPARTURES.items()}


def departed_contest_rows(raw: Path, as_of=DEFAULT_AS_OF) -> pd.DataFrame:
    """Contest rows of the members who left the House before ``as_of`` (``DEPARTURES``), each as of
    their last day in the seat, by the same roster rules: an as-of view of an earlier date must hold
    them (``features.contests.live_dating``: ``roster_end``), e.g. Rep. Turner (TX-18, died 2025-03-05) as of
    2025-01-03.  Only members the rules then saw as seeking renomination get a row."""
    when = pd.Timestamp(as_of)
    parts = []
    for bio, left in sorted(departure_dates().items(), key=lambda kv: kv[1]):
        if not pd.Timestamp(CONGRESS_START) < left <= when:
            continue
        last_day = left - pd.Timedelta(days=1)
        rows = contest_rows_2026(raw, last_day)
        row = rows[rows["bioguide_id"] == bio].copy()
        row["roster_note"] = f"left the House on {left.date()}: {DEPARTURES[bio][1]}"
        parts.append(row)
    if not parts:
        return contest_rows_2026(raw, when).iloc[:0]
    return finalize_contest_rows(pd.concat(parts, ignore_index=True))


def live_contest_rows(raw: Path, as_of=DEFAULT_AS_OF) -> pd.DataFrame:
    """The live cycle's rows: members seeking renomination as of ``as_of`` plus the members who left
    before it (``departed_contest_rows``), so every earlier as-of view holds who sat then."""
    sitting = contest_rows_2026(raw, as_of)
    departed = departed_contest_rows(raw, as_of)
    departed = departed[~departed["bioguide_id"].isin(set(sitting["bioguide_id"]))]
    return finalize_contest_rows(pd.concat([sitting, departed], ignore_index=True))


# --------------------------------------------------------------------------------------------------
# shared dtypes for the contest-rows contract
# --------------------------------------------------------------------------------------------------
CONTEST_COLUMNS = [
    "cycle", "state", "district", "party", "incumbent", "fec_id", "bioguide_id", "primary_date",
    "primary_system_hint", "contested", "n_candidates", "incumbent_vs_incumbent", "other_incumbent",
    "special_election_member", "lost", "incumbent_share", "incumbent_share_all", "top_challenger",
    "top_challenger_party", "top_challenger_share", "went_to_runoff", "runoff_share", "challenger_advanced",
    "result_source", "source_row",
]
_BOOL = ["contested", "incumbent_vs_incumbent", "special_election_member", "lost", "went_to_runoff",
         "challenger_advanced"]
_FLOAT = ["incumbent_share", "incumbent_share_all", "top_challenger_share", "runoff_share"]
_STR = ["state", "party", "incumbent", "fec_id", "bioguide_id", "primary_system_hint", "other_incumbent",
        "top_challenger", "top_challenger_party", "result_source", "source_row"]


def finalize_contest_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Order the contract columns first and apply the contract dtypes (booleans as 'boolean')."""
    df = df.copy()
    for col in CONTEST_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    for col in _BOOL:
        df[col] = df[col].astype("boolean")
    for col in _FLOAT:
        df[col] = pd.to_numeric(df[col]).astype(float)
    for col in _STR:
        df[col] = df[col].astype("string")
    df["cycle"] = df["cycle"].astype(int)
    df["district"] = df["district"].astype(int)
    df["n_candidates"] = pd.to_numeric(df["n_candidates"]).astype("Int64")
    df["primary_date"] = pd.to_datetime(df["primary_date"]).astype("datetime64[ns]")
    extra = [c for c in df.columns if c not in CONTEST_COLUMNS]
    return df[CONTEST_COLUMNS + extra].sort_values(["state", "district", "party", "incumbent"]).reset_index(drop=True)
