"""The record of incumbent primary defeats 2002-2024 and its causes, on the real central table."""
from __future__ import annotations

import pandas as pd
import pytest

from features.contests import history
from features.kernel.errors import InputError
from features.table.store import TABLE_CSV


@pytest.fixture(scope="module")
def table():
    if not TABLE_CSV.is_file():
        pytest.skip("central table not built (data/processed/incumbent_primaries.csv)")
    from features.table.store import load_table
    return load_table()


@pytest.fixture(scope="module")
def record(table):
    return history.defeat_record(table)


def one(record, cycle, state, district):
    rows = record[(record["cycle"] == cycle) & (record["state"] == state) & (record["district"] == district)]
    assert len(rows) == 1, f"{cycle} {state}-{district}: {len(rows)} rows"
    return rows.iloc[0]


def test_every_defeat_is_in_the_record_once_with_a_known_cause(table, record):
    lost = table[table["lost"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                 & table["cycle"].between(2002, 2024).to_numpy()]
    assert len(record) == len(lost)
    assert not record.duplicated(["cycle", "state", "district", "party"]).any()
    assert record["cause"].isin(history.CAUSES).all()
    assert (record.groupby("cycle").size() == lost.groupby("cycle").size()).all()
    # curated causes carry a source; derived ones name their evidence
    curated = record[record["cause_source"].str.startswith("curated")]
    assert curated["source_url"].str.match(r"^https?://").all() and (curated["reason"] != "").all()
    assert record.loc[record["cause_source"].str.startswith("derived"), "cause_source"].str.len().gt(9).all()


def test_2012_defeats_include_the_redistricting_pairings(record):
    r2012 = record[record["cycle"] == 2012]
    pairings = r2012[r2012["cause"] == "redistricting pairing"]
    assert len(pairings) >= 8
    kucinich = one(record, 2012, "OH", 9)
    assert kucinich["cause"] == "redistricting pairing" and "Kaptur" in str(kucinich["other_incumbent"])
    # Kerns (IN-4, 2002) lost to fellow member Steve Buyer: a pairing, from the data
    assert one(record, 2002, "IN", 4)["cause"] == "redistricting pairing"


def test_insurgent_left_trump_and_pro_israel_defeats_are_derived(record):
    crowley = one(record, 2018, "NY", 14)
    assert crowley["cause"] == "insurgent-left" and crowley["cause_source"] == "derived: end_insurgent_chal"
    for state, district in (("NY", 16), ("MO", 1)):
        assert one(record, 2020, state, district)["cause"] == "insurgent-left"        # Engel, Clay
        assert one(record, 2024, state, district)["cause"] == "pro-Israel money"      # Bowman, Bush
    assert one(record, 2022, "WY", 0)["cause"] == "Trump-aligned"                      # Cheney
    # a pairing where Trump also endorsed the other member: pairing first, both listed
    davis = one(record, 2022, "IL", 15)
    assert davis["cause"] == "redistricting pairing" and "Trump-aligned" in davis["all_causes"]


def test_curated_causes_cantor_and_scandals(record):
    cantor = one(record, 2014, "VA", 7)
    assert cantor["cause"] == "challenge from the right" and cantor["source_url"].startswith("https://")
    assert one(record, 2010, "SC", 4)["cause"] == "challenge from the right"           # Inglis
    assert one(record, 2002, "CA", 18)["cause"] == "scandal"                           # Condit
    assert one(record, 2016, "PA", 2)["cause"] == "scandal"                            # Fattah, indicted
    assert one(record, 2008, "MD", 4)["cause"] == "insurgent-left"                     # Wynn -> Donna Edwards


def test_counts_and_rates(table, record):
    by_cause = history.defeat_counts(record, "cause")
    assert by_cause.loc["all cycles", "total"] == len(record)
    assert (by_cause.drop(columns="total").sum(axis=1) == by_cause["total"]).all()
    by_party = history.defeat_counts(record, "party")
    assert list(by_party.columns) == ["D", "R", "total"]
    rates = history.defeat_rates(table)
    assert rates.loc[2012, "lost"] == by_cause.loc[2012, "total"]
    assert ((rates["loss_rate"] > 0) & (rates["loss_rate"] < 0.05)).all()


def test_bad_curated_file_names_row_and_field(table, tmp_path):
    good = pd.read_csv(history.DEFEAT_CAUSES_CSV, dtype=str, keep_default_na=False)
    bad = good.copy()
    bad.loc[2, "cause"] = "bad luck"
    path = tmp_path / "causes.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        history.read_defeat_causes(path)
    assert exc.value.row == 3 and exc.value.field == "cause"

    unmatched = good.copy()
    unmatched.loc[0, "district"] = "33"                 # no defeat in AL-33 in 2002
    unmatched.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        history.defeat_record(table, path)
    assert exc.value.row == 1

    no_url = good.copy()
    no_url.loc[4, "source_url"] = "wikipedia"
    no_url.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        history.read_defeat_causes(path)
    assert exc.value.field == "source_url"
