"""Snapshot identity is the model's content plus the inputs, not the registry version."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from features.kernel.paths import PROJECT_ROOT
from forecasting.live import snapshots
from forecasting.live.scoring import score_cycle
from tests.forecasting.live_fixtures import ToyModel, table, watchlist  # noqa: F401  (fixtures)

NOW = pd.Timestamp("2026-11-26")
STATES = ["CA", "KY", "NY", "MI"]


def _fitted(intercept, table):
    return ToyModel(intercept=intercept).fit(table[table["cycle"] < 2026])


def _score(table, model, version, watchlist=None, as_of="2025-12-31"):
    return score_cycle(table, model, 2026, as_of, watchlist=watchlist, now=NOW, model_version=version,
                       states=STATES, explain=False)


def test_the_same_model_registered_again_adds_nothing(tmp_path, table, watchlist):
    # `make run` twice: train --register makes primary-forecast/1, then /2, of the same fitted model
    first = _score(table, _fitted(-3.0, table), "primary-forecast/1", watchlist)
    assert snapshots.append_snapshot(first, tmp_path) == len(first)
    before = snapshots.history_path(tmp_path).read_bytes()
    again = _score(table, _fitted(-3.0, table), "primary-forecast/2", watchlist)
    assert snapshots.append_snapshot(again, tmp_path) == 0
    assert snapshots.history_path(tmp_path).read_bytes() == before


def test_a_different_model_with_the_same_version_is_recorded(tmp_path, table):
    # another store's primary-forecast/1 is a different model: its forecast must not be dropped
    mine = _score(table, _fitted(-3.0, table), "primary-forecast/1")
    theirs = _score(table, _fitted(-2.0, table), "primary-forecast/1")
    assert not mine["p_loss"].equals(theirs["p_loss"])
    assert snapshots.append_snapshot(mine, tmp_path) == len(mine)
    assert snapshots.append_snapshot(theirs, tmp_path) == len(theirs)
    hist = snapshots.read_history(tmp_path)
    assert hist["forecast_id"].nunique() == len(mine) + len(theirs)


def test_new_inputs_make_a_new_forecast_for_that_row_only(tmp_path, table):
    model = _fitted(-3.0, table)
    plain = _score(table, model, "primary-forecast/1")
    assert snapshots.append_snapshot(plain, tmp_path) == len(plain)
    massie = (table["cycle"] == 2026) & (table["state"] == "KY") & (table["district"] == 4)
    assert massie.sum() == 1
    richer = table.copy()
    richer.loc[massie, "chal_receipts"] = richer.loc[massie, "chal_receipts"].fillna(0) + 2_000_000
    assert snapshots.append_snapshot(_score(richer, model, "primary-forecast/1"), tmp_path) == 1


def test_a_store_from_before_forecast_ids(tmp_path, table):
    model = _fitted(-3.0, table)
    snap = _score(table, model, "primary-forecast/7")
    legacy = snapshots.to_records(snap).drop(columns="forecast_id")
    path = snapshots.history_path(tmp_path)
    legacy.to_csv(path, index=False, lineterminator="\n")
    before = path.read_bytes()
    # the same forecast, re-registered under another version: already recorded, file untouched
    assert snapshots.append_snapshot(_score(table, model, "primary-forecast/8"), tmp_path) == 0
    assert path.read_bytes() == before
    # a different model: the header gains forecast_id, the earlier rows keep every value
    other = _score(table, _fitted(-2.0, table), "primary-forecast/8")
    assert snapshots.append_snapshot(other, tmp_path) == len(other)
    hist = snapshots.read_history(tmp_path)
    assert list(hist.columns) == snapshots.HISTORY_COLUMNS
    old = hist.iloc[:len(legacy)]
    assert (old["forecast_id"] == "").all()
    assert old.drop(columns="forecast_id").reset_index(drop=True).equals(legacy.reset_index(drop=True))


@pytest.mark.slow
def test_make_run_twice_changes_no_tracked_file(tmp_path):
    """`primary-forecast run-all` twice in a fresh clone: the second run changes no tracked file."""
    root = PROJECT_ROOT
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--local", str(root), str(clone)], check=True)
    env = {**os.environ, "PYTHONPATH": str(clone), "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/mlruns.db"}
    cmd = [sys.executable, "-m", "forecasting.cli", "run-all"]

    def run():
        subprocess.run(cmd, cwd=clone, env=env, check=True, capture_output=True)
        return subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True,
                              check=True).stdout, (clone / "data/snapshots/history.csv").read_bytes()

    first = run()
    second = run()
    assert second == first
    shutil.rmtree(clone / "site", ignore_errors=True)


def test_a_watchlist_edit_of_one_race_re_records_that_race_only(table, tmp_path):
    """Adding a challenger to CA-34's watchlist entry changes CA-34's forecast id and no other race's,
    so the next forecast records one row, not the whole cycle."""
    from features.evidence.watchlist import load_watchlist
    from features.kernel.paths import WATCHLIST_DIR
    from features.view.asof import live_view
    from forecasting.live.scoring import forecast_ids
    from tests.forecasting.live_fixtures import ToyModel

    text = (WATCHLIST_DIR / "2026.yaml").read_text()
    edited = text.replace("      - name: Angela Gonzales-Torres\n", "      - name: Rob Lucero\n        date: 2025-12-31\n"
                          "        source: https://www.fec.gov/data/candidate/H6CA34294/\n"
                          "      - name: Angela Gonzales-Torres\n", 1)
    assert edited != text
    (tmp_path / "w.yaml").write_text(edited)
    rows = table[table["cycle"] == 2026].reset_index(drop=True)
    model = ToyModel().fit(table)
    when = pd.Timestamp("2025-12-31")
    before = live_view(rows, when, load_watchlist(WATCHLIST_DIR / "2026.yaml", table))
    after = live_view(rows, when, load_watchlist(tmp_path / "w.yaml", table))
    changed = [i for i, (a, b) in enumerate(zip(forecast_ids(model, before), forecast_ids(model, after))) if a != b]
    assert [(after["state"].iloc[i], int(after["district"].iloc[i])) for i in changed] == [("CA", 34)]
