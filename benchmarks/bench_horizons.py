"""Compute of the horizon backtest: where the wall time of `primary-forecast backtest` goes.

Runs the comparison backtest (three horizons x nine folds x every model) with ``--jobs`` workers and
records its wall time, then sums the fold timings per model and horizon from ``timings.csv``.  With
``--summarise`` it only reads the timings and wall time of the committed run
(``reports/backtest/timings.csv`` and the header of ``scoreboard.md``).  Writes
``reports/benchmarks_horizons.md``.

    .venv/bin/python benchmarks/bench_horizons.py [--jobs 2] [--summarise]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

import pandas as pd

from features.kernel.paths import REPORTS_DIR

TARGET_SECONDS = 20 * 60


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--summarise", action="store_true", help="read the committed run instead of running one")
    args = ap.parse_args()
    out_dir = REPORTS_DIR / "backtest"
    if args.summarise:
        header = (out_dir / "scoreboard.md").read_text()
        wall = float(re.search(r"wall time of the whole backtest \(s\): `(\d+)`", header).group(1))
        how = "the committed run (`reports/backtest/`)"
    else:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "forecasting.cli", "backtest", "--config",
                        "experiments/comparison.yaml", "--jobs", str(args.jobs), "--quiet"], check=True)
        wall = time.perf_counter() - t0
        how = f"`primary-forecast backtest --config experiments/comparison.yaml --jobs {args.jobs}`"
    t = pd.read_csv(out_dir / "timings.csv")
    if "horizon" not in t.columns:
        t["horizon"] = "day_before"
    t["seconds"] = t["fit_seconds"] + t["predict_seconds"]
    by = t.groupby(["model", "horizon"], sort=False)["seconds"].sum().unstack("horizon").fillna(0).round(1)
    by["total"] = by.sum(axis=1)
    busy = float(t["seconds"].sum())
    bayes = float(t.loc[t["model"] == "bayes", "seconds"].sum())
    lines = ["# Compute of the horizon backtest", "",
             f"Measured with {how} on {os.cpu_count()} cores; folds run in parallel (joblib), so the fold "
             "seconds below add up to more than the wall time when workers overlap. Each Bayesian fit samples "
             "2 chains on up to 2 cores.", "",
             f"- wall time: **{wall:.0f} s** ({wall / 60:.1f} min); target {TARGET_SECONDS // 60} min: "
             + ("met" if wall <= TARGET_SECONDS else "**not met**"),
             f"- fold seconds (fit + predict, summed over folds): {busy:.0f} s, of which the Bayesian model "
             f"{bayes:.0f} s ({bayes / busy:.0%})", f"- folds: {t.groupby(['horizon', 'money_mode', 'cycle']).ngroups}",
             "", "Fold seconds by model and horizon:", "",
             "| model | " + " | ".join(by.columns) + " |", "|---|" + "---|" * len(by.columns)]
    for model, r in by.iterrows():
        lines.append(f"| {model} | " + " | ".join(f"{v:.1f}" for v in r) + " |")
    (REPORTS_DIR / "benchmarks_horizons.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
