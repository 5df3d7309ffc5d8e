"""2024 contest rows from the curated 2024 file."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from features.contests.results_2024 import CURATED, contest_rows_2024, read_curated_2024
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / CURATED).is_file(), reason="raw data folder absent")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return contest_rows_2024(RAW)


def one(rows, state, district, party):
    sel = rows[(rows["state"] == state) & (rows["district"] == district) & (rows["party"] == party)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_losers_exactly_four(rows):
    assert set(rows.loc[rows["lost"], "incumbent"]) == {"Jerry L. Carl", "Jamaal Bowman", "Bob Good", "Cori Bush"}


def test_ny16_bowman_lost_with_the_files_share(rows):
    r = one(rows, "NY", 16, "D")
    assert r["incumbent"] == "Jamaal Bowman" and r["lost"]
    assert r["incumbent_share"] == pytest.approx(0.4132)        # not the suspect 54.5/45.5
    assert r["top_challenger"] == "George Latimer" and r["top_challenger_share"] == pytest.approx(0.5811)


def test_mo1_bush_lost(rows):
    r = one(rows, "MO", 1, "D")
    assert r["incumbent"] == "Cori Bush" and r["lost"] and r["incumbent_share"] == pytest.approx(0.46)


def test_al1_incumbent_vs_incumbent(rows):
    al1 = rows[(rows["state"] == "AL") & (rows["district"] == 1)]
    assert al1["incumbent_vs_incumbent"].all()
    carl = al1[al1["incumbent"] == "Jerry L. Carl"].iloc[0]
    assert carl["lost"] and carl["other_incumbent"] == "Barry Moore"


def test_contested_unknown_stays_na_and_shares_are_fractions(rows):
    assert len(rows) == 385
    assert rows["contested"].isna().sum() == 172
    assert rows["contested"].sum() == 125
    shares = rows[["incumbent_share", "top_challenger_share", "runoff_share"]].stack().dropna()
    assert shares.between(0, 1).all()
    nj1 = one(rows, "NJ", 1, "D")                       # uncontested 100%: no contest share
    assert not nj1["contested"] and pd.isna(nj1["incumbent_share"])
    assert rows["incumbent_share"].notna().sum() == 41


def test_runoff_and_special_members(rows):
    tx23 = one(rows, "TX", 23, "R")
    assert tx23["went_to_runoff"] and not tx23["lost"] and tx23["runoff_share"] == pytest.approx(0.507)
    assert rows["went_to_runoff"].sum() == 1
    specials = set(rows.loc[rows["special_election_member"].fillna(False), "incumbent"])
    assert {"Celeste Maloy", "Gabe Amo", "Thomas R. Suozzi"} <= specials
    assert rows["fec_id"].notna().all() and str(rows["lost"].dtype) == "boolean"


def test_bad_percentage_names_row_and_field(tmp_path):
    dst = tmp_path / CURATED
    dst.parent.mkdir(parents=True)
    shutil.copy(RAW / CURATED, dst)
    df = pd.read_csv(dst, dtype=str, keep_default_na=False)
    df.loc[2, "incumbent_pct"] = "about 51"
    df.to_csv(dst, index=False)
    with pytest.raises(InputError) as err:
        read_curated_2024(tmp_path)
    assert err.value.field == "incumbent_pct" and err.value.row == 3
