"""The snapshot store keeps what the user gave it: its file mode, a symlink's target, and text that a
spreadsheet would run as a formula is stored and published quoted (OWASP CSV injection)."""
from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from forecasting.live import snapshots
from forecasting.publish.feeds import write_forecast_csv, write_history_csv

EVIL = '=HYPERLINK("http://evil.example","click")'


def _snapshot(incumbent="Jimmy Gomez", challengers="Angela Gonzales-Torres", as_of="2025-12-31",
              forecast_id="f1", p_loss=0.013) -> pd.DataFrame:
    """One CA-34 2026 snapshot row (the race that started the project)."""
    return pd.DataFrame([{
        "cycle": 2026, "as_of": pd.Timestamp(as_of), "state": "CA", "district": 34, "party": "D",
        "incumbent": incumbent, "challengers": challengers, "p_loss": p_loss, "share_p10": 0.4,
        "share_p50": 0.6, "share_p90": 0.8, "model": "ensemble_bayes", "model_version": "ensemble_bayes@abc",
        "forecast_id": forecast_id}])


def test_an_append_keeps_the_stores_mode(tmp_path):
    store = tmp_path / "history.csv"
    snapshots.append_snapshot(_snapshot(forecast_id="a"), store)
    os.chmod(store, 0o644)
    snapshots.append_snapshot(_snapshot(forecast_id="b"), store)
    assert stat.S_IMODE(store.stat().st_mode) == 0o644
    os.chmod(store, 0o640)
    snapshots.append_snapshot(_snapshot(forecast_id="c"), store)
    assert stat.S_IMODE(store.stat().st_mode) == 0o640
    assert len(snapshots.read_history(store)) == 3


def test_a_store_that_is_a_symlink_stays_a_symlink(tmp_path):
    real = tmp_path / "shared" / "history.csv"
    real.parent.mkdir()
    snapshots.append_snapshot(_snapshot(forecast_id="a"), real)
    link = tmp_path / "history.csv"
    link.symlink_to(real)
    snapshots.append_snapshot(_snapshot(forecast_id="b"), link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert len(snapshots.read_history(real)) == 2


@pytest.mark.parametrize("name", [EVIL, "+1-555-0100", "-2+3", "@SUM(A1:A9)"])
def test_formula_text_is_quoted_in_the_store_and_the_feeds(tmp_path, name):
    store = tmp_path / "history.csv"
    snapshots.append_snapshot(_snapshot(challengers=name), store)
    assert pd.read_csv(store, dtype=str, keep_default_na=False)["challengers"].iloc[0] == "'" + name
    history = snapshots.read_history(store)
    write_history_csv(history, tmp_path / "feed_history.csv")
    forecast = history.assign(**{c: None for c in ("p_loss_prev", "as_of_prev", "p_loss_change")})
    from forecasting.publish.feeds import forecast_records
    write_forecast_csv(forecast_records(forecast), tmp_path / "forecast.csv")
    for f in ("feed_history.csv", "forecast.csv"):
        cells = pd.read_csv(tmp_path / f, dtype=str, keep_default_na=False)["challengers"]
        assert cells.iloc[0] == "'" + name                    # quoted once, not twice


def test_ordinary_names_are_stored_as_they_are(tmp_path):
    store = tmp_path / "history.csv"
    snapshots.append_snapshot(_snapshot(), store)
    row = pd.read_csv(store, dtype=str, keep_default_na=False).iloc[0]
    assert row["incumbent"] == "Jimmy Gomez" and row["challengers"] == "Angela Gonzales-Torres"


def test_a_deleted_store_is_not_republished_from_the_sites_copy(tmp_path):
    """The site's own history.csv never stands in for the store: with the store gone, publish refuses
    and the published site is left as it was."""
    from features.kernel.errors import InputError
    from forecasting.publish import publish

    store = tmp_path / "store"
    snapshots.append_snapshot(_snapshot(), store)
    site = tmp_path / "site"
    publish(site, store, backtest_dir=tmp_path / "no-backtest")
    before = (site / "history.csv").read_bytes()
    (store / "history.csv").unlink()
    with pytest.raises(InputError, match="store is missing") as err:
        publish(site, store, backtest_dir=tmp_path / "no-backtest")
    assert err.value.file == str(store / "history.csv")
    assert (site / "history.csv").read_bytes() == before


def test_a_byte_order_mark_written_by_a_spreadsheet_is_accepted(tmp_path):
    store = tmp_path / "history.csv"
    snapshots.append_snapshot(_snapshot(forecast_id="a"), store)
    store.write_bytes(b"\xef\xbb\xbf" + store.read_bytes())
    assert list(snapshots.read_history(store)["cycle"]) == ["2026"]
    assert snapshots.append_snapshot(_snapshot(forecast_id="b"), store) == 1
    assert len(snapshots.read_history(store)) == 2
