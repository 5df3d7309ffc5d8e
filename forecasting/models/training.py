"""Fitting a model the way ``primary-forecast train`` does, for the live path and the notebooks
(which must not import the CLI's ``forecasting.cli``)."""
from __future__ import annotations

import time


def train_model(table, spec: dict, money: str = "preprimary", events_dir=None, horizons=("day_before",),
                progress: bool = False):
    """Fit the model of ``spec`` on the table's rows with outcomes, once per horizon, each time on that
    horizon's views of every cycle (``features.view.horizons.training_view``: what was known at that point of
    each past cycle; the representation the backtest trains on).  One horizon gives that model; several
    give a :class:`~forecasting.models.by_horizon.HorizonModel` routing each row to its horizon's model.

    With ``progress`` a progress bar on stderr counts the fits (one per horizon).

    Returns (model, view, seconds): ``view`` the last horizon's training view.
    """
    from tqdm.auto import tqdm

    from features.view.asof import assert_as_of
    from features.view.horizons import check_horizon, horizon_view, training_view
    from features.view.matrix import ALL_GROUPS, source_columns
    from forecasting.models.config import factory

    horizons = [check_horizon(h) for h in (horizons or ("day_before",))]
    fitted, seconds, view = {}, 0.0, None
    bar = tqdm(horizons, desc=f"fitting {spec.get('name') or spec['model']}", unit="fit", disable=not progress,
               leave=True)
    for horizon in bar:
        bar.set_postfix_str(f"horizon {horizon}")
        view = horizon_view(table, horizon, money, events_dir=events_dir)
        view = view[view["lost"].notna()]
        assert_as_of(view, source_columns(ALL_GROUPS))
        view = training_view(table, view)
        model = factory(spec)()
        if spec.get("name") and spec["name"] != model.name:
            model.name = spec["name"]       # a config of its own (ensemble_bayes): snapshots and the site say so
        t0 = time.perf_counter()
        model.fit(view)
        seconds += time.perf_counter() - t0
        fitted[horizon] = model
    if len(fitted) == 1:
        return next(iter(fitted.values())), view, seconds
    from forecasting.models.by_horizon import HorizonModel
    return HorizonModel(fitted, name=spec.get("name") or next(iter(fitted.values())).name), view, seconds
