"""Experiment configs (``experiments/*.yaml``): read, validate, normalise.

A model config::

    name: boosted                # run name in MLflow
    model: boosted               # a name in forecasting.models.registry.MODELS
    kwargs: {max_depth: 3}       # constructor arguments
    sample_kwargs: {}            # sampler settings (Bayesian models)
    random_seed: 20260101
    backtest: {money_modes: [preprimary, yearend, none], cycles: [2008, ..., 2024], as_of: pre-primary}
    train: {money: preprimary}

A comparison config lists models (names of model configs in the same folder, or mappings with
``config`` and optional ``money_modes``, ``kwargs`` and ``sample_kwargs`` overrides) and the
backtest settings::

    name: comparison
    models: [base_rate, logit, boosted,
             {config: bayes, money_modes: [preprimary, none], sample_kwargs: {draws: 500}}]
    backtest: {money_modes: [preprimary, yearend, none]}

Both normalise to ``{"name", "kind", "models": [model specs], "backtest": {...}, "train": {...},
"path"}``; a model spec is ``{"name", "model", "kwargs", "sample_kwargs", "random_seed",
"money_modes"}``.

Every file is validated by a pydantic model (``ModelConfig``, ``ComparisonConfig``, and
``ChampionSettings`` for ``champion.yaml``), read as strict YAML (duplicate keys refused): a bad
value is one :class:`features.kernel.errors.InputError` naming the file, the line and the field
(``backtest.money_modes``).  Unknown keys are refused, and named, down to the model's own settings
(``forecasting.models.settings``: ``kwargs.max_iters`` for a boosted model is refused at load, with
the keys it takes).  An ensemble's members take their settings from their own configs beside it
(``experiments/logit.yaml`` for the member ``logit``) unless ``member_kwargs`` gives them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import AfterValidator, BeforeValidator, Field, StrictInt

from features.kernel.constants import BACKTEST_CYCLES, TRAIN_CYCLES
from features.kernel.errors import InputError
from features.kernel.validation import StrictModel, Text, none_as, one_of, read_text, read_yaml, validate, yaml_line
from features.view.asof import MONEY_MODES, PRE_PRIMARY
from features.view.horizons import HORIZONS
from forecasting.models.registry import MODELS, sampler_arg
from forecasting.models.settings import check_model_settings, constructor_args


def _list_of(known, what: str, allow_empty: bool = True):
    """A validator of a list whose items are all among ``known``."""
    def check(value):
        if not isinstance(value, (list, tuple)) or (not value and not allow_empty):
            raise ValueError(f"must be a {'' if allow_empty else 'non-empty '}list of {what}s, got {value!r}")
        bad = [v for v in value if v not in known]
        if bad:
            raise ValueError(f"unknown {what}(s) {bad}; known: {list(known)}")
        return list(value)
    return check


def _train_money(value):
    if value not in ("preprimary", "none"):
        raise ValueError("train.money must be 'preprimary' or 'none' (year-end money leaks)")
    return value


MoneyModes = Annotated[list[str], BeforeValidator(_list_of(MONEY_MODES, "money mode"))]
Mapping = Annotated[dict[str, Any], none_as({})]
Note = Annotated[str, none_as("")]


def _cycles(value):
    if not value:
        raise ValueError("must list at least one cycle")
    bad = [c for c in value if c not in TRAIN_CYCLES]
    if bad:
        raise ValueError(f"cycle(s) {bad} have no outcomes to score; known: {list(TRAIN_CYCLES)}")
    if value[0] == TRAIN_CYCLES[0]:
        raise ValueError(f"{TRAIN_CYCLES[0]} has no earlier cycle to train on")
    return list(value)


#: a seed numpy takes: a whole number in [0, 2**32)
Seed = Annotated[StrictInt, Field(ge=0, lt=2 ** 32)]


class BacktestSettings(StrictModel):
    """``backtest``: money modes, cycles (rolling origin), horizons and the day-before as-of rule."""

    money_modes: MoneyModes = list(MONEY_MODES)
    cycles: Annotated[list[StrictInt], AfterValidator(_cycles)] = list(BACKTEST_CYCLES)
    as_of: Text = PRE_PRIMARY
    horizons: Annotated[list[str], BeforeValidator(_list_of(HORIZONS, "horizon", allow_empty=False))] = ["day_before"]


class TrainSettings(StrictModel):
    """``train``: the money the published model is trained with (never year-end: it leaks)."""

    money: Annotated[str, BeforeValidator(_train_money)] = "preprimary"
    #: the horizons whose views of past cycles the model is fitted on, one fit each (features.view.horizons;
    #: forecasting.models.by_horizon routes each row to its horizon's fit)
    horizons: Annotated[list[str], BeforeValidator(_list_of(HORIZONS, "horizon", allow_empty=False))] = ["day_before"]


class ModelConfig(StrictModel):
    """A model config (module docstring)."""

    name: Text | None = None
    model: one_of(sorted(MODELS), "model")
    description: Note = ""
    kwargs: Mapping = {}
    sample_kwargs: Mapping = {}
    random_seed: Seed | None = None
    backtest: Annotated[BacktestSettings, none_as({})] = BacktestSettings()
    train: Annotated[TrainSettings, none_as({})] = TrainSettings()


class ModelRef(StrictModel):
    """A ``models`` entry of a comparison: a model config's name and comparison-specific overrides."""

    config: Text
    money_modes: MoneyModes | None = None
    kwargs: Mapping = {}
    sample_kwargs: Mapping = {}


def _some_models(refs: list) -> list:
    if not refs:
        raise ValueError("lists no models")
    return refs


ModelRefItem = Annotated[ModelRef, BeforeValidator(lambda v: {"config": v} if isinstance(v, str) else v)]


class ComparisonConfig(StrictModel):
    """A comparison config: the models (configs in the same folder) and the backtest settings."""

    name: Text | None = None
    description: Note = ""
    models: Annotated[list[ModelRefItem], none_as([]), AfterValidator(_some_models)]
    backtest: Annotated[BacktestSettings, none_as({})] = BacktestSettings()
    train: Annotated[TrainSettings, none_as({})] = TrainSettings()


def _date_text(value) -> str:
    try:
        pd.Timestamp(str(value))
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    return str(value)


class ChampionSettings(StrictModel):
    """``experiments/champion.yaml``: the published model's config and the live forecast it makes."""

    config: Text
    cycle: StrictInt
    as_of: Annotated[str, BeforeValidator(_date_text)]


def _read(path: Path, model):
    """(validated config, YAML text) of a config file; one InputError naming file, line and field."""
    if not path.is_file():
        raise InputError(str(path), "config file not found")
    text = read_text(path)
    return validate(model, read_yaml(path, text), str(path), text, what="a config must be a mapping"), text


def _model_spec(config: ModelConfig, path: Path, money_modes: list[str] | None = None) -> dict:
    kwargs = dict(config.kwargs)
    if config.model == "ensemble":
        kwargs = _with_member_configs(path, kwargs)
    check_model_settings(path, config.model, kwargs, dict(config.sample_kwargs))
    return {"name": config.name or config.model, "model": config.model, "kwargs": kwargs,
            "sample_kwargs": dict(config.sample_kwargs), "random_seed": config.random_seed,
            "money_modes": money_modes}


def _with_member_configs(path: Path, kwargs: dict) -> dict:
    """An ensemble's kwargs with each member's settings read from the member's own config beside it
    (``experiments/<member>.yaml``: its ``kwargs``, and its ``sample_kwargs`` as the sampler's
    settings), unless ``member_kwargs`` gives them; a member without a config keeps its defaults."""
    members = kwargs.get("members", constructor_args("ensemble")["members"].default)
    given = kwargs.get("member_kwargs") or {}
    if not isinstance(members, (list, tuple)) or not isinstance(given, dict):
        return kwargs                                    # refused with its field by check_model_settings
    member_kwargs = dict(given)
    for member in members:
        ref = path.parent / f"{member}.yaml"
        if member in member_kwargs or not isinstance(member, str) or not ref.is_file():
            continue
        config = _read(ref, ModelConfig)[0]
        if config.model != member:
            raise InputError(str(ref), f"is a {config.model!r} model, not the ensemble member {member!r}",
                             field="model")
        settings = dict(config.kwargs)
        if config.sample_kwargs:
            target = sampler_arg(member)
            if target is None:
                raise InputError(str(ref), f"model {member!r} takes no sampler settings", field="sample_kwargs")
            settings[target] = {**dict(config.sample_kwargs), **(settings.get(target) or {})}
        member_kwargs[member] = settings
    return {**kwargs, "member_kwargs": member_kwargs}


def _settings(config) -> tuple[dict, dict]:
    bt = config.backtest
    return ({"money_modes": list(bt.money_modes), "cycles": list(bt.cycles), "as_of": bt.as_of,
             "horizons": list(bt.horizons)},
            {"money": config.train.money, "horizons": list(config.train.horizons)})


def load_config(path: str | Path) -> dict:
    """Read and validate an experiment config (see module docstring).  Unknown keys are refused."""
    path = Path(path)
    if path.is_file():
        doc = read_yaml(path)
        is_comparison = isinstance(doc, dict) and "models" in doc
    else:
        is_comparison = False
    if not is_comparison:
        config, _ = _read(path, ModelConfig)
        spec = _model_spec(config, path)
        backtest, train = _settings(config)
        return {"name": spec["name"], "kind": "model", "models": [spec], "backtest": backtest, "train": train,
                "path": str(path)}
    config, text = _read(path, ComparisonConfig)
    specs = []
    for i, entry in enumerate(config.models):
        ref = path.parent / (entry.config if entry.config.endswith(".yaml") else f"{entry.config}.yaml")
        if not ref.is_file():
            line = yaml_line(text, ("models", i))
            raise InputError(str(path), f"no model config {ref.name} beside it", field=f"models[{i}].config",
                             row=f"line {line}" if line else None)
        spec = _model_spec(_read(ref, ModelConfig)[0], ref, list(entry.money_modes) if entry.money_modes else None)
        for key in ("kwargs", "sample_kwargs"):          # comparison-specific overrides
            spec[key] = {**spec[key], **getattr(entry, key)}
        if entry.kwargs or entry.sample_kwargs:
            check_model_settings(path, spec["model"], spec["kwargs"], spec["sample_kwargs"],
                                 where=f"models[{i}].kwargs")
        specs.append(spec)
    names = [s["name"] for s in specs]
    if len(set(names)) != len(names):
        raise InputError(str(path), f"duplicate model names {names}", field="models")
    backtest, train = _settings(config)
    return {"name": config.name or path.stem, "kind": "comparison", "models": specs, "backtest": backtest,
            "train": train, "path": str(path)}


def load_champion(path: str | Path) -> dict:
    """Read and validate ``experiments/champion.yaml``: ``{"config", "cycle", "as_of"}``."""
    config, _ = _read(Path(path), ChampionSettings)
    return config.model_dump()


def factory(spec: dict):
    """Zero-argument callable building a fresh model from a model spec."""
    from forecasting.models.registry import model_from_config

    def make():
        return model_from_config(spec["model"], spec["kwargs"], spec["sample_kwargs"], spec["random_seed"])
    return make
