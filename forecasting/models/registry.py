"""Models by name: the one place a backtest, a config or the CLI turns a name into a model.

The Bayesian model is imported lazily (PyMC is slow to import and the module may be absent).
"""
from __future__ import annotations

import importlib
import inspect

from forecasting.models.base import PrimaryModel

# name -> "module:Class"
MODELS: dict[str, str] = {
    "base_rate": "forecasting.models.baseline:BaseRateModel",
    # the reference that knows the member-vs-member rule (one of two sitting members must lose)
    "pair_base_rate": "forecasting.models.baseline:PairAwareBaseRateModel",
    "logit": "forecasting.models.logit:LogitModel",
    "boosted": "forecasting.models.boosted:BoostedModel",
    "bayes": "forecasting.models.bayes:BayesHurdleModel",
    # measured in the backtest to beat each of its members (reports/backtest/scoreboard.md)
    "ensemble": "forecasting.models.ensemble:EnsembleModel",
}
#: the reference every Brier skill score is computed against
REFERENCE_MODEL = "base_rate"
#: the pairing-aware reference (``brier_skill_pair`` in the scoreboard)
PAIR_REFERENCE_MODEL = "pair_base_rate"
#: reference models: scored, never candidates for the champion
REFERENCE_MODELS = (REFERENCE_MODEL, PAIR_REFERENCE_MODEL)


def model_class(name: str) -> type[PrimaryModel]:
    """The model class registered under ``name`` (imported on first use)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known: {sorted(MODELS)}")
    module, cls = MODELS[name].split(":")
    return getattr(importlib.import_module(module), cls)


def make_model(name: str, **kwargs) -> PrimaryModel:
    """A fresh, unfitted model ``name`` with constructor arguments ``kwargs``."""
    return model_class(name)(**kwargs)


#: constructor arguments that take a model's sampler settings (a config's ``sample_kwargs``)
SAMPLER_ARGS = ("sample_kwargs", "sampler_config")


def sampler_arg(name: str) -> str | None:
    """The constructor argument of registry model ``name`` that takes its sampler settings, or None."""
    params = inspect.signature(model_class(name).__init__).parameters
    return next((a for a in SAMPLER_ARGS if a in params), None)


def model_from_config(name: str, kwargs: dict | None = None, sample_kwargs: dict | None = None,
                      random_seed: int | None = None) -> PrimaryModel:
    """A model from an experiment config's ``model``, ``kwargs``, ``sample_kwargs``, ``random_seed``.

    ``sample_kwargs`` go to a ``sample_kwargs`` or ``sampler_config`` constructor argument (merged
    with any given in ``kwargs``); ``random_seed`` to ``random_state`` / ``random_seed`` where the
    constructor has one (a value already in ``kwargs`` wins).
    """
    cls = model_class(name)
    params = inspect.signature(cls.__init__).parameters
    kw = dict(kwargs or {})
    if sample_kwargs:
        target = sampler_arg(name)
        if target is None:
            raise ValueError(f"{name}: sample_kwargs given but {cls.__name__} takes no sampler settings")
        kw[target] = {**sample_kwargs, **(kw.get(target) or {})}
    if random_seed is not None:
        for target in ("random_state", "random_seed"):
            if target in params:
                kw.setdefault(target, random_seed)
                break
    return cls(**kw)
