"""The live 2026 cycle: roster of members seeking renomination and the FEC-visible field, as of a date."""
from __future__ import annotations

import pandas as pd
import pytest

from features.contests.roster_2026 import (
    WEBALL26,
    contest_rows_2026,
    display_name,
    read_weball,
    roster_2026_audit,
    usable_rows,
)
from features.kernel.constants import STATES
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / WEBALL26).is_file(), reason="raw data folder absent")
AS_OF = "2025-12-31"
LATER = "2026-03-01"


@pytest.fixture(scope="module")
def weball() -> pd.DataFrame:
    return read_weball(RAW)


@pytest.fixture(scope="module")
def audit() -> pd.DataFrame:
    return roster_2026_audit(RAW, AS_OF)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return contest_rows_2026(RAW, AS_OF)


@pytest.fixture(scope="module")
def rows_later() -> pd.DataFrame:
    return contest_rows_2026(RAW, LATER)


def one(rows, state, district, party):
    sel = rows[(rows["state"] == state) & (rows["district"] == district) & (rows["party"] == party)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_ca34_gomez_with_gonzales_torres(rows):
    r = one(rows, "CA", 34, "D")
    assert r["incumbent"] == "Jimmy Gomez" and r["fec_id"] == "H8CA34266"
    assert "Angela Gonzales-Torres" in r["challengers"].split(";")
    assert "H6CA34286" in r["challenger_ids"].split(";")
    assert r["contested"] and r["primary_system_hint"] == "top-two"
    assert r["top_challenger"] == "Rob Lucero"          # $138k vs Gonzales-Torres $131k to 12/31/2025
    assert "David Kim" not in r["challengers"]          # $0 receipts: below the $5k candidate threshold
    assert "Loren Colin (NOP)" in r["challengers_other_party"]


def test_no_outcome_in_the_live_cycle(rows):
    assert rows["lost"].isna().all()
    for col in ("incumbent_share", "incumbent_share_all", "top_challenger_share", "runoff_share"):
        assert rows[col].isna().all()
    assert rows["went_to_runoff"].isna().all() and rows["challenger_advanced"].isna().all()
    assert (rows["cycle"] == 2026).all() and (rows["result_source"] == "fec-weball26-field").all()


def test_rows_dated_after_as_of_are_never_used(rows, rows_later, weball):
    # Peltola (AK, D) filed a report covering to 02/13/2026: invisible on 2025-12-31, visible on 2026-03-01
    assert weball.loc[weball["CAND_ID"] == "H2AK01158", "cvg_end"].iloc[0] == pd.Timestamp("2026-02-13")
    begich = one(rows, "AK", 0, "R")
    assert "Peltola" not in str(begich["challengers_other_party"])
    assert "Mary Peltola (D)" in one(rows_later, "AK", 0, "R")["challengers_other_party"]
    # IL-6: every challenger row runs to 02/25/2026
    assert pd.isna(one(rows, "IL", 6, "D")["challengers"])
    assert "Joseph Ruzevich" in one(rows_later, "IL", 6, "D")["challengers"]
    # generic: every challenger and incumbent row used is dated on or before the as-of date
    cvg = weball.set_index("CAND_ID")["cvg_end"]
    used = [i for ids in rows["challenger_ids"].dropna() for i in ids.split(";")]
    used += list(rows.loc[rows["running_evidence"] == "fec-house-row", "fec_id"])
    assert used and (cvg.loc[used] <= pd.Timestamp(AS_OF)).all()
    assert (rows["inc_fec_cvg_end"].dropna() <= pd.Timestamp(AS_OF)).all()


def test_usable_rows_rule():
    df = pd.DataFrame({"cvg_end": pd.to_datetime(["2025-12-31", "2026-01-01", None])})
    assert list(usable_rows(df, AS_OF).index) == [0]


def test_roster_membership_by_term_dates(rows, rows_later, audit):
    names = set(audit["incumbent"])
    assert "Christian D. Menefee" not in names                # sworn in 2026-02-02
    assert "Mikie Sherrill" not in names                      # resigned 2025-11-20
    assert "Matt Van Epps" in names                           # 2025-12-04 special
    assert one(rows, "TN", 7, "R")["special_election_member"]
    kiley = audit[audit["incumbent"] == "Kevin Kiley"].iloc[0]
    assert kiley["party"] == "R"                              # Independent only from 2026-03-09
    assert "Christian D. Menefee" in set(rows_later["incumbent"])
    assert len(audit) == 433                                  # 435 seats, TX-18 and NJ-11 vacant


def test_exclusions_running_elsewhere_or_retiring(audit, rows):
    reason = audit.set_index("incumbent")["reason"]
    assert reason["Earl L. \"Buddy\" Carter"] == "running-for-senate"
    assert reason["Haley M. Stevens"] == "running-for-senate"
    assert reason["Nancy Pelosi"] == "open-seat-per-fec"
    assert reason["Jerrold Nadler"] == "open-seat-per-fec"
    assert reason["Marjorie Taylor Greene"] == "no-2026-house-committee"
    assert reason["Robert Menendez"] == "fec-house-row"           # the S6NJ 'I' row is the former senator
    assert reason["Maxwell Frost"] == "fec-house-row"            # a lone FEC "O" filer is not enough
    excluded = audit[audit["decision"] == "excluded"]
    assert not set(excluded["incumbent"]) & set(rows["incumbent"])
    assert len(rows) == (audit["decision"] == "running").sum() == 398
    assert excluded["reason"].value_counts().to_dict() == {
        "open-seat-per-fec": 24, "running-for-senate": 10, "no-2026-house-committee": 1}


def test_incumbent_vs_incumbent_and_contract(rows, rows_later):
    ca40 = rows[(rows["state"] == "CA") & (rows["district"] == 40)]
    assert set(ca40["incumbent"]) == {"Ken Calvert", "Young Kim"} and ca40["incumbent_vs_incumbent"].all()
    tx18 = rows_later[(rows_later["state"] == "TX") & (rows_later["district"] == 18)]
    assert set(tx18["incumbent"]) == {"Al Green", "Christian D. Menefee"}
    assert rows["state"].isin(list(STATES)).all() and set(rows["party"]) == {"D", "R"}
    assert rows["contested"].dropna().all()                      # True or unknown before the deadline
    assert not rows.duplicated(["state", "district", "party", "incumbent"]).any()
    assert str(rows["contested"].dtype) == "boolean"


def test_display_name():
    assert display_name("GONZALES-TORRES, ANGELA") == "Angela Gonzales-Torres"
    assert display_name("MCDONALD, JOHN MR.") == "John McDonald"
