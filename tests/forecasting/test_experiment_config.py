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
    assert [m["name"] for m in config["models"]] == ["base_rate", "logit", "boosted", "bayes", "ensemble"]
    assert config["backtest"]["money_modes"] == ["preprimary", "yearend", "none"]
    assert config["backtest"]["cycles"][0] == 2008 and config["backtest"]["cycles"][-1] == 2024


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
