"""Honest evaluation: the pairing-aware reference, skill without pairings, bootstrap intervals.

Hand-computable cases for each metric, and facts of the real backtest (the member-vs-member
defeats the scoreboard counts are the real ones).
"""
import numpy as np
import pandas as pd
import pytest

from forecasting.evaluation import metrics
from forecasting.evaluation.backtest import fold_views, hide_field, run_backtest
from forecasting.evaluation.scoreboard import HONEST_COLUMNS, POOLED, read_predictions, scoreboard, write_predictions
from forecasting.models.baseline import BaseRateModel, PairAwareBaseRateModel
from forecasting.models.pairs import member_pairs, pairing_mask
from tests.forecasting.model_fixtures import pre_primary_view, real_table, row

# ---- bootstrap interval, by hand ------------------------------------------------------------

def test_bootstrap_interval_two_clusters_by_hand():
    # cluster A: forecast error 0, reference error 1; cluster B: forecast error 1, reference error 1
    y = np.array([1.0, 1.0])
    p = np.array([1.0, 0.0])
    ref = np.array([0.0, 0.0])
    # resamples: AA (skill 1, prob 1/4), AB (0.5, 1/2), BB (0, 1/4) -> 5% / 95% quantiles are 0 and 1
    lo, hi = metrics.brier_skill_interval(y, p, ref, clusters=["A", "B"], n_boot=4000, level=0.9)
    assert (lo, hi) == (0.0, 1.0)
    # a 40% interval sits inside the middle outcome, 0.5
    lo, hi = metrics.brier_skill_interval(y, p, ref, clusters=["A", "B"], n_boot=4000, level=0.4)
    assert lo == hi == 0.5


def test_bootstrap_resamples_whole_clusters_and_is_seeded():
    y = np.array([1.0, 0.0, 1.0, 0.0])
    p = np.array([0.9, 0.6, 0.2, 0.1])
    ref = np.full(4, 0.5)
    # one cluster: every draw is the whole sample -> the interval collapses to the point estimate
    point = metrics.brier_skill(y, p, ref)
    lo, hi = metrics.brier_skill_interval(y, p, ref, clusters=[7, 7, 7, 7])
    assert lo == pytest.approx(point) and hi == pytest.approx(point)
    # by row the interval is wide, and the same seed gives the same interval
    by_row = metrics.brier_skill_interval(y, p, ref)
    assert by_row[0] < point < by_row[1]
    assert metrics.brier_skill_interval(y, p, ref) == by_row


def test_cluster_ids_one_per_cycle_district():
    frame = pd.DataFrame({"cycle": [2012, 2012, 2012, 2014], "state": ["MI", "MI", "MI", "MI"],
                          "district": [14, 14, 11, 14], "party": ["D", "D", "R", "D"]})
    ids = metrics.cluster_ids(frame)
    assert ids[0] == ids[1] and len(set(ids)) == 3


# ---- the pairing rows and the pairing-aware reference ----------------------------------------

def test_pairings_of_the_real_table():
    view = pre_primary_view()
    scored = view[(view["cycle"] >= 2008) & view["lost"].notna()]
    groups = member_pairs(scored)
    rows = np.concatenate(groups)
    assert all(len(g) == 2 for g in groups)
    # one of the two members lost in every such primary
    lost = scored["lost"].astype(bool).to_numpy()
    assert all(lost[g].sum() == 1 for g in groups)
    assert len(rows) == 2 * len(groups) and lost[rows].sum() == len(groups)
    mask = pairing_mask(scored)
    # Louisiana's jungle election elects one member: Landry lost to Boustany (LA-3 2012)
    la = scored[(scored["cycle"] == 2012) & (scored["state"] == "LA") & (scored["district"] == 3)]
    assert len(la) == 2 and mask[scored.index.get_indexer(la.index)].all()
    # top-two: both California pairs of 2012 advanced, so they are not pairings
    ca = scored[(scored["cycle"] == 2012) & (scored["state"] == "CA")
                & scored["incumbent_vs_incumbent"].astype("boolean").fillna(False)]
    assert len(ca) == 4 and not mask[scored.index.get_indexer(ca.index)].any()
    assert not ca["lost"].astype(bool).any()


def test_pair_reference_gives_a_half_to_pairings_and_the_rest_the_non_pairing_rate():
    table = real_table()
    train, test = fold_views(table, 2012, "preprimary", view=pre_primary_view())
    ref = PairAwareBaseRateModel().fit(train)
    pred = ref.predict(test)
    pairing = pairing_mask(test)
    assert pairing.sum() == 18                       # 9 member-vs-member primaries in 2012
    assert (pred["p_loss"].to_numpy()[pairing] == 0.5).all()
    # other rows: the base rate fitted on the training rows without pairings (2002 had 4 pairs)
    train_pairing = pairing_mask(train)
    assert train_pairing.sum() == 8 and ref.n_pairing_train_ == 8
    plain = BaseRateModel().fit(train[~train_pairing]).predict(test)
    np.testing.assert_allclose(pred["p_loss"].to_numpy()[~pairing], plain["p_loss"].to_numpy()[~pairing])
    # before the filing deadline the pairing is not known: no row gets the rule
    pre = ref.predict(hide_field(test))
    assert not (pre["p_loss_if_contested"].to_numpy() == 0.5).any()


# ---- scoreboard columns, by hand and on the real backtest ------------------------------------

def _hand_predictions() -> pd.DataFrame:
    base = pd.DataFrame({
        "cycle": [2012] * 4, "state": ["MI", "MI", "OH", "OH"], "district": [14, 14, 1, 2],
        "party": ["D"] * 4, "incumbent": ["Clarke", "Peters", "A", "B"],
        "y": [1.0, 0.0, 1.0, 0.0], "pairing": [True, True, False, False],
        "contested_true": [1.0] * 4, "share": [np.nan] * 4, "share_p10": 0.5, "share_p50": 0.6,
        "share_p90": 0.7, "p_contested_prefield": 0.5, "money_mode": "preprimary"})
    models = {"base_rate": [0.1, 0.1, 0.1, 0.1], "pair_base_rate": [0.5, 0.5, 0.1, 0.1],
              "m": [0.8, 0.2, 0.4, 0.0]}
    parts = []
    for name, p in models.items():
        parts.append(base.assign(model=name, p_loss=p, p_loss_prefield=p))
    return pd.concat(parts, ignore_index=True)


def test_honest_columns_by_hand():
    board = scoreboard(_hand_predictions())
    m = board[(board["model"] == "m") & (board["cycle"] == POOLED)].iloc[0]
    se_m = np.array([0.04, 0.04, 0.36, 0.0])
    se_base = np.array([0.81, 0.01, 0.81, 0.01])
    se_pair = np.array([0.25, 0.25, 0.81, 0.01])
    assert m["brier_skill"] == pytest.approx(1 - se_m.sum() / se_base.sum())
    assert m["brier_skill_pair"] == pytest.approx(1 - se_m.sum() / se_pair.sum())
    assert m["brier_ref_pair"] == pytest.approx(se_pair.mean())
    assert m["brier_skill_nopair"] == pytest.approx(1 - 0.36 / 0.82)
    assert (m["n_pairing"], m["n_lost_pairing"], m["n_nopair"], m["n_lost_nopair"]) == (2, 1, 2, 1)
    assert m["auc_nopair"] == 1.0
    assert m["recall_top25_nopair"] == 1.0
    assert m["brier_skill_ci_low"] <= m["brier_skill"] <= m["brier_skill_ci_high"]
    pair_ref = board[(board["model"] == "pair_base_rate") & (board["cycle"] == POOLED)].iloc[0]
    assert pair_ref["brier_skill_pair"] == 0.0


def test_scoreboard_reads_predictions_back_from_csv(tmp_path):
    pred = _hand_predictions()
    pred.to_csv(tmp_path / "predictions.csv", index=False)               # an older, plain backtest folder
    pd.testing.assert_frame_equal(scoreboard(pred), scoreboard(read_predictions(tmp_path)))
    write_predictions(pred, tmp_path / "predictions.csv.gz")               # what the backtest writes now
    pd.testing.assert_frame_equal(scoreboard(pred), scoreboard(read_predictions(tmp_path)), atol=1e-6)


@pytest.fixture(scope="module")
def reference_backtest():
    return run_backtest(real_table(), {}, money_modes=["preprimary"], cycles=[2012, 2022])


def test_real_pairing_defeats_counted_by_the_scoreboard(reference_backtest):
    pred = reference_backtest.predictions
    assert set(pred["model"]) == {"base_rate", "pair_base_rate"}
    board = scoreboard(pred).set_index(["model", "cycle"])
    for cycle in (2012, 2022):
        rows = pred[(pred["model"] == "base_rate") & (pred["cycle"] == cycle)]
        defeats = rows[rows["pairing"] & (rows["y"] == 1)]
        assert board.loc[("base_rate", str(cycle)), "n_lost_pairing"] == len(defeats)
        assert board.loc[("base_rate", str(cycle)), "n_pairing"] == 2 * len(defeats)
    assert board.loc[("base_rate", "2012"), "n_lost_pairing"] == 9      # LA-3 Landry among them
    assert board.loc[("base_rate", "2022"), "n_lost_pairing"] == 6
    names = set(pred[pred["pairing"] & (pred["y"] == 1)]["incumbent"])
    assert {"Hansen Clarke", "Dennis Kucinich", "Carolyn Maloney", "Andy Levin"} <= names
    # the rule is worth a lot against the plain base rate in redistricting years
    assert board.loc[("pair_base_rate", POOLED), "brier_skill"] > 0.1
    assert board.loc[("base_rate", POOLED), "brier_skill_pair"] < 0
    assert set(HONEST_COLUMNS) <= set(board.columns)


# ---- the nested champion -----------------------------------------------------------------------

def _three_cycles() -> pd.DataFrame:
    """Two rows per cycle (one loser); model a is perfect in 2008 and wrong after, b the reverse."""
    rows = []
    forecasts = {"base_rate": {2008: (0.5, 0.5), 2010: (0.5, 0.5), 2012: (0.5, 0.5)},
                 "pair_base_rate": {2008: (0.5, 0.5), 2010: (0.5, 0.5), 2012: (0.5, 0.5)},
                 "a": {2008: (1.0, 0.0), 2010: (0.0, 1.0), 2012: (0.0, 1.0)},
                 "b": {2008: (0.4, 0.6), 2010: (1.0, 0.0), 2012: (1.0, 0.0)}}
    for model, per in forecasts.items():
        for cycle, (p_loser, p_other) in per.items():
            for i, (y, p) in enumerate(((1.0, p_loser), (0.0, p_other))):
                rows.append({"model": model, "money_mode": "preprimary", "cycle": cycle, "state": "OH",
                             "district": i + 1, "party": "D", "incumbent": f"m{i}", "y": y, "p_loss": p,
                             "p_loss_prefield": p, "pairing": False, "contested_true": 1.0,
                             "p_contested_prefield": 1.0, "share": np.nan, "share_p10": 0.5,
                             "share_p50": 0.6, "share_p90": 0.7})
    return pd.DataFrame(rows)


def test_nested_champion_uses_earlier_folds_only_by_hand():
    from forecasting.evaluation.champion import nested_choices, pooled_skills
    from forecasting.evaluation.scoreboard import best_model, nested_scoreboard

    pred = _three_cycles()
    choices = nested_choices(pred).set_index("cycle")["champion"]
    # 2008: no earlier fold -> base rate; 2010: from 2008 only -> a (skill 1 vs b's 1-0.32/0.5)
    assert choices[2008] == "base_rate" and choices[2010] == "a"
    # 2012: 2008+2010 pooled: a has errors 0,0,1,1 (skill 1-2/1=-1), b 0.36,0.36,0,0 (1-0.72/1)
    assert pooled_skills(pred, cycles=[2008, 2010])["b"] == pytest.approx(1 - 0.72 / 1.0)
    assert choices[2012] == "b"
    nested = nested_scoreboard(pred).set_index("cycle")
    # nested errors: 2008 base 0.5+0.5, 2010 a 2.0, 2012 b 0 -> pooled skill 1 - 2.5 / 1.5
    assert nested.loc["pooled", "brier_skill"] == pytest.approx(1 - 2.5 / 1.5)
    assert nested.loc["2012", "brier_skill"] == 1.0
    # the published choice is the same rule over every fold: b (1 - 0.72/1.5) over a (1 - 4/1.5)
    assert best_model(scoreboard(pred)) == "b"


def test_nested_choice_cannot_see_its_own_fold():
    from forecasting.evaluation.champion import nested_choices

    pred = _three_cycles()
    before = nested_choices(pred)
    worse = pred.copy()
    later = (worse["model"] == "a") & (worse["cycle"] >= 2010)
    worse.loc[later, "p_loss"] = worse.loc[later, "y"]          # a becomes perfect from 2010 on
    after = nested_choices(worse)
    assert after.loc[after["cycle"] == 2010, "champion"].item() == before.loc[before["cycle"] == 2010,
                                                                               "champion"].item()
    assert after.loc[after["cycle"] == 2012, "champion"].item() == "a"
