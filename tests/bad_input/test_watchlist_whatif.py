"""The analyst's inputs (the watchlist YAML and the what-if JSON) refuse what the model must never
see: dates after today, money nobody raised or written oddly, names of any length, alias bombs, JSON
nested beyond reading.  Each case is one InputError naming the file and the field."""
from __future__ import annotations

import time

import pytest

from features.evidence.watchlist import load_watchlist
from features.kernel.errors import InputError
from features.kernel.paths import WATCHLIST_DIR
from forecasting.live.whatif import parse_overrides

REAL = (WATCHLIST_DIR / "2026.yaml").read_text(encoding="utf-8")
CHALLENGER = "      - name: Angela Gonzales-Torres\n        date: 2025-12-31"


def _watchlist(tmp_path, old: str, new: str):
    text = REAL.replace(old, new, 1)
    assert text != REAL
    path = tmp_path / "watch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _spending(amount: str) -> str:
    return ("    outside_spending:\n      - spender: United Democracy Project\n        class: pro-israel\n"
            f"        opposes: challenger\n        amount_usd: {amount}\n        date: 2025-12\n"
            "        source: https://www.fec.gov/data/independent-expenditures/\n    endorsements:\n")


@pytest.mark.parametrize("old, new, field, words", [
    (CHALLENGER, "      - name: Angela Gonzales-Torres\n        date: 2030-05-01", "challengers[0].date", "after today"),
    (CHALLENGER, "      - name: " + "A" * 200_000 + "\n        date: 2025-12-31", "challengers[0].name", "at most 300"),
    ("    endorsements:\n", _spending("1e15"), "outside_spending[0].amount_usd", "not a number of dollars"),
    ("    endorsements:\n", _spending("1000000000000"), "outside_spending[0].amount_usd", "at most $1,000,000,000"),
    ("    endorsements:\n", _spending("'$1,2,3'"), "outside_spending[0].amount_usd", "not a number of dollars"),
])
def test_a_bad_watchlist_value_is_one_clear_error(tmp_path, old, new, field, words):
    with pytest.raises(InputError) as err:
        load_watchlist(_watchlist(tmp_path, old, new))
    assert err.value.field == field and words in str(err.value) and "CA-34" in str(err.value.row)


def test_amounts_written_as_people_write_them_still_pass(tmp_path):
    for amount in ("1250000", "'$1,250,000'", "'1_250_000'", "1250000.50"):
        assert load_watchlist(_watchlist(tmp_path, "    endorsements:\n", _spending(amount))).races


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    path = tmp_path / "watch.yaml"
    path.write_text(bomb)
    start = time.monotonic()
    with pytest.raises(InputError, match="aliases"):
        load_watchlist(path)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("text, words", [
    ('{"chal_receipts": 1e300}', "at most"),
    ('{"chal_receipts": "$1,2,3"}', "not a number of dollars"),
    ('{"chal_receipts": 5000000000}', "at most"),
    ("[" * 50_000 + "]" * 50_000, "characters"),
    ("[" * 5_000 + "]" * 5_000, "nested too deeply"),
    ("[" * 20 + "]" * 20, "nested too deeply"),
])
def test_a_bad_whatif_is_one_clear_error(text, words):
    with pytest.raises(InputError) as err:
        parse_overrides(text)
    assert words in str(err.value)
