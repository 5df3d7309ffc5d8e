"""A re-scoring that fails after appending finishes its MLflow run and its publish when re-run."""
from __future__ import annotations

import pandas as pd
import pytest

from forecasting.live import snapshots
from forecasting.pipeline.rescore import rescore
from tests.forecasting.live_fixtures import table, toy_model  # noqa: F401  (fixtures)

NOW = "2025-12-15 07:00"            # NC filing 12-19, MS filing 12-26 (real calendar)


class FlakyRecorder:
    """An MLflow stand-in that is down for the first ``fail`` calls."""

    def __init__(self, fail: int = 1):
        self.fail, self.runs = fail, []

    def __call__(self, result, snapshot):
        if self.fail:
            self.fail -= 1
            raise ConnectionError("tracking server unreachable")
        self.runs.append((result.as_of, len(snapshot)))
        return f"run-{len(self.runs)}"


def _kw(tmp_path, table, toy_model, rec):
    return dict(window="14d", table=table, model=toy_model, watchlist=None, store=tmp_path / "store",
                site_dir=tmp_path / "site", backtest_dir=tmp_path, record_run=rec)


def test_a_failed_mlflow_run_is_logged_and_published_on_rerun(tmp_path, table, toy_model):
    rec = FlakyRecorder(fail=1)
    kw = _kw(tmp_path, table, toy_model, rec)
    with pytest.raises(ConnectionError):
        rescore(NOW, **kw)
    hist = snapshots.read_history(kw["store"])
    assert len(hist) > 0                                     # the snapshot was appended ...
    assert not (kw["site_dir"] / "index.html").exists()      # ... but neither logged nor published
    again = rescore(NOW, **kw)
    assert again.n_new == 0                                  # nothing appended twice
    assert again.run_id == "run-1" and rec.runs == [(pd.Timestamp(NOW[:10]), len(hist))]
    assert again.published == kw["site_dir"].resolve()
    assert len(pd.read_csv(kw["site_dir"] / "history.csv", dtype=str)) == len(hist)
    third = rescore(NOW, **kw)                               # all done: a third run changes nothing
    assert third.run_id is None and third.published is None and len(rec.runs) == 1
    assert not list(kw["store"].glob(".rescore-pending-*"))


def test_a_failed_publish_is_redone_without_logging_twice(tmp_path, table, toy_model, monkeypatch):
    import forecasting.publish as pub

    rec = FlakyRecorder(fail=0)
    kw = _kw(tmp_path, table, toy_model, rec)
    real = pub.publish

    def broken(*a, **k):
        raise OSError("disk full while publishing")

    monkeypatch.setattr(pub, "publish", broken)
    with pytest.raises(OSError):
        rescore(NOW, **kw)
    assert len(rec.runs) == 1
    monkeypatch.setattr(pub, "publish", real)
    again = rescore(NOW, **kw)
    assert again.published == kw["site_dir"].resolve() and again.run_id is None
    assert len(rec.runs) == 1                                # the run was logged once, not twice
