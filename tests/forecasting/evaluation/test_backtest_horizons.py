"""The horizon backtest: a fold per (horizon, cycle), each fitted on its horizon's views; folds in
parallel (joblib) or on a Dask cluster give the same numbers as in one process."""
from __future__ import annotations

import pandas as pd
import pytest

from forecasting.evaluation.backtest import run_backtest
from forecasting.evaluation.scoreboard import POOLED, scoreboard
from forecasting.models.registry import make_model
from tests.forecasting.model_fixtures import real_table

HORIZONS = ("year_end", "filing_deadline", "day_before")


def _run(**kw):
    table = real_table()
    return run_backtest(table, {"logit": lambda: make_model("logit")}, money_modes=["preprimary", "none"],
                        cycles=[2018], horizons=HORIZONS, **kw)


@pytest.fixture(scope="module")
def sequential():
    return _run()


def test_every_horizon_is_a_fold_of_its_own(sequential):
    pred = sequential.predictions
    assert set(pred["horizon"]) == set(HORIZONS)
    # the money-less mode is measured at the day before the primary only
    assert set(pred.loc[pred["money_mode"] == "none", "horizon"]) == {"day_before"}
    logit = pred[(pred["model"] == "logit") & (pred["money_mode"] == "preprimary")].set_index(
        ["horizon", "state", "district", "party"])
    # NY-14 2018 (Crowley): the ballot is unknown on 2017-12-31, so the hurdle is at work; it is known
    # at the filing deadline and the day before
    assert 0 < logit.loc[("year_end", "NY", 14, "D"), "p_contested"] < 1
    assert logit.loc[("day_before", "NY", 14, "D"), "p_contested"] == 1.0
    assert logit.loc[("filing_deadline", "NY", 14, "D"), "p_contested"] == 1.0
    t = sequential.timings
    assert set(t["horizon"]) == set(HORIZONS)


def test_scoreboard_has_a_row_per_horizon(sequential):
    board = scoreboard(sequential.predictions, sequential.timings)
    pooled = board[(board["cycle"] == POOLED) & (board["model"] == "logit") & (board["money_mode"] == "preprimary")]
    assert sorted(pooled["horizon"]) == sorted(HORIZONS)
    per = board[(board["cycle"] == "2018") & (board["model"] == "logit")]
    assert per["n_lost"].eq(4).all() and per["expected_lost"].gt(0).all()


def test_parallel_folds_give_the_same_numbers(sequential):
    parallel = _run(n_jobs=2)
    key = ["model", "money_mode", "horizon", "state", "district", "party"]
    a = sequential.predictions.sort_values(key).reset_index(drop=True)
    b = parallel.predictions.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_folds_run_on_a_dask_cluster(sequential):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = _run(dask_address=cluster.scheduler_address)
    key = ["model", "money_mode", "horizon", "state", "district", "party"]
    pd.testing.assert_frame_equal(sequential.predictions.sort_values(key).reset_index(drop=True),
                                  on_dask.predictions.sort_values(key).reset_index(drop=True))
