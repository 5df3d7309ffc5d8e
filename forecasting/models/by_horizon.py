"""One model per forecast horizon, each fitted on that horizon's views of past cycles.

A forecast made months before the primaries (``year_end``: the ballot unknown, money as of the year-end
report) is made by a model that learned from what was known at the same point of earlier cycles; once
the field is known, by the model fitted at the filing deadline or the day before the primary.  The
backtest scores each horizon's model on its own horizon (``forecasting.evaluation.backtest``); this wrapper holds
the fitted models of the published model's config and routes every row to the right one.

Routing, per row of an as-of view: the field not known (``field_known`` False) -> ``year_end``; the
field known and the as-of date before the day before the primary -> ``filing_deadline``; from the day
before the primary on -> ``day_before``.  A horizon without a fitted model falls back to the nearest
one that has the same field knowledge (``FALLBACK``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from features.view.horizons import HORIZONS
from forecasting.models.base import PrimaryModel

#: where a horizon has no fitted model: the others to try, nearest first
FALLBACK = {"year_end": ("filing_deadline", "day_before"),
            "filing_deadline": ("day_before", "year_end"),
            "day_before": ("filing_deadline", "year_end")}


def row_horizons(view: pd.DataFrame) -> np.ndarray:
    """The horizon each row of an as-of view is forecast at (module docstring)."""
    known = (view["field_known"].astype("boolean").fillna(False).to_numpy(dtype=bool)
             if "field_known" in view.columns else np.ones(len(view), dtype=bool))
    if "as_of" in view.columns and "primary_date" in view.columns:
        last_day = (pd.to_datetime(view["as_of"]) >= pd.to_datetime(view["primary_date"]) - pd.Timedelta(days=1))
        last_day = last_day.to_numpy(dtype=bool)
    else:
        last_day = np.ones(len(view), dtype=bool)
    return np.where(~known, "year_end", np.where(last_day, "day_before", "filing_deadline"))


class HorizonModel(PrimaryModel):
    """Fitted models by horizon, each row predicted by its horizon's model.

    Parameters
    ----------
    members : dict
        Horizon (``features.view.horizons.HORIZONS``) -> a fitted :class:`PrimaryModel`.
    name : str
        The name the forecasts carry (the config's: ``ensemble_bayes``).
    """

    name = "by_horizon"

    def __init__(self, members: dict | None = None, name: str = "by_horizon"):
        self.members = members
        self.name = name

    def fit(self, table, y=None):
        raise TypeError("HorizonModel holds models fitted on each horizon's views "
                        "(forecasting.models.training.train_model with horizons=...); it is not fitted on one table")

    @property
    def members_(self) -> list[PrimaryModel]:
        return [self.members[h] for h in HORIZONS if h in (self.members or {})]

    @property
    def train_cycles_(self) -> list[int]:
        return self.members_[0].train_cycles_

    @property
    def same_party_(self):
        return self.members_[-1].same_party_

    @property
    def fit_diagnostics_(self) -> dict:
        return {h: getattr(m, "fit_diagnostics_", None) for h, m in self.members.items()
                if getattr(m, "fit_diagnostics_", None)}

    def model_for(self, horizon: str) -> PrimaryModel:
        """The fitted model that forecasts rows at ``horizon``."""
        for h in (horizon, *FALLBACK[horizon]):
            if h in self.members:
                return self.members[h]
        raise ValueError("HorizonModel has no fitted member")

    def predict(self, table: pd.DataFrame) -> pd.DataFrame:
        """Each row by its horizon's model (``row_horizons``), in the rows' order."""
        which = row_horizons(table)
        parts = []
        for horizon in HORIZONS:
            rows = which == horizon
            if rows.any():
                parts.append(self.model_for(horizon).predict(table[rows]))
        out = pd.concat(parts) if parts else pd.DataFrame(index=table.index)
        return out.loc[table.index]

    def content_state(self) -> dict:
        """What identifies the fitted model: its members' content hashes."""
        from forecasting.models.identity import model_content_hash
        return {"name": self.name, "members": {h: model_content_hash(m) for h, m in self.members.items()}}

    def __getattr__(self, item):
        # attributes a caller reads off the model (coef_table_, pair_rule, ...): the day-before member's
        if item.startswith("__") or item in ("members", "name"):
            raise AttributeError(item)
        members = self.__dict__.get("members") or {}
        for h in ("day_before", "filing_deadline", "year_end"):
            if h in members:
                return getattr(members[h], item)
        raise AttributeError(item)
