"""FEC money features on the real raw files: known values, the as-of rule, FEC quirks."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from features.contests.legislators import member_fec_ids
from features.contests.roster_2026 import WEBALL_HEADER
from features.evidence.money import MONEY_COLUMNS, candidate_money, race_money
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / "fec_weball").is_dir() or not (RAW / "fec_preprimary").is_dir(),
                                reason="raw FEC folders not available")
T = pd.Timestamp


@pytest.fixture(scope="module")
def money():
    """Money tables loaded once: {(cycle, kind): DataFrame}."""
    cache = {}

    def get(cycle, kind):
        if (cycle, kind) not in cache:
            cache[(cycle, kind)] = candidate_money(RAW, cycle, kind)
        return cache[(cycle, kind)]
    return get


def contest(cycle, state, district, party, incumbent, fec_id=pd.NA, primary=None):
    return dict(cycle=cycle, state=state, district=district, party=party, incumbent=incumbent, fec_id=fec_id,
                primary_date=T(primary) if primary else pd.NaT)


def one(rows, money, as_of=None):
    return race_money(pd.DataFrame(rows), money, as_of)


def test_schema_and_house_only(money):
    df = money(2024, "yearend")
    assert list(df.columns) == MONEY_COLUMNS
    assert df["fec_id"].str.startswith("H").all()
    assert set(df["party"]) <= {"D", "R", "other"}
    # Wesley Bell is listed twice in weball24 (House and Senate IDs, same committee): keep the House ID
    assert df.loc[df["name"].str.startswith("BELL, WESLEY"), "fec_id"].tolist() == ["H4MO01134"]


def test_yearend_known_values(money):
    rows = [contest(2018, "NY", 14, "D", "Joseph Crowley"), contest(2020, "NY", 16, "D", "Eliot L. Engel"),
            contest(2024, "NY", 16, "D", "Jamaal Bowman")]
    ye = pd.concat([money(c, "yearend") for c in (2018, 2020, 2024)])
    out = one(rows, ye)
    assert out["inc_receipts_ye"].round(-4).tolist() == [4_010_000, 3_210_000, 6_050_000]
    assert out["chal_receipts_ye"].round(-4).tolist() == [2_150_000, 2_920_000, 6_680_000]
    assert out["chal_name_fec_ye"].tolist() == ["OCASIO-CORTEZ, ALEXANDRIA", "BOWMAN, JAMAAL", "LATIMER, GEORGE"]
    assert out["money_ratio_ye"].iloc[0] == pytest.approx(4.007 / (4.007 + 2.148), abs=1e-3)
    # year-end totals carry their real (post-primary) coverage end: the leak is visible, not hidden
    assert out["money_ye_cvg_end"].tolist() == [T("2018-12-31"), T("2020-12-31"), T("2024-12-31")]
    assert {"inc_receipts", "money_cvg_end"}.isdisjoint(out.columns)


def test_weball26_gomez_is_live_pre_primary(money):
    out = one([contest(2026, "CA", 34, "D", "Jimmy Gomez", "H8CA34266", "2026-06-02")], money(2026, "preprimary"),
              T("2025-12-31"))
    r = out.iloc[0]
    assert round(r["inc_receipts"], -4) == 800_000 and round(r["inc_cash"], -4) == 650_000
    assert r["money_cvg_end"] == T("2025-12-31") and r["money_source"] == "fec-pre-2026"


def test_weball26_keeps_later_dates_and_as_of_drops_them(money):
    df = money(2026, "preprimary")
    peltola = df[df["fec_id"] == "H2AK01158"].iloc[0]
    assert peltola["cvg_end"] == T("2026-02-13")          # real date kept, not clipped to 12/31
    row = contest(2026, "AK", 0, "D", "Mary Peltola", "H2AK01158")
    both = one([row, row], df, pd.Series([T("2025-12-31"), T("2026-02-13")]))
    assert pd.isna(both["inc_receipts"].iloc[0])          # not yet known on 2025-12-31
    assert both["inc_receipts"].iloc[1] == pytest.approx(152304.86)


def test_texas_2018_post_primary_rows_are_dropped(money):
    """The spring-2018 copy's TX / IL rows run past their primaries: the eve of the primary falls back
    to the mid-2017 copy (2018-early)."""
    pre = money(2018, "preprimary")
    culberson = contest(2018, "TX", 7, "R", "John Culberson", primary="2018-03-06")
    lipinski = contest(2018, "IL", 3, "D", "Daniel Lipinski", primary="2018-03-20")
    eve = one([culberson, lipinski], pre, pd.Series([T("2018-03-05"), T("2018-03-19")]))
    assert (eve["money_cvg_end"] == T("2017-06-30")).all()
    assert (eve["money_source"] == "fec-pre-2018-early").all()
    later = one([culberson], pre, T("2018-04-30"))        # the row exists: it is the as-of rule that drops it
    assert later["money_cvg_end"].iloc[0] == T("2018-03-31") and later["inc_receipts"].iloc[0] > 0


def test_crowley_pre_primary_2018(money):
    out = one([contest(2018, "NY", 14, "D", "Joe Crowley", primary="2018-06-26")], money(2018, "preprimary"),
              T("2018-06-25"))
    r = out.iloc[0]
    assert r["money_cvg_end"] == T("2018-03-31")
    assert r["chal_name_fec"] == "OCASIO-CORTEZ, ALEXANDRIA"
    assert r["inc_receipts"] > 10 * r["chal_receipts"]     # before the upset: $2.79M vs $0.13M


def test_no_money_after_as_of_anywhere(money):
    """Property over a whole cycle: nothing used is dated after the row's as-of date."""
    pre = money(2022, "preprimary")
    inc = pre[(pre["ici"] == "I") & pre["party"].isin(["D", "R"])].head(200)
    rows = pd.DataFrame({"cycle": 2022, "state": inc["state"], "district": inc["district"], "party": inc["party"],
                         "incumbent": inc["name"], "fec_id": inc["fec_id"]}).reset_index(drop=True)
    as_of = pd.Series(pd.date_range("2021-06-01", periods=len(rows), freq="D"), index=rows.index)
    out = race_money(rows, pre, as_of)
    used = out["inc_receipts"].notna() | out["chal_receipts"].notna()
    assert used.any() and (~used).any()
    assert (out.loc[used, "money_cvg_end"] <= as_of[used]).all()


def test_impossible_dates_become_nat(money):
    ye10 = money(2010, "yearend")
    assert ye10["cvg_end"].max() <= T("2010-12-31") and ye10["cvg_end"].isna().sum() == 1     # the 2090 typo
    assert money(2018, "preprimary")["cvg_end"].isna().sum() == 5     # after the 2018-05-01 snapshot


def test_old_format_money_strings_and_at_large(money):
    pre = money(2018, "preprimary")
    ziegler = pre[pre["fec_id"] == "H8TX07173"].iloc[0]    # "$210,550.00" receipts, "-$16,130.67" cash
    assert ziegler["receipts"] == 210550.0 and ziegler["cash"] == -16130.67 and ziegler["source_row"] == 1
    young = money(2020, "preprimary").query("fec_id == 'H6AK00045'").iloc[0]
    assert young["district"] == 0 and young["ici"] == "I"


def test_incumbent_second_fec_id_is_not_the_challenger(money):
    # weball26 lists MO-3's Bob Onder under two House IDs with identical money
    out = one([contest(2026, "MO", 3, "R", "Bob Onder")], money(2026, "yearend"))
    assert out["chal_name_fec_ye"].iloc[0] is pd.NA or "ONDER" not in out["chal_name_fec_ye"].iloc[0]
    assert out["inc_receipts_ye"].iloc[0] == pytest.approx(515212.63)


def test_cycles_without_pre_primary_snapshot_are_empty():
    assert candidate_money(RAW, 2010, "preprimary").empty
    assert candidate_money(RAW, 2008, "preprimary").empty
    assert not candidate_money(RAW, 2016, "preprimary").empty         # fec_preprimary/2016 (third layout)


def test_pre_primary_needs_an_as_of(money):
    with pytest.raises(ValueError):
        one([contest(2026, "CA", 34, "D", "Jimmy Gomez")], money(2026, "preprimary"))


def test_bad_money_cell_names_file_row_and_field(tmp_path):
    (tmp_path / "fec_weball").mkdir()
    shutil.copy(RAW / WEBALL_HEADER, tmp_path / WEBALL_HEADER)
    lines = (RAW / "fec_weball/weball26.txt").read_bytes().splitlines()[:3]
    fields = lines[2].split(b"|")
    fields[5] = b"12O.00"        # TTL_RECEIPTS with a letter O
    lines[2] = b"|".join(fields)
    (tmp_path / "fec_weball/weball26.txt").write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(InputError) as exc:
        candidate_money(tmp_path, 2026, "preprimary")
    assert exc.value.row == 3 and exc.value.field == "TTL_RECEIPTS" and "weball26.txt" in str(exc.value)


def test_redistricting_lag_member_running_elsewhere(money):
    """2022: FEC still files Nadler under NY-10; he ran in NY-12 against Maloney (member vs member)."""
    rows = [contest(2022, "NY", 10, "D", "Mondaire L. Jones"),
            dict(contest(2022, "NY", 12, "D", "Jerrold L. Nadler"), other_incumbent="Carolyn B. Maloney"),
            dict(contest(2022, "NY", 12, "D", "Carolyn B. Maloney"), other_incumbent="Jerrold L. Nadler")]
    out = one(rows, money(2022, "preprimary"), T("2022-06-27"))
    assert "NADLER" not in out["chal_name_fec"].iloc[0]
    assert out["chal_name_fec"].iloc[1].startswith("MALONEY")
    # Maloney's top challenger by pre-primary receipts is Abdelhamid ($794K), just above Nadler ($761K)
    assert out["chal_receipts"].iloc[2] >= out["inc_receipts"].iloc[1]


def test_the_2016_viewer_layout_reads_contributions_and_parenthesised_negatives(money):
    """fec_preprimary/2016: spelled-out headers, "$1,234.56 " money, "($547.49)" negatives; receipts are
    Total Contributions (Abraham LA-5: 15,550 individual + 154,500 other committees = 170,050)."""
    m = money(2016, "preprimary")
    abraham = m[m["fec_id"] == "H4LA05221"].iloc[0]
    assert abraham["receipts"] == pytest.approx(170050.0)
    assert abraham["cvg_end"] == T("2015-12-31") and abraham["source"] == "fec-pre-2016"
    alliegro = m[m["fec_id"] == "H4MA09052"].iloc[0]
    assert alliegro["cash"] == pytest.approx(-547.49)
    assert set(m["source"]) == {"fec-pre-2016"}


def test_2018_has_two_copies_and_the_early_one_is_tx_and_ils_pre_primary_money(money):
    """2018-early (mid-2017 coverage) is the one 2018 source dated before the TX (3/6) and IL (3/20)
    primaries: Lipinski IL-3 and his challenger Marie Newman get their 2017-06-30 figures as of the day
    before the primary, while NY's Crowley keeps the spring-2018 figure."""
    m = money(2018, "preprimary")
    assert set(m["source"]) == {"fec-pre-2018", "fec-pre-2018-early"}
    assert m.loc[m["source"] == "fec-pre-2018-early", "cvg_end"].max() <= T("2017-12-31")
    il3 = one([contest(2018, "IL", 3, "D", "Daniel Lipinski")], m, T("2018-03-19")).iloc[0]
    assert il3["money_source"] == "fec-pre-2018-early" and il3["money_cvg_end"] == T("2017-06-30")
    assert il3["chal_name_fec"] == "NEWMAN, MARIE" and il3["chal_receipts"] == pytest.approx(195327.10)
    ny14 = one([contest(2018, "NY", 14, "D", "Joe Crowley")], m, T("2018-06-25")).iloc[0]
    assert ny14["money_source"] == "fec-pre-2018" and ny14["money_cvg_end"] == T("2018-03-31")
    early = one([contest(2018, "NY", 14, "D", "Joe Crowley")], m, T("2017-12-31")).iloc[0]
    assert early["money_cvg_end"] == T("2017-06-30") and early["chal_name_fec"] == "OCASIO-CORTEZ, ALEXANDRIA"


def test_a_sitting_members_house_committee_is_not_a_challenger(money):
    """FEC files keep a House committee for members who moved on.  2020 AZ-9: Senator Sinema's old
    House committee ($2.1M by the end of 2019); WI-7: Sean Duffy's, who resigned in September 2019.
    Both are sitting members of the 116th Congress, not Stanton's or Tiffany's challengers."""
    seated = member_fec_ids(RAW)
    rows = [contest(2020, "AZ", 9, "D", "Greg Stanton", primary="2020-08-04"),
            contest(2020, "WI", 7, "R", "Thomas Tiffany", primary="2020-08-11")]
    pre = money(2020, "preprimary")
    without = race_money(pd.DataFrame(rows), pre, T("2019-12-31"))
    assert without["chal_name_fec"].tolist() == ["SINEMA, KYRSTEN", "DUFFY, SEAN"]   # the trap
    out = race_money(pd.DataFrame(rows), pre, T("2019-12-31"), seated=seated)
    assert out["chal_name_fec"].isna().all()


def test_a_special_election_winner_is_a_challenger_before_taking_the_seat(money):
    """2016 PA-2: Dwight Evans beat Chaka Fattah in the April primary and took the seat in November
    2016 (114th Congress): on the day before the primary he is the challenger."""
    seated = member_fec_ids(RAW)
    out = race_money(pd.DataFrame([contest(2016, "PA", 2, "D", "Chaka Fattah", primary="2016-04-26")]),
                     money(2016, "preprimary"), T("2016-04-25"), seated=seated)
    assert out["chal_name_fec"].iloc[0].startswith("EVANS, DWIGHT")


def test_a_former_member_running_again_is_a_challenger(money):
    """2026 MO-1: Cori Bush, who sat in the 118th Congress, runs against Wesley Bell in the 119th."""
    seated = member_fec_ids(RAW)
    out = race_money(pd.DataFrame([contest(2026, "MO", 1, "D", "Wesley Bell", primary="2026-08-04")]),
                     money(2026, "preprimary"), T("2025-12-31"), seated=seated)
    assert out["chal_name_fec"].iloc[0].startswith("BUSH, CORI")


def test_a_special_elections_other_candidates_are_not_challengers(money):
    """2018 GA-6: Karen Handel won the June 2017 special election; Dan Moody, FEC-listed for the open
    seat, raised $3.2M for that special's primary and did not run in 2018.  2020 NC-9: Dan Bishop won
    the September 2019 special; Leigh Brown ran in its primary.  Neither is a challenger at the year
    end (the special's open-seat registrants are set aside), while a challenger of a member first
    elected in a regular November stays one (2018 NY-14: Ocasio-Cortez, ICI 'C')."""
    seated = member_fec_ids(RAW)
    rows = pd.DataFrame([contest(2018, "GA", 6, "R", "Karen Handel", primary="2018-05-22"),
                         contest(2018, "NY", 14, "D", "Joe Crowley", primary="2018-06-26")])
    pre = money(2018, "preprimary")
    without = race_money(rows, pre, T("2017-12-31"))
    assert without["chal_name_fec"].iloc[0] == "MOODY, DAN"                      # the trap
    out = race_money(rows, pre, T("2017-12-31"), seated=seated)
    assert out["chal_name_fec"].iloc[0] != "MOODY, DAN"
    assert out["chal_name_fec"].iloc[1] == "OCASIO-CORTEZ, ALEXANDRIA"
    nc9 = race_money(pd.DataFrame([contest(2020, "NC", 9, "R", "Dan Bishop", primary="2020-03-03")]),
                     money(2020, "preprimary"), T("2019-12-31"), seated=seated)
    assert nc9["chal_name_fec"].iloc[0] != "BROWN, LEIGH"
