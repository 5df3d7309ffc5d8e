"""``primary-forecast rescore`` and ``primary-forecast schedule``: re-scoring around the calendar."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from forecasting.tracking import CHAMPION


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("rescore", help="re-score races whose filing deadline/primary is near",
                              description="Find the states whose filing deadline, primary or runoff falls in "
                                          "[now - lookback, now + window], re-score them as of now's date, "
                                          "record the snapshot and an MLflow run, and publish.")
    p.add_argument("--now", default=None, help="the current time (ISO datetime; default: the machine clock)")
    _common(p)
    p.set_defaults(func=run_rescore)

    s = subparsers.add_parser("schedule", help="run re-scoring on a cron schedule (or print cron entries)",
                              description="A long-running in-process scheduler firing `rescore` at cron "
                                          "times; --print-cron prints equivalent crontab and systemd entries.")
    s.add_argument("--cron", default=None, help="cron expression (default '0 6 * * *': daily 06:00)")
    s.add_argument("--print-cron", action="store_true", help="print crontab and systemd-timer entries and exit")
    s.add_argument("--max-runs", type=int, default=None, help="stop after N firings (default: run forever)")
    # a scheduled run also re-scores states whose filing deadline just passed (the field became known)
    _common(s, lookback="3d")
    s.set_defaults(func=run_schedule)


def _common(p, lookback: str = "0d") -> None:
    p.add_argument("--window", default="14d", help="look ahead this far (default 14d)")
    p.add_argument("--lookback", default=lookback,
                   help=f"also include events this far back (default {lookback})")
    p.add_argument("--cycle", type=int, default=None, help="election year (default: the one --now falls in)")
    p.add_argument("--out", default="site", help="publish the site here (default site/)")
    p.add_argument("--no-publish", action="store_true", help="record the snapshot but do not publish the site")
    p.add_argument("--model-alias", default=CHAMPION, help=f"registry alias of the model (default {CHAMPION})")
    p.add_argument("--model", default=None, help="fit this model instead of loading the registry's")
    p.add_argument("--watchlist", default="default", help="analyst watchlist YAML (default data/watchlist/<cycle>.yaml; 'none' to skip)")
    p.add_argument("--store", default=None, help="snapshot store folder (default data/snapshots)")
    p.add_argument("--table", default=None, help="central table CSV (default data/processed/...)")
    p.add_argument("--no-mlflow", action="store_true", help="do not record an MLflow run")


def _rescore_once(args, now):
    import pandas as pd

    from features.evidence.watchlist import resolve_watchlist
    from features.table.store import load_table
    from forecasting.live.live_model import load_live_model
    from forecasting.pipeline.rescore import cycle_for, parse_duration, rescore
    parse_duration(args.window, "window"), parse_duration(args.lookback, "lookback")   # fail fast
    now = pd.Timestamp(now)
    table = load_table(args.table)
    cycle = args.cycle or cycle_for(now)
    model, version = load_live_model(alias=args.model_alias, model_name=args.model, table=table)
    return rescore(now, window=args.window, lookback=args.lookback, cycle=cycle, table=table, model=model,
                   model_version=version, watchlist=resolve_watchlist(args.watchlist, cycle, table),
                   store=args.store, site_dir=None if args.no_publish else args.out,
                   record_run=None if args.no_mlflow else "mlflow", progress=sys.stderr.isatty())


def _describe(res) -> str:
    if not res.states:
        return (f"{res.now}: no filing deadline, primary or runoff in {res.window[0].date()}..{res.window[1].date()}; "
                "nothing to re-score")
    ev = "; ".join(f"{r.state} {r.event} {r.date.date()}" for r in res.events.itertuples())
    return (f"{res.now}: {ev}\n  re-scored {res.n_scored} incumbents in {', '.join(res.states)} as of "
            f"{res.as_of.date()} ({res.model_version}); {res.n_new} new snapshot rows"
            + (" (already recorded: nothing changed)" if res.n_new == 0 else "")
            + (f"; MLflow run {res.run_id}" if res.run_id else "")
            + (f"; published {res.published}" if res.published else ""))


def run_rescore(args: argparse.Namespace) -> int:
    import pandas as pd

    from features.kernel.errors import InputError

    clock = dt.datetime.now()
    try:
        now = pd.Timestamp(args.now) if args.now is not None else pd.Timestamp(clock)
    except ValueError:
        now = pd.NaT
    if pd.isna(now):
        raise InputError("rescore", f"not a datetime: {args.now!r} (use e.g. 2026-03-01T06:00)", field="now")
    now = now.tz_convert(None) if now.tzinfo else now
    if now > pd.Timestamp(clock) + pd.Timedelta(minutes=5):
        raise InputError("rescore", f"--now {now} is in the future (the clock says {clock:%Y-%m-%d %H:%M}); "
                                    "a re-scoring can only use what is already known", field="now")
    print(_describe(_rescore_once(args, now)))
    return 0


def run_schedule(args: argparse.Namespace) -> int:
    from forecasting.pipeline.scheduler import DEFAULT_CRON, CronExpr, Scheduler, Trigger, crontab_entry, systemd_units

    cron = args.cron or DEFAULT_CRON
    if args.print_cron:
        print("# crontab (crontab -e):")
        print(crontab_entry(cron, window=args.window, out=args.out, lookback=args.lookback))
        print("# systemd (equivalent timer):")
        print(systemd_units(cron, window=args.window, out=args.out, lookback=args.lookback))
        return 0

    def report(firing):
        if firing.error is not None:
            print(f"{firing.at}: re-scoring failed: {firing.error}", flush=True)
        else:
            print(_describe(firing.result), flush=True)

    sched = Scheduler([Trigger("rescore", CronExpr.parse(cron), lambda when: _rescore_once(args, when))],
                      on_fire=report)
    print(f"scheduler: rescore at '{cron}' (next {sched.next_fire(dt.datetime.now())[0]}); Ctrl-C to stop",
          flush=True)
    try:
        sched.run(max_runs=args.max_runs)
    except KeyboardInterrupt:
        return 0
    return 0
