"""``primary-forecast run-all``: the main job end to end on embedded defaults.

Build the data if the committed table is missing, train the champion model named in
``experiments/champion.yaml`` and register it under the alias ``champion`` (SQLite-backed MLflow in
the checkout unless ``MLFLOW_TRACKING_URI`` says otherwise), score the live cycle as of the
configured date with the analyst watchlist, record the snapshot and publish the site.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from features.kernel.paths import EXPERIMENTS_DIR, PROJECT_ROOT
from features.table.store import TABLE_CSV
from forecasting.tracking import CHAMPION
from forecasting.cli import plain

CHAMPION_FILE = EXPERIMENTS_DIR / "champion.yaml"


def add_parser(sub) -> None:
    p = sub.add_parser("run-all", help="build data if needed, train + register the champion, forecast, publish",
                       description=plain(__doc__))
    p.add_argument("--raw", default=None, help="raw-data folder (only needed if the table must be built)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the data tables even if present")
    p.add_argument("--backtest", action="store_true",
                   help="also run the full model comparison backtest (reports/backtest/, ~minutes)")
    p.add_argument("--as-of", default=None, help="forecast date (default from experiments/champion.yaml)")
    p.add_argument("--out", default=str(PROJECT_ROOT / "site"), help="site folder")
    p.set_defaults(func=run)


def champion_settings(path: Path = CHAMPION_FILE) -> dict:
    """The published model's config and the live forecast settings (validated)."""
    from forecasting.models.config import load_champion

    return load_champion(path)


def run(args: argparse.Namespace) -> int:
    from forecasting.cli import main as cli
    from forecasting.publish.target import check_publish_target

    settings = champion_settings()
    check_publish_target(args.out)              # before training: a bad --out must cost nothing
    steps: list[list[str]] = []
    if args.rebuild or not TABLE_CSV.is_file():
        steps.append(["data", "build"] + (["--raw", args.raw] if args.raw else []))
    if args.backtest:
        steps.append(["backtest", "--config", str(EXPERIMENTS_DIR / "comparison.yaml")])
    steps += [
        ["train", "--config", str(PROJECT_ROOT / settings["config"]), "--register", "--alias", CHAMPION],
        ["forecast", "--cycle", str(settings["cycle"]), "--as-of", str(args.as_of or settings["as_of"])],
        ["publish", "--out", args.out],
    ]
    for step in steps:
        print(f"\n$ primary-forecast {' '.join(step)}", flush=True)
        code = cli(step)
        if code:
            return code
    print(f"\ndone: site in {args.out}/ (open {args.out}/index.html); MLflow runs: `mlflow ui "
          f"--backend-store-uri sqlite:///mlruns.db`")
    return 0
