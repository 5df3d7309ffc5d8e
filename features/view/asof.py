"""The as-of rule: a view of the central table holding only what was known on a date.

Every forecast is made as of a date.  ``as_of_view`` returns a copy of the table in which

- ``as_of`` is set per row (a fixed date, or ``"pre-primary"``: the day before that row's primary);
- ``field_known`` says whether the state's filing deadline has passed; before it the field columns
  (``contested``, ``n_candidates``, challengers, ``incumbent_vs_incumbent``) are blanked;
- money columns whose coverage ends after ``as_of`` are replaced by the row's money as of December 31
  of the year before the election (``money_early``, from the same cycle's pre-primary copies) where that
  runs to ``as_of``, and blanked otherwise; so is money from a pre-primary
  file copied on or after the row's primary (2012, TX/IL 2014 and 2018, ...: ``features.evidence.money.
  post_primary_snapshot``); ``money="yearend"`` swaps in the
  leaky year-end FEC totals (kept only to measure the leak), ``money="none"`` blanks all money;
  the other leaky groups (``features.kernel.columns.LEAKY_GROUPS``: the undated 2024 independent-expenditure
  totals) are blanked in every mode but ``yearend``, like the year-end totals;
- outside spending and endorsements are re-aggregated from their dated event tables as of the date;
- outcome columns are left in place for scoring but are never model inputs (see ``features.view.matrix``).

``assert_as_of`` proves the rule on a view: no dated feature later than its row's as-of date.

The live cycle's roster, new-lines flags and field are dated too (``features.contests.live_dating``): a
member who joined after the as-of date, or had left the House by it (``roster_end``), is not in
the view, so it holds exactly the members sitting on its date; a 2025 map not yet enacted leaves
``new_lines`` False; a TX/FL row shows the 2024 lines' ``pres_lean`` before its 2026 plan was enacted
(``lean_lines_date``, ``features.districts.redistricting_2026``) and the new plan's from that day; and the field
from a file dated after the as-of date is hidden.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.contests.calendar import effective_deadline
from features.evidence.money import EARLY_NAMES, post_primary_snapshot
from features.evidence.watchlist import Watchlist, apply_watchlist
from features.kernel.columns import DATED_COLUMNS, DATED_GROUPS, GROUPS, LEAKY_GROUPS
from features.kernel.paths import PROCESSED_DIR

PRE_PRIMARY = "pre-primary"
MONEY_MODES = ("preprimary", "yearend", "none")
FIELD_COLUMNS = ["contested", "n_candidates", "incumbent_vs_incumbent", "other_incumbent"]


#: dated columns whose dated values are boolean flags (True = the dated fact is in use)
BOOLEAN_DATED = ("lines_enacted", "lean_lines_date", "lean_district_date")
#: dated columns whose use also shows in a value: (value, the value in force before the date)
#: (a row may be in any earlier state: before the enactment a mover has the 2024 lines' lean)
VALUE_DATED = {"lean_lines_date": ("pres_lean", ("pres_lean_prev_lines",)),
               "lean_district_date": ("pres_lean", ("pres_lean_held_district", "pres_lean_prev_lines"))}


class AsOfViolation(AssertionError):
    """A feature dated after the forecast's as-of date reached a model."""


def resolve_as_of(table: pd.DataFrame, as_of) -> pd.Series:
    """Per-row as-of dates: a fixed date, or the day before each row's primary."""
    if isinstance(as_of, str) and as_of == PRE_PRIMARY:
        return pd.to_datetime(table["primary_date"]) - pd.Timedelta(days=1)
    if isinstance(as_of, pd.Series):
        return pd.to_datetime(as_of).reindex(table.index)
    return pd.Series(pd.Timestamp(as_of), index=table.index)


def as_of_view(table: pd.DataFrame, as_of=PRE_PRIMARY, money: str = "preprimary",
               events_dir: Path | None = None) -> pd.DataFrame:
    """Return what was known as of ``as_of`` (see module docstring)."""
    if money not in MONEY_MODES:
        raise ValueError(f"money must be one of {MONEY_MODES}, got {money!r}")
    view = table.copy()
    when = resolve_as_of(view, as_of)
    if "roster_date" in view.columns:            # not yet a member on the date: not in the forecast
        later = (pd.to_datetime(view["roster_date"]) > when).to_numpy()
        if later.any():
            view, when = view[~later].copy(), when[~later]
    if "roster_end" in view.columns:             # left the House by the date: not in the forecast
        gone = (pd.to_datetime(view["roster_end"]) <= when).to_numpy()
        if gone.any():
            view, when = view[~gone].copy(), when[~gone]
    view["as_of"] = when

    known = (when >= effective_deadline(view)).to_numpy().copy()
    if "field_date" in view.columns:             # the live field is known from its file's date on
        known &= ~(pd.to_datetime(view["field_date"]) > when).to_numpy()
    if "lines_enacted" in view.columns:          # a map not yet enacted: the old lines still hold
        pending = (pd.to_datetime(view["lines_enacted"]) > when).to_numpy()
        for col in DATED_COLUMNS["lines_enacted"]:
            if col in view.columns and pending.any():
                view[col] = view[col].astype("boolean")
                view.loc[pending, col] = False
    if "lean_lines_date" in view.columns:        # a lean on a 2026 plan (TX, FL): the old lines' before it
        _revert_plan_lean(view, when)
    view["field_known"] = pd.array(known, dtype="boolean")
    for col in FIELD_COLUMNS + ["top_challenger", "top_challenger_party"] + GROUPS["challenger_quality"]:
        if col in view.columns:
            view.loc[~known, col] = np.nan if pd.api.types.is_float_dtype(view[col]) else pd.NA

    _apply_money(view, when, money)
    _apply_events(view, when, events_dir or PROCESSED_DIR)
    _apply_dated_evidence(view, when)
    return view


def _revert_plan_lean(view: pd.DataFrame, when: pd.Series) -> None:
    """TX/FL rows (``features.districts.redistricting_2026``): the lean in force on the as-of date.

    Before ``lean_district_date`` a member registered in another district of the new plan has the
    lean of their own district on it; before ``lean_lines_date`` (the plan's enactment) every row has
    the 2024 lines' lean.
    """
    from features.districts.redistricting_2026 import HELD_DISTRICT_COLUMNS, OLD_LINES_COLUMNS

    steps = [("lean_district_date", HELD_DISTRICT_COLUMNS, "lean_registered"),
             ("lean_lines_date", OLD_LINES_COLUMNS, "lean_new_lines")]
    for date_col, copies, flag in steps:
        if date_col not in view.columns:
            continue
        pending = (pd.to_datetime(view[date_col]) > when).to_numpy()
        if not pending.any():
            continue
        for col, prev in copies.items():
            if col in view.columns and prev in view.columns:
                if col == "pres_lean_lines":
                    view[col] = view[col].astype("Int64")
                view.loc[pending, col] = view.loc[pending, prev]
        if date_col == "lean_district_date" and "lean_district" in view.columns:
            view["lean_district"] = view["lean_district"].astype("Int64")
            view.loc[pending, "lean_district"] = view.loc[pending, "district"].astype(int)
        view[flag] = view[flag].astype("boolean")
        view.loc[pending, flag] = False


#: evidence groups carried on the row with their own date column (features.kernel.columns.DATED_GROUPS)
EVIDENCE_GROUPS = ("ideology", "challenger_history")


def _apply_dated_evidence(view: pd.DataFrame, when: pd.Series) -> None:
    """Blank an evidence group on rows where its date is after the as-of date."""
    for group in EVIDENCE_GROUPS:
        date_col = DATED_GROUPS[group]
        if date_col not in view.columns:
            continue
        late = (pd.to_datetime(view[date_col]) > when).to_numpy()
        _blank(view, GROUPS[group], late)


def _blank(view: pd.DataFrame, cols, mask) -> None:
    for col in cols:
        if col in view.columns:
            view.loc[mask, col] = np.nan if pd.api.types.is_float_dtype(view[col]) else pd.NA


def _apply_money(view: pd.DataFrame, when: pd.Series, money: str) -> None:
    _apply_money_mode(view, when, money)
    _blank(view, GROUPS["money_early"], np.ones(len(view), dtype=bool))    # never a model input itself


def _apply_money_mode(view: pd.DataFrame, when: pd.Series, money: str) -> None:
    pre, ye = GROUPS["money"], GROUPS["money_yearend"]
    # undated full-cycle totals other than the year-end money: only the leaky mode keeps them
    leaky = [c for g in LEAKY_GROUPS if g != "money_yearend" for c in GROUPS[g]]
    if money != "yearend":
        _blank(view, leaky, np.ones(len(view), dtype=bool))
    if money == "none":
        _blank(view, pre + ye, np.ones(len(view), dtype=bool))
        return
    if money == "yearend":
        # Deliberately leaky: the year-end totals replace the pre-primary ones (for measuring the leak).
        pairs = {"inc_receipts": "inc_receipts_ye", "inc_cash": "inc_cash_ye", "chal_receipts": "chal_receipts_ye",
                 "chal_cash": "chal_cash_ye", "money_ratio": "money_ratio_ye", "money_cvg_end": "money_ye_cvg_end"}
        for dst, src in pairs.items():
            if src in view.columns:
                view[dst] = view[src]
        return
    if "money_cvg_end" in view.columns:
        late = (pd.to_datetime(view["money_cvg_end"]) > when).to_numpy()
        # a file copied on or after the primary may reflect the result (features.evidence.money)
        hidden = late | post_primary_snapshot(view).to_numpy()
        early = _early_money_usable(view, when) & hidden
        for col, early_col in EARLY_NAMES.items():      # the money known at the end of the odd year
            if col in view.columns and early.any():
                view.loc[early, col] = view.loc[early, early_col]
        _blank(view, pre, hidden & ~early)
    _blank(view, ye, np.ones(len(view), dtype=bool))


def _early_money_usable(view: pd.DataFrame, when: pd.Series) -> np.ndarray:
    """Rows whose early-horizon money (``money_early``) runs to the as-of date or before, from a file
    copied before the primary."""
    if "money_early_cvg_end" not in view.columns:
        return np.zeros(len(view), dtype=bool)
    cvg = pd.to_datetime(view["money_early_cvg_end"])
    post = post_primary_snapshot(view, source="money_early_source")
    return (cvg.notna() & (cvg <= when) & ~post).to_numpy()


def _apply_events(view: pd.DataFrame, when: pd.Series, events_dir: Path) -> None:
    """Re-aggregate every dated event source (``features.evidence.sources``) as of ``when`` from its
    committed event table."""
    from features.evidence.sources import EVENT_SOURCES
    from features.table.store import verify_committed

    for source in EVENT_SOURCES:
        path = Path(events_dir) / source.file
        if not path.exists() or any(c not in view.columns for c in source.needs):
            continue
        verify_committed(path)
        agg = source.columns(source.read(path), view, when)
        for col in agg.columns:
            view[col] = agg[col].to_numpy()


def assert_as_of(view: pd.DataFrame, feature_columns=None) -> None:
    """Raise AsOfViolation if any dated feature in the view runs past its row's as-of date.

    A dated group counts as used when any of its columns is non-missing on the row; its date column
    (``features.kernel.columns.DATED_GROUPS``) must then be on or before ``as_of``.
    """
    when = pd.to_datetime(view["as_of"])
    _assert_dated_columns(view, when, feature_columns)
    for group, date_col in DATED_GROUPS.items():
        if date_col not in view.columns:
            continue
        cols = [c for c in GROUPS[group] if c in view.columns and c != date_col]
        if feature_columns is not None:
            cols = [c for c in cols if c in feature_columns]
        if not cols:
            continue
        used = view[cols].notna().any(axis=1)
        dates = pd.to_datetime(view[date_col])
        bad = used & dates.notna() & (dates > when)
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            row = view.iloc[i]
            raise AsOfViolation(
                f"{group}: {row.get('state')}-{row.get('district')} {row.get('cycle')} uses data dated "
                f"{dates.iloc[i].date()} after as-of {when.iloc[i].date()} (field '{date_col}')")
    money_cols = [c for c in GROUPS["money"] if c in view.columns and c not in ("money_cvg_end", "money_source")]
    if feature_columns is not None:
        money_cols = [c for c in money_cols if c in feature_columns]
    if money_cols:
        bad = view[money_cols].notna().any(axis=1) & post_primary_snapshot(view)
        if bad.any():
            row = view[bad].iloc[0]
            raise AsOfViolation(
                f"money: {row.get('state')}-{row.get('district')} {row.get('cycle')} uses money from a file "
                f"copied after its {pd.Timestamp(row['primary_date']).date()} primary (field 'money_source')")


def _assert_dated_columns(view: pd.DataFrame, when: pd.Series, feature_columns=None) -> None:
    """The live cycle's dated columns (``features.contests.live_dating``): no member before their roster date
    or after they left, no new-lines flag before the map's enactment, no field before the field file's
    date."""
    if "roster_end" in view.columns:
        left = pd.to_datetime(view["roster_end"])
        gone = (left.notna() & (left <= when)).to_numpy()
        if gone.any():
            i = gone.nonzero()[0][0]
            row = view.iloc[i]
            raise AsOfViolation(
                f"{row.get('state')}-{row.get('district')} {row.get('cycle')} {row.get('incumbent')}: scored as of "
                f"{pd.Timestamp(when.iloc[i]).date()}, but left the House on "
                f"{pd.Timestamp(row['roster_end']).date()} (field 'roster_end')")
    for date_col, cols in DATED_COLUMNS.items():
        if date_col not in view.columns:
            continue
        dates = pd.to_datetime(view[date_col])
        late = dates.notna() & (dates > when)
        if not late.any():
            continue
        if date_col == "roster_date":
            used = pd.Series(True, index=view.index)
        else:
            cols = [c for c in cols if c in view.columns and (feature_columns is None or c in feature_columns)]
            if not cols:
                continue
            flags = [view[c].astype("boolean").fillna(False) if date_col in BOOLEAN_DATED else view[c].notna()
                     for c in cols]
            value, earlier = VALUE_DATED.get(date_col, (None, ()))
            if value in view.columns and earlier and all(c in view.columns for c in earlier):
                # the value itself, not only its flag: a lean that is none of the earlier ones is the later one
                differs = [((view[value] - view[c]).abs() > 1e-12) & view[c].notna() for c in earlier]
                flags.append(pd.concat(differs, axis=1).all(axis=1))
                cols = [*cols, value]
            used = pd.concat(flags, axis=1).any(axis=1)
        bad = late & used
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            row = view.iloc[i]
            raise AsOfViolation(
                f"{row.get('state')}-{row.get('district')} {row.get('cycle')} {row.get('incumbent')}: uses "
                f"{'the row' if date_col == 'roster_date' else ', '.join(cols)} dated {dates.iloc[i].date()} "
                f"after as-of {when.iloc[i].date()} (field '{date_col}')")


def live_view(rows: pd.DataFrame, when: pd.Timestamp, watchlist: Watchlist | None = None) -> pd.DataFrame:
    """What a live forecast sees of ``rows`` as of ``when``: the as-of view, the watchlist's events known
    by then, and the live-field rule; the as-of rule is asserted on the result."""
    view = as_of_view(rows, when)
    if watchlist is not None:
        view = apply_watchlist(view, watchlist, strict=False)
    # The field is known only where the data say who is on the ballot: a row past its filing deadline
    # whose ``contested`` is unknown (the live cycle's FEC-registration field) keeps the hurdle.
    if "contested" in view.columns:
        unknown = view["contested"].isna().to_numpy()
        view["field_known"] = pd.array(view["field_known"].fillna(False).to_numpy(dtype=bool) & ~unknown,
                                       dtype="boolean")
    assert_as_of(view)
    return view
