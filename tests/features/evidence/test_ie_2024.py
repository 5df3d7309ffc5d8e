"""2024 FEC independent-expenditure totals: spender classes, per-incumbent totals, the UDP cross-check,
and the as-of rule -- undated totals never reach a pre-primary view (they are leaky, like year-end money)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from features.evidence.ie_2024 import COLUMNS, PAIRS, aggregate_ie24, ie_pairs, udp_crosscheck
from features.kernel.columns import DATED_GROUPS, GROUPS, LEAKY_GROUPS
from features.kernel.constants import BACKTEST_CYCLES
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir
from features.table.store import load_table
from features.view.asof import AsOfViolation, as_of_view, assert_as_of
from features.view.matrix import ALL_GROUPS, source_columns
from forecasting.evaluation.backtest import LEAKY_MONEY_MODES, backtest_view, fold_views

RAW = raw_dir()
needs_raw = pytest.mark.skipif(not (RAW / PAIRS).is_file(), reason="raw 2024 IE folder absent")
IE = [c for c in GROUPS["outside_spending_ie24"]]


@pytest.fixture(scope="module")
def pairs():
    return ie_pairs(RAW)


@pytest.fixture(scope="module")
def table():
    return load_table()


@needs_raw
def test_spender_classes_from_the_one_mapping(pairs):
    cls = pairs.drop_duplicates("sid").set_index("sid")["spender_class"]
    assert cls["C00799031"] == "pro-israel"          # UDP
    assert cls["C00710848"] == "pro-israel"          # DMFI PAC
    assert cls["C00835959"] == "crypto"              # Fairshake
    assert cls["C00630665"] == "progressive"         # Justice Democrats
    assert cls["C00487470"] == "conservative"        # Club for Growth Action
    assert cls["C00495028"] == "party-aligned"       # HMP
    assert cls["C00075820"] == "party-aligned"       # NRCC
    # a committee below the README's $120k cut has no name: class 'other'
    unnamed = pairs[pairs["spender"].isna()]
    assert len(unnamed) and (unnamed["spender_class"] == "other").all()
    bowman = pairs[(pairs["sid"] == "C00799031") & (pairs["cid"] == "H0NY16143")]
    assert bowman["side"].tolist() == ["O"] and bowman["amount"].iloc[0] == pytest.approx(9_865_492.96)


@needs_raw
def test_bowman_and_bush_2024_totals(pairs, table):
    rows = table[table["cycle"].isin([2022, 2024])]
    out = aggregate_ie24(pairs, rows).join(rows[["cycle", "state", "district", "incumbent"]])
    ny16 = out[(out["cycle"] == 2024) & (out["state"] == "NY") & (out["district"] == 16)].iloc[0]
    # UDP against Bowman 9.87M + for Latimer 4.68M + DMFI: all pro-Israel, all counted against Bowman
    assert ny16["ie24_pro_israel_against_inc"] > 9_865_492.96 + 4_682_560.29
    assert ny16["ie24_cvg_end"] == pd.Timestamp("2024-12-31")
    mo1 = out[(out["cycle"] == 2024) & (out["state"] == "MO") & (out["district"] == 1)].iloc[0]
    assert mo1["ie24_pro_israel_against_inc"] >= 5_242_260.11 + 3_356_279.25
    assert out.loc[out["cycle"] == 2022, IE].isna().all().all()      # 2024 only: other cycles not covered


@needs_raw
def test_udp_totals_are_primary_money_but_not_public_before_the_primary(pairs, table):
    dates = table[table["cycle"] == 2024].groupby("state")["primary_date"].first()
    chk = udp_crosscheck(RAW, pairs, dates).set_index(["cid", "side"])
    bowman = chk.loc[("H0NY16143", "O")]
    assert bowman["ie_total"] == pytest.approx(9_865_492.96)
    assert bowman["pas2_primary"] == pytest.approx(9_834_425) and bowman["primary_coded"]
    # only the May report (filed 2024-06-20) precedes the 2024-06-25 primary
    assert bowman["pas2_before_primary"] == pytest.approx(3_690_566) and not bowman["pre_primary"]
    gomez = chk.loc[("H8CA34266", "S")]                   # UDP for Gomez: his November same-party general
    assert gomez["pas2_primary"] == 0 and gomez["pas2_general"] > 1.6e6
    assert not chk["pre_primary"].any()                  # no UDP total was public before its primary


def test_ie_totals_are_a_leaky_dated_group():
    assert "outside_spending_ie24" in LEAKY_GROUPS and "money_yearend" in LEAKY_GROUPS
    assert DATED_GROUPS["outside_spending_ie24"] == "ie24_cvg_end"
    assert set(COLUMNS) == set(IE)
    assert not set(IE) & set(source_columns(ALL_GROUPS))      # no model feature reads them
    assert LEAKY_MONEY_MODES == ("yearend",)


@pytest.fixture(scope="module")
def pre_view(table):
    return backtest_view(table, "preprimary")


def test_never_in_a_pre_primary_view(table, pre_view):
    assert table.loc[table["cycle"] == 2024, "ie24_against_inc"].notna().all()
    assert pre_view[IE].isna().all().all()
    assert_as_of(pre_view)
    t24 = table[table["cycle"] == 2024]
    assert as_of_view(t24, money="none")[IE].isna().all().all()
    live = as_of_view(table[table["cycle"] == 2026], "2025-12-31")
    assert live[IE].isna().all().all()
    # a date after the cycle is over: still blanked in the leak-free modes (the totals are undated)
    assert as_of_view(t24, "2025-06-30")[IE].isna().all().all()
    # only the leaky mode keeps them, as it keeps the year-end totals
    assert as_of_view(t24, money="yearend")["ie24_against_inc"].notna().all()


def test_the_as_of_check_refuses_them(table, pre_view):
    view = pre_view[pre_view["cycle"] == 2024].copy()
    view["ie24_against_inc"] = table.loc[view.index, "ie24_against_inc"]
    view["ie24_cvg_end"] = table.loc[view.index, "ie24_cvg_end"]
    with pytest.raises(AsOfViolation, match="outside_spending_ie24"):
        assert_as_of(view)


def test_every_backtest_fold_is_free_of_them(table, pre_view):
    for cycle in BACKTEST_CYCLES:
        train, test = fold_views(table, cycle, "preprimary", view=pre_view)     # asserts the as-of rule
        assert train[IE].isna().all().all() and test[IE].isna().all().all(), cycle


def test_jstreet_in_the_pre_primary_view(table, pre_view):
    view = pre_view[pre_view["cycle"] == 2022]
    levin = view[(view["state"] == "MI") & (view["district"] == 11) & view["incumbent"].str.contains("Levin")]
    stevens = view[(view["state"] == "MI") & (view["district"] == 11) & view["incumbent"].str.contains("Stevens")]
    assert levin["js_fec_for_inc"].iloc[0] == 5000 and stevens["js_fec_against_inc"].iloc[0] == 5000
    early = as_of_view(table[table["cycle"] == 2022], "2021-08-26")
    lv = early[(early["state"] == "MI") & (early["district"] == 11) & early["incumbent"].str.contains("Levin")]
    assert lv["js_fec_for_inc"].iloc[0] == 0
    assert_as_of(view)


def _raw_copy(tmp_path) -> Path:
    dst = tmp_path / Path(PAIRS).parent
    shutil.copytree(RAW / Path(PAIRS).parent, dst)
    return tmp_path


@needs_raw
@pytest.mark.parametrize("field,value,msg", [("side", "X", "side must be S, O or blank"),
                                             ("amount", "9,86x", "not a number"),
                                             ("cid", "S4NY00001", "not a House candidate id")])
def test_bad_input_names_file_row_field(tmp_path, field, value, msg):
    raw = _raw_copy(tmp_path)
    path = raw / PAIRS
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[41, field] = value
    df.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(InputError) as err:
        ie_pairs(raw)
    assert err.value.row == 42 and err.value.field == field and msg in str(err.value)
    assert Path(err.value.file).name == Path(PAIRS).name


def test_the_curated_spenders_keep_their_classes():
    # the FEC committee names extended the one mapping; the curated file's classes did not move
    from features.evidence.outside_spending import read_events, spender_class
    from features.kernel.paths import PROCESSED_DIR
    ev = read_events(PROCESSED_DIR / "outside_spending_events.csv")
    assert len(ev) and all(spender_class(n) == c for n, c in zip(ev["spender"], ev["spender_class"]))
