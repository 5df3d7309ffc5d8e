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


def read_csv(raw: Path, relpath: str, required: Iterable[str] = (), unique_rows: bool = False,
             **kwargs) -> pd.DataFrame:
    """Read a raw CSV, checking that it exists, is not cut off inside its last row, and has the
    required columns; with ``unique_rows`` (curated files, where a repeated line would count a figure
    twice) a row repeating an earlier one is an error naming both."""
    path = require_file(raw, relpath)
    check_last_row(path)
    try:
        df = pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, f"cannot parse: {exc}") from exc
    require_columns(df, required, path)
    if unique_rows:
        dup = df.duplicated(keep="first").to_numpy()
        if dup.any():
            i = int(dup.nonzero()[0][0])
            first = int((df.iloc[:i] == df.iloc[i]).fillna(df.iloc[:i].isna() & pd.isna(df.iloc[i]))
                        .all(axis=1).to_numpy().nonzero()[0][0])
            raise InputError(path, f"row {i + 1} repeats row {first + 1} word for word ({int(dup.sum())} "
                                   "repeated rows): a figure would count twice", row=i + 1)
    return df


def check_last_row(path: Path, sep: str = ",", n_fields: int | None = None, header: bool = True) -> None:
    """A delimited file whose last line is cut short (no final newline and fewer fields than a full
    row: the header's, or ``n_fields`` for a file without one) is a truncated file: InputError naming
    its last row."""
    import csv
    import io

    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        if size == 0:
            return
        fh.seek(max(0, size - 65536))
        tail = fh.read()
    if tail.endswith(b"\n"):
        return
    if n_fields is None:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            n_fields = len(next(csv.reader(fh, delimiter=sep), []))
    last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    fields = next(csv.reader(io.StringIO(last), delimiter=sep), [])
    if n_fields and 0 < len(fields) < n_fields:
        with open(path, "rb") as fh:
            n_lines = sum(1 for _ in fh)
        raise InputError(path, f"the last row is cut short ({len(fields)} of {n_fields} fields): the "
                               "file looks truncated", row=n_lines - (1 if header else 0))


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
