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
    """A probability as a percentage: '4.1%'; a chance that is neither nil nor certain never rounds to
    either ('<0.1%', '>99.9%'; with ``digits=0``: '<1%', '>99%'); ``missing`` when missing."""
    v = number(v)
    if v is None:
        return missing
    step = 10.0 ** -digits / 100
    if 0 < v < step / 2:
        return f"<{100 * step:.{digits}f}%"
    if 1 - step / 2 <= v < 1:
        return f">{100 * (1 - step):.{digits}f}%"
    return f"{100 * v:.{digits}f}%"


def usd(v, missing: str = MISSING) -> str:
    """Dollars, whole: '$1,235,489'."""
    v = number(v)
    return missing if v is None else f"${v:,.0f}"


def pts(v, missing: str = MISSING) -> str:
    """A change of probability in percentage points: '+1.2 pts'."""
    v = number(v)
    return missing if v is None else f"{100 * v:+.1f} pts"


#: below this chance of no opponent, the range is not followed by it
UNOPPOSED_SHOWN = 0.005


def vote_share(rec) -> dict:
    """The incumbent's first-round share as a reader compares it with a result.

    Returns ``low``, ``median``, ``high`` (10th, 50th, 90th percentiles), ``conditional`` (True: the
    share given a contest, the record's ``share_if_contested_p*``; False: a record made before those,
    whose ``share_p*`` mix in the chance of no opponent as a share of 100%), ``p_unopposed`` (the
    chance of no same-party opponent on the ballot, None when below ``UNOPPOSED_SHOWN`` or settled)
    and ``unopposed`` (True: the ballot is known and shows no opponent)."""
    get = rec.get if isinstance(rec, dict) else (lambda k: getattr(rec, k, None))
    conditional = [number(get(f"share_if_contested_p{q}")) for q in (10, 50, 90)]
    known, pc = get("field_known"), number(get("p_contested"))
    known = known is not None and not pd.isna(known) and bool(known)
    out = {"unopposed": bool(known and pc is not None and pc <= 0), "p_unopposed": None}
    if None not in conditional:
        out.update(zip(("low", "median", "high"), conditional), conditional=True)
        if not known and pc is not None and 1 - pc >= UNOPPOSED_SHOWN:
            out["p_unopposed"] = 1 - pc
    else:
        out.update(low=number(get("share_p10")), median=number(get("share_p50")),
                   high=number(get("share_p90")), conditional=False)
    return out


def share_words(rec) -> str:
    """The share in words: '38%-61% if challenged (median 49%); 13% chance of no opponent'."""
    v = vote_share(rec)
    if v["unopposed"]:
        return "no same-party opponent on the ballot"
    if v["low"] is None:
        return "vote share unknown"
    text = f"{pct(v['low'], 0)}-{pct(v['high'], 0)}"
    text += (" if challenged" if v["conditional"] else "") + f" (median {pct(v['median'], 0)})"
    if v["p_unopposed"] is not None:
        text += f"; {pct(v['p_unopposed'], 0)} chance of no opponent"
    return text
