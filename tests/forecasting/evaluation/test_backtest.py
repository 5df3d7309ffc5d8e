"""The rolling-origin backtest: the as-of rule holds in every fold, scoring and scoreboard files."""
import numpy as np
import pandas as pd
import pytest

from features.kernel.constants import BACKTEST_CYCLES
from features.view.asof import AsOfViolation, as_of_view, assert_as_of
from features.view.matrix import source_columns
from forecasting.evaluation.backtest import fold_views, hide_field, run_backtest
from forecasting.evaluation.reports import write_scoreboard
from forecasting.evaluation.scoreboard import CONTRACT_COLUMNS, POOLED, read_predictions, scoreboard, write_predictions
from forecasting.models.registry import make_model
from tests.forecasting.model_fixtures import pre_primary_view, real_table, row


@pytest.mark.parametrize("money", ["preprimary", "none"])
def test_as_of_rule_in_every_fold(money):
    table = real_table()
    view = pre_primary_view(money)
    cols = source_columns()
    for cycle in BACKTEST_CYCLES:
        train, test = fold_views(table, cycle, money, view=view)      # asserts inside
        assert len(train) and len(test)
        assert train["cycle"].max() < cycle and (test["cycle"] == cycle).all()
        assert_as_of(train, cols)
        assert_as_of(test, cols)
        # every training outcome was settled before the first forecast of the test cycle
        assert pd.to_datetime(train["primary_date"]).max() < pd.to_datetime(test["as_of"]).min()
        # pre-primary money really is pre-primary
        if money == "preprimary" and "money_cvg_end" in test.columns:
            used = test["inc_receipts"].notna()
            assert (pd.to_datetime(test.loc[used, "money_cvg_end"]) <= test.loc[used, "as_of"]).all()
        if money == "none":
            assert test[["inc_receipts", "chal_receipts"]].isna().all().all()


def test_year_end_money_is_the_documented_leak():
    table = real_table()
    view = as_of_view(table, money="yearend")
    past = view[(view["cycle"] < 2026) & view["inc_receipts"].notna()]
    with pytest.raises(AsOfViolation, match="money"):
        assert_as_of(past, source_columns())


def test_a_late_dated_feature_in_training_is_caught():
    table = real_table()
    view = pre_primary_view()
    crowley = row(view, 2018, "NY", 14, "D").name
    view.loc[crowley, "inc_receipts"] = 1.0e6
    view.loc[crowley, "money_cvg_end"] = pd.Timestamp("2018-12-31")   # after the 2018-06-26 primary
    with pytest.raises(AsOfViolation, match="NY-14 2018"):
        fold_views(table, 2020, "preprimary", view=view)


def test_hide_field_blanks_the_field():
    test = pre_primary_view()
    test = test[test["cycle"] == 2022].head(30)
    hidden = hide_field(test)
    assert (~hidden["field_known"].astype(bool)).all()
    assert hidden["contested"].isna().all() and hidden["n_candidates"].isna().all()


@pytest.fixture(scope="module")
def small_result():
    table = real_table()
    return run_backtest(table, {"logit": lambda: make_model("logit")}, money_modes=["preprimary", "none"],
                        cycles=[2020, 2022])


def test_backtest_adds_the_reference_and_scores(small_result):
    pred = small_result.predictions
    assert set(pred["model"]) == {"base_rate", "pair_base_rate", "logit"}
    assert set(pred["cycle"]) == {2020, 2022}
    board = scoreboard(pred, small_result.timings)
    assert set(CONTRACT_COLUMNS) <= set(board.columns) and "money_mode" in board.columns
    pooled = board[(board["cycle"] == POOLED) & (board["money_mode"] == "preprimary")].set_index("model")
    assert pooled.loc["base_rate", "brier_skill"] == 0.0
    assert pooled.loc["logit", "n_lost"] == pred[(pred["model"] == "logit")
                                                 & (pred["money_mode"] == "preprimary")]["y"].sum()
    assert np.isfinite(pooled.loc["logit", ["brier", "log_loss", "auc", "share_mae"]].astype(float)).all()


def test_scoreboard_files(small_result, tmp_path):
    paths = write_scoreboard(small_result.predictions, small_result.timings, tmp_path, header={"data": "real"})
    for name in ("scoreboard.csv", "scoreboard.md", "reliability.csv", "calibration.png", "timings.csv",
                 "predictions.csv.gz"):
        assert paths[name].is_file() and paths[name].stat().st_size > 0
    # the predictions are gzip-compressed, byte-for-byte reproducible, and read back to the same scores
    gz = paths["predictions.csv.gz"].read_bytes()
    assert gz[:2] == b"\x1f\x8b" and not (tmp_path / "predictions.csv").exists()
    write_predictions(small_result.predictions, tmp_path / "again.csv.gz")
    assert (tmp_path / "again.csv.gz").read_bytes() == gz
    back = read_predictions(tmp_path)
    assert len(back) == len(small_result.predictions)
    pooled = scoreboard(back).set_index(["model", "money_mode", "cycle"])["brier_skill"]
    first = scoreboard(small_result.predictions).set_index(["model", "money_mode", "cycle"])["brier_skill"]
    pd.testing.assert_series_equal(pooled, first, atol=1e-4)
    csv = pd.read_csv(paths["scoreboard.csv"])
    assert (csv["cycle"].astype(str) == POOLED).sum() == 6          # 3 models x 2 money modes
    md = paths["scoreboard.md"].read_text()
    assert "| logit | preprimary |" in md
    # the headline states the skill targets with the measured champion and nested champion
    head = md.split("## Headline", 1)[1].split("\n## ", 1)[0]
    assert "target 0.30" in head and "target 0.20" in head and "target 0.75" in head and "target 0.25" not in head
    assert "Nested champion" in head


def test_backtest_command_end_to_end(tmp_path, capsys):
    real_table()
    from forecasting.cli import main
    rc = main(["backtest", "--config", "experiments/comparison.yaml", "--models", "base_rate,logit",
               "--money-modes", "preprimary", "--cycles", "2022", "--out", str(tmp_path), "--no-mlflow",
               "--quiet"])
    assert rc == 0
    assert (tmp_path / "scoreboard.csv").is_file()
    assert "logit" in capsys.readouterr().out


@pytest.mark.slow
def test_full_backtest_best_model_has_skill():
    """The whole comparison without the Bayesian model (a few minutes)."""
    table = real_table()
    result = run_backtest(table, {n: (lambda n=n: make_model(n)) for n in ("logit", "boosted")},
                          money_modes=["preprimary"])
    board = scoreboard(result.predictions, result.timings)
    pooled = board[board["cycle"] == POOLED].set_index("model")
    assert pooled["brier_skill"].max() > 0
