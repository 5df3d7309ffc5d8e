"""Choosing the champion: one rule for the published model and for the nested backtest score.

The rule: among the models scored in a money mode (pre-primary by default), reference models
excluded, the one with the highest Brier skill against the base rate pooled over the folds
available; ties go to the first name in alphabetical order.  ``register --best`` and
``scoreboard.best_model`` apply it to every backtest fold (the choice for 2026).  The nested score
applies it, for each backtest cycle, to the folds before that cycle only, so the model scored in a
fold was chosen without seeing it; a fold with no earlier fold (2008) gets the base rate, the
choice one makes with no evidence.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.registry import REFERENCE_MODEL, REFERENCE_MODELS

NESTED = "nested_champion"


def choose(skills: dict[str, float]) -> str | None:
    """The champion among ``skills`` (model -> pooled Brier skill); None if no candidate scored."""
    candidates = {m: s for m, s in skills.items()
                  if m not in REFERENCE_MODELS and m != NESTED and s is not None and np.isfinite(s)}
    if not candidates:
        return None
    return sorted(candidates, key=lambda m: (-candidates[m], m))[0]


def pooled_skills(predictions: pd.DataFrame, money: str = "preprimary", cycles=None) -> dict[str, float]:
    """Model -> Brier skill against the base rate pooled over the rows of ``cycles`` (all if None)."""
    g = predictions[predictions["money_mode"] == money]
    if cycles is not None:
        g = g[g["cycle"].astype(int).isin([int(c) for c in cycles])]
    key = ["cycle", "state", "district", "party", "incumbent"]
    ref = predictions[(predictions["model"] == REFERENCE_MODEL)].drop_duplicates(key)[key + ["p_loss"]]
    ref = ref.rename(columns={"p_loss": "p_ref"})
    g = g.merge(ref, on=key, how="left")
    out = {}
    for model, m in g.groupby("model", sort=False):
        y, p, r = (m[c].to_numpy(dtype=float) for c in ("y", "p_loss", "p_ref"))
        den = float(np.sum((r - y) ** 2))
        out[model] = 1 - float(np.sum((p - y) ** 2)) / den if den > 0 else float("nan")
    return out


def nested_choices(predictions: pd.DataFrame, money: str = "preprimary") -> pd.DataFrame:
    """Per backtest cycle: the champion chosen from the earlier folds only.

    Returns DataFrame[cycle, champion, prior_folds, prior_skill] (``prior_skill``: the champion's
    pooled skill over the earlier folds; NaN for the first fold, which gets the base rate).
    """
    cycles = sorted(int(c) for c in predictions.loc[predictions["money_mode"] == money, "cycle"].unique())
    rows = []
    for cycle in cycles:
        prior = [c for c in cycles if c < cycle]
        skills = pooled_skills(predictions, money, prior) if prior else {}
        pick = choose(skills)
        rows.append({"cycle": cycle, "champion": pick or REFERENCE_MODEL, "prior_folds": len(prior),
                     "prior_skill": skills.get(pick, float("nan")) if pick else float("nan")})
    return pd.DataFrame(rows)


def nested_predictions(predictions: pd.DataFrame, money: str = "preprimary",
                       choices: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of each cycle's nested champion, relabelled ``model = nested_champion``."""
    choices = nested_choices(predictions, money) if choices is None else choices
    parts = []
    for cycle, pick in zip(choices["cycle"], choices["champion"]):
        sel = ((predictions["money_mode"] == money) & (predictions["model"] == pick)
               & (predictions["cycle"].astype(int) == int(cycle)))
        parts.append(predictions[sel].assign(model=NESTED, chosen=pick))
    return pd.concat(parts, ignore_index=True) if parts else predictions.iloc[:0].assign(chosen="")
