"""Known facts that must hold in the committed central table (data/processed/incumbent_primaries.csv)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from features.kernel.columns import CONTRACT
from features.kernel.constants import LIVE_CYCLE
from features.kernel.paths import DATA_DIR
from features.table.build import coverage
from features.table.schema import validate_table
from features.table.store import load_table


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_table()


def row(table, cycle, state, district, party=None):
    sel = table[(table.cycle == cycle) & (table.state == state) & (table.district == district)]
    if party:
        sel = sel[sel.party == party]
    assert len(sel) >= 1, f"no row for {state}-{district} {cycle}"
    return sel


def test_contract_columns_and_schema(table):
    assert set(CONTRACT) <= set(table.columns)
    validate_table(table)


# Losers per cycle, voting members, Louisiana's November jungle counted separately.
RECORD = {2002: 8, 2004: 2, 2006: 2, 2008: 4, 2010: 4, 2012: 13, 2014: 4, 2016: 5, 2018: 4, 2020: 8, 2024: 4}


@pytest.mark.parametrize("cycle,expected", sorted(RECORD.items()))
def test_losers_per_cycle_match_the_record(table, cycle, expected):
    sel = table[(table.cycle == cycle) & (table.primary_system != "louisiana-jungle")]
    assert int(sel["lost"].sum()) == expected


def test_louisiana_jungle_losers_are_landry_and_mcallister(table):
    la = table[(table.primary_system == "louisiana-jungle") & (table.lost == True)]  # noqa: E712
    assert sorted(zip(la.cycle, la.district)) == [(2012, 3), (2014, 5)]


def test_2022_losers_in_record_range_with_cheney(table):
    lost = table[(table.cycle == 2022) & (table.lost == True)]  # noqa: E712
    assert 14 <= len(lost) <= 16
    assert "Cheney" in " ".join(lost.incumbent)


def test_2024_losers_are_carl_bowman_good_bush(table):
    lost = table[(table.cycle == 2024) & (table.lost == True)]  # noqa: E712
    names = " | ".join(sorted(lost.incumbent))
    assert len(lost) == 4
    for surname in ("Bowman", "Bush", "Carl", "Good"):
        assert surname in names


def test_crowley_2018(table):
    r = row(table, 2018, "NY", 14, "D").iloc[0]
    assert r.lost and abs(r.incumbent_share - 0.4325) < 0.0005
    assert "Ocasio-Cortez" in r.top_challenger
    assert 56 < r.incumbent_age < 57 and 19 < r.tenure_years < 20


def test_engel_2020_and_clay_2020(table):
    engel = row(table, 2020, "NY", 16, "D").iloc[0]
    assert engel.lost and abs(engel.incumbent_share - 0.406) < 0.001
    assert row(table, 2020, "MO", 1, "D").iloc[0].lost


def test_bowman_and_bush_2024_lost(table):
    assert row(table, 2024, "NY", 16, "D").iloc[0].lost
    assert row(table, 2024, "MO", 1, "D").iloc[0].lost


@pytest.mark.parametrize("cycle", [2020, 2022])
def test_gomez_advanced_with_david_kim(table, cycle):
    r = row(table, cycle, "CA", 34, "D").iloc[0]
    assert not r.lost and r.primary_system == "top-two"
    assert "Kim" in r.top_challenger and bool(r.challenger_advanced)


def test_cheney_and_cantor_lost(table):
    assert row(table, 2022, "WY", 0, "R").iloc[0].lost
    cantor = row(table, 2014, "VA", 7, "R").iloc[0]
    assert cantor.lost and "Cantor" in cantor.incumbent


def test_every_past_row_has_an_outcome_and_live_rows_none(table):
    past = table[table.cycle < LIVE_CYCLE]
    assert past["lost"].notna().all()
    assert table.loc[table.cycle == LIVE_CYCLE, "lost"].isna().all()


def test_rows_per_cycle_in_expected_range(table):
    counts = table.groupby("cycle").size()
    assert counts.between(370, 410).all(), counts.to_dict()


def test_ca34_2026_is_live_with_gonzales_torres(table):
    r = row(table, 2026, "CA", 34, "D").iloc[0]
    assert "Gomez" in r.incumbent
    assert "Gonzales-Torres" in r.challengers
    assert r.end_jd_chal == 1


def test_feature_coverage_not_below_baseline(table):
    baseline = json.loads((DATA_DIR / "coverage_baseline.json").read_text())["baseline"]
    measured = coverage(table)["coverage"]
    print("\nfeature coverage (2002-2024 rows):\n" + measured.to_string(float_format=lambda v: f"{v:.3f}"))
    low = {k: (round(measured[k], 3), v) for k, v in baseline.items() if measured[k] < v}
    assert not low, f"coverage fell below baseline: {low}"
