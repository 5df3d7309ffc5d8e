"""How good is the forecast on the page: the backtest skill of forecasts made at the same horizon.

A forecast dated months before the primaries is scored against the backtest's forecasts made at the same
point of earlier cycles (``features.view.horizons``), never against the day-before-the-primary numbers.  This
module reads ``reports/backtest`` (``scoreboard.csv``, ``reliability.csv``, ``predictions.csv.gz``)
and gives the site's header and index what they show: the horizon's pooled skill, calibration and
defeat-count coverage, and the expected number of defeats this cycle with its 80% interval
(``forecasting.evaluation.defeat_counts``, the cycle effect learned from the backtest cycles at that horizon).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from features.view.horizons import HORIZON_LABELS


def published_horizon(latest: pd.DataFrame) -> str:
    """The horizon most of the shown forecasts are made at (``forecasting.models.by_horizon.row_horizons``)."""
    from forecasting.models.by_horizon import row_horizons

    if latest.empty:
        return "day_before"
    counts = Counter(row_horizons(latest))
    return max(("year_end", "filing_deadline", "day_before"), key=lambda h: counts.get(h, 0))


def _board(backtest_dir: Path) -> pd.DataFrame | None:
    path = Path(backtest_dir) / "scoreboard.csv"
    return pd.read_csv(path, dtype={"cycle": str}) if path.is_file() else None


def _scored_model(board: pd.DataFrame, model: str, horizon: str) -> str | None:
    """``model`` if the scoreboard scored it at ``horizon``, else the champion there."""
    from forecasting.evaluation.scoreboard import at_horizon, best_model

    at = at_horizon(board, horizon)
    if (at["model"] == model).any():
        return model
    return best_model(board, horizon=horizon) if len(at) else None


def skill_summary(backtest_dir: Path, model: str, horizon: str) -> dict | None:
    """Pooled backtest scores of ``model`` (or the horizon's champion) at ``horizon``, pre-primary money:
    skill against the base rate with its interval, AUC, recall of losers in each cycle's top 25, the
    calibration bins inside their 90% band and the cycles whose 80% defeat interval covered the count.
    None without a scoreboard at that horizon."""
    from forecasting.evaluation.scoreboard import POOLED, at_horizon

    board = _board(backtest_dir)
    if board is None or "horizon" not in board.columns:
        return None
    scored = _scored_model(board, model, horizon)
    if scored is None:
        return None
    rows = at_horizon(board, horizon)
    row = rows[(rows["model"] == scored) & (rows["money_mode"] == "preprimary") & (rows["cycle"] == POOLED)]
    if row.empty:
        return None
    r = row.iloc[0]
    per = rows[(rows["model"] == scored) & (rows["money_mode"] == "preprimary") & (rows["cycle"] != POOLED)]
    out = {"horizon": horizon, "label": HORIZON_LABELS[horizon], "model": scored,
           "same_model": scored == model, "brier_skill": float(r["brier_skill"]),
           "ci_low": float(r["brier_skill_ci_low"]), "ci_high": float(r["brier_skill_ci_high"]),
           "auc": float(r["auc"]), "recall_top25": float(r["recall_top25"]),
           "cycles": int(len(per)), "cycles_covered": int(per["lost_covered80"].astype(float).sum()),
           "first_cycle": str(per["cycle"].min()) if len(per) else "", "last_cycle": str(per["cycle"].max())
           if len(per) else "", "calibration": None}
    rel_path = Path(backtest_dir) / "reliability.csv"
    if rel_path.is_file():
        rel = at_horizon(pd.read_csv(rel_path), horizon)
        rel = rel[(rel["model"] == scored) & (rel["money_mode"] == "preprimary") & (rel["n"] > 0)]
        if len(rel):
            inside = rel["in_band"].astype(str).str.lower().isin(["true", "1"]).sum()
            out["calibration"] = f"{int(inside)} of {len(rel)}"
    return out


def defeat_interval(latest: pd.DataFrame, backtest_dir: Path, model: str, horizon: str) -> dict | None:
    """Expected number of defeats among the shown forecasts and its 80% interval, the cycle effect's
    scale learned from ``model``'s (or the horizon's champion's) backtest cycles at ``horizon``.  None
    without backtest predictions at that horizon."""
    from forecasting.evaluation import defeat_counts
    from forecasting.evaluation.scoreboard import read_predictions

    board = _board(backtest_dir)
    pred = read_predictions(Path(backtest_dir))
    if board is None or pred is None or "horizon" not in pred.columns:
        return None
    scored = _scored_model(board, model, horizon)
    history = defeat_counts.history_from_predictions(pred, scored, horizon) if scored else []
    if not history:
        return None
    p = pd.to_numeric(latest["p_loss"], errors="coerce").dropna().to_numpy(dtype=float)
    out = defeat_counts.live_count(p, history)
    out.update(model=scored, cycles=len(history), horizon=horizon)
    return out
