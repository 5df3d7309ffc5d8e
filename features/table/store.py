"""Reading and writing the central table with stable types."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from features.kernel.columns import GROUPS
from features.kernel.errors import InputError
from features.kernel.paths import PROCESSED_DIR
from features.kernel.rawio import to_boolean

TABLE_NAME = "incumbent_primaries"
TABLE_CSV = PROCESSED_DIR / f"{TABLE_NAME}.csv"

BOOL_COLUMNS = ["contested", "incumbent_vs_incumbent", "lost", "went_to_runoff", "challenger_advanced",
                "new_lines", "special_election_member", "beat_incumbent_in_primary", "os_covered",
                "end_covered", "lost_to_same_party", "same_party_general", "lost_general",
                "prev_general_same_party", "lean_new_lines", "demog_stale", "lean_registered"]
DATE_COLUMNS = ["primary_date", "runoff_date", "filing_deadline", "money_cvg_end", "money_early_cvg_end",
                "money_ye_cvg_end",
                "os_last_date", "end_last_date", "roster_date", "roster_end", "lines_enacted", "field_date",
                "lean_lines_date", "lean_district_date"]
# dated evidence families: each group's date column, from features.kernel.columns.DATED_GROUPS
DATE_COLUMNS += ["ideology_date", "misconduct_last_date", "chal_quality_date", "pi_fec_last_date", "norpac_fec_last_date",
                 "js_fec_last_date",
                 "ie24_cvg_end", "prev_primary_date"]
INT_COLUMNS = ["cycle", "district"]
STR_COLUMNS = ["state", "party", "incumbent", "bioguide_id", "fec_id", "primary_system", "top_challenger",
               "top_challenger_party", "other_incumbent", "challengers", "gender", "leadership",
               "general_rival", "general_rival_party", "general_source_row", "prev_top_challenger",
               "rematch_name"]


def normalize_types(df: pd.DataFrame) -> pd.DataFrame:
    """Give every known column its canonical dtype (nullable booleans, datetimes, ints, strings)."""
    df = df.copy()
    for col in BOOL_COLUMNS:
        if col in df.columns:
            df[col] = to_boolean(df[col])
    for col in DATE_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    for col in INT_COLUMNS:
        if col in df.columns:
            df[col] = df[col].astype(int)
    for col in STR_COLUMNS:
        if col in df.columns:
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    for col in ("incumbent_share", "top_challenger_share", "incumbent_age", "tenure_years", "pres_lean"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col]).astype(float)
    return df


def load_table(path: str | Path | None = None) -> pd.DataFrame:
    """Load the committed central table (CSV) with canonical types."""
    from features.kernel.atomic import finish_interrupted

    path = Path(path) if path else TABLE_CSV
    finish_interrupted(path.resolve().parent.parent)       # a build killed mid-commit is completed first
    verify_committed(path)
    df = pd.read_csv(path, dtype={"fec_id": str, "bioguide_id": str}, keep_default_na=True, low_memory=False)
    return normalize_types(df)


def write_table_csv(df: pd.DataFrame, path: Path) -> None:
    """Write the table deterministically: fixed column order, sorted key, ISO dates, true/false."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == "boolean":
            out[col] = out[col].map({True: "true", False: "false"}).astype(object)
        elif pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")


def ordered_columns(df: pd.DataFrame) -> list[str]:
    """Key and grouped columns first, in group order, then anything else alphabetically."""
    seen: list[str] = []
    for col in ["cycle", "state", "district", "party", "incumbent"]:
        if col in df.columns and col not in seen:
            seen.append(col)
    for cols in GROUPS.values():
        for col in cols:
            if col in df.columns and col not in seen:
                seen.append(col)
    return seen + sorted(c for c in df.columns if c not in seen)


MANIFEST = "manifest.json"


def verify_committed(path: str | Path) -> None:
    """A committed table must be the one the build wrote: its sha256 against ``manifest.json`` beside it
    (when the manifest lists it).  A table cut short, edited by hand or with rows repeated is refused
    before anything is scored: one InputError naming the file."""
    import json

    path = Path(path)
    manifest = path.parent / MANIFEST
    if not manifest.is_file():
        return
    try:
        expected = json.loads(manifest.read_text()).get("outputs", {}).get(path.name)
    except (json.JSONDecodeError, AttributeError) as exc:
        raise InputError(manifest, f"manifest is not valid JSON: {exc}") from None
    if not expected or not path.is_file():
        return
    stat = path.stat()
    digest = _sha256(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if digest != expected:
        raise InputError(path, f"does not match its manifest (sha256 {digest[:12]}..., the build recorded "
                               f"{expected[:12]}...): the table was changed after the build (rows cut, "
                               "repeated or edited); rebuild it with `primary-forecast data build`")


@lru_cache(maxsize=32)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
