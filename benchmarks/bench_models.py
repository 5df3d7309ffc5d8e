"""Benchmark the models: fit on every cycle with outcomes, predict, and (optionally) the full backtest.

    .venv/bin/python benchmarks/bench_models.py [--models base_rate,logit,boosted,bayes]
        [--full-backtest] [--repeat 1] [--out reports/benchmarks.md]

Prints a Markdown report (and writes it with ``--out``).  A benchmark, not a test: numbers depend on
the machine and on what else runs on it (the load average is recorded with them).
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path


def _machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return (f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; "
            f"load average at start {load[0]:.1f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="base_rate,logit,boosted,bayes")
    parser.add_argument("--config-dir", default="experiments")
    parser.add_argument("--repeat", type=int, default=1, help="fits per model (best time reported)")
    parser.add_argument("--full-backtest", action="store_true",
                        help="also time the full comparison backtest (all models x 3 money modes)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    from features.table.store import load_table
    from features.view.asof import as_of_view
    from forecasting.evaluation.backtest import run_backtest
    from forecasting.models.config import factory, load_config

    table = load_table()
    view = as_of_view(table)
    train = view[view["lost"].notna()]
    live = view[view["lost"].isna()]
    lines = ["# Model benchmarks", "", f"Machine: {_machine()}.", "",
             f"Fit on every cycle with an outcome ({len(train)} rows, as of the day before each primary, "
             f"pre-primary money); predict {len(view)} rows (all cycles incl. {len(live)} live 2026 rows).", "",
             "| model | fit (s) | predict (s) |", "|---|---|---|"]
    specs = {}
    for name in args.models.split(","):
        try:
            spec = load_config(Path(args.config_dir) / f"{name}.yaml")["models"][0]
            factory(spec)()                     # import check (the Bayesian model may be absent)
        except Exception as exc:                # noqa: BLE001 - report and continue
            lines.append(f"| {name} | not run: {type(exc).__name__}: {exc} | |")
            continue
        specs[name] = spec
        fits, preds = [], []
        for _ in range(args.repeat):
            model = factory(spec)()
            t0 = time.perf_counter()
            model.fit(train)
            t1 = time.perf_counter()
            model.predict(view)
            fits.append(t1 - t0)
            preds.append(time.perf_counter() - t1)
        lines.append(f"| {name} | {min(fits):.1f} | {min(preds):.2f} |")
        print(lines[-1], file=sys.stderr, flush=True)
    if args.full_backtest and specs:
        comparison = load_config(Path(args.config_dir) / "comparison.yaml")
        chosen = [s for s in comparison["models"] if s["name"] in specs]
        t0 = time.perf_counter()
        result = run_backtest(table, {s["name"]: factory(s) for s in chosen},
                              money_modes=comparison["backtest"]["money_modes"],
                              cycles=comparison["backtest"]["cycles"],
                              model_modes={s["name"]: s["money_modes"] for s in chosen if s["money_modes"]})
        wall = time.perf_counter() - t0
        t = result.timings.groupby("model")[["fit_seconds", "predict_seconds"]].sum()
        lines += ["", f"Full backtest ({len(comparison['backtest']['cycles'])} cycles x "
                      f"{len(comparison['backtest']['money_modes'])} money modes): **{wall / 60:.1f} min** wall "
                      "(target < 20 min).", "", "| model | fit total (s) | predict total (s) |", "|---|---|---|"]
        lines += [f"| {m} | {r.fit_seconds:.0f} | {r.predict_seconds:.0f} |" for m, r in t.iterrows()]
    timings = Path("reports/backtest/timings.csv")
    if timings.is_file() and not args.full_backtest:
        import pandas as pd
        t = pd.read_csv(timings)
        per = t.groupby(["model", "money_mode"], sort=False)[["fit_seconds", "predict_seconds"]].sum()
        total = float(per.to_numpy().sum())
        lines += ["", f"Last comparison backtest (`{timings}`, written by `primary-forecast backtest --config "
                      f"experiments/comparison.yaml`): fit + predict **{total / 60:.1f} min** in total "
                      "(target < 20 min; scoring and MLflow logging add about a minute).", "",
                  "| model | money mode | folds | fit (s) | predict (s) |", "|---|---|---|---|---|"]
        folds = t.groupby(["model", "money_mode"], sort=False)["cycle"].count()
        lines += [f"| {m} | {mm} | {folds[(m, mm)]} | {r.fit_seconds:.0f} | {r.predict_seconds:.0f} |"
                  for (m, mm), r in per.iterrows()]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
