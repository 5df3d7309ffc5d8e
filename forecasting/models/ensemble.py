"""An equal-weight ensemble of fitted members (kept because the backtest shows it beats each of them).

P(contested) and P(loss | contested) are the members' means (the pair rule applied after
averaging); share quantiles are averaged level by level (quantile averaging), as is the mean share.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import PrimaryModel
from forecasting.models.pairs import apply_pair_rule


class EnsembleModel(PrimaryModel):
    """Average of registry models.

    Parameters
    ----------
    members : sequence of str
        Registry names of the members.
    member_kwargs : dict or None
        Registry name -> constructor arguments of that member.
    weights : sequence of float or None
        Member weights (None: equal).
    pair_rule : bool
        Apply the member-vs-member rule to the averaged P(loss | contested).
    random_state : int
        Passed to members that take a ``random_state`` / ``random_seed``.
    """

    name = "ensemble"

    def __init__(self, members=("logit", "boosted"), member_kwargs: dict | None = None, weights=None,
                 pair_rule: bool = True, random_state: int = 0):
        self.members = members
        self.member_kwargs = member_kwargs
        self.weights = weights
        self.pair_rule = pair_rule
        self.random_state = random_state

    def _unfitted_members(self) -> list[PrimaryModel]:
        from forecasting.models.registry import model_from_config

        names = list(self.members)
        if not names or "ensemble" in names:
            raise ValueError(f"ensemble members must be other registry models, got {names}")
        kwargs = self.member_kwargs or {}
        return [model_from_config(n, kwargs.get(n), None, self.random_state) for n in names]

    def fit_reusing(self, table: pd.DataFrame, fitted: list[PrimaryModel]) -> "EnsembleModel":
        """Fit, taking each member from ``fitted`` when a model of the same class and parameters was
        already fitted on the same rows (a backtest fold), else fitting it."""
        self._reuse = list(fitted)
        try:
            return self.fit(table)
        finally:
            del self._reuse

    def _fit(self, table: pd.DataFrame) -> None:
        members = []
        for fresh in self._unfitted_members():
            same = [m for m in getattr(self, "_reuse", [])
                    if type(m) is type(fresh) and m.get_params() == fresh.get_params()
                    and getattr(m, "n_train_", None) == len(table)]
            members.append(same[0] if same else fresh.fit(table))
        self.members_ = members
        names = list(self.members)
        w = np.ones(len(names)) if self.weights is None else np.asarray(self.weights, dtype=float)
        if len(w) != len(names) or (w < 0).any() or w.sum() == 0:
            raise ValueError(f"weights {self.weights} do not match members {names}")
        self.weights_ = w / w.sum()
        # the fit diagnostics of members that record them (the Bayesian member's R-hat, ESS,
        # divergences), so a backtest or a training run records them for the ensemble too
        diag = {n: m.fit_diagnostics_ for n, m in zip(names, members) if getattr(m, "fit_diagnostics_", None)}
        if len(diag) == 1:
            self.fit_diagnostics_ = dict(next(iter(diag.values())))
        elif diag:
            self.fit_diagnostics_ = {f"{n}_{k}": v for n, d in diag.items() for k, v in d.items()}

    def content_state(self) -> dict:
        """What identifies this fit (``forecasting.models.identity.model_content_hash``): each member by its own
        content hash (a Bayesian member's excludes its sampling time), the diagnostics copied from the
        members left out.  So are the members' settings (``member_kwargs``) once the members are
        fitted: each fitted member carries its own, whichever config file spelt them out."""
        from forecasting.models.identity import model_content_hash

        state = dict(self.__dict__)
        state.pop("fit_diagnostics_", None)
        if "members_" in state:
            state["members_"] = [model_content_hash(m) for m in state["members_"]]
            state.pop("member_kwargs", None)
        return state

    def _predict_parts(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        parts = [m._predict_parts(table) for m in self.members_]
        out = {key: sum(w * np.asarray(p[key], dtype=float) for w, p in zip(self.weights_, parts))
               for key in ("p_contested", "p_loss_if_contested", "share_quantiles", "share_mean")}
        if self.pair_rule:
            out["p_loss_if_contested"] = apply_pair_rule(table, out["p_loss_if_contested"])
        return out
