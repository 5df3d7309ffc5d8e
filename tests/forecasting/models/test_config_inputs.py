"""The analyst inputs validated by pydantic models: what the hand-written checks let
through -- values of the wrong type, unknown keys in nested settings, duplicate keys in configs --
is now one InputError naming the file, the entry and YAML line, and the field.  Unknown keys are
refused everywhere, and the error names the key and the allowed ones."""
from __future__ import annotations

import re

import pytest

from features.evidence.watchlist import load_watchlist
from features.kernel.errors import InputError
from features.kernel.paths import EXPERIMENTS_DIR, WATCHLIST_DIR
from forecasting.live import whatif as wi
from forecasting.models.config import load_config

REAL = (WATCHLIST_DIR / "2026.yaml").read_text(encoding="utf-8")


def _watch(tmp_path, text: str):
    assert text != REAL
    path = tmp_path / "watch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


# ---------------------------------------------------------------------------------------------
# watchlist (the real data/watchlist/2026.yaml, one value changed)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("old,new,field", [
    ("      - name: Angela Gonzales-Torres\n", "      - name: 42\n", "challengers[0].name"),
    ("        candidate: Angela Gonzales-Torres\n", "        candidate: [Angela, Gonzales-Torres]\n",
     "endorsements[0].candidate"),
    ("      - name: Angela Gonzales-Torres\n", "      - name: Angela Gonzales-Torres\n        note: [1, 2]\n",
     "challengers[0].note"),
])
def test_a_value_of_the_wrong_type_is_refused_not_stringified(tmp_path, old, new, field):
    text = REAL.replace(old, new, 1)
    with pytest.raises(InputError) as err:
        load_watchlist(_watch(tmp_path, text))
    assert err.value.field == field
    assert err.value.row.startswith("races[0] (CA-34 D)")
    assert "watch.yaml" in str(err.value)


def test_a_watchlist_error_names_the_yaml_line(tmp_path):
    text = REAL.replace('date: "2025"', 'date: "2025-02-30"', 1)
    with pytest.raises(InputError, match="not a date") as err:
        load_watchlist(_watch(tmp_path, text))
    line = _line(text, 'date: "2025-02-30"')
    assert err.value.row == f"races[0] (CA-34 D), line {line}"
    assert err.value.field == "endorsements[0].date"


def test_an_unknown_key_is_refused_and_named(tmp_path):
    text = REAL.replace("        side: challenger\n", "        side: challenger\n        sid: incumbent\n", 1)
    with pytest.raises(InputError) as err:
        load_watchlist(_watch(tmp_path, text))
    assert err.value.field == "endorsements[0].sid"
    assert "unknown key 'sid'" in str(err.value) and "allowed: candidate, class" in str(err.value)
    assert err.value.row.endswith(f"line {_line(text, 'sid: incumbent')}")


# ---------------------------------------------------------------------------------------------
# experiment configs (the committed experiments/*.yaml, one value changed)
# ---------------------------------------------------------------------------------------------
def _config(tmp_path, name: str, old: str, new: str):
    for other in EXPERIMENTS_DIR.glob("*.yaml"):          # a comparison names its neighbours
        (tmp_path / other.name).write_text(other.read_text())
    text = (EXPERIMENTS_DIR / name).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path, path.read_text()


@pytest.mark.parametrize("old,new,field", [
    ("  money_modes: [preprimary, yearend, none]\n", "  money_mode: [preprimary]\n", "backtest.money_mode"),
    ("train:\n  money: preprimary\n", "train:\n  mony: none\n", "train.mony"),
    ("random_seed: 20260101\n", "random_seed: true\n", "random_seed"),
    ("name: boosted\n", "name: [boosted]\n", "name"),
    ("kwargs:\n", "kwarg: {}\nkwargs:\n", "kwarg"),
])
def test_a_bad_model_config_is_one_clear_error(tmp_path, old, new, field):
    path, text = _config(tmp_path, "boosted.yaml", old, new)
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.field == field and "boosted.yaml" in str(err.value)
    assert re.fullmatch(r"line \d+", str(err.value.row))
    if field in ("kwarg", "backtest.money_mode", "train.mony"):
        assert f"unknown key '{field.split('.')[-1]}'" in str(err.value)


def test_a_fractional_backtest_cycle_is_refused(tmp_path):
    path, _ = _config(tmp_path, "comparison.yaml", "cycles: [2008,", "cycles: [2008.5,")
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.field == "backtest.cycles[0]"


def test_a_duplicate_key_in_a_config_is_refused(tmp_path):
    path, text = _config(tmp_path, "logit.yaml", "random_seed: 20260101\n",
                         "random_seed: 20260101\nrandom_seed: 7\n")
    with pytest.raises(InputError, match="duplicate key") as err:
        load_config(path)
    assert err.value.field == "random_seed" and err.value.row == f"line {_line(text, 'random_seed: 7')}"


def test_a_comparison_entry_naming_no_config_names_its_line(tmp_path):
    path, text = _config(tmp_path, "comparison.yaml", "  - logit\n", "  - logitt\n")
    with pytest.raises(InputError, match="logitt.yaml") as err:
        load_config(path)
    assert err.value.field == "models[1].config" and err.value.row == f"line {_line(text, '- logitt')}"


def test_the_champion_settings_are_validated(tmp_path):
    from forecasting.cli.run_all import champion_settings

    real = champion_settings(EXPERIMENTS_DIR / "champion.yaml")
    assert real["config"] == "experiments/ensemble_bayes.yaml" and real["cycle"] == 2026
    path, _ = _config(tmp_path, "champion.yaml", 'as_of: "2025-12-31"', 'as_of: "2025-02-30"')
    with pytest.raises(InputError, match="not a date") as err:
        champion_settings(path)
    assert err.value.field == "as_of"
    path, _ = _config(tmp_path, "champion.yaml", "cycle: 2026", "cycle: 2026\ncycel: 2028")
    with pytest.raises(InputError, match="unknown key 'cycel'") as err:
        champion_settings(path)
    assert err.value.field == "cycel"


# ---------------------------------------------------------------------------------------------
# what-if overrides
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("overrides, field", [
    ({"os_for_inc": {"amount": 5, "class": "crypto", "spender": 7}}, "os_for_inc.spender"),
    ({"endorse": {"class": "aoc", "endorser": ["AOC"]}}, "endorse[0].endorser"),
    ({"os_for_inc": {"amount": 5, "clas": "crypto"}}, "os_for_inc.clas"),
])
def test_a_bad_whatif_value_pydantic_catches(overrides, field):
    with pytest.raises(InputError) as err:
        wi.parse_overrides(overrides)
    assert err.value.field == field and "what-if" in str(err.value)
    if field.endswith("clas"):
        assert "unknown key 'clas'" in str(err.value)


def test_a_good_whatif_is_unchanged_in_canonical_form():
    spec = wi.parse_overrides({"os_against_chal": {"amount": "$10,000,000", "class": "pro-israel",
                                                   "spender": "United Democracy Project"},
                               "endorse": "sanders", "chal_receipts": 5_000_000,
                               "outside_spending": {"side": "for_inc", "amount": 2}})
    assert spec == {"spending": [{"side": "against_chal", "amount": 10_000_000.0, "class": "pro-israel",
                                  "spender": "United Democracy Project"},
                                 {"side": "for_inc", "amount": 2.0, "class": "other", "spender": "what-if (other)"}],
                    "endorse": [{"class": "sanders", "side": "challenger", "endorser": "sanders"}],
                    "unendorse": [], "money": {"chal_receipts": 5_000_000.0}}
