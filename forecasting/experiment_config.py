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
"""
from __future__ import annotations

from pathlib import Path

import yaml

from features.asof import MONEY_MODES, PRE_PRIMARY
from features.constants import BACKTEST_CYCLES
from features.errors import InputError
from forecasting.models.registry import MODELS

MODEL_KEYS = {"name", "model", "kwargs", "sample_kwargs", "random_seed", "backtest", "train", "description"}
COMPARISON_KEYS = {"name", "models", "backtest", "train", "description"}


def _read(path: Path) -> dict:
    if not path.exists():
        raise InputError(str(path), "config file not found")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(str(path), "a config must be a mapping")
    return data


def _backtest_settings(path: Path, data: dict) -> dict:
    bt = data.get("backtest") or {}
    if not isinstance(bt, dict):
        raise InputError(str(path), "must be a mapping", field="backtest")
    modes = list(bt.get("money_modes", MONEY_MODES))
    bad = [m for m in modes if m not in MONEY_MODES]
    if bad:
        raise InputError(str(path), f"unknown money mode(s) {bad}; known: {list(MONEY_MODES)}",
                         field="backtest.money_modes")
    try:
        cycles = [int(c) for c in bt.get("cycles", BACKTEST_CYCLES)]
    except (TypeError, ValueError) as exc:
        raise InputError(str(path), f"cycles must be integers: {exc}", field="backtest.cycles") from exc
    return {"money_modes": modes, "cycles": cycles, "as_of": str(bt.get("as_of", PRE_PRIMARY))}


def _model_spec(path: Path, data: dict, money_modes: list[str] | None = None) -> dict:
    unknown = set(data) - MODEL_KEYS
    if unknown:
        raise InputError(str(path), f"unknown key(s) {sorted(unknown)}; allowed: {sorted(MODEL_KEYS)}")
    model = data.get("model")
    if model not in MODELS:
        raise InputError(str(path), f"unknown model {model!r}; known: {sorted(MODELS)}", field="model")
    for key in ("kwargs", "sample_kwargs"):
        if not isinstance(data.get(key) or {}, dict):
            raise InputError(str(path), "must be a mapping", field=key)
    seed = data.get("random_seed")
    if seed is not None and not isinstance(seed, int):
        raise InputError(str(path), "must be an integer", field="random_seed")
    return {"name": str(data.get("name", model)), "model": model, "kwargs": dict(data.get("kwargs") or {}),
            "sample_kwargs": dict(data.get("sample_kwargs") or {}), "random_seed": seed,
            "money_modes": money_modes}


def load_config(path: str | Path) -> dict:
    """Read and validate an experiment config (see module docstring)."""
    path = Path(path)
    data = _read(path)
    train = data.get("train") or {}
    if train.get("money", "preprimary") not in ("preprimary", "none"):
        raise InputError(str(path), "train.money must be 'preprimary' or 'none' (year-end money leaks)",
                         field="train.money")
    train = {"money": train.get("money", "preprimary")}
    if "models" in data:
        unknown = set(data) - COMPARISON_KEYS
        if unknown:
            raise InputError(str(path), f"unknown key(s) {sorted(unknown)}; allowed: {sorted(COMPARISON_KEYS)}")
        specs = []
        for i, entry in enumerate(data["models"] or []):
            if isinstance(entry, str):
                entry = {"config": entry}
            if not isinstance(entry, dict) or "config" not in entry:
                raise InputError(str(path), "each entry is a config name or a mapping with 'config'",
                                 row=i + 1, field="models")
            ref = path.parent / (entry["config"] if str(entry["config"]).endswith(".yaml")
                                 else f"{entry['config']}.yaml")
            unknown = set(entry) - {"config", "money_modes", "kwargs", "sample_kwargs"}
            if unknown:
                raise InputError(str(path), f"unknown key(s) {sorted(unknown)} in a models entry",
                                 row=i + 1, field="models")
            modes = entry.get("money_modes")
            spec = _model_spec(ref, _read(ref), list(modes) if modes else None)
            for key in ("kwargs", "sample_kwargs"):          # comparison-specific overrides
                override = entry.get(key) or {}
                if not isinstance(override, dict):
                    raise InputError(str(path), "must be a mapping", row=i + 1, field=f"models.{key}")
                spec[key] = {**spec[key], **override}
            specs.append(spec)
        if not specs:
            raise InputError(str(path), "lists no models", field="models")
        names = [s["name"] for s in specs]
        if len(set(names)) != len(names):
            raise InputError(str(path), f"duplicate model names {names}", field="models")
        return {"name": str(data.get("name", path.stem)), "kind": "comparison", "models": specs,
                "backtest": _backtest_settings(path, data), "train": train, "path": str(path)}
    spec = _model_spec(path, data)
    return {"name": spec["name"], "kind": "model", "models": [spec],
            "backtest": _backtest_settings(path, data), "train": train, "path": str(path)}


def factory(spec: dict):
    """Zero-argument callable building a fresh model from a model spec."""
    from forecasting.models.registry import model_from_config

    def make():
        return model_from_config(spec["model"], spec["kwargs"], spec["sample_kwargs"], spec["random_seed"])
    return make
