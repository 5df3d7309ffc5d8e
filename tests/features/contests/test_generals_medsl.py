"""November generals (MEDSL): same-party generals, ``lost_to_same_party`` and the previous margin.

Checked on the committed table (built from MEDSL by ``data build``) against the curated same-party
cross-check table in the raw folder, and on the real rows that motivate the second target.
"""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from features.contests import generals_medsl as gm
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir
from features.table.store import load_table

RAW = raw_dir()
HAS_RAW = (RAW / gm.RESULTS_FILE).is_file()
needs_raw = pytest.mark.skipif(not HAS_RAW, reason="raw data folder absent")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_table()


def one(table, cycle, state, district, surname):
    sel = table[(table.cycle == cycle) & (table.state == state) & (table.district == district)
                & table.incumbent.str.contains(surname)]
    assert len(sel) == 1, sel[["cycle", "state", "district", "incumbent"]]
    return sel.iloc[0]


@pytest.mark.parametrize("cycle,district,surname,rival", [(2016, 17, "Honda", "RO KHANNA"),
                                                         (2012, 15, "Stark", "ERIC SWALWELL")])
def test_lost_the_seat_to_a_same_party_rival_but_not_the_nomination(table, cycle, district, surname, rival):
    r = one(table, cycle, "CA", district, surname)
    assert not r["lost"] and r["lost_to_same_party"]
    assert r["same_party_general"] and r["lost_general"]
    assert r["general_rival"] == rival and r["general_rival_party"] == "D"
    assert r["general_margin"] < 0


def test_gomez_2022_near_miss_is_not_a_loss(table):
    r = one(table, 2022, "CA", 34, "Gomez")
    assert not r["lost"] and not r["lost_to_same_party"]
    assert r["same_party_general"] and not r["lost_general"]
    assert r["general_rival"] == "DAVID KIM"
    assert r["general_share"] == pytest.approx(0.5124, abs=5e-4)      # 51.2-48.8
    assert r["general_margin"] == pytest.approx(0.0249, abs=5e-4)


def test_previous_general_margin_is_the_last_november(table):
    # Gomez's 2022 row carries his 2020 margin over Kim (52.98-47.02) and says it was D v D
    r = one(table, 2022, "CA", 34, "Gomez")
    assert r["prev_general_margin"] == pytest.approx(0.0596, abs=5e-4)
    assert r["prev_general_same_party"]
    # first elected in the June 2017 special (not in MEDSL): no previous November in 2018
    assert pd.isna(one(table, 2018, "CA", 34, "Gomez")["prev_general_margin"])
    # the live row uses the 2024 general (55.64-44.36)
    assert one(table, 2026, "CA", 34, "Gomez")["prev_general_margin"] == pytest.approx(0.1128, abs=5e-4)


def test_second_target_contains_the_first(table):
    past = table[table.cycle < 2026]
    assert past["lost_to_same_party"].notna().all()
    assert table.loc[table.cycle == 2026, "lost_to_same_party"].isna().all()
    assert (past["lost_to_same_party"] | ~past["lost"]).all()
    extra = past[past["lost_to_same_party"] & ~past["lost"]]
    # Stark, Berman, Baca, Richardson (2012) and Honda (2016): all in top-two California
    assert sorted(zip(extra.cycle, extra.district)) == [(2012, 15), (2012, 30), (2012, 35), (2012, 44),
                                                      (2016, 17)]
    assert set(extra.state) == {"CA"}


def test_member_vs_member_november_in_both_rows(table):
    berman = one(table, 2012, "CA", 30, "Berman")
    sherman = one(table, 2012, "CA", 30, "Sherman")
    assert berman["lost_to_same_party"] and not sherman["lost_to_same_party"]
    assert berman["same_party_general"] and sherman["same_party_general"]


@needs_raw
def test_matches_the_curated_same_party_crosscheck(table):
    cross = gm.read_crosscheck(RAW)
    with_incumbent = cross[~cross["incumbent"].str.startswith("(open)")]
    ours = table[table["same_party_general"].fillna(False).astype(bool)]
    ours_races = set(zip(ours.cycle, ours.state, ours.district))
    theirs = set(zip(with_incumbent.year, with_incumbent.state, with_incumbent.district))
    # every same-party general with an incumbent in our table is in the curated list ...
    assert ours_races <= theirs
    # ... and every curated one is ours, except CA-20 2024 (Fong won the seat in a May 2024
    # special, after the March primary: he did not seek renomination as a sitting member)
    assert theirs - ours_races == {(2024, "CA", 20)}
    # the curated losers are exactly ours
    lost = with_incumbent[with_incumbent["incumbent_lost"].str.startswith("yes")]
    ours_lost = ours[ours["lost_general"].astype(bool)]
    assert set(zip(lost.year, lost.district)) == set(zip(ours_lost.cycle, ours_lost.district))
    # and the vote shares agree with the curated two-candidate rows
    for _, c in with_incumbent.iterrows():
        rows = ours[(ours.cycle == c.year) & (ours.state == c.state) & (ours.district == c.district)]
        for _, r in rows.iterrows():
            expected = (c.winner_pct_total if not r["lost_general"] else c.loser_pct_total)
            assert r["general_share"] * 100 == pytest.approx(float(expected), abs=0.01), (c.year, c.district)


def test_challenger_advanced_agrees_with_november(table):
    """The primary results' ``challenger_advanced`` and MEDSL's November agree, 2012-2022 (outside
    Louisiana's jungle, where November is the primary: Boustany-Landry 2012 went to a December runoff,
    which ``lost`` already scores)."""
    t = table[table.cycle.between(2012, 2022) & (table.primary_system != "louisiana-jungle")]
    t = t[t.challenger_advanced.notna() & ~t.lost.astype(bool)]
    assert len(t) > 100
    disagree = t[t.challenger_advanced.astype(bool) != t.same_party_general.astype(bool)]
    assert disagree.empty, disagree[["cycle", "state", "district", "incumbent"]]


@needs_raw
def test_mojibake_and_fusion_lines(tmp_path):
    gen = gm.read_generals(RAW)
    cardenas = gen[(gen.year == 2022) & (gen.state == "CA") & (gen.district == 29)]
    assert "TONY CÁRDENAS" in set(cardenas.candidate)            # 2022 names were UTF-8 read as Latin-1
    # NY fusion: a candidate's lines are added up, the D/R line is the party (Ocasio-Cortez 2020)
    aoc = gen[(gen.year == 2020) & (gen.state == "NY") & (gen.district == 14)
              & gen.candidate.str.contains("OCASIO")]
    assert len(aoc) == 1 and aoc.iloc[0]["party"] == "D"
    assert not gen.duplicated(["year", "state", "district", "special", "candidate"]).any()


@needs_raw
def test_bad_vote_count_names_file_row_and_field(tmp_path):
    folder = tmp_path / gm.FOLDER
    folder.mkdir()
    src = (RAW / gm.RESULTS_FILE).read_text().splitlines()
    header = src[0].split(",")
    cells = src[1].split(",")
    cells[header.index("candidatevotes")] = "lots"
    (folder / "1976-2024-house.tab").write_text("\n".join([src[0], ",".join(cells)] + src[2:5]) + "\n")
    with pytest.raises(InputError) as exc:
        gm.read_generals(tmp_path)
    assert exc.value.row == 1 and exc.value.field == "candidatevotes"
    assert "1976-2024-house.tab" in str(exc.value)
