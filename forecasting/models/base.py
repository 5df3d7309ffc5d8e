"""The one interface every model shares.

A model fits on rows of the central table (training cycles, with outcomes) and predicts, per
incumbent row, P(loses the nomination) and the distribution of the incumbent's first-round share.

Every model is a hurdle: ``P(loss) = P(contested) * P(loss | contested)`` while the field is not
known (before the state's filing deadline, column ``field_known`` False); once the field is known a
row with ``contested`` False has P(loss) = 0 and share 1, and a contested row uses
``P(loss | contested)``.  Subclasses implement three learned parts in ``_fit`` / ``_predict_parts``:

- ``p_contested``: P(a same-party challenger is on the ballot)
- ``p_loss_if_contested``: P(loss | contested)
- contested-share quantiles at ``QUANTILE_LEVELS``

and this class composes them (plus the second target, P(lose the seat to the same party), from
``forecasting.models.same_party``: top-two states decide the intra-party fight in November), so backtests, scoring, notebooks and publishing never care which
model they hold (scikit-learn conventions: constructor stores parameters unchanged, learned state
ends in ``_``).
"""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

QUANTILE_LEVELS = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
CONTESTED_SHARE_COLUMNS = ["share_if_contested_p10", "share_if_contested_p50", "share_if_contested_p90"]
PREDICTION_COLUMNS = [
    "p_contested", "p_loss_if_contested", "p_loss",
    "share_mean", "share_p10", "share_p50", "share_p90",
    # the share given a contest (empty where the ballot shows none): the range a reader compares
    # with a result, with the chance of no opponent said apart
    *CONTESTED_SHARE_COLUMNS,
    # the second target (forecasting.models.same_party)
    "p_same_party_november", "p_lose_general", "p_lose_seat_same_party",
]


def _mixture_quantile(levels: np.ndarray, q_contested: np.ndarray, p_contested: np.ndarray,
                      target: float) -> np.ndarray:
    """Quantile ``target`` of: share = 1 with prob 1-p, else the contested distribution.

    The contested distribution is known through its quantiles ``q_contested`` (n, L) at ``levels``;
    it is interpolated linearly in probability between them and clamped at the ends.
    """
    p = np.clip(p_contested, 1e-9, 1.0)
    level_in_contested = target / p              # the mass below the quantile is all contested
    out = np.empty(len(p))
    for i in range(len(p)):
        if level_in_contested[i] >= 1.0:
            out[i] = 1.0
        else:
            out[i] = np.interp(level_in_contested[i], levels, q_contested[i])
    return out


class PrimaryModel(BaseEstimator):
    """Base class: fit on the central table, predict P(loss) and a vote-share distribution."""

    #: short name used in scoreboards, MLflow and feeds
    name = "base"

    # ---- to implement -------------------------------------------------------------------
    def _fit(self, table: pd.DataFrame) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict_parts(self, table: pd.DataFrame) -> dict[str, np.ndarray]:  # pragma: no cover
        """Return dict with 'p_contested' (n,), 'p_loss_if_contested' (n,),
        'share_quantiles' (n, len(QUANTILE_LEVELS)) and 'share_mean' (n,) for contested rows."""
        raise NotImplementedError

    def _same_party_stage(self):
        """The November stage of the second target (the base-rate model uses rates alone)."""
        from forecasting.models.same_party import SamePartyNovember
        return SamePartyNovember()

    # ---- the shared interface -----------------------------------------------------------
    def fit(self, table: pd.DataFrame, y=None) -> "PrimaryModel":
        """Fit on training rows of the central table (rows with a known ``lost``)."""
        train = table[table["lost"].notna()]
        if train.empty:
            raise ValueError("no training rows with a known outcome")
        self._fit(train)
        self.same_party_ = self._same_party_stage().fit(train)
        self.n_train_ = int(len(train))
        self.train_cycles_ = sorted(int(c) for c in train["cycle"].unique())
        return self

    def predict(self, table: pd.DataFrame) -> pd.DataFrame:
        """Per row: p_contested, p_loss_if_contested, p_loss, share mean and 10/50/90th percentiles."""
        parts = self._predict_parts(table)
        n = len(table)
        pc = np.asarray(parts["p_contested"], dtype=float)
        pl = np.asarray(parts["p_loss_if_contested"], dtype=float)
        qs = np.sort(np.asarray(parts["share_quantiles"], dtype=float), axis=1)
        mean_c = np.asarray(parts["share_mean"], dtype=float)

        field_known = _bool_col(table, "field_known", default=True)
        contested_known = (table["contested"].notna().to_numpy() if "contested" in table.columns
                           else np.zeros(n, dtype=bool))
        contested = _bool_col(table, "contested", default=True)
        # Once the field is known, the hurdle is settled by the ballot; where the ballot itself is
        # unknown (e.g. some 2024 rows), the hurdle stays.
        settled = field_known & contested_known
        pc_eff = np.where(settled, np.where(contested, 1.0, 0.0), pc)
        levels = np.asarray(QUANTILE_LEVELS)
        out = pd.DataFrame(index=table.index)
        out["p_contested"] = pc_eff
        out["p_loss_if_contested"] = pl
        out["p_loss"] = pc_eff * pl
        out["share_mean"] = pc_eff * mean_c + (1 - pc_eff) * 1.0
        for target, col in ((0.1, "share_p10"), (0.5, "share_p50"), (0.9, "share_p90")):
            out[col] = _mixture_quantile(levels, qs, pc_eff, target)
        no_contest = settled & ~contested
        for target, col in zip((0.1, 0.5, 0.9), CONTESTED_SHARE_COLUMNS):   # levels of QUANTILE_LEVELS
            out[col] = np.where(no_contest, np.nan, qs[:, QUANTILE_LEVELS.index(target)])
        stage = getattr(self, "same_party_", None)
        if stage is not None:
            second = stage.predict(table, out["p_loss"].to_numpy())
            for col in second.columns:
                out[col] = second[col].to_numpy()
        else:       # a model fitted before the second target existed
            for col in ("p_same_party_november", "p_lose_general", "p_lose_seat_same_party"):
                out[col] = np.nan
        assert len(out) == n
        return out

    def predict_proba(self, table: pd.DataFrame) -> np.ndarray:
        """scikit-learn style: column 1 is P(loses the nomination)."""
        p = self.predict(table)["p_loss"].to_numpy()
        return np.column_stack([1 - p, p])

    # ---- persistence --------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Pickle the fitted model with its parameters in a JSON sidecar."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            pickle.dump(self, fh)
        meta = {"class": type(self).__name__, "name": self.name, "params": _jsonable(self.get_params())}
        path.with_suffix(path.suffix + ".json").write_text(json.dumps(meta, indent=2, sort_keys=True))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "PrimaryModel":
        """Load a model saved by :meth:`save`; refuse a model of another class."""
        with open(path, "rb") as fh:
            model = pickle.load(fh)
        if not isinstance(model, cls):
            raise TypeError(f"{path}: holds a {type(model).__name__}, not a {cls.__name__}")
        return model


def _bool_col(table: pd.DataFrame, col: str, default: bool) -> np.ndarray:
    if col not in table.columns:
        return np.full(len(table), default)
    return table[col].astype("boolean").fillna(default).to_numpy(dtype=bool)


def _jsonable(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        try:
            json.dumps(v)
            out[k] = v
        except TypeError:
            out[k] = repr(v)
    return out
