"""``primary-forecast publish``: write the static site and feeds from the snapshot history."""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("publish", help="write the static site and JSON/CSV feeds",
                              description="Render the site (index, race pages, checking-our-work) and the "
                                          "feeds from the snapshot history; the old site is swapped out "
                                          "atomically and kept if anything fails.")
    p.add_argument("--out", default="site", help="site folder (default site/)")
    p.add_argument("--store", default=None, help="snapshot store folder (default data/snapshots)")
    p.add_argument("--backtest-dir", default=None, help="backtest reports (default reports/backtest)")
    p.add_argument("--cycle", type=int, default=None, help="cycle to publish (default: latest)")
    p.add_argument("--as-of", default=None,
                   help="show the forecast as it stood on this date: each race's latest snapshot on or "
                        "before it (default: the latest date with a snapshot that is not simulated -- "
                        "the date `forecast` records by default, unless a live re-scoring recorded a later one)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from forecasting.live.snapshots import read_history
    from forecasting.publish import publish

    out = publish(args.out, read_history(args.store), backtest_dir=args.backtest_dir, cycle=args.cycle,
                  as_of=args.as_of)
    shown = _shown(out)
    print(f"published {out} (index.html, races/, checking-our-work.html, forecast.csv, forecast.json, history.csv)"
          + (f"; forecast as of {shown}" if shown else ""))
    return 0


def _shown(out) -> str:
    import json

    try:
        doc = json.loads((out / "forecast.json").read_text())
    except (OSError, ValueError):
        return ""
    return f"{doc.get('as_of')}" + (" (simulated)" if doc.get("simulated") else "")
