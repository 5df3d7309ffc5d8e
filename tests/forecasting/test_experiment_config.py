"""Experiment configs: every committed YAML loads; bad ones fail with one clear error."""
from pathlib import Path

import pytest

from features.errors import InputError
from features.paths import EXPERIMENTS_DIR
from forecasting.experiment_config import factory, load_config


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
    from forecasting.experiment_config import factory

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
