"""The three non-Bayesian models on a small real slice: skill, persistence, determinism, contract."""
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from forecasting.evaluation import metrics
from forecasting.models.base import PREDICTION_COLUMNS, PrimaryModel
from forecasting.models.registry import MODELS, make_model, model_from_config
from tests.forecasting.model_fixtures import pre_primary_view

FAST = ["base_rate", "logit", "boosted", "ensemble"]
TRAIN_CYCLES = (2012, 2014, 2016, 2018)
TEST_CYCLES = (2020, 2022)


@pytest.fixture(scope="module")
def slice_():
    view = pre_primary_view()
    view = view[view["lost"].notna()]
    return view[view["cycle"].isin(TRAIN_CYCLES)], view[view["cycle"].isin(TEST_CYCLES)]


@pytest.fixture(scope="module")
def fitted(slice_):
    train, _ = slice_
    return {name: make_model(name).fit(train) for name in FAST}


def test_registry_knows_every_model_and_imports_bayes_lazily():
    assert set(MODELS) == {"base_rate", "pair_base_rate", "logit", "boosted", "bayes", "ensemble"}
    with pytest.raises(ValueError, match="unknown model"):
        make_model("crystal_ball")


def test_constructor_params_stored_unchanged():
    m = make_model("boosted", max_depth=2, calibration="isotonic")
    assert m.get_params()["max_depth"] == 2 and m.get_params()["calibration"] == "isotonic"
    c = clone(m)
    assert c.get_params() == m.get_params()
    seeded = model_from_config("boosted", {"max_iter": 50}, None, 7)
    assert seeded.random_state == 7 and seeded.max_iter == 50


@pytest.mark.parametrize("name", FAST)
def test_predictions_are_well_formed(fitted, slice_, name):
    _, test = slice_
    pred = fitted[name].predict(test)
    assert list(pred.columns) == PREDICTION_COLUMNS and len(pred) == len(test)
    assert pred["p_loss"].between(0, 1).all()
    assert (pred["share_p10"] <= pred["share_p50"] + 1e-12).all()
    assert (pred["share_p50"] <= pred["share_p90"] + 1e-12).all()
    uncontested = test["contested"].astype("boolean").eq(False).fillna(False).to_numpy()
    assert (pred.loc[uncontested, "p_loss"] == 0).all()      # the field is known the day before
    # the share given a contest: none where the ballot shows no opponent, a real range elsewhere
    cond = pred[["share_if_contested_p10", "share_if_contested_p50", "share_if_contested_p90"]].to_numpy()
    assert np.isnan(cond[uncontested]).all() and not np.isnan(cond[~uncontested]).any()
    assert (np.diff(cond[~uncontested], axis=1) >= -1e-12).all()
    # on the ballot the mixed range is the conditional one; the conditional range rarely reaches 100%
    contested = test["contested"].astype("boolean").eq(True).fillna(False).to_numpy()
    assert np.allclose(cond[contested, 0], pred.loc[contested, "share_p10"])
    assert (cond[~uncontested, 2] < 0.995).mean() > 0.9


@pytest.mark.parametrize("name", ["logit", "boosted", "ensemble"])
def test_beats_the_base_rate_on_a_real_slice(fitted, slice_, name):
    _, test = slice_
    y = test["lost"].astype(float).to_numpy()
    ref = fitted["base_rate"].predict(test)["p_loss"]
    p = fitted[name].predict(test)["p_loss"]
    assert metrics.brier(y, p) < metrics.brier(y, ref)
    assert metrics.auc(y, p) > metrics.auc(y, ref)


@pytest.mark.parametrize("name", FAST)
def test_save_load_round_trip_identical(fitted, slice_, tmp_path, name):
    _, test = slice_
    path = fitted[name].save(tmp_path / f"{name}.pkl")
    loaded = PrimaryModel.load(path)
    pd.testing.assert_frame_equal(fitted[name].predict(test), loaded.predict(test))


@pytest.mark.parametrize("name", ["logit", "boosted"])
def test_same_seed_same_numbers(fitted, slice_, name):
    train, test = slice_
    again = make_model(name).fit(train)
    pd.testing.assert_frame_equal(fitted[name].predict(test), again.predict(test))


def test_logit_coefficients_are_readable(fitted):
    tab = fitted["logit"].coef_table_
    assert {"part", "feature", "coef", "se", "ci_low", "ci_high", "odds_ratio"} <= set(tab.columns)
    assert set(tab["part"]) == {"contested", "loss", "share"}
    assert (tab["ci_low"] < tab["coef"]).all() and (tab["coef"] < tab["ci_high"]).all()
    loss = tab[tab["part"] == "loss"].set_index("feature")
    # the money ratio (incumbent over challenger receipts) protects the incumbent
    if "log_money_ratio" in loss.index:
        assert loss.loc["log_money_ratio", "coef"] < 0


def test_base_rate_uses_recent_cycles_by_party(fitted):
    rates = fitted["base_rate"].rates_
    for party in ("D", "R"):
        assert 0 < rates[party]["p_loss_if_contested"] < 0.2
        assert 0.1 < rates[party]["p_contested"] < 0.9


def test_ensemble_reuses_members_fitted_in_the_same_fold(fitted, slice_):
    train, test = slice_
    ens = make_model("ensemble").fit_reusing(train, [fitted["logit"], fitted["boosted"]])
    assert ens.members_[0] is fitted["logit"] and ens.members_[1] is fitted["boosted"]
    pd.testing.assert_frame_equal(ens.predict(test), fitted["ensemble"].predict(test))
    other = make_model("ensemble").fit_reusing(train, [make_model("logit", prior_scale=3.0).fit(train)])
    assert other.members_[0] is not fitted["logit"]          # different parameters: refitted
