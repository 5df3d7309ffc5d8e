"""A fitted model's identity: a content hash of its state, the same for the same config fitted on the
same data on any machine, and independent of where in the package its class is defined."""
from __future__ import annotations

import hashlib
import io
import pickle


class _LayoutFreePickler(pickle.Pickler):
    """Pickles the project's own classes by name only, so a model's identity does not depend on which
    module of this package defines its class (library classes keep their full path)."""

    def reducer_override(self, obj):
        if isinstance(obj, type) and obj.__module__.split(".")[0] in ("features", "forecasting"):
            return str, ("class " + obj.__qualname__,)
        return NotImplemented


def model_content_hash(model) -> str:
    """sha256 of the fitted model's pickled state (its registry name/version attributes left out, and
    what ``model.content_state()`` leaves out where a model has one): the same config fitted on the same
    data gives the same hash, whichever store registered it."""

    cached = getattr(model, "content_hash_", None)
    if cached:
        return cached
    # a model may say what identifies it (the Bayesian model: its draws, not its sampling time)
    state = model.content_state() if hasattr(model, "content_state") else dict(model.__dict__)
    for attr in ("model_version_", "version_", "content_hash_"):
        state.pop(attr, None)
    try:
        buf = io.BytesIO()
        _LayoutFreePickler(buf, protocol=4).dump((type(model).__qualname__, state))
        blob = buf.getvalue()
    except Exception:                               # an unpicklable model: fall back to its repr
        blob = repr((type(model).__qualname__, sorted(state))).encode()
    digest = hashlib.sha256(blob).hexdigest()
    try:
        model.content_hash_ = digest
    except AttributeError:
        pass
    return digest
