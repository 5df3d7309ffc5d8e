"""The number of defeats in a cycle: exact Poisson-binomial, the cycle effect learned from earlier
cycles only, and the interval scored on the real backtest."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from features.kernel.paths import REPORTS_DIR
from forecasting.evaluation import defeat_counts as dc
from forecasting.evaluation.scoreboard import read_predictions


def test_poisson_binomial_is_exact():
    p = np.full(12, 0.3)
    assert dc.poisson_binomial(p)[:13] == pytest.approx(stats.binom.pmf(range(13), 12, 0.3))
    mixed = np.array([0.5, 0.1, 0.9])
    d = dc.poisson_binomial(mixed)
    assert d[0] == pytest.approx(0.5 * 0.9 * 0.1) and d[3] == pytest.approx(0.5 * 0.1 * 0.9)
    assert d.sum() == pytest.approx(1.0)


def test_a_cycle_effect_widens_the_interval():
    p = np.full(400, 0.015)                     # six expected defeats
    calm = dc.summarise(dc.count_distribution(p, (dc.SIGMA_GRID == 0).astype(float)))
    wavy = dc.summarise(dc.count_distribution(p, (np.isclose(dc.SIGMA_GRID, 0.8)).astype(float)))
    assert calm["expected_lost"] == pytest.approx(6.0, abs=0.01)
    assert wavy["lost_p90"] - wavy["lost_p10"] > calm["lost_p90"] - calm["lost_p10"]


def test_sigma_is_learned_from_how_past_cycles_missed():
    """Cycles that lose 2 and 15 against 6 expected each call for a larger sigma than cycles that
    lose about 6."""
    p = np.full(400, 0.015)
    steady = dc.sigma_posterior([(p, 6), (p, 5), (p, 7), (p, 6)])
    waves = dc.sigma_posterior([(p, 2), (p, 15), (p, 3), (p, 14)])
    assert (waves * dc.SIGMA_GRID).sum() > (steady * dc.SIGMA_GRID).sum() + 0.3


def test_cycle_counts_use_earlier_cycles_only():
    """Changing the last cycle's count changes no earlier cycle's interval (rolling origin)."""
    rng = np.random.default_rng(7)
    pred = pd.DataFrame({"cycle": np.repeat([2008, 2010, 2012], 300), "p_loss": rng.uniform(0, 0.04, 900)})
    pred["y"] = (rng.uniform(size=900) < pred["p_loss"]).astype(float)
    a = dc.cycle_counts(pred)
    pred.loc[pred["cycle"] == 2012, "y"] = 1.0
    b = dc.cycle_counts(pred)
    pd.testing.assert_frame_equal(a.iloc[:2].drop(columns="covered80"), b.iloc[:2].drop(columns="covered80"))
    assert a["sigma_cycles"].tolist() == [0, 1, 2]


def test_the_published_backtest_scores_the_interval_per_cycle():
    """The committed scoreboard has the count columns at every horizon, and the champion's interval
    holds 2022's fifteen defeats at the day before the primary."""
    path = REPORTS_DIR / "backtest" / "scoreboard.csv"
    if not path.is_file():
        pytest.skip("no committed scoreboard")
    board = pd.read_csv(path, dtype={"cycle": str})
    assert {"horizon", "expected_lost", "lost_p10", "lost_p90"} <= set(board.columns)
    assert set(board["horizon"]) == {"year_end", "filing_deadline", "day_before"}
    per = board[(board["cycle"] != "pooled") & (board["money_mode"] == "preprimary")]
    assert (per["lost_p10"] <= per["expected_lost"]).all() and (per["expected_lost"] <= per["lost_p90"] + 1).all()
    covered = (per["lost_p10"] <= per["n_lost"]) & (per["n_lost"] <= per["lost_p90"])
    assert (covered == per["lost_covered80"].astype(bool)).all()
    assert int(per.loc[per["cycle"] == "2022", "n_lost"].iloc[0]) == 15


def test_live_interval_from_the_backtest_history():
    pred = read_predictions(REPORTS_DIR / "backtest")
    if pred is None or "horizon" not in pred.columns:
        pytest.skip("no committed backtest predictions by horizon")
    history = dc.history_from_predictions(pred, "base_rate", "year_end")
    assert len(history) == 9 and [h[1] for h in history][2] == 14        # 2012: fourteen defeats
    out = dc.live_count(np.full(398, 0.012), history)
    assert out["lost_p10"] <= out["expected_lost"] <= out["lost_p90"]
