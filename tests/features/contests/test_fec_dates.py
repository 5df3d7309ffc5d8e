"""Primary and runoff dates from the FEC workbooks' primary-date sheets (2002-2018), on the real files."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pytest

from features.contests.fec_dates import fec_primary_dates
from features.contests.results_fec import FEC_DIR, FEC_WORKBOOKS
from features.kernel.constants import DELEGATE_STATES, RUNOFF_STATES, STATES
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / FEC_DIR).is_dir(), reason="raw FEC folder absent")


@lru_cache(maxsize=None)
def dates(cycle: int) -> pd.DataFrame:
    return fec_primary_dates(RAW, cycle).set_index("state")


def day(cycle, state, col="primary_date"):
    return dates(cycle).loc[state, col]


@pytest.mark.parametrize("cycle", sorted(FEC_WORKBOOKS))
def test_every_state_once_dates_in_the_cycle(cycle):
    d = dates(cycle)
    assert d.index.is_unique and set(d.index) <= set(STATES) and not d.index.isin(DELEGATE_STATES).any()
    assert set(STATES) - set(d.index) <= {"LA"}            # LA: no congressional primary in most years
    known = d["primary_date"].dropna()
    assert (known.dt.year == cycle).all()
    assert set(d.index[d["primary_date"].isna()]) <= {"LA"}
    both = d.dropna(subset=["primary_date", "runoff_date"])
    assert (both["runoff_date"] > both["primary_date"]).all()
    assert set(d.index[d["runoff_date"].notna()]) <= set(RUNOFF_STATES) | {"LA"}
    assert d["source"].str.contains(FEC_WORKBOOKS[cycle], regex=False).all()
    assert str(d["primary_date"].dtype) == "datetime64[ns]"


def test_year_typed_as_the_editing_year_is_moved_back():
    assert day(2006, "AL") == pd.Timestamp("2006-06-06")           # the cell says 2007-06-06
    assert day(2006, "AL", "runoff_date") == pd.Timestamp("2006-07-18")
    assert day(2008, "IL") == pd.Timestamp("2008-02-05")           # 2009-02-05
    assert day(2010, "SD") == pd.Timestamp("2010-06-08")           # 2011-06-08 (the only one that year)
    assert day(2016, "AR") == pd.Timestamp("2016-03-01")           # 2017-03-01
    assert "read as 2006" in dates(2006).loc["AL", "source"]


def test_footnote_glued_to_the_day_2012():
    assert day(2012, "MD") == pd.Timestamp("2012-04-03")           # cell 1931-04-01 ('4/3' + '1')
    assert day(2012, "IN") == pd.Timestamp("2012-05-08")           # cell 1981-05-01
    assert day(2012, "KS") == day(2012, "MI") == pd.Timestamp("2012-08-07")   # cells 1971-08-01
    assert day(2012, "OR") == pd.Timestamp("2012-05-15")           # text '5/151'
    assert day(2012, "TX") == pd.Timestamp("2012-05-29")           # text '5/291'
    assert day(2012, "TX", "runoff_date") == pd.Timestamp("2012-07-31")
    assert day(2014, "TX") == pd.Timestamp("2014-03-04")           # text '3/4 1'


def test_nc_2016_house_row_not_the_senate_row():
    assert day(2016, "NC") == pd.Timestamp("2016-06-07")           # '6/7 (U.S. House)', not '3/15 (U.S. Senate)'


def test_louisiana():
    assert pd.isna(day(2002, "LA"))                               # all-party November election, no primary
    assert day(2008, "LA") == pd.Timestamp("2008-10-04")          # closed party primaries in 2008
    assert day(2008, "LA", "runoff_date") == pd.Timestamp("2008-11-04")
    assert "LA" not in dates(2018).index


def test_known_dates():
    assert day(2018, "NY") == pd.Timestamp("2018-06-26")          # Crowley / Ocasio-Cortez
    assert day(2014, "VA") == pd.Timestamp("2014-06-10")          # Cantor / Brat
    assert day(2018, "TX", "runoff_date") == pd.Timestamp("2018-05-22")
    assert day(2002, "TX") == pd.Timestamp("2002-03-12") and pd.isna(day(2002, "TX", "runoff_date"))


# ------------------------------------------------------------------ bad input
def _fake(tmp_path, rows, sheet="2018 Primary Dates"):
    folder = tmp_path / FEC_DIR
    folder.mkdir(parents=True)
    df = pd.DataFrame([["STATE", None, "CONGRESSIONAL PRIMARY DATE", "CONGRESSIONAL RUNOFF DATE"]] + rows)
    with pd.ExcelWriter(folder / FEC_WORKBOOKS[2018]) as xl:
        df.to_excel(xl, sheet_name=sheet, header=False, index=False)
    return tmp_path


def test_unparseable_date_names_file_row_field(tmp_path):
    raw = _fake(tmp_path, [["Texas", "S", pd.Timestamp("2018-03-06"), pd.Timestamp("2018-05-22")],
                           ["Ohio", None, "early May", None]])
    with pytest.raises(InputError) as err:
        fec_primary_dates(raw, 2018)
    assert (err.value.row, err.value.field) == (3, "primary_date") and "federalelections2018.xlsx" in str(err.value)


def test_implausible_date_is_an_error(tmp_path):
    raw = _fake(tmp_path, [["Ohio", None, pd.Timestamp("1999-05-08"), None]])
    with pytest.raises(InputError) as err:
        fec_primary_dates(raw, 2018)
    assert err.value.field == "primary_date"


def test_missing_sheet_and_missing_workbook(tmp_path):
    raw = _fake(tmp_path, [["Ohio", None, pd.Timestamp("2018-05-08"), None]], sheet="Dates")
    with pytest.raises(InputError) as err:
        fec_primary_dates(raw, 2018)
    assert err.value.field == "sheet"
    with pytest.raises(InputError) as err:
        fec_primary_dates(tmp_path / "nowhere", 2018)
    assert "federalelections2018.xlsx" in str(err.value)


def test_fake_sheet_parses(tmp_path):
    raw = _fake(tmp_path, [["Texas", "S", pd.Timestamp("2018-03-06"), pd.Timestamp("2018-05-22")]])
    d = fec_primary_dates(raw, 2018)
    assert d.to_dict("records")[0]["primary_date"] == pd.Timestamp("2018-03-06")
