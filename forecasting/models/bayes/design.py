"""What the Bayesian hurdle model sees: its covariates, the stages they may inform, the group labels
(cycle x party, region, state), each row's election rule and the arrays a fit samples from."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from features.kernel import constants
from features.kernel.constants import CENSUS_REGION, PRESIDENT_PARTY, RUNOFF_STATES, louisiana_jungle, top_two_rule
from features.view.horizons import N_CANDIDATES_TARGET
from features.view.matrix import FEATURES, FIELD_GROUPS
from forecasting.models import targets

#: default covariates (``features.view.matrix`` names); empty or constant ones are dropped per fold
DEFAULT_FEATURES = [
    # incumbent
    "incumbent_age", "tenure_years", "female", "beat_incumbent_in_primary", "last_primary_share",
    "special_election_member", "new_lines",   # leadership: survivor-biased, left out
    # district (demographics exist from 2012 on; BA+ share and urbanisation only from 2022, left out)
    "pres_lean", "latino_share", "black_share",
    # rules: only the top-two switch varies within a state (the state effects absorb the rest)
    "sys_top_two",
    # the field (share stage only): n_candidates enters as log(number of challengers), separately
    # for party primaries and all-candidate primaries (where every other candidate counts)
    "n_candidates", "incumbent_vs_incumbent",
    # pre-primary money (log_money_ratio would be their difference: collinear)
    "log_inc_receipts", "log_chal_receipts",
    # the evidence families (reports/ablation_bayes.md): ideology in the Congress before the primary;
    # challenger quality (share stage only: ``contest_stage_ok`` keeps ``*chal*`` out of P(contested));
    # FEC pro-Israel PAC primary money against / for the incumbent
    "np_extremity", "np_moderate_pct", "chal_former_member", "chal_state_office",
    "log_pi_fec_against_inc", "log_pi_fec_for_inc",
    # Justice Democrats endorsed a challenger (share stage only, a ``*chal*`` feature; 2018+, so it
    # is constant and dropped in every fold before 2020): benchmarks/ablation_bayes.py ``defaults+jd``
    "end_jd_chal",
    # a challenger known before the ballot (P(contested) only: ``CONTEST_ONLY_FEATURES``)
    "chal_funded", "chal_endorsed",
]


#: describe the field (``features.view.matrix.FIELD_GROUPS``: the field, challenger quality, the rematch):
#: inputs of the share stage only, and never with a missing indicator (in the training rows "unknown
#: field" only marks a data gap, e.g. the 2024 results)
FIELD_FEATURES = frozenset(c for g in FIELD_GROUPS for c in FEATURES[g]) | {"n_candidates_all"}


#: a missing indicator whose pattern the cycle explains this well (R^2) is dropped: it would only
#: duplicate the cycle effects (e.g. no district lean before 2010); the imputed value then stands in
CYCLE_LEVEL_MISSING_R2 = 0.8


#: group-level predictors of the cycle x party effects (coded +-0.5): a midterm year, the
#: president's party, and their product's out-party version (2010 R, 2018 D, 2022 R, ...)
CYCLE_PARTY_PREDICTORS = ("midterm", "president_party", "out_party_midterm")


_FEATURE_GROUP = {f: g for g, cols in FEATURES.items() for f in cols}


_ALL_GROUPS = ("cycle_party", "region", "state")

_CLIP = targets.SHARE_EPS


#: what is known of a challenger before the ballot is: the top same-party FEC registrant's receipts by
#: the as-of date (a funded challenger months before the filing deadline is nearly always on the ballot)
CONTEST_CHALLENGER_SIGNALS = ("log_chal_receipts", "chal_funded", "chal_endorsed")
#: inputs of P(contested) only: whether a challenger is known says little about the share they take
#: beyond the challenger's money and the Justice Democrats flag the share stage already has
CONTEST_ONLY_FEATURES = ("chal_funded", "chal_endorsed")


def share_stage_ok(feature: str) -> bool:
    """May ``feature`` inform the share stage (P(loss | contested) and the share)?"""
    return feature.removeprefix("missingindicator_") not in CONTEST_ONLY_FEATURES


def contest_stage_ok(feature: str) -> bool:
    """May ``feature`` inform P(contested)?  Not the field, nor anything about a challenger but the
    FEC registrant's money (``CONTEST_CHALLENGER_SIGNALS``)."""
    base = feature.removeprefix("missingindicator_")
    if base in CONTEST_CHALLENGER_SIGNALS:
        return True
    return base not in FIELD_FEATURES and "chal" not in base and base != "log_money_ratio"


# ---- groups and rules -------------------------------------------------------------------------
def _group_labels(table: pd.DataFrame, group: str) -> np.ndarray:
    state = table["state"].astype(str).to_numpy()
    if group == "cycle_party":
        return np.array([f"{int(c)}{p}" for c, p in zip(table["cycle"], table["party"].astype(str))])
    if group == "region":
        bad = sorted({s for s in state if s not in CENSUS_REGION})
        if bad:
            raise ValueError(f"states without a census region: {bad}")
        return np.array([CENSUS_REGION[s] for s in state])
    return state


def cycle_party_predictors(labels) -> np.ndarray:
    """``CYCLE_PARTY_PREDICTORS`` of cycle x party labels ('2018D'), coded +-0.5."""
    rows = []
    for lab in labels:
        cycle, party = int(str(lab)[:4]), str(lab)[4:]
        if cycle not in PRESIDENT_PARTY:
            raise ValueError(f"no president's party for cycle {cycle} (features.view.matrix.PRESIDENT_PARTY)")
        midterm = float(cycle % 4 == 2)
        pres = float(PRESIDENT_PARTY[cycle] == party)
        rows.append([midterm - 0.5, pres - 0.5, midterm * (1 - pres) - 0.25])
    return np.asarray(rows, dtype=float).reshape(-1, len(CYCLE_PARTY_PREDICTORS))


def _complement_basis(A: np.ndarray) -> np.ndarray:
    """Orthonormal basis (columns) of the orthogonal complement of A's column space."""
    u, sv, _ = np.linalg.svd(A, full_matrices=True)
    rank = int((sv > 1e-9 * sv.max()).sum())
    return u[:, rank:]


def _party_code(table: pd.DataFrame) -> np.ndarray:
    """Party as +-0.5 (R = +0.5): the party effect is the R - D difference, uncorrelated with the intercept."""
    return (table["party"].astype(str).to_numpy() == "R").astype(float) - 0.5


def _informative_columns(X: pd.DataFrame, cycle: np.ndarray) -> list[str]:
    """Columns of the preprocessed training matrix worth a coefficient.

    Drops missing indicators that are (nearly) a function of the cycle, and any column that is a
    near-copy (|r| > 0.95) of one kept before it: both would only make ridges in the posterior.
    """
    keep: list[str] = []
    cyc = pd.Series(cycle)
    for col in X.columns:
        x = X[col].to_numpy(dtype=float)
        if np.std(x) == 0:
            continue
        if str(col).startswith("missingindicator_"):
            if str(col).removeprefix("missingindicator_") in FIELD_FEATURES:
                continue
            fitted = pd.Series(x).groupby(cyc.to_numpy()).transform("mean").to_numpy()
            r2 = 1 - np.var(x - fitted) / np.var(x)
            if r2 > CYCLE_LEVEL_MISSING_R2:
                continue
        if any(abs(np.corrcoef(x, X[k].to_numpy(dtype=float))[0, 1]) > 0.95 for k in keep):
            continue
        keep.append(str(col))
    return keep


def runoff_threshold(state: str, cycle: int) -> float:
    """First-round share that avoids a runoff (``features.kernel.constants.runoff_threshold``; 50% where the
    state has no runoff rule but the row is judged as one, e.g. Louisiana's jungle)."""
    value = constants.runoff_threshold(state, cycle)
    return 0.5 if value is None else value


def _rules(table: pd.DataFrame) -> list[dict]:
    """Per row: how a first-round share turns into a loss ('plurality', 'runoff', 'top_two', 'top_four')."""
    out = []
    for state, cycle in zip(table["state"].astype(str), table["cycle"].astype(int)):
        tt = top_two_rule(state, cycle)
        jungle = louisiana_jungle(state, cycle)
        if tt == "top-two":
            kind = "top_two"
        elif tt == "top-four":
            kind = "top_four"
        elif jungle or state in RUNOFF_STATES:
            kind = "runoff"
        else:
            kind = "plurality"
        out.append({"kind": kind, "all_candidate": bool(tt or jungle),
                    "threshold": 0.5 if jungle else runoff_threshold(state, cycle)})
    return out


def _known_challengers(table: pd.DataFrame, column: str = "n_candidates") -> np.ndarray:
    """Number of other candidates where the field is known (``n_candidates`` >= 2), else NaN."""
    if column not in table.columns:
        return np.full(len(table), np.nan)
    n = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
    return np.where(n >= 2, n - 1, np.nan)


# ---- the PyMC model ---------------------------------------------------------------------------
def _training_data(table: pd.DataFrame, X: np.ndarray, columns: list[str], levels: dict) -> dict:
    """Outcome arrays and row masks of the five likelihoods, from the training rows."""
    idx = {g: pd.Index(levels[g]).get_indexer(_group_labels(table, g)) for g in levels}
    rules = _rules(table)
    kind = np.array([r["kind"] for r in rules])
    all_cand = np.array([r["all_candidate"] for r in rules], dtype=float)

    contested = targets.contested(table)
    c_rows = contested.notna().to_numpy()
    c_val = contested.fillna(False).to_numpy(dtype=bool)

    share = targets.incumbent_share(table).to_numpy(dtype=float)
    chal = (pd.to_numeric(table["top_challenger_share"], errors="coerce").to_numpy(dtype=float)
            if "top_challenger_share" in table.columns else np.full(len(table), np.nan))
    s_rows = c_val & np.isfinite(share) & (share > 0) & (share < 1)
    s_clip = np.clip(share, _CLIP, 1 - _CLIP)
    ls = special.logit(s_clip)

    # the field's structure is learned from the true number of candidates, also where a horizon's view
    # hides it from the inputs (features.view.horizons.training_view)
    k = _known_challengers(table, N_CANDIDATES_TARGET if N_CANDIDATES_TARGET in table.columns else "n_candidates")
    party_primary = np.isin(kind, ["plurality", "runoff"]) & (all_cand == 0)
    single_rows = s_rows & np.isfinite(k)
    frac = chal / (1 - s_clip)
    multi = np.where(np.isfinite(k), k >= 2, (share + chal) < 0.995)
    split_rows = s_rows & party_primary & np.isfinite(chal) & (chal > 0) & multi & (frac <= 1.01)
    logk = np.log(np.where(np.isfinite(k) & (k >= 2), k - 1, np.nan))
    has_logk = split_rows & np.isfinite(logk)
    logk_mean = float(logk[has_logk].mean()) if has_logk.any() else 0.0
    logk_c = np.where(np.isfinite(logk), logk - logk_mean, 0.0)

    went = (table["went_to_runoff"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            if "went_to_runoff" in table.columns else np.zeros(len(table), bool))
    rshare = (pd.to_numeric(table["runoff_share"], errors="coerce").to_numpy(dtype=float)
              if "runoff_share" in table.columns else np.full(len(table), np.nan))
    run_rows = s_rows & went & np.isfinite(rshare) & (rshare > 0) & (rshare < 1) & np.isfinite(chal) & (chal > 0)
    pair = np.clip(s_clip / (s_clip + np.nan_to_num(chal, nan=1.0)), _CLIP, 1 - _CLIP)

    cmask = np.array([contest_stage_ok(c) for c in columns], dtype=bool)
    smask = np.array([share_stage_ok(c) for c in columns], dtype=bool)
    cp_Z = cp_B = None
    if "cycle_party" in levels:
        cp_Z = cycle_party_predictors(levels["cycle_party"])
        party = np.array([0.5 if str(lab).endswith("R") else -0.5 for lab in levels["cycle_party"]])
        cp_B = _complement_basis(np.column_stack([np.ones(len(cp_Z)), party, cp_Z]))
    state_region = None
    if "state" in levels and "region" in levels:
        state_region = pd.Index(levels["region"]).get_indexer([CENSUS_REGION[s] for s in levels["state"]])
    return {
        "state_region": state_region,
        "cp_Z": cp_Z, "cp_B": cp_B,
        "X": X[:, smask], "Xc": X[:, cmask], "isR": _party_code(table),
        "idx": idx, "c_rows": c_rows, "c_y": c_val.astype(int), "s_rows": s_rows, "s_y": ls,
        "single_rows": single_rows, "single_y": (k == 1).astype(int), "all_cand": all_cand,
        "split_rows": split_rows, "split_y": np.clip(frac, 0.01, 0.99), "logk_c": logk_c,
        "split_logk_mean": logk_mean,
        "allcand_k": float(np.median(k[s_rows & (all_cand == 1) & np.isfinite(k)]))
        if (s_rows & (all_cand == 1) & np.isfinite(k)).any() else 3.0,
        "run_rows": run_rows, "run_x": special.logit(pair),
        "run_y": special.logit(np.clip(rshare, _CLIP, 1 - _CLIP)),
        "shape": {"rows": int(len(table)), "features": int(smask.sum()),
                  "contest_features": int(cmask.sum()), "contest_rows": int(c_rows.sum()),
                  "contested": int((c_rows & c_val).sum()), "share_rows": int(s_rows.sum()),
                  "single_rows": int(single_rows.sum()), "split_rows": int(split_rows.sum()),
                  "runoff_rows": int(run_rows.sum()),
                  **{f"n_{g}": len(levels[g]) for g in levels}},
    }
