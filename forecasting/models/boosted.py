"""Gradient-boosted hurdle: calibrated histogram boosting for both probabilities, quantile boosting
for the contested vote share.

- P(contested) and P(loss | contested): ``HistGradientBoostingClassifier`` (native NaN handling)
  wrapped in ``CalibratedClassifierCV`` whose folds are groups of training cycles, so calibration is
  learned on training cycles only and never on rows of the same cycle as the fit.  With a few dozen
  losses, Platt (sigmoid) scaling is the default: isotonic needs far more positives per fold.
- contested share: ``HistGradientBoostingRegressor(loss='quantile')`` per ``QUANTILE_LEVELS`` on the
  logit of the share (so intervals stay inside 0-1), and a squared-error model for the mean share.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from features.view.matrix import DEFAULT_GROUPS, FIELD_GROUPS, feature_names, model_frame
from forecasting.models import targets
from forecasting.models.base import QUANTILE_LEVELS, PrimaryModel
from forecasting.models.pairs import apply_pair_rule


class BoostedModel(PrimaryModel):
    """Calibrated histogram gradient boosting for the hurdle, quantile boosting for the share.

    Parameters
    ----------
    groups : sequence of str or None
        ``features.view.matrix`` feature groups (None: all).  P(contested) never sees the field groups.
    max_iter, learning_rate, max_depth, min_samples_leaf, l2_regularization
        Classifier settings (shallow, heavily regularised trees: losses are rare).
    calibration : {'sigmoid', 'isotonic', None}
        Calibration method for both classifiers (None: uncalibrated).
    calibration_folds : int
        Number of cycle-grouped folds for the calibration.
    share_max_iter, share_learning_rate, share_min_samples_leaf
        Settings of the share regressors.
    share_conformal_folds : int
        Cycle-grouped folds for conformalising the share intervals (CQR: each central interval is
        widened by the out-of-fold quantile of its conformity score); 0 = raw quantile models.
    pair_rule : bool
        Rescale member-vs-member primaries so one of the two loses (``forecasting.models.pairs``).
    random_state : int
        Seed passed to every estimator.
    n_threads : int
        OpenMP threads for the boosting (1 by default: on a shared 2-core machine, OpenMP threads
        competing with other jobs make a fit 10x slower; the data are small).
    """

    name = "boosted"

    def __init__(self, groups=None, max_iter: int = 100, learning_rate: float = 0.05, max_depth: int = 3,
                 min_samples_leaf: int = 40, l2_regularization: float = 1.0, calibration: str | None = "sigmoid",
                 calibration_folds: int = 5, share_max_iter: int = 150, share_learning_rate: float = 0.05,
                 share_min_samples_leaf: int = 20, share_conformal_folds: int = 3, pair_rule: bool = True,
                 random_state: int = 0, n_threads: int = 1):
        self.groups = groups
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.calibration = calibration
        self.calibration_folds = calibration_folds
        self.share_max_iter = share_max_iter
        self.share_learning_rate = share_learning_rate
        self.share_min_samples_leaf = share_min_samples_leaf
        self.share_conformal_folds = share_conformal_folds
        self.pair_rule = pair_rule
        self.random_state = random_state
        self.n_threads = n_threads

    # ---- fitting ---------------------------------------------------------------------------------
    def _group_list(self) -> list[str]:
        return list(self.groups) if self.groups is not None else list(DEFAULT_GROUPS)

    def _groups(self) -> tuple[list[str], list[str]]:
        groups = self._group_list()
        return feature_names([g for g in groups if g not in FIELD_GROUPS]), feature_names(groups)

    def _classifier(self) -> Pipeline:
        return _guarded(HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=False, random_state=self.random_state))

    def _regressor(self, **loss) -> Pipeline:
        return _guarded(HistGradientBoostingRegressor(
            max_iter=self.share_max_iter, learning_rate=self.share_learning_rate, max_depth=self.max_depth,
            min_samples_leaf=self.share_min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=False, random_state=self.random_state, **loss))

    def _fit_classifier(self, X: pd.DataFrame, y: np.ndarray, cycles: np.ndarray):
        if len(np.unique(y)) < 2:
            raise ValueError(f"only one class in the training rows ({len(y)} rows)")
        if self.calibration is None:
            return self._classifier().fit(X, y)
        n_splits = min(self.calibration_folds, len(np.unique(cycles)))
        splits = []
        if n_splits >= 2:
            for train, test in GroupKFold(n_splits=n_splits).split(X, y, groups=cycles):
                if len(np.unique(y[train])) == 2:
                    splits.append((train, test))
        if len(splits) < 2:       # too few cycles with events to calibrate on held-out cycles
            return self._classifier().fit(X, y)
        model = CalibratedClassifierCV(self._classifier(), method=self.calibration, cv=splits)
        return model.fit(X, y)

    def _fit(self, table: pd.DataFrame) -> None:
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            self._fit_parts(table)

    def _fit_parts(self, table: pd.DataFrame) -> None:
        cols_c, cols_l = self._groups()
        frame = model_frame(table, groups=self._group_list())
        cycles = table["cycle"].to_numpy()
        contested = targets.contested(table)
        rows_c = contested.notna().to_numpy()
        self.contested_model_ = self._fit_classifier(
            frame.loc[rows_c, cols_c], contested.to_numpy(dtype=float, na_value=np.nan)[rows_c].astype(int),
            cycles[rows_c])
        rows_l = targets.contested_mask(table)
        self.loss_model_ = self._fit_classifier(
            frame.loc[rows_l, cols_l], targets.lost(table).to_numpy(dtype=float, na_value=np.nan)[rows_l]
            .astype(int), cycles[rows_l])
        rows_s = targets.share_mask(table)
        share = targets.incumbent_share(table).to_numpy()[rows_s]
        Xs = frame.loc[rows_s, cols_l]
        z = targets.logit(share)
        self.quantile_models_ = [self._regressor(loss="quantile", quantile=q).fit(Xs, z)
                                 for q in QUANTILE_LEVELS]
        self.share_widening_ = self._conformal_widening(Xs, z, cycles[rows_s])
        self.mean_model_ = self._regressor(loss="squared_error").fit(Xs, share)
        self.features_contested_, self.features_ = cols_c, cols_l

    def _conformal_widening(self, X: pd.DataFrame, z: np.ndarray, cycles: np.ndarray) -> np.ndarray:
        """Per quantile level, the shift (logit scale) that gives its central interval its nominal
        out-of-fold coverage on held-out training cycles (split-conformal CQR); 0 for the median."""
        levels = np.asarray(QUANTILE_LEVELS)
        widening = np.zeros(len(levels))
        n_splits = min(self.share_conformal_folds, len(np.unique(cycles)))
        if n_splits < 2:
            return widening
        oof = np.full((len(z), len(levels)), np.nan)
        for train, test in GroupKFold(n_splits=n_splits).split(X, z, groups=cycles):
            for j, q in enumerate(levels):
                if q == 0.5:
                    continue
                model = self._regressor(loss="quantile", quantile=q).fit(X.iloc[train], z[train])
                oof[test, j] = model.predict(X.iloc[test])
        for j, lo in enumerate(levels):
            hi_j = int(np.argmin(np.abs(levels - (1 - lo))))
            if lo >= 0.5 or not np.isclose(levels[hi_j], 1 - lo):
                continue
            coverage = levels[hi_j] - lo
            score = np.maximum(oof[:, j] - z, z - oof[:, hi_j])
            n = len(score)
            shift = float(np.quantile(score, min(1.0, np.ceil((n + 1) * coverage) / n)))
            widening[j], widening[hi_j] = -shift, shift
        return widening

    # ---- prediction ------------------------------------------------------------------------------
    def _predict_parts(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            return self._predict(table)

    def _predict(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        frame = model_frame(table, groups=self._group_list())
        Xc, X = frame[self.features_contested_], frame[self.features_]
        z = np.column_stack([m.predict(X) for m in self.quantile_models_]) + self.share_widening_[None, :]
        quantiles = targets.expit(np.sort(z, axis=1))
        p_loss = self.loss_model_.predict_proba(X)[:, 1]
        if self.pair_rule:
            p_loss = apply_pair_rule(table, p_loss)
        return {"p_contested": self.contested_model_.predict_proba(Xc)[:, 1],
                "p_loss_if_contested": p_loss,
                "share_quantiles": quantiles,
                "share_mean": np.clip(self.mean_model_.predict(X), 0.0, 1.0)}


class _EmptyColumnGuard(BaseEstimator, TransformerMixin):
    """Fill columns with no observed value in the fit data with 0 (constant, so never split on).

    scikit-learn's histogram binning fails on an all-NaN column; calibration sub-folds of early
    training cycles hit this for sources that start later (outside spending, endorsements).
    """

    def fit(self, X, y=None):
        self.empty_ = np.asarray(pd.DataFrame(X).isna().all(axis=0))
        return self

    def transform(self, X):
        X = pd.DataFrame(X).copy()
        X.loc[:, self.empty_] = 0.0
        return X


def _guarded(estimator) -> Pipeline:
    return Pipeline([("guard", _EmptyColumnGuard()), ("model", estimator)])
