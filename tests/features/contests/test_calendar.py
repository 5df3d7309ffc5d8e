"""The House primary calendar: build, the committed file, validation errors, scheduler helpers."""
from __future__ import annotations

import pandas as pd
import pytest

from features.contests.calendar import (
    CALENDAR_COLUMNS,
    CURATED,
    FILE_NAME,
    build_calendar,
    filing_deadline,
    load_calendar,
    races_in_window,
    write_calendar,
)
from features.kernel.constants import PRIMARY_SYSTEMS
from features.kernel.errors import InputError
from features.kernel.paths import CALENDAR_DIR, raw_dir

RAW = raw_dir()
needs_raw = pytest.mark.skipif(not (RAW / CURATED).is_file(), reason="raw data folder absent")

HEADER = ",".join(CALENDAR_COLUMNS)
GOOD = "2026,TX,2026-03-03,2026-05-26,2025-12-08,runoff,0.5,false,test"


@pytest.fixture(scope="module")
def cal() -> pd.DataFrame:
    return build_calendar(RAW)


def row(cal, cycle, state):
    return cal[(cal["cycle"] == cycle) & (cal["state"] == state)].iloc[0]


@needs_raw
def test_coverage_and_systems(cal):
    assert len(cal) == 13 * 50 and not cal.duplicated(["cycle", "state"]).any()
    assert set(cal["primary_system"]) <= set(PRIMARY_SYSTEMS)
    deadlines = cal.groupby("cycle")["filing_deadline"].count()
    assert deadlines[2026] == 50 and deadlines[2022] == 50 and deadlines[2024] == 40
    assert deadlines.loc[:2020].sum() == 0
    assert cal.loc[cal["cycle"] == 2024, "filing_deadline_est"].count() == 10
    assert cal.loc[cal["cycle"] >= 2022, "primary_date"].notna().all()
    assert "DC" not in set(cal["state"])


@needs_raw
def test_known_rows(cal):
    tx = row(cal, 2026, "TX")
    assert tx["filing_deadline"] == pd.Timestamp("2025-12-08") and tx["primary_date"] == pd.Timestamp("2026-03-03")
    assert tx["primary_system"] == "runoff" and tx["runoff_threshold"] == 0.5 and tx["voter_access"] == "open"
    assert row(cal, 2026, "CA")["primary_system"] == "top-two"
    assert row(cal, 2022, "AK")["primary_system"] == "top-four"
    assert row(cal, 2018, "AK")["primary_system"] == "semi-closed"
    assert row(cal, 2010, "CA")["primary_system"] == "semi-closed"
    assert row(cal, 2012, "CA")["primary_system"] == "top-two"
    assert row(cal, 2022, "LA")["primary_system"] == "louisiana-jungle"
    assert row(cal, 2008, "LA")["primary_system"] == "runoff"
    assert row(cal, 2026, "LA")["primary_system"] == "runoff"         # first closed party primaries
    assert row(cal, 2022, "NC")["runoff_threshold"] == 0.3 and row(cal, 2014, "NC")["runoff_threshold"] == 0.4
    assert row(cal, 2022, "SD")["runoff_threshold"] == 0.35
    assert row(cal, 2026, "VA")["convention_possible"] and row(cal, 2010, "VA")["convention_possible"]
    assert row(cal, 2026, "VA")["primary_date"] == pd.Timestamp("2026-08-04")   # moved (HB 29)
    assert "carried back" in row(cal, 2010, "OH")["source"]


@needs_raw
def test_write_then_load_round_trip(cal, tmp_path):
    path = write_calendar(cal, tmp_path)
    assert path.name == FILE_NAME
    back = load_calendar(path)
    pd.testing.assert_frame_equal(back.reset_index(drop=True), cal.reset_index(drop=True), check_dtype=False)


def test_committed_calendar_is_valid():
    path = CALENDAR_DIR / FILE_NAME
    if not path.is_file():
        pytest.skip("calendar not generated yet")
    cal = load_calendar()
    assert len(cal) == 650 and filing_deadline(cal, 2026, "TX") == pd.Timestamp("2025-12-08")


def _write(tmp_path, *lines, header=HEADER):
    path = tmp_path / FILE_NAME
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


@pytest.mark.parametrize("line, field, row", [
    ("2026,TX,2026-03-33,,,runoff,0.5,false,x", "primary_date", 2),
    ("2026,TX,2026-03-03,,2026-04-01,runoff,0.5,false,x", "filing_deadline", 2),
    ("2026,XX,2026-03-03,,,open,,false,x", "state", 2),
    ("2026,TX,2026-03-03,,,jungle-ish,,false,x", "primary_system", 2),
    ("2026,TX,2026-03-03,2026-02-01,,runoff,0.5,false,x", "runoff_date", 2),
    ("2026,TX,2026-03-03,,,runoff,50%,false,x", "runoff_threshold", 2),
    ("2026,TX,2026-03-03,,,runoff,0.5,maybe,x", "convention_possible", 2),
    ("twenty,TX,2026-03-03,,,runoff,0.5,false,x", "cycle", 2),
])
def test_validation_errors_name_file_row_field(tmp_path, line, field, row):
    path = _write(tmp_path, GOOD, line)
    with pytest.raises(InputError) as err:
        load_calendar(path)
    assert err.value.field == field and err.value.row == row and FILE_NAME in err.value.file


def test_missing_column_and_duplicates(tmp_path):
    path = _write(tmp_path, "2026,TX,2026-03-03", header="cycle,state,primary_date")
    with pytest.raises(InputError) as err:
        load_calendar(path)
    assert err.value.field == "runoff_date"
    path = _write(tmp_path, GOOD, GOOD)
    with pytest.raises(InputError) as err:
        load_calendar(path)
    assert err.value.row == 2
    with pytest.raises(InputError):
        load_calendar(tmp_path / "nope.csv")


@needs_raw
def test_filing_deadline_helper(cal):
    assert filing_deadline(cal, 2026, "IL") == pd.Timestamp("2025-11-03")
    assert pd.isna(filing_deadline(cal, 2024, "NY"))                    # estimate only
    assert filing_deadline(cal, 2024, "NY", estimate=True) == pd.Timestamp("2024-04-04")
    assert pd.isna(filing_deadline(cal, 2014, "NY"))
    with pytest.raises(InputError):
        filing_deadline(cal, 2026, "DC")


@needs_raw
def test_races_in_window(cal):
    ev = races_in_window(cal, 2026, "2026-03-03", "2026-03-10")          # inclusive on both ends
    prim = set(ev.loc[ev["event"] == "primary", "state"])
    assert {"TX", "NC", "AR", "MS"} <= prim
    assert ev["date"].between(pd.Timestamp("2026-03-03"), pd.Timestamp("2026-03-10")).all()
    dl = races_in_window(cal, 2026, "2025-12-01", "2025-12-31")
    assert set(dl.loc[dl["event"] == "filing_deadline", "state"]) == {"TX", "NC", "MS"}
    est = races_in_window(cal, 2024, "2024-04-01", "2024-04-05", estimates=True)
    assert "NY" in set(est.loc[est["event"] == "filing_deadline_est", "state"])
    with pytest.raises(InputError):
        races_in_window(cal, 2026, "2026-03-10", "2026-03-01")


@needs_raw
def test_fec_dates_hook_is_preferred(monkeypatch):
    """When features.contests.fec_dates exists, its FEC workbook dates fill 2002-2018 (races.csv otherwise)."""
    import sys
    import types

    def fake(raw, cycle):
        return pd.DataFrame({"state": ["OHIO", "NY"], "primary_date": [f"{cycle}-05-04", f"{cycle}-09-14"],
                             "runoff_date": [None, None], "source": f"fec-{cycle}-workbook"})

    monkeypatch.setitem(sys.modules, "features.contests.fec_dates", types.SimpleNamespace(fec_primary_dates=fake))
    cal = build_calendar(RAW)
    oh = row(cal, 2014, "OH")
    assert oh["primary_date"] == pd.Timestamp("2014-05-04") and oh["primary_date_source"] == "fec-2014-workbook"
    assert row(cal, 2020, "OH")["primary_date_source"] != "fec-2020-workbook"    # no 2020 workbook
    assert row(cal, 2014, "LA")["primary_date_source"] == "races.csv-house"      # not in the fake: fallback
