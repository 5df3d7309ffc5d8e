"""The site shows one chosen as-of date and labels simulated snapshots.

On the committed history (``data/snapshots/history.csv``: the 2026 forecast as of 2025-12-31 and a
season replayed on 2026-11-26 from inputs collected to 2025-12-31) the site used to say
"Latest forecast 2026-08-03" and mix each race's latest replayed row into the index.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from features.kernel.errors import InputError
from forecasting.cli import main as cli_main
from forecasting.live import snapshots
from forecasting.live.scoring import default_as_of, inputs_through, score_cycle
from forecasting.publish import publish
from tests.forecasting.live_fixtures import table, toy_model, watchlist  # noqa: F401  (fixtures)

REPLAYED_ON = pd.Timestamp("2026-11-26")         # commit 0d99b80 recorded the season that day


@pytest.fixture(scope="module")
def real_history():
    hist = snapshots.read_history()
    if hist.empty:
        pytest.skip("no committed snapshot history")
    return hist


@pytest.fixture(scope="module")
def real_site(tmp_path_factory, real_history):
    root = tmp_path_factory.mktemp("real")
    return publish(root / "site", real_history, backtest_dir=root / "no-backtest")


def test_the_committed_history_labels_the_replayed_season(real_history, table):
    through = inputs_through(table, 2026)
    assert through == pd.Timestamp("2025-12-31")
    h = snapshots.typed(real_history)
    expected = [snapshots.is_simulated(a, through, REPLAYED_ON) for a in h["as_of"]]
    assert h["simulated"].tolist() == expected
    assert not h.loc[h["as_of"] == through, "simulated"].any()
    assert h.loc[h["as_of"] > through, "simulated"].all() and (h["as_of"] > through).sum() > 0


def test_the_site_shows_the_live_forecast_not_the_simulated_season(real_site, real_history):
    index = (real_site / "index.html").read_text()
    assert "Forecast as of 2025-12-31" in index and "2026-08-03" not in index.split("<main>")[0]
    assert "Latest forecast" not in index
    assert 'id="simulated-banner"' not in index and 'class="tag">simulated' not in index
    n_later = snapshots.as_of_dates(real_history).query("simulated").shape[0]
    assert f"{n_later} later snapshot date(s) in the history are replays" in index
    doc = json.loads((real_site / "forecast.json").read_text())
    # one record per race: the store may hold several forecasts of that date (a re-registered model)
    typed = snapshots.typed(real_history)
    live = typed[typed["as_of"] == "2025-12-31"]
    n_2026 = int(len(live.drop_duplicates(["state", "district", "party", "incumbent"])))
    assert doc["as_of"] == "2025-12-31" and doc["simulated"] is False and len(doc["records"]) == n_2026
    assert {r["as_of"] for r in doc["records"]} == {"2025-12-31"}
    # the race page keeps the whole timeline, with the replayed points labelled
    page = (real_site / "races" / "CA-34-D.html").read_text()
    ca = real_history[(real_history["state"] == "CA") & (real_history["district"] == "34")]
    assert page.count('<tr class="simulated">') == int((ca["simulated"] == "true").sum()) > 0
    assert page.count('class="simulated"><title>') == int((ca["simulated"] == "true").sum())


def test_publish_as_of_a_chosen_date_labels_the_simulated_rows(tmp_path, real_history):
    out = publish(tmp_path / "site", real_history, backtest_dir=tmp_path, as_of="2026-03-09")
    expected = snapshots.latest_snapshot(real_history, as_of="2026-03-09")
    rows = pd.read_csv(out / "forecast.csv", dtype=str, keep_default_na=False)
    assert len(rows) == len(expected) and rows["as_of"].max() == "2026-03-09"
    assert set(rows["as_of"]) <= {d.date().isoformat() for d in pd.to_datetime(
        real_history["as_of"]) if d <= pd.Timestamp("2026-03-09")}
    n_sim = int((rows["simulated"] == "true").sum())
    assert n_sim == int(expected["simulated"].sum()) > 0
    index = (out / "index.html").read_text()
    assert 'id="simulated-banner"' in index and f"{n_sim} of the {len(rows)} forecasts shown" in index
    assert index.count('<span class="tag">simulated</span>') == n_sim
    assert json.loads((out / "forecast.json").read_text())["simulated"] is True


def test_publish_as_of_before_any_snapshot_is_one_clear_error(tmp_path, real_history):
    with pytest.raises(InputError, match="no snapshot on or before 2025-06-01") as err:
        publish(tmp_path / "site", real_history, backtest_dir=tmp_path, as_of="2025-06-01")
    assert err.value.field == "as_of" and not (tmp_path / "site").exists()
    with pytest.raises(InputError, match="not a date"):
        publish(tmp_path / "site", real_history, backtest_dir=tmp_path, as_of="last tuesday")


def test_publish_and_forecast_default_to_the_same_date(real_history, table, tmp_path, capsys):
    assert default_as_of(table, 2026) == snapshots.default_publish_as_of(real_history) == pd.Timestamp("2025-12-31")
    store = tmp_path / "store"
    snapshots.history_path(store).parent.mkdir(parents=True)
    snapshots.history_path(store).write_bytes(snapshots.history_path().read_bytes())
    assert cli_main(["publish", "--out", str(tmp_path / "a"), "--store", str(store),
                     "--backtest-dir", str(tmp_path)]) == 0
    assert "forecast as of 2025-12-31" in capsys.readouterr().out
    assert cli_main(["publish", "--out", str(tmp_path / "b"), "--store", str(store), "--as-of", "2026-03-09",
                     "--backtest-dir", str(tmp_path)]) == 0
    assert "forecast as of 2026-03-09 (simulated)" in capsys.readouterr().out


def test_score_cycle_labels_a_replay_simulated(table, toy_model):
    kw = dict(now=REPLAYED_ON, states=["CA"], explain=False)
    replay = score_cycle(table, toy_model, 2026, "2026-03-09", recorded_on=REPLAYED_ON, **kw)
    assert replay["simulated"].all() and (replay["inputs_through"] == pd.Timestamp("2025-12-31")).all()
    on_inputs_date = score_cycle(table, toy_model, 2026, "2025-12-31", recorded_on=REPLAYED_ON, **kw)
    assert not on_inputs_date["simulated"].any()
    live = score_cycle(table, toy_model, 2026, "2026-03-09", recorded_on="2026-03-09", **kw)
    assert not live["simulated"].any()                   # a live re-scoring on its own day is not a replay
    recs = snapshots.to_records(replay)
    assert set(recs["simulated"]) == {"true"} and set(recs["inputs_through"]) == {"2025-12-31"}
