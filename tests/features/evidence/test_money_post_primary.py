"""Money from a pre-primary file copied after the primary is masked (features.evidence.money.post_primary_snapshot).

Real rows: MI-14 2012 (Peters vs Clarke, primary 2012-08-07; the 2012 file was copied 2012-08-29)
and MA 2012 (primary 2012-09-06, after the copy).
"""
import pandas as pd
import pytest

from features.evidence.money import post_primary_snapshot, snapshot_dates
from features.view.asof import AsOfViolation, as_of_view, assert_as_of
from features.view.matrix import source_columns
from tests.forecasting.model_fixtures import pre_primary_view, real_table, row

MONEY = ["inc_receipts", "inc_cash", "chal_receipts", "chal_cash", "money_ratio"]


def test_snapshot_dates_from_the_source_label():
    s = pd.Series(["fec-pre-2012", "fec-pre-2014;fec-pre-2012", None, "fec-ye-2012"])
    got = snapshot_dates(s)
    assert got[0] == pd.Timestamp("2012-08-29") and got[1] == pd.Timestamp("2014-04-08")
    assert got[2:].isna().all()


def test_a_2012_row_from_the_late_file_is_masked():
    table = real_table()
    rows = table[(table["cycle"] == 2012) & (table["state"] == "MI") & (table["district"] == 14)]
    clarke = rows[rows["incumbent"] == "Hansen Clarke"].iloc[0]
    # the table keeps the figure (its coverage, 2012-07-18, precedes the 2012-08-07 primary) ...
    assert clarke["inc_receipts"] > 0 and clarke["money_source"] == "fec-pre-2012"
    assert pd.Timestamp(clarke["money_cvg_end"]) < pd.Timestamp(clarke["primary_date"])
    assert post_primary_snapshot(table).loc[clarke.name]
    # ... but the pre-primary view does not: the file was copied on 2012-08-29, after the result
    view = pre_primary_view()
    assert view.loc[clarke.name, MONEY].isna().all()
    # Massachusetts voted on 2012-09-06, after the copy: its money stays
    ma = view[(view["cycle"] == 2012) & (view["state"] == "MA")]
    assert ma["inc_receipts"].notna().sum() >= 5
    assert not post_primary_snapshot(table.loc[ma.index]).any()
    # the rule is by date, not by cycle: 2018's file (2018-05-01) masks Texas (3/6), keeps Ohio (5/8).
    # TX-8 2018: the challenger's last report in the spring copy predates the primary (he had stopped
    # filing): that stale figure is what a late copy leaks. It is in the year-end money too (his report
    # ran to 2017), so neither vintage is used: the view has no money for the row
    tx = row(table, 2018, "TX", 8, "R")
    assert tx["chal_receipts"] > 0 and "fec-pre-2018" in tx["money_source"].split(";")
    assert post_primary_snapshot(table.loc[[tx.name]]).all()
    assert "fec-pre-2018" in str(tx["money_early_source"]).split(";")
    assert view.loc[tx.name, MONEY].isna().all()
    oh = view[(view["cycle"] == 2018) & (view["state"] == "OH")]
    assert oh["inc_receipts"].notna().sum() >= 10


def test_unmasked_post_primary_money_is_a_violation():
    table = real_table()
    view = pre_primary_view()
    rows = table[(table["cycle"] == 2012) & (table["state"] == "MI") & (table["district"] == 14)]
    i = rows[rows["incumbent"] == "Hansen Clarke"].index[0]
    assert_as_of(view, source_columns())                     # the masked view passes
    for col in MONEY + ["money_cvg_end", "money_source"]:
        view.loc[i, col] = table.loc[i, col]
    with pytest.raises(AsOfViolation, match="MI-14 2012 uses money from a file copied after"):
        assert_as_of(view, source_columns())


def test_none_of_the_masked_money_reaches_the_pre_primary_view():
    table = real_table()
    view = as_of_view(table, money="preprimary")
    late = post_primary_snapshot(table)
    assert late[table["cycle"] == 2012].sum() >= 100           # most of 2012
    # none of those rows keeps its late-copy money: each is blank or the earlier copy's (2018-early)
    kept = view.loc[late, MONEY].notna().any(axis=1)
    assert not post_primary_snapshot(view.loc[late]).any()
    assert set(view.loc[late][kept]["money_source"]) <= {"fec-pre-2018-early"}
    assert view.loc[late & (table["cycle"] == 2012), MONEY].isna().all().all()
    # year-end mode is the documented leak and keeps its own totals
    ye = as_of_view(table, money="yearend")
    assert ye.loc[late & table["inc_receipts_ye"].notna(), "inc_receipts"].notna().all()
