"""NORPAC's year-less ``P`` rows: the cycle from the transaction date (features.evidence.pro_israel_money.assign_yearless).

Fixtures are real rows of the raw transactions file (read from ../shared, selected by file row), written
to a small raw folder per test.
"""
from __future__ import annotations

import pandas as pd
import pytest

from features.evidence.pro_israel_money import (
    REASON_AFTER,
    REASON_COUNTED,
    REASON_RECIPIENT,
    REASON_REFUND,
    SOURCE,
    _read_source,
    aggregate_norpac,
    aggregate_pro_israel,
    assign_yearless,
    pro_israel_events,
)
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir
from tests.features.evidence.pac_fixtures import fixture_raw

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / SOURCE).is_file(), reason="raw pro-Israel PAC folder absent")
T = pd.Timestamp
CALENDAR = "data/calendar/house_primary_calendar.csv"

#: file rows (1-based, header excluded) of real NORPAC rows and what the rule makes of them
CASES = {
    19801: (2016, REASON_COUNTED),     # Mike Thompson, 2015-01-08 $1,000: odd year -> the 2016 primary
    19875: (2020, REASON_COUNTED),     # Eliot Engel, 2020-05-15 $1,000 (NY primary 2020-06-23)
    19884: (2020, REASON_COUNTED),     # Engel, 2020-06-11 $9,750
    19885: (2020, REASON_COUNTED),     # Engel, 2020-06-18 $21,375
    19818: (None, REASON_AFTER),       # Ed Royce, 2016-10-20 $40,706: after CA's 2016-06-07 primary
    20012: (None, REASON_RECIPIENT),   # under Gottheimer's id, to "KAINE FOR VIRGINIA", 2024-05-30 $25,000
    20033: (2026, REASON_COUNTED),     # Brad Sherman, 2025-01-21 $5,000
    19940: (None, REASON_REFUND),      # Brad Schneider, 2021-01-20 -$1,000: its original is not in the file
    20028: (None, REASON_AFTER),       # Darren Soto, 2024-11-05 $1,400 (FL primary 2024-08-20)
    20035: (None, REASON_REFUND),      # Soto, 2025-02-04 -$1,400: reverses the uncounted 2024-11-05 row
}


@pytest.fixture(scope="module")
def calendar():
    return pd.read_csv(CALENDAR, parse_dates=["primary_date"])


def _fixture_raw(tmp_path, rows, edit=None):
    return fixture_raw(RAW, tmp_path, rows, edit)


def _row(original: int) -> int:
    return sorted(CASES).index(original) + 1


def _source_rows(rows):
    df = _read_source(RAW)
    df = df[df["source_row"].isin(list(rows))]
    assert (df["pac_folder"] == "NORPAC").all() and (df["election"] == "P").all()
    return df.assign(date=pd.to_datetime(df["date"]), amount=pd.to_numeric(df["amount"]))


def test_year_assignment_of_real_norpac_rows(calendar):
    got = assign_yearless(_source_rows(CASES), calendar).join(_source_rows(CASES)["source_row"])
    for _, r in got.iterrows():
        cycle, reason = CASES[int(r["source_row"])]
        assert r["reason"] == reason, r["source_row"]
        assert (pd.isna(r["cycle"]) if cycle is None else r["cycle"] == cycle), r["source_row"]


def test_events_keep_only_counted_rows_dated_by_transaction(tmp_path, calendar):
    ev = pro_israel_events(_fixture_raw(tmp_path, set(CASES)), calendar)
    counted = {_row(k) for k, (c, _) in CASES.items() if c is not None}
    assert set(ev["source_row"]) == counted
    assert (ev["pac"] == "norpac").all() and (ev["election_type"] == "P").all()
    engel = ev[ev["candidate_id"] == "H8NY19058"]
    assert list(engel["date"]) == [T("2020-05-15"), T("2020-06-11"), T("2020-06-18")]
    assert engel["amount"].sum() == 32_125


def test_engel_2020_as_of(tmp_path, calendar):
    """The as-of rule: each NORPAC amount counts only from its transaction date."""
    ev = pro_israel_events(_fixture_raw(tmp_path, set(CASES)), calendar)
    row = pd.DataFrame([dict(cycle=2020, state="NY", district=16, party="D", fec_id="H8NY19058")])
    expect = {"2020-05-14": 0, "2020-05-15": 1_000, "2020-06-17": 10_750, "2020-06-22": 32_125}
    for day, amount in expect.items():
        out = aggregate_norpac(ev, row, T(day))
        assert out.loc[0, "norpac_fec_for_inc"] == amount, day
        assert out.loc[0, "norpac_fec_against_inc"] == 0
        last = out.loc[0, "norpac_fec_last_date"]
        assert (pd.isna(last) if amount == 0 else last <= T(day))
        # NORPAC's money has its own columns: the bloc's (UDP, AIPAC PAC) never include it
        bloc = aggregate_pro_israel(ev, row, T(day))
        assert bloc.loc[0, "pi_fec_for_inc"] == 0 and pd.isna(bloc.loc[0, "pi_fec_last_date"])
    # the Royce row after CA's primary never counts, not even at the year's end
    royce = pd.DataFrame([dict(cycle=2016, state="CA", district=39, party="R", fec_id="H6CA39020")])
    assert aggregate_norpac(ev, royce, T("2016-12-31")).loc[0, "norpac_fec_for_inc"] == 0


def test_bad_amount_names_file_row_field(tmp_path, calendar):
    raw = _fixture_raw(tmp_path, set(CASES), edit={19884: [("amount", "9,75O")]})
    with pytest.raises(InputError) as exc:
        pro_israel_events(raw, calendar)
    assert exc.value.row == _row(19884) and exc.value.field == "amount"
    assert "pro_israel_pac_candidate_transactions" in str(exc.value)


def test_bad_date_and_missing_primary_name_file_row_field(tmp_path, calendar):
    with pytest.raises(InputError) as exc:
        pro_israel_events(_fixture_raw(tmp_path / "a", set(CASES), edit={19875: [("date", "2020-13-15")]}), calendar)
    assert (exc.value.row, exc.value.field) == (_row(19875), "date")
    no_ny = calendar[~((calendar["state"] == "NY") & (calendar["cycle"] == 2020))]
    with pytest.raises(InputError) as exc:
        pro_israel_events(_fixture_raw(tmp_path / "b", set(CASES)), no_ny)
    assert (exc.value.row, exc.value.field) == (_row(19875), "date") and "NY" in exc.value.reason


def test_rule_agrees_with_jstreet_labels(calendar):
    """Checked on J Street, whose rows carry full labels: of its House 24K rows the date rule counts,
    at least 97% are labelled the primary of that very cycle (98.5% measured), and of those it calls
    ambiguous, dated after the state's primary, at least 97% are general-election money (98.1%)."""
    df = _read_source(RAW)
    df = df[(df["pac_folder"] == "JStreetPAC") & df["candidate_id"].str.startswith("H")
            & (df["transaction_type"] == "24K") & df["election"].str.match(r"^[PG]\d{4}$")
            & df["office"].str.startswith("House ")]
    df = df.assign(date=pd.to_datetime(df["date"]), amount=pd.to_numeric(df["amount"]).abs())
    got = assign_yearless(df, calendar)
    counted = got["reason"] == REASON_COUNTED
    label = df["election"]
    assert counted.sum() > 1500
    assert (label[counted] == "P" + got.loc[counted, "cycle"].astype(int).astype(str)).mean() >= 0.97
    after = got["reason"] == REASON_AFTER
    assert label[after].str.startswith("G").mean() >= 0.97
