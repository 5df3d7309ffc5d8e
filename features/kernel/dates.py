"""Dates shared by every layer: the as-of date of a forecast (parsed and checked once, here) and one
as-of date per row."""
from __future__ import annotations

import re

import pandas as pd

from features.kernel.errors import InputError


def as_of_series(as_of, index) -> pd.Series:
    """One as-of date per row of ``index``: a Series aligned with it (checked), or one date for all."""
    if isinstance(as_of, pd.Series):
        if not as_of.index.equals(index):
            raise ValueError("as_of Series must be aligned with the rows' index")
        return pd.to_datetime(as_of)
    return pd.Series(pd.Timestamp(as_of), index=index).astype("datetime64[ns]")


def cycle_data_start(cycle: int) -> pd.Timestamp:
    """First date a cycle's forecast can be made: 1 January of the year before the election (the
    new Congress is sworn in on 3 January and the FEC's two-year cycle starts on 1 January)."""
    return pd.Timestamp(int(cycle) - 1, 1, 1)


def parse_as_of(as_of, cycle: int, now=None, source: str = "as-of") -> pd.Timestamp:
    """Validate an as-of date: parseable, not after today (``now``), not before the cycle's data start.

    Raises one InputError naming the offending field.
    """
    if isinstance(as_of, str) and not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}([ T][0-9:.+\-Z]*)?\s*", as_of):
        raise InputError(source, f"not a date: {as_of!r} (use YYYY-MM-DD)", field="as_of")
    try:
        when = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise InputError(source, f"not a date: {as_of!r} (use YYYY-MM-DD)", field="as_of") from None
    if pd.isna(when):
        raise InputError(source, f"not a date: {as_of!r} (use YYYY-MM-DD)", field="as_of")
    when = when.tz_localize(None) if when.tzinfo else when
    when = when.normalize()
    today = pd.Timestamp(now if now is not None else pd.Timestamp.now())
    today = (today.tz_localize(None) if today.tzinfo else today).normalize()
    if when > today:
        raise InputError(source, f"as-of date {when.date()} is in the future (today is {today.date()}); "
                                 "a forecast can only use what is already known", field="as_of")
    start = cycle_data_start(cycle)
    if when < start:
        raise InputError(source, f"as-of date {when.date()} is before the {cycle} cycle's data start "
                                 f"{start.date()}", field="as_of")
    return when
