"""The model matrix: numeric model inputs derived from an as-of view of the central table.

``model_frame(view, groups=...)`` turns the rows of ``features.view.asof.as_of_view`` into a float frame
(one column per feature, NaN where unknown).  Only columns that are known before the forecast date
are read: outcome columns (``features.kernel.columns.OUTCOME_COLUMNS``) never are, and the field columns
(``n_candidates``, ``incumbent_vs_incumbent``) only when ``field_known`` (the view blanks them before
the filing deadline).

Missing values stay NaN: the gradient-boosted model handles them natively; the logit and Bayesian
models use ``make_preprocessor()`` (median imputation + missing indicators + standardisation),
fitted on the training fold only.

The hand-curated sources (outside spending, endorsements; 2018 on) were collected race by race
after the fact, so *whether a race is in them* tracks what became newsworthy, often because the
incumbent lost.  Measured in the backtest, a "covered" indicator learned in 2018-2020 (a few famous
races) wrecks 2022 (538's systematic coverage of every race).  Hence: endorsement flags are 1 when a
dated endorsement is known by the as-of date and 0 otherwise; the coverage flags live in their own
group ``curated_coverage``, kept for measurement and never a default input.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from features.kernel.columns import GROUPS, OUTCOME_COLUMNS
from features.kernel.constants import CENSUS_REGION, PRESIDENT_PARTY, top_two_rule  # noqa: F401 (re-exported)

FIRST_TERM_YEARS = 2.5      # House tenure below this on primary day = first renomination
REGIONS = ("northeast", "midwest", "west")          # south is the reference level
# primary_system value -> dummy column; 'closed' is the reference level.
SYSTEM_DUMMIES = {
    "top-two": "sys_top_two", "top-four": "sys_top_two", "louisiana-jungle": "sys_jungle",
    "runoff": "sys_runoff", "convention": "sys_convention", "open": "sys_open",
    "semi-closed": "sys_semi_closed",
}
OS_AMOUNTS = [c for c in GROUPS["outside_spending"] if c != "os_last_date"]
END_FLAGS = [c for c in GROUPS["endorsements"] if c != "end_last_date"]

#: model input columns by group (derived names; none of them is an outcome)
FEATURES: dict[str, list[str]] = {
    "incumbent": ["incumbent_age", "tenure_years", "first_term", "female", "beat_incumbent_in_primary",
                  "last_primary_share"],
    # survivor-biased: congress-legislators keeps roles only for members still sitting (never default)
    "leadership": ["leadership"],
    "district": ["pres_lean", "latino_share", "black_share", "asian_share", "white_share",
                 "ba_plus_share", "foreign_born_share", "median_age", "urban_index", "renter_share"],
    "party": ["party_R"],
    "region": [f"region_{r}" for r in REGIONS],
    "system": sorted(set(SYSTEM_DUMMIES.values())),
    "contest": ["new_lines", "special_election_member"],
    "national": ["midterm", "president_party"],
    "field": ["field_known", "n_candidates", "incumbent_vs_incumbent"],
    "money": ["log_inc_receipts", "log_chal_receipts", "log_money_ratio", "log_inc_cash", "log_chal_cash"],
    "outside_spending": [f"log_{c}" for c in OS_AMOUNTS],
    "endorsements": list(END_FLAGS),
    "ideology": ["np_dim1_prev", "np_extremity", "np_moderate_pct", "np_cross_party"],
    "misconduct": ["misconduct_n_2y", "misconduct_serious_4y"],
    "challenger_quality": ["chal_former_member", "chal_state_office"],
    "outside_money_fec": ["log_pi_fec_against_inc", "log_pi_fec_for_inc"],
    # NORPAC's contributions (own group: counted in the bloc they lowered every model but boosted)
    "outside_money_norpac": ["log_norpac_fec_against_inc", "log_norpac_fec_for_inc"],
    # J Street PAC money (its own group, never the bloc's): measured, not a default
    "outside_money_jstreet": ["log_js_fec_against_inc", "log_js_fec_for_inc"],
    "curated_coverage": ["os_covered", "end_covered"],
    # the member's previous November (MEDSL): margin, and whether it was against a same-party rival
    "prev_general": ["prev_general_margin", "prev_general_same_party"],
    # the member's previous primary (features.evidence.challenger_history): strongest challenger's share, contested
    "challenger_history": ["prev_chal_share", "prev_contested"],
    # runs in another district number / state than last cycle (Forbes VA-4 -> VA-2 2016)
    "district_switch": ["district_switch"],
    # the previous primary's top challenger is in this field (known after the filing deadline), and
    # that challenger's previous share if so (0 otherwise): a returning 46% challenger (Edwards 2008)
    "rematch": ["rematch", "rematch_share"],
    # ideology x party: the flank a member is beaten from differs by party (for the linear models;
    # the boosted model finds interactions itself)
    "ideology_party": ["np_extremity_x_R", "np_moderate_pct_x_R"],
    # cycle-level signals known early, over the rows scored together (one cycle's members): the share on
    # new lines, and the share facing a same-party FEC registrant who raised $100k or more by the date
    "cycle_signals": ["cycle_new_lines_share", "cycle_funded_share"],
    # a challenger already known by the as-of date, before the ballot is: a same-party FEC registrant
    # who has raised $100k or more (NaN where the cycle has no FEC money by the date), and a tracked
    # endorser backing a challenger (or Trump against the member)
    "known_challenger": ["chal_funded", "chal_endorsed"],
}
#: hand-curated, press-selected sources (2018+)
CURATED_GROUPS = ("outside_spending", "endorsements", "curated_coverage")
#: whether a race is in the curated files at all reflects what became newsworthy (often because
#: the incumbent was in trouble or lost): measured, but not a default model input
#: ``prev_general`` is measured in the backtest before it becomes a default (README scoreboard)
#: misconduct lowered the backtest's pooled skill alone and with the other evidence families
#: (reports/ablation_evidence.md): measured, not a default
#: J Street money is measured in the ablation (reports/ablation_evidence.md), not a default
#: of the previous-primary families only the rematch raised pooled skill on top of the defaults;
#: the previous challenger's share, the district switch and ideology x party lowered it or the skill
#: without pairings (reports/ablation_evidence.md, --on-defaults): measured, not defaults
#: the cycle-level signals were measured at the early horizons (reports/early_signals.md): not a default
NON_DEFAULT_GROUPS = ("curated_coverage", "leadership", "prev_general", "misconduct", "outside_money_jstreet",
                      "outside_money_norpac", "cycle_signals",
                      "challenger_history", "district_switch", "ideology_party")
DEFAULT_GROUPS = tuple(g for g in FEATURES if g not in NON_DEFAULT_GROUPS)
ALL_GROUPS = tuple(FEATURES)
#: groups describing the field: inputs of P(loss | contested), never of P(contested) (they define it)
FIELD_GROUPS = ("field", "challenger_quality", "rematch")

#: table columns each feature group reads (what ``features.view.asof.assert_as_of`` must check)
SOURCE_COLUMNS: dict[str, list[str]] = {
    "incumbent": ["incumbent_age", "tenure_years", "gender", "beat_incumbent_in_primary",
                  "last_primary_share"],
    "leadership": ["leadership"],
    "district": list(FEATURES["district"]),
    "party": ["party"],
    "region": ["state"],
    "system": ["primary_system", "state", "cycle"],
    "contest": ["new_lines", "special_election_member"],
    "national": ["cycle", "party"],
    "field": ["field_known", "n_candidates", "incumbent_vs_incumbent"],
    "money": ["inc_receipts", "chal_receipts", "inc_cash", "chal_cash", "money_cvg_end"],
    "outside_spending": GROUPS["outside_spending"],
    "endorsements": GROUPS["endorsements"],
    "ideology": ["np_dim1_prev", "np_extremity", "np_moderate_pct", "np_cross_party", "ideology_date"],
    "misconduct": ["misconduct_n_2y", "misconduct_serious_4y", "misconduct_last_date"],
    "challenger_quality": ["chal_former_member", "chal_state_office", "chal_quality_date", "field_known"],
    "outside_money_fec": ["pi_fec_against_inc", "pi_fec_for_inc", "pi_fec_last_date"],
    "outside_money_norpac": ["norpac_fec_against_inc", "norpac_fec_for_inc", "norpac_fec_last_date"],
    "outside_money_jstreet": ["js_fec_against_inc", "js_fec_for_inc", "js_fec_last_date"],
    "curated_coverage": ["os_covered", "end_covered"] + GROUPS["outside_spending"] + GROUPS["endorsements"],
    "prev_general": ["prev_general_margin", "prev_general_same_party"],
    "challenger_history": ["prev_chal_share", "prev_contested", "prev_primary_date"],
    "district_switch": ["district_switch", "prev_primary_date"],
    "rematch": ["rematch", "prev_chal_share", "chal_quality_date", "field_known", "prev_primary_date"],
    "ideology_party": ["np_extremity", "np_moderate_pct", "party", "ideology_date"],
    "cycle_signals": ["cycle", "new_lines", "chal_receipts", "money_cvg_end"],
    "known_challenger": ["inc_receipts", "chal_receipts", "money_cvg_end"] + GROUPS["endorsements"],
}
assert not set().union(*SOURCE_COLUMNS.values()) & set(OUTCOME_COLUMNS), "an outcome is a model input"


def feature_names(groups=DEFAULT_GROUPS) -> list[str]:
    """Feature columns of ``groups`` in a stable order."""
    _check_groups(groups)
    return [c for g in groups for c in FEATURES[g]]


def source_columns(groups=DEFAULT_GROUPS) -> list[str]:
    """Table columns read by ``groups`` (pass to ``features.view.asof.assert_as_of``)."""
    _check_groups(groups)
    return sorted({c for g in groups for c in SOURCE_COLUMNS[g]})


def model_frame(view: pd.DataFrame, groups=DEFAULT_GROUPS) -> pd.DataFrame:
    """Numeric model inputs (float, NaN = unknown) for the rows of an as-of view.

    Parameters
    ----------
    view : DataFrame
        Rows of the central table, normally from ``features.view.asof.as_of_view`` (columns the table
        lacks are treated as unknown).
    groups : sequence of str
        Keys of ``FEATURES``.

    Returns
    -------
    DataFrame indexed like ``view`` with the columns ``feature_names(groups)``.
    """
    _check_groups(groups)
    out = pd.DataFrame(index=view.index)
    for g in groups:
        block = _BUILDERS[g](view)
        for col in FEATURES[g]:
            out[col] = np.asarray(block[col], dtype=float)
    return out


# ---- derivations ---------------------------------------------------------------------------------
def _num(view: pd.DataFrame, col: str) -> pd.Series:
    if col not in view.columns:
        return pd.Series(np.nan, index=view.index)
    return pd.to_numeric(view[col], errors="coerce").astype(float)


def _flag(view: pd.DataFrame, col: str) -> pd.Series:
    """Boolean-ish column -> 1.0 / 0.0 / NaN."""
    if col not in view.columns:
        return pd.Series(np.nan, index=view.index)
    s = view[col]
    if pd.api.types.is_bool_dtype(s) or str(s.dtype) == "boolean":
        return s.astype("boolean").astype("Float64").astype(float)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float).where(s.isna(), (s.astype(float) != 0).astype(float))
    txt = s.astype("string").str.strip().str.lower()
    mapped = txt.map({"true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0, "1": 1.0, "0": 0.0,
                      "t": 1.0, "f": 0.0})
    return pd.to_numeric(mapped, errors="coerce").astype(float)


def _log_money(s: pd.Series) -> pd.Series:
    return np.log1p(s.clip(lower=0))


def _log_receipts(s: pd.Series) -> pd.Series:
    """Receipts are net of refunds and loan repayments: a negative total (MI-13 Thanedar 2026,
    -$303,216 to 2025-12-31 with $6.4M cash) says nothing about money raised, so it is unknown (NaN),
    not the floor of the scale a linear model would extrapolate from."""
    return np.log1p(s.where(s >= 0))


def _incumbent(view):
    gender = view["gender"].astype("string").str.strip().str.upper() if "gender" in view else None
    female = (pd.Series(np.nan, index=view.index) if gender is None
              else gender.map({"F": 1.0, "M": 0.0, "FEMALE": 1.0, "MALE": 0.0}).astype(float))
    tenure = _num(view, "tenure_years")
    # seeking a first renomination: the primary falls 1-2 years into the first term
    first_term = (tenure < FIRST_TERM_YEARS).astype(float).where(tenure.notna())
    return {"incumbent_age": _num(view, "incumbent_age"), "tenure_years": tenure, "first_term": first_term,
            "female": female, "beat_incumbent_in_primary": _flag(view, "beat_incumbent_in_primary"),
            "last_primary_share": _num(view, "last_primary_share")}


def _leadership(view):
    if "leadership" in view.columns:
        lead = view["leadership"]
        if pd.api.types.is_bool_dtype(lead) or str(lead.dtype) == "boolean":
            leadership = _flag(view, "leadership").fillna(0.0)
        else:   # a role name where known: any non-empty role counts
            txt = lead.astype("string").str.strip().str.lower()
            leadership = (txt.notna() & ~txt.isin(["", "false", "none", "no", "0"])).astype(float)
    else:
        leadership = pd.Series(np.nan, index=view.index)
    return {"leadership": leadership}


def _district(view):
    return {c: _num(view, c) for c in FEATURES["district"]}


def _party(view):
    return {"party_R": (view["party"].astype("string") == "R").astype(float)}


def _region(view):
    region = view["state"].astype("string").map(CENSUS_REGION)
    return {f"region_{r}": (region == r).astype(float) for r in REGIONS}


def _system(view):
    if "primary_system" in view.columns:
        system = view["primary_system"].astype("string").str.strip().str.lower()
    else:
        system = pd.Series(pd.NA, index=view.index, dtype="string")
    # an unknown system in a top-two state/cycle is the top-two system
    fallback = pd.Series([top_two_rule(s, int(c)) for s, c in zip(view["state"], view["cycle"])],
                         index=view.index, dtype="string")
    system = system.fillna(fallback)
    out = {col: pd.Series(0.0, index=view.index) for col in FEATURES["system"]}
    for value, col in SYSTEM_DUMMIES.items():
        out[col] = out[col] + (system == value).fillna(False).astype(float)
    return out


def _contest(view):
    return {"new_lines": _flag(view, "new_lines"),
            "special_election_member": _flag(view, "special_election_member").fillna(0.0)}


def _national(view):
    cycle = view["cycle"].astype(int)
    pres = cycle.map(PRESIDENT_PARTY)
    return {"midterm": (cycle % 4 == 2).astype(float),
            "president_party": (view["party"].astype("string") == pres.astype("string")).astype(float)}


def _field(view):
    known = _flag(view, "field_known") if "field_known" in view else pd.Series(1.0, index=view.index)
    known = known.fillna(0.0)
    hide = known == 0
    return {"field_known": known,
            "n_candidates": _num(view, "n_candidates").mask(hide),
            "incumbent_vs_incumbent": _flag(view, "incumbent_vs_incumbent").mask(hide)}


def _money(view):
    inc, chal = _num(view, "inc_receipts"), _num(view, "chal_receipts")
    return {"log_inc_receipts": _log_receipts(inc), "log_chal_receipts": _log_receipts(chal),
            "log_money_ratio": _log_receipts(inc) - _log_receipts(chal),
            "log_inc_cash": _log_money(_num(view, "inc_cash")),
            "log_chal_cash": _log_money(_num(view, "chal_cash"))}


def _covered(view, flag_col: str, values: dict) -> pd.Series:
    """The as-of coverage flag the view carries (``os_covered`` / ``end_covered``), else 'any value'."""
    if flag_col in view.columns:
        return _flag(view, flag_col).fillna(0.0)
    return pd.concat(values.values(), axis=1).notna().any(axis=1).astype(float)


def _outside(view):
    return {f"log_{c}": _log_money(_num(view, c)) for c in OS_AMOUNTS}


def _endorsements(view):
    # A flag is 1 when a dated, curated endorsement is known by the as-of date, else 0: the forecaster
    # knows of no such endorsement (the curated lists of Trump-against-incumbent and Justice Democrats
    # challengers are complete for 2018-2024 and neither existed before 2018).
    return {c: _flag(view, c).fillna(0.0) for c in END_FLAGS}


def _curated_coverage(view):
    amounts = {c: _num(view, c) for c in OS_AMOUNTS}
    flags = {c: _flag(view, c) for c in END_FLAGS}
    return {"os_covered": _covered(view, "os_covered", amounts),
            "end_covered": _covered(view, "end_covered", flags)}


def _ideology(view):
    return {c: _num(view, c) for c in FEATURES["ideology"]}


def _misconduct(view):
    # 0 when no event is known by the as-of date (GovTrack covers every member; thin before 2009)
    return {c: _num(view, c).fillna(0.0) for c in FEATURES["misconduct"]}


def _challenger_quality(view):
    # known only once the field is (after the filing deadline), like the field group
    known = _flag(view, "field_known") if "field_known" in view else pd.Series(1.0, index=view.index)
    hide = known.fillna(0.0) == 0
    return {c: _num(view, c).mask(hide) for c in FEATURES["challenger_quality"]}


def _outside_money_fec(view):
    # FEC records cover every race: no record by the as-of date is $0 (UDP/AIPAC PAC exist from 2022)
    return {f"log_{c}": _log_money(_num(view, c).fillna(0.0)) for c in ("pi_fec_against_inc", "pi_fec_for_inc")}


def _outside_money_norpac(view):
    # no NORPAC record by the as-of date is $0 (its transactions run 2015-2025)
    return {f"log_{c}": _log_money(_num(view, c).fillna(0.0)) for c in ("norpac_fec_against_inc", "norpac_fec_for_inc")}


def _outside_money_jstreet(view):
    # no J Street record by the as-of date is $0; before 2016 the file does not cover it (missing -> 0 too)
    return {f"log_{c}": _log_money(_num(view, c).fillna(0.0)) for c in ("js_fec_against_inc", "js_fec_for_inc")}


def _prev_general(view):
    return {"prev_general_margin": _num(view, "prev_general_margin"),
            "prev_general_same_party": _flag(view, "prev_general_same_party")}


def _challenger_history(view):
    return {c: _num(view, c) for c in FEATURES["challenger_history"]}


def _district_switch(view):
    return {"district_switch": _num(view, "district_switch")}


def _rematch(view):
    # known only once the field is (after the filing deadline), like challenger quality
    known = _flag(view, "field_known") if "field_known" in view else pd.Series(1.0, index=view.index)
    hide = known.fillna(0.0) == 0
    rematch = _num(view, "rematch").mask(hide)
    share = _num(view, "prev_chal_share").fillna(0.0)
    return {"rematch": rematch, "rematch_share": (rematch * share).where(rematch.notna())}


def _ideology_party(view):
    r = (view["party"].astype("string") == "R").astype(float)
    return {"np_extremity_x_R": _num(view, "np_extremity") * r,
            "np_moderate_pct_x_R": _num(view, "np_moderate_pct") * r}


#: a challenger who has raised this much by the as-of date counts as funded (cycle_signals)
FUNDED_CHALLENGER = 100_000.0


def _cycle_signals(view):
    cycle = view["cycle"].astype(int)
    lines = _flag(view, "new_lines").fillna(0.0)
    funded = (_num(view, "chal_receipts") >= FUNDED_CHALLENGER).astype(float)
    return {"cycle_new_lines_share": lines.groupby(cycle).transform("mean"),
            "cycle_funded_share": funded.groupby(cycle).transform("mean")}


#: endorsements that say a challenger is running against the member (``known_challenger``)
AGAINST_MEMBER_FLAGS = [c for c in END_FLAGS if c.endswith("_chal")] + ["end_trump_against_inc"]


def _known_challenger(view):
    chal = _num(view, "chal_receipts")
    no_money = chal.isna() & _num(view, "inc_receipts").isna()
    funded = (chal >= FUNDED_CHALLENGER).astype(float).mask(no_money)
    endorsed = pd.concat([_flag(view, c).fillna(0.0) for c in AGAINST_MEMBER_FLAGS], axis=1).max(axis=1)
    return {"chal_funded": funded, "chal_endorsed": endorsed}


_BUILDERS = {
    "incumbent": _incumbent, "leadership": _leadership, "district": _district, "party": _party, "region": _region,
    "system": _system, "contest": _contest, "national": _national, "field": _field,
    "money": _money, "outside_spending": _outside, "endorsements": _endorsements,
    "curated_coverage": _curated_coverage, "ideology": _ideology,
    "misconduct": _misconduct, "challenger_quality": _challenger_quality,
    "outside_money_fec": _outside_money_fec, "outside_money_norpac": _outside_money_norpac,
    "outside_money_jstreet": _outside_money_jstreet,
    "prev_general": _prev_general,
    "challenger_history": _challenger_history, "district_switch": _district_switch, "rematch": _rematch,
    "ideology_party": _ideology_party, "cycle_signals": _cycle_signals,
    "known_challenger": _known_challenger,
}
assert set(_BUILDERS) == set(FEATURES)


def _check_groups(groups) -> None:
    unknown = [g for g in groups if g not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature group(s) {unknown}; known: {list(FEATURES)}")


# ---- preprocessing for the linear and Bayesian models -------------------------------------------
#: a feature observed on fewer fit rows than this is dropped for that fit (with its missing
#: indicator).  Why: the post-primary money mask leaves 20 rows of pre-primary money before 2014, and
#: slopes fitted on those 20 rows, applied to a 2014 test fold where nearly every row has money,
#: collapsed the fold (logit skill -0.74, Bayesian -1.7).  Fixed a priori (not tuned on the folds):
#: about ten rows per slope of the roughly ten-feature linear parts.
MIN_OBSERVED = 100


class DropUninformative(BaseEstimator, TransformerMixin):
    """Drop columns that are empty, constant or exact duplicates of an earlier column (on the fit data).

    A column that is constant where observed but has missing values is kept (its missing indicator
    may carry information).  With ``min_observed``, a column observed (not NaN) on fewer fit rows
    is dropped too: the rule is decided on the training rows alone, so it never sees the test fold.
    """

    def __init__(self, min_observed: int = 0):
        self.min_observed = min_observed

    def fit(self, X, y=None):
        X = pd.DataFrame(X)
        keep, seen = [], set()
        for col in X.columns:
            values = X[col].to_numpy(dtype=float)
            missing = np.isnan(values)
            if missing.all() or (not missing.any() and np.std(values) == 0):
                continue
            if int((~missing).sum()) < self.min_observed:
                continue
            key = values.tobytes()
            if key in seen:
                continue
            seen.add(key)
            keep.append(col)
        self.columns_ = keep
        return self

    def transform(self, X):
        return pd.DataFrame(X)[self.columns_]

    def get_feature_names_out(self, input_features=None):
        return np.asarray(self.columns_, dtype=object)


def make_preprocessor(min_observed: int = MIN_OBSERVED) -> Pipeline:
    """Drop features observed on fewer than ``min_observed`` fit rows, median imputation + missing
    indicators, drop constant/duplicate columns, standardise.

    Fit it on the training fold only; it returns a DataFrame with readable column names
    (``missingindicator_<feature>`` for the indicators).
    """
    pipe = Pipeline([
        ("drop_empty", DropUninformative(min_observed=min_observed)),
        ("impute", SimpleImputer(strategy="median", add_indicator=True)),
        ("drop", DropUninformative()),
        ("scale", StandardScaler()),
    ])
    return pipe.set_output(transform="pandas")
