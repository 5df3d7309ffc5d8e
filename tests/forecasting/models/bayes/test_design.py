"""Justice Democrats' endorsement of a challenger is a default input of P(loss | contested) (logit and
Bayesian hurdle; the boosted model has every endorsement flag): the 2020 fold on the real table."""
import pytest

from forecasting.models import bayes, logit
from forecasting.models.bayes import contest_stage_ok


def test_jd_flag_is_a_default_of_the_loss_stage_only():
    assert "end_jd_chal" in logit.EVIDENCE_LOSS and "end_jd_chal" not in logit.CONTESTED_FEATURES
    assert "end_jd_chal" in bayes.DEFAULT_FEATURES and not contest_stage_ok("end_jd_chal")


@pytest.fixture(scope="module")
def fold_2020():
    from features.table.store import load_table
    from forecasting.evaluation.backtest import fold_views

    return fold_views(load_table(), 2020, "preprimary")


def _row(frame, state, district):
    sel = frame[(frame["state"] == state) & (frame["district"].astype(int) == district)]
    assert len(sel) == 1
    return sel


def test_engel_2020_rises_with_the_jd_endorsement_of_bowman(fold_2020):
    """NY-16 2020: Justice Democrats endorsed Jamaal Bowman against Eliot Engel, who lost. Trained on
    2002-2018 (JD's 2018 slate: Crowley and Capuano lost, seven others won), the logit's P(loss) of
    Engel's row is higher with the flag than with it cleared."""
    train, test = fold_2020
    engel = _row(test, "NY", 16)
    assert engel["incumbent"].iloc[0] == "Eliot Engel" and float(engel["end_jd_chal"].iloc[0]) == 1.0
    model = logit.LogitModel().fit(train)
    with_flag = float(model.predict(engel)["p_loss"].iloc[0])
    without = float(model.predict(engel.assign(end_jd_chal=0.0))["p_loss"].iloc[0])
    assert with_flag > 1.5 * without
