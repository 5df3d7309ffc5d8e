"""The model a live forecast uses: the registered champion (by alias), or an explicitly named model
fitted on every cycle with an outcome (an analyst's check, recorded as unregistered)."""
from __future__ import annotations

import hashlib
import json

import pandas as pd

from features.kernel.errors import InputError
from forecasting.tracking import CHAMPION


def load_live_model(alias: str = CHAMPION, model_name: str | None = None,
                    table: pd.DataFrame | None = None):
    """Return ``(model, model_version)``.

    Parameters
    ----------
    alias : registry alias of the published model (``forecasting.tracking.load_champion``).
    model_name : instead of the registry, fit that model (``experiments/<name>.yaml``) as
        ``primary-forecast train`` would (see :func:`fit_named_model`); its version is
        ``<name>-unregistered-<hash of the config and the training data>``, so re-running on the same data
        records the same version.
    table : the central table (needed with ``model_name``).
    """
    if model_name:
        return fit_named_model(model_name, table)
    try:
        from forecasting import tracking
    except ImportError:
        raise InputError("model registry", "forecasting.tracking is not available; pass --model NAME "
                                           "to fit a model instead", field="model_alias") from None
    try:
        info = tracking.champion_info(alias=alias)
    except Exception:
        info = None                                # no such alias: reported below
    try:
        model = tracking.load_champion(alias=alias)
        info = info or tracking.champion_info(alias=alias)
    except InputError:
        raise
    except Exception as exc:                       # registry empty, alias unknown, tracking store absent
        if info is not None:                       # registered, but its stored model cannot be read
            raise InputError("model registry", f"the model registered as @{alias} ({info.get('name')} version "
                                               f"{info.get('version')}, run {info.get('run_id')}) cannot be "
                                               f"loaded: its artifact is missing or damaged ({type(exc).__name__}: "
                                               f"{str(exc).splitlines()[0][:200]}); retrain it with `primary-forecast "
                                               "train --config experiments/champion.yaml --register` (or "
                                               "`run-all`)", field="model_alias") from None
        problem = tracking.store_problem(exc)
        if problem is not None:
            raise problem from None
        raise InputError("model registry", f"no model registered under alias {alias!r} "
                                           f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); run "
                                           "`primary-forecast train --register` or pass --model NAME",
                         field="model_alias") from None
    version = stable_version(model)
    model.registry_version_ = f"{info['name']}/{info['version']}"     # this machine's registry number
    model.model_version_ = version
    return model, version


def predates_second_target(model) -> bool:
    """True for a fitted model without the November stage (registered before the second target existed): its forecasts
    carry no P(lose the seat to the same party); ``primary-forecast train --register`` (``run-all``
    does it) replaces it."""
    return getattr(model, "same_party_", None) is None


def fit_named_model(model_name: str, table: pd.DataFrame):
    """Fit ``experiments/<name>.yaml`` (else the registry's default model ``name``) on every cycle with
    an outcome, seen as of the day before each primary with pre-primary money -- exactly as
    ``primary-forecast train`` does.  Returns ``(model, version)``."""
    from features.kernel.paths import EXPERIMENTS_DIR
    from forecasting.models.config import load_config
    from forecasting.models.training import train_model

    if table is None:
        raise ValueError("fitting a named model needs the central table")
    config_path = EXPERIMENTS_DIR / f"{model_name}.yaml"
    if config_path.is_file():
        config = load_config(config_path)
        spec, money, horizons = config["models"][0], config["train"]["money"], config["train"]["horizons"]
    else:
        from forecasting.models.registry import MODELS
        if model_name not in MODELS:
            raise InputError("model", f"unknown model {model_name!r}; known: {sorted(MODELS)}", field="model")
        spec = {"name": model_name, "model": model_name, "kwargs": {}, "sample_kwargs": {}, "random_seed": None}
        money, horizons = "preprimary", ("day_before",)
    model, view, _ = train_model(table, spec, money, horizons=horizons)
    digest = hashlib.sha256()
    digest.update(json.dumps([spec, list(horizons)], sort_keys=True, default=repr).encode())
    # the training view holds the table and the dated event tables as the model saw them
    digest.update(pd.util.hash_pandas_object(view.reset_index(drop=True), index=False).values.tobytes())
    version = f"{spec['name']}-unregistered-{digest.hexdigest()[:10]}"
    model.model_version_ = version
    return model, version


def stable_version(model) -> str:
    """The model's version as every machine names it: its name and the first 16 characters of its
    content hash (``ensemble_bayes#3f9c1a2b7d4e5f60``); registry numbers restart at 1 on each machine."""
    from forecasting.models.identity import model_content_hash

    return f"{getattr(model, 'name', type(model).__name__)}#{model_content_hash(model)[:16]}"
