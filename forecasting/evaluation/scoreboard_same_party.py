"""The second target's scoreboard: P(lose the seat to the same party) in the rolling-origin backtest.

``lost_to_same_party`` = lost the nomination, or lost a same-party November general (top-two
states).  Scored like the first target (Brier, log loss, Brier skill against the base-rate model's
own second-target forecast in the same fold, AUC, recall of each cycle's top 10 / 25), over all rows
and over the rows where November decides (top-two / top-four states, ``november_*`` columns).
``same_party_generals`` lists every same-party November general the backtest scored, with the
forecast and the result: a near miss is a general the incumbent won by less than
``NEAR_MISS_MARGIN`` (CA-34 Gomez 2022, 51.2-48.8).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.evaluation import metrics
from forecasting.evaluation.scoreboard import POOLED, score_by_cycle
from forecasting.evaluation.tables import md_table
from forecasting.models.registry import REFERENCE_MODEL

P = "p_lose_seat_same_party"
Y = "y_same_party"
NEAR_MISS_MARGIN = 0.05
COLUMNS = ["model", "money_mode", "cycle", "n", "n_lost", "brier", "log_loss", "brier_skill", "auc",
           "recall_top10", "recall_top25", "november_n", "november_n_lost", "november_brier",
           "november_brier_skill", "november_auc", "n_same_party_generals"]


def _november(g: pd.DataFrame) -> np.ndarray:
    return (g["all_candidate"].astype(bool) & (g["state"] != "LA")).to_numpy()


def _score(g: pd.DataFrame) -> dict:
    y, p, ref = g[Y].to_numpy(float), g[P].to_numpy(float), g["p_ref"].to_numpy(float)
    cyc = g["cycle"].to_numpy()
    nov = _november(g)
    out = {"n": len(g), "n_lost": int(y.sum()), "brier": metrics.brier(y, p), "log_loss": metrics.log_loss(y, p),
           "brier_skill": metrics.brier_skill(y, p, ref), "auc": metrics.auc(y, p),
           "recall_top10": metrics.recall_top_k_by_group(y, p, cyc, 10),
           "recall_top25": metrics.recall_top_k_by_group(y, p, cyc, 25),
           "november_n": int(nov.sum()), "november_n_lost": int(y[nov].sum()),
           "november_brier": metrics.brier(y[nov], p[nov]),
           "november_brier_skill": metrics.brier_skill(y[nov], p[nov], ref[nov]),
           "november_auc": metrics.auc(y[nov], p[nov]),
           "n_same_party_generals": int(g["same_party_general"].fillna(0).sum())}
    return out


def _scored(predictions: pd.DataFrame) -> pd.DataFrame:
    pred = predictions[predictions[Y].notna() & predictions[P].notna()]
    ref = pred[pred["model"] == REFERENCE_MODEL][["money_mode", "row", P]].rename(columns={P: "p_ref"})
    out = pred.merge(ref, on=["money_mode", "row"], how="left")
    if out["p_ref"].isna().any():          # the base rate ignores money: borrow another mode's
        any_mode = ref.drop(columns="money_mode").drop_duplicates("row").set_index("row")["p_ref"]
        out["p_ref"] = out["p_ref"].fillna(out["row"].map(any_mode))
    return out


def scoreboard_same_party(predictions: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, money_mode, cycle) plus ``cycle = 'pooled'``, columns ``COLUMNS``."""
    if Y not in predictions.columns or P not in predictions.columns:
        return pd.DataFrame(columns=COLUMNS)
    return pd.DataFrame(score_by_cycle(_scored(predictions), _score), columns=COLUMNS)


def same_party_generals(predictions: pd.DataFrame, model: str, money: str = "preprimary") -> pd.DataFrame:
    """Every scored same-party November general of ``model``: forecast, result, margin, near miss."""
    g = predictions[(predictions["model"] == model) & (predictions["money_mode"] == money)
                    & (predictions.get("same_party_general", pd.Series(0.0, index=predictions.index)) == 1)]
    g = g.copy()
    g["rank_in_cycle"] = [int(r) for r in predictions[(predictions["model"] == model)
                                                      & (predictions["money_mode"] == money)]
                          .groupby("cycle")[P].rank(ascending=False, method="min").reindex(g.index)]
    g["result"] = np.where(g["lost_general"] == 1, "lost the seat",
                           np.where(g["general_margin"] < NEAR_MISS_MARGIN, "near miss (won)", "won"))
    cols = ["cycle", "state", "district", "party", "incumbent", "general_rival", "p_loss",
            "p_same_party_november", "p_lose_general", P, "rank_in_cycle", "general_margin", "result"]
    return g[[c for c in cols if c in g.columns]].sort_values(["cycle", "state", "district"]).reset_index(drop=True)


def best_model(board: pd.DataFrame, money: str = "preprimary") -> str | None:
    pooled = board[(board["cycle"] == POOLED) & (board["money_mode"] == money) & (board["model"] != REFERENCE_MODEL)]
    if pooled.empty or pooled["brier_skill"].isna().all():
        return None
    return str(pooled.sort_values("brier_skill", ascending=False)["model"].iloc[0])


def markdown(board: pd.DataFrame, generals: pd.DataFrame, model: str | None) -> str:

    pooled = board[board["cycle"] == POOLED]
    lines = ["# Backtest scoreboard, second target: lose the seat to the same party", "",
             "`lost_to_same_party` = lost the nomination, or lost a same-party November general (top-two "
             "states: Stark 2012, Berman 2012, Baca 2012, Richardson 2012, Honda 2016). The forecast is "
             "P(lose nomination) + P(advance with a same-party rival) x P(lose that general) "
             "(`forecasting/models/same_party.py`); same folds, same as-of dates as `scoreboard.md`. Brier "
             "skill is against the base-rate model's second-target forecast (its rates alone). `november_*`: "
             "only the rows of top-two / top-four states, where November decides.", "",
             "## Pooled, all backtest cycles", "",
             md_table(pooled.drop(columns=["cycle"]), {"brier": 4, "log_loss": 4, "november_brier": 4}), ""]
    per = board[(board["cycle"] != POOLED) & (board["money_mode"] == "preprimary")]
    if not per.empty:
        wide = per.pivot_table(index="cycle", columns="model", values="brier_skill", aggfunc="first")
        wide.insert(0, "n_lost", per.groupby("cycle")["n_lost"].first())
        lines += ["## Brier skill per cycle (pre-primary money)", "", md_table(wide.reset_index()), ""]
    if model and not generals.empty:
        lines += [f"## Every same-party November general with an incumbent ({model}, pre-primary money)", "",
                  f"Near miss: the incumbent won by less than {NEAR_MISS_MARGIN * 100:.0f} points of the vote. "
                  "`rank_in_cycle` ranks the second target among all incumbents that cycle.", "",
                  md_table(generals, {"general_margin": 3}), ""]
    return "\n".join(lines)


def write_same_party(predictions: pd.DataFrame, out_dir: Path) -> dict[str, Path]:
    """Write ``scoreboard_same_party.csv``, ``same_party_generals.csv`` and ``scoreboard_same_party.md``
    (the forecasts made the day before the primary, where the November stage is scored)."""
    from forecasting.evaluation.scoreboard import at_horizon

    out_dir = Path(out_dir)
    predictions = at_horizon(predictions, "day_before")
    board = scoreboard_same_party(predictions)
    if board.empty:
        return {}
    model = best_model(board) or REFERENCE_MODEL
    generals = same_party_generals(predictions, model)
    paths = {"scoreboard_same_party.csv": out_dir / "scoreboard_same_party.csv",
             "same_party_generals.csv": out_dir / "same_party_generals.csv",
             "scoreboard_same_party.md": out_dir / "scoreboard_same_party.md"}
    board.to_csv(paths["scoreboard_same_party.csv"], index=False, float_format="%.6g")
    generals.to_csv(paths["same_party_generals.csv"], index=False, float_format="%.5g")
    paths["scoreboard_same_party.md"].write_text(markdown(board, generals, model))
    return paths
