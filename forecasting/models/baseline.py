"""The unskilled reference: historical base rates by party over a recent window of cycles."""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models import targets
from forecasting.models.base import QUANTILE_LEVELS, PrimaryModel


class BaseRateModel(PrimaryModel):
    """P(contested), P(loss | contested) and the contested share distribution by party.

    Rates are taken over the last ``window`` training cycles and shrunk toward the party's rate
    over all training cycles with ``prior_strength`` pseudo-rows; share quantiles are the empirical
    quantiles of contested first-round shares in the window.

    Parameters
    ----------
    window : int
        Number of most recent training cycles the rates are computed over.
    prior_strength : float
        Pseudo-rows pulling a window rate toward the all-cycle rate (matters for the rare losses).
    min_share_rows : int
        Fewer contested shares than this in the window: use all training cycles instead.
    """

    name = "base_rate"

    def __init__(self, window: int = 3, prior_strength: float = 50.0, min_share_rows: int = 30):
        self.window = window
        self.prior_strength = prior_strength
        self.min_share_rows = min_share_rows

    def _same_party_stage(self):
        from forecasting.models.same_party import SamePartyNovember
        return SamePartyNovember(november_features=(), general_features=())

    def _fit(self, table: pd.DataFrame) -> None:
        cycles = sorted(table["cycle"].unique())
        recent = table["cycle"].isin(cycles[-self.window:]).to_numpy()
        contested = targets.contested(table)
        lost = targets.lost(table)
        share = targets.incumbent_share(table)
        is_contested = targets.contested_mask(table)
        has_share = targets.share_mask(table)
        self.rates_ = {}
        self.share_quantiles_ = {}
        self.share_mean_ = {}
        for party in ("D", "R"):
            in_party = (table["party"] == party).to_numpy()
            self.rates_[party] = {
                "p_contested": self._shrunk(contested, in_party & contested.notna().to_numpy(), recent),
                "p_loss_if_contested": self._shrunk(lost, in_party & is_contested, recent),
            }
            rows = in_party & has_share & recent
            if rows.sum() < self.min_share_rows:
                rows = in_party & has_share
            if rows.sum() == 0:
                rows = has_share
            values = share.to_numpy()[rows]
            self.share_quantiles_[party] = np.quantile(values, QUANTILE_LEVELS)
            self.share_mean_[party] = float(values.mean())

    def _shrunk(self, outcome: pd.Series, rows: np.ndarray, recent: np.ndarray) -> float:
        y = outcome.fillna(False).to_numpy(dtype=float)
        k_all, n_all = y[rows].sum(), rows.sum()
        prior = (k_all + 0.5) / (n_all + 1.0)            # Jeffreys-style, never exactly 0 or 1
        window = rows & recent
        return float((y[window].sum() + self.prior_strength * prior) / (window.sum() + self.prior_strength))

    def _predict_parts(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        party = table["party"].astype("string").fillna("D").to_numpy()
        party = np.where(np.isin(party, ["D", "R"]), party, "D")
        return {
            "p_contested": np.array([self.rates_[p]["p_contested"] for p in party]),
            "p_loss_if_contested": np.array([self.rates_[p]["p_loss_if_contested"] for p in party]),
            "share_quantiles": np.vstack([self.share_quantiles_[p] for p in party]) if len(party)
            else np.empty((0, len(QUANTILE_LEVELS))),
            "share_mean": np.array([self.share_mean_[p] for p in party]),
        }


class PairAwareBaseRateModel(BaseRateModel):
    """The base rate, plus the member-vs-member rule: the reference that knows one of two sitting
    members in one primary must lose.

    Rows of a member-vs-member primary where one must lose (``forecasting.models.pairs.member_pairs``:
    field known, not top-two / top-four) get P(loss | contested) = (k - 1) / k for a group of k
    members (0.5 for a pair: no member-specific skill); every other row gets the base rate
    (``BaseRateModel``) fitted on the training rows that are not pairings, so the rule's easy
    defeats do not inflate the rate of ordinary contests.  Before the filing deadline the pairing
    is not known and the row gets the base rate.

    Parameters are those of ``BaseRateModel``.
    """

    name = "pair_base_rate"

    def _fit(self, table: pd.DataFrame) -> None:
        from forecasting.models.pairs import pairing_mask

        pairing = pairing_mask(table)
        self.n_pairing_train_ = int(pairing.sum())
        super()._fit(table[~pairing])

    def _predict_parts(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        from forecasting.models.pairs import member_pairs

        parts = super()._predict_parts(table)
        p = np.asarray(parts["p_loss_if_contested"], dtype=float).copy()
        for members in member_pairs(table):
            p[members] = (len(members) - 1) / len(members)
        parts["p_loss_if_contested"] = p
        return parts
