"""The backtest scoreboard: skill tables, reliability and timings, written under reports/backtest/.

``scoreboard(result)`` scores a ``forecasting.evaluation.backtest.BacktestResult`` per (model, money mode,
cycle) and pooled, with the reliability table, the Markdown report and the calibration plot
(``forecasting.evaluation.reports.write_scoreboard`` writes them); ``predictions.csv.gz`` holds every
scored row, gzip-compressed with a zero timestamp so that the same predictions give the same bytes
(``read_predictions`` reads it).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.evaluation import metrics
from forecasting.evaluation.tables import md_table
from forecasting.models.registry import PAIR_REFERENCE_MODEL, REFERENCE_MODEL, REFERENCE_MODELS

CONTRACT_COLUMNS = ["model", "cycle", "n", "n_lost", "brier", "log_loss", "brier_skill", "auc",
                    "recall_top10", "recall_top25", "share_mae", "share_cov80"]
EXTRA_COLUMNS = ["money_mode", "n_share", "brier_ref", "brier_prefield", "brier_skill_prefield",
                 "auc_prefield", "brier_contested", "auc_contested", "fit_seconds"]
# The honest-evaluation columns (README "Reading the scoreboard"); names are stable.
HONEST_COLUMNS = ["brier_skill_ci_low", "brier_skill_ci_high",
                  "brier_ref_pair", "brier_skill_pair", "brier_skill_pair_ci_low", "brier_skill_pair_ci_high",
                  "n_pairing", "n_lost_pairing", "n_nopair", "n_lost_nopair", "brier_skill_nopair",
                  "auc_nopair", "recall_top25_nopair"]
#: per cycle: the expected number of defeats, its 80% interval, whether the interval covers the actual
#: count (pooled: the share of cycles it covers)
COUNT_COLUMNS = ["expected_lost", "lost_p10", "lost_p90", "lost_covered80"]
POOLED = "pooled"
# reference model -> the columns its forecasts get in the scored frame
_REF_COLUMNS = {REFERENCE_MODEL: ("p_ref", "p_ref_prefield"),
                PAIR_REFERENCE_MODEL: ("p_ref_pair", "p_ref_pair_prefield")}
ROW_KEY = ["cycle", "state", "district", "party", "incumbent"]
# every scored row of a backtest, gzip-compressed (the plain CSV was 7 MB in the repository)
PREDICTIONS_FILE = "predictions.csv.gz"
PREDICTION_COLUMNS = ["model", "money_mode", "horizon", "cycle", "state", "district", "party", "incumbent", "y", "pairing",
                      "contested_true", "share", "p_contested", "p_loss_if_contested", "p_loss",
                      "share_mean", "share_p10", "share_p50", "share_p90", "p_contested_prefield",
                      "p_loss_prefield", "y_same_party", "p_same_party_november", "p_lose_general",
                      "p_lose_seat_same_party"]


def write_predictions(predictions: pd.DataFrame, path: Path) -> Path:
    """Write the scored rows (``PREDICTION_COLUMNS`` present in ``predictions``) as gzip-compressed CSV.

    The gzip header carries no file name and a zero timestamp, so the same frame gives the same bytes.
    """
    cols = [c for c in PREDICTION_COLUMNS if c in predictions.columns]
    text = predictions[cols].to_csv(index=False, float_format="%.5g", lineterminator="\n")
    Path(path).write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return Path(path)


def predictions_path(backtest_dir: Path) -> Path | None:
    """The predictions file of a backtest folder (``predictions.csv.gz``, else an older plain
    ``predictions.csv``); None if neither exists."""
    for name in (PREDICTIONS_FILE, "predictions.csv"):
        path = Path(backtest_dir) / name
        if path.is_file():
            return path
    return None


def read_predictions(backtest_dir: Path) -> pd.DataFrame | None:
    """The scored rows a backtest wrote to ``backtest_dir``; None if it holds no predictions file."""
    path = predictions_path(backtest_dir)
    return None if path is None else pd.read_csv(path, low_memory=False)


def _row_key(pred: pd.DataFrame) -> list[str]:
    """Columns identifying a scored row: the table position ``row`` in a fresh backtest, the
    contest key in a ``predictions.csv`` read back from disk."""
    return ["row"] if "row" in pred.columns else ROW_KEY


def _with_reference(pred: pd.DataFrame) -> pd.DataFrame:
    """``pred`` with each reference's forecast of the same row and money mode (``p_ref``,
    ``p_ref_pair`` and their ``_prefield``); another mode's where a mode lacks one (the references
    ignore money).  A reference absent from ``pred`` gives NaN columns."""
    key = _row_key(pred)
    out = pred
    for model, (col, col_pre) in _REF_COLUMNS.items():
        ref = pred[pred["model"] == model][["money_mode", *key, "p_loss", "p_loss_prefield"]]
        ref = ref.rename(columns={"p_loss": col, "p_loss_prefield": col_pre})
        out = out.merge(ref, on=["money_mode", *key], how="left")
        if out[col].isna().any() and len(ref):
            any_mode = ref.drop(columns="money_mode").drop_duplicates(key)
            fill = out[key].merge(any_mode, on=key, how="left")
            for c in (col, col_pre):
                out[c] = out[c].fillna(pd.Series(fill[c].to_numpy(), index=out.index))
    return out


def _pairing(g: pd.DataFrame) -> np.ndarray | None:
    if "pairing" not in g.columns:
        return None
    return g["pairing"].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _score_group(g: pd.DataFrame) -> dict:
    out = metrics.score(g, p_ref=g["p_ref"].to_numpy())
    y = g["y"].to_numpy()
    out["brier_ref"] = metrics.brier(y, g["p_ref"])
    out["brier_prefield"] = metrics.brier(y, g["p_loss_prefield"])
    out["brier_skill_prefield"] = metrics.brier_skill(y, g["p_loss_prefield"], g["p_ref_prefield"])
    out["auc_prefield"] = metrics.auc(y, g["p_loss_prefield"])
    c = g[g["contested_true"].notna()]
    out["brier_contested"] = metrics.brier(c["contested_true"], c["p_contested_prefield"])
    out["auc_contested"] = metrics.auc(c["contested_true"], c["p_contested_prefield"])
    out.update(_honest_scores(g))
    return out


def _honest_scores(g: pd.DataFrame) -> dict:
    """Skill against the pairing-aware reference, on rows without pairings, and bootstrap intervals."""
    y, p = g["y"].to_numpy(dtype=float), g["p_loss"].to_numpy(dtype=float)
    clusters = metrics.cluster_ids(g)
    out = dict.fromkeys(HONEST_COLUMNS, float("nan"))
    out["brier_skill_ci_low"], out["brier_skill_ci_high"] = metrics.brier_skill_interval(
        y, p, g["p_ref"], clusters)
    ref_pair = g["p_ref_pair"].to_numpy(dtype=float)
    if not np.isnan(ref_pair).any():
        out["brier_ref_pair"] = metrics.brier(y, ref_pair)
        out["brier_skill_pair"] = metrics.brier_skill(y, p, ref_pair)
        out["brier_skill_pair_ci_low"], out["brier_skill_pair_ci_high"] = metrics.brier_skill_interval(
            y, p, ref_pair, clusters)
    pairing = _pairing(g)
    if pairing is not None:
        rest = ~pairing
        out["n_pairing"], out["n_lost_pairing"] = int(pairing.sum()), int(y[pairing].sum())
        out["n_nopair"], out["n_lost_nopair"] = int(rest.sum()), int(y[rest].sum())
        if not np.isnan(ref_pair).any():
            out["brier_skill_nopair"] = metrics.brier_skill(y[rest], p[rest], ref_pair[rest])
        out["auc_nopair"] = metrics.auc(y[rest], p[rest])
        # each cycle's top 25 of the whole list, counting only the losers outside pairings
        out["recall_top25_nopair"] = metrics.recall_top_k_by_group(y * rest, p, g["cycle"].to_numpy(), 25)
    return out


def score_by_cycle(pred: pd.DataFrame, score) -> list[dict]:
    """``score(rows)`` for each (model, money_mode, cycle), then ``cycle = 'pooled'`` per (model, money_mode)."""
    rows = []
    for (model, money), g in pred.groupby(["model", "money_mode"], sort=False):
        for cycle, gc in g.groupby("cycle"):
            rows.append({"model": model, "money_mode": money, "cycle": str(int(cycle)), **score(gc)})
        rows.append({"model": model, "money_mode": money, "cycle": POOLED, **score(g)})
    return rows


def horizons_of(frame: pd.DataFrame) -> list[str]:
    """The horizons a predictions / scoreboard frame holds, in ``features.view.horizons.HORIZONS`` order
    (a frame without a ``horizon`` column is the day before the primary)."""
    from features.view.horizons import HORIZONS
    if "horizon" not in frame.columns:
        return ["day_before"]
    present = set(frame["horizon"].dropna())
    return [h for h in HORIZONS if h in present]


def at_horizon(frame: pd.DataFrame, horizon: str = "day_before") -> pd.DataFrame:
    """The rows of a predictions / scoreboard / reliability frame at ``horizon``."""
    if "horizon" not in frame.columns:
        return frame if horizon == "day_before" else frame.iloc[0:0]
    return frame[frame["horizon"] == horizon]


def scoreboard(predictions: pd.DataFrame, timings: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (horizon, model, money_mode, cycle) plus ``cycle = 'pooled'`` per (horizon, model,
    money_mode); per cycle the expected number of defeats and its 80% interval
    (``forecasting.evaluation.defeat_counts``), pooled the share of cycles whose interval covers the count."""
    parts = []
    for horizon in horizons_of(predictions):
        pred = at_horizon(predictions, horizon)
        board = pd.DataFrame(score_by_cycle(_with_reference(pred), _score_group))
        board["fit_seconds"] = np.nan
        t = at_horizon(timings, horizon) if timings is not None and len(timings) else None
        if t is not None and len(t):
            t = t.assign(cycle=t["cycle"].astype(int).astype(str))
            per = t.set_index(["model", "money_mode", "cycle"])["fit_seconds"]
            tot = t.groupby(["model", "money_mode"])["fit_seconds"].sum()
            board["fit_seconds"] = [
                tot.get((m, mm), np.nan) if c == POOLED else per.get((m, mm, c), np.nan)
                for m, mm, c in zip(board["model"], board["money_mode"], board["cycle"])]
        board = board.merge(_count_columns(pred), on=["model", "money_mode", "cycle"], how="left")
        board.insert(0, "horizon", horizon)
        parts.append(board)
    board = pd.concat(parts, ignore_index=True)
    return board[["horizon"] + CONTRACT_COLUMNS + EXTRA_COLUMNS + COUNT_COLUMNS + HONEST_COLUMNS]


def _count_columns(pred: pd.DataFrame) -> pd.DataFrame:
    """``COUNT_COLUMNS`` per (model, money_mode, cycle) and pooled."""
    from forecasting.evaluation import defeat_counts

    rows = []
    for (model, money), g in pred.groupby(["model", "money_mode"], sort=False):
        counts = defeat_counts.cycle_counts(g)
        for r in counts.itertuples():
            rows.append({"model": model, "money_mode": money, "cycle": str(r.cycle),
                         "expected_lost": r.expected_lost, "lost_p10": r.lost_p10, "lost_p90": r.lost_p90,
                         "lost_covered80": float(r.covered80)})
        rows.append({"model": model, "money_mode": money, "cycle": POOLED,
                     "expected_lost": float(counts["expected_lost"].sum()), "lost_p10": np.nan,
                     "lost_p90": np.nan, "lost_covered80": float(counts["covered80"].mean())})
    return pd.DataFrame(rows, columns=["model", "money_mode", "cycle", *COUNT_COLUMNS])


def reliability(predictions: pd.DataFrame) -> pd.DataFrame:
    """Pooled reliability table per (horizon, model, money_mode), in ``metrics.LOW_END_EDGES`` bins."""
    parts = []
    for horizon in horizons_of(predictions):
        for (model, money), g in at_horizon(predictions, horizon).groupby(["model", "money_mode"], sort=False):
            tab = metrics.reliability_table(g["y"], g["p_loss"], edges=metrics.LOW_END_EDGES)
            tab.insert(0, "money_mode", money)
            tab.insert(0, "model", model)
            tab.insert(0, "horizon", horizon)
            parts.append(tab)
    return pd.concat(parts, ignore_index=True)


def plot_calibration(rel: pd.DataFrame, path: Path) -> Path:
    """Reliability diagram per money mode: observed vs forecast rate, with 90% binomial bands."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if "horizon" not in rel.columns:
        rel = rel.assign(horizon="day_before")
    panels = list(dict.fromkeys(zip(rel["horizon"], rel["money_mode"])))
    models = list(dict.fromkeys(rel["model"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 5), squeeze=False)
    for ax, (horizon, mode) in zip(axes[0], panels):
        ax.plot([1e-3, 1], [1e-3, 1], color="grey", lw=1, ls="--", label="perfect calibration")
        for i, model in enumerate(models):
            t = rel[(rel["model"] == model) & (rel["money_mode"] == mode) & (rel["horizon"] == horizon)
                    & (rel["n"] > 0)]
            if t.empty:
                continue
            x = t["mean_p"].clip(lower=1e-3).to_numpy() * (1 + (i - len(models) / 2) * 0.03)
            ax.vlines(x, t["band_low"].clip(lower=1e-3), t["band_high"].clip(lower=1e-3), alpha=0.25,
                      color=f"C{i}", lw=3)
            obs = t["observed"].clip(lower=1e-3)
            ax.scatter(x, obs, s=12 + 60 * np.sqrt(t["n"] / t["n"].max()), color=f"C{i}", label=model, zorder=3)
            ax.plot(x, obs, color=f"C{i}", lw=0.8)
        ax.set_title(f"{horizon}, money: {mode}")
        ax.set_xlabel("forecast P(loses renomination), bin mean")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(1e-3, 1)
        ax.set_ylim(1e-3, 1)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("observed loss rate (bars: 90% band if calibrated)")
    axes[0][-1].legend(loc="upper left", fontsize=8)
    fig.suptitle("Backtest 2008-2024 by horizon: reliability (bins spread at the low end, pooled)")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def weak_spots(predictions: pd.DataFrame, model: str, money: str = "preprimary", k: int = 25,
               horizon: str | None = "day_before") -> pd.DataFrame:
    """Actual losers and each one's risk rank within its cycle under ``model`` (rank > k: missed)."""
    g = predictions[(predictions["model"] == model) & (predictions["money_mode"] == money)].copy()
    if "horizon" in g.columns:
        g = g[g["horizon"] == pick_horizon(g, horizon)]
    g["rank"] = g.groupby("cycle")["p_loss"].rank(ascending=False, method="min").astype(int)
    losers = g[g["y"] == 1].sort_values(["cycle", "rank"])
    return losers[["cycle", "state", "district", "party", "incumbent", "p_loss", "rank"]].reset_index(drop=True)


#: the horizon of the forecast the site publishes (the live forecast is dated December 31 of the year
#: before the election): the champion is chosen, and the site's skill is quoted, at this horizon
PUBLISHED_HORIZON = "year_end"


def pick_horizon(frame: pd.DataFrame, horizon: str | None = None) -> str:
    """``horizon`` (default ``PUBLISHED_HORIZON``) if ``frame`` holds it, else its last horizon."""
    present = horizons_of(frame)
    want = horizon or PUBLISHED_HORIZON
    return want if want in present else (present[-1] if present else "day_before")


def best_model(board: pd.DataFrame, money: str = "preprimary", horizon: str | None = None) -> str | None:
    """The champion by ``forecasting.evaluation.champion.choose``: highest pooled Brier skill in a (non-leaky)
    money mode at ``horizon`` (default the published one, ``pick_horizon``), reference models excluded
    (the same rule the nested score applies fold by fold)."""
    from forecasting.evaluation.champion import choose

    board = at_horizon(board, pick_horizon(board, horizon))
    pooled = board[(board["cycle"] == POOLED) & (board["money_mode"] == money)]
    return choose(dict(zip(pooled["model"], pooled["brier_skill"].astype(float))))


NESTED_COLUMNS = ["model", "money_mode", "cycle", "chosen", "prior_folds", "prior_skill", "n", "n_lost",
                  "brier", "brier_skill", "brier_skill_ci_low", "brier_skill_ci_high", "brier_skill_pair",
                  "brier_skill_pair_ci_low", "brier_skill_pair_ci_high", "brier_skill_nopair", "auc",
                  "recall_top10", "recall_top25"]


def nested_scoreboard(predictions: pd.DataFrame, money: str = "preprimary") -> pd.DataFrame:
    """Scores of the nested champion (``forecasting.evaluation.champion``) at every horizon: per cycle the model
    chosen from the earlier folds only, and pooled over the cycles (``nested_champion.csv``)."""
    parts = []
    for horizon in horizons_of(predictions):
        part = _nested_at(at_horizon(predictions, horizon), money)
        part.insert(0, "horizon", horizon)
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["horizon", *NESTED_COLUMNS])


def _nested_at(predictions: pd.DataFrame, money: str) -> pd.DataFrame:
    from forecasting.evaluation.champion import NESTED, nested_choices, nested_predictions

    if predictions.empty or not (predictions["money_mode"] == money).any():
        return pd.DataFrame(columns=NESTED_COLUMNS)
    choices = nested_choices(predictions, money)
    nested = nested_predictions(predictions, money, choices)
    refs = predictions[predictions["model"].isin(REFERENCE_MODELS)]
    scored = _with_reference(pd.concat([refs, nested], ignore_index=True))
    scored = scored[scored["model"] == NESTED]
    rows = []
    for cycle, g in scored.groupby("cycle"):
        c = choices[choices["cycle"] == int(cycle)].iloc[0]
        rows.append({"cycle": str(int(cycle)), "chosen": c["champion"], "prior_folds": int(c["prior_folds"]),
                     "prior_skill": c["prior_skill"], **_score_group(g)})
    picks = choices["champion"].value_counts()
    rows.append({"cycle": POOLED, "chosen": ", ".join(f"{m} x{n}" for m, n in picks.items()),
                 "prior_folds": np.nan, "prior_skill": np.nan, **_score_group(scored)})
    out = pd.DataFrame(rows)
    out.insert(0, "money_mode", money)
    out.insert(0, "model", NESTED)
    return out[NESTED_COLUMNS]


#: the skill targets (pooled, pre-primary money): Brier skill against the base rate, against the
#: pairing-aware reference, recall of losers in each cycle's top 25 (also read by benchmarks/targets.py)
TARGETS = {"brier_skill": 0.30, "brier_skill_pair": 0.20, "recall_top25": 0.75}


def _target_text(row: pd.Series, metric: str) -> str:
    v = float(row[metric])
    ci = (f" [{row[metric + '_ci_low']:.3f}, {row[metric + '_ci_high']:.3f}]"
          if metric + "_ci_low" in row.index and pd.notna(row[metric + "_ci_low"]) else "")
    verdict = "met" if v >= TARGETS[metric] else "**not met**"
    return f"{v:.3f}{ci} (target {TARGETS[metric]:.2f}: {verdict})"


def _ensembles(ensembles: dict | None) -> dict:
    """Ensemble name -> member names (default: the registry's ``ensemble`` with its default members)."""
    if ensembles is not None:
        return dict(ensembles)
    from forecasting.models.ensemble import EnsembleModel
    return {"ensemble": list(EnsembleModel().members)}


def headline(board: pd.DataFrame, rel: pd.DataFrame, nested: pd.DataFrame | None = None,
             ensembles: dict | None = None) -> list[str]:
    """Bullet points: the champion and the nested champion against the skill targets, the
    pairing rule alone, the money leak, the ensemble, calibration."""
    pooled = board[board["cycle"] == POOLED].set_index(["model", "money_mode"])
    out = []
    best = best_model(board)
    if best is None:
        return ["- no model scored in the pre-primary money mode"]
    b = pooled.loc[(best, "preprimary")]
    out.append(f"- Champion (best pooled skill without leaking money, chosen on all folds, so optimistic): "
               f"**{best}**. Skill against the base rate {_target_text(b, 'brier_skill')}; against the "
               f"pairing-aware reference {_target_text(b, 'brier_skill_pair')}; recall of losers in each "
               f"cycle's top 25 {_target_text(b, 'recall_top25')}. AUC {b['auc']:.3f}; rows without "
               f"member-vs-member pairings: skill {b['brier_skill_nopair']:.3f}.")
    if nested is not None and len(nested) and (nested["cycle"] == POOLED).any():
        n = nested[nested["cycle"] == POOLED].iloc[0]
        out.append(f"- Nested champion (each fold scored with the model chosen from earlier folds only: the honest "
                   f"number; picks {n['chosen']}): skill against the base rate {_target_text(n, 'brier_skill')}; "
                   f"against the pairing-aware reference {_target_text(n, 'brier_skill_pair')}; recall top 25 "
                   f"{_target_text(n, 'recall_top25')}.")
    if ("pair_base_rate", "preprimary") in pooled.index:
        pr = pooled.loc[("pair_base_rate", "preprimary")]
        out.append(f"- The member-vs-member rule alone (`pair_base_rate`) scores {pr['brier_skill']:.3f} against the "
                   f"base rate: that much of any model's skill is the rule, not the evidence.")
    for model in dict.fromkeys(m for m, _ in pooled.index):
        if model in REFERENCE_MODELS:
            continue
        modes = {mm: pooled.loc[(model, mm), "brier_skill"] for mm in ("preprimary", "yearend", "none")
                 if (model, mm) in pooled.index}
        if len(modes) > 1:
            out.append(f"- {model}: Brier skill " + ", ".join(f"{k} {v:.3f}" for k, v in modes.items())
                       + (f" (the year-end leak adds {modes['yearend'] - modes['preprimary']:+.3f})"
                          if "yearend" in modes and "preprimary" in modes else ""))
    for ens_name, member_names in _ensembles(ensembles).items():
        if (ens_name, "preprimary") not in pooled.index:
            continue
        ens = pooled.loc[(ens_name, "preprimary"), "brier_skill"]
        members = {m: pooled.loc[(m, "preprimary"), "brier_skill"] for m in member_names
                   if (m, "preprimary") in pooled.index}
        beats = all(ens > v for v in members.values())
        label = "Ensemble" if ens_name == "ensemble" else f"Ensemble `{ens_name}`"
        out.append(f"- {label} (mean of {', '.join(members)}): {ens:.3f} vs members "
                   + ", ".join(f"{k} {v:.3f}" for k, v in members.items())
                   + (" - it beats each member." if beats else " - it does **not** beat every member."))
    r = rel[(rel["model"] == best) & (rel["money_mode"] == "preprimary") & (rel["n"] > 0)]
    inside = int(r["in_band"].astype(bool).sum())
    out.append(f"- Calibration ({best}, pre-primary): {inside} of {len(r)} non-empty probability bins inside "
               "their 90% binomial band.")
    return out


def horizon_table(board: pd.DataFrame, money: str = "preprimary") -> pd.DataFrame:
    """Pooled scores of every model at every horizon (one money mode)."""
    pooled = board[(board["cycle"] == POOLED) & (board["money_mode"] == money)]
    cols = ["horizon", "model", "brier_skill", "brier_skill_ci_low", "brier_skill_ci_high", "brier_skill_pair",
            "brier_skill_nopair", "auc", "recall_top25", "expected_lost", "n_lost", "lost_covered80"]
    return pooled[[c for c in cols if c in pooled.columns]]


def headline_table(board: pd.DataFrame, money: str = "preprimary") -> str:
    """The README's table (``reports/backtest/headline.md``): the published champion's pooled scores at
    every horizon, and the base rate's defeat-count coverage beside it."""
    from features.view.horizons import HORIZON_LABELS

    best = best_model(board)
    lines = ["| forecast made at | Brier skill [90% CI] | vs pairing-aware | AUC | recall top 25 "
             "| cycles whose 80% defeat range held the count |", "|---|---|---|---|---|---|"]
    for horizon in horizons_of(board):
        p = board[(board["horizon"] == horizon) & (board["model"] == best) & (board["money_mode"] == money)
                  & (board["cycle"] == POOLED)] if "horizon" in board.columns else board.iloc[0:0]
        if p.empty:
            continue
        r = p.iloc[0]
        per = board[(board["horizon"] == horizon) & (board["model"] == best) & (board["money_mode"] == money)
                    & (board["cycle"] != POOLED)]
        held = int(per["lost_covered80"].astype(float).sum())
        lines.append(f"| {HORIZON_LABELS[horizon]} (`{horizon}`) | {r['brier_skill']:.3f} "
                     f"[{r['brier_skill_ci_low']:.3f}, {r['brier_skill_ci_high']:.3f}] | "
                     f"{r['brier_skill_pair']:.3f} | {r['auc']:.3f} | {r['recall_top25']:.2f} | "
                     f"{held} of {len(per)} |")
    return (f"Champion `{best}`, rolling-origin backtest 2008-2024, pre-primary money "
            f"({int(board.loc[(board['cycle'] == POOLED) & (board['model'] == best), 'n'].max())} incumbents, "
            f"{int(board.loc[(board['cycle'] == POOLED) & (board['model'] == best), 'n_lost'].max())} defeats):\n\n"
            + "\n".join(lines) + "\n")


def count_table(board: pd.DataFrame, model: str, money: str = "preprimary") -> pd.DataFrame:
    """Per cycle and horizon: actual defeats against the model's expected number and 80% interval."""
    per = board[(board["cycle"] != POOLED) & (board["money_mode"] == money) & (board["model"] == model)]
    out = per[["cycle", "n_lost"]].drop_duplicates("cycle").set_index("cycle")
    for horizon in horizons_of(per):
        h = at_horizon(per, horizon).set_index("cycle")
        out[horizon] = [f"{h.loc[c, 'expected_lost']:.1f} [{int(h.loc[c, 'lost_p10'])}, {int(h.loc[c, 'lost_p90'])}]"
                        + ("" if h.loc[c, "lost_covered80"] else " **missed**") if c in h.index else "–"
                        for c in out.index]
    return out.reset_index()


def markdown(board: pd.DataFrame, rel: pd.DataFrame, predictions: pd.DataFrame, timings: pd.DataFrame,
             header: dict | None = None, nested: pd.DataFrame | None = None,
             ensembles: dict | None = None) -> str:
    """The scoreboard as Markdown (regenerated by ``primary-forecast backtest``): every horizon's pooled
    scores and defeat counts first, then the details at the day before the primary (where the money
    leak is measured)."""
    from features.view.horizons import HORIZON_LABELS

    published = pick_horizon(board)
    best = best_model(board, horizon=published)
    lines = ["# Backtest scoreboard", "",
             "Rolling origin: each cycle 2008-2024 is forecast by models trained on the earlier cycles only, at "
             "three horizons, each seeing only what was public by its date and fitted on the same horizon's "
             "views of the earlier cycles: `year_end` (December 31 of the year before the election: the live "
             "forecast's date; FEC money as of the year-end report's coverage end, public by January 31; the "
             "ballot is mostly not known), `filing_deadline` (the state's filing deadline: the field is known) "
             "and `day_before` (the day before the primary).", ""]
    for k, v in (header or {}).items():
        lines.append(f"- {k}: `{v}`")
    lines += ["", f"## By horizon (pre-primary money)", "",
              f"The site publishes the `{published}` forecast ({HORIZON_LABELS.get(published, published)}); "
              f"its champion, chosen at that horizon, is **{best}**. `expected_lost`: the expected number of "
              "defeats summed over the cycles; `lost_covered80`: the share of cycles whose 80% interval for the "
              "number of defeats (a cycle-level shift of every race's log-odds, its scale learned from the earlier "
              "cycles only: `forecasting/evaluation/defeat_counts.py`) covers the actual count.", "",
              md_table(horizon_table(board), {"expected_lost": 1, "lost_covered80": 2}), ""]
    if best:
        lines += [f"### Defeats per cycle: actual against {best}'s expected number [80% interval]", "",
                  md_table(count_table(board, best)), ""]
    for horizon in horizons_of(board):
        if horizon == "day_before":
            continue
        hb, hr = at_horizon(board, horizon), at_horizon(rel, horizon)
        hn = at_horizon(nested, horizon) if nested is not None and len(nested) else None
        lines += [f"## Headline at `{horizon}` ({HORIZON_LABELS.get(horizon, horizon)})", ""]
        lines += headline(hb, hr, hn, ensembles) + [""]
    lines += ["## At the day before the primary", ""]
    lines += [_markdown_day_before(at_horizon(board, "day_before"), at_horizon(rel, "day_before"),
                                   at_horizon(predictions, "day_before"),
                                   at_horizon(timings, "day_before") if timings is not None and len(timings)
                                   else timings,
                                   at_horizon(nested, "day_before") if nested is not None and len(nested)
                                   else nested, ensembles)]
    return "\n".join(lines)


def _markdown_day_before(board: pd.DataFrame, rel: pd.DataFrame, predictions: pd.DataFrame,
                         timings: pd.DataFrame, nested: pd.DataFrame | None = None,
                         ensembles: dict | None = None) -> str:
    """The day-before details: headline, money modes, pairings, nested champion, per cycle, reliability,
    weak spots, timings and sampler diagnostics."""
    if board.empty:
        return "No model was scored at this horizon."
    pooled = board[board["cycle"] == POOLED]
    lines = ["Forecast "
             "as of the day before each incumbent's primary (the field is known; P(loss) = P(loss | contested) "
             "for contested incumbents, 0 for unopposed ones). Brier skill is against the base-rate model "
             "(rates by party over the last three training cycles), fitted in the same fold. "
             "`*_prefield` columns score the same rows as if forecast before the filing deadline "
             "(field hidden, so the hurdle's P(contested) is at work; money, endorsements and outside "
             "spending still as of the day before the primary).", "",
             "Money modes: `preprimary` = only FEC figures whose coverage ends before the primary (missing "
             "otherwise); `yearend` = full-cycle FEC totals, which include post-primary money **(the leak, for "
             "measurement only; never used for forecasts)**; `none` = no money features.", ""]
    lines += ["### Headline", ""] + headline(board, rel, nested, ensembles) + [""]
    cols = ["model", "money_mode", "n", "n_lost", "brier", "log_loss", "brier_skill", "auc", "recall_top10",
            "recall_top25", "share_mae", "share_cov80"]
    lines += ["### Pooled, all backtest cycles", "",
              md_table(pooled[cols], {"brier": 4, "log_loss": 4}), ""]
    cols = ["model", "money_mode", "brier_skill", "brier_skill_ci_low", "brier_skill_ci_high",
            "brier_skill_pair", "brier_skill_pair_ci_low", "brier_skill_pair_ci_high", "n_lost_pairing",
            "brier_skill_nopair", "auc_nopair", "recall_top25_nopair"]
    lines += ["#### Against a reference that knows the member-vs-member rule", "",
              "`brier_skill_pair`: Brier skill against `pair_base_rate`, the base rate that also knows that one of two "
              "sitting members in one primary must lose (0.5 each; top-two / top-four excepted); other rows get the "
              "base rate of the training folds' non-pairing rows. `*_nopair`: the rows that are not such pairings "
              "(skill against the same reference, which is the plain non-pairing base rate there; recall counts the "
              "non-pairing losers in each cycle's top 25 of the whole list). `*_ci_low` / `*_ci_high`: "
              f"{metrics.BOOTSTRAP_LEVEL:.0%} percentile bootstrap interval, {metrics.BOOTSTRAP_DRAWS} draws of whole "
              f"cycle-district clusters, seed {metrics.BOOTSTRAP_SEED}.", "",
              md_table(pooled[[c for c in cols if c in pooled.columns]]), ""]
    if nested is not None and len(nested):
        lines += ["#### Nested champion: chosen from earlier folds only", "",
                  "For each cycle, the champion rule (highest pooled Brier skill against the base rate, pre-primary "
                  "money, references excluded: the rule `register --best` applies to all folds) is applied to the "
                  "folds before it; the first fold has no history and gets the base rate. `nested_champion.csv`.", "",
                  md_table(nested.drop(columns=[c for c in ("horizon", "model", "money_mode")
                                                 if c in nested.columns]), {"brier": 4}), ""]
    cols = ["model", "money_mode", "brier_prefield", "brier_skill_prefield", "auc_prefield",
            "brier_contested", "auc_contested"]
    lines += ["#### Field hidden (the day-before view with the ballot blanked)", "",
              "`brier_contested` / `auc_contested`: the hurdle's P(contested) against whether a same-party "
              "challenger filed (rows where that is known).", "",
              md_table(pooled[cols], {"brier_prefield": 4, "brier_contested": 4}), ""]
    best = best_model(board)
    lines += ["### Per cycle (pre-primary money)", ""]
    per = board[(board["cycle"] != POOLED) & (board["money_mode"] == "preprimary")]
    if not per.empty:
        wide = per.pivot_table(index="cycle", columns="model", values="brier_skill", aggfunc="first")
        wide.insert(0, "n_lost", per.groupby("cycle")["n_lost"].first())
        wide.insert(0, "n", per.groupby("cycle")["n"].first())
        lines += ["Brier skill score against the base rate:", "",
                  md_table(wide.reset_index()), ""]
        for metric in ("brier", "auc", "recall_top10", "recall_top25", "share_mae", "share_cov80"):
            wide = per.pivot_table(index="cycle", columns="model", values=metric, aggfunc="first")
            nd = {c: 4 for c in wide.columns} if metric == "brier" else None
            lines += [f"{metric}:", "", md_table(wide.reset_index(), nd), ""]
    if best:
        r = rel[(rel["model"] == best) & (rel["money_mode"] == "preprimary") & (rel["n"] > 0)]
        n_out = int((~r["in_band"].astype(bool)).sum())
        lines += [f"### Reliability of the best model ({best}, pre-primary money)", "",
                  f"{len(r)} non-empty bins, {n_out} outside their 90% binomial band "
                  "(band: where the observed rate would fall 90% of the time if the forecasts were calibrated). "
                  "All models: `reliability.csv`, plot: `calibration.png`.", "",
                  md_table(r[["bin", "lower", "upper", "n", "mean_p", "observed", "band_low", "band_high",
                               "in_band"]], {"lower": 1, "upper": 1}), "",
                  "![calibration](calibration.png)", ""]
        ws = weak_spots(predictions, best)
        if not ws.empty:
            lines += [f"### Where the best model is weak: every actual loser and its risk rank in its cycle "
                      f"({best}, pre-primary money)", "",
                      f"Rank 1 = highest P(loss) that cycle; {int((ws['rank'] > 25).sum())} of {len(ws)} losers "
                      "ranked below 25.", "", md_table(ws, {"p_loss": 3}), ""]
    if timings is not None and len(timings):
        t = timings.groupby(["model", "money_mode"], sort=False).agg(
            folds=("cycle", "count"), fit_seconds=("fit_seconds", "sum"),
            predict_seconds=("predict_seconds", "sum")).reset_index()
        lines += ["### Timings (this machine)", "", md_table(t, {"fit_seconds": 1, "predict_seconds": 1}),
                  "", f"Total fit + predict: {t['fit_seconds'].sum() + t['predict_seconds'].sum():.0f} s. "
                  "The ensemble reuses the members fitted in the same fold (hence no fit time of its own).", ""]
        diag_cols = [c for c in ("diag_max_rhat", "diag_min_ess_bulk", "diag_min_ess_tail", "diag_divergences",
                                 "diag_converged") if c in timings.columns]
        if diag_cols:
            d = timings.dropna(subset=diag_cols[:1])[["model", "money_mode", "cycle"] + diag_cols]
            d = d.rename(columns={c: c[len("diag_"):] for c in diag_cols})
            if "converged" in d.columns:
                d["converged"] = d["converged"].astype(bool)
            lines += ["### Sampler diagnostics per fold (Bayesian model)", "",
                      "Converged = R-hat < 1.01, bulk and tail ESS >= 400, no divergences.", "",
                      md_table(d, {"max_rhat": 3, "min_ess_bulk": 0, "min_ess_tail": 0, "divergences": 0}), ""]
    return "\n".join(lines)


