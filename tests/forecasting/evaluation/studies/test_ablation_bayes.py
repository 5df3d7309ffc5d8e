"""benchmarks/ablation_bayes.py on its recorded run: the post-hoc pair rule and the pooled scores."""

import pandas as pd
import pytest

from features.kernel.paths import PROJECT_ROOT
from forecasting.evaluation.studies import ablation_bayes as ab

RUN = PROJECT_ROOT / "reports/ablation_bayes/current_2008-2024.predictions.csv"


@pytest.fixture(scope="module")
def current():
    if not RUN.is_file():
        pytest.skip("recorded Bayes ablation run missing")
    return pd.read_csv(RUN)


def test_pair_rule_gives_each_bayes_pair_one_loser_and_leaves_the_references(current):
    ruled = ab.with_pair_rule(current)
    bayes = ruled[(ruled["model"] == "bayes") & ruled["pairing"].astype(bool)]
    sums = bayes.groupby(ab.KEY)["p_loss"].sum()
    assert len(sums) == 17 and sums.round(6).eq(1.0).all()
    raw = current[(current["model"] == "bayes") & current["pairing"].astype(bool)].groupby(ab.KEY)["p_loss"].sum()
    assert raw.min() < 0.3 and raw.max() > 1.8                  # IL-16 2012 0.28, WV-2 2022 1.86
    refs = ~current["model"].eq("bayes")
    pd.testing.assert_frame_equal(ruled[refs], current[refs])


def test_pooled_scores_of_the_recorded_run(current):
    pooled, folds = ab.score_run(current, list(range(2008, 2026, 2)))
    assert pooled["n"] == 3508 and pooled["n_lost"] == 63
    assert 0.1 < pooled["skill_vs_base"] < pooled["auc"]
    ruled, _ = ab.score_run(ab.with_pair_rule(current), list(range(2008, 2026, 2)))
    assert ruled["skill_vs_base"] > pooled["skill_vs_base"]     # the rule removes the pairs' excess error
    assert ruled["skill_no_pairs"] == pytest.approx(pooled["skill_no_pairs"])
    assert list(folds.index) == list(range(2008, 2026, 2))
