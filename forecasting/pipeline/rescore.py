"""Scheduled re-scoring: given "now", re-score the races whose filing deadline, primary or runoff
falls inside a window, record the snapshot and an MLflow run, and publish.

``rescore(now, window='14d')`` looks for calendar events in ``[now - lookback, now + window]``
(``lookback`` defaults to 0, i.e. the window ``[now, now + window]``; a few days of lookback also
re-scores states whose filing deadline just passed, when the known field starts to decide), scores
those states' incumbents as of ``now``'s date, appends the snapshot to the store (idempotent: the
same as-of date, model and inputs add nothing), and only when something new was recorded logs an
MLflow run and publishes the site.  A journal in the store (``.rescore-pending-<id>.json``, written
before the append) lists the steps still owed, so a run that fails after appending -- MLflow down,
a publish that failed -- logs and publishes on the next run; a site behind the store is republished.  Two runs at once are serialised by the store's and the site's
file locks, so they cannot corrupt the history.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from features.kernel.errors import InputError
from features.kernel.paths import WATCHLIST_DIR
from forecasting.live import snapshots
from forecasting.live.scoring import score_cycle
from forecasting.tracking import CHAMPION

EVENT_COLUMNS = ["state", "event", "date"]
_EVENTS = {"filing_deadline": "filing deadline", "primary_date": "primary", "runoff_date": "runoff"}


@dataclass
class RescoreResult:
    """What one re-scoring run did."""

    now: pd.Timestamp
    as_of: pd.Timestamp
    cycle: int
    window: tuple[pd.Timestamp, pd.Timestamp]
    events: pd.DataFrame
    states: list[str] = field(default_factory=list)
    n_scored: int = 0
    n_new: int = 0
    model_version: str | None = None
    run_id: str | None = None
    published: Path | None = None
    snapshot: pd.DataFrame | None = None


#: the longest window or lookback a re-scoring takes: a two-year cycle
MAX_DURATION = pd.Timedelta(days=731)


def parse_duration(text: str, name: str = "window") -> pd.Timedelta:
    """'14d', '36h', '2w', '90m' -> Timedelta, at most ``MAX_DURATION`` (InputError otherwise)."""
    m = re.fullmatch(r"\s*(\d+)\s*([wdhm])\s*", str(text).lower())
    if not m:
        raise InputError("rescore", f"not a duration: {text!r} (use e.g. 14d, 36h, 2w)", field=name)
    n, unit = int(m.group(1)), m.group(2)
    if len(m.group(1)) > 6:
        raise InputError("rescore", f"{text!r} is longer than a cycle (at most {MAX_DURATION.days}d)", field=name)
    span = pd.Timedelta(**{{"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}[unit]: n})
    if span > MAX_DURATION:
        raise InputError("rescore", f"{text!r} is longer than a cycle (at most {MAX_DURATION.days}d)", field=name)
    return span


def cycle_for(now: pd.Timestamp) -> int:
    """The election cycle a date belongs to (odd years belong to the next even year)."""
    return now.year + (now.year % 2)


def events_in_window(cycle: int, start: pd.Timestamp, end: pd.Timestamp, table: pd.DataFrame | None = None,
                     calendar: pd.DataFrame | None = None) -> pd.DataFrame:
    """Calendar events (state, event, date) of ``cycle`` with ``start`` (its day) <= date <= ``end``.

    The calendar is ``features.contests.calendar.load_calendar()`` (``data/calendar/``) when built, else the
    calendar columns the central table carries; the window search is ``features.contests.calendar.races_in_window``.
    With a table, only states with an incumbent row in the cycle are kept (DC has no voting member).
    """
    from features.contests import calendar as cal_mod

    if calendar is None:
        try:
            calendar = cal_mod.load_calendar()
        except InputError:
            if table is None:
                raise
            calendar = None            # not built yet: the table carries the same calendar columns
    if calendar is None:
        cols = ["cycle", "state"] + [c for c in _EVENTS if c in table.columns]
        calendar = table.loc[table["cycle"] == cycle, cols].drop_duplicates("state")
    for col in _EVENTS:
        if col not in calendar.columns:
            calendar = calendar.assign(**{col: pd.NaT})
    ev = cal_mod.races_in_window(calendar, cycle, pd.Timestamp(start).normalize(), pd.Timestamp(end))
    ev = ev.assign(event=ev["event"].map({"filing_deadline": "filing deadline"}).fillna(ev["event"]))
    if table is not None:
        ev = ev[ev["state"].isin(set(table.loc[table["cycle"] == cycle, "state"]))]
    return ev[EVENT_COLUMNS].reset_index(drop=True)


def rescore(now, window: str = "14d", lookback: str = "0d", cycle: int | None = None,
            table: pd.DataFrame | None = None, model=None, model_version: str | None = None,
            model_alias: str = CHAMPION, watchlist="default", store: str | Path | None = None,
            site_dir: str | Path | None = None, backtest_dir: str | Path | None = None,
            record_run: Callable | None = "mlflow", calendar: pd.DataFrame | None = None,
            progress: bool = False) -> RescoreResult:
    """Re-score the races with a calendar event near ``now`` and record/publish the result.

    Parameters
    ----------
    now : the current time (a datetime or string); the forecast is made as of its date.
    window, lookback : durations ('14d'); events in ``[now - lookback, now + window]`` count.
    cycle : default: the cycle ``now`` belongs to.
    table : the central table (default ``features.table.store.load_table()``).
    model, model_version : a fitted PrimaryModel; default the registry's ``model_alias``.
    watchlist : a Watchlist, a path, None, or 'default' (``data/watchlist/<cycle>.yaml`` if present).
    store : snapshot store folder (default ``data/snapshots``).
    site_dir : publish the site there after a new snapshot (None: do not publish).
    record_run : 'mlflow' (default), None, or a callable ``(result, snapshot) -> run_id``.
    progress : show a bar over the steps (load the model, score, record, log the run, publish) on
        standard error.
    """
    if site_dir is not None:                    # refuse a bad --out before anything is recorded
        from forecasting.publish.target import check_publish_target
        check_publish_target(site_dir)
    now = pd.Timestamp(now)
    now = now.tz_convert(None) if now.tzinfo else now
    ahead, back = parse_duration(window, "window"), parse_duration(lookback, "lookback")
    cycle = int(cycle) if cycle is not None else cycle_for(now)
    as_of = now.normalize()
    if table is None:
        from features.table.store import load_table
        table = load_table()
    start, end = now - back, now + ahead
    events = events_in_window(cycle, start, end, table=table, calendar=calendar)
    result = RescoreResult(now, as_of, cycle, (start, end), events, sorted(events["state"].unique()))
    if not result.states:
        return result

    from tqdm.auto import tqdm

    bar = tqdm(total=5, desc=f"rescore {len(result.states)} states", unit="step", disable=not progress,
               leave=True)
    try:
        return _rescore_states(result, bar, table, model, model_version, model_alias, watchlist, store,
                               site_dir, backtest_dir, record_run)
    finally:
        bar.close()


def _rescore_states(result: RescoreResult, bar, table, model, model_version, model_alias, watchlist, store,
                    site_dir, backtest_dir, record_run) -> RescoreResult:
    """Score, record, log and publish the states of ``result`` (``rescore``'s second half)."""
    cycle, as_of, now = result.cycle, result.as_of, result.now
    bar.set_postfix_str("loading the model")
    if model is None:
        from forecasting.live.live_model import load_live_model
        model, model_version = load_live_model(alias=model_alias)
    bar.update(1)
    bar.set_postfix_str("scoring")
    wl = _resolve_watchlist(watchlist, cycle, table)
    snap = score_cycle(table, model, cycle, as_of, watchlist=wl, now=now, model_version=model_version,
                       states=result.states)
    result.snapshot = snap
    result.n_scored = int(len(snap))
    result.model_version = str(snap["model_version"].iloc[0]) if len(snap) else model_version
    bar.update(1)
    if not len(snap):
        return result
    # Recording, logging and publishing are three steps; a journal in the store says which are still
    # owed for this snapshot, so a run that fails after appending finishes them when re-run.
    journal = _journal_path(snap, store)
    with snapshots.file_lock(journal.with_name(".rescore.lock")):   # one re-scoring at a time
        owed = _read_journal(journal)
        fresh = owed is None
        if fresh:
            owed = {"record_run": record_run is not None, "publish": site_dir is not None}
            _write_journal(journal, owed)
        bar.set_postfix_str("recording")
        result.n_new = snapshots.append_snapshot(snap, store)
        bar.update(1)
        if result.n_new == 0 and fresh:                 # recorded and finished by an earlier run
            owed = {"record_run": False, "publish": False}
        if owed.get("record_run") and record_run is not None:
            bar.set_postfix_str("logging the run")
            recorder = record_mlflow_run if record_run == "mlflow" else record_run
            result.run_id = recorder(result, snap)
            owed["record_run"] = False
            _write_journal(journal, owed)
        bar.update(1)
        stale = site_dir is not None and not _site_has(site_dir, store)
        if site_dir is not None and (owed.get("publish") or stale):
            from forecasting.publish import publish
            bar.set_postfix_str("publishing")
            result.published = publish(site_dir, snapshots.read_history(store), backtest_dir=backtest_dir)
            owed["publish"] = False
        bar.update(1)
        if not any(owed.values()):
            journal.unlink(missing_ok=True)
        else:
            _write_journal(journal, owed)
    return result


def _journal_path(snap: pd.DataFrame, store) -> Path:
    import hashlib

    ids = snap["forecast_id"].astype(str) if "forecast_id" in snap.columns else snap["model_version"].astype(str)
    key = "|".join(sorted(str(snap["as_of"].iloc[0]) + i for i in ids))
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return snapshots.history_path(store).parent / f".rescore-pending-{digest}.json"


def _read_journal(path: Path) -> dict | None:
    import json

    if not path.is_file():
        return None
    try:
        return {k: bool(v) for k, v in json.loads(path.read_text()).items()}
    except (ValueError, AttributeError):
        return {"record_run": True, "publish": True}     # unreadable: redo both (both are safe to redo)


def _write_journal(path: Path, owed: dict) -> None:
    import json

    from features.kernel.atomic import write_file_atomic

    write_file_atomic(path, json.dumps({k: v for k, v in owed.items() if not k.startswith("_")}) + "\n")


def _site_has(site_dir, store) -> bool:
    """True if the published site's history already holds every stored snapshot row."""
    site_hist = Path(site_dir) / "history.csv"
    if not site_hist.is_file():
        return False
    try:
        have = set(snapshots._keys(snapshots.read_history(site_hist)))
    except InputError:
        return False
    return set(snapshots._keys(snapshots.read_history(store))) <= have


def _resolve_watchlist(watchlist, cycle: int, table: pd.DataFrame):
    from features.evidence.watchlist import Watchlist, load_watchlist

    if watchlist is None or isinstance(watchlist, Watchlist):
        return watchlist
    if isinstance(watchlist, str) and watchlist == "default":
        path = WATCHLIST_DIR / f"{cycle}.yaml"
        return load_watchlist(path, table) if path.is_file() else None
    return load_watchlist(watchlist, table)


def record_mlflow_run(result: RescoreResult, snapshot: pd.DataFrame) -> str:
    """Log the re-scoring as an MLflow run (``forecasting.tracking``: tag kind=rescore, the project's
    tracking store): the window, states and model as parameters, summary metrics, the snapshot as a
    CSV artifact.  Returns the run id."""
    from forecasting import tracking

    config = {
        "name": "rescore", "now": result.now.isoformat(), "as_of": str(result.as_of.date()),
        "cycle": result.cycle, "window_start": str(result.window[0]), "window_end": str(result.window[1]),
        "states": ",".join(result.states), "model": str(snapshot["model"].iloc[0]),
        "model_version": str(snapshot["model_version"].iloc[0]),
    }
    events = "; ".join(f"{r.state} {r.event} {r.date.date()}" for r in result.events.itertuples())
    run_name = f"rescore {result.as_of.date()} ({len(result.states)} states)"
    with tracking.start_run("rescore", config, run_name=run_name, tags={"events": events[:5000]}) as run:
        tracking.log_metrics({
            "n_races": len(snapshot), "n_new_rows": result.n_new, "mean_p_loss": snapshot["p_loss"].mean(),
            "max_p_loss": snapshot["p_loss"].max(), "expected_losses": snapshot["p_loss"].sum(),
            "share_field_known": snapshot["field_known"].astype(float).mean(),
        })
        tracking.log_frame(snapshot, f"snapshot_{result.cycle}_{result.as_of.date()}.csv")
        return run.info.run_id
