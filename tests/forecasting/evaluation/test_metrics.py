"""Metrics against hand-computable cases."""
import numpy as np
import pandas as pd
import pytest

from forecasting.evaluation import metrics


def test_brier_and_log_loss_by_hand():
    y = [1, 0, 0, 0]
    p = [0.5, 0.5, 0.0, 0.1]
    assert metrics.brier(y, p) == pytest.approx((0.25 + 0.25 + 0 + 0.01) / 4)
    expected = -(np.log(0.5) + np.log(0.5) + np.log(1 - 1e-4) + np.log(0.9)) / 4
    assert metrics.log_loss(y, p) == pytest.approx(expected)


def test_log_loss_is_finite_for_a_certain_miss():
    assert metrics.log_loss([1], [0.0]) == pytest.approx(-np.log(1e-4))


def test_brier_skill_against_reference():
    y = [1, 0, 0, 0]
    ref = [0.25] * 4                      # Brier 0.1875
    assert metrics.brier_skill(y, ref, ref) == 0.0
    assert metrics.brier_skill(y, y, ref) == 1.0
    assert metrics.brier_skill(y, [0.5] * 4, ref) == pytest.approx(1 - 0.25 / 0.1875)


def test_auc_and_single_class():
    assert metrics.auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert np.isnan(metrics.auc([0, 0], [0.1, 0.2]))


def test_recall_top_k_with_ties_gives_expected_credit():
    y = np.array([1, 0, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.1, 0.1, 0.1])
    assert metrics.recall_top_k(y, p, 1) == 0.5
    assert metrics.recall_top_k(y, p, 2) == 0.5
    # third slot: one of three tied rows, one of which is a loser -> 1/3 expected hit
    assert metrics.recall_top_k(y, p, 3) == pytest.approx((1 + 1 / 3) / 2)
    assert metrics.recall_top_k(y, np.full(5, 0.2), 2) == pytest.approx(2 / 5)   # constant: k/n
    assert metrics.recall_top_k(y, p, 10) == 1.0


def test_recall_top_k_by_cycle_pools_hits():
    y = np.array([1, 0, 0, 1, 1, 0])
    p = np.array([0.9, 0.2, 0.1, 0.1, 0.8, 0.9])
    groups = np.array([2020, 2020, 2020, 2022, 2022, 2022])
    # 2020: top-1 catches the loser; 2022: top-1 is a non-loser -> 1 of 3 losers
    assert metrics.recall_top_k_by_group(y, p, groups, 1) == pytest.approx(1 / 3)


def test_share_scores():
    share = [0.40, 0.60, 0.80]
    assert metrics.share_mae(share, [0.50, 0.60, 0.70]) == pytest.approx(0.2 / 3)
    assert metrics.share_coverage(share, [0.3, 0.65, 0.7], [0.5, 0.9, 0.8]) == pytest.approx(2 / 3)


def test_reliability_table_bins_and_binomial_band():
    p = np.array([0.05] * 100 + [0.55] * 10)
    y = np.array([1] * 5 + [0] * 95 + [1] * 9 + [0] * 1)
    tab = metrics.reliability_table(y, p)
    assert len(tab) == 10 and tab["n"].sum() == 110
    first = tab.iloc[0]
    assert first["n"] == 100 and first["observed"] == pytest.approx(0.05)
    # Binomial(100, 0.05): 5% quantile 2, 95% quantile 9
    assert first["band_low"] == pytest.approx(0.02) and first["band_high"] == pytest.approx(0.09)
    assert bool(first["in_band"])
    fifth = tab.iloc[5]            # 9 of 10 at p=0.55: above Binomial(10, .55)'s 95% quantile (8)
    assert fifth["band_high"] == pytest.approx(0.8) and not bool(fifth["in_band"])
    assert pd.isna(tab.iloc[9]["in_band"]) and tab.iloc[9]["n"] == 0


def test_score_frame():
    frame = pd.DataFrame({"y": [1, 0, 0, 0], "p_loss": [0.5, 0.1, 0.0, 0.2], "cycle": [2020] * 4,
                          "share": [0.45, 0.7, np.nan, 0.8], "share_p10": [0.4, 0.6, 1, 0.5],
                          "share_p50": [0.5, 0.7, 1, 0.7], "share_p90": [0.6, 0.8, 1, 0.75]})
    s = metrics.score(frame, p_ref=np.full(4, 0.25))
    assert s["n"] == 4 and s["n_lost"] == 1 and s["n_share"] == 3
    assert s["brier"] == pytest.approx((0.25 + 0.01 + 0 + 0.04) / 4)
    assert s["recall_top10"] == 1.0 and s["auc"] == 1.0
    assert s["share_mae"] == pytest.approx((0.05 + 0 + 0.1) / 3)
    assert s["share_cov80"] == pytest.approx(2 / 3)
