"""Write the backtest's reports: the scoreboards (all-party and same-party), reliability, timings, the
predictions, the headline table and the calibration plot."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecasting.evaluation.scoreboard import (
    PREDICTIONS_FILE,
    headline_table,
    markdown,
    nested_scoreboard,
    plot_calibration,
    reliability,
    scoreboard,
    write_predictions,
)
from forecasting.evaluation.scoreboard_same_party import write_same_party


def write_scoreboard(predictions: pd.DataFrame, timings: pd.DataFrame, out_dir: Path,
                     header: dict | None = None, ensembles: dict | None = None,
                     board: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write the scoreboard files; returns name -> path.

    ``ensembles``: ensemble model name -> its member names (for the headline's "beats each member"
    line; default the registry's ``ensemble`` of logit and boosted). ``board``: the scoreboard of
    ``predictions`` if the caller has it already (it takes minutes to compute)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    board = scoreboard(predictions, timings) if board is None else board
    rel = reliability(predictions)
    paths = {
        "scoreboard.csv": out_dir / "scoreboard.csv", "reliability.csv": out_dir / "reliability.csv",
        "timings.csv": out_dir / "timings.csv", PREDICTIONS_FILE: out_dir / PREDICTIONS_FILE,
        "scoreboard.md": out_dir / "scoreboard.md", "calibration.png": out_dir / "calibration.png",
    }
    paths["nested_champion.csv"] = out_dir / "nested_champion.csv"
    paths["headline.md"] = out_dir / "headline.md"
    if "horizon" in board.columns:
        paths["headline.md"].write_text(headline_table(board))
    nested = nested_scoreboard(predictions)
    nested.to_csv(paths["nested_champion.csv"], index=False, float_format="%.6g")
    board.to_csv(paths["scoreboard.csv"], index=False, float_format="%.6g")
    rel.to_csv(paths["reliability.csv"], index=False, float_format="%.6g")
    timings.to_csv(paths["timings.csv"], index=False, float_format="%.4g")
    write_predictions(predictions, paths[PREDICTIONS_FILE])
    paths["scoreboard.md"].write_text(markdown(board, rel, predictions, timings, header, nested=nested,
                                                     ensembles=ensembles))
    plot_calibration(rel, paths["calibration.png"])
    # the second target, P(lose the seat to the same party): its own scoreboard beside this one
    paths.update(write_same_party(predictions, out_dir))
    return paths
