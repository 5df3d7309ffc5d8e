"""MLflow tracking on a throw-away SQLite store: runs, model artifact, registry alias, backtest runs."""
import pandas as pd
import pytest

from forecasting import tracking
from forecasting.evaluation.backtest import run_backtest
from forecasting.evaluation.scoreboard import reliability, scoreboard
from forecasting.models.registry import make_model
from tests.forecasting.model_fixtures import pre_primary_view, real_table


@pytest.fixture
def store(tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return tmp_path


def test_default_store_is_the_project_sqlite(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    from features.kernel.paths import PROJECT_ROOT
    assert tracking.tracking_uri() == f"sqlite:///{PROJECT_ROOT / 'mlruns.db'}"
    assert tracking.artifact_location() == (PROJECT_ROOT / "mlartifacts").as_uri()


def test_train_run_register_and_load_champion(store):
    view = pre_primary_view()
    train = view[view["cycle"].isin([2016, 2018]) & view["lost"].notna()]
    model = make_model("logit").fit(train)
    with tracking.start_run("train", {"name": "logit-test", "model": "logit"}, tags={"model": "logit"}) as run:
        tracking.log_metrics({"n_train": len(train), "bad": float("nan")})
        tracking.log_frame(model.coef_table_, "coef_table.csv")
        uri = tracking.log_model(model)
    assert uri.startswith("models:/")
    import mlflow
    got = mlflow.MlflowClient().get_run(run.info.run_id)
    assert got.data.tags["kind"] == "train" and got.data.tags["git_commit"]
    assert "data_manifest_sha256" in got.data.tags and got.data.metrics["n_train"] == len(train)
    assert (store / "mlartifacts").is_dir()                       # artifacts beside the database
    assert tracking.register_model(run.info.run_id) == "1"
    champion = tracking.load_champion()
    test = view[view["cycle"] == 2020]
    pd.testing.assert_frame_equal(champion.predict(test), model.predict(test))
    assert tracking.champion_info()["run_id"] == run.info.run_id


def test_register_refuses_a_run_without_model(store):
    with tracking.start_run("backtest", {"name": "x"}) as run:
        pass
    with pytest.raises(ValueError, match="logged no model"):
        tracking.register_model(run.info.run_id)


def test_backtest_run_logged_with_children_and_best_model(store):
    table = real_table()
    result = run_backtest(table, {"logit": lambda: make_model("logit")}, money_modes=["preprimary"],
                          cycles=[2022])
    board = scoreboard(result.predictions, result.timings)
    config = {"name": "comparison", "kind": "comparison"}
    run_id = tracking.log_backtest(config, result.timings, board,
                                   reliability(result.predictions), last_models=result.last_models,
                                   log_models=False)
    import mlflow
    client = mlflow.MlflowClient()
    parent = client.get_run(run_id)
    assert "logit.preprimary.day_before.brier_skill" in parent.data.metrics
    assert parent.data.tags["comparison"] == "true"
    children = client.search_runs([parent.info.experiment_id], f"tags.mlflow.parentRunId = '{run_id}'")
    assert {c.data.tags["model"] for c in children} == {"base_rate", "pair_base_rate", "logit"}
    history = client.get_metric_history(children[0].info.run_id, "brier")
    assert [m.step for m in history] == [2022]
    assert tracking.best_from_last_comparison() == ("logit", run_id)


def test_train_and_register_commands(store, capsys):
    real_table()
    from forecasting.cli import main
    assert main(["train", "--config", "experiments/base_rate.yaml"]) == 0
    run = tracking.last_run("train", model="base_rate")
    assert run is not None and run.data.tags["money_mode"] == "preprimary"
    # the run spans the fit (it opens before it), and carries the model's out-of-sample scores
    duration = (run.info.end_time - run.info.start_time) / 1000
    assert duration >= run.data.metrics["fit_seconds"] > 0
    board = pd.read_csv("reports/backtest/scoreboard.csv")
    pooled = board[(board["model"] == "base_rate") & (board["cycle"] == "pooled")
                   & (board["money_mode"] == "preprimary") & (board["horizon"] == "year_end")]
    assert run.data.metrics["backtest.year_end.auc"] == pytest.approx(float(pooled["auc"].iloc[0]))
    assert main(["register", "--run-id", run.info.run_id, "--alias", "candidate"]) == 0
    assert tracking.champion_info(alias="candidate")["run_id"] == run.info.run_id
    import mlflow
    client = mlflow.MlflowClient()
    version = client.get_model_version_by_alias(tracking.REGISTERED_MODEL, "candidate")
    assert "Out of sample" in version.description and "year_end" in version.description
    assert client.get_registered_model(tracking.REGISTERED_MODEL).description
    # --best needs a comparison backtest first: one clear error, exit code 2
    assert main(["register", "--best"]) == 2
    assert "comparison backtest" in capsys.readouterr().err


def test_registered_bayes_model_loads_from_netcdf(tmp_path, monkeypatch):
    """The Bayesian model saves its posterior as NetCDF; the registry must load it back by alias."""
    import mlflow
    import numpy as np

    from features.table.store import load_table
    from forecasting import tracking
    from forecasting.evaluation.backtest import backtest_view
    from forecasting.models.bayes import BayesHurdleModel

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/t.db")
    view = backtest_view(load_table(), "preprimary")
    view = view[view.cycle.isin([2016, 2018])]
    model = BayesHurdleModel(sampler_config={"draws": 30, "tune": 30, "chains": 1, "sampler": "pymc"},
                             random_seed=1).fit(view)
    tracking.setup()
    with mlflow.start_run() as run:
        tracking.log_model(model)
    tracking.register_model(run.info.run_id)
    loaded = tracking.load_champion()
    assert isinstance(loaded, BayesHurdleModel)
    assert np.allclose(model.predict(view.head(20))["p_loss"], loaded.predict(view.head(20))["p_loss"])
