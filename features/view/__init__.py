"""The view a model sees: the as-of rule (``asof``), horizons, the model matrix."""
