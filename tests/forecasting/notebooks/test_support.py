"""The race report reads as a story: the what-if in words, and a scenario the model does not read
said to change nothing (CA-34 2026, the race that started the project)."""
from __future__ import annotations

from forecasting.notebooks import support as ns
from tests.forecasting.live_fixtures import table, toy_model  # noqa: F401  (fixtures)


def test_a_whatif_reads_as_words_not_json(table, toy_model):
    race = ns.race_forecast(table, toy_model, "toy-test", 2026, "CA", 34, None, "2025-12-31", None)
    wi = ns.run_whatif(toy_model, race, {"os_against_chal": {"amount": 10_000_000, "class": "pro-israel"},
                                         "chal_receipts": 2_000_000})
    text = ns.race_sentence(race, wi)
    assert "$10,000,000 of pro-israel outside spending against the challenger" in text
    assert "the challenger's receipts at $2,000,000" in text
    assert "{" not in text and "os_against_chal" not in text
    assert "Jimmy Gomez" in text and "chance of losing renomination" in text


def test_a_scenario_the_model_does_not_read_is_said_to_change_nothing(table, toy_model):
    race = ns.race_forecast(table, toy_model, "toy-test", 2026, "CA", 34, None, "2025-12-31", None)
    wi = ns.run_whatif(toy_model, race, {"inc_cash": 5_000_000})      # the toy model reads no cash
    assert not ns.whatif_moves(wi)
    assert "would not change it: the model does not read that" in ns.race_sentence(race, wi)
    grid = ns.whatif_grid(toy_model, race, {"cash": {"inc_cash": 5_000_000}, "money": {"chal_receipts": 3_000_000}})
    assert list(grid["read by the model"]) == ["no: the forecast is unchanged", "yes"]
    assert "\\$" in ns.race_paragraph(race, wi).data          # dollar signs survive Markdown rendering
