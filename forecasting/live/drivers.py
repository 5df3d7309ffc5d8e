"""What drives a race's P(loss): a model-agnostic what-if per feature group.

For each driver (a named group of central-table columns) every row's columns are replaced by a
*reference* value -- the typical incumbent of the cycle, nationally, as of the forecast date: the median of numeric columns,
the most common value of other columns, and none (0) for endorsements and outside spending -- and the
model predicts again.  The driver's effect on a row is

    delta = P(loss | actual values) - P(loss | the group at its reference value)

in probability (positive = this group raises the risk).  One extra ``predict`` on the stacked
perturbed copies, so it works for any :class:`forecasting.models.base.PrimaryModel` (logit, boosted,
Bayesian) without knowing its internals.  The deltas do not add up to P(loss) exactly when
features interact; they answer "how much would the forecast change without this".

Only known values are replaced: a value that is missing on a row (say, no endorsement data for
the race) stays missing, so a driver never claims an effect for information the forecast lacks.
Field columns (``contested``, ``field_known``) and coverage flags are not perturbed: once the field is known an uncontested incumbent
cannot lose, which is the hurdle itself rather than a driver.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

#: driver label -> columns (columns missing from the frame are ignored)
DRIVERS: dict[str, list[str]] = {
    "insurgent endorsements of the challenger": [
        "end_insurgent_chal", "end_jd_chal", "end_our_revolution_chal", "end_sunrise_chal", "end_wfp_chal",
        "end_sanders_chal", "end_aoc_chal"],
    "Trump against the incumbent": ["end_trump_against_inc"],
    "endorsements for the incumbent": ["end_trump_for_inc", "end_leadership_inc", "end_aipac_inc",
                                       "end_dmfi_inc"],
    "pro-Israel groups for the challenger": ["end_aipac_chal", "end_dmfi_chal"],
    "outside spending": ["os_for_inc", "os_against_inc", "os_for_chal", "os_against_chal",
                         "os_pro_israel_against_inc", "os_pro_israel_for_inc", "os_crypto", "os_progressive",
                         "os_party_aligned", "os_conservative"],
    "incumbent's money": ["inc_receipts", "inc_cash"],
    "challenger's money": ["chal_receipts", "chal_cash", "money_ratio"],
    "size of the field": ["n_candidates", "incumbent_vs_incumbent"],
    "district partisanship": ["pres_lean"],
    "district demographics": ["latino_share", "black_share", "asian_share", "white_share", "ba_plus_share",
                              "foreign_born_share", "median_age", "urban_index", "renter_share"],
    "incumbent's age": ["incumbent_age"],
    "incumbent's tenure": ["tenure_years", "tenure_terms"],
    "last primary's share": ["last_primary_share"],
    # the previous primary (features.evidence.challenger_history): its top challenger is running again (known
    # from the filing deadline, or from the watchlist once the field is); set to "no rematch" the
    # rematch's share term goes too
    "rematch of the last primary": ["rematch"],
    # the returning challenger's previous share (in the defaults through the rematch only) and,
    # for models reading the challenger history, whether the last primary was contested
    "last primary's top challenger": ["prev_chal_share", "prev_contested"],
    "new district since the last primary": ["district_switch"],
    "won the seat by beating an incumbent": ["beat_incumbent_in_primary"],
    "new district lines": ["new_lines"],
    "primary system": ["primary_system"],
}


#: drivers whose reference is "none": no endorsement, no outside money (most races have none, but
#: the curated sources cover few races, so a median over covered rows would not say so), no rematch
ZERO_REFERENCE = ("insurgent endorsements of the challenger", "Trump against the incumbent",
                  "endorsements for the incumbent", "pro-Israel groups for the challenger", "outside spending",
                  "rematch of the last primary")


def reference_values(frame: pd.DataFrame, columns: list[str], zero: bool = False) -> dict:
    """Typical value per column over ``frame``: median for numbers, most common value otherwise
    (``zero``: 0 / False for every column)."""
    ref = {}
    for col in columns:
        if zero:
            ref[col] = False if frame[col].dtype in ("boolean", bool) else 0
            continue
        s = frame[col]
        if s.dtype == "boolean" or s.dtype == bool:
            ref[col] = bool(s.dropna().astype(bool).mode().iloc[0]) if s.notna().any() else pd.NA
        elif pd.api.types.is_integer_dtype(s):
            ref[col] = int(round(float(s.median()))) if s.notna().any() else pd.NA
        elif pd.api.types.is_numeric_dtype(s):
            ref[col] = float(s.median()) if s.notna().any() else np.nan
        else:
            ref[col] = s.dropna().mode().iloc[0] if s.notna().any() else None
    return ref


def driver_deltas(model, frame: pd.DataFrame, base_p: np.ndarray | None = None,
                  drivers: dict[str, list[str]] | None = None,
                  reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per row and driver, P(loss) minus P(loss) with the driver's columns at their reference value.

    The reference values come from ``reference`` (default ``frame``): pass the whole cycle's view when
    ``frame`` holds a few states, so that a race's drivers do not depend on which races were scored
    with it.

    Only rows whose value differs from the reference are perturbed (the others have a zero effect);
    all perturbed rows are stacked and predicted in one call (predictions are per row).  Returns a frame indexed like ``frame`` with one float
    column per driver present in the frame.
    """
    drivers = DRIVERS if drivers is None else drivers
    if base_p is None:
        base_p = model.predict(frame)["p_loss"].to_numpy()
    out = pd.DataFrame(index=frame.index)
    labels, copies, rows = [], [], []
    for label, cols in drivers.items():
        cols = [c for c in cols if c in frame.columns]
        if not cols:
            continue
        out[label] = 0.0
        ref = reference_values(frame if reference is None else reference, cols, zero=label in ZERO_REFERENCE)
        alt = frame.copy()
        changed = np.zeros(len(frame), dtype=bool)
        for col in cols:
            value = ref[col]
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            typical = pd.Series([value] * len(alt), index=alt.index, dtype=frame[col].dtype)
            alt[col] = frame[col].where(frame[col].isna(), typical)   # unknown stays unknown
            changed |= (frame[col].notna() & (frame[col] != typical)).fillna(False).to_numpy(dtype=bool)
        if changed.any():                  # rows already at the reference have a zero effect
            labels.append(label)
            rows.append(np.flatnonzero(changed))
            copies.append(alt.iloc[rows[-1]])
    if not copies:
        return out
    p_alt = model.predict(pd.concat(copies, ignore_index=True))["p_loss"].to_numpy()
    start = 0
    for label, idx in zip(labels, rows):
        col = out[label].to_numpy(copy=True)
        col[idx] = base_p[idx] - p_alt[start:start + len(idx)]
        out[label] = col
        start += len(idx)
    return out


def top_drivers(deltas: pd.DataFrame, k: int = 4, min_abs: float = 1e-4) -> list[list[dict]]:
    """Per row, the ``k`` largest drivers by |delta| (ignoring those below ``min_abs``)."""
    out = []
    values = deltas.to_numpy()
    labels = list(deltas.columns)
    for row in values:
        order = np.argsort(-np.abs(row), kind="stable")
        out.append([{"driver": labels[j], "delta": round(float(row[j]), 6)}
                    for j in order[:k] if np.isfinite(row[j]) and abs(row[j]) >= min_abs])
    return out


def drivers_json(items: list[dict]) -> str:
    return json.dumps(items, separators=(",", ":"), ensure_ascii=False)


def drivers_text(items: list[dict]) -> str:
    """'insurgent endorsements of the challenger +3.1 pts; ...' (percentage points)."""
    return "; ".join(f"{d['driver']} {100 * d['delta']:+.1f} pts" for d in items)
