"""Check a model's settings from a config file against what the model takes, at load time.

Every key of ``kwargs`` must be a constructor argument of the model; nested settings a model declares
(``NESTED_SETTINGS``: the Bayesian model's ``model_config`` and ``sampler_config``) must use their
known keys; ``sample_kwargs`` go to a sampler and use its keys; an ensemble's ``member_kwargs`` name
its members, and each member's settings are checked against that member.  A value of the wrong type
for a typed argument (``window: 'abc'``) and a sampler setting out of range (``draws: -5``) are refused
too.  Each problem is one :class:`features.kernel.errors.InputError` naming the file, the key
(``kwargs.member_kwargs.boosted.max_iters``) and the keys allowed there.
"""
from __future__ import annotations

import inspect
import math
import typing
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from features.kernel.errors import InputError
from forecasting.models.registry import SAMPLER_ARGS, model_class, sampler_arg

#: sampler settings that must be positive integers / a probability
_POSITIVE = ("draws", "tune", "chains", "cores", "predictive_reps")
#: sampler settings that name one of a few choices
_CHOICES = {"sampler": ("nutpie", "pymc"), "backend": ("numba", "jax")}
_PROBABILITY = ("target_accept",)


def constructor_args(name: str) -> dict[str, inspect.Parameter]:
    """The constructor arguments of registry model ``name`` (``self`` left out)."""
    params = inspect.signature(model_class(name).__init__).parameters
    return {k: p for k, p in params.items() if k != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


def _refuse(file, where: str, key: str, allowed) -> None:
    raise InputError(str(file), f"unknown setting {key!r}; allowed here: {', '.join(sorted(allowed)) or 'none'}",
                     field=f"{where}.{key}" if where else key)


def _check_value(file, field: str, value, hint) -> None:
    if hint is None or value is None:
        return
    try:
        TypeAdapter(hint).validate_python(value, strict=False)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        raise InputError(str(file), f"{value!r} is not valid here ({msg})", field=field) from None
    except Exception:        # a hint pydantic cannot use (a bare class, a forward reference): unchecked
        return


def _check_sampler(file, where: str, settings: dict, allowed) -> None:
    for key, value in settings.items():
        if allowed is not None and key not in allowed:
            _refuse(file, where, key, allowed)
        field = f"{where}.{key}"
        if key in _POSITIVE and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InputError(str(file), f"{value!r} must be a whole number of at least 1", field=field)
        if key in _PROBABILITY and (isinstance(value, bool) or not isinstance(value, (int, float))
                                    or not 0 < value < 1):
            raise InputError(str(file), f"{value!r} must be a probability between 0 and 1", field=field)
        if key == "random_seed" and (isinstance(value, bool) or not isinstance(value, int)
                                     or not 0 <= value < 2 ** 32):
            raise InputError(str(file), f"{value!r} must be a whole number in [0, 2**32)", field=field)
        if key in _CHOICES and value not in _CHOICES[key]:
            raise InputError(str(file), f"{value!r} is not one of {', '.join(_CHOICES[key])}", field=field)
        if key in _POSITIVE and value >= 2 ** 31:
            raise InputError(str(file), f"{value!r} is out of range", field=field)


def _check_range(file, field: str, key: str, value, default) -> None:
    """Seeds in [0, 2**32); a whole-number setting whose default is at least 1 (a window, a number of
    iterations, folds or leaves) at least 1; numbers finite and of a sane size."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(str(file), f"{value!r} is not a finite number", field=field)
    if abs(value) >= 2 ** 32:
        raise InputError(str(file), f"{value!r} is out of range (at most {2 ** 32 - 1})", field=field)
    if key in ("random_state", "random_seed") and (not isinstance(value, int) or value < 0):
        raise InputError(str(file), f"{value!r} must be a whole number of at least 0", field=field)
    if isinstance(default, int) and not isinstance(default, bool) and default >= 1 and value < 1:
        raise InputError(str(file), f"{value!r} must be at least 1", field=field)


def check_model_settings(file: str | Path, name: str, kwargs: dict, sample_kwargs: dict | None = None,
                         where: str = "kwargs") -> None:
    """Refuse settings that registry model ``name`` does not take (module docstring)."""
    cls = model_class(name)
    args = constructor_args(name)
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:
        hints = {}
    nested = getattr(cls, "NESTED_SETTINGS", {})
    for key, value in (kwargs or {}).items():
        if key not in args:
            _refuse(file, where, key, args)
        field = f"{where}.{key}"
        if key in nested and value is not None:
            if not isinstance(value, dict):
                raise InputError(str(file), f"must be a mapping, got {value!r}", field=field)
            if key in SAMPLER_ARGS:
                _check_sampler(file, field, value, nested[key])
            else:
                for sub in value:
                    if sub not in nested[key]:
                        _refuse(file, field, sub, nested[key])
            continue
        if key == "member_kwargs" and value is not None:
            check_member_settings(file, kwargs.get("members", args["members"].default), value, field)
            continue
        _check_value(file, field, value, hints.get(key))
        _check_range(file, field, key, value, args[key].default)
    if sample_kwargs:
        target = sampler_arg(name)
        if target is None:
            raise InputError(str(file), f"model {name!r} takes no sampler settings", field="sample_kwargs")
        _check_sampler(file, "sample_kwargs", sample_kwargs, nested.get(target))


def check_member_settings(file, members, member_kwargs: dict, where: str) -> None:
    """An ensemble's ``member_kwargs``: keys among its ``members``, each checked against that model."""
    if not isinstance(member_kwargs, dict):
        raise InputError(str(file), f"must be a mapping of member name to settings, got {member_kwargs!r}",
                         field=where)
    members = list(members or ())
    for member, settings in member_kwargs.items():
        if member not in members:
            _refuse(file, where, member, members)
        if settings is not None and not isinstance(settings, dict):
            raise InputError(str(file), f"must be a mapping, got {settings!r}", field=f"{where}.{member}")
        check_model_settings(file, member, settings or {}, None, where=f"{where}.{member}")
