"""Forecast horizons on the real table: each row's date, the view there, the training targets."""
from __future__ import annotations

import pandas as pd
import pytest

from features.view.asof import AsOfViolation, assert_as_of
from features.view.horizons import HORIZONS, N_CANDIDATES_TARGET, horizon_as_of, horizon_of, horizon_view, training_view
from features.view.matrix import ALL_GROUPS, source_columns
from tests.forecasting.model_fixtures import real_table, row

T = pd.Timestamp


def test_each_horizon_dates_ny14_2018():
    table = real_table()
    crowley = table[(table["cycle"] == 2018) & (table["state"] == "NY") & (table["district"] == 14)]
    assert horizon_as_of(crowley, "year_end").iloc[0] == T("2017-12-31")
    assert horizon_as_of(crowley, "day_before").iloc[0] == T("2018-06-25")
    deadline = horizon_as_of(crowley, "filing_deadline").iloc[0]
    assert T("2017-12-31") < deadline < T("2018-06-25")
    with pytest.raises(ValueError, match="unknown horizon"):
        horizon_as_of(crowley, "tomorrow")


@pytest.mark.parametrize("horizon", HORIZONS)
def test_no_feature_dated_after_the_horizon(horizon):
    """The as-of rule at every horizon, over every cycle's rows."""
    view = horizon_view(real_table(), horizon)
    assert_as_of(view, source_columns(ALL_GROUPS))
    money = view["inc_receipts"].notna() & view["money_cvg_end"].notna()
    assert (pd.to_datetime(view.loc[money, "money_cvg_end"]) <= view.loc[money, "as_of"]).all()


def test_year_end_view_of_crowley_2018_sees_mid_2017_money_and_no_ballot():
    """As of 2017-12-31 the 2018 spring file runs past the date: the view takes 2018-early's figures
    (Ocasio-Cortez's $18,126 by 2017-06-30) and hides the ballot."""
    view = horizon_view(real_table(), "year_end")
    r = row(view, 2018, "NY", 14, "D")
    assert r["money_cvg_end"] == T("2017-06-30") and r["money_source"] == "fec-pre-2018-early"
    assert r["chal_receipts"] == pytest.approx(18126.19)
    assert not bool(r["field_known"]) and pd.isna(r["contested"]) and pd.isna(r["n_candidates"])


def test_year_end_view_of_ky4_2026_knows_gallreins_money():
    view = horizon_view(real_table(), "year_end")
    r = row(view, 2026, "KY", 4, "R")
    assert r["chal_receipts"] > 1_000_000 and r["money_cvg_end"] == T("2025-12-31")


def test_a_money_figure_after_the_horizon_is_not_used():
    """An early figure dated after December 31 (tampered) is never swapped in."""
    table = real_table()
    i = row(table, 2018, "NY", 14, "D").name
    table.loc[i, "money_early_cvg_end"] = T("2018-01-15")
    view = horizon_view(table, "year_end")
    assert pd.isna(view.loc[i, "inc_receipts"])
    view.loc[i, "inc_receipts"] = 1.0
    view.loc[i, "money_cvg_end"] = T("2018-01-15")
    with pytest.raises(AsOfViolation, match="NY-14 2018"):
        assert_as_of(view, source_columns(ALL_GROUPS))


def test_training_view_keeps_the_target_and_hides_the_inputs():
    table = real_table()
    view = horizon_view(table, "year_end")
    train = training_view(table, view[view["cycle"] < 2020])
    r = row(train, 2018, "NY", 14, "D")
    assert bool(r["contested"]) and r[N_CANDIDATES_TARGET] == 2
    assert pd.isna(r["n_candidates"]) and not bool(r["field_known"])
    # Texas's filing deadline falls before December 31: its field is known at the year-end horizon
    tx = train[(train["state"] == "TX") & (train["cycle"] == 2018)]
    assert tx["field_known"].astype(bool).all() and tx["n_candidates"].notna().all()


def test_horizon_of_a_date():
    table = real_table()
    ky = table[(table["cycle"] == 2026) & (table["state"] == "KY") & (table["district"] == 4)]
    assert horizon_of(ky, "2025-12-31").iloc[0] == "year_end"
    assert horizon_of(ky, "2026-03-01").iloc[0] == "filing_deadline"
    assert horizon_of(ky, "2026-05-18").iloc[0] == "day_before"
