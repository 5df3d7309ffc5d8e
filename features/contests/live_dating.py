"""Dates for the live cycle's otherwise undated columns, so the as-of rule can see them.

Three things in the live rows were true only from some day in 2025, but carried no date:

- ``roster_date``: the day the incumbent is known to hold the seat.  Members elected in November
  2024 hold it from the general election (2024-11-05); members who came in by a special election
  during the 119th Congress only from the start of their term (congress-legislators ``term_start``),
  so a forecast as of 2025-01-01 does not score Rep. Van Epps (TN-7, sworn in 2025-12).
- ``roster_end``: the day the incumbent left the House (death, resignation: ``roster_2026.DEPARTURES``),
  NaT while they sit.  The live rows include the members who left before the build's as-of date
  (``roster_2026.departed_contest_rows``), so a forecast as of 2025-01-03 scores Rep. Turner (TX-18,
  died 2025-03-05) and one as of 2025-12-31 does not; together with ``roster_date`` an as-of view
  holds exactly the members sitting on its date.
- ``lines_enacted``: the day a state's mid-decade map for 2026 became law
  (``data/overrides/map_enactments.csv``, sourced; Florida's of April 2026 included), on every row
  of the state.  Before it, ``new_lines`` is not known (nor, for TX and FL, the new plan's lean:
  ``lean_lines_date``, ``features.districts.redistricting_2026``).
- ``field_date``: the day the live field (FEC registrations: ``contested``, challengers) runs to --
  the coverage date of the FEC summary the roster is built from (2025-12-31).  Before it, the field
  is not known, even past a state's filing deadline.

``features.view.asof.as_of_view`` drops rows whose ``roster_date`` is after the as-of date or whose
``roster_end`` is on or before it, reverts
``new_lines`` before ``lines_enacted`` and hides the field before ``field_date``;
``features.view.asof.assert_as_of`` checks all three.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.constants import LIVE_CYCLE
from features.kernel.errors import InputError
from features.kernel.paths import DATA_DIR

MAP_ENACTMENTS = DATA_DIR / "overrides" / "map_enactments.csv"
#: general election of 2024: the day the 119th Congress's regular members were elected
GENERAL_ELECTION_BEFORE = {2026: pd.Timestamp("2024-11-05")}
DATE_COLUMNS = ["roster_date", "roster_end", "lines_enacted", "field_date"]


def map_enactments(path: Path = MAP_ENACTMENTS) -> pd.DataFrame:
    """(cycle, state, enacted) of every mid-decade map, validated (InputError naming row and field)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("cycle", "state", "enacted"):
        if col not in df.columns:
            raise InputError(path, "expected column missing", field=col)
    out = []
    for i, r in enumerate(df.itertuples(index=False), start=1):
        try:
            out.append({"cycle": int(r.cycle), "state": r.state.strip(), "lines_enacted": pd.Timestamp(r.enacted)})
        except ValueError:
            raise InputError(path, f"not a date: {r.enacted!r}", row=i, field="enacted") from None
    return pd.DataFrame(out)


def date_live_rows(rows: pd.DataFrame, raw: Path, field_date: pd.Timestamp,
                   enactments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add ``roster_date``, ``roster_end``, ``lines_enacted`` and ``field_date`` (NaT outside the live
    cycle)."""
    from features.contests.roster_2026 import CONGRESS_START, departure_dates, house_terms

    rows = rows.copy()
    live = (rows["cycle"] == LIVE_CYCLE).to_numpy()
    terms = house_terms(Path(raw))
    specials = terms[terms["term_start"] > pd.Timestamp(CONGRESS_START)]
    joined = specials.groupby("bioguide_id")["term_start"].max()
    roster = rows["bioguide_id"].map(joined)
    roster = pd.to_datetime(roster).fillna(GENERAL_ELECTION_BEFORE[LIVE_CYCLE])
    rows["roster_date"] = roster.where(live, pd.NaT).astype("datetime64[ns]")
    left = pd.to_datetime(rows["bioguide_id"].map(departure_dates()))
    rows["roster_end"] = left.where(live, pd.NaT).astype("datetime64[ns]")

    enact = map_enactments() if enactments is None else enactments
    got = rows[["cycle", "state"]].merge(enact[["cycle", "state", "lines_enacted"]], on=["cycle", "state"],
                                         how="left")["lines_enacted"].to_numpy()
    # a district the new plan kept (TX-19, FL-1..7) is still in a state that redrew (new_lines_state)
    flags = [rows[c].astype("boolean").fillna(False).to_numpy(dtype=bool)
             for c in ("new_lines", "new_lines_state") if c in rows]
    redrawn = np.logical_or.reduce(flags) if flags else live & False
    missing = live & redrawn & pd.isna(got)
    if missing.any():
        st = rows.loc[missing, "state"].iloc[0]
        raise InputError(MAP_ENACTMENTS, f"{st} redrew for {LIVE_CYCLE} but has no enactment date", field="enacted")
    rows["lines_enacted"] = pd.Series(got, index=rows.index).where(live & redrawn, pd.NaT).astype("datetime64[ns]")
    rows["field_date"] = pd.Series(pd.Timestamp(field_date), index=rows.index).where(live, pd.NaT) \
        .astype("datetime64[ns]")
    return rows
