"""Comparable past races: nearest neighbours of a race in the central table.

A race is described by ``NEIGHBOUR_FEATURES`` (district partisanship and demographics, the
incumbent's age and tenure, whether insurgent-left groups were in the race, outside spending, the
money ratio and the party), standardised over the pool of comparable races: contested past
primaries (a cycle before the target's) with a known outcome.  The distance is a weighted
root-mean-square of standardised differences over the features the target has (older cycles lack
foreign-born shares, endorsements and outside spending): where only the candidate lacks a value its
expected squared difference over the pool is used, and a candidate knowing less than ``min_overlap``
of the target's feature weight is not ranked.

``insurgent_left`` marks a contest in which insurgent-left groups (Justice Democrats, Our Revolution,
Sunrise, WFP, Sanders, Ocasio-Cortez, the Squad) endorsed the challenger -- or the incumbent, as when
Bowman and Bush defended their seats in 2024 -- using only endorsements known by the race's as-of
date (past races: the eve of their primary; ``features.evidence.endorsements.known_by``).

The member's own past contested primaries (same member, same state and district) are always listed
too (``history='member'``), or every past contested primary in the district (``history='district'``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from features.evidence import endorsements
from features.kernel.errors import InputError
from features.kernel.paths import PROCESSED_DIR

#: feature -> default weight
#: (the six demographic shares are correlated: half weight each, so together they count three times
#: as much as partisanship, not six)
NEIGHBOUR_FEATURES: dict[str, float] = {
    "pres_lean": 1.0, "latino_share": 0.5, "black_share": 0.5, "asian_share": 0.5, "white_share": 0.5,
    "ba_plus_share": 0.5, "foreign_born_share": 0.5, "incumbent_age": 0.5, "tenure_years": 0.5,
    "insurgent_left": 2.0, "log_outside_spending": 1.0, "money_ratio": 1.0, "party_R": 1.0,
}
OS_SIDES = ["os_for_inc", "os_against_inc", "os_for_chal", "os_against_chal"]
HISTORY_MODES = ("member", "district", "none")
OUTCOME_COLUMNS = ["group", "races", "lost", "loss_rate", "median_incumbent_share", "losers"]
SHOW_COLUMNS = ["cycle", "state", "district", "party", "incumbent", "top_challenger", "lost", "incumbent_share",
                "top_challenger_share", "primary_system", "why", "distance", "overlap"]


def insurgent_left(rows: pd.DataFrame, events: pd.DataFrame | None = None) -> pd.Series:
    """1 if insurgent-left groups endorsed any candidate in the race by its as-of date, 0 if the race's
    endorsements are covered and none did, NaN when unknown.

    ``rows`` need ``cycle, state, district, party`` and, for the as-of date, ``as_of`` (else the eve of
    ``primary_date``); ``end_insurgent_chal`` / ``end_covered`` from the table or an as-of view are
    used as well.
    """
    if events is None:
        events = endorsements.read_events(PROCESSED_DIR / "endorsement_events.csv")
    ins = events[events["endorser_class"].isin(endorsements.INSURGENT_CLASSES)]
    groups = {k: g for k, g in ins.groupby(["cycle", "state", "district", "party"], sort=False)}
    chal = pd.to_numeric(rows.get("end_insurgent_chal", pd.Series(np.nan, index=rows.index)), errors="coerce")
    covered = rows.get("end_covered", pd.Series(False, index=rows.index)).astype("boolean").fillna(False)
    out = chal.astype(float).where(covered.to_numpy(dtype=bool) | chal.notna(), np.nan)
    for idx, r in rows.iterrows():
        ev = groups.get((int(r["cycle"]), r["state"], int(r["district"]), r["party"]))
        if ev is None:
            continue
        when = _as_of(r)
        known = endorsements.known_by(ev, int(r["cycle"]), r.get("primary_date"))
        if pd.notna(when) and ((known.notna()) & (known <= when)).any():
            out.loc[idx] = 1.0
    return out


def neighbour_frame(rows: pd.DataFrame, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``NEIGHBOUR_FEATURES`` of ``rows`` (float, NaN = unknown)."""
    num = {c: pd.to_numeric(rows[c], errors="coerce").astype(float) if c in rows.columns
           else pd.Series(np.nan, index=rows.index) for c in NEIGHBOUR_FEATURES}
    out = pd.DataFrame({c: num[c] for c in ("pres_lean", "latino_share", "black_share", "asian_share",
                                            "white_share", "ba_plus_share", "foreign_born_share",
                                            "incumbent_age", "tenure_years", "money_ratio")}, index=rows.index)
    out["insurgent_left"] = insurgent_left(rows, events)
    spend = pd.DataFrame({c: pd.to_numeric(rows[c], errors="coerce") if c in rows.columns else np.nan
                          for c in OS_SIDES}, index=rows.index).astype(float)
    out["log_outside_spending"] = np.log1p(spend.clip(lower=0).sum(axis=1, min_count=1))
    out["party_R"] = (rows["party"].astype(str) == "R").astype(float)
    return out[list(NEIGHBOUR_FEATURES)]


def comparable_races(table: pd.DataFrame, target: pd.Series, k: int | None = 10, weights: dict | None = None,
                     same_party: bool = True, same_contest_type: bool = True, history: str = "member",
                     min_overlap: float = 0.6, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``k`` past contested races nearest to ``target``, plus the district's own history.

    Parameters
    ----------
    table : the central table (past rows are the pool).
    target : one race: a row of the table or of an as-of view (its ``as_of`` dates the endorsements).
    k : nearest neighbours to return (None: every ranked race; the history rows come on top).
    weights : feature -> weight overriding ``NEIGHBOUR_FEATURES`` (0 drops a feature).
    same_party : only races of the target's party.
    same_contest_type : when the target is an insurgent-left contest (``insurgent_left`` = 1), only
        insurgent-left contests are ranked (exact match on the contest type, nearest on the rest).
    history : 'member' (the member's own past contested primaries in the district), 'district' (every
        past contested primary in the district) or 'none'.
    min_overlap : minimum share of the target's known feature weight that the candidate knows too.
    events : endorsement events (default: ``data/processed/endorsement_events.csv``).

    Returns
    -------
    DataFrame ``SHOW_COLUMNS`` + the neighbour features (``f_<name>``): the ``k`` nearest first
    (``why`` = 'nearest'), then the history rows (``why`` = 'same district history', never counted in
    the ``k``); ``overlap`` = share of the target's known feature weight the race knows too.
    """
    if history not in HISTORY_MODES:
        raise ValueError(f"history must be one of {HISTORY_MODES}, got {history!r}")
    w = dict(NEIGHBOUR_FEATURES)
    for key, value in (weights or {}).items():
        if key not in w:
            raise ValueError(f"unknown neighbour feature {key!r}; known: {list(w)}")
        w[key] = float(value)
    feats = [f for f, v in w.items() if v > 0]
    wv = np.array([w[f] for f in feats])
    if events is None:
        events = endorsements.read_events(PROCESSED_DIR / "endorsement_events.csv")

    cycle = int(target["cycle"])
    contested = table["contested"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    pool = table[contested & table["lost"].notna().to_numpy() & (table["cycle"] < cycle).to_numpy()]
    if same_party:
        pool = pool[pool["party"] == target["party"]]
    if pool.empty:
        raise InputError("central table", f"no contested races before {cycle} to compare with", field="cycle")
    X_all = neighbour_frame(pool, events)
    t_all = neighbour_frame(pd.DataFrame([target]), events).iloc[0]
    X = X_all[feats]
    x0 = t_all[feats].to_numpy(dtype=float)
    mu, sd = X.mean(), X.std(ddof=0).replace(0, np.nan)
    Z = ((X - mu) / sd).to_numpy(dtype=float)
    z0 = ((x0 - mu.to_numpy()) / sd.to_numpy())
    # A feature the target lacks says nothing: it is left out.  A feature only the candidate lacks
    # counts its expected squared difference over the pool, 1 + z0^2 (the pool is standardised), so a
    # race with unknown endorsements is neither rewarded nor punished for it on average.
    use = ~np.isnan(z0)
    wv_t, z0_t, Z_t = wv[use], z0[use], Z[:, use]
    diff2 = (Z_t - z0_t[None, :]) ** 2
    known = ~np.isnan(diff2)
    diff2 = np.where(known, diff2, 1.0 + z0_t[None, :] ** 2)
    dist = np.sqrt(diff2 @ wv_t / wv_t.sum())
    overlap = (known * wv_t[None, :]).sum(axis=1) / wv_t.sum()
    dist = np.where(overlap >= min_overlap, dist, np.nan)

    ranked = pool.assign(distance=dist, overlap=overlap)
    own = _history(ranked, target, history)
    eligible = ranked["distance"].notna() & ~ranked.index.isin(own.index)
    why = "nearest"
    if same_contest_type and t_all["insurgent_left"] == 1:
        if (eligible & (X_all["insurgent_left"] == 1)).any():
            eligible &= X_all["insurgent_left"] == 1
        else:                              # no earlier contest of the kind (before 2018): say so
            why = "nearest (no earlier insurgent-left contest)"
    nearest = ranked[eligible].sort_values(["distance", "cycle"], kind="stable")
    nearest = nearest if k is None else nearest.head(k)
    out = pd.concat([nearest.assign(why=why), own.assign(why="same district history")])
    out = out.join(X_all.add_prefix("f_"))
    cols = [c for c in SHOW_COLUMNS if c in out.columns] + [f"f_{f}" for f in NEIGHBOUR_FEATURES]
    return out[cols].reset_index(drop=True)


def comparable_outcomes(comparables: pd.DataFrame) -> pd.DataFrame:
    """How the comparable races ended, by group ('nearest', 'same district history'): races,
    incumbents who lost, loss rate, median incumbent share (where known) and the losers' names."""
    rows = []
    if comparables.empty:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    for why, g in comparables.groupby("why", sort=False):
        lost = g["lost"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        losers = g[lost]
        rows.append({"group": why, "races": len(g), "lost": int(lost.sum()),
                     "loss_rate": float(lost.mean()) if len(g) else np.nan,
                     "median_incumbent_share": float(pd.to_numeric(g["incumbent_share"]).median()),
                     "losers": "; ".join(f"{r.incumbent} {r.state}-{r.district} {r.cycle}"
                                         for r in losers.itertuples())})
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def _history(pool: pd.DataFrame, target: pd.Series, history: str) -> pd.DataFrame:
    if history == "none":
        return pool.iloc[0:0]
    same = pool[(pool["state"] == target["state"]) & (pool["district"] == int(target["district"]))]
    if history == "member":
        same = same[[_same_member(r, target) for _, r in same.iterrows()]]
    return same.sort_values("cycle")


def _same_member(row: pd.Series, target: pd.Series) -> bool:
    a, b = row.get("bioguide_id"), target.get("bioguide_id")
    if isinstance(a, str) and isinstance(b, str) and a and b:
        return a == b
    from features.kernel.names import names_match
    return names_match(row["incumbent"], target["incumbent"]) >= 0.7


def _as_of(row: pd.Series) -> pd.Timestamp:
    when = row.get("as_of")
    if when is not None and not (isinstance(when, float) and np.isnan(when)) and pd.notna(when):
        return pd.Timestamp(when)
    primary = row.get("primary_date")
    return pd.Timestamp(primary) - pd.Timedelta(days=1) if pd.notna(primary) else pd.NaT


def find_race(table: pd.DataFrame, cycle: int, state: str, district: int, party: str | None = None,
              source: str = "race") -> pd.Series:
    """The single row of ``table`` for a race; InputError naming the field when unknown or ambiguous."""
    rows = table[table["cycle"] == int(cycle)]
    if rows.empty:
        raise InputError(source, f"no rows for cycle {cycle}", field="cycle")
    rows = rows[rows["state"] == str(state).upper()]
    if rows.empty:
        raise InputError(source, f"no {cycle} incumbent in state {state!r}", field="state")
    rows = rows[rows["district"] == int(district)]
    if rows.empty:
        raise InputError(source, f"no {cycle} incumbent seeking renomination in {state}-{district}",
                         field="district")
    if party is not None:
        rows = rows[rows["party"] == str(party).upper()]
        if rows.empty:
            raise InputError(source, f"no {cycle} {party} incumbent in {state}-{district}", field="party")
    if len(rows) > 1:
        raise InputError(source, f"{len(rows)} incumbents in {state}-{district} {cycle} "
                                 f"({', '.join(map(str, rows['incumbent']))}); give the party or check the table",
                         field="party")
    return rows.iloc[0]
