"""benchmarks/skill_budget.py: the loss budget, counterfactual bounds, pair proxies and the misses'
red flags, on the committed backtest predictions and the real table's as-of view."""

import numpy as np
import pytest

from features.kernel.paths import PROJECT_ROOT
from forecasting.evaluation.scoreboard import read_predictions
from forecasting.evaluation.studies import skill_budget as sb

BACKTEST = PROJECT_ROOT / "reports/backtest"


@pytest.fixture(scope="module")
def rows():
    pred = read_predictions(BACKTEST)
    if pred is None:
        pytest.skip("committed backtest predictions missing")
    from forecasting.evaluation.scoreboard import at_horizon
    pred = at_horizon(pred, "day_before")
    return sb.scored_rows(pred, "ensemble_bayes")


@pytest.fixture(scope="module")
def view():
    from features.table.store import load_table
    from forecasting.evaluation.backtest import backtest_view

    return backtest_view(load_table(), "preprimary")


def _one(frame, cycle, state, district, incumbent):
    sel = frame[(frame["cycle"].astype(int) == cycle) & (frame["state"] == state)
                & (frame["district"].astype(int) == district) & (frame["incumbent"] == incumbent)]
    assert len(sel) == 1, (cycle, state, district, incumbent)
    return sel.index[0]


def test_budget_parts_add_up_to_the_whole(rows):
    budget = sb.loss_budget(rows).set_index("part")
    parts, whole = budget.drop(index="all"), budget.loc["all"]
    assert parts["rows"].sum() == whole["rows"] == len(rows)
    assert parts["defeats"].sum() == whole["defeats"] == int(rows["y"].sum())
    for col in ("model", "base rate", "pairing-aware"):
        assert parts[col].sum() == pytest.approx(whole[col])
    # the pairing-aware reference gives 1/2 to each member of a pairing: 1/4 squared error per row
    pairing = budget.loc["member-vs-member pairings (both members)"]
    assert pairing["pairing-aware"] == pytest.approx(0.25 * pairing["rows"])
    assert pairing["defeats"] * 2 == pairing["rows"]


def test_pairings_called_right_bound_the_published_skill(rows):
    cf, need = sb.counterfactuals(rows)
    cf = cf.set_index("case")
    published = cf.loc["as published"]
    oracle = cf.loc["every pairing called right (1 for the loser, 0 for the winner)"]
    assert oracle["brier_skill"] > published["brier_skill"]
    assert oracle["brier_skill_pair"] > published["brier_skill_pair"]
    # the published skill is the scoreboard's (reports/backtest/scoreboard.md: ensemble_bayes 0.232 / 0.121)
    y, p = rows["y"].to_numpy(float), rows["p"].to_numpy(float)
    assert published["brier_skill"] == pytest.approx(1 - ((p - y) ** 2).sum() / ((rows["p_ref"] - y) ** 2).sum())
    # 63 defeats: the 0.75 recall target needs 48 of them in their cycle's top 25
    assert need["defeats_in_top25_needed"] == int(np.ceil(0.75 * rows["y"].sum()))
    assert need["brier_skill"] > need["brier_skill_nopair_now"]  # the target is not met on these predictions


def test_nadler_maloney_2022_counts_for_longer_tenure(view):
    """NY-12 2022: Nadler (in the House since 1992-11) beat Maloney (since 1993-01): the longer-serving
    member won; restricted to that one pair, the tenure proxy names one winner and no loser."""
    ny12 = view[(view["cycle"] == 2022) & (view["state"] == "NY") & (view["district"].astype(int) == 12)]
    table, n = sb.pair_proxies(ny12)
    assert n == 1
    tenure = table.set_index("proxy").loc["longer tenure"]
    assert (tenure["favourite won"], tenure["favourite lost"], tenure["cannot tell"]) == (1, 0, 0)


def test_every_proxy_accounts_for_every_pair(view):
    table, n = sb.pair_proxies(view)
    assert n >= 17
    assert (table[["favourite won", "favourite lost", "cannot tell"]].sum(axis=1) == n).all()


def test_red_flags_on_crowley_and_cantor(view):
    """Crowley 2018: Justice Democrats endorsed Ocasio-Cortez (an insurgent group), who had raised
    ~$127k to his ~$2.8M by the pre-primary report; Cantor 2014: no flag at all."""
    flags = sb.red_flags(view)
    crowley = flags.loc[_one(view, 2018, "NY", 14, "Joe Crowley")]
    assert crowley["an insurgent group endorsed a challenger"]
    assert not crowley["challengers raised >= 1/4 of the member (pre-primary FEC)"]
    cantor = flags.loc[_one(view, 2014, "VA", 7, "Eric Cantor")]
    assert not cantor.any()


def test_the_misses_are_the_unpaired_defeats_ranked_below_25th(rows, view):
    misses, rates = sb.miss_evidence(rows, view)
    expected = rows[(rows["y"] == 1) & ~rows["pairing"] & (rows["rank"] > sb.TOP_K)]
    assert len(misses) == len(expected)
    assert (misses["rank"] > sb.TOP_K).all()
    assert set(misses["incumbent"]) == set(expected["incumbent"])
    assert (rates["misses with it"] <= rates["defeats with it"]).all()


def test_senior_rule_scores_the_same_pairings_as_the_model(rows, view):
    out = sb.senior_rule(view, rows)
    pairing = rows[rows["pairing"]]
    assert out["pairs"] * 2 == len(pairing)
    assert out["model"] == pytest.approx(((pairing["p"] - pairing["y"]) ** 2).sum())
    assert 0 < out["rule"] < 2 * out["pairs"]
