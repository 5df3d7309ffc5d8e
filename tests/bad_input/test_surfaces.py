"""Bad input found by trying the tools as a careless or hostile user would: one clear
error naming the file, row and field, and nothing written where it should not be."""
from __future__ import annotations

import sqlite3
import threading

import pandas as pd
import pytest

from features.evidence.watchlist import load_watchlist
from features.kernel.errors import InputError
from features.kernel.paths import WATCHLIST_DIR
from forecasting.live import snapshots
from tests.forecasting.live_fixtures import table, toy_model  # noqa: F401  (fixtures)

REAL = (WATCHLIST_DIR / "2026.yaml").read_text(encoding="utf-8")
CA34 = REAL[REAL.index("  - state: CA"):]                   # the CA-34 entry (the file's only race)


def _write(tmp_path, text: str | bytes):
    path = tmp_path / "watch.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_the_real_watchlist_still_loads(table):
    assert len(load_watchlist(WATCHLIST_DIR / "2026.yaml", table).races) >= 1


def test_a_duplicate_race_is_an_error(tmp_path):
    path = _write(tmp_path, REAL.rstrip("\n") + "\n" + CA34 + "\n")
    with pytest.raises(InputError, match="duplicate race: CA-34 D") as err:
        load_watchlist(path)
    assert err.value.field == "district" and "races[" in str(err.value.row)


def test_a_duplicate_yaml_key_is_an_error(tmp_path):
    text = REAL.replace("    party: D\n    incumbent: Jimmy Gomez\n",
                        "    party: D\n    party: R\n    incumbent: Jimmy Gomez\n", 1)
    assert text != REAL
    line = text[:text.index("    party: R")].count("\n") + 1
    with pytest.raises(InputError, match="duplicate key") as err:
        load_watchlist(_write(tmp_path, text))
    assert err.value.field == "party" and err.value.row == f"line {line}"


def test_an_impossible_date_is_a_clear_error(tmp_path):
    text = REAL.replace("date: 2025-12-31          # on file", "date: 2025-02-30          # on file", 1)
    assert text != REAL
    with pytest.raises(InputError, match="not a date: '2025-02-30'") as err:
        load_watchlist(_write(tmp_path, text))
    assert err.value.field == "challengers[0].date" and "CA-34" in err.value.row


def test_non_utf8_bytes_are_a_clear_error(tmp_path):
    data = REAL.encode("utf-8").replace(b"Angela Gonzales-Torres", b"Angela Gonz\xe1les-Torres", 1)
    line = data[:data.index(b"\xe1")].count(b"\n") + 1
    with pytest.raises(InputError, match="not UTF-8 text: byte 0xe1") as err:
        load_watchlist(_write(tmp_path, data))
    assert err.value.row == f"line {line}"


def test_a_state_from_history_is_never_a_path(tmp_path, table, toy_model):
    from forecasting.live.scoring import score_cycle
    from forecasting.publish import publish

    snap = score_cycle(table, toy_model, 2026, "2025-12-31", now=pd.Timestamp("2026-11-26"), states=["KY"],
                       explain=False)
    store = tmp_path / "store"
    snapshots.append_snapshot(snap, store)
    path = snapshots.history_path(store)
    hist = pd.read_csv(path, dtype=str, keep_default_na=False)
    hist.loc[0, "state"] = "../../pwned"
    hist.to_csv(path, index=False)
    with pytest.raises(InputError, match="not a valid state") as err:
        publish(tmp_path / "out" / "site", store, backtest_dir=tmp_path)
    assert err.value.field == "state" and err.value.row == 1
    frame = hist.copy()                                          # handed over as a DataFrame too
    with pytest.raises(InputError, match="not a valid state"):
        publish(tmp_path / "out" / "site", frame, backtest_dir=tmp_path)
    assert not list(tmp_path.rglob("pwned*")) and not (tmp_path / "out" / "site").exists()


def test_a_corrupt_tracking_store_is_reported_as_corrupt(tmp_path, monkeypatch):
    from forecasting.live.live_model import load_live_model

    db = tmp_path / "mlruns.db"
    db.write_bytes(b"this is not a sqlite file" * 200)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{db}")
    with pytest.raises(InputError, match="corrupt") as err:
        load_live_model()
    assert "no model registered" not in str(err.value) and err.value.file == str(db)


def test_a_locked_tracking_store_is_reported_as_locked(tmp_path, monkeypatch):
    from forecasting.live.live_model import load_live_model

    db = tmp_path / "mlruns.db"
    sqlite3.connect(db).execute("create table held(x)").connection.commit()
    locked, release = threading.Event(), threading.Event()

    def hold():
        con = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        con.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(120)
        con.rollback()

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    locked.wait(10)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{db}")
    try:
        with pytest.raises(InputError, match="locked by another process"):
            load_live_model()
    finally:
        release.set()
        t.join(10)
