"""Congressional primary and runoff dates from the FEC workbooks' primary-date sheets, 2002-2018.

``fec_primary_dates(raw, cycle)`` returns one row per state (voting members only) with the House
primary date and, where the state holds one, the primary runoff date.

What the sheets hold (and the traps handled here):
- 2002-2006: one table (state, Senate mark, primary, runoff); 2008/2012/2016 put the presidential
  primaries on the left and the congressional dates on the right: the columns are found by header
  text ('CONGRESSIONAL PRIMARY', else 'PRIMARY DATE' / 'Primary'), never by position;
- dates typed without a year were stored with the year the sheet was edited: 2006 -> 2007,
  2008 -> 2009, 2010 SD -> 2011, 2016 -> 2017. A date in the following year is moved back to the
  cycle (month and day are right);
- footnote marks glued to the date: '5/151' (= 5/15 + note 1), '3/4 1'; and where Excel turned
  such text into a date, '4/3'+'1' became April 1931, '5/8'+'1' May 1981, '8/7'+'1' August 1971
  (2012 MD, IN, KS, MI): the day is recovered from the two-digit 'year';
- NC 2016 has two rows, '3/15 (U.S. Senate)' and '6/7 (U.S. House)': the House row is used;
- Louisiana has no congressional primary in most cycles (its all-party election is in November):
  the sheet leaves it blank or out -> NaT.
Anything else that is not a date raises InputError naming the file, row and field.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from features.contests.results_fec import FEC_DIR, FEC_WORKBOOKS, clean_text, open_workbook
from features.kernel.constants import DELEGATE_STATES, STATES
from features.kernel.errors import InputError
from features.kernel.rawio import require_file

_NAMES = {name.upper(): code for code, name in STATES.items()}
_NAMES.update({"D.C.": "DC", "DISTRICT OF COLUMBIA": "DC", "AMERICAN SAMOA": "AS", "GUAM": "GU",
               "PUERTO RICO": "PR", "VIRGIN ISLANDS": "VI", "NORTHERN MARIANA ISLANDS": "MP",
               "N. MARIANA ISLANDS": "MP"})
_TEXT_DATE = re.compile(r"^(\d{1,2})/(\d{1,3})(?:\s+\d)?\s*(?:\((.*)\))?$")


def fec_primary_dates(raw: Path, cycle: int) -> pd.DataFrame:
    """House primary and runoff dates per state from a cycle's FEC workbook (2002-2018).

    Parameters
    ----------
    raw : the raw-data folder
    cycle : 2002, 2004, ..., 2018

    Returns
    -------
    DataFrame[state, primary_date, runoff_date, source]; dates are Timestamps (NaT when the sheet
    gives none); ``source`` names the workbook, sheet and row, plus any repair made to the cell.
    """
    if cycle not in FEC_WORKBOOKS:
        raise InputError(FEC_DIR, f"no FEC workbook for cycle {cycle}", field="cycle")
    path = require_file(raw, f"{FEC_DIR}/{FEC_WORKBOOKS[cycle]}")
    with open_workbook(path) as book:
        sheet = next((s for s in book.sheet_names if "PRIMARY DATES" in s.upper()), None)
        if sheet is None:
            raise InputError(path, f"no primary-dates sheet (sheets: {book.sheet_names})", field="sheet")
        cells = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    hrow, state_col, prim_col, run_col = _locate(cells, path)

    records = []
    for i in range(hrow + 1, len(cells)):
        label = clean_text(cells.iat[i, state_col]).upper()
        state = _NAMES.get(label)
        if state is None or state in DELEGATE_STATES:
            continue
        prim, pnote, chamber = _parse_date(cells.iat[i, prim_col], cycle, path, i + 1, "primary_date")
        if chamber == "senate":
            continue
        runoff, rnote, _ = (pd.NaT, "", None) if run_col is None else \
            _parse_date(cells.iat[i, run_col], cycle, path, i + 1, "runoff_date")
        notes = "; ".join(n for n in (pnote, rnote) if n)
        source = f"{FEC_DIR}/{path.name}:{sheet}!row {i + 1}" + (f" ({notes})" if notes else "")
        records.append({"state": state, "primary_date": prim, "runoff_date": runoff, "source": source,
                        "_house": chamber == "house"})
    if not records:
        raise InputError(path, "no state rows found in the primary-dates sheet", field="STATE")
    out = pd.DataFrame.from_records(records)
    # several rows for one state (NC 2016: Senate and House dates): the House-specific row wins
    out = out.sort_values(["state", "_house"], ascending=[True, False]).drop_duplicates("state")
    out = out.drop(columns="_house").reset_index(drop=True)
    out["primary_date"] = pd.to_datetime(out["primary_date"]).astype("datetime64[ns]")
    out["runoff_date"] = pd.to_datetime(out["runoff_date"]).astype("datetime64[ns]")
    return out


def _locate(cells: pd.DataFrame, path: Path) -> tuple[int, int, int, int | None]:
    """Header row and the state / congressional primary / runoff columns, by header text."""
    for i in range(min(20, len(cells))):
        texts = [clean_text(v).upper() for v in cells.iloc[i]]
        prim = [j for j, t in enumerate(texts) if t.startswith("CONGRESSIONAL PRIMARY")]
        if not prim:
            prim = [j for j, t in enumerate(texts) if t in ("PRIMARY DATE", "PRIMARY")]
        if not prim:
            continue
        p = prim[0]
        states = [j for j, t in enumerate(texts[:p]) if t == "STATE"]
        if not states:
            raise InputError(path, "no STATE header left of the primary-date column", row=i + 1, field="STATE")
        runs = [j for j, t in enumerate(texts) if j > p and "RUNOFF" in t]
        return i, states[-1], p, (runs[0] if runs else None)
    raise InputError(path, "no congressional primary-date header in the first 20 rows", field="PRIMARY DATE")


def _parse_date(value, cycle: int, path: Path, row: int, field: str) -> tuple[pd.Timestamp, str, str | None]:
    """Cell -> (date, repair note, chamber qualifier 'house'/'senate'/None)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return pd.NaT, "", None
    if isinstance(value, (datetime, pd.Timestamp)):
        ts = pd.Timestamp(value)
        if ts.year == cycle:
            return ts.normalize(), "", None
        if ts.year == cycle + 1:
            return ts.replace(year=cycle).normalize(), f"year {ts.year} read as {cycle}", None
        yy = ts.year % 100
        if ts.year < 2000 and ts.day == 1 and yy % 10 == 1 and 1 <= yy // 10:
            fixed = pd.Timestamp(cycle, ts.month, yy // 10)
            return fixed, f"cell {ts.date()} read as {fixed.date()} (footnote 1 glued to the day)", None
        raise InputError(path, f"implausible date {ts.date()} for cycle {cycle}", row=row, field=field)
    text = clean_text(value)
    if not text:
        return pd.NaT, "", None
    m = _TEXT_DATE.match(text)
    if not m:
        raise InputError(path, f"unparseable date cell {text!r}", row=row, field=field)
    month, day_digits, qualifier = int(m.group(1)), m.group(2), (m.group(3) or "").upper()
    note = ""
    if len(day_digits) == 3:               # '5/151' = 5/15 + footnote 1
        day_digits, note = day_digits[:2], f"text {text!r} read as {month}/{day_digits[:2]} (footnote)"
    elif text != f"{m.group(1)}/{m.group(2)}":
        note = f"text {text!r}"
    try:
        ts = pd.Timestamp(cycle, month, int(day_digits))
    except ValueError:
        raise InputError(path, f"unparseable date cell {text!r}", row=row, field=field) from None
    chamber = "senate" if "SENATE" in qualifier else "house" if "HOUSE" in qualifier else None
    return ts, note, chamber
