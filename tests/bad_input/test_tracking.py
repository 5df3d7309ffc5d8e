"""The tracking store: a registered model whose stored artifact is gone or damaged is named as such,
not reported as "no model registered"."""
from __future__ import annotations

import shutil

import pytest

from features.kernel.errors import InputError
from forecasting import tracking
from forecasting.live.live_model import load_live_model
from tests.forecasting.live_fixtures import table, toy_model  # noqa: F401  (fixtures)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    return tmp_path


def test_a_deleted_artifact_store_is_named(store, toy_model):
    with tracking.start_run("train", {"name": "toy"}) as run:
        tracking.log_model(toy_model)
    tracking.register_model(run.info.run_id)
    assert load_live_model()[0].name == "toy"
    shutil.rmtree(store / "mlartifacts")
    with pytest.raises(InputError, match="cannot be loaded: its artifact is missing or damaged") as err:
        load_live_model()
    assert "version 1" in str(err.value) and "no model registered" not in str(err.value)


def test_no_registered_model_is_still_said_so(store):
    with pytest.raises(InputError, match="no model registered under alias 'champion'"):
        load_live_model()


def test_a_truncated_model_file_is_named(store, toy_model):
    with tracking.start_run("train", {"name": "toy"}) as run:
        tracking.log_model(toy_model)
    tracking.register_model(run.info.run_id)
    files = [p for p in (store / "mlartifacts").rglob("*") if p.is_file() and p.stat().st_size > 200]
    assert files
    for p in files:                                       # every stored file cut to its first bytes
        p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(InputError, match="cannot be loaded: its artifact is missing or damaged"):
        load_live_model()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]            # closed again when the block ends: nothing listens there


@pytest.mark.parametrize("case, expected", [
    ("server down", "cannot be reached"),
    ("folder is a file", "cannot be opened"),
    ("not a database", "is corrupt"),
])
def test_a_bad_tracking_store_is_one_clear_error_for_train_and_forecast(tmp_path, monkeypatch, capsys, case,
                                                                        expected):
    import time

    from forecasting.cli import main
    from tests.forecasting.model_fixtures import real_table

    if case == "server down":
        uri = f"http://127.0.0.1:{_closed_port()}"
    elif case == "folder is a file":
        (tmp_path / "afile").write_text("not a folder")
        uri = f"sqlite:///{tmp_path / 'afile' / 'mlruns.db'}"
    else:
        db = tmp_path / "mlruns.db"
        db.write_bytes(b"this is not a sqlite file" * 200)
        uri = f"sqlite:///{db}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    real_table()
    for argv in (["train", "--config", "experiments/base_rate.yaml"],
                 ["forecast", "--no-record", "--store", str(tmp_path / "store")]):
        t0 = time.monotonic()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err, (argv, err[-600:])
        assert time.monotonic() - t0 < 60                 # said within seconds, not after minutes of retries
    assert not (tmp_path / "store").exists()
