"""Endorsements in House primaries, as dated events, aggregated per incumbent race as of a date.

Sources
- ``curated-endorsements/endorsements.csv`` (hand-curated, 2018-2026: the Justice Democrats slates,
  Trump against / for sitting Republicans, AIPAC/DMFI, leadership and insurgent endorsements in
  contested incumbent races; see its README).
- ``fivethirtyeight/primary-project-2022`` (every 2022 D and R House primary candidate except LA):
  D: Justice Dems, Our Revolution, Sunrise, Sanders, AOC, Indivisible, PCCC, EMILY's List, Party
  Committee; R: Trump (+ Trump Date), Club for Growth, Party Committee. 'Yes' makes an event;
  'Yes (runoff only)' an event flagged ``runoff_only``. The curated rows that restate 538 (the 2022
  JD slate, Trump vs incumbents) are deduplicated against it.

Dates and the as-of rule. ``endorsement_date`` is the END of the period the source gives
('2025' -> 2025-12-31, '2022-04' -> 2022-04-30); blank -> NaT. ``date_precision`` records which.
When aggregating, an event counts for a forecast made on date ``d`` only if it was known by ``d``:
- a day-precise date: that date;
- a month- or year-level date: the end of the period, except that in a PAST cycle an endorsement
  of a primary candidate was necessarily made before the primary, so it is known by the eve of the
  primary at the latest: min(period end, primary_date - 1 day);
- a blank date: known by the eve of the primary in a PAST cycle (538 marks only endorsements made
  before the primary); NEVER usable in the live cycle (we cannot say when it was made);
- 'runoff only' endorsements: only with a day-precise date.
So a backtest made as of the primary eve sees every past-cycle pre-primary endorsement, an earlier
as-of sees only the dated ones, and a live forecast sees only dated ones.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from features.evidence.event_tables import read_event_csv, write_event_csv
from features.kernel.dates import as_of_series
from features.kernel.constants import LIVE_CYCLE, STATE_BY_NAME
from features.kernel.errors import InputError
from features.kernel.names import names_match, parse_name
from features.kernel.rawio import race_keys, read_csv, require_columns

CURATED = "curated-endorsements/endorsements.csv"
FTE_DEM = "fivethirtyeight/primary-project-2022/dem_candidates.csv"
FTE_REP = "fivethirtyeight/primary-project-2022/rep_candidates.csv"
NAME_MATCH_MIN = 0.7
# A cycle with a systematic source covering every race (538 2022: all D/R House primaries but LA):
# there, "no event" is a true "no endorsement" once the source's information is usable.
SYSTEMATIC_COVERAGE = {2022: ("538-primary-project-2022", frozenset({"LA"}))}

EVENT_COLUMNS = ["cycle", "state", "district", "party", "candidate", "candidate_role", "endorser", "endorser_class",
                 "endorsement_date", "date_precision", "runoff_only", "primary_date", "source", "source_row",
                 "verified", "note"]

ENDORSER_CLASSES = ("justice-democrats", "our-revolution", "sunrise", "wfp", "sanders", "aoc", "squad", "trump",
                    "party-leadership", "aipac", "dmfi", "club-for-growth", "other")
INSURGENT_CLASSES = ("justice-democrats", "our-revolution", "sunrise", "wfp", "sanders", "aoc", "squad")

# Ordered (pattern, class) rules on the lower-cased endorser; first match wins.
_CLASS_RULES: tuple[tuple[str, str], ...] = (
    (r"allies|network|county|allegheny", "other"),          # 'McCarthy allies', local party committees
    (r"justice democrats|justice dems", "justice-democrats"),
    (r"our revolution", "our-revolution"),
    (r"sunrise", "sunrise"),
    (r"working families", "wfp"),
    (r"bernie sanders|^sanders$", "sanders"),
    (r"ocasio-cortez|courage to change|^aoc$", "aoc"),
    # Squad members other than AOC (2019: Omar, Tlaib, Pressley; 2021: Bowman, Bush; 2023: Lee, Casar, Ramirez)
    (r"^(ilhan omar|rashida tlaib|ayanna pressley|jamaal bowman|cori bush|summer lee|greg casar|delia ramirez)$",
     "squad"),
    (r"donald trump|^trump$", "trump"),
    (r"aipac", "aipac"),
    (r"democratic majority for israel|\bdmfi\b", "dmfi"),
    (r"club for growth", "club-for-growth"),
    (r"house democratic leadership|house gop leadership|pelosi|hoyer|clyburn|jeffries|\bdccc\b|\bnrcc\b"
     r"|speaker|party committee|mccarthy \(house gop", "party-leadership"),
)

# 538 2022 columns -> (endorser label, class)
_FTE_D = {"Justice Dems": ("Justice Democrats", "justice-democrats"),
          "Our Revolution": ("Our Revolution", "our-revolution"),
          "Sunrise": ("Sunrise Movement", "sunrise"),
          "Sanders": ("Bernie Sanders", "sanders"),
          "AOC": ("Alexandria Ocasio-Cortez", "aoc"),
          "Indivisible": ("Indivisible", "other"),
          "PCCC": ("Progressive Change Campaign Committee", "other"),
          "EMILY's List": ("EMILY's List", "other"),
          "Party Committee": ("DCCC Red to Blue (538 'Party Committee')", "party-leadership")}
_FTE_R = {"Trump": ("Donald Trump", "trump"),
          "Club for Growth": ("Club for Growth", "club-for-growth"),
          "Party Committee": ("NRCC Young Guns (538 'Party Committee')", "party-leadership")}
_PRECISION_RANK = {"day": 3, "month": 2, "year": 1, "none": 0}

END_COLUMNS = ["end_insurgent_chal", "end_jd_chal", "end_our_revolution_chal", "end_sunrise_chal", "end_wfp_chal",
               "end_sanders_chal", "end_aoc_chal", "end_trump_against_inc", "end_trump_for_inc",
               "end_leadership_inc", "end_aipac_inc", "end_aipac_chal", "end_dmfi_inc", "end_dmfi_chal",
               "end_last_date"]
_CHAL_FLAGS = {"justice-democrats": "end_jd_chal", "our-revolution": "end_our_revolution_chal",
               "sunrise": "end_sunrise_chal", "wfp": "end_wfp_chal", "sanders": "end_sanders_chal",
               "aoc": "end_aoc_chal", "aipac": "end_aipac_chal", "dmfi": "end_dmfi_chal"}
_INC_FLAGS = {"trump": "end_trump_for_inc", "party-leadership": "end_leadership_inc", "aipac": "end_aipac_inc",
              "dmfi": "end_dmfi_inc"}


def endorser_class(endorser: str) -> str:
    """Class of an endorser name (see ``ENDORSER_CLASSES``)."""
    s = str(endorser).strip().lower()
    for pattern, cls in _CLASS_RULES:
        if re.search(pattern, s):
            return cls
    return "other"


def _parse_date(value, path, row, field) -> tuple[pd.Timestamp, str]:
    """'YYYY-MM-DD' / 'YYYY-MM' / 'YYYY' (text after the date allowed) -> (period end, precision)."""
    v = "" if value is None or value is pd.NA else str(value).strip()
    if not v:
        return pd.NaT, "none"
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?![\d-])", v)
    if m:
        try:
            y, mo, d = m.groups()
            if d:
                return pd.Timestamp(int(y), int(mo), int(d)), "day"
            if mo:
                return pd.Timestamp(int(y), int(mo), 1) + pd.offsets.MonthEnd(0), "month"
            return pd.Timestamp(int(y), 12, 31), "year"
        except ValueError:
            pass
    raise InputError(path, f"not a date (YYYY-MM-DD, YYYY-MM, YYYY or blank): {v!r}", row=row, field=field)


def _role(value: str, path, row) -> str:
    v = value.strip().lower()
    if "member vs member" in v:
        return "member-vs-member"
    if v.startswith("open") or "primary open" in v:
        return "open"
    if v.startswith("challenger"):
        return "challenger"
    if v.startswith("incumbent"):
        return "incumbent"
    raise InputError(path, f"unknown candidate_role {value!r}", row=row, field="candidate_role")


def _district(value: str, path, row) -> int:
    v = str(value).strip()
    if v.upper() in ("AL", "AT-LARGE", "0", "00"):
        return 0
    if not v.isdigit():
        raise InputError(path, f"not a district: {value!r}", row=row, field="district")
    return int(v)


def _curated_events(raw: Path) -> pd.DataFrame:
    path = Path(raw) / CURATED
    df = read_csv(raw, CURATED, unique_rows=True, required=["cycle", "state", "district", "party", "candidate", "candidate_role",
                                          "endorser", "endorsement_date", "source_url", "note", "verified"],
                  dtype=str, keep_default_na=False)
    recs = []
    for i, r in df.iterrows():
        row = int(i) + 1
        cycle, state, party = race_keys(r, path, row)
        if not r["candidate"].strip() or not r["endorser"].strip():
            raise InputError(path, "candidate and endorser are required", row=row,
                             field="candidate" if not r["candidate"].strip() else "endorser")
        when, precision = _parse_date(r["endorsement_date"], path, row, "endorsement_date")
        restated = "fivethirtyeight" in r["source_url"]
        recs.append({
            "cycle": cycle, "state": state, "district": _district(r["district"], path, row),
            "party": party, "candidate": r["candidate"].strip(),
            "candidate_role": _role(r["candidate_role"], path, row), "endorser": r["endorser"].strip(),
            "endorser_class": endorser_class(r["endorser"]), "endorsement_date": when,
            "date_precision": precision, "runoff_only": False, "primary_date": pd.NaT,
            "source": "curated (restating 538)" if restated else "curated",
            "source_row": f"{CURATED}:{row}", "verified": r["verified"].strip() or pd.NA,
            "note": r["note"].strip() or pd.NA,
        })
    return pd.DataFrame.from_records(recs, columns=EVENT_COLUMNS)


def _fte_events(raw: Path, relpath: str, columns: dict) -> pd.DataFrame:
    path = Path(raw) / relpath
    base = ["Candidate", "Incumbent", "Incumbent Challenger", "State", "Primary Date", "Office", "District"]
    extra = ["Trump Date"] if "Trump" in columns else []
    df = read_csv(raw, relpath, required=base + list(columns) + extra, dtype=str, keep_default_na=False)
    party = "D" if "Justice Dems" in columns else "R"
    recs = []
    for i, r in df.iterrows():
        row = int(i) + 1
        if r["Office"].strip() != "Representative":
            continue
        state = STATE_BY_NAME.get(r["State"].strip())
        if state is None:
            raise InputError(path, f"unknown state {r['State']!r}", row=row, field="State")
        district = _district(r["District"], path, row)
        try:
            primary = pd.to_datetime(r["Primary Date"].strip(), format="%m/%d/%y")
        except ValueError:
            raise InputError(path, f"not a date: {r['Primary Date']!r}", row=row, field="Primary Date") from None
        inc, vs_inc = r["Incumbent"].strip() == "Yes", r["Incumbent Challenger"].strip() == "Yes"
        role = "member-vs-member" if inc and vs_inc else "incumbent" if inc else "challenger" if vs_inc else "open"
        for col, (label, cls) in columns.items():
            value = r[col].strip()
            if not value.startswith("Yes"):
                continue
            when, precision = pd.NaT, "none"
            if col == "Trump" and r["Trump Date"].strip() not in ("", "N/A"):
                try:
                    when = pd.to_datetime(r["Trump Date"].strip(), format="%m/%d/%y")
                except ValueError:
                    raise InputError(path, f"not a date: {r['Trump Date']!r}", row=row, field="Trump Date") from None
                precision = "day"
            recs.append({
                "cycle": 2022, "state": state, "district": district, "party": party,
                "candidate": r["Candidate"].strip(), "candidate_role": role, "endorser": label,
                "endorser_class": cls, "endorsement_date": when, "date_precision": precision,
                "runoff_only": "runoff only" in value, "primary_date": primary,
                "source": "538-primary-project-2022", "source_row": f"{relpath}:{row}",
                "verified": "yes", "note": pd.NA,
            })
    return pd.DataFrame.from_records(recs, columns=EVENT_COLUMNS)


def _person(name) -> tuple[str, str]:
    p = parse_name(name)
    return (p.last.split()[-1] if p.last else "", p.first[:1])


_DEDUPE_CLASSES = frozenset(ENDORSER_CLASSES) - {"other", "party-leadership", "squad"}


def endorsement_events(raw: Path) -> pd.DataFrame:
    """All endorsement events (curated + 538 2022), deduplicated.

    Returns ``EVENT_COLUMNS``: cycle, state, district (int, 0 = at-large), party ('D'/'R'), candidate,
    candidate_role ('incumbent', 'challenger', 'open', 'member-vs-member'), endorser, endorser_class,
    endorsement_date (Timestamp: END of the stated period; NaT if blank), date_precision
    ('day'/'month'/'year'/'none'), runoff_only (bool), primary_date (538 rows; NaT otherwise),
    source, source_row ('file:row'; several joined by ';' after deduplication), verified, note.

    Deduplication: rows for the same race, the same candidate (surname + first initial) and the same
    endorser are one event. The endorser is its class for the named organisations/people (JD, Our
    Revolution, Sunrise, WFP, Sanders, AOC incl. Courage to Change, Trump, AIPAC, DMFI, Club for
    Growth) and the endorser text otherwise. The kept row is the one with the most precise date
    (curated first on ties); the other rows' sources are appended.
    """
    raw = Path(raw)
    ev = pd.concat([_curated_events(raw), _fte_events(raw, FTE_DEM, _FTE_D), _fte_events(raw, FTE_REP, _FTE_R)],
                   ignore_index=True)
    people = ev["candidate"].map(_person)
    ev["_who"] = people.map(lambda p: f"{p[0]}|{p[1]}")
    ev["_endorser"] = np.where(ev["endorser_class"].isin(_DEDUPE_CLASSES), ev["endorser_class"],
                               ev["endorser"].str.lower())
    ev["_rank"] = ev["date_precision"].map(_PRECISION_RANK)
    ev["_cur"] = ev["source"].str.startswith("curated").astype(int)
    key = ["cycle", "state", "district", "party", "_who", "_endorser"]
    ev = ev.sort_values(key + ["_rank", "_cur"], ascending=[True] * len(key) + [False, False], kind="stable")
    merged_src = ev.groupby(key, sort=False)["source"].transform(lambda s: ";".join(dict.fromkeys(s)))
    merged_rows = ev.groupby(key, sort=False)["source_row"].transform(lambda s: ";".join(s))
    primary = ev.groupby(key, sort=False)["primary_date"].transform("max")
    ev = ev.assign(source=merged_src, source_row=merged_rows, primary_date=primary)
    ev = ev.drop_duplicates(key, keep="first").drop(columns=["_who", "_endorser", "_rank", "_cur"])
    ev = ev.sort_values(["cycle", "state", "district", "party", "candidate", "endorser"]).reset_index(drop=True)
    return _typed(ev)


def _typed(ev: pd.DataFrame) -> pd.DataFrame:
    ev = ev[EVENT_COLUMNS].copy()
    ev["cycle"] = ev["cycle"].astype(int)
    ev["district"] = ev["district"].astype(int)
    for c in ("endorsement_date", "primary_date"):
        ev[c] = pd.to_datetime(ev[c]).astype("datetime64[ns]")
    ev["runoff_only"] = ev["runoff_only"].astype(bool)
    for c in ("state", "party", "candidate", "candidate_role", "endorser", "endorser_class", "date_precision",
              "source", "source_row", "verified", "note"):
        ev[c] = ev[c].astype("string")
    return ev


def write_events(df: pd.DataFrame, path) -> None:
    """Write the events table as CSV (ISO dates, true/false, stable row order)."""
    write_event_csv(df, path, EVENT_COLUMNS, date_cols=("endorsement_date", "primary_date"),
                    bool_cols=("runoff_only",))


def read_events(path) -> pd.DataFrame:
    """Read an events CSV written by :func:`write_events` (or the build) back with its types."""
    return _typed(read_event_csv(path, EVENT_COLUMNS, "endorsement", bool_cols=("runoff_only",)))


# ---------------------------------------------------------------------------------------------
# Aggregation per incumbent race


def known_by(events: pd.DataFrame, cycle: int, primary_date) -> pd.Series:
    """Date by which each event of one race was public (NaT = cannot say: never usable). See module doc."""
    date, prec = events["endorsement_date"], events["date_precision"]
    out = date.copy()                      # day: the date; month/year: period end; none: NaT
    if cycle < LIVE_CYCLE and pd.notna(primary_date):
        eve = pd.Timestamp(primary_date) - pd.Timedelta(days=1)
        out = out.mask(prec.isin(["month", "year"]) & (date > eve), eve)
        out = out.mask(prec == "none", eve)
    return out.where(~events["runoff_only"] | (prec == "day"))


def aggregate_endorsements(events: pd.DataFrame, races: pd.DataFrame, as_of) -> pd.DataFrame:
    """Endorsement flags of each incumbent race as of a date.

    Parameters
    ----------
    events : output of :func:`endorsement_events` (or :func:`read_events`)
    races : rows with ``cycle, state, district, party, incumbent`` and, for past cycles,
        ``primary_date`` (needed by the coarse/blank-date rule; without it the 538 primary date is used
        when the race is in 538, else coarse dates count from their period end and blank ones never)
    as_of : Timestamp, or Series aligned with ``races``

    Returns
    -------
    DataFrame on ``races.index`` with the ``features.kernel.columns`` 'endorsements' columns and
    ``end_covered`` (bool). Flags are Int64 0/1 and NA where ``end_covered`` is False (absence of a
    curated row is not absence of endorsements). A race is covered when it has an event known by the
    as-of date, or when a systematic source covers its cycle (538 2022, except LA) and that source is
    usable (as of the primary eve). The incumbent is matched by name (``features.kernel.names.names_match``
    >= 0.7, or same surname when the source's role says the candidate is a sitting member); every
    other candidate in the race (including the other member in a member-vs-member race) is a challenger.
    ``end_insurgent_chal`` = JD, Our Revolution, Sunrise, WFP, Sanders, AOC or another Squad member
    backing a challenger; ``end_trump_against_inc`` = Trump endorsed a challenger of a sitting
    Republican; ``end_last_date`` = the latest known-by date among the events used (or the primary
    eve for coverage by a systematic source).
    """
    require_columns(races, ["cycle", "state", "district", "party", "incumbent"], "races")
    require_columns(events, EVENT_COLUMNS, "endorsement events")
    when_s = as_of_series(as_of, races.index)
    groups = {k: g for k, g in events.groupby(["cycle", "state", "district", "party"], sort=False)}
    has_primary = "primary_date" in races.columns

    flag_cols = [c for c in END_COLUMNS if c != "end_last_date"]
    records = []
    for idx, race in races.iterrows():
        cycle = int(race["cycle"])
        key = (cycle, race["state"], int(race["district"]), race["party"])
        ev = groups.get(key)
        when = when_s.loc[idx]
        primary = race["primary_date"] if has_primary else pd.NaT
        if pd.isna(primary) and ev is not None:
            primary = ev["primary_date"].max()
        rec = dict.fromkeys(flag_cols, pd.NA)
        rec.update(end_last_date=pd.NaT, end_covered=False)
        last = []
        if ev is not None and pd.notna(when):
            kb = known_by(ev, cycle, primary)
            used = ev[kb.notna() & (kb <= when)]
            if len(used):
                rec.update(_race_flags(used, race["incumbent"], race["party"]))
                rec["end_covered"] = True
                last.append(kb[used.index].max())
        src = SYSTEMATIC_COVERAGE.get(cycle)
        if src and race["state"] not in src[1] and pd.notna(primary) and cycle < LIVE_CYCLE and pd.notna(when):
            eve = pd.Timestamp(primary) - pd.Timedelta(days=1)
            if eve <= when:
                if not rec["end_covered"]:
                    rec.update(dict.fromkeys(flag_cols, 0))
                rec["end_covered"] = True
                last.append(eve)
        if last:
            rec["end_last_date"] = max(last)
        records.append(rec)
    out = pd.DataFrame.from_records(records, index=races.index, columns=END_COLUMNS + ["end_covered"])
    for c in flag_cols:
        out[c] = out[c].astype("Int64")
    out["end_last_date"] = pd.to_datetime(out["end_last_date"]).astype("datetime64[ns]")
    out["end_covered"] = out["end_covered"].astype(bool)
    return out


def endorsement_columns(cls: str, side: str, party: str) -> list[str]:
    """Central-table flags an endorsement of class ``cls`` for ``side`` (``incumbent`` or ``challenger``) sets
    in a race of ``party``."""
    if side == "incumbent":
        return [_INC_FLAGS[cls]] if cls in _INC_FLAGS else []
    cols = [_CHAL_FLAGS[cls]] if cls in _CHAL_FLAGS else []
    if cls in INSURGENT_CLASSES:
        cols.append("end_insurgent_chal")
    if cls == "trump" and party == "R":
        cols.append("end_trump_against_inc")
    return cols


def _race_flags(used: pd.DataFrame, incumbent, party) -> dict:
    flags = {c: 0 for c in END_COLUMNS if c != "end_last_date"}
    for _, e in used.iterrows():
        cls = e["endorser_class"]
        score = names_match(e["candidate"], incumbent)
        # same surname with unrelated given names ('Jake' / 'John Kevin' Ellzey) counts when the source
        # itself calls the candidate the sitting member
        for_inc = score >= NAME_MATCH_MIN or (score >= 0.5 and e["candidate_role"] in ("incumbent",
                                                                                        "member-vs-member"))
        for col in endorsement_columns(cls, "incumbent" if for_inc else "challenger", party):
            flags[col] = 1
    return flags
