"""The second target: P(lose the seat to the same party) in top-two states.

In an all-candidate primary that sends two finalists to November (California from 2012, Washington
from 2008, Alaska's top four from 2022) losing the nomination means finishing out of the top two;
the intra-party fight is usually settled in November instead (Stark 2012, Honda 2016; Gomez's near
misses against David Kim 2020-2024).  So

    P(lose to same party) = P(lose nomination) + P(advance with a same-party rival) x P(lose that general)
                          = p_loss + (1 - p_loss) x p_same_party_november x p_lose_general

with two small stages learned here, on the training rows of those systems:

- ``p_same_party_november``: P(a same-party rival also reaches November | the incumbent advances);
- ``p_lose_general``: P(the incumbent loses a same-party November general).

Elsewhere (closed, open, runoff primaries; Louisiana's jungle, where November *is* the primary) the
second target equals the first.  Each stage is a ridge-penalised logistic regression on a handful of
pre-primary features (``features.view.matrix``; the member's previous November margin matters most), or,
with too few events in the training folds, a smoothed rate; ``features=()`` gives the unskilled
reference (the rate alone) used by the base-rate model.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from features.view.matrix import ALL_GROUPS, make_preprocessor, model_frame
from forecasting.models import targets

#: pre-primary inputs of each stage (``features.view.matrix`` names)
NOVEMBER_FEATURES = ("pres_lean", "party_R", "prev_general_same_party", "prev_general_margin",
                     "last_primary_share", "n_candidates", "log_chal_receipts")
GENERAL_FEATURES = ("prev_general_same_party", "prev_general_margin", "last_primary_share", "tenure_years",
                    "log_money_ratio", "incumbent_vs_incumbent")
MIN_EVENTS = 5           # fewer events (or non-events) than this in training: a smoothed rate instead
PREDICTION_COLUMNS = ["p_same_party_november", "p_lose_general", "p_lose_seat_same_party"]


def november_decides(table: pd.DataFrame) -> np.ndarray:
    """True where two finalists of any party go on to November (top-two, top-four; not Louisiana)."""
    return targets.several_advance_primary(table).to_numpy(dtype=bool)


def _bool(table: pd.DataFrame, col: str) -> pd.Series:
    if col not in table.columns:
        return pd.Series(pd.NA, index=table.index, dtype="boolean")
    return table[col].astype("boolean")


class _Stage:
    """One binary stage: a penalised logit on ``features``, or a smoothed rate."""

    def __init__(self, features: tuple, C: float, prior: float):
        self.features, self.C, self.prior = tuple(features), C, prior

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> "_Stage":
        y = np.asarray(y, dtype=float)
        k, n = y.sum(), len(y)
        # a rate pulled toward ``prior`` by 2 pseudo-rows: defined with no data, never 0 or 1
        self.rate_ = float((k + 2 * self.prior) / (n + 2))
        self.model_ = None
        if self.features and min(k, n - k) >= MIN_EVENTS:
            # its fit rows are few (the same-party generals): no minimum-observed rule here
            self.model_ = Pipeline([("prep", make_preprocessor(min_observed=0)),
                                    ("logit", LogisticRegression(C=self.C, max_iter=2000))])
            self.model_.fit(X[list(self.features)], y.astype(int))
        self.n_, self.k_ = int(n), int(k)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        if self.model_ is None:
            return np.full(len(X), self.rate_)
        return self.model_.predict_proba(X[list(self.features)])[:, 1]


class SamePartyNovember(BaseEstimator):
    """P(a same-party rival reaches November) and P(losing that general), for top-two rows.

    Parameters
    ----------
    november_features, general_features : tuple of str
        ``features.view.matrix`` columns of each stage (empty: the rate alone, the reference).
    C : float
        Inverse ridge penalty of both logits (strong: few events).
    """

    def __init__(self, november_features=NOVEMBER_FEATURES, general_features=GENERAL_FEATURES, C: float = 0.3):
        self.november_features = november_features
        self.general_features = general_features
        self.C = C

    def fit(self, table: pd.DataFrame) -> "SamePartyNovember":
        """Fit on training rows (an as-of view of cycles with outcomes)."""
        X = model_frame(table, ALL_GROUPS)
        advanced = november_decides(table) & ~_bool(table, "lost").fillna(True).to_numpy(dtype=bool)
        spg = _bool(table, "same_party_general")
        rows1 = advanced & spg.notna().to_numpy()
        self.november_ = _Stage(self.november_features, self.C, prior=0.1).fit(
            X[rows1], spg.to_numpy(dtype=float, na_value=0.0)[rows1])
        rows2 = rows1 & spg.fillna(False).to_numpy(dtype=bool)
        lost_general = _bool(table, "lost_general").fillna(False).to_numpy(dtype=float)
        self.general_ = _Stage(self.general_features, self.C, prior=0.25).fit(X[rows2], lost_general[rows2])
        return self

    def predict(self, table: pd.DataFrame, p_loss: np.ndarray) -> pd.DataFrame:
        """``PREDICTION_COLUMNS`` per row, given the first target's ``p_loss``."""
        from forecasting.models.pairs import apply_seat_pair_rule

        X = model_frame(table, ALL_GROUPS)
        decides = november_decides(table)
        p_nov = np.where(decides, self.november_.predict(X), 0.0)
        p_gen = np.where(decides, self.general_.predict(X), 0.0)
        p_loss = np.asarray(p_loss, dtype=float)
        out = pd.DataFrame(index=table.index)
        out["p_same_party_november"] = p_nov
        out["p_lose_general"] = p_gen
        p_seat = np.clip(p_loss + (1 - p_loss) * p_nov * p_gen, 0.0, 1.0)
        out["p_lose_seat_same_party"] = apply_seat_pair_rule(table, p_seat, p_loss)
        return out
