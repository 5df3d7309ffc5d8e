"""CSV round-trip of the dated event tables (outside spending, endorsements) the build commits."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from features.kernel.errors import InputError
from features.kernel.rawio import require_columns


def write_event_csv(df: pd.DataFrame, path, columns: list[str], date_cols=(), bool_cols=(), sort_by=None) -> None:
    """Write ``columns`` of an event table: ISO dates, true/false, stable row order."""
    out = df[columns].copy()
    if sort_by:
        out = out.sort_values(list(sort_by))
    for c in date_cols:
        out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    for c in bool_cols:
        out[c] = out[c].map({True: "true", False: "false"})
    out.to_csv(path, index=False, lineterminator="\n")


def read_event_csv(path, columns: list[str], what: str, bool_cols=()) -> pd.DataFrame:
    """Read an event table written by :func:`write_event_csv` as strings (blanks -> NA, booleans
    parsed); the caller restores the other types."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, f"{what} events file not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    require_columns(df, columns, path)
    df = df.replace({"": pd.NA})
    for c in bool_cols:
        df[c] = df[c].str.lower().map({"true": True, "false": False})
    return df
