"""District lean, lines in force and demographics, on the real raw files."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.districts.district import (
    BOGUS_PRES,
    MIDDECADE_CHANGES,
    district_features,
    lines_for_cycle,
    map_vintage,
    median_from_bins,
    national_share,
    pres_lean,
    pres_vote,
)
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / "downballot_pres_by_cd_ccesMRPprep").is_dir(),
                                reason="raw data folder absent")


@pytest.fixture(scope="module")
def pv() -> pd.DataFrame:
    return pres_vote(RAW)


@pytest.fixture(scope="module")
def feats() -> dict[int, pd.DataFrame]:
    return {c: district_features(RAW, c).set_index(["state", "district"])
            for c in (2008, 2010, 2012, 2016, 2018, 2020, 2022, 2024, 2026)}


def _share(pv, lines, elec, state, district):
    r = pv[(pv["lines_year"] == lines) & (pv["elec"] == elec) & (pv["state"] == state)
           & (pv["district"] == district)]
    assert len(r) == 1
    return float(r["d_two_party"].iloc[0])


def test_pres_vote_known_values(pv):
    assert _share(pv, 2020, 2020, "CA", 34) == pytest.approx(0.827, abs=0.001)    # SOURCES-2 sanity
    assert _share(pv, 2018, 2016, "NY", 14) == pytest.approx(0.797, abs=0.001)
    assert 1 - _share(pv, 2024, 2024, "NY", 16) == pytest.approx(0.333, abs=0.001)  # Trump 2024, 2024 lines
    assert 1 - _share(pv, 2024, 2024, "MO", 1) == pytest.approx(0.209, abs=0.001)
    assert 1 - _share(pv, 2024, 2024, "CA", 34) == pytest.approx(0.235, abs=0.001)


def test_pres_vote_structure(pv):
    assert pv["d_two_party"].between(0, 1).all()
    assert (pv.groupby(["lines_year", "elec"]).size() == 435).all()
    combos = set(zip(pv["lines_year"], pv["elec"]))
    assert not combos & BOGUS_PRES                        # lines-2018 2008/2012 rows are wrong: dropped
    assert (2024, 2024) in combos and (2022, 2020) in combos
    ak = pv[pv["state"] == "AK"]
    assert (ak["district"] == 0).all()                     # at-large '-01' -> 0
    mt = pv[(pv["state"] == "MT")]
    assert set(mt.loc[mt["lines_year"] == 2020, "district"]) == {0}
    assert set(mt.loc[mt["lines_year"] == 2022, "district"]) == {1, 2}


def test_trap_lines2018_old_elections_are_wrong(pv):
    # Alaska is one district on every map, yet cd_info_2018 gives Romney 0.592 vs 0.573 in cd_info_2016
    w16 = pd.read_csv(RAW / "downballot_pres_by_cd_ccesMRPprep" / "cd_info_2016.csv").set_index("cd")
    w18 = pd.read_csv(RAW / "downballot_pres_by_cd_ccesMRPprep" / "cd_info_2018.csv").set_index("cd")
    assert w16.loc["AK-01", "pct_romney"] == pytest.approx(0.573, abs=0.001)
    assert w18.loc["AK-01", "pct_romney"] == pytest.approx(0.592, abs=0.001)
    ak = pv[(pv["state"] == "AK") & (pv["elec"] == 2012)]
    assert 2018 not in set(ak["lines_year"])
    assert (1 - ak["d_two_party"]).round(3).eq(0.573).all()


def test_trap_cd_info_2016_columns_20_duplicate_16():
    w16 = pd.read_csv(RAW / "downballot_pres_by_cd_ccesMRPprep" / "cd_info_2016.csv")
    same = (w16["presvotes_total_20"] == w16["presvotes_total_16"]).mean()
    assert same > 0.9                          # 404 of 435 rows repeat the 2016 count: never read


def test_national_shares_computed_from_files():
    nat = national_share(RAW)
    known = {2008: 0.537, 2012: 0.5196, 2016: 0.511, 2020: 0.523, 2024: 0.492}
    for elec, value in known.items():
        assert nat[elec] == pytest.approx(value, abs=0.002)


def test_lines_for_cycle():
    assert lines_for_cycle(2006, "CA").lines_year == 2008
    assert lines_for_cycle(2010, "CA").lines_year == 2010
    assert lines_for_cycle(2014, "NY").lines_year == 2014
    assert lines_for_cycle(2002, "CA").lines_year == 2008           # same CA map 2002-2010
    assert lines_for_cycle(2004, "TX").lines_year is None           # 2003 Texas plan: no file
    assert lines_for_cycle(2002, "GA").lines_year is None
    info = lines_for_cycle(2026, "CA")                              # Prop 50 map: in no source
    assert info.lines_year == 2024 and not info.exact and "2026" in info.note
    assert lines_for_cycle(2026, "NY") == (2024, True, "")
    with pytest.raises(InputError):
        lines_for_cycle(2018, "XX")
    with pytest.raises(InputError):
        lines_for_cycle(2000, "CA")


def test_map_vintage():
    assert map_vintage(2020, "PA") == 2018
    assert map_vintage(2016, "CA") == 2012
    assert map_vintage(2020, "NC") == 2020
    assert map_vintage(2008, "TX") == 2006
    assert map_vintage(2024, "NY") == 2024


def test_pres_share_never_same_year(feats):
    for cycle, df in feats.items():
        used = df["pres_elec"].dropna()
        assert (used < cycle).all(), cycle
    assert feats[2008]["d_pres_share"].isna().all()                 # 2004 not on any file
    assert feats[2010]["d_pres_share"].notna().all()


def test_pres_share_on_lines_in_force(feats):
    ca34 = ("CA", 34)
    assert feats[2020].loc[ca34, "pres_elec"] == 2016               # not the Nov 2020 result (0.827)
    assert feats[2020].loc[ca34, "d_pres_share"] == pytest.approx(0.8865, abs=0.001)
    assert feats[2024].loc[ca34, "d_pres_share"] == pytest.approx(0.829, abs=0.001)   # 2020 on 2024 lines
    assert feats[2024].loc[ca34, "pres_lean_lines"] == 2024
    assert feats[2026].loc[("NY", 16), "d_pres_share"] == pytest.approx(0.667, abs=0.001)
    assert feats[2026].loc[ca34, "lines_stale"]                    # CA redrew for 2026
    assert not feats[2026].loc[("NY", 16), "lines_stale"]
    # 2012: the 2008 election re-computed on the 2016 files, where the map is the same (not FL/NC/VA)
    assert feats[2012].loc[ca34, "pres_elec"] == 2008
    assert feats[2012].loc[("FL", 23), "d_pres_share"] != feats[2012].loc[("FL", 23), "d_pres_share"]
    # NY-14 in 2018: the 2016 election on the 2018 lines
    assert feats[2018].loc[("NY", 14), "d_pres_share"] == pytest.approx(0.797, abs=0.001)
    assert feats[2018].loc[("NY", 14), "national_d_share"] == pytest.approx(0.510, abs=0.002)


def test_pres_lean():
    assert pres_lean(0.797, 0.510, "D") == pytest.approx(0.287)
    assert pres_lean(0.797, 0.510, "R") == pytest.approx(-0.287)
    assert np.isnan(pres_lean(0.797, 0.510, "I"))
    s = pres_lean(pd.Series([0.6, 0.4]), 0.5, pd.Series(["D", "R"]))
    assert s.tolist() == pytest.approx([0.1, 0.1])


def test_new_lines_detected_matches_known_changes(feats):
    for cycle in (2016, 2018, 2020, 2024):
        changed = set(feats[cycle].index[feats[cycle]["new_lines"].to_numpy(dtype=bool)].get_level_values(0))
        assert changed == set(MIDDECADE_CHANGES[cycle]), cycle
    fl = feats[2016].loc["FL"]
    assert fl["new_lines_state"].all() and not fl["new_lines"].all()    # FL-1 kept its lines in 2016
    for cycle in (2008, 2010):
        assert not feats[cycle]["new_lines"].any()
    f12 = feats[2012]["new_lines"]
    assert f12.loc[("CA", 34)] and not f12.loc[("AK", 0)]           # at-large states keep their lines
    assert feats[2022]["new_lines"].loc[("MT", 1)]                  # Montana gained a seat
    assert feats[2026]["new_lines"].loc[("CA", 34)]


def test_new_lines_2006_texas_remedial_districts():
    df = district_features(RAW, 2006).set_index(["state", "district"])
    tx = df.loc["TX"]["new_lines"]
    assert set(tx.index[tx.to_numpy(dtype=bool)]) == {15, 21, 23, 25, 28}
    assert df.loc["GA"]["new_lines"].all()


def test_demographics_known_values(feats):
    ca34 = ("CA", 34)
    d24 = feats[2024]
    assert d24.loc[ca34, "latino_share"] == pytest.approx(0.654, abs=0.001)
    assert d24.loc[ca34, "foreign_born_share"] == pytest.approx(0.446, abs=0.001)
    assert d24.loc[ca34, "ba_plus_share"] == pytest.approx(0.276, abs=0.001)
    assert d24.loc[("MO", 1), "black_share"] == pytest.approx(0.476, abs=0.001)
    assert feats[2018].loc[("NY", 14), "latino_share"] == pytest.approx(0.490, abs=0.001)   # 115th plan
    assert feats[2018].loc[("NY", 14), "median_age"] == pytest.approx(36.9, abs=0.01)
    assert feats[2022].loc[ca34, "median_age"] == pytest.approx(37.2, abs=0.05)           # from bins
    assert feats[2022].loc[ca34, "urban_index"] == pytest.approx(13.78, abs=0.01)
    assert d24["renter_share"].isna().all()


def test_demographics_only_on_matching_lines(feats):
    assert feats[2010][["latino_share", "median_age"]].isna().all().all()   # no source for 2002-2010 lines
    assert feats[2018].loc["PA"]["latino_share"].isna().all()               # PA 2018 map not the 115th
    assert feats[2020].loc["NC"]["latino_share"].isna().all()
    assert feats[2012].loc["FL"]["latino_share"].isna().all()
    assert feats[2016].loc["FL"]["latino_share"].notna().all()
    assert feats[2022].loc["NY"]["latino_share"].isna().all()               # rdh is the 2024 NY map
    assert feats[2022].loc["NY"]["median_age"].notna().all()
    assert feats[2024].loc["NY"]["median_age"].isna().all()                # ACS 2023 bins on 2022 map
    src = feats[2024].loc[("CA", 34), "demog_source"]
    assert "rdh" in src and "policyengine" in src and "538" in src


def test_median_from_bins():
    assert median_from_bins([10, 10, 10, 10]) == pytest.approx(10.0)
    assert median_from_bins([0, 0, 4, 0]) == pytest.approx(12.5)
