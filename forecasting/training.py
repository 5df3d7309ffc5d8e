"""Fitting a model the way ``primary-forecast train`` does, for the live path and the notebooks
(which must not import the CLI's ``forecasting.commands``)."""
from __future__ import annotations

import time


def train_model(table, spec: dict, money: str = "preprimary", events_dir=None):
    """Fit the model of ``spec`` on the table's rows with outcomes, seen as of the day before each
    primary (the representation the backtest trains on).  Returns (model, view, seconds)."""
    from features.asof import assert_as_of
    from features.matrix import ALL_GROUPS, source_columns
    from forecasting.backtest import backtest_view
    from forecasting.experiment_config import factory

    view = backtest_view(table, money, events_dir=events_dir)
    view = view[view["lost"].notna()]
    assert_as_of(view, source_columns(ALL_GROUPS))
    model = factory(spec)()
    if spec.get("name") and spec["name"] != model.name:
        model.name = spec["name"]       # a config of its own (ensemble_bayes): snapshots and the site say so
    t0 = time.perf_counter()
    model.fit(view)
    return model, view, time.perf_counter() - t0
