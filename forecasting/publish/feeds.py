"""Machine-readable feeds: forecast.csv / forecast.json (latest snapshot) and history.csv (all)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from features.kernel.validation import spreadsheet_safe
from forecasting.live.snapshots import CONTESTED_SHARE_COLUMNS, FEED_COLUMNS, TEXT_COLUMNS

#: columns of forecast.csv / forecast.json: the DESIGN.md section 9 contract first (in its order: tools
#: read it by position too), then the second target (``p_lose_seat_same_party`` for every race;
#: ``p_same_party_rival_november`` and ``p_lose_general`` where two finalists go to November, empty
#: elsewhere: ``forecasting.live.scoring.second_target``), then extras
FORECAST_COLUMNS = FEED_COLUMNS + ["p_lose_seat_same_party", "p_same_party_rival_november",
    "p_lose_general", "p_loss_prev", "as_of_prev", "p_loss_change", "p_contested", "p_loss_if_contested", "share_mean",
    *CONTESTED_SHARE_COLUMNS, "field_known", "filing_deadline", "primary_date", "runoff_date", "primary_system", "bioguide_id", "drivers",
    "simulated", "inputs_through",
]
_DATES = ("as_of", "as_of_prev", "filing_deadline", "primary_date", "runoff_date", "inputs_through")
_BOOLS = ("field_known", "simulated")


def forecast_records(latest: pd.DataFrame) -> pd.DataFrame:
    """The latest snapshot in feed form: FORECAST_COLUMNS, ISO dates, one row per incumbent."""
    out = latest.reindex(columns=FORECAST_COLUMNS).copy()
    for col in _DATES:
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    out["cycle"] = out["cycle"].astype(int)
    out["district"] = out["district"].astype(int)
    return out.reset_index(drop=True)


def write_forecast_csv(records: pd.DataFrame, path: Path) -> None:
    """forecast.csv; text a spreadsheet would run as a formula gets a leading quote."""
    out = _spreadsheet_safe(records)
    for col in _BOOLS:
        out[col] = out[col].map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
    out.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")


def write_forecast_json(records: pd.DataFrame, path: Path) -> None:
    """``{"cycle", "as_of", "columns", "records": [...]}`` -- the same records as forecast.csv."""
    recs = []
    for rec in records.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
                clean[k] = None
            elif isinstance(v, float):
                clean[k] = round(v, 6)
            elif hasattr(v, "item"):
                clean[k] = v.item()
            elif k == "drivers" and isinstance(v, str) and v:
                clean[k] = json.loads(v)
            else:
                clean[k] = v
        recs.append(clean)
    doc = {
        "cycle": int(records["cycle"].max()) if len(records) else None,
        "as_of": records["as_of"].max() if len(records) else None,
        "simulated": bool(records["simulated"].fillna(False).astype(bool).any()) if len(records) else False,
        "columns": list(records.columns),
        "records": recs,
    }
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")


def write_history_csv(history: pd.DataFrame, path: Path) -> None:
    """Every stored snapshot row (text form, stored order); formula-like text quoted as in the store."""
    _spreadsheet_safe(history).to_csv(path, index=False, lineterminator="\n")


def _spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with the free-text columns (``TEXT_COLUMNS``) quoted where a spreadsheet would run them."""
    out = frame.copy()
    for col in TEXT_COLUMNS:
        if col in out.columns:
            out[col] = out[col].map(spreadsheet_safe)
    return out
