"""The model matrix: inputs only, never outcomes; field features only once the field is known."""
import numpy as np
import pandas as pd
import pytest

from features.kernel.columns import OUTCOME_COLUMNS
from features.view.matrix import (
    CURATED_GROUPS,
    FEATURES,
    FIELD_GROUPS,
    SOURCE_COLUMNS,
    feature_names,
    make_preprocessor,
    model_frame,
    source_columns,
)
from tests.forecasting.model_fixtures import pre_primary_view, real_table, row


def test_no_outcome_column_is_an_input():
    assert not set(source_columns()) & set(OUTCOME_COLUMNS)
    assert not set(feature_names()) & set(OUTCOME_COLUMNS)
    assert set(FEATURES) == set(SOURCE_COLUMNS)
    assert set(FIELD_GROUPS) <= set(FEATURES) and set(CURATED_GROUPS) <= set(FEATURES)


def test_unknown_group_is_refused():
    with pytest.raises(ValueError, match="unknown feature group"):
        feature_names(["incumbent", "horoscope"])


def test_outcomes_cannot_move_the_matrix():
    view = pre_primary_view()
    sample = view[view["cycle"] == 2018].head(200)
    scrambled = sample.copy()
    for col in OUTCOME_COLUMNS:
        if col in scrambled.columns:
            scrambled[col] = scrambled[col].sample(frac=1, random_state=1).to_numpy()
    pd.testing.assert_frame_equal(model_frame(sample), model_frame(scrambled))


def test_real_rows_crowley_2018():
    view = pre_primary_view()
    X = model_frame(view)
    crowley = row(view, 2018, "NY", 14, "D")
    x = X.loc[crowley.name]
    assert x["party_R"] == 0 and x["region_northeast"] == 1 and x["region_west"] == 0
    assert x["president_party"] == 0 and x["midterm"] == 1          # Trump's first midterm
    assert x["field_known"] == 1 and x["n_candidates"] >= 2
    assert x["tenure_years"] > 15                                    # in the House since 1999
    assert X.dtypes.eq(float).all() and list(X.columns) == feature_names()


def test_a_known_challenger_from_real_rows():
    """Before the ballot: a funded FEC registrant and an endorsement against the member, as of the date."""
    from features.view.asof import as_of_view, live_view

    table = real_table()
    live = live_view(table[table["cycle"] == 2026], pd.Timestamp("2025-12-31"))
    X = model_frame(live, groups=["known_challenger"])
    ky4 = X.loc[row(live, 2026, "KY", 4, "R").name]
    assert ky4["chal_funded"] == 1 and ky4["chal_endorsed"] == 1     # Gallrein: $1.2M, Trump's endorsement
    # Bowman NY-16 2024: Latimer's money and AIPAC's backing were known the day before, not in 2022
    bowman = table[(table["cycle"] == 2024) & (table["state"] == "NY") & (table["district"] == 16)]
    late = model_frame(as_of_view(bowman, as_of="pre-primary"), groups=["known_challenger"]).iloc[0]
    early = model_frame(as_of_view(bowman, as_of="2022-12-31"), groups=["known_challenger"]).iloc[0]
    assert late["chal_funded"] == 1 and late["chal_endorsed"] == 1
    assert early["chal_endorsed"] == 0
    # 2010: no FEC money before the ballot in the data, so "funded" is unknown rather than "no"
    old = model_frame(as_of_view(table[table["cycle"] == 2010].head(40), as_of="2009-12-31"),
                      groups=["known_challenger"])
    assert old["chal_funded"].isna().all() and (old["chal_endorsed"] == 0).all()


def test_field_features_hidden_before_the_filing_deadline():
    table = real_table()
    sample = table[table["cycle"] == 2020].head(50)
    from features.view.asof import as_of_view
    early = as_of_view(sample, as_of="2019-06-01")        # before every 2020 filing deadline
    X = model_frame(early, groups=["field"])
    assert (X["field_known"] == 0).all()
    assert X["n_candidates"].isna().all() and X["incumbent_vs_incumbent"].isna().all()


def test_preprocessor_imputes_indicates_and_standardises_on_the_fit_rows_only():
    view = pre_primary_view()
    cols = ["incumbent_age", "last_primary_share", "log_chal_receipts", "party_R"]
    X = model_frame(view)[cols]
    train, test = X[view["cycle"] < 2016], X[view["cycle"] == 2016]
    pre = make_preprocessor().fit(train)
    Z = pre.transform(test)
    assert not Z.isna().any().any()
    assert any(c.startswith("missingindicator_") for c in Z.columns)
    Ztrain = pre.transform(train)
    assert np.allclose(Ztrain.mean(), 0, atol=1e-9) and np.allclose(Ztrain.std(ddof=0), 1, atol=1e-9)


def test_preprocessor_drops_money_the_2014_fold_barely_saw():
    """Before 2014 only ~20 rows keep pre-primary money (the post-primary copies are masked): a slope
    fitted on them collapsed the 2014 fold, so the preprocessor drops a feature observed on fewer
    than ``MIN_OBSERVED`` fit rows (and its missing indicator); by the 2016 fold money is back."""
    from features.view.matrix import MIN_OBSERVED

    view = pre_primary_view()
    cols = ["incumbent_age", "pres_lean", "log_inc_receipts", "log_chal_receipts"]
    X = model_frame(view)[cols]
    before_2014, before_2016 = X[view["cycle"] < 2014], X[view["cycle"] < 2016]
    assert 0 < before_2014["log_inc_receipts"].notna().sum() < MIN_OBSERVED
    assert before_2016["log_inc_receipts"].notna().sum() >= MIN_OBSERVED
    kept_2014 = list(make_preprocessor().fit(before_2014).transform(X.head(5)).columns)
    assert "incumbent_age" in kept_2014 and "pres_lean" in kept_2014
    assert not any("receipts" in c for c in kept_2014)
    kept_2016 = list(make_preprocessor().fit(before_2016).transform(X.head(5)).columns)
    assert "log_inc_receipts" in kept_2016 and "missingindicator_log_inc_receipts" in kept_2016
    # without the rule the few rows are used (what collapsed the fold)
    assert "log_inc_receipts" in make_preprocessor(min_observed=0).fit(before_2014).transform(X.head(5)).columns
