"""Scheduled re-scoring with an injected clock: a simulated 2026 season, idempotence, concurrency,
the cron matcher and scheduler, and the printed crontab/systemd entries."""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp

import pandas as pd
import pytest

from features.kernel.errors import InputError
from features.view.asof import as_of_view
from forecasting.cli import main as cli_main
from forecasting.live import snapshots
from forecasting.pipeline.rescore import cycle_for, events_in_window, parse_duration, rescore
from forecasting.pipeline.scheduler import (
    CronExpr,
    Scheduler,
    Trigger,
    cron_to_oncalendar,
    crontab_entry,
    systemd_units,
)
from tests.forecasting.live_fixtures import table, toy_model, watchlist  # noqa: F401  (fixtures)

# --now dates around real 2026 deadlines and primaries (curated calendar):
SEASON = {
    "2025-12-01 07:00": {"TX"},                 # TX filing closes 2025-12-08
    "2025-12-15 07:00": {"NC", "MS"},           # NC filing 12-19, MS filing 12-26
    "2026-02-27 07:00": {"CA", "TX", "NC"},     # CA filing 03-06; TX and NC primaries 03-03 (subset shown)
    "2026-05-25 07:00": {"CA", "NJ", "IA"},     # CA, NJ, IA primaries 06-02
}


class Recorder:
    def __init__(self):
        self.runs = []

    def __call__(self, result, snapshot):
        self.runs.append((result.as_of, len(snapshot)))
        return f"run-{len(self.runs)}"


def test_parse_duration_and_cycle():
    assert parse_duration("14d") == pd.Timedelta(days=14)
    assert parse_duration("2w") == pd.Timedelta(days=14)
    assert parse_duration("36h") == pd.Timedelta(hours=36)
    with pytest.raises(InputError, match="not a duration") as err:
        parse_duration("two weeks")
    assert err.value.field == "window"
    assert cycle_for(pd.Timestamp("2025-12-01")) == 2026 and cycle_for(pd.Timestamp("2026-03-01")) == 2026


def test_events_in_window_use_the_real_calendar(table):
    ev = events_in_window(2026, pd.Timestamp("2026-02-27"), pd.Timestamp("2026-03-13"), table=table)
    got = {(r.state, r.event, r.date.date().isoformat()) for r in ev.itertuples()}
    assert ("CA", "filing deadline", "2026-03-06") in got
    assert ("TX", "primary", "2026-03-03") in got and ("NC", "primary", "2026-03-03") in got
    assert ("MS", "primary", "2026-03-10") in got
    late = events_in_window(2026, pd.Timestamp("2026-03-20"), pd.Timestamp("2026-04-10"), table=table)
    assert ("MS", "runoff", "2026-04-07") in {(r.state, r.event, r.date.date().isoformat()) for r in late.itertuples()}


def test_a_simulated_season(tmp_path, table, toy_model, watchlist):
    store, site = tmp_path / "store", tmp_path / "site"
    rec = Recorder()
    kw = dict(window="14d", table=table, model=toy_model, watchlist=watchlist, store=store, site_dir=site,
              backtest_dir=tmp_path, record_run=rec)
    results = {now: rescore(now, **kw) for now in SEASON}
    for now, expected in SEASON.items():
        res = results[now]
        assert expected <= set(res.states), now
        rows = table[(table["cycle"] == 2026) & table["state"].isin(res.states)]
        assert res.n_scored == len(as_of_view(rows, res.as_of))          # the members sitting that day
        assert res.n_new == res.n_scored and res.published == site.resolve()
    hist = snapshots.read_history(store)
    # one snapshot per --now date, each holding exactly the states in that window
    assert sorted(hist["as_of"].unique()) == [d[:10] for d in sorted(SEASON)]
    for now, res in results.items():
        assert set(hist.loc[hist["as_of"] == now[:10], "state"]) == set(res.states)
    assert [r[0] for r in rec.runs] == [pd.Timestamp(d[:10]) for d in SEASON]
    # CA as of 2026-02-27: filing still open; as of 2026-05-25 the known field decides where known
    ca34 = hist[(hist["state"] == "CA") & (hist["district"] == "34")].set_index("as_of")
    assert ca34.loc["2026-02-27", "field_known"] == "false" and ca34.loc["2026-05-25", "field_known"] == "true"
    site_hist = pd.read_csv(site / "history.csv", dtype=str)
    assert len(site_hist) == len(hist)

    # re-running a date changes nothing: no new rows, no MLflow run, no re-publish
    before = snapshots.history_path(store).read_bytes()
    site_mtime = (site / "index.html").stat().st_mtime_ns
    again = rescore("2026-02-27 18:30", **kw)
    assert again.n_new == 0 and again.run_id is None and again.published is None
    assert snapshots.history_path(store).read_bytes() == before
    assert (site / "index.html").stat().st_mtime_ns == site_mtime
    assert len(rec.runs) == len(SEASON)


def test_a_quiet_window_does_nothing(tmp_path, table, toy_model):
    res = rescore("2026-10-15 07:00", table=table, model=toy_model, store=tmp_path, record_run=None)
    assert res.states == [] and res.n_scored == 0
    assert not snapshots.history_path(tmp_path).exists()


def _rescore_worker(now, store, site, tbl, model, barrier, out):
    barrier.wait()
    res = rescore(now, table=tbl, model=model, watchlist=None, store=store, site_dir=site, record_run=None)
    out.put(res.n_new)


def test_concurrent_runs_are_serialised(tmp_path, table, toy_model):
    store, site = tmp_path / "store", tmp_path / "site"
    ctx = mp.get_context("fork")
    n = 3
    barrier, out = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_rescore_worker,
                         args=("2026-02-27 07:00", store, site, table, toy_model, barrier, out)) for _ in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    added = sorted(out.get(timeout=5) for _ in range(n))
    assert added[:-1] == [0] * (n - 1) and added[-1] > 0
    hist = snapshots.read_history(store)
    assert len(hist) == added[-1] and not hist.duplicated(snapshots.SNAPSHOT_KEY).any()
    assert len(pd.read_csv(site / "history.csv")) == len(hist)


def test_mlflow_run_is_recorded(tmp_path, monkeypatch, table, toy_model):
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)          # artifacts go beside it (tracking.py)
    res = rescore("2025-12-01 07:00", table=table, model=toy_model, watchlist=None, store=tmp_path / "s")
    assert res.run_id
    run = mlflow.get_run(res.run_id)
    assert run.data.tags["kind"] == "rescore" and "TX filing deadline 2025-12-08" in run.data.tags["events"]
    assert run.data.params["as_of"] == "2025-12-01" and run.data.params["states"] == "TX"
    assert run.data.metrics["n_races"] == res.n_scored
    assert list((tmp_path / "mlartifacts").rglob("snapshot_2026_2025-12-01.csv"))

    # the registry: no champion yet -> one clear error; registered -> scored under its version
    from forecasting import tracking
    from forecasting.live.live_model import load_live_model

    with pytest.raises(InputError, match="no model registered under alias 'champion'"):
        load_live_model()
    with tracking.start_run("train", {"name": "toy"}) as train_run:
        tracking.log_model(toy_model)
    tracking.register_model(train_run.info.run_id)
    model, version = load_live_model()
    # named the same on every machine: the model's name and content hash (not the registry's number)
    from forecasting.models.identity import model_content_hash
    assert version == f"toy#{model_content_hash(model)[:16]}" and model.name == "toy"
    assert model.registry_version_ == "primary-forecast/1"
    res = rescore("2025-12-15 07:00", table=table, model=None, watchlist=None, store=tmp_path / "s",
                  record_run=None)
    assert res.model_version == version and res.n_new == res.n_scored > 0


# ---- the cron matcher and the scheduler ------------------------------------------------------
def test_cron_expressions():
    daily = CronExpr.parse("0 6 * * *")
    assert daily.matches(dt.datetime(2026, 3, 6, 6, 0)) and not daily.matches(dt.datetime(2026, 3, 6, 6, 1))
    assert daily.next_after(dt.datetime(2026, 3, 6, 6, 0)) == dt.datetime(2026, 3, 7, 6, 0)
    assert daily.next_after(dt.datetime(2026, 12, 31, 23, 0)) == dt.datetime(2027, 1, 1, 6, 0)
    weekdays = CronExpr.parse("*/15 9-17 * * mon-fri")
    assert weekdays.next_after(dt.datetime(2026, 3, 7, 12, 0)) == dt.datetime(2026, 3, 9, 9, 0)  # Sat -> Mon
    assert weekdays.next_after(dt.datetime(2026, 3, 9, 9, 7)) == dt.datetime(2026, 3, 9, 9, 15)
    either = CronExpr.parse("0 0 1 * 0")                  # cron ORs the two day fields
    assert either.matches(dt.datetime(2026, 3, 1)) and either.matches(dt.datetime(2026, 3, 8))
    assert CronExpr.parse("0 0 29 2 *").next_after(dt.datetime(2026, 3, 1)) == dt.datetime(2028, 2, 29)
    assert CronExpr.parse("@daily").next_after(dt.datetime(2026, 1, 1, 5)) == dt.datetime(2026, 1, 2)
    for bad in ("0 6 * *", "61 * * * *", "0 6 * * funday", "*/0 * * * *"):
        with pytest.raises(InputError):
            CronExpr.parse(bad)


class FakeClock:
    def __init__(self, start):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += dt.timedelta(seconds=seconds)


def test_scheduler_with_an_injected_clock():
    clock = FakeClock(dt.datetime(2026, 2, 25, 12, 0))
    calls = []

    def job(when):
        calls.append(when)
        if when.day == 27:
            raise RuntimeError("registry unreachable")
        return when.date()

    sched = Scheduler([Trigger("rescore", CronExpr.parse("0 6 * * *"), job)], clock=clock, sleep=clock.sleep)
    fired = sched.run(until=dt.datetime(2026, 3, 3, 23, 59))
    assert calls == [dt.datetime(2026, m, d, 6, 0) for m, d in
                     [(2, 26), (2, 27), (2, 28), (3, 1), (3, 2), (3, 3)]]
    assert [f.error is not None for f in fired] == [False, True, False, False, False, False]
    assert max(clock.sleeps) <= sched.max_sleep and clock.now >= dt.datetime(2026, 3, 3, 6, 0)
    assert len(sched.run(max_runs=2)) == 2


def test_scheduler_drives_a_season(tmp_path, table, toy_model):
    store = tmp_path / "store"
    clock = FakeClock(dt.datetime(2026, 3, 1, 0, 0))
    job = lambda when: rescore(when, table=table, model=toy_model, watchlist=None, store=store,  # noqa: E731
                               record_run=None, window="3d")
    sched = Scheduler([Trigger("rescore", CronExpr.parse("0 6 * * *"), job)], clock=clock, sleep=clock.sleep)
    fired = sched.run(max_runs=5)
    assert all(f.error is None for f in fired)
    hist = snapshots.read_history(store)
    busy = [f.at.date().isoformat() for f in fired if f.result.states]
    assert len(busy) >= 4 and sorted(hist["as_of"].unique()) == busy


def test_print_cron(capsys):
    assert cron_to_oncalendar("0 6 * * *") == "*-*-* 06:00:00"
    assert cron_to_oncalendar("30 5 * 1-6 mon,thu") == "Mon,Thu *-01,02,03,04,05,06-* 05:30:00"
    assert crontab_entry().splitlines()[1].startswith("0 6 * * * cd ")
    assert "OnCalendar=*-*-* 06:00:00" in systemd_units()
    assert cli_main(["schedule", "--print-cron", "--window", "10d"]) == 0
    out = capsys.readouterr().out
    assert "rescore --window 10d --lookback 3d --out site" in out and "[Timer]" in out and "Persistent=true" in out


def test_rescore_command(tmp_path, capsys):
    from tests.forecasting.live_fixtures import TABLE_CSV

    args = ["rescore", "--now", "2025-12-15T07:00", "--window", "14d", "--model", "base_rate",
            "--table", str(TABLE_CSV), "--store", str(tmp_path / "s"), "--out", str(tmp_path / "site"),
            "--no-mlflow"]
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    assert "NC filing deadline 2025-12-19" in out and "published" in out
    assert cli_main(args[:4] + ["2 weeks"] + args[5:]) == 2
    assert "not a duration" in capsys.readouterr().err
    assert cli_main(args[:2] + ["2099-01-01T06:00"] + args[3:]) == 2
    assert "is in the future" in capsys.readouterr().err


def test_step_day_fields_follow_cron():
    """`*/2` in a day field counts as `*` for cron's day rule: odd-numbered days that are Mondays,
    not every odd day plus every Monday (what the hand-written parser did)."""
    expr = CronExpr.parse("0 6 */2 * mon")
    fires, t = [], dt.datetime(2026, 3, 1)
    for _ in range(4):
        t = expr.next_after(t)
        fires.append(t)
    assert fires == [dt.datetime(2026, 3, 9, 6), dt.datetime(2026, 3, 23, 6), dt.datetime(2026, 4, 13, 6),
                     dt.datetime(2026, 4, 27, 6)]
    assert all(f.day % 2 == 1 and f.weekday() == 0 for f in fires)
    assert not expr.matches(dt.datetime(2026, 3, 3, 6)) and not expr.matches(dt.datetime(2026, 3, 2, 6))
    assert cron_to_oncalendar("0 6 */2 * mon").startswith("Mon ")       # ANDed days: systemd can say it
    with pytest.raises(InputError, match="no OnCalendar equivalent"):
        cron_to_oncalendar("0 6 1,15 * mon")                              # ORed lists: it cannot


def test_progress_shows_each_step(tmp_path, table, toy_model, capsys):
    rec = Recorder()
    res = rescore("2025-12-01 07:00", table=table, model=toy_model, watchlist=None, store=tmp_path / "s",
                  site_dir=tmp_path / "site", backtest_dir=tmp_path, record_run=rec, progress=True)
    err = capsys.readouterr().err
    assert res.n_new == res.n_scored > 0 and rec.runs
    assert f"rescore {len(res.states)} states" in err and "5/5" in err and "publishing" in err
    rescore("2025-12-01 07:00", table=table, model=toy_model, watchlist=None, store=tmp_path / "s2",
            record_run=None)
    assert capsys.readouterr().err == ""                  # no bar unless asked (logs, cron)
