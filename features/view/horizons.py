"""Forecast horizons: the dates a forecast is made at, relative to each row's own calendar.

The product publishes forecasts at three horizons, and evaluates each on its own:

- ``year_end``: December 31 of the year before the election (early warning; the live forecast's
  date).  The ballot is not known in most states; FEC money runs to the year-end report's coverage
  end (the report itself becomes public by January 31); challengers registered and raising money
  are known from it.
- ``filing_deadline``: the state's candidate-filing deadline (the field is known from that day).
- ``day_before``: the day before the primary.

``horizon_as_of`` gives each row's as-of date at a horizon; ``horizon_view`` the as-of view of the
table there (``features.view.asof.as_of_view``); ``training_view`` the same view prepared for fitting, with
the training targets put back where the view hides the field (a model fitted at ``year_end`` learns
P(contested) from what was known at ``year_end``, so the target ``contested`` must stay readable);
``horizon_of`` names the horizon a forecast dated on a given day is scored against.
"""
from __future__ import annotations

import pandas as pd

from features.contests.calendar import effective_deadline
from features.view.asof import PRE_PRIMARY, as_of_view

HORIZONS = ("year_end", "filing_deadline", "day_before")
HORIZON_LABELS = {
    "year_end": "December 31 of the year before the election",
    "filing_deadline": "the state's filing deadline",
    "day_before": "the day before the primary",
}
#: the column a training view carries the true number of candidates in (never a model input)
N_CANDIDATES_TARGET = "n_candidates_target"


def check_horizon(horizon: str) -> str:
    """``horizon`` if known, else ValueError naming the known ones."""
    if horizon not in HORIZONS:
        raise ValueError(f"unknown horizon {horizon!r}; known: {list(HORIZONS)}")
    return horizon


def horizon_as_of(table: pd.DataFrame, horizon: str) -> pd.Series:
    """Per-row as-of date of ``horizon``."""
    check_horizon(horizon)
    if horizon == "year_end":
        cycle = table["cycle"].astype(int)
        return pd.to_datetime(pd.Series([f"{c - 1}-12-31" for c in cycle], index=table.index))
    if horizon == "filing_deadline":
        return effective_deadline(table).astype("datetime64[ns]")
    return (pd.to_datetime(table["primary_date"]) - pd.Timedelta(days=1)).astype("datetime64[ns]")


def view_at(table: pd.DataFrame, as_of=PRE_PRIMARY, money: str = "preprimary", events_dir=None) -> pd.DataFrame:
    """The table as of ``as_of`` (a date, per-row dates, or ``PRE_PRIMARY``) in a money mode, for a
    backtest or a fit.

    Where the source does not say whether the incumbent was contested (many 2024 rows), the field
    is not known to the forecaster either: ``field_known`` is set False so the model's P(contested)
    hurdle is used instead of assuming a contest.
    """
    view = as_of_view(table, as_of=as_of, money=money, events_dir=events_dir)
    unknown = table["contested"].isna().reindex(view.index).to_numpy()
    if unknown.any():
        view.loc[unknown, "field_known"] = False
    return view


def horizon_view(table: pd.DataFrame, horizon: str, money: str = "preprimary", events_dir=None) -> pd.DataFrame:
    """The table as of ``horizon`` in a money mode (``view_at``)."""
    as_of = PRE_PRIMARY if check_horizon(horizon) == "day_before" else horizon_as_of(table, horizon)
    return view_at(table, as_of, money, events_dir)


def training_view(table: pd.DataFrame, view: pd.DataFrame) -> pd.DataFrame:
    """``view`` ready for fitting: ``contested`` (the P(contested) target) and the true number of
    candidates (``N_CANDIDATES_TARGET``, for the Bayesian model's field structure) read from the table
    where the view hides the field.  ``n_candidates`` and the other field inputs stay hidden, so a
    model is fitted on the inputs it will see at the horizon."""
    out = view.copy()
    out["contested"] = table.loc[out.index, "contested"].astype("boolean")
    if "n_candidates" in table.columns:
        out[N_CANDIDATES_TARGET] = pd.to_numeric(table.loc[out.index, "n_candidates"], errors="coerce")
    return out


def horizon_of(table: pd.DataFrame, when) -> pd.Series:
    """The horizon each row's forecast dated ``when`` is evaluated at: ``year_end`` before the
    filing deadline, ``filing_deadline`` from it until the day before the primary, ``day_before``
    from then on."""
    when = pd.Timestamp(when)
    deadline = effective_deadline(table)
    before = pd.to_datetime(table["primary_date"]) - pd.Timedelta(days=1)
    out = pd.Series("year_end", index=table.index, dtype="string")
    out[(deadline <= when).to_numpy()] = "filing_deadline"
    out[(before <= when).to_numpy()] = "day_before"
    return out
