"""Members, House service, bioguide matching and incumbent attributes, on the real raw files."""
from __future__ import annotations

import pandas as pd
import pytest

from features.contests.legislators import (
    beat_incumbent_flags,
    congress_of_date,
    house_service,
    incumbent_attributes,
    last_primary_share,
    load_people,
    match_bioguide,
    match_rate,
    sitting_members,
)
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / "congress-legislators").is_dir(), reason="raw data folder absent")


@pytest.fixture(scope="module")
def curated_2024() -> pd.DataFrame:
    df = pd.read_csv(RAW / "curated-2024-primaries" / "incumbent_primaries_2024.csv")
    return df.assign(cycle=2024, primary_date=pd.to_datetime(df["primary_date"]))


def test_congress_of_date():
    assert congress_of_date("2023-01-03") == 118
    assert congress_of_date("2023-11-13") == 118          # special-election start mid-Congress
    assert congress_of_date("2025-01-03") == 119
    assert congress_of_date("2007-01-04") == 110


def test_load_people_has_crowley_and_fec_ids():
    p = load_people(RAW).set_index("bioguide_id")
    assert p.index.is_unique
    crowley = p.loc["C001038"]
    assert crowley["birthday"] == pd.Timestamp("1962-03-16") and crowley["gender"] == "M"
    assert "H8NY07046" in crowley["fec_ids"]
    assert p.loc["O000172", "last"] == "Ocasio-Cortez"


def test_house_service_rows():
    s = house_service(RAW)
    assert not s.duplicated(["bioguide_id", "congress"]).any()
    crowley = s[s["bioguide_id"] == "C001038"]
    assert sorted(crowley["congress"]) == list(range(106, 116))      # 1999-2019
    aoc = s[s["bioguide_id"] == "O000172"].set_index("congress")
    assert list(aoc.index) == [116, 117, 118, 119]                    # 119th from the yaml
    assert aoc.loc[119, "district"] == 14
    gomez = s[(s["bioguide_id"] == "G000585") & (s["congress"] == 115)]
    assert gomez["start_date"].iloc[0] > pd.Timestamp("2017-06-01")   # special election, July 2017


def test_sitting_members_catches_schwarz_2006():
    sm = sitting_members(RAW, 2006)
    assert set(sm.columns) >= {"cycle", "bioguide_id", "state", "name", "fec_ids", "party"}
    mi = sm[sm["state"] == "MI"]
    row = mi[mi["bioguide_id"] == "S001161"]                          # Joe Schwarz, MI-7, lost 2006 primary
    assert len(row) == 1 and row["party"].iloc[0] == "R"
    assert not sm["state"].isin(["DC", "PR", "GU", "VI", "AS", "MP"]).any()
    assert 435 <= len(sm) <= 460
    assert (sm["cycle"] == 2006).all()


def test_sitting_members_2026_from_yaml():
    sm = sitting_members(RAW, 2026)
    assert "G000585" in set(sm["bioguide_id"])                        # Jimmy Gomez, CA-34
    assert sm.loc[sm["bioguide_id"] == "G000585", "district"].iloc[0] == 34


def test_match_by_fec_id_and_by_name():
    rows = pd.DataFrame({
        "cycle": [2018, 2018, 2006, 2012, 2004],
        "state": ["NY", "NY", "MI", "AZ", "AR"],
        "district": [14, 14, 7, 3, 2],
        "party": ["D", "D", "R", "D", "D"],
        # FEC 2018 row; same without id; Schwarz unflagged by FEC; Miller-Camberg mojibake; FEC 2004 typo
        "incumbent": ["Crowley, Joseph", "Crowley, Joseph", "Schwarz, John J.H. 'Joe'",
                      "GRIJALVA, RAU\ufffd\ufffdL M.", "Synder, Vic"],
        "fec_id": ["H8NY07046", pd.NA, pd.NA, pd.NA, pd.NA],
    })
    m = match_bioguide(rows, RAW)
    assert list(m["bioguide_id"]) == ["C001038", "C001038", "S001161", "G000551", "S000672"]
    assert list(m["match_method"]) == ["fec_id", "name+state+congress", "name+state+congress",
                                       "name+state+congress", "fuzzy"]
    assert m["sitting_in_congress"].all()


def test_match_flags_former_member_wrongly_marked_incumbent():
    # FEC 2016 FL-26 flags Joe Garcia (I), but he left Congress in 2015
    m = match_bioguide(pd.DataFrame({"cycle": [2016], "state": ["FL"], "party": ["D"],
                                     "incumbent": ["Garcia, Joe"]}), RAW)
    assert m["bioguide_id"].iloc[0] == "G000573"
    assert not m["sitting_in_congress"].iloc[0]


def test_match_unknown_name_is_unmatched():
    m = match_bioguide(pd.DataFrame({"cycle": [2020], "state": ["TN"], "party": ["R"],
                                     "incumbent": ["SREEPADA, KIRAN"]}), RAW)      # fec20 mis-flag
    assert m["match_method"].iloc[0] == "unmatched" and pd.isna(m["bioguide_id"].iloc[0])
    r = match_rate(m)
    assert r["rate"] == 0.0 and r["unmatched"][0]["incumbent"] == "SREEPADA, KIRAN"


def test_match_accuracy_on_curated_2024(curated_2024):
    truth = curated_2024["bioguide_id"]
    m = match_bioguide(curated_2024.assign(bioguide_id=pd.NA), RAW)
    rate = match_rate(m)
    assert rate["n"] == 385 and rate["rate"] == 1.0
    assert (m["bioguide_id"] == truth).all()
    given = match_bioguide(curated_2024, RAW)
    assert (given["match_method"] == "given").all()


def test_match_requires_columns():
    with pytest.raises(InputError, match="incumbent"):
        match_bioguide(pd.DataFrame({"cycle": [2018], "state": ["NY"]}), RAW)


def test_crowley_2018_attributes():
    row = pd.DataFrame({"cycle": [2018], "state": ["NY"], "district": [14], "party": ["D"],
                        "incumbent": ["Crowley, Joseph"], "fec_id": ["H8NY07046"],
                        "primary_date": [pd.Timestamp("2018-06-26")]})
    a = incumbent_attributes(match_bioguide(row, RAW), RAW).iloc[0]
    assert a["incumbent_age"] == pytest.approx(56.28, abs=0.01)      # born 1962-03-16
    assert a["tenure_terms"] == 10                                     # 106th-115th
    assert a["tenure_years"] == pytest.approx(19.48, abs=0.01)
    assert a["gender"] == "M" and not a["age_date_imputed"]
    assert pd.isna(a["leadership"])          # Caucus Chair then, but former members carry no roles (documented)


def test_attributes_2024_curated(curated_2024):
    a = incumbent_attributes(curated_2024, RAW).set_index("bioguide_id")
    assert a["incumbent_age"].notna().all() and a["tenure_years"].notna().all()
    assert a.loc["O000172", "tenure_terms"] == 3                       # AOC in the 118th
    assert a.loc["G000585", "tenure_years"] == pytest.approx(6.65, abs=0.02)  # Gomez from July 2017
    assert a.loc["J000299", "leadership"] == "Speaker of the House"   # Mike Johnson
    assert a.loc["J000294", "leadership"] == "House Minority Leader"  # Hakeem Jeffries
    assert set(a["gender"]) == {"M", "F"}


def test_attributes_impute_missing_primary_date():
    row = pd.DataFrame({"cycle": [2026], "bioguide_id": ["G000585"], "primary_date": [pd.NaT]})
    a = incumbent_attributes(row, RAW).iloc[0]
    assert a["age_date_imputed"]
    assert a["tenure_terms"] == 5                                      # 115th-119th


def _history_table() -> pd.DataFrame:
    """Real rows (names as spelled in FEC 2008/2018, fec20, 538 2022 and the curated 2024 file)."""
    rows = [
        # cycle, state, district, incumbent, bioguide, lost, top_challenger, ivi, share
        (2008, "MD", 1, "Gilchrest, Wayne T.", "G000180", True, "Harris, Andy", False, 0.33),
        (2012, "MD", 1, "Harris, Andy", "H001052", False, pd.NA, False, 1.0),
        (2018, "NY", 14, "Crowley, Joseph", "C001038", True, "Ocasio-Cortez, Alexandria", False, 0.4325),
        (2018, "MA", 7, "Capuano, Michael E.", "C001037", True, "Pressley, Ayanna", False, 0.41),
        (2020, "NY", 14, "OCASIO-CORTEZ, ALEXANDRIA", "O000172", False, "CARUSO-CABRERA, MICHELLE", False, 0.75),
        (2020, "MA", 7, "PRESSLEY, AYANNA", "P000617", False, pd.NA, False, 1.0),
        (2020, "NY", 16, "ENGEL, ELIOT L.", "E000179", True, "BOWMAN, JAMAAL", False, 0.406),
        (2020, "MO", 1, "CLAY, WILLIAM LACY JR", "C001049", True, "BUSH, CORI", False, 0.456),
        (2020, "IL", 3, "LIPINSKI, DANIEL WILLIAM WILLIAM", "L000563", True, "NEWMAN, MARIE", False, 0.447),
        (2022, "NY", 14, "Alexandria Ocasio-Cortez", "O000172", False, pd.NA, False, 1.0),
        (2022, "NY", 16, "Jamaal Bowman", "B001223", False, "Vedat Gashi", False, 0.54),
        (2022, "MO", 1, "Cori Bush", "B001224", False, "Michelle Sherod", False, 0.69),
        (2022, "MA", 7, "Ayanna S. Pressley", "P000617", False, pd.NA, False, 1.0),
        (2022, "IL", 6, "Marie Newman", "N000192", True, "Sean Casten", True, 0.29),
        (2022, "IL", 6, "Sean Casten", "C001117", False, "Marie Newman", True, 0.68),
        (2024, "NY", 14, "Alexandria Ocasio-Cortez", "O000172", False, pd.NA, False, pd.NA),
        (2024, "NY", 16, "Jamaal Bowman", "B001223", True, "George Latimer", False, 0.455),
        (2024, "MO", 1, "Cori Bush", "B001224", True, "Wesley Bell", False, 0.456),
        (2024, "AL", 1, "Jerry L. Carl", "C001054", True, "Barry Moore", True, 0.4825),
        (2024, "AL", 1, "Barry Moore", "M001212", False, "Jerry Carl", True, 0.5175),
    ]
    cols = ["cycle", "state", "district", "incumbent", "bioguide_id", "lost", "top_challenger",
            "incumbent_vs_incumbent", "incumbent_share"]
    t = pd.DataFrame(rows, columns=cols)
    t["party"] = ["R", "R"] + ["D"] * 16 + ["R", "R"]
    t["lost"] = t["lost"].astype("boolean")
    return t


def test_beat_incumbent_flags():
    t = _history_table()
    f = beat_incumbent_flags(t)
    flagged = set(zip(t.loc[f.to_numpy(dtype=bool), "incumbent"], t.loc[f.to_numpy(dtype=bool), "cycle"]))
    assert flagged == {
        ("OCASIO-CORTEZ, ALEXANDRIA", 2020), ("Alexandria Ocasio-Cortez", 2022), ("Alexandria Ocasio-Cortez", 2024),
        ("PRESSLEY, AYANNA", 2020), ("Ayanna S. Pressley", 2022),
        ("Jamaal Bowman", 2022), ("Jamaal Bowman", 2024),
        ("Cori Bush", 2022), ("Cori Bush", 2024),
        ("Marie Newman", 2022),
    }
    # Harris beat Gilchrest in 2008 but first won the seat in 2010; Moore beat a fellow incumbent


def test_beat_incumbent_needs_columns():
    with pytest.raises(InputError, match="top_challenger"):
        beat_incumbent_flags(_history_table().drop(columns=["top_challenger"]))


def test_last_primary_share():
    t = _history_table()
    s = last_primary_share(t)
    assert s.index.equals(t.index)
    by = dict(zip(zip(t["incumbent"], t["cycle"]), s))
    assert by[("Jamaal Bowman", 2024)] == pytest.approx(0.54)
    assert by[("Jamaal Bowman", 2022)] != by[("Jamaal Bowman", 2022)]       # NaN: challenger in 2020
    assert by[("Alexandria Ocasio-Cortez", 2022)] == pytest.approx(0.75)
    assert pd.isna(by[("Crowley, Joseph", 2018)])
