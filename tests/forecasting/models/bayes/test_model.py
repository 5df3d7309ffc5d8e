"""The PyMC hurdle model on a small real slice, with tiny draws; one slow test fits all cycles."""
import json

import numpy as np
import pandas as pd
import pytest

from features.kernel.paths import PROJECT_ROOT
from forecasting.models.base import PREDICTION_COLUMNS
from forecasting.models.bayes import (
    DEFAULT_FEATURES,
    DEFAULT_SAMPLER_CONFIG,
    BayesHurdleModel,
    contest_stage_ok,
    runoff_threshold,
)
from forecasting.models.bayes.design import _rules
from forecasting.models.pairs import member_pairs
from tests.forecasting.model_fixtures import pre_primary_view, row

TRAIN_CYCLES = (2014, 2016, 2018)
TEST_CYCLE = 2020                       # never seen in training: its cycle effect comes from the prior
TINY = {"draws": 50, "tune": 50, "chains": 1, "sampler": "pymc", "random_seed": 11}
SMALL_FEATURES = ["pres_lean", "tenure_years", "incumbent_age", "last_primary_share", "n_candidates",
                  "incumbent_vs_incumbent", "sys_top_two"]


@pytest.fixture(scope="module")
def slice_():
    view = pre_primary_view()
    view = view[view["lost"].notna()]
    return view[view["cycle"].isin(TRAIN_CYCLES)], view[view["cycle"] == TEST_CYCLE]


@pytest.fixture(scope="module")
def fitted(slice_):
    train, _ = slice_
    return BayesHurdleModel(sampler_config=TINY, features=SMALL_FEATURES).fit(train)


@pytest.fixture(scope="module")
def predicted(fitted, slice_):
    return fitted.predict(slice_[1])


def test_constructor_stores_configs_unchanged():
    m = BayesHurdleModel(model_config={"share_beta_sigma": 0.2}, sampler_config={"draws": 10})
    assert m.get_params()["model_config"] == {"share_beta_sigma": 0.2}
    assert m.full_model_config["share_beta_sigma"] == 0.2
    assert m.full_model_config["contest_intercept"] == {"mu": -0.4, "sigma": 1.0}     # defaults kept
    assert m.full_sampler_config == {**DEFAULT_SAMPLER_CONFIG, "draws": 10}
    assert BayesHurdleModel(random_seed=5).full_sampler_config["random_seed"] == 5
    with pytest.raises(ValueError, match="unknown model_config"):
        BayesHurdleModel(model_config={"shrae_beta_sigma": 1}).full_model_config
    with pytest.raises(ValueError, match="sampler"):
        BayesHurdleModel(sampler_config={"sampler": "emcee"}).full_sampler_config


def test_contest_stage_never_sees_the_field():
    assert not contest_stage_ok("n_candidates") and not contest_stage_ok("incumbent_vs_incumbent")
    assert not contest_stage_ok("log_chal_cash") and not contest_stage_ok("missingindicator_log_money_ratio")
    # what the FEC shows of a registered challenger by the as-of date is known before the ballot
    assert contest_stage_ok("log_chal_receipts") and contest_stage_ok("missingindicator_log_chal_receipts")
    assert contest_stage_ok("pres_lean") and contest_stage_ok("missingindicator_last_primary_share")
    # the rematch family presupposes a contest (features.view.matrix.FIELD_GROUPS)
    assert not contest_stage_ok("rematch") and not contest_stage_ok("rematch_share")


def test_rematch_is_a_field_feature_without_missing_indicator():
    """rematch / rematch_share: share stage only, and never a missing indicator (an unknown field in
    the training rows marks a data gap), like n_candidates."""
    view = pre_primary_view()
    view = view[view["lost"].notna() & view["cycle"].isin(TRAIN_CYCLES)]
    m = BayesHurdleModel(features=SMALL_FEATURES + ["rematch", "rematch_share"])
    frame = m._design(view)
    assert frame["rematch"].notna().any() and frame["rematch"].isna().any()
    from features.view.matrix import make_preprocessor
    from forecasting.models.bayes.design import _informative_columns
    X = make_preprocessor().fit_transform(frame)
    cols = _informative_columns(X, view["cycle"].to_numpy())
    assert "rematch" in cols
    assert not any(c.startswith("missingindicator_rematch") for c in cols)


def test_rules_of_real_rows(slice_):
    _, test = slice_
    rules = dict(zip(test.index, _rules(test)))
    assert rules[row(test, 2020, "NY", 16, "D").name]["kind"] == "plurality"
    assert rules[row(test, 2020, "CA", 34, "D").name]["kind"] == "top_two"
    tx = test[test["state"] == "TX"].index[0]
    assert rules[tx]["kind"] == "runoff" and rules[tx]["threshold"] == 0.5
    assert runoff_threshold("NC", 2016) == 0.40 and runoff_threshold("NC", 2020) == 0.30


def test_fit_records_state_and_diagnostics(fitted):
    assert fitted.train_cycles_ == list(TRAIN_CYCLES)
    diag = fitted.fit_diagnostics_
    for key in ("max_rhat", "min_ess_bulk", "min_ess_tail", "divergences", "sampling_seconds", "sampler"):
        assert key in diag
    assert diag["sampler"] == "pymc" and diag["n_draws_total"] == 50
    shape = fitted.data_shape_
    assert shape["contest_rows"] > 1000 and 400 < shape["share_rows"] < shape["contest_rows"]
    assert "n_candidates" in fitted.feature_columns_
    assert "n_candidates" not in list(fitted.idata_.posterior["contest_beta"].coords["contest_feature"].values)
    assert set(fitted.levels_["cycle_party"]) == {f"{c}{p}" for c in TRAIN_CYCLES for p in "DR"}


def test_predictions_are_well_formed(predicted, slice_):
    _, test = slice_
    assert list(predicted.columns) == PREDICTION_COLUMNS and len(predicted) == len(test)
    uncontested = test["contested"].astype("boolean").eq(False).fillna(False).to_numpy()
    for col in PREDICTION_COLUMNS:
        # the share given a contest is empty exactly where the ballot shows no challenger
        rows = ~uncontested if col.startswith("share_if_contested") else np.ones(len(test), dtype=bool)
        assert predicted.loc[rows, col].between(0, 1).all(), col
        if col.startswith("share_if_contested"):
            assert predicted.loc[uncontested, col].isna().all(), col
    assert (predicted["share_p10"] <= predicted["share_p50"]).all()
    assert (predicted["share_p50"] <= predicted["share_p90"]).all()
    assert (predicted.loc[uncontested, "p_loss"] == 0).all()


def test_known_losers_rank_high(predicted, slice_):
    """Engel (NY-16) and Clay (MO-1) in 2020, forecast from 2014-2018 with tiny draws."""
    _, test = slice_
    contested = test["contested"].astype("boolean").fillna(False).to_numpy()
    p = predicted.loc[contested, "p_loss"]
    for state, district in (("NY", 16), ("MO", 1)):
        r = row(test, 2020, state, district, "D")
        assert predicted.loc[r.name, "p_loss"] > p.median()


def test_field_hidden_uses_the_hurdle(fitted, slice_):
    _, test = slice_
    hidden = test.copy()
    hidden["field_known"] = pd.array([False] * len(hidden), dtype="boolean")
    hidden["n_candidates"] = np.nan
    hidden["incumbent_vs_incumbent"] = pd.NA
    pred = fitted.predict(hidden)
    assert ((pred["p_contested"] > 0) & (pred["p_contested"] < 1)).all()
    rate = test["contested"].astype("boolean").astype(float).mean()          # 0.55 in 2020
    assert abs(pred["p_contested"].mean() - rate) < 0.2
    assert np.allclose(pred["p_loss"], pred["p_contested"] * pred["p_loss_if_contested"])


def test_prediction_of_a_row_does_not_depend_on_its_batch(fitted, predicted, slice_):
    _, test = slice_
    sub = test.iloc[::7]
    pd.testing.assert_frame_equal(fitted.predict(sub), predicted.loc[sub.index])


def test_save_load_round_trip_identical(fitted, predicted, slice_, tmp_path):
    _, test = slice_
    path = fitted.save(tmp_path / "bayes.nc")
    assert path.read_bytes()[:4] == b"\x89HDF"                       # NetCDF-4
    meta = json.loads(path.with_suffix(".nc.json").read_text())
    assert meta["config_id"] == fitted.config_id()
    loaded = BayesHurdleModel.load(path)
    pd.testing.assert_frame_equal(loaded.predict(test), predicted)
    assert loaded.fit_diagnostics_ == fitted.fit_diagnostics_
    assert loaded.get_params() == fitted.get_params()
    # the same configuration, given explicitly, is accepted
    BayesHurdleModel.load(path, sampler_config=TINY, features=SMALL_FEATURES)
    with pytest.raises(TypeError):
        BayesHurdleModel.load(_not_bayes(tmp_path))


def test_refuses_to_load_into_a_different_config(fitted, tmp_path):
    path = fitted.save(tmp_path / "bayes.nc")
    with pytest.raises(ValueError, match="different model_config"):
        BayesHurdleModel.load(path, model_config={"share_beta_sigma": 0.1}, features=SMALL_FEATURES)
    with pytest.raises(ValueError, match="different model_config"):
        BayesHurdleModel.load(path, features=["pres_lean"])
    with pytest.raises(ValueError, match="different sampler_config"):
        BayesHurdleModel.load(path, sampler_config={**TINY, "draws": 51})


def test_same_seed_same_numbers(fitted, predicted, slice_):
    train, test = slice_
    again = BayesHurdleModel(sampler_config=TINY, features=SMALL_FEATURES).fit(train)
    np.testing.assert_array_equal(again.idata_.posterior["share_intercept"].values,
                                  fitted.idata_.posterior["share_intercept"].values)
    pd.testing.assert_frame_equal(again.predict(test), predicted)


def test_same_fit_same_identity_whatever_the_sampling_time(fitted, slice_):
    """A snapshot row's id starts with the model's content hash: a refit with the same seed (another
    wall-clock sampling time, another ArviZ creation stamp) is the same model, so ``make run`` twice
    records nothing new; a different posterior is another model.  The same holds inside an ensemble."""
    import copy

    from forecasting.models.ensemble import EnsembleModel
    from forecasting.models.identity import model_content_hash
    from forecasting.models.registry import make_model

    train, _ = slice_
    again = BayesHurdleModel(sampler_config=TINY, features=SMALL_FEATURES).fit(train)
    assert model_content_hash(again) == model_content_hash(fitted)
    moved = copy.deepcopy(again)
    moved.__dict__.pop("content_hash_", None)
    moved.idata_.posterior["share_intercept"].values[0, 0] += 1e-9
    assert model_content_hash(moved) != model_content_hash(fitted)
    logit = make_model("logit").fit(train)
    kw = {"bayes": {"sampler_config": TINY, "features": SMALL_FEATURES, "random_seed": None}}
    one = EnsembleModel(members=["logit", "bayes"], member_kwargs=kw).fit_reusing(train, [logit, fitted])
    two = EnsembleModel(members=["logit", "bayes"], member_kwargs=kw).fit_reusing(train, [logit, again])
    assert model_content_hash(one) == model_content_hash(two)
    three = EnsembleModel(members=["logit", "bayes"], member_kwargs=kw).fit_reusing(train, [logit, moved])
    assert model_content_hash(three) != model_content_hash(one)


def test_default_features_carry_the_evidence_and_keep_the_challenger_out_of_the_contest_stage():
    """Issue #9 families in the defaults (reports/ablation_bayes.md); P(contested) never sees a challenger."""
    for f in ("np_extremity", "np_moderate_pct", "chal_former_member", "chal_state_office",
              "log_pi_fec_against_inc", "log_pi_fec_for_inc"):
        assert f in DEFAULT_FEATURES, f
    assert not contest_stage_ok("chal_former_member") and not contest_stage_ok("chal_state_office")
    assert contest_stage_ok("np_extremity") and contest_stage_ok("log_pi_fec_against_inc")
    assert "leadership" not in DEFAULT_FEATURES and "misconduct_serious_4y" not in DEFAULT_FEATURES


def test_member_pair_has_one_loser(fitted):
    """NC-2 2016 (Holding vs Ellmers, one seat): with the pair rule their P(loss | contested) sum to 1
    and keep the model's ratio; without it each comes from their own share posterior alone."""
    view = pre_primary_view()
    nc2 = view[(view["cycle"] == 2016) & (view["state"] == "NC") & (view["district"] == 2)]
    assert len(nc2) == 2 and len(member_pairs(nc2)) == 1
    with_rule = fitted.predict(nc2)["p_loss_if_contested"].to_numpy()
    fitted.pair_rule = False
    try:
        alone = fitted.predict(nc2)["p_loss_if_contested"].to_numpy()
    finally:
        fitted.pair_rule = True
    assert with_rule.sum() == pytest.approx(1.0)
    assert abs(alone.sum() - 1.0) > 1e-3                       # the raw posterior is not coherent
    assert with_rule[0] / with_rule[1] == pytest.approx(alone[0] / alone[1])


def test_pair_rule_survives_save_load(fitted, tmp_path):
    fitted.pair_rule = False
    try:
        path = fitted.save(tmp_path / "bayes.nc")
    finally:
        fitted.pair_rule = True
    assert BayesHurdleModel.load(path).pair_rule is False
    assert BayesHurdleModel.load(fitted.save(tmp_path / "b2.nc")).pair_rule is True


def _not_bayes(tmp_path):
    """A NetCDF posterior written by something else."""
    import arviz as az

    idata = az.from_dict(posterior={"x": np.zeros((1, 3))})
    idata.posterior.attrs["model_class"] = "SomethingElse"
    path = tmp_path / "other.nc"
    idata.to_netcdf(str(path))
    return path


@pytest.mark.slow
def test_full_fit_converges():
    """All training cycles with the sampler settings the project publishes with (``experiments/bayes.yaml``):
    R-hat < 1.01, (almost) no divergences, enough effective draws."""
    from forecasting.models.config import load_config
    from forecasting.models.registry import model_from_config

    spec = load_config(PROJECT_ROOT / "experiments" / "bayes.yaml")["models"][0]
    view = pre_primary_view()
    train = view[view["lost"].notna()]
    model = model_from_config(spec["model"], spec["kwargs"], spec["sample_kwargs"], spec["random_seed"]).fit(train)
    diag = model.fit_diagnostics_
    assert diag["max_rhat"] < 1.01, diag
    assert diag["divergences"] <= 5, diag
    assert diag["min_ess_bulk"] > 200, diag
    assert model.train_cycles_ == list(range(2002, 2026, 2))


def test_an_ensemble_with_a_bayesian_member_reuses_it_and_keeps_its_record(fitted, predicted, slice_, tmp_path):
    """``experiments/ensemble_bayes.yaml``'s shape, with tiny draws: the Bayesian member fitted in the
    same fold is reused (not sampled again), its convergence record becomes the ensemble's, and the
    ensemble's P(contested) is the members' mean; the pickled ensemble predicts the same numbers."""
    from forecasting.models.ensemble import EnsembleModel
    from forecasting.models.registry import make_model

    train, test = slice_
    logit = make_model("logit").fit(train)
    ens = EnsembleModel(members=["logit", "bayes"],
                        member_kwargs={"bayes": {"sampler_config": TINY, "features": SMALL_FEATURES,
                                                  "random_seed": None}})
    ens.fit_reusing(train, [logit, fitted])
    assert ens.members_[1] is fitted and ens.members_[0] is logit
    assert ens.fit_diagnostics_ == fitted.fit_diagnostics_ and ens.fit_diagnostics_["n_draws_total"] == 50
    hidden = test.copy()
    hidden["field_known"] = pd.array([False] * len(hidden), dtype="boolean")
    got = ens.predict(hidden)["p_contested"].to_numpy()
    want = (logit.predict(hidden)["p_contested"].to_numpy() + fitted.predict(hidden)["p_contested"].to_numpy()) / 2
    np.testing.assert_allclose(got, want)
    out = ens.predict(test)
    assert not np.allclose(out["p_loss"], predicted["p_loss"])         # not just the Bayesian member
    loaded = EnsembleModel.load(ens.save(tmp_path / "ensemble.pkl"))
    pd.testing.assert_frame_equal(loaded.predict(test), out)


def test_training_names_the_model_after_its_config(slice_, monkeypatch):
    """A config of its own (ensemble_bayes) shows in the snapshot's ``model`` column, not the class's
    registry name."""
    from forecasting.live.scoring import model_identity
    from forecasting.models import training

    train, _ = slice_
    monkeypatch.setattr("forecasting.evaluation.backtest.backtest_view", lambda table, money, events_dir=None: table)
    spec = {"name": "logit_wide", "model": "logit", "kwargs": {"prior_scale": 3.0}, "sample_kwargs": {},
            "random_seed": 1}
    model, _, _ = training.train_model(train, spec)
    assert model_identity(model)[0] == "logit_wide"
    plain, _, _ = training.train_model(train, {**spec, "name": "logit"})
    assert model_identity(plain)[0] == "logit" and "name" not in plain.__dict__


def test_nutpie_with_jax_fits_the_same_model_reproducibly(slice_):
    """The published configuration's compiler (``backend: jax``): the fit records it, and the same
    data and seed give the same posterior draws and forecasts twice."""
    train, test = slice_
    settings = {"draws": 30, "tune": 30, "chains": 2, "sampler": "nutpie", "backend": "jax", "random_seed": 11}
    a = BayesHurdleModel(sampler_config=settings, features=SMALL_FEATURES).fit(train)
    b = BayesHurdleModel(sampler_config=settings, features=SMALL_FEATURES).fit(train)
    assert a.fit_diagnostics_["backend"] == "jax" and a.fit_diagnostics_["n_draws_total"] == 60
    for name, values in a.idata_.posterior.data_vars.items():
        np.testing.assert_array_equal(values.values, b.idata_.posterior[name].values, err_msg=name)
    pd.testing.assert_frame_equal(a.predict(test), b.predict(test))
