"""``primary-forecast forecast``: score a cycle as of a date and record the snapshot."""
from __future__ import annotations

import argparse
from pathlib import Path

from features.evidence.watchlist import resolve_watchlist  # noqa: F401  (re-exported)
from forecasting.tracking import CHAMPION


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("forecast", help="score every incumbent of a cycle as of a date",
                              description="Score every incumbent seeking renomination as of a date with "
                                          "the registered model, and append the snapshot to the history.")
    p.add_argument("--cycle", type=int, default=2026, help="election year to score (default 2026)")
    p.add_argument("--as-of", default=None,
                   help="forecast date YYYY-MM-DD, not in the future (default: the date the committed "
                        "inputs run to, i.e. the latest FEC money coverage of the cycle; 2026: 2025-12-31)")
    p.add_argument("--model-alias", default=CHAMPION, help=f"registry alias of the model (default {CHAMPION})")
    p.add_argument("--model", default=None, help="instead of the registry, fit this model "
                                                 "(base_rate, logit, boosted, bayes) on all past cycles")
    p.add_argument("--watchlist", default="default",
                   help="analyst watchlist YAML (default data/watchlist/<cycle>.yaml if present; 'none' to skip)")
    p.add_argument("--table", default=None, help="central table CSV (default data/processed/...)")
    p.add_argument("--store", default=None, help="snapshot store folder (default data/snapshots)")
    p.add_argument("--no-record", action="store_true", help="do not append to the snapshot history")
    p.add_argument("--csv", default=None, help="also write the snapshot to this CSV")
    p.add_argument("--top", type=int, default=25, help="print the N highest-risk incumbents (default 25)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from features.table.store import load_table
    from forecasting.live import snapshots
    from forecasting.live.live_model import load_live_model
    from features.kernel.dates import parse_as_of
    from forecasting.live.scoring import default_as_of, score_cycle

    if args.csv and Path(args.csv).is_dir():
        from features.kernel.errors import InputError
        raise InputError(args.csv, "--csv names a folder; give a file path", field="csv")
    # a bad date fails before any model is loaded
    when = parse_as_of(args.as_of, args.cycle) if args.as_of is not None else None
    table = load_table(args.table)
    if when is None:
        when = default_as_of(table, args.cycle)
    model, version = load_live_model(alias=args.model_alias, model_name=args.model, table=table)
    from forecasting.live.live_model import predates_second_target
    if predates_second_target(model):
        import sys
        print(f"warning: model {version} was fitted before the second target existed, so its forecasts "
              "carry no P(lose the seat to the same party); `primary-forecast train --config "
              "experiments/champion.yaml --register` (or `run-all`) replaces it", file=sys.stderr)
    watchlist = resolve_watchlist(args.watchlist, args.cycle, table)
    snap = score_cycle(table, model, args.cycle, when, watchlist=watchlist, model_version=version)
    if args.csv:
        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        snap.to_csv(args.csv, index=False)
    new = 0 if args.no_record else snapshots.append_snapshot(snap, args.store)
    print(format_summary(snap, args.top))
    where = snapshots.history_path(args.store)
    sim = " (SIMULATED: inputs run only to " + str(snap["inputs_through"].iloc[0].date()) + ")" \
        if len(snap) and bool(snap["simulated"].iloc[0]) else ""
    print(f"\n{len(snap)} incumbents scored as of {snap['as_of'].iloc[0].date()}{sim} with {snap['model'].iloc[0]} "
          f"({snap['model_version'].iloc[0]}); expected losses {snap['p_loss'].sum():.1f}; "
          + ("not recorded" if args.no_record else f"{new} new rows in {where}"
             + (" (already recorded: nothing changed)" if new == 0 else "")))
    return 0


def format_summary(snap, top: int = 25) -> str:
    from forecasting.publish.formats import vote_share

    lines = [f"{'rank':>4}  {'race':<8} {'incumbent':<28} {'P(loss)':>8}  {'if challenged':>13}  drivers"]
    for i, r in enumerate(snap.head(top).to_dict(orient="records"), start=1):
        race = f"{r['state']}-{r['district'] if r['district'] else 'AL'} {r['party']}"
        v = vote_share(r)
        share = "unopposed" if v["unopposed"] else f"{100 * v['low']:4.0f}-{100 * v['high']:3.0f}%"
        lines.append(f"{i:>4}  {race:<8} {str(r['incumbent'])[:28]:<28} {100 * r['p_loss']:7.1f}%  "
                     f"{share:>13}  {r['drivers_text']}")
    return "\n".join(lines)
