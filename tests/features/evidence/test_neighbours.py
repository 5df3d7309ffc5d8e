"""Comparable past races (nearest neighbours) on the real central table."""
from __future__ import annotations

import pytest

from features.evidence import neighbours as nb
from features.kernel.errors import InputError
from features.table.store import TABLE_CSV


@pytest.fixture(scope="module")
def table():
    if not TABLE_CSV.is_file():
        pytest.skip("central table not built (data/processed/incumbent_primaries.csv)")
    from features.table.store import load_table
    return load_table()


@pytest.fixture(scope="module")
def gomez(table):
    return nb.find_race(table, 2026, "CA", 34)


def keys(frame):
    return {(int(r.cycle), r.state, int(r.district)) for r in frame.itertuples()}


def test_ca34_nearest_are_insurgent_left_challenges(table, gomez):
    comps = nb.comparable_races(table, gomez, k=10)
    nearest = comps[comps["why"] == "nearest"]
    assert len(nearest) == 10
    assert (nearest["cycle"] < 2026).all() and (nearest["party"] == "D").all()
    assert (nearest["f_insurgent_left"] == 1).all()          # exact match on the contest type
    assert (2018, "NY", 14) in keys(nearest)                  # Crowley vs Ocasio-Cortez
    assert {(2022, "NY", 16), (2024, "NY", 16)} & keys(nearest)   # Bowman (vs Latimer in 2024)
    assert nearest["distance"].is_monotonic_increasing
    # the same kind of contest, all of it: Engel and Clay 2020, Bush 2024 are there too
    every = nb.comparable_races(table, gomez, k=None)
    assert {(2020, "NY", 16), (2020, "MO", 1), (2024, "MO", 1), (2018, "MA", 7)} <= keys(every)
    outcomes = nb.comparable_outcomes(every).set_index("group")
    assert outcomes.loc["nearest", "lost"] >= 8
    assert "Crowley" in outcomes.loc["nearest", "losers"]


def test_ca34_lists_the_gomez_kim_contests(table, gomez):
    comps = nb.comparable_races(table, gomez, k=10)
    own = comps[comps["why"] == "same district history"]
    assert {(2020, "CA", 34), (2022, "CA", 34)} <= keys(own)
    assert own["top_challenger"].astype(str).str.contains("Kim").sum() >= 2
    assert (own["incumbent"].astype(str).str.contains("Gomez")).all()
    # 'district' history takes every past contested primary in the district, 'none' none
    wide = nb.comparable_races(table, gomez, k=3, history="district")
    assert len(wide[wide["why"] == "same district history"]) >= len(own)
    assert (nb.comparable_races(table, gomez, k=3, history="none")["why"] == "nearest").all()


def test_deterministic_and_weights(table, gomez):
    a = nb.comparable_races(table, gomez, k=10)
    b = nb.comparable_races(table, gomez, k=10)
    assert a.equals(b)
    no_demog = nb.comparable_races(table, gomez, k=10, weights={"latino_share": 0, "black_share": 0})
    assert len(no_demog[no_demog["why"] == "nearest"]) == 10
    with pytest.raises(ValueError):
        nb.comparable_races(table, gomez, weights={"shoe_size": 1})


def test_a_republican_race_gets_republican_neighbours(table):
    good_2024 = nb.find_race(table, 2024, "VA", 5)             # Bob Good, beaten by John McGuire
    comps = nb.comparable_races(table, good_2024, k=8)
    nearest = comps[comps["why"] == "nearest"]
    assert len(nearest) == 8 and (nearest["party"] == "R").all() and (nearest["cycle"] < 2024).all()


def test_unknown_race_names_the_field(table):
    with pytest.raises(InputError) as exc:
        nb.find_race(table, 2026, "CA", 99)
    assert exc.value.field == "district"
    with pytest.raises(InputError) as exc:
        nb.find_race(table, 2026, "XX", 1)
    assert exc.value.field == "state"
