"""benchmarks/targets.py --combination: the equal-weight average of out-of-sample predictions."""

import numpy as np
import pytest

from features.kernel.paths import PROJECT_ROOT
from forecasting.evaluation.scoreboard import read_predictions
from forecasting.evaluation.studies import targets

BACKTEST = PROJECT_ROOT / "reports/backtest"
CROWLEY = dict(cycle=2018, state="NY", district=14, party="D")


@pytest.fixture(scope="module")
def predictions():
    pred = read_predictions(BACKTEST)
    if pred is None:
        pytest.skip("committed backtest predictions missing")
    from forecasting.evaluation.scoreboard import at_horizon
    pred = at_horizon(pred, "day_before")
    return pred


def _row(frame, model):
    sel = frame[(frame["model"] == model) & (frame["money_mode"] == "preprimary")]
    for k, v in CROWLEY.items():
        sel = sel[sel[k].astype(type(v)) == v]
    assert len(sel) == 1
    return sel.iloc[0]


def test_three_model_average_on_the_crowley_row(predictions):
    combo = targets.combination(predictions, ["logit", "boosted", "bayes"])
    n = len(predictions[(predictions["model"] == "bayes") & (predictions["money_mode"] == "preprimary")])
    assert len(combo) == n and set(combo["model"]) == {"logit+boosted+bayes"}
    members = [_row(predictions, m)["p_loss"] for m in ("logit", "boosted", "bayes")]
    got = _row(combo, "logit+boosted+bayes")
    assert got["y"] == 1                                     # Crowley lost to Ocasio-Cortez
    assert got["p_loss"] == pytest.approx(np.mean(members))
    assert min(members) < got["p_loss"] < max(members)       # the members disagree on this row


def test_a_model_averaged_with_itself_is_itself(predictions):
    combo = targets.combination(predictions, ["logit", "logit"])
    logit = predictions[(predictions["model"] == "logit") & (predictions["money_mode"] == "preprimary")]
    got = combo.sort_values(["cycle", "state", "district", "party", "incumbent"])["p_loss"].to_numpy()
    want = logit.sort_values(["cycle", "state", "district", "party", "incumbent"])["p_loss"].to_numpy()
    np.testing.assert_allclose(got, want)


def test_an_unknown_member_is_refused(predictions):
    with pytest.raises(SystemExit, match="no preprimary predictions of nosuchmodel"):
        targets.combination(predictions, ["logit", "nosuchmodel"])
