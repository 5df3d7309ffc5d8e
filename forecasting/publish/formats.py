"""How numbers read on the site, in the notebooks and in the race report: one home for each format."""
from __future__ import annotations

import math

import pandas as pd

MISSING = "–"


def number(v) -> float | None:
    """``v`` as a float, or None when it is missing or not a number."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or (not isinstance(v, str) and pd.isna(v)):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def pct(v, digits: int = 1, missing: str = MISSING) -> str:
    """A probability as a percentage: '4.1%', '<0.1%' below a thousandth, ``missing`` when missing."""
    v = number(v)
    if v is None:
        return missing
    if 0 < v < 0.001:
        return "<0.1%"
    return f"{100 * v:.{digits}f}%"


def usd(v, missing: str = MISSING) -> str:
    """Dollars, whole: '$1,235,489'."""
    v = number(v)
    return missing if v is None else f"${v:,.0f}"


def pts(v, missing: str = MISSING) -> str:
    """A change of probability in percentage points: '+1.2 pts'."""
    v = number(v)
    return missing if v is None else f"{100 * v:+.1f} pts"
