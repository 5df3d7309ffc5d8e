"""District lean on the 2026 Texas and Florida maps, dated by each plan's enactment.

Texas (PLANC2333, HB 4, signed 2025-08-29) and Florida (the plan of the April 2026 special session)
drew new congressional maps for 2026.  Until this module the live rows of both states carried the
presidential lean of the 2024 lines.  Here each 2026 TX/FL row gets the lean on the new lines, and
the table keeps the old lines' lean beside it, so that the as-of view (``features.view.asof``) shows the
old lean before the plan was enacted and the new one from that day on.

Source
------
``redistricting-2026-tx-fl/`` (its README): per district of each plan, Harris's two-party share of
2024 (``pres2024_old`` on the old lines, ``pres2024_new`` on the new plan) and the mean Democratic
share of 17 (TX) / 13 (FL) statewide races, from Dave's Redistricting precinct composites
re-aggregated to each plan (J. Cervas, ``jcervas/democracys-data`` @ 3f1f783).  District ``N`` of
the summary is district ``N`` of the plan.

- ``pres_lean`` (DESIGN section 9) is the incumbent party's two-party presidential share minus the
  national one: for a Democrat ``pres2024_new - national``, for a Republican ``national -
  pres2024_new``, with the table's national 2024 share (``national_d_share``, the Downballot file's
  0.4916), so the new lean is on the same scale as every other 2026 row.
- The summary's old-lines shares are checked against the Downballot 2024-lines shares the table
  already uses (a file whose rows were shuffled or renumbered fails here): they agree within 0.0002
  in Texas and within 0.019 in Florida (FL-23: DRA 0.528, Downballot 0.510); more than
  ``OLD_LINES_TOL`` is an error.
- A district whose summary is identical on both plans (every statewide mean, the 2024 share and the
  win count: TX-19, FL-1 to FL-7) kept its lines: its row keeps the table's values and has
  ``new_lines`` False.  Every other district has ``new_lines`` True and the DRA ``pres2024_new`` share.

Enactment dates
---------------
``data/overrides/map_enactments.csv`` (one source of truth, also used by ``features.contests.live_dating``):
TX 2025-08-29 (HB 4 signed).  FL 2026-04-24: no source here gives the governor's signature date;
the curated calendar (``curated-calendar``, FL 2026 notes) says the special session of
2026-04-20..24 "enacted a new congressional map", and House qualifying was moved to 2026-06-08..12 for
it.  The session's last day is the earliest day the plan can have passed, and its lines were public
from then; a forecast dated between that day and the (unknown) signature uses a passed, unsigned
plan.

Incumbents in another district
------------------------------
The live rows are keyed by the district the member holds (or is registered in) as of 2025-12-31, so
the lean is that of the same-numbered district of the new plan (``lean_district``).  Three Texas
Democrats whose seats were redrawn Republican re-registered elsewhere, in weball26 rows that cover
to 2026-02-11 (after the table's as-of date): Al Green 9 -> 18, Julie Johnson 32 -> 33, Greg Casar
35 -> 37.  For them the lean is that of the registered district from that coverage date
(``lean_district_date``); from the enactment until then, what the data said then: the lean of their
own district on the new plan (TX-9 Harris 40.0%, TX-32 40.9%, TX-35 44.7%); before the enactment,
the old lines'.  Their rows stay
under the held district (the roster is built as of 2025-12-31), and who else runs in the district
they moved to (Casar with Doggett in TX-37, Johnson with Veasey in TX-33, Green with the TX-18
special-election winner) is not modelled.  The overlap weights (``tx_overlap_pop.csv``, which say how
much of each old district lies in each new one) are not in the raw folder, so a member's share of
old constituents -- and the lean of members whose district kept its number but moved -- is not
estimated.  The other 2026 redraws (CA, MO, NC, OH, UT) have no per-district source: their rows keep
the 2024 lines' lean, flagged ``lines_stale``.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from features.kernel.constants import LIVE_CYCLE
from features.kernel.errors import InputError
from features.kernel.rawio import read_csv, to_number

FOLDER = "redistricting-2026-tx-fl"
COLUMNS = ["district", "dem_wins_old", "dem_wins_new", "mean_old", "mean_new", "pres2024_old", "pres2024_new"]
SHARE_COLUMNS = ["mean_old", "mean_new", "pres2024_old", "pres2024_new"]
WINS_COLUMNS = ["dem_wins_old", "dem_wins_new"]
#: largest accepted gap between the summary's old-lines 2024 share and the Downballot one
OLD_LINES_TOL = 0.025
#: the year the new plans are first used (``pres_lean_lines`` of a lean on them)
PLAN_LINES_YEAR = 2026
#: the lines year the old lean comes from (the 2024 lines, Downballot ``cd_info_2024``)
OLD_LINES_YEAR = 2024


class Plan(NamedTuple):
    state: str
    relpath: str
    n_districts: int
    n_races: int
    name: str


PLANS = {
    "TX": Plan("TX", f"{FOLDER}/tx_district_summary_2021_vs_2025_plan.csv", 38, 17, "PLANC2333"),
    "FL": Plan("FL", f"{FOLDER}/fl_district_summary_old_vs_2026_plan.csv", 28, 13, "2026 plan"),
}

#: value -> its 2024 lines' copy, in force before ``lean_lines_date`` (``features.view.asof``)
OLD_LINES_COLUMNS = {"pres_lean": "pres_lean_prev_lines", "d_pres_share": "d_pres_share_prev_lines",
                     "pres_lean_lines": "pres_lean_lines_prev"}
#: value -> the member's own district on the new plan, in force before ``lean_district_date``
HELD_DISTRICT_COLUMNS = {"pres_lean": "pres_lean_held_district", "d_pres_share": "d_pres_share_held_district"}


def plan_summary(raw: Path, state: str) -> pd.DataFrame:
    """One state's district summary, parsed strictly.

    Returns
    -------
    DataFrame [state, row (1-based data row of the file), district, dem_wins_old, dem_wins_new, mean_old, mean_new, pres2024_old,
    pres2024_new, changed], one row per district 1..n of the plan.  ``changed`` is False where every
    value is the same on both plans.  Raises InputError naming the file, row and field on a missing
    column, a blank or non-numeric cell, a share outside (0, 1), a win count outside 0..n_races, or a
    district missing, repeated or out of range.
    """
    plan = PLANS[state]
    df = read_csv(raw, plan.relpath, required=COLUMNS, dtype=str, keep_default_na=False).reset_index(drop=True)
    path = Path(raw) / plan.relpath
    extra = [c for c in df.columns if c not in COLUMNS]
    if extra:
        raise InputError(path, f"unexpected column (layout changed?); expected {COLUMNS}", field=extra[0])
    out = pd.DataFrame({"state": state, "row": np.arange(1, len(df) + 1)}, index=df.index)
    for col in COLUMNS:
        blank = df[col].str.strip() == ""
        if blank.any():
            raise InputError(path, "blank cell", row=int(np.flatnonzero(blank.to_numpy())[0]) + 1, field=col)
        out[col] = to_number(df[col], path, col)
    for col in ["district", *WINS_COLUMNS]:
        v = out[col]
        hi = plan.n_districts if col == "district" else plan.n_races
        lo = 1 if col == "district" else 0
        bad = (v != v.round()) | ~v.between(lo, hi)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, f"{df[col].iloc[i]!r} is not a whole number in {lo}..{hi}", row=i + 1, field=col)
        out[col] = v.astype(int)
    for col in SHARE_COLUMNS:
        bad = ~((out[col] > 0) & (out[col] < 1))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, f"share {df[col].iloc[i]!r} outside 0-1", row=i + 1, field=col)
    dup = out["district"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(path, f"district {out['district'].iloc[i]} listed twice", row=i + 1, field="district")
    if len(out) != plan.n_districts:
        missing = sorted(set(range(1, plan.n_districts + 1)) - set(out["district"]))
        raise InputError(path, f"{len(out)} districts, the plan has {plan.n_districts} (missing {missing})",
                         field="district")
    old = out[["dem_wins_old", "mean_old", "pres2024_old"]].to_numpy()
    new = out[["dem_wins_new", "mean_new", "pres2024_new"]].to_numpy()
    out["changed"] = (old != new).any(axis=1)
    return out


def plan_leans(raw: Path) -> pd.DataFrame:
    """Both plans' summaries stacked (``plan_summary`` of every state in ``PLANS``)."""
    return pd.concat([plan_summary(raw, s) for s in PLANS], ignore_index=True)


def registered_elsewhere(raw: Path, rows: pd.DataFrame) -> pd.DataFrame:
    """Live TX/FL rows whose member's own weball26 House registration is for another district.

    Returns
    -------
    DataFrame indexed like ``rows`` (only the movers) with [lean_district, registered_from]: the
    registered district and the coverage end of the weball26 row that shows it.
    """
    from features.contests.roster_2026 import fec_ids_by_bioguide, read_weball

    weball = read_weball(raw)
    house = weball[weball["office"] == "H"]
    ids = fec_ids_by_bioguide(raw)
    live = rows[(rows["cycle"] == LIVE_CYCLE) & rows["state"].isin(list(PLANS))]
    out = {}
    for idx, r in live.iterrows():
        own = house[house["CAND_ID"].isin(ids.get(r["bioguide_id"], ()))
                    & (house["CAND_OFFICE_ST"] == r["state"]) & house["district"].notna()]
        own = own[own["district"] != int(r["district"])]
        if len(own):
            latest = own.sort_values("cvg_end").iloc[-1]
            out[idx] = {"lean_district": int(latest["district"]), "registered_from": latest["cvg_end"]}
    return pd.DataFrame.from_dict(out, orient="index", columns=["lean_district", "registered_from"])


def apply_new_plans(rows: pd.DataFrame, raw: Path, enactments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Give the live TX/FL rows their lean on the new plan, keeping the earlier values beside it.

    Called after ``features.districts.district.district_features`` is merged (and ``pres_lean`` computed) and
    before ``features.contests.live_dating.date_live_rows``.  Added columns (NaN / NA / NaT outside the live
    TX/FL rows):

    - ``pres_lean_prev_lines``, ``d_pres_share_prev_lines``, ``pres_lean_lines_prev``: the 2024 lines'
      values, in force before ``lean_lines_date`` (the plan's enactment);
    - ``lean_new_lines``: ``pres_lean`` is on a new plan;
    - ``lean_district``: the plan district whose lean ``pres_lean`` is: the row's own district, or for
      a member registered in another one (``registered_elsewhere``) that district, known from
      ``lean_district_date`` (the later of the enactment and the registration's coverage end;
      ``lean_registered`` True); before that date such a row has the lean of its own district on the
      new plan, ``pres_lean_held_district`` / ``d_pres_share_held_district``.

    ``features.view.asof.as_of_view`` puts the value in force on the as-of date back in.  On the TX/FL live
    rows ``new_lines`` is set per district (False where the plan kept the district), ``lines_stale``
    is False (the lean is on the lines in force) and ``demog_stale`` True where the district changed:
    the demographics are still the 2024 lines' (no source has them on the new plans).
    """
    from features.contests.live_dating import MAP_ENACTMENTS, map_enactments
    from features.districts.district import pres_lean as lean_of

    rows = rows.copy()
    enact = map_enactments() if enactments is None else enactments
    summary = plan_leans(raw).set_index(["state", "district"])
    live = ((rows["cycle"] == LIVE_CYCLE) & rows["state"].isin(list(PLANS))).to_numpy()
    _check_old_lines(rows[live], summary, raw)

    def plan_value(col: str, districts) -> pd.Series:
        return pd.Series([summary[col].get((s, int(d)), np.nan) if not pd.isna(d) else np.nan
                          for s, d in zip(rows["state"], districts)], index=rows.index)

    own = rows["district"].where(live)
    movers = registered_elsewhere(raw, rows)
    moved = rows.index.isin(movers.index)
    registered = own.copy()
    registered[moved] = movers["lean_district"].reindex(rows.index[moved]).to_numpy()
    changed_own = plan_value("changed", own).fillna(False).astype(bool).to_numpy()
    use_new = live & (changed_own | moved)

    for col, prev in OLD_LINES_COLUMNS.items():
        rows[prev] = rows[col].where(live)
    rows["pres_lean_lines_prev"] = pd.array(rows["pres_lean_lines_prev"], dtype="Int64")
    # the member's own district on the new plan (its old values where the plan kept it)
    held_share = plan_value("pres2024_new", own).where(changed_own, rows["d_pres_share"])
    held_lean = lean_of(held_share, rows["national_d_share"], rows["party"])
    rows["d_pres_share_held_district"] = held_share.where(moved)
    rows["pres_lean_held_district"] = held_lean.where(moved)

    share = plan_value("pres2024_new", registered).where(moved, held_share)
    rows.loc[use_new, "d_pres_share"] = share[use_new]
    rows.loc[use_new, "pres_lean"] = lean_of(share[use_new], rows.loc[use_new, "national_d_share"],
                                             rows.loc[use_new, "party"])
    rows["pres_lean_lines"] = pd.array(rows["pres_lean_lines"], dtype="Int64")
    rows.loc[use_new, "pres_lean_lines"] = PLAN_LINES_YEAR
    rows.loc[use_new, "source_district"] = [
        f"{FOLDER}({s} {PLANS[s].name} CD-{int(d)},elec=2024)"
        for s, d in zip(rows.loc[use_new, "state"], registered[use_new])]

    enacted = pd.Series(pd.to_datetime(rows[["cycle", "state"]].merge(
        enact[["cycle", "state", "lines_enacted"]], on=["cycle", "state"], how="left")["lines_enacted"]).to_numpy(),
        index=rows.index)
    missing = use_new & enacted.isna().to_numpy()
    if missing.any():
        st = rows.loc[missing, "state"].iloc[0]
        raise InputError(MAP_ENACTMENTS, f"{st} has a {LIVE_CYCLE} plan but no enactment date", field="enacted")
    rows["lean_lines_date"] = enacted.where(use_new, pd.NaT).astype("datetime64[ns]")
    rows["lean_new_lines"] = pd.array(use_new, dtype="boolean")
    known = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    if moved.any():
        reg_from = pd.to_datetime(movers["registered_from"]).reindex(rows.index[moved])
        known[moved] = np.maximum(enacted[moved].to_numpy(), reg_from.to_numpy())
    rows["lean_district_date"] = known
    rows["lean_registered"] = pd.array(moved & live, dtype="boolean")
    rows["lean_district"] = pd.array(registered, dtype="Int64")

    rows["new_lines"] = rows["new_lines"].astype("boolean")
    rows.loc[live, "new_lines"] = changed_own[live]
    rows.loc[live, "lines_stale"] = False
    rows["demog_stale"] = rows["demog_stale"].astype("boolean")
    rows.loc[live, "demog_stale"] = changed_own[live]
    return rows


def _check_old_lines(live: pd.DataFrame, summary: pd.DataFrame, raw: Path) -> None:
    """The summary's old-lines 2024 share must match the table's (Downballot) one per district."""
    for state in PLANS:
        sub = live[(live["state"] == state) & (live["pres_lean_lines"] == OLD_LINES_YEAR)
                   & (live["pres_elec"] == 2024)]
        if not len(sub):
            continue
        theirs = np.array([summary.loc[(state, int(d)), "pres2024_old"] if (state, int(d)) in summary.index
                           else np.nan for d in sub["district"]])
        gap = np.abs(theirs - sub["d_pres_share"].to_numpy(dtype=float))
        bad = ~(gap <= OLD_LINES_TOL)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            d = int(sub["district"].iloc[i])
            raise InputError(Path(raw) / PLANS[state].relpath,
                             f"district {d}: old-lines 2024 share {theirs[i]:.4f} differs from the "
                             f"Downballot 2024-lines share {sub['d_pres_share'].iloc[i]:.4f} by more than "
                             f"{OLD_LINES_TOL} (districts renumbered or rows shuffled?)",
                             row=int(summary.loc[(state, d), "row"]) if (state, d) in summary.index else None,
                             field="pres2024_old" if (state, d) in summary.index else "district")
