"""Reading raw files with one clear error when a file is missing or its columns changed."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from features.kernel.errors import InputError


def require_file(raw: Path, relpath: str) -> Path:
    """Return ``raw / relpath`` or raise InputError naming the file."""
    path = Path(raw) / relpath
    if not path.is_file():
        raise InputError(path, f"raw file not found (looked in {Path(raw)}); "
                               "set --raw or PRIMARY_FORECAST_RAW to the raw-data folder")
    return path


def require_columns(df: pd.DataFrame, required: Iterable[str], file) -> None:
    """Raise InputError naming the first required column missing from ``df``."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(file, f"expected column missing (header changed?); have {list(df.columns)[:12]}...",
                         field=missing[0])


def read_csv(raw: Path, relpath: str, required: Iterable[str] = (), **kwargs) -> pd.DataFrame:
    """Read a raw CSV, checking that it exists and has the required columns."""
    path = require_file(raw, relpath)
    try:
        df = pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, f"cannot parse: {exc}") from exc
    require_columns(df, required, path)
    return df


def to_number(series: pd.Series, file, field: str, row_offset: int = 1) -> pd.Series:
    """Parse a numeric column (commas, $, blanks allowed); raise InputError on the first bad cell."""
    s = series.astype("string").str.replace(",", "", regex=False).str.replace("$", "", regex=False).str.strip()
    s = s.mask(s.isin(["", "nan", "NaN", "None", "<NA>"]))
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna() & s.notna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(file, f"not a number: {s.iloc[i]!r}", row=i + row_offset, field=field)
    return out.astype(float)


def parse_date(series: pd.Series, file, field: str, row_offset: int = 1, fmt: str | None = None) -> pd.Series:
    """Parse a date column (blank allowed); raise InputError on the first unparseable cell."""
    s = series.astype("string").str.strip()
    s = s.mask(s.isin(["", "nan", "NaT", "<NA>"]))
    out = pd.to_datetime(s, errors="coerce", format=fmt)
    bad = out.isna() & s.notna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(file, f"not a date: {s.iloc[i]!r}", row=i + row_offset, field=field)
    return out


def race_keys(record, file, row: int) -> tuple[int, str, str]:
    """Validate and return (cycle, state, party) of a curated row with `cycle`, `state`, `party` strings."""
    from features.kernel.constants import STATES

    state = record["state"].strip().upper()
    if state not in STATES:
        raise InputError(file, f"unknown state {record['state']!r}", row=row, field="state")
    party = record["party"].strip().upper()
    if party not in ("D", "R"):
        raise InputError(file, f"party must be D or R, got {record['party']!r}", row=row, field="party")
    if not record["cycle"].strip().isdigit():
        raise InputError(file, f"not a cycle: {record['cycle']!r}", row=row, field="cycle")
    return int(record["cycle"]), state, party


def to_boolean(s: pd.Series) -> pd.Series:
    """Text true/false (or 1/0) as pandas nullable booleans; other values as they are."""
    if s.dtype == "boolean":
        return s
    mapped = s.map(lambda v: {"true": True, "false": False, "1": True, "0": False}.get(str(v).strip().lower(), v)
                   if isinstance(v, str) else v)
    return mapped.astype("boolean")
