"""Shared fixtures of the live-forecast tests (scoring, watchlist, snapshots, rescore, publish).

The tests run on the real central table (``data/processed/incumbent_primaries.csv``) and skip
cleanly when it has not been built.  ``ToyModel`` is a tiny, deterministic PrimaryModel whose
P(loss | contested) rises with insurgent endorsements, Trump opposition and challenger money, so
scoring, drivers and publishing can be tested in milliseconds without fitting a real model.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.kernel.paths import PROCESSED_DIR, WATCHLIST_DIR
from forecasting.models.base import QUANTILE_LEVELS, PrimaryModel

TABLE_CSV = PROCESSED_DIR / "incumbent_primaries.csv"
WATCHLIST_2026 = WATCHLIST_DIR / "2026.yaml"


class ToyModel(PrimaryModel):
    """Deterministic logistic toy: known endorsements/money move P(loss | contested)."""

    name = "toy"

    def __init__(self, intercept: float = -3.0):
        self.intercept = intercept

    def _fit(self, table: pd.DataFrame) -> None:
        self.p_contested_ = float(table["contested"].astype("boolean").astype("Float64").mean())

    def _predict_parts(self, table: pd.DataFrame) -> dict:
        def num(col):
            if col not in table.columns:
                return np.zeros(len(table))
            return pd.to_numeric(table[col], errors="coerce").astype(float).fillna(0.0).to_numpy()

        z = (self.intercept + 1.8 * num("end_insurgent_chal") + 1.2 * num("end_trump_against_inc")
             + 0.25 * np.log1p(num("chal_receipts")) / np.log(10) - 2.0 * num("pres_lean"))
        pl = 1 / (1 + np.exp(-z))
        n = len(table)
        center = 0.75 - 0.5 * pl
        offsets = np.array([-0.2, -0.15, -0.08, 0.0, 0.06, 0.1, 0.12])
        q = np.clip(center[:, None] + offsets[None, :], 0.01, 0.99)
        assert q.shape == (n, len(QUANTILE_LEVELS))
        pc = np.clip(self.p_contested_ + 0.3 * (num("chal_receipts") > 1e5), 0, 1)
        return {"p_contested": pc, "p_loss_if_contested": pl, "share_quantiles": q, "share_mean": center}


def real_table() -> pd.DataFrame:
    if not TABLE_CSV.is_file():
        pytest.skip("central table not built (data/processed/incumbent_primaries.csv)")
    from features.table.store import load_table
    return load_table(TABLE_CSV)


@pytest.fixture(scope="session")
def table() -> pd.DataFrame:
    return real_table()


@pytest.fixture(scope="session")
def toy_model(table) -> ToyModel:
    return ToyModel().fit(table)


@pytest.fixture(scope="session")
def watchlist(table):
    from features.evidence.watchlist import load_watchlist
    return load_watchlist(WATCHLIST_2026, table)
