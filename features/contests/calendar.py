"""The U.S. House primary calendar, one row per (cycle, state), 2002-2026, and helpers for the scheduler.

Columns (``CALENDAR_COLUMNS``): cycle, state, primary_date, runoff_date, filing_deadline, primary_system
(one of ``constants.PRIMARY_SYSTEMS``), runoff_threshold (fraction, e.g. 0.5), convention_possible,
source; plus voter_access (closed / semi-closed / open, the state's rule for who may vote in a party
primary), filing_deadline_est (a planning estimate where no deadline is sourced), filing_deadline_basis,
primary_date_source, calendar_change.

Sources, by cycle
-----------------
- 2022, 2024, 2026: ``curated-calendar/house_primary_calendar.csv`` (see its README: 2024 has 10 states
  with only an estimated deadline, kept in ``filing_deadline_est`` and never in ``filing_deadline``;
  mid-decade 2026 moves already applied).  Blank curated dates are filled from 538 ``races.csv``.
- 2002-2018: primary and runoff dates from the FEC "Federal Elections" workbook date sheets through
  ``features.contests.fec_dates.fec_primary_dates`` (another module).  HOOK: if that module is missing, the dates
  come from 538 ``races.csv`` instead, which holds House primaries only for 2024-2026 (and Louisiana's
  November jungle elections): most 2002-2018 rows then have no date and ``primary_date_source`` says so.
- 2020: no FEC workbook here; 538 ``races.csv`` 2020 **Senate** primary dates stand in for the House
  primary (same statewide congressional primary) in 32 states, flagged ``races-senate-2020-proxy``
  (CA and LA come from House rows; 16 states stay blank).  538 created those rows in Dec 2019 and did
  not update all the COVID-era moves (e.g. GA 5/19 -> 6/9), so they are scheduled, not verified, dates.
- No filing deadlines before 2022 (``features.view.asof`` falls back to primary - 90 days).

Primary system
--------------
``top-two`` (CA from 2012, WA from 2008), ``top-four`` (AK from 2022), ``louisiana-jungle`` (LA except
2008/2010 and 2026), ``runoff`` (``constants.RUNOFF_STATES``, and LA's party primaries of 2008/2010 and
2026, the first cycle of closed party primaries), else the voter-access label.  2022-2026 voter access
is the curated label; before 2022 the 2022 label is carried back (flagged in ``source``), except CA
before 2012 (semi-closed), WA 2002-2006 (open: blanket then pick-a-party), AK before 2022 (semi-closed)
and LA 2008/2010 (closed).  ``convention_possible`` is carried back from 2022 the same way.
Runoff thresholds: 50%; NC 40% through 2016 and 30% from 2018 (curated 2022-2026 value); SD 35%;
LA 50% (jungle or party primary).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel import constants
from features.kernel.constants import (
    PRIMARY_SYSTEMS,
    RUNOFF_STATES,
    STATE_BY_NAME,
    STATES,
    louisiana_jungle,
    top_two_rule,
)
from features.kernel.atomic import write_file_atomic
from features.kernel.errors import InputError
from features.kernel.paths import CALENDAR_DIR, DATA_DIR
from features.kernel.rawio import parse_date, read_csv

CURATED = "curated-calendar/house_primary_calendar.csv"
RACES = "fivethirtyeight-election-results/races.csv"
FILE_NAME = "house_primary_calendar.csv"
CYCLES = tuple(range(2002, 2028, 2))
CURATED_CYCLES = (2022, 2024, 2026)
FEC_CYCLES = tuple(range(2002, 2020, 2))

CALENDAR_COLUMNS = ["cycle", "state", "primary_date", "runoff_date", "filing_deadline", "primary_system",
                    "runoff_threshold", "convention_possible", "source"]
EXTRA_COLUMNS = ["voter_access", "filing_deadline_est", "filing_deadline_basis", "primary_date_source",
                 "calendar_change"]
DATE_COLUMNS = ["primary_date", "runoff_date", "filing_deadline", "filing_deadline_est"]
VOTER_ACCESS = ("closed", "semi-closed", "open")
PRIMARY_STAGES = ("primary", "top two primary", "top four primary", "jungle primary")
RUNOFF_STAGES = ("primary runoff", "runoff")


# --------------------------------------------------------------------------------------------------
# sources
# --------------------------------------------------------------------------------------------------
def _curated(raw: Path) -> pd.DataFrame:
    need = ["cycle", "state", "filing_deadline", "primary_date", "runoff_date", "primary_system",
            "runoff_threshold", "convention_possible", "filing_deadline_basis", "filing_deadline_est"]
    df = read_csv(raw, CURATED, required=need, dtype=str, keep_default_na=False)
    df = df.apply(lambda s: s.str.strip())
    df["line"] = np.arange(1, len(df) + 1)
    return df


def _races(raw: Path) -> pd.DataFrame:
    df = read_csv(raw, RACES, required=["type", "state_abbrev", "cycle", "stage", "special", "date"],
                  dtype=str, keep_default_na=False)
    df = df[df["date"].str.strip() != ""].copy()
    df["date"] = pd.to_datetime(df["date"], format="%m/%d/%y", errors="coerce")
    df["cycle"] = pd.to_numeric(df["cycle"], errors="coerce")
    return df.dropna(subset=["date", "cycle"])


def _mode_date(s: pd.Series):
    return s.mode().sort_values().iloc[0] if len(s) else pd.NaT


def races_dates(races: pd.DataFrame, cycle: int, race_type: str = "HouseRace") -> pd.DataFrame:
    """Per-state primary and runoff dates of one race type and cycle in 538 races.csv.

    Regular (non-special) races; for Senate races a special election's party primary (not a jungle)
    counts too, since it is held on the state's primary day.  Louisiana's 2008/2010 rows are skipped:
    those years had party primaries that races.csv does not list (its November rows are the general).
    """
    sub = races[(races["type"] == race_type) & (races["cycle"] == cycle)]
    if race_type == "SenateRace":
        sub = sub[(sub["special"] == "false") | (sub["stage"] == "primary")]
    else:
        sub = sub[sub["special"] == "false"]
    if not louisiana_jungle("LA", cycle):
        sub = sub[sub["state_abbrev"] != "LA"]
    prim = sub[sub["stage"].isin(PRIMARY_STAGES)].groupby("state_abbrev")["date"].agg(_mode_date)
    run = sub[sub["stage"].isin(RUNOFF_STAGES)].groupby("state_abbrev")["date"].agg(_mode_date)
    out = pd.DataFrame({"primary_date": prim, "runoff_date": run})
    out.index.name = "state"
    return out.reset_index()


def fec_dates(raw: Path, cycle: int) -> pd.DataFrame | None:
    """FEC workbook primary/runoff dates via ``features.contests.fec_dates`` (HOOK: None if that module is absent)."""
    try:
        from features.contests.fec_dates import fec_primary_dates
    except ImportError:
        return None
    df = fec_primary_dates(raw, cycle).copy()
    df["state"] = df["state"].astype(str).str.strip()
    df["state"] = df["state"].where(df["state"].isin(list(STATES)),
                                    df["state"].str.title().map(STATE_BY_NAME))
    df = df[df["state"].isin(list(STATES))]
    for col in ("primary_date", "runoff_date"):
        df[col] = pd.to_datetime(df[col]) if col in df else pd.NaT
    if "source" not in df:
        df["source"] = f"fec-{cycle}-workbook"
    return df.drop_duplicates("state")


# --------------------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------------------
def primary_system(state: str, cycle: int, voter_access) -> str:
    """The calendar's primary_system for a state and cycle (module docstring)."""
    rule = top_two_rule(state, cycle)
    if rule:
        return rule
    if state == "LA":
        # all-party November election, except the party primaries (with runoffs) of 2008/2010 and 2026
        return "louisiana-jungle" if louisiana_jungle(state, cycle) and cycle < 2026 else "runoff"
    if state in RUNOFF_STATES:
        return "runoff"
    return voter_access


def _historic_access(state: str, cycle: int, access_2022) -> tuple[object, str]:
    if state == "CA" and cycle < 2012:
        return "semi-closed", "voter access: CA modified-closed primary before top-two (rule)"
    if state == "WA" and cycle < 2008:
        return "open", "voter access: WA blanket (2002) / pick-a-party (2004-06) primary (rule)"
    if state == "AK" and cycle < 2022:
        return "semi-closed", "voter access: AK party primaries before top-four (rule)"
    if state == "LA" and cycle in (2008, 2010):
        return "closed", "voter access: LA closed party primaries 2008/2010 (rule)"
    if state == "LA":
        return pd.NA, "voter access: n/a (all-party election)"
    return access_2022, "voter access: curated 2022 label carried back (best effort)"


def runoff_threshold(state: str, cycle: int):
    """The state's runoff threshold as a fraction (``constants.runoff_threshold``), NaN for plurality."""
    value = constants.runoff_threshold(state, cycle)
    return np.nan if value is None else value


def _threshold_text(text: str):
    text = text.strip().rstrip("%")
    return float(text) / 100.0 if text else np.nan


# --------------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------------
def _curated_rows(raw: Path, races: pd.DataFrame) -> list[dict]:
    cur = _curated(raw)
    for col in ("primary_date", "runoff_date"):               # an impossible date (2026-02-30): named
        if col in cur.columns:
            parse_date(cur[col].where(cur[col] != "", None), Path(raw) / CURATED, col)
    cur = cur[cur["state"].isin(list(STATES))]               # DC: delegate, not in the central table
    rows = []
    for cycle in CURATED_CYCLES:
        house = races_dates(races, cycle).set_index("state")
        for r in cur[cur["cycle"] == str(cycle)].itertuples():
            label = r.primary_system
            note = []
            if label in ("top-two", "top-four", "louisiana-jungle"):
                access = pd.NA
            elif label == "other" and r.state == "LA":
                access = "semi-closed"
                note.append("LA 2026 'other' -> semi-closed: first cycle of closed party primaries open to "
                            "unaffiliated voters; format of the rescheduled Nov 3 contest unconfirmed")
            else:
                access = label
            system = primary_system(r.state, cycle, access)
            pdate = pd.to_datetime(r.primary_date or None)
            rdate = pd.to_datetime(r.runoff_date or None)
            psrc = "curated-calendar"
            if pd.isna(pdate) and r.state in house.index:
                pdate, psrc = house.loc[r.state, "primary_date"], "races.csv-house"
            if pd.isna(rdate) and r.state in house.index and pd.notna(house.loc[r.state, "runoff_date"]):
                rdate = house.loc[r.state, "runoff_date"]
                note.append("runoff date from races.csv")
            if r.state in house.index and pd.notna(house.loc[r.state, "primary_date"]) \
                    and house.loc[r.state, "primary_date"] != pdate:
                note.append(f"races.csv primary {house.loc[r.state, 'primary_date'].date()} differs "
                            "(curated date is later-sourced)")
            basis = r.filing_deadline_basis or ("estimate only" if r.filing_deadline_est else "unknown")
            rows.append({
                "cycle": cycle, "state": r.state, "primary_date": pdate, "runoff_date": rdate,
                "filing_deadline": pd.to_datetime(r.filing_deadline or None),
                "primary_system": system, "runoff_threshold": _threshold_text(r.runoff_threshold),
                "convention_possible": r.convention_possible.lower() == "true",
                "source": "; ".join([f"curated-calendar line {r.line + 1} (deadline: {basis})"] + note),
                "voter_access": access, "filing_deadline_est": pd.to_datetime(r.filing_deadline_est or None),
                "filing_deadline_basis": basis, "primary_date_source": psrc,
                "calendar_change": getattr(r, "calendar_change", "") or pd.NA,
            })
    return rows


def _historic_rows(raw: Path, races: pd.DataFrame, base: pd.DataFrame) -> list[dict]:
    ref = base[base["cycle"] == 2022].set_index("state")
    rows = []
    for cycle in (c for c in CYCLES if c < 2022):
        fec = fec_dates(raw, cycle) if cycle in FEC_CYCLES else None
        fec = fec.set_index("state") if fec is not None else None
        house = races_dates(races, cycle).set_index("state")
        senate = races_dates(races, cycle, "SenateRace").set_index("state") if cycle == 2020 else None
        dates_2020 = curated_dates_2020().set_index("state") if cycle == 2020 else None
        for state in STATES:
            pdate, rdate, psrc = pd.NaT, pd.NaT, "none"
            if dates_2020 is not None and state in dates_2020.index:
                pdate, rdate = dates_2020.loc[state, "primary_date"], dates_2020.loc[state, "runoff_date"]
                psrc = "curated-2020 (data/overrides/primary_dates_2020.csv)"
            elif fec is not None and state in fec.index and pd.notna(fec.loc[state, "primary_date"]):
                pdate, rdate = fec.loc[state, "primary_date"], fec.loc[state, "runoff_date"]
                psrc = str(fec.loc[state, "source"])
            elif state in house.index:
                pdate, rdate, psrc = house.loc[state, "primary_date"], house.loc[state, "runoff_date"], \
                    "races.csv-house"
            elif senate is not None and state in senate.index:
                pdate, rdate = senate.loc[state, "primary_date"], senate.loc[state, "runoff_date"]
                psrc = "races-senate-2020-proxy"
            if cycle in FEC_CYCLES and fec is None:
                psrc += " (HOOK: features.contests.fec_dates absent; FEC workbook dates not used)"
            access, access_note = _historic_access(state, cycle, ref.loc[state, "voter_access"])
            notes = [f"dates: {psrc}", access_note, "convention: curated 2022 value carried back"]
            if psrc == "races-senate-2020-proxy":
                notes.append("2020 Senate primary date as scheduled in Dec 2019; COVID-era moves may be missing")
            rows.append({
                "cycle": cycle, "state": state, "primary_date": pdate, "runoff_date": rdate,
                "filing_deadline": pd.NaT, "primary_system": primary_system(state, cycle, access),
                "runoff_threshold": runoff_threshold(state, cycle),
                "convention_possible": bool(ref.loc[state, "convention_possible"]),
                "source": "; ".join(notes), "voter_access": access, "filing_deadline_est": pd.NaT,
                "filing_deadline_basis": "none", "primary_date_source": psrc, "calendar_change": pd.NA,
            })
    return rows


DATES_2020 = DATA_DIR / "overrides" / "primary_dates_2020.csv"


def curated_dates_2020(path: Path = DATES_2020) -> pd.DataFrame:
    """2020 House primary and runoff dates (COVID-era moves included), curated from the FEC's 2020
    primary-dates PDF: the FEC 2020 results here carry no dates and 538's races.csv has only Senate
    proxies for 2020, some of them pre-COVID schedules."""
    df = pd.read_csv(path, dtype=str)
    for col in ("primary_date", "runoff_date"):
        df[col] = parse_date(df[col], path, col, row_offset=1)
    unknown = ~df["state"].isin(list(STATES))
    if unknown.any():
        raise InputError(path, f"unknown state {df.loc[unknown, 'state'].iloc[0]!r}",
                         row=int(unknown.to_numpy().nonzero()[0][0]) + 1, field="state")
    return df


def build_calendar(raw: Path) -> pd.DataFrame:
    """The calendar for every cycle 2002-2026 and every state (module docstring for sources and rules)."""
    raw = Path(raw)
    races = _races(raw)
    cur = pd.DataFrame(_curated_rows(raw, races))
    hist = pd.DataFrame(_historic_rows(raw, races, cur))
    cal = pd.concat([hist, cur], ignore_index=True)
    cal = _typed(cal).sort_values(["cycle", "state"]).reset_index(drop=True)
    validate_calendar(cal, "calendar (built)")
    return cal


def _typed(cal: pd.DataFrame) -> pd.DataFrame:
    cal = cal.copy()
    for col in DATE_COLUMNS:
        cal[col] = pd.to_datetime(cal[col]).astype("datetime64[ns]")
    cal["cycle"] = cal["cycle"].astype(int)
    cal["runoff_threshold"] = pd.to_numeric(cal["runoff_threshold"]).astype(float)
    cal["convention_possible"] = cal["convention_possible"].astype("boolean")
    for col in ("state", "primary_system", "source", "voter_access", "filing_deadline_basis",
                "primary_date_source", "calendar_change"):
        cal[col] = cal[col].astype("string")
    return cal[CALENDAR_COLUMNS + EXTRA_COLUMNS]


# --------------------------------------------------------------------------------------------------
# validation, IO
# --------------------------------------------------------------------------------------------------
def validate_calendar(cal: pd.DataFrame, file) -> None:
    """Raise InputError (file, 1-based row, field) on an unknown state / system, a deadline after its
    primary, a runoff before its primary, a threshold outside (0, 1], or a duplicate (cycle, state)."""
    missing = [c for c in CALENDAR_COLUMNS if c not in cal.columns]
    if missing:
        raise InputError(file, "expected column missing", field=missing[0])
    for i, r in enumerate(cal.itertuples(index=False), start=1):
        if r.state not in STATES:
            raise InputError(file, f"unknown state {r.state!r}", row=i, field="state")
        if r.primary_system not in PRIMARY_SYSTEMS:
            raise InputError(file, f"unknown primary system {r.primary_system!r} (allowed: "
                                   f"{', '.join(PRIMARY_SYSTEMS)})", row=i, field="primary_system")
        if pd.notna(r.filing_deadline) and pd.notna(r.primary_date) and r.filing_deadline > r.primary_date:
            raise InputError(file, f"filing deadline {r.filing_deadline.date()} is after the primary "
                                   f"{r.primary_date.date()}", row=i, field="filing_deadline")
        if pd.notna(r.runoff_date) and pd.notna(r.primary_date) and r.runoff_date < r.primary_date:
            raise InputError(file, f"runoff {r.runoff_date.date()} is before the primary "
                                   f"{r.primary_date.date()}", row=i, field="runoff_date")
        if pd.notna(r.runoff_threshold) and not 0 < r.runoff_threshold <= 1:
            raise InputError(file, f"runoff threshold {r.runoff_threshold} not a fraction in (0, 1]",
                             row=i, field="runoff_threshold")
    dup = cal.duplicated(["cycle", "state"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise InputError(file, "duplicate (cycle, state) row", row=i, field="state")


def write_calendar(df: pd.DataFrame, out_dir: Path = CALENDAR_DIR) -> Path:
    """Validate and write ``<out_dir>/house_primary_calendar.csv`` (ISO dates) atomically; return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME
    df = _typed(df)
    validate_calendar(df, path)
    out = df.copy()
    for col in DATE_COLUMNS:
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    out["convention_possible"] = out["convention_possible"].map({True: "true", False: "false"})
    write_file_atomic(path, out.to_csv(index=False, float_format="%.4g", lineterminator="\n"))
    return path


def load_calendar(path: Path | None = None) -> pd.DataFrame:
    """Read the committed calendar and validate it; any bad cell -> InputError naming file, row, field."""
    from features.kernel.atomic import finish_interrupted

    path = Path(path) if path is not None else CALENDAR_DIR / FILE_NAME
    finish_interrupted(path.resolve().parent.parent)       # a build killed mid-commit is completed first
    if not path.is_file():
        raise InputError(path, "calendar file not found (run the build to create it)")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, f"cannot parse: {exc}") from exc
    missing = [c for c in CALENDAR_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(path, "expected column missing", field=missing[0])
    df = df.apply(lambda s: s.str.strip())
    for col in EXTRA_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    cycle = pd.to_numeric(df["cycle"], errors="coerce")
    if cycle.isna().any() or (cycle % 1 != 0).any():
        i = int(np.flatnonzero((cycle.isna() | (cycle % 1 != 0)).to_numpy())[0])
        raise InputError(path, f"cycle is not a year: {df['cycle'].iloc[i]!r}", row=i + 1, field="cycle")
    df["cycle"] = cycle.astype(int)
    for col in DATE_COLUMNS:
        text = df[col]
        parsed = pd.to_datetime(text.mask(text == ""), format="%Y-%m-%d", errors="coerce")
        bad = parsed.isna() & (text != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, f"not a date (YYYY-MM-DD): {text.iloc[i]!r}", row=i + 1, field=col)
        df[col] = parsed
    thr = pd.to_numeric(df["runoff_threshold"].mask(df["runoff_threshold"] == ""), errors="coerce")
    bad = thr.isna() & (df["runoff_threshold"] != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"not a number: {df['runoff_threshold'].iloc[i]!r}", row=i + 1,
                         field="runoff_threshold")
    df["runoff_threshold"] = thr
    conv = df["convention_possible"].str.lower()
    bad = ~conv.isin(["true", "false", ""])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"convention_possible must be true/false: {df['convention_possible'].iloc[i]!r}",
                         row=i + 1, field="convention_possible")
    df["convention_possible"] = conv.map({"true": True, "false": False})
    for col in ("voter_access", "filing_deadline_basis", "primary_date_source", "calendar_change"):
        df[col] = df[col].mask(df[col] == "")
    df = _typed(df)
    validate_calendar(df, path)
    return df


# --------------------------------------------------------------------------------------------------
# scheduler helpers
# --------------------------------------------------------------------------------------------------
def _row(calendar: pd.DataFrame, cycle: int, state: str) -> pd.Series:
    hit = calendar[(calendar["cycle"] == int(cycle)) & (calendar["state"] == state)]
    if hit.empty:
        raise InputError("calendar", f"no calendar row for {state} {cycle}", field="state")
    return hit.iloc[0]


def filing_deadline(calendar: pd.DataFrame, cycle: int, state: str, estimate: bool = False):
    """The state's candidate-filing deadline for a cycle (NaT if unknown).

    With ``estimate=True`` a planning estimate (``filing_deadline_est``) stands in when no deadline is
    sourced.  Unknown (cycle, state) -> InputError.
    """
    row = _row(calendar, cycle, state)
    value = row["filing_deadline"]
    if pd.isna(value) and estimate and "filing_deadline_est" in row.index:
        value = row["filing_deadline_est"]
    return pd.Timestamp(value) if pd.notna(value) else pd.NaT


def races_in_window(calendar: pd.DataFrame, cycle: int, start, end, estimates: bool = False) -> pd.DataFrame:
    """States whose filing deadline, primary or runoff date falls in [start, end] (inclusive).

    Returns one row per event: cycle, state, event ('filing_deadline' / 'primary' / 'runoff', or
    'filing_deadline_est' when ``estimates`` is set and no deadline is sourced), date; sorted by date.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if end < start:
        raise InputError("window", f"end {end.date()} is before start {start.date()}", field="end")
    sub = calendar[calendar["cycle"] == int(cycle)]
    events = {"filing_deadline": "filing_deadline", "primary_date": "primary", "runoff_date": "runoff"}
    parts = []
    for col, name in events.items():
        d = pd.to_datetime(sub[col])
        parts.append(pd.DataFrame({"cycle": sub["cycle"], "state": sub["state"], "event": name, "date": d}))
    if estimates and "filing_deadline_est" in sub:
        est = pd.to_datetime(sub["filing_deadline_est"]).where(pd.to_datetime(sub["filing_deadline"]).isna())
        parts.append(pd.DataFrame({"cycle": sub["cycle"], "state": sub["state"], "event": "filing_deadline_est",
                                   "date": est}))
    ev = pd.concat(parts, ignore_index=True)
    ev = ev[ev["date"].notna() & (ev["date"] >= start) & (ev["date"] <= end)]
    return ev.sort_values(["date", "state", "event"]).reset_index(drop=True)


# When a state's filing deadline is unknown (most cycles before 2022), assume it falls this many
# days before the primary: the median gap in the curated 2022-2026 calendar is about 90 days.
DEFAULT_DEADLINE_LEAD_DAYS = 90


def effective_deadline(table: pd.DataFrame) -> pd.Series:
    """Filing deadline per row, falling back to ``primary_date - DEFAULT_DEADLINE_LEAD_DAYS``."""
    deadline = pd.to_datetime(table.get("filing_deadline", pd.Series(pd.NaT, index=table.index)))
    fallback = pd.to_datetime(table["primary_date"]) - pd.Timedelta(days=DEFAULT_DEADLINE_LEAD_DAYS)
    return deadline.fillna(fallback)
