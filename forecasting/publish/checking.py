"""The "checking our work" page's data: skill tables by money mode and calibration, read from
``reports/backtest`` as ``primary-forecast backtest`` writes it.

- ``scoreboard.csv``: one row per (model, money_mode, cycle) and ``cycle = pooled``.  Every model
  is backtested in three money modes; the page labels each row's mode, lists the leak-free modes
  first and the year-end mode (FEC totals that include post-primary money: they leak the outcome)
  apart, under a warning.
- ``reliability.csv`` (``forecasting.evaluation.scoreboard.reliability``: ``model, money_mode, bin, lower,
  upper, n, mean_p, observed, events, band_low, band_high, in_band``): the calibration table and
  plot.  Without it, the same table is computed from ``predictions.csv.gz`` (``y``, ``p_loss``).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

#: money modes in display order: leak-free first, the leak last
MONEY_MODES = ("preprimary", "none", "yearend")
MONEY_LABELS = {"preprimary": "pre-primary FEC money", "none": "no money",
                "yearend": "year-end FEC totals (leak)"}
LEAKY_MODES = ("yearend",)
#: pooled-table columns, in order (``calibration`` is added from reliability.csv)
MAIN_COLUMNS = ["model", "money", "n", "n_lost", "brier", "brier_skill", "skill_ci", "skill_pair", "skill_nopair",
                "calibration", "auc", "log_loss", "recall_top10", "recall_top25", "share_mae", "share_cov80"]
#: interval columns (``forecasting.evaluation.scoreboard.HONEST_COLUMNS``) shown as one "low to high" cell
INTERVALS = {"skill_ci": ("brier_skill", "brier_skill_ci_low", "brier_skill_ci_high"),
             "skill_pair": ("brier_skill_pair", "brier_skill_pair_ci_low", "brier_skill_pair_ci_high"),
             "skill_nopair": ("brier_skill_nopair", None, None)}
#: scoreboard columns the page leaves out (diagnostics in scoreboard.md); any other new column is shown
HIDDEN_COLUMNS = {"money_mode", "n_share", "brier_ref", "brier_prefield", "brier_skill_prefield", "auc_prefield",
                  "brier_contested", "auc_contested", "fit_seconds", "brier_skill_ci_low", "brier_skill_ci_high",
                  "brier_ref_pair", "brier_skill_pair", "brier_skill_pair_ci_low", "brier_skill_pair_ci_high",
                  "n_pairing", "n_lost_pairing", "n_nopair", "n_lost_nopair", "brier_skill_nopair", "auc_nopair",
                  "recall_top25_nopair", "horizon", "expected_lost", "lost_p10", "lost_p90", "lost_covered80"}
COLUMN_LABELS = {"money": "money", "n": "races", "n_lost": "lost", "brier": "Brier", "brier_skill": "Brier skill",
                 "calibration": "calibration (bins in 90% range)", "auc": "AUC", "log_loss": "log loss",
                 "recall_top10": "recall top 10", "recall_top25": "recall top 25", "share_mae": "share MAE",
                 "share_cov80": "80% coverage", "skill_ci": "Brier skill 90% CI",
                 "skill_pair": "skill vs pairing-aware base rate (90% CI)",
                 "skill_nopair": "skill without member-vs-member rows"}
RELIABILITY_COLUMNS = ["model", "money_mode", "bin", "lower", "upper", "n", "mean_p", "observed", "events",
                       "band_low", "band_high", "in_band"]


def money_label(mode) -> str:
    if mode is None or (not isinstance(mode, str) and pd.isna(mode)) or mode == "":
        return "not recorded"
    return MONEY_LABELS.get(str(mode), str(mode))


def _mode_order(mode) -> int:
    return MONEY_MODES.index(mode) if mode in MONEY_MODES else len(MONEY_MODES)


def read_reliability(backtest_dir: Path) -> pd.DataFrame | None:
    """``reliability.csv``, else the reliability of ``predictions.csv.gz``; None if neither exists."""
    path = backtest_dir / "reliability.csv"
    if path.is_file():
        rel = pd.read_csv(path)
        missing = [c for c in RELIABILITY_COLUMNS if c not in rel.columns]
        if missing:
            from features.kernel.errors import InputError
            raise InputError(path, "reliability table lacks a column", field=missing[0])
        return rel
    from forecasting.evaluation.scoreboard import read_predictions, reliability
    df = read_predictions(backtest_dir)
    if df is not None:
        if {"model", "y", "p_loss"} <= set(df.columns):
            if "money_mode" not in df.columns:
                df["money_mode"] = ""
            return reliability(df)
    return None


def at_horizon(frame: pd.DataFrame | None, horizon: str | None) -> pd.DataFrame | None:
    """The rows of a scoreboard / reliability frame at ``horizon`` (all rows if ``horizon`` is None or
    the frame has no horizon column)."""
    if frame is None or horizon is None or "horizon" not in frame.columns:
        return frame
    return frame[frame["horizon"] == horizon]


def calibration_summary(rel: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """Per (model, money_mode): 'k of m bins in band' over the non-empty bins (one horizon's table)."""
    if rel is None:
        return {}
    out = {}
    for (model, mode), g in rel[rel["n"] > 0].groupby(["model", "money_mode"], sort=False, dropna=False):
        inside = g["in_band"].astype(str).str.lower().isin(["true", "1"]).sum()
        out[(str(model), "" if pd.isna(mode) else str(mode))] = f"{int(inside)} of {len(g)}"
    return out


def skill_tables(board: pd.DataFrame, rel: pd.DataFrame | None, horizon: str | None = None) -> dict:
    """The pooled tables (leak-free, leaky) and the per-cycle table at ``horizon`` (default: every row),
    as template-ready dicts."""
    board, rel = at_horizon(board, horizon), at_horizon(rel, horizon)
    sb = board.copy()
    sb["cycle"] = sb["cycle"].astype(str)
    if "money_mode" not in sb.columns:
        sb["money_mode"] = ""
    sb["money_mode"] = sb["money_mode"].fillna("").astype(str)
    sb["money"] = sb["money_mode"].map(money_label)
    calib = calibration_summary(rel)
    sb["calibration"] = [calib.get((m, mm), "") for m, mm in zip(sb["model"].astype(str), sb["money_mode"])]
    for name, (value, low, high) in INTERVALS.items():
        if value not in sb.columns:
            continue
        sb[name] = [_interval(v, lo, hi, with_value=name != "skill_ci") for v, lo, hi in zip(
            sb[value], sb[low] if low in sb.columns else [None] * len(sb),
            sb[high] if high in sb.columns else [None] * len(sb))]
        if low is None or low not in sb.columns:
            sb[name] = [None if v is None or pd.isna(v) else float(v) for v in sb[value]]
    extra = [c for c in board.columns if c not in HIDDEN_COLUMNS and c not in MAIN_COLUMNS and c != "cycle"]
    cols = [c for c in MAIN_COLUMNS if c in sb.columns] + extra
    if not calib:
        cols.remove("calibration")
    if "skill_ci" in cols and "brier_skill_ci_low" not in sb.columns:
        cols.remove("skill_ci")
    sb["_mode"] = sb["money_mode"].map(_mode_order)
    sb["leaky"] = sb["money_mode"].isin(LEAKY_MODES)
    pooled = sb[sb["cycle"] == "pooled"].sort_values(["_mode", "brier_skill", "model"],
                                                      ascending=[True, False, True], kind="stable")
    cycles = sb[sb["cycle"] != "pooled"].sort_values(["_mode", "model", "cycle"], kind="stable")

    def rows(df):
        return df.to_dict(orient="records")

    return {"columns": cols, "cycle_columns": ["cycle"] + cols,
            "pooled": rows(pooled[~pooled["leaky"]]), "leaky": rows(pooled[pooled["leaky"]]),
            "cycles": rows(cycles[~cycles["leaky"]]), "cycles_leaky": rows(cycles[cycles["leaky"]])}


def _interval(value, low, high, with_value: bool = True) -> str | None:
    """'0.189 (0.120 to 0.251)' / '0.120 to 0.251'; None when nothing is known."""
    def ok(v):
        return v is not None and not pd.isna(v)
    if not ok(value) and not (ok(low) and ok(high)):
        return None
    ci = f"{float(low):.3f} to {float(high):.3f}" if ok(low) and ok(high) else ""
    if not with_value:
        return ci or None
    head = f"{float(value):.3f}" if ok(value) else "–"
    return f"{head} ({ci})" if ci else head


def calibration_tables(rel: pd.DataFrame | None, first_model: str | None = None,
                       horizon: str | None = None) -> list[dict]:
    """One table per (model, leak-free money mode) at ``horizon``: the non-empty bins; ``first_model`` first."""
    rel = at_horizon(rel, horizon)
    if rel is None:
        return []
    r = rel.copy()
    r["money_mode"] = r["money_mode"].fillna("").astype(str)
    r = r[(r["n"] > 0) & ~r["money_mode"].isin(LEAKY_MODES)]
    out = []
    for (model, mode), g in r.groupby(["model", "money_mode"], sort=False):
        inside = g["in_band"].astype(str).str.lower().isin(["true", "1"])
        out.append({"model": str(model), "money_mode": mode, "money": money_label(mode),
                    "summary": f"{int(inside.sum())} of {len(g)}",
                    "rows": [{**rec, "in_band": bool(ib)} for rec, ib in zip(g.to_dict(orient="records"), inside)]})
    out.sort(key=lambda t: (_mode_order(t["money_mode"]), t["model"] != first_model))
    return out


def calibration_png(rel: pd.DataFrame, path: Path, mode: str = "preprimary", horizon: str | None = None,
                    highlight: str | None = None) -> Path | None:
    """A readable reliability diagram of one money mode at ``horizon``: every model, 90% bands, labelled
    axes; the forecasts sit mostly below 10%, so both axes are on a log scale; ``highlight`` (the
    published model) drawn heavier."""
    rel = at_horizon(rel, horizon)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = rel.copy()
    r["money_mode"] = r["money_mode"].fillna("").astype(str)
    if mode not in set(r["money_mode"]):
        mode = next((m for m in MONEY_MODES if m in set(r["money_mode"]) and m not in LEAKY_MODES),
                    r["money_mode"].iloc[0] if len(r) else mode)
    r = r[(r["money_mode"] == mode) & (r["n"] > 0)]
    if r.empty:
        return None
    models = list(dict.fromkeys(r["model"]))
    with plt.rc_context({"font.size": 13}):
        fig, ax = plt.subplots(figsize=(9, 7), dpi=110)
        lo, lim = 1e-3, 1.0
        ax.plot([lo, lim], [lo, lim], color="#888", lw=1.2, ls="--", label="perfectly calibrated")
        for i, model in enumerate(models):
            t = r[r["model"] == model]
            dx = 1 + (i - (len(models) - 1) / 2) * 0.03
            main = model == highlight
            ax.plot(t["mean_p"].clip(lower=lo) * dx, t["observed"].clip(lower=lo), "o-", ms=9 if main else 5,
                    lw=2.5 if main else 0.9, color=f"C{i}", alpha=1 if main else .6,
                    label=f"{model} (published)" if main else str(model), zorder=4 if main else 3)
            ax.vlines(t["mean_p"].clip(lower=lo) * dx, t["band_low"].clip(lower=lo), t["band_high"].clip(lower=lo),
                      color=f"C{i}", alpha=.3, lw=4)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(lo, lim)
        ax.set_ylim(lo, lim)
        pct = matplotlib.ticker.FuncFormatter(lambda v, _: f"{100 * v:g}%")
        ax.xaxis.set_major_formatter(pct)
        ax.yaxis.set_major_formatter(pct)
        ax.set_xlabel("forecast chance of losing renomination (mean of the bin, log scale)")
        ax.set_ylabel("share of those incumbents who lost (log scale; none lost: at 0.1%)")
        when = f", forecasts made at {horizon.replace('_', ' ')}" if horizon else ""
        ax.set_title(f"Backtest 2008-2024, {money_label(mode)}{when}\n"
                     "shaded bars: 90% range if the forecasts were calibrated", fontsize=13)
        ax.grid(alpha=.3)
        ax.legend(loc="upper left", fontsize=12)
        fig.tight_layout()
        fig.savefig(path, metadata={"Software": None})
        plt.close(fig)
    return path


#: pooled columns of the second target's table (``forecasting.evaluation.scoreboard_same_party``)
SECOND_TARGET_COLUMNS = ["model", "money", "n", "n_lost", "brier", "brier_skill", "auc", "recall_top10",
                         "recall_top25", "november_n", "november_n_lost", "november_brier_skill"]
SECOND_TARGET_LABELS = {"n_lost": "lost the seat to the same party", "november_n": "top-two races",
                        "november_n_lost": "lost there", "november_brier_skill": "Brier skill, top-two races"}
GENERALS_COLUMNS = ["cycle", "race", "incumbent", "general_rival", "result", "general_margin", "p_loss",
                    "p_lose_seat_same_party", "rank_in_cycle"]


def second_target_tables(backtest_dir: Path) -> dict | None:
    """The second target's backtest (lose the seat to the same party: the nomination, or a same-party
    November general): pooled rows per model and money mode, and every same-party November general
    with its forecast.  Read from ``scoreboard_same_party.csv`` / ``same_party_generals.csv`` in
    ``backtest_dir`` (the comparison backtest), else in its ``two_targets/`` folder
    (``benchmarks/bench_two_targets.py``); None when neither exists."""
    for folder in (backtest_dir, backtest_dir / "two_targets"):
        path = folder / "scoreboard_same_party.csv"
        if path.is_file():
            break
    else:
        return None
    board = pd.read_csv(path, dtype={"cycle": str})
    pooled = board[board["cycle"] == "pooled"].copy()
    if "money_mode" not in pooled.columns:
        pooled["money_mode"] = ""
    pooled = pooled[~pooled["money_mode"].isin(LEAKY_MODES)]        # the leak is measured on the first target
    pooled["money"] = pooled["money_mode"].map(money_label)
    pooled["leaky"] = False
    pooled["_order"] = pooled["money_mode"].map(_mode_order)
    pooled = pooled.sort_values(["_order", "brier_skill"], ascending=[True, False])
    columns = [c for c in SECOND_TARGET_COLUMNS if c in pooled.columns]
    rows = [{c: (None if not isinstance(v, str) and pd.isna(v) else v) for c, v in r.items()}
            for r in pooled.to_dict(orient="records")]
    generals = []
    gpath = path.parent / "same_party_generals.csv"
    if gpath.is_file():
        g = pd.read_csv(gpath)
        g["race"] = [f"{s}-{int(d)} ({p})" for s, d, p in zip(g["state"], g["district"], g["party"])]
        generals = [{c: (None if not isinstance(v, str) and pd.isna(v) else v) for c, v in r.items()}
                    for r in g.reindex(columns=GENERALS_COLUMNS).to_dict(orient="records")]
    return {"source": path.relative_to(backtest_dir).as_posix(), "columns": columns, "pooled": rows,
            "generals": generals}
