"""Rolling-origin backtest: for each cycle, train on the earlier cycles, forecast it as of a date.

For every backtest cycle ``t``, horizon (``features.view.horizons``: December 31 of the year before the
election, the filing deadline, the day before the primary) and money mode, the central table is viewed
as of each row's date at that horizon (``features.view.asof.as_of_view``), the model is fitted on the view's
rows of cycles before ``t`` and forecasts the rows of ``t``.  Folds are independent and run in
parallel (joblib, or an existing Dask cluster).  The as-of rule
is asserted on every fold's training and test view, except in the ``yearend`` money mode, which is
the documented leak (year-end FEC totals include post-primary money) kept only to measure it.

Each test row is also forecast with the field hidden (``*_prefield`` columns: what the model says
before the filing deadline, through its P(contested) hurdle), so the hurdle's first part is scored
too.
"""
from __future__ import annotations

import sys

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from features.kernel.constants import BACKTEST_CYCLES
from features.view.asof import FIELD_COLUMNS, MONEY_MODES, PRE_PRIMARY, assert_as_of
from features.view.horizons import check_horizon, horizon_view, training_view, view_at
from features.view.matrix import ALL_GROUPS, source_columns
from forecasting.evaluation import metrics
from forecasting.models import targets
from forecasting.models.base import PrimaryModel
from forecasting.models.pairs import pairing_mask
from forecasting.models.registry import REFERENCE_MODELS

LEAKY_MONEY_MODES = ("yearend",)
ID_COLUMNS = ["cycle", "state", "district", "party", "incumbent"]


@dataclass
class BacktestResult:
    """Per-row forecasts of every fold, fold timings, and each model's last fitted fold."""

    predictions: pd.DataFrame
    timings: pd.DataFrame
    last_models: dict[tuple[str, str], PrimaryModel] = field(default_factory=dict)


def hide_field(view: pd.DataFrame) -> pd.DataFrame:
    """The same rows as before the filing deadline: field columns blank, ``field_known`` False."""
    out = view.copy()
    for col in FIELD_COLUMNS + ["top_challenger", "top_challenger_party"]:
        if col in out.columns:
            out[col] = pd.NA if not pd.api.types.is_float_dtype(out[col]) else np.nan
    out["field_known"] = pd.array([False] * len(out), dtype="boolean")
    return out


def backtest_view(table: pd.DataFrame, money: str, as_of=PRE_PRIMARY, events_dir=None) -> pd.DataFrame:
    """The table as of ``as_of`` in a money mode, for backtesting (``features.view.horizons.view_at``)."""
    return view_at(table, as_of, money, events_dir)


def fold_views(table: pd.DataFrame, cycle: int, money: str, as_of=PRE_PRIMARY,
               view: pd.DataFrame | None = None, events_dir=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training view (cycles before ``cycle``, known outcomes) and test view (``cycle``) of a fold.

    The as-of rule is asserted on both unless ``money`` is a leaky mode.
    """
    if view is None:
        view = backtest_view(table, money, as_of, events_dir)
    known = view["lost"].notna()
    train = view[(view["cycle"] < cycle) & known]
    test = view[(view["cycle"] == cycle) & known]
    if money not in LEAKY_MONEY_MODES:
        cols = source_columns(ALL_GROUPS)
        assert_as_of(train, cols)
        assert_as_of(test, cols)
    if len(train) and int(train["cycle"].max()) >= cycle:
        raise AssertionError(f"fold {cycle}: training rows from cycle {train['cycle'].max()}")
    return train, test


def run_backtest(table: pd.DataFrame, factories: dict[str, Callable[[], PrimaryModel]],
                 money_modes: Iterable[str] = MONEY_MODES, cycles: Iterable[int] = BACKTEST_CYCLES,
                 as_of=PRE_PRIMARY, model_modes: dict[str, Iterable[str]] | None = None,
                 progress: Callable[[str], None] | None = None, events_dir=None,
                 horizons: Iterable[str] = ("day_before",), n_jobs: int = 1,
                 dask_address: str | None = None) -> BacktestResult:
    """Run the rolling-origin backtest.

    Parameters
    ----------
    table : DataFrame
        The central table (all cycles; rows without an outcome are never trained on or scored).
    factories : dict
        Model name -> zero-argument callable returning a fresh unfitted model.  The reference models
        (``base_rate`` and the pairing-aware ``pair_base_rate``) are added if absent: every skill
        score needs them.
    money_modes : iterable of str
        Money modes of ``features.view.asof.as_of_view``.  The leaky ``yearend`` and the money-less
        ``none`` modes measure the money at the day before the primary only; the other horizons run
        in the pre-primary mode.
    cycles : iterable of int
        Cycles to forecast.
    as_of : str or date
        Forecast date rule of the ``day_before`` horizon (default: the day before each row's primary).
    model_modes : dict, optional
        Model name -> the money modes to run it in (default: all of ``money_modes``).
    progress : callable, optional
        Called with a one-line message after each fold.
    events_dir : path, optional
        Folder of the dated outside-spending / endorsement event tables (default data/processed).
    horizons : iterable of str
        ``features.view.horizons.HORIZONS`` to forecast at; each fold is fitted on that horizon's views of
        the earlier cycles (``features.view.horizons.training_view``) and scored on its view of the cycle.
    n_jobs : int
        Folds run in parallel through joblib (1: in this process).
    dask_address : str, optional
        Scheduler address of an existing Dask cluster: the folds run there (joblib's dask backend).
    """
    from forecasting.models.registry import make_model
    factories = dict(factories)
    missing = {ref: (lambda ref=ref: make_model(ref)) for ref in REFERENCE_MODELS if ref not in factories}
    factories = {**missing, **factories}
    money_modes, cycles = list(money_modes), [int(c) for c in cycles]
    last_cycle = max(cycles) if cycles else None
    tasks = []
    for horizon in horizons:
        check_horizon(horizon)
        modes = money_modes if horizon == "day_before" else [m for m in money_modes if m == "preprimary"]
        for money in modes:
            if horizon == "day_before":
                view = backtest_view(table, money, as_of, events_dir)
            else:
                view = horizon_view(table, horizon, money, events_dir)
            for cycle in cycles:
                train, test = fold_views(table, cycle, money, view=view)
                if train.empty or test.empty:
                    continue
                names = [n for n in factories
                         if not (model_modes and n in model_modes and money not in model_modes[n])]
                tasks.append(dict(horizon=horizon, money=money, cycle=cycle,
                                  train=training_view(table, train), test=test,
                                  truth=_truth(table.loc[test.index]),
                                  factories={n: factories[n] for n in names},
                                  keep_models=cycle == last_cycle))
    from tqdm.auto import tqdm

    # a bar over the folds (to standard error), the per-fold lines written above it
    bar = tqdm(total=len(tasks), desc="backtest", unit="fold", leave=True,
               disable=progress is None or not sys.stderr.isatty())
    if n_jobs == 1 and dask_address is None:
        results = []
        for task in tasks:
            results.append(_run_fold(**task))
            _report(progress, results[-1], bar)
    else:
        from joblib import Parallel, delayed, parallel_config

        backend = {"backend": "dask"} if dask_address else {"backend": "loky", "n_jobs": n_jobs}
        client = None
        if dask_address:
            from dask.distributed import Client
            client = Client(dask_address)
        try:
            with parallel_config(**backend):
                results = []
                for res in Parallel(return_as="generator")(delayed(_run_fold)(**t) for t in tasks):
                    results.append(res)
                    _report(progress, res, bar)
        finally:
            bar.close()
            if client is not None:
                client.close()
    preds = [p for r in results for p in r["preds"]]
    timings = [t for r in results for t in r["timings"]]
    last = {}
    for r in results:
        for (name, money, horizon), model in r["models"].items():
            if horizon == "day_before" or (name, money) not in last:
                last[(name, money)] = model
    predictions = pd.concat(preds, ignore_index=True) if preds else pd.DataFrame()
    return BacktestResult(predictions, pd.DataFrame(timings), last)


def _report(progress, result: dict, bar) -> None:
    """A finished fold: its lines to ``progress`` (above the bar on a terminal), one step of the bar."""
    if progress:
        for line in result["lines"]:
            if bar.disable:
                progress(line)
            else:
                bar.write(line, file=sys.stderr)
    bar.update(1)


def _run_fold(horizon: str, money: str, cycle: int, train: pd.DataFrame, test: pd.DataFrame,
              truth: pd.DataFrame, factories: dict, keep_models: bool) -> dict:
    """Fit every model on one fold's training view and forecast its test view (a joblib task)."""
    test_prefield = hide_field(test)
    truth = truth.copy()
    truth["pairing"] = pairing_mask(test)      # member-vs-member primary, field known
    fitted, preds, timings, models, lines = [], [], [], {}, []
    for name, factory in factories.items():
        model = factory()
        t0 = time.perf_counter()
        if hasattr(model, "fit_reusing"):       # an ensemble reuses members fitted in this fold
            model.fit_reusing(train, fitted)
        else:
            model.fit(train)
        fitted.append(model)
        t1 = time.perf_counter()
        pred = model.predict(test)
        t2 = time.perf_counter()
        pre = model.predict(test_prefield)
        out = truth.copy()
        out.insert(0, "horizon", horizon)
        out.insert(0, "money_mode", money)
        out.insert(0, "model", name)
        for col in pred.columns:
            out[col] = pred[col].to_numpy()
        out["p_contested_prefield"] = pre["p_contested"].to_numpy()
        out["p_loss_prefield"] = pre["p_loss"].to_numpy()
        preds.append(out)
        timings.append({"model": name, "money_mode": money, "horizon": horizon, "cycle": cycle,
                        "n_train": len(train), "n_test": len(test), "fit_seconds": t1 - t0,
                        "predict_seconds": t2 - t1, **_diagnostics(model)})
        if keep_models:
            models[(name, money, horizon)] = model
        lines.append(f"{name:>14} {horizon:>15} {money:>10} {cycle}: fit {t1 - t0:5.1f}s  "
                     f"brier {metrics.brier(out['y'], out['p_loss']):.4f}")
    return {"preds": preds, "timings": timings, "models": models, "lines": lines}


def _diagnostics(model: PrimaryModel) -> dict:
    """Numeric fit diagnostics a model records (Bayesian: R-hat, ESS, divergences), prefixed ``diag_``."""
    diag = getattr(model, "fit_diagnostics_", None) or {}
    out = {}
    for k, v in diag.items():
        if isinstance(v, (bool, np.bool_)):
            out[f"diag_{k}"] = float(v)
        elif isinstance(v, (int, float, np.integer, np.floating)):
            out[f"diag_{k}"] = float(v)
    return out


def _truth(test: pd.DataFrame) -> pd.DataFrame:
    """Identifiers and outcomes of the test rows, read from the table itself (for scoring only)."""
    out = test[[c for c in ID_COLUMNS if c in test.columns]].copy()
    out["row"] = test.index.to_numpy()
    out["y"] = targets.lost(test).astype(float).to_numpy()
    out["contested_true"] = targets.contested(test).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    share = targets.incumbent_share(test)
    out["share"] = share.where(targets.share_mask(test)).to_numpy()
    out["all_candidate"] = targets.all_candidate_primary(test).to_numpy()
    # the second target and its November facts (forecasting.evaluation.scoreboard_same_party)
    for col, name in (("lost_to_same_party", "y_same_party"), ("same_party_general", "same_party_general"),
                      ("lost_general", "lost_general")):
        if col in test.columns:
            out[name] = test[col].astype("boolean").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if "general_margin" in test.columns:
        out["general_margin"] = pd.to_numeric(test["general_margin"], errors="coerce").to_numpy()
        out["general_rival"] = test["general_rival"].to_numpy() if "general_rival" in test else None
    return out.reset_index(drop=True)
