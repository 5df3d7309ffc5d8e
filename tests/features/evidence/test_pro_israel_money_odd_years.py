"""Odd-year primary labels (AIPAC PAC's P2023 / P2025, J Street's few): the next cycle's primary money
when dated on or before the state's primary (features.evidence.pro_israel_money.assign_odd_year).

Fixtures are real rows of the raw transactions file (read from ../shared, selected by file row), written
to a small raw folder per test; a row is edited only where the file has no real case (no P2023/P2025
row is dated after its cycle's primary) or to make bad input.
"""
from __future__ import annotations

import pandas as pd
import pytest

from features.evidence.pro_israel_money import (
    REASON_AFTER,
    REASON_COUNTED,
    REASON_REFUND,
    REASON_SPECIAL,
    SOURCE,
    _read_source,
    aggregate_pro_israel,
    assign_odd_year,
    odd_year_specials,
    pro_israel_events,
)
from features.kernel.errors import InputError
from features.kernel.paths import PROCESSED_DIR, raw_dir
from tests.features.evidence.pac_fixtures import fixture_raw

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / SOURCE).is_file(), reason="raw pro-Israel PAC folder absent")
T = pd.Timestamp
CALENDAR = "data/calendar/house_primary_calendar.csv"

#: Katherine Clark (MA-5, H4MA05084): every AIPAC PAC row labelled P2023 (file rows), MA's 2024 primary 2024-09-03
CLARK = {
    1037: (2024, REASON_COUNTED),    # 2023-06-07 $250
    1038: (2024, REASON_COUNTED),    # 2023-06-07 $1,000
    1039: (2024, REASON_COUNTED),    # 2023-06-07 $1,000
    1040: (2024, REASON_COUNTED),    # 2023-06-07 $1,000
    1041: (2024, REASON_COUNTED),    # 2023-06-07 $1,000
    1042: (2024, REASON_COUNTED),    # 2023-06-07 $2,000
    1043: (2024, REASON_COUNTED),    # 2023-06-07 $2,900
    1044: (2024, REASON_COUNTED),    # 2023-06-07 $1,000
    1045: (2024, REASON_COUNTED),    # 2023-06-07 $250   (the 2023-06-07 rows: $10,400)
    1046: (2024, REASON_COUNTED),    # 2023-06-14 $500
    1047: (2024, REASON_COUNTED),    # 2023-06-14 $1,000
    1048: (2024, REASON_COUNTED),    # 2023-06-14 $250
    2416: (2024, REASON_COUNTED),    # 2023-10-11 $500
    2424: (2024, REASON_COUNTED),    # 2023-10-16 -$500: reverses the $500 of 2023-10-11
    2425: (2024, REASON_COUNTED),    # 2023-10-16 -$500: reverses the $500 of 2023-06-14
    2426: (None, REASON_REFUND),     # 2023-10-16 -$500: no $500 row left to reverse
    2427: (None, REASON_REFUND),     # 2023-10-16 -$500: same
}
#: other real rows
OTHERS = {
    2939: (None, REASON_REFUND),     # Matt Cartwright (PA-8; office PA-17), 2023-10-16 -$500 P2023: no P2023 row of his
    7505: (None, REASON_SPECIAL),    # Jimmy Patronis FL-1, 2025-01-07 $5,000 P2025: FL-1's special of 2025
    7823: (None, REASON_SPECIAL),    # Matt Van Epps TN-7, 2025-10-29 $3,500 P2025: TN-7's special of 2025
    8489: (2026, REASON_COUNTED),    # Marlin Stutzman (no office; id H4IN03174 -> IN-3), 2025-12-24 $1,500
    7531: (2026, REASON_COUNTED),    # Angie Craig MN-2, 2025-03-13 $5,000 P2026 -- not odd: never passed here
}
JSTREET = {
    12849: (2024, REASON_COUNTED),   # Jared Huffman CA-2, 2023-06-30 $1,000 P2023 (CA primary 2024-03-05)
    19273: (None, REASON_SPECIAL),   # Adelita Grijalva AZ-7, 2025-08-22 $5,000 P2025: AZ-7's special of 2025
    19274: (None, REASON_SPECIAL),   # James Walkinshaw VA-11, 2025-08-29 $5,000 P2025: VA-11's special
}
CLARK_ROW = dict(cycle=2024, state="MA", district=5, party="D", fec_id="H4MA05084")


@pytest.fixture(scope="module")
def calendar():
    return pd.read_csv(CALENDAR, parse_dates=["primary_date"])


@pytest.fixture(scope="module")
def specials():
    return odd_year_specials(RAW)


def _fixture_raw(tmp_path, rows, edit=None):
    return fixture_raw(RAW, tmp_path, rows, edit)


def _odd_rows(cases):
    df = _read_source(RAW)
    df = df[df["source_row"].isin(list(cases)) & df["election"].str.match(r"^P\d{3}[13579]$")]
    return df.assign(date=pd.to_datetime(df["date"]), amount=pd.to_numeric(df["amount"]))


def test_specials_of_2023_and_2025(specials):
    assert {(2023, "VA", 4), (2023, "RI", 1), (2023, "UT", 2)} <= specials
    assert {(2025, "FL", 1), (2025, "FL", 6), (2025, "VA", 11), (2025, "AZ", 7), (2025, "TN", 7)} <= specials
    assert not any(y in (2023, 2025) and (s, d) in {("MA", 5), ("CA", 2), ("IN", 3)} for y, s, d in specials)
    # the 114th Congress met on 2015-01-06: its regular members are no special election
    assert sum(y == 2015 for y, _, _ in specials) <= 5


@pytest.mark.parametrize("cases", [CLARK, OTHERS, JSTREET], ids=["clark", "others", "jstreet"])
def test_assignment_of_real_odd_year_rows(cases, calendar, specials):
    rows = _odd_rows(cases)
    got = assign_odd_year(rows, calendar, specials).join(rows["source_row"])
    assert set(got["source_row"]) == {k for k in cases if k != 7531}
    for _, r in got.iterrows():
        cycle, reason = cases[int(r["source_row"])]
        assert r["reason"] == reason, r["source_row"]
        assert (pd.isna(r["cycle"]) if cycle is None else r["cycle"] == cycle), r["source_row"]


def test_clark_p2023_counts_in_2024_as_of(tmp_path, calendar, specials):
    """Clark's P2023 AIPAC PAC money counts in her 2024 row from each transaction's date on, through
    the day before MA's 2024-09-03 primary; before 2023-06-07 nothing of it counts."""
    ev = pro_israel_events(_fixture_raw(tmp_path, set(CLARK)), calendar, specials)
    assert (ev["cycle"] == 2024).all() and (ev["pac"] == "aipac_pac").all() and (ev["election_type"] == "P").all()
    assert len(ev) == 15 and ev["amount"].sum() == 11_650
    row = pd.DataFrame([CLARK_ROW])
    expect = {"2023-06-06": 0, "2023-06-07": 10_400, "2023-06-14": 12_150, "2023-10-11": 12_650,
              "2023-10-16": 11_650, "2024-09-02": 11_650}
    for day, amount in expect.items():
        out = aggregate_pro_israel(ev, row, T(day))
        assert out.loc[0, "pi_fec_for_inc"] == amount, day
        assert out.loc[0, "pi_fec_against_inc"] == 0
        last = out.loc[0, "pi_fec_last_date"]
        assert pd.isna(last) if amount == 0 else last <= T(day)
    # a 2022 row of Clark's is not touched by the 2023 money
    assert aggregate_pro_israel(ev, pd.DataFrame([{**CLARK_ROW, "cycle": 2022}]),
                                T("2022-12-31")).loc[0, "pi_fec_for_inc"] == 0


def test_row_dated_after_the_primary_does_not_count(tmp_path, calendar, specials):
    """No real P2023 row is dated after its state's 2024 primary: Clark's $2,900 row (1043) moved to the
    day after MA's primary is ambiguous and never counts, not even at the year's end."""
    raw = _fixture_raw(tmp_path, set(CLARK), edit={1043: [("date", "2024-09-04")]})
    rows = _odd_rows(CLARK)
    rows.loc[rows["source_row"] == 1043, "date"] = T("2024-09-04")
    got = assign_odd_year(rows, calendar, specials).join(rows["source_row"]).set_index("source_row")
    assert got.loc[1043, "reason"] == REASON_AFTER and pd.isna(got.loc[1043, "cycle"])
    ev = pro_israel_events(raw, calendar, specials)
    assert len(ev) == 14
    late = aggregate_pro_israel(ev, pd.DataFrame([CLARK_ROW]), T("2024-12-31"))
    assert late.loc[0, "pi_fec_for_inc"] == 11_650 - 2_900
    # on the primary day itself it still counts
    rows.loc[rows["source_row"] == 1043, "date"] = T("2024-09-03")
    got = assign_odd_year(rows, calendar, specials).join(rows["source_row"]).set_index("source_row")
    assert got.loc[1043, "reason"] == REASON_COUNTED and got.loc[1043, "cycle"] == 2024


def test_special_district_rows_are_not_moved(tmp_path, calendar, specials):
    ev = pro_israel_events(_fixture_raw(tmp_path, set(OTHERS)), calendar, specials)
    # only Stutzman's P2025 row (moved to 2026) and Craig's P2026 row; Patronis, Van Epps, Cartwright out
    assert sorted(zip(ev["candidate_id"], ev["cycle"])) == [("H4IN03174", 2026), ("H6MN02131", 2026)]
    patronis = pd.DataFrame([dict(cycle=2026, state="FL", district=1, party="R", fec_id="H6FL01390")])
    assert aggregate_pro_israel(ev, patronis, T("2025-12-31")).loc[0, "pi_fec_for_inc"] == 0
    # without the special, Patronis' 2025-01-07 row would be FL's 2026 primary money
    rows = _odd_rows(OTHERS)
    got = assign_odd_year(rows, calendar, specials - {(2025, "FL", 1)}).join(rows["source_row"])
    assert got.set_index("source_row").loc[7505, "cycle"] == 2026


def test_committed_table_counts_clark_2024():
    """The built table's 2024 row of Clark (as of the day before her primary) holds the P2023 money."""
    df = pd.read_csv(PROCESSED_DIR / "incumbent_primaries.csv", usecols=["cycle", "state", "district", "fec_id",
                                                                          "pi_fec_for_inc", "pi_fec_last_date"])
    r = df[(df["cycle"] == 2024) & (df["state"] == "MA") & (df["district"] == 5)].iloc[0]
    assert r["fec_id"] == "H4MA05084" and r["pi_fec_for_inc"] == 11_650
    ev = pd.read_csv(PROCESSED_DIR / "pro_israel_events.csv")
    assert not ev["cycle"].isin([2023, 2025]).any()
    assert ((ev["pac"] == "aipac_pac") & (ev["cycle"] == 2024) & (ev["date"] < "2024-01-01")).sum() > 300


def test_bad_odd_year_row_names_file_row_field(tmp_path, calendar, specials):
    rows = set(CLARK)
    with pytest.raises(InputError) as exc:
        pro_israel_events(_fixture_raw(tmp_path / "a", rows, edit={1046: [("date", "2023-06-31")]}), calendar, specials)
    assert (exc.value.row, exc.value.field) == (sorted(rows).index(1046) + 1, "date")
    assert "pro_israel_pac_candidate_transactions" in str(exc.value)
    no_ma = calendar[~((calendar["state"] == "MA") & (calendar["cycle"] == 2024))]
    with pytest.raises(InputError) as exc:
        pro_israel_events(_fixture_raw(tmp_path / "b", rows), no_ma, specials)
    assert (exc.value.row, exc.value.field) == (1, "date") and "MA" in exc.value.reason and "2024" in exc.value.reason
    with pytest.raises(InputError) as exc:
        pro_israel_events(_fixture_raw(tmp_path / "c", rows, edit={1040: [("amount", "1,OOO")]}), calendar, specials)
    assert (exc.value.row, exc.value.field) == (sorted(rows).index(1040) + 1, "amount")
