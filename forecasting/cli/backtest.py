"""``primary-forecast backtest --config experiments/<name>.yaml``: rolling-origin backtest,
scoreboard under ``reports/backtest/`` (a comparison config) or ``reports/backtest/<name>/``, and an
MLflow run."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from features.kernel.paths import REPORTS_DIR
from forecasting.cli import plain


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("backtest", help="rolling-origin backtest of one model or a comparison",
                              description=plain(__doc__))
    p.add_argument("--config", required=True, help="experiment YAML (experiments/comparison.yaml, ...)")
    p.add_argument("--out", default=None, help="output folder (default reports/backtest[/<name>])")
    p.add_argument("--table", default=None, help="central table CSV/Parquet (default data/processed)")
    p.add_argument("--models", default=None, help="comma-separated subset of the config's models")
    p.add_argument("--money-modes", default=None, help="comma-separated subset: preprimary,yearend,none")
    p.add_argument("--cycles", default=None, help="comma-separated cycles (default the config's)")
    p.add_argument("--horizons", default=None,
                   help="comma-separated subset of the config's horizons: year_end,filing_deadline,day_before")
    p.add_argument("--jobs", type=int, default=2, help="folds run in parallel on this machine (default 2)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="scheduler address of an existing Dask cluster to run the folds on (tcp://host:8786)")
    p.add_argument("--no-mlflow", action="store_true", help="do not record an MLflow run")
    p.add_argument("--quiet", action="store_true", help="no per-fold progress lines")
    p.set_defaults(func=run)


def load_table(path: str | None = None):
    """The central table (``features.table.store.load_table``), or a given CSV / Parquet file."""
    from features.table.store import load_table as _load
    return _load(Path(path)) if path else _load()


def _subset(values: list, arg: str | None, what: str, cast=str) -> list:
    if not arg:
        return values
    chosen = [cast(v.strip()) for v in arg.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in values]
    if unknown:
        from features.kernel.errors import InputError
        raise InputError("command line", f"{what} {unknown} not in the config ({values})", field=what)
    return chosen


def run(args) -> int:
    from forecasting import tracking
    from forecasting.evaluation import reports, scoreboard
    from forecasting.evaluation.backtest import run_backtest
    from forecasting.models.config import factory, load_config

    config = load_config(args.config)
    specs = config["models"]
    names = _subset([s["name"] for s in specs], args.models, "models")
    specs = [s for s in specs if s["name"] in names]
    bt = config["backtest"]
    bt["money_modes"] = _subset(bt["money_modes"], args.money_modes, "money_modes")
    bt["cycles"] = _subset(bt["cycles"], args.cycles, "cycles", int)
    bt["horizons"] = _subset(bt["horizons"], args.horizons, "horizons")
    if args.jobs < 1:
        from features.kernel.errors import InputError
        raise InputError("command line", f"--jobs must be 1 or more, got {args.jobs}", field="jobs")
    out = Path(args.out) if args.out else (
        REPORTS_DIR / "backtest" if config["kind"] == "comparison" else REPORTS_DIR / "backtest" / config["name"])

    table = load_table(args.table)
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    result = run_backtest(table, {s["name"]: factory(s) for s in specs}, money_modes=bt["money_modes"],
                          cycles=bt["cycles"], as_of=bt["as_of"],
                          model_modes={s["name"]: s["money_modes"] for s in specs if s["money_modes"]},
                          progress=progress, events_dir=Path(args.table).parent if args.table else None,
                          horizons=bt["horizons"], n_jobs=args.jobs, dask_address=args.dask)
    elapsed = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)          # the scored rows first: scoring can be redone from them
    scoreboard.write_predictions(result.predictions, out / scoreboard.PREDICTIONS_FILE)
    result.timings.to_csv(out / "timings.csv", index=False, float_format="%.4g")
    header = {"config": config["path"], "data manifest sha256": tracking.data_manifest_hash() or "missing",
              "rows scored per money mode and horizon": int(
                  result.predictions.groupby(["model", "money_mode", "horizon"]).size().max()),
              "horizons": ", ".join(bt["horizons"]),
              "wall time of the whole backtest (s)": round(elapsed)}
    from forecasting.models.ensemble import EnsembleModel
    ensembles = {s["name"]: list(s["kwargs"].get("members") or EnsembleModel().members)
                 for s in specs if s["model"] == "ensemble"}
    board = scoreboard.scoreboard(result.predictions, result.timings)
    files = reports.write_scoreboard(result.predictions, result.timings, out, header=header,
                                     ensembles=ensembles, board=board)
    pooled = board[board["cycle"] == scoreboard.POOLED]
    print(pooled[["horizon", "model", "money_mode", "n", "n_lost", "brier", "brier_skill", "auc", "recall_top10",
                  "recall_top25", "share_mae", "share_cov80"]].to_string(index=False, float_format="%.4f"))
    print(f"\nscoreboard: {files['scoreboard.md']}  ({elapsed:.0f} s)")
    if not args.no_mlflow:
        config["backtest"] = bt
        run_id = tracking.log_backtest(config, result.timings, board,
                                       scoreboard.reliability(result.predictions), files, result.last_models)
        print(f"mlflow run: {run_id} ({tracking.tracking_uri()})")
    return 0
