"""Candidate-level FEC results 2002-2020, on the real workbooks (traps from SOURCES.md sections 1-2)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from features.contests.results_fec import (
    FEC20_DIR,
    FEC_DIR,
    FEC_WORKBOOKS,
    general_winners,
    load_fec_candidates,
    parse_party,
    parse_vote_cell,
    read_house_sheet,
)
from features.kernel.constants import DELEGATE_STATES, STATES
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / FEC_DIR).is_dir() or not (RAW / FEC20_DIR).is_dir(),
                                reason="raw FEC folders absent")
CYCLES = list(range(2002, 2021, 2))


@lru_cache(maxsize=None)
def cands(cycle: int) -> pd.DataFrame:
    return load_fec_candidates(RAW, cycle)


def district(cycle: int, state: str, dist: int) -> pd.DataFrame:
    c = cands(cycle)
    return c[(c["state"] == state) & (c["district"] == dist)]


def one(df: pd.DataFrame, **eq) -> pd.Series:
    sel = df
    for k, v in eq.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, sel
    return sel.iloc[0]


# ------------------------------------------------------------------ every cycle
@pytest.mark.parametrize("cycle", CYCLES)
def test_cycle_loads_voting_members_only(cycle):
    c = cands(cycle)
    assert set(c["state"]) <= set(STATES) and not c["state"].isin(DELEGATE_STATES).any()
    assert (c["district"] >= 0).all() and (c["district"] <= 53).all()
    ids = c["fec_id"].dropna()
    assert ids.str.startswith("H").all() and not ids.str.contains(r"\s").any()
    assert (c["cycle"] == cycle).all()
    flagged = c[c["incumbent_flag"] & c["party"].isin(["D", "R"]) & ~c["write_in"] & ~c["fusion_total"]]
    assert 370 <= flagged["fec_id"].nunique() <= 410
    shares = c["primary_pct"].dropna()
    assert ((shares >= 0) & (shares <= 1.0 + 1e-9)).all()


@pytest.mark.parametrize("cycle", sorted(FEC_WORKBOOKS))
def test_columns_found_by_header_text(cycle):
    _, path, cols, header_row = read_house_sheet(RAW, cycle)
    assert {"state", "district", "fec_id", "incumbent", "name", "party", "primary_votes", "primary_pct",
            "runoff_votes", "general_votes"} <= set(cols)
    assert header_row <= 2 and path.name == FEC_WORKBOOKS[cycle]


# ------------------------------------------------------------------ traps, each on its real row
def test_ks1_2016_nbsp_party_cell_lands_in_the_r_primary():
    ks1 = district(2016, "KS", 1)
    marshall = one(ks1, name="Marshall, Roger")
    assert marshall["party_raw"] == "R\u00a0" and marshall["party"] == "R"        # sheet row 1334
    huelskamp = one(ks1, name="Huelskamp, Tim")
    assert huelskamp["party_raw"] == "R/W" and huelskamp["party"] == "R" and huelskamp["incumbent_flag"]
    assert huelskamp["primary_votes"] == 45997 and marshall["primary_votes"] == 59889


def test_ny14_2018_crowley_fusion_lines_are_separate_rows():
    ny14 = district(2018, "NY", 14)
    crowley = ny14[ny14["name"] == "Crowley, Joseph"]
    assert sorted(crowley["party"]) == ["D", "WEP", "WF"]
    d = one(crowley, party="D")
    assert d["primary_votes"] == 12880 and d["primary_pct"] == pytest.approx(0.4325, abs=1e-4)
    assert one(ny14, name="Ocasio-Cortez, Alexandria")["primary_votes"] == 16898


def test_2002_ny_fusion_total_row_and_incumbent_flag_propagated():
    ny1 = district(2002, "NY", 1)
    grucci = ny1[ny1["name"] == "Grucci, Felix J., Jr."]
    total = one(grucci, party_raw="R/IDP/C/RTL")                 # carries the (I) flag in the sheet
    assert total["fusion_total"] and total["party"] == "R"
    r_line = one(grucci, party_raw="R ")                          # trailing space in the sheet
    assert not r_line["fusion_total"] and r_line["incumbent_flag"] and r_line["primary_unopposed"]


def test_2012_ny_combined_parties_rows_marked():
    ny2 = district(2012, "NY", 2)
    king = ny2[ny2["name"] == "King, Peter T."]
    assert one(king, party_raw="R/CRV/IDP/TRP Combined Parties")["fusion_total"]
    r_line = one(king, party_raw="R/TRP")                        # 'Unopposed (R)'
    assert r_line["party"] == "R" and r_line["primary_unopposed"] and not r_line["fusion_total"]


def test_dfl_and_nd_democratic_npl_map_to_d():
    assert one(district(2002, "ND", 0), name="Pomeroy, Earl")["party"] == "D"       # 'DNL'
    mn = cands(2016)[cands(2016)["state"] == "MN"]
    assert (mn.loc[mn["party_raw"] == "DFL", "party"] == "D").all() and (mn["party_raw"] == "DFL").any()


def test_write_in_lines_are_not_the_ballot_line():
    pa9 = district(2016, "PA", 9)
    w = one(pa9, party_raw="W(D)/W")
    assert w["write_in"] and w["party"] == "D"
    ca32 = district(2018, "CA", 32)
    w = one(ca32, party_raw="W(R)/R")
    assert w["write_in"] and w["party"] == "R" and w["primary_votes"] == 42


def test_nj1_2008_andrews_hash_cell():
    andrews = one(district(2008, "NJ", 1), name="Andrews, Robert E.")
    assert andrews["primary_status"] == "substituted" and andrews["name_footnote"] and andrews["incumbent_flag"]


def test_unexpired_term_special_rows_dropped():
    va7 = district(2014, "VA", 7)
    brat = va7[va7["name"] == "Brat, Dave A."]
    assert len(brat) == 1 and brat["primary_votes"].iloc[0] == 36105      # the full-term primary row only
    in3 = district(2010, "IN", 3)               # '03 - UNEXPIRED TERM': Stutzman nominated by caucus ('**')
    stutzman = in3[in3["name"] == "Stutzman, Marlin A."]
    assert list(stutzman["primary_status"]) == ["substituted"]           # the full-term row ('#') only


def test_2010_ia1_one_fec_id_for_two_candidates():
    ia1 = district(2010, "IA", 1)
    lange, budde = one(ia1, name="Lange, Benjamin M."), one(ia1, name="Budde, James R.")
    assert lange["fec_id"] == budde["fec_id"] == "H0IA01109"
    assert not lange["fusion_total"] and not budde["fusion_total"]


def test_rows_without_fec_id_kept_for_primary_totals():
    ny10 = district(2006, "NY", 10)
    jeffries = one(ny10, name="Jeffries, Hakeem")
    assert pd.isna(jeffries["fec_id"]) and jeffries["write_in"] and jeffries["party"] == "D"
    d_total = ny10.loc[ny10["party"] == "D", "primary_votes"].sum()
    assert d_total == 41059                                              # the FEC 'Party Votes' row
    towns = one(ny10, name="Towns, Edolphus")
    assert towns["primary_votes"] / d_total == pytest.approx(towns["primary_pct"], abs=1e-6)


def test_2006_texas_voided_primaries_keep_the_primary_row():
    tx23 = district(2006, "TX", 23)
    bonilla = tx23[tx23["name"] == "Bonilla, Henry"]
    assert len(bonilla) == 2                                    # March primary + November special
    assert not one(bonilla, primary_status="votes")["fusion_total"]
    assert one(bonilla, primary_status="none")["fusion_total"]


def test_louisiana_december_runoff_read():
    la3 = district(2012, "LA", 3)
    assert one(la3, name="Boustany, Charles W., Jr.")["ge_runoff_votes"] == 58820
    assert one(la3, name='Landry, "Jeff"')["ge_runoff_votes"] == 37767


def test_fec20_2020():
    ca34 = district(2020, "CA", 34)
    gomez = one(ca34, name="Gomez, Jimmy")
    assert gomez["incumbent_flag"] and gomez["primary_pct"] == pytest.approx(0.5204, abs=1e-4)
    mo1 = district(2020, "MO", 1)
    assert "H0MO01199" in set(mo1["fec_id"])                 # '\r\n' stripped from the ID
    clay = mo1[mo1["incumbent_flag"]]
    assert len(clay) == 1 and clay["name"].iloc[0].startswith("Clay, William Lacy")
    # TN-7: the incumbent's REP row carries the Democrat's ID; neither ID nor name is trusted
    tn7 = district(2020, "TN", 7)
    inc = one(tn7, incumbent_flag=True)
    assert pd.isna(inc["fec_id"]) and pd.isna(inc["name"]) and inc["primary_votes"] == 73540


def test_general_winners():
    w = general_winners(cands(2004))
    assert one(w, state="MI", district=7)["name"] == "Schwarz, Joe"
    w = general_winners(cands(2014))
    assert one(w, state="FL", district=26)["name"] == "Curbelo, Carlos"
    assert one(w, state="LA", district=5)["name"] == "Abraham, Ralph Lee"         # December runoff


# ------------------------------------------------------------------ cell parsers
@pytest.mark.parametrize("cell,expected", [
    (12880, (12880.0, "votes")), ("Unopposed", (np.nan, "unopposed")), ("Unopposed (R)", (np.nan, "unopposed")),
    ("7,337**", (7337.0, "convention")), ("*", (np.nan, "convention")), ("#", (np.nan, "substituted")),
    ("Winner*", (np.nan, "winner")), ("n/a", (np.nan, "none")), ("?", (np.nan, "unknown")),
    ("[81,325]", (81325.0, "component")), ("Withdrew -- after primary?", (np.nan, "withdrew")),
    (np.nan, (np.nan, "none")),
])
def test_parse_vote_cell(cell, expected):
    votes, status = parse_vote_cell(cell, "f.xls", 3, "primary_votes")
    assert status == expected[1]
    assert (np.isnan(votes) and np.isnan(expected[0])) or votes == expected[0]


@pytest.mark.parametrize("cell,expected", [
    ("R\u00a0", ("R", False, False)), ("DEM ", ("D", False, False)), ("DFL", ("D", False, False)),
    ("D/WF Combined Parties", ("D", False, True)), ("W(D)", ("D", True, False)), ("W (REP)/REP", ("R", True, False)),
    ("R and R/D", ("R", False, False)), ("REP*", ("R", False, False)), ("N(R)", ("N(R)", False, False)),
    ("R/IP#", ("R", False, False)), ("WF", ("WF", False, False)),
])
def test_parse_party(cell, expected):
    assert parse_party(cell) == expected


# ------------------------------------------------------------------ bad input
def _fake_workbook(tmp_path, rows: list[list], header: list[str]):
    folder = tmp_path / FEC_DIR
    folder.mkdir(parents=True)
    df = pd.DataFrame([header] + rows)
    with pd.ExcelWriter(folder / FEC_WORKBOOKS[2018]) as xl:
        df.to_excel(xl, sheet_name="2018 US House Results by State", header=False, index=False)
    return tmp_path


HEADER = ["1", "STATE ABBREVIATION", "STATE", "DISTRICT", "FEC ID#", "(I)", "CANDIDATE NAME", "PARTY",
          "PRIMARY VOTES", "PRIMARY %", "RUNOFF VOTES", "RUNOFF %", "GENERAL VOTES", "GENERAL %"]
ROW = ["2", "NY", "New York", "14", "H8NY07046", "(I)", "Crowley, Joseph", "D", 12880, 0.4325, None, None,
       None, None]


def test_missing_workbook_names_the_file(tmp_path):
    with pytest.raises(InputError) as err:
        load_fec_candidates(tmp_path, 2018)
    assert "federalelections2018.xlsx" in str(err.value)


def test_missing_header_names_the_field(tmp_path):
    raw = _fake_workbook(tmp_path, [ROW[:7] + ROW[8:]], [h for h in HEADER if h != "PARTY"])
    with pytest.raises(InputError) as err:
        load_fec_candidates(raw, 2018)
    assert err.value.field == "party" and "federalelections2018.xlsx" in str(err.value)


def test_unparseable_vote_cell_names_file_row_field(tmp_path):
    bad = list(ROW)
    bad[8] = "12,88O"
    raw = _fake_workbook(tmp_path, [ROW, bad], HEADER)
    with pytest.raises(InputError) as err:
        load_fec_candidates(raw, 2018)
    assert (err.value.row, err.value.field) == (3, "primary_votes")
    assert "federalelections2018.xlsx" in str(err.value) and "12,88O" in str(err.value)


def test_fake_workbook_parses_when_clean(tmp_path):
    raw = _fake_workbook(tmp_path, [ROW], HEADER)
    c = load_fec_candidates(raw, 2018)
    assert len(c) == 1 and c["primary_votes"].iloc[0] == 12880 and c["source_row"].iloc[0] == 2


def test_fec20_bad_cells(tmp_path):
    folder = tmp_path / FEC20_DIR
    folder.mkdir()
    res = pd.read_csv(RAW / FEC20_DIR / "results_house.csv", dtype=str, keep_default_na=False, nrows=5)
    pd.read_csv(RAW / FEC20_DIR / "candidates.csv", dtype=str, nrows=5).to_csv(folder / "candidates.csv", index=False)
    res.drop(columns=["party"]).to_csv(folder / "results_house.csv", index=False)
    with pytest.raises(InputError) as err:
        load_fec_candidates(tmp_path, 2020)
    assert err.value.field == "party"
    res.loc[2, "primary_votes"] = "about 40k"
    res.to_csv(folder / "results_house.csv", index=False)
    with pytest.raises(InputError) as err:
        load_fec_candidates(tmp_path, 2020)
    assert (err.value.row, err.value.field) == (4, "primary_votes") and "results_house.csv" in str(err.value)
