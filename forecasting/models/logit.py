"""A readable baseline: statsmodels logits for the hurdle and a linear model of logit(share).

Each part uses a short list of features (``features.view.matrix`` names), median-imputed with missing
indicators and standardised on the training rows (``features.view.matrix.make_preprocessor``).  With a few
dozen losses in the training cycles an unpenalised logit over-fits, so by default the coefficients
carry a weakly informative normal prior (sd ``prior_scale`` on the standardised scale; intercept
sd 10): the fit is the posterior mode, and the intervals are the Laplace (normal) approximation.
``prior_scale=None`` gives the plain maximum-likelihood fit with statsmodels' intervals.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from features.view.matrix import ALL_GROUPS, feature_names, make_preprocessor, model_frame
from forecasting.models import targets
from forecasting.models.base import QUANTILE_LEVELS, PrimaryModel
from forecasting.models.pairs import apply_pair_rule

#: the evidence families in the defaults, kept because each family raised pooled out-of-sample skill in
#: the ablation (reports/ablation_evidence.md, pre-primary money): Nokken-Poole ideology of the
#: previous Congress, FEC pro-Israel PAC money (2022+), and (field: P(loss | contested) only)
#: challenger quality.  Misconduct lowered skill alone and in combination: not a default.  The
#: rematch (the previous primary's top challenger is in the field, and their previous share; field:
#: P(loss | contested) only) raised pooled skill on top of these, 0.218 -> 0.223; the previous
#: challenger's share alone, the district switch and ideology x party did not (same ablation,
#: ``--on-defaults``).  Justice Democrats' endorsement of a challenger (a complete, dated slate from 2018;
#: P(loss | contested) only) raised it again, 0.223 -> 0.233 (vs pairing-aware 0.111 -> 0.122, rows without
#: pairings 0.129 -> 0.145; 2016-2024 only, the 2008-2014 folds never see the flag); any insurgent group's
#: endorsement (``end_insurgent_chal``) did no better (0.232).
EVIDENCE_CONTESTED = ("np_extremity", "np_moderate_pct", "log_pi_fec_against_inc", "log_pi_fec_for_inc")
EVIDENCE_LOSS = EVIDENCE_CONTESTED + ("chal_former_member", "chal_state_office", "rematch", "rematch_share",
                                      "end_jd_chal")
CONTESTED_FEATURES = (
    "pres_lean", "incumbent_age", "tenure_years", "first_term", "last_primary_share", "party_R", "president_party",
    "midterm", "new_lines", "special_election_member", "sys_top_two", "sys_runoff", "latino_share",
    "black_share", "ba_plus_share", "log_chal_receipts", "chal_funded", "chal_endorsed",
) + EVIDENCE_CONTESTED
LOSS_FEATURES = (
    "pres_lean", "incumbent_age", "tenure_years", "first_term", "last_primary_share", "party_R", "president_party",
    "new_lines", "special_election_member", "beat_incumbent_in_primary", "n_candidates",
    "incumbent_vs_incumbent", "log_money_ratio", "sys_top_two", "sys_runoff", "end_trump_against_inc",
) + EVIDENCE_LOSS
SHARE_FEATURES = LOSS_FEATURES
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)   # E[f(Z)], Z ~ N(0, 1)


class LogitModel(PrimaryModel):
    """Penalised statsmodels logits for P(contested), P(loss | contested); OLS for logit(share).

    Parameters
    ----------
    contested_features, loss_features, share_features : sequence of str or None
        ``features.view.matrix`` feature names per part (None: the module defaults).
    prior_scale : float or None
        Normal prior sd of the standardised coefficients (None: maximum likelihood).
    maxiter : int
        Newton iterations.
    pair_rule : bool
        Rescale member-vs-member primaries so one of the two loses (``forecasting.models.pairs``).

    Attributes
    ----------
    coef_table_ : DataFrame
        part, feature, coef, se, ci_low, ci_high (95%), z, p_value, odds_ratio (logit parts; per
        standard deviation of the feature, see ``feature_sd``), feature_sd.
    """

    name = "logit"

    def __init__(self, contested_features=None, loss_features=None, share_features=None,
                 prior_scale: float | None = 1.0, maxiter: int = 100, pair_rule: bool = True):
        self.contested_features = contested_features
        self.loss_features = loss_features
        self.share_features = share_features
        self.prior_scale = prior_scale
        self.maxiter = maxiter
        self.pair_rule = pair_rule

    # ---- fitting ---------------------------------------------------------------------------------
    def _features(self, part: str) -> list[str]:
        given = {"contested": self.contested_features, "loss": self.loss_features,
                 "share": self.share_features}[part]
        default = {"contested": CONTESTED_FEATURES, "loss": LOSS_FEATURES, "share": SHARE_FEATURES}[part]
        names = list(given) if given is not None else list(default)
        unknown = sorted(set(names) - set(feature_names(ALL_GROUPS)))
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}")
        return names

    def _fit(self, table: pd.DataFrame) -> None:
        frame = model_frame(table, groups=ALL_GROUPS)
        contested = targets.contested(table)
        rows_c = contested.notna().to_numpy()
        rows_l = targets.contested_mask(table)
        rows_s = targets.share_mask(table)
        self.preprocessors_, self.params_, self.cov_ = {}, {}, {}
        tables = []

        X, pre = self._design(frame, rows_c, "contested")
        y = contested.to_numpy(dtype=float, na_value=np.nan)[rows_c]
        tables.append(self._fit_logit("contested", X, y, pre))

        X, pre = self._design(frame, rows_l, "loss")
        y = targets.lost(table).to_numpy(dtype=float, na_value=np.nan)[rows_l]
        tables.append(self._fit_logit("loss", X, y, pre))

        X, pre = self._design(frame, rows_s, "share")
        y = targets.logit(targets.incumbent_share(table).to_numpy()[rows_s])
        ols = sm.OLS(y, X).fit()
        self.params_["share"] = ols.params.to_numpy()
        self.share_sigma_ = float(np.sqrt(ols.scale))
        ci = ols.conf_int()
        tables.append(pd.DataFrame({
            "part": "share", "feature": X.columns, "coef": ols.params.to_numpy(), "se": ols.bse.to_numpy(),
            "ci_low": ci[0].to_numpy(), "ci_high": ci[1].to_numpy(), "z": ols.tvalues.to_numpy(),
            "p_value": ols.pvalues.to_numpy(), "odds_ratio": np.nan}))
        table_ = pd.concat(tables, ignore_index=True)
        sds = {}
        for part, pre in self.preprocessors_.items():
            scaler = pre.named_steps["scale"]
            sds.update({(part, f): s for f, s in zip(scaler.feature_names_in_, scaler.scale_)})
        table_["feature_sd"] = [sds.get((p, f), np.nan) for p, f in zip(table_["part"], table_["feature"])]
        self.coef_table_ = table_

    def _design(self, frame: pd.DataFrame, rows: np.ndarray, part: str, fit: bool = True) -> tuple:
        cols = self._features(part)
        if fit:
            pre = make_preprocessor().fit(frame.loc[rows, cols])
            self.preprocessors_[part] = pre
        else:
            pre = self.preprocessors_[part]
        Z = pre.transform(frame.loc[rows, cols])
        X = sm.add_constant(Z, has_constant="add")
        return X, pre

    def _fit_logit(self, part: str, X: pd.DataFrame, y: np.ndarray, pre) -> pd.DataFrame:
        model = sm.Logit(y, X)
        if self.prior_scale is None:
            res = model.fit(disp=0, maxiter=self.maxiter)
            params, cov = res.params.to_numpy(), res.cov_params().to_numpy()
        else:
            params, cov = _penalised_newton(model, X.shape[1], self.prior_scale, self.maxiter)
        self.params_[part], self.cov_[part] = params, cov
        se = np.sqrt(np.diag(cov))
        z = params / se
        return pd.DataFrame({
            "part": part, "feature": X.columns, "coef": params, "se": se,
            "ci_low": params - 1.96 * se, "ci_high": params + 1.96 * se, "z": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)), "odds_ratio": np.exp(params)})

    # ---- prediction ------------------------------------------------------------------------------
    def _predict_parts(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        frame = model_frame(table, groups=ALL_GROUPS)
        every = np.ones(len(table), dtype=bool)
        lin = {}
        for part in ("contested", "loss", "share"):
            X, _ = self._design(frame, every, part, fit=False)
            lin[part] = X.to_numpy(dtype=float) @ self.params_[part]
        mu, sigma = lin["share"], self.share_sigma_
        z = stats.norm.ppf(QUANTILE_LEVELS)
        quantiles = targets.expit(mu[:, None] + sigma * z[None, :])
        mean = (targets.expit(mu[:, None] + sigma * _GH_X[None, :]) @ _GH_W) / _GH_W.sum()
        p_loss = targets.expit(lin["loss"])
        if self.pair_rule:
            p_loss = apply_pair_rule(table, p_loss)
        return {"p_contested": targets.expit(lin["contested"]),
                "p_loss_if_contested": p_loss,
                "share_quantiles": quantiles, "share_mean": mean}


def _penalised_newton(model: sm.Logit, k: int, prior_scale: float, maxiter: int):
    """Posterior mode of a logit with N(0, prior_scale^2) slopes and an N(0, 10^2) intercept (column 0)."""
    penalty = np.full(k, 1.0 / prior_scale ** 2)
    penalty[0] = 1.0 / 10.0 ** 2          # intercept: nearly flat (keeps a fold without events finite)
    P = np.diag(penalty)
    y_mean = np.clip(model.endog.mean(), 1e-3, 1 - 1e-3)
    params = np.zeros(k)
    params[0] = np.log(y_mean / (1 - y_mean))
    def objective(b):
        # a trial step far out (a rare flag that separates the classes) overflows to -inf: rejected below
        with np.errstate(over="ignore", divide="ignore"):
            return model.loglike(b) - 0.5 * b @ P @ b

    value = objective(params)
    for _ in range(maxiter):
        grad = model.score(params) - P @ params
        hess = model.hessian(params) - P
        step = np.linalg.solve(hess, grad)
        # the penalised log-likelihood is strictly concave: halve the Newton step until it improves
        for _ in range(60):
            candidate = params - step
            new_value = objective(candidate)
            if new_value >= value - 1e-12:
                break
            step = step / 2
        params, value = candidate, new_value
        if np.max(np.abs(step)) < 1e-9:
            break
    hess = model.hessian(params) - P
    return params, np.linalg.inv(-hess)
