"""Experiment configs: every committed YAML loads; bad ones fail with one clear error."""
from pathlib import Path

import pytest

from features.kernel.errors import InputError
from features.kernel.paths import EXPERIMENTS_DIR
from forecasting.models.config import factory, load_config


@pytest.mark.parametrize("path", sorted(EXPERIMENTS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_committed_configs_load(path):
    import yaml
    raw = yaml.safe_load(path.read_text())
    if "model" not in raw and "models" not in raw:       # run settings (champion.yaml) name a config
        path = Path(raw["config"])
        path = path if path.is_absolute() else EXPERIMENTS_DIR.parent / path
    config = load_config(path)
    assert config["models"] and config["backtest"]["money_modes"]


def test_comparison_lists_every_model_and_money_mode():
    config = load_config(EXPERIMENTS_DIR / "comparison.yaml")
    assert config["kind"] == "comparison"
    assert [m["name"] for m in config["models"]] == ["base_rate", "logit", "boosted", "bayes", "ensemble",
                                                     "ensemble_bayes"]
    assert config["backtest"]["money_modes"] == ["preprimary", "yearend", "none"]
    assert config["backtest"]["cycles"][0] == 2008 and config["backtest"]["cycles"][-1] == 2024


def test_ensemble_members_are_configured_as_their_own_configs():
    """A backtest fold fits each model once: an ensemble reuses a member only when the member's
    parameters equal those of the model of the same name in the comparison (else the Bayesian member
    would be sampled twice per fold, silently)."""
    from forecasting.models.config import factory

    config = load_config(EXPERIMENTS_DIR / "comparison.yaml")
    fresh = {spec["name"]: factory(spec)() for spec in config["models"]}
    ensembles = [spec for spec in config["models"] if spec["model"] == "ensemble"]
    assert {spec["name"] for spec in ensembles} == {"ensemble", "ensemble_bayes"}
    for spec in ensembles:
        members = fresh[spec["name"]]._unfitted_members()
        assert [type(m).__name__ for m in members] == [type(fresh[n]).__name__ for n in spec["kwargs"]["members"]]
        for name, member in zip(spec["kwargs"]["members"], members):
            assert member.get_params() == fresh[name].get_params(), (spec["name"], name)


def test_model_config_builds_its_model():
    config = load_config(EXPERIMENTS_DIR / "boosted.yaml")
    model = factory(config["models"][0])()
    assert model.random_state == config["models"][0]["random_seed"]


@pytest.mark.parametrize("text, field", [
    ("model: oracle\n", "model"),
    ("model: logit\nkwargs: [1, 2]\n", "kwargs"),
    ("model: logit\nbacktest: {money_modes: [yearend, sometimes]}\n", "backtest.money_modes"),
    ("model: logit\ntrain: {money: yearend}\n", "train.money"),
])
def test_bad_configs(tmp_path, text, field):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.field == field and "bad.yaml" in str(err.value)


def test_missing_config():
    with pytest.raises(InputError, match="not found"):
        load_config(Path("experiments/nope.yaml"))


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, field, hint", [
    ("model: boosted\nkwargs: {max_iters: 50}\n", "kwargs.max_iters", "max_iter"),
    ("model: logit\nkwargs: {prior_scal: 1.0}\n", "kwargs.prior_scal", "prior_scale"),
    ("model: base_rate\nkwargs: {window: abc}\n", "kwargs.window", "valid"),
    ("model: bayes\nkwargs: {model_config: {contest_intercep: {mu: 0, sigma: 1}}}\n",
     "kwargs.model_config.contest_intercep", "contest_intercept"),
    ("model: bayes\nsample_kwargs: {draws: -5}\n", "sample_kwargs.draws", "at least 1"),
    ("model: bayes\nsample_kwargs: {drawz: 100}\n", "sample_kwargs.drawz", "draws"),
    ("model: logit\nsample_kwargs: {draws: 100}\n", "sample_kwargs", "no sampler"),
    ("model: bayes\nsample_kwargs: {sampler: numpyro}\n", "sample_kwargs.sampler", "nutpie, pymc"),
    ("model: bayes\nsample_kwargs: {backend: llvm}\n", "sample_kwargs.backend", "numba, jax"),
    ("model: ensemble\nkwargs: {members: [logit, boosted], member_kwargs: {boosted: {max_iters: 5}}}\n",
     "kwargs.member_kwargs.boosted.max_iters", "max_iter"),
    ("model: ensemble\nkwargs: {members: [logit, boosted], member_kwargs: {bayes: {}}}\n",
     "kwargs.member_kwargs.bayes", "boosted"),
])
def test_a_setting_the_model_does_not_take_is_one_clear_error(tmp_path, text, field, hint):
    """A misspelt or out-of-range model setting is refused when the config is read, naming the file,
    the key and what is allowed there (not a TypeError when the model is built)."""
    path = _write(tmp_path, "m.yaml", text)
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.field == field and err.value.file == str(path)
    assert hint in err.value.reason


def test_a_comparison_override_is_checked_and_names_the_comparison(tmp_path):
    _write(tmp_path, "boosted.yaml", "model: boosted\nkwargs: {max_iter: 10}\n")
    comp = _write(tmp_path, "comp.yaml", "models:\n  - {config: boosted, kwargs: {max_iters: 5}}\n")
    with pytest.raises(InputError) as err:
        load_config(comp)
    assert err.value.file == str(comp) and err.value.field == "models[0].kwargs.max_iters"


def test_an_ensemble_takes_its_members_settings_from_their_configs(tmp_path):
    """The committed ensembles copy no member setting: each member is built from its own config."""
    config = load_config(EXPERIMENTS_DIR / "ensemble_bayes.yaml")
    members = config["models"][0]["kwargs"]["member_kwargs"]
    for name in ("logit", "boosted", "bayes"):
        own = load_config(EXPERIMENTS_DIR / f"{name}.yaml")["models"][0]
        expected = dict(own["kwargs"])
        if own["sample_kwargs"]:
            expected["sampler_config"] = own["sample_kwargs"]
        assert members[name] == expected
    # an edit of a member's own config reaches the ensemble beside it
    _write(tmp_path, "boosted.yaml", "model: boosted\nkwargs: {max_iter: 7}\n")
    ens = _write(tmp_path, "ens.yaml", "model: ensemble\nkwargs: {members: [logit, boosted]}\n")
    built = factory(load_config(ens)["models"][0])()._unfitted_members()
    assert built[1].max_iter == 7 and built[0].prior_scale == 1.0      # logit: no config here, defaults


@pytest.mark.parametrize("text, field, hint", [
    ("model: base_rate\nkwargs: {window: -3}\n", "kwargs.window", "at least 1"),
    ("model: base_rate\nkwargs: {window: abc}\n", "kwargs.window", "valid"),
    ("model: logit\nrandom_seed: -1\n", "random_seed", "greater than or equal to 0"),
    ("model: logit\nrandom_seed: " + "9" * 400 + "\n", "random_seed", "less than"),
    ("model: boosted\nkwargs: {max_iter: " + "9" * 400 + "}\n", "kwargs.max_iter", "out of range"),
    ("model: bayes\nsample_kwargs: {random_seed: -2}\n", "sample_kwargs.random_seed", "[0, 2**32)"),
    ("model: logit\nbacktest: {cycles: [2030]}\n", "backtest.cycles", "no outcomes"),
    ("model: logit\nbacktest: {cycles: [2002, 2004]}\n", "backtest.cycles", "no earlier cycle"),
])
def test_a_value_out_of_range_is_one_clear_error(tmp_path, text, field, hint):
    """Values the model would choke on later (a traceback from numpy or a fold without training data)
    are refused when the config is read."""
    path = _write(tmp_path, "m.yaml", text)
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.field == field, err.value
    assert hint in str(err.value)
