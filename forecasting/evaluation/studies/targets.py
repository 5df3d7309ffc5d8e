"""The skill targets (``scoreboard.TARGETS``), measured on the committed backtest: a benchmark, not a test.

    .venv/bin/python benchmarks/targets.py [--backtest reports/backtest] [--mask-effect]
        [--mask-effect-csv reports/targets_mask_effect.csv] [--out reports/targets.md]

Reads ``predictions.csv.gz`` of the last comparison backtest and reports, for every model with
pre-primary money, the published champion and the nested champion (``forecasting.evaluation.champion``):

- pooled Brier skill against the plain base rate (target >= 0.30),
- pooled Brier skill against the pairing-aware reference ``pair_base_rate`` (target >= 0.20),
- recall of actual losers in each cycle's top 25 (target >= 0.75),

with 90% cluster-bootstrap intervals, and a no-leak check: the as-of rule asserted on the training
and test view of every fold (pre-primary and no-money modes), no money from a file copied after the
primary in any pre-primary view, every training row from an earlier cycle.  ``--mask-effect`` also
backtests logit, boosted and their ensemble (pre-primary money) with and without the post-primary
money mask (a few minutes) to show what the mask changes (``--mask-effect-csv`` saves that table,
or, without ``--mask-effect``, reads a saved one).  ``--combination logit+boosted+bayes`` (repeatable)
adds the equal-weight average of the named models' out-of-sample predictions as one more candidate,
scored like the others and offered to the nested champion: no refit, no fitted weight, so it shows
what a wider ensemble would score before anyone trains one.  Prints Markdown; writes it with ``--out``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.evaluation.scoreboard import TARGETS
from forecasting.evaluation.tables import fmt


def target_rows(predictions: pd.DataFrame) -> pd.DataFrame:
    """Pooled pre-primary scores of every model, the champion and the nested champion."""
    from forecasting.evaluation import scoreboard as sb
    from forecasting.models.registry import REFERENCE_MODELS

    board = sb.scoreboard(predictions)
    pooled = board[(board["cycle"] == sb.POOLED) & (board["money_mode"] == "preprimary")].copy()
    champion = sb.best_model(board)
    pooled["role"] = np.where(pooled["model"].isin(REFERENCE_MODELS), "reference",
                              np.where(pooled["model"] == champion, "champion (chosen on all folds)", ""))
    nested = sb.nested_scoreboard(predictions)
    nested = nested[nested["cycle"] == sb.POOLED].assign(role="nested champion: " + nested["chosen"].iloc[-1])
    cols = ["model", "role", "n", "n_lost", "brier_skill", "brier_skill_ci_low", "brier_skill_ci_high",
            "brier_skill_pair", "brier_skill_pair_ci_low", "brier_skill_pair_ci_high", "brier_skill_nopair",
            "recall_top25"]
    return pd.concat([pooled[cols], nested[cols]], ignore_index=True)


#: the prediction columns averaged over the members of a combination (probabilities, share quantiles)
COMBINED_COLUMNS = ["p_contested", "p_loss_if_contested", "p_loss", "share_mean", "share_p10", "share_p50",
                    "share_p90", "p_contested_prefield", "p_loss_prefield"]


def combination(predictions: pd.DataFrame, members: list[str], money: str = "preprimary") -> pd.DataFrame:
    """The equal-weight average of ``members``' pre-primary predictions, as rows of model
    ``a+b+c``: row for row over the contests every member scored (an error if one is missing)."""
    pre = predictions[predictions["money_mode"] == money]
    key = ["cycle", "state", "district", "party", "incumbent"]
    parts = [pre[pre["model"] == m].set_index(key).sort_index() for m in members]
    missing = [m for m, part in zip(members, parts) if part.empty]
    if missing:
        raise SystemExit(f"--combination: no {money} predictions of {', '.join(missing)}")
    first = parts[0]
    if any(len(part) != len(first) or not part.index.equals(first.index) for part in parts[1:]):
        raise SystemExit(f"--combination {'+'.join(members)}: the members did not score the same contests")
    out = first.copy()
    cols = [c for c in COMBINED_COLUMNS if c in out.columns]
    out[cols] = sum(part[cols].to_numpy(dtype=float) for part in parts) / len(parts)
    return out.assign(model="+".join(members)).reset_index()[predictions.columns]


def leak_check(table: pd.DataFrame, cycles) -> list[str]:
    """Lines saying what was checked; raises on the first violation."""
    from features.evidence.money import post_primary_snapshot
    from features.view.asof import as_of_view
    from forecasting.evaluation.backtest import backtest_view, fold_views

    lines = []
    for money in ("preprimary", "none"):
        view = backtest_view(table, money)
        n = 0
        for cycle in cycles:
            train, test = fold_views(table, cycle, money, view=view)       # asserts the as-of rule
            if len(train) and int(train["cycle"].max()) >= cycle:
                raise AssertionError(f"fold {cycle}: a training row from cycle {train['cycle'].max()}")
            n += len(train) + len(test)
        lines.append(f"- `{money}` money: as-of rule asserted on the training and test view of {len(cycles)} "
                     f"folds ({n:,} fold rows); every training row from an earlier cycle: **passed**")
    view = as_of_view(table, money="preprimary")
    # the file behind the money each view row holds (the view may fall back to an earlier copy's money)
    late = post_primary_snapshot(view)
    money_cols = ["inc_receipts", "inc_cash", "chal_receipts", "chal_cash", "money_ratio"]
    leaked = view.loc[late, money_cols].notna().any(axis=1)
    if leaked.any():
        raise AssertionError(f"{int(leaked.sum())} rows keep money from a file copied after their primary")
    copied_late = post_primary_snapshot(table)            # what the table holds from such files
    per_cycle = table.loc[copied_late & table[money_cols].notna().any(axis=1), "cycle"].value_counts().sort_index()
    lines.append("- money from pre-primary files copied on or after the row's primary, masked in every "
                 "pre-primary view: " + ", ".join(f"{c}: {n}" for c, n in per_cycle.items()) + " rows: **passed**")
    lines.append("- year-end FEC totals appear only in the `yearend` money mode (the documented leak; "
                 "no target is scored on it)")
    return lines


def mask_effect(table: pd.DataFrame) -> pd.DataFrame:
    """Pooled pre-primary skill of logit, boosted and ensemble with and without the post-primary mask."""
    from unittest import mock

    from forecasting.evaluation import scoreboard as sb
    from forecasting.evaluation.backtest import run_backtest
    from forecasting.models.registry import make_model

    factories = {n: (lambda n=n: make_model(n)) for n in ("logit", "boosted", "ensemble")}
    out = []
    for label, patch in (("masked (the rule)", None),
                         ("not masked", lambda t: pd.Series(False, index=t.index))):
        t0 = time.perf_counter()
        if patch is None:
            res = run_backtest(table, factories, money_modes=["preprimary"])
        else:
            with mock.patch("features.view.asof.post_primary_snapshot", patch):
                res = run_backtest(table, factories, money_modes=["preprimary"])
        board = sb.scoreboard(res.predictions)
        p = board[(board["cycle"] == sb.POOLED) & board["model"].isin(factories)]
        for _, r in p.iterrows():
            out.append({"post-primary money": label, "model": r["model"], "brier_skill": r["brier_skill"],
                        "brier_skill_pair": r["brier_skill_pair"], "recall_top25": r["recall_top25"],
                        "seconds": time.perf_counter() - t0})
    return pd.DataFrame(out)


def report(backtest_dir: Path, with_mask_effect: bool, mask_effect_csv: Path | None = None,
           note: str = "", combinations: tuple[str, ...] = ()) -> str:
    from features.kernel.constants import BACKTEST_CYCLES
    from features.table.store import load_table
    from forecasting.evaluation.scoreboard import predictions_path, read_predictions

    predictions = read_predictions(backtest_dir)
    if predictions is None:
        sys.exit(f"{backtest_dir}: no predictions.csv.gz (run `primary-forecast backtest` first)")
    from forecasting.evaluation.scoreboard import at_horizon
    predictions = at_horizon(predictions, "day_before")         # the targets are set for the day before
    published = predictions
    if combinations:
        predictions = pd.concat([predictions, *(combination(predictions, c.split("+")) for c in combinations)],
                                ignore_index=True)
    rows = target_rows(predictions)
    lines = ["# Issue #9 targets on the backtest", "",
             f"`python benchmarks/targets.py` on `{predictions_path(backtest_dir)}` (rolling origin "
             f"{min(BACKTEST_CYCLES)}-{max(BACKTEST_CYCLES)}, as of the day before each primary, pre-primary money). "
             "Brackets: 90% bootstrap interval over whole cycle-districts (2000 draws, seed 20260). "
             "The champion is chosen on the same folds it is scored on (optimistic); the nested champion is "
             "chosen for each fold from the earlier folds only (the honest number).", "",
             *([note, ""] if note else []),
             *([f"Combinations (equal-weight averages of out-of-sample predictions, not a trained model): "
                f"{', '.join(combinations)}; they compete in the champion and nested-champion choice.", ""]
               if combinations else []),
             "| model | role | skill vs base rate (>= 0.30) | skill vs pairing-aware (>= 0.20) | "
             "skill, rows without pairings | recall top 25 (>= 0.75) |", "|---|---|---|---|---|---|"]
    for _, r in rows.iterrows():
        def cell(metric):
            v = r[metric]
            mark = "" if metric not in TARGETS or np.isnan(v) else (" met" if v >= TARGETS[metric] else " **not met**")
            ci = (f" [{fmt(r[metric + '_ci_low'])}, {fmt(r[metric + '_ci_high'])}]"
                  if metric + "_ci_low" in r.index else "")
            return f"{fmt(v)}{ci}{mark}"
        lines.append(f"| {r['model']} | {r['role']} | {cell('brier_skill')} | {cell('brier_skill_pair')} | "
                     f"{fmt(r['brier_skill_nopair'])} | {cell('recall_top25')} |")
    n_pair = published[(published["model"] == "base_rate") & (published["money_mode"] == "preprimary")]
    if "pairing" in n_pair.columns:
        pairing = n_pair["pairing"].astype("boolean").fillna(False).astype(bool)
        lines += ["", f"{int((pairing & (n_pair['y'] == 1)).sum())} of {int((n_pair['y'] == 1).sum())} defeats are "
                  "member-vs-member pairings (one of two sitting members must lose)."]
    table = load_table()
    lines += ["", "## No-leak check", ""] + leak_check(table, BACKTEST_CYCLES)
    if with_mask_effect or mask_effect_csv:
        if with_mask_effect:
            eff = mask_effect(table)
            if mask_effect_csv:
                eff.to_csv(mask_effect_csv, index=False, float_format="%.6g")
        else:
            eff = pd.read_csv(mask_effect_csv)
        lines += ["", "## Effect of masking money from post-primary copies", "",
                  "Same backtest (pre-primary money), with the mask and without it.", "",
                  "| post-primary money | model | skill vs base rate | skill vs pairing-aware | recall top 25 |",
                  "|---|---|---|---|---|"]
        for _, r in eff.iterrows():
            lines.append(f"| {r['post-primary money']} | {r['model']} | {fmt(r['brier_skill'])} | "
                         f"{fmt(r['brier_skill_pair'])} | {fmt(r['recall_top25'], 2)} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backtest", default="reports/backtest", help="folder with predictions.csv.gz")
    parser.add_argument("--mask-effect", action="store_true", help="also backtest with and without the mask")
    parser.add_argument("--mask-effect-csv", default=None,
                        help="with --mask-effect: save its table here; without: read a saved one")
    parser.add_argument("--note", default="", help="a paragraph to print under the heading (which run this is)")
    parser.add_argument("--combination", action="append", default=[], metavar="A+B",
                        help="also score the equal-weight average of these models (repeatable)")
    parser.add_argument("--out", default=None, help="write the Markdown here (e.g. reports/targets.md)")
    args = parser.parse_args(argv)
    text = report(Path(args.backtest), args.mask_effect,
                  Path(args.mask_effect_csv) if args.mask_effect_csv else None, args.note,
                  tuple(args.combination))
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
